//! The bounded, ordered queue of messages sent while the connection is not open.

use alloc::collections::VecDeque;

use super::config::Overflow;

/// Messages waiting for the next open, oldest first.
///
/// ```
/// use lifeline_ws::core::{Overflow, SendQueue};
///
/// let mut q = SendQueue::new(10, Overflow::Throw);
/// q.push("a");
/// q.push("b");
/// assert_eq!(q.drain().collect::<Vec<_>>(), ["a", "b"]); // oldest first
/// ```
#[derive(Clone, Debug)]
pub struct SendQueue<P> {
    messages: VecDeque<P>,
    max: usize,
    overflow: Overflow,
}

/// What [`SendQueue::push`] did with a message.
///
/// ```
/// use lifeline_ws::core::{Overflow, Pushed, SendQueue};
///
/// let mut q = SendQueue::new(1, Overflow::DropOldest);
/// assert_eq!(q.push("a"), Pushed::Queued);
/// assert_eq!(q.push("b"), Pushed::DroppedOldest("a"));
/// let mut full = SendQueue::new(1, Overflow::Throw);
/// full.push("a");
/// assert_eq!(full.push("b"), Pushed::Full("b"));
/// ```
#[derive(Debug, PartialEq)]
#[non_exhaustive]
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
    ///
    /// ```
    /// use lifeline_ws::core::{Overflow, SendQueue};
    ///
    /// let q: SendQueue<String> = SendQueue::new(3, Overflow::Throw);
    /// assert!(q.is_empty());
    /// assert_eq!(q.capacity(), 3);
    /// ```
    pub fn new(max: usize, overflow: Overflow) -> Self {
        SendQueue {
            messages: VecDeque::new(),
            max,
            overflow,
        }
    }

    /// Adds a message at the back, as the overflow rule allows.
    ///
    /// ```
    /// use lifeline_ws::core::{Overflow, Pushed, SendQueue};
    ///
    /// let mut off = SendQueue::new(0, Overflow::DropOldest); // queueing off
    /// assert_eq!(off.push(1), Pushed::Full(1));
    /// let mut q = SendQueue::new(2, Overflow::DropOldest);
    /// q.push(1);
    /// q.push(2);
    /// assert_eq!(q.push(3), Pushed::DroppedOldest(1));
    /// ```
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
    ///
    /// ```
    /// use lifeline_ws::core::{Overflow, SendQueue};
    ///
    /// let mut q = SendQueue::new(5, Overflow::Throw);
    /// (1..=3).for_each(|n| { q.push(n); });
    /// assert_eq!(q.drain().collect::<Vec<_>>(), [1, 2, 3]);
    /// assert!(q.is_empty());
    /// ```
    pub fn drain(&mut self) -> impl Iterator<Item = P> + '_ {
        self.messages.drain(..)
    }

    /// Takes the oldest message, if any.
    ///
    /// ```
    /// use lifeline_ws::core::{Overflow, SendQueue};
    ///
    /// let mut q = SendQueue::new(2, Overflow::Throw);
    /// q.push("a");
    /// assert_eq!((q.pop(), q.pop()), (Some("a"), None));
    /// ```
    pub fn pop(&mut self) -> Option<P> {
        self.messages.pop_front()
    }

    /// How many messages wait.
    ///
    /// ```
    /// use lifeline_ws::core::{Overflow, SendQueue};
    ///
    /// let mut q = SendQueue::new(2, Overflow::Throw);
    /// (1..=3).for_each(|n| { q.push(n); }); // the third is refused
    /// assert_eq!(q.len(), 2);
    /// ```
    pub fn len(&self) -> usize {
        self.messages.len()
    }

    /// Whether no message waits.
    ///
    /// ```
    /// use lifeline_ws::core::{Overflow, SendQueue};
    ///
    /// let mut q = SendQueue::new(2, Overflow::Throw);
    /// assert!(q.is_empty());
    /// q.push("a");
    /// assert!(!q.is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.messages.is_empty()
    }

    /// The most messages it holds.
    ///
    /// ```
    /// use lifeline_ws::core::{Overflow, SendQueue};
    ///
    /// let mut q = SendQueue::new(2, Overflow::DropOldest);
    /// (1..=5).for_each(|n| { q.push(n); });
    /// assert_eq!((q.len(), q.capacity()), (2, 2));
    /// ```
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
