//! The npm build's allocator: blocks of power-of-two sizes, one free list per size, carved
//! first from a static arena and then from pages the memory grows by.
//!
//! The arena lives in the module's initial memory, so the first thousand sockets never
//! grow the wasm memory. Growing it detaches the memory's ArrayBuffer, and one detached
//! ArrayBuffer switches off a V8 typed-array fast path for the whole process (Node's `ws`
//! then masks frames ~20 % slower). Blocks never split or merge: a core allocates a few
//! small, similar blocks and frees them when its socket is collected, so a freed block is
//! soon reused at its own size. An allocation that cannot be served traps: the core has no
//! way to go on without its memory, and a trap needs no formatting machinery.

use core::alloc::{GlobalAlloc, Layout};
use core::arch::wasm32;
use core::cell::UnsafeCell;

/// The arena's size: a core takes under 1 KB (3,000 fit in 3 MB, measured), so 2 MB holds a
/// thousand sockets twice over.
const ARENA: usize = 2 << 20;
/// The smallest block: 16 bytes (class 0).
const SMALLEST_SHIFT: u32 = 4;
/// Size classes: 16 bytes, 32, …, 1 GiB.
const CLASSES: usize = 27;
/// A wasm page.
const PAGE: usize = 65536;

/// The arena's bytes, a static of its own: all zeros, so it takes room in the initial memory
/// (`.bss`) and none in the module.
#[repr(C, align(4096))]
struct Bytes(UnsafeCell<[u8; ARENA]>);

// SAFETY: wasm32-unknown-unknown without the atomics feature has one thread.
unsafe impl Sync for Bytes {}

static BYTES: Bytes = Bytes(UnsafeCell::new([0; ARENA]));

struct State {
    /// The next address to carve from, and the end of the region it is in (0, 0: not
    /// started; then the arena; then the pages grown at the end of the memory).
    next: usize,
    end: usize,
    /// The head of each class's free list (0: empty); a free block holds the next's address.
    free: [usize; CLASSES],
}

/// The allocator: power-of-two blocks from [`ARENA`] bytes, then from grown pages. Its
/// `realloc` is `GlobalAlloc`'s own (a new block, the bytes copied, the old one freed): the
/// core's `Vec`s double, which always changes the class, and a string JS re-sizes while
/// encoding it is short, so one that stays in its class is not worth the code.
pub struct Arena {
    state: UnsafeCell<State>,
}

// SAFETY: wasm32-unknown-unknown without the atomics feature has one thread.
unsafe impl Sync for Arena {}

/// A trap (see the module's doc).
fn out_of_memory() -> ! {
    wasm32::unreachable()
}

impl Arena {
    const fn new() -> Self {
        Arena {
            state: UnsafeCell::new(State {
                next: 0,
                end: 0,
                free: [0; CLASSES],
            }),
        }
    }

    /// The class of a layout: the smallest power of two, from 16, that holds its size and
    /// its alignment.
    fn class(layout: Layout) -> usize {
        let size = layout.size().max(layout.align()).max(1);
        let bits = usize::BITS - (size - 1).leading_zeros();
        let class = bits.saturating_sub(SMALLEST_SHIFT) as usize;
        if class >= CLASSES {
            out_of_memory()
        }
        class
    }

    /// Carves a new block of `size` bytes (a power of two), aligned to its size up to a page.
    fn carve(state: &mut State, size: usize) -> usize {
        if state.end == 0 {
            state.next = BYTES.0.get() as usize;
            state.end = state.next + ARENA;
        }
        let align = size.min(PAGE);
        let mut at = (state.next + align - 1) & !(align - 1);
        if at + size > state.end {
            // The region is spent: go on at the end of the memory, growing it.
            let top = wasm32::memory_size(0) * PAGE;
            if state.end != top {
                state.next = top;
                state.end = top;
                at = (top + align - 1) & !(align - 1);
            }
            let pages = (at + size - state.end).div_ceil(PAGE);
            if wasm32::memory_grow(0, pages) == usize::MAX {
                out_of_memory()
            }
            state.end += pages * PAGE;
        }
        state.next = at + size;
        at
    }
}

unsafe impl GlobalAlloc for Arena {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let class = Self::class(layout);
        // SAFETY: one thread, and nothing allocates while this borrow lives.
        let state = unsafe { &mut *self.state.get() };
        let head = state.free[class];
        let block = if head != 0 {
            // SAFETY: a free block's first word is the next free block's address.
            state.free[class] = unsafe { *(head as *const usize) };
            head
        } else {
            Self::carve(state, 1 << (class as u32 + SMALLEST_SHIFT))
        };
        if block == 0 {
            out_of_memory()
        }
        block as *mut u8
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        let class = Self::class(layout);
        // SAFETY: one thread; `ptr` is a block of this class, at least 16 bytes long.
        let state = unsafe { &mut *self.state.get() };
        unsafe { *(ptr as *mut usize) = state.free[class] };
        state.free[class] = ptr as usize;
    }
}

#[global_allocator]
static ALLOCATOR: Arena = Arena::new();
