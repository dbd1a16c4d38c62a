//! What the machine says when a socket closes: the close codes it uses, and why it drops a
//! socket ([`DropReason`]), in the words that go on the wire and into the `close` event, and
//! what the machine needs of a reason ([`Reason`]).

use alloc::string::String;

/// The close code of the `close` event when the machine dropped a socket that did not close
/// by itself (heartbeat timeout, closing-handshake timeout): "abnormal closure".
///
/// ```
/// use lifeline_ws::core::{Command, Config, Event, Heartbeat, Input, Machine, CODE_ABNORMAL};
///
/// let config = Config { heartbeat: Some(Heartbeat::default()), ..Config::default() };
/// let mut m: Machine<String> = Machine::new(config, 1).unwrap();
/// m.handle(Input::Start, 0).unwrap();
/// let Some(Command::Open { generation }) = m.poll_command() else { unreachable!() };
/// m.handle(Input::Opened { generation }, 0).unwrap();
/// m.handle(Input::Deadline { last_message_at: None }, 25_000).unwrap(); // ping
/// m.handle(Input::Deadline { last_message_at: None }, 35_000).unwrap(); // no pong
/// let close = std::iter::from_fn(|| m.poll_command()).find_map(|c| match c {
///     Command::Emit(Event::Close(info)) => Some(info),
///     _ => None,
/// });
/// assert_eq!(close.map(|c| (c.code, c.was_clean)), Some((CODE_ABNORMAL, false)));
/// ```
pub const CODE_ABNORMAL: u16 = 1006;

/// The close code of the `close` event when `close()` gave none: "no status received".
///
/// ```
/// use lifeline_ws::core::{Command, Config, Event, Input, Machine, CODE_NO_STATUS};
///
/// let mut m: Machine<String> = Machine::new(Config::default(), 1).unwrap();
/// m.handle(Input::Start, 0).unwrap();
/// m.handle(Input::Close { code: None, reason: String::new() }, 5).unwrap();
/// let codes: Vec<u16> = std::iter::from_fn(|| m.poll_command())
///     .filter_map(|c| if let Command::Emit(Event::Close(info)) = c { Some(info.code) } else { None })
///     .collect();
/// assert_eq!(codes, [CODE_NO_STATUS]);
/// ```
pub const CODE_NO_STATUS: u16 = 1005;

/// The close code the machine sends on a socket it drops ("normal closure"), and the only
/// code below 3000 a user's `close()` may give.
///
/// ```
/// use lifeline_ws::core::{Command, Config, Input, Machine, CODE_NORMAL};
///
/// let mut m: Machine<String> = Machine::new(Config::default(), 1).unwrap();
/// m.handle(Input::Start, 0).unwrap();
/// let Some(Command::Open { generation }) = m.poll_command() else { unreachable!() };
/// m.handle(Input::Opened { generation }, 0).unwrap();
/// # while m.poll_command().is_some() {}
/// m.handle(Input::Reconnect { code: None, reason: String::new() }, 10).unwrap();
/// let Some(Command::Abandon { code, dead, .. }) = m.poll_command() else { panic!() };
/// assert_eq!((code, dead), (CODE_NORMAL, false));
/// ```
pub const CODE_NORMAL: u16 = 1000;

/// Why the machine dropped a socket of its own accord. Its [`as_str`](DropReason::as_str) is
/// the reason sent in [`Command::Abandon`] and, when a connection ended so, the `reason` of
/// its `close` event: users and tests compare against these words.
///
/// ```
/// use lifeline_ws::core::{Command, Config, DropReason, Event, Heartbeat, Input, Machine};
///
/// let config = Config { heartbeat: Some(Heartbeat::default()), ..Config::default() };
/// let mut m: Machine<String> = Machine::new(config, 1).unwrap();
/// m.handle(Input::Start, 0).unwrap();
/// let Some(Command::Open { generation }) = m.poll_command() else { unreachable!() };
/// m.handle(Input::Opened { generation }, 0).unwrap();
/// m.handle(Input::Deadline { last_message_at: None }, 25_000).unwrap(); // ping
/// m.handle(Input::Deadline { last_message_at: None }, 35_000).unwrap(); // no pong
/// let close = std::iter::from_fn(|| m.poll_command()).find_map(|c| match c {
///     Command::Emit(Event::Close(info)) => Some(info),
///     _ => None,
/// });
/// assert_eq!(close.unwrap().reason, DropReason::HeartbeatTimeout.as_str());
/// ```
///
/// [`Command::Abandon`]: crate::core::Command::Abandon
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DropReason {
    /// The opening handshake did not finish within `connectionTimeout`.
    ConnectionTimeout,
    /// The pong of a heartbeat ping did not come within `timeout`.
    HeartbeatTimeout,
    /// The server's pings fell silent for longer than `interval + timeout`.
    ServerPingTimeout,
    /// A closing handshake did not finish within `closeTimeout`.
    CloseTimeout,
    /// The user called `close()` while the socket was still connecting.
    ClosedByUser,
    /// The user called `reconnect()` while the socket was still connecting.
    Reconnect,
    /// `pagehide`, with `closeOnPageHide`.
    PageHide,
    /// The page was hidden for `closeWhenHiddenAfter`.
    HiddenTooLong,
}

impl DropReason {
    /// The words: `"heartbeat timeout"`, `"closing handshake timed out"`, …
    ///
    /// ```
    /// use lifeline_ws::core::DropReason;
    ///
    /// assert_eq!(DropReason::ConnectionTimeout.as_str(), "connection timeout");
    /// assert_eq!(DropReason::PageHide.as_str(), "page hidden (pagehide)");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            DropReason::ConnectionTimeout => "connection timeout",
            DropReason::HeartbeatTimeout => "heartbeat timeout",
            DropReason::ServerPingTimeout => "server ping timeout",
            DropReason::CloseTimeout => "closing handshake timed out",
            DropReason::ClosedByUser => "closed by the user",
            DropReason::Reconnect => "reconnect() called",
            DropReason::PageHide => "page hidden (pagehide)",
            DropReason::HiddenTooLong => "page hidden (closeWhenHiddenAfter)",
        }
    }

    /// Whether the socket is believed dead (a timeout): then nothing is worth waiting for,
    /// and [`Command::Abandon`] says `dead`. The others drop a socket that may be healthy.
    ///
    /// ```
    /// use lifeline_ws::core::DropReason;
    ///
    /// assert!(DropReason::HeartbeatTimeout.is_dead());
    /// assert!(!DropReason::ClosedByUser.is_dead());
    /// ```
    ///
    /// [`Command::Abandon`]: crate::core::Command::Abandon
    pub fn is_dead(self) -> bool {
        matches!(
            self,
            DropReason::ConnectionTimeout
                | DropReason::HeartbeatTimeout
                | DropReason::ServerPingTimeout
                | DropReason::CloseTimeout
        )
    }
}

/// What the machine needs of a close reason, so that a driver picks how reasons are held: the
/// Rust API holds them as [`String`]s, the npm package as numbers standing for texts its JS
/// keeps (no text crosses the wasm boundary there).
///
/// [`Default`] is the empty reason (a close with none); [`Clone`] copies a reason that goes
/// to two places (a command and an event).
///
/// ```
/// use lifeline_ws::core::{DropReason, Reason};
///
/// assert_eq!(String::default().utf8_len(), 0);
/// assert_eq!(<String as Reason>::from_drop(DropReason::PageHide), "page hidden (pagehide)");
/// assert_eq!("é".to_string().utf8_len(), 2);
/// ```
pub trait Reason: Clone + Default {
    /// The reason for the machine's own words: [`DropReason::as_str`] as a reason.
    fn from_drop(why: DropReason) -> Self;

    /// How many bytes of UTF-8 the reason's text takes (`close()` refuses more than 123).
    fn utf8_len(&self) -> usize;
}

impl Reason for String {
    fn from_drop(why: DropReason) -> Self {
        why.as_str().into()
    }

    fn utf8_len(&self) -> usize {
        self.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The words are a contract: the JS driver, the README and users' code compare against
    /// them.
    #[test]
    fn the_words_do_not_change() {
        let all = [
            (DropReason::ConnectionTimeout, "connection timeout", true),
            (DropReason::HeartbeatTimeout, "heartbeat timeout", true),
            (DropReason::ServerPingTimeout, "server ping timeout", true),
            (
                DropReason::CloseTimeout,
                "closing handshake timed out",
                true,
            ),
            (DropReason::ClosedByUser, "closed by the user", false),
            (DropReason::Reconnect, "reconnect() called", false),
            (DropReason::PageHide, "page hidden (pagehide)", false),
            (
                DropReason::HiddenTooLong,
                "page hidden (closeWhenHiddenAfter)",
                false,
            ),
        ];
        for (reason, words, dead) in all {
            assert_eq!((reason.as_str(), reason.is_dead()), (words, dead));
        }
    }
}
