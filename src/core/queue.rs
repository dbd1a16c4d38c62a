//! The bounded, ordered queue of messages sent while the connection is not open.

use std::collections::VecDeque;

use super::config::Overflow;

/// Messages waiting for the next open, oldest first.
#[derive(Clone, Debug)]
pub struct SendQueue<P> {
    messages: VecDeque<P>,
    max: usize,
    overflow: Overflow,
}

/// What [`SendQueue::push`] did with a message.
#[derive(Debug, PartialEq)]
pub enum Pushed<P> {
    /// Queued.
    Queued,
    /// Queued, and the oldest message was dropped to make room; here it is.
    DroppedOldest(P),
    /// Refused: the queue is full (or off) and overflow is `throw`; the message is handed
    /// back.
    Full(P),
}

impl<P> SendQueue<P> {
    /// An empty queue holding at most `max` messages.
    pub fn new(max: usize, overflow: Overflow) -> Self {
        SendQueue {
            messages: VecDeque::new(),
            max,
            overflow,
        }
    }

    /// Adds a message at the back, as the overflow rule allows.
    pub fn push(&mut self, message: P) -> Pushed<P> {
        if self.messages.len() < self.max {
            self.messages.push_back(message);
            return Pushed::Queued;
        }
        if self.overflow == Overflow::DropOldest {
            if let Some(oldest) = self.messages.pop_front() {
                self.messages.push_back(message);
                return Pushed::DroppedOldest(oldest);
            }
        }
        Pushed::Full(message)
    }

    /// Takes every message, oldest first.
    pub fn drain(&mut self) -> impl Iterator<Item = P> + '_ {
        self.messages.drain(..)
    }

    /// How many messages wait.
    pub fn len(&self) -> usize {
        self.messages.len()
    }

    /// Whether no message waits.
    pub fn is_empty(&self) -> bool {
        self.messages.is_empty()
    }

    /// The most messages it holds.
    pub fn capacity(&self) -> usize {
        self.max
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_order_and_throws_when_full() {
        let mut q = SendQueue::new(2, Overflow::Throw);
        assert_eq!(q.push(1), Pushed::Queued);
        assert_eq!(q.push(2), Pushed::Queued);
        assert_eq!(q.push(3), Pushed::Full(3));
        assert_eq!(q.len(), 2, "a refused push keeps every queued message");
        assert_eq!(q.drain().collect::<Vec<_>>(), [1, 2]);
        assert!(q.is_empty());
    }

    #[test]
    fn drop_oldest_hands_back_the_oldest() {
        let mut q = SendQueue::new(2, Overflow::DropOldest);
        q.push(1);
        q.push(2);
        assert_eq!(q.push(3), Pushed::DroppedOldest(1));
        assert_eq!(q.len(), 2);
        assert_eq!(q.drain().collect::<Vec<_>>(), [2, 3]);
    }

    #[test]
    fn zero_capacity_refuses_even_with_drop_oldest() {
        let mut q = SendQueue::new(0, Overflow::DropOldest);
        assert_eq!(q.push(1), Pushed::Full(1));
        assert_eq!(q.capacity(), 0);
    }
}
