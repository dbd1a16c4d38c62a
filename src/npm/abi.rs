//! The config array, crossing as wasm-bindgen's own type with less code.
//!
//! wasm-bindgen takes a `&[f64]` or `Vec<f64>` argument by way of `Vec::into_boxed_slice`,
//! whose shrinking code and panic texts then sit in the module for lengths that are always
//! exact. [`Values`] crosses exactly as `Vec<f64>` does (the same description, so the same
//! JS glue) and is read in place. wasm-bindgen is pinned (`=0.2.130` in Cargo.toml): it
//! follows its ABI, which `tests/smoke/` exercises (2,000 cores made and freed, no memory
//! grown).

use alloc::vec::Vec;
use core::alloc::Layout;

use wasm_bindgen::convert::{FromWasmAbi, WasmAbi, WasmSlice};
use wasm_bindgen::describe::WasmDescribe;

/// A `Float64Array` the JS glue copied into memory it allocated for us (`__wbindgen_malloc`,
/// 8-aligned), as a `Vec<f64>` argument: ours to free.
pub struct Values {
    ptr: *mut f64,
    len: usize,
}

impl Values {
    /// The numbers.
    pub fn as_slice(&self) -> &[f64] {
        if self.len == 0 {
            return &[];
        }
        // SAFETY: `len` initialized f64s at `ptr`, owned by `self`.
        unsafe { core::slice::from_raw_parts(self.ptr, self.len) }
    }
}

impl Drop for Values {
    fn drop(&mut self) {
        if self.len != 0 {
            // SAFETY: allocated by `__wbindgen_malloc(len * 8, 8)`, our allocator's.
            unsafe {
                alloc::alloc::dealloc(
                    self.ptr.cast(),
                    Layout::from_size_align_unchecked(self.len * 8, 8),
                )
            };
        }
    }
}

/// A copy of `values` as the JS glue hands them over (for the native unit tests).
#[cfg(test)]
impl From<&[f64]> for Values {
    fn from(values: &[f64]) -> Self {
        let len = values.len();
        let ptr =
            alloc::boxed::Box::into_raw(alloc::boxed::Box::<[f64]>::from(values)).cast::<f64>();
        Values { ptr, len }
    }
}

impl WasmDescribe for Values {
    fn describe() {
        <Vec<f64> as WasmDescribe>::describe()
    }
}

impl FromWasmAbi for Values {
    type Abi = WasmSlice;

    unsafe fn from_abi(js: WasmSlice) -> Self {
        let (ptr, len, (), ()) = js.split();
        Values {
            ptr: ptr as usize as *mut f64,
            len: len as usize,
        }
    }
}
