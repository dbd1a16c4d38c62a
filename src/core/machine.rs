//! The connection as a value with no I/O.
//!
//! In the quinn-proto manner, the methods of [`Machine`] come in four kinds:
//! - getters, taking `&self`: [`Machine::state`], [`Machine::stats`];
//! - [`Machine::handle`]: everything that happens — platform events, the timer, the user's
//!   calls — each with the time it happened;
//! - [`Machine::set_reconnect_listener`]: a setting the driver keeps current;
//! - `poll_*` / `next_*`: what the machine wants done: [`Machine::poll_command`], drained in a
//!   loop after every input, and [`Machine::next_deadline`], the one timer to arm.
//!
//! The machine owns the connection's phase ([`Conn`]) and the series of attempts; the rest is
//! in values of their own: an open connection's [`Liveness`], the [`Page`] and the network,
//! the send queue, and the named deadlines ([`Timers`]). Its transitions are grouped by what
//! drives them: the socket's inputs here, the timer in `deadline`, the user's calls in
//! `calls`, the page and the network in `lifecycle`, and what follows the end of a connection
//! in `retry`.

mod calls;
mod deadline;
mod lifecycle;
mod retry;

use alloc::string::String;

use super::backoff::Rng;
use super::close::{DropReason, Reason, CODE_NORMAL};
use super::config::{Config, ConfigError};
use super::fifo::Fifo;
use super::liveness::{Beat, Liveness};
use super::num;
use super::page::{Page, Park};
use super::queue::SendQueue;
use super::refusal::{check_close, InputError};
use super::timer::{Timer, Timers};
use super::types::{Command, Event, Generation, Input, Millis, Outgoing, State, Stats};

/// The connection's phase: which socket, if any, and what it waits for.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Conn {
    /// No socket and nothing scheduled: closed for good, or not started.
    Idle,
    /// A socket was asked for; the handshake must finish by `deadline`.
    Connecting {
        generation: Generation,
        deadline: Millis,
    },
    /// A socket is open; with heartbeats, its `liveness` says whether it still lives.
    Open {
        generation: Generation,
        opened_at: Millis,
        liveness: Option<Liveness>,
    },
    /// No socket; attempt number `attempt` is to be made at `retry_at` (`None`: not
    /// scheduled, waiting for the network or the page).
    Waiting {
        attempt: u32,
        retry_at: Option<Millis>,
    },
    /// A connection ended; waiting for the user's `shouldReconnect` answer. Its close
    /// reason waits in [`Machine::ended_reason`].
    Deciding { code: u16, was_clean: bool },
    /// The user closed; the closing handshake must finish by `deadline`.
    Closing {
        generation: Generation,
        deadline: Millis,
    },
    /// The server started the closing handshake of the socket opened at `opened_at`; its
    /// `close` event is awaited until `deadline`.
    Draining {
        generation: Generation,
        opened_at: Millis,
        deadline: Millis,
    },
}

/// Timing options in whole milliseconds, converted once from the validated [`Config`].
#[derive(Clone, Copy, Debug)]
struct Timing {
    connection_timeout: Millis,
    close_timeout: Millis,
    min_uptime: Millis,
    max_retries: Option<u32>,
    /// The heartbeat, if any: each open connection's [`Liveness`] runs by it.
    heartbeat: Option<Beat>,
}

/// One connection that stays alive, as a deterministic state machine.
///
/// `P` is the payload of a user message: the wasm driver queues `JsValue`s without copying
/// them, tests use `String`s. `R` is a close reason (see [`Reason`]): a `String` by default,
/// a number standing for a text the JS keeps in the npm package. The machine never reads a
/// clock or a random source: time comes with every input, jitter from a generator seeded by
/// the caller.
///
/// ```
/// use lifeline_ws::core::{Command, Config, Event, Input, Machine, State};
///
/// let mut m: Machine<&str> = Machine::new(Config::default(), 1).unwrap();
/// m.handle(Input::Send("queued before open"), 0).unwrap();
/// m.handle(Input::Start, 0).unwrap();
/// let Some(Command::Open { generation }) = m.poll_command() else { unreachable!() };
/// assert_eq!(m.next_deadline(), Some(10_000)); // connectionTimeout
/// # while m.poll_command().is_some() {}
/// m.handle(Input::Opened { generation }, 25).unwrap();
/// assert_eq!(m.state(), State::Open);
/// let commands: Vec<_> = std::iter::from_fn(|| m.poll_command()).collect();
/// assert!(commands.iter().any(|c| matches!(c, Command::Send { .. })));
/// assert!(commands.contains(&Command::Emit(Event::Open)));
/// ```
#[derive(Debug)]
pub struct Machine<P, R = String> {
    config: Config,
    timing: Timing,
    rng: Rng,
    queue: SendQueue<P>,
    commands: Fifo<Command<P, R>>,
    conn: Conn,
    page: Page,
    state: State,
    /// The generation of the last socket asked for.
    generation: u32,
    /// The attempt number of the current series (0: the first connection).
    attempt: u32,
    reconnects: u32,
    last_rtt: Option<Millis>,
    started: bool,
    /// Closed for good (by the user, `shouldReconnect` or `giveup`) until `reconnect()`.
    ended: bool,
    /// The user called `close()` (until `reconnect()`): a late send is refused.
    closed_by_user: bool,
    ever_opened: bool,
    /// When the last connection ended (for `downtime`).
    down_since: Option<Millis>,
    /// The close reason of the connection that ended, while [`Conn::Deciding`] (kept apart,
    /// so that the phase is a plain value).
    ended_reason: R,
}

impl<P, R: Reason> Machine<P, R> {
    /// A machine for `config`, its jitter drawn from a generator seeded with `seed`.
    /// It does nothing until [`Input::Start`].
    ///
    /// ```
    /// use lifeline_ws::core::{Config, Machine};
    ///
    /// let mut config = Config::default();
    /// config.connection_timeout = 0.0;
    /// assert_eq!(Machine::<String>::new(config, 1).unwrap_err().field(), "connectionTimeout");
    /// let mut m: Machine<String> = Machine::new(Config::default(), 1).unwrap();
    /// assert_eq!((m.poll_command(), m.next_deadline()), (None, None)); // idle until Start
    /// ```
    pub fn new(config: Config, seed: u64) -> Result<Self, ConfigError> {
        config.validate()?;
        Ok(Machine::with_valid(config, seed))
    }

    /// [`Machine::new`] for a config [`Config::validate`] has accepted already: the Rust
    /// API's `Config` holds nothing else, so a socket's options are checked once, when they
    /// are built. Given a refused config it still makes a machine, without failing (every
    /// conversion saturates), though not one to run: the npm `Core` answers its config
    /// error from one, and is freed unused.
    pub(crate) fn with_valid(config: Config, seed: u64) -> Self {
        let max_retries = config.backoff.max_retries;
        let timing = Timing {
            connection_timeout: num::millis(config.connection_timeout),
            close_timeout: num::millis(config.close_timeout),
            min_uptime: num::millis(config.backoff.min_uptime),
            max_retries: max_retries.is_finite().then_some(max_retries as u32),
            heartbeat: config.heartbeat.as_ref().map(Beat::new),
        };
        Machine {
            queue: SendQueue::new(config.queue.max_messages as usize, config.queue.overflow),
            page: Page::new(&config.lifecycle),
            config,
            timing,
            rng: Rng::new(seed),
            commands: Fifo::new(),
            conn: Conn::Idle,
            state: State::Closed,
            generation: 0,
            attempt: 0,
            reconnects: 0,
            last_rtt: None,
            started: false,
            ended: false,
            closed_by_user: false,
            ever_opened: false,
            down_since: None,
            ended_reason: R::default(),
        }
    }

    // ----- getters -----

    /// The close reason the machine holds outside its commands: that of the connection
    /// that ended, while it waits for the user's `shouldReconnect` (none otherwise). With
    /// the commands not yet polled, these are all the reasons it holds (the npm driver keeps
    /// the texts of those alone).
    #[cfg(feature = "npm")]
    pub(crate) fn held_reason(&self) -> Option<&R> {
        matches!(self.conn, Conn::Deciding { .. }).then_some(&self.ended_reason)
    }

    /// Where the connection stands.
    ///
    /// ```
    /// use lifeline_ws::core::{Config, Input, Machine, State};
    ///
    /// let mut m: Machine<String> = Machine::new(Config::default(), 1).unwrap();
    /// m.handle(Input::Start, 0).unwrap();
    /// assert_eq!(m.state(), State::Connecting);
    /// m.handle(Input::Close { code: None, reason: String::new() }, 5).unwrap();
    /// assert_eq!(m.state(), State::Closed);
    /// ```
    pub fn state(&self) -> State {
        self.state
    }

    /// Counters for the user.
    ///
    /// ```
    /// use lifeline_ws::core::{Command, Config, Input, Machine};
    ///
    /// let mut m: Machine<String> = Machine::new(Config::default(), 1).unwrap();
    /// m.handle(Input::Start, 0).unwrap();
    /// let Some(Command::Open { generation }) = m.poll_command() else { unreachable!() };
    /// m.handle(Input::Opened { generation }, 0).unwrap();
    /// m.handle(Input::Closed { generation, code: 1001, reason: String::new(), was_clean: true }, 100).unwrap();
    /// m.handle(Input::Deadline { last_message_at: None }, m.next_deadline().unwrap()).unwrap();
    /// let generation = m.live_generation().unwrap();
    /// m.handle(Input::Opened { generation }, 40_000).unwrap();
    /// let stats = m.stats();
    /// assert_eq!((stats.attempts, stats.reconnects, stats.connected_since), (1, 1, Some(40_000)));
    /// ```
    pub fn stats(&self) -> Stats {
        Stats {
            attempts: self.attempt,
            reconnects: self.reconnects,
            last_rtt: self.last_rtt,
            connected_since: match self.conn {
                Conn::Open { opened_at, .. } => Some(opened_at),
                _ => None,
            },
            queued: self.queue.len(),
        }
    }

    /// The config the machine runs with.
    ///
    /// ```
    /// use lifeline_ws::core::{Config, Machine};
    ///
    /// let mut m: Machine<String> = Machine::new(Config::default(), 1).unwrap();
    /// assert_eq!(m.config(), &Config::default());
    /// m.set_reconnect_listener(true);
    /// assert!(m.config().reconnect_listener);
    /// ```
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Whether the client is closed for good (by `close()`, `shouldReconnect` or
    /// `giveup`) until `reconnect()`; a client not started yet is not.
    ///
    /// ```
    /// use lifeline_ws::core::{Config, Input, Machine};
    ///
    /// let mut m: Machine<String> = Machine::new(Config::default(), 1).unwrap();
    /// assert!(!m.is_closed_for_good()); // not started
    /// m.handle(Input::Close { code: None, reason: String::new() }, 0).unwrap();
    /// assert!(m.is_closed_for_good());
    /// m.handle(Input::Reconnect { code: None, reason: String::new() }, 10).unwrap();
    /// assert!(!m.is_closed_for_good());
    /// ```
    pub fn is_closed_for_good(&self) -> bool {
        self.ended
    }

    /// The generation of the socket the machine currently uses, if any: the driver drops
    /// every platform event of any other.
    ///
    /// ```
    /// use lifeline_ws::core::{Config, Generation, Input, Machine, State};
    ///
    /// let mut m: Machine<String> = Machine::new(Config::default(), 1).unwrap();
    /// assert_eq!(m.live_generation(), None);
    /// m.handle(Input::Start, 0).unwrap();
    /// m.handle(Input::Reconnect { code: None, reason: String::new() }, 5).unwrap();
    /// assert_eq!(m.live_generation(), Some(Generation(2)));
    /// // The first socket was abandoned: its events change nothing.
    /// m.handle(Input::Opened { generation: Generation(1) }, 10).unwrap();
    /// assert_eq!(m.state(), State::Connecting);
    /// ```
    pub fn live_generation(&self) -> Option<Generation> {
        match self.conn {
            Conn::Connecting { generation, .. }
            | Conn::Open { generation, .. }
            | Conn::Draining { generation, .. }
            | Conn::Closing { generation, .. } => Some(generation),
            _ => None,
        }
    }

    // ----- settings -----

    /// Tells the machine whether a `reconnect` listener exists now. Without one,
    /// re-connections emit [`Event::Open`] instead of [`Event::Reconnect`].
    ///
    /// ```
    /// # use lifeline_ws::core::{Command, Config, Event, Input, Machine};
    /// # let mut m: Machine<String> = Machine::new(Config::default(), 1).unwrap();
    /// # m.handle(Input::Start, 0).unwrap();
    /// # let Some(Command::Open { generation }) = m.poll_command() else { unreachable!() };
    /// # m.handle(Input::Opened { generation }, 0).unwrap();
    /// // An open connection drops; its retry opens with a `reconnect` listener present.
    /// m.set_reconnect_listener(true);
    /// m.handle(Input::Closed { generation, code: 1001, reason: String::new(), was_clean: true }, 100).unwrap();
    /// m.handle(Input::Deadline { last_message_at: None }, m.next_deadline().unwrap()).unwrap();
    /// let generation = m.live_generation().unwrap();
    /// # while m.poll_command().is_some() {}
    /// m.handle(Input::Opened { generation }, 40_000).unwrap();
    /// let commands: Vec<_> = std::iter::from_fn(|| m.poll_command()).collect();
    /// assert!(commands.iter().any(|c| matches!(c, Command::Emit(Event::Reconnect { attempt: 1, .. }))));
    /// assert!(!commands.contains(&Command::Emit(Event::Open)));
    /// ```
    pub fn set_reconnect_listener(&mut self, present: bool) {
        self.config.reconnect_listener = present;
    }

    // ----- poll -----

    /// The next thing to do, in order; call until `None` after every input.
    ///
    /// ```
    /// use lifeline_ws::core::{Command, Config, Event, Generation, Input, Machine, State};
    ///
    /// let mut m: Machine<String> = Machine::new(Config::default(), 1).unwrap();
    /// m.handle(Input::Start, 0).unwrap();
    /// let commands: Vec<_> = std::iter::from_fn(|| m.poll_command()).collect();
    /// assert_eq!(commands, [
    ///     Command::Open { generation: Generation(1) },
    ///     Command::Emit(Event::StateChange(State::Connecting)),
    /// ]);
    #[must_use = "every command is to be carried out, in order, until there is none"]
    pub fn poll_command(&mut self) -> Option<Command<P, R>> {
        self.commands.pop()
    }

    /// When to feed [`Input::Deadline`], if anything is scheduled. The driver keeps exactly
    /// one timer for it; nothing is scheduled while idle without heartbeats.
    ///
    /// ```
    /// use lifeline_ws::core::{Command, Config, Input, Machine};
    ///
    /// let mut m: Machine<String> = Machine::new(Config::default(), 1).unwrap();
    /// m.handle(Input::Start, 100).unwrap();
    /// assert_eq!(m.next_deadline(), Some(10_100)); // the handshake's timeout
    /// let Some(Command::Open { generation }) = m.poll_command() else { unreachable!() };
    /// m.handle(Input::Opened { generation }, 150).unwrap();
    /// assert_eq!(m.next_deadline(), None); // open, no heartbeats: no timer
    /// ```
    #[must_use = "the driver's one timer is to be set at this deadline (cleared when None)"]
    pub fn next_deadline(&self) -> Option<Millis> {
        self.timers().next()
    }

    /// Every deadline set now, by name: the connection's phase, its liveness, the page.
    fn timers(&self) -> Timers {
        let mut timers = Timers::default();
        match &self.conn {
            Conn::Idle | Conn::Deciding { .. } => {}
            Conn::Connecting { deadline, .. } => timers.set(Timer::Handshake, *deadline),
            Conn::Closing { deadline, .. } | Conn::Draining { deadline, .. } => {
                timers.set(Timer::Closing, *deadline)
            }
            Conn::Open { liveness, .. } => {
                if let Some(liveness) = liveness {
                    liveness.timers(&mut timers);
                }
            }
            Conn::Waiting { retry_at, .. } => {
                if let Some(at) = retry_at.filter(|_| !self.page.paused()) {
                    timers.set(Timer::Retry, at);
                }
            }
        }
        let live = matches!(
            self.conn,
            Conn::Connecting { .. } | Conn::Open { .. } | Conn::Waiting { .. }
        );
        self.page.timers(live, &mut timers);
        timers
    }

    // ----- handle -----

    /// Feeds one input that happened at `now`. Only user calls can fail (see
    /// [`InputError`]); a refused call changes nothing and hands back what it was given.
    ///
    /// ```
    /// use lifeline_ws::core::{Config, Input, InputError, Machine, State};
    ///
    /// let mut m: Machine<String> = Machine::new(Config::default(), 1).unwrap();
    /// m.handle(Input::Start, 0).unwrap();
    /// let refused = m.handle(Input::Close { code: Some(1001), reason: String::new() }, 5);
    /// assert_eq!(refused, Err(InputError::InvalidCloseCode(1001)));
    /// assert_eq!(m.state(), State::Connecting); // nothing changed
    /// ```
    pub fn handle(&mut self, input: Input<P, R>, now: Millis) -> Result<(), InputError<P>> {
        let lifecycle = self.config.lifecycle;
        match input {
            Input::Start => self.start(now),
            Input::Opened { generation } => self.on_opened(generation, now),
            Input::Pong { generation } => self.on_pong(generation, now),
            Input::ServerPing { generation } => self.on_server_ping(generation, now),
            Input::Error { generation, cause } => {
                if self.live_generation() == Some(generation) {
                    self.emit(Event::Error { cause });
                }
            }
            Input::Closed {
                generation,
                code,
                reason,
                was_clean,
            } => self.on_closed(generation, code, reason, was_clean, now),
            Input::Closing { generation } => self.on_peer_closing(generation, now),
            Input::Deadline { last_message_at } => self.on_deadline(last_message_at, now),
            Input::Send(message) => return self.send(message),
            Input::Keep(message) => return self.keep(message),
            Input::Close { code, reason } => {
                check_close(code, reason.utf8_len())?;
                self.close(code, reason, now);
            }
            Input::Reconnect { code, reason } => {
                check_close(code, reason.utf8_len())?;
                self.reconnect(code, reason, now);
            }
            Input::Visibility { visible: false } => self.page.hide(now),
            Input::Visibility { visible: true } => {
                self.page.show();
                self.page_back(lifecycle.probe_on_visible, now);
            }
            Input::Online => {
                self.page.set_online(true);
                self.network_back(now);
            }
            Input::Offline => {
                self.page.set_online(false);
                // The network changed under an open socket: find out now whether it survived.
                self.probe(now);
            }
            Input::PageShow { persisted } => {
                self.page_back(persisted && lifecycle.probe_on_visible, now)
            }
            Input::PageHide { .. } => {
                if lifecycle.close_on_page_hide {
                    self.park(Park::PageHide, now);
                }
            }
            Input::Resume => self.page_back(lifecycle.probe_on_visible, now),
            Input::ShouldReconnect(answer) => self.on_decision(answer, now),
        }
        Ok(())
    }

    // ----- the socket's inputs -----

    fn start(&mut self, now: Millis) {
        if self.started {
            return;
        }
        self.started = true;
        if self.config.start_closed {
            return;
        }
        if self.page.paused() {
            self.conn = Conn::Waiting {
                attempt: 0,
                retry_at: None,
            };
            self.set_state(State::Waiting);
        } else {
            self.open_socket(now);
        }
    }

    fn on_opened(&mut self, generation: Generation, now: Millis) {
        if !matches!(self.conn, Conn::Connecting { generation: g, .. } if g == generation) {
            return;
        }
        self.page.forget_check();
        self.conn = Conn::Open {
            generation,
            opened_at: now,
            liveness: self.timing.heartbeat.map(|beat| Liveness::new(beat, now)),
        };
        // Queued messages go first, before any event of the new connection (`statechange`
        // included), so that whatever the user sends from a listener comes after them.
        while let Some(message) = self.queue.pop() {
            self.commands.push(Command::Send {
                generation,
                message: Outgoing::Message(message),
            });
        }
        self.set_state(State::Open);
        if !self.ever_opened {
            self.ever_opened = true;
            self.emit(Event::Open);
            return;
        }
        self.reconnects += 1;
        if self.config.reconnect_listener {
            let downtime = now.saturating_sub(self.down_since.unwrap_or(now));
            self.emit(Event::Reconnect {
                attempt: self.attempt,
                downtime,
            });
        } else {
            self.emit(Event::Open);
        }
    }

    /// The liveness of the open socket of `generation`, if it is the live one.
    fn liveness(&mut self, generation: Generation) -> Option<&mut Liveness> {
        match &mut self.conn {
            Conn::Open {
                generation: g,
                liveness: Some(liveness),
                ..
            } if *g == generation => Some(liveness),
            _ => None,
        }
    }

    fn on_pong(&mut self, generation: Generation, now: Millis) {
        if let Some(rtt) = self.liveness(generation).and_then(|l| l.pong(now)) {
            self.last_rtt = Some(rtt);
            self.emit(Event::Heartbeat { rtt });
        }
    }

    fn on_server_ping(&mut self, generation: Generation, now: Millis) {
        if self
            .liveness(generation)
            .is_some_and(|l| l.server_ping(now))
        {
            self.commands.push(Command::Send {
                generation,
                message: Outgoing::PingReply,
            });
        }
    }

    fn on_closed(
        &mut self,
        generation: Generation,
        code: u16,
        reason: R,
        was_clean: bool,
        now: Millis,
    ) {
        if self.live_generation() != Some(generation) {
            return;
        }
        match self.conn {
            Conn::Connecting { .. } => self.attempt_failed(now),
            Conn::Open { opened_at, .. } | Conn::Draining { opened_at, .. } => {
                self.disconnected(opened_at, code, reason, was_clean, now)
            }
            Conn::Closing { .. } => self.closed_for_good(code, reason, was_clean, now),
            _ => {}
        }
    }

    fn on_peer_closing(&mut self, generation: Generation, now: Millis) {
        if let Conn::Open {
            generation: g,
            opened_at,
            ..
        } = self.conn
        {
            if g == generation {
                self.conn = Conn::Draining {
                    generation,
                    opened_at,
                    deadline: now + self.timing.close_timeout,
                };
                self.set_state(State::Closing);
            }
        }
    }

    // ----- what every transition does -----

    fn send_ping(&mut self, generation: Generation) {
        self.commands.push(Command::Send {
            generation,
            message: Outgoing::Ping,
        });
    }

    fn wait(&mut self, attempt: u32, retry_at: Option<Millis>) {
        self.conn = Conn::Waiting { attempt, retry_at };
        self.set_state(State::Waiting);
    }

    /// Makes attempt number `attempt` now.
    fn attempt_now(&mut self, attempt: u32, now: Millis) {
        self.attempt = attempt;
        self.open_socket(now);
    }

    fn open_socket(&mut self, now: Millis) {
        self.generation = self.generation.wrapping_add(1);
        let generation = Generation(self.generation);
        self.commands.push(Command::Open { generation });
        self.conn = Conn::Connecting {
            generation,
            deadline: now + self.timing.connection_timeout,
        };
        self.set_state(State::Connecting);
    }

    /// Lets go of a socket of our own accord, with the words saying why: closed with
    /// [`CODE_NORMAL`] and unawaited; nothing at all is waited for when `why` is a timeout.
    fn abandon(&mut self, generation: Generation, why: DropReason) {
        self.commands.push(Command::Abandon {
            generation,
            code: CODE_NORMAL,
            reason: R::from_drop(why),
            dead: why.is_dead(),
        });
    }

    fn set_state(&mut self, state: State) {
        if self.state != state {
            self.state = state;
            self.emit(Event::StateChange(state));
        }
    }

    fn emit(&mut self, event: Event<P, R>) {
        self.commands.push(Command::Emit(event));
    }
}
