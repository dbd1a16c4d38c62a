//! # lifeline-ws
//!
//! A WebSocket client that stays alive. The behaviour — backoff reconnects, heartbeats,
//! dead-connection detection, the send queue, page-lifecycle rules — lives in
//! [`core`]: a pure, deterministic state machine that reads no clock and no
//! random source of its own, so every rule is tested natively with a fake clock.
//!
//! On `wasm32`, Rust front ends (Leptos, Yew, Dioxus, plain wasm-bindgen apps) get the same
//! core without going through JavaScript: `Socket::connect` with a [`Config`], events as
//! a `Stream` (futures) of [`Event`]s or through callbacks. With the `npm`
//! feature, the crate is the npm package's wasm instead: the core behind a thin export
//! layer of numbers alone (the `npm` module), driven by the package's JavaScript.
//! With the `serde` feature, a [`Config`] deserializes from (and serializes to) the JS
//! API's option names, checked as the builder checks them (`Config::from_js` / `to_js`
//! on `wasm32`, through serde-wasm-bindgen), and `Stats` and every [`Event`] serialize
//! with the JS events' names.
//!
//! ```no_run
//! # #[cfg(target_arch = "wasm32")]
//! # mod example {
//! use lifeline_ws::{Config, Event, Socket};
//! use std::time::Duration;
//!
//! # async fn run() -> Result<(), lifeline_ws::Error> {
//! let config = Config::builder()
//!     .heartbeat(Duration::from_secs(20), Duration::from_secs(5))
//!     .build()?;
//! let socket = Socket::connect("wss://example.com/live", config)?;
//! let mut events = socket.events();
//! while let Some(event) = events.next().await {
//!     match event {
//!         Event::Open => socket.send("hello")?,
//!         Event::Reconnect(r) => socket.send(format!("back after {:?}", r.downtime))?,
//!         Event::Message(message) => println!("{message:?}"),
//!         _ => {}
//!     }
//! }
//! # Ok(()) }
//! # }
//! ```
//!
//! The pure core, for a driver of your own:
//!
//! ```
//! use lifeline_ws::core::{Command, Config, Event, Input, Machine};
//!
//! let mut machine: Machine<String> = Machine::new(Config::default(), 7).unwrap();
//! machine.handle(Input::Start, 0).unwrap();
//! // The driver opens a platform socket for generation 1 …
//! let Some(Command::Open { generation }) = machine.poll_command() else { panic!() };
//! // … and reports that it opened.
//! machine.handle(Input::Opened { generation }, 40).unwrap();
//! let events: Vec<_> = std::iter::from_fn(|| machine.poll_command()).collect();
//! assert!(events.contains(&Command::Emit(Event::Open)));
//! ```
#![warn(missing_docs)]
// The npm build (`--no-default-features --features npm`) is the core alone, without std: its
// panics trap (src/npm/mod.rs) instead of pulling in the formatting machinery.
#![cfg_attr(not(feature = "api"), no_std)]

extern crate alloc;

#[cfg(feature = "api")]
mod api;
pub mod core;

#[cfg(feature = "api")]
pub use api::{
    Close, Config, ConfigBuilder, Disconnect, Error, ErrorInfo, Event, Matcher, Message, Reconnect,
    Reconnecting,
};
#[cfg(all(feature = "api", target_arch = "wasm32"))]
pub use api::{Events, Socket, SocketHandle, UrlSource};

#[cfg(all(feature = "api", target_arch = "wasm32"))]
pub mod wasm;

#[cfg(feature = "npm")]
pub mod npm;
