//! The npm build's allocator: blocks of power-of-two sizes carved from a static arena, one
//! free list per size.
//!
//! The arena lives in the module's initial memory, so the first thousand sockets never
//! grow the wasm memory. Growing it detaches the memory's ArrayBuffer, and one detached
//! ArrayBuffer switches off a V8 typed-array fast path for the whole process (Node's `ws`
//! then masks frames ~20 % slower). Blocks never split or merge: a core allocates a few
//! small, similar blocks and frees them when its socket is collected, so a freed block is
//! soon reused at its own size. What does not fit (a block over [`LARGEST`], or an arena
//! used up) comes from lol_alloc, which grows the memory.

use core::alloc::{GlobalAlloc, Layout};
use core::cell::UnsafeCell;

/// The arena's size: a core takes under 1 KB (3,000 fit in 3 MB, measured), so 2 MB holds a
/// thousand sockets twice over.
const ARENA: usize = 2 << 20;
/// The smallest block: 16 bytes (class 0).
const SMALLEST_SHIFT: u32 = 4;
/// The largest block served from the arena.
const LARGEST: usize = 4096;
/// Size classes: 16, 32, …, 4096.
const CLASSES: usize = 9;

/// The arena's bytes, a static of its own: all zeros, so it takes room in the initial memory
/// (`.bss`) and none in the module.
#[repr(C, align(4096))]
struct Bytes(UnsafeCell<[u8; ARENA]>);

// SAFETY: wasm32-unknown-unknown without the atomics feature has one thread.
unsafe impl Sync for Bytes {}

static BYTES: Bytes = Bytes(UnsafeCell::new([0; ARENA]));

struct State {
    /// The first byte of the arena not yet carved.
    next: usize,
    /// The head of each class's free list (0: empty); a free block holds the next's address.
    free: [usize; CLASSES],
}

/// The allocator: [`ARENA`] bytes of blocks, then lol_alloc's free list.
pub struct Arena {
    state: UnsafeCell<State>,
    fallback: lol_alloc::FreeListAllocator,
}

// SAFETY: wasm32-unknown-unknown without the atomics feature has one thread.
unsafe impl Sync for Arena {}

impl Arena {
    const fn new() -> Self {
        Arena {
            state: UnsafeCell::new(State {
                next: 0,
                free: [0; CLASSES],
            }),
            fallback: lol_alloc::FreeListAllocator::new(),
        }
    }

    fn start(&self) -> usize {
        BYTES.0.get() as usize
    }

    /// The class of a layout, if the arena serves it.
    fn class(layout: Layout) -> Option<usize> {
        let size = layout.size().max(layout.align());
        if size > LARGEST {
            return None;
        }
        let bits = usize::BITS - (size.max(1) - 1).leading_zeros();
        Some(bits.saturating_sub(SMALLEST_SHIFT) as usize)
    }

    fn owns(&self, ptr: *mut u8) -> bool {
        let at = ptr as usize;
        at >= self.start() && at < self.start() + ARENA
    }
}

unsafe impl GlobalAlloc for Arena {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if let Some(class) = Self::class(layout) {
            // SAFETY: one thread, and no allocation happens while this borrow lives.
            let state = unsafe { &mut *self.state.get() };
            let head = state.free[class];
            if head != 0 {
                // SAFETY: a free block's first word is the next free block's address.
                state.free[class] = unsafe { *(head as *const usize) };
                return head as *mut u8;
            }
            let size = 1usize << (class as u32 + SMALLEST_SHIFT);
            // Blocks of one size are carved at multiples of it, so each is aligned to its size
            // (the arena itself is aligned to the largest).
            let at = (state.next + size - 1) & !(size - 1);
            if at + size <= ARENA {
                state.next = at + size;
                return (self.start() + at) as *mut u8;
            }
        }
        // SAFETY: the caller's layout contract is passed on.
        unsafe { self.fallback.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if self.owns(ptr) {
            if let Some(class) = Self::class(layout) {
                // SAFETY: one thread; `ptr` is a block of this class, at least a word long.
                let state = unsafe { &mut *self.state.get() };
                unsafe { *(ptr as *mut usize) = state.free[class] };
                state.free[class] = ptr as usize;
            }
        } else {
            // SAFETY: blocks outside the arena came from the fallback.
            unsafe { self.fallback.dealloc(ptr, layout) }
        }
    }
}

#[global_allocator]
static ALLOCATOR: Arena = Arena::new();
