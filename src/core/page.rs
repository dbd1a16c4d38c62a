//! The page and the network as the machine knows them: online or not, hidden since when,
//! whether the client parked its connection for the page, and when an open socket was last
//! checked because the page or the network came back.
//!
//! The rules (docs/design.md, rule 5): no attempt while offline (`pauseWhenOffline`) or
//! parked; a page hidden for `closeWhenHiddenAfter`, or `pagehide` with `closeOnPageHide`,
//! parks the connection until the page is back; a drop just after a check is retried at once.

use super::close::DropReason;
use super::config::Lifecycle;
use super::num;
use super::timer::{Timer, Timers};
use super::types::Millis;

/// A connection that drops this soon (ms) after the page or the network came back and the
/// socket was probed is replaced at once, not after its backoff: browsers deliver the close
/// of a socket that died while the page was away (frozen, in the back/forward cache) just
/// after `resume` / `pageshow`, when the check has already found it "open".
///
/// ```
/// use lifeline_ws::core::{Command, Config, Input, Machine, State, RECHECK_WINDOW};
///
/// let mut m: Machine<String> = Machine::new(Config::default(), 1).unwrap();
/// m.handle(Input::Start, 0).unwrap();
/// let Some(Command::Open { generation }) = m.poll_command() else { unreachable!() };
/// m.handle(Input::Opened { generation }, 0).unwrap();
/// m.handle(Input::Resume, 60_000).unwrap(); // the page is back, the socket looks open
/// // Its close comes right after: the next attempt is made at once, not after a backoff.
/// let closed = Input::Closed { generation, code: 1006, reason: String::new(), was_clean: false };
/// m.handle(closed, 60_000 + RECHECK_WINDOW).unwrap();
/// assert_eq!(m.state(), State::Connecting);
/// ```
pub const RECHECK_WINDOW: Millis = 1000;

/// Why the client closed its own socket and now waits for the page to come back.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Park {
    /// Hidden longer than `closeWhenHiddenAfter`; waits for visible.
    Hidden,
    /// `pagehide` with `closeOnPageHide`; waits for `pageshow` (or visible / resume).
    PageHide,
}

impl Park {
    /// Why the socket is dropped, in the words of its `close`.
    pub fn reason(self) -> DropReason {
        match self {
            Park::Hidden => DropReason::HiddenTooLong,
            Park::PageHide => DropReason::PageHide,
        }
    }
}

/// The page's and the network's state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Page {
    /// `pauseWhenOffline`.
    pause_when_offline: bool,
    /// `closeWhenHiddenAfter`, in whole ms.
    hidden_after: Option<Millis>,
    online: bool,
    hidden_since: Option<Millis>,
    parked: Option<Park>,
    /// When the page or the network last came back while a socket was open (see
    /// [`RECHECK_WINDOW`]).
    checked_at: Option<Millis>,
}

impl Page {
    /// Online and visible, as far as anyone said, with the validated `lifecycle` options.
    pub fn new(lifecycle: &Lifecycle) -> Page {
        Page {
            pause_when_offline: lifecycle.pause_when_offline,
            hidden_after: lifecycle.close_when_hidden_after.map(num::millis),
            online: true,
            hidden_since: None,
            parked: None,
            checked_at: None,
        }
    }

    /// Whether attempts wait: parked, or offline with `pauseWhenOffline`.
    pub fn paused(&self) -> bool {
        self.parked.is_some() || (self.pause_when_offline && !self.online)
    }

    /// The network came back (`true`) or went.
    pub fn set_online(&mut self, online: bool) {
        self.online = online;
    }

    /// The page was hidden at `now` (if it was not already).
    pub fn hide(&mut self, now: Millis) {
        self.hidden_since.get_or_insert(now);
    }

    /// The page is visible.
    pub fn show(&mut self) {
        self.hidden_since = None;
    }

    /// The client closed its socket for the page.
    pub fn park(&mut self, why: Park) {
        self.parked = Some(why);
    }

    /// Whatever held the connection for the page is over: answers whether it was parked.
    pub fn unpark(&mut self) -> bool {
        self.parked.take().is_some()
    }

    /// An open socket was checked at `now`, the page or the network being back.
    pub fn checked(&mut self, now: Millis) {
        self.checked_at = Some(now);
    }

    /// A check no longer counts: the socket it found open is gone or replaced.
    pub fn forget_check(&mut self) {
        self.checked_at = None;
    }

    /// A connection ended at `now`: answers whether a check found it open just before
    /// (within [`RECHECK_WINDOW`]), so that its retry is owed at once. The check is spent.
    pub fn recheck(&mut self, now: Millis) -> bool {
        self.checked_at
            .take()
            .is_some_and(|at| now.saturating_sub(at) <= RECHECK_WINDOW)
    }

    /// Sets [`Timer::Hidden`] while the page is hidden with `closeWhenHiddenAfter` and not
    /// parked, for a client that has (or is getting, or waits to get) a connection: `live`.
    pub fn timers(&self, live: bool, timers: &mut Timers) {
        if let (Some(after), Some(since), None, true) =
            (self.hidden_after, self.hidden_since, self.parked, live)
        {
            timers.set(Timer::Hidden, since + after);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(pause_when_offline: bool, hidden_after: Option<f64>) -> Page {
        Page::new(&Lifecycle {
            pause_when_offline,
            close_when_hidden_after: hidden_after,
            ..Lifecycle::default()
        })
    }

    #[test]
    fn offline_pauses_only_with_pause_when_offline() {
        let mut p = page(true, None);
        p.set_online(false);
        assert!(p.paused());
        let mut p = page(false, None);
        p.set_online(false);
        assert!(!p.paused());
        p.park(Park::PageHide);
        assert!(p.paused());
        assert!(p.unpark() && !p.unpark());
    }

    #[test]
    fn the_hidden_timer_runs_from_the_first_hide_until_parked() {
        let mut p = page(true, Some(500.0));
        let hidden = |p: &Page| {
            let mut timers = Timers::default();
            p.timers(true, &mut timers);
            timers.next()
        };
        p.hide(100);
        p.hide(300);
        assert_eq!(hidden(&p), Some(600));
        p.park(Park::Hidden);
        assert_eq!(hidden(&p), None);
        p.unpark();
        p.show();
        assert_eq!(hidden(&p), None);
    }

    #[test]
    fn a_check_is_owed_once_within_the_window() {
        let mut p = page(true, None);
        p.checked(1000);
        assert!(p.recheck(1000 + RECHECK_WINDOW));
        assert!(!p.recheck(1000 + RECHECK_WINDOW), "spent");
        p.checked(1000);
        assert!(!p.recheck(1001 + RECHECK_WINDOW));
    }
}
