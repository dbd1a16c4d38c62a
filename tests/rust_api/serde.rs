//! The `serde` feature in wasm: `Config::from_js` / `to_js` through serde-wasm-bindgen,
//! and `Stats` and events serialized as the JS API names them, on a live socket.

use std::time::Duration;

use js_sys::{Function, Reflect, Uint8Array, JSON};
use lifeline_ws::core::{ConfigError, Jitter, State};
use lifeline_ws::{Config, ConfigBuilder, Event, Socket};
use wasm_bindgen::{JsCast, JsValue};

use super::{until, url, within};

/// A JS object from JSON.
fn js(json: &str) -> JsValue {
    JSON::parse(json).unwrap()
}

/// `object.a.b…`
fn at(object: &JsValue, path: &[&str]) -> JsValue {
    path.iter().fold(object.clone(), |v, key| {
        Reflect::get(&v, &JsValue::from_str(key)).unwrap()
    })
}

fn set(object: &JsValue, key: &str, value: &JsValue) {
    Reflect::set(object, &JsValue::from_str(key), value).unwrap();
}

/// What a value serializes to, through serde-wasm-bindgen as JSON (`None` as `null`).
fn json_of(value: &impl serde::Serialize) -> String {
    let serializer = serde_wasm_bindgen::Serializer::json_compatible();
    let value = value.serialize(&serializer).unwrap();
    JSON::stringify(&value).unwrap().as_string().unwrap()
}

/// The JS option names, with what only JS has: `Infinity`, a `Uint8Array` ping.
pub fn config_from_js_reads_the_js_options() {
    let options = js(r#"{
        "backoff": { "initialDelay": 250, "maxDelay": 8000, "jitter": "equal" },
        "connectionTimeout": 3000,
        "heartbeat": { "interval": 20000, "timeout": 5000, "pong": "PONG" },
        "queue": { "maxMessages": 10, "overflow": "drop-oldest" },
        "lifecycle": { "closeWhenHiddenAfter": 60000, "closeOnPageHide": true },
        "startClosed": true
    }"#);
    set(
        &at(&options, &["backoff"]),
        "maxRetries",
        &JsValue::from_f64(f64::INFINITY),
    );
    set(
        &at(&options, &["heartbeat"]),
        "ping",
        &Uint8Array::from(&[1u8, 2][..]),
    );
    set(
        &at(&options, &["lifecycle"]),
        "probeOnVisible",
        &JsValue::UNDEFINED,
    );
    let config = Config::from_js(&options).unwrap();
    let expected = Config::builder()
        .initial_delay(Duration::from_millis(250))
        .max_delay(Duration::from_secs(8))
        .jitter(Jitter::Equal)
        .connection_timeout(Duration::from_secs(3))
        .heartbeat(Duration::from_secs(20), Duration::from_secs(5))
        .pong("PONG")
        .ping(vec![1u8, 2])
        .queue_max_messages(10)
        .overflow(lifeline_ws::core::Overflow::DropOldest)
        .close_when_hidden_after(Duration::from_secs(60))
        .close_on_page_hide(true)
        .start_closed(true)
        .build()
        .unwrap();
    assert_eq!(format!("{config:?}"), format!("{expected:?}"));
    // Nothing given: the defaults.
    let config = Config::from_js(&JsValue::UNDEFINED).unwrap();
    assert_eq!(config.policy(), Config::default().policy());
}

/// Unknown keys, wrong kinds, values out of bounds and functions are `ConfigError`s that
/// name the field.
pub fn config_from_js_refuses_what_it_cannot_take() {
    let error = |options: &JsValue| Config::from_js(options).unwrap_err();
    assert_eq!(
        error(&js(r#"{ "heartbeat": { "intervall": 1000 } }"#)),
        ConfigError::UnknownOption {
            name: "heartbeat.intervall".into()
        }
    );
    assert_eq!(
        error(&js(r#"{ "backoff": { "initialDelay": "fast" } }"#)).to_string(),
        "backoff.initialDelay must be a number of milliseconds, got \"fast\""
    );
    // Out of bounds: the builder's own error.
    let from_builder = Config::builder()
        .heartbeat(Duration::from_secs(1), Duration::ZERO)
        .build()
        .unwrap_err();
    assert_eq!(
        error(&js(r#"{ "heartbeat": { "timeout": 0 } }"#)),
        from_builder
    );
    let nan = js("{}");
    set(&nan, "connectionTimeout", &JsValue::from_f64(f64::NAN));
    assert_eq!(error(&nan).field(), "connectionTimeout");
    // Functions do not go through serde: named, with where to set them instead.
    let options = js(r#"{ "heartbeat": { "interval": 1000 } }"#);
    set(
        &options,
        "shouldReconnect",
        &Function::new_no_args("return true"),
    );
    let refused = error(&options);
    assert_eq!(refused.field(), "shouldReconnect");
    assert!(
        refused.to_string().ends_with("got a function")
            && refused
                .to_string()
                .contains("ConfigBuilder::should_reconnect"),
        "{refused}"
    );
    let options = js(r#"{ "heartbeat": {} }"#);
    set(
        &at(&options, &["heartbeat"]),
        "pong",
        &Function::new_with_args("m", "return m === 'PONG'"),
    );
    assert_eq!(error(&options).field(), "heartbeat.pong");
    // A function elsewhere, which serde-wasm-bindgen cannot read at all.
    let options = js(r#"{ "lifecycle": {} }"#);
    set(&options, "onopen", &Function::new_no_args(""));
    let refused = error(&options);
    assert_eq!(refused.field(), "options");
}

/// `to_js` writes the JS names (binary as a `Uint8Array`, no `Infinity`); `from_js` reads
/// them back.
pub fn config_to_js_round_trips() {
    let base = || {
        Config::builder()
            .initial_delay(Duration::from_millis(250))
            .heartbeat(Duration::from_secs(20), Duration::from_secs(5))
            .server_ping("hi", vec![7u8])
            .ping("PING")
            .close_when_hidden_after(Duration::from_secs(30))
            .protocols(["chat.v2"])
    };
    let config = base().should_reconnect(|_| true).build().unwrap();
    let options = config.to_js();
    assert_eq!(at(&options, &["backoff", "initialDelay"]), 250.0);
    assert!(at(&options, &["backoff", "maxRetries"]).is_undefined());
    assert_eq!(at(&options, &["backoff", "jitter"]), "full");
    assert_eq!(at(&options, &["heartbeat", "ping"]), "PING");
    let reply = at(&options, &["heartbeat", "serverPing", "reply"]);
    assert_eq!(reply.dyn_into::<Uint8Array>().unwrap().to_vec(), [7]);
    assert_eq!(
        at(&options, &["lifecycle", "closeWhenHiddenAfter"]),
        30000.0
    );
    assert!(at(&options, &["shouldReconnect"]).is_undefined());
    // Everything comes back but the function, which does not cross.
    let again = Config::from_js(&options).unwrap();
    let expected = base().build().unwrap();
    assert_eq!(format!("{again:?}"), format!("{expected:?}"));
}

/// A socket configured by `from_js` works, and its events and stats serialize with the JS
/// events' names. `platform` adds what the platform needs (Node's `WebSocket`).
pub async fn a_socket_from_js_options_reports_serializable_events(
    platform: impl Fn(ConfigBuilder) -> ConfigBuilder,
) {
    let options = js(r#"{ "backoff": { "initialDelay": 50 }, "queue": { "maxMessages": 5 } }"#);
    let config = platform(Config::from_js(&options).unwrap().into_builder())
        .build()
        .unwrap();
    let socket = Socket::connect(url("/echo"), config).unwrap();
    let mut events = socket.events();
    let mut seen = Vec::new();
    let open = until(&mut events, &mut seen, "open", 5000, |e| *e == Event::Open).await;
    assert_eq!(json_of(&open), r#"{"type":"open"}"#);
    socket.send("hi").unwrap();
    let message = until(&mut events, &mut seen, "echo", 5000, |e| {
        matches!(e, Event::Message(_))
    })
    .await;
    assert_eq!(json_of(&message), r#"{"type":"message","data":"hi"}"#);
    let stats = JSON::parse(&json_of(&socket.stats())).unwrap();
    assert_eq!(at(&stats, &["attempts"]), 0);
    assert_eq!(at(&stats, &["reconnects"]), 0);
    assert!(at(&stats, &["lastRttMs"]).is_null());
    assert!(at(&stats, &["connectedSince"]).as_f64().is_some());
    assert_eq!(at(&stats, &["queued"]), 0);
    socket.close_with(1000, "done").unwrap();
    // Everything up to the end of the stream, serialized.
    let mut last = Vec::new();
    while let Some(Some(event)) = within(5000, events.next()).await {
        last.push(json_of(&event));
    }
    let close = r#"{"type":"close","code":1000,"reason":"done","wasClean":true,"willReconnect":false,"delayMs":null}"#;
    assert!(last.iter().any(|e| e == close), "{last:?}");
    let closed = r#"{"type":"statechange","state":"closed"}"#;
    assert!(last.iter().any(|e| e == closed), "{last:?}");
    assert_eq!(
        socket.state(),
        State::Closed,
        "the stream ended: closed for good"
    );
}
