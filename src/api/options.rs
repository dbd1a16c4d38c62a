//! [`Config`] in the JS API's option names (the `serde` feature): deserialized from any
//! self-describing format (JSON, a JS object through serde-wasm-bindgen, …), serialized
//! back, and on `wasm32` [`Config::from_js`] / [`Config::to_js`].
//!
//! Reading goes through a [`Value`] tree, not derived structs: serde-wasm-bindgen reads
//! only the fields a struct declares (so `deny_unknown_fields` would let a typo pass
//! silently), and a derived struct's errors do not say which field was wrong. Here every
//! key is seen, an unknown one is [`ConfigError::UnknownOption`], and a value of the wrong
//! kind is [`ConfigError::Type`] naming the field as the JS API does:
//! `backoff.initialDelay must be a number of milliseconds, got "fast"`. The values are
//! then checked by [`ConfigBuilder::build`], exactly as the builder's are.
//!
//! Functions (`shouldReconnect`, a predicate `pong`, the `WebSocket` constructor) do not
//! go through serde: reading them is an error that names where to set them in Rust
//! ([`Config::into_builder`]), and serializing leaves them out.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{Serialize, SerializeStruct, Serializer};

use super::config::{Config, ConfigBuilder, Matcher};
use super::event::Message;
use crate::core::{Backoff, ConfigError, Heartbeat, Jitter, Lifecycle, Overflow, Queue};

const TOP: &[&str] = &[
    "backoff",
    "connectionTimeout",
    "closeTimeout",
    "heartbeat",
    "queue",
    "lifecycle",
    "shouldReconnect",
    "startClosed",
    "WebSocket",
    "share",
    "protocols",
];
const BACKOFF: &[&str] = &[
    "initialDelay",
    "maxDelay",
    "factor",
    "jitter",
    "maxRetries",
    "minUptime",
];
const HEARTBEAT: &[&str] = &[
    "interval",
    "timeout",
    "ping",
    "pong",
    "anyMessageIsPong",
    "serverPing",
];
const SERVER_PING: &[&str] = &["ping", "reply"];
const QUEUE: &[&str] = &["maxMessages", "overflow"];
const LIFECYCLE: &[&str] = &[
    "probeOnVisible",
    "reconnectOnOnline",
    "pauseWhenOffline",
    "closeWhenHiddenAfter",
    "closeOnPageHide",
];

// What each option must be, in the JS API's words where it has them.
const MILLIS: &str = "a number of milliseconds";
const FACTOR: &str = "a finite number >= 1";
const RETRIES: &str = "a whole number >= 0, or Infinity";
const QUEUE_SIZE: &str = "a whole number from 0 to 1000000";
const BOOLEAN: &str = "true or false";
const OBJECT: &str = "an object";
const JITTER: &str = "one of \"full\", \"equal\" or \"none\"";
const OVERFLOW: &str = "one of \"throw\" or \"drop-oldest\"";
const HIDDEN_AFTER: &str = "a number of milliseconds, or false";
const PAYLOAD: &str = "a string or bytes (functions do not go through serde)";
const PONG: &str = "a string (a predicate is set in Rust: ConfigBuilder::pong)";
const SERVER_PING_PING: &str = "a string (a predicate is set in Rust: ConfigBuilder::server_ping)";
const SHOULD_RECONNECT: &str =
    "set in Rust with ConfigBuilder::should_reconnect (functions do not go through serde)";
const WEBSOCKET: &str =
    "set in Rust with ConfigBuilder::websocket (functions do not go through serde)";
const PROTOCOLS: &str = "a string or an array of strings";
const SHARE: &str = "false or left out: a Rust Socket has a connection of its own \
    (sharing one between tabs is the npm package's)";

/// A value as a self-describing format hands it over.
#[derive(Clone, Debug, PartialEq)]
enum Value {
    /// `null`, `undefined` (serde-wasm-bindgen does not tell them apart), `None`: not set.
    Null,
    Bool(bool),
    Number(f64),
    Text(String),
    Bytes(Vec<u8>),
    List(Vec<Value>),
    /// An object's entries, in order.
    Map(Vec<(String, Value)>),
}

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ValueVisitor)
    }
}

struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("options: objects, arrays, numbers, strings, booleans or bytes")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v as f64))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v as f64))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        Ok(Value::Number(v))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Value, E> {
        Ok(Value::Text(v.into()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Value, E> {
        Ok(Value::Text(v))
    }

    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Value, E> {
        Ok(Value::Bytes(v.into()))
    }

    fn visit_byte_buf<E: de::Error>(self, v: Vec<u8>) -> Result<Value, E> {
        Ok(Value::Bytes(v))
    }

    fn visit_none<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        Value::deserialize(deserializer)
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> Result<Value, D::Error> {
        Value::deserialize(deserializer)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Value::List(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut entries = Vec::new();
        while let Some(entry) = map.next_entry::<String, Value>()? {
            entries.push(entry);
        }
        Ok(Value::Map(entries))
    }
}

/// How JS would show `value` in an error (`String(value)`, strings quoted, objects named).
fn shown(value: Option<&Value>) -> String {
    match value {
        None => "undefined".into(),
        Some(Value::Null) => "null".into(),
        Some(Value::Bool(b)) => b.to_string(),
        Some(Value::Number(n)) => js_number(*n),
        Some(Value::Text(text)) => format!("\"{text}\""),
        Some(Value::Bytes(_)) => "bytes".into(),
        Some(Value::List(_)) => "an array".into(),
        Some(Value::Map(_)) => "an object".into(),
    }
}

/// A number as JS's `String()` shows it, for the common cases (whole numbers, infinities,
/// `NaN`, short decimals).
fn js_number(n: f64) -> String {
    if n.is_nan() {
        "NaN".into()
    } else if n.is_infinite() {
        if n > 0.0 { "Infinity" } else { "-Infinity" }.into()
    } else if n == n.trunc() && n.abs() < 1e21 {
        format!("{}", n as i128)
    } else {
        format!("{n}")
    }
}

/// `prefix.key`, or `key` at the top level.
fn join(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.into()
    } else {
        format!("{prefix}.{key}")
    }
}

/// One group of options (the top level, `backoff`, …), its keys checked.
struct Group<'a> {
    entries: &'a [(String, Value)],
    prefix: &'static str,
}

impl<'a> Group<'a> {
    /// `value` as the group `name` (`""` for the top level) with `keys`; not set is an
    /// empty group.
    fn new(
        value: Option<&'a Value>,
        name: &'static str,
        keys: &[&str],
    ) -> Result<Self, ConfigError> {
        let entries = match value {
            None | Some(Value::Null) => &[][..],
            Some(Value::Map(entries)) => entries.as_slice(),
            Some(other) => {
                let field = if name.is_empty() { "options" } else { name };
                return Err(ConfigError::Type {
                    field: field.into(),
                    expected: OBJECT,
                    got: shown(Some(other)),
                });
            }
        };
        if let Some((key, _)) = entries.iter().find(|(key, _)| !keys.contains(&&**key)) {
            let name = join(name, key);
            return Err(ConfigError::UnknownOption { name });
        }
        Ok(Group {
            entries,
            prefix: name,
        })
    }

    /// The value of `key`, unless absent or null (the last one, as a JS object keeps it).
    fn get(&self, key: &str) -> Option<&'a Value> {
        let entry = self.entries.iter().rev().find(|(k, _)| k == key);
        entry.map(|(_, v)| v).filter(|v| **v != Value::Null)
    }

    /// `key` was not `expected`.
    fn wrong(&self, key: &str, expected: &'static str, value: Option<&Value>) -> ConfigError {
        ConfigError::Type {
            field: join(self.prefix, key),
            expected,
            got: shown(value),
        }
    }

    fn number(&self, key: &str, expected: &'static str) -> Result<Option<f64>, ConfigError> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Number(n)) => Ok(Some(*n)),
            other => Err(self.wrong(key, expected, other)),
        }
    }

    fn boolean(&self, key: &str) -> Result<Option<bool>, ConfigError> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            other => Err(self.wrong(key, BOOLEAN, other)),
        }
    }

    fn text(&self, key: &str, expected: &'static str) -> Result<Option<&'a str>, ConfigError> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Text(text)) => Ok(Some(text)),
            other => Err(self.wrong(key, expected, other)),
        }
    }

    /// A message to send: a string, bytes, or the array of byte values a format without
    /// bytes (JSON) writes them as.
    fn payload(&self, key: &str) -> Result<Option<Message>, ConfigError> {
        let message = match self.get(key) {
            None => return Ok(None),
            Some(Value::Text(text)) => Some(Message::Text(text.clone())),
            Some(Value::Bytes(bytes)) => Some(Message::Binary(bytes.clone())),
            Some(Value::List(items)) => items
                .iter()
                .map(|item| match item {
                    Value::Number(n) if (0.0..=255.0).contains(n) && n.fract() == 0.0 => {
                        Some(*n as u8)
                    }
                    _ => None,
                })
                .collect::<Option<Vec<u8>>>()
                .map(Message::Binary),
            Some(_) => None,
        };
        match message {
            Some(message) => Ok(Some(message)),
            None => Err(self.wrong(key, PAYLOAD, self.get(key))),
        }
    }

    /// Options that are functions in JS: never readable as data.
    fn refuse(&self, key: &str, expected: &'static str) -> Result<(), ConfigError> {
        match self.get(key) {
            None => Ok(()),
            value => Err(self.wrong(key, expected, value)),
        }
    }
}

/// Reads the options, in the order the JS API reads them (so the first error is the same),
/// into a builder; [`ConfigBuilder::build`] then checks the values.
fn read(options: &Value) -> Result<ConfigBuilder, ConfigError> {
    let top = Group::new(Some(options), "", TOP)?;
    let mut builder = Config::builder();

    let b = Group::new(top.get("backoff"), "backoff", BACKOFF)?;
    let backoff = &mut builder.config.policy.backoff;
    set(
        &mut backoff.initial_delay,
        b.number("initialDelay", MILLIS)?,
    );
    set(&mut backoff.max_delay, b.number("maxDelay", MILLIS)?);
    set(&mut backoff.factor, b.number("factor", FACTOR)?);
    set(&mut backoff.max_retries, b.number("maxRetries", RETRIES)?);
    set(&mut backoff.min_uptime, b.number("minUptime", MILLIS)?);
    if let Some(name) = b.text("jitter", JITTER)? {
        backoff.jitter = Jitter::parse(name)?;
    }

    let policy = &mut builder.config.policy;
    set(
        &mut policy.connection_timeout,
        top.number("connectionTimeout", MILLIS)?,
    );
    set(
        &mut policy.close_timeout,
        top.number("closeTimeout", MILLIS)?,
    );
    set(&mut policy.start_closed, top.boolean("startClosed")?);
    top.refuse("shouldReconnect", SHOULD_RECONNECT)?;
    top.refuse("WebSocket", WEBSOCKET)?;

    match top.get("heartbeat") {
        None | Some(Value::Bool(false)) => {}
        Some(Value::Bool(true)) => builder.heartbeat = Some(Heartbeat::default()),
        Some(value) => {
            let h = Group::new(Some(value), "heartbeat", HEARTBEAT)?;
            let mut heartbeat = Heartbeat::default();
            set(&mut heartbeat.interval, h.number("interval", MILLIS)?);
            set(&mut heartbeat.timeout, h.number("timeout", MILLIS)?);
            set(
                &mut heartbeat.any_message_is_pong,
                h.boolean("anyMessageIsPong")?,
            );
            builder.heartbeat = Some(heartbeat);
            if let Some(ping) = h.payload("ping")? {
                builder.config.ping = ping;
                builder.ping_given = true;
            }
            if let Some(pong) = h.text("pong", PONG)? {
                builder.config.pong = Matcher::from(pong);
            }
            if h.get("serverPing").is_some() {
                let s = Group::new(h.get("serverPing"), "heartbeat.serverPing", SERVER_PING)?;
                let ping = s.text("ping", SERVER_PING_PING)?;
                let ping = ping.ok_or_else(|| s.wrong("ping", SERVER_PING_PING, None))?;
                let reply = s.payload("reply")?;
                let reply = reply.ok_or_else(|| s.wrong("reply", PAYLOAD, None))?;
                builder.config.server_ping = Some((Matcher::from(ping), reply));
            }
        }
    }

    let q = Group::new(top.get("queue"), "queue", QUEUE)?;
    let queue = &mut builder.config.policy.queue;
    set(
        &mut queue.max_messages,
        q.number("maxMessages", QUEUE_SIZE)?,
    );
    if let Some(name) = q.text("overflow", OVERFLOW)? {
        queue.overflow = Overflow::parse(name)?;
    }

    let l = Group::new(top.get("lifecycle"), "lifecycle", LIFECYCLE)?;
    let lifecycle = &mut builder.config.policy.lifecycle;
    set(
        &mut lifecycle.probe_on_visible,
        l.boolean("probeOnVisible")?,
    );
    set(
        &mut lifecycle.reconnect_on_online,
        l.boolean("reconnectOnOnline")?,
    );
    set(
        &mut lifecycle.pause_when_offline,
        l.boolean("pauseWhenOffline")?,
    );
    set(
        &mut lifecycle.close_on_page_hide,
        l.boolean("closeOnPageHide")?,
    );
    lifecycle.close_when_hidden_after = match l.get("closeWhenHiddenAfter") {
        None | Some(Value::Bool(false)) => None,
        Some(Value::Number(n)) => Some(*n),
        other => return Err(l.wrong("closeWhenHiddenAfter", HIDDEN_AFTER, other)),
    };

    // Not a JS option (the JS API takes them as the constructor's second argument), but
    // part of a Rust `Config`.
    builder.config.protocols = match top.get("protocols") {
        None => Vec::new(),
        Some(Value::Text(protocol)) => vec![protocol.clone()],
        Some(Value::List(items)) => items
            .iter()
            .map(|item| match item {
                Value::Text(protocol) => Ok(protocol.clone()),
                _ => Err(top.wrong("protocols", PROTOCOLS, Some(item))),
            })
            .collect::<Result<_, _>>()?,
        other => return Err(top.wrong("protocols", PROTOCOLS, other)),
    };
    // The npm package's last option.
    match top.get("share") {
        None | Some(Value::Bool(false)) => {}
        other => return Err(top.wrong("share", SHARE, other)),
    }
    Ok(builder)
}

fn set<T>(field: &mut T, value: Option<T>) {
    if let Some(value) = value {
        *field = value;
    }
}

/// Reads the JS API's option names from any self-describing format, by the rules of
/// `Config::from_js` (on `wasm32`), checked as [`ConfigBuilder::build`] checks them; the
/// error message is the [`ConfigError`]'s sentence. Binary pings may also be arrays of
/// byte values, as JSON writes bytes.
///
/// ```
/// use lifeline_ws::Config;
///
/// let config: Config = serde_json::from_str(
///     r#"{ "backoff": { "initialDelay": 250 }, "heartbeat": { "interval": 20000 } }"#,
/// )?;
/// assert_eq!(config.policy().backoff.initial_delay, 250.0);
/// let typo = serde_json::from_str::<Config>(r#"{ "heartbeat": { "intervall": 1 } }"#);
/// assert_eq!(typo.unwrap_err().to_string(), "unknown option \"heartbeat.intervall\"");
/// # Ok::<(), serde_json::Error>(())
/// ```
impl<'de> Deserialize<'de> for Config {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let options = Value::deserialize(deserializer)?;
        read(&options)
            .and_then(ConfigBuilder::build)
            .map_err(de::Error::custom)
    }
}

/// Writes the JS API's option names: every group, with `heartbeat` only when it is on,
/// `backoff.maxRetries` only when finite (JSON has no `Infinity`) and
/// `lifecycle.closeWhenHiddenAfter` only when set. Functions are left out: the
/// `should_reconnect` callback, the `WebSocket` constructor, a predicate `pong` or server
/// ping (its `reply` is written).
///
/// ```
/// use lifeline_ws::Config;
/// use std::time::Duration;
///
/// let config = Config::builder().initial_delay(Duration::from_millis(250)).build().unwrap();
/// let json = serde_json::to_value(&config).unwrap();
/// assert_eq!(json["backoff"]["initialDelay"], 250.0);
/// assert_eq!(json["queue"]["overflow"], "throw");
/// let again: Config = serde_json::from_value(json).unwrap();
/// assert_eq!(again.policy(), config.policy());
/// ```
impl Serialize for Config {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let policy = &self.policy;
        let mut options = serializer.serialize_struct("Options", 8)?;
        options.serialize_field("backoff", &BackoffOptions(&policy.backoff))?;
        options.serialize_field("connectionTimeout", &policy.connection_timeout)?;
        options.serialize_field("closeTimeout", &policy.close_timeout)?;
        match &policy.heartbeat {
            Some(heartbeat) => {
                let heartbeat = HeartbeatOptions {
                    heartbeat,
                    config: self,
                };
                options.serialize_field("heartbeat", &heartbeat)?;
            }
            None => options.skip_field("heartbeat")?,
        }
        options.serialize_field("queue", &QueueOptions(&policy.queue))?;
        options.serialize_field("lifecycle", &LifecycleOptions(&policy.lifecycle))?;
        options.serialize_field("startClosed", &policy.start_closed)?;
        if self.protocols.is_empty() {
            options.skip_field("protocols")?;
        } else {
            options.serialize_field("protocols", &self.protocols)?;
        }
        options.end()
    }
}

struct BackoffOptions<'a>(&'a Backoff);

impl Serialize for BackoffOptions<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let b = self.0;
        let mut group = serializer.serialize_struct("Backoff", 6)?;
        group.serialize_field("initialDelay", &b.initial_delay)?;
        group.serialize_field("maxDelay", &b.max_delay)?;
        group.serialize_field("factor", &b.factor)?;
        let jitter = match b.jitter {
            Jitter::Full => "full",
            Jitter::Equal => "equal",
            Jitter::None => "none",
        };
        group.serialize_field("jitter", jitter)?;
        if b.max_retries.is_finite() {
            group.serialize_field("maxRetries", &b.max_retries)?;
        } else {
            group.skip_field("maxRetries")?;
        }
        group.serialize_field("minUptime", &b.min_uptime)?;
        group.end()
    }
}

struct HeartbeatOptions<'a> {
    heartbeat: &'a Heartbeat,
    config: &'a Config,
}

impl Serialize for HeartbeatOptions<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let h = self.heartbeat;
        let mut group = serializer.serialize_struct("Heartbeat", 6)?;
        group.serialize_field("interval", &h.interval)?;
        group.serialize_field("timeout", &h.timeout)?;
        // With a server ping, `ping` given is what turns the client's own pings on.
        if h.ping_given() {
            group.serialize_field("ping", &self.config.ping)?;
        } else {
            group.skip_field("ping")?;
        }
        match &self.config.pong {
            Matcher::Text(pong) => group.serialize_field("pong", pong)?,
            Matcher::Predicate(_) => group.skip_field("pong")?,
        }
        group.serialize_field("anyMessageIsPong", &h.any_message_is_pong)?;
        match &self.config.server_ping {
            Some((ping, reply)) => {
                let server_ping = ServerPingOptions { ping, reply };
                group.serialize_field("serverPing", &server_ping)?;
            }
            None => group.skip_field("serverPing")?,
        }
        group.end()
    }
}

struct ServerPingOptions<'a> {
    ping: &'a Matcher,
    reply: &'a Message,
}

impl Serialize for ServerPingOptions<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut group = serializer.serialize_struct("ServerPing", 2)?;
        match self.ping {
            Matcher::Text(ping) => group.serialize_field("ping", ping)?,
            Matcher::Predicate(_) => group.skip_field("ping")?,
        }
        group.serialize_field("reply", self.reply)?;
        group.end()
    }
}

struct QueueOptions<'a>(&'a Queue);

impl Serialize for QueueOptions<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut group = serializer.serialize_struct("Queue", 2)?;
        group.serialize_field("maxMessages", &self.0.max_messages)?;
        let overflow = match self.0.overflow {
            Overflow::Throw => "throw",
            Overflow::DropOldest => "drop-oldest",
        };
        group.serialize_field("overflow", overflow)?;
        group.end()
    }
}

struct LifecycleOptions<'a>(&'a Lifecycle);

impl Serialize for LifecycleOptions<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let l = self.0;
        let mut group = serializer.serialize_struct("Lifecycle", 5)?;
        group.serialize_field("probeOnVisible", &l.probe_on_visible)?;
        group.serialize_field("reconnectOnOnline", &l.reconnect_on_online)?;
        group.serialize_field("pauseWhenOffline", &l.pause_when_offline)?;
        match &l.close_when_hidden_after {
            Some(after) => group.serialize_field("closeWhenHiddenAfter", after)?,
            None => group.skip_field("closeWhenHiddenAfter")?,
        }
        group.serialize_field("closeOnPageHide", &l.close_on_page_hide)?;
        group.end()
    }
}

#[cfg(target_arch = "wasm32")]
mod js {
    use wasm_bindgen::JsValue;

    use super::*;
    use crate::wasm::platform::get;

    /// What a JS options object may hold that serde cannot: a value serde-wasm-bindgen
    /// refuses (a function or a symbol somewhere else).
    const PLAIN_DATA: &str = "plain data (objects, arrays, numbers, strings, booleans, bytes)";

    /// The options that are functions in the JS API, where they are found, and what to do
    /// instead.
    const FUNCTIONS: [(&str, &[&str], &str); 6] = [
        ("shouldReconnect", &["shouldReconnect"], SHOULD_RECONNECT),
        ("WebSocket", &["WebSocket"], WEBSOCKET),
        ("heartbeat.ping", &["heartbeat", "ping"], PAYLOAD),
        ("heartbeat.pong", &["heartbeat", "pong"], PONG),
        (
            "heartbeat.serverPing.ping",
            &["heartbeat", "serverPing", "ping"],
            SERVER_PING_PING,
        ),
        (
            "heartbeat.serverPing.reply",
            &["heartbeat", "serverPing", "reply"],
            PAYLOAD,
        ),
    ];

    impl Config {
        /// Reads a JS options object, as `new LifelineSocket(url, protocols, options)` takes
        /// it, through serde-wasm-bindgen: for hybrid apps whose JS side owns the
        /// configuration.
        ///
        /// - The same names (`backoff.initialDelay`, `connectionTimeout`,
        ///   `heartbeat.interval`, `queue.maxMessages`, `lifecycle.closeWhenHiddenAfter`, …)
        ///   and defaults; numbers are milliseconds; `heartbeat: true` is the default
        ///   heartbeat; `null` and `undefined` mean not set. `protocols` (a string or an
        ///   array of strings) may be given too.
        /// - The same checks as [`ConfigBuilder::build`], with the same [`ConfigError`]; an
        ///   unknown key is [`ConfigError::UnknownOption`], a value of the wrong kind
        ///   [`ConfigError::Type`].
        /// - Functions do not go through serde: a `shouldReconnect`, `WebSocket`, or a
        ///   function as `heartbeat.ping`, `pong` or `serverPing` is refused with an error
        ///   naming it. Leave them out on the JS side and set them in Rust:
        ///   `Config::from_js(&options)?.into_builder().should_reconnect(…).build()`.
        ///
        /// ```no_run
        /// use lifeline_ws::{Config, Socket};
        /// use wasm_bindgen::JsValue;
        ///
        /// # fn run(options: JsValue) -> Result<(), lifeline_ws::Error> {
        /// // options: { heartbeat: { interval: 20000, timeout: 5000 }, queue: { maxMessages: 100 } }
        /// let config = Config::from_js(&options)?
        ///     .into_builder()
        ///     .should_reconnect(|close| close.code != 4001)
        ///     .build()?;
        /// let socket = Socket::connect("wss://example.com/live", config)?;
        /// # Ok(()) }
        /// ```
        pub fn from_js(options: &JsValue) -> Result<Config, ConfigError> {
            for (field, path, expected) in FUNCTIONS {
                let value = path.iter().fold(options.clone(), |v, key| get(&v, key));
                if value.is_function() {
                    let field = field.into();
                    let got = "a function".into();
                    return Err(ConfigError::Type {
                        field,
                        expected,
                        got,
                    });
                }
            }
            let options: Value =
                serde_wasm_bindgen::from_value(options.clone()).map_err(|error| {
                    ConfigError::Type {
                        field: "options".into(),
                        expected: PLAIN_DATA,
                        got: error.to_string(),
                    }
                })?;
            read(&options)?.build()
        }

        /// The options as a JS object with the JS API's names, through serde-wasm-bindgen
        /// (what [`Config`]'s `Serialize` writes: functions are left out, binary pings are
        /// `Uint8Array`s). [`Config::from_js`] reads it back.
        ///
        /// ```no_run
        /// use lifeline_ws::Config;
        ///
        /// let options = Config::default().to_js();
        /// let again = Config::from_js(&options).unwrap();
        /// assert_eq!(again.policy(), Config::default().policy());
        /// ```
        pub fn to_js(&self) -> JsValue {
            self.serialize(&serde_wasm_bindgen::Serializer::new())
                .expect("options are numbers, strings, booleans and bytes")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::{self, Expected};
    use std::time::Duration;

    fn read_json(json: &str) -> Result<Config, ConfigError> {
        let value: Value = serde_json::from_str(json).unwrap();
        read(&value)?.build()
    }

    fn error(json: &str) -> String {
        read_json(json).unwrap_err().to_string()
    }

    #[test]
    fn reads_every_js_option_name() {
        let config = read_json(
            r#"{
                "backoff": { "initialDelay": 250, "maxDelay": 8000, "factor": 1.5,
                             "jitter": "equal", "maxRetries": 7, "minUptime": 0 },
                "connectionTimeout": 3000,
                "heartbeat": { "interval": 20000, "timeout": 5000, "ping": "PING",
                               "pong": "PONG", "anyMessageIsPong": true },
                "queue": { "maxMessages": 10, "overflow": "drop-oldest" },
                "lifecycle": { "probeOnVisible": false, "reconnectOnOnline": false,
                               "pauseWhenOffline": false, "closeWhenHiddenAfter": 60000,
                               "closeOnPageHide": true },
                "startClosed": true,
                "protocols": ["chat.v2", "chat.v1"]
            }"#,
        )
        .unwrap();
        let expected = Config::builder()
            .initial_delay(Duration::from_millis(250))
            .max_delay(Duration::from_secs(8))
            .factor(1.5)
            .jitter(Jitter::Equal)
            .max_retries(7)
            .min_uptime(Duration::ZERO)
            .connection_timeout(Duration::from_secs(3))
            .heartbeat(Duration::from_secs(20), Duration::from_secs(5))
            .ping("PING")
            .pong("PONG")
            .any_message_is_pong(true)
            .queue_max_messages(10)
            .overflow(Overflow::DropOldest)
            .probe_on_visible(false)
            .reconnect_on_online(false)
            .pause_when_offline(false)
            .close_when_hidden_after(Duration::from_secs(60))
            .close_on_page_hide(true)
            .start_closed(true)
            .protocols(["chat.v2", "chat.v1"])
            .build()
            .unwrap();
        assert_eq!(format!("{config:?}"), format!("{expected:?}"));
    }

    #[test]
    fn not_set_means_the_defaults() {
        for json in [
            "{}",
            "null",
            r#"{ "backoff": null, "heartbeat": false, "queue": {}, "lifecycle": null }"#,
            r#"{ "backoff": { "initialDelay": null }, "lifecycle": { "closeWhenHiddenAfter": false } }"#,
        ] {
            let config = read_json(json).unwrap();
            assert_eq!(config.policy, core::Config::default(), "{json}");
        }
        let config = read_json(r#"{ "heartbeat": true }"#).unwrap();
        assert_eq!(config.policy.heartbeat, Some(Heartbeat::default()));
        let config = read_json(r#"{ "protocols": "chat" }"#).unwrap();
        assert_eq!(config.protocols, ["chat"]);
    }

    #[test]
    fn server_ping_alone_turns_client_pings_off_as_in_js() {
        let config =
            read_json(r#"{ "heartbeat": { "serverPing": { "ping": "hi", "reply": "hello" } } }"#)
                .unwrap();
        let heartbeat = config.policy.heartbeat.unwrap();
        assert!(heartbeat.server_ping && !heartbeat.client_ping);
        assert_eq!(config.server_ping.unwrap().1, Message::from("hello"));
        let config = read_json(
            r#"{ "heartbeat": { "ping": [1, 2], "serverPing": { "ping": "hi", "reply": [255] } } }"#,
        )
        .unwrap();
        assert!(config.policy.heartbeat.unwrap().client_ping);
        assert_eq!(config.ping, Message::Binary(vec![1, 2]));
        assert_eq!(config.server_ping.unwrap().1, Message::Binary(vec![255]));
    }

    #[test]
    fn unknown_keys_are_errors_at_every_level() {
        assert_eq!(
            error(r#"{ "heartbeet": {} }"#),
            "unknown option \"heartbeet\""
        );
        assert_eq!(
            error(r#"{ "heartbeat": { "intervall": 1 } }"#),
            "unknown option \"heartbeat.intervall\""
        );
        assert_eq!(
            error(r#"{ "heartbeat": { "serverPing": { "ping": "a", "replay": "b" } } }"#),
            "unknown option \"heartbeat.serverPing.replay\""
        );
        assert_eq!(
            error(r#"{ "backoff": { "initialdelay": 1 } }"#),
            "unknown option \"backoff.initialdelay\""
        );
        assert_eq!(
            read_json(r#"{ "queue": { "max": 1 } }"#).unwrap_err(),
            ConfigError::UnknownOption {
                name: "queue.max".into()
            }
        );
    }

    #[test]
    fn wrong_kinds_are_named_as_the_js_api_names_them() {
        // The same sentences as the npm package's TypeErrors (src/wasm/options.rs).
        let cases = [
            (
                r#"{ "backoff": { "initialDelay": "fast" } }"#,
                "backoff.initialDelay must be a number of milliseconds, got \"fast\"",
            ),
            (
                r#"{ "backoff": { "jitter": 5 } }"#,
                "backoff.jitter must be one of \"full\", \"equal\" or \"none\", got 5",
            ),
            (r#"{ "backoff": 5 }"#, "backoff must be an object, got 5"),
            ("[1]", "options must be an object, got an array"),
            (
                r#"{ "startClosed": "yes" }"#,
                "startClosed must be true or false, got \"yes\"",
            ),
            (
                r#"{ "heartbeat": { "timeout": {} } }"#,
                "heartbeat.timeout must be a number of milliseconds, got an object",
            ),
            (
                r#"{ "queue": { "overflow": true } }"#,
                "queue.overflow must be one of \"throw\" or \"drop-oldest\", got true",
            ),
            (
                r#"{ "lifecycle": { "closeWhenHiddenAfter": true } }"#,
                "lifecycle.closeWhenHiddenAfter must be a number of milliseconds, or false, \
                 got true",
            ),
            (
                r#"{ "heartbeat": { "serverPing": { "reply": "pong" } } }"#,
                "heartbeat.serverPing.ping must be a string (a predicate is set in Rust: \
                 ConfigBuilder::server_ping), got undefined",
            ),
            (
                r#"{ "heartbeat": { "ping": {} } }"#,
                "heartbeat.ping must be a string or bytes (functions do not go through serde), \
                 got an object",
            ),
            (
                r#"{ "shouldReconnect": true }"#,
                "shouldReconnect must be set in Rust with ConfigBuilder::should_reconnect \
                 (functions do not go through serde), got true",
            ),
            (
                r#"{ "protocols": ["a", 1] }"#,
                "protocols must be a string or an array of strings, got 1",
            ),
            (
                r#"{ "share": "chat" }"#,
                "share must be false or left out: a Rust Socket has a connection of its own \
                 (sharing one between tabs is the npm package's), got \"chat\"",
            ),
        ];
        assert!(read_json(r#"{ "share": false }"#).is_ok());
        for (json, message) in cases {
            assert_eq!(error(json), message, "{json}");
        }
        let error = read_json(r#"{ "backoff": { "maxRetries": "3" } }"#).unwrap_err();
        assert_eq!(error.field(), "backoff.maxRetries");
        assert_eq!(error.expected(), Expected::RetryCount.as_str());
        assert_eq!(FACTOR, Expected::FactorAtLeastOne.as_str());
        assert_eq!(QUEUE_SIZE, Expected::QueueSize.as_str());
        assert_eq!(JITTER, format!("one of {}", Jitter::NAMES));
        assert_eq!(OVERFLOW, format!("one of {}", Overflow::NAMES));
    }

    #[test]
    fn values_are_checked_as_the_builder_checks_them() {
        let from_options = read_json(r#"{ "heartbeat": { "timeout": -5 } }"#).unwrap_err();
        let from_builder = Config::builder()
            .heartbeat(Duration::from_secs(25), Duration::ZERO)
            .build()
            .unwrap_err();
        assert_eq!(from_options.field(), from_builder.field());
        assert_eq!(
            from_options.to_string(),
            "heartbeat.timeout must be a number of milliseconds > 0 and <= 2147483647, got -5"
        );
        for (json, field) in [
            (
                r#"{ "backoff": { "maxRetries": 2.5 } }"#,
                "backoff.maxRetries",
            ),
            (r#"{ "backoff": { "factor": 0.5 } }"#, "backoff.factor"),
            (
                r#"{ "backoff": { "initialDelay": 0 } }"#,
                "backoff.initialDelay",
            ),
            (
                r#"{ "backoff": { "initialDelay": 2000, "maxDelay": 1000 } }"#,
                "backoff.maxDelay",
            ),
            (r#"{ "connectionTimeout": 1e12 }"#, "connectionTimeout"),
            (
                r#"{ "queue": { "maxMessages": 2000000 } }"#,
                "queue.maxMessages",
            ),
            (
                r#"{ "lifecycle": { "closeWhenHiddenAfter": -1 } }"#,
                "lifecycle.closeWhenHiddenAfter",
            ),
            (r#"{ "backoff": { "jitter": "fast" } }"#, "backoff.jitter"),
            (r#"{ "protocols": ["a", "a"] }"#, "protocols"),
        ] {
            assert_eq!(read_json(json).unwrap_err().field(), field, "{json}");
        }
    }

    #[test]
    fn serde_errors_are_the_config_errors_sentences() {
        let error = serde_json::from_str::<Config>(r#"{ "backoff": { "factor": 0.5 } }"#);
        assert_eq!(
            error.unwrap_err().to_string(),
            "backoff.factor must be a finite number >= 1, got 0.5"
        );
    }

    #[test]
    fn serializes_to_the_js_names_and_reads_back() {
        let configs = [
            Config::default(),
            Config::builder()
                .initial_delay(Duration::from_millis(250))
                .jitter(Jitter::None)
                .max_retries(4)
                .heartbeat(Duration::from_secs(20), Duration::from_secs(5))
                .ping(vec![9u8])
                .any_message_is_pong(true)
                .overflow(Overflow::DropOldest)
                .close_when_hidden_after(Duration::from_secs(30))
                .protocols(["chat"])
                .build()
                .unwrap(),
            Config::builder()
                .server_ping("hi", vec![1u8, 2])
                .build()
                .unwrap(),
        ];
        for config in configs {
            let json = serde_json::to_value(&config).unwrap();
            let again: Config = serde_json::from_value(json.clone()).unwrap();
            assert_eq!(format!("{again:?}"), format!("{config:?}"), "{json}");
        }
        let config = Config::builder()
            .heartbeat(Duration::from_secs(20), Duration::from_secs(5))
            .should_reconnect(|_| true)
            .pong(Matcher::predicate(|_| true))
            .close_when_hidden_after(Duration::from_secs(30))
            .build()
            .unwrap();
        let json = serde_json::to_value(&config).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "backoff": { "initialDelay": 1000.0, "maxDelay": 30000.0, "factor": 2.0,
                             "jitter": "full", "minUptime": 5000.0 },
                "connectionTimeout": 10000.0,
                "closeTimeout": 3000.0,
                "heartbeat": { "interval": 20000.0, "timeout": 5000.0, "ping": "ping",
                               "anyMessageIsPong": false },
                "queue": { "maxMessages": 1000.0, "overflow": "throw" },
                "lifecycle": { "probeOnVisible": true, "reconnectOnOnline": true,
                               "pauseWhenOffline": true, "closeWhenHiddenAfter": 30000.0,
                               "closeOnPageHide": false },
                "startClosed": false
            })
        );
    }

    #[test]
    fn numbers_are_shown_as_js_shows_them() {
        assert_eq!(js_number(5.0), "5");
        assert_eq!(js_number(-0.0), "0");
        assert_eq!(js_number(2.5), "2.5");
        assert_eq!(js_number(f64::INFINITY), "Infinity");
        assert_eq!(js_number(f64::NAN), "NaN");
    }
}
