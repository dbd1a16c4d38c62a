//! The user's calls: `send()` (straight to the open socket, else queued in order),
//! `close()` (for good) and `reconnect()` (a new series, now). Their code and reason were
//! checked before anything changed (`check_close`).

use super::{Conn, Machine};
use crate::core::close::{DropReason, Reason, CODE_NORMAL, CODE_NO_STATUS};
use crate::core::queue::Pushed;
use crate::core::refusal::InputError;
use crate::core::types::{CloseInfo, Command, Event, Millis, Outgoing, State};

impl<P, R: Reason> Machine<P, R> {
    /// `send()`: to the open socket, else into the queue (refused after `close()`).
    /// A send from a listener of an event from before the machine ended (see
    /// [`Input::Keep`]): queued even when the machine has ended, unless the user closed.
    pub(super) fn keep(&mut self, message: P) -> Result<(), InputError<P>> {
        match self.conn {
            Conn::Idle if self.ended && !self.closed_by_user => self.enqueue(message),
            _ => self.send(message),
        }
    }

    pub(super) fn send(&mut self, message: P) -> Result<(), InputError<P>> {
        match self.conn {
            Conn::Open { generation, .. } => {
                self.commands.push(Command::Send {
                    generation,
                    message: Outgoing::Message(message),
                });
                Ok(())
            }
            Conn::Closing { .. } => Err(InputError::Closed(message)),
            Conn::Idle if self.ended => Err(InputError::Closed(message)),
            // Not started yet (or `startClosed`), or the connection is going down: kept for
            // the next open.
            Conn::Idle
            | Conn::Connecting { .. }
            | Conn::Waiting { .. }
            | Conn::Deciding { .. }
            | Conn::Draining { .. } => self.enqueue(message),
        }
    }

    fn enqueue(&mut self, message: P) -> Result<(), InputError<P>> {
        match self.queue.push(message) {
            Pushed::Queued => Ok(()),
            Pushed::DroppedOldest(oldest) => {
                self.emit(Event::Drop(oldest));
                Ok(())
            }
            Pushed::Full(message) => Err(InputError::QueueFull {
                message,
                max: self.queue.capacity(),
            }),
        }
    }

    /// `close(code, reason)`: the closing handshake if open (bounded by `closeTimeout`),
    /// else the end at once; never a reconnect.
    pub(super) fn close(&mut self, code: Option<u16>, reason: R, now: Millis) {
        self.started = true;
        self.closed_by_user = true;
        self.page.unpark();
        match self.conn {
            Conn::Idle => self.ended = true,
            Conn::Closing { .. } => {}
            Conn::Open { generation, .. } => {
                self.commands.push(Command::Close {
                    generation,
                    code,
                    reason,
                });
                self.conn = Conn::Closing {
                    generation,
                    deadline: now + self.timing.close_timeout,
                };
                self.set_state(State::Closing);
            }
            // The server's closing handshake is under way: it ends for good now.
            Conn::Draining {
                generation,
                deadline,
                ..
            } => {
                self.conn = Conn::Closing {
                    generation,
                    deadline,
                };
            }
            Conn::Connecting { generation, .. } => {
                self.abandon(generation, DropReason::ClosedByUser);
                self.closed_for_good(code.unwrap_or(CODE_NO_STATUS), reason, true, now);
            }
            Conn::Waiting { .. } => {
                self.closed_for_good(code.unwrap_or(CODE_NO_STATUS), reason, true, now);
            }
            // The connection that ended is still owed its `close`: that one is final now.
            Conn::Deciding { code, was_clean } => {
                let reason = ::core::mem::take(&mut self.ended_reason);
                self.closed_for_good(code, reason, was_clean, now);
            }
        }
    }

    /// `reconnect(code, reason)`: drops whatever socket there is and makes attempt 1 of a new
    /// series now (or as soon as the network allows).
    pub(super) fn reconnect(&mut self, code: Option<u16>, reason: R, now: Millis) {
        self.page.forget_check();
        self.started = true;
        self.ended = false;
        self.closed_by_user = false;
        self.page.unpark();
        match self.conn {
            // A connection that is open (or still closing) ends here, with its `close`.
            Conn::Open { generation, .. }
            | Conn::Draining { generation, .. }
            | Conn::Closing { generation, .. } => {
                let code = code.unwrap_or(CODE_NORMAL);
                self.commands.push(Command::Abandon {
                    generation,
                    code,
                    reason: reason.clone(),
                    dead: false,
                });
                self.down_since = Some(now);
                self.attempt = 0;
                self.attempt_now(1, now);
                self.emit(Event::Close(CloseInfo {
                    code,
                    reason,
                    was_clean: true,
                    will_reconnect: true,
                    delay: Some(0),
                }));
            }
            Conn::Connecting { generation, .. } => {
                self.abandon(generation, DropReason::Reconnect);
                self.attempt_now(1, now);
            }
            Conn::Deciding { code, was_clean } => {
                // The connection that ended is still owed its `close`.
                let reason = ::core::mem::take(&mut self.ended_reason);
                self.attempt_now(1, now);
                self.emit(Event::Close(CloseInfo {
                    code,
                    reason,
                    was_clean,
                    will_reconnect: true,
                    delay: Some(0),
                }));
            }
            Conn::Waiting { .. } | Conn::Idle if self.page.paused() => {
                // Offline: attempt 1 of a new series, as soon as the network is back.
                self.attempt = 0;
                self.wait(1, None);
                return;
            }
            Conn::Waiting { .. } | Conn::Idle => self.attempt_now(1, now),
        }
        if self.ever_opened {
            self.emit(Event::Reconnecting {
                attempt: 1,
                delay: 0,
            });
        }
    }
}
