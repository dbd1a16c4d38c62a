//! The npm package's side of the engine: the exported [`Driver`] that `LifelineSocket`
//! wraps, and the [`Host`] it reports to (docs/driver-contract.md). The facade runs the
//! per-message hot path itself; only pongs and server pings reach the driver.

use js_sys::{Function, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::engine::{Engine, Hooks, Url};
use super::options;
use super::platform::dom_exception;
use crate::core::{Event, Generation, Input, InputError, Millis};
use web_sys::WebSocket as Socket;

#[wasm_bindgen]
extern "C" {
    /// The facade's side of the contract (docs/driver-contract.md).
    ///
    /// ```js
    /// // js/lifeline-ws.js, LifelineSocket.#host(ref): a plain object of methods.
    /// const host = {
    ///   resolveUrl: (u) => resolveUrl(u), // "ws:"/"wss:" href, or throws SyntaxError
    ///   attach: (ws, generation) => ws.addEventListener("message", (e) => onMessage(e, generation)),
    ///   detach: (ws) => ws.addEventListener("error", () => {}), // and drop the message listener
    ///   lastMessageAt: () => lastMessageAt, // performance.now() of the last message, or -1
    ///   shouldReconnect: (code, reason, wasClean) => true,
    ///   onOpen: () => fire("open"),
    ///   onClose: (code, reason, wasClean, willReconnect, delayMs) =>
    ///     fire("close", { code, reason, wasClean, willReconnect, delayMs: delayMs < 0 ? null : delayMs }),
    ///   // … onReconnect, onReconnecting, onError, onGiveup, onHeartbeat, onStateChange, onDrop
    /// };
    /// ```
    #[derive(Clone)]
    pub type Host;

    #[wasm_bindgen(method, catch, js_name = resolveUrl)]
    fn resolve_url(this: &Host, url: &JsValue) -> Result<String, JsValue>;
    #[wasm_bindgen(method)]
    fn attach(this: &Host, socket: &Socket, generation: u32);
    #[wasm_bindgen(method)]
    fn detach(this: &Host, socket: &Socket);
    #[wasm_bindgen(method, js_name = lastMessageAt)]
    fn last_message_at(this: &Host) -> f64;
    #[wasm_bindgen(method, js_name = shouldReconnect)]
    fn should_reconnect(this: &Host, code: u16, reason: &str, was_clean: bool) -> bool;
    #[wasm_bindgen(method, js_name = onOpen)]
    fn on_open(this: &Host);
    #[wasm_bindgen(method, js_name = onReconnect)]
    fn on_reconnect(this: &Host, attempt: u32, downtime: f64);
    #[wasm_bindgen(method, js_name = onReconnecting)]
    fn on_reconnecting(this: &Host, attempt: u32, delay: f64);
    #[wasm_bindgen(method, js_name = onClose)]
    fn on_close(this: &Host, code: u16, reason: &str, clean: bool, again: bool, delay: f64);
    #[wasm_bindgen(method, js_name = onError)]
    fn on_error(this: &Host, cause: &str, error: &JsValue);
    #[wasm_bindgen(method, js_name = onGiveup)]
    fn on_giveup(this: &Host, attempts: u32);
    #[wasm_bindgen(method, js_name = onHeartbeat)]
    fn on_heartbeat(this: &Host, rtt: f64);
    #[wasm_bindgen(method, js_name = onStateChange)]
    fn on_state_change(this: &Host, state: &str);
    #[wasm_bindgen(method, js_name = onDrop)]
    fn on_drop(this: &Host, data: &JsValue);
}

impl Hooks for Host {
    const MESSAGES: bool = false;
    type Provider = Function;

    fn ask(
        &self,
        provider: &Function,
    ) -> impl std::future::Future<Output = Result<JsValue, JsValue>> + 'static {
        let promise = match provider.call0(&JsValue::UNDEFINED) {
            Ok(value) => Promise::resolve(&value),
            Err(error) => Promise::reject(&error),
        };
        wasm_bindgen_futures::JsFuture::from(promise)
    }

    fn resolve_url(&self, url: &JsValue) -> Result<String, JsValue> {
        Host::resolve_url(self, url)
    }

    fn attach(&self, socket: &Socket, generation: Generation) {
        Host::attach(self, socket, generation.0);
    }

    fn detach(&self, socket: &Socket) {
        Host::detach(self, socket);
    }

    fn last_message_at(&self) -> Option<Millis> {
        let last = Host::last_message_at(self);
        (last >= 0.0).then_some(last as Millis)
    }

    fn should_reconnect(&self, code: u16, reason: &str, was_clean: bool) -> bool {
        Host::should_reconnect(self, code, reason, was_clean)
    }

    fn emit(&self, event: Event<JsValue>, error: JsValue) {
        match event {
            Event::Open => self.on_open(),
            Event::Reconnect { attempt, downtime } => self.on_reconnect(attempt, downtime as f64),
            Event::Reconnecting { attempt, delay } => self.on_reconnecting(attempt, delay as f64),
            Event::Close(c) => self.on_close(
                c.code,
                &c.reason,
                c.was_clean,
                c.will_reconnect,
                c.delay.map_or(-1.0, |d| d as f64),
            ),
            Event::Error { cause } => self.on_error(cause.as_str(), &error),
            Event::GiveUp { attempts } => self.on_giveup(attempts),
            Event::Heartbeat { rtt } => self.on_heartbeat(rtt as f64),
            Event::StateChange(state) => self.on_state_change(state.as_str()),
            Event::Drop(data) => self.on_drop(&data),
        }
    }
}

/// One `LifelineSocket`'s connection, driven by the core.
///
/// ```js
/// import { Driver, initSync } from "../pkg/web/lifeline_ws.js";
///
/// initSync({ module: wasmBytes() });
/// const driver = new Driver("wss://example.com/live", undefined, { heartbeat: {} }, host);
/// driver.start();
/// console.assert(driver.state === "connecting");
/// ```
#[wasm_bindgen]
pub struct Driver {
    engine: Engine<Host>,
}

#[wasm_bindgen]
impl Driver {
    /// Validates the options and prepares; connects on [`Driver::start`].
    ///
    /// ```js
    /// const driver = new Driver(url, protocols, options, host); // does not connect yet
    /// try {
    ///   new Driver("wss://example.com", undefined, { heartbeat: { timeout: -5 } }, host);
    /// } catch (e) {
    ///   // TypeError: heartbeat.timeout must be a number of milliseconds > 0 and <= 2147483647, got -5
    /// }
    /// ```
    #[wasm_bindgen(constructor)]
    pub fn new(
        url: JsValue,
        protocols: JsValue,
        options: JsValue,
        host: Host,
    ) -> Result<Driver, JsValue> {
        let (config, mut platform) = options::read(&options)?;
        platform.protocols = protocols;
        let url = match url.dyn_into::<Function>() {
            Ok(provider) => Url::Provider(provider),
            Err(url) => Url::Fixed(host.resolve_url(&url)?),
        };
        let engine =
            Engine::new(config, url, platform, host).map_err(|e| options::config_error(&e))?;
        Ok(Driver { engine })
    }

    /// Reports the platform's current network and visibility, then connects (unless
    /// `startClosed`).
    ///
    /// ```js
    /// // LifelineSocket's constructor
    /// this.#track(this.#driver.state); // "closed"
    /// this.#driver.start();
    /// this.#track(this.#driver.state); // "connecting" (or "waiting" offline, "closed" with startClosed)
    /// ```
    pub fn start(&self) {
        self.engine.ops().start();
    }

    /// Queues a message sent while not open (the facade writes to an open socket itself).
    ///
    /// ```js
    /// // LifelineSocket#send: an open socket is written to directly.
    /// if (this.#open && this.#ws.readyState === 1) this.#ws.send(data);
    /// else this.#driver.send(data); // throws InvalidStateError after close(), QuotaExceededError when full
    /// ```
    pub fn send(&self, data: JsValue) -> Result<(), JsValue> {
        self.engine.ops().send(data).map_err(input_error)
    }

    /// `close(code?, reason?)`: closes for good.
    ///
    /// ```js
    /// driver.close(); // sends no code; the `close` event reports 1005
    /// driver.close(4000, "done");
    /// driver.close(1001); // throws InvalidAccessError, like WebSocket.close
    /// ```
    pub fn close(&self, code: JsValue, reason: JsValue) -> Result<(), JsValue> {
        let (code, reason) = close_args(&code, &reason)?;
        self.engine.ops().close(code, reason).map_err(input_error)
    }

    /// `reconnect(code?, reason?)`: drops the socket and connects now, at attempt 1.
    ///
    /// ```js
    /// driver.reconnect(); // drops the socket with 1000 and connects now
    /// driver.reconnect(4001, "new token"); // stats().attempts is 1 again
    /// ```
    pub fn reconnect(&self, code: JsValue, reason: JsValue) -> Result<(), JsValue> {
        let (code, reason) = close_args(&code, &reason)?;
        self.engine
            .ops()
            .reconnect(code, reason)
            .map_err(input_error)
    }

    /// A pong arrived on the socket of `generation`.
    ///
    /// ```js
    /// // The facade's message listener on the socket attached for `generation`.
    /// if (event.data === "pong") return this.#driver.pong(generation);
    /// ```
    pub fn pong(&self, generation: u32) {
        let generation = Generation(generation);
        self.engine.ops().feed(Input::Pong { generation });
    }

    /// The server's ping arrived on the socket of `generation`.
    ///
    /// ```js
    /// // The facade's message listener, with heartbeat.serverPing = { ping: "ping", … }.
    /// if (event.data === "ping") return this.#driver.serverPing(generation);
    /// ```
    #[wasm_bindgen(js_name = serverPing)]
    pub fn server_ping(&self, generation: u32) {
        let generation = Generation(generation);
        self.engine.ops().feed(Input::ServerPing { generation });
    }

    /// Whether a `reconnect` listener exists now.
    ///
    /// ```js
    /// // LifelineSocket#syncReconnectListener, on every listener change.
    /// const present = this.#listeners.reconnect !== undefined;
    /// if (present !== this.#reconnectListener) {
    ///   this.#reconnectListener = present;
    ///   this.#driver.setReconnectListener(present);
    /// }
    /// ```
    #[wasm_bindgen(js_name = setReconnectListener)]
    pub fn set_reconnect_listener(&self, present: bool) {
        self.engine.ops().set_reconnect_listener(present);
    }

    /// `"connecting"`, `"open"`, `"waiting"`, `"closing"` or `"closed"`.
    ///
    /// ```js
    /// const READY_STATE = { connecting: 0, waiting: 0, open: 1, closing: 2, closed: 3 };
    /// driver.start();
    /// const readyState = READY_STATE[driver.state]; // 0 while "connecting"
    /// // Later changes arrive through host.onStateChange(state).
    /// ```
    #[wasm_bindgen(getter)]
    pub fn state(&self) -> String {
        self.engine.ops().state().as_str().into()
    }

    /// `{ attempts, reconnects, lastRttMs, connectedSince, queued }`.
    ///
    /// ```js
    /// const stats = driver.stats(); // { attempts: 0, reconnects: 0, lastRttMs: null, connectedSince: 1234.5, queued: 0 }
    /// // connectedSince is on performance.now()'s clock; users get Date.now() time.
    /// if (stats.connectedSince != null)
    ///   stats.connectedSince = Math.round(performance.timeOrigin + stats.connectedSince);
    /// ```
    pub fn stats(&self) -> JsValue {
        let stats = self.engine.ops().stats();
        let object = js_sys::Object::new();
        let set = |key: &str, value: JsValue| {
            let _ = Reflect::set(&object, &key.into(), &value);
        };
        let millis = |v: Option<Millis>| v.map_or(JsValue::NULL, |v| (v as f64).into());
        set("attempts", stats.attempts.into());
        set("reconnects", stats.reconnects.into());
        set("lastRttMs", millis(stats.last_rtt));
        set("connectedSince", millis(stats.connected_since));
        set("queued", (stats.queued as u32).into());
        object.into()
    }
}

/// Converts `close(code, reason)`'s arguments as `WebSocket.close` does (the core then
/// checks the code's range and the reason's length).
fn close_args(code: &JsValue, reason: &JsValue) -> Result<(Option<u16>, String), JsValue> {
    let code = if code.is_undefined() {
        None
    } else {
        // WebIDL `[Clamp] unsigned short`: ToNumber, NaN is 0, clamped to 0..=65535, rounded
        // half to even. The core then accepts 1000 and 3000-4999 only.
        let n = super::platform::js_number(code);
        // Not f64::clamp: its panic message would pull float formatting into the wasm.
        #[allow(clippy::manual_clamp)]
        let n = if n.is_nan() {
            0.0
        } else {
            n.max(0.0).min(65535.0)
        };
        Some(n.round_ties_even() as u16)
    };
    let reason = if reason.is_undefined() {
        String::new()
    } else {
        super::platform::js_string(reason)
    };
    Ok((code, reason))
}

/// A refused user call as the platform would throw it; the message handed over comes back
/// as the error's `data`.
fn input_error(error: InputError<JsValue>) -> JsValue {
    let message = error.message();
    let (name, data) = match error {
        InputError::Closed(data) => ("InvalidStateError", Some(data)),
        InputError::QueueFull { message, .. } => ("QuotaExceededError", Some(message)),
        InputError::InvalidCloseCode(_) => ("InvalidAccessError", None),
        InputError::ReasonTooLong { .. } => ("SyntaxError", None),
    };
    let exception = dom_exception(&message, name);
    if let Some(data) = data {
        let _ = Reflect::set(&exception, &"data".into(), &data);
    }
    exception
}
