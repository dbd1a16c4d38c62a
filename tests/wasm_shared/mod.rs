//! The wasm-bindgen tests of the driver, shared by the Node (`wasm_node.rs`) and the
//! Chromium (`wasm_browser.rs`) runs. They talk to `tests/wasm/server.mjs`, which
//! `scripts/test.sh` starts on 127.0.0.1 and whose port it passes in
//! `LIFELINE_WASM_SERVER_PORT` at build time.
#![allow(dead_code)]

use std::rc::Rc;

use gloo_timers::future::TimeoutFuture;
use js_sys::{Object, Reflect};
use lifeline_ws::wasm::{Driver, Host};
use wasm_bindgen::prelude::*;

#[wasm_bindgen(inline_js = r#"
export function makeHost() {
  const h = {
    log: [], messages: [], ws: null, lastAt: -1, onPong: null, state: "closed", listener: null,
    resolveUrl(u) { return String(u); },
    attach(ws, generation) {
      h.ws = ws;
      ws.binaryType = "arraybuffer";
      h.listener = (event) => {
        h.lastAt = performance.now();
        if (event.data === "pong") { if (h.onPong) h.onPong(generation); return; }
        h.messages.push(String(event.data));
      };
      ws.addEventListener("message", h.listener);
    },
    detach(ws) {
      ws.removeEventListener("message", h.listener);
      ws.addEventListener("error", () => {});
      if (h.ws === ws) h.ws = null;
    },
    lastMessageAt() { return h.lastAt; },
    shouldReconnect() { return true; },
    onOpen() { h.log.push("open"); },
    onReconnect(attempt, downtime) { h.log.push("reopen"); },
    onReconnecting(attempt, delay) { h.log.push("retry"); },
    onClose(code, reason, clean, again, delay) { h.log.push("close:" + code + ":" + reason); },
    onError(cause) { h.log.push("error:" + cause); },
    onGiveup() { h.log.push("giveup"); },
    onHeartbeat(rtt) { h.log.push("heartbeat"); },
    onStateChange(state) { h.state = state; },
    onDrop() {},
  };
  return h;
}
export function count(h, prefix) { return h.log.filter((e) => e.startsWith(prefix)).length; }
export function hasMessage(h, text) { return h.messages.includes(text); }
export function sendRaw(h, text) { h.ws.send(text); }
export function setOnPong(h, f) { h.onPong = f; }
export function logOf(h) { return h.log.join(" | "); }
"#)]
extern "C" {
    fn makeHost() -> JsValue;
    fn count(h: &JsValue, prefix: &str) -> u32;
    #[wasm_bindgen(js_name = hasMessage)]
    fn has_message(h: &JsValue, text: &str) -> bool;
    #[wasm_bindgen(js_name = sendRaw)]
    fn send_raw(h: &JsValue, text: &str);
    #[wasm_bindgen(js_name = setOnPong)]
    fn set_on_pong(h: &JsValue, f: &Closure<dyn FnMut(u32)>);
    #[wasm_bindgen(js_name = logOf)]
    fn log_of(h: &JsValue) -> String;
}

fn url(path: &str) -> String {
    let Some(port) = option_env!("LIFELINE_WASM_SERVER_PORT") else {
        panic!("build with LIFELINE_WASM_SERVER_PORT set (scripts/test.sh does)")
    };
    format!("ws://127.0.0.1:{port}{path}")
}

/// A driver connected to `path` with `options` (a JS object literal as JSON) plus the
/// `WebSocket` constructor given.
pub struct Rig {
    pub driver: Rc<Driver>,
    pub host: JsValue,
    _pong: Closure<dyn FnMut(u32)>,
}

impl Rig {
    pub fn new(path: &str, options: &str, ctor: &JsValue) -> Rig {
        let options: JsValue = js_sys::JSON::parse(options).unwrap();
        if !ctor.is_undefined() {
            Reflect::set(&options, &"WebSocket".into(), ctor).unwrap();
        }
        let host = makeHost();
        let driver = Driver::new(
            url(path).into(),
            JsValue::UNDEFINED,
            options,
            host.clone().unchecked_into::<Host>(),
        )
        .expect("valid options");
        let driver = Rc::new(driver);
        let weak = Rc::downgrade(&driver);
        let pong = Closure::<dyn FnMut(u32)>::new(move |generation| {
            if let Some(driver) = weak.upgrade() {
                driver.pong(generation);
            }
        });
        set_on_pong(&host, &pong);
        Rig {
            driver,
            host,
            _pong: pong,
        }
    }

    pub fn count(&self, prefix: &str) -> u32 {
        count(&self.host, prefix)
    }

    /// Waits (at most `limit_ms`) until `done` holds; panics with the event log if not.
    pub async fn wait_until(&self, what: &str, limit_ms: u32, done: impl Fn(&Rig) -> bool) {
        let mut waited = 0;
        while !done(self) {
            assert!(
                waited < limit_ms,
                "{what}: not within {limit_ms} ms; events: {}",
                log_of(&self.host)
            );
            TimeoutFuture::new(20).await;
            waited += 20;
        }
    }
}

pub async fn echo_round_trip(ctor: JsValue) {
    let rig = Rig::new("/echo", "{}", &ctor);
    rig.driver.send("queued before open".into()).unwrap();
    rig.driver.start();
    rig.wait_until("open", 5000, |r| r.count("open") == 1).await;
    rig.wait_until("queued message echoed", 5000, |r| {
        has_message(&r.host, "queued before open")
    })
    .await;
    send_raw(&rig.host, "hello");
    rig.wait_until("echo", 5000, |r| has_message(&r.host, "hello"))
        .await;
    rig.driver.close(1000.into(), "done".into()).unwrap();
    rig.wait_until("close", 5000, |r| r.driver.state() == "closed")
        .await;
    assert_eq!(rig.count("close:1000:done"), 1, "{}", log_of(&rig.host));
    let error = rig.driver.send("late".into()).unwrap_err();
    assert_eq!(
        Reflect::get(&error, &"name".into()).unwrap(),
        JsValue::from("InvalidStateError")
    );
}

pub async fn reconnects_after_the_server_closes(ctor: JsValue) {
    let rig = Rig::new(
        "/drop",
        r#"{"backoff": {"initialDelay": 50, "maxDelay": 100}}"#,
        &ctor,
    );
    rig.driver.set_reconnect_listener(true);
    rig.driver.start();
    rig.wait_until("three reconnections", 10_000, |r| r.count("reopen") >= 3)
        .await;
    assert_eq!(rig.count("open"), 1, "{}", log_of(&rig.host));
    assert!(rig.count("close:4000:drop") >= 3, "{}", log_of(&rig.host));
    let stats: Object = rig.driver.stats().unchecked_into();
    let reconnects = Reflect::get(&stats, &"reconnects".into())
        .unwrap()
        .as_f64()
        .unwrap();
    assert!(reconnects >= 3.0);
    rig.driver
        .close(JsValue::UNDEFINED, JsValue::UNDEFINED)
        .unwrap();
}

pub async fn heartbeat_detects_a_server_that_stops_answering(ctor: JsValue) {
    let rig = Rig::new(
        "/pong-once",
        r#"{"heartbeat": {"interval": 200, "timeout": 200}, "backoff": {"initialDelay": 50}}"#,
        &ctor,
    );
    rig.driver.set_reconnect_listener(true);
    rig.driver.start();
    rig.wait_until("first pong", 5000, |r| r.count("heartbeat") >= 1)
        .await;
    rig.wait_until("dead connection detected", 5000, |r| {
        r.count("close:1006:heartbeat timeout") >= 1
    })
    .await;
    rig.wait_until("reconnected", 5000, |r| r.count("reopen") >= 1)
        .await;
    rig.driver
        .close(JsValue::UNDEFINED, JsValue::UNDEFINED)
        .unwrap();
}

/// Sleep, with a controllable clock, in wasm: a deadline handled far later than it was due
/// (the device slept) leads to a probe, never to a "dead" verdict; an unanswered probe then
/// does.
pub fn late_deadline_after_sleep_probes() {
    use lifeline_ws::core::{
        Command, Config, Event, Generation, Heartbeat, Input, Machine, Outgoing,
    };
    let config = Config {
        heartbeat: Some(Heartbeat {
            interval: 1000.0,
            timeout: 1000.0,
            ..Heartbeat::default()
        }),
        ..Config::default()
    };
    let mut machine: Machine<JsValue> = Machine::new(config, 1).unwrap();
    let mut log = Vec::new();
    fn feed(
        m: &mut Machine<JsValue>,
        log: &mut Vec<(u64, Command<JsValue>)>,
        input: Input<JsValue>,
        now: u64,
    ) {
        m.handle(input, now).unwrap();
        while let Some(c) = m.poll_command() {
            log.push((now, c));
        }
    }
    feed(&mut machine, &mut log, Input::Start, 0);
    let generation = Generation(1);
    feed(&mut machine, &mut log, Input::Opened { generation }, 0);
    let ping_at = machine.next_deadline().unwrap();
    feed(
        &mut machine,
        &mut log,
        Input::Deadline {
            last_message_at: None,
        },
        ping_at,
    );
    let pong_due = machine.next_deadline().unwrap();
    // The device sleeps for 30 minutes through the pong deadline.
    let woke = pong_due + 30 * 60_000;
    feed(
        &mut machine,
        &mut log,
        Input::Deadline {
            last_message_at: None,
        },
        woke,
    );
    let pings: Vec<u64> = log
        .iter()
        .filter(|(_, c)| {
            matches!(
                c,
                Command::Send {
                    message: Outgoing::Ping,
                    ..
                }
            )
        })
        .map(|(t, _)| *t)
        .collect();
    assert_eq!(pings, [ping_at, woke], "a probe on waking");
    assert!(!log
        .iter()
        .any(|(_, c)| matches!(c, Command::Abandon { .. })));
    // No answer to the probe: now the socket is dead.
    let due = machine.next_deadline().unwrap();
    assert_eq!(due, woke + 1000);
    feed(
        &mut machine,
        &mut log,
        Input::Deadline {
            last_message_at: None,
        },
        due,
    );
    assert!(log.iter().any(|(_, c)| matches!(
        c,
        Command::Emit(Event::Close(info)) if info.reason == "heartbeat timeout"
    )));
}
