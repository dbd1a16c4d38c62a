//! The driver: carries out the core's commands on the platform and feeds it what happens.
//!
//! It owns exactly one platform socket at a time (with its `open` / `close` / `error`
//! listeners), one timer armed at the core's next deadline, and the page-lifecycle
//! listeners. Each is a value that releases its JS callback on `Drop`, so dropping the
//! [`Driver`] — or a final close — leaves nothing behind. It makes no decision of its own.
//!
//! Borrowing rule: the `RefCell` is never held while JS code runs (user listeners may call
//! back into the driver), so commands are taken one at a time and carried out unborrowed.

use std::cell::RefCell;
use std::rc::{Rc, Weak};

use gloo_timers::callback::Timeout;
use js_sys::{Array, Function, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::options::{self, Platform};
use super::platform::{dom_exception, get, global, now, seed, Listener, Socket};
use crate::core::{
    Command, ErrorCause, Event, Generation, Input, InputError, Machine, Millis, Outgoing,
};

#[wasm_bindgen]
extern "C" {
    /// The facade's side of the contract (docs/driver-contract.md).
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

/// Where each attempt's URL comes from.
enum Url {
    /// Resolved once, at construction.
    Fixed(String),
    /// The user's provider, called before every attempt.
    Provider(Function),
}

/// The platform socket in use, with the listeners that feed the core.
struct Live {
    generation: Generation,
    socket: Socket,
    _listeners: [Listener; 3],
}

/// The one pending timer, and the deadline it is armed for.
struct Timer {
    due: Millis,
    _timeout: Timeout,
}

struct Inner {
    machine: Machine<JsValue>,
    host: Host,
    url: Url,
    protocols: JsValue,
    platform: Platform,
    live: Option<Live>,
    timer: Option<Timer>,
    lifecycle: Vec<Listener>,
    /// The platform's error event or the provider's exception, for the next `error`.
    last_error: JsValue,
}

type Shared = Rc<RefCell<Inner>>;

/// One `LifelineSocket`'s connection, driven by the core.
#[wasm_bindgen]
pub struct Driver {
    shared: Shared,
}

#[wasm_bindgen]
impl Driver {
    /// Validates the options and prepares; connects on [`Driver::start`].
    #[wasm_bindgen(constructor)]
    pub fn new(
        url: JsValue,
        protocols: JsValue,
        options: JsValue,
        host: Host,
    ) -> Result<Driver, JsValue> {
        let (config, platform) = options::read(&options)?;
        let url = match url.dyn_into::<Function>() {
            Ok(provider) => Url::Provider(provider),
            Err(url) => Url::Fixed(host.resolve_url(&url)?),
        };
        let machine = Machine::new(config, seed()).map_err(|e| options::config_error(&e))?;
        let inner = Inner {
            machine,
            host,
            url,
            protocols,
            platform,
            live: None,
            timer: None,
            lifecycle: Vec::new(),
            last_error: JsValue::UNDEFINED,
        };
        Ok(Driver {
            shared: Rc::new(RefCell::new(inner)),
        })
    }

    /// Reports the platform's current network and visibility, then connects (unless
    /// `startClosed`).
    pub fn start(&self) {
        install_lifecycle(&self.shared);
        feed(&self.shared, Input::Start);
    }

    /// Queues a message sent while not open (the facade writes to an open socket itself).
    pub fn send(&self, data: JsValue) -> Result<(), JsValue> {
        match try_feed(&self.shared, Input::Send(data)) {
            Ok(()) => Ok(()),
            Err(error) => Err(input_error(error)),
        }
    }

    /// `close(code?, reason?)`: closes for good.
    pub fn close(&self, code: JsValue, reason: JsValue) -> Result<(), JsValue> {
        let (code, reason) = close_args(&code, &reason)?;
        try_feed(&self.shared, Input::Close { code, reason }).map_err(input_error)
    }

    /// `reconnect(code?, reason?)`: drops the socket and connects now, at attempt 1.
    pub fn reconnect(&self, code: JsValue, reason: JsValue) -> Result<(), JsValue> {
        let (code, reason) = close_args(&code, &reason)?;
        // After a final close the listeners were gone: the network and the page may have
        // changed meanwhile, and install_lifecycle reports how they are now.
        install_lifecycle(&self.shared);
        try_feed(&self.shared, Input::Reconnect { code, reason }).map_err(input_error)
    }

    /// A pong arrived on the socket of `generation`.
    pub fn pong(&self, generation: u32) {
        feed(
            &self.shared,
            Input::Pong {
                generation: Generation(generation),
            },
        );
    }

    /// The server's ping arrived on the socket of `generation`.
    #[wasm_bindgen(js_name = serverPing)]
    pub fn server_ping(&self, generation: u32) {
        feed(
            &self.shared,
            Input::ServerPing {
                generation: Generation(generation),
            },
        );
    }

    /// Whether a `reconnect` listener exists now.
    #[wasm_bindgen(js_name = setReconnectListener)]
    pub fn set_reconnect_listener(&self, present: bool) {
        self.shared
            .borrow_mut()
            .machine
            .set_reconnect_listener(present);
    }

    /// `"connecting"`, `"open"`, `"waiting"`, `"closing"` or `"closed"`.
    #[wasm_bindgen(getter)]
    pub fn state(&self) -> String {
        self.shared.borrow().machine.state().as_str().into()
    }

    /// `{ attempts, reconnects, lastRttMs, connectedSince, queued }`.
    pub fn stats(&self) -> JsValue {
        let stats = self.shared.borrow().machine.stats();
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

impl Drop for Driver {
    /// Releases the socket (abandoned), the timer and every listener.
    fn drop(&mut self) {
        let (live, host) = {
            let mut inner = self.shared.borrow_mut();
            inner.timer = None;
            inner.lifecycle.clear();
            (inner.live.take(), inner.host.clone())
        };
        if let Some(live) = live {
            host.detach(&live.socket);
            drop_socket(&live.socket, false, 1000, "");
        }
    }
}

/// Lets go of a socket the core is done with, waiting for nothing. A dead one is
/// `terminate()`d where the platform can (the `ws` package, whose `close()` would hold a
/// Node process for its 30 s closing timeout); otherwise `close(code, reason)`, whose
/// handshake finishes in the background.
fn drop_socket(socket: &Socket, dead: bool, code: u16, reason: &str) {
    let terminate = get(socket, "terminate");
    match terminate.dyn_ref::<Function>().filter(|_| dead) {
        Some(terminate) => {
            let _ = terminate.call0(socket);
        }
        None => {
            let _ = socket.close_with(code, reason);
        }
    }
}

/// Feeds one input that cannot fail, then carries out what follows.
fn feed(shared: &Shared, input: Input<JsValue>) {
    let _ = try_feed(shared, input);
}

/// Feeds one input now, carries out every command, and re-arms the timer.
fn try_feed(shared: &Shared, input: Input<JsValue>) -> Result<(), InputError<JsValue>> {
    let result = shared.borrow_mut().machine.handle(input, now());
    pump(shared);
    result
}

/// Carries out the core's commands, one at a time and never while borrowed, then keeps the
/// one timer at the core's next deadline and drops the lifecycle listeners once closed.
fn pump(shared: &Shared) {
    loop {
        let command = shared.borrow_mut().machine.poll_command();
        match command {
            Some(command) => execute(shared, command),
            None => break,
        }
    }
    let mut inner = shared.borrow_mut();
    let deadline = inner.machine.next_deadline();
    if inner.timer.as_ref().map(|t| t.due) != deadline {
        inner.timer = deadline.map(|due| arm(shared, due));
    }
    if deadline.is_none() && inner.live.is_none() && inner.machine.is_closed_for_good() {
        inner.lifecycle.clear();
    }
}

fn arm(shared: &Shared, due: Millis) -> Timer {
    let weak = Rc::downgrade(shared);
    let delay = due.saturating_sub(now()).min(i32::MAX as u64) as u32;
    let timeout = Timeout::new(delay, move || {
        let Some(shared) = weak.upgrade() else { return };
        let last = {
            let mut inner = shared.borrow_mut();
            inner.timer = None;
            inner.host.clone()
        }
        .last_message_at();
        let last_message_at = (last >= 0.0).then_some(last as Millis);
        feed(&shared, Input::Deadline { last_message_at });
    });
    Timer {
        due,
        _timeout: timeout,
    }
}

fn execute(shared: &Shared, command: Command<JsValue>) {
    match command {
        Command::Open { generation } => open(shared, generation),
        Command::Send {
            generation,
            message,
        } => {
            let (socket, payload) = {
                let inner = shared.borrow();
                let Some(live) = inner.live.as_ref().filter(|l| l.generation == generation) else {
                    return;
                };
                let payload = match message {
                    Outgoing::Message(data) => data,
                    Outgoing::Ping => inner.platform.ping.clone(),
                    Outgoing::PingReply => inner.platform.reply.clone(),
                };
                (live.socket.clone(), payload)
            };
            let payload = match payload.dyn_ref::<Function>() {
                Some(make) => make
                    .call0(&JsValue::UNDEFINED)
                    .unwrap_or(JsValue::UNDEFINED),
                None => payload,
            };
            let _ = socket.send(&payload);
        }
        Command::Close {
            generation,
            code,
            reason,
        } => {
            let socket = shared
                .borrow()
                .live
                .as_ref()
                .filter(|l| l.generation == generation)
                .map(|l| l.socket.clone());
            if let Some(socket) = socket {
                let _ = match code {
                    Some(code) => socket.close_with(code, &reason),
                    None => socket.close_plain(),
                };
            }
        }
        Command::Abandon {
            generation,
            code,
            reason,
            dead,
        } => {
            let (live, host) = take_live(shared, generation);
            if let Some(live) = live {
                let socket = live.socket.clone();
                drop(live); // our listeners go first: nothing it does now reaches the core
                host.detach(&socket);
                drop_socket(&socket, dead, code, &reason);
            }
        }
        Command::AskShouldReconnect {
            code,
            reason,
            was_clean,
        } => {
            let host = shared.borrow().host.clone();
            let answer = host.should_reconnect(code, &reason, was_clean);
            shared
                .borrow_mut()
                .machine
                .handle(Input::ShouldReconnect(answer), now())
                .ok();
        }
        Command::Emit(event) => emit(shared, event),
    }
}

fn emit(shared: &Shared, event: Event<JsValue>) {
    let (host, error) = {
        let mut inner = shared.borrow_mut();
        let error = if matches!(event, Event::Error { .. }) {
            std::mem::replace(&mut inner.last_error, JsValue::UNDEFINED)
        } else {
            JsValue::UNDEFINED
        };
        (inner.host.clone(), error)
    };
    match event {
        Event::Open => host.on_open(),
        Event::Reconnect { attempt, downtime } => host.on_reconnect(attempt, downtime as f64),
        Event::Reconnecting { attempt, delay } => host.on_reconnecting(attempt, delay as f64),
        Event::Close(c) => host.on_close(
            c.code,
            &c.reason,
            c.was_clean,
            c.will_reconnect,
            c.delay.map_or(-1.0, |d| d as f64),
        ),
        Event::Error { cause } => host.on_error(
            match cause {
                ErrorCause::Socket => "socket",
                ErrorCause::Url => "url",
                ErrorCause::ConnectionTimeout => "connection-timeout",
            },
            &error,
        ),
        Event::GiveUp { attempts } => host.on_giveup(attempts),
        Event::Heartbeat { rtt } => host.on_heartbeat(rtt as f64),
        Event::StateChange(state) => host.on_state_change(state.as_str()),
        Event::Drop(data) => host.on_drop(&data),
    }
}

/// Gets the URL for `generation` (asking the provider, awaiting it if it returns a
/// promise) and opens the socket.
fn open(shared: &Shared, generation: Generation) {
    let provider = match &shared.borrow().url {
        Url::Fixed(url) => Err(JsValue::from_str(url)),
        Url::Provider(f) => Ok(f.clone()),
    };
    let provider = match provider {
        Ok(provider) => provider,
        Err(url) => return connect(shared, generation, Ok(url)),
    };
    // Always settled in a later microtask, even when the provider answers (or throws) at
    // once: an `error` from the very first attempt must reach listeners added right after
    // `new LifelineSocket(...)`.
    let promise = match provider.call0(&JsValue::UNDEFINED) {
        Ok(value) => Promise::resolve(&value),
        Err(error) => Promise::reject(&error),
    };
    let weak = Rc::downgrade(shared);
    wasm_bindgen_futures::spawn_local(async move {
        let result = wasm_bindgen_futures::JsFuture::from(promise).await;
        if let Some(shared) = weak.upgrade() {
            connect(&shared, generation, result);
        }
    });
}

/// Opens the platform socket for `generation` with `url` (still to be resolved when it
/// came from a provider), unless the core has moved on meanwhile.
fn connect(shared: &Shared, generation: Generation, url: Result<JsValue, JsValue>) {
    if shared.borrow().machine.live_generation() != Some(generation) {
        return;
    }
    let (host, ctor, protocols) = {
        let inner = shared.borrow();
        let fixed = matches!(inner.url, Url::Fixed(_));
        let ctor = inner.platform.constructor.clone();
        (inner.host.clone(), (ctor, fixed), inner.protocols.clone())
    };
    let (ctor, fixed) = ctor;
    let socket = url
        .and_then(|url| {
            if fixed {
                Ok(url)
            } else {
                host.resolve_url(&url).map(JsValue::from)
            }
        })
        .and_then(|url| {
            let args = if protocols.is_undefined() {
                Array::of1(&url)
            } else {
                Array::of2(&url, &protocols)
            };
            Reflect::construct(&ctor, &args)
        });
    let socket: Socket = match socket {
        Ok(socket) => socket.unchecked_into(),
        Err(error) => {
            shared.borrow_mut().last_error = error;
            let cause = ErrorCause::Url;
            feed(shared, Input::Error { generation, cause });
            let reason = String::new();
            let input = Input::Closed {
                generation,
                code: 1006,
                reason,
                was_clean: false,
            };
            return feed(shared, input);
        }
    };
    let weak = Rc::downgrade(shared);
    let listeners = [
        listener(&socket, "open", &weak, move |_| Input::Opened {
            generation,
        }),
        close_listener(&socket, &weak, generation),
        error_listener(&socket, &weak, generation),
    ];
    shared.borrow_mut().live = Some(Live {
        generation,
        socket: socket.clone(),
        _listeners: listeners,
    });
    host.attach(&socket, generation.0);
}

fn listener(
    socket: &Socket,
    kind: &'static str,
    weak: &Weak<RefCell<Inner>>,
    input: impl Fn(JsValue) -> Input<JsValue> + 'static,
) -> Listener {
    let weak = weak.clone();
    Listener::new(socket, kind, move |event| {
        if let Some(shared) = weak.upgrade() {
            feed(&shared, input(event));
        }
    })
}

/// Takes the socket of `generation` out of the driver, if it is the one in use, with the
/// host to tell.
fn take_live(shared: &Shared, generation: Generation) -> (Option<Live>, Host) {
    let mut inner = shared.borrow_mut();
    let live = match &inner.live {
        Some(l) if l.generation == generation => inner.live.take(),
        _ => None,
    };
    (live, inner.host.clone())
}

/// The socket closed: tell the core, then let go of the socket.
fn close_listener(
    socket: &Socket,
    weak: &Weak<RefCell<Inner>>,
    generation: Generation,
) -> Listener {
    let weak = weak.clone();
    Listener::new(socket, "close", move |event| {
        let Some(shared) = weak.upgrade() else { return };
        let input = Input::Closed {
            generation,
            code: get(&event, "code").as_f64().unwrap_or(1006.0) as u16,
            reason: get(&event, "reason").as_string().unwrap_or_default(),
            was_clean: get(&event, "wasClean").as_bool().unwrap_or(false),
        };
        let (live, host) = take_live(&shared, generation);
        if let Some(live) = live {
            host.detach(&live.socket);
        }
        // `live` (this very listener among its fields) is dropped at the end of this call,
        // after the core has seen the close.
        feed(&shared, input);
    })
}

fn error_listener(
    socket: &Socket,
    weak: &Weak<RefCell<Inner>>,
    generation: Generation,
) -> Listener {
    let weak = weak.clone();
    Listener::new(socket, "error", move |event| {
        if let Some(shared) = weak.upgrade() {
            shared.borrow_mut().last_error = event;
            let cause = ErrorCause::Socket;
            feed(&shared, Input::Error { generation, cause });
        }
    })
}

/// Adds the page-lifecycle listeners the platform has (none in Node; `online` /
/// `offline` in Workers), once.
fn install_lifecycle(shared: &Shared) {
    if !shared.borrow().lifecycle.is_empty() {
        return;
    }
    let weak = Rc::downgrade(shared);
    let on = |target: &JsValue, kind: &'static str, input: fn(&JsValue) -> Input<JsValue>| {
        let weak = weak.clone();
        Listener::new(target, kind, move |event| {
            if let Some(shared) = weak.upgrade() {
                feed(&shared, input(&event));
            }
        })
    };
    let mut listeners = Vec::new();
    let scope = global();
    if Listener::supported(&scope) {
        listeners.push(on(&scope, "online", |_| Input::Online));
        listeners.push(on(&scope, "offline", |_| Input::Offline));
        listeners.push(on(&scope, "pageshow", |e| Input::PageShow {
            persisted: get(e, "persisted").as_bool().unwrap_or(false),
        }));
        listeners.push(on(&scope, "pagehide", |e| Input::PageHide {
            persisted: get(e, "persisted").as_bool().unwrap_or(false),
        }));
    }
    let document = get(&scope, "document");
    if Listener::supported(&document) {
        listeners.push(on(&document, "visibilitychange", |_| Input::Visibility {
            visible: !hidden(),
        }));
        listeners.push(on(&document, "freeze", |_| Input::Freeze));
        listeners.push(on(&document, "resume", |_| Input::Resume));
    }
    // What the listeners would have said so far: the network and the page as they are now.
    // (Fed before the listeners are stored: a client still closed for good drops its
    // listeners after each input.)
    let navigator = get(&scope, "navigator");
    match get(&navigator, "onLine").as_bool() {
        Some(false) => feed(shared, Input::Offline),
        Some(true) => feed(shared, Input::Online),
        None => {}
    }
    if Listener::supported(&document) {
        feed(shared, Input::Visibility { visible: !hidden() });
    }
    shared.borrow_mut().lifecycle = listeners;
}

/// Whether the page is hidden (`document.visibilityState`); never where there is no page.
fn hidden() -> bool {
    let document = get(&global(), "document");
    get(&document, "visibilityState").as_string().as_deref() == Some("hidden")
}

/// Checks `close(code, reason)`'s arguments as `WebSocket.close` does: an integer code
/// (the core checks its range) and a string reason.
fn close_args(code: &JsValue, reason: &JsValue) -> Result<(Option<u16>, String), JsValue> {
    let code = if code.is_undefined() {
        None
    } else {
        match code.as_f64() {
            Some(c) if c.fract() == 0.0 && (0.0..=65535.0).contains(&c) => Some(c as u16),
            _ => {
                return Err(dom_exception(
                    "close code must be 1000 or 3000-4999",
                    "InvalidAccessError",
                ))
            }
        }
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
