//! What the machine does when the driver's timer fires: the named deadlines that are due
//! (`Timers`), each handled by what it is, in the order of `Timer::ALL`.

use core::ops::ControlFlow;

use super::{Conn, Machine};
use crate::core::close::{DropReason, Reason, CODE_ABNORMAL};
use crate::core::liveness::Verdict;
use crate::core::page::Park;
use crate::core::timer::{Timer, LATE_AFTER};
use crate::core::types::{ErrorCause, Event, Millis};

impl<P, R: Reason> Machine<P, R> {
    /// The driver's timer fired at `now`: first what the driver heard meanwhile, then every
    /// timer due. An early or spurious call does nothing.
    pub(super) fn on_deadline(&mut self, last_message_at: Option<Millis>, now: Millis) {
        if let (
            Conn::Open {
                liveness: Some(liveness),
                ..
            },
            Some(at),
        ) = (&mut self.conn, last_message_at)
        {
            liveness.heard(at, now);
        }
        let timers = self.timers();
        let Some(due) = timers.next().filter(|&due| due <= now) else {
            return; // early or spurious: the driver re-arms for next_deadline()
        };
        let late = now - due > LATE_AFTER;
        for timer in timers.due(now) {
            if self.on_timer(timer, late, now).is_break() {
                break;
            }
        }
    }

    /// `timer` is due; `late` when the earliest deadline is more than [`LATE_AFTER`] past.
    /// Breaks when the connection changed and no other timer due now applies any more.
    fn on_timer(&mut self, timer: Timer, late: bool, now: Millis) -> ControlFlow<()> {
        match (timer, &mut self.conn) {
            (Timer::Hidden, _) => self.park(Park::Hidden, now),
            (Timer::Handshake, Conn::Connecting { deadline, .. }) if late => {
                // The handshake had no time to run while the device slept.
                *deadline = now + self.timing.connection_timeout;
            }
            (Timer::Handshake, &mut Conn::Connecting { generation, .. }) => {
                self.abandon(generation, DropReason::ConnectionTimeout);
                self.emit(Event::Error {
                    cause: ErrorCause::ConnectionTimeout,
                });
                self.attempt_failed(now);
            }
            (Timer::Retry, &mut Conn::Waiting { attempt, .. }) => self.attempt_now(attempt, now),
            (Timer::Closing, &mut Conn::Closing { generation, .. }) => {
                let why = DropReason::CloseTimeout;
                self.abandon(generation, why);
                self.closed_for_good(CODE_ABNORMAL, R::from_drop(why), false, now);
            }
            (
                Timer::Closing,
                &mut Conn::Draining {
                    generation,
                    opened_at,
                    ..
                },
            ) => self.dead(generation, opened_at, DropReason::CloseTimeout, now),
            (
                Timer::Ping | Timer::Pong | Timer::Silence,
                Conn::Open {
                    generation,
                    opened_at,
                    liveness: Some(liveness),
                },
            ) => {
                let (generation, opened_at) = (*generation, *opened_at);
                match liveness.on_timer(timer, late, now) {
                    Verdict::Alive => {}
                    Verdict::Ping => self.send_ping(generation),
                    Verdict::Dead(why) => self.dead(generation, opened_at, why, now),
                }
                // The client's ping and the server's silence are judged apart.
                if matches!(self.conn, Conn::Open { .. }) {
                    return ControlFlow::Continue(());
                }
            }
            _ => {}
        }
        ControlFlow::Break(())
    }
}
