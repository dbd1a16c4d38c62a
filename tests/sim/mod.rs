//! A simulated driver for the core: a fake clock, one "timer", and a record of every
//! command, so tests read like the protocol's rules. Shared by the scenario and property
//! tests.
#![allow(dead_code)]

use lifeline_ws::core::{
    CloseInfo, Command, Config, ErrorCause, Event, Generation, Input, InputError, Machine, Millis,
    Outgoing, State,
};

/// A machine plus the world around it.
pub struct Sim {
    pub machine: Machine<String>,
    /// The fake clock.
    pub now: Millis,
    /// Every command, with the time it was polled.
    pub log: Vec<(Millis, Command<String>)>,
    /// Index into `log` of the first command `take()` has not returned yet.
    cursor: usize,
    /// The socket asked for and not yet opened, closed or abandoned.
    pub connecting: Option<Generation>,
    /// The open socket, not yet closed or abandoned.
    pub open: Option<Generation>,
    /// Sockets the machine abandoned.
    pub abandoned: Vec<Generation>,
    /// What the driver would report as the time of the last message.
    pub last_message_at: Option<Millis>,
}

impl Sim {
    /// A started machine with `config` and a fixed seed, at time 0.
    pub fn start(config: Config) -> Sim {
        let mut sim = Sim::new(config);
        sim.input(Input::Start);
        sim
    }

    /// A machine not started yet.
    pub fn new(config: Config) -> Sim {
        Sim {
            machine: Machine::new(config, 0x5eed).expect("valid config"),
            now: 0,
            log: Vec::new(),
            cursor: 0,
            connecting: None,
            open: None,
            abandoned: Vec::new(),
            last_message_at: None,
        }
    }

    /// Feeds an input now; panics if the machine refuses it.
    pub fn input(&mut self, input: Input<String>) {
        self.try_input(input).expect("input accepted");
    }

    /// Feeds an input now and drains the commands into the log.
    pub fn try_input(&mut self, input: Input<String>) -> Result<(), InputError<String>> {
        let result = self.machine.handle(input, self.now);
        self.drain();
        result
    }

    fn drain(&mut self) {
        while let Some(command) = self.machine.poll_command() {
            match &command {
                Command::Open { generation } => {
                    assert!(
                        self.connecting.is_none() && self.open.is_none(),
                        "second live socket"
                    );
                    self.connecting = Some(*generation);
                }
                Command::Abandon { generation, .. } => {
                    self.abandoned.push(*generation);
                    if self.connecting == Some(*generation) {
                        self.connecting = None;
                    }
                    if self.open == Some(*generation) {
                        self.open = None;
                    }
                }
                Command::Send { generation, .. } | Command::Close { generation, .. } => {
                    assert_eq!(
                        Some(*generation),
                        self.open,
                        "command for a socket not open"
                    );
                }
                _ => {}
            }
            self.log.push((self.now, command));
        }
    }

    /// Moves the clock to `to`, firing the timer at each deadline on the way, exactly when
    /// it is due.
    pub fn run_until(&mut self, to: Millis) {
        while let Some(due) = self.machine.next_deadline().filter(|&d| d <= to) {
            self.now = self.now.max(due);
            self.input(Input::Deadline {
                last_message_at: self.last_message_at,
            });
        }
        self.now = self.now.max(to);
    }

    /// Moves the clock by `by`, firing deadlines on time.
    pub fn run_for(&mut self, by: Millis) {
        self.run_until(self.now + by);
    }

    /// Moves the clock by `by` without firing anything (the device slept or the page was
    /// frozen), then fires the timer once, late.
    pub fn sleep_for(&mut self, by: Millis) {
        self.now += by;
        self.input(Input::Deadline {
            last_message_at: self.last_message_at,
        });
    }

    /// Runs until the machine asks for a socket (at most `limit` ms), and returns its
    /// generation.
    pub fn wait_for_open_command(&mut self, limit: Millis) -> Generation {
        let until = self.now + limit;
        while self.connecting.is_none() {
            let due = self
                .machine
                .next_deadline()
                .filter(|&d| d <= until)
                .expect("an attempt should be scheduled");
            self.now = self.now.max(due);
            self.input(Input::Deadline {
                last_message_at: self.last_message_at,
            });
        }
        self.connecting.unwrap()
    }

    /// The server accepts the pending socket.
    pub fn accept(&mut self) -> Generation {
        let generation = self.connecting.take().expect("a socket is connecting");
        self.open = Some(generation);
        self.input(Input::Opened { generation });
        generation
    }

    /// The pending socket fails to connect (error, then close 1006).
    pub fn refuse(&mut self) {
        let generation = self.connecting.take().expect("a socket is connecting");
        self.input(Input::Error {
            generation,
            cause: ErrorCause::Socket,
        });
        self.input(Input::Closed {
            generation,
            code: 1006,
            reason: String::new(),
            was_clean: false,
        });
    }

    /// The server closes the open socket with `code`.
    pub fn server_close(&mut self, code: u16) {
        let generation = self.open.take().expect("a socket is open");
        self.input(Input::Closed {
            generation,
            code,
            reason: "bye".into(),
            was_clean: code != 1006,
        });
    }

    /// The open socket's close handshake completes (after the machine asked to close it).
    pub fn close_completes(&mut self, code: u16) {
        let generation = self.open.take().expect("a socket is open");
        self.input(Input::Closed {
            generation,
            code,
            reason: String::new(),
            was_clean: true,
        });
    }

    /// The server answers with a pong.
    pub fn pong(&mut self) {
        let generation = self.open.expect("a socket is open");
        self.input(Input::Pong { generation });
    }

    /// Commands since the last call.
    pub fn take(&mut self) -> Vec<Command<String>> {
        let new = self.log[self.cursor..]
            .iter()
            .map(|(_, c)| c.clone())
            .collect();
        self.cursor = self.log.len();
        new
    }

    /// Events since the last call (other commands are skipped, not kept).
    pub fn events(&mut self) -> Vec<Event<String>> {
        self.take()
            .into_iter()
            .filter_map(|c| match c {
                Command::Emit(Event::StateChange(_)) => None,
                Command::Emit(e) => Some(e),
                _ => None,
            })
            .collect()
    }

    /// Every event so far, with its time, state changes left out.
    pub fn all_events(&self) -> Vec<(Millis, Event<String>)> {
        self.log
            .iter()
            .filter_map(|(t, c)| match c {
                Command::Emit(Event::StateChange(_)) => None,
                Command::Emit(e) => Some((*t, e.clone())),
                _ => None,
            })
            .collect()
    }

    /// Every `close` event so far.
    pub fn closes(&self) -> Vec<CloseInfo> {
        self.all_events()
            .into_iter()
            .filter_map(|(_, e)| match e {
                Event::Close(info) => Some(info),
                _ => None,
            })
            .collect()
    }

    /// How many of the logged commands match.
    pub fn count(&self, pred: impl Fn(&Command<String>) -> bool) -> usize {
        self.log.iter().filter(|(_, c)| pred(c)).count()
    }

    /// Times at which the machine sent a heartbeat ping.
    pub fn pings(&self) -> Vec<Millis> {
        self.log
            .iter()
            .filter(|(_, c)| {
                matches!(
                    c,
                    Command::Send {
                        message: Outgoing::Ping,
                        ..
                    }
                )
            })
            .map(|(t, _)| *t)
            .collect()
    }

    /// The messages written to sockets, in order.
    pub fn sent_messages(&self) -> Vec<String> {
        self.log
            .iter()
            .filter_map(|(_, c)| match c {
                Command::Send {
                    message: Outgoing::Message(m),
                    ..
                } => Some(m.clone()),
                _ => None,
            })
            .collect()
    }

    pub fn state(&self) -> State {
        self.machine.state()
    }
}

/// A config with a `reconnect` listener, so `open` and `reconnect` are told apart.
pub fn config() -> Config {
    Config {
        reconnect_listener: true,
        ..Config::default()
    }
}
