//! The engine: carries out the core's commands on the platform and feeds it what happens.
//!
//! It owns exactly one platform socket at a time (with its `open` / `close` / `error`
//! listeners, and `message` when the host wants the engine to listen for it), one timer
//! armed at the core's next deadline, and the page-lifecycle listeners. Each is a value that
//! releases its JS callback on `Drop` (gloo's `Timeout` and `EventListener`), so dropping
//! the [`Engine`] — or a final close — leaves nothing behind. It makes no decision of its
//! own.
//!
//! The platform types are web-sys's. A socket made by a constructor the user passed (the
//! `ws` package's, in Node) is no instance of the browser's `WebSocket` class: sockets and
//! their events are taken as the web-sys types with `unchecked_into`/`unchecked_ref`, never
//! checked with `dyn_into`, and web-sys's methods call them by name, so the `ws` package's
//! `send`, `close` and `addEventListener` serve as well as the browser's.
//!
//! The same engine serves two hosts, the parts that differ behind [`Hooks`]: the npm
//! package's JS facade (`driver.rs`), which runs the per-message hot path itself, and the
//! Rust API (`crate::api::socket`).
//!
//! Borrowing rule: the `RefCell` is never held while user code runs (listeners may call
//! back into the engine), so commands are taken one at a time and carried out unborrowed.

use std::cell::RefCell;
use std::future::Future;
use std::rc::{Rc, Weak};

use gloo_events::EventListener;
use gloo_timers::callback::Timeout;
use js_sys::{Array, ArrayBuffer, Function, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{
    Blob, CloseEvent, Document, EventTarget, MessageEvent, Navigator, PageTransitionEvent,
    VisibilityState, WebSocket,
};

use super::platform::{call_if_present, get, global, has_listeners, now, seed};
use crate::core::{
    Command, Config, ErrorCause, Event, Generation, Input, InputError, Machine, Millis, Outgoing,
    State, Stats, CODE_ABNORMAL, CODE_NORMAL,
};

/// What differs between the hosts the engine reports to.
pub(crate) trait Hooks: Clone + 'static {
    /// Whether the engine listens to each socket's `message` events and hands them to
    /// [`Hooks::message`] (the Rust API). The JS facade listens itself: the hot path.
    const MESSAGES: bool;

    /// A URL provider, as this host holds it.
    type Provider: Clone + 'static;

    /// Asks `provider` for the next attempt's URL.
    fn ask(
        &self,
        provider: &Self::Provider,
    ) -> impl Future<Output = Result<JsValue, JsValue>> + 'static;

    /// Applies WebSocket's URL rules to a URL given or provided; the error is the
    /// platform's exception (or the Rust API's message) for the `error` event.
    fn resolve_url(&self, url: &JsValue) -> Result<String, JsValue>;
    /// A socket for `generation` was created.
    fn attach(&self, socket: &WebSocket, generation: Generation);
    /// The engine let go of `socket`.
    fn detach(&self, socket: &WebSocket);
    /// A message arrived on the socket of `generation` (only with [`Hooks::MESSAGES`]):
    /// the input it means for the core, if it was a pong or a server ping.
    fn message(&self, _event: &MessageEvent, _generation: Generation) -> Option<Input<JsValue>> {
        None
    }
    /// When the last message arrived, when any-message liveness needs it.
    fn last_message_at(&self) -> Option<Millis>;
    /// The user's `shouldReconnect` verdict on a disconnection.
    fn should_reconnect(&self, code: u16, reason: &str, was_clean: bool) -> bool;
    /// Delivers an event; `error` is the platform's error event or the provider's exception
    /// for [`Event::Error`], `undefined` otherwise.
    fn emit(&self, event: Event<JsValue>, error: JsValue);
}

/// Where each attempt's URL comes from.
pub(crate) enum Url<P> {
    /// Resolved once, at construction.
    Fixed(String),
    /// Asked before every attempt ([`Hooks::ask`]); the answer goes through
    /// [`Hooks::resolve_url`].
    Provider(P),
}

/// What the engine needs besides the core's config.
pub(crate) struct Platform {
    /// The `WebSocket` constructor to use.
    pub constructor: Function,
    /// The second argument to it, or `undefined`.
    pub protocols: JsValue,
    /// The heartbeat ping: a payload, or a function returning one.
    pub ping: JsValue,
    /// The reply to the server's ping: a payload, or a function returning one.
    pub reply: JsValue,
}

/// The platform socket in use, with the listeners that feed the core.
struct Live {
    generation: Generation,
    socket: WebSocket,
    _listeners: [EventListener; 3],
    _message: Option<EventListener>,
}

/// The one pending timer, and the deadline it is armed for.
struct Timer {
    due: Millis,
    _timeout: Timeout,
}

pub(crate) struct Inner<H: Hooks> {
    machine: Machine<JsValue>,
    host: H,
    url: Url<H::Provider>,
    platform: Platform,
    live: Option<Live>,
    timer: Option<Timer>,
    lifecycle: Vec<EventListener>,
    /// The platform's error event or the provider's exception, for the next `error`.
    last_error: JsValue,
}

pub(crate) type Shared<H> = Rc<RefCell<Inner<H>>>;

/// One connection driven by the core; dropping it releases everything.
pub(crate) struct Engine<H: Hooks> {
    shared: Shared<H>,
}

/// An [`Engine`] that may be gone.
pub(crate) struct WeakEngine<H: Hooks> {
    shared: Weak<RefCell<Inner<H>>>,
}

impl<H: Hooks> Clone for WeakEngine<H> {
    fn clone(&self) -> Self {
        WeakEngine {
            shared: self.shared.clone(),
        }
    }
}

impl<H: Hooks> WeakEngine<H> {
    /// The engine, held for the length of a call, while it exists.
    pub fn upgrade(&self) -> Option<Strong<H>> {
        self.shared.upgrade().map(Strong)
    }
}

/// An engine held through a [`WeakEngine`] for the length of a call.
pub(crate) struct Strong<H: Hooks>(Shared<H>);

impl<H: Hooks> Strong<H> {
    /// The engine's operations.
    pub fn ops(&self) -> Ops<'_, H> {
        Ops { shared: &self.0 }
    }
}

/// The operations on a live engine.
pub(crate) struct Ops<'a, H: Hooks> {
    shared: &'a Shared<H>,
}

impl<H: Hooks> Engine<H> {
    /// Prepares with `config`, which [`Config::validate`] accepted already (the Rust API's
    /// `Config` is validated when built); connects on [`Ops::start`].
    pub fn new(config: Config, url: Url<H::Provider>, platform: Platform, host: H) -> Self {
        let machine = Machine::with_valid(config, seed());
        let inner = Inner {
            machine,
            host,
            url,
            platform,
            live: None,
            timer: None,
            lifecycle: Vec::new(),
            last_error: JsValue::UNDEFINED,
        };
        Engine {
            shared: Rc::new(RefCell::new(inner)),
        }
    }

    /// The operations (the engine is alive as long as `self`).
    pub fn ops(&self) -> Ops<'_, H> {
        Ops {
            shared: &self.shared,
        }
    }

    /// A handle that does not keep the engine alive.
    pub fn downgrade(&self) -> WeakEngine<H> {
        WeakEngine {
            shared: Rc::downgrade(&self.shared),
        }
    }
}

impl<H: Hooks> Ops<'_, H> {
    /// Reports the platform's current network and visibility, then connects (unless
    /// `startClosed`).
    pub fn start(&self) {
        install_lifecycle(self.shared);
        feed(self.shared, Input::Start);
    }

    /// Sends now when open, else queues.
    pub fn send(&self, data: JsValue) -> Result<(), InputError<JsValue>> {
        check_open(self.shared);
        try_feed(self.shared, Input::Send(data))
    }

    /// Closes for good.
    pub fn close(&self, code: Option<u16>, reason: String) -> Result<(), InputError<JsValue>> {
        try_feed(self.shared, Input::Close { code, reason })
    }

    /// Drops the socket and connects now, at attempt 1.
    pub fn reconnect(&self, code: Option<u16>, reason: String) -> Result<(), InputError<JsValue>> {
        // After a final close the listeners were gone: the network and the page may have
        // changed meanwhile, and install_lifecycle reports how they are now.
        install_lifecycle(self.shared);
        try_feed(self.shared, Input::Reconnect { code, reason })
    }

    /// Whether a `reconnect` listener exists now.
    pub fn set_reconnect_listener(&self, present: bool) {
        self.shared
            .borrow_mut()
            .machine
            .set_reconnect_listener(present);
    }

    /// The connection's state.
    pub fn state(&self) -> State {
        check_open(self.shared);
        self.shared.borrow().machine.state()
    }

    /// The connection's counters.
    pub fn stats(&self) -> Stats {
        self.shared.borrow().machine.stats()
    }
}

impl<H: Hooks> Drop for Engine<H> {
    /// Releases the socket (abandoned), the timer and every listener.
    fn drop(&mut self) {
        let (live, host) = {
            let mut inner = self.shared.borrow_mut();
            inner.timer = None;
            inner.lifecycle.clear();
            (inner.live.take(), inner.host.clone())
        };
        if let Some(live) = live {
            let socket = live.socket.clone();
            drop(live);
            host.detach(&socket);
            drop_socket(&socket, false, CODE_NORMAL, "");
        }
    }
}

/// Lets go of a socket the core is done with, waiting for nothing. A dead one is
/// `terminate()`d where the platform can (the `ws` package, whose `close()` would hold a
/// Node process for its 30 s closing timeout); otherwise `close(code, reason)`, whose
/// handshake finishes in the background.
fn drop_socket(socket: &WebSocket, dead: bool, code: u16, reason: &str) {
    if !(dead && call_if_present(socket, "terminate")) {
        let _ = socket.close_with_code_and_reason(code, reason);
    }
}

/// `socket.send(payload)`, with the web-sys overload for the payload's type: a string, an
/// `ArrayBuffer`, a view of one, or (from the JS facade, which checked it) a `Blob`.
fn send(socket: &WebSocket, payload: &JsValue) {
    let _ = if let Some(text) = payload.as_string() {
        socket.send_with_str(&text)
    } else if ArrayBuffer::is_view(payload) {
        socket.send_with_array_buffer_view(payload.unchecked_ref())
    } else if let Some(buffer) = payload.dyn_ref::<ArrayBuffer>() {
        socket.send_with_array_buffer(buffer)
    } else {
        socket.send_with_blob(payload.unchecked_ref::<Blob>())
    };
}

/// Feeds one input that cannot fail, then carries out what follows.
fn feed<H: Hooks>(shared: &Shared<H>, input: Input<JsValue>) {
    let _ = try_feed(shared, input);
}

/// Feeds one input now, carries out every command, and re-arms the timer.
/// Tells the core when the socket left OPEN before its `close` event: the server started
/// the closing handshake, and no event says so (docs/driver-contract.md). Sends from then on
/// are queued for the next connection, never handed to the closing socket.
fn check_open<H: Hooks>(shared: &Shared<H>) {
    let left = {
        let inner = shared.borrow();
        let open = inner.machine.state() == State::Open;
        inner
            .live
            .as_ref()
            .filter(|live| open && live.socket.ready_state() > WebSocket::OPEN)
            .map(|live| live.generation)
    };
    if let Some(generation) = left {
        feed(shared, Input::Closing { generation });
    }
}

fn try_feed<H: Hooks>(
    shared: &Shared<H>,
    input: Input<JsValue>,
) -> Result<(), InputError<JsValue>> {
    let result = shared.borrow_mut().machine.handle(input, now());
    pump(shared);
    result
}

/// Carries out the core's commands, one at a time and never while borrowed, then keeps the
/// one timer at the core's next deadline and drops the lifecycle listeners once closed.
fn pump<H: Hooks>(shared: &Shared<H>) {
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

fn arm<H: Hooks>(shared: &Shared<H>, due: Millis) -> Timer {
    let weak = Rc::downgrade(shared);
    let delay = due.saturating_sub(now()).min(i32::MAX as u64) as u32;
    let timeout = Timeout::new(delay, move || {
        let Some(shared) = weak.upgrade() else { return };
        let host = {
            let mut inner = shared.borrow_mut();
            inner.timer = None;
            inner.host.clone()
        };
        let last_message_at = host.last_message_at();
        feed(&shared, Input::Deadline { last_message_at });
    });
    Timer {
        due,
        _timeout: timeout,
    }
}

fn execute<H: Hooks>(shared: &Shared<H>, command: Command<JsValue>) {
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
            send(&socket, &payload);
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
                    Some(code) => socket.close_with_code_and_reason(code, &reason),
                    None => socket.close(),
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
        Command::Emit(event) => {
            let (host, error) = {
                let mut inner = shared.borrow_mut();
                let error = if matches!(event, Event::Error { .. }) {
                    std::mem::replace(&mut inner.last_error, JsValue::UNDEFINED)
                } else {
                    JsValue::UNDEFINED
                };
                (inner.host.clone(), error)
            };
            host.emit(event, error);
        }
    }
}

/// Gets the URL for `generation` (asking the provider and awaiting its answer) and opens
/// the socket.
fn open<H: Hooks>(shared: &Shared<H>, generation: Generation) {
    let (provider, host) = {
        let inner = shared.borrow();
        let provider = match &inner.url {
            Url::Fixed(url) => Err(JsValue::from_str(url.as_str())),
            Url::Provider(provider) => Ok(provider.clone()),
        };
        (provider, inner.host.clone())
    };
    let provider = match provider {
        Ok(provider) => provider,
        Err(url) => return connect(shared, generation, Ok(url)),
    };
    // Always settled in a later microtask, even when the provider answers (or fails) at
    // once: an `error` from the very first attempt must reach listeners added right after
    // construction.
    let answer = host.ask(&provider);
    let weak = Rc::downgrade(shared);
    wasm_bindgen_futures::spawn_local(async move {
        let result = answer.await;
        if let Some(shared) = weak.upgrade() {
            connect(&shared, generation, result);
        }
    });
}

/// Opens the platform socket for `generation` with `url` (still to be resolved when it
/// came from a provider), unless the core has moved on meanwhile.
fn connect<H: Hooks>(shared: &Shared<H>, generation: Generation, url: Result<JsValue, JsValue>) {
    if shared.borrow().machine.live_generation() != Some(generation) {
        return;
    }
    let (host, fixed, ctor, protocols) = {
        let inner = shared.borrow();
        let fixed = matches!(inner.url, Url::Fixed(_));
        let platform = &inner.platform;
        (
            inner.host.clone(),
            fixed,
            platform.constructor.clone(),
            platform.protocols.clone(),
        )
    };
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
    // Whatever the constructor made (the `ws` package's socket is no browser `WebSocket`).
    let socket: WebSocket = match socket {
        Ok(socket) => socket.unchecked_into(),
        Err(error) => {
            shared.borrow_mut().last_error = error;
            let cause = ErrorCause::Url;
            feed(shared, Input::Error { generation, cause });
            let reason = String::new();
            let input = Input::Closed {
                generation,
                code: CODE_ABNORMAL,
                reason,
                was_clean: false,
            };
            return feed(shared, input);
        }
    };
    let weak = Rc::downgrade(shared);
    let listeners = [
        listener(&socket, "open", &weak, move |_| {
            Some(Input::Opened { generation })
        }),
        close_listener(&socket, &weak, generation),
        error_listener(&socket, &weak, generation),
    ];
    // Attached before the message listener exists: the host sets `binaryType` first.
    host.attach(&socket, generation);
    let message = H::MESSAGES.then(|| {
        let host = host.clone();
        listener(&socket, "message", &weak, move |event| {
            host.message(event.unchecked_ref::<MessageEvent>(), generation)
        })
    });
    shared.borrow_mut().live = Some(Live {
        generation,
        socket,
        _listeners: listeners,
        _message: message,
    });
}

fn listener<H: Hooks>(
    socket: &WebSocket,
    kind: &'static str,
    weak: &Weak<RefCell<Inner<H>>>,
    input: impl Fn(&web_sys::Event) -> Option<Input<JsValue>> + 'static,
) -> EventListener {
    let weak = weak.clone();
    EventListener::new(socket, kind, move |event| {
        if let Some(input) = input(event) {
            if let Some(shared) = weak.upgrade() {
                feed(&shared, input);
            }
        }
    })
}

/// Takes the socket of `generation` out of the engine, if it is the one in use, with the
/// host to tell.
fn take_live<H: Hooks>(shared: &Shared<H>, generation: Generation) -> (Option<Live>, H) {
    let mut inner = shared.borrow_mut();
    let live = match &inner.live {
        Some(l) if l.generation == generation => inner.live.take(),
        _ => None,
    };
    (live, inner.host.clone())
}

/// The socket closed: tell the core, then let go of the socket.
fn close_listener<H: Hooks>(
    socket: &WebSocket,
    weak: &Weak<RefCell<Inner<H>>>,
    generation: Generation,
) -> EventListener {
    let weak = weak.clone();
    EventListener::new(socket, "close", move |event| {
        let Some(shared) = weak.upgrade() else { return };
        // The browser's `CloseEvent`, or the `ws` package's own with the same fields.
        let event = event.unchecked_ref::<CloseEvent>();
        let input = Input::Closed {
            generation,
            code: event.code(),
            reason: event.reason(),
            was_clean: event.was_clean(),
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

fn error_listener<H: Hooks>(
    socket: &WebSocket,
    weak: &Weak<RefCell<Inner<H>>>,
    generation: Generation,
) -> EventListener {
    let weak = weak.clone();
    EventListener::new(socket, "error", move |event| {
        if let Some(shared) = weak.upgrade() {
            shared.borrow_mut().last_error = event.clone().into();
            let cause = ErrorCause::Socket;
            feed(&shared, Input::Error { generation, cause });
        }
    })
}

/// Adds the page-lifecycle listeners the platform has (none in Node; `online` /
/// `offline` in Workers), once.
fn install_lifecycle<H: Hooks>(shared: &Shared<H>) {
    if !shared.borrow().lifecycle.is_empty() {
        return;
    }
    let weak = Rc::downgrade(shared);
    let mut listeners = Vec::new();
    let scope = global();
    // A window or a Worker's global scope; Node's `globalThis` takes no listeners.
    if has_listeners(&scope) {
        let scope = scope.unchecked_ref::<EventTarget>();
        let persisted =
            |event: &web_sys::Event| event.unchecked_ref::<PageTransitionEvent>().persisted();
        listeners.extend([
            on(&weak, scope, "online", |_| Input::Online),
            on(&weak, scope, "offline", |_| Input::Offline),
            on(&weak, scope, "pageshow", move |e| Input::PageShow {
                persisted: persisted(e),
            }),
            on(&weak, scope, "pagehide", move |e| Input::PageHide {
                persisted: persisted(e),
            }),
        ]);
    }
    let document = get(&scope, "document").dyn_into::<Document>().ok();
    if let Some(document) = &document {
        let page = document.clone();
        listeners.extend([
            on(&weak, document, "visibilitychange", move |_| {
                Input::Visibility {
                    visible: !hidden(&page),
                }
            }),
            on(&weak, document, "resume", |_| Input::Resume),
        ]);
    }
    // What the listeners would have said so far: the network and the page as they are now.
    // (Fed before the listeners are stored: a client still closed for good drops its
    // listeners after each input.)
    let navigator = get(&scope, "navigator");
    // Only where the platform says: Node 21+ has a `navigator` without `onLine` (read as
    // `false` by web-sys), and a Worker's is a `WorkerNavigator`.
    if get(&navigator, "onLine").as_bool().is_some() {
        let online = navigator.unchecked_into::<Navigator>().on_line();
        feed(
            shared,
            if online {
                Input::Online
            } else {
                Input::Offline
            },
        );
    }
    if let Some(document) = &document {
        let visible = !hidden(document);
        feed(shared, Input::Visibility { visible });
    }
    shared.borrow_mut().lifecycle = listeners;
}

/// A lifecycle listener: each `kind` event on `target` is fed to the engine as `input`.
fn on<H: Hooks>(
    weak: &Weak<RefCell<Inner<H>>>,
    target: &EventTarget,
    kind: &'static str,
    input: impl Fn(&web_sys::Event) -> Input<JsValue> + 'static,
) -> EventListener {
    let weak = weak.clone();
    EventListener::new(target, kind, move |event| {
        if let Some(shared) = weak.upgrade() {
            feed(&shared, input(event));
        }
    })
}

/// Whether the page is hidden (`document.visibilityState`).
fn hidden(document: &Document) -> bool {
    document.visibility_state() == VisibilityState::Hidden
}
