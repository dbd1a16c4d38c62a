//! The platform side of the Rust API, on `wasm32`.
//!
//! - `platform`: the JS APIs used, declared by hand, and `Listener`, which removes itself
//!   on `Drop`.
//! - `engine`: one socket, one timer, the lifecycle listeners; carries out the core's
//!   commands for the Rust API's `Socket`.
//!
//! The npm package does not use this module: its driver is JavaScript (`js/driver.js`), over
//! the bare core that the `npm` module exports (feature `npm`).

pub(crate) mod engine;
pub(crate) mod platform;
