//! The connection as a value with no I/O.
//!
//! In the quinn-proto manner, the methods of [`Machine`] come in four kinds:
//! - getters, taking `&self`: [`Machine::state`], [`Machine::stats`];
//! - [`Machine::handle`]: everything that happens — platform events, the timer, the user's
//!   calls — each with the time it happened;
//! - [`Machine::set_reconnect_listener`]: a setting the driver keeps current;
//! - `poll_*` / `next_*`: what the machine wants done: [`Machine::poll_command`], drained in a
//!   loop after every input, and [`Machine::next_deadline`], the one timer to arm.

use alloc::collections::VecDeque;
use alloc::string::String;

use super::backoff::Rng;
use super::config::{Config, ConfigError};
use super::num;
use super::queue::{Pushed, SendQueue};
use super::types::{
    CloseInfo, Command, ErrorCause, Event, Generation, Input, Millis, Outgoing, State, Stats,
};

/// A deadline handled more than this many ms after it was due means the device slept or the
/// page was frozen or throttled: the machine checks the connection (a probe) instead of
/// trusting the clock. Browsers align the timers of hidden pages to whole seconds, so up to
/// one second late is normal.
///
/// ```
/// # use lifeline_ws::core::{Config, Generation, Heartbeat, Input, Machine, State, LATE_AFTER};
/// // Open since 0 with heartbeats; a ping went out at 25 s, its pong is due by 35 s.
/// fn pinged() -> Machine<String> {
///     let config = Config { heartbeat: Some(Heartbeat::default()), ..Config::default() };
///     let mut m = Machine::new(config, 1).unwrap();
/// #   m.handle(Input::Start, 0).unwrap();
/// #   m.handle(Input::Opened { generation: Generation(1) }, 0).unwrap();
/// #   m.handle(Input::Deadline { last_message_at: None }, 25_000).unwrap();
///     m
/// }
/// let mut on_time = pinged();
/// on_time.handle(Input::Deadline { last_message_at: None }, 35_000 + LATE_AFTER).unwrap();
/// assert_eq!(on_time.state(), State::Waiting); // no pong: dead, dropped
/// let mut slept = pinged();
/// slept.handle(Input::Deadline { last_message_at: None }, 35_000 + LATE_AFTER + 1).unwrap();
/// assert_eq!(slept.state(), State::Open); // the device slept: ping again, no verdict
/// ```
pub const LATE_AFTER: Millis = 1000;

/// A connection that drops this soon (ms) after the page or the network came back and the
/// socket was probed is replaced at once, not after its backoff: browsers deliver the close
/// of a socket that died while the page was away (frozen, in the back/forward cache) just
/// after `resume` / `pageshow`, when the check has already found it "open".
///
/// ```
/// use lifeline_ws::core::{Command, Config, Input, Machine, State, RECHECK_WINDOW};
///
/// let mut m: Machine<String> = Machine::new(Config::default(), 1).unwrap();
/// m.handle(Input::Start, 0).unwrap();
/// let Some(Command::Open { generation }) = m.poll_command() else { unreachable!() };
/// m.handle(Input::Opened { generation }, 0).unwrap();
/// m.handle(Input::Resume, 60_000).unwrap(); // the page is back, the socket looks open
/// // Its close comes right after: the next attempt is made at once, not after a backoff.
/// let closed = Input::Closed { generation, code: 1006, reason: String::new(), was_clean: false };
/// m.handle(closed, 60_000 + RECHECK_WINDOW).unwrap();
/// assert_eq!(m.state(), State::Connecting);
/// ```
pub const RECHECK_WINDOW: Millis = 1000;

/// The close code of the `close` event when the machine dropped a socket that did not close
/// by itself (heartbeat timeout, closing-handshake timeout): "abnormal closure".
///
/// ```
/// use lifeline_ws::core::{Command, Config, Event, Heartbeat, Input, Machine, CODE_ABNORMAL};
///
/// let config = Config { heartbeat: Some(Heartbeat::default()), ..Config::default() };
/// let mut m: Machine<String> = Machine::new(config, 1).unwrap();
/// m.handle(Input::Start, 0).unwrap();
/// let Some(Command::Open { generation }) = m.poll_command() else { unreachable!() };
/// m.handle(Input::Opened { generation }, 0).unwrap();
/// m.handle(Input::Deadline { last_message_at: None }, 25_000).unwrap(); // ping
/// m.handle(Input::Deadline { last_message_at: None }, 35_000).unwrap(); // no pong
/// let close = std::iter::from_fn(|| m.poll_command()).find_map(|c| match c {
///     Command::Emit(Event::Close(info)) => Some(info),
///     _ => None,
/// });
/// assert_eq!(close.map(|c| (c.code, c.was_clean)), Some((CODE_ABNORMAL, false)));
/// ```
pub const CODE_ABNORMAL: u16 = 1006;

/// The close code of the `close` event when `close()` gave none: "no status received".
///
/// ```
/// use lifeline_ws::core::{Command, Config, Event, Input, Machine, CODE_NO_STATUS};
///
/// let mut m: Machine<String> = Machine::new(Config::default(), 1).unwrap();
/// m.handle(Input::Start, 0).unwrap();
/// m.handle(Input::Close { code: None, reason: String::new() }, 5).unwrap();
/// let codes: Vec<u16> = std::iter::from_fn(|| m.poll_command())
///     .filter_map(|c| if let Command::Emit(Event::Close(info)) = c { Some(info.code) } else { None })
///     .collect();
/// assert_eq!(codes, [CODE_NO_STATUS]);
/// ```
pub const CODE_NO_STATUS: u16 = 1005;

/// The close code the machine sends on a socket it drops.
///
/// ```
/// use lifeline_ws::core::{Command, Config, Input, Machine, CODE_NORMAL};
///
/// let mut m: Machine<String> = Machine::new(Config::default(), 1).unwrap();
/// m.handle(Input::Start, 0).unwrap();
/// let Some(Command::Open { generation }) = m.poll_command() else { unreachable!() };
/// m.handle(Input::Opened { generation }, 0).unwrap();
/// # while m.poll_command().is_some() {}
/// m.handle(Input::Reconnect { code: None, reason: String::new() }, 10).unwrap();
/// let Some(Command::Abandon { code, dead, .. }) = m.poll_command() else { panic!() };
/// assert_eq!((code, dead), (CODE_NORMAL, false));
/// ```
pub const CODE_NORMAL: u16 = 1000;

/// A user call the machine refused. Whatever the user handed over comes back inside.
///
/// ```
/// use lifeline_ws::core::{Config, Input, InputError, Machine};
///
/// let mut m: Machine<&str> = Machine::new(Config::default(), 1).unwrap();
/// m.handle(Input::Close { code: None, reason: String::new() }, 0).unwrap();
/// // Closed for good: the message is handed back.
/// assert_eq!(m.handle(Input::Send("late"), 1), Err(InputError::Closed("late")));
/// let long = "x".repeat(124);
/// let refused = m.handle(Input::Reconnect { code: None, reason: long }, 2);
/// assert_eq!(refused, Err(InputError::ReasonTooLong { bytes: 124 }));
/// ```
#[derive(Clone, Debug, PartialEq)]
pub enum InputError<P> {
    /// `send()` after `close()` or `giveup` (until `reconnect()`): the platform's
    /// `InvalidStateError`.
    Closed(P),
    /// `send()` while not open, with the queue full and `overflow: "throw"` (or queueing off,
    /// when `max` is 0).
    QueueFull {
        /// The message that was not queued.
        message: P,
        /// The queue's size (`queue.maxMessages`).
        max: usize,
    },
    /// `close()` or `reconnect()` with a code other than 1000 or 3000–4999: the platform's
    /// `InvalidAccessError`.
    InvalidCloseCode(u16),
    /// `close()` or `reconnect()` with a reason longer than 123 bytes of UTF-8: the
    /// platform's `SyntaxError`.
    ReasonTooLong {
        /// How many bytes the reason had.
        bytes: usize,
    },
}

impl<P> InputError<P> {
    /// The error as a sentence. Built without `core::fmt`, which would cost the wasm build
    /// several KB.
    ///
    /// ```
    /// use lifeline_ws::core::{Config, Input, Machine};
    ///
    /// let mut m: Machine<String> = Machine::new(Config::default(), 1).unwrap();
    /// let err = m.handle(Input::Close { code: Some(1001), reason: String::new() }, 0).unwrap_err();
    /// assert_eq!(err.message(), "close code must be 1000 or 3000-4999, got 1001");
    /// assert_eq!(err.to_string(), err.message());
    /// ```
    pub fn message(&self) -> String {
        let mut m = String::with_capacity(96);
        match self {
            InputError::Closed(_) => {
                m.push_str("send() after close(): the socket is closed (call reconnect() first)")
            }
            InputError::QueueFull { max: 0, .. } => m.push_str(
                "send() while not open, and queueing is off (queue.maxMessages is 0); the message was not sent",
            ),
            InputError::QueueFull { max, .. } => {
                m.push_str("send() while not open, and the send queue is full (");
                push_number(&mut m, *max as u64);
                m.push_str(" messages, queue.maxMessages); the message was not queued");
            }
            InputError::InvalidCloseCode(code) => {
                m.push_str("close code must be 1000 or 3000-4999, got ");
                push_number(&mut m, u64::from(*code));
            }
            InputError::ReasonTooLong { bytes } => {
                m.push_str("close reason must be at most 123 bytes of UTF-8, got ");
                push_number(&mut m, *bytes as u64);
            }
        }
        m
    }
}

/// Appends `n` in decimal.
fn push_number(out: &mut String, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for &d in &digits[i..] {
        out.push(char::from(d));
    }
}

impl<P> ::core::fmt::Display for InputError<P> {
    fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
        f.write_str(&self.message())
    }
}

impl<P: ::core::fmt::Debug> ::core::error::Error for InputError<P> {}

/// Why the client closed its own socket and now waits for the page to come back.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Park {
    /// Hidden longer than `closeWhenHiddenAfter`; waits for visible.
    Hidden,
    /// `pagehide` with `closeOnPageHide`; waits for `pageshow` (or visible / resume).
    PageHide,
}

/// Heartbeat pings of the client.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Ping {
    /// No ping outstanding; the next goes out at `next_at`.
    Idle { next_at: Millis },
    /// A ping went out at `sent_at`; its pong is due by `deadline`.
    Awaiting { sent_at: Millis, deadline: Millis },
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Conn {
    /// No socket and nothing scheduled: closed for good, or not started.
    Idle,
    /// A socket was asked for; the handshake must finish by `deadline`.
    Connecting {
        generation: Generation,
        deadline: Millis,
    },
    /// A socket is open.
    Open {
        generation: Generation,
        opened_at: Millis,
        /// When anything was last heard on it.
        heard_at: Millis,
        ping: Ping,
        /// Server-ping silence is not fatal before this (set by a late deadline).
        grace_until: Millis,
    },
    /// No socket; attempt number `attempt` is to be made at `retry_at` (`None`: not
    /// scheduled, waiting for the network or the page).
    Waiting {
        attempt: u32,
        retry_at: Option<Millis>,
    },
    /// A connection ended; waiting for the user's `shouldReconnect` answer.
    Deciding {
        code: u16,
        reason: String,
        was_clean: bool,
    },
    /// The user closed; the closing handshake must finish by `deadline`.
    Closing {
        generation: Generation,
        deadline: Millis,
    },
    /// The server started the closing handshake of the socket opened at `opened_at`; its
    /// `close` event is awaited until `deadline`.
    Draining {
        generation: Generation,
        opened_at: Millis,
        deadline: Millis,
    },
}

/// What follows a disconnection or a failed attempt.
enum Plan {
    /// Attempt `attempt` after `delay` ms (`None`: when the network or page allows).
    Retry { attempt: u32, delay: Option<Millis> },
    /// `maxRetries` is spent.
    GiveUp,
}

/// Timing options in whole milliseconds, converted once from the validated [`Config`].
#[derive(Clone, Copy, Debug)]
struct Timing {
    connection_timeout: Millis,
    close_timeout: Millis,
    min_uptime: Millis,
    interval: Millis,
    timeout: Millis,
    hidden_after: Option<Millis>,
    max_retries: Option<u32>,
}

fn ms(value: f64) -> Millis {
    num::ceil(value) as Millis
}

/// One connection that stays alive, as a deterministic state machine.
///
/// `P` is the payload of a user message: the wasm driver queues `JsValue`s without copying
/// them, tests use `String`s. The machine never reads a clock or a random source: time comes
/// with every input, jitter from a generator seeded by the caller.
///
/// ```
/// use lifeline_ws::core::{Command, Config, Event, Input, Machine, State};
///
/// let mut m: Machine<&str> = Machine::new(Config::default(), 1).unwrap();
/// m.handle(Input::Send("queued before open"), 0).unwrap();
/// m.handle(Input::Start, 0).unwrap();
/// let Some(Command::Open { generation }) = m.poll_command() else { unreachable!() };
/// assert_eq!(m.next_deadline(), Some(10_000)); // connectionTimeout
/// # while m.poll_command().is_some() {}
/// m.handle(Input::Opened { generation }, 25).unwrap();
/// assert_eq!(m.state(), State::Open);
/// let commands: Vec<_> = std::iter::from_fn(|| m.poll_command()).collect();
/// assert!(commands.iter().any(|c| matches!(c, Command::Send { .. })));
/// assert!(commands.contains(&Command::Emit(Event::Open)));
/// ```
#[derive(Debug)]
pub struct Machine<P> {
    config: Config,
    timing: Timing,
    rng: Rng,
    queue: SendQueue<P>,
    commands: VecDeque<Command<P>>,
    conn: Conn,
    state: State,
    /// The generation of the last socket asked for.
    generation: u32,
    /// The attempt number of the current series (0: the first connection).
    attempt: u32,
    reconnects: u32,
    last_rtt: Option<Millis>,
    started: bool,
    /// Closed for good (by the user, `shouldReconnect` or `giveup`) until `reconnect()`.
    ended: bool,
    ever_opened: bool,
    /// When the last connection ended (for `downtime`).
    down_since: Option<Millis>,
    online: bool,
    hidden_since: Option<Millis>,
    parked: Option<Park>,
    /// When the page or the network last came back while a socket was open (see
    /// [`RECHECK_WINDOW`]).
    checked_at: Option<Millis>,
}

impl<P> Machine<P> {
    /// A machine for `config`, its jitter drawn from a generator seeded with `seed`.
    /// It does nothing until [`Input::Start`].
    ///
    /// ```
    /// use lifeline_ws::core::{Config, Machine};
    ///
    /// let mut config = Config::default();
    /// config.connection_timeout = 0.0;
    /// assert_eq!(Machine::<String>::new(config, 1).unwrap_err().field(), "connectionTimeout");
    /// let mut m: Machine<String> = Machine::new(Config::default(), 1).unwrap();
    /// assert_eq!((m.poll_command(), m.next_deadline()), (None, None)); // idle until Start
    /// ```
    pub fn new(config: Config, seed: u64) -> Result<Self, ConfigError> {
        config.validate()?;
        let heartbeat = config.heartbeat.unwrap_or_default();
        let max_retries = config.backoff.max_retries;
        let timing = Timing {
            connection_timeout: ms(config.connection_timeout),
            close_timeout: ms(config.close_timeout),
            min_uptime: ms(config.backoff.min_uptime),
            interval: ms(heartbeat.interval),
            timeout: ms(heartbeat.timeout),
            hidden_after: config.lifecycle.close_when_hidden_after.map(ms),
            max_retries: max_retries.is_finite().then_some(max_retries as u32),
        };
        Ok(Machine {
            queue: SendQueue::new(config.queue.max_messages as usize, config.queue.overflow),
            config,
            timing,
            rng: Rng::new(seed),
            commands: VecDeque::new(),
            conn: Conn::Idle,
            state: State::Closed,
            generation: 0,
            attempt: 0,
            reconnects: 0,
            last_rtt: None,
            started: false,
            ended: false,
            ever_opened: false,
            down_since: None,
            online: true,
            hidden_since: None,
            parked: None,
            checked_at: None,
        })
    }

    // ----- getters -----

    /// Where the connection stands.
    ///
    /// ```
    /// use lifeline_ws::core::{Config, Input, Machine, State};
    ///
    /// let mut m: Machine<String> = Machine::new(Config::default(), 1).unwrap();
    /// m.handle(Input::Start, 0).unwrap();
    /// assert_eq!(m.state(), State::Connecting);
    /// m.handle(Input::Close { code: None, reason: String::new() }, 5).unwrap();
    /// assert_eq!(m.state(), State::Closed);
    /// ```
    pub fn state(&self) -> State {
        self.state
    }

    /// Counters for the user.
    ///
    /// ```
    /// use lifeline_ws::core::{Command, Config, Input, Machine};
    ///
    /// let mut m: Machine<String> = Machine::new(Config::default(), 1).unwrap();
    /// m.handle(Input::Start, 0).unwrap();
    /// let Some(Command::Open { generation }) = m.poll_command() else { unreachable!() };
    /// m.handle(Input::Opened { generation }, 0).unwrap();
    /// m.handle(Input::Closed { generation, code: 1001, reason: String::new(), was_clean: true }, 100).unwrap();
    /// m.handle(Input::Deadline { last_message_at: None }, m.next_deadline().unwrap()).unwrap();
    /// let generation = m.live_generation().unwrap();
    /// m.handle(Input::Opened { generation }, 40_000).unwrap();
    /// let stats = m.stats();
    /// assert_eq!((stats.attempts, stats.reconnects, stats.connected_since), (1, 1, Some(40_000)));
    /// ```
    pub fn stats(&self) -> Stats {
        Stats {
            attempts: self.attempt,
            reconnects: self.reconnects,
            last_rtt: self.last_rtt,
            connected_since: match self.conn {
                Conn::Open { opened_at, .. } => Some(opened_at),
                _ => None,
            },
            queued: self.queue.len(),
        }
    }

    /// The config the machine runs with.
    ///
    /// ```
    /// use lifeline_ws::core::{Config, Machine};
    ///
    /// let mut m: Machine<String> = Machine::new(Config::default(), 1).unwrap();
    /// assert_eq!(m.config(), &Config::default());
    /// m.set_reconnect_listener(true);
    /// assert!(m.config().reconnect_listener);
    /// ```
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Whether the client is closed for good (by `close()`, `shouldReconnect` or
    /// `giveup`) until `reconnect()`; a client not started yet is not.
    ///
    /// ```
    /// use lifeline_ws::core::{Config, Input, Machine};
    ///
    /// let mut m: Machine<String> = Machine::new(Config::default(), 1).unwrap();
    /// assert!(!m.is_closed_for_good()); // not started
    /// m.handle(Input::Close { code: None, reason: String::new() }, 0).unwrap();
    /// assert!(m.is_closed_for_good());
    /// m.handle(Input::Reconnect { code: None, reason: String::new() }, 10).unwrap();
    /// assert!(!m.is_closed_for_good());
    /// ```
    pub fn is_closed_for_good(&self) -> bool {
        self.ended
    }

    /// The generation of the socket the machine currently uses, if any: the driver drops
    /// every platform event of any other.
    ///
    /// ```
    /// use lifeline_ws::core::{Config, Generation, Input, Machine, State};
    ///
    /// let mut m: Machine<String> = Machine::new(Config::default(), 1).unwrap();
    /// assert_eq!(m.live_generation(), None);
    /// m.handle(Input::Start, 0).unwrap();
    /// m.handle(Input::Reconnect { code: None, reason: String::new() }, 5).unwrap();
    /// assert_eq!(m.live_generation(), Some(Generation(2)));
    /// // The first socket was abandoned: its events change nothing.
    /// m.handle(Input::Opened { generation: Generation(1) }, 10).unwrap();
    /// assert_eq!(m.state(), State::Connecting);
    /// ```
    pub fn live_generation(&self) -> Option<Generation> {
        match self.conn {
            Conn::Connecting { generation, .. }
            | Conn::Open { generation, .. }
            | Conn::Draining { generation, .. }
            | Conn::Closing { generation, .. } => Some(generation),
            _ => None,
        }
    }

    // ----- settings -----

    /// Tells the machine whether a `reconnect` listener exists now. Without one,
    /// re-connections emit [`Event::Open`] instead of [`Event::Reconnect`].
    ///
    /// ```
    /// # use lifeline_ws::core::{Command, Config, Event, Input, Machine};
    /// # let mut m: Machine<String> = Machine::new(Config::default(), 1).unwrap();
    /// # m.handle(Input::Start, 0).unwrap();
    /// # let Some(Command::Open { generation }) = m.poll_command() else { unreachable!() };
    /// # m.handle(Input::Opened { generation }, 0).unwrap();
    /// // An open connection drops; its retry opens with a `reconnect` listener present.
    /// m.set_reconnect_listener(true);
    /// m.handle(Input::Closed { generation, code: 1001, reason: String::new(), was_clean: true }, 100).unwrap();
    /// m.handle(Input::Deadline { last_message_at: None }, m.next_deadline().unwrap()).unwrap();
    /// let generation = m.live_generation().unwrap();
    /// # while m.poll_command().is_some() {}
    /// m.handle(Input::Opened { generation }, 40_000).unwrap();
    /// let commands: Vec<_> = std::iter::from_fn(|| m.poll_command()).collect();
    /// assert!(commands.iter().any(|c| matches!(c, Command::Emit(Event::Reconnect { attempt: 1, .. }))));
    /// assert!(!commands.contains(&Command::Emit(Event::Open)));
    /// ```
    pub fn set_reconnect_listener(&mut self, present: bool) {
        self.config.reconnect_listener = present;
    }

    // ----- poll -----

    /// The next thing to do, in order; call until `None` after every input.
    ///
    /// ```
    /// use lifeline_ws::core::{Command, Config, Event, Generation, Input, Machine, State};
    ///
    /// let mut m: Machine<String> = Machine::new(Config::default(), 1).unwrap();
    /// m.handle(Input::Start, 0).unwrap();
    /// let commands: Vec<_> = std::iter::from_fn(|| m.poll_command()).collect();
    /// assert_eq!(commands, [
    ///     Command::Open { generation: Generation(1) },
    ///     Command::Emit(Event::StateChange(State::Connecting)),
    /// ]);
    /// ```
    pub fn poll_command(&mut self) -> Option<Command<P>> {
        self.commands.pop_front()
    }

    /// When to feed [`Input::Deadline`], if anything is scheduled. The driver keeps exactly
    /// one timer for it; nothing is scheduled while idle without heartbeats.
    ///
    /// ```
    /// use lifeline_ws::core::{Command, Config, Input, Machine};
    ///
    /// let mut m: Machine<String> = Machine::new(Config::default(), 1).unwrap();
    /// m.handle(Input::Start, 100).unwrap();
    /// assert_eq!(m.next_deadline(), Some(10_100)); // the handshake's timeout
    /// let Some(Command::Open { generation }) = m.poll_command() else { unreachable!() };
    /// m.handle(Input::Opened { generation }, 150).unwrap();
    /// assert_eq!(m.next_deadline(), None); // open, no heartbeats: no timer
    /// ```
    pub fn next_deadline(&self) -> Option<Millis> {
        let own = match &self.conn {
            Conn::Idle | Conn::Deciding { .. } => None,
            Conn::Connecting { deadline, .. }
            | Conn::Closing { deadline, .. }
            | Conn::Draining { deadline, .. } => Some(*deadline),
            Conn::Open {
                heard_at,
                ping,
                grace_until,
                ..
            } => self.heartbeat_deadline(*heard_at, *ping, *grace_until),
            Conn::Waiting { retry_at, .. } => retry_at.filter(|_| !self.paused()),
        };
        min_some(own, self.hidden_deadline())
    }

    fn heartbeat_deadline(&self, heard_at: Millis, ping: Ping, grace: Millis) -> Option<Millis> {
        let h = self.config.heartbeat?;
        let client = h.client_ping.then_some(match ping {
            Ping::Idle { next_at } => next_at,
            Ping::Awaiting { deadline, .. } => deadline,
        });
        let server = h
            .server_ping
            .then(|| (heard_at + self.timing.interval + self.timing.timeout).max(grace));
        min_some(client, server)
    }

    /// When the page will have been hidden for `closeWhenHiddenAfter`.
    fn hidden_deadline(&self) -> Option<Millis> {
        let live = matches!(
            self.conn,
            Conn::Connecting { .. } | Conn::Open { .. } | Conn::Waiting { .. }
        );
        match (self.timing.hidden_after, self.hidden_since, self.parked) {
            (Some(after), Some(since), None) if live => Some(since + after),
            _ => None,
        }
    }

    // ----- handle -----

    /// Feeds one input that happened at `now`. Only user calls can fail (see
    /// [`InputError`]); a refused call changes nothing and hands back what it was given.
    ///
    /// ```
    /// use lifeline_ws::core::{Config, Input, InputError, Machine, State};
    ///
    /// let mut m: Machine<String> = Machine::new(Config::default(), 1).unwrap();
    /// m.handle(Input::Start, 0).unwrap();
    /// let refused = m.handle(Input::Close { code: Some(1001), reason: String::new() }, 5);
    /// assert_eq!(refused, Err(InputError::InvalidCloseCode(1001)));
    /// assert_eq!(m.state(), State::Connecting); // nothing changed
    /// ```
    pub fn handle(&mut self, input: Input<P>, now: Millis) -> Result<(), InputError<P>> {
        match input {
            Input::Start => self.start(now),
            Input::Opened { generation } => self.on_opened(generation, now),
            Input::Pong { generation } => self.on_pong(generation, now),
            Input::ServerPing { generation } => self.on_server_ping(generation, now),
            Input::Error { generation, cause } => {
                if self.live_generation() == Some(generation) {
                    self.emit(Event::Error { cause });
                }
            }
            Input::Closed {
                generation,
                code,
                reason,
                was_clean,
            } => self.on_closed(generation, code, reason, was_clean, now),
            Input::Closing { generation } => self.on_peer_closing(generation, now),
            Input::Deadline { last_message_at } => self.on_deadline(last_message_at, now),
            Input::Send(message) => return self.send(message),
            Input::Close { code, reason } => {
                check_close(code, &reason)?;
                self.close(code, reason, now);
            }
            Input::Reconnect { code, reason } => {
                check_close(code, &reason)?;
                self.reconnect(code, reason, now);
            }
            Input::Visibility { visible: false } => {
                self.hidden_since.get_or_insert(now);
            }
            Input::Visibility { visible: true } => {
                self.hidden_since = None;
                self.page_back(self.config.lifecycle.probe_on_visible, now);
            }
            Input::Online => {
                self.online = true;
                self.network_back(now);
            }
            Input::Offline => {
                self.online = false;
                // The network changed under an open socket: find out now whether it survived.
                self.probe(now);
            }
            Input::PageShow { persisted } => {
                self.page_back(persisted && self.config.lifecycle.probe_on_visible, now)
            }
            Input::PageHide { .. } => {
                if self.config.lifecycle.close_on_page_hide {
                    self.park(Park::PageHide, "page hidden (pagehide)", now);
                }
            }
            Input::Freeze => {}
            Input::Resume => self.page_back(self.config.lifecycle.probe_on_visible, now),
            Input::ShouldReconnect(answer) => self.on_decision(answer, now),
        }
        Ok(())
    }

    fn start(&mut self, now: Millis) {
        if self.started {
            return;
        }
        self.started = true;
        if self.config.start_closed {
            return;
        }
        if self.paused() {
            self.conn = Conn::Waiting {
                attempt: 0,
                retry_at: None,
            };
            self.set_state(State::Waiting);
        } else {
            self.open_socket(now);
        }
    }

    fn on_opened(&mut self, generation: Generation, now: Millis) {
        if !matches!(self.conn, Conn::Connecting { generation: g, .. } if g == generation) {
            return;
        }
        self.checked_at = None;
        self.conn = Conn::Open {
            generation,
            opened_at: now,
            heard_at: now,
            ping: Ping::Idle {
                next_at: now + self.timing.interval,
            },
            grace_until: 0,
        };
        // Queued messages go first, before any event of the new connection (`statechange`
        // included), so that whatever the user sends from a listener comes after them.
        while let Some(message) = self.queue.pop() {
            self.commands.push_back(Command::Send {
                generation,
                message: Outgoing::Message(message),
            });
        }
        self.set_state(State::Open);
        if !self.ever_opened {
            self.ever_opened = true;
            self.emit(Event::Open);
            return;
        }
        self.reconnects += 1;
        if self.config.reconnect_listener {
            let downtime = now.saturating_sub(self.down_since.unwrap_or(now));
            self.emit(Event::Reconnect {
                attempt: self.attempt,
                downtime,
            });
        } else {
            self.emit(Event::Open);
        }
    }

    fn on_pong(&mut self, generation: Generation, now: Millis) {
        let interval = self.timing.interval;
        let Conn::Open {
            generation: g,
            heard_at,
            ping,
            ..
        } = &mut self.conn
        else {
            return;
        };
        if *g != generation {
            return;
        }
        *heard_at = now;
        if let Ping::Awaiting { sent_at, .. } = *ping {
            let rtt = now.saturating_sub(sent_at);
            *ping = Ping::Idle {
                next_at: (sent_at + interval).max(now),
            };
            self.last_rtt = Some(rtt);
            self.emit(Event::Heartbeat { rtt });
        }
    }

    fn on_server_ping(&mut self, generation: Generation, now: Millis) {
        let Conn::Open {
            generation: g,
            heard_at,
            ..
        } = &mut self.conn
        else {
            return;
        };
        if *g != generation {
            return;
        }
        *heard_at = now;
        if self.config.heartbeat.is_some_and(|h| h.server_ping) {
            self.commands.push_back(Command::Send {
                generation,
                message: Outgoing::PingReply,
            });
        }
    }

    fn on_closed(
        &mut self,
        generation: Generation,
        code: u16,
        reason: String,
        was_clean: bool,
        now: Millis,
    ) {
        if self.live_generation() != Some(generation) {
            return;
        }
        match self.conn {
            Conn::Connecting { .. } => self.attempt_failed(now),
            Conn::Open { opened_at, .. } | Conn::Draining { opened_at, .. } => {
                self.disconnected(opened_at, code, reason, was_clean, now)
            }
            Conn::Closing { .. } => self.closed_for_good(code, reason, was_clean, now),
            _ => {}
        }
    }

    fn on_deadline(&mut self, last_message_at: Option<Millis>, now: Millis) {
        if let (Conn::Open { heard_at, .. }, Some(at)) = (&mut self.conn, last_message_at) {
            *heard_at = (*heard_at).max(at.min(now));
        }
        let Some(due) = self.next_deadline().filter(|&due| due <= now) else {
            return; // early or spurious: the driver re-arms for next_deadline()
        };
        let late = now - due > LATE_AFTER;
        if self.hidden_deadline().is_some_and(|at| at <= now) {
            self.park(Park::Hidden, "page hidden (closeWhenHiddenAfter)", now);
            return;
        }
        match self.conn {
            Conn::Connecting {
                generation,
                ref mut deadline,
            } if *deadline <= now => {
                if late {
                    // The handshake had no time to run while the device slept.
                    *deadline = now + self.timing.connection_timeout;
                    return;
                }
                self.abandon_dead(generation, "connection timeout");
                self.emit(Event::Error {
                    cause: ErrorCause::ConnectionTimeout,
                });
                self.attempt_failed(now);
            }
            Conn::Waiting {
                attempt,
                retry_at: Some(at),
            } if at <= now => self.attempt_now(attempt, now),
            Conn::Closing {
                generation,
                deadline,
            } if deadline <= now => {
                self.abandon_dead(generation, "closing handshake timed out");
                self.closed_for_good(
                    CODE_ABNORMAL,
                    "closing handshake timed out".into(),
                    false,
                    now,
                );
            }
            Conn::Draining {
                generation,
                opened_at,
                deadline,
            } if deadline <= now => {
                let reason = "closing handshake timed out";
                self.abandon_dead(generation, reason);
                self.disconnected(opened_at, CODE_ABNORMAL, reason.into(), false, now);
            }
            Conn::Open { .. } => self.check_heartbeat(late, now),
            _ => {}
        }
    }

    fn on_peer_closing(&mut self, generation: Generation, now: Millis) {
        if let Conn::Open {
            generation: g,
            opened_at,
            ..
        } = self.conn
        {
            if g == generation {
                self.conn = Conn::Draining {
                    generation,
                    opened_at,
                    deadline: now + self.timing.close_timeout,
                };
                self.set_state(State::Closing);
            }
        }
    }

    /// Sends pings that are due, and decides on pongs and server pings that are overdue.
    fn check_heartbeat(&mut self, late: bool, now: Millis) {
        let Some(h) = self.config.heartbeat else {
            return;
        };
        let (interval, timeout) = (self.timing.interval, self.timing.timeout);
        let Conn::Open {
            generation,
            opened_at,
            heard_at,
            ping,
            grace_until,
        } = self.conn
        else {
            return;
        };
        if h.client_ping {
            match ping {
                Ping::Idle { next_at } if next_at <= now => {
                    if h.any_message_is_pong && heard_at + interval > now {
                        // Traffic proved the connection alive; ping only after silence.
                        self.set_ping(Ping::Idle {
                            next_at: heard_at + interval,
                        });
                    } else {
                        let ping = self.send_ping(generation, now);
                        self.set_ping(ping);
                    }
                }
                Ping::Awaiting { sent_at, deadline } if deadline <= now => {
                    if h.any_message_is_pong && heard_at > sent_at {
                        self.set_ping(Ping::Idle {
                            next_at: heard_at + interval,
                        });
                    } else if late {
                        // A late timer is no proof of a dead server: ask again first.
                        let ping = self.send_ping(generation, now);
                        self.set_ping(ping);
                    } else {
                        return self.dead(generation, opened_at, "heartbeat timeout", now);
                    }
                }
                _ => {}
            }
        }
        if h.server_ping && (heard_at + interval + timeout).max(grace_until) <= now {
            if late {
                self.extend_grace(now + timeout);
            } else {
                self.dead(generation, opened_at, "server ping timeout", now);
            }
        }
    }

    fn set_ping(&mut self, new: Ping) {
        if let Conn::Open { ping, .. } = &mut self.conn {
            *ping = new;
        }
    }

    fn extend_grace(&mut self, until: Millis) {
        if let Conn::Open { grace_until, .. } = &mut self.conn {
            *grace_until = (*grace_until).max(until);
        }
    }

    fn send_ping(&mut self, generation: Generation, now: Millis) -> Ping {
        self.commands.push_back(Command::Send {
            generation,
            message: Outgoing::Ping,
        });
        Ping::Awaiting {
            sent_at: now,
            deadline: now + self.timing.timeout,
        }
    }

    /// Checks an open socket at once with a ping, when client pings are configured. With
    /// server pings only there is nothing to send, and the schedule stays as it is: a verdict
    /// due now falls when the timer fires (at once), and one the page slept through (due more
    /// than [`LATE_AFTER`] ago) meets a late timer, which gives the server `timeout` from
    /// then. A probe never postpones a verdict, whether still to come or already due.
    fn probe(&mut self, now: Millis) {
        let (Some(h), Conn::Open { generation, .. }) = (self.config.heartbeat, &self.conn) else {
            return;
        };
        if h.client_ping {
            // A ping already awaiting its pong keeps its deadline: probing must never
            // postpone the verdict on a dead socket.
            let earlier = match self.conn {
                Conn::Open {
                    ping: Ping::Awaiting { deadline, .. },
                    ..
                } => deadline,
                _ => Millis::MAX,
            };
            let ping = match self.send_ping(*generation, now) {
                Ping::Awaiting { sent_at, deadline } => Ping::Awaiting {
                    sent_at,
                    deadline: deadline.min(earlier),
                },
                idle => idle,
            };
            self.set_ping(ping);
        }
    }

    fn send(&mut self, message: P) -> Result<(), InputError<P>> {
        match self.conn {
            Conn::Open { generation, .. } => {
                self.commands.push_back(Command::Send {
                    generation,
                    message: Outgoing::Message(message),
                });
                Ok(())
            }
            Conn::Closing { .. } => Err(InputError::Closed(message)),
            Conn::Idle if self.ended => Err(InputError::Closed(message)),
            // Not started yet (or `startClosed`), or the connection is going down: kept for
            // the next open.
            Conn::Idle
            | Conn::Connecting { .. }
            | Conn::Waiting { .. }
            | Conn::Deciding { .. }
            | Conn::Draining { .. } => match self.queue.push(message) {
                Pushed::Queued => Ok(()),
                Pushed::DroppedOldest(oldest) => {
                    self.emit(Event::Drop(oldest));
                    Ok(())
                }
                Pushed::Full(message) => Err(InputError::QueueFull {
                    message,
                    max: self.queue.capacity(),
                }),
            },
        }
    }

    fn close(&mut self, code: Option<u16>, reason: String, now: Millis) {
        self.started = true;
        self.parked = None;
        match self.conn {
            Conn::Idle => self.ended = true,
            Conn::Closing { .. } => {}
            Conn::Open { generation, .. } => {
                self.commands.push_back(Command::Close {
                    generation,
                    code,
                    reason,
                });
                self.conn = Conn::Closing {
                    generation,
                    deadline: now + self.timing.close_timeout,
                };
                self.set_state(State::Closing);
            }
            // The server's closing handshake is under way: it ends for good now.
            Conn::Draining {
                generation,
                deadline,
                ..
            } => {
                self.conn = Conn::Closing {
                    generation,
                    deadline,
                };
            }
            Conn::Connecting { generation, .. } => {
                self.abandon(generation, "closed by the user");
                self.closed_for_good(code.unwrap_or(CODE_NO_STATUS), reason, true, now);
            }
            Conn::Waiting { .. } => {
                self.closed_for_good(code.unwrap_or(CODE_NO_STATUS), reason, true, now);
            }
            // The connection that ended is still owed its `close`: that one is final now.
            Conn::Deciding {
                code,
                ref mut reason,
                was_clean,
            } => {
                let reason = ::core::mem::take(reason);
                self.closed_for_good(code, reason, was_clean, now);
            }
        }
    }

    fn reconnect(&mut self, code: Option<u16>, reason: String, now: Millis) {
        self.checked_at = None;
        self.started = true;
        self.ended = false;
        self.parked = None;
        match self.conn {
            // A connection that is open (or still closing) ends here, with its `close`.
            Conn::Open { generation, .. }
            | Conn::Draining { generation, .. }
            | Conn::Closing { generation, .. } => {
                self.abandon_with(generation, code.unwrap_or(CODE_NORMAL), reason.clone());
                self.down_since = Some(now);
                self.attempt = 0;
                self.attempt_now(1, now);
                self.emit(Event::Close(CloseInfo {
                    code: code.unwrap_or(CODE_NORMAL),
                    reason,
                    was_clean: true,
                    will_reconnect: true,
                    delay: Some(0),
                }));
            }
            Conn::Connecting { generation, .. } => {
                self.abandon(generation, "reconnect() called");
                self.attempt_now(1, now);
            }
            Conn::Deciding {
                code,
                ref mut reason,
                was_clean,
            } => {
                // The connection that ended is still owed its `close`.
                let reason = ::core::mem::take(reason);
                self.attempt_now(1, now);
                self.emit(Event::Close(CloseInfo {
                    code,
                    reason,
                    was_clean,
                    will_reconnect: true,
                    delay: Some(0),
                }));
            }
            Conn::Waiting { .. } | Conn::Idle if self.paused() => {
                // Offline: attempt 1 of a new series, as soon as the network is back.
                self.attempt = 0;
                self.wait(1, None);
                return;
            }
            Conn::Waiting { .. } | Conn::Idle => self.attempt_now(1, now),
        }
        if self.ever_opened {
            self.emit(Event::Reconnecting {
                attempt: 1,
                delay: 0,
            });
        }
    }

    /// The page is back (visible, `pageshow`, `resume`): a parked client connects, and with
    /// `check` an open socket is probed and a waiting one attempts now.
    fn page_back(&mut self, check: bool, now: Millis) {
        if self.parked.take().is_some() {
            // The planned attempt now, or as soon as the network allows.
            if let Conn::Waiting { attempt, .. } = self.conn {
                if !self.paused() {
                    self.attempt_now(attempt, now);
                }
            }
        } else if check {
            self.check_now(now);
        }
    }

    fn network_back(&mut self, now: Millis) {
        if self.paused() {
            return;
        }
        if self.config.lifecycle.reconnect_on_online {
            self.check_now(now);
        } else if let Conn::Waiting {
            attempt,
            retry_at: ref mut at @ None,
        } = self.conn
        {
            let delay = self.config.backoff.delay(attempt.max(1), &mut self.rng);
            *at = Some(now + if attempt == 0 { 0 } else { delay });
            if attempt > 0 {
                self.emit(Event::Reconnecting { attempt, delay });
            }
        }
    }

    /// Probe an open socket; make a waiting client attempt now, if nothing holds it back.
    fn check_now(&mut self, now: Millis) {
        match self.conn {
            Conn::Open { .. } => {
                self.checked_at = Some(now);
                self.probe(now);
            }
            Conn::Waiting { attempt, .. } if !self.paused() => self.attempt_now(attempt, now),
            _ => {}
        }
    }

    /// Closes the socket on behalf of the page and waits for it to come back.
    fn park(&mut self, why: Park, reason: &'static str, now: Millis) {
        match self.conn {
            Conn::Open {
                generation,
                opened_at,
                ..
            }
            | Conn::Draining {
                generation,
                opened_at,
                ..
            } => {
                // A working connection closed by us: coming back starts a new series.
                self.abandon(generation, reason);
                self.ended(opened_at, now);
                self.attempt = 0;
                self.wait(1, None);
                self.emit(Event::Close(CloseInfo {
                    code: CODE_NORMAL,
                    reason: reason.into(),
                    was_clean: true,
                    will_reconnect: true,
                    delay: None,
                }));
            }
            Conn::Connecting { generation, .. } => {
                // Not a failure: the same attempt is made again when the page is back.
                self.abandon(generation, reason);
                self.wait(self.attempt, None);
            }
            Conn::Waiting { attempt, .. } => self.wait(attempt, None),
            Conn::Deciding { .. } => {}
            Conn::Idle | Conn::Closing { .. } => return,
        }
        self.parked = Some(why);
    }

    fn on_decision(&mut self, answer: bool, now: Millis) {
        let Conn::Deciding {
            code,
            ref mut reason,
            was_clean,
        } = self.conn
        else {
            return;
        };
        let reason = ::core::mem::take(reason);
        if answer {
            let plan = self.plan();
            self.carry_out(plan, Some((code, reason, was_clean)), now);
        } else {
            self.closed_for_good(code, reason, was_clean, now);
        }
    }

    // ----- transitions -----

    /// An opened connection ended without the user asking.
    fn disconnected(
        &mut self,
        opened_at: Millis,
        code: u16,
        reason: String,
        was_clean: bool,
        now: Millis,
    ) {
        self.ended(opened_at, now);
        if self.config.should_reconnect {
            self.commands.push_back(Command::AskShouldReconnect {
                code,
                reason: reason.clone(),
                was_clean,
            });
            self.conn = Conn::Deciding {
                code,
                reason,
                was_clean,
            };
            self.set_state(State::Waiting);
        } else {
            let plan = self.plan();
            self.carry_out(plan, Some((code, reason, was_clean)), now);
        }
    }

    /// Bookkeeping when an open connection ends: downtime starts, and a connection that
    /// stayed up for `minUptime` starts a new series of attempts.
    fn ended(&mut self, opened_at: Millis, now: Millis) {
        self.down_since = Some(now);
        if now.saturating_sub(opened_at) >= self.timing.min_uptime {
            self.attempt = 0;
        }
    }

    /// A heartbeat found the socket dead: drop it without waiting for a handshake that will
    /// never complete, and reconnect.
    fn dead(&mut self, generation: Generation, opened_at: Millis, why: &'static str, now: Millis) {
        self.abandon_dead(generation, why);
        self.disconnected(opened_at, CODE_ABNORMAL, why.into(), false, now);
    }

    fn attempt_failed(&mut self, now: Millis) {
        let plan = self.plan();
        self.carry_out(plan, None, now);
    }

    fn plan(&mut self) -> Plan {
        let attempt = self.attempt.saturating_add(1);
        if self.timing.max_retries.is_some_and(|max| attempt > max) {
            return Plan::GiveUp;
        }
        let delay = (!self.paused()).then(|| self.config.backoff.delay(attempt, &mut self.rng));
        Plan::Retry { attempt, delay }
    }

    /// Moves to what `plan` says, emitting the `close` of the connection that ended (if
    /// any), then `reconnecting` or `giveup`.
    fn carry_out(&mut self, plan: Plan, close: Option<(u16, String, bool)>, now: Millis) {
        // A connection found "open" by a check just before, now closed: the check's
        // immediate attempt is owed (RECHECK_WINDOW).
        let recheck = close.is_some()
            && self
                .checked_at
                .take()
                .is_some_and(|at| now.saturating_sub(at) <= RECHECK_WINDOW);
        match plan {
            Plan::Retry {
                attempt,
                delay: Some(_),
            } if recheck => {
                // Announced as what it is: an attempt with no delay.
                let plan = Plan::Retry {
                    attempt,
                    delay: Some(0),
                };
                self.carry_out(plan, close, now);
                self.attempt_now(attempt, now);
            }
            Plan::Retry { attempt, delay } => {
                self.wait(attempt, delay.map(|d| now + d));
                if let Some((code, reason, was_clean)) = close {
                    self.emit(Event::Close(CloseInfo {
                        code,
                        reason,
                        was_clean,
                        will_reconnect: true,
                        delay,
                    }));
                }
                if let Some(delay) = delay {
                    self.emit(Event::Reconnecting { attempt, delay });
                }
            }
            Plan::GiveUp => {
                self.conn = Conn::Idle;
                self.ended = true;
                self.set_state(State::Closed);
                if let Some((code, reason, was_clean)) = close {
                    self.emit(Event::Close(CloseInfo {
                        code,
                        reason,
                        was_clean,
                        will_reconnect: false,
                        delay: None,
                    }));
                }
                self.emit(Event::GiveUp {
                    attempts: self.attempt,
                });
            }
        }
    }

    fn wait(&mut self, attempt: u32, retry_at: Option<Millis>) {
        self.conn = Conn::Waiting { attempt, retry_at };
        self.set_state(State::Waiting);
    }

    /// Ends everything for good: no socket, nothing scheduled, one final `close`.
    fn closed_for_good(&mut self, code: u16, reason: String, was_clean: bool, now: Millis) {
        match self.conn {
            Conn::Open { opened_at, .. } | Conn::Draining { opened_at, .. } => {
                self.ended(opened_at, now)
            }
            Conn::Closing { .. } => self.down_since = Some(now),
            _ => {}
        }
        self.conn = Conn::Idle;
        self.ended = true;
        self.parked = None;
        self.set_state(State::Closed);
        self.emit(Event::Close(CloseInfo {
            code,
            reason,
            was_clean,
            will_reconnect: false,
            delay: None,
        }));
    }

    /// Makes attempt number `attempt` now.
    fn attempt_now(&mut self, attempt: u32, now: Millis) {
        self.attempt = attempt;
        self.open_socket(now);
    }

    fn open_socket(&mut self, now: Millis) {
        self.generation = self.generation.wrapping_add(1);
        let generation = Generation(self.generation);
        self.commands.push_back(Command::Open { generation });
        self.conn = Conn::Connecting {
            generation,
            deadline: now + self.timing.connection_timeout,
        };
        self.set_state(State::Connecting);
    }

    /// Drops a socket that may well be healthy: closed with the handshake, unawaited.
    fn abandon(&mut self, generation: Generation, reason: &'static str) {
        self.abandon_with(generation, CODE_NORMAL, reason.into());
    }

    fn abandon_with(&mut self, generation: Generation, code: u16, reason: String) {
        self.commands.push_back(Command::Abandon {
            generation,
            code,
            reason,
            dead: false,
        });
    }

    /// Drops a socket believed dead (no pong, no handshake): nothing is waited for.
    fn abandon_dead(&mut self, generation: Generation, reason: &'static str) {
        self.commands.push_back(Command::Abandon {
            generation,
            code: CODE_NORMAL,
            reason: reason.into(),
            dead: true,
        });
    }

    fn paused(&self) -> bool {
        self.parked.is_some() || (self.config.lifecycle.pause_when_offline && !self.online)
    }

    fn set_state(&mut self, state: State) {
        if self.state != state {
            self.state = state;
            self.emit(Event::StateChange(state));
        }
    }

    fn emit(&mut self, event: Event<P>) {
        self.commands.push_back(Command::Emit(event));
    }
}

fn min_some(a: Option<Millis>, b: Option<Millis>) -> Option<Millis> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// The checks `WebSocket.close(code, reason)` makes.
fn check_close<P>(code: Option<u16>, reason: &str) -> Result<(), InputError<P>> {
    if let Some(code) = code {
        if code != 1000 && !(3000..=4999).contains(&code) {
            return Err(InputError::InvalidCloseCode(code));
        }
    }
    if reason.len() > 123 {
        return Err(InputError::ReasonTooLong {
            bytes: reason.len(),
        });
    }
    Ok(())
}
