//! The connection core: every rule of lifeline-ws as a pure, deterministic state machine.
//!
//! No web-sys, no js-sys, no wasm-bindgen, no clock and no random source of its own: the
//! driver feeds [`Input`]s with the time they happened, drains [`Command`]s, and keeps one
//! timer at [`Machine::next_deadline`]. The same machine runs in the browser, in Node, and
//! in native tests driven by a fake clock.
//!
//! What lives here: backoff with jitter and its ceiling, `minUptime`, `connectionTimeout`,
//! `maxRetries` and `giveup`; heartbeats (client pings, any-message liveness, server pings
//! and silence); the bounded ordered send queue; `shouldReconnect`; the page lifecycle
//! rules (probe on visible, resume and `pageshow`; attempt at once on `online`; nothing
//! while offline; `closeWhenHiddenAfter`; `closeOnPageHide`); sleep detection (a deadline
//! handled far later than it was due leads to a probe, never to a "dead" verdict; a probe
//! never postpones a verdict, and only signs of life and late deadlines move one); and the
//! generations that keep stale sockets from ever producing an event.

mod backoff;
mod close;
mod config;
mod fifo;
mod liveness;
mod machine;
mod num;
mod page;
mod queue;
mod refusal;
mod timer;
mod types;

pub use backoff::Rng;
pub use close::{DropReason, Reason, CODE_ABNORMAL, CODE_NORMAL, CODE_NO_STATUS};
#[cfg(feature = "npm")]
pub(crate) use config::Invalid;
pub use config::{
    Backoff, Config, ConfigError, Expected, Heartbeat, Jitter, Lifecycle, Overflow, Queue,
    MAX_DELAY_MS, MAX_QUEUE,
};
pub use machine::Machine;
pub use page::RECHECK_WINDOW;
pub use queue::{Pushed, SendQueue};
pub use refusal::InputError;
pub use timer::LATE_AFTER;
pub use types::{
    CloseInfo, Command, ErrorCause, Event, Generation, Input, Millis, Outgoing, State, Stats,
};
