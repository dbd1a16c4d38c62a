//! The config array and the strings, crossing as wasm-bindgen's own types with less code.
//!
//! wasm-bindgen takes a `&[f64]` or `Vec<f64>` argument, and returns a `String`, by way of
//! `Vec::into_boxed_slice`, whose shrinking code and panic texts then sit in the module for
//! lengths that are always exact; its `String` argument owns memory, which its wrappers must
//! drop on their throw path. [`Values`], [`TextIn`] and [`TextOut`] cross exactly as
//! `Vec<f64>` and `String` do (the same description, so the same JS glue) and are read or
//! made in place. wasm-bindgen is pinned (`=0.2.130` in Cargo.toml): these follow its ABI,
//! which `tests/smoke/` exercises (strings both ways, 2,000 times, no memory grown).

use alloc::string::String;
use alloc::vec::Vec;
use core::alloc::Layout;

use wasm_bindgen::convert::{FromWasmAbi, IntoWasmAbi, WasmAbi, WasmSlice};
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

/// A string JS passes, as a `String` argument: `len` bytes of UTF-8 JS encoded into memory
/// it allocated for us, taken with [`TextIn::into_string`]. It owns nothing until then, so
/// wasm-bindgen's wrapper has nothing to drop on the path where another argument fails to
/// convert (a call on a freed `Core`), which then leaks the string (that path throws; the
/// driver never takes it).
pub struct TextIn {
    ptr: *mut u8,
    len: usize,
}

impl TextIn {
    /// The string, of exactly its length, as wasm-bindgen's own `String` argument takes it.
    pub fn into_string(self) -> String {
        // SAFETY: `len` bytes of UTF-8 at `ptr`, allocated with that size and alignment 1
        // (or dangling when `len` is 0: a capacity of 0 frees nothing).
        unsafe { String::from_utf8_unchecked(Vec::from_raw_parts(self.ptr, self.len, self.len)) }
    }
}

#[cfg(test)]
impl From<&str> for TextIn {
    fn from(text: &str) -> Self {
        let mut bytes = core::mem::ManuallyDrop::new(alloc::vec::Vec::from(text.as_bytes()));
        TextIn {
            ptr: bytes.as_mut_ptr(),
            len: bytes.len(),
        }
    }
}

impl WasmDescribe for TextIn {
    fn describe() {
        <String as WasmDescribe>::describe()
    }
}

impl FromWasmAbi for TextIn {
    type Abi = WasmSlice;

    unsafe fn from_abi(js: WasmSlice) -> Self {
        let (ptr, len, (), ()) = js.split();
        TextIn {
            ptr: ptr as usize as *mut u8,
            len: len as usize,
        }
    }
}

/// A string returned to JS, as a `String` return: JS decodes it and frees its block as
/// `len` bytes (`__wbindgen_free(ptr, len, 1)`). Made by `String::from(&str)`, whose block is
/// exactly its length (`Vec::with_capacity`'s guarantee), so that is the block allocated.
pub struct TextOut(String);

impl From<&str> for TextOut {
    fn from(text: &str) -> Self {
        TextOut(text.into())
    }
}

#[cfg(test)]
impl TextOut {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl WasmDescribe for TextOut {
    fn describe() {
        <String as WasmDescribe>::describe()
    }
}

impl IntoWasmAbi for TextOut {
    type Abi = WasmSlice;

    fn into_abi(self) -> WasmSlice {
        let text = core::mem::ManuallyDrop::new(self.0);
        WasmSlice::from_usize(text.as_ptr() as usize, text.len())
    }
}
