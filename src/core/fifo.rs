//! The machine's queue of commands: first in, first out, in a `Vec` read from its front.

use alloc::vec::Vec;

/// Items taken out in the order they were put in. Pushes go at the end of a `Vec`; a take
/// leaves `None` in its slot and moves on; the `Vec` is cleared (its room kept) when a take
/// finds it all taken. Made for a queue that is emptied after every burst of pushes, as the
/// machine's commands are (the driver polls until none is left): each push and take is
/// O(1), and nothing piles up. The same work as a `VecDeque` in less code: a `Vec` grows by
/// one routine shared by every element type, and the npm wasm counts its bytes.
#[derive(Clone, Debug)]
pub(crate) struct Fifo<T> {
    items: Vec<Option<T>>,
    /// How many items at the front were taken (`None`).
    taken: usize,
}

impl<T> Fifo<T> {
    pub(crate) const fn new() -> Self {
        Fifo {
            items: Vec::new(),
            taken: 0,
        }
    }

    /// Adds `item` at the back.
    pub(crate) fn push(&mut self, item: T) {
        self.items.push(Some(item));
    }

    /// Takes the oldest item; when there is none, the `Vec` is cleared.
    pub(crate) fn pop(&mut self) -> Option<T> {
        let Some(slot) = self.items.get_mut(self.taken) else {
            self.items.clear();
            self.taken = 0;
            return None;
        };
        self.taken += 1;
        slot.take()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_in_first_out_and_cleared_when_emptied() {
        let mut q = Fifo::new();
        q.push(1);
        q.push(2);
        assert_eq!(q.pop(), Some(1));
        q.push(3);
        assert_eq!((q.pop(), q.pop()), (Some(2), Some(3)));
        assert_eq!(
            q.items.len(),
            3,
            "taken slots stay until the queue is found empty"
        );
        assert_eq!(q.pop(), None);
        assert_eq!((q.items.len(), q.taken), (0, 0));
        q.push(4);
        assert_eq!((q.pop(), q.pop()), (Some(4), None));
    }
}
