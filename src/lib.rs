//! # lifeline-ws
//!
//! A WebSocket client that stays alive. The behaviour — backoff reconnects, heartbeats,
//! dead-connection detection, the send queue, page-lifecycle rules — lives in
//! [`core`]: a pure, deterministic state machine that reads no clock and no
//! random source of its own, so every rule is tested natively with a fake clock.
//!
//! On `wasm32` the crate also carries the bindings that the npm package `lifeline-ws`
//! loads.
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

pub mod core;

#[cfg(target_arch = "wasm32")]
pub mod wasm;
