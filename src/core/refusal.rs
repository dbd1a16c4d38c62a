//! What a user call can be refused for ([`InputError`]), and the rules
//! `WebSocket.close(code, reason)` applies to a code and a reason, checked before anything
//! changes.

use alloc::string::String;

use super::close::CODE_NORMAL;

/// A user call the machine refused. Whatever the user handed over comes back inside.
///
/// ```
/// use lifeline_ws::core::{Config, Input, InputError, Machine};
///
/// let mut m: Machine<&str> = Machine::new(Config::default(), 1).unwrap();
/// m.handle(Input::Close { code: None, reason: String::new() }, 0).unwrap();
/// // Closed for good: the message is handed back.
/// assert_eq!(m.handle(Input::Send("late"), 1), Err(InputError::Closed("late")));
/// let long = "x".repeat(124);
/// let refused = m.handle(Input::Reconnect { code: None, reason: long }, 2);
/// assert_eq!(refused, Err(InputError::ReasonTooLong { bytes: 124 }));
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum InputError<P> {
    /// `send()` after `close()` or `giveup` (until `reconnect()`): the platform's
    /// `InvalidStateError`.
    Closed(P),
    /// `send()` while not open, with the queue full and `overflow: "throw"` (or queueing off,
    /// when `max` is 0).
    QueueFull {
        /// The message that was not queued.
        message: P,
        /// The queue's size (`queue.maxMessages`).
        max: usize,
    },
    /// `close()` or `reconnect()` with a code other than 1000 or 3000–4999: the platform's
    /// `InvalidAccessError`.
    InvalidCloseCode(u16),
    /// `close()` or `reconnect()` with a reason longer than 123 bytes of UTF-8: the
    /// platform's `SyntaxError`.
    ReasonTooLong {
        /// How many bytes the reason had.
        bytes: usize,
    },
}

impl<P> InputError<P> {
    /// The error as a sentence. Built without `core::fmt`, which would cost the wasm build
    /// several KB.
    ///
    /// ```
    /// use lifeline_ws::core::{Config, Input, Machine};
    ///
    /// let mut m: Machine<String> = Machine::new(Config::default(), 1).unwrap();
    /// let err = m.handle(Input::Close { code: Some(1001), reason: String::new() }, 0).unwrap_err();
    /// assert_eq!(err.message(), "close code must be 1000 or 3000-4999, got 1001");
    /// assert_eq!(err.to_string(), err.message());
    /// ```
    pub fn message(&self) -> String {
        let mut m = String::with_capacity(96);
        match self {
            InputError::Closed(_) => {
                m.push_str("send() after close(): the socket is closed (call reconnect() first)")
            }
            InputError::QueueFull { max: 0, .. } => m.push_str(
                "send() while not open, and queueing is off (queue.maxMessages is 0); the message was not sent",
            ),
            InputError::QueueFull { max, .. } => {
                m.push_str("send() while not open, and the send queue is full (");
                push_number(&mut m, *max as u64);
                m.push_str(" messages, queue.maxMessages); the message was not queued");
            }
            InputError::InvalidCloseCode(code) => {
                m.push_str("close code must be 1000 or 3000-4999, got ");
                push_number(&mut m, u64::from(*code));
            }
            InputError::ReasonTooLong { bytes } => {
                m.push_str("close reason must be at most 123 bytes of UTF-8, got ");
                push_number(&mut m, *bytes as u64);
            }
        }
        m
    }
}

/// Appends `n` in decimal.
fn push_number(out: &mut String, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for &d in &digits[i..] {
        out.push(char::from(d));
    }
}

impl<P> ::core::fmt::Display for InputError<P> {
    fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
        f.write_str(&self.message())
    }
}

impl<P: ::core::fmt::Debug> ::core::error::Error for InputError<P> {}

/// The largest close reason `WebSocket.close()` takes, in bytes of UTF-8.
const MAX_REASON_BYTES: usize = 123;

/// The checks `WebSocket.close(code, reason)` makes: a code of 1000 or 3000–4999, a reason of
/// at most 123 bytes (`bytes`: its length in UTF-8).
pub(crate) fn check_close<P>(code: Option<u16>, bytes: usize) -> Result<(), InputError<P>> {
    if let Some(code) = code {
        if code != CODE_NORMAL && !(3000..=4999).contains(&code) {
            return Err(InputError::InvalidCloseCode(code));
        }
    }
    if bytes > MAX_REASON_BYTES {
        return Err(InputError::ReasonTooLong { bytes });
    }
    Ok(())
}
