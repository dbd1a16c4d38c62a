//! What follows a connection that ended or an attempt that failed (docs/design.md, rules 1
//! and 4): the user's `shouldReconnect`, the next attempt of the series (backoff, `maxRetries`,
//! `minUptime`, an attempt owed at once after a check), `giveup`, or the end for good.

use super::{Conn, Machine};
use crate::core::close::{DropReason, Reason, CODE_ABNORMAL};
use crate::core::types::{CloseInfo, Command, Event, Generation, Millis, State};

/// What follows a disconnection or a failed attempt.
enum Plan {
    /// Attempt `attempt` after `delay` ms (`None`: when the network or page allows).
    Retry { attempt: u32, delay: Option<Millis> },
    /// `maxRetries` is spent.
    GiveUp,
}

impl<P, R: Reason> Machine<P, R> {
    /// An opened connection ended without the user asking.
    pub(super) fn disconnected(
        &mut self,
        opened_at: Millis,
        code: u16,
        reason: R,
        was_clean: bool,
        now: Millis,
    ) {
        self.ended(opened_at, now);
        if self.config.should_reconnect {
            self.commands.push(Command::AskShouldReconnect {
                code,
                reason: reason.clone(),
                was_clean,
            });
            self.conn = Conn::Deciding { code, was_clean };
            self.ended_reason = reason;
            self.set_state(State::Waiting);
        } else {
            let plan = self.plan();
            self.carry_out(plan, Some((code, reason, was_clean)), now);
        }
    }

    /// Bookkeeping when an open connection ends: downtime starts, and a connection that
    /// stayed up for `minUptime` starts a new series of attempts.
    pub(super) fn ended(&mut self, opened_at: Millis, now: Millis) {
        self.down_since = Some(now);
        if now.saturating_sub(opened_at) >= self.timing.min_uptime {
            self.attempt = 0;
        }
    }

    /// The socket was found dead (heartbeat or closing timeout): drop it without waiting for
    /// a handshake that will never complete, and reconnect.
    pub(super) fn dead(
        &mut self,
        generation: Generation,
        opened_at: Millis,
        why: DropReason,
        now: Millis,
    ) {
        self.abandon(generation, why);
        self.disconnected(opened_at, CODE_ABNORMAL, R::from_drop(why), false, now);
    }

    /// An attempt failed before opening: the next one, or `giveup` (no `close`: it never
    /// opened).
    pub(super) fn attempt_failed(&mut self, now: Millis) {
        let plan = self.plan();
        self.carry_out(plan, None, now);
    }

    /// The user's `shouldReconnect` answered: the next attempt, or the end for good.
    pub(super) fn on_decision(&mut self, answer: bool, now: Millis) {
        let Conn::Deciding { code, was_clean } = self.conn else {
            return;
        };
        let reason = ::core::mem::take(&mut self.ended_reason);
        if answer {
            let plan = self.plan();
            self.carry_out(plan, Some((code, reason, was_clean)), now);
        } else {
            self.closed_for_good(code, reason, was_clean, now);
        }
    }

    /// The next attempt of the series and its backoff (none while paused: it waits for the
    /// network or the page), or `giveup` once `maxRetries` is spent.
    fn plan(&mut self) -> Plan {
        let attempt = self.attempt.saturating_add(1);
        if self.timing.max_retries.is_some_and(|max| attempt > max) {
            return Plan::GiveUp;
        }
        let delay =
            (!self.page.paused()).then(|| self.config.backoff.delay(attempt, &mut self.rng));
        Plan::Retry { attempt, delay }
    }

    /// Moves to what `plan` says, emitting the `close` of the connection that ended (if
    /// any), then `reconnecting` or `giveup`.
    fn carry_out(&mut self, plan: Plan, close: Option<(u16, R, bool)>, now: Millis) {
        // A connection found "open" by a check just before, now closed: the check's
        // immediate attempt is owed (RECHECK_WINDOW).
        let recheck = close.is_some() && self.page.recheck(now);
        match plan {
            Plan::Retry {
                attempt,
                delay: Some(_),
            } if recheck => {
                // Announced as what it is: an attempt with no delay.
                let plan = Plan::Retry {
                    attempt,
                    delay: Some(0),
                };
                self.carry_out(plan, close, now);
                self.attempt_now(attempt, now);
            }
            Plan::Retry { attempt, delay } => {
                self.wait(attempt, delay.map(|d| now + d));
                if let Some((code, reason, was_clean)) = close {
                    self.emit(Event::Close(CloseInfo {
                        code,
                        reason,
                        was_clean,
                        will_reconnect: true,
                        delay,
                    }));
                }
                if let Some(delay) = delay {
                    self.emit(Event::Reconnecting { attempt, delay });
                }
            }
            Plan::GiveUp => {
                self.conn = Conn::Idle;
                self.ended = true;
                self.set_state(State::Closed);
                if let Some((code, reason, was_clean)) = close {
                    self.emit(Event::Close(CloseInfo {
                        code,
                        reason,
                        was_clean,
                        will_reconnect: false,
                        delay: None,
                    }));
                }
                self.emit(Event::GiveUp {
                    attempts: self.attempt,
                });
            }
        }
    }

    /// Ends everything for good: no socket, nothing scheduled, one final `close`.
    pub(super) fn closed_for_good(&mut self, code: u16, reason: R, was_clean: bool, now: Millis) {
        match self.conn {
            Conn::Open { opened_at, .. } | Conn::Draining { opened_at, .. } => {
                self.ended(opened_at, now)
            }
            Conn::Closing { .. } => self.down_since = Some(now),
            _ => {}
        }
        self.conn = Conn::Idle;
        self.ended = true;
        self.page.unpark();
        self.set_state(State::Closed);
        self.emit(Event::Close(CloseInfo {
            code,
            reason,
            was_clean,
            will_reconnect: false,
            delay: None,
        }));
    }
}
