//! The vocabulary the machine speaks: what comes in ([`Input`]), what it asks the driver
//! to do ([`Command`]), what the user sees ([`Event`]), and its observable [`State`] and
//! [`Stats`].

use alloc::string::String;

/// A point in time, or a duration, in whole milliseconds.
///
/// The machine never reads a clock: every input carries `now` in this unit, taken from any
/// monotonic clock the driver likes (`performance.now()` in browsers). Only differences
/// between values matter.
///
/// ```
/// use lifeline_ws::core::{Config, Input, Machine, Millis};
///
/// let mut m: Machine<String> = Machine::new(Config::default(), 1).unwrap();
/// let now: Millis = 86_400_000; // any monotonic clock: only differences matter
/// m.handle(Input::Start, now).unwrap();
/// // The opening handshake may take `connectionTimeout` (10 s) from then.
/// assert_eq!(m.next_deadline(), Some(now + 10_000));
/// ```
pub type Millis = u64;

/// Identifies one platform socket among all the sockets a machine ever asked for.
///
/// Every [`Command::Open`] carries a new generation, and every input about a socket carries
/// the generation of the socket it came from. Inputs of any generation other than the live
/// one are ignored, so a stale socket (abandoned after a timeout, say) can never produce an
/// event.
///
/// ```
/// use lifeline_ws::core::{Command, Config, Generation, Input, Machine, State};
///
/// let mut m: Machine<String> = Machine::new(Config::default(), 1).unwrap();
/// m.handle(Input::Start, 0).unwrap();
/// assert_eq!(m.poll_command(), Some(Command::Open { generation: Generation(1) }));
/// // An input about any other socket is ignored.
/// m.handle(Input::Opened { generation: Generation(7) }, 10).unwrap();
/// assert_eq!(m.state(), State::Connecting);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Generation(pub u32);

/// Where the connection stands, as the user sees it (`LifelineSocket.state`).
///
/// ```
/// use lifeline_ws::core::{Config, Input, Machine, State};
///
/// let mut m: Machine<String> = Machine::new(Config::default(), 1).unwrap();
/// assert_eq!(m.state(), State::Closed); // not started yet
/// m.handle(Input::Offline, 0).unwrap();
/// m.handle(Input::Start, 0).unwrap();
/// assert_eq!(m.state(), State::Waiting); // for the network
/// m.handle(Input::Online, 10).unwrap();
/// assert_eq!(m.state(), State::Connecting);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum State {
    /// A socket has been asked for and has not opened yet.
    Connecting,
    /// A socket is open; messages go straight to it.
    Open,
    /// No socket: waiting for the next attempt (backoff), for the network to come back,
    /// or for the page to be visible again.
    Waiting,
    /// The user called `close()` and the closing handshake is under way.
    Closing,
    /// Closed for good (by the user, by `shouldReconnect`, or after `giveup`) or not started
    /// yet; only `reconnect()` starts it again.
    Closed,
}

impl State {
    /// The name the JS API uses: `"connecting"`, `"open"`, `"waiting"`, `"closing"`, `"closed"`.
    ///
    /// ```
    /// use lifeline_ws::core::{Config, Machine, State};
    ///
    /// let m: Machine<String> = Machine::new(Config::default(), 1).unwrap();
    /// assert_eq!(m.state().as_str(), "closed");
    /// assert_eq!(State::Waiting.as_str(), "waiting");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            State::Connecting => "connecting",
            State::Open => "open",
            State::Waiting => "waiting",
            State::Closing => "closing",
            State::Closed => "closed",
        }
    }
}

/// Counters the user can read at any time (`LifelineSocket.stats`).
///
/// With the `serde` feature it serializes with the JS API's names: `attempts`,
/// `reconnects`, `lastRttMs`, `connectedSince` (on the driver's clock: `performance.now()`
/// for the Rust `Socket`, where the JS API gives `Date.now()` time) and `queued`.
///
/// ```
/// use lifeline_ws::core::{Command, Config, Input, Machine};
///
/// let mut m: Machine<&str> = Machine::new(Config::default(), 1).unwrap();
/// m.handle(Input::Send("hello"), 0).unwrap();
/// assert_eq!(m.stats().queued, 1);
/// m.handle(Input::Start, 0).unwrap();
/// let Some(Command::Open { generation }) = m.poll_command() else { unreachable!() };
/// m.handle(Input::Opened { generation }, 30).unwrap();
/// let stats = m.stats();
/// assert_eq!((stats.queued, stats.attempts, stats.connected_since), (0, 0, Some(30)));
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "camelCase"))]
pub struct Stats {
    /// The attempt number of the current series: 0 before any reconnection attempt, `n`
    /// once the `n`-th attempt since the last stable connection has been made. It goes back
    /// to 0 when a connection has stayed up for `minUptime`, and `reconnect()` restarts it.
    pub attempts: u32,
    /// How many times a connection was re-established after the first one opened.
    pub reconnects: u32,
    /// The round-trip time of the last answered heartbeat ping.
    #[cfg_attr(feature = "serde", serde(rename = "lastRttMs"))]
    pub last_rtt: Option<Millis>,
    /// When the current connection opened, on the clock the driver feeds in.
    pub connected_since: Option<Millis>,
    /// How many messages wait in the send queue.
    pub queued: usize,
}

/// Why an `error` event was emitted.
///
/// ```
/// use lifeline_ws::core::{Command, Config, ErrorCause, Event, Input, Machine};
///
/// let mut m: Machine<String> = Machine::new(Config::default(), 1).unwrap();
/// m.handle(Input::Start, 0).unwrap();
/// # while m.poll_command().is_some() {}
/// // Nobody answers: the handshake times out after `connectionTimeout`.
/// m.handle(Input::Deadline { last_message_at: None }, 10_000).unwrap();
/// let error = std::iter::from_fn(|| m.poll_command()).find_map(|c| match c {
///     Command::Emit(Event::Error { cause }) => Some(cause),
///     _ => None,
/// });
/// assert_eq!(error, Some(ErrorCause::ConnectionTimeout));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorCause {
    /// The platform socket reported an error.
    Socket,
    /// The URL could not be had: the URL provider threw, rejected, or gave an invalid URL.
    Url,
    /// The opening handshake did not finish within `connectionTimeout`; the socket was
    /// abandoned.
    ConnectionTimeout,
}

impl ErrorCause {
    /// The name the JS API uses: `"socket"`, `"url"` or `"connection-timeout"`.
    ///
    /// ```
    /// use lifeline_ws::core::ErrorCause;
    ///
    /// assert_eq!(ErrorCause::Socket.as_str(), "socket");
    /// assert_eq!(ErrorCause::Url.as_str(), "url");
    /// assert_eq!(ErrorCause::ConnectionTimeout.as_str(), "connection-timeout");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCause::Socket => "socket",
            ErrorCause::Url => "url",
            ErrorCause::ConnectionTimeout => "connection-timeout",
        }
    }
}

/// With the `serde` feature, a [`State`] is its JS name ([`State::as_str`]).
#[cfg(feature = "serde")]
impl serde::Serialize for State {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// With the `serde` feature, an [`ErrorCause`] is its JS name ([`ErrorCause::as_str`]).
#[cfg(feature = "serde")]
impl serde::Serialize for ErrorCause {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// What the driver tells the machine. Each is handled by [`Machine::handle`], with the
/// current time. `P` is a user message, `R` a close reason ([`Reason`](crate::core::Reason): a `String` unless
/// the driver picks another).
///
/// ```
/// use lifeline_ws::core::{Command, Config, Input, Machine, State};
///
/// let mut m: Machine<String> = Machine::new(Config::default(), 1).unwrap();
/// m.handle(Input::Start, 0).unwrap();
/// let Some(Command::Open { generation }) = m.poll_command() else { unreachable!() };
/// m.handle(Input::Opened { generation }, 20).unwrap();
/// let closed = Input::Closed { generation, code: 1001, reason: "bye".into(), was_clean: true };
/// m.handle(closed, 60_000).unwrap();
/// assert_eq!(m.state(), State::Waiting); // for the backoff's delay
/// ```
///
/// [`Machine::handle`]: crate::core::Machine::handle
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Input<P, R = String> {
    /// Begin: connect now, unless the config says `start_closed`.
    Start,
    /// The socket of `generation` opened.
    Opened {
        /// The socket it is about.
        generation: Generation,
    },
    /// A message that is the configured pong arrived on `generation`.
    Pong {
        /// The socket it is about.
        generation: Generation,
    },
    /// A message that is the server's own ping (`heartbeat.serverPing.ping`) arrived on
    /// `generation`.
    ServerPing {
        /// The socket it is about.
        generation: Generation,
    },
    /// Something went wrong with the socket of `generation`, or with getting its URL. A
    /// [`Input::Closed`] for the same generation follows.
    Error {
        /// The socket it is about.
        generation: Generation,
        /// What went wrong.
        cause: ErrorCause,
    },
    /// The socket of `generation` left OPEN before its `close` event: the server started
    /// the closing handshake (the platform socket is CLOSING). No event says so: the driver
    /// notices it when the user sends or reads the state. The connection counts as going
    /// down: `state` is `"closing"`, sends are queued for the next connection, and the
    /// `close` event is awaited for at most `closeTimeout`.
    Closing {
        /// The socket it is about.
        generation: Generation,
    },
    /// The socket of `generation` closed (the platform's `close` event).
    Closed {
        /// The socket it is about.
        generation: Generation,
        /// The close code the platform reported.
        code: u16,
        /// The close reason the platform reported.
        reason: R,
        /// Whether the closing handshake completed.
        was_clean: bool,
    },
    /// The driver's one timer fired for [`Machine::next_deadline`].
    ///
    /// [`Machine::next_deadline`]: crate::core::Machine::next_deadline
    Deadline {
        /// When the last message of any kind (data included) arrived on the live socket, if
        /// the driver keeps that number. Data messages never enter the machine one by one;
        /// this is how `anyMessageIsPong` and server-ping silence see them.
        last_message_at: Option<Millis>,
    },
    /// The user sent a message. While open, drivers usually write it to the socket directly
    /// and the machine never sees it; otherwise it is queued.
    Send(P),
    /// The user sent a message from a listener of an event that came before the machine
    /// ended for good (a `close` or `error` the driver is still delivering, while the
    /// machine already gave up or was told not to reconnect): the user has not been told
    /// the socket is closed, so the message is kept in the queue (for a later
    /// `reconnect()`) instead of being refused. After `close()` it is refused all the same.
    Keep(P),
    /// The user called `close(code, reason)`: close now and never reconnect.
    Close {
        /// The close code to send, if the user gave one (1000 or 3000–4999).
        code: Option<u16>,
        /// The close reason to send (at most 123 bytes of UTF-8).
        reason: R,
    },
    /// The user called `reconnect(code, reason)`: drop the socket and connect now, starting
    /// over at attempt 1.
    Reconnect {
        /// The close code to send on the dropped socket, if the user gave one.
        code: Option<u16>,
        /// The close reason to send on the dropped socket.
        reason: R,
    },
    /// The page became visible (`true`) or hidden (`false`).
    Visibility {
        /// Whether the page is now visible.
        visible: bool,
    },
    /// The platform reports network connectivity again (`online`).
    Online,
    /// The platform reports no network (`offline`).
    Offline,
    /// The page was shown (`pageshow`); `persisted` when it came back from the back/forward
    /// cache.
    PageShow {
        /// Whether the page is restored from the back/forward cache.
        persisted: bool,
    },
    /// The page is being hidden for navigation (`pagehide`); `persisted` when it may enter
    /// the back/forward cache.
    PageHide {
        /// Whether the page may be kept in the back/forward cache.
        persisted: bool,
    },
    /// The page was resumed after being frozen (`resume`). Being frozen needs no input of
    /// its own: the timer does not fire meanwhile, and a late one is noticed (see
    /// [`LATE_AFTER`](crate::core::LATE_AFTER)).
    Resume,
    /// The answer of the user's `shouldReconnect` to [`Command::AskShouldReconnect`].
    ShouldReconnect(bool),
}

/// A message to write to a socket.
///
/// Not `#[non_exhaustive]`, as [`Command`] and [`Event`] are not: a driver handles every
/// variant, and a new one must fail its build rather than fall into a `_` arm.
///
/// ```
/// use lifeline_ws::core::{Command, Config, Heartbeat, Input, Machine, Outgoing};
///
/// let config = Config { heartbeat: Some(Heartbeat::default()), ..Config::default() };
/// let mut m: Machine<String> = Machine::new(config, 1).unwrap();
/// m.handle(Input::Start, 0).unwrap();
/// let Some(Command::Open { generation }) = m.poll_command() else { unreachable!() };
/// m.handle(Input::Opened { generation }, 0).unwrap();
/// # while m.poll_command().is_some() {}
/// // After `interval` (25 s) of quiet, the client pings.
/// m.handle(Input::Deadline { last_message_at: None }, 25_000).unwrap();
/// assert_eq!(m.poll_command(), Some(Command::Send { generation, message: Outgoing::Ping }));
/// ```
#[derive(Clone, Debug, PartialEq)]
pub enum Outgoing<P> {
    /// A message the user sent.
    Message(P),
    /// The configured heartbeat ping.
    Ping,
    /// The configured reply to the server's ping.
    PingReply,
}

/// What the machine wants the driver to do, drained with [`Machine::poll_command`] in order.
/// `P` is a user message, `R` a close reason ([`Reason`](crate::core::Reason)).
///
/// Not `#[non_exhaustive]`: a driver carries out every command, and a new one must fail its
/// build rather than fall into a `_` arm.
///
/// ```
/// use lifeline_ws::core::{Command, Config, Generation, Input, Machine};
///
/// let mut m: Machine<String> = Machine::new(Config::default(), 1).unwrap();
/// m.handle(Input::Start, 0).unwrap();
/// # while m.poll_command().is_some() {}
/// // reconnect() while connecting: that socket is dropped and a new one asked for.
/// m.handle(Input::Reconnect { code: None, reason: String::new() }, 5).unwrap();
/// let Some(Command::Abandon { generation, dead, .. }) = m.poll_command() else { panic!() };
/// assert_eq!((generation, dead), (Generation(1), false));
/// assert_eq!(m.poll_command(), Some(Command::Open { generation: Generation(2) }));
/// ```
///
/// [`Machine::poll_command`]: crate::core::Machine::poll_command
#[derive(Clone, Debug, PartialEq)]
pub enum Command<P, R = String> {
    /// Get the URL (calling the user's provider if there is one) and open a socket for
    /// `generation`. If that fails, report [`Input::Error`] with [`ErrorCause::Url`] and then
    /// [`Input::Closed`] for the generation.
    Open {
        /// The generation the new socket carries in every input about it.
        generation: Generation,
    },
    /// Write a message to the socket of `generation`.
    Send {
        /// The socket to write to.
        generation: Generation,
        /// What to write.
        message: Outgoing<P>,
    },
    /// Start the closing handshake on the socket of `generation` and keep listening for its
    /// `close`.
    Close {
        /// The socket to close.
        generation: Generation,
        /// The close code to send; `None` sends none, as `WebSocket.close()` does.
        code: Option<u16>,
        /// The close reason to send.
        reason: R,
    },
    /// Detach every listener from the socket of `generation` and close it without waiting:
    /// the machine is done with it and nothing it does later may reach the user.
    Abandon {
        /// The socket to drop.
        generation: Generation,
        /// The close code to send, should the socket still be alive.
        code: u16,
        /// The close reason to send.
        reason: R,
        /// Whether the socket is believed dead (heartbeat, connection or closing timeout):
        /// then nothing is worth waiting for, and a driver that can (the `ws` package's
        /// `terminate()`) drops the connection at once instead of closing it.
        dead: bool,
    },
    /// Call the user's `shouldReconnect` with this close and feed the answer back as
    /// [`Input::ShouldReconnect`]. Only emitted when the config says such a function exists.
    AskShouldReconnect {
        /// The close code.
        code: u16,
        /// The close reason.
        reason: R,
        /// Whether the close was clean.
        was_clean: bool,
    },
    /// Dispatch an event to the user's listeners.
    Emit(Event<P, R>),
}

/// The `close` event: emitted once for every disconnection of an opened connection, and
/// once when the user closes a client that is connecting or waiting (closing a client that
/// is already closed, or was created with `startClosed` and never started, emits nothing).
/// `R` is a close reason ([`Reason`](crate::core::Reason)).
///
/// ```
/// use lifeline_ws::core::{CloseInfo, Command, Config, Event, Input, Machine};
///
/// let mut m: Machine<String> = Machine::new(Config::default(), 1).unwrap();
/// m.handle(Input::Start, 0).unwrap();
/// m.handle(Input::Close { code: Some(4000), reason: "done".into() }, 5).unwrap();
/// let close = std::iter::from_fn(|| m.poll_command()).find_map(|c| match c {
///     Command::Emit(Event::Close(info)) => Some(info),
///     _ => None,
/// });
/// let info = CloseInfo { code: 4000, reason: "done".into(), was_clean: true, will_reconnect: false, delay: None };
/// assert_eq!(close, Some(info));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CloseInfo<R = String> {
    /// The close code (the platform's, or 1006 when the machine abandoned a dead socket).
    pub code: u16,
    /// The close reason (the platform's, or the machine's own words for why it dropped the
    /// socket).
    pub reason: R,
    /// Whether the closing handshake completed.
    pub was_clean: bool,
    /// Whether the client will connect again by itself.
    pub will_reconnect: bool,
    /// How long until the next attempt, when one is scheduled; `None` when it waits for
    /// something else (network, visibility) or will not reconnect.
    pub delay: Option<Millis>,
}

/// What the user's listeners receive, through the driver. `P` is a user message, `R` a close
/// reason ([`Reason`](crate::core::Reason)).
///
/// Not `#[non_exhaustive]`: a driver delivers every event, and a new one must fail its build
/// rather than fall into a `_` arm.
///
/// ```
/// use lifeline_ws::core::{Backoff, Command, Config, Event, Input, Jitter, Machine};
///
/// let backoff = Backoff { jitter: Jitter::None, ..Backoff::default() };
/// let mut m: Machine<String> = Machine::new(Config { backoff, ..Config::default() }, 1).unwrap();
/// m.handle(Input::Start, 0).unwrap();
/// let Some(Command::Open { generation }) = m.poll_command() else { unreachable!() };
/// // The attempt fails before opening: no `close`, and retry 1 after `initialDelay`.
/// m.handle(Input::Closed { generation, code: 1006, reason: String::new(), was_clean: false }, 50).unwrap();
/// let events: Vec<Event<String>> = std::iter::from_fn(|| m.poll_command())
///     .filter_map(|c| if let Command::Emit(e) = c { Some(e) } else { None })
///     .collect();
/// assert!(events.contains(&Event::Reconnecting { attempt: 1, delay: 1000 }));
/// assert!(!events.iter().any(|e| matches!(e, Event::Close(_))));
/// ```
#[derive(Clone, Debug, PartialEq)]
pub enum Event<P, R = String> {
    /// The first connection opened (also every later one when no `reconnect` listener is
    /// set, so code written for a plain WebSocket keeps working).
    Open,
    /// A connection after the first one opened.
    Reconnect {
        /// Which attempt of the series succeeded (1 for the first retry).
        attempt: u32,
        /// How long the client had no open connection.
        downtime: Millis,
    },
    /// The next attempt is scheduled.
    Reconnecting {
        /// Its number in the current series (1 for the first retry).
        attempt: u32,
        /// How long until it is made.
        delay: Millis,
    },
    /// A connection ended (see [`CloseInfo`]).
    Close(CloseInfo<R>),
    /// Something went wrong; a connection attempt failed or will.
    Error {
        /// What went wrong.
        cause: ErrorCause,
    },
    /// `maxRetries` attempts failed; the client stays closed until `reconnect()`.
    GiveUp {
        /// How many reconnection attempts failed in a row: `maxRetries` (a client that never
        /// connected also made its first attempt before these).
        attempts: u32,
    },
    /// A heartbeat ping was answered.
    Heartbeat {
        /// Its round-trip time.
        rtt: Millis,
    },
    /// [`State`] changed.
    StateChange(State),
    /// The send queue was full with `overflow: "drop-oldest"`: this message was dropped to
    /// make room, and is handed back.
    Drop(P),
}
