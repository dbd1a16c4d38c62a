//! The npm package's wasm: the core and a thin export layer over numbers alone.
//!
//! [`Core`] wraps one [`Machine`] whose payloads are ids (`u32`) and whose close reasons are
//! [`ReasonId`]s: the JS driver keeps the data of every queued message and the text of every
//! reason, and hands only numbers across (no string crosses, so neither side carries
//! wasm-bindgen's string glue). Nothing here calls into JavaScript, holds a JS value or
//! creates a closure, so no JS exception can ever unwind through a frame of this module; the JS side converts and checks every value before it
//! crosses (docs/driver-contract.md says how the two sides talk).
//!
//! Seven calls cross, each a loop's worth of work, since every export costs bytes on both
//! sides:
//! - [`Core::new`] takes the configuration as an array of numbers ([`slot`] gives each its
//!   index). A config the core refuses does not throw: [`field::ERROR`] answers the typed
//!   error as a number ([`field::ERROR`] says how), which the JS side renders in its own
//!   words.
//! - [`Core::input`] feeds every input that has no reason ([`input`]); [`Core::closed`] and
//!   [`Core::close`] those that do.
//! - [`Core::poll`] takes the next command and answers its [`kind`]; [`Core::query`] reads
//!   its fields (its reason's id among them) and the core's numbers ([`field`]).
//! - They cross as five free functions over a handle (`core_new`, `core_input`, which also
//!   carries `closed` and `close`, `core_poll`, `core_query`, `core_free`), which js/core.js
//!   makes into these calls again.

mod abi;
#[cfg(target_arch = "wasm32")]
mod arena;

use alloc::boxed::Box;

use wasm_bindgen::prelude::*;

use abi::Values;

use crate::core::{
    Backoff, Command, Config, DropReason, ErrorCause, Event, Expected, Generation, Heartbeat,
    Input, InputError, Invalid, Jitter, Lifecycle, Machine, Millis, Outgoing, Overflow, Queue,
    Reason,
};

/// The index of each configuration value in the array given to [`Core::new`].
///
/// Booleans are 0 or 1; [`slot::JITTER`] is 0 (full), 1 (equal) or 2 (none);
/// [`slot::OVERFLOW`] 0 (throw) or 1 (drop-oldest); [`slot::HIDDEN_AFTER`] is NaN when
/// `closeWhenHiddenAfter` is off.
pub mod slot {
    /// `backoff.initialDelay`.
    pub const INITIAL_DELAY: usize = 0;
    /// `backoff.maxDelay`.
    pub const MAX_DELAY: usize = 1;
    /// `backoff.factor`.
    pub const FACTOR: usize = 2;
    /// `backoff.maxRetries`.
    pub const MAX_RETRIES: usize = 3;
    /// `backoff.minUptime`.
    pub const MIN_UPTIME: usize = 4;
    /// `connectionTimeout`.
    pub const CONNECTION_TIMEOUT: usize = 5;
    /// `heartbeat.interval`.
    pub const INTERVAL: usize = 6;
    /// `heartbeat.timeout`.
    pub const TIMEOUT: usize = 7;
    /// `queue.maxMessages`.
    pub const MAX_MESSAGES: usize = 8;
    /// `lifecycle.closeWhenHiddenAfter` (NaN: off).
    pub const HIDDEN_AFTER: usize = 9;
    /// `closeTimeout`.
    pub const CLOSE_TIMEOUT: usize = 10;
    /// `backoff.jitter`.
    pub const JITTER: usize = 11;
    /// `queue.overflow`.
    pub const OVERFLOW: usize = 12;
    /// Whether `heartbeat` is on.
    pub const HEARTBEAT: usize = 13;
    /// Whether the client sends pings.
    pub const CLIENT_PING: usize = 14;
    /// `heartbeat.anyMessageIsPong`.
    pub const ANY_MESSAGE_IS_PONG: usize = 15;
    /// Whether `heartbeat.serverPing` is set.
    pub const SERVER_PING: usize = 16;
    /// `lifecycle.probeOnVisible`.
    pub const PROBE_ON_VISIBLE: usize = 17;
    /// `lifecycle.reconnectOnOnline`.
    pub const RECONNECT_ON_ONLINE: usize = 18;
    /// `lifecycle.pauseWhenOffline`.
    pub const PAUSE_WHEN_OFFLINE: usize = 19;
    /// `lifecycle.closeOnPageHide`.
    pub const CLOSE_ON_PAGE_HIDE: usize = 20;
    /// Whether a `shouldReconnect` callback is given.
    pub const SHOULD_RECONNECT: usize = 21;
    /// Whether a `reconnect` listener is present.
    pub const RECONNECT_LISTENER: usize = 22;
    /// `startClosed`.
    pub const START_CLOSED: usize = 23;
    /// How many values the array holds.
    pub const COUNT: usize = 24;
}

/// The numeric fields, in the order of their [`slot`]s: a config error's field is its index
/// here.
pub const NUMBER_FIELDS: [&str; 11] = [
    "backoff.initialDelay",
    "backoff.maxDelay",
    "backoff.factor",
    "backoff.maxRetries",
    "backoff.minUptime",
    "connectionTimeout",
    "heartbeat.interval",
    "heartbeat.timeout",
    "queue.maxMessages",
    "lifecycle.closeWhenHiddenAfter",
    "closeTimeout",
];

/// Every [`Expected`], in the order of its number in a config error ([`field::ERROR`]).
pub const EXPECTATIONS: [Expected; 6] = [
    Expected::PositiveDelay,
    Expected::NonNegativeDelay,
    Expected::AtLeastInitialDelay,
    Expected::FactorAtLeastOne,
    Expected::RetryCount,
    Expected::QueueSize,
];

/// A close reason as a number: the JS driver keeps its text under `id`.
///
/// Id 0 is the empty reason; ids 1 to [`DROP_REASONS`]`.len()` are the machine's own words
/// ([`DROP_REASONS`]`[id - 1]`'s [`DropReason::as_str`], which the JS holds as constants);
/// every other id is one the driver gave a reason of the user's (`close`, `reconnect`) or of
/// the platform (a socket's `close` event), and keeps until the core no longer holds it:
/// after a run of [`Core::poll`] that drained every command, the core holds only the reason
/// [`field::HELD_REASON`] names.
///
/// `bytes` is the length of the text in UTF-8, as the JS counted it: [`Core::close`]'s check
/// (at most 123) reads it. A platform's reason is never checked and is given 0.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ReasonId {
    /// The number the JS keeps the text under.
    pub id: u32,
    /// The text's length in bytes of UTF-8.
    pub bytes: u32,
}

/// The machine's own words, in the order of their ids: [`DropReason`] `DROP_REASONS[i]` is
/// the [`ReasonId`] `i + 1` (the JS driver's `REASONS` lists their texts in this order, after
/// the empty reason; `tests/texts.rs` checks them).
pub const DROP_REASONS: [DropReason; 8] = [
    DropReason::ConnectionTimeout,
    DropReason::HeartbeatTimeout,
    DropReason::ServerPingTimeout,
    DropReason::CloseTimeout,
    DropReason::ClosedByUser,
    DropReason::Reconnect,
    DropReason::PageHide,
    DropReason::HiddenTooLong,
];

/// The UTF-8 lengths of the machine's own words, in [`DROP_REASONS`]' order: the texts
/// themselves ([`DropReason::as_str`]) stay out of the module (they cost 206 B gzip there);
/// a unit test checks the lengths against them.
const DROP_REASON_BYTES: [u8; 8] = [18, 17, 19, 27, 18, 18, 22, 34];

impl Reason for ReasonId {
    fn from_drop(why: DropReason) -> Self {
        ReasonId {
            id: why as u32 + 1,
            bytes: u32::from(DROP_REASON_BYTES[why as usize]),
        }
    }

    fn utf8_len(&self) -> usize {
        self.bytes as usize
    }
}

/// The number that stands for "heartbeat has neither client pings nor serverPing".
pub const NO_HEARTBEAT_SOURCE: u32 = 255;

/// A config error as one number (see [`field::ERROR`]).
fn config_error_code(error: Invalid) -> u32 {
    match error {
        // The core's field and expectation are numbered as NUMBER_FIELDS and EXPECTATIONS
        // (unit tests below say so).
        Invalid::Number { field, expected } => (field as u32 + 1) * 16 + expected as u32,
        Invalid::NoHeartbeatSource => NO_HEARTBEAT_SOURCE,
    }
}

/// The config an array of [`slot`] values describes.
fn config(values: &[f64]) -> Config {
    // A value missing from a short array reads NaN (copied once: no check per slot).
    let mut all = [f64::NAN; slot::COUNT];
    for (to, from) in all.iter_mut().zip(values) {
        *to = *from;
    }
    let at = |i: usize| all[i];
    let on = |i: usize| at(i) == 1.0;
    Config {
        backoff: Backoff {
            initial_delay: at(slot::INITIAL_DELAY),
            max_delay: at(slot::MAX_DELAY),
            factor: at(slot::FACTOR),
            jitter: match at(slot::JITTER) as u8 {
                1 => Jitter::Equal,
                2 => Jitter::None,
                _ => Jitter::Full,
            },
            max_retries: at(slot::MAX_RETRIES),
            min_uptime: at(slot::MIN_UPTIME),
        },
        connection_timeout: at(slot::CONNECTION_TIMEOUT),
        close_timeout: at(slot::CLOSE_TIMEOUT),
        heartbeat: on(slot::HEARTBEAT).then(|| Heartbeat {
            interval: at(slot::INTERVAL),
            timeout: at(slot::TIMEOUT),
            client_ping: on(slot::CLIENT_PING),
            any_message_is_pong: on(slot::ANY_MESSAGE_IS_PONG),
            server_ping: on(slot::SERVER_PING),
        }),
        queue: Queue {
            max_messages: at(slot::MAX_MESSAGES),
            overflow: if on(slot::OVERFLOW) {
                Overflow::DropOldest
            } else {
                Overflow::Throw
            },
        },
        lifecycle: Lifecycle {
            probe_on_visible: on(slot::PROBE_ON_VISIBLE),
            reconnect_on_online: on(slot::RECONNECT_ON_ONLINE),
            pause_when_offline: on(slot::PAUSE_WHEN_OFFLINE),
            close_when_hidden_after: Some(at(slot::HIDDEN_AFTER)).filter(|v| !v.is_nan()),
            close_on_page_hide: on(slot::CLOSE_ON_PAGE_HIDE),
        },
        should_reconnect: on(slot::SHOULD_RECONNECT),
        reconnect_listener: on(slot::RECONNECT_LISTENER),
        start_closed: on(slot::START_CLOSED),
    }
}

/// The numbers [`Core::poll`] answers: which command, or which event to emit. The fields
/// named are read with [`Core::query`] (see [`field`]).
pub mod kind {
    /// No command is waiting.
    pub const NONE: u32 = 0;
    /// Open a platform socket for `GENERATION`.
    pub const OPEN: u32 = 1;
    /// Send the message whose id is `VALUE`.
    pub const SEND: u32 = 2;
    /// Send a heartbeat ping.
    pub const PING: u32 = 3;
    /// Send the reply to a server ping.
    pub const PING_REPLY: u32 = 4;
    /// Start the closing handshake: `CODE` (none: no code), `REASON`.
    pub const CLOSE: u32 = 5;
    /// Let go of the socket now: `CODE`, `REASON`, `FLAG` 1 when it is dead (terminate
    /// rather than close).
    pub const ABANDON: u32 = 6;
    /// Ask the user's `shouldReconnect`: `CODE`, `REASON`, `FLAG` wasClean; answer with the
    /// input [`input::SHOULD_RECONNECT`](super::input::SHOULD_RECONNECT).
    pub const ASK: u32 = 7;
    /// Emit `open`.
    pub const EV_OPEN: u32 = 8;
    /// Emit `reconnect`: `VALUE` attempt, `DELAY` downtime.
    pub const EV_RECONNECT: u32 = 9;
    /// Emit `reconnecting`: `VALUE` attempt, `DELAY` the delay.
    pub const EV_RECONNECTING: u32 = 10;
    /// Emit `close`: `CODE`, `REASON`, `FLAG` wasClean, `VALUE` 1 when it will reconnect,
    /// `DELAY` the delay (none when no attempt is scheduled).
    pub const EV_CLOSE: u32 = 11;
    /// Emit `error`: `VALUE` the cause (0 socket, 1 url, 2 connection timeout).
    pub const EV_ERROR: u32 = 12;
    /// Emit `giveup`: `VALUE` the attempts.
    pub const EV_GIVEUP: u32 = 13;
    /// Emit `heartbeat`: `DELAY` the round trip.
    pub const EV_HEARTBEAT: u32 = 14;
    /// Emit `statechange`: `VALUE` the state (see [`field::STATE`](super::field::STATE)).
    pub const EV_STATE: u32 = 15;
    /// Emit `drop`: `VALUE` the id of the message dropped from the queue.
    pub const EV_DROP: u32 = 16;
}

/// The inputs of [`Core::input`] (those without a reason), each with what its `value` means.
pub mod input {
    /// Connect (unless `startClosed`).
    pub const START: u32 = 0;
    /// The socket of `generation` opened.
    pub const OPENED: u32 = 1;
    /// A pong arrived on the socket of `generation`.
    pub const PONG: u32 = 2;
    /// The server's ping arrived on the socket of `generation`.
    pub const SERVER_PING: u32 = 3;
    /// The socket of `generation` failed; `value` the cause: 0 socket, 1 url.
    pub const FAILED: u32 = 4;
    /// The timer fired; `value` when the last message of any kind arrived on the current
    /// socket (NaN: never, or not kept).
    pub const DEADLINE: u32 = 5;
    /// `send()` of the message whose id is `value`, while the driver has no open socket.
    pub const SEND: u32 = 6;
    /// The page became visible (`value` 1) or hidden (0).
    pub const VISIBILITY: u32 = 7;
    /// The network came back (`value` 1, `online`) or went (0, `offline`).
    pub const NETWORK: u32 = 8;
    /// `pageshow`; `value` 1 when `persisted`.
    pub const PAGE_SHOW: u32 = 9;
    /// `pagehide`; `value` 1 when `persisted`.
    pub const PAGE_HIDE: u32 = 10;
    /// The page resumed after being frozen.
    pub const RESUME: u32 = 11;
    /// The answer of the user's `shouldReconnect` (`value` 1: reconnect).
    pub const SHOULD_RECONNECT: u32 = 12;
    /// Whether a `reconnect` listener is present now (`value` 1); without one, re-opens emit
    /// `open`.
    pub const RECONNECT_LISTENER: u32 = 13;
    /// The socket of `generation` left OPEN before its `close` event (the server started the
    /// closing handshake).
    pub const CLOSING: u32 = 14;
    /// `send()` of the message whose id is `value` from a listener of an event that came
    /// before the machine ended (the user has not been told): kept in the queue
    /// (`Input::Keep`).
    pub const KEEP: u32 = 15;
    /// The socket of `generation` closed ([`Core::closed`]): `value` the reason's id,
    /// `extra` the code, plus 1 << 16 when the close was clean.
    pub const CLOSED: u32 = 16;
    /// `close(code, reason)` ([`Core::close`]): `value` the reason's id, `generation` its
    /// length in bytes of UTF-8, `extra` the code, or 1 << 16 for none.
    pub const CLOSE: u32 = 17;
    /// `reconnect(code, reason)`: as [`CLOSE`].
    pub const RECONNECT: u32 = 18;
}

/// What [`Core::query`] reads: the core's numbers, and the fields of the command last
/// polled. A field that has none ("none" below) reads NaN.
pub mod field {
    /// The config error as one number: 0 for none;
    /// [`NO_HEARTBEAT_SOURCE`](super::NO_HEARTBEAT_SOURCE); otherwise `(field + 1) * 16 +
    /// expectation`, with `field` an index of [`NUMBER_FIELDS`](super::NUMBER_FIELDS) and
    /// `expectation` one of [`EXPECTATIONS`](super::EXPECTATIONS). The JS side owns the
    /// values, so it can show the one that was refused.
    pub const ERROR: u32 = 0;
    /// The state: 0 connecting, 1 open, 2 waiting, 3 closing, 4 closed.
    pub const STATE: u32 = 1;
    /// `stats.attempts`.
    pub const ATTEMPTS: u32 = 2;
    /// `stats.reconnects`.
    pub const RECONNECTS: u32 = 3;
    /// `stats.lastRttMs` (none before the first pong).
    pub const LAST_RTT: u32 = 4;
    /// `stats.connectedSince`, in the driver's clock (none while not open).
    pub const CONNECTED_SINCE: u32 = 5;
    /// `stats.queued`.
    pub const QUEUED: u32 = 6;
    /// When the driver's one timer should fire, in the driver's clock (none: no timer).
    pub const NEXT_DEADLINE: u32 = 7;
    /// The generation of the socket the core wants (none: it wants none).
    pub const LIVE_GENERATION: u32 = 8;
    /// 1 when the client is closed for good (after `close()` or `giveup`).
    pub const CLOSED_FOR_GOOD: u32 = 9;
    /// The polled command's socket generation.
    pub const GENERATION: u32 = 10;
    /// The polled command's number: a message id, an attempt count, a state, a cause.
    pub const VALUE: u32 = 11;
    /// The polled command's duration in ms (none: it has none).
    pub const DELAY: u32 = 12;
    /// The polled command's close code (none: no code).
    pub const CODE: u32 = 13;
    /// The polled command's flag (1 or 0): dead (abandon), wasClean (close, ask).
    pub const FLAG: u32 = 14;
    /// The polled command's reason, as its [`ReasonId`](super::ReasonId)'s id (0 for none:
    /// the empty reason).
    pub const REASON: u32 = 15;
    /// The id of the one reason the core holds outside its commands (that of a connection
    /// that ended, while `shouldReconnect` is asked), 0 for none: once every command is
    /// polled, the driver may forget every text but this one.
    pub const HELD_REASON: u32 = 16;
}

/// Why an input was refused, as [`Core::input`] and [`Core::close`] answer it (0: accepted).
pub mod refusal {
    /// Sent after `close()`: the socket is closed for good.
    pub const CLOSED: u32 = 1;
    /// Sent while not open, and the queue is full (or off).
    pub const QUEUE_FULL: u32 = 2;
    /// A close code other than 1000 or 3000–4999.
    pub const CLOSE_CODE: u32 = 3;
    /// A close reason over 123 bytes of UTF-8.
    pub const REASON_TOO_LONG: u32 = 4;
}

/// A driver time as the core counts it: whole ms from 0 to 2^53 (`as` saturates: NaN and
/// negatives are 0), so that no deadline the core adds to it can overflow.
fn millis(now: f64) -> Millis {
    now.min(9_007_199_254_740_991.0) as Millis
}

/// The fields of the command last polled.
#[derive(Default)]
struct Polled {
    generation: u32,
    value: f64,
    delay: Option<Millis>,
    code: Option<u16>,
    flag: bool,
    reason: ReasonId,
}

/// One connection's core, as the npm package's JS driver sees it: seven calls, over numbers
/// only.
pub struct Core {
    machine: Machine<u32, ReasonId>,
    error: u32,
    polled: Polled,
}

impl Core {
    /// A core for the config `values` (indexed by [`slot`]), its jitter seeded by the two
    /// words. A config the core refuses still gives a `Core`, made from it unchecked and good
    /// for nothing but answering [`field::ERROR`]: read that before anything else, and free
    /// the core when it is not 0.
    pub fn new(values: Values, seed_high: u32, seed_low: u32) -> Core {
        let values = values.as_slice();
        let seed = (u64::from(seed_high) << 32) | u64::from(seed_low);
        let config = config(values);
        let error = match config.check() {
            Ok(()) => 0,
            Err(refused) => config_error_code(refused),
        };
        // Refused or not: `with_valid` fails on no number (its conversions saturate).
        let machine = Machine::with_valid(config, seed);
        Core {
            machine,
            error,
            polled: Polled::default(),
        }
    }

    /// Reads one of the numbers named in [`field`]; NaN where it has none (a number, not
    /// `undefined`: an `Option<f64>` crosses as two values through a shim, which costs bytes).
    /// It reads only, but borrows mutably as every other call does: one kind of borrow is
    /// one borrow check in the module, not two.
    #[must_use]
    pub fn query(&mut self, what: u32) -> f64 {
        let m = &self.machine;
        let p = &self.polled;
        let millis = |v: Option<Millis>| v.map_or(f64::NAN, |v| v as f64);
        match what {
            field::ERROR => f64::from(self.error),
            field::STATE => f64::from(m.state() as u8),
            field::ATTEMPTS => f64::from(m.stats().attempts),
            field::RECONNECTS => f64::from(m.stats().reconnects),
            field::LAST_RTT => millis(m.stats().last_rtt),
            field::CONNECTED_SINCE => millis(m.stats().connected_since),
            field::QUEUED => m.stats().queued as f64,
            field::NEXT_DEADLINE => millis(m.next_deadline()),
            field::LIVE_GENERATION => m.live_generation().map_or(f64::NAN, |g| f64::from(g.0)),
            field::CLOSED_FOR_GOOD => f64::from(u8::from(m.is_closed_for_good())),
            field::GENERATION => f64::from(p.generation),
            field::VALUE => p.value,
            field::DELAY => millis(p.delay),
            field::CODE => p.code.map_or(f64::NAN, f64::from),
            field::FLAG => f64::from(u8::from(p.flag)),
            field::REASON => f64::from(p.reason.id),
            field::HELD_REASON => f64::from(m.held_reason().map_or(0, |r| r.id)),
            _ => f64::NAN,
        }
    }

    /// Takes the next command and answers its [`kind`] ([`kind::NONE`] when there is none);
    /// [`Core::query`] then reads its fields.
    #[must_use]
    pub fn poll(&mut self) -> u32 {
        let Some(command) = self.machine.poll_command() else {
            return kind::NONE;
        };
        let p = &mut self.polled;
        p.delay = None;
        p.flag = false;
        p.code = None;
        p.reason = ReasonId::default();
        match command {
            Command::Open { generation } => {
                p.generation = generation.0;
                kind::OPEN
            }
            Command::Send {
                generation,
                message,
            } => {
                p.generation = generation.0;
                match message {
                    Outgoing::Message(id) => {
                        p.value = f64::from(id);
                        kind::SEND
                    }
                    Outgoing::Ping => kind::PING,
                    Outgoing::PingReply => kind::PING_REPLY,
                }
            }
            Command::Close {
                generation,
                code,
                reason,
            } => {
                p.generation = generation.0;
                p.code = code;
                p.reason = reason;
                kind::CLOSE
            }
            Command::Abandon {
                generation,
                code,
                reason,
                dead,
            } => {
                p.generation = generation.0;
                p.code = Some(code);
                p.reason = reason;
                p.flag = dead;
                kind::ABANDON
            }
            Command::AskShouldReconnect {
                code,
                reason,
                was_clean,
            } => {
                p.code = Some(code);
                p.reason = reason;
                p.flag = was_clean;
                kind::ASK
            }
            Command::Emit(event) => self.event(event),
        }
    }

    fn event(&mut self, event: Event<u32, ReasonId>) -> u32 {
        let p = &mut self.polled;
        let (kind, value) = match event {
            Event::Open => (kind::EV_OPEN, 0),
            Event::Reconnect { attempt, downtime } => {
                p.delay = Some(downtime);
                (kind::EV_RECONNECT, attempt)
            }
            Event::Reconnecting { attempt, delay } => {
                p.delay = Some(delay);
                (kind::EV_RECONNECTING, attempt)
            }
            Event::Close(info) => {
                p.code = Some(info.code);
                p.reason = info.reason;
                p.flag = info.was_clean;
                p.delay = info.delay;
                (kind::EV_CLOSE, u32::from(info.will_reconnect))
            }
            Event::Error { cause } => (kind::EV_ERROR, cause as u32),
            Event::GiveUp { attempts } => (kind::EV_GIVEUP, attempts),
            Event::Heartbeat { rtt } => {
                p.delay = Some(rtt);
                (kind::EV_HEARTBEAT, 0)
            }
            Event::StateChange(state) => (kind::EV_STATE, state as u32),
            Event::Drop(id) => (kind::EV_DROP, id),
        };
        p.value = f64::from(value);
        kind
    }

    /// Feeds one of the [`input`]s: `generation` for the socket inputs, `value` as each
    /// says. Answers 0, or a [`refusal`] (only `SEND` can be refused).
    pub fn input(&mut self, input: u32, generation: u32, value: f64, now: f64) -> u32 {
        let generation = Generation(generation);
        let on = value == 1.0;
        let input = match input {
            input::START => Input::Start,
            input::OPENED => Input::Opened { generation },
            input::PONG => Input::Pong { generation },
            input::SERVER_PING => Input::ServerPing { generation },
            input::FAILED => Input::Error {
                generation,
                cause: if on {
                    ErrorCause::Url
                } else {
                    ErrorCause::Socket
                },
            },
            input::DEADLINE => Input::Deadline {
                last_message_at: (!value.is_nan()).then(|| millis(value)),
            },
            input::SEND => Input::Send(value as u32),
            input::KEEP => Input::Keep(value as u32),
            input::VISIBILITY => Input::Visibility { visible: on },
            input::NETWORK if on => Input::Online,
            input::NETWORK => Input::Offline,
            input::PAGE_SHOW => Input::PageShow { persisted: on },
            input::PAGE_HIDE => Input::PageHide { persisted: on },
            input::RESUME => Input::Resume,
            input::CLOSING => Input::Closing { generation },
            input::SHOULD_RECONNECT => Input::ShouldReconnect(on),
            input::RECONNECT_LISTENER => {
                self.machine.set_reconnect_listener(on);
                return 0;
            }
            _ => return 0,
        };
        self.handle(input, now)
    }

    /// The socket of `generation` closed, with its close event's code, reason (the id the
    /// driver keeps its text under, see [`ReasonId`]) and wasClean.
    pub fn closed(&mut self, generation: u32, code: u16, reason: u32, clean: bool, now: f64) {
        let input = Input::Closed {
            generation: Generation(generation),
            code,
            reason: ReasonId {
                id: reason,
                bytes: 0,
            },
            was_clean: clean,
        };
        self.handle(input, now);
    }

    /// `close(code, reason)`, or `reconnect(code, reason)` when `reconnect` is set, the
    /// reason as the id the driver keeps its text under and its length in bytes of UTF-8
    /// (see [`ReasonId`]): 0, or a [`refusal`] (then the core keeps nothing of it).
    pub fn close(
        &mut self,
        reconnect: bool,
        code: Option<u16>,
        reason: u32,
        bytes: u32,
        now: f64,
    ) -> u32 {
        let reason = ReasonId { id: reason, bytes };
        let input = if reconnect {
            Input::Reconnect { code, reason }
        } else {
            Input::Close { code, reason }
        };
        self.handle(input, now)
    }

    /// What `core_input` carries: [`Core::input`]'s inputs, and [`input::CLOSED`],
    /// [`input::CLOSE`] and [`input::RECONNECT`], which take `extra` too (the code and, for
    /// `CLOSED`, 1 << 16 when clean; for `CLOSE`, 1 << 16 alone for no code) and become
    /// [`Core::closed`] and [`Core::close`].
    pub fn feed(&mut self, input: u32, generation: u32, value: f64, extra: u32, now: f64) -> u32 {
        match input {
            input::CLOSED => {
                let clean = extra >> 16 != 0;
                self.closed(generation, extra as u16, value as u32, clean, now);
                0
            }
            input::CLOSE | input::RECONNECT => {
                let code = (extra >> 16 == 0).then_some(extra as u16);
                let reconnect = input == input::RECONNECT;
                self.close(reconnect, code, value as u32, generation, now)
            }
            _ => self.input(input, generation, value, now),
        }
    }

    fn handle(&mut self, input: Input<u32, ReasonId>, now: f64) -> u32 {
        match self.machine.handle(input, millis(now)) {
            Ok(()) => 0,
            Err(InputError::Closed(_)) => refusal::CLOSED,
            Err(InputError::QueueFull { .. }) => refusal::QUEUE_FULL,
            Err(InputError::InvalidCloseCode(_)) => refusal::CLOSE_CODE,
            Err(InputError::ReasonTooLong { .. }) => refusal::REASON_TOO_LONG,
        }
    }
}

// The exports: free functions over a handle, the address of a boxed `Core` (not a
// wasm-bindgen class: its borrow flag, reference count and finalizer glue cost 0.6 KB gzip
// between module and glue, and guard against what cannot happen here: the module imports
// nothing, so no call re-enters). Each is `unsafe`: the JS side (js/lifeline-ws.js, `Core`)
// passes only a handle from `core_new` not yet given to `core_free`, and frees each once.

/// [`Core::new`], boxed: answers the handle the other calls take.
#[wasm_bindgen]
pub fn core_new(values: Values, seed_high: u32, seed_low: u32) -> *mut Core {
    Box::into_raw(Box::new(Core::new(values, seed_high, seed_low)))
}

/// Drops the core of `core`.
///
/// # Safety
/// `core` is a handle from [`core_new`], not freed before; no call takes it after.
#[wasm_bindgen]
pub unsafe fn core_free(core: *mut Core) {
    // SAFETY: as the caller promises.
    drop(unsafe { Box::from_raw(core) });
}

/// [`Core::query`].
///
/// # Safety
/// `core` is a handle from [`core_new`], not freed.
#[wasm_bindgen]
pub unsafe fn core_query(core: *mut Core, what: u32) -> f64 {
    // SAFETY: as the caller promises; no other borrow is live (nothing re-enters).
    unsafe { &mut *core }.query(what)
}

/// [`Core::poll`].
///
/// # Safety
/// As [`core_query`]'s.
#[wasm_bindgen]
pub unsafe fn core_poll(core: *mut Core) -> u32 {
    // SAFETY: as the caller promises.
    unsafe { &mut *core }.poll()
}

/// Every input: [`Core::input`]'s, and through [`input::CLOSED`], [`input::CLOSE`] and
/// [`input::RECONNECT`] (which say what `generation`, `value` and `extra` hold for them)
/// [`Core::closed`] and [`Core::close`]. One export for all (each costs bytes in the module
/// and in the glue); `extra` is 0 for the others.
///
/// # Safety
/// As [`core_query`]'s.
#[wasm_bindgen]
pub unsafe fn core_input(
    core: *mut Core,
    input: u32,
    generation: u32,
    value: f64,
    extra: u32,
    now: f64,
) -> u32 {
    // SAFETY: as the caller promises.
    unsafe { &mut *core }.feed(input, generation, value, extra, now)
}

/// Panics trap: the npm build has no std, so no panic machinery and no formatting (the core's
/// checks and the property hunts keep its panics unreachable).
#[cfg(all(target_arch = "wasm32", not(feature = "api"), not(test)))]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    core::arch::wasm32::unreachable()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::{State, MAX_DELAY_MS};

    impl Core {
        /// [`Core::query`], with `None` for its NaN.
        fn value(&mut self, what: u32) -> Option<f64> {
            Some(self.query(what)).filter(|v| !v.is_nan())
        }
    }

    /// The slot values of the default config, as the JS side writes them.
    fn defaults() -> Vec<f64> {
        let mut v = vec![0.0; slot::COUNT];
        v[slot::INITIAL_DELAY] = 1000.0;
        v[slot::MAX_DELAY] = 30000.0;
        v[slot::FACTOR] = 2.0;
        v[slot::MAX_RETRIES] = f64::INFINITY;
        v[slot::MIN_UPTIME] = 5000.0;
        v[slot::CONNECTION_TIMEOUT] = 10000.0;
        v[slot::CLOSE_TIMEOUT] = 3000.0;
        v[slot::INTERVAL] = 25000.0;
        v[slot::TIMEOUT] = 10000.0;
        v[slot::MAX_MESSAGES] = 1000.0;
        v[slot::HIDDEN_AFTER] = f64::NAN;
        v[slot::CLIENT_PING] = 1.0;
        v[slot::PROBE_ON_VISIBLE] = 1.0;
        v[slot::RECONNECT_ON_ONLINE] = 1.0;
        v[slot::PAUSE_WHEN_OFFLINE] = 1.0;
        v
    }

    #[test]
    fn the_default_slots_are_the_default_config() {
        let mut expected = Config::default();
        // Heartbeat off: its numbers are still carried, and client pings default on.
        assert_eq!(config(&defaults()).heartbeat, None);
        expected.heartbeat = None;
        assert_eq!(config(&defaults()), expected);
        assert!(Config::default().validate().is_ok());
    }

    #[test]
    fn every_slot_reaches_its_field() {
        let mut v = defaults();
        v[slot::JITTER] = 1.0;
        v[slot::OVERFLOW] = 1.0;
        v[slot::HEARTBEAT] = 1.0;
        v[slot::SERVER_PING] = 1.0;
        v[slot::ANY_MESSAGE_IS_PONG] = 1.0;
        v[slot::HIDDEN_AFTER] = 500.0;
        v[slot::CLOSE_ON_PAGE_HIDE] = 1.0;
        v[slot::SHOULD_RECONNECT] = 1.0;
        v[slot::RECONNECT_LISTENER] = 1.0;
        v[slot::START_CLOSED] = 1.0;
        v[slot::PROBE_ON_VISIBLE] = 0.0;
        let c = config(&v);
        assert_eq!(c.backoff.jitter, Jitter::Equal);
        assert_eq!(c.queue.overflow, Overflow::DropOldest);
        let h = c.heartbeat.unwrap();
        assert!(h.server_ping && h.client_ping && h.any_message_is_pong);
        assert_eq!(c.lifecycle.close_when_hidden_after, Some(500.0));
        assert!(c.lifecycle.close_on_page_hide && !c.lifecycle.probe_on_visible);
        assert!(c.should_reconnect && c.reconnect_listener && c.start_closed);
        v[slot::JITTER] = 2.0;
        assert_eq!(config(&v).backoff.jitter, Jitter::None);
    }

    fn error(values: &[f64]) -> u32 {
        Core::new(values.into(), 0, 1).value(field::ERROR).unwrap() as u32
    }

    #[test]
    fn a_refused_config_is_a_number_naming_field_and_expectation() {
        let mut v = defaults();
        v[slot::FACTOR] = 0.5;
        let code = error(&v);
        assert_eq!(NUMBER_FIELDS[(code / 16 - 1) as usize], "backoff.factor");
        assert_eq!(
            EXPECTATIONS[(code % 16) as usize],
            Expected::FactorAtLeastOne
        );

        let mut v = defaults();
        v[slot::HIDDEN_AFTER] = MAX_DELAY_MS + 1.0;
        let code = error(&v);
        assert_eq!(
            NUMBER_FIELDS[(code / 16 - 1) as usize],
            "lifecycle.closeWhenHiddenAfter"
        );

        let mut v = defaults();
        v[slot::HEARTBEAT] = 1.0;
        v[slot::CLIENT_PING] = 0.0;
        assert_eq!(error(&v), NO_HEARTBEAT_SOURCE);
        assert_eq!(error(&defaults()), 0);
        // A short array: the values missing read NaN (the booleans false).
        assert_eq!(error(&[]), 16 + Expected::PositiveDelay as u32);
        assert_eq!(error(&defaults()[..slot::CLOSE_TIMEOUT + 1]), 0);
    }

    #[test]
    fn expectations_are_numbered_as_the_core_numbers_them() {
        for (i, expected) in EXPECTATIONS.iter().enumerate() {
            assert_eq!(*expected as usize, i, "{expected:?}");
        }
    }

    #[test]
    fn every_number_field_error_has_a_code() {
        // Each numeric field, made invalid in turn, answers its own field index.
        for (i, name) in NUMBER_FIELDS.iter().enumerate() {
            let mut v = defaults();
            v[slot::HEARTBEAT] = 1.0;
            v[i] = -1.0;
            let code = error(&v);
            assert_eq!(NUMBER_FIELDS[(code / 16 - 1) as usize], *name, "slot {i}");
        }
    }

    /// Polls every command: (kind, generation, value).
    fn drain(core: &mut Core) -> Vec<(u32, f64, f64)> {
        let mut out = vec![];
        loop {
            match core.poll() {
                kind::NONE => return out,
                k => out.push((
                    k,
                    core.value(field::GENERATION).unwrap(),
                    core.value(field::VALUE).unwrap(),
                )),
            }
        }
    }

    #[test]
    fn commands_cross_as_kinds_and_fields() {
        let mut v = defaults();
        v[slot::MAX_MESSAGES] = 1.0;
        v[slot::OVERFLOW] = 1.0;
        let mut core = Core::new(v[..].into(), 0, 7);
        assert_eq!(core.input(input::SEND, 0, 1.0, 0.0), 0);
        assert_eq!(core.input(input::SEND, 0, 2.0, 0.0), 0);
        assert_eq!(drain(&mut core), vec![(kind::EV_DROP, 0.0, 1.0)]);
        core.input(input::START, 0, 0.0, 0.0);
        let commands = drain(&mut core);
        assert!(commands
            .iter()
            .any(|&(k, _, v)| k == kind::EV_STATE && v == 0.0));
        assert!(commands
            .iter()
            .any(|&(k, g, _)| k == kind::OPEN && g == 1.0));
        assert_eq!(
            core.value(field::STATE),
            Some(State::Connecting as u8 as f64)
        );
        assert_eq!(core.value(field::NEXT_DEADLINE), Some(10000.0));
        assert_eq!(core.value(field::LIVE_GENERATION), Some(1.0));
        core.input(input::OPENED, 1, 0.0, 40.0);
        let commands = drain(&mut core);
        assert!(commands.contains(&(kind::SEND, 1.0, 2.0)));
        assert_eq!(core.value(field::CONNECTED_SINCE), Some(40.0));
        assert_eq!(core.value(field::LAST_RTT), None);
        assert!(core.query(field::LAST_RTT).is_nan(), "none is NaN");
        assert_eq!(
            core.close(false, Some(1001), 0, 0, 50.0),
            refusal::CLOSE_CODE
        );
        assert_eq!(
            core.close(true, None, 20, 124, 50.0),
            refusal::REASON_TOO_LONG
        );
        assert_eq!(core.close(false, Some(1000), 21, 3, 50.0), 0);
        let mut close = None;
        loop {
            match core.poll() {
                kind::NONE => break,
                kind::CLOSE => close = Some((core.value(field::CODE), core.value(field::REASON))),
                _ => {}
            }
        }
        assert_eq!(close, Some((Some(1000.0), Some(21.0))));
        assert_eq!(core.input(input::SEND, 0, 3.0, 60.0), refusal::CLOSED);
        core.closed(1, 1000, 22, true, 70.0);
        let mut event = None;
        loop {
            match core.poll() {
                kind::NONE => break,
                kind::EV_CLOSE => {
                    event = Some((
                        core.value(field::CODE),
                        core.value(field::FLAG),
                        core.value(field::VALUE),
                        core.value(field::DELAY),
                        core.value(field::REASON),
                    ))
                }
                _ => {}
            }
        }
        assert_eq!(
            event,
            Some((Some(1000.0), Some(1.0), Some(0.0), None, Some(22.0)))
        );
        assert_eq!(core.value(field::CLOSED_FOR_GOOD), Some(1.0));
        assert_eq!(core.value(field::NEXT_DEADLINE), None);
        assert_eq!(core.value(99), None);
    }

    #[test]
    fn times_out_of_range_are_clamped_not_trapped() {
        let mut core = Core::new(defaults()[..].into(), 0, 1);
        core.input(input::START, 0, 0.0, f64::NAN);
        core.input(input::DEADLINE, 0, f64::NAN, -5.0);
        core.input(input::DEADLINE, 0, 1e300, f64::INFINITY);
        core.input(1000, 0, 0.0, 0.0);
        drain(&mut core);
    }

    #[test]
    fn the_machine_s_own_words_have_fixed_ids() {
        for (i, why) in DROP_REASONS.iter().enumerate() {
            let reason = ReasonId::from_drop(*why);
            assert_eq!(reason.id as usize, i + 1, "{why:?}");
            assert_eq!(reason.utf8_len(), why.as_str().len(), "{why:?}");
        }
        // Every DropReason is listed: a new one fails to build here.
        for why in DROP_REASONS {
            match why {
                DropReason::ConnectionTimeout
                | DropReason::HeartbeatTimeout
                | DropReason::ServerPingTimeout
                | DropReason::CloseTimeout
                | DropReason::ClosedByUser
                | DropReason::Reconnect
                | DropReason::PageHide
                | DropReason::HiddenTooLong => {}
            }
        }
    }

    #[test]
    fn feed_unpacks_the_inputs_with_a_reason() {
        let mut core = Core::new(defaults()[..].into(), 0, 1);
        core.feed(input::START, 0, 0.0, 0, 0.0);
        core.feed(input::OPENED, 1, 0.0, 0, 10.0);
        drain(&mut core);
        // close(): code 4000, reason 40 of 124 bytes is refused; no code at all is not.
        assert_eq!(
            core.feed(input::CLOSE, 124, 40.0, 4000, 20.0),
            refusal::REASON_TOO_LONG
        );
        assert_eq!(
            core.feed(input::CLOSE, 0, 40.0, 1001, 20.0),
            refusal::CLOSE_CODE
        );
        assert_eq!(core.feed(input::RECONNECT, 3, 40.0, 1 << 16, 20.0), 0);
        let mut abandon = None;
        loop {
            let k = core.poll();
            if k == kind::NONE {
                break;
            }
            if k == kind::ABANDON {
                abandon = Some((core.value(field::CODE), core.value(field::REASON)));
            }
        }
        assert_eq!(abandon, Some((Some(1000.0), Some(40.0))), "no code: 1000");
        // closed(): code 4001, clean, reason 41, on the new socket.
        core.feed(input::OPENED, 2, 0.0, 0, 30.0);
        drain(&mut core);
        core.feed(input::CLOSED, 2, 41.0, 4001 | 1 << 16, 40.0);
        let mut close = None;
        loop {
            let k = core.poll();
            if k == kind::NONE {
                break;
            }
            if k == kind::EV_CLOSE {
                let clean = core.value(field::FLAG);
                close = Some((core.value(field::CODE), core.value(field::REASON), clean));
            }
        }
        assert_eq!(close, Some((Some(4001.0), Some(41.0), Some(1.0))));
    }

    #[test]
    fn the_held_reason_is_the_ended_connection_s_while_deciding() {
        let mut v = defaults();
        v[slot::SHOULD_RECONNECT] = 1.0;
        let mut core = Core::new(v[..].into(), 0, 1);
        core.input(input::START, 0, 0.0, 0.0);
        core.input(input::OPENED, 1, 0.0, 10.0);
        drain(&mut core);
        assert_eq!(core.value(field::HELD_REASON), Some(0.0));
        core.closed(1, 4000, 40, true, 20.0);
        assert_eq!(core.poll(), kind::ASK);
        assert_eq!(core.value(field::REASON), Some(40.0));
        drain(&mut core);
        assert_eq!(
            core.value(field::HELD_REASON),
            Some(40.0),
            "kept while deciding"
        );
        core.input(input::SHOULD_RECONNECT, 0, 1.0, 30.0);
        let mut reasons = vec![];
        while core.poll() != kind::NONE {
            reasons.push(core.value(field::REASON));
        }
        assert!(reasons.contains(&Some(40.0)), "the close event's reason");
        assert_eq!(core.value(field::HELD_REASON), Some(0.0));
        // A refused close keeps nothing.
        core.input(input::DEADLINE, 0, f64::NAN, 100_000.0);
        core.input(input::OPENED, 2, 0.0, 100_010.0);
        drain(&mut core);
        assert_eq!(
            core.close(false, Some(4000), 41, 124, 100_020.0),
            refusal::REASON_TOO_LONG
        );
        assert_eq!(core.poll(), kind::NONE);
        assert_eq!(core.value(field::HELD_REASON), Some(0.0));
    }
}
