//! The Rust API: the same core, driven from Rust without going through JavaScript.
//!
//! - [`Config`] and its [`ConfigBuilder`]: the JS options with the same defaults and the
//!   same validation (the core's [`crate::core::Config::validate`]).
//! - [`Message`], [`Event`] and the event payloads: what a connection tells you.
//! - On `wasm32`: `Socket`, its event stream `Events`, a non-owning `SocketHandle`
//!   for callbacks, and `UrlSource` for a URL computed before every attempt.
//! - With the `serde` feature (`options`): `Config` from and to the JS option names
//!   (`Config::from_js` / `to_js` on `wasm32`); `Stats` and the events serialize with the
//!   JS events' names.

mod config;
mod event;
#[cfg(feature = "serde")]
mod options;
#[cfg(target_arch = "wasm32")]
mod socket;

pub use config::{Config, ConfigBuilder, Matcher};
pub use event::{Close, Disconnect, Error, ErrorInfo, Event, Message, Reconnect, Reconnecting};
#[cfg(target_arch = "wasm32")]
pub use socket::{Events, Socket, SocketHandle, UrlSource};
