//! Property tests of the core's invariants (docs/design.md): long random
//! sequences of clock jumps, timer firings, socket outcomes, inputs of stale generations,
//! user calls, page lifecycle inputs and `shouldReconnect` answers, thrown at machines with
//! random valid configs.
//!
//! One driver ([`Driver`]) carries out a generated [`Case`] and keeps a model of what the
//! user and the platform have seen so far; every input it feeds is checked against that
//! model. Each `proptest!` below asserts one invariant (the model of the others is still
//! kept, but their checks are off), so that shrinking keeps to the invariant that failed.

// proptest is a native-only dev-dependency.
#![cfg(not(target_arch = "wasm32"))]

mod sim;

use std::collections::{BTreeSet, VecDeque};

use lifeline_ws::core::{
    Backoff, Command, Config, ErrorCause, Event, Generation, Heartbeat, Input, InputError, Jitter,
    Lifecycle, Machine, Millis, Outgoing, Overflow, Queue, State, Stats, LATE_AFTER, MAX_DELAY_MS,
    RECHECK_WINDOW,
};
use proptest::prelude::*;
use proptest::test_runner::Config as ProptestConfig;
use sim::Sim;

/// The machine bugs A-D these properties found (see the `bug_*` tests at the end of this
/// file for minimal reproductions; all four are fixed now). While `true`, the checks step
/// around exactly those behaviours (bug D's tolerance also covers D'), so that the
/// properties keep guarding everything else when a bug is open.
const TOLERATE_KNOWN_BUGS: bool = false;

// ---------------------------------------------------------------------------------------
// What a case is made of
// ---------------------------------------------------------------------------------------

/// One step of a case. Steps that do not apply (accepting a socket when none is connecting,
/// say) do nothing.
#[derive(Clone, Debug)]
enum Action {
    /// The clock moves 0–50 ms and the timer does not fire: inputs may arrive a little
    /// after a deadline and before its timer callback.
    Jump(Millis),
    /// The clock moves up to 40 s and the timer fires at every deadline on the way, on time
    /// (`Sim::run_for`, one input at a time).
    RunFor(Millis),
    /// The device sleeps (1 s to 10 min): the clock moves and the timer fires once, late.
    Sleep(Millis),
    /// The timer fires exactly when due (nothing if no deadline is set).
    FireTimer,
    /// The connecting socket opens.
    Accept,
    /// The connecting socket fails: an error (of the socket, or of the URL), then close 1006.
    Refuse {
        url: bool,
    },
    /// The server closes the open socket (or completes the closing handshake) with a code.
    ServerClose(u16),
    /// The server starts the closing handshake of the open socket: it is CLOSING, its
    /// `close` event comes later (`ServerClose`) or never.
    ServerStartsClose,
    /// The open socket errors, then closes with 1006.
    ErrorClose,
    /// A pong arrives on the open socket.
    Pong,
    /// The server's own ping arrives on the open socket.
    ServerPing,
    /// A data message arrives on the open socket (the driver's `lastMessageAt`).
    Message,
    /// An input about a socket that is not the live one; `pick` chooses among them.
    Stale {
        kind: StaleKind,
        pick: usize,
    },
    /// The user sends the next numbered message.
    Send,
    /// The user calls `close(code)`.
    Close(Option<u16>),
    /// The user calls `reconnect(code)`.
    Reconnect(Option<u16>),
    /// The user calls `close(code)` with a code the platform refuses.
    BadClose(u16),
    Visibility(bool),
    Online,
    Offline,
    PageShow(bool),
    PageHide(bool),
    Resume,
    /// An answer to `shouldReconnect` (stray unless a question is pending and answers are
    /// not prompt).
    Answer(bool),
    /// `Input::Start` again: must do nothing.
    Start,
}

#[derive(Clone, Copy, Debug)]
enum StaleKind {
    Opened,
    Closed,
    Pong,
    ServerPing,
    Error,
}

#[derive(Clone)]
struct Case {
    config: Config,
    seed: u64,
    /// Answer each `AskShouldReconnect` at once (as a synchronous `shouldReconnect` does);
    /// otherwise only an `Answer` step answers, and user calls can happen in between.
    prompt: bool,
    /// The answers given, in turn (cycled).
    answers: Vec<bool>,
    actions: Vec<Action>,
}

/// A case prints as the Rust expression that builds it: a counterexample (proptest's
/// "minimal failing input", as `scripts/hunt.sh` shows it) pastes into a regression test as
/// it is, `Driver::run(&case, Inv::...)`.
impl std::fmt::Debug for Case {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Written out field by field: a new config field fails to compile here.
        let Config {
            backoff,
            connection_timeout,
            close_timeout,
            heartbeat,
            queue,
            lifecycle,
            should_reconnect,
            reconnect_listener,
            start_closed,
        } = self.config;
        let Backoff {
            initial_delay,
            max_delay,
            factor,
            jitter,
            max_retries,
            min_uptime,
        } = backoff;
        let Queue {
            max_messages,
            overflow,
        } = queue;
        let Lifecycle {
            probe_on_visible,
            reconnect_on_online,
            pause_when_offline,
            close_when_hidden_after,
            close_on_page_hide,
        } = lifecycle;
        let n = |x: f64| match x {
            f64::INFINITY => "f64::INFINITY".to_string(),
            x => format!("{x:?}"),
        };
        writeln!(f, "Case {{")?;
        writeln!(f, "    config: Config {{")?;
        writeln!(f, "        backoff: Backoff {{")?;
        writeln!(f, "            initial_delay: {},", n(initial_delay))?;
        writeln!(f, "            max_delay: {},", n(max_delay))?;
        writeln!(f, "            factor: {},", n(factor))?;
        writeln!(f, "            jitter: Jitter::{jitter:?},")?;
        writeln!(f, "            max_retries: {},", n(max_retries))?;
        writeln!(f, "            min_uptime: {},", n(min_uptime))?;
        writeln!(f, "        }},")?;
        writeln!(f, "        connection_timeout: {},", n(connection_timeout))?;
        writeln!(f, "        close_timeout: {},", n(close_timeout))?;
        match heartbeat {
            None => writeln!(f, "        heartbeat: None,")?,
            Some(Heartbeat {
                interval,
                timeout,
                client_ping,
                any_message_is_pong,
                server_ping,
            }) => {
                writeln!(f, "        heartbeat: Some(Heartbeat {{")?;
                writeln!(f, "            interval: {},", n(interval))?;
                writeln!(f, "            timeout: {},", n(timeout))?;
                writeln!(f, "            client_ping: {client_ping},")?;
                writeln!(f, "            any_message_is_pong: {any_message_is_pong},")?;
                writeln!(f, "            server_ping: {server_ping},")?;
                writeln!(f, "        }}),")?;
            }
        }
        writeln!(f, "        queue: Queue {{")?;
        writeln!(f, "            max_messages: {},", n(max_messages))?;
        writeln!(f, "            overflow: Overflow::{overflow:?},")?;
        writeln!(f, "        }},")?;
        writeln!(f, "        lifecycle: Lifecycle {{")?;
        writeln!(f, "            probe_on_visible: {probe_on_visible},")?;
        writeln!(f, "            reconnect_on_online: {reconnect_on_online},")?;
        writeln!(f, "            pause_when_offline: {pause_when_offline},")?;
        let hidden = close_when_hidden_after.map(n);
        match hidden {
            Some(after) => writeln!(f, "            close_when_hidden_after: Some({after}),")?,
            None => writeln!(f, "            close_when_hidden_after: None,")?,
        }
        writeln!(f, "            close_on_page_hide: {close_on_page_hide},")?;
        writeln!(f, "        }},")?;
        writeln!(f, "        should_reconnect: {should_reconnect},")?;
        writeln!(f, "        reconnect_listener: {reconnect_listener},")?;
        writeln!(f, "        start_closed: {start_closed},")?;
        writeln!(f, "    }},")?;
        writeln!(f, "    seed: {},", self.seed)?;
        writeln!(f, "    prompt: {},", self.prompt)?;
        writeln!(f, "    answers: vec!{:?},", self.answers)?;
        writeln!(f, "    actions: vec![")?;
        for action in &self.actions {
            match action {
                Action::Stale { kind, pick } => writeln!(
                    f,
                    "        Action::Stale {{ kind: StaleKind::{kind:?}, pick: {pick} }},"
                )?,
                action => writeln!(f, "        Action::{action:?},")?,
            }
        }
        writeln!(f, "    ],")?;
        write!(f, "}}")
    }
}

// ---------------------------------------------------------------------------------------
// Strategies
// ---------------------------------------------------------------------------------------

fn jitter() -> impl Strategy<Value = Jitter> {
    prop_oneof![Just(Jitter::Full), Just(Jitter::Equal), Just(Jitter::None)]
}

fn backoff() -> impl Strategy<Value = Backoff> {
    (
        100u32..=5000,
        0u32..=30_000,
        prop::sample::select(vec![1.0, 1.5, 2.0, 3.0]),
        jitter(),
        prop_oneof![
            1 => Just(f64::INFINITY),
            1 => (0u32..=5).prop_map(f64::from),
        ],
        0u32..=10_000,
    )
        .prop_map(
            |(initial, extra, factor, jitter, max_retries, min_uptime)| Backoff {
                initial_delay: f64::from(initial),
                max_delay: f64::from(initial + extra),
                factor,
                jitter,
                max_retries,
                min_uptime: f64::from(min_uptime),
            },
        )
}

fn heartbeat() -> impl Strategy<Value = Option<Heartbeat>> {
    prop::option::weighted(
        0.6,
        (
            100u32..=5000,
            100u32..=5000,
            // (client pings, server pings): at least one of them.
            prop::sample::select(vec![(true, false), (false, true), (true, true)]),
            any::<bool>(),
        )
            .prop_map(
                |(interval, timeout, (client_ping, server_ping), any_message_is_pong)| Heartbeat {
                    interval: f64::from(interval),
                    timeout: f64::from(timeout),
                    client_ping,
                    any_message_is_pong,
                    server_ping,
                },
            ),
    )
}

fn queue() -> impl Strategy<Value = Queue> {
    (
        0u32..=20,
        prop_oneof![Just(Overflow::Throw), Just(Overflow::DropOldest)],
    )
        .prop_map(|(max, overflow)| Queue {
            max_messages: f64::from(max),
            overflow,
        })
}

fn lifecycle() -> impl Strategy<Value = Lifecycle> {
    (
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        prop::option::weighted(0.4, 0u32..=10_000),
        any::<bool>(),
    )
        .prop_map(
            |(
                probe_on_visible,
                reconnect_on_online,
                pause_when_offline,
                hidden,
                close_on_page_hide,
            )| {
                Lifecycle {
                    probe_on_visible,
                    reconnect_on_online,
                    pause_when_offline,
                    close_when_hidden_after: hidden.map(f64::from),
                    close_on_page_hide,
                }
            },
        )
}

fn config() -> impl Strategy<Value = Config> {
    (
        backoff(),
        100u32..=10_000,
        heartbeat(),
        queue(),
        lifecycle(),
        any::<bool>(),
        any::<bool>(),
        prop::bool::weighted(0.2),
    )
        .prop_map(
            |(backoff, timeout, heartbeat, queue, lifecycle, should, listener, start_closed)| {
                Config {
                    backoff,
                    connection_timeout: f64::from(timeout),
                    close_timeout: f64::from(timeout),
                    heartbeat,
                    queue,
                    lifecycle,
                    should_reconnect: should,
                    reconnect_listener: listener,
                    start_closed,
                }
            },
        )
}

/// Configs at the edges of what validation accepts, for the no-panic property: huge delays
/// and factors, zero `minUptime` and `closeWhenHiddenAfter`, 1 ms timeouts, huge retry
/// budgets.
fn extreme_config() -> impl Strategy<Value = Config> {
    let delay = prop_oneof![
        Just(1.0),
        Just(0.5),
        Just(MAX_DELAY_MS),
        1.0..MAX_DELAY_MS,
        (1u32..=100).prop_map(f64::from),
    ];
    (
        (delay.clone(), delay.clone()),
        prop_oneof![Just(1.0), Just(1e6), Just(f64::MAX), 1.0..1e3],
        prop_oneof![
            Just(f64::INFINITY),
            Just(0.0),
            Just(f64::from(u32::MAX)),
            (0u32..=10).prop_map(f64::from)
        ],
        (delay.clone(), delay.clone(), delay.clone()),
        any::<bool>(),
        (any::<bool>(), any::<bool>(), any::<bool>()),
        prop_oneof![Just(0.0), Just(1e6), (0u32..5).prop_map(f64::from)],
        (any::<bool>(), any::<bool>(), any::<bool>()),
        prop::option::of(prop_oneof![Just(0.0), Just(MAX_DELAY_MS), 0.0..1e4]),
        (any::<bool>(), any::<bool>(), any::<bool>(), any::<bool>()),
    )
        .prop_map(
            |(
                (a, b),
                factor,
                max_retries,
                (timeout, interval, hb_timeout),
                has_hb,
                (client, server, any_msg),
                queue_max,
                (probe, online, pause),
                hidden,
                (page_hide, should, listener, start_closed),
            )| Config {
                backoff: Backoff {
                    initial_delay: a.min(b),
                    max_delay: a.max(b),
                    factor,
                    jitter: if client { Jitter::Full } else { Jitter::Equal },
                    max_retries,
                    min_uptime: if server { 0.0 } else { b },
                },
                connection_timeout: timeout,
                close_timeout: timeout,
                heartbeat: has_hb.then_some(Heartbeat {
                    interval,
                    timeout: hb_timeout,
                    client_ping: client || !server,
                    any_message_is_pong: any_msg,
                    server_ping: server,
                }),
                queue: Queue {
                    max_messages: queue_max,
                    overflow: if any_msg {
                        Overflow::DropOldest
                    } else {
                        Overflow::Throw
                    },
                },
                lifecycle: Lifecycle {
                    probe_on_visible: probe,
                    reconnect_on_online: online,
                    pause_when_offline: pause,
                    close_when_hidden_after: hidden,
                    close_on_page_hide: page_hide,
                },
                should_reconnect: should,
                reconnect_listener: listener,
                start_closed,
            },
        )
}

fn close_code() -> impl Strategy<Value = Option<u16>> {
    prop_oneof![
        Just(None),
        Just(Some(1000)),
        (3000u16..=4999).prop_map(Some)
    ]
}

fn stale_kind() -> impl Strategy<Value = StaleKind> {
    prop_oneof![
        Just(StaleKind::Opened),
        Just(StaleKind::Closed),
        Just(StaleKind::Pong),
        Just(StaleKind::ServerPing),
        Just(StaleKind::Error),
    ]
}

fn clock() -> impl Strategy<Value = Action> {
    prop_oneof![
        8 => (0u64..=50).prop_map(Action::Jump),
        3 => (0u64..=2_000).prop_map(Action::RunFor),
        1 => (0u64..=40_000).prop_map(Action::RunFor),
        1 => (1_000u64..=600_000).prop_map(Action::Sleep),
        5 => Just(Action::FireTimer),
    ]
}

fn socket() -> impl Strategy<Value = Action> {
    prop_oneof![
        16 => Just(Action::Accept),
        3 => any::<bool>().prop_map(|url| Action::Refuse { url }),
        4 => prop::sample::select(vec![1000u16, 1001, 1006, 1011, 4000]).prop_map(Action::ServerClose),
        1 => Just(Action::ErrorClose),
        2 => Just(Action::ServerStartsClose),
        4 => Just(Action::Pong),
        2 => Just(Action::ServerPing),
        2 => Just(Action::Message),
        6 => (stale_kind(), any::<usize>()).prop_map(|(kind, pick)| Action::Stale { kind, pick }),
    ]
}

fn user() -> impl Strategy<Value = Action> {
    prop_oneof![
        8 => Just(Action::Send),
        1 => close_code().prop_map(Action::Close),
        4 => close_code().prop_map(Action::Reconnect),
        1 => prop_oneof![Just(0u16), Just(999), Just(1001), Just(1006), Just(2999), Just(5000)]
            .prop_map(Action::BadClose),
    ]
}

fn page() -> impl Strategy<Value = Action> {
    prop_oneof![
        4 => any::<bool>().prop_map(Action::Visibility),
        3 => Just(Action::Online),
        1 => Just(Action::Offline),
        1 => any::<bool>().prop_map(Action::PageShow),
        1 => any::<bool>().prop_map(Action::PageHide),
        1 => Just(Action::Resume),
        1 => any::<bool>().prop_map(Action::Answer),
        1 => Just(Action::Start),
    ]
}

fn action() -> impl Strategy<Value = Action> {
    prop_oneof![
        21 => clock(),
        38 => socket(),
        13 => user(),
        14 => page(),
    ]
}

fn case_with(config: impl Strategy<Value = Config>, steps: usize) -> impl Strategy<Value = Case> {
    (
        config,
        any::<u64>(),
        prop::bool::weighted(0.8),
        prop::collection::vec(prop::bool::weighted(0.75), 1..16),
        prop::collection::vec(action(), 1..=steps),
    )
        .prop_map(|(config, seed, prompt, answers, actions)| Case {
            config,
            seed,
            prompt,
            answers,
            actions,
        })
}

fn case() -> impl Strategy<Value = Case> {
    case_with(config(), 200)
}

// ---------------------------------------------------------------------------------------
// The driver and its model
// ---------------------------------------------------------------------------------------

/// The invariant a run asserts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Inv {
    /// 1. At most one live socket; Send/Close/Abandon only for it.
    OneLive,
    /// 2. With a `reconnect` listener, `open` at most once per machine.
    OpenOnce,
    /// 3. Exactly one `close` per opened connection (plus one final close for a user
    ///    `close()` while not open).
    OneClose,
    /// 4. Reconnect delays within their band, and attempts not made before their time.
    Backoff,
    /// 5. Queue order kept, bound kept, every message accounted for exactly once.
    Queue,
    /// 6. Nothing scheduled, and no attempt, after `close()` until `reconnect()`.
    AfterClose,
    /// 7. `open`/`reconnect` only from the live socket's `Opened`; stale inputs change
    ///    nothing.
    Generations,
    /// 9. `maxRetries` bounds the attempts of a series.
    MaxRetries,
    /// Extra: with `pauseWhenOffline`, no attempt while offline (unless `reconnect()`).
    Offline,
    /// Extra: what the user can read agrees with what happened: `statechange` events,
    /// `stats()` (connected_since, reconnects), `reconnect { attempt, downtime }`,
    /// `heartbeat { rtt }`.
    Consistency,
    /// Extra (problems 3 and 5): pings only as configured; an open socket is probed at once
    /// on visible / resume / pageshow / online / offline; a late timer never declares a
    /// socket dead.
    Heartbeat,
    /// Extra (problem 3): a silent socket is dropped within `interval + timeout` of the
    /// last sign of life, plus the lateness of the timer.
    Detection,
    /// 8. Only "no panic" (plus the timer-settles check every run makes).
    NoPanic,
}

/// What can be observed of the machine between inputs.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Snap {
    state: State,
    stats: Stats,
    deadline: Option<Millis>,
    live: Option<Generation>,
}

/// A config duration in whole ms, rounded up as the machine does.
fn ms(value: f64) -> Millis {
    value.ceil() as Millis
}

fn number(message: &str) -> u32 {
    message[1..].parse().expect("a numbered message")
}

fn generation_of(input: &Input<String>) -> Option<Generation> {
    match input {
        Input::Opened { generation }
        | Input::Pong { generation }
        | Input::ServerPing { generation }
        | Input::Error { generation, .. }
        | Input::Closed { generation, .. } => Some(*generation),
        _ => None,
    }
}

struct Driver {
    sim: Sim,
    config: Config,
    only: Inv,
    prompt: bool,
    answers: Vec<bool>,
    next_answer: usize,
    /// Every input fed, with its time, for failure messages.
    trace: Vec<String>,

    // Invariant 1: sockets.
    /// The socket asked for and not yet abandoned or closed by the platform.
    live: Option<Generation>,
    /// Whether `live` has opened.
    live_opened: bool,
    /// The highest generation asked for.
    issued: u32,

    // Invariant 2.
    open_events: u32,
    any_open_event: bool,

    // Invariant 3.
    /// An `open`/`reconnect` was emitted and its `close` not yet.
    connected: bool,
    /// `AskShouldReconnect` was issued; the close it is about is still owed.
    pending_ask: bool,

    // Invariant 4.
    /// The attempt announced by the last `reconnecting`, and when it is due.
    scheduled: Option<(u32, Millis)>,
    /// Since that announcement an input came that lets the client attempt at once.
    early_ok: bool,
    /// When a lifecycle input last found the socket open: a drop within RECHECK_WINDOW
    /// after it may be retried at once.
    checked_open_at: Option<Millis>,

    // Invariant 5.
    next_message: u32,
    queued: VecDeque<u32>,
    written: Vec<u32>,
    dropped: Vec<u32>,
    refused: Vec<u32>,

    // Invariant 6.
    /// The client was started (`Start` without `startClosed`, or `reconnect()`): from then
    /// on `State::Closed` means closed for good.
    active: bool,
    /// `close()` was accepted and no `reconnect()` since.
    user_closed: bool,

    // Invariant 9.
    /// Open commands since the last success or series start.
    failed_run: u32,

    // Extra: offline.
    online: bool,

    // Extras.
    /// Open/reconnect events so far.
    open_like_events: u32,
    /// When the current connection opened.
    opened_at: Option<Millis>,
    /// When the last connection ended (for `downtime`).
    down_at: Option<Millis>,
    /// shouldReconnect was asked about the connection that went down.
    asked: bool,
    /// When the last heartbeat ping went to the live socket.
    last_ping_at: Option<Millis>,
    /// The last sign of life of the open socket (or a late timer, which restarts the
    /// clock), and the summed lateness of the timer since.
    alive_at: Millis,
    slack: Millis,
    /// Up to when the lateness of an overdue timer is already in `slack` (an input that
    /// arrives while a deadline is overdue shows the timer at least that late).
    late_counted: Millis,
    /// When an open socket was last probed (visible, online, offline...).
    probe_at: Option<Millis>,

    /// How many times the timer fired at the same `now` in a row.
    same_time_fires: u32,
    last_fire_at: Option<Millis>,
}

impl Driver {
    fn new(case: &Case, only: Inv) -> Driver {
        let mut sim = Sim::new(case.config);
        sim.machine = Machine::new(case.config, case.seed).expect("valid config");
        Driver {
            sim,
            config: case.config,
            only,
            prompt: case.prompt,
            answers: case.answers.clone(),
            next_answer: 0,
            trace: Vec::new(),
            live: None,
            live_opened: false,
            issued: 0,
            open_events: 0,
            any_open_event: false,
            connected: false,
            pending_ask: false,
            scheduled: None,
            early_ok: false,
            checked_open_at: None,
            next_message: 0,
            queued: VecDeque::new(),
            written: Vec::new(),
            dropped: Vec::new(),
            refused: Vec::new(),
            active: false,
            user_closed: false,
            failed_run: 0,
            online: true,
            open_like_events: 0,
            opened_at: None,
            down_at: None,
            asked: false,
            last_ping_at: None,
            alive_at: 0,
            slack: 0,
            late_counted: 0,
            probe_at: None,
            same_time_fires: 0,
            last_fire_at: None,
        }
    }

    fn run(case: &Case, only: Inv) -> Driver {
        let mut driver = Driver::new(case, only);
        let started = driver.feed(Input::Start);
        assert!(started.is_ok(), "Start refused: {started:?}");
        for action in &case.actions {
            driver.act(action);
        }
        driver.finish();
        driver
    }

    fn snap(&self) -> Snap {
        let m = &self.sim.machine;
        Snap {
            state: m.state(),
            stats: m.stats(),
            deadline: m.next_deadline(),
            live: m.live_generation(),
        }
    }

    /// Asserts `ok` when this run checks `inv`.
    fn check(&self, inv: Inv, ok: bool, what: impl FnOnce() -> String) {
        if ok || self.only != inv {
            return;
        }
        let from = self.trace.len().saturating_sub(16);
        panic!(
            "invariant {inv:?} violated at t={}: {}\nconfig: {:?}\nlast inputs (of {}):\n  {}",
            self.sim.now,
            what(),
            self.config,
            self.trace.len(),
            self.trace[from..].join("\n  ")
        );
    }

    fn answer(&mut self) -> bool {
        let answer = self.answers[self.next_answer % self.answers.len()];
        self.next_answer += 1;
        answer
    }

    fn deadline(&mut self) {
        if self.last_fire_at == Some(self.sim.now) {
            self.same_time_fires += 1;
            assert!(
                self.same_time_fires < 100,
                "the timer fired 100 times at t={} and a deadline is still due: {:?}\n{}",
                self.sim.now,
                self.sim.machine.next_deadline(),
                self.trace[self.trace.len().saturating_sub(8)..].join("\n")
            );
        } else {
            self.same_time_fires = 0;
            self.last_fire_at = Some(self.sim.now);
        }
        let last_message_at = self.sim.last_message_at;
        let _ = self.feed(Input::Deadline { last_message_at });
    }

    /// `Sim::run_until`, one checked input at a time.
    fn run_until(&mut self, to: Millis) {
        while let Some(due) = self.sim.machine.next_deadline().filter(|&d| d <= to) {
            self.sim.now = self.sim.now.max(due);
            self.deadline();
        }
        self.sim.now = self.sim.now.max(to);
    }

    fn act(&mut self, action: &Action) {
        match *action {
            Action::Jump(by) => self.sim.now += by,
            Action::RunFor(by) => self.run_until(self.sim.now + by),
            Action::Sleep(by) => {
                self.sim.now += by;
                self.deadline();
            }
            Action::FireTimer => {
                if let Some(due) = self.sim.machine.next_deadline() {
                    self.sim.now = self.sim.now.max(due);
                    self.deadline();
                }
            }
            Action::Accept => {
                if let Some(generation) = self.sim.connecting.take() {
                    self.sim.open = Some(generation);
                    let _ = self.feed(Input::Opened { generation });
                }
            }
            Action::Refuse { url } => {
                if let Some(generation) = self.sim.connecting.take() {
                    let cause = if url {
                        ErrorCause::Url
                    } else {
                        ErrorCause::Socket
                    };
                    let _ = self.feed(Input::Error { generation, cause });
                    let _ = self.feed(Input::Closed {
                        generation,
                        code: 1006,
                        reason: String::new(),
                        was_clean: false,
                    });
                }
            }
            Action::ServerClose(code) => {
                if let Some(generation) = self.sim.open.take() {
                    let _ = self.feed(Input::Closed {
                        generation,
                        code,
                        reason: "bye".into(),
                        was_clean: code != 1006,
                    });
                }
            }
            Action::ServerStartsClose => {
                if let Some(generation) = self.sim.open {
                    let _ = self.feed(Input::Closing { generation });
                }
            }
            Action::ErrorClose => {
                if let Some(generation) = self.sim.open.take() {
                    let _ = self.feed(Input::Error {
                        generation,
                        cause: ErrorCause::Socket,
                    });
                    let _ = self.feed(Input::Closed {
                        generation,
                        code: 1006,
                        reason: String::new(),
                        was_clean: false,
                    });
                }
            }
            Action::Pong => {
                if let Some(generation) = self.sim.open {
                    let _ = self.feed(Input::Pong { generation });
                }
            }
            Action::ServerPing => {
                if let Some(generation) = self.sim.open {
                    let _ = self.feed(Input::ServerPing { generation });
                }
            }
            Action::Message => {
                if self.sim.open.is_some() {
                    self.sim.last_message_at = Some(self.sim.now);
                }
            }
            Action::Stale { kind, pick } => {
                // Any generation up to the newest asked for, except the live socket's:
                // never-used 0, abandoned and closed sockets, and the newest one if it is
                // no longer live.
                let live = [
                    self.sim.machine.live_generation(),
                    self.sim.connecting,
                    self.sim.open,
                ];
                let stale: Vec<Generation> = (0..=self.issued)
                    .map(Generation)
                    .filter(|g| !live.contains(&Some(*g)))
                    .collect();
                let generation = stale[pick % stale.len()];
                let input = match kind {
                    StaleKind::Opened => Input::Opened { generation },
                    StaleKind::Closed => Input::Closed {
                        generation,
                        code: 1006,
                        reason: "stale".into(),
                        was_clean: false,
                    },
                    StaleKind::Pong => Input::Pong { generation },
                    StaleKind::ServerPing => Input::ServerPing { generation },
                    StaleKind::Error => Input::Error {
                        generation,
                        cause: ErrorCause::Socket,
                    },
                };
                let _ = self.feed(input);
            }
            Action::Send => {
                let message = format!("m{}", self.next_message);
                self.next_message += 1;
                let _ = self.feed(Input::Send(message));
            }
            Action::Close(code) => {
                let result = self.feed(Input::Close {
                    code,
                    reason: "user".into(),
                });
                assert!(result.is_ok(), "close({code:?}) refused: {result:?}");
            }
            Action::Reconnect(code) => {
                let result = self.feed(Input::Reconnect {
                    code,
                    reason: "user".into(),
                });
                assert!(result.is_ok(), "reconnect({code:?}) refused: {result:?}");
            }
            Action::BadClose(code) => {
                let pre = self.snap();
                let start = self.sim.log.len();
                let result = self.feed(Input::Close {
                    code: Some(code),
                    reason: String::new(),
                });
                assert_eq!(result, Err(InputError::InvalidCloseCode(code)));
                assert_eq!(self.sim.log.len(), start, "a refused close() did something");
                assert_eq!(self.snap(), pre, "a refused close() changed the machine");
            }
            Action::Visibility(visible) => {
                let _ = self.feed(Input::Visibility { visible });
            }
            Action::Online => {
                let _ = self.feed(Input::Online);
            }
            Action::Offline => {
                let _ = self.feed(Input::Offline);
            }
            Action::PageShow(persisted) => {
                let _ = self.feed(Input::PageShow { persisted });
            }
            Action::PageHide(persisted) => {
                let _ = self.feed(Input::PageHide { persisted });
            }
            Action::Resume => {
                let _ = self.feed(Input::Resume);
            }
            Action::Answer(answer) => {
                let _ = self.feed(Input::ShouldReconnect(answer));
            }
            Action::Start => {
                let start = self.sim.log.len();
                let _ = self.feed(Input::Start);
                assert_eq!(self.sim.log.len(), start, "a second Start did something");
            }
        }
    }

    /// Feeds one input, checks what came out, and answers `shouldReconnect` at once when
    /// answers are prompt.
    fn feed(&mut self, input: Input<String>) -> Result<(), InputError<String>> {
        let pre = self.snap();
        let start = self.sim.log.len();
        self.trace.push(format!("t={} {:?}", self.sim.now, input));
        let result = self.sim.try_input(input.clone());
        let commands: Vec<Command<String>> = self.sim.log[start..]
            .iter()
            .map(|(_, c)| c.clone())
            .collect();
        for command in &commands {
            if !matches!(command, Command::Emit(Event::StateChange(_))) {
                self.trace.push(format!("      -> {command:?}"));
            }
        }
        let post = self.snap();
        self.observe(&input, &result, &commands, pre, post);
        if self.prompt
            && commands
                .iter()
                .any(|c| matches!(c, Command::AskShouldReconnect { .. }))
        {
            let answer = self.answer();
            let _ = self.feed(Input::ShouldReconnect(answer));
        }
        result
    }

    /// Whether `input` lets a waiting client attempt before its announced time.
    fn allows_early_attempt(&self, input: &Input<String>) -> bool {
        let l = &self.config.lifecycle;
        // The page coming back also un-parks a client that closed for the page.
        let parking = l.close_on_page_hide || l.close_when_hidden_after.is_some();
        match input {
            Input::Reconnect { .. } => true,
            Input::Online => l.reconnect_on_online,
            Input::Visibility { visible: true } | Input::Resume => l.probe_on_visible || parking,
            Input::PageShow { persisted } => (*persisted && l.probe_on_visible) || parking,
            _ => false,
        }
    }

    fn max_retries(&self) -> Option<u32> {
        let n = self.config.backoff.max_retries;
        n.is_finite().then_some(n as u32)
    }

    fn observe(
        &mut self,
        input: &Input<String>,
        result: &Result<(), InputError<String>>,
        commands: &[Command<String>],
        pre: Snap,
        post: Snap,
    ) {
        let now = self.sim.now;
        let accepted = result.is_ok();
        let is_close = matches!(input, Input::Close { .. }) && accepted;
        let is_reconnect = matches!(input, Input::Reconnect { .. }) && accepted;
        let ended_before = pre.state == State::Closed && self.active;
        let pending_ask_before = self.pending_ask;

        // ----- what the input itself tells the model -----
        if self.allows_early_attempt(input) {
            self.early_ok = true;
            if pre.state == State::Open {
                self.checked_open_at = Some(self.sim.now);
            }
        }
        match input {
            Input::Start if !self.config.start_closed => self.active = true,
            Input::Online => self.online = true,
            Input::Offline => self.online = false,
            Input::Close { .. } if accepted => self.user_closed = true,
            Input::Reconnect { .. } if accepted => {
                self.user_closed = false;
                self.active = true;
                self.failed_run = 0;
                if TOLERATE_KNOWN_BUGS && pre.state == State::Closing {
                    // Known bug A (`bug_reconnect_while_closing_loses_the_close`): the
                    // connection being closed ends without a close event.
                    self.connected = false;
                }
            }
            // The platform closed the live socket: it is gone whatever the machine does.
            Input::Closed { generation, .. } if self.live == Some(*generation) => {
                self.live = None;
                self.live_opened = false;
            }
            Input::Opened { generation } if self.live == Some(*generation) => {
                self.live_opened = true;
            }
            _ => {}
        }

        // ----- invariant 7: stale inputs change nothing -----
        if let Some(generation) = generation_of(input) {
            if pre.live != Some(generation) {
                self.check(Inv::Generations, commands.is_empty(), || {
                    format!(
                        "stale input {input:?} (live {:?}) produced {commands:?}",
                        pre.live
                    )
                });
                self.check(Inv::Generations, pre == post, || {
                    format!("stale input {input:?} changed the machine: {pre:?} -> {post:?}")
                });
            }
        }

        // ----- invariant 6: closed for good means nothing happens -----
        self.check(
            Inv::AfterClose,
            !ended_before || is_reconnect || commands.is_empty(),
            || format!("closed for good, yet {input:?} produced {commands:?}"),
        );

        // ----- invariant 5: the user's message -----
        if let Input::Send(message) = input {
            let k = number(message);
            let max = self.config.queue.max_messages as usize;
            match result {
                Ok(()) => {
                    let direct = commands.iter().any(|c| {
                        matches!(c, Command::Send { message: Outgoing::Message(m), .. } if m == message)
                    });
                    if !direct {
                        self.queued.push_back(k);
                    }
                }
                Err(InputError::QueueFull {
                    message: back,
                    max: m,
                }) => {
                    self.check(Inv::Queue, back == message && *m == max, || {
                        format!(
                            "QueueFull handed back {back:?} (max {m}) for {message:?} (max {max})"
                        )
                    });
                    self.check(
                        Inv::Queue,
                        self.queued.len() >= max
                            && (max == 0 || self.config.queue.overflow == Overflow::Throw),
                        || format!("QueueFull with {} of {max} queued", self.queued.len()),
                    );
                    self.refused.push(k);
                }
                Err(InputError::Closed(back)) => {
                    self.check(Inv::Queue, back == message, || {
                        format!("Closed handed back {back:?} for {message:?}")
                    });
                    self.refused.push(k);
                }
                Err(other) => self.check(Inv::Queue, false, || format!("send refused: {other:?}")),
            }
        }

        // ----- the commands, in order -----
        let mut opens = 0;
        let mut final_closes = 0;
        let mut owed_reconnecting: Option<Millis> = None;
        for command in commands {
            match command {
                Command::Open { generation } => {
                    let g = *generation;
                    opens += 1;
                    self.check(Inv::OneLive, self.live.is_none(), || {
                        format!("Open {g:?} while {:?} is still live", self.live)
                    });
                    self.check(Inv::OneLive, g.0 > self.issued, || {
                        format!(
                            "Open {g:?} reuses a generation (newest was {})",
                            self.issued
                        )
                    });
                    self.live = Some(g);
                    self.live_opened = false;
                    self.issued = self.issued.max(g.0);

                    self.check(Inv::AfterClose, !self.user_closed, || {
                        format!("Open {g:?} after close() and before reconnect()")
                    });

                    if let Some((attempt, at)) = self.scheduled.take() {
                        self.check(Inv::Backoff, self.early_ok || now >= at, || {
                            format!(
                                "attempt {attempt} made at {now}, before its announced time {at}"
                            )
                        });
                        self.check(
                            Inv::Backoff,
                            self.early_ok || post.stats.attempts == attempt,
                            || {
                                format!(
                                    "announced attempt {attempt}, made attempt {}",
                                    post.stats.attempts
                                )
                            },
                        );
                    }
                    self.early_ok = false;

                    // Known bug C (`bug_page_back_attempts_while_offline`): the page coming
                    // back un-parks the client with an attempt even while offline.
                    let tolerated = TOLERATE_KNOWN_BUGS
                        && matches!(
                            input,
                            Input::Visibility { visible: true }
                                | Input::PageShow { .. }
                                | Input::Resume
                        );
                    self.check(
                        Inv::Offline,
                        self.online
                            || !self.config.lifecycle.pause_when_offline
                            || is_reconnect
                            || tolerated,
                        || format!("Open {g:?} while offline (pauseWhenOffline), on {input:?}"),
                    );

                    // maxRetries = n. The machine numbers the attempts of a series: the
                    // series' first attempt is attempt 0 (Start) or 1 (reconnect(); also
                    // the page coming back after an open connection was parked, but that
                    // follows a success anyway); each failure plans attempt + 1 and gives
                    // up when that exceeds n. An attempt abandoned for the page is no
                    // failure: the same attempt is made again (see Abandon below). A
                    // successful open does not reset the number (only minUptime does), so
                    // the attempts after it continue the series. Hence: at most n + 1 Open
                    // commands (attempts 0..=n) between a success or reconnect() and the
                    // giveup, and no attempt is numbered above max(n, 1) (reconnect()
                    // makes attempt 1 even when n is 0).
                    if let Some(n) = self.max_retries() {
                        self.failed_run += 1;
                        let bound = u64::from(n) + 1;
                        self.check(Inv::MaxRetries, u64::from(self.failed_run) <= bound, || {
                            format!(
                                "{} consecutive attempts without success, maxRetries {n}",
                                self.failed_run
                            )
                        });
                        self.check(Inv::MaxRetries, post.stats.attempts <= n.max(1), || {
                            format!("attempt {} made with maxRetries {n}", post.stats.attempts)
                        });
                    }
                }
                Command::Abandon {
                    generation, reason, ..
                } => {
                    let g = *generation;
                    self.check(Inv::OneLive, self.live == Some(g), || {
                        format!("Abandon {g:?}, but the live socket is {:?}", self.live)
                    });
                    // An attempt dropped for the page (closeOnPageHide, closeWhenHiddenAfter)
                    // did not fail: it is made again when the page is back.
                    if self.live == Some(g)
                        && !self.live_opened
                        && reason.starts_with("page hidden")
                    {
                        self.failed_run = self.failed_run.saturating_sub(1);
                    }
                    if self.live == Some(g) {
                        self.live = None;
                        self.live_opened = false;
                    }
                }
                Command::Send {
                    generation,
                    message,
                } => {
                    let g = *generation;
                    self.check(
                        Inv::OneLive,
                        self.live == Some(g) && self.live_opened,
                        || {
                            format!(
                                "Send to {g:?}; live {:?}, opened {}",
                                self.live, self.live_opened
                            )
                        },
                    );
                    if let Outgoing::Message(m) = message {
                        let k = number(m);
                        let direct = matches!(input, Input::Send(x) if x == m);
                        if !direct {
                            let front = self.queued.pop_front();
                            self.check(Inv::Queue, front == Some(k), || {
                                format!("flushed m{k}, but the oldest queued is {front:?}")
                            });
                        }
                        let last = self.written.last().copied();
                        self.check(Inv::Queue, last.map_or(true, |w| k > w), || {
                            format!("wrote m{k} after m{}", last.unwrap_or_default())
                        });
                        self.written.push(k);
                    }
                }
                Command::Close { generation, .. } => {
                    let g = *generation;
                    self.check(
                        Inv::OneLive,
                        self.live == Some(g) && self.live_opened && is_close,
                        || {
                            format!(
                                "Close {g:?} on {input:?}; live {:?}, opened {}",
                                self.live, self.live_opened
                            )
                        },
                    );
                }
                Command::AskShouldReconnect { .. } => {
                    self.check(
                        Inv::OneClose,
                        self.config.should_reconnect && self.connected && !self.pending_ask,
                        || {
                            format!(
                                "AskShouldReconnect (configured {}, connected {}, pending {})",
                                self.config.should_reconnect, self.connected, self.pending_ask
                            )
                        },
                    );
                    self.pending_ask = true;
                }
                Command::Emit(event) => match event {
                    Event::Open | Event::Reconnect { .. } => {
                        let from_live = matches!(input, Input::Opened { generation }
                            if pre.live == Some(*generation))
                            && pre.state == State::Connecting;
                        self.check(Inv::Generations, from_live, || {
                            format!(
                                "{event:?} on {input:?} (live {:?}, {:?})",
                                pre.live, pre.state
                            )
                        });

                        let first = !self.any_open_event;
                        self.any_open_event = true;
                        if *event == Event::Open {
                            self.open_events += 1;
                        }
                        self.check(
                            Inv::OpenOnce,
                            !self.config.reconnect_listener || self.open_events <= 1,
                            || format!("open emitted {} times", self.open_events),
                        );
                        self.check(Inv::OpenOnce, !first || *event == Event::Open, || {
                            format!("the first connection emitted {event:?}")
                        });
                        self.check(
                            Inv::OpenOnce,
                            self.config.reconnect_listener || *event == Event::Open,
                            || format!("{event:?} without a reconnect listener"),
                        );

                        self.check(Inv::OneClose, !self.connected, || {
                            format!("{event:?}, but the previous connection never got its close")
                        });
                        self.connected = true;
                        self.failed_run = 0;
                    }
                    Event::Close(info) => {
                        if self.connected {
                            self.connected = false;
                            self.pending_ask = false;
                        } else {
                            final_closes += 1;
                            self.check(
                                Inv::OneClose,
                                is_close && !info.will_reconnect && final_closes == 1,
                                || format!("{info:?} on {input:?} with no connection to end"),
                            );
                        }
                        let truthful = if info.will_reconnect {
                            matches!(post.state, State::Waiting | State::Connecting)
                        } else {
                            post.state == State::Closed
                        };
                        self.check(Inv::OneClose, truthful, || {
                            format!("{info:?}, yet the state is {:?}", post.state)
                        });
                        if info.will_reconnect {
                            owed_reconnecting = info.delay;
                        }
                    }
                    Event::Reconnecting { attempt, delay } => {
                        let (attempt, delay) = (*attempt, *delay);
                        if let Some(owed) = owed_reconnecting.take() {
                            self.check(Inv::Backoff, owed == delay, || {
                                format!("close said delay {owed}, reconnecting says {delay}")
                            });
                        }
                        if is_reconnect {
                            self.check(Inv::Backoff, attempt == 1 && delay == 0, || {
                                format!("reconnect() announced attempt {attempt} after {delay}")
                            });
                        } else {
                            // A drop just after the page or network came back is retried
                            // at once (RECHECK_WINDOW), and announced with delay 0.
                            let recheck = self
                                .checked_open_at
                                .take()
                                .is_some_and(|at| now.saturating_sub(at) <= RECHECK_WINDOW);
                            let b = &self.config.backoff;
                            let low = (b.floor(attempt).round() - 1.0).max(0.0);
                            let high = b.ceiling(attempt).round() + 1.0;
                            // (Owed only after a disconnection, which the model does not
                            // tell from a failed attempt here: 0 is allowed when owed.)
                            let in_band =
                                (recheck && delay == 0) || (low..=high).contains(&(delay as f64));
                            self.check(Inv::Backoff, attempt >= 1 && in_band, || {
                                format!(
                                    "attempt {attempt}: delay {delay} outside [{low}, {high}] \
                                     (recheck: {recheck})"
                                )
                            });
                            // Known bug B (`bug_online_while_parked_announces_an_attempt`):
                            // `online` without reconnectOnOnline announces an attempt that
                            // the parked client will not make.
                            let tolerated = TOLERATE_KNOWN_BUGS
                                && *input == Input::Online
                                && !self.config.lifecycle.reconnect_on_online;
                            self.check(Inv::Backoff, post.deadline.is_some() || tolerated, || {
                                format!("attempt {attempt} announced, but no timer is set")
                            });
                            self.scheduled = Some((attempt, now + delay));
                            self.early_ok = recheck;
                        }
                    }
                    Event::GiveUp { attempts } => {
                        self.scheduled = None;
                        match self.max_retries() {
                            Some(n) => self.check(Inv::MaxRetries, *attempts >= n, || {
                                format!("gave up after {attempts} attempts, maxRetries {n}")
                            }),
                            None => self.check(Inv::MaxRetries, false, || {
                                "gave up with maxRetries Infinity".into()
                            }),
                        }
                        self.check(
                            Inv::MaxRetries,
                            post.state == State::Closed && post.deadline.is_none(),
                            || format!("after giveup: {post:?}"),
                        );
                        self.failed_run = 0;
                    }
                    Event::Drop(m) => {
                        let k = number(m);
                        let front = self.queued.pop_front();
                        self.check(
                            Inv::Queue,
                            matches!(input, Input::Send(_)) && front == Some(k),
                            || format!("drop of m{k} on {input:?}; oldest queued {front:?}"),
                        );
                        self.dropped.push(k);
                    }
                    Event::StateChange(_) | Event::Error { .. } | Event::Heartbeat { .. } => {}
                },
            }
        }

        self.observe_extras(input, commands, pre, post);

        // ----- after the input -----
        self.check(Inv::OneLive, self.live == post.live, || {
            format!(
                "the machine's live socket is {:?}, the driver's {:?}",
                post.live, self.live
            )
        });

        if let Some(owed) = owed_reconnecting {
            self.check(Inv::Backoff, false, || {
                format!("close said delay {owed}, but no reconnecting followed")
            });
        }

        if let Input::Opened { generation } = input {
            if pre.live == Some(*generation) && pre.state == State::Connecting {
                let opened = commands
                    .iter()
                    .filter(|c| matches!(c, Command::Emit(Event::Open | Event::Reconnect { .. })))
                    .count();
                self.check(Inv::Generations, opened == 1, || {
                    format!("the live socket opened and {opened} open/reconnect events came")
                });
            }
        }

        let linked = matches!(post.state, State::Open | State::Closing);
        self.check(
            Inv::OneClose,
            !self.connected || linked || self.pending_ask,
            || {
                format!(
                    "the connection ended without a close event (now {:?})",
                    post.state
                )
            },
        );
        self.check(Inv::OneClose, !linked || self.connected, || {
            format!("{:?} without an open/reconnect event", post.state)
        });
        self.check(
            Inv::OneClose,
            !self.pending_ask || post.state == State::Waiting,
            || format!("a shouldReconnect answer is awaited in {:?}", post.state),
        );
        if let Input::ShouldReconnect(_) = input {
            self.check(
                Inv::OneClose,
                pending_ask_before || commands.is_empty(),
                || format!("a stray shouldReconnect answer produced {commands:?}"),
            );
        }

        let max = self.config.queue.max_messages as usize;
        self.check(
            Inv::Queue,
            post.stats.queued == self.queued.len() && post.stats.queued <= max,
            || {
                format!(
                    "stats().queued {} (max {max}), the driver counts {}",
                    post.stats.queued,
                    self.queued.len()
                )
            },
        );

        self.check(
            Inv::AfterClose,
            post.state != State::Closed || post.deadline.is_none(),
            || format!("closed, yet a deadline is set: {post:?}"),
        );

        self.check(
            Inv::MaxRetries,
            opens > 0 || post.stats.attempts == pre.stats.attempts || post.stats.attempts == 0,
            || {
                format!(
                    "attempts went {} -> {} with no attempt made",
                    pre.stats.attempts, post.stats.attempts
                )
            },
        );
    }

    /// The extra invariants: consistency of what the user reads, heartbeat rules, and
    /// detection time.
    fn observe_extras(
        &mut self,
        input: &Input<String>,
        commands: &[Command<String>],
        pre: Snap,
        post: Snap,
    ) {
        let now = self.sim.now;
        let heartbeat = self.config.heartbeat;
        let l = self.config.lifecycle;

        // The timer's lateness, as the machine will judge it (it may judge it less late,
        // never more: it re-reads the deadline after taking in `last_message_at`).
        let lateness = match (input, pre.deadline) {
            (Input::Deadline { .. }, Some(due)) if due <= now => Some(now - due),
            _ => None,
        };
        let late = lateness.is_some_and(|l| l > LATE_AFTER);

        if TOLERATE_KNOWN_BUGS
            && matches!(input, Input::Reconnect { .. })
            && pre.state == State::Closing
        {
            // Known bug A: no close event, and the machine does not restart `downtime`.
            self.opened_at = None;
            self.down_at = None;
        }

        // ----- consistency of statechange events -----
        let mut state = pre.state;
        for command in commands {
            if let Command::Emit(Event::StateChange(s)) = command {
                self.check(Inv::Consistency, *s != state, || {
                    format!("statechange to {s:?} while already {state:?}")
                });
                state = *s;
            }
        }
        self.check(Inv::Consistency, state == post.state, || {
            format!(
                "state is {:?}, but the last statechange said {state:?}",
                post.state
            )
        });

        // ----- heartbeat and detection: sign of life -----
        match input {
            Input::Pong { generation } | Input::ServerPing { generation }
                if pre.live == Some(*generation) =>
            {
                self.alive_at = now;
                self.slack = 0;
            }
            Input::Deadline {
                last_message_at: Some(at),
            } if heartbeat.is_some_and(|h| h.any_message_is_pong || h.server_ping)
                && *at > self.alive_at =>
            {
                self.alive_at = *at;
                self.slack = 0;
            }
            _ => {}
        }
        if late {
            self.alive_at = now;
            self.slack = 0;
            self.late_counted = now;
        } else if let Some(due) = pre.deadline.filter(|&due| due < now) {
            // The timer is (or was, when it fires now) late by `now - due`: count the part
            // not counted yet.
            self.slack += now - due.max(self.late_counted);
            self.late_counted = now;
        }

        for command in commands {
            match command {
                Command::Open { .. } => self.last_ping_at = None,
                Command::Send {
                    message: Outgoing::Ping,
                    ..
                } => {
                    self.check(
                        Inv::Heartbeat,
                        heartbeat.is_some_and(|h| h.client_ping),
                        || "a ping without client heartbeats".into(),
                    );
                    self.last_ping_at = Some(now);
                }
                Command::Send {
                    message: Outgoing::PingReply,
                    ..
                } => {
                    self.check(
                        Inv::Heartbeat,
                        heartbeat.is_some_and(|h| h.server_ping)
                            && matches!(input, Input::ServerPing { .. }),
                        || format!("a ping reply on {input:?}"),
                    );
                }
                Command::Abandon { reason, .. } => {
                    let verdict = [
                        "heartbeat timeout",
                        "server ping timeout",
                        "connection timeout",
                    ]
                    .contains(&reason.as_str());
                    self.check(Inv::Heartbeat, !(late && verdict), || {
                        format!("a timer {lateness:?} ms late declared {reason:?}")
                    });
                }
                Command::Emit(Event::Heartbeat { rtt }) => {
                    let expected = self.last_ping_at.map(|at| now - at);
                    self.check(
                        Inv::Consistency,
                        matches!(input, Input::Pong { .. }) && expected == Some(*rtt),
                        || {
                            format!(
                                "heartbeat rtt {rtt} on {input:?}; last ping {:?}",
                                self.last_ping_at
                            )
                        },
                    );
                }
                Command::Emit(Event::Open) | Command::Emit(Event::Reconnect { .. }) => {
                    self.open_like_events += 1;
                    self.opened_at = Some(now);
                    self.alive_at = now;
                    self.slack = 0;
                    if let Command::Emit(Event::Reconnect { attempt, downtime }) = command {
                        self.check(Inv::Consistency, *attempt == post.stats.attempts, || {
                            format!(
                                "reconnect says attempt {attempt}, stats {}",
                                post.stats.attempts
                            )
                        });
                        let expected = self.down_at.map(|at| now - at);
                        // `down_at` is None only after known bug A.
                        let tolerated = TOLERATE_KNOWN_BUGS && expected.is_none();
                        self.check(
                            Inv::Consistency,
                            expected == Some(*downtime) || tolerated,
                            || format!("downtime {downtime}, down since {:?}", self.down_at),
                        );
                    }
                }
                // The connection went down when shouldReconnect was asked, or else when
                // its close event came.
                Command::AskShouldReconnect { .. } => {
                    self.down_at = Some(now);
                    self.asked = true;
                }
                Command::Emit(Event::Close(_)) => {
                    if self.opened_at.take().is_some() && !self.asked {
                        self.down_at = Some(now);
                    }
                    self.asked = false;
                }
                _ => {}
            }
        }

        // ----- stats -----
        self.check(
            Inv::Consistency,
            post.stats.connected_since == self.opened_at.filter(|_| post.state == State::Open),
            || {
                format!(
                    "connected_since {:?}, opened at {:?}, state {:?}",
                    post.stats.connected_since, self.opened_at, post.state
                )
            },
        );
        self.check(
            Inv::Consistency,
            post.stats.reconnects == self.open_like_events.saturating_sub(1),
            || {
                format!(
                    "stats().reconnects {} after {} open/reconnect events",
                    post.stats.reconnects, self.open_like_events
                )
            },
        );

        // ----- probes -----
        if let Some(h) = heartbeat {
            let check_input = match input {
                Input::Visibility { visible: true } | Input::Resume => l.probe_on_visible,
                Input::PageShow { persisted } => *persisted && l.probe_on_visible,
                Input::Online => l.reconnect_on_online,
                Input::Offline => true,
                _ => false,
            };
            if check_input && pre.state == State::Open {
                self.probe_at = Some(now);
            }
            if check_input && pre.state == State::Open && h.client_ping {
                let pinged = commands.iter().any(|c| {
                    matches!(
                        c,
                        Command::Send {
                            message: Outgoing::Ping,
                            ..
                        }
                    )
                });
                self.check(Inv::Heartbeat, pinged, || {
                    format!("{input:?} did not probe the open socket")
                });
            }
            // ----- detection time -----
            if pre.state == State::Open && lateness.is_some() {
                let mut bound = self.alive_at + ms(h.interval) + ms(h.timeout);
                if TOLERATE_KNOWN_BUGS {
                    // Known bug D (`bug_probes_postpone_dead_socket_detection`): a probe
                    // while a ping is outstanding moves its deadline to probe + timeout.
                    if let Some(probe_at) = self.probe_at {
                        bound = bound.max(probe_at + ms(h.timeout));
                    }
                }
                let bound = bound + self.slack;
                self.check(Inv::Detection, now <= bound, || {
                    format!(
                        "socket still open at {now}; last sign of life at {}, interval {} + \
                         timeout {} + timer lateness {} = {bound}",
                        self.alive_at, h.interval, h.timeout, self.slack
                    )
                });
            }
        }
    }

    fn finish(&self) {
        // Invariant 5: every message is sent, queued, dropped or refused, exactly once.
        let mut seen = BTreeSet::new();
        for k in self
            .written
            .iter()
            .chain(&self.queued)
            .chain(&self.dropped)
            .chain(&self.refused)
        {
            self.check(Inv::Queue, seen.insert(*k), || {
                format!("m{k} accounted for twice")
            });
        }
        self.check(Inv::Queue, seen.len() as u32 == self.next_message, || {
            format!(
                "{} messages sent by the user, {} accounted for",
                self.next_message,
                seen.len()
            )
        });
    }
}

// ---------------------------------------------------------------------------------------
// The properties
// ---------------------------------------------------------------------------------------

/// Cases per property in `npm test` (a debug build; see README, "Hunting", for the cost).
/// `no_panic_at_the_edges`, whose cases are longer, runs half as many.
const DEFAULT_CASES: u32 = 640;

/// `PROPTEST_CASES`, when set: every property (the edge one included) runs that many cases.
fn cases_from_env() -> Option<u32> {
    std::env::var("PROPTEST_CASES")
        .ok()
        .map(|n| n.parse().expect("PROPTEST_CASES"))
}

fn proptest_config() -> ProptestConfig {
    // A fixed seed, so that `npm test` is deterministic; PROPTEST_SEED=<n> (or "random")
    // for a different hunt (scripts/hunt.sh picks a random <n> and prints it).
    let rng_seed = match std::env::var("PROPTEST_SEED").ok().as_deref() {
        Some("random") => proptest::test_runner::RngSeed::Random,
        Some(n) => proptest::test_runner::RngSeed::Fixed(n.parse().expect("PROPTEST_SEED")),
        None => proptest::test_runner::RngSeed::Fixed(0x11fe_11e5),
    };
    ProptestConfig {
        cases: cases_from_env().unwrap_or(DEFAULT_CASES),
        rng_seed,
        // Do not write regression files into the tree; failures print the shrunk case.
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(proptest_config())]

    /// 1. At most one live socket at any time: an `Open` command only when every earlier
    /// socket was abandoned or closed by the platform, each with a fresh generation; `Send`
    /// and `Close` only to the open live socket, `Abandon` only of the live one; and the
    /// machine's `live_generation()` always agrees with the driver.
    #[test]
    fn one_live_socket_at_most(case in case()) {
        Driver::run(&case, Inv::OneLive);
    }

    /// 2. With a `reconnect` listener, `open` fires at most once per machine. Also: the
    /// first connection always emits `open`, and without the listener every connection does.
    #[test]
    fn open_fires_at_most_once(case in case()) {
        Driver::run(&case, Inv::OpenOnce);
    }

    /// 3. Exactly one `close` per opened connection: `open`/`reconnect` only when no
    /// connection is current; every `close` either ends the current connection or is the
    /// single final close (`will_reconnect == false`) of an accepted user `close()` while
    /// not connected; while a connection is current the machine is open or closing (or
    /// waiting for a `shouldReconnect` answer, which owes that close); `will_reconnect`
    /// tells the truth; `AskShouldReconnect` only when configured and for a connection that
    /// ended; stray answers do nothing.
    #[test]
    fn one_close_per_connection(case in case()) {
        Driver::run(&case, Inv::OneClose);
    }

    /// 4. Every `reconnecting { attempt, delay }` (other than the `attempt 1, delay 0` that
    /// `reconnect()` announces) has `delay` within `[floor, ceiling]` of the backoff for
    /// `attempt` (±1 ms for rounding) with a timer set for it; a `close` saying
    /// `delay: Some(d)` is followed by `reconnecting` with `d`; and the announced attempt is
    /// not made before `delay` has passed (and is the attempt announced) unless `online`,
    /// visible, `pageshow`, `resume` or `reconnect()` came in between.
    #[test]
    fn backoff_delays_within_bounds_and_kept(case in case()) {
        Driver::run(&case, Inv::Backoff);
    }

    /// 5. Queue order kept: user messages are written in strictly increasing order, flushed
    /// oldest first; `stats().queued` matches the driver's count and never exceeds
    /// `queue.maxMessages`; `drop` hands back the oldest queued message; refusals hand back
    /// the message; and every message is written, queued, dropped or refused exactly once.
    #[test]
    fn queue_keeps_order_and_accounts_for_every_message(case in case()) {
        Driver::run(&case, Inv::Queue);
    }

    /// 6. Nothing scheduled after `close()`: once closed for good (after `close()`,
    /// `giveup`, or a `shouldReconnect` refusal) any input but `reconnect()` produces no
    /// command at all; in `State::Closed` `next_deadline()` is `None`; and after an accepted
    /// `close()` no `Open` comes before `reconnect()`.
    #[test]
    fn nothing_scheduled_after_close(case in case()) {
        Driver::run(&case, Inv::AfterClose);
    }

    /// 7. `open`/`reconnect` only on `Opened` of the live, connecting socket (and exactly
    /// one then); inputs of any other generation (never used, abandoned, closed) produce no
    /// command and change neither state, stats, deadline nor live generation.
    #[test]
    fn stale_generations_are_inert(case in case()) {
        Driver::run(&case, Inv::Generations);
    }

    /// 9. `maxRetries = n`: at most n + 1 attempts in a row without success in one series
    /// (see the comment in `observe`), no attempt numbered above max(n, 1), `giveup` never
    /// before attempt n and leaves nothing scheduled, and `stats().attempts` moves only
    /// when an attempt is made (or resets to 0).
    #[test]
    fn max_retries_bounds_the_attempts(case in case()) {
        Driver::run(&case, Inv::MaxRetries);
    }

    /// Extra (problem 4, "none are spent while offline"): with `pauseWhenOffline`, no
    /// attempt is made while the platform says offline, except by `reconnect()`.
    #[test]
    fn no_attempts_while_offline(case in case()) {
        Driver::run(&case, Inv::Offline);
    }

    /// Extra: `statechange` events track the state exactly; `stats().connected_since` is
    /// the open time of the current connection; `stats().reconnects` counts the
    /// connections after the first; `reconnect { attempt, downtime }` tells the attempt of
    /// the series and the time since the last connection went down; `heartbeat { rtt }`
    /// answers the last ping.
    #[test]
    fn what_the_user_reads_is_consistent(case in case()) {
        Driver::run(&case, Inv::Consistency);
    }

    /// Extra (problems 3 and 5): pings only with client heartbeats, ping replies only to
    /// server pings; visible / resume / persisted pageshow (with probeOnVisible), online
    /// (with reconnectOnOnline) and offline probe an open socket at once; a timer more than
    /// LATE_AFTER late never ends in a heartbeat or connection-timeout verdict.
    #[test]
    fn heartbeats_probe_and_late_timers_do_not_kill(case in case()) {
        Driver::run(&case, Inv::Heartbeat);
    }

    /// Extra (problem 3, "detection time is at most interval + timeout"): whenever the
    /// timer fires on an open socket (whether it survives or is found dead), the last sign
    /// of life (open, pong,
    /// server ping, or any message when it counts; a late timer restarts the clock) is at
    /// most `interval + timeout` ago, plus how late the timer fired since.
    #[test]
    fn silent_sockets_are_detected_in_time(case in case()) {
        Driver::run(&case, Inv::Detection);
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: cases_from_env().unwrap_or(DEFAULT_CASES / 2),
        ..proptest_config()
    })]

    /// 8. No panic, with configs at the edges of validation (1 ms and 24.8-day delays,
    /// factors up to f64::MAX, budgets up to u32::MAX, zero minUptime and
    /// closeWhenHiddenAfter) and longer runs. Every other run checks this too.
    #[test]
    fn no_panic_at_the_edges(case in case_with(extreme_config(), 300)) {
        Driver::run(&case, Inv::NoPanic);
    }
}

// ---------------------------------------------------------------------------------------
// Machine bugs the properties found, shrunk by hand to their smallest form. All are fixed
// (A-F and D') and kept as regression tests; TOLERATE_KNOWN_BUGS stays false. With the
// default fixed seed the properties do not reach D', E or F; a hunt with more cases does
// (`npm run hunt`, scripts/hunt.sh: random seeds, 10^5 cases per property, release build).
// ---------------------------------------------------------------------------------------

/// Bug A (found by `one_close_per_connection`; proptest shrank it to `Accept, Close(None),
/// Reconnect(None)`): `reconnect()` while the closing handshake of `close()` is under way
/// abandons the socket and connects again, but the connection that was open never gets its
/// `close` event: the user sees open, then open/reconnect, with no close in between
/// (DESIGN "Each disconnection emits exactly one close"). `Reconnect.downtime` is also wrong
/// then (the machine does not note when that connection went down: 0 here).
#[test]
fn bug_reconnect_while_closing_loses_the_close() {
    let mut sim = Sim::start(sim::config());
    sim.accept();
    sim.now = 100;
    sim.input(Input::Close {
        code: None,
        reason: "bye".into(),
    });
    assert_eq!(sim.state(), State::Closing);
    sim.now = 200;
    sim.input(Input::Reconnect {
        code: None,
        reason: "again".into(),
    });
    sim.now = 300;
    sim.accept();
    let events = sim.all_events();
    assert_eq!(
        sim.closes().len(),
        1,
        "the first connection needs exactly one close before the reconnect: {events:?}"
    );
    assert!(
        events
            .iter()
            .any(|(_, e)| matches!(e, Event::Reconnect { downtime, .. } if *downtime >= 100)),
        "downtime counts from when the connection was dropped: {events:?}"
    );
}

/// Bug B (found by `backoff_delays_within_bounds_and_kept`): with `reconnectOnOnline:
/// false`, `online` while the client is parked (here by `closeWhenHiddenAfter`, after a drop
/// while offline) emits `reconnecting { attempt: 1, delay }` although no timer is set: the
/// parked client makes no attempt until the page is visible, so the event announces an
/// attempt that does not come. (`network_back` does not check `paused()`.)
#[test]
fn bug_online_while_parked_announces_an_attempt() {
    let mut sim = Sim::start(Config {
        lifecycle: Lifecycle {
            reconnect_on_online: false,
            close_when_hidden_after: Some(1000.0),
            ..Lifecycle::default()
        },
        ..sim::config()
    });
    sim.accept();
    sim.input(Input::Offline);
    sim.server_close(1006); // dropped while offline: waits for the network, no timer
    sim.input(Input::Visibility { visible: false });
    sim.run_for(2000); // hidden for closeWhenHiddenAfter: parked until visible
    sim.take();
    sim.input(Input::Online);
    let announced = sim.events().into_iter().find_map(|e| match e {
        Event::Reconnecting { delay, .. } => Some(delay),
        _ => None,
    });
    if let Some(delay) = announced {
        sim.run_for(delay);
        assert!(
            sim.connecting.is_some(),
            "reconnecting announced an attempt in {delay} ms, none was made \
             (next_deadline {:?})",
            sim.machine.next_deadline()
        );
    }
}

/// Bug C (found by `no_attempts_while_offline`; shrunk to `Visibility(false), Offline,
/// RunFor(0), PageShow(false)` with `closeWhenHiddenAfter: 0`): a client parked by
/// `closeWhenHiddenAfter` (or `closeOnPageHide`) that comes back (visible, `pageshow`,
/// `resume`) makes an attempt at once even while offline with `pauseWhenOffline` — an
/// attempt wasted, against "while offline, no attempts are wasted". (`page_back` calls
/// `attempt_now` without checking the network; `check_now` does check it.)
#[test]
fn bug_page_back_attempts_while_offline() {
    let mut sim = Sim::start(Config {
        lifecycle: Lifecycle {
            close_when_hidden_after: Some(1000.0),
            ..Lifecycle::default()
        },
        ..sim::config()
    });
    sim.accept();
    sim.input(Input::Visibility { visible: false });
    sim.run_for(1000); // parked: the socket is closed for the hidden page
    assert!(sim.open.is_none() && sim.connecting.is_none());
    sim.input(Input::Offline);
    sim.input(Input::Visibility { visible: true });
    assert_eq!(
        sim.connecting, None,
        "an attempt while offline (pauseWhenOffline is on)"
    );
    sim.input(Input::Online);
    assert!(sim.connecting.is_some(), "online: attempt now");
}

/// Bug D (found by `silent_sockets_are_detected_in_time`; shrunk to: heartbeat 100/100,
/// `Accept, FireTimer, Jump(1), Online, FireTimer`): a probe (visible, resume, pageshow,
/// online, offline) while a ping is outstanding sends a new ping and moves the pong
/// deadline to `probe + timeout`. Each probe postpones the verdict, so a page that becomes
/// visible more often than every `timeout` keeps a dead socket open for ever, against
/// "detection time is at most interval + timeout". (A probe could keep the earlier
/// deadline: `min(deadline, now + timeout)`.)
#[test]
fn bug_probes_postpone_dead_socket_detection() {
    let mut sim = Sim::start(Config {
        heartbeat: Some(Heartbeat {
            interval: 1000.0,
            timeout: 1000.0,
            ..Heartbeat::default()
        }),
        ..sim::config()
    });
    sim.accept();
    // The server is dead from the start and never answers. The user flicks between tabs.
    for _ in 0..20 {
        sim.run_for(900);
        if sim.open.is_none() {
            break;
        }
        sim.input(Input::Visibility { visible: false });
        sim.input(Input::Visibility { visible: true });
    }
    let dropped_at = sim
        .log
        .iter()
        .find(|(_, c)| matches!(c, Command::Abandon { .. }))
        .map(|(t, _)| *t);
    assert!(
        dropped_at.is_some_and(|t| t <= 2000),
        "dead socket dropped at {dropped_at:?}, interval + timeout is 2000"
    );
}

/// Bug D' (found by `silent_sockets_are_detected_in_time` after the fix of D, with
/// `PROPTEST_CASES=3000`; shrunk to server pings only, interval 100, timeout 1116:
/// `Accept, Sleep(2217), RunFor(101), Visibility(true), FireTimer`, dropped at 3434 instead
/// of 3333): with server pings only, a timer that fired late gives the server a grace of
/// `timeout` from then; a probe (visible, resume, pageshow, online, offline) during that
/// grace still sees the silence as overdue (`heard_at + interval + timeout <= now`) and
/// moves the grace to `probe + timeout`. Repeated probes keep a dead socket open for ever.
/// (The probe could extend only when `(heard_at + interval + timeout).max(grace_until) <=
/// now`, i.e. when no verdict is still to come.)
#[test]
fn bug_probes_postpone_server_ping_grace_after_sleep() {
    let mut sim = Sim::start(Config {
        heartbeat: Some(Heartbeat {
            interval: 1000.0,
            timeout: 1000.0,
            client_ping: false,
            server_ping: true,
            ..Heartbeat::default()
        }),
        ..sim::config()
    });
    sim.accept();
    // The server died at once. The device sleeps; on waking the late timer gives the
    // server `timeout` (until 6000) to be heard from.
    sim.sleep_for(5000);
    assert!(sim.open.is_some(), "a late timer is no verdict");
    // The user flicks between tabs.
    for _ in 0..20 {
        sim.run_for(900);
        if sim.open.is_none() {
            break;
        }
        sim.input(Input::Visibility { visible: false });
        sim.input(Input::Visibility { visible: true });
    }
    let dropped_at = sim
        .log
        .iter()
        .find(|(_, c)| matches!(c, Command::Abandon { .. }))
        .map(|(t, _)| *t);
    assert!(
        dropped_at.is_some_and(|t| t <= 6000),
        "dead socket dropped at {dropped_at:?}; the grace after waking ended at 6000"
    );
}

/// Bug E (found by `silent_sockets_are_detected_in_time` with a random seed and 3000 cases;
/// shrunk to heartbeat 100/710 with anyMessageIsPong: `Accept, Visibility(true), FireTimer,
/// Resume, FireTimer`, dropped at 1420 instead of 710): with `anyMessageIsPong`, a ping sent
/// in the same millisecond as the last thing heard (here the open itself, when a probe comes
/// at once; or a message or pong arriving with the probe) is taken as answered when its
/// timeout ends, because the check is `heard_at >= sent_at`: nothing was heard after the
/// ping, yet the verdict is skipped and a new ping cycle starts, so a dead socket lives up
/// to interval + 2 × timeout. (Fixed with `heard_at > sent_at` in the working tree while
/// this was written.)
#[test]
fn bug_any_message_is_pong_counts_what_came_before_the_ping() {
    let mut sim = Sim::start(Config {
        heartbeat: Some(Heartbeat {
            interval: 100.0,
            timeout: 710.0,
            any_message_is_pong: true,
            ..Heartbeat::default()
        }),
        ..sim::config()
    });
    sim.accept();
    // The page is shown as the socket opens: probe at once. The server never answers and
    // sends nothing.
    sim.input(Input::Visibility { visible: true });
    assert_eq!(sim.pings(), [0]);
    sim.run_for(5000);
    let dropped_at = sim
        .log
        .iter()
        .find(|(_, c)| matches!(c, Command::Abandon { .. }))
        .map(|(t, _)| *t);
    assert!(
        dropped_at.is_some_and(|t| t <= 810),
        "dead socket dropped at {dropped_at:?}; the probe's pong was due at 710 \
         (interval + timeout is 810)"
    );
}

/// Bug F (issue 19; found by `silent_sockets_are_detected_in_time` with a random seed, once
/// in 4 hunts of 3000 cases; shrunk to server pings only, interval 100, timeout 100,
/// `probeOnVisible`: `Accept, Jump(1), Message, FireTimer, Jump(1), Visibility(true),
/// FireTimer`, dropped at 301 instead of 201): with server pings only, a probe (visible,
/// resume, pageshow, online, offline) that found the silence overdue gave the server a new
/// `timeout` from then, taking it for a page that slept through the verdict. Overdue by
/// LATE_AFTER or less, it did not sleep: the verdict was due, and the probe postponed it.
/// (Fixed: with server pings only a probe has nothing to send and leaves the schedule as it
/// is; a verdict the page did sleep through is handled by the late timer, which fires at
/// once and gives the grace.)
#[test]
fn bug_server_ping_probe_postpones_a_verdict_that_is_due() {
    let mut sim = Sim::start(Config {
        heartbeat: Some(Heartbeat {
            interval: 100.0,
            timeout: 100.0,
            client_ping: false,
            server_ping: true,
            ..Heartbeat::default()
        }),
        ..sim::config()
    });
    sim.accept();
    // The last sign of life, a data message at 1: the verdict is due at 1 + 100 + 100.
    sim.now = 1;
    sim.last_message_at = Some(1);
    sim.run_until(200); // the timer set for 200 learns of the message: not yet
    assert!(sim.open.is_some());
    assert_eq!(sim.machine.next_deadline(), Some(201));
    // The page becomes visible when the verdict is due, before the timer fires.
    sim.now = 201;
    sim.input(Input::Visibility { visible: true });
    assert_eq!(
        sim.machine.next_deadline(),
        Some(201),
        "the probe moved the verdict"
    );
    sim.run_for(1000);
    let dropped_at = sim
        .log
        .iter()
        .find(|(_, c)| matches!(c, Command::Abandon { .. }))
        .map(|(t, _)| *t);
    assert_eq!(
        dropped_at,
        Some(201),
        "dead socket dropped at {dropped_at:?}; silent since 1, interval + timeout is 200"
    );
    assert_eq!(
        sim.closes().pop().map(|c| c.reason),
        Some("server ping timeout".into())
    );
}

/// Bug F again, through `online` (`reconnectOnOnline`): the verdict due at 1229 (silent since
/// the open at 0, interval 876 + timeout 353) fell at 1582, `online` at 1229 having given the
/// server a new `timeout`. Found by `scripts/hunt.sh 3000` on the machine before the fix
/// (round 5, PROPTEST_SEED=3794872756407566544, PROPTEST_CASES=3000) and kept as the script
/// printed it: a replay of the shrunk case under the invariant it broke.
#[test]
fn bug_server_ping_probe_on_online_postpones_a_verdict_that_is_due() {
    let case = Case {
        config: Config {
            backoff: Backoff {
                initial_delay: 100.0,
                max_delay: 100.0,
                factor: 1.0,
                jitter: Jitter::Full,
                max_retries: f64::INFINITY,
                min_uptime: 0.0,
            },
            connection_timeout: 100.0,
            close_timeout: 100.0,
            heartbeat: Some(Heartbeat {
                interval: 876.0,
                timeout: 353.0,
                client_ping: false,
                any_message_is_pong: false,
                server_ping: true,
            }),
            queue: Queue {
                max_messages: 0.0,
                overflow: Overflow::Throw,
            },
            lifecycle: Lifecycle {
                probe_on_visible: false,
                reconnect_on_online: true,
                pause_when_offline: false,
                close_when_hidden_after: None,
                close_on_page_hide: false,
            },
            should_reconnect: false,
            reconnect_listener: false,
            start_closed: false,
        },
        seed: 0,
        prompt: false,
        answers: vec![false],
        actions: vec![
            Action::Accept,
            Action::RunFor(1186),
            Action::Jump(43),
            Action::Online,
            Action::RunFor(353),
        ],
    };
    Driver::run(&case, Inv::Detection);
}
