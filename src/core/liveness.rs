//! Whether an open connection is alive: when it was last heard, the client's ping in flight,
//! the grace a late timer gave the server, and what a pong, a server ping, a probe or an
//! expired heartbeat timer make of them.
//!
//! The rules (docs/design.md, rule 3): silence past `interval + timeout` is death, but a
//! timer handled late (the device slept) never declares it: it asks again first. A probe
//! never postpones a verdict, and only signs of life and late timers move one.

use super::close::DropReason;
use super::config::Heartbeat;
use super::num;
use super::timer::{Timer, Timers};
use super::types::Millis;

/// The heartbeat's settings, its durations in whole milliseconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Beat {
    interval: Millis,
    timeout: Millis,
    client_ping: bool,
    server_ping: bool,
    any_message_is_pong: bool,
}

impl Beat {
    /// The settings of a validated `heartbeat`.
    pub fn new(heartbeat: &Heartbeat) -> Beat {
        Beat {
            interval: num::millis(heartbeat.interval),
            timeout: num::millis(heartbeat.timeout),
            client_ping: heartbeat.client_ping,
            server_ping: heartbeat.server_ping,
            any_message_is_pong: heartbeat.any_message_is_pong,
        }
    }
}

/// The client's heartbeat pings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Ping {
    /// No ping outstanding; the next goes out at `next_at`.
    Idle { next_at: Millis },
    /// A ping went out at `sent_at`; its pong is due by `deadline`.
    Awaiting { sent_at: Millis, deadline: Millis },
}

/// What liveness asks of the machine.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// Nothing to do: alive, or not known to be dead yet.
    Alive,
    /// Send a heartbeat ping now.
    Ping,
    /// The connection is dead: drop it.
    Dead(DropReason),
}

/// The liveness of one open connection with heartbeats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Liveness {
    beat: Beat,
    /// When anything was last heard on it.
    heard_at: Millis,
    ping: Ping,
    /// Server-ping silence is not fatal before this (set by a late timer).
    grace_until: Millis,
}

impl Liveness {
    /// A connection opened at `now`: heard then, first ping after `interval`.
    pub fn new(beat: Beat, now: Millis) -> Liveness {
        Liveness {
            beat,
            heard_at: now,
            ping: Ping::Idle {
                next_at: now + beat.interval,
            },
            grace_until: 0,
        }
    }

    /// The pong arrived: the round trip of the ping it answers, if one was in flight.
    pub fn pong(&mut self, now: Millis) -> Option<Millis> {
        self.heard_at = now;
        let Ping::Awaiting { sent_at, .. } = self.ping else {
            return None;
        };
        self.ping = Ping::Idle {
            next_at: (sent_at + self.beat.interval).max(now),
        };
        Some(now.saturating_sub(sent_at))
    }

    /// The server's ping arrived: answers whether to reply (server pings are configured).
    pub fn server_ping(&mut self, now: Millis) -> bool {
        self.heard_at = now;
        self.beat.server_ping
    }

    /// The driver's time of the last message of any kind (never later than `now`).
    pub fn heard(&mut self, at: Millis, now: Millis) {
        self.heard_at = self.heard_at.max(at.min(now));
    }

    /// Sets the heartbeat's timers: the next ping or the pong's deadline (client pings), and
    /// the silence verdict (server pings).
    pub fn timers(&self, timers: &mut Timers) {
        let beat = &self.beat;
        if beat.client_ping {
            match self.ping {
                Ping::Idle { next_at } => timers.set(Timer::Ping, next_at),
                Ping::Awaiting { deadline, .. } => timers.set(Timer::Pong, deadline),
            }
        }
        if beat.server_ping {
            timers.set(Timer::Silence, self.silent_at());
        }
    }

    /// When the server's silence becomes fatal.
    fn silent_at(&self) -> Millis {
        let beat = &self.beat;
        (self.heard_at + beat.interval + beat.timeout).max(self.grace_until)
    }

    /// `timer` (one of [`Liveness::timers`]) is due; `late` when handled more than
    /// [`LATE_AFTER`](super::LATE_AFTER) after the earliest deadline.
    pub fn on_timer(&mut self, timer: Timer, late: bool, now: Millis) -> Verdict {
        let beat = self.beat;
        match (timer, self.ping) {
            (Timer::Ping, Ping::Idle { .. }) => {
                if beat.any_message_is_pong && self.heard_at + beat.interval > now {
                    // Traffic proved the connection alive; ping only after silence.
                    self.ping = Ping::Idle {
                        next_at: self.heard_at + beat.interval,
                    };
                    Verdict::Alive
                } else {
                    self.ping_now(now);
                    Verdict::Ping
                }
            }
            (Timer::Pong, Ping::Awaiting { sent_at, .. }) => {
                if beat.any_message_is_pong && self.heard_at > sent_at {
                    self.ping = Ping::Idle {
                        next_at: self.heard_at + beat.interval,
                    };
                    Verdict::Alive
                } else if late {
                    // A late timer is no proof of a dead server: ask again first.
                    self.ping_now(now);
                    Verdict::Ping
                } else {
                    Verdict::Dead(DropReason::HeartbeatTimeout)
                }
            }
            (Timer::Silence, _) if late => {
                // The page slept through the verdict: the server gets `timeout` from now.
                self.grace_until = self.grace_until.max(now + beat.timeout);
                Verdict::Alive
            }
            (Timer::Silence, _) => Verdict::Dead(DropReason::ServerPingTimeout),
            _ => Verdict::Alive,
        }
    }

    /// Checks the connection at once: answers whether to send a ping (client pings are
    /// configured). With server pings only there is nothing to send, and the schedule stays
    /// as it is: a verdict due now falls when the timer fires (at once), and one the page
    /// slept through (due more than [`LATE_AFTER`](super::LATE_AFTER) ago) meets a late timer,
    /// which gives the server `timeout` from then. A probe never postpones a verdict, whether
    /// still to come or already due: a ping already awaiting its pong keeps its deadline.
    pub fn probe(&mut self, now: Millis) -> bool {
        if !self.beat.client_ping {
            return false;
        }
        let earlier = match self.ping {
            Ping::Awaiting { deadline, .. } => deadline,
            Ping::Idle { .. } => Millis::MAX,
        };
        self.ping_now(now);
        if let Ping::Awaiting { deadline, .. } = &mut self.ping {
            *deadline = (*deadline).min(earlier);
        }
        true
    }

    /// A ping goes out now; its pong is due within `timeout`.
    fn ping_now(&mut self, now: Millis) {
        self.ping = Ping::Awaiting {
            sent_at: now,
            deadline: now + self.beat.timeout,
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn beat(client_ping: bool, server_ping: bool) -> Beat {
        Beat::new(&Heartbeat {
            interval: 1000.0,
            timeout: 500.0,
            client_ping,
            server_ping,
            any_message_is_pong: false,
        })
    }

    fn timers(liveness: &Liveness) -> Timers {
        let mut timers = Timers::default();
        liveness.timers(&mut timers);
        timers
    }

    #[test]
    fn a_ping_then_its_pong_or_death() {
        let mut l = Liveness::new(beat(true, false), 0);
        assert_eq!(timers(&l).next(), Some(1000));
        assert_eq!(l.on_timer(Timer::Ping, false, 1000), Verdict::Ping);
        assert_eq!(timers(&l).next(), Some(1500));
        assert_eq!(l.pong(1040), Some(40));
        assert_eq!(timers(&l).next(), Some(2000));
        assert_eq!(l.on_timer(Timer::Ping, false, 2000), Verdict::Ping);
        let dead = Verdict::Dead(DropReason::HeartbeatTimeout);
        assert_eq!(l.on_timer(Timer::Pong, false, 2500), dead);
    }

    #[test]
    fn a_late_timer_asks_again_and_a_probe_keeps_the_deadline() {
        let mut l = Liveness::new(beat(true, false), 0);
        l.on_timer(Timer::Ping, false, 1000);
        assert!(l.probe(1200));
        assert_eq!(timers(&l).next(), Some(1500), "the probe postponed nothing");
        assert_eq!(l.on_timer(Timer::Pong, true, 9000), Verdict::Ping);
        assert_eq!(timers(&l).next(), Some(9500));
    }

    #[test]
    fn server_silence_is_death_unless_the_page_slept() {
        let mut l = Liveness::new(beat(false, true), 0);
        assert!(!l.probe(10), "nothing to send with server pings only");
        assert!(l.server_ping(400));
        assert_eq!(timers(&l).next(), Some(1900));
        assert_eq!(l.on_timer(Timer::Silence, true, 5000), Verdict::Alive);
        assert_eq!(timers(&l).next(), Some(5500));
        let dead = Verdict::Dead(DropReason::ServerPingTimeout);
        assert_eq!(l.on_timer(Timer::Silence, false, 5500), dead);
    }
}
