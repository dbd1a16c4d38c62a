//! The platform side, on `wasm32`.
//!
//! - `engine`: one socket, one timer, the lifecycle listeners; carries out the core's
//!   commands for either host: the npm package's facade, or the Rust API's
//!   `Socket`. Platform types from web-sys, listeners from gloo-events and the timer from
//!   gloo-timers, each released on `Drop`.
//! - `platform`: what web-sys cannot reach alike in browsers, Workers and Node (the
//!   `performance` and `crypto` globals, duck-typed reads), declared by hand.
//! - With the `npm` feature: `options` (reads the JS options object into the core's
//!   `Config`) and `driver`, the `Driver` that the npm package's `LifelineSocket` wraps
//!   (see `docs/driver-contract.md`) and the `Host` it reports to.

#[cfg(feature = "npm")]
mod driver;
pub(crate) mod engine;
#[cfg(feature = "npm")]
mod options;
pub(crate) mod platform;

#[cfg(feature = "npm")]
pub use driver::{Driver, Host};

#[cfg(feature = "npm")]
use wasm_bindgen::prelude::*;

/// The version of the crate that built this module, as `MAJOR.MINOR.PATCH`.
///
/// ```js
/// // Exported by the wasm-bindgen module (the facade itself does not re-export it).
/// import { initSync, version } from "../pkg/web/lifeline_ws.js";
///
/// initSync({ module: wasmBytes() });
/// console.assert(/^\d+\.\d+\.\d+$/.test(version())); // e.g. "0.1.0"
/// ```
#[cfg(feature = "npm")]
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").into()
}

/// A small free-list allocator instead of dlmalloc (~8 KB of wasm less). The module is
/// single-threaded: it is built without atomics, so no two calls can ever overlap.
#[cfg(feature = "npm")]
#[global_allocator]
static ALLOCATOR: lol_alloc::AssumeSingleThreaded<lol_alloc::FreeListAllocator> =
    // SAFETY: wasm32-unknown-unknown without the atomics feature has one thread.
    unsafe { lol_alloc::AssumeSingleThreaded::new(lol_alloc::FreeListAllocator::new()) };
