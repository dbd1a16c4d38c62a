//! Reads the JS options object, field by field, into the core's [`Config`] plus the
//! platform values (constructor, ping payloads) the engine needs.
//!
//! Every error is a `TypeError` whose message names the field as the JS API spells it, the
//! value (rendered by JS's own `String()`, so Rust never formats a float) and the
//! expectation. Unknown keys are errors too: a typo must not pass silently.

use js_sys::{Function, Object};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::engine::Platform;
use super::platform::{get, global, js_string};
use crate::core::{Config, ConfigError, Heartbeat, Jitter, Overflow};

const TOP: &[&str] = &[
    "backoff",
    "connectionTimeout",
    "heartbeat",
    "queue",
    "lifecycle",
    "shouldReconnect",
    "startClosed",
    "WebSocket",
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

/// `TypeError: <field> must be <expected>, got <String(value)>` (strings shown quoted).
pub fn type_error(field: &str, expected: &str, value: &JsValue) -> JsValue {
    let mut message = String::with_capacity(64);
    message.push_str(field);
    message.push_str(" must be ");
    message.push_str(expected);
    message.push_str(", got ");
    if value.is_string() {
        message.push('"');
        message.push_str(&js_string(value));
        message.push('"');
    } else if value.is_function() {
        message.push_str("a function");
    } else if value.is_object() && !value.is_null() && !js_sys::Array::is_array(value) {
        message.push_str("an object");
    } else {
        message.push_str(&js_string(value));
    }
    js_sys::TypeError::new(&message).into()
}

/// The core's error as a `TypeError`.
pub fn config_error(error: &ConfigError) -> JsValue {
    match error {
        ConfigError::Number { field, value, .. } => {
            type_error(field, error.expected(), &JsValue::from_f64(*value))
        }
        ConfigError::Name { field, value, .. } => {
            type_error(field, error.expected(), &JsValue::from_str(value))
        }
        // Never made here (the serde feature's reader makes it), but rendered all the same.
        ConfigError::Type {
            field,
            expected,
            got,
        } => {
            let mut message = String::from(field.as_str());
            message.push_str(" must be ");
            message.push_str(expected);
            message.push_str(", got ");
            message.push_str(got);
            js_sys::TypeError::new(&message).into()
        }
        ConfigError::UnknownOption { name } => {
            let mut message = String::from("unknown option \"");
            message.push_str(name);
            message.push('"');
            js_sys::TypeError::new(&message).into()
        }
        ConfigError::Protocol { value } => {
            type_error("protocols", error.expected(), &JsValue::from_str(value))
        }
        ConfigError::NoHeartbeatSource => js_sys::TypeError::new(
            "heartbeat needs client pings (heartbeat.ping) or heartbeat.serverPing, got neither",
        )
        .into(),
    }
}

/// One group of options (the top level, `backoff`, …): an object, read key by key.
struct Group<'a> {
    object: JsValue,
    prefix: &'a str,
}

impl<'a> Group<'a> {
    /// `value` as a group named `name` (`""` for the top level) with `keys`; `undefined` and
    /// `null` are an empty group.
    fn new(value: JsValue, name: &'a str, keys: &[&str]) -> Result<Self, JsValue> {
        if value.is_undefined() || value.is_null() {
            return Ok(Group {
                object: JsValue::UNDEFINED,
                prefix: name,
            });
        }
        if !value.is_object() || js_sys::Array::is_array(&value) {
            let field = if name.is_empty() { "options" } else { name };
            return Err(type_error(field, "an object", &value));
        }
        for key in Object::keys(value.unchecked_ref::<Object>()) {
            let key = key.as_string().unwrap_or_default();
            if !keys.contains(&key.as_str()) {
                return Err(config_error(&ConfigError::UnknownOption {
                    name: join(name, &key),
                }));
            }
        }
        Ok(Group {
            object: value,
            prefix: name,
        })
    }

    fn field(&self, key: &str) -> String {
        join(self.prefix, key)
    }

    /// The raw value of `key`, `None` when absent or `undefined`.
    fn raw(&self, key: &str) -> Option<JsValue> {
        let value = get(&self.object, key);
        (!value.is_undefined()).then_some(value)
    }

    fn number(&self, key: &str, default: f64, expected: &str) -> Result<f64, JsValue> {
        match self.raw(key) {
            None => Ok(default),
            Some(v) => v
                .as_f64()
                .ok_or_else(|| type_error(&self.field(key), expected, &v)),
        }
    }

    fn boolean(&self, key: &str, default: bool) -> Result<bool, JsValue> {
        match self.raw(key) {
            None => Ok(default),
            Some(v) => v
                .as_bool()
                .ok_or_else(|| type_error(&self.field(key), "true or false", &v)),
        }
    }

    fn name(&self, key: &str, names: &str) -> Result<Option<String>, JsValue> {
        match self.raw(key) {
            None => Ok(None),
            Some(v) => match v.as_string() {
                Some(s) => Ok(Some(s)),
                None => {
                    let mut expected = String::from("one of ");
                    expected.push_str(names);
                    Err(type_error(&self.field(key), &expected, &v))
                }
            },
        }
    }
}

fn join(prefix: &str, key: &str) -> String {
    let mut name = String::with_capacity(prefix.len() + key.len() + 1);
    if !prefix.is_empty() {
        name.push_str(prefix);
        name.push('.');
    }
    name.push_str(key);
    name
}

fn is_payload(value: &JsValue) -> bool {
    value.is_string()
        || value.is_function()
        || value.is_instance_of::<js_sys::ArrayBuffer>()
        || js_sys::ArrayBuffer::is_view(value)
        || (get(&global(), "Blob").is_function() && value.is_instance_of::<Blob>())
}

#[wasm_bindgen]
extern "C" {
    /// The platform's `Blob` (checked to exist before `instanceof` is tried).
    type Blob;
}

const PAYLOAD: &str = "a string, an ArrayBuffer, a typed array, a Blob or a function returning one";
const MILLIS: &str = "a number of milliseconds";

/// Reads and validates every option.
pub fn read(options: &JsValue) -> Result<(Config, Platform), JsValue> {
    let top = Group::new(options.clone(), "", TOP)?;
    let mut config = Config::default();

    let b = Group::new(
        top.raw("backoff").unwrap_or(JsValue::UNDEFINED),
        "backoff",
        BACKOFF,
    )?;
    let d = config.backoff;
    config.backoff.initial_delay = b.number("initialDelay", d.initial_delay, MILLIS)?;
    config.backoff.max_delay = b.number("maxDelay", d.max_delay, MILLIS)?;
    config.backoff.factor = b.number("factor", d.factor, "a finite number >= 1")?;
    config.backoff.max_retries = b.number(
        "maxRetries",
        d.max_retries,
        "a whole number >= 0, or Infinity",
    )?;
    config.backoff.min_uptime = b.number("minUptime", d.min_uptime, MILLIS)?;
    if let Some(name) = b.name("jitter", Jitter::NAMES)? {
        config.backoff.jitter = Jitter::parse(&name).map_err(|e| config_error(&e))?;
    }

    config.connection_timeout =
        top.number("connectionTimeout", config.connection_timeout, MILLIS)?;
    config.start_closed = top.boolean("startClosed", false)?;

    let should = top.raw("shouldReconnect");
    if let Some(f) = &should {
        if !f.is_function() {
            return Err(type_error("shouldReconnect", "a function", f));
        }
    }
    config.should_reconnect = should.is_some();

    let constructor = match top.raw("WebSocket") {
        Some(ctor) => ctor
            .dyn_into::<Function>()
            .map_err(|v| type_error("WebSocket", "a WebSocket constructor", &v))?,
        None => get(&global(), "WebSocket").dyn_into::<Function>().map_err(|_| {
            JsValue::from(js_sys::TypeError::new(
                "no WebSocket here: pass one as the WebSocket option (in Node 20, the ws package's WebSocket)",
            ))
        })?,
    };

    let mut ping = JsValue::from_str("ping");
    let mut reply = JsValue::UNDEFINED;
    match top.raw("heartbeat") {
        None => {}
        Some(v) if v.as_bool() == Some(false) || v.is_null() => {}
        Some(v) if v.as_bool() == Some(true) => config.heartbeat = Some(Heartbeat::default()),
        Some(v) => {
            let h = Group::new(v, "heartbeat", HEARTBEAT)?;
            let d = Heartbeat::default();
            let mut heartbeat = Heartbeat {
                interval: h.number("interval", d.interval, MILLIS)?,
                timeout: h.number("timeout", d.timeout, MILLIS)?,
                any_message_is_pong: h.boolean("anyMessageIsPong", false)?,
                ..d
            };
            if let Some(p) = h.raw("ping") {
                if !is_payload(&p) {
                    return Err(type_error("heartbeat.ping", PAYLOAD, &p));
                }
                ping = p;
            }
            if let Some(p) = h.raw("pong") {
                if !(p.is_string() || p.is_function()) {
                    return Err(type_error(
                        "heartbeat.pong",
                        "a string or a function (message) => boolean",
                        &p,
                    ));
                }
            }
            if let Some(sp) = h.raw("serverPing") {
                let s = Group::new(sp, "heartbeat.serverPing", SERVER_PING)?;
                let server_ping = s.raw("ping").unwrap_or(JsValue::UNDEFINED);
                if !(server_ping.is_string() || server_ping.is_function()) {
                    return Err(type_error(
                        "heartbeat.serverPing.ping",
                        "a string or a function (message) => boolean",
                        &server_ping,
                    ));
                }
                reply = s.raw("reply").unwrap_or(JsValue::UNDEFINED);
                if !is_payload(&reply) {
                    return Err(type_error("heartbeat.serverPing.reply", PAYLOAD, &reply));
                }
                heartbeat.server_ping = true;
                // With the server pinging, the client pings only when asked to.
                heartbeat.client_ping = h.raw("ping").is_some();
            }
            config.heartbeat = Some(heartbeat);
        }
    }

    let q = Group::new(
        top.raw("queue").unwrap_or(JsValue::UNDEFINED),
        "queue",
        QUEUE,
    )?;
    config.queue.max_messages = q.number(
        "maxMessages",
        config.queue.max_messages,
        "a whole number from 0 to 1000000",
    )?;
    if let Some(name) = q.name("overflow", Overflow::NAMES)? {
        config.queue.overflow = Overflow::parse(&name).map_err(|e| config_error(&e))?;
    }

    let l = Group::new(
        top.raw("lifecycle").unwrap_or(JsValue::UNDEFINED),
        "lifecycle",
        LIFECYCLE,
    )?;
    let d = config.lifecycle;
    config.lifecycle.probe_on_visible = l.boolean("probeOnVisible", d.probe_on_visible)?;
    config.lifecycle.reconnect_on_online = l.boolean("reconnectOnOnline", d.reconnect_on_online)?;
    config.lifecycle.pause_when_offline = l.boolean("pauseWhenOffline", d.pause_when_offline)?;
    config.lifecycle.close_on_page_hide = l.boolean("closeOnPageHide", d.close_on_page_hide)?;
    config.lifecycle.close_when_hidden_after = match l.raw("closeWhenHiddenAfter") {
        None => None,
        Some(v) if v.is_null() || v.as_bool() == Some(false) => None,
        Some(v) => Some(v.as_f64().ok_or_else(|| {
            type_error(
                "lifecycle.closeWhenHiddenAfter",
                "a number of milliseconds, or false",
                &v,
            )
        })?),
    };

    config.validate().map_err(|e| config_error(&e))?;
    Ok((
        config,
        Platform {
            constructor,
            protocols: JsValue::UNDEFINED,
            ping,
            reply,
        },
    ))
}
