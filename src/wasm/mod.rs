//! The platform side, on `wasm32`: the [`Driver`] that the npm package's
//! `LifelineSocket` wraps (see `docs/driver-contract.md`), and the [`Host`] it reports to.
//!
//! - `platform`: the JS APIs used, declared by hand, and `Listener`, which removes itself
//!   on `Drop`.
//! - `options`: reads the JS options object into the core's `Config`.
//! - `driver`: one socket, one timer, the lifecycle listeners; carries out the core's
//!   commands.

mod driver;
mod options;
mod platform;

pub use driver::{Driver, Host};

use wasm_bindgen::prelude::*;

/// The version of the crate that built this module, as `MAJOR.MINOR.PATCH`.
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").into()
}

/// A small free-list allocator instead of dlmalloc (~8 KB of wasm less). The module is
/// single-threaded: it is built without atomics, so no two calls can ever overlap.
#[global_allocator]
static ALLOCATOR: lol_alloc::AssumeSingleThreaded<lol_alloc::FreeListAllocator> =
    // SAFETY: wasm32-unknown-unknown without the atomics feature has one thread.
    unsafe { lol_alloc::AssumeSingleThreaded::new(lol_alloc::FreeListAllocator::new()) };
