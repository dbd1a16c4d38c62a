//! The options of a connection, their defaults, and their validation.
//!
//! One source of truth for the JS and the Rust API: both fill in a [`Config`] and call
//! [`Config::validate`], whose [`ConfigError`] names the field (as the JS API spells it), the
//! value and the expectation. Numbers are `f64` milliseconds or counts, as JS hands them
//! over, so that `NaN`, `Infinity`, negatives and fractions are caught here and nowhere else.

use ::core::fmt;

use super::num;
use alloc::string::String;

/// The longest delay a platform timer can wait (`setTimeout` takes a signed 32-bit count of
/// milliseconds; longer delays fire at once). About 24.8 days.
///
/// ```
/// use lifeline_ws::core::{Config, MAX_DELAY_MS};
///
/// let mut config = Config::default();
/// config.backoff.max_delay = MAX_DELAY_MS;
/// assert_eq!(config.validate(), Ok(()));
/// config.backoff.max_delay = MAX_DELAY_MS + 1.0;
/// assert_eq!(config.validate().unwrap_err().field(), "backoff.maxDelay");
/// ```
pub const MAX_DELAY_MS: f64 = 2_147_483_647.0;

/// The largest `queue.maxMessages` accepted.
///
/// ```
/// use lifeline_ws::core::{Config, MAX_QUEUE};
///
/// let mut config = Config::default();
/// config.queue.max_messages = MAX_QUEUE;
/// assert_eq!(config.validate(), Ok(()));
/// config.queue.max_messages = MAX_QUEUE + 1.0;
/// assert_eq!(config.validate().unwrap_err().field(), "queue.maxMessages");
/// ```
pub const MAX_QUEUE: f64 = 1_000_000.0;

/// How jitter spreads a reconnect delay below its ceiling (`backoff.jitter`).
///
/// ```
/// use lifeline_ws::core::{Backoff, Jitter, Rng};
///
/// let mut rng = Rng::new(3);
/// let equal = Backoff { jitter: Jitter::Equal, ..Backoff::default() };
/// assert!((0..100).map(|_| equal.delay(1, &mut rng)).all(|d| (500..=1000).contains(&d)));
/// let none = Backoff { jitter: Jitter::None, ..Backoff::default() };
/// assert_eq!(none.delay(2, &mut rng), 2000);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Jitter {
    /// Uniform in `[0, ceiling]` (`"full"`): spreads a crowd of clients the most.
    Full,
    /// Uniform in `[ceiling / 2, ceiling]` (`"equal"`).
    Equal,
    /// Exactly the ceiling (`"none"`).
    None,
}

impl Jitter {
    /// The names `backoff.jitter` accepts, in the order error messages list them.
    ///
    /// ```
    /// use lifeline_ws::core::Jitter;
    ///
    /// let err = Jitter::parse("fast").unwrap_err();
    /// assert_eq!(err.expected(), Jitter::NAMES);
    /// assert_eq!(err.to_string(), format!("backoff.jitter must be one of {}, got \"fast\"", Jitter::NAMES));
    /// ```
    pub const NAMES: &'static str = "\"full\", \"equal\" or \"none\"";

    /// Reads a jitter name as the JS API spells it.
    ///
    /// ```
    /// use lifeline_ws::core::Jitter;
    ///
    /// assert_eq!(Jitter::parse("equal"), Ok(Jitter::Equal));
    /// assert_eq!(Jitter::parse("none"), Ok(Jitter::None));
    /// assert_eq!(Jitter::parse("Full").unwrap_err().field(), "backoff.jitter");
    /// ```
    pub fn parse(name: &str) -> Result<Jitter, ConfigError> {
        match name {
            "full" => Ok(Jitter::Full),
            "equal" => Ok(Jitter::Equal),
            "none" => Ok(Jitter::None),
            _ => Err(ConfigError::Name {
                field: "backoff.jitter",
                value: name.into(),
                expected: Jitter::NAMES,
            }),
        }
    }
}

/// What `send()` does when the queue is full (`queue.overflow`).
///
/// ```
/// use lifeline_ws::core::{Command, Config, Event, Input, Machine, Overflow, Queue};
///
/// let queue = Queue { max_messages: 1.0, overflow: Overflow::DropOldest };
/// let mut m: Machine<&str> = Machine::new(Config { queue, ..Config::default() }, 1).unwrap();
/// m.handle(Input::Send("old"), 0).unwrap();
/// m.handle(Input::Send("new"), 1).unwrap();
/// assert_eq!(m.poll_command(), Some(Command::Emit(Event::Drop("old"))));
/// assert_eq!(m.stats().queued, 1);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Overflow {
    /// Refuse the new message with an error that hands it back (`"throw"`).
    Throw,
    /// Drop the oldest queued message, hand it back in a `drop` event, and queue the new one
    /// (`"drop-oldest"`).
    DropOldest,
}

impl Overflow {
    /// The names `queue.overflow` accepts.
    ///
    /// ```
    /// use lifeline_ws::core::Overflow;
    ///
    /// let err = Overflow::parse("drop").unwrap_err();
    /// assert_eq!(err.expected(), Overflow::NAMES);
    /// assert_eq!(err.to_string(), format!("queue.overflow must be one of {}, got \"drop\"", Overflow::NAMES));
    /// ```
    pub const NAMES: &'static str = "\"throw\" or \"drop-oldest\"";

    /// Reads an overflow name as the JS API spells it.
    ///
    /// ```
    /// use lifeline_ws::core::Overflow;
    ///
    /// assert_eq!(Overflow::parse("throw"), Ok(Overflow::Throw));
    /// assert_eq!(Overflow::parse("drop-oldest"), Ok(Overflow::DropOldest));
    /// assert_eq!(Overflow::parse("dropOldest").unwrap_err().field(), "queue.overflow");
    /// ```
    pub fn parse(name: &str) -> Result<Overflow, ConfigError> {
        match name {
            "throw" => Ok(Overflow::Throw),
            "drop-oldest" => Ok(Overflow::DropOldest),
            _ => Err(ConfigError::Name {
                field: "queue.overflow",
                value: name.into(),
                expected: Overflow::NAMES,
            }),
        }
    }
}

/// Reconnect delays (`backoff`).
///
/// The ceiling for attempt `n` (n ≥ 1) is `min(max_delay, initial_delay × factor^(n−1))`;
/// [`Jitter`] draws the delay below it.
///
/// ```
/// use lifeline_ws::core::{Backoff, Command, Config, Event, Input, Machine, State};
///
/// let backoff = Backoff { max_retries: 0.0, ..Backoff::default() };
/// let mut m: Machine<String> = Machine::new(Config { backoff, ..Config::default() }, 1).unwrap();
/// m.handle(Input::Start, 0).unwrap();
/// let Some(Command::Open { generation }) = m.poll_command() else { unreachable!() };
/// // No retries allowed: the first failure gives up.
/// m.handle(Input::Closed { generation, code: 1006, reason: String::new(), was_clean: false }, 50).unwrap();
/// assert_eq!(m.state(), State::Closed);
/// assert!(std::iter::from_fn(|| m.poll_command()).any(|c| c == Command::Emit(Event::GiveUp { attempts: 0 })));
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Backoff {
    /// Ceiling of the first attempt's delay, ms (`initialDelay`, default 1000).
    pub initial_delay: f64,
    /// Largest ceiling, ms (`maxDelay`, default 30000).
    pub max_delay: f64,
    /// Growth of the ceiling per attempt (`factor`, default 2, at least 1).
    pub factor: f64,
    /// How the delay is drawn below the ceiling (`jitter`, default full).
    pub jitter: Jitter,
    /// How many attempts in a row may fail before `giveup` (`maxRetries`, default
    /// `f64::INFINITY`: never give up). A whole number or infinity.
    pub max_retries: f64,
    /// How long a connection must stay up, ms, before the attempt counter starts over
    /// (`minUptime`, default 5000). Bounds the cost of a server that accepts and drops.
    pub min_uptime: f64,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff {
            initial_delay: 1000.0,
            max_delay: 30000.0,
            factor: 2.0,
            jitter: Jitter::Full,
            max_retries: f64::INFINITY,
            min_uptime: 5000.0,
        }
    }
}

/// Application-level ping/pong (`heartbeat`). Off unless set: it needs the server to answer.
///
/// ```
/// use lifeline_ws::core::{Command, Config, Heartbeat, Input, Machine, State};
///
/// let heartbeat = Heartbeat { interval: 1000.0, timeout: 500.0, ..Heartbeat::default() };
/// let mut m: Machine<String> = Machine::new(Config { heartbeat: Some(heartbeat), ..Config::default() }, 1).unwrap();
/// m.handle(Input::Start, 0).unwrap();
/// let Some(Command::Open { generation }) = m.poll_command() else { unreachable!() };
/// m.handle(Input::Opened { generation }, 0).unwrap();
/// m.handle(Input::Deadline { last_message_at: None }, 1000).unwrap(); // ping
/// // No pong within `timeout`: the socket is dropped as dead.
/// m.handle(Input::Deadline { last_message_at: None }, 1500).unwrap();
/// assert!(std::iter::from_fn(|| m.poll_command()).any(|c| matches!(c, Command::Abandon { dead: true, .. })));
/// assert_eq!(m.state(), State::Waiting);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Heartbeat {
    /// How long a connection may be quiet before the client pings, ms (`interval`, default
    /// 25000).
    pub interval: f64,
    /// How long to wait for the pong, ms (`timeout`, default 10000). A dead connection is
    /// detected within `interval + timeout`.
    pub timeout: f64,
    /// Whether the client sends its own pings (default `true`; off when only `serverPing` is
    /// given: see [`Heartbeat::with_sources`]).
    pub client_ping: bool,
    /// Whether any message, not only the pong, proves the connection alive
    /// (`anyMessageIsPong`, default `false`). Pings are then sent only after `interval` of
    /// silence.
    pub any_message_is_pong: bool,
    /// Whether the server sends its own pings (`serverPing` set): the client answers each
    /// one and treats silence longer than `interval + timeout` as death. Nothing but a sign
    /// of life or a late timer (the device slept) moves that verdict; a probe never does.
    pub server_ping: bool,
}

impl Default for Heartbeat {
    fn default() -> Self {
        Heartbeat {
            interval: 25000.0,
            timeout: 10000.0,
            client_ping: true,
            any_message_is_pong: false,
            server_ping: false,
        }
    }
}

impl Heartbeat {
    /// This heartbeat with its sources as the options say: server pings when `serverPing` is
    /// given, and client pings unless `serverPing` is given without `ping`. **A `serverPing`
    /// alone turns the client's own pings off.**
    ///
    /// The one place the Rust side decides it (the builder, and the serde reader through
    /// it); the JS options (`js/options.js`) keep the same rule, and
    /// `tests/cases/heartbeat.json` holds both to it.
    ///
    /// ```
    /// use lifeline_ws::core::Heartbeat;
    ///
    /// let sources = |server, ping| {
    ///     let h = Heartbeat::default().with_sources(server, ping);
    ///     (h.server_ping, h.client_ping)
    /// };
    /// assert_eq!(sources(false, false), (false, true)); // `heartbeat: true`
    /// assert_eq!(sources(true, false), (true, false)); // `serverPing` alone
    /// assert_eq!(sources(true, true), (true, true)); // `serverPing` and `ping`
    /// ```
    pub fn with_sources(self, server_ping: bool, ping_given: bool) -> Heartbeat {
        Heartbeat {
            server_ping,
            client_ping: !server_ping || ping_given,
            ..self
        }
    }

    /// Whether options that give this heartbeat back must say `ping`: exactly when the client
    /// pings (the way back of [`Heartbeat::with_sources`], for writing a config out as
    /// options or editing it again).
    ///
    /// ```
    /// use lifeline_ws::core::Heartbeat;
    ///
    /// for (server, ping) in [(false, false), (true, false), (true, true)] {
    ///     let h = Heartbeat::default().with_sources(server, ping);
    ///     assert_eq!(Heartbeat::default().with_sources(server, h.ping_given()), h);
    /// }
    /// ```
    pub fn ping_given(&self) -> bool {
        self.client_ping
    }
}

/// Messages sent while not open (`queue`).
///
/// ```
/// use lifeline_ws::core::{Config, Input, InputError, Machine, Queue};
///
/// let queue = Queue { max_messages: 1.0, ..Queue::default() };
/// let mut m: Machine<&str> = Machine::new(Config { queue, ..Config::default() }, 1).unwrap();
/// m.handle(Input::Send("first"), 0).unwrap();
/// let refused = m.handle(Input::Send("second"), 0);
/// assert_eq!(refused, Err(InputError::QueueFull { message: "second", max: 1 }));
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Queue {
    /// How many messages may wait, a whole number from 0 to 1,000,000 (`maxMessages`,
    /// default 1000; 0 turns queueing off and `send()` while not open fails).
    pub max_messages: f64,
    /// What happens when it is full (`overflow`, default throw).
    pub overflow: Overflow,
}

impl Default for Queue {
    fn default() -> Self {
        Queue {
            max_messages: 1000.0,
            overflow: Overflow::Throw,
        }
    }
}

/// How the page's life steers the connection (`lifecycle`). What a platform lacks (Node and
/// Workers have no `document`) is simply never reported.
///
/// ```
/// use lifeline_ws::core::{Command, Config, Input, Lifecycle, Machine, State};
///
/// let lifecycle = Lifecycle { close_when_hidden_after: Some(60_000.0), ..Lifecycle::default() };
/// let mut m: Machine<String> = Machine::new(Config { lifecycle, ..Config::default() }, 1).unwrap();
/// m.handle(Input::Start, 0).unwrap();
/// let Some(Command::Open { generation }) = m.poll_command() else { unreachable!() };
/// m.handle(Input::Opened { generation }, 0).unwrap();
/// m.handle(Input::Visibility { visible: false }, 1_000).unwrap();
/// assert_eq!(m.next_deadline(), Some(61_000));
/// m.handle(Input::Deadline { last_message_at: None }, 61_000).unwrap();
/// assert_eq!(m.state(), State::Waiting); // until the page is visible again
/// m.handle(Input::Visibility { visible: true }, 90_000).unwrap();
/// assert_eq!(m.state(), State::Connecting);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Lifecycle {
    /// On visible, `resume` and `pageshow`: probe an open socket with a ping at once (with
    /// server pings only there is none to send: the silence verdict keeps its time), and
    /// make a waiting client attempt now (`probeOnVisible`, default `true`).
    pub probe_on_visible: bool,
    /// On `online`: attempt now instead of waiting out the backoff, and probe an open socket
    /// (`reconnectOnOnline`, default `true`).
    pub reconnect_on_online: bool,
    /// While offline, make no attempts and spend no retries (`pauseWhenOffline`, default
    /// `true`).
    pub pause_when_offline: bool,
    /// Close the socket cleanly once the page has been hidden this long, ms, and make no
    /// attempts until it is visible (`closeWhenHiddenAfter`, default off).
    pub close_when_hidden_after: Option<f64>,
    /// Close the socket on `pagehide`, so the page can enter the back/forward cache, and
    /// connect again on `pageshow` (`closeOnPageHide`, default `false`).
    pub close_on_page_hide: bool,
}

impl Default for Lifecycle {
    fn default() -> Self {
        Lifecycle {
            probe_on_visible: true,
            reconnect_on_online: true,
            pause_when_offline: true,
            close_when_hidden_after: None,
            close_on_page_hide: false,
        }
    }
}

/// Every option of a connection that is policy, not platform glue. `Default` gives the
/// documented defaults; [`Config::validate`] checks a filled-in one.
///
/// ```
/// use lifeline_ws::core::{Config, Input, Machine, State};
///
/// let config = Config { start_closed: true, ..Config::default() };
/// let mut m: Machine<String> = Machine::new(config, 1).unwrap();
/// m.handle(Input::Start, 0).unwrap();
/// assert_eq!((m.state(), m.poll_command()), (State::Closed, None));
/// m.handle(Input::Reconnect { code: None, reason: String::new() }, 10).unwrap();
/// assert_eq!(m.state(), State::Connecting);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Config {
    /// Reconnect delays.
    pub backoff: Backoff,
    /// How long an opening handshake may take, ms, before the socket is abandoned
    /// (`connectionTimeout`, default 10000).
    pub connection_timeout: f64,
    /// How long a closing handshake may take, ms, before the socket is abandoned as dead
    /// (`closeTimeout`, default 3000): after `close()`, and after the server started it.
    /// `close()` on a dead network then ends within it.
    pub close_timeout: f64,
    /// Heartbeats; `None` (the default) sends none.
    pub heartbeat: Option<Heartbeat>,
    /// The send queue.
    pub queue: Queue,
    /// Page lifecycle rules.
    pub lifecycle: Lifecycle,
    /// Whether the user gave a `shouldReconnect` function: the machine then asks it
    /// ([`Command::AskShouldReconnect`]) before reconnecting after a disconnection.
    ///
    /// [`Command::AskShouldReconnect`]: crate::core::Command::AskShouldReconnect
    pub should_reconnect: bool,
    /// Whether a `reconnect` listener exists. Without one, re-connections emit `open`
    /// instead of `reconnect`. The driver keeps it current with
    /// [`Machine::set_reconnect_listener`].
    ///
    /// [`Machine::set_reconnect_listener`]: crate::core::Machine::set_reconnect_listener
    pub reconnect_listener: bool,
    /// Do not connect on [`Input::Start`]; wait for `reconnect()` (`startClosed`, default
    /// `false`).
    ///
    /// [`Input::Start`]: crate::core::Input::Start
    pub start_closed: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            backoff: Backoff::default(),
            connection_timeout: Config::DEFAULT_CONNECTION_TIMEOUT,
            close_timeout: Config::DEFAULT_CLOSE_TIMEOUT,
            heartbeat: None,
            queue: Queue::default(),
            lifecycle: Lifecycle::default(),
            should_reconnect: false,
            reconnect_listener: false,
            start_closed: false,
        }
    }
}

impl Config {
    /// The default `connectionTimeout`, ms.
    ///
    /// ```
    /// use lifeline_ws::core::{Config, Input, Machine};
    ///
    /// assert_eq!(Config::default().connection_timeout, Config::DEFAULT_CONNECTION_TIMEOUT);
    /// let mut m: Machine<String> = Machine::new(Config::default(), 1).unwrap();
    /// m.handle(Input::Start, 500).unwrap();
    /// assert_eq!(m.next_deadline(), Some(500 + Config::DEFAULT_CONNECTION_TIMEOUT as u64));
    /// ```
    pub const DEFAULT_CONNECTION_TIMEOUT: f64 = 10000.0;

    /// The default `closeTimeout`, ms: a closing handshake that has not finished in 3 s is
    /// not going to (the `ws` package waits 30 s).
    ///
    /// ```
    /// use lifeline_ws::core::Config;
    ///
    /// assert_eq!(Config::default().close_timeout, Config::DEFAULT_CLOSE_TIMEOUT);
    /// ```
    pub const DEFAULT_CLOSE_TIMEOUT: f64 = 3000.0;

    /// Checks every field; the first one out of bounds is named in the error.
    ///
    /// ```
    /// use lifeline_ws::core::{Config, Heartbeat};
    ///
    /// assert_eq!(Config::default().validate(), Ok(()));
    /// let heartbeat = Heartbeat { timeout: -5.0, ..Heartbeat::default() };
    /// let err = Config { heartbeat: Some(heartbeat), ..Config::default() }.validate().unwrap_err();
    /// assert_eq!(err.field(), "heartbeat.timeout");
    /// assert_eq!(
    ///     err.to_string(),
    ///     "heartbeat.timeout must be a number of milliseconds > 0 and <= 2147483647, got -5"
    /// );
    /// ```
    pub fn validate(&self) -> Result<(), ConfigError> {
        self.check().map_err(|invalid| invalid.into_error(self))
    }

    /// [`Config::validate`] without the names: the npm build answers the error as numbers
    /// (`src/npm/mod.rs`), so it needs neither the names nor their comparison.
    pub(crate) fn check(&self) -> Result<(), Invalid> {
        use NumberField::*;
        let b = &self.backoff;
        delay(InitialDelay, b.initial_delay, Bound::Positive)?;
        delay(MaxDelay, b.max_delay, Bound::Positive)?;
        if b.max_delay < b.initial_delay {
            return Err(Invalid::number(MaxDelay, Expected::AtLeastInitialDelay));
        }
        if !(b.factor.is_finite() && b.factor >= 1.0) {
            return Err(Invalid::number(Factor, Expected::FactorAtLeastOne));
        }
        if !(b.max_retries == f64::INFINITY || is_count(b.max_retries, u32::MAX as f64)) {
            return Err(Invalid::number(MaxRetries, Expected::RetryCount));
        }
        delay(MinUptime, b.min_uptime, Bound::NonNegative)?;
        delay(ConnectionTimeout, self.connection_timeout, Bound::Positive)?;
        delay(CloseTimeout, self.close_timeout, Bound::Positive)?;
        if let Some(h) = &self.heartbeat {
            delay(Interval, h.interval, Bound::Positive)?;
            delay(Timeout, h.timeout, Bound::Positive)?;
            if !h.client_ping && !h.server_ping {
                return Err(Invalid::NoHeartbeatSource);
            }
        }
        let max_messages = self.queue.max_messages;
        if !is_count(max_messages, MAX_QUEUE) {
            return Err(Invalid::number(MaxMessages, Expected::QueueSize));
        }
        if let Some(after) = self.lifecycle.close_when_hidden_after {
            delay(CloseWhenHiddenAfter, after, Bound::NonNegative)?;
        }
        Ok(())
    }
}

/// A numeric field [`Config::check`] checks, in the npm ABI's order (its `slot`s and
/// `NUMBER_FIELDS` in `src/npm/mod.rs`: a field is its index there).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum NumberField {
    InitialDelay,
    MaxDelay,
    Factor,
    MaxRetries,
    MinUptime,
    ConnectionTimeout,
    Interval,
    Timeout,
    MaxMessages,
    CloseWhenHiddenAfter,
    CloseTimeout,
}

impl NumberField {
    /// Its value in `config` (NaN for a field `config` leaves out).
    fn value(self, config: &Config) -> f64 {
        let b = &config.backoff;
        let heartbeat = config.heartbeat.unwrap_or_default();
        match self {
            NumberField::InitialDelay => b.initial_delay,
            NumberField::MaxDelay => b.max_delay,
            NumberField::Factor => b.factor,
            NumberField::MaxRetries => b.max_retries,
            NumberField::MinUptime => b.min_uptime,
            NumberField::ConnectionTimeout => config.connection_timeout,
            NumberField::Interval => heartbeat.interval,
            NumberField::Timeout => heartbeat.timeout,
            NumberField::MaxMessages => config.queue.max_messages,
            NumberField::CloseWhenHiddenAfter => {
                config.lifecycle.close_when_hidden_after.unwrap_or(f64::NAN)
            }
            NumberField::CloseTimeout => config.close_timeout,
        }
    }

    /// The field as the JS API spells it.
    fn name(self) -> &'static str {
        match self {
            NumberField::InitialDelay => "backoff.initialDelay",
            NumberField::MaxDelay => "backoff.maxDelay",
            NumberField::Factor => "backoff.factor",
            NumberField::MaxRetries => "backoff.maxRetries",
            NumberField::MinUptime => "backoff.minUptime",
            NumberField::ConnectionTimeout => "connectionTimeout",
            NumberField::Interval => "heartbeat.interval",
            NumberField::Timeout => "heartbeat.timeout",
            NumberField::MaxMessages => "queue.maxMessages",
            NumberField::CloseWhenHiddenAfter => "lifecycle.closeWhenHiddenAfter",
            NumberField::CloseTimeout => "closeTimeout",
        }
    }
}

/// What [`Config::check`] refuses: a [`ConfigError`] with its field as a [`NumberField`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Invalid {
    /// A number out of bounds.
    Number {
        field: NumberField,
        expected: Expected,
    },
    /// [`ConfigError::NoHeartbeatSource`].
    NoHeartbeatSource,
}

impl Invalid {
    fn number(field: NumberField, expected: Expected) -> Invalid {
        Invalid::Number { field, expected }
    }

    /// The error about `config`, with the field's name and value.
    fn into_error(self, config: &Config) -> ConfigError {
        match self {
            Invalid::Number { field, expected } => ConfigError::Number {
                field: field.name(),
                value: field.value(config),
                expected,
            },
            Invalid::NoHeartbeatSource => ConfigError::NoHeartbeatSource,
        }
    }
}

enum Bound {
    Positive,
    NonNegative,
}

fn delay(field: NumberField, value: f64, bound: Bound) -> Result<(), Invalid> {
    let expected = match bound {
        Bound::Positive if !(value > 0.0 && value <= MAX_DELAY_MS) => Expected::PositiveDelay,
        Bound::NonNegative if !(0.0..=MAX_DELAY_MS).contains(&value) => Expected::NonNegativeDelay,
        _ => return Ok(()),
    };
    Err(Invalid::number(field, expected))
}

fn is_count(value: f64, max: f64) -> bool {
    value >= 0.0 && value <= max && num::is_whole(value)
}

/// What a numeric field was expected to be.
///
/// ```
/// use lifeline_ws::core::{Backoff, Config, ConfigError, Expected};
///
/// let backoff = Backoff { factor: 0.5, ..Backoff::default() };
/// let err = Config { backoff, ..Config::default() }.validate().unwrap_err();
/// let ConfigError::Number { field, value, expected } = err else { panic!() };
/// assert_eq!((field, value, expected), ("backoff.factor", 0.5, Expected::FactorAtLeastOne));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Expected {
    /// A delay greater than 0 and at most [`MAX_DELAY_MS`].
    PositiveDelay,
    /// A delay from 0 to [`MAX_DELAY_MS`].
    NonNegativeDelay,
    /// At least `backoff.initialDelay`.
    AtLeastInitialDelay,
    /// A finite number of at least 1.
    FactorAtLeastOne,
    /// A whole number of at least 0, or infinity.
    RetryCount,
    /// A whole number from 0 to [`MAX_QUEUE`].
    QueueSize,
}

impl Expected {
    /// The expectation as the error message words it.
    ///
    /// ```
    /// use lifeline_ws::core::{Config, Expected};
    ///
    /// let mut config = Config::default();
    /// config.queue.max_messages = 2.5;
    /// let err = config.validate().unwrap_err();
    /// assert_eq!(err.expected(), Expected::QueueSize.as_str());
    /// assert_eq!(Expected::QueueSize.as_str(), "a whole number from 0 to 1000000");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            Expected::PositiveDelay => "a number of milliseconds > 0 and <= 2147483647",
            Expected::NonNegativeDelay => "a number of milliseconds >= 0 and <= 2147483647",
            Expected::AtLeastInitialDelay => "a number >= backoff.initialDelay",
            Expected::FactorAtLeastOne => "a finite number >= 1",
            Expected::RetryCount => "a whole number >= 0, or Infinity",
            Expected::QueueSize => "a whole number from 0 to 1000000",
        }
    }
}

/// A config field out of bounds: which field (as the JS API spells it), the value given,
/// and what was expected.
///
/// The value is kept as data rather than text: formatting an `f64` in Rust costs ~11 KB
/// gzip in wasm, so the JS side renders it with `String(value)` and the pieces below. On
/// native targets `Display` renders the whole sentence:
/// `heartbeat.timeout must be a number of milliseconds > 0 and <= 2147483647, got -5`.
///
/// ```
/// use lifeline_ws::core::{Config, ConfigError, Heartbeat, Machine};
///
/// let heartbeat = Heartbeat { client_ping: false, ..Heartbeat::default() };
/// let config = Config { heartbeat: Some(heartbeat), ..Config::default() };
/// let err = Machine::<String>::new(config, 1).unwrap_err();
/// assert_eq!(err, ConfigError::NoHeartbeatSource);
/// assert_eq!(
///     err.to_string(),
///     "heartbeat needs client pings (heartbeat.ping) or heartbeat.serverPing, got neither"
/// );
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum ConfigError {
    /// A number out of bounds.
    Number {
        /// The field, as the JS API spells it (`"heartbeat.timeout"`).
        field: &'static str,
        /// The value given.
        value: f64,
        /// What was expected.
        expected: Expected,
    },
    /// A name that is not one of the accepted ones.
    Name {
        /// The field, as the JS API spells it (`"backoff.jitter"`).
        field: &'static str,
        /// The name given.
        value: String,
        /// The accepted names, quoted.
        expected: &'static str,
    },
    /// An option of the wrong kind: a string where a number belongs, say (found where
    /// options are read from data: the `serde` feature's `Config` deserialization).
    Type {
        /// The field, as the JS API spells it (`"backoff.initialDelay"`).
        field: String,
        /// What it must be.
        expected: &'static str,
        /// What it was, as JS would show it: `"fast"` (quoted), `true`, `an object`.
        got: String,
    },
    /// An option the library does not know (a typo, most likely).
    UnknownOption {
        /// The key, with its group (`"heartbeat.intervall"`).
        name: String,
    },
    /// `heartbeat` is set with neither client pings nor server pings to listen for.
    NoHeartbeatSource,
    /// A subprotocol that is not a token, or is given twice (the Rust API checks them; the
    /// JS API leaves them to the platform's `WebSocket`, which throws a `SyntaxError`).
    Protocol {
        /// The subprotocol given.
        value: String,
    },
}

impl ConfigError {
    /// The field the error is about, as the JS API spells it.
    ///
    /// ```
    /// use lifeline_ws::core::{Config, ConfigError};
    ///
    /// let mut config = Config::default();
    /// config.lifecycle.close_when_hidden_after = Some(-1.0);
    /// assert_eq!(config.validate().unwrap_err().field(), "lifecycle.closeWhenHiddenAfter");
    /// let typo = ConfigError::UnknownOption { name: "heartbeat.intervall".into() };
    /// assert_eq!(typo.field(), "heartbeat.intervall");
    /// ```
    pub fn field(&self) -> &str {
        match self {
            ConfigError::Number { field, .. } | ConfigError::Name { field, .. } => field,
            ConfigError::Type { field, .. } => field,
            ConfigError::UnknownOption { name } => name,
            ConfigError::NoHeartbeatSource => "heartbeat",
            ConfigError::Protocol { .. } => "protocols",
        }
    }

    /// What the field was expected to be, in words.
    ///
    /// ```
    /// use lifeline_ws::core::{Config, Expected, Jitter};
    ///
    /// let mut config = Config::default();
    /// config.backoff.max_retries = -1.0;
    /// assert_eq!(config.validate().unwrap_err().expected(), Expected::RetryCount.as_str());
    /// assert_eq!(Jitter::parse("fast").unwrap_err().expected(), Jitter::NAMES);
    /// ```
    pub fn expected(&self) -> &'static str {
        match self {
            ConfigError::Number { expected, .. } => expected.as_str(),
            ConfigError::Name { expected, .. } | ConfigError::Type { expected, .. } => expected,
            ConfigError::UnknownOption { .. } => "no such option",
            ConfigError::NoHeartbeatSource => "client pings or serverPing",
            ConfigError::Protocol { .. } => {
                "distinct tokens (visible ASCII without spaces or separators)"
            }
        }
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::Number {
                field,
                value,
                expected,
            } => write!(f, "{field} must be {}, got {value}", expected.as_str()),
            ConfigError::Name {
                field,
                value,
                expected,
            } => write!(f, "{field} must be one of {expected}, got \"{value}\""),
            ConfigError::Type {
                field,
                expected,
                got,
            } => write!(f, "{field} must be {expected}, got {got}"),
            ConfigError::UnknownOption { name } => write!(f, "unknown option \"{name}\""),
            ConfigError::NoHeartbeatSource => f.write_str(
                "heartbeat needs client pings (heartbeat.ping) or heartbeat.serverPing, got neither",
            ),
            ConfigError::Protocol { value } => {
                write!(f, "protocols must be {}, got \"{value}\"", self.expected())
            }
        }
    }
}

impl core::error::Error for ConfigError {}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(change: impl FnOnce(&mut Config)) -> Result<(), ConfigError> {
        let mut config = Config::default();
        change(&mut config);
        config.validate()
    }

    #[test]
    fn defaults_are_valid_and_documented() {
        let c = Config::default();
        assert_eq!(c.validate(), Ok(()));
        assert_eq!(c.backoff.initial_delay, 1000.0);
        assert_eq!(c.backoff.max_delay, 30000.0);
        assert_eq!(c.backoff.factor, 2.0);
        assert_eq!(c.backoff.jitter, Jitter::Full);
        assert_eq!(c.backoff.max_retries, f64::INFINITY);
        assert_eq!(c.backoff.min_uptime, 5000.0);
        assert_eq!(c.connection_timeout, 10000.0);
        assert_eq!(c.heartbeat, None);
        assert_eq!(c.queue.max_messages, 1000.0);
        assert_eq!(c.queue.overflow, Overflow::Throw);
        assert!(c.lifecycle.probe_on_visible && c.lifecycle.reconnect_on_online);
        assert!(c.lifecycle.pause_when_offline && !c.lifecycle.close_on_page_hide);
        assert_eq!(c.lifecycle.close_when_hidden_after, None);
        let h = Heartbeat::default();
        assert_eq!((h.interval, h.timeout), (25000.0, 10000.0));
        assert_eq!(Config::DEFAULT_CONNECTION_TIMEOUT, c.connection_timeout);
    }

    #[test]
    fn negative_timeout_names_field_value_and_expectation() {
        let err = with(|c| {
            c.heartbeat = Some(Heartbeat {
                timeout: -5.0,
                ..Heartbeat::default()
            })
        })
        .unwrap_err();
        assert_eq!(err.field(), "heartbeat.timeout");
        assert_eq!(
            err.to_string(),
            "heartbeat.timeout must be a number of milliseconds > 0 and <= 2147483647, got -5"
        );
    }

    #[test]
    fn unknown_names_list_the_accepted_ones() {
        let err = Jitter::parse("fast").unwrap_err();
        assert_eq!(
            err.to_string(),
            "backoff.jitter must be one of \"full\", \"equal\" or \"none\", got \"fast\""
        );
        assert_eq!(Overflow::parse("drop-oldest"), Ok(Overflow::DropOldest));
        assert_eq!(
            Overflow::parse("drop").unwrap_err().field(),
            "queue.overflow"
        );
        assert_eq!(Jitter::parse("equal"), Ok(Jitter::Equal));
        assert_eq!(Jitter::parse("none"), Ok(Jitter::None));
    }

    #[test]
    fn unknown_option_is_an_error() {
        let err = ConfigError::UnknownOption {
            name: "heartbeat.intervall".into(),
        };
        assert_eq!(err.to_string(), "unknown option \"heartbeat.intervall\"");
        assert_eq!(err.field(), "heartbeat.intervall");
    }

    #[test]
    fn heartbeat_without_any_ping_is_an_error() {
        let err = with(|c| {
            c.heartbeat = Some(Heartbeat {
                client_ping: false,
                ..Heartbeat::default()
            })
        })
        .unwrap_err();
        assert_eq!(err, ConfigError::NoHeartbeatSource);
        assert_eq!(err.field(), "heartbeat");
    }
}
