//! What a connection tells you, and what its calls can refuse.

use std::fmt;
use std::time::Duration;

use crate::core::{ConfigError, ErrorCause, State};

/// A WebSocket message, text or binary (with the `serde` feature: a string, or bytes).
///
/// ```
/// use lifeline_ws::Message;
///
/// let text = Message::from("hello");
/// assert_eq!(text.as_text(), Some("hello"));
/// let binary = Message::from(vec![1u8, 2, 3]);
/// assert_eq!(binary.as_bytes(), &[1, 2, 3]);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Message {
    /// A text frame.
    Text(String),
    /// A binary frame.
    Binary(Vec<u8>),
}

impl Message {
    /// The text, if this is a text message.
    ///
    /// ```
    /// # use lifeline_ws::Message;
    /// assert_eq!(Message::from(vec![0u8]).as_text(), None);
    /// ```
    pub fn as_text(&self) -> Option<&str> {
        match self {
            Message::Text(text) => Some(text),
            Message::Binary(_) => None,
        }
    }

    /// The payload's bytes (a text message's UTF-8).
    ///
    /// ```
    /// # use lifeline_ws::Message;
    /// assert_eq!(Message::from("hi").as_bytes(), b"hi");
    /// ```
    pub fn as_bytes(&self) -> &[u8] {
        match self {
            Message::Text(text) => text.as_bytes(),
            Message::Binary(bytes) => bytes,
        }
    }
}

impl From<&str> for Message {
    fn from(text: &str) -> Self {
        Message::Text(text.into())
    }
}

impl From<String> for Message {
    fn from(text: String) -> Self {
        Message::Text(text)
    }
}

impl From<Vec<u8>> for Message {
    fn from(bytes: Vec<u8>) -> Self {
        Message::Binary(bytes)
    }
}

impl From<&[u8]> for Message {
    fn from(bytes: &[u8]) -> Self {
        Message::Binary(bytes.to_vec())
    }
}

/// A connection ended (with the `serde` feature: `code`, `reason`, `wasClean`,
/// `willReconnect`, `delayMs`, as in the JS `close` event).
///
/// ```
/// # use lifeline_ws::Close;
/// # use std::time::Duration;
/// let close = Close { code: 1006, reason: "heartbeat timeout".into(), was_clean: false,
///                     will_reconnect: true, delay: Some(Duration::from_millis(800)) };
/// assert!(close.will_reconnect);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "camelCase"))]
pub struct Close {
    /// The close code (the platform's, or 1006 when a dead socket was abandoned).
    pub code: u16,
    /// The close reason (the server's, or why the client dropped the socket, such as
    /// `"heartbeat timeout"`).
    pub reason: String,
    /// Whether the closing handshake completed.
    pub was_clean: bool,
    /// Whether the client will connect again by itself.
    pub will_reconnect: bool,
    /// How long until the next attempt, when one is scheduled; `None` when it waits for the
    /// network or the page, or will not reconnect.
    #[cfg_attr(
        feature = "serde",
        serde(rename = "delayMs", serialize_with = "millis_or_none")
    )]
    pub delay: Option<Duration>,
}

/// The disconnection a [`ConfigBuilder::should_reconnect`](crate::ConfigBuilder::should_reconnect)
/// callback decides on (with the `serde` feature: `code`, `reason`, `wasClean`).
///
/// ```
/// # use lifeline_ws::Disconnect;
/// let policy = |d: &Disconnect| d.code != 4001; // 4001: "logged out", say
/// assert!(!policy(&Disconnect { code: 4001, reason: String::new(), was_clean: true }));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "camelCase"))]
pub struct Disconnect {
    /// The close code.
    pub code: u16,
    /// The close reason.
    pub reason: String,
    /// Whether the closing handshake completed.
    pub was_clean: bool,
}

/// A connection after the first one opened (with the `serde` feature: `attempt`,
/// `downtimeMs`).
///
/// ```
/// # use lifeline_ws::Reconnect;
/// # use std::time::Duration;
/// let r = Reconnect { attempt: 2, downtime: Duration::from_millis(1500) };
/// assert_eq!(r.attempt, 2);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Reconnect {
    /// Which attempt of the series succeeded (1 for the first retry).
    pub attempt: u32,
    /// How long there was no open connection.
    #[cfg_attr(
        feature = "serde",
        serde(rename = "downtimeMs", serialize_with = "millis")
    )]
    pub downtime: Duration,
}

/// The next attempt is scheduled (with the `serde` feature: `attempt`, `delayMs`).
///
/// ```
/// # use lifeline_ws::Reconnecting;
/// # use std::time::Duration;
/// let r = Reconnecting { attempt: 1, delay: Duration::from_millis(640) };
/// assert!(r.delay < Duration::from_secs(1));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Reconnecting {
    /// Its number in the current series (1 for the first retry).
    pub attempt: u32,
    /// How long until it is made.
    #[cfg_attr(
        feature = "serde",
        serde(rename = "delayMs", serialize_with = "millis")
    )]
    pub delay: Duration,
}

/// Something went wrong; a connection attempt failed or will (with the `serde` feature:
/// `cause`, as the JS event names it, and `detail`).
///
/// ```
/// # use lifeline_ws::ErrorInfo;
/// # use lifeline_ws::core::ErrorCause;
/// let e = ErrorInfo { cause: ErrorCause::Url, detail: "token service down".into() };
/// assert_eq!(e.cause.as_str(), "url");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ErrorInfo {
    /// What went wrong.
    pub cause: ErrorCause,
    /// The provider's error, the URL rule broken, or the platform's message (often empty:
    /// browsers say nothing about why a socket failed).
    pub detail: String,
}

/// What a `Socket` tells you, in order, as a stream or through callbacks.
///
/// With the `serde` feature an event serializes as the JS event would read: its `type`
/// (`"open"`, `"reconnect"`, `"reconnecting"`, `"message"`, `"close"`, `"error"`,
/// `"giveup"`, `"heartbeat"`, `"statechange"`, `"drop"`) and its fields (`attempt`,
/// `downtimeMs`, `delayMs`, `data`, `code`, `reason`, `wasClean`, `willReconnect`, `cause`,
/// `detail`, `attempts`, `rttMs`, `state`). Times are whole milliseconds; a `delayMs`
/// that is `None` is `null` where the serializer writes `None` so (serde-wasm-bindgen:
/// `Serializer::json_compatible()`).
///
/// ```
/// use lifeline_ws::{Event, Message};
///
/// fn describe(event: &Event) -> String {
///     match event {
///         Event::Open => "connected".into(),
///         Event::Reconnect(r) => format!("back after {:?} (attempt {})", r.downtime, r.attempt),
///         Event::Message(Message::Text(text)) => format!("text: {text}"),
///         Event::Close(close) => format!("closed {} {}", close.code, close.reason),
///         other => format!("{other:?}"),
///     }
/// }
/// assert_eq!(describe(&Event::Open), "connected");
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Event {
    /// The first connection opened (every later one too when nobody listens for
    /// [`Event::Reconnect`]: no `on_reconnect` callback and no event stream).
    Open,
    /// A connection after the first one opened.
    Reconnect(Reconnect),
    /// The next attempt is scheduled.
    Reconnecting(Reconnecting),
    /// A message from the server (heartbeat pongs and server pings are not delivered).
    Message(Message),
    /// A connection ended; one per opened connection.
    Close(Close),
    /// An attempt failed or the URL could not be had.
    Error(ErrorInfo),
    /// `max_retries` attempts failed; the socket stays closed until
    /// `reconnect`.
    GiveUp {
        /// How many reconnection attempts failed in a row: `max_retries` (a socket that
        /// never connected also made its first attempt before these).
        attempts: u32,
    },
    /// A heartbeat ping was answered.
    Heartbeat {
        /// Its round-trip time.
        rtt: Duration,
    },
    /// The connection's [`State`] changed.
    StateChange(State),
    /// The send queue was full with [`Overflow::DropOldest`](crate::core::Overflow): this
    /// message was dropped to make room, and is handed back.
    Dropped(Message),
}

/// Which kind an [`Event`] is, without its data: a `Socket` keeps one callback per kind.
// Used by the wasm Socket's callbacks (and the tests natively).
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum EventKind {
    Open,
    Reconnect,
    Reconnecting,
    Message,
    Close,
    Error,
    GiveUp,
    Heartbeat,
    StateChange,
    Dropped,
}

#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
impl EventKind {
    /// How many kinds of event there are.
    pub(crate) const COUNT: usize = 10;
}

#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
impl Event {
    /// This event's kind.
    pub(crate) fn kind(&self) -> EventKind {
        match self {
            Event::Open => EventKind::Open,
            Event::Reconnect(_) => EventKind::Reconnect,
            Event::Reconnecting(_) => EventKind::Reconnecting,
            Event::Message(_) => EventKind::Message,
            Event::Close(_) => EventKind::Close,
            Event::Error(_) => EventKind::Error,
            Event::GiveUp { .. } => EventKind::GiveUp,
            Event::Heartbeat { .. } => EventKind::Heartbeat,
            Event::StateChange(_) => EventKind::StateChange,
            Event::Dropped(_) => EventKind::Dropped,
        }
    }
}

/// Why a call was refused. Anything you handed over comes back inside the error.
///
/// ```
/// use lifeline_ws::{Config, Error};
/// use std::time::Duration;
///
/// let error = Config::builder().initial_delay(Duration::ZERO).build().unwrap_err();
/// let error = Error::from(error);
/// assert_eq!(
///     error.to_string(),
///     "backoff.initialDelay must be a number of milliseconds > 0 and <= 2147483647, got 0"
/// );
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Error {
    /// An option out of bounds, named as the JS options spell it.
    Config(ConfigError),
    /// The URL breaks WebSocket's rules.
    Url {
        /// The URL, without its query, fragment or credentials.
        url: String,
        /// What the URL must be.
        expected: &'static str,
    },
    /// There is no `WebSocket` on this platform and none was given
    /// (`ConfigBuilder::websocket`).
    NoWebSocket,
    /// `send` after `close` or `giveup` (until `reconnect`), or after the socket was dropped.
    Closed(Message),
    /// `send` while not open, with the queue full (or off).
    QueueFull {
        /// The message that was not queued.
        message: Message,
        /// The queue's size.
        max: usize,
    },
    /// A close code other than 1000 or 3000–4999.
    InvalidCloseCode(u16),
    /// A close reason longer than 123 bytes of UTF-8.
    ReasonTooLong {
        /// How many bytes it had.
        bytes: usize,
    },
    /// `reconnect` through a `SocketHandle` whose socket was dropped.
    SocketDropped,
}

impl From<ConfigError> for Error {
    fn from(error: ConfigError) -> Self {
        Error::Config(error)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Config(error) => error.fmt(f),
            Error::Url { url, expected } => {
                write!(f, "WebSocket URL must be {expected}, got {url}")
            }
            Error::NoWebSocket => f.write_str(
                "no WebSocket here: give one with Config::builder().websocket(...) \
                 (in Node 20, the ws package's WebSocket)",
            ),
            Error::Closed(_) => {
                f.write_str("send() after close(): the socket is closed (call reconnect() first)")
            }
            Error::QueueFull { max: 0, .. } => {
                f.write_str("send() while not open, and queueing is off (queue max_messages 0)")
            }
            Error::QueueFull { max, .. } => {
                write!(
                    f,
                    "send() while not open, and the queue is full ({max} messages)"
                )
            }
            Error::InvalidCloseCode(code) => {
                write!(f, "close code must be 1000 or 3000-4999, got {code}")
            }
            Error::ReasonTooLong { bytes } => {
                write!(
                    f,
                    "close reason must be at most 123 bytes of UTF-8, got {bytes}"
                )
            }
            Error::SocketDropped => f.write_str("the socket was dropped"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Config(error) => Some(error),
            _ => None,
        }
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for Message {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Message::Text(text) => serializer.serialize_str(text),
            Message::Binary(bytes) => serializer.serialize_bytes(bytes),
        }
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for Event {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        /// The event as JS names it: `type` beside the payload's fields.
        #[derive(serde::Serialize)]
        #[serde(tag = "type", rename_all = "lowercase")]
        enum Tagged<'a> {
            Open,
            Reconnect(&'a Reconnect),
            Reconnecting(&'a Reconnecting),
            Message {
                data: &'a Message,
            },
            Close(&'a Close),
            Error(&'a ErrorInfo),
            Giveup {
                attempts: u32,
            },
            Heartbeat {
                #[serde(rename = "rttMs", serialize_with = "millis")]
                rtt: Duration,
            },
            Statechange {
                state: State,
            },
            Drop {
                data: &'a Message,
            },
        }
        let tagged = match self {
            Event::Open => Tagged::Open,
            Event::Reconnect(r) => Tagged::Reconnect(r),
            Event::Reconnecting(r) => Tagged::Reconnecting(r),
            Event::Message(data) => Tagged::Message { data },
            Event::Close(close) => Tagged::Close(close),
            Event::Error(info) => Tagged::Error(info),
            Event::GiveUp { attempts } => Tagged::Giveup {
                attempts: *attempts,
            },
            Event::Heartbeat { rtt } => Tagged::Heartbeat { rtt: *rtt },
            Event::StateChange(state) => Tagged::Statechange { state: *state },
            Event::Dropped(data) => Tagged::Drop { data },
        };
        tagged.serialize(serializer)
    }
}

/// A duration as whole milliseconds, as the JS events give them.
#[cfg(feature = "serde")]
fn millis<S: serde::Serializer>(duration: &Duration, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_u64(duration.as_millis() as u64)
}

#[cfg(feature = "serde")]
fn millis_or_none<S: serde::Serializer>(
    duration: &Option<Duration>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match duration {
        Some(duration) => serializer.serialize_some(&(duration.as_millis() as u64)),
        None => serializer.serialize_none(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_event_has_its_own_kind() {
        let events = [
            Event::Open,
            Event::Reconnect(Reconnect {
                attempt: 1,
                downtime: Duration::ZERO,
            }),
            Event::Reconnecting(Reconnecting {
                attempt: 1,
                delay: Duration::ZERO,
            }),
            Event::Message("m".into()),
            Event::Close(Close {
                code: 1000,
                reason: String::new(),
                was_clean: true,
                will_reconnect: false,
                delay: None,
            }),
            Event::Error(ErrorInfo {
                cause: ErrorCause::Socket,
                detail: String::new(),
            }),
            Event::GiveUp { attempts: 3 },
            Event::Heartbeat {
                rtt: Duration::ZERO,
            },
            Event::StateChange(State::Open),
            Event::Dropped("d".into()),
        ];
        let mut kinds: Vec<usize> = events.iter().map(|e| e.kind() as usize).collect();
        kinds.sort_unstable();
        kinds.dedup();
        assert_eq!(kinds, (0..EventKind::COUNT).collect::<Vec<_>>());
    }

    #[cfg(feature = "serde")]
    #[test]
    fn events_serialize_with_the_js_events_names() {
        use serde_json::json;
        let to_json = |event: Event| serde_json::to_value(event).unwrap();
        assert_eq!(to_json(Event::Open), json!({ "type": "open" }));
        let reconnect = Reconnect {
            attempt: 2,
            downtime: Duration::from_millis(1500),
        };
        assert_eq!(
            to_json(Event::Reconnect(reconnect)),
            json!({ "type": "reconnect", "attempt": 2, "downtimeMs": 1500 })
        );
        let reconnecting = Reconnecting {
            attempt: 1,
            delay: Duration::from_millis(640),
        };
        assert_eq!(
            to_json(Event::Reconnecting(reconnecting)),
            json!({ "type": "reconnecting", "attempt": 1, "delayMs": 640 })
        );
        let close = Close {
            code: 1006,
            reason: "heartbeat timeout".into(),
            was_clean: false,
            will_reconnect: true,
            delay: Some(Duration::from_millis(800)),
        };
        assert_eq!(
            to_json(Event::Close(close.clone())),
            json!({ "type": "close", "code": 1006, "reason": "heartbeat timeout",
                    "wasClean": false, "willReconnect": true, "delayMs": 800 })
        );
        let last = Close {
            delay: None,
            will_reconnect: false,
            ..close
        };
        assert_eq!(to_json(Event::Close(last))["delayMs"], json!(null));
        let error = ErrorInfo {
            cause: ErrorCause::ConnectionTimeout,
            detail: String::new(),
        };
        assert_eq!(
            to_json(Event::Error(error)),
            json!({ "type": "error", "cause": "connection-timeout", "detail": "" })
        );
        assert_eq!(
            to_json(Event::GiveUp { attempts: 3 }),
            json!({ "type": "giveup", "attempts": 3 })
        );
        let rtt = Duration::from_millis(42);
        assert_eq!(
            to_json(Event::Heartbeat { rtt }),
            json!({ "type": "heartbeat", "rttMs": 42 })
        );
        assert_eq!(
            to_json(Event::StateChange(State::Waiting)),
            json!({ "type": "statechange", "state": "waiting" })
        );
        assert_eq!(
            to_json(Event::Message("hi".into())),
            json!({ "type": "message", "data": "hi" })
        );
        assert_eq!(
            to_json(Event::Dropped(vec![1u8, 2].into())),
            json!({ "type": "drop", "data": [1, 2] })
        );
        let disconnect = Disconnect {
            code: 4001,
            reason: "logged out".into(),
            was_clean: true,
        };
        assert_eq!(
            serde_json::to_value(disconnect).unwrap(),
            json!({ "code": 4001, "reason": "logged out", "wasClean": true })
        );
    }

    #[cfg(feature = "serde")]
    #[test]
    fn stats_serialize_with_the_js_names() {
        let stats = crate::core::Stats {
            attempts: 1,
            reconnects: 2,
            last_rtt: Some(30),
            connected_since: None,
            queued: 4,
        };
        assert_eq!(
            serde_json::to_value(stats).unwrap(),
            serde_json::json!({ "attempts": 1, "reconnects": 2, "lastRttMs": 30,
                                "connectedSince": null, "queued": 4 })
        );
    }

    #[test]
    fn errors_hand_the_message_back_and_say_what_was_wrong() {
        let error = Error::QueueFull {
            message: Message::from("keep me"),
            max: 2,
        };
        assert_eq!(
            error.to_string(),
            "send() while not open, and the queue is full (2 messages)"
        );
        let Error::QueueFull { message, .. } = error else {
            unreachable!()
        };
        assert_eq!(message.as_text(), Some("keep me"));
        assert_eq!(
            Error::InvalidCloseCode(1005).to_string(),
            "close code must be 1000 or 3000-4999, got 1005"
        );
    }
}
