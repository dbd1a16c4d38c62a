//! The npm build's wasm keeps a 64 KB stack instead of rustc's 1 MB: the core recurses
//! nowhere, and the smaller initial memory leaves room for the allocator's arena
//! (src/npm/arena.rs) without growing past what a page needs.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let npm = std::env::var_os("CARGO_FEATURE_NPM").is_some();
    let wasm = std::env::var("CARGO_CFG_TARGET_ARCH").as_deref() == Ok("wasm32");
    if npm && wasm {
        println!("cargo:rustc-link-arg-cdylib=-zstack-size=65536");
    }
}
