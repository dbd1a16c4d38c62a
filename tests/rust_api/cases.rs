//! The shared cases (`tests/cases/cases.json`, format in `tests/cases/README.md`) against the
//! Rust API's `Socket`, in Node and in Chromium. The npm package runs the same cases in
//! `tests/node/cases.test.mjs`. The server is `tests/wasm/server.mjs`: each case gets its own
//! key (`/case/<key>`), and its server steps go to `GET /control?key=…&step=…`.
//!
//! Every wait is bounded (the case's timeout, the server's answer 5 s); a failing case does
//! not stop the others: `run_all` panics at the end naming every case that failed.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::task::{Poll, Waker};
use std::time::Duration;

use gloo_timers::future::TimeoutFuture;
use js_sys::{Function, Promise, Reflect};
use lifeline_ws::core::{Jitter, Overflow};
use lifeline_ws::{ConfigBuilder, Error, Event, Message, Socket};
use serde_json::{json, Map, Value};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::console_log;

use super::within;

const DATA: &str = include_str!("../cases/cases.json");

#[wasm_bindgen]
extern "C" {
    /// The platform's `fetch` (Node 20 and Chromium have one).
    #[wasm_bindgen(js_name = fetch)]
    fn fetch(url: &str) -> Promise;
}

// ---- The one place where the Rust API's events become the cases' events. ----

fn ms(duration: Duration) -> u64 {
    duration.as_millis() as u64
}

fn message_value(message: &Message) -> Value {
    match message {
        Message::Text(text) => json!(text),
        Message::Binary(bytes) => json!({ "binary": base64(bytes) }),
    }
}

fn event_value(event: &Event) -> Value {
    match event {
        Event::Open => json!({ "event": "open" }),
        Event::Reconnect(r) => {
            json!({ "event": "reconnect", "attempt": r.attempt, "downtimeMs": ms(r.downtime) })
        }
        Event::Reconnecting(r) => {
            json!({ "event": "reconnecting", "attempt": r.attempt, "delayMs": ms(r.delay) })
        }
        Event::Message(m) => json!({ "event": "message", "data": message_value(m) }),
        Event::Close(c) => json!({
            "event": "close",
            "code": c.code,
            "reason": c.reason,
            "wasClean": c.was_clean,
            "willReconnect": c.will_reconnect,
            "delayMs": c.delay.map(ms),
        }),
        Event::Error(e) => json!({ "event": "error", "cause": e.cause.as_str() }),
        Event::GiveUp { attempts } => json!({ "event": "giveup", "attempts": attempts }),
        Event::Heartbeat { rtt } => json!({ "event": "heartbeat", "rttMs": ms(*rtt) }),
        Event::StateChange(state) => json!({ "event": "statechange", "state": state.as_str() }),
        Event::Dropped(m) => json!({ "event": "drop", "data": message_value(m) }),
        // `Event` is non-exhaustive: an event the cases do not know yet shows up as such, and
        // fails the comparison.
        other => json!({ "event": "unknown", "debug": format!("{other:?}") }),
    }
}

/// Registers the callback of one event kind (by the cases' name), recording into `log`.
fn listen(socket: &Socket, kind: &str, log: &Rc<Log>) -> Result<(), String> {
    let log = log.clone();
    let push = move |event: Event| log.push(event_value(&event));
    match kind {
        "open" => socket.on_open(move || push(Event::Open)),
        "reconnect" => socket.on_reconnect(move |r| push(Event::Reconnect(*r))),
        "reconnecting" => socket.on_reconnecting(move |r| push(Event::Reconnecting(*r))),
        "message" => socket.on_message(move |m| push(Event::Message(m.clone()))),
        "close" => socket.on_close(move |c| push(Event::Close(c.clone()))),
        "error" => socket.on_error(move |e| push(Event::Error(e.clone()))),
        "giveup" => socket.on_giveup(move |attempts| push(Event::GiveUp { attempts })),
        "heartbeat" => socket.on_heartbeat(move |rtt| push(Event::Heartbeat { rtt })),
        "statechange" => socket.on_state_change(move |s| push(Event::StateChange(s))),
        "drop" => socket.on_drop(move |m| push(Event::Dropped(m.clone()))),
        other => return Err(format!("unknown event {other} in listen")),
    }
    Ok(())
}

const ALL_EVENTS: [&str; 10] = [
    "open",
    "message",
    "close",
    "error",
    "reconnect",
    "reconnecting",
    "giveup",
    "heartbeat",
    "statechange",
    "drop",
];

/// How `send` refuses, by the cases' names.
fn refusal(error: &Error) -> &'static str {
    match error {
        Error::Closed(_) => "closed",
        Error::QueueFull { .. } => "queue-full",
        _ => "other",
    }
}

// ---- The cases' options (as the JS options spell them) on the Config builder. ----

fn millis(value: &Value, name: &str) -> Result<Duration, String> {
    value
        .as_u64()
        .map(Duration::from_millis)
        .ok_or_else(|| format!("{name}: want whole milliseconds, got {value}"))
}

fn configure(
    mut builder: ConfigBuilder,
    options: &Map<String, Value>,
    log: &Rc<Log>,
) -> Result<ConfigBuilder, String> {
    for (name, value) in options {
        builder = match name.as_str() {
            "backoff" => {
                let Some(backoff) = value.as_object() else {
                    return Err(format!("backoff: {value}"));
                };
                for (field, v) in backoff {
                    builder = match field.as_str() {
                        "initialDelay" => builder.initial_delay(millis(v, field)?),
                        "maxDelay" => builder.max_delay(millis(v, field)?),
                        "minUptime" => builder.min_uptime(millis(v, field)?),
                        "factor" => builder.factor(v.as_f64().ok_or("factor")?),
                        "maxRetries" => builder.max_retries(
                            v.as_u64()
                                .and_then(|n| u32::try_from(n).ok())
                                .ok_or("maxRetries")?,
                        ),
                        "jitter" => builder.jitter(match v.as_str() {
                            Some("full") => Jitter::Full,
                            Some("equal") => Jitter::Equal,
                            Some("none") => Jitter::None,
                            _ => return Err(format!("jitter {v}")),
                        }),
                        other => return Err(format!("unknown option backoff.{other}")),
                    };
                }
                builder
            }
            "connectionTimeout" => builder.connection_timeout(millis(value, name)?),
            "closeTimeout" => builder.close_timeout(millis(value, name)?),
            "heartbeat" => {
                let interval = millis(&value["interval"], "heartbeat.interval")?;
                let timeout = millis(&value["timeout"], "heartbeat.timeout")?;
                if value.as_object().is_some_and(|h| h.len() != 2) {
                    return Err(format!("heartbeat: only interval and timeout, got {value}"));
                }
                builder.heartbeat(interval, timeout)
            }
            "queue" => {
                let Some(queue) = value.as_object() else {
                    return Err(format!("queue: {value}"));
                };
                for (field, v) in queue {
                    builder = match field.as_str() {
                        "maxMessages" => builder.queue_max_messages(
                            v.as_u64()
                                .and_then(|n| u32::try_from(n).ok())
                                .ok_or("maxMessages")?,
                        ),
                        "overflow" => builder.overflow(match v.as_str() {
                            Some("throw") => Overflow::Throw,
                            Some("drop-oldest") => Overflow::DropOldest,
                            _ => return Err(format!("overflow {v}")),
                        }),
                        other => return Err(format!("unknown option queue.{other}")),
                    };
                }
                builder
            }
            "startClosed" => builder.start_closed(value.as_bool().ok_or("startClosed")?),
            "shouldReconnect" => {
                let no: Vec<u64> = value["noFor"]
                    .as_array()
                    .ok_or("shouldReconnect.noFor")?
                    .iter()
                    .filter_map(Value::as_u64)
                    .collect();
                let log = log.clone();
                builder.should_reconnect(move |d| {
                    log.push(json!({
                        "event": "shouldReconnect",
                        "code": d.code,
                        "reason": d.reason,
                        "wasClean": d.was_clean,
                    }));
                    !no.contains(&u64::from(d.code))
                })
            }
            other => return Err(format!("unknown option {other}")),
        };
    }
    Ok(builder)
}

/// `defaults` with `options` over it, one level deep (as the Node runner merges them).
fn merge(defaults: &Value, options: &Value) -> Map<String, Value> {
    let mut out = defaults.as_object().cloned().unwrap_or_default();
    for (name, value) in options.as_object().into_iter().flatten() {
        match (out.get_mut(name), value) {
            (Some(Value::Object(old)), Value::Object(new)) => {
                for (k, v) in new {
                    old.insert(k.clone(), v.clone());
                }
            }
            _ => {
                out.insert(name.clone(), value.clone());
            }
        }
    }
    out
}

// ---- The server (tests/wasm/server.mjs) ----

fn port() -> &'static str {
    let Some(port) = option_env!("LIFELINE_WASM_SERVER_PORT") else {
        panic!("build with LIFELINE_WASM_SERVER_PORT set (scripts/test.sh does)")
    };
    port
}

/// One server step for this case's key; its `result`.
async fn server(key: &str, step: &Value) -> Result<Value, String> {
    let url = format!(
        "http://127.0.0.1:{}/control?key={}&step={}",
        port(),
        String::from(js_sys::encode_uri_component(key)),
        String::from(js_sys::encode_uri_component(&step.to_string())),
    );
    let answer = within(5000, async {
        let response = JsFuture::from(fetch(&url)).await?;
        let text = Reflect::get(&response, &"text".into())?.dyn_into::<Function>()?;
        let text = JsFuture::from(text.call0(&response)?.dyn_into::<Promise>()?).await?;
        Ok::<_, JsValue>(text.as_string().unwrap_or_default())
    })
    .await
    .ok_or_else(|| format!("server step {step}: no answer within 5000 ms"))?
    .map_err(|e| format!("server step {step}: {e:?}"))?;
    let answer: Value = serde_json::from_str(&answer).map_err(|e| format!("{answer}: {e}"))?;
    if answer["ok"] != json!(true) {
        return Err(format!("server step {step}: {answer}"));
    }
    Ok(answer["result"].clone())
}

// ---- The record ----

/// The events seen, in order, and whoever waits for the next one.
#[derive(Default)]
struct Log {
    events: RefCell<Vec<Value>>,
    waker: RefCell<Option<Waker>>,
}

impl Log {
    fn push(&self, event: Value) {
        self.events.borrow_mut().push(event);
        if let Some(waker) = self.waker.borrow_mut().take() {
            waker.wake();
        }
    }

    fn show(&self) -> String {
        show(&self.events.borrow())
    }

    /// The index of the first event at or after `from` matching `want`, within `limit_ms`.
    async fn wait(&self, from: usize, want: &Value, limit_ms: u32) -> Result<usize, String> {
        let found = std::future::poll_fn(|cx| {
            let events = self.events.borrow();
            match (from..events.len()).find(|&i| matches(&events[i], want)) {
                Some(i) => Poll::Ready(i),
                None => {
                    *self.waker.borrow_mut() = Some(cx.waker().clone());
                    Poll::Pending
                }
            }
        });
        within(limit_ms, found)
            .await
            .ok_or_else(|| format!("no {want} within {limit_ms} ms; events:\n  {}", self.show()))
    }
}

fn show(events: &[Value]) -> String {
    let lines: Vec<String> = events.iter().map(Value::to_string).collect();
    lines.join("\n  ")
}

/// Whether `event` has every field of `want` (numbers compared as numbers);
/// `construction` is the runners' business.
fn matches(event: &Value, want: &Value) -> bool {
    want.as_object().is_some_and(|want| {
        want.iter().all(|(k, v)| {
            k == "construction"
                || match (&event[k.as_str()], v) {
                    (Value::Number(a), Value::Number(b)) => a.as_f64() == b.as_f64(),
                    (a, b) => a == b,
                }
        })
    })
}

// ---- The runner ----

/// The browser engine the tests run in (`"firefox"`, `"webkit"`, `"chromium"`), from the
/// user agent; `"node"` outside a browser.
fn engine() -> &'static str {
    let navigator = Reflect::get(&js_sys::global(), &"navigator".into()).unwrap_or_default();
    let agent = Reflect::get(&navigator, &"userAgent".into())
        .ok()
        .and_then(|a| a.as_string())
        .unwrap_or_default();
    if agent.contains("Firefox") {
        "firefox"
    } else if agent.contains("Chrome") {
        "chromium"
    } else if agent.contains("AppleWebKit") {
        "webkit"
    } else {
        "node"
    }
}

/// Runs every case of the data file not skipped for `runner` (`"rust-node"` or
/// `"rust-browser"`; a skip for `"rust"` applies to both, one for `"rust-firefox"`,
/// `"rust-webkit"` or `"rust-chromium"` to that engine).
pub async fn run_all(config: impl Fn() -> ConfigBuilder, runner: &str) {
    let data: Value = serde_json::from_str(DATA).expect("tests/cases/cases.json is JSON");
    let cases = data["cases"].as_array().expect("cases");
    let mut failed = Vec::new();
    let (mut passed, mut skipped) = (0, 0);
    for case in cases {
        let id = case["id"].as_str().expect("id");
        let skip = &case["skip"];
        let in_engine = format!("rust-{}", engine());
        let reason = skip[runner].as_str().or(skip["rust"].as_str());
        if let Some(reason) = reason.or(skip[in_engine.as_str()].as_str()) {
            console_log!("case {id}: skipped ({reason})");
            skipped += 1;
            continue;
        }
        let key = format!("{runner}-{id}-{}", (js_sys::Math::random() * 1e9) as u64);
        let start = js_sys::Date::now();
        let outcome = run_case(&data, case, &key, config()).await;
        let _ = server(&key, &json!({ "server": "forget" })).await;
        let took = js_sys::Date::now() - start;
        match outcome {
            Ok(()) => {
                console_log!("case {id}: ok ({took:.0} ms)");
                passed += 1;
            }
            Err(error) => {
                console_log!("case {id}: FAILED ({took:.0} ms): {error}");
                failed.push(format!("{id}: {error}"));
            }
        }
    }
    console_log!(
        "{runner}: {passed} passed, {skipped} skipped, {} failed of {}",
        failed.len(),
        cases.len()
    );
    assert!(
        failed.is_empty(),
        "{} case(s) failed:\n{}",
        failed.len(),
        failed.join("\n\n")
    );
    assert_eq!(passed + skipped, cases.len());
}

async fn run_case(
    data: &Value,
    case: &Value,
    key: &str,
    builder: ConfigBuilder,
) -> Result<(), String> {
    let log = Rc::new(Log::default());
    let settings = merge(&data["defaultServer"], &case["server"]);
    server(key, &json!({ "server": "set", "settings": settings })).await?;
    let options = merge(&data["defaultOptions"], &case["options"]);
    let config = configure(builder, &options, &log)?
        .build()
        .map_err(|e| e.to_string())?;
    let url = format!("ws://127.0.0.1:{}/case/{key}", port());
    let socket = Socket::connect(url, config).map_err(|e| e.to_string())?;
    // What the constructor emitted (no callback can exist yet): its state.
    let state_at_construction = socket.state();
    let listened: Vec<&str> = match case["listen"].as_array() {
        Some(kinds) => kinds.iter().filter_map(Value::as_str).collect(),
        None => ALL_EVENTS.to_vec(),
    };
    for kind in &listened {
        listen(&socket, kind, &log)?;
    }
    // The stream sees the same events as the callbacks; it is a reconnect listener, so
    // only where the case listens for reconnect.
    let streamed = Rc::new(RefCell::new(Vec::new()));
    let stream_ended = Rc::new(Cell::new(false));
    if listened.contains(&"reconnect") {
        let mut events = socket.events();
        let (streamed, ended) = (streamed.clone(), stream_ended.clone());
        wasm_bindgen_futures::spawn_local(async move {
            while let Some(event) = events.next().await {
                streamed.borrow_mut().push(event_value(&event));
            }
            ended.set(true);
        });
    }

    let timeout = data["defaultTimeout"].as_u64().unwrap_or(5000) as u32;
    let mut cursor = 0;
    for step in case["steps"].as_array().ok_or("steps")? {
        let fail = |what: String| format!("step {step}: {what}");
        if !step["wait"].is_null() {
            let limit = step["timeout"].as_u64().map_or(timeout, |t| t as u32);
            cursor = log.wait(cursor, &step["wait"], limit).await.map_err(fail)? + 1;
        } else if let Some(action) = step["client"].as_str() {
            match action {
                "send" => {
                    let data = match &step["data"] {
                        Value::Array(items) => items.clone(),
                        one => vec![one.clone()],
                    };
                    for item in data {
                        let text = item.as_str().ok_or("send: text only")?;
                        let sent = socket.send(text);
                        match (step["refused"].as_str(), sent) {
                            (None, Ok(())) => {}
                            (Some(want), Err(e)) if refusal(&e) == want => {}
                            (want, got) => {
                                return Err(fail(format!("send({text}): {got:?}, want {want:?}")))
                            }
                        }
                    }
                }
                "close" => match step["code"].as_u64() {
                    None => socket.close(),
                    Some(code) => socket
                        .close_with(code as u16, step["reason"].as_str().unwrap_or(""))
                        .map_err(|e| fail(e.to_string()))?,
                },
                "reconnect" => socket.reconnect().map_err(|e| fail(e.to_string()))?,
                other => return Err(fail(format!("unknown client action {other}"))),
            }
        } else if step["server"].is_string() {
            server(key, step).await?;
        } else if let Some(quiet) = step["quiet"].as_u64() {
            TimeoutFuture::new(quiet as u32).await;
        } else if let Some(check) = step["check"].as_object() {
            for (what, want) in check {
                let got = match what.as_str() {
                    "state" => json!(socket.state().as_str()),
                    "queued" => json!(socket.stats().queued),
                    "serverReceived" => {
                        server(key, &json!({ "server": "stats" })).await?["received"].clone()
                    }
                    "serverConnections" => {
                        server(key, &json!({ "server": "stats" })).await?["connections"].clone()
                    }
                    other => return Err(fail(format!("unknown check {other}"))),
                };
                if !matches(&json!({ "v": got }), &json!({ "v": want })) {
                    return Err(fail(format!("{what} is {got}, want {want}")));
                }
            }
        } else {
            return Err(fail("unknown step".into()));
        }
    }

    // The expected events; what the constructor emitted, the Rust API cannot deliver (see
    // the data file's differences): it is checked as the state right after connect.
    let ignore: Vec<&str> = case["ignore"]
        .as_array()
        .map(|kinds| kinds.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let mut expect = Vec::new();
    for want in case["expect"].as_array().ok_or("expect")? {
        if want["construction"] == json!(true) {
            let state = json!({ "state": state_at_construction.as_str() });
            if !matches(&state, &json!({ "state": want["state"] })) {
                return Err(format!("right after connect: {state}, want {want}"));
            }
        } else {
            expect.push(want.clone());
        }
    }
    let seen: Vec<Value> = log
        .events
        .borrow()
        .iter()
        .filter(|e| !ignore.contains(&e["event"].as_str().unwrap_or("")))
        .cloned()
        .collect();
    let same = seen.len() == expect.len() && seen.iter().zip(&expect).all(|(s, w)| matches(s, w));
    if !same {
        return Err(format!(
            "events differ from the expected ones.\nexpected:\n  {}\nseen:\n  {}",
            show(&expect),
            show(&seen)
        ));
    }

    // The stream saw what the callbacks saw: all of it, or (when the socket was closed for
    // good on the way, which ends the stream) a part ending with that close.
    drop(socket);
    if listened.contains(&"reconnect") {
        let start = js_sys::Date::now();
        while !stream_ended.get() {
            if js_sys::Date::now() - start > 2000.0 {
                return Err(
                    "the event stream did not end within 2000 ms of dropping the socket".into(),
                );
            }
            TimeoutFuture::new(10).await;
        }
        let callbacks: Vec<Value> = log
            .events
            .borrow()
            .iter()
            .filter(|e| e["event"] != json!("shouldReconnect"))
            .cloned()
            .collect();
        let streamed = streamed.borrow();
        let n = streamed.len();
        let prefix = n <= callbacks.len() && streamed[..] == callbacks[..n];
        let closed = json!({ "event": "statechange", "state": "closed" });
        if !prefix || n < callbacks.len() && !streamed.contains(&closed) {
            return Err(format!(
                "the event stream differs from the callbacks.\ncallbacks:\n  {}\nstream:\n  {}",
                show(&callbacks),
                show(&streamed)
            ));
        }
    }
    Ok(())
}

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..4 {
            out.push(if i <= chunk.len() {
                ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char
            } else {
                '='
            });
        }
    }
    out
}
