//! One scenario per rule of docs/design.md, driven by a fake clock: each would fail without the
//! behaviour it names.

mod sim;

use lifeline_ws::core::{
    Backoff, CloseInfo, Command, Config, ConfigError, ErrorCause, Event, Expected, Generation,
    Heartbeat, Input, InputError, Jitter, Lifecycle, Outgoing, Overflow, Queue, State,
    CODE_ABNORMAL, LATE_AFTER, RECHECK_WINDOW,
};
use sim::{config, Sim};

fn no_jitter() -> Config {
    Config {
        backoff: Backoff {
            jitter: Jitter::None,
            ..Backoff::default()
        },
        ..config()
    }
}

fn heartbeat(interval: f64, timeout: f64) -> Config {
    Config {
        heartbeat: Some(Heartbeat {
            interval,
            timeout,
            ..Heartbeat::default()
        }),
        ..config()
    }
}

fn is_open_event(e: &Event<String>) -> bool {
    matches!(e, Event::Open | Event::Reconnect { .. })
}

// ----- problem 1: reconnect works every time -----

#[test]
fn ten_drops_each_give_one_close_and_one_reconnect() {
    let mut sim = Sim::start(config());
    sim.accept();
    assert_eq!(sim.events(), [Event::Open]);
    for (i, code) in [1000, 1001, 1011, 4000, 1006, 1000, 1001, 1011, 4000, 1006]
        .into_iter()
        .enumerate()
    {
        sim.run_for(10_000); // stable for longer than minUptime
        sim.server_close(code);
        let after_drop = sim.events();
        let closes: Vec<&CloseInfo> = after_drop
            .iter()
            .filter_map(|e| match e {
                Event::Close(c) => Some(c),
                _ => None,
            })
            .collect();
        assert_eq!(closes.len(), 1, "drop {i}: one close, got {after_drop:?}");
        assert_eq!(closes[0].code, code);
        assert!(closes[0].will_reconnect, "drop {i}");
        sim.wait_for_open_command(31_000);
        sim.accept();
        let reopened = sim.events();
        assert_eq!(
            reopened.iter().filter(|e| is_open_event(e)).count(),
            1,
            "drop {i}: {reopened:?}"
        );
        assert!(
            matches!(reopened[0], Event::Reconnect { attempt: 1, .. }),
            "{reopened:?}"
        );
    }
    assert_eq!(sim.machine.stats().reconnects, 10);
    assert_eq!(sim.closes().len(), 10);
}

// ----- problem 2: open once, then reconnect -----

#[test]
fn open_fires_once_then_reconnect_with_attempt_and_downtime() {
    let mut sim = Sim::start(no_jitter());
    sim.now = 5;
    sim.accept();
    sim.run_for(10_000);
    sim.server_close(1001);
    let drop_at = sim.now;
    sim.wait_for_open_command(5_000);
    sim.refuse();
    sim.wait_for_open_command(5_000);
    sim.accept();
    let events = sim.all_events();
    assert_eq!(events.iter().filter(|(_, e)| *e == Event::Open).count(), 1);
    let (at, reconnect) = events
        .iter()
        .find(|(_, e)| matches!(e, Event::Reconnect { .. }))
        .unwrap()
        .clone();
    // Attempt 1 after 1000 ms failed; attempt 2 after 2000 ms more succeeded.
    assert_eq!(
        reconnect,
        Event::Reconnect {
            attempt: 2,
            downtime: 3000
        }
    );
    assert_eq!(at, drop_at + 3000);
}

#[test]
fn without_a_reconnect_listener_every_connection_emits_open() {
    let mut sim = Sim::start(Config::default());
    sim.accept();
    sim.server_close(1000);
    sim.wait_for_open_command(2_000);
    sim.accept();
    let opens = sim
        .all_events()
        .into_iter()
        .filter(|(_, e)| *e == Event::Open)
        .count();
    assert_eq!(opens, 2);
    // The listener appears later: from then on, `reconnect`.
    sim.machine.set_reconnect_listener(true);
    sim.server_close(1000);
    sim.wait_for_open_command(2_000);
    sim.accept();
    assert!(matches!(sim.events().last(), Some(Event::Reconnect { .. })));
}

#[test]
fn events_of_a_stale_generation_are_ignored() {
    let mut sim = Sim::start(config());
    let old = sim.connecting.unwrap();
    sim.run_for(10_000); // connectionTimeout: generation 1 is abandoned
    assert_eq!(sim.abandoned, [old]);
    sim.wait_for_open_command(1_000);
    sim.take();
    for input in [
        Input::Opened { generation: old },
        Input::Pong { generation: old },
        Input::ServerPing { generation: old },
        Input::Error {
            generation: old,
            cause: ErrorCause::Socket,
        },
        Input::Closed {
            generation: old,
            code: 1000,
            reason: String::new(),
            was_clean: true,
        },
        Input::Opened {
            generation: Generation(99),
        },
    ] {
        sim.input(input);
    }
    assert_eq!(sim.take(), [], "stale inputs produce nothing");
    assert_eq!(sim.state(), State::Connecting);
    sim.accept();
    assert_eq!(sim.events(), [Event::Open]);
}

// ----- problem 3: dead connections are noticed -----

#[test]
fn muted_server_is_detected_within_interval_plus_timeout() {
    let mut sim = Sim::start(heartbeat(1000.0, 1000.0));
    sim.accept();
    // Healthy for a while: every ping answered.
    for _ in 0..5 {
        sim.run_until(sim.machine.next_deadline().unwrap());
        sim.now += 20;
        sim.pong();
    }
    assert_eq!(
        sim.count(|c| matches!(c, Command::Emit(Event::Heartbeat { rtt: 20 }))),
        5
    );
    assert_eq!(sim.machine.stats().last_rtt, Some(20));
    // The server goes mute right after answering.
    let muted_at = sim.now;
    sim.run_for(5_000);
    let close = sim.closes().pop().expect("dead connection detected");
    assert_eq!(close.code, CODE_ABNORMAL);
    assert_eq!(close.reason, "heartbeat timeout");
    assert!(!close.was_clean && close.will_reconnect);
    let detected_at = sim
        .log
        .iter()
        .find(|(_, c)| matches!(c, Command::Abandon { .. }))
        .unwrap()
        .0;
    assert!(
        detected_at - muted_at <= 2000,
        "took {}",
        detected_at - muted_at
    );
}

#[test]
fn dead_socket_is_abandoned_not_closed_politely() {
    let mut sim = Sim::start(heartbeat(1000.0, 500.0));
    let generation = sim.accept();
    sim.run_for(1_500);
    let commands = sim.take();
    assert!(commands.contains(&Command::Abandon {
        generation,
        code: 1000,
        reason: "heartbeat timeout".into(),
        dead: true,
    }));
    assert!(!commands.iter().any(|c| matches!(c, Command::Close { .. })));
    assert_eq!(sim.state(), State::Waiting);
}

#[test]
fn any_message_counts_as_pong_and_saves_pings() {
    let mut sim = Sim::start(Config {
        heartbeat: Some(Heartbeat {
            interval: 1000.0,
            timeout: 500.0,
            any_message_is_pong: true,
            ..Heartbeat::default()
        }),
        ..config()
    });
    sim.accept();
    // Data arrives every 400 ms for 5 s: no ping is needed, the socket stays.
    for _ in 0..12 {
        sim.run_for(400);
        sim.last_message_at = Some(sim.now);
    }
    assert_eq!(sim.pings(), [] as [u64; 0]);
    assert_eq!(sim.state(), State::Open);
    // Silence: a ping after `interval`, then death after `timeout`.
    sim.run_for(2_000);
    assert_eq!(sim.pings().len(), 1);
    assert_eq!(sim.closes().pop().unwrap().reason, "heartbeat timeout");
}

#[test]
fn data_after_a_ping_proves_life_with_any_message_is_pong() {
    let mut sim = Sim::start(Config {
        heartbeat: Some(Heartbeat {
            interval: 1000.0,
            timeout: 500.0,
            any_message_is_pong: true,
            ..Heartbeat::default()
        }),
        ..config()
    });
    sim.accept();
    sim.run_for(1_000);
    assert_eq!(sim.pings(), [1000]);
    sim.now += 100;
    sim.last_message_at = Some(sim.now); // data, not a pong
    sim.run_for(1_000);
    assert_eq!(sim.state(), State::Open);
    assert!(sim.closes().is_empty());
}

#[test]
fn server_pings_are_answered_and_their_silence_is_death() {
    let mut sim = Sim::start(Config {
        heartbeat: Some(Heartbeat {
            interval: 1000.0,
            timeout: 500.0,
            client_ping: false,
            server_ping: true,
            ..Heartbeat::default()
        }),
        ..config()
    });
    let generation = sim.accept();
    for _ in 0..5 {
        sim.run_for(900);
        sim.input(Input::ServerPing { generation });
    }
    let replies = sim.count(|c| {
        matches!(
            c,
            Command::Send {
                message: Outgoing::PingReply,
                ..
            }
        )
    });
    assert_eq!(replies, 5);
    assert_eq!(
        sim.pings(),
        [] as [u64; 0],
        "no client pings in server-ping mode"
    );
    assert_eq!(sim.state(), State::Open);
    let last_ping = sim.now;
    sim.run_for(3_000);
    let close = sim.closes().pop().expect("silence detected");
    assert_eq!(close.reason, "server ping timeout");
    let at = sim
        .log
        .iter()
        .find(|(_, c)| matches!(c, Command::Abandon { .. }))
        .unwrap()
        .0;
    assert_eq!(at, last_ping + 1500);
}

// ----- problem 4: backoff that does not hammer -----

#[test]
fn failed_attempts_back_off_exponentially_to_the_cap() {
    let mut sim = Sim::start(Config {
        backoff: Backoff {
            jitter: Jitter::None,
            initial_delay: 500.0,
            max_delay: 5000.0,
            factor: 3.0,
            ..Backoff::default()
        },
        ..config()
    });
    let mut delays = Vec::new();
    for _ in 0..6 {
        sim.refuse();
        match sim.events().as_slice() {
            [Event::Error { .. }, Event::Reconnecting { delay, .. }] => delays.push(*delay),
            other => panic!("{other:?}"),
        }
        sim.wait_for_open_command(10_000);
    }
    assert_eq!(delays, [500, 1500, 4500, 5000, 5000, 5000]);
    assert_eq!(sim.machine.stats().attempts, 6);
}

#[test]
fn jittered_delays_stay_within_their_band() {
    for jitter in [Jitter::Full, Jitter::Equal] {
        let backoff = Backoff {
            jitter,
            ..Backoff::default()
        };
        let mut sim = Sim::start(Config {
            backoff,
            ..config()
        });
        for _ in 0..40 {
            sim.refuse();
            let Some(Event::Reconnecting { attempt, delay }) = sim.events().pop() else {
                panic!()
            };
            let (lo, hi) = (backoff.floor(attempt).floor(), backoff.ceiling(attempt));
            assert!(
                (lo..=hi).contains(&(delay as f64)),
                "{jitter:?} attempt {attempt}: {delay} outside [{lo}, {hi}]"
            );
            sim.wait_for_open_command(31_000);
        }
    }
}

#[test]
fn flapping_server_keeps_backing_off_until_min_uptime() {
    let mut sim = Sim::start(no_jitter());
    sim.accept();
    // Accepts, then drops after 100 ms, over and over: delays must keep growing.
    let mut delays = Vec::new();
    for _ in 0..5 {
        sim.run_for(100);
        sim.server_close(1011);
        let Some(Event::Reconnecting { delay, .. }) = sim.events().pop() else {
            panic!()
        };
        delays.push(delay);
        sim.wait_for_open_command(60_000);
        sim.accept();
    }
    // The first drop came after a connection that was up 100 ms < minUptime: attempt 1 was
    // the first connection's series, so the delays grow from the start.
    assert_eq!(delays, [1000, 2000, 4000, 8000, 16000]);
    // Once a connection stays up for minUptime, the series starts over.
    sim.run_for(5_000);
    sim.server_close(1011);
    assert!(matches!(
        sim.events().pop(),
        Some(Event::Reconnecting {
            attempt: 1,
            delay: 1000
        })
    ));
}

#[test]
fn hanging_handshake_is_cut_at_connection_timeout() {
    let mut sim = Sim::start(Config {
        connection_timeout: 3000.0,
        ..no_jitter()
    });
    let slow = sim.connecting.unwrap();
    assert_eq!(sim.machine.next_deadline(), Some(3000));
    sim.run_for(2_999);
    assert_eq!(sim.state(), State::Connecting);
    sim.run_for(1);
    assert_eq!(sim.abandoned, [slow]);
    let events = sim.events();
    assert!(events.contains(&Event::Error {
        cause: ErrorCause::ConnectionTimeout
    }));
    assert!(
        !events.iter().any(|e| matches!(e, Event::Close(_))),
        "never opened: no close"
    );
    // The slow handshake completes late: nothing happens, no second live connection.
    sim.input(Input::Opened { generation: slow });
    assert_eq!(sim.events(), []);
    assert_eq!(sim.state(), State::Waiting);
    sim.wait_for_open_command(2_000);
    sim.accept();
    assert_eq!(sim.events(), [Event::Open]);
}

#[test]
fn giveup_after_max_retries_then_reconnect_starts_over() {
    let mut sim = Sim::start(Config {
        backoff: Backoff {
            max_retries: 3.0,
            jitter: Jitter::None,
            ..Backoff::default()
        },
        ..config()
    });
    sim.accept();
    sim.run_for(10_000);
    sim.server_close(1011);
    for _ in 0..3 {
        sim.wait_for_open_command(10_000);
        sim.refuse();
    }
    let events = sim.events();
    assert_eq!(events.last(), Some(&Event::GiveUp { attempts: 3 }));
    assert_eq!(sim.state(), State::Closed);
    assert_eq!(sim.machine.next_deadline(), None);
    sim.run_for(100_000);
    assert!(sim.connecting.is_none(), "no attempts after giveup");
    // The object is still usable: reconnect() starts over at attempt 1.
    sim.input(Input::Reconnect {
        code: None,
        reason: String::new(),
    });
    assert!(sim.connecting.is_some());
    assert_eq!(sim.machine.stats().attempts, 1);
    sim.accept();
    assert!(matches!(
        sim.events().last(),
        Some(Event::Reconnect { attempt: 1, .. })
    ));
}

#[test]
fn max_retries_zero_gives_up_after_the_first_drop() {
    let mut sim = Sim::start(Config {
        backoff: Backoff {
            max_retries: 0.0,
            ..Backoff::default()
        },
        ..config()
    });
    sim.accept();
    sim.events();
    sim.server_close(1006);
    let events = sim.events();
    assert!(
        matches!(
            &events[..],
            [
                Event::Close(CloseInfo {
                    will_reconnect: false,
                    ..
                }),
                Event::GiveUp { attempts: 0 }
            ]
        ),
        "{events:?}"
    );
}

// ----- the send queue -----

#[test]
fn messages_sent_while_down_flush_in_order_before_the_open_event() {
    let mut sim = Sim::start(config());
    for i in 0..100 {
        sim.input(Input::Send(format!("m{i}")));
    }
    assert_eq!(sim.machine.stats().queued, 100);
    let generation = sim.accept();
    let commands = sim.take();
    let sends: Vec<&Command<String>> = commands
        .iter()
        .filter(|c| matches!(c, Command::Send { .. }))
        .collect();
    assert_eq!(sends.len(), 100);
    for (i, c) in sends.iter().enumerate() {
        assert_eq!(
            **c,
            Command::Send {
                generation,
                message: Outgoing::Message(format!("m{i}"))
            }
        );
    }
    let open_at = commands
        .iter()
        .position(|c| *c == Command::Emit(Event::Open))
        .unwrap();
    let last_send = commands
        .iter()
        .rposition(|c| matches!(c, Command::Send { .. }))
        .unwrap();
    assert!(
        last_send < open_at,
        "queued messages go before the open listener runs"
    );
    assert_eq!(sim.machine.stats().queued, 0);
    // While open, sends go straight out.
    sim.input(Input::Send("live".into()));
    assert_eq!(sim.sent_messages().last().unwrap(), "live");
}

#[test]
fn full_queue_throws_and_hands_the_message_back() {
    let mut sim = Sim::start(Config {
        queue: Queue {
            max_messages: 2.0,
            overflow: Overflow::Throw,
        },
        ..config()
    });
    sim.input(Input::Send("a".into()));
    sim.input(Input::Send("b".into()));
    let err = sim.try_input(Input::Send("c".into())).unwrap_err();
    assert_eq!(
        err,
        InputError::QueueFull {
            message: "c".into(),
            max: 2
        }
    );
    assert!(err.to_string().contains("full (2 messages"), "{err}");
    assert_eq!(sim.machine.stats().queued, 2);
}

#[test]
fn drop_oldest_hands_the_dropped_message_to_a_drop_event() {
    let mut sim = Sim::start(Config {
        queue: Queue {
            max_messages: 2.0,
            overflow: Overflow::DropOldest,
        },
        ..config()
    });
    for m in ["a", "b", "c"] {
        sim.input(Input::Send(m.into()));
    }
    assert_eq!(sim.events(), [Event::Drop("a".into())]);
    sim.accept();
    assert_eq!(sim.sent_messages(), ["b", "c"]);
}

#[test]
fn queueing_off_refuses_sends_while_not_open() {
    let mut sim = Sim::start(Config {
        queue: Queue {
            max_messages: 0.0,
            overflow: Overflow::Throw,
        },
        ..config()
    });
    let err = sim.try_input(Input::Send("x".into())).unwrap_err();
    assert!(err.to_string().contains("queueing is off"), "{err}");
}

// ----- close() -----

#[test]
fn close_while_open_completes_the_handshake_and_leaves_nothing_scheduled() {
    let mut sim = Sim::start(heartbeat(1000.0, 1000.0));
    let generation = sim.accept();
    sim.take();
    sim.input(Input::Close {
        code: Some(4001),
        reason: "done".into(),
    });
    assert_eq!(sim.state(), State::Closing);
    assert!(sim.take().contains(&Command::Close {
        generation,
        code: Some(4001),
        reason: "done".into()
    }));
    sim.close_completes(4001);
    assert_eq!(sim.state(), State::Closed);
    let close = sim.closes().pop().unwrap();
    assert!(!close.will_reconnect && close.delay.is_none());
    assert_eq!(sim.machine.next_deadline(), None);
    sim.take();
    sim.run_for(1_000_000);
    sim.input(Input::Online);
    sim.input(Input::Visibility { visible: true });
    sim.input(Input::PageShow { persisted: true });
    let after: Vec<_> = sim.take();
    assert_eq!(after, [], "nothing after close()");
    let err = sim.try_input(Input::Send("late".into())).unwrap_err();
    assert_eq!(err, InputError::Closed("late".into()));
}

#[test]
fn closing_handshake_that_never_completes_is_cut() {
    let mut sim = Sim::start(config());
    sim.accept();
    sim.input(Input::Close {
        code: None,
        reason: String::new(),
    });
    sim.run_for(10_000);
    assert_eq!(sim.state(), State::Closed);
    let close = sim.closes().pop().unwrap();
    assert_eq!(
        (close.code, close.was_clean, close.will_reconnect),
        (1006, false, false)
    );
    assert_eq!(sim.machine.next_deadline(), None);
}

#[test]
fn close_while_waiting_emits_a_final_close_and_stops() {
    let mut sim = Sim::start(config());
    sim.accept();
    sim.server_close(1006);
    sim.events();
    sim.input(Input::Close {
        code: None,
        reason: String::new(),
    });
    assert!(matches!(
        &sim.events()[..],
        [Event::Close(CloseInfo {
            code: 1005,
            will_reconnect: false,
            ..
        })]
    ));
    assert_eq!(sim.machine.next_deadline(), None);
    sim.run_for(60_000);
    assert!(sim.connecting.is_none());
}

#[test]
fn invalid_close_codes_and_reasons_are_refused() {
    let mut sim = Sim::start(config());
    sim.accept();
    let bad = sim.try_input(Input::Close {
        code: Some(1001),
        reason: String::new(),
    });
    assert_eq!(bad, Err(InputError::InvalidCloseCode(1001)));
    let long = sim.try_input(Input::Reconnect {
        code: None,
        reason: "x".repeat(124),
    });
    assert_eq!(long, Err(InputError::ReasonTooLong { bytes: 124 }));
    assert_eq!(sim.state(), State::Open, "a refused call changes nothing");
}

#[test]
fn reconnect_while_open_drops_the_socket_and_connects_now() {
    let mut sim = Sim::start(config());
    let first = sim.accept();
    sim.events();
    sim.input(Input::Reconnect {
        code: Some(4000),
        reason: "new token".into(),
    });
    assert_eq!(sim.abandoned, [first]);
    assert!(sim.connecting.is_some(), "connects at once");
    let events = sim.events();
    assert!(matches!(
        &events[..],
        [
            Event::Close(CloseInfo {
                code: 4000,
                will_reconnect: true,
                delay: Some(0),
                ..
            }),
            Event::Reconnecting {
                attempt: 1,
                delay: 0
            }
        ]
    ));
    sim.accept();
    assert!(matches!(
        sim.events()[..],
        [Event::Reconnect { attempt: 1, .. }]
    ));
}

#[test]
fn start_closed_waits_for_reconnect() {
    let mut sim = Sim::start(Config {
        start_closed: true,
        ..config()
    });
    assert_eq!(sim.state(), State::Closed);
    assert!(sim.connecting.is_none());
    assert_eq!(sim.machine.next_deadline(), None);
    // Messages sent before the first connection wait for it.
    sim.input(Input::Send("early".into()));
    sim.input(Input::Reconnect {
        code: None,
        reason: String::new(),
    });
    sim.accept();
    assert_eq!(sim.events(), [Event::Open]);
    assert_eq!(sim.sent_messages(), ["early"]);
}

// ----- shouldReconnect -----

#[test]
fn should_reconnect_is_asked_and_obeyed() {
    let mut sim = Sim::start(Config {
        should_reconnect: true,
        ..no_jitter()
    });
    sim.accept();
    sim.server_close(4000);
    let ask = sim.take();
    assert!(ask.contains(&Command::AskShouldReconnect {
        code: 4000,
        reason: "bye".into(),
        was_clean: true
    }));
    assert!(!ask
        .iter()
        .any(|c| matches!(c, Command::Emit(Event::Close(_)))));
    sim.input(Input::ShouldReconnect(true));
    assert!(matches!(
        &sim.events()[..],
        [
            Event::Close(CloseInfo {
                will_reconnect: true,
                delay: Some(1000),
                ..
            }),
            Event::Reconnecting { .. }
        ]
    ));
    sim.wait_for_open_command(1_000);
    sim.accept();
    sim.server_close(4001);
    sim.input(Input::ShouldReconnect(false));
    assert!(matches!(
        &sim.events()[..],
        [
            Event::Reconnect { .. },
            Event::Close(CloseInfo {
                code: 4001,
                will_reconnect: false,
                ..
            })
        ]
    ));
    assert_eq!(sim.state(), State::Closed);
    assert_eq!(sim.machine.next_deadline(), None);
}

// ----- problem 5: the page's life -----

#[test]
fn offline_spends_no_attempts_and_online_attempts_at_once() {
    let mut sim = Sim::start(Config {
        backoff: Backoff {
            initial_delay: 5000.0,
            max_retries: 2.0,
            jitter: Jitter::None,
            ..Backoff::default()
        },
        ..config()
    });
    sim.accept();
    sim.input(Input::Offline);
    sim.server_close(1006);
    let close = sim.closes().pop().unwrap();
    assert!(close.will_reconnect && close.delay.is_none(), "{close:?}");
    assert_eq!(sim.machine.next_deadline(), None, "no timer while offline");
    sim.run_for(10 * 60_000);
    assert!(sim.connecting.is_none(), "no attempt while offline");
    assert_eq!(sim.machine.stats().attempts, 0);
    sim.input(Input::Online);
    assert!(
        sim.connecting.is_some(),
        "online: attempt at once, not after 5 s"
    );
    assert_eq!(sim.machine.stats().attempts, 1);
}

#[test]
fn going_offline_while_waiting_cancels_the_pending_attempt() {
    let mut sim = Sim::start(no_jitter());
    sim.refuse();
    assert_eq!(sim.machine.next_deadline(), Some(1000));
    sim.input(Input::Offline);
    assert_eq!(sim.machine.next_deadline(), None);
    sim.run_for(60_000);
    assert!(sim.connecting.is_none());
    assert!(sim
        .events()
        .iter()
        .all(|e| !matches!(e, Event::GiveUp { .. })));
}

#[test]
fn online_without_reconnect_on_online_resumes_the_backoff() {
    let mut sim = Sim::start(Config {
        lifecycle: Lifecycle {
            reconnect_on_online: false,
            ..Lifecycle::default()
        },
        ..no_jitter()
    });
    sim.refuse();
    sim.input(Input::Offline);
    sim.input(Input::Online);
    assert!(sim.connecting.is_none(), "waits out its backoff");
    sim.run_for(1000);
    assert!(sim.connecting.is_some());
}

#[test]
fn visible_again_probes_an_open_socket_at_once() {
    let mut sim = Sim::start(heartbeat(25_000.0, 2_000.0));
    sim.accept();
    sim.input(Input::Visibility { visible: false });
    sim.run_for(3_000);
    assert_eq!(sim.pings(), [] as [u64; 0]);
    sim.input(Input::Visibility { visible: true });
    assert_eq!(sim.pings(), [3_000], "probe at once");
    // The server was muted while hidden: reconnecting within the probe timeout.
    sim.run_for(2_000);
    assert_eq!(sim.closes().pop().unwrap().reason, "heartbeat timeout");
    assert_eq!(sim.state(), State::Waiting);
}

#[test]
fn visible_again_attempts_at_once_instead_of_waiting_out_backoff() {
    let mut sim = Sim::start(Config {
        backoff: Backoff {
            initial_delay: 20_000.0,
            jitter: Jitter::None,
            ..Backoff::default()
        },
        ..config()
    });
    sim.refuse();
    sim.input(Input::Visibility { visible: false });
    sim.run_for(1_000);
    sim.input(Input::Visibility { visible: true });
    assert!(sim.connecting.is_some());
}

#[test]
fn probe_on_visible_off_leaves_the_socket_alone() {
    let mut sim = Sim::start(Config {
        lifecycle: Lifecycle {
            probe_on_visible: false,
            ..Lifecycle::default()
        },
        ..heartbeat(25_000.0, 2_000.0)
    });
    sim.accept();
    sim.input(Input::Visibility { visible: false });
    sim.input(Input::Visibility { visible: true });
    sim.input(Input::Resume);
    assert_eq!(sim.pings(), [] as [u64; 0]);
}

#[test]
fn resume_after_freeze_probes() {
    let mut sim = Sim::start(heartbeat(25_000.0, 2_000.0));
    sim.accept();
    // Frozen for a minute: no input at all (the timer does not fire), then `resume`.
    sim.now += 60_000;
    sim.input(Input::Resume);
    assert_eq!(sim.pings(), [60_000]);
    sim.pong();
    assert_eq!(sim.state(), State::Open);
}

#[test]
fn hidden_longer_than_close_when_hidden_after_closes_and_waits_for_visible() {
    let mut sim = Sim::start(Config {
        lifecycle: Lifecycle {
            close_when_hidden_after: Some(60_000.0),
            ..Lifecycle::default()
        },
        ..config()
    });
    let generation = sim.accept();
    sim.input(Input::Visibility { visible: false });
    sim.run_for(59_999);
    assert_eq!(sim.state(), State::Open);
    sim.run_for(1);
    assert!(sim.take().iter().any(|c| matches!(
        c,
        Command::Abandon { generation: g, code: 1000, .. } if *g == generation
    )));
    let close = sim.closes().pop().unwrap();
    assert!(close.was_clean && close.will_reconnect && close.delay.is_none());
    assert_eq!(sim.machine.next_deadline(), None);
    sim.run_for(3_600_000);
    assert!(sim.connecting.is_none(), "no attempts while hidden");
    sim.input(Input::Visibility { visible: true });
    assert!(sim.connecting.is_some(), "visible: connect at once");
    sim.accept();
    assert!(matches!(
        sim.events().last(),
        Some(Event::Reconnect { attempt: 1, .. })
    ));
}

#[test]
fn visible_before_close_when_hidden_after_keeps_the_socket() {
    let mut sim = Sim::start(Config {
        lifecycle: Lifecycle {
            close_when_hidden_after: Some(60_000.0),
            ..Lifecycle::default()
        },
        ..config()
    });
    sim.accept();
    sim.input(Input::Visibility { visible: false });
    sim.run_for(30_000);
    sim.input(Input::Visibility { visible: true });
    sim.run_for(60_000);
    assert_eq!(sim.state(), State::Open);
    assert_eq!(sim.machine.next_deadline(), None);
}

#[test]
fn close_on_page_hide_closes_for_the_bfcache_and_pageshow_reconnects() {
    let mut sim = Sim::start(Config {
        lifecycle: Lifecycle {
            close_on_page_hide: true,
            ..Lifecycle::default()
        },
        ..config()
    });
    sim.accept();
    sim.input(Input::PageHide { persisted: true });
    assert!(
        sim.open.is_none(),
        "socket closed so the page can be cached"
    );
    assert_eq!(sim.machine.next_deadline(), None);
    sim.run_for(120_000);
    assert!(sim.connecting.is_none());
    sim.input(Input::PageShow { persisted: true });
    assert!(sim.connecting.is_some(), "pageshow: reconnect at once");
}

#[test]
fn pageshow_after_a_drop_reconnects_at_once_without_close_on_page_hide() {
    let mut sim = Sim::start(Config {
        backoff: Backoff {
            initial_delay: 20_000.0,
            jitter: Jitter::None,
            ..Backoff::default()
        },
        ..config()
    });
    sim.accept();
    sim.input(Input::PageHide { persisted: true });
    assert!(
        sim.open.is_some(),
        "without closeOnPageHide the socket stays"
    );
    sim.server_close(1006);
    sim.input(Input::PageShow { persisted: false });
    assert!(
        sim.connecting.is_none(),
        "a first-load pageshow changes nothing"
    );
    sim.input(Input::PageShow { persisted: true });
    assert!(sim.connecting.is_some());
}

#[test]
fn a_drop_just_after_pageshow_is_retried_at_once_and_announced_with_delay_0() {
    let mut sim = Sim::start(Config {
        backoff: Backoff {
            initial_delay: 20_000.0,
            jitter: Jitter::None,
            ..Backoff::default()
        },
        ..config()
    });
    sim.accept();
    sim.input(Input::PageHide { persisted: true });
    sim.input(Input::PageShow { persisted: true }); // the socket is found open: a check
    sim.run_for(RECHECK_WINDOW / 2);
    sim.server_close(1001); // Chromium closes it just after pageshow
    assert!(sim.connecting.is_some(), "retried at once");
    let close = sim.closes().pop().unwrap();
    assert_eq!(
        close.delay,
        Some(0),
        "the close announces no wait: {close:?}"
    );
    let events = sim.events();
    assert!(
        events.contains(&Event::Reconnecting {
            attempt: 1,
            delay: 0
        }),
        "{events:?}"
    );
}

#[test]
fn late_heartbeat_deadline_after_sleep_probes_instead_of_declaring_death() {
    let mut sim = Sim::start(heartbeat(1000.0, 1000.0));
    sim.accept();
    sim.run_for(1000); // ping sent; pong due at 2000
    assert_eq!(sim.pings(), [1000]);
    sim.sleep_for(30 * 60_000); // the device slept through the pong deadline
    assert_eq!(
        sim.state(),
        State::Open,
        "a late timer is no proof of death"
    );
    assert_eq!(sim.pings().len(), 2, "probe sent on wake");
    sim.now += 50;
    sim.pong();
    sim.run_for(1000);
    assert!(
        sim.closes().is_empty(),
        "healthy server: no false reconnect"
    );
}

#[test]
fn probe_after_sleep_still_finds_a_dead_server() {
    let mut sim = Sim::start(heartbeat(1000.0, 1000.0));
    sim.accept();
    sim.run_for(1000);
    sim.sleep_for(30 * 60_000);
    let woke = sim.now;
    sim.run_for(1000); // no pong to the probe
    let close = sim.closes().pop().expect("dead after the probe");
    assert_eq!(close.reason, "heartbeat timeout");
    let at = sim
        .log
        .iter()
        .find(|(_, c)| matches!(c, Command::Abandon { .. }))
        .unwrap()
        .0;
    assert_eq!(at, woke + 1000);
}

#[test]
fn late_connection_timeout_after_sleep_gives_the_handshake_its_time() {
    let mut sim = Sim::start(Config {
        connection_timeout: 2000.0,
        ..config()
    });
    sim.sleep_for(60_000);
    assert_eq!(sim.state(), State::Connecting);
    assert!(sim.abandoned.is_empty());
    sim.run_for(2_000);
    assert_eq!(sim.abandoned.len(), 1);
}

#[test]
fn late_server_ping_silence_gets_a_grace_period() {
    let mut sim = Sim::start(Config {
        heartbeat: Some(Heartbeat {
            interval: 1000.0,
            timeout: 500.0,
            client_ping: false,
            server_ping: true,
            ..Heartbeat::default()
        }),
        ..config()
    });
    let generation = sim.accept();
    sim.sleep_for(600_000);
    assert_eq!(sim.state(), State::Open);
    sim.now += 100;
    sim.input(Input::ServerPing { generation });
    sim.run_for(1_000);
    assert_eq!(sim.state(), State::Open);
}

/// With server pings only, a probe has nothing to send: it never moves the verdict. When the
/// page comes back having slept through it, the late timer (which fires at once) gives the
/// server `timeout` from then; when the verdict is just due, it falls (issue 19).
#[test]
fn server_ping_probe_leaves_the_verdict_to_the_timer() {
    let server_ping_only = Config {
        heartbeat: Some(Heartbeat {
            interval: 1000.0,
            timeout: 500.0,
            client_ping: false,
            server_ping: true,
            ..Heartbeat::default()
        }),
        ..config()
    };
    // Slept through the verdict (due at 1500): visible at 600 000, then the late timer.
    let mut sim = Sim::start(server_ping_only);
    sim.accept();
    sim.now = 600_000;
    sim.input(Input::Visibility { visible: true });
    assert_eq!(
        sim.machine.next_deadline(),
        Some(1500),
        "the probe moved the verdict"
    );
    sim.run_for(0); // the overdue timer fires at once, late: no verdict, a grace
    assert_eq!(
        sim.state(),
        State::Open,
        "a late timer is no proof of death"
    );
    assert_eq!(sim.machine.next_deadline(), Some(600_500));
    sim.run_for(1_000); // the server stays silent
    let close = sim.closes().pop().expect("dead after the grace");
    assert_eq!(close.reason, "server ping timeout");
    let at = sim
        .log
        .iter()
        .find(|(_, c)| matches!(c, Command::Abandon { .. }));
    assert_eq!(at.map(|(t, _)| *t), Some(600_500));

    // The verdict just due (LATE_AFTER or less ago): visible changes nothing, it falls.
    let mut sim = Sim::start(server_ping_only);
    sim.accept();
    sim.now = 1500 + LATE_AFTER;
    sim.input(Input::Visibility { visible: true });
    sim.run_for(0);
    let at = sim
        .log
        .iter()
        .find(|(_, c)| matches!(c, Command::Abandon { .. }));
    assert_eq!(at.map(|(t, _)| *t), Some(1500 + LATE_AFTER));
}

// ----- config errors -----

#[test]
fn every_config_error_names_its_field() {
    type Change = fn(&mut Config);
    let cases: Vec<(&str, Change)> = vec![
        ("backoff.initialDelay", |c| c.backoff.initial_delay = 0.0),
        ("backoff.initialDelay", |c| {
            c.backoff.initial_delay = f64::NAN
        }),
        ("backoff.maxDelay", |c| c.backoff.max_delay = f64::INFINITY),
        ("backoff.maxDelay", |c| c.backoff.max_delay = 10.0),
        ("backoff.factor", |c| c.backoff.factor = 0.5),
        ("backoff.factor", |c| c.backoff.factor = f64::NAN),
        ("backoff.maxRetries", |c| c.backoff.max_retries = -1.0),
        ("backoff.maxRetries", |c| c.backoff.max_retries = 2.5),
        ("backoff.minUptime", |c| c.backoff.min_uptime = -1.0),
        ("connectionTimeout", |c| c.connection_timeout = 0.0),
        ("connectionTimeout", |c| c.connection_timeout = 3e9),
        ("heartbeat.interval", |c| {
            c.heartbeat = Some(Heartbeat {
                interval: 0.0,
                ..Heartbeat::default()
            })
        }),
        ("heartbeat.timeout", |c| {
            c.heartbeat = Some(Heartbeat {
                timeout: -5.0,
                ..Heartbeat::default()
            })
        }),
        ("queue.maxMessages", |c| c.queue.max_messages = -1.0),
        ("queue.maxMessages", |c| c.queue.max_messages = 1.5),
        ("queue.maxMessages", |c| c.queue.max_messages = 2e6),
        ("lifecycle.closeWhenHiddenAfter", |c| {
            c.lifecycle.close_when_hidden_after = Some(f64::NEG_INFINITY)
        }),
    ];
    for (field, change) in cases {
        let mut c = Config::default();
        change(&mut c);
        let err = c.validate().unwrap_err();
        assert_eq!(err.field(), field, "{err}");
        let text = err.to_string();
        assert!(text.starts_with(field), "{text}");
        assert!(text.contains(err.expected()), "{text}");
        assert!(text.contains(", got "), "{text}");
        assert!(lifeline_ws::core::Machine::<String>::new(c, 0).is_err());
    }
    assert_eq!(
        Jitter::parse("random").unwrap_err().field(),
        "backoff.jitter"
    );
    assert_eq!(
        Overflow::parse("block").unwrap_err().field(),
        "queue.overflow"
    );
    let err = ConfigError::Number {
        field: "heartbeat.timeout",
        value: -5.0,
        expected: Expected::PositiveDelay,
    };
    assert_eq!(
        err.to_string(),
        "heartbeat.timeout must be a number of milliseconds > 0 and <= 2147483647, got -5"
    );
}

#[test]
fn a_pending_should_reconnect_decision_still_owes_its_close() {
    for user_closes in [true, false] {
        let mut sim = Sim::start(Config {
            should_reconnect: true,
            ..config()
        });
        sim.accept();
        sim.server_close(4002);
        sim.events();
        let input = if user_closes {
            Input::Close {
                code: None,
                reason: String::new(),
            }
        } else {
            Input::Reconnect {
                code: None,
                reason: String::new(),
            }
        };
        sim.input(input);
        sim.input(Input::ShouldReconnect(true)); // too late: ignored
        let closes: Vec<CloseInfo> = sim
            .events()
            .into_iter()
            .filter_map(|e| match e {
                Event::Close(c) => Some(c),
                _ => None,
            })
            .collect();
        assert_eq!(closes.len(), 1, "{closes:?}");
        assert_eq!(closes[0].code, 4002);
        assert_eq!(closes[0].will_reconnect, !user_closes);
        assert_eq!(sim.connecting.is_some(), !user_closes);
    }
}

#[test]
fn a_ping_that_was_due_but_never_sent_is_not_an_unanswered_one() {
    // The page's JavaScript was held past a ping's due time (no timer ran); it becomes
    // visible: the probe is the first ping, and it gets its whole timeout.
    let mut sim = Sim::start(heartbeat(1000.0, 500.0));
    sim.accept();
    sim.run_for(1000);
    sim.now += 150;
    sim.pong();
    assert_eq!(sim.machine.next_deadline(), Some(2000));
    sim.now = 2600; // held: the ping due at 2000 never went out
    sim.input(Input::Visibility { visible: true });
    assert_eq!(sim.pings(), [1000, 2600]);
    sim.run_for(150);
    sim.pong();
    sim.run_for(800); // up to the next ping, at 3600
    assert!(
        sim.closes().is_empty(),
        "healthy server: {:?}",
        sim.closes()
    );
    assert_eq!(sim.state(), State::Open);
}

#[test]
fn reconnect_while_offline_waits_for_the_network() {
    let mut sim = Sim::start(config());
    sim.accept();
    sim.input(Input::Close {
        code: None,
        reason: String::new(),
    });
    sim.close_completes(1000);
    sim.input(Input::Offline);
    sim.input(Input::Reconnect {
        code: None,
        reason: String::new(),
    });
    assert!(sim.connecting.is_none(), "no attempt while offline");
    assert_eq!(sim.state(), State::Waiting);
    sim.run_for(60_000);
    assert!(sim.connecting.is_none());
    sim.input(Input::Online);
    assert!(
        sim.connecting.is_some(),
        "attempt 1 as soon as the network is back"
    );
    assert_eq!(sim.machine.stats().attempts, 1);
}

#[test]
fn a_drop_just_after_the_page_came_back_is_retried_at_once() {
    // Back from the back/forward cache: the check finds the socket "open", and the
    // browser delivers its close a few ms later.
    let mut sim = Sim::start(Config {
        backoff: Backoff {
            initial_delay: 5000.0,
            jitter: Jitter::None,
            ..Backoff::default()
        },
        ..config()
    });
    sim.accept();
    sim.run_for(10_000);
    sim.input(Input::PageShow { persisted: true });
    sim.now += 5;
    sim.server_close(1006);
    assert!(sim.connecting.is_some(), "retried at once, not after 5 s");
    // Later drops back off as usual.
    sim.accept();
    sim.run_for(10_000);
    sim.server_close(1006);
    assert!(sim.connecting.is_none());
}

/// Queued messages go out before any event of the new connection, `statechange` included: a
/// `send()` from a `statechange` listener that sees "open" must come after them.
#[test]
fn queued_messages_go_before_the_open_state_change() {
    use lifeline_ws::core::Machine;
    let mut m: Machine<&str> = Machine::new(config(), 1).unwrap();
    m.handle(Input::Send("q1"), 0).unwrap();
    m.handle(Input::Send("q2"), 0).unwrap();
    m.handle(Input::Start, 0).unwrap();
    let Some(Command::Open { generation }) =
        std::iter::from_fn(|| m.poll_command()).find(|c| matches!(c, Command::Open { .. }))
    else {
        panic!("no Open command")
    };
    while m.poll_command().is_some() {}
    m.handle(Input::Opened { generation }, 10).unwrap();
    let commands: Vec<_> = std::iter::from_fn(|| m.poll_command()).collect();
    let position = |wanted: &Command<&str>| commands.iter().position(|c| c == wanted);
    let q1 = position(&Command::Send {
        generation,
        message: Outgoing::Message("q1"),
    });
    let q2 = position(&Command::Send {
        generation,
        message: Outgoing::Message("q2"),
    });
    let open = position(&Command::Emit(Event::StateChange(State::Open)));
    assert!(q1 < q2 && q2 < open, "{commands:?}");
    assert!(q1.is_some() && open.is_some(), "{commands:?}");
}

/// The server starts the closing handshake: the platform socket is CLOSING at once, its
/// `close` event comes later. From the moment the driver notices (`Input::Closing`), the
/// connection is going down: state "closing", sends queued for the next connection (none
/// handed to the closing socket), then one `close` and a reconnect that flushes them.
#[test]
fn a_server_started_close_stops_saying_open_and_queues_sends() {
    let mut sim = Sim::start(no_jitter());
    let generation = sim.accept();
    sim.events();
    sim.input(Input::Closing { generation });
    assert_eq!(sim.state(), State::Closing);
    assert!(sim
        .take()
        .contains(&Command::Emit(Event::StateChange(State::Closing))));
    sim.input(Input::Send("during".into()));
    assert_eq!(sim.machine.stats().queued, 1, "queued, not sent");
    assert!(sim.sent_messages().is_empty());
    sim.server_close(1001);
    let closes = sim.closes();
    assert_eq!(closes.len(), 1);
    assert_eq!((closes[0].code, closes[0].will_reconnect), (1001, true));
    sim.wait_for_open_command(60_000);
    sim.accept();
    assert_eq!(sim.sent_messages(), ["during"]);
}

/// A server that starts the closing handshake and never finishes it (no FIN): the socket is
/// abandoned as dead after `closeTimeout`, not after the platform's own 30 s.
#[test]
fn a_closing_handshake_that_never_ends_is_cut_after_close_timeout() {
    let mut sim = Sim::start(Config {
        close_timeout: 2000.0,
        ..no_jitter()
    });
    let generation = sim.accept();
    sim.run_for(100);
    sim.input(Input::Closing { generation });
    sim.run_for(1999);
    assert!(sim.closes().is_empty(), "still waiting for the close event");
    sim.run_for(1);
    assert!(
        sim.abandoned.contains(&generation),
        "abandoned at closeTimeout"
    );
    let closes = sim.closes();
    assert_eq!(closes.len(), 1);
    assert_eq!(closes[0].code, CODE_ABNORMAL);
    assert_eq!(closes[0].reason, "closing handshake timed out");
    assert!(closes[0].will_reconnect);
}

/// `close()` on a dead network: the closing handshake is bounded by `closeTimeout` (3 s by
/// default), so a Node process that calls close() on a blackholed connection ends soon.
#[test]
fn close_on_a_dead_network_ends_after_close_timeout() {
    let mut sim = Sim::start(config());
    let generation = sim.accept();
    sim.input(Input::Close {
        code: None,
        reason: String::new(),
    });
    assert_eq!(sim.state(), State::Closing);
    sim.run_for(2999);
    assert_eq!(sim.state(), State::Closing);
    sim.run_for(1);
    assert_eq!(sim.state(), State::Closed);
    assert!(sim.abandoned.contains(&generation));
    assert_eq!(sim.machine.next_deadline(), None, "nothing left");
}

/// `Input::Closing` for another generation, or while not open, changes nothing.
#[test]
fn a_stale_closing_signal_is_ignored() {
    let mut sim = Sim::start(config());
    let generation = sim.accept();
    sim.events();
    sim.input(Input::Closing {
        generation: Generation(generation.0 + 7),
    });
    assert_eq!(sim.state(), State::Open);
    assert!(sim.events().is_empty());
}

/// A send from a listener of an event that came before the end (the driver still delivers
/// it; the user has not been told the socket is closed) is kept for a later `reconnect()`,
/// not refused; after `close()` it is refused all the same.
#[test]
fn a_late_send_before_the_user_is_told_is_kept() {
    let mut sim = Sim::start(Config {
        should_reconnect: true,
        ..config()
    });
    sim.accept();
    sim.server_close(4000);
    sim.input(Input::ShouldReconnect(false));
    assert_eq!(sim.state(), State::Closed);
    assert!(matches!(
        sim.try_input(Input::Send("late".into())),
        Err(InputError::Closed(_))
    ));
    sim.input(Input::Keep("late".into()));
    assert_eq!(sim.machine.stats().queued, 1);
    sim.input(Input::Reconnect {
        code: None,
        reason: String::new(),
    });
    sim.accept();
    assert_eq!(sim.sent_messages(), ["late"]);
    sim.input(Input::Close {
        code: None,
        reason: String::new(),
    });
    assert!(matches!(
        sim.try_input(Input::Keep("after close".into())),
        Err(InputError::Closed(_))
    ));
}
