//! [`Socket`]: a lifeline-ws connection for Rust/wasm applications, on the same engine as
//! the npm package (one platform socket, one timer, the page-lifecycle listeners).

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use futures_core::Stream;
use js_sys::{ArrayBuffer, Function, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{BinaryType, MessageEvent, WebSocket};

use super::config::{Config, Decide, Matcher};
use super::event::{
    Close, Disconnect, Error, ErrorInfo, Event, EventKind, Message, Reconnect, Reconnecting,
};
use crate::core::{self, Generation, Input, InputError, Millis, State, Stats, CODE_NORMAL};
use crate::wasm::engine::{Engine, Hooks, Platform, Url, WeakEngine};

/// A URL provider's answer.
type UrlFuture = Pin<Box<dyn Future<Output = Result<JsValue, JsValue>>>>;
/// A URL provider, as the Rust host holds it.
type Provider = Rc<dyn Fn() -> UrlFuture>;
use crate::wasm::platform::{get, global, now};

/// Where a [`Socket`] connects: a fixed URL, or a provider asked before every attempt (a
/// fresh token in the query, a server picked per attempt).
///
/// ```no_run
/// use lifeline_ws::{Config, Socket, UrlSource};
///
/// async fn fetch_token() -> Result<String, String> {
///     Ok("t0k3n".into())
/// }
///
/// let url = UrlSource::provider(|| async {
///     let token = fetch_token().await?;
///     Ok(format!("wss://example.com/live?token={token}"))
/// });
/// let socket = Socket::connect(url, Config::default())?;
/// # Ok::<(), lifeline_ws::Error>(())
/// ```
pub struct UrlSource(Source);

enum Source {
    Fixed(String),
    Provider(Provider),
}

impl UrlSource {
    /// A URL computed before every attempt. An `Err` (or a URL breaking WebSocket's rules)
    /// fails that attempt with an [`Event::Error`] of cause `Url`, and the backoff goes on.
    ///
    /// ```no_run
    /// # use lifeline_ws::UrlSource;
    /// let url = UrlSource::provider(|| async { Ok::<_, String>("wss://example.com/a".into()) });
    /// ```
    pub fn provider<F, Fut>(provider: F) -> UrlSource
    where
        F: Fn() -> Fut + 'static,
        Fut: Future<Output = Result<String, String>> + 'static,
    {
        UrlSource(Source::Provider(Rc::new(move || -> UrlFuture {
            let answer = provider();
            Box::pin(async move {
                answer
                    .await
                    .map(|url| JsValue::from_str(&url))
                    .map_err(|error| JsValue::from_str(&error))
            })
        })))
    }
}

impl From<&str> for UrlSource {
    fn from(url: &str) -> Self {
        UrlSource(Source::Fixed(url.into()))
    }
}

impl From<String> for UrlSource {
    fn from(url: String) -> Self {
        UrlSource(Source::Fixed(url))
    }
}

impl From<&String> for UrlSource {
    fn from(url: &String) -> Self {
        UrlSource(Source::Fixed(url.clone()))
    }
}

impl fmt::Debug for UrlSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Source::Fixed(url) => f.debug_tuple("UrlSource").field(&shown(url)).finish(),
            Source::Provider(_) => f.write_str("UrlSource(provider)"),
        }
    }
}

/// A WebSocket connection that stays alive: it reconnects with backoff, notices dead
/// connections with heartbeats, queues what you send while it is down, and follows the
/// page's life — until you [`close`](Socket::close) it or drop it.
///
/// Events come as a [`Stream`] ([`Socket::events`]) or through per-event callbacks
/// (`on_open`, `on_message`, …); both see every event, in order. Dropping the `Socket`
/// closes the connection and releases every listener and timer; its event stream then
/// ends.
///
/// ```no_run
/// use lifeline_ws::{Config, Event, Socket};
/// use std::time::Duration;
///
/// # async fn run() -> Result<(), lifeline_ws::Error> {
/// let config = Config::builder()
///     .heartbeat(Duration::from_secs(20), Duration::from_secs(5))
///     .build()?;
/// let socket = Socket::connect("wss://example.com/live", config)?;
/// socket.send("hello")?; // queued until the connection opens
/// let mut events = socket.events();
/// while let Some(event) = events.next().await {
///     match event {
///         Event::Open => web_log("connected"),
///         Event::Reconnect(r) => web_log(&format!("back after {:?}", r.downtime)),
///         Event::Message(message) => web_log(&format!("{message:?}")),
///         Event::Close(close) if !close.will_reconnect => break,
///         _ => {}
///     }
/// }
/// # Ok(()) }
/// # fn web_log(_: &str) {}
/// ```
#[must_use = "dropping the Socket closes its connection and ends its events"]
pub struct Socket {
    engine: Engine<RustHost>,
    handle: SocketHandle,
}

/// A handle on a [`Socket`] that does not keep it alive: for callbacks and tasks that
/// send, close or reconnect. Once the socket is dropped, `send` hands the message back in
/// [`Error::Closed`] and `state` is [`State::Closed`].
///
/// ```no_run
/// use lifeline_ws::{Config, Socket};
///
/// let socket = Socket::connect("wss://example.com/chat", Config::default())?;
/// let handle = socket.handle();
/// socket.on_open(move || {
///     let _ = handle.send(r#"{"type":"hello"}"#);
/// });
/// # Ok::<(), lifeline_ws::Error>(())
/// ```
#[derive(Clone)]
pub struct SocketHandle {
    engine: WeakEngine<RustHost>,
    host: RustHost,
}

impl Socket {
    /// Validates `url` and connects (unless the config says
    /// [`start_closed`](crate::ConfigBuilder::start_closed)). `http:`/`https:` URLs are
    /// mapped to `ws:`/`wss:`, and relative ones are resolved against the page, as
    /// `new WebSocket` does.
    ///
    /// ```no_run
    /// use lifeline_ws::{Config, Error, Socket};
    ///
    /// let error = Socket::connect("ftp://example.com", Config::default()).unwrap_err();
    /// assert!(matches!(error, Error::Url { .. }));
    /// let socket = Socket::connect("wss://example.com/live", Config::default())?;
    /// # Ok::<(), Error>(())
    /// ```
    pub fn connect(url: impl Into<UrlSource>, config: Config) -> Result<Socket, Error> {
        let Config {
            policy,
            ping,
            pong,
            server_ping,
            protocols,
            should_reconnect,
            websocket,
            ping_given: _,
        } = config;
        // `policy` was validated when the config was built: an `api::Config` holds no other.
        let constructor = match websocket {
            Some(constructor) => constructor,
            None => get(&global(), "WebSocket")
                .dyn_into::<Function>()
                .map_err(|_| Error::NoWebSocket)?,
        };
        let url = match url.into().0 {
            Source::Fixed(url) => Url::Fixed(resolve(&url)?),
            Source::Provider(provider) => Url::Provider(provider),
        };
        let protocols = if protocols.is_empty() {
            JsValue::UNDEFINED
        } else {
            protocols
                .iter()
                .map(|p| JsValue::from_str(p))
                .collect::<js_sys::Array>()
                .into()
        };
        let (server_ping, reply) = match server_ping {
            Some((matcher, reply)) => (Some(matcher), to_js(reply)),
            None => (None, JsValue::UNDEFINED),
        };
        let heartbeat = policy.heartbeat;
        let host = RustHost(Rc::new(HostState {
            pong: heartbeat.filter(|h| h.client_ping).map(|_| pong),
            server_ping,
            stamp: heartbeat.is_some_and(|h| h.any_message_is_pong || h.server_ping),
            last_message_at: Cell::new(None),
            should_reconnect,
            callbacks: RefCell::new(Callbacks::default()),
            channel: RefCell::new(Channel::default()),
            pending: RefCell::new(VecDeque::new()),
            dispatching: Cell::new(false),
        }));
        let platform = Platform {
            constructor,
            protocols,
            ping: to_js(ping),
            reply,
        };
        let engine = Engine::new(policy, url, platform, host.clone());
        let handle = SocketHandle {
            engine: engine.downgrade(),
            host,
        };
        engine.ops().start();
        Ok(Socket { engine, handle })
    }

    /// A handle for callbacks: it does not keep the socket alive.
    ///
    /// ```no_run
    /// # use lifeline_ws::{Config, Socket};
    /// # let socket = Socket::connect("wss://example.com", Config::default()).unwrap();
    /// let handle = socket.handle();
    /// socket.on_message(move |m| { let _ = handle.send(m.clone()); }); // an echo
    /// ```
    pub fn handle(&self) -> SocketHandle {
        self.handle.clone()
    }

    /// Sends now when open; otherwise queues it, to be sent in order before the next
    /// `Open`/`Reconnect` event. Refused (the message handed back) after `close` or
    /// `giveup`, and when the queue is full.
    ///
    /// ```no_run
    /// # use lifeline_ws::{Config, Error, Socket};
    /// # let socket = Socket::connect("wss://example.com", Config::default()).unwrap();
    /// socket.send("text")?;
    /// socket.send(vec![0u8, 1, 2])?;
    /// # Ok::<(), Error>(())
    /// ```
    pub fn send(&self, message: impl Into<Message>) -> Result<(), Error> {
        self.handle.send(message)
    }

    /// Closes for good with code 1000: no more reconnects until
    /// [`reconnect`](Socket::reconnect). The last events are a `Close` (if a connection was
    /// open or opening) and `StateChange(Closed)`; the event stream then ends.
    ///
    /// ```no_run
    /// # use lifeline_ws::{Config, Socket};
    /// # let socket = Socket::connect("wss://example.com", Config::default()).unwrap();
    /// socket.close();
    /// ```
    pub fn close(&self) {
        self.handle.close();
    }

    /// Closes for good with `code` (1000 or 3000–4999) and `reason` (at most 123 bytes).
    ///
    /// ```no_run
    /// # use lifeline_ws::{Config, Error, Socket};
    /// # let socket = Socket::connect("wss://example.com", Config::default()).unwrap();
    /// socket.close_with(4000, "logged out")?;
    /// # Ok::<(), Error>(())
    /// ```
    pub fn close_with(&self, code: u16, reason: &str) -> Result<(), Error> {
        self.handle.close_with(code, reason)
    }

    /// Drops the current connection, if any, and connects now at attempt 1; after `close`
    /// or `giveup`, starts again. Call [`events`](Socket::events) again if the stream had
    /// ended.
    ///
    /// ```no_run
    /// # use lifeline_ws::{Config, Error, Socket};
    /// # let socket = Socket::connect("wss://example.com", Config::default()).unwrap();
    /// socket.reconnect()?;
    /// # Ok::<(), Error>(())
    /// ```
    pub fn reconnect(&self) -> Result<(), Error> {
        self.handle.reconnect()
    }

    /// [`reconnect`](Socket::reconnect), closing the current connection with `code` and
    /// `reason`.
    ///
    /// ```no_run
    /// # use lifeline_ws::{Config, Error, Socket};
    /// # let socket = Socket::connect("wss://example.com", Config::default()).unwrap();
    /// socket.reconnect_with(4001, "switching account")?;
    /// # Ok::<(), Error>(())
    /// ```
    pub fn reconnect_with(&self, code: u16, reason: &str) -> Result<(), Error> {
        self.handle.reconnect_with(code, reason)
    }

    /// The connection's state now.
    ///
    /// ```no_run
    /// # use lifeline_ws::{Config, Socket, core::State};
    /// # let socket = Socket::connect("wss://example.com", Config::default()).unwrap();
    /// assert_eq!(socket.state(), State::Connecting);
    /// ```
    pub fn state(&self) -> State {
        self.engine.ops().state()
    }

    /// Attempts, reconnects, the last heartbeat RTT, and the queue's length. Times are
    /// `performance.now()` milliseconds.
    ///
    /// ```no_run
    /// # use lifeline_ws::{Config, Socket};
    /// # let socket = Socket::connect("wss://example.com", Config::default()).unwrap();
    /// let stats = socket.stats();
    /// println!("{} reconnects, {} queued", stats.reconnects, stats.queued);
    /// ```
    pub fn stats(&self) -> Stats {
        self.engine.ops().stats()
    }

    /// The events from now on, as a [`Stream`]. One stream at a time: a new call ends the
    /// previous stream. The stream ends after the socket is closed for good (by `close`, a
    /// `should_reconnect` that said no, or `giveup`) and every event before that was read,
    /// or when the socket is dropped. While a stream exists, re-connections are
    /// [`Event::Reconnect`], not [`Event::Open`].
    ///
    /// ```no_run
    /// # use lifeline_ws::{Config, Event, Socket};
    /// # async fn run(socket: Socket) {
    /// let mut events = socket.events();
    /// while let Some(event) = events.next().await {
    ///     if let Event::Message(message) = event {
    ///         println!("{message:?}");
    ///     }
    /// }
    /// # }
    /// ```
    pub fn events(&self) -> Events {
        let id = {
            let mut channel = self.handle.host.0.channel.borrow_mut();
            channel.subscriber += 1;
            channel.queue.clear();
            if let Some(waker) = channel.waker.take() {
                waker.wake(); // the stream replaced ends
            }
            channel.subscriber
        };
        self.handle.sync_reconnect_listener();
        Events {
            host: self.handle.host.0.clone(),
            engine: self.handle.engine.clone(),
            id,
            done: false,
        }
    }

    /// Calls `f` on every [`Event::Open`] (replacing an earlier `on_open`).
    ///
    /// ```no_run
    /// # use lifeline_ws::{Config, Socket};
    /// # let socket = Socket::connect("wss://example.com", Config::default()).unwrap();
    /// socket.on_open(|| web_sys_log("open"));
    /// # fn web_sys_log(_: &str) {}
    /// ```
    pub fn on_open(&self, mut f: impl FnMut() + 'static) {
        self.handle.set_callback(EventKind::Open, move |e| {
            if let Event::Open = e {
                f()
            }
        });
    }

    /// Calls `f` on every [`Event::Reconnect`]; while set, re-connections are `Reconnect`,
    /// not `Open`.
    ///
    /// ```no_run
    /// # use lifeline_ws::{Config, Socket};
    /// # let socket = Socket::connect("wss://example.com", Config::default()).unwrap();
    /// socket.on_reconnect(|r| println!("back after {:?}, attempt {}", r.downtime, r.attempt));
    /// ```
    pub fn on_reconnect(&self, mut f: impl FnMut(&Reconnect) + 'static) {
        self.handle.set_callback(EventKind::Reconnect, move |e| {
            if let Event::Reconnect(r) = e {
                f(r)
            }
        });
        self.handle.sync_reconnect_listener();
    }

    /// Calls `f` on every [`Event::Reconnecting`].
    ///
    /// ```no_run
    /// # use lifeline_ws::{Config, Socket};
    /// # let socket = Socket::connect("wss://example.com", Config::default()).unwrap();
    /// socket.on_reconnecting(|r| println!("attempt {} in {:?}", r.attempt, r.delay));
    /// ```
    pub fn on_reconnecting(&self, mut f: impl FnMut(&Reconnecting) + 'static) {
        self.handle.set_callback(EventKind::Reconnecting, move |e| {
            if let Event::Reconnecting(r) = e {
                f(r)
            }
        });
    }

    /// Calls `f` on every message from the server.
    ///
    /// ```no_run
    /// # use lifeline_ws::{Config, Socket};
    /// # let socket = Socket::connect("wss://example.com", Config::default()).unwrap();
    /// socket.on_message(|m| println!("{:?}", m.as_text()));
    /// ```
    pub fn on_message(&self, mut f: impl FnMut(&Message) + 'static) {
        self.handle.set_callback(EventKind::Message, move |e| {
            if let Event::Message(m) = e {
                f(m)
            }
        });
    }

    /// Calls `f` on every [`Event::Close`].
    ///
    /// ```no_run
    /// # use lifeline_ws::{Config, Socket};
    /// # let socket = Socket::connect("wss://example.com", Config::default()).unwrap();
    /// socket.on_close(|c| println!("closed {} {}, again: {}", c.code, c.reason, c.will_reconnect));
    /// ```
    pub fn on_close(&self, mut f: impl FnMut(&Close) + 'static) {
        self.handle.set_callback(EventKind::Close, move |e| {
            if let Event::Close(c) = e {
                f(c)
            }
        });
    }

    /// Calls `f` on every [`Event::Error`].
    ///
    /// ```no_run
    /// # use lifeline_ws::{Config, Socket};
    /// # let socket = Socket::connect("wss://example.com", Config::default()).unwrap();
    /// socket.on_error(|e| println!("{}: {}", e.cause.as_str(), e.detail));
    /// ```
    pub fn on_error(&self, mut f: impl FnMut(&ErrorInfo) + 'static) {
        self.handle.set_callback(EventKind::Error, move |e| {
            if let Event::Error(info) = e {
                f(info)
            }
        });
    }

    /// Calls `f` with the number of attempts on [`Event::GiveUp`].
    ///
    /// ```no_run
    /// # use lifeline_ws::{Config, Socket};
    /// # let socket = Socket::connect("wss://example.com", Config::default()).unwrap();
    /// socket.on_giveup(|attempts| println!("gave up after {attempts} attempts"));
    /// ```
    pub fn on_giveup(&self, mut f: impl FnMut(u32) + 'static) {
        self.handle.set_callback(EventKind::GiveUp, move |e| {
            if let Event::GiveUp { attempts } = e {
                f(*attempts)
            }
        });
    }

    /// Calls `f` with the round-trip time of every answered heartbeat ping.
    ///
    /// ```no_run
    /// # use lifeline_ws::{Config, Socket};
    /// # let socket = Socket::connect("wss://example.com", Config::default()).unwrap();
    /// socket.on_heartbeat(|rtt| println!("rtt {rtt:?}"));
    /// ```
    pub fn on_heartbeat(&self, mut f: impl FnMut(Duration) + 'static) {
        self.handle.set_callback(EventKind::Heartbeat, move |e| {
            if let Event::Heartbeat { rtt } = e {
                f(*rtt)
            }
        });
    }

    /// Calls `f` on every state change.
    ///
    /// ```no_run
    /// # use lifeline_ws::{Config, Socket};
    /// # let socket = Socket::connect("wss://example.com", Config::default()).unwrap();
    /// socket.on_state_change(|state| println!("now {}", state.as_str()));
    /// ```
    pub fn on_state_change(&self, mut f: impl FnMut(State) + 'static) {
        self.handle.set_callback(EventKind::StateChange, move |e| {
            if let Event::StateChange(state) = e {
                f(*state)
            }
        });
    }

    /// Calls `f` with each message the full queue dropped
    /// ([`Overflow::DropOldest`](crate::core::Overflow)).
    ///
    /// ```no_run
    /// # use lifeline_ws::{Config, Socket};
    /// # let socket = Socket::connect("wss://example.com", Config::default()).unwrap();
    /// socket.on_drop(|m| println!("not sent: {m:?}"));
    /// ```
    pub fn on_drop(&self, mut f: impl FnMut(&Message) + 'static) {
        self.handle.set_callback(EventKind::Dropped, move |e| {
            if let Event::Dropped(m) = e {
                f(m)
            }
        });
    }
}

impl Drop for Socket {
    /// Ends the event stream; the engine (dropped next) abandons the connection with 1000
    /// and releases its listeners and timer.
    fn drop(&mut self) {
        let mut channel = self.handle.host.0.channel.borrow_mut();
        channel.dropped = true;
        if let Some(waker) = channel.waker.take() {
            waker.wake();
        }
    }
}

impl fmt::Debug for Socket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Socket")
            .field("state", &self.state())
            .finish_non_exhaustive()
    }
}

impl SocketHandle {
    /// [`Socket::send`], while the socket exists.
    ///
    /// ```no_run
    /// # use lifeline_ws::{Config, Socket};
    /// # let socket = Socket::connect("wss://example.com", Config::default()).unwrap();
    /// let handle = socket.handle();
    /// drop(socket);
    /// assert!(handle.send("late").is_err());
    /// ```
    pub fn send(&self, message: impl Into<Message>) -> Result<(), Error> {
        let message = message.into();
        match self.engine.upgrade() {
            Some(engine) => engine.ops().send(to_js(message)).map_err(input_error),
            None => Err(Error::Closed(message)),
        }
    }

    /// [`Socket::close`], while the socket exists.
    ///
    /// ```no_run
    /// # use lifeline_ws::{Config, Socket};
    /// # let socket = Socket::connect("wss://example.com", Config::default()).unwrap();
    /// socket.handle().close();
    /// ```
    pub fn close(&self) {
        if let Some(engine) = self.engine.upgrade() {
            let _ = engine.ops().close(Some(CODE_NORMAL), String::new());
        }
    }

    /// [`Socket::close_with`], while the socket exists.
    ///
    /// ```no_run
    /// # use lifeline_ws::{Config, Socket};
    /// # let socket = Socket::connect("wss://example.com", Config::default()).unwrap();
    /// socket.handle().close_with(1000, "bye")?;
    /// # Ok::<(), lifeline_ws::Error>(())
    /// ```
    pub fn close_with(&self, code: u16, reason: &str) -> Result<(), Error> {
        match self.engine.upgrade() {
            Some(engine) => engine
                .ops()
                .close(Some(code), reason.into())
                .map_err(input_error),
            None => Ok(()),
        }
    }

    /// [`Socket::reconnect`]; [`Error::SocketDropped`] once the socket is gone.
    ///
    /// ```no_run
    /// # use lifeline_ws::{Config, Socket};
    /// # let socket = Socket::connect("wss://example.com", Config::default()).unwrap();
    /// socket.handle().reconnect()?;
    /// # Ok::<(), lifeline_ws::Error>(())
    /// ```
    pub fn reconnect(&self) -> Result<(), Error> {
        let engine = self.engine.upgrade().ok_or(Error::SocketDropped)?;
        engine
            .ops()
            .reconnect(None, String::new())
            .map_err(input_error)
    }

    /// [`Socket::reconnect_with`]; [`Error::SocketDropped`] once the socket is gone.
    ///
    /// ```no_run
    /// # use lifeline_ws::{Config, Socket};
    /// # let socket = Socket::connect("wss://example.com", Config::default()).unwrap();
    /// socket.handle().reconnect_with(4000, "new session")?;
    /// # Ok::<(), lifeline_ws::Error>(())
    /// ```
    pub fn reconnect_with(&self, code: u16, reason: &str) -> Result<(), Error> {
        let engine = self.engine.upgrade().ok_or(Error::SocketDropped)?;
        engine
            .ops()
            .reconnect(Some(code), reason.into())
            .map_err(input_error)
    }

    /// [`Socket::state`]; [`State::Closed`] once the socket is gone.
    ///
    /// ```no_run
    /// # use lifeline_ws::{Config, Socket, core::State};
    /// # let socket = Socket::connect("wss://example.com", Config::default()).unwrap();
    /// let handle = socket.handle();
    /// drop(socket);
    /// assert_eq!(handle.state(), State::Closed);
    /// ```
    pub fn state(&self) -> State {
        self.engine
            .upgrade()
            .map_or(State::Closed, |engine| engine.ops().state())
    }

    fn set_callback(&self, kind: EventKind, f: impl FnMut(&Event) + 'static) {
        self.host.0.callbacks.borrow_mut().set(kind, Box::new(f));
    }

    /// Re-connections emit `Reconnect` while someone listens for it: an `on_reconnect`
    /// callback or an event stream.
    fn sync_reconnect_listener(&self) {
        let present = self.host.0.callbacks.borrow().has(EventKind::Reconnect)
            || self.host.0.channel.borrow().subscribed();
        if let Some(engine) = self.engine.upgrade() {
            engine.ops().set_reconnect_listener(present);
        }
    }
}

impl fmt::Debug for SocketHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SocketHandle")
            .field("state", &self.state())
            .finish_non_exhaustive()
    }
}

/// A [`Socket`]'s events, in order, as a [`Stream`] (from [`Socket::events`]).
///
/// ```no_run
/// # use lifeline_ws::{Config, Event, Socket};
/// # async fn run(socket: Socket) {
/// let mut events = socket.events();
/// while let Some(event) = events.next().await {
///     println!("{event:?}");
/// }
/// // closed for good, or dropped
/// # }
/// ```
pub struct Events {
    host: Rc<HostState>,
    engine: WeakEngine<RustHost>,
    id: u64,
    done: bool,
}

impl Events {
    /// The next event; `None` once the stream has ended.
    ///
    /// ```no_run
    /// # use lifeline_ws::{Config, Event, Socket};
    /// # async fn run(socket: Socket) {
    /// let mut events = socket.events();
    /// assert!(matches!(events.next().await, Some(Event::StateChange(_) | Event::Open)));
    /// # }
    /// ```
    pub async fn next(&mut self) -> Option<Event> {
        std::future::poll_fn(|cx| Pin::new(&mut *self).poll_next(cx)).await
    }

    /// The next event if one is waiting, without waiting.
    ///
    /// ```no_run
    /// # use lifeline_ws::{Config, Socket};
    /// # let socket = Socket::connect("wss://example.com", Config::default()).unwrap();
    /// let mut events = socket.events();
    /// while let Some(event) = events.try_next() {
    ///     println!("{event:?}");
    /// }
    /// ```
    pub fn try_next(&mut self) -> Option<Event> {
        if self.done {
            return None;
        }
        let mut channel = self.host.channel.borrow_mut();
        if channel.subscriber != self.id {
            return None;
        }
        channel.queue.pop_front()
    }
}

impl Stream for Events {
    type Item = Event;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Event>> {
        if self.done {
            return Poll::Ready(None);
        }
        let host = self.host.clone();
        let mut channel = host.channel.borrow_mut();
        if channel.subscriber != self.id {
            self.done = true;
            return Poll::Ready(None);
        }
        if let Some(event) = channel.queue.pop_front() {
            return Poll::Ready(Some(event));
        }
        if channel.ended || channel.dropped {
            self.done = true;
            return Poll::Ready(None);
        }
        channel.waker = Some(cx.waker().clone());
        Poll::Pending
    }
}

impl Drop for Events {
    /// Stops buffering for this stream, and says whether anyone still listens for
    /// `Reconnect`.
    fn drop(&mut self) {
        {
            let mut channel = self.host.channel.borrow_mut();
            if channel.subscriber != self.id {
                return;
            }
            channel.subscriber_gone = true;
            channel.queue.clear();
            channel.waker = None;
        }
        let present = self.host.callbacks.borrow().has(EventKind::Reconnect);
        if let Some(engine) = self.engine.upgrade() {
            engine.ops().set_reconnect_listener(present);
        }
    }
}

impl fmt::Debug for Events {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Events")
            .field("done", &self.done)
            .finish_non_exhaustive()
    }
}

/// The buffer between the engine and the one event stream.
#[derive(Default)]
struct Channel {
    queue: VecDeque<Event>,
    waker: Option<Waker>,
    /// The current stream's id (0: none yet).
    subscriber: u64,
    /// The current stream was dropped.
    subscriber_gone: bool,
    /// Closed for good (until a `reconnect`).
    ended: bool,
    /// The socket was dropped.
    dropped: bool,
}

impl Channel {
    fn subscribed(&self) -> bool {
        self.subscriber != 0 && !self.subscriber_gone
    }
}

type Callback = Box<dyn FnMut(&Event)>;

/// The user's callbacks, at most one per kind of event (`on_open`, `on_message`, …).
struct Callbacks([Option<Callback>; EventKind::COUNT]);

impl Default for Callbacks {
    fn default() -> Self {
        Callbacks(std::array::from_fn(|_| None))
    }
}

impl Callbacks {
    /// Sets the callback of `kind`, replacing the one before.
    fn set(&mut self, kind: EventKind, callback: Callback) {
        self.0[kind as usize] = Some(callback);
    }

    /// Whether there is a callback for `kind`.
    fn has(&self, kind: EventKind) -> bool {
        self.0[kind as usize].is_some()
    }

    /// Takes the callback of `kind` out while it runs (it may set callbacks itself).
    fn take(&mut self, kind: EventKind) -> Option<Callback> {
        self.0[kind as usize].take()
    }

    /// Puts back a callback taken out to run, unless it set a new one meanwhile.
    fn put_back(&mut self, kind: EventKind, callback: Callback) {
        self.0[kind as usize].get_or_insert(callback);
    }
}

/// The Rust host: matches heartbeat messages, converts events, and delivers them to the
/// stream and the callbacks, never re-entrantly (an event raised by a callback waits for
/// the callbacks of the one before it).
#[derive(Clone)]
struct RustHost(Rc<HostState>);

struct HostState {
    /// The client's pong, when the client pings.
    pong: Option<Matcher>,
    /// The server's ping, when it pings.
    server_ping: Option<Matcher>,
    /// Whether the time of the last message is needed (any-message liveness, server pings).
    stamp: bool,
    last_message_at: Cell<Option<Millis>>,
    should_reconnect: Option<Decide>,
    callbacks: RefCell<Callbacks>,
    channel: RefCell<Channel>,
    pending: RefCell<VecDeque<Event>>,
    dispatching: Cell<bool>,
}

impl HostState {
    fn dispatch(&self, event: Event) {
        self.pending.borrow_mut().push_back(event);
        if self.dispatching.replace(true) {
            return;
        }
        loop {
            let next = self.pending.borrow_mut().pop_front();
            match next {
                Some(event) => self.deliver(event),
                None => break,
            }
        }
        self.dispatching.set(false);
    }

    fn deliver(&self, event: Event) {
        let kind = event.kind();
        let callback = self.callbacks.borrow_mut().take(kind);
        {
            let mut channel = self.channel.borrow_mut();
            if let Event::StateChange(state) = event {
                channel.ended = state == State::Closed;
            }
            if channel.subscribed() {
                let copy = callback.as_ref().map(|_| event.clone());
                channel
                    .queue
                    .push_back(copy.unwrap_or_else(|| event.clone()));
            }
            if let Some(waker) = channel.waker.take() {
                waker.wake();
            }
        }
        if let Some(mut callback) = callback {
            callback(&event);
            self.callbacks.borrow_mut().put_back(kind, callback);
        }
    }
}

impl Hooks for RustHost {
    const MESSAGES: bool = true;
    type Provider = Provider;

    fn ask(&self, provider: &Provider) -> impl Future<Output = Result<JsValue, JsValue>> + 'static {
        provider()
    }

    fn resolve_url(&self, url: &JsValue) -> Result<String, JsValue> {
        let url = url.as_string().unwrap_or_default();
        resolve(&url).map_err(|error| JsValue::from_str(&error.to_string()))
    }

    fn attach(&self, socket: &WebSocket, _generation: Generation) {
        socket.set_binary_type(BinaryType::Arraybuffer);
        self.0.last_message_at.set(None);
    }

    fn detach(&self, socket: &WebSocket) {
        // The ws package throws an `error` nobody listens for (closing a socket that is
        // still connecting, say): keep a listener on the sockets let go of. `Boolean` is a
        // function that does nothing harmful, owned by the platform: no closure to leak.
        if let Some(noop) = get(&global(), "Boolean").dyn_ref::<Function>() {
            let _ = socket.add_event_listener_with_callback("error", noop);
        }
    }

    fn message(&self, event: &MessageEvent, generation: Generation) -> Option<Input<JsValue>> {
        let message = from_js(&event.data());
        let host = &self.0;
        if host.stamp {
            host.last_message_at.set(Some(now()));
        }
        if host.pong.as_ref().is_some_and(|m| m.matches(&message)) {
            return Some(Input::Pong { generation });
        }
        if host
            .server_ping
            .as_ref()
            .is_some_and(|m| m.matches(&message))
        {
            return Some(Input::ServerPing { generation });
        }
        host.dispatch(Event::Message(message));
        None
    }

    fn last_message_at(&self) -> Option<Millis> {
        self.0.last_message_at.get()
    }

    fn should_reconnect(&self, code: u16, reason: &str, was_clean: bool) -> bool {
        let decide = self.0.should_reconnect.clone();
        decide.map_or(true, |decide| {
            decide(&Disconnect {
                code,
                reason: reason.into(),
                was_clean,
            })
        })
    }

    fn emit(&self, event: core::Event<JsValue>, error: JsValue) {
        let millis = Duration::from_millis;
        let event = match event {
            core::Event::Open => Event::Open,
            core::Event::Reconnect { attempt, downtime } => Event::Reconnect(Reconnect {
                attempt,
                downtime: millis(downtime),
            }),
            core::Event::Reconnecting { attempt, delay } => Event::Reconnecting(Reconnecting {
                attempt,
                delay: millis(delay),
            }),
            core::Event::Close(c) => Event::Close(Close {
                code: c.code,
                reason: c.reason,
                was_clean: c.was_clean,
                will_reconnect: c.will_reconnect,
                delay: c.delay.map(millis),
            }),
            core::Event::Error { cause } => Event::Error(ErrorInfo {
                cause,
                detail: error_detail(&error),
            }),
            core::Event::GiveUp { attempts } => Event::GiveUp { attempts },
            core::Event::Heartbeat { rtt } => Event::Heartbeat { rtt: millis(rtt) },
            core::Event::StateChange(state) => Event::StateChange(state),
            core::Event::Drop(data) => Event::Dropped(from_js(&data)),
        };
        self.0.dispatch(event);
    }
}

/// WebSocket's URL rules: `ws:`/`wss:`, `http(s):` mapped to them, relative URLs against
/// the page, no fragment.
fn resolve(url: &str) -> Result<String, Error> {
    let base = get(&get(&global(), "location"), "href");
    let invalid = |expected| Error::Url {
        url: shown(url),
        expected,
    };
    let parsed = match base.as_string() {
        Some(base) => web_sys::Url::new_with_base(url, &base),
        None => web_sys::Url::new(url),
    }
    .map_err(|_| invalid("a valid absolute or relative URL"))?;
    match parsed.protocol().as_str() {
        "ws:" | "wss:" => {}
        "http:" => parsed.set_protocol("ws:"),
        "https:" => parsed.set_protocol("wss:"),
        _ => return Err(invalid("a ws:, wss:, http: or https: URL")),
    }
    let href = parsed.href();
    if !parsed.hash().is_empty() || href.ends_with('#') {
        return Err(invalid("a URL without a fragment"));
    }
    Ok(href)
}

/// A URL as errors may show it: its scheme and host, nothing of its credentials, path, query
/// or fragment (where a string's credentials end is the parser's guess: a password with a
/// "/" in it lands in the path). A string that does not parse shows its scheme at most.
fn shown(url: &str) -> String {
    let mut shown = String::new();
    match web_sys::Url::new(url) {
        Ok(parsed) => {
            shown.push_str(&parsed.protocol());
            shown.push_str("//");
            shown.push_str(&parsed.host());
            if parsed.href().len() > parsed.origin().len() + 1 {
                shown.push_str("/…");
            }
        }
        Err(_) => {
            let scheme = url.find(':').map(|i| &url[..=i]).filter(|s| {
                s.len() > 1
                    && s.as_bytes()[0].is_ascii_alphabetic()
                    && s[..s.len() - 1]
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b))
            });
            shown.push_str(scheme.unwrap_or(""));
            shown.push('…');
        }
    }
    shown
}

fn to_js(message: Message) -> JsValue {
    match message {
        Message::Text(text) => JsValue::from_str(&text),
        Message::Binary(bytes) => Uint8Array::from(bytes.as_slice()).into(),
    }
}

fn from_js(data: &JsValue) -> Message {
    if let Some(text) = data.as_string() {
        return Message::Text(text);
    }
    if let Some(bytes) = data.dyn_ref::<Uint8Array>() {
        return Message::Binary(bytes.to_vec());
    }
    if data.is_instance_of::<ArrayBuffer>() {
        return Message::Binary(Uint8Array::new(data).to_vec());
    }
    // Another view (or a Blob despite binaryType): its bytes where it has them.
    let buffer = get(data, "buffer");
    if buffer.is_instance_of::<ArrayBuffer>() {
        let offset = get(data, "byteOffset").as_f64().unwrap_or(0.0) as u32;
        let length = get(data, "byteLength").as_f64().unwrap_or(0.0) as u32;
        return Message::Binary(
            Uint8Array::new_with_byte_offset_and_length(&buffer, offset, length).to_vec(),
        );
    }
    Message::Binary(Vec::new())
}

/// What an `error` event can say: the message of a provider's error, the text it gave, or
/// nothing (a platform error event).
fn error_detail(error: &JsValue) -> String {
    if let Some(text) = error.as_string() {
        return text;
    }
    get(error, "message").as_string().unwrap_or_default()
}

fn input_error(error: InputError<JsValue>) -> Error {
    match error {
        InputError::Closed(data) => Error::Closed(from_js(&data)),
        InputError::QueueFull { message, max } => Error::QueueFull {
            message: from_js(&message),
            max,
        },
        InputError::InvalidCloseCode(code) => Error::InvalidCloseCode(code),
        InputError::ReasonTooLong { bytes } => Error::ReasonTooLong { bytes },
    }
}
