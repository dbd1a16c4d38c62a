//! Bindings loaded by the npm package.
//!
//! This layer grows into the driver (one platform `WebSocket`, one timer, the lifecycle
//! listeners); for now it exports what lets the package prove that the module loads.

use wasm_bindgen::prelude::*;

/// The version of the crate that built this module, as `MAJOR.MINOR.PATCH`.
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").into()
}
