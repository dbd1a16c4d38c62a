//! [`Config`]: the JS options for Rust, built with [`ConfigBuilder`].

use std::fmt;
use std::rc::Rc;
use std::time::Duration;

use super::event::{Disconnect, Message};
use crate::core::{self, ConfigError, Heartbeat, Jitter, Overflow};

/// How a message is recognised as the heartbeat's pong or as the server's ping: equal to a
/// text, or accepted by a predicate.
///
/// ```
/// use lifeline_ws::{Matcher, Message};
///
/// assert!(Matcher::from("pong").matches(&Message::from("pong")));
/// let json = Matcher::predicate(|m| m.as_text().is_some_and(|t| t.contains(r#""type":"pong""#)));
/// assert!(json.matches(&Message::from(r#"{"type":"pong"}"#)));
/// ```
#[derive(Clone)]
#[non_exhaustive]
pub enum Matcher {
    /// A text message equal to this one.
    Text(String),
    /// Any message the function accepts.
    Predicate(Rc<dyn Fn(&Message) -> bool>),
}

impl Matcher {
    /// A matcher that asks `f`.
    ///
    /// ```
    /// # use lifeline_ws::{Matcher, Message};
    /// let binary_pong = Matcher::predicate(|m| m.as_bytes() == [0x0a]);
    /// assert!(binary_pong.matches(&Message::from(vec![0x0a])));
    /// ```
    pub fn predicate(f: impl Fn(&Message) -> bool + 'static) -> Matcher {
        Matcher::Predicate(Rc::new(f))
    }

    /// Whether `message` matches.
    ///
    /// ```
    /// # use lifeline_ws::{Matcher, Message};
    /// assert!(!Matcher::from("pong").matches(&Message::from(b"pong".to_vec())));
    /// ```
    pub fn matches(&self, message: &Message) -> bool {
        match self {
            Matcher::Text(text) => message.as_text() == Some(text),
            Matcher::Predicate(f) => f(message),
        }
    }
}

impl From<&str> for Matcher {
    fn from(text: &str) -> Self {
        Matcher::Text(text.into())
    }
}

impl From<String> for Matcher {
    fn from(text: String) -> Self {
        Matcher::Text(text)
    }
}

impl fmt::Debug for Matcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Matcher::Text(text) => f.debug_tuple("Text").field(text).finish(),
            Matcher::Predicate(_) => f.write_str("Predicate(..)"),
        }
    }
}

/// A `should_reconnect` callback.
pub(crate) type Decide = Rc<dyn Fn(&Disconnect) -> bool>;

/// Everything a `Socket` is configured with: the core's policy (backoff,
/// heartbeat, queue, lifecycle) plus the heartbeat messages, the subprotocols, the
/// `should_reconnect` callback and, where the platform has none, a `WebSocket` constructor.
///
/// Built with [`Config::builder`]; [`Config::default`] is the JS package's defaults. With
/// the `serde` feature it deserializes from, and serializes to, the JS API's option names
/// (`{ "backoff": { "initialDelay": 500 }, "heartbeat": { "interval": 20000 } }`), with the
/// builder's checks; on `wasm32`, `Config::from_js` and `to_js` do so with JS objects.
///
/// ```
/// use lifeline_ws::Config;
/// use std::time::Duration;
///
/// let config = Config::builder()
///     .initial_delay(Duration::from_millis(500))
///     .heartbeat(Duration::from_secs(20), Duration::from_secs(5))
///     .build()?;
/// assert_eq!(config.policy().backoff.initial_delay, 500.0);
/// # Ok::<(), lifeline_ws::core::ConfigError>(())
/// ```
#[derive(Clone)]
pub struct Config {
    /// Validated: every `Config` comes out of [`ConfigBuilder::build`], which checks it, and
    /// nothing changes it after. `Socket::connect` relies on it and checks nothing again.
    pub(crate) policy: core::Config,
    pub(crate) ping: Message,
    pub(crate) pong: Matcher,
    pub(crate) server_ping: Option<(Matcher, Message)>,
    pub(crate) protocols: Vec<String>,
    pub(crate) should_reconnect: Option<Decide>,
    #[cfg(target_arch = "wasm32")]
    pub(crate) websocket: Option<js_sys::Function>,
    /// Whether the builder was given the ping payload ([`ConfigBuilder::ping`]): with a
    /// server ping added later ([`Config::into_builder`]), the client pings only then.
    pub(crate) ping_given: bool,
}

impl Config {
    /// A builder starting from the defaults.
    ///
    /// ```
    /// # use lifeline_ws::Config;
    /// let config = Config::builder().start_closed(true).build().unwrap();
    /// assert!(config.policy().start_closed);
    /// ```
    pub fn builder() -> ConfigBuilder {
        ConfigBuilder {
            config: Config {
                policy: core::Config::default(),
                ping: Message::from("ping"),
                pong: Matcher::from("pong"),
                server_ping: None,
                protocols: Vec::new(),
                should_reconnect: None,
                #[cfg(target_arch = "wasm32")]
                websocket: None,
                ping_given: false,
            },
            heartbeat: None,
            ping_given: false,
        }
    }

    /// The core's policy: the numbers and switches, validated.
    ///
    /// ```
    /// # use lifeline_ws::Config;
    /// assert_eq!(Config::default().policy().connection_timeout, 10000.0);
    /// ```
    pub fn policy(&self) -> &core::Config {
        &self.policy
    }

    /// A builder holding this config, to change some of it: set what options read as data
    /// cannot carry (the `should_reconnect` function, a predicate pong, the `WebSocket`
    /// constructor) on a config read with the `serde` feature, say.
    ///
    /// ```
    /// # use lifeline_ws::Config; use std::time::Duration;
    /// let base = Config::builder().max_retries(3).build()?;
    /// let config = base
    ///     .into_builder()
    ///     .should_reconnect(|d| d.code != 4001)
    ///     .build()?;
    /// assert_eq!(config.policy().backoff.max_retries, 3.0);
    /// assert!(config.policy().should_reconnect);
    /// # Ok::<(), lifeline_ws::core::ConfigError>(())
    /// ```
    pub fn into_builder(self) -> ConfigBuilder {
        ConfigBuilder {
            ping_given: self.ping_given,
            heartbeat: self.policy.heartbeat,
            config: self,
        }
    }

    /// The subprotocols asked for.
    ///
    /// ```
    /// # use lifeline_ws::Config;
    /// let config = Config::builder().protocols(["chat.v2"]).build().unwrap();
    /// assert_eq!(config.protocols(), ["chat.v2"]);
    /// ```
    pub fn protocols(&self) -> &[String] {
        &self.protocols
    }
}

impl Default for Config {
    /// The JS package's defaults: backoff 1 s doubling to 30 s with full jitter, no
    /// heartbeat, a queue of 1000 that refuses when full.
    fn default() -> Self {
        Config::builder().build().expect("the defaults are valid")
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("policy", &self.policy)
            .field("ping", &self.ping)
            .field("pong", &self.pong)
            .field("server_ping", &self.server_ping)
            .field("protocols", &self.protocols)
            .field("should_reconnect", &self.should_reconnect.is_some())
            .finish()
    }
}

/// Builds a [`Config`]. Every setter mirrors a JS option (named in its doc); [`build`]
/// checks them all as the JS package does and names the first one out of bounds.
///
/// [`build`]: ConfigBuilder::build
///
/// ```
/// use lifeline_ws::{Config, core::Jitter};
/// use std::time::Duration;
///
/// let config = Config::builder()
///     .initial_delay(Duration::from_millis(250))
///     .max_delay(Duration::from_secs(10))
///     .jitter(Jitter::Equal)
///     .max_retries(20)
///     .queue_max_messages(100)
///     .build()?;
/// assert_eq!(config.policy().backoff.max_retries, 20.0);
/// # Ok::<(), lifeline_ws::core::ConfigError>(())
/// ```
#[must_use = "a builder does nothing until build()"]
pub struct ConfigBuilder {
    pub(super) config: Config,
    pub(super) heartbeat: Option<Heartbeat>,
    pub(super) ping_given: bool,
}

fn millis(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

impl ConfigBuilder {
    fn heartbeat_mut(&mut self) -> &mut Heartbeat {
        self.heartbeat.get_or_insert_with(Heartbeat::default)
    }

    /// The first reconnect delay's ceiling (`backoff.initialDelay`, default 1 s).
    ///
    /// ```
    /// # use lifeline_ws::Config; use std::time::Duration;
    /// let c = Config::builder().initial_delay(Duration::from_millis(100)).build().unwrap();
    /// assert_eq!(c.policy().backoff.initial_delay, 100.0);
    /// ```
    pub fn initial_delay(mut self, delay: Duration) -> Self {
        self.config.policy.backoff.initial_delay = millis(delay);
        self
    }

    /// The largest delay's ceiling (`backoff.maxDelay`, default 30 s).
    ///
    /// ```
    /// # use lifeline_ws::Config; use std::time::Duration;
    /// let c = Config::builder().max_delay(Duration::from_secs(5)).build().unwrap();
    /// assert_eq!(c.policy().backoff.max_delay, 5000.0);
    /// ```
    pub fn max_delay(mut self, delay: Duration) -> Self {
        self.config.policy.backoff.max_delay = millis(delay);
        self
    }

    /// Growth of the ceiling per attempt (`backoff.factor`, default 2, at least 1).
    ///
    /// ```
    /// # use lifeline_ws::Config;
    /// assert!(Config::builder().factor(0.5).build().is_err());
    /// ```
    pub fn factor(mut self, factor: f64) -> Self {
        self.config.policy.backoff.factor = factor;
        self
    }

    /// How a delay is drawn below its ceiling (`backoff.jitter`, default full).
    ///
    /// ```
    /// # use lifeline_ws::{Config, core::Jitter};
    /// let c = Config::builder().jitter(Jitter::None).build().unwrap();
    /// assert_eq!(c.policy().backoff.jitter, Jitter::None);
    /// ```
    pub fn jitter(mut self, jitter: Jitter) -> Self {
        self.config.policy.backoff.jitter = jitter;
        self
    }

    /// Give up after this many failed attempts in a row (`backoff.maxRetries`, default:
    /// never).
    ///
    /// ```
    /// # use lifeline_ws::Config;
    /// let c = Config::builder().max_retries(5).build().unwrap();
    /// assert_eq!(c.policy().backoff.max_retries, 5.0);
    /// ```
    pub fn max_retries(mut self, retries: u32) -> Self {
        self.config.policy.backoff.max_retries = retries.into();
        self
    }

    /// How long a connection must stay up before the attempt counter starts over
    /// (`backoff.minUptime`, default 5 s).
    ///
    /// ```
    /// # use lifeline_ws::Config; use std::time::Duration;
    /// let c = Config::builder().min_uptime(Duration::ZERO).build().unwrap();
    /// assert_eq!(c.policy().backoff.min_uptime, 0.0);
    /// ```
    pub fn min_uptime(mut self, uptime: Duration) -> Self {
        self.config.policy.backoff.min_uptime = millis(uptime);
        self
    }

    /// How long an opening handshake may take (`connectionTimeout`, default 10 s).
    ///
    /// ```
    /// # use lifeline_ws::Config; use std::time::Duration;
    /// let c = Config::builder().connection_timeout(Duration::from_secs(3)).build().unwrap();
    /// assert_eq!(c.policy().connection_timeout, 3000.0);
    /// ```
    pub fn connection_timeout(mut self, timeout: Duration) -> Self {
        self.config.policy.connection_timeout = millis(timeout);
        self
    }

    /// How long a closing handshake may take before the socket is abandoned as dead
    /// (`closeTimeout`, default 3 s): after `close()`, and after the server started it.
    /// `close()` on a dead network ends within it.
    ///
    /// ```
    /// # use lifeline_ws::Config; use std::time::Duration;
    /// let c = Config::builder().close_timeout(Duration::from_secs(1)).build().unwrap();
    /// assert_eq!(c.policy().close_timeout, 1000.0);
    /// ```
    pub fn close_timeout(mut self, timeout: Duration) -> Self {
        self.config.policy.close_timeout = millis(timeout);
        self
    }

    /// Turns heartbeats on: ping after `interval` of quiet, and drop the connection when
    /// the pong takes longer than `timeout` (`heartbeat: { interval, timeout }`; the JS
    /// defaults are 25 s and 10 s). A dead connection is noticed within
    /// `interval + timeout`.
    ///
    /// ```
    /// # use lifeline_ws::Config; use std::time::Duration;
    /// let c = Config::builder()
    ///     .heartbeat(Duration::from_secs(1), Duration::from_secs(1))
    ///     .build()
    ///     .unwrap();
    /// assert_eq!(c.policy().heartbeat.unwrap().interval, 1000.0);
    /// ```
    pub fn heartbeat(mut self, interval: Duration, timeout: Duration) -> Self {
        let heartbeat = self.heartbeat_mut();
        heartbeat.interval = millis(interval);
        heartbeat.timeout = millis(timeout);
        self
    }

    /// The heartbeat's ping (`heartbeat.ping`, default `"ping"`); turns heartbeats on.
    ///
    /// ```
    /// # use lifeline_ws::Config;
    /// let c = Config::builder().ping(r#"{"type":"ping"}"#).build().unwrap();
    /// assert!(c.policy().heartbeat.unwrap().client_ping);
    /// ```
    pub fn ping(mut self, ping: impl Into<Message>) -> Self {
        self.heartbeat_mut();
        self.config.ping = ping.into();
        self.ping_given = true;
        self
    }

    /// How the heartbeat's pong is recognised (`heartbeat.pong`, default `"pong"`); turns
    /// heartbeats on. Pongs are not delivered as messages.
    ///
    /// ```
    /// # use lifeline_ws::{Config, Matcher};
    /// let c = Config::builder()
    ///     .pong(Matcher::predicate(|m| m.as_text() == Some("PONG")))
    ///     .build()
    ///     .unwrap();
    /// assert!(c.policy().heartbeat.is_some());
    /// ```
    pub fn pong(mut self, pong: impl Into<Matcher>) -> Self {
        self.heartbeat_mut();
        self.config.pong = pong.into();
        self
    }

    /// Whether any message, not only the pong, proves the connection alive
    /// (`heartbeat.anyMessageIsPong`, default false); turns heartbeats on.
    ///
    /// ```
    /// # use lifeline_ws::Config;
    /// let c = Config::builder().any_message_is_pong(true).build().unwrap();
    /// assert!(c.policy().heartbeat.unwrap().any_message_is_pong);
    /// ```
    pub fn any_message_is_pong(mut self, yes: bool) -> Self {
        self.heartbeat_mut().any_message_is_pong = yes;
        self
    }

    /// The server pings: answer each message matching `ping` with `reply`, and treat
    /// silence longer than interval + timeout as death (`heartbeat.serverPing`). Unless
    /// [`ping`](Self::ping) is also given, the client sends no pings of its own.
    ///
    /// ```
    /// # use lifeline_ws::Config;
    /// let c = Config::builder().server_ping("ping", "pong").build().unwrap();
    /// let heartbeat = c.policy().heartbeat.unwrap();
    /// assert!(heartbeat.server_ping && !heartbeat.client_ping);
    /// ```
    pub fn server_ping(mut self, ping: impl Into<Matcher>, reply: impl Into<Message>) -> Self {
        self.heartbeat_mut();
        self.config.server_ping = Some((ping.into(), reply.into()));
        self
    }

    /// How many messages may wait while not open, 0 to 1,000,000 (`queue.maxMessages`,
    /// default 1000; 0 turns queueing off).
    ///
    /// ```
    /// # use lifeline_ws::Config;
    /// assert!(Config::builder().queue_max_messages(2_000_000).build().is_err());
    /// ```
    pub fn queue_max_messages(mut self, max: u32) -> Self {
        self.config.policy.queue.max_messages = max.into();
        self
    }

    /// What `send` does when the queue is full (`queue.overflow`, default: refuse).
    ///
    /// ```
    /// # use lifeline_ws::{Config, core::Overflow};
    /// let c = Config::builder().overflow(Overflow::DropOldest).build().unwrap();
    /// assert_eq!(c.policy().queue.overflow, Overflow::DropOldest);
    /// ```
    pub fn overflow(mut self, overflow: Overflow) -> Self {
        self.config.policy.queue.overflow = overflow;
        self
    }

    /// Probe an open socket, and attempt at once, when the page becomes visible or resumes
    /// (`lifecycle.probeOnVisible`, default true).
    ///
    /// ```
    /// # use lifeline_ws::Config;
    /// let c = Config::builder().probe_on_visible(false).build().unwrap();
    /// assert!(!c.policy().lifecycle.probe_on_visible);
    /// ```
    pub fn probe_on_visible(mut self, yes: bool) -> Self {
        self.config.policy.lifecycle.probe_on_visible = yes;
        self
    }

    /// Attempt at once when the network comes back (`lifecycle.reconnectOnOnline`, default
    /// true).
    ///
    /// ```
    /// # use lifeline_ws::Config;
    /// let c = Config::builder().reconnect_on_online(false).build().unwrap();
    /// assert!(!c.policy().lifecycle.reconnect_on_online);
    /// ```
    pub fn reconnect_on_online(mut self, yes: bool) -> Self {
        self.config.policy.lifecycle.reconnect_on_online = yes;
        self
    }

    /// Make no attempts while offline (`lifecycle.pauseWhenOffline`, default true).
    ///
    /// ```
    /// # use lifeline_ws::Config;
    /// let c = Config::builder().pause_when_offline(false).build().unwrap();
    /// assert!(!c.policy().lifecycle.pause_when_offline);
    /// ```
    pub fn pause_when_offline(mut self, yes: bool) -> Self {
        self.config.policy.lifecycle.pause_when_offline = yes;
        self
    }

    /// Close cleanly once the page has been hidden this long, and connect again when it is
    /// visible (`lifecycle.closeWhenHiddenAfter`, default off).
    ///
    /// ```
    /// # use lifeline_ws::Config; use std::time::Duration;
    /// let c = Config::builder().close_when_hidden_after(Duration::from_secs(60)).build().unwrap();
    /// assert_eq!(c.policy().lifecycle.close_when_hidden_after, Some(60000.0));
    /// ```
    pub fn close_when_hidden_after(mut self, after: Duration) -> Self {
        self.config.policy.lifecycle.close_when_hidden_after = Some(millis(after));
        self
    }

    /// Close on `pagehide` so the page can enter the back/forward cache, and connect again
    /// on `pageshow` (`lifecycle.closeOnPageHide`, default false).
    ///
    /// ```
    /// # use lifeline_ws::Config;
    /// let c = Config::builder().close_on_page_hide(true).build().unwrap();
    /// assert!(c.policy().lifecycle.close_on_page_hide);
    /// ```
    pub fn close_on_page_hide(mut self, yes: bool) -> Self {
        self.config.policy.lifecycle.close_on_page_hide = yes;
        self
    }

    /// Do not connect until `reconnect` (`startClosed`,
    /// default false).
    ///
    /// ```
    /// # use lifeline_ws::Config;
    /// assert!(Config::builder().start_closed(true).build().unwrap().policy().start_closed);
    /// ```
    pub fn start_closed(mut self, yes: bool) -> Self {
        self.config.policy.start_closed = yes;
        self
    }

    /// The subprotocols to ask the server for (`new WebSocket(url, protocols)`): distinct
    /// tokens (RFC 6455).
    ///
    /// ```
    /// # use lifeline_ws::Config;
    /// assert!(Config::builder().protocols(["a", "a"]).build().is_err());
    /// ```
    pub fn protocols<I, S>(mut self, protocols: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.config.protocols = protocols.into_iter().map(Into::into).collect();
        self
    }

    /// Decides, after each disconnection, whether to reconnect (`shouldReconnect`; default:
    /// always). Saying no closes the socket for good.
    ///
    /// ```
    /// # use lifeline_ws::Config;
    /// let c = Config::builder().should_reconnect(|d| d.code != 4001).build().unwrap();
    /// assert!(c.policy().should_reconnect);
    /// ```
    pub fn should_reconnect(mut self, decide: impl Fn(&Disconnect) -> bool + 'static) -> Self {
        self.config.should_reconnect = Some(Rc::new(decide));
        self
    }

    /// The `WebSocket` constructor to use where the platform has none (`WebSocket`; in
    /// Node 20, the `ws` package's). Defaults to `globalThis.WebSocket`.
    ///
    /// ```no_run
    /// # use lifeline_ws::Config;
    /// # use wasm_bindgen::prelude::*;
    /// #[wasm_bindgen(module = "ws")]
    /// extern "C" {
    ///     #[wasm_bindgen(js_name = WebSocket, thread_local_v2)]
    ///     static WS: js_sys::Function;
    /// }
    /// let config = Config::builder().websocket(WS.with(Clone::clone)).build().unwrap();
    /// ```
    #[cfg(target_arch = "wasm32")]
    pub fn websocket(mut self, constructor: js_sys::Function) -> Self {
        self.config.websocket = Some(constructor);
        self
    }

    /// Checks every option as the JS package does; the error names the first one out of
    /// bounds (as the JS options spell it), its value and what was expected.
    ///
    /// ```
    /// # use lifeline_ws::Config; use std::time::Duration;
    /// let error = Config::builder()
    ///     .heartbeat(Duration::from_secs(1), Duration::ZERO)
    ///     .build()
    ///     .unwrap_err();
    /// assert_eq!(error.field(), "heartbeat.timeout");
    /// ```
    pub fn build(self) -> Result<Config, ConfigError> {
        let ConfigBuilder {
            mut config,
            heartbeat,
            ping_given,
        } = self;
        let server_ping = config.server_ping.is_some();
        config.ping_given = ping_given;
        config.policy.heartbeat = heartbeat.map(|h| h.with_sources(server_ping, ping_given));
        config.policy.should_reconnect = config.should_reconnect.is_some();
        check_protocols(&config.protocols)?;
        config.policy.validate()?;
        Ok(config)
    }
}

/// RFC 6455's subprotocol rule: distinct, non-empty tokens (visible ASCII, no separators).
fn check_protocols(protocols: &[String]) -> Result<(), ConfigError> {
    const SEPARATORS: &str = "()<>@,;:\\\"/[]?={}";
    for (i, protocol) in protocols.iter().enumerate() {
        let token = !protocol.is_empty()
            && protocol
                .chars()
                .all(|c| c.is_ascii_graphic() && !SEPARATORS.contains(c));
        if !token || protocols[..i].contains(protocol) {
            return Err(ConfigError::Protocol {
                value: protocol.clone(),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_the_js_defaults() {
        let config = Config::default();
        assert_eq!(config.policy, core::Config::default());
        assert_eq!(config.ping, Message::from("ping"));
        assert!(config.protocols.is_empty());
    }

    #[test]
    fn heartbeat_settings_turn_heartbeats_on_with_js_defaults() {
        let config = Config::builder().pong("PONG").build().unwrap();
        let heartbeat = config.policy.heartbeat.unwrap();
        assert_eq!(heartbeat, Heartbeat::default());
        let config = Config::builder()
            .server_ping("hi", "hello")
            .ping("p")
            .build()
            .unwrap();
        let heartbeat = config.policy.heartbeat.unwrap();
        assert!(heartbeat.server_ping && heartbeat.client_ping);
    }

    #[test]
    fn errors_name_field_value_and_expectation() {
        let error = Config::builder()
            .initial_delay(Duration::from_secs(2))
            .max_delay(Duration::from_secs(1))
            .build()
            .unwrap_err();
        assert_eq!(error.field(), "backoff.maxDelay");
        assert_eq!(
            error.to_string(),
            "backoff.maxDelay must be a number >= backoff.initialDelay, got 1000"
        );
        let error = Config::builder()
            .connection_timeout(Duration::from_secs(30 * 24 * 3600))
            .build()
            .unwrap_err();
        assert_eq!(error.field(), "connectionTimeout");
        let error = Config::builder()
            .protocols(["chat", "bad token"])
            .build()
            .unwrap_err();
        assert_eq!(
            error.to_string(),
            "protocols must be distinct tokens (visible ASCII without spaces or separators), \
             got \"bad token\""
        );
    }

    #[test]
    fn into_builder_then_build_gives_the_same_config() {
        let configs = [
            Config::default(),
            Config::builder()
                .server_ping("hi", "hello")
                .build()
                .unwrap(),
            Config::builder()
                .server_ping("hi", "hello")
                .ping("p")
                .build()
                .unwrap(),
            Config::builder()
                .heartbeat(Duration::from_secs(1), Duration::from_secs(2))
                .any_message_is_pong(true)
                .protocols(["a", "b"])
                .should_reconnect(|_| false)
                .close_when_hidden_after(Duration::ZERO)
                .build()
                .unwrap(),
        ];
        for config in configs {
            let again = config.clone().into_builder().build().unwrap();
            assert_eq!(again.policy, config.policy);
            assert_eq!(again.ping, config.ping);
            assert_eq!(again.protocols, config.protocols);
            assert_eq!(format!("{again:?}"), format!("{config:?}"));
        }
    }

    #[test]
    fn a_server_ping_added_later_keeps_client_pings_only_when_the_ping_was_given() {
        let beat = |b: ConfigBuilder| b.heartbeat(Duration::from_secs(1), Duration::from_secs(2));
        let sources = |config: Config| {
            let h = config.policy.heartbeat.unwrap();
            (h.client_ping, h.server_ping)
        };
        let edit = |config: Config| {
            config
                .into_builder()
                .server_ping("hi", "hello")
                .build()
                .unwrap()
        };
        // As the options would give it: client pings only with `ping` named.
        let without = beat(Config::builder()).build().unwrap();
        assert_eq!(sources(without.clone()), (true, false));
        assert_eq!(sources(edit(without)), (false, true));
        let with = beat(Config::builder()).ping("p").build().unwrap();
        assert_eq!(sources(edit(with)), (true, true));
        let fresh = beat(Config::builder())
            .server_ping("hi", "hello")
            .build()
            .unwrap();
        assert_eq!(sources(fresh), (false, true));
    }

    #[test]
    fn sub_millisecond_durations_are_kept() {
        let config = Config::builder()
            .initial_delay(Duration::from_micros(1500))
            .build()
            .unwrap();
        assert_eq!(config.policy.backoff.initial_delay, 1.5);
    }
}
