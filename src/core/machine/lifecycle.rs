//! What the page and the network do to the connection (docs/design.md, rule 5): coming back
//! probes an open socket and makes a waiting client attempt now; `closeWhenHiddenAfter` and
//! `closeOnPageHide` park the connection until the page is back. The facts themselves (online,
//! hidden, parked) are the [`Page`](crate::core::page::Page)'s.

use super::{Conn, Machine};
use crate::core::close::{Reason, CODE_NORMAL};
use crate::core::page::Park;
use crate::core::types::{CloseInfo, Event, Millis};

impl<P, R: Reason> Machine<P, R> {
    /// The page is back (visible, `pageshow`, `resume`): a parked client connects, and with
    /// `check` an open socket is probed and a waiting one attempts now.
    pub(super) fn page_back(&mut self, check: bool, now: Millis) {
        if self.page.unpark() {
            // The planned attempt now, or as soon as the network allows.
            if let Conn::Waiting { attempt, .. } = self.conn {
                if !self.page.paused() {
                    self.attempt_now(attempt, now);
                }
            }
        } else if check {
            self.check_now(now);
        }
    }

    /// The network is back (`online`): with `reconnectOnOnline` an open socket is probed and
    /// a waiting client attempts now; without, an attempt that waited for the network is
    /// scheduled after its backoff.
    pub(super) fn network_back(&mut self, now: Millis) {
        if self.page.paused() {
            return;
        }
        if self.config.lifecycle.reconnect_on_online {
            self.check_now(now);
        } else if let Conn::Waiting {
            attempt,
            retry_at: ref mut at @ None,
        } = self.conn
        {
            let delay = self.config.backoff.delay(attempt.max(1), &mut self.rng);
            *at = Some(now + if attempt == 0 { 0 } else { delay });
            if attempt > 0 {
                self.emit(Event::Reconnecting { attempt, delay });
            }
        }
    }

    /// Probe an open socket; make a waiting client attempt now, if nothing holds it back.
    fn check_now(&mut self, now: Millis) {
        match self.conn {
            Conn::Open { .. } => {
                self.page.checked(now);
                self.probe(now);
            }
            Conn::Waiting { attempt, .. } if !self.page.paused() => self.attempt_now(attempt, now),
            _ => {}
        }
    }

    /// Checks an open socket at once with a ping, when client pings are configured (see
    /// [`Liveness::probe`](crate::core::liveness::Liveness::probe): it never postpones a
    /// verdict).
    pub(super) fn probe(&mut self, now: Millis) {
        if let Conn::Open {
            generation,
            liveness: Some(liveness),
            ..
        } = &mut self.conn
        {
            let generation = *generation;
            if liveness.probe(now) {
                self.send_ping(generation);
            }
        }
    }

    /// Closes the socket on behalf of the page and waits for it to come back.
    pub(super) fn park(&mut self, why: Park, now: Millis) {
        let reason = why.reason();
        match self.conn {
            Conn::Open {
                generation,
                opened_at,
                ..
            }
            | Conn::Draining {
                generation,
                opened_at,
                ..
            } => {
                // A working connection closed by us: coming back starts a new series.
                self.abandon(generation, reason);
                self.ended(opened_at, now);
                self.attempt = 0;
                self.wait(1, None);
                self.emit(Event::Close(CloseInfo {
                    code: CODE_NORMAL,
                    reason: R::from_drop(reason),
                    was_clean: true,
                    will_reconnect: true,
                    delay: None,
                }));
            }
            Conn::Connecting { generation, .. } => {
                // Not a failure: the same attempt is made again when the page is back.
                self.abandon(generation, reason);
                self.wait(self.attempt, None);
            }
            Conn::Waiting { attempt, .. } => self.wait(attempt, None),
            Conn::Deciding { .. } => {}
            Conn::Idle | Conn::Closing { .. } => return,
        }
        self.page.park(why);
    }
}
