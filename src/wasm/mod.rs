//! The platform side of the Rust API, on `wasm32`.
//!
//! - `engine`: one socket, one timer, the lifecycle listeners; carries out the core's
//!   commands for the Rust API's `Socket`. Platform types from web-sys, listeners from
//!   gloo-events and the timer from gloo-timers, each released on `Drop`.
//! - `platform`: what web-sys cannot reach alike in browsers, Workers and Node (the
//!   `performance` and `crypto` globals, duck-typed reads), declared by hand.
//!
//! The npm package does not use this module: its driver is JavaScript (`js/driver.js`), over
//! the bare core that the `npm` module exports (feature `npm`).

pub(crate) mod engine;
pub(crate) mod platform;
