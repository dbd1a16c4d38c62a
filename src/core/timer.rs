//! The machine's deadlines, by name.
//!
//! Every deadline the machine keeps is one [`Timer`]. The deadlines stay with the states that
//! own them (the connection's phase, its [`Liveness`], the [`Page`]); [`Timers`] is the table
//! of them at one moment. The driver's one timer is armed at the table's earliest entry
//! ([`Machine::next_deadline`]); when it fires, the machine handles each timer that is due, in
//! the order of [`Timer::ALL`], by matching on which one it is.
//!
//! [`Liveness`]: super::liveness::Liveness
//! [`Page`]: super::page::Page
//! [`Machine::next_deadline`]: super::Machine::next_deadline

use super::types::Millis;

/// A deadline handled more than this many ms after it was due means the device slept or the
/// page was frozen or throttled: the machine checks the connection (a probe) instead of
/// trusting the clock. Browsers align the timers of hidden pages to whole seconds, so up to
/// one second late is normal.
///
/// ```
/// # use lifeline_ws::core::{Config, Generation, Heartbeat, Input, Machine, State, LATE_AFTER};
/// // Open since 0 with heartbeats; a ping went out at 25 s, its pong is due by 35 s.
/// fn pinged() -> Machine<String> {
///     let config = Config { heartbeat: Some(Heartbeat::default()), ..Config::default() };
///     let mut m = Machine::new(config, 1).unwrap();
/// #   m.handle(Input::Start, 0).unwrap();
/// #   m.handle(Input::Opened { generation: Generation(1) }, 0).unwrap();
/// #   m.handle(Input::Deadline { last_message_at: None }, 25_000).unwrap();
///     m
/// }
/// let mut on_time = pinged();
/// on_time.handle(Input::Deadline { last_message_at: None }, 35_000 + LATE_AFTER).unwrap();
/// assert_eq!(on_time.state(), State::Waiting); // no pong: dead, dropped
/// let mut slept = pinged();
/// slept.handle(Input::Deadline { last_message_at: None }, 35_000 + LATE_AFTER + 1).unwrap();
/// assert_eq!(slept.state(), State::Open); // the device slept: ping again, no verdict
/// ```
pub const LATE_AFTER: Millis = 1000;

/// One deadline of the machine.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Timer {
    /// The page has been hidden for `closeWhenHiddenAfter`: the client parks.
    Hidden,
    /// The opening handshake's `connectionTimeout`.
    Handshake,
    /// The next attempt of a waiting client (none while the network or the page holds it
    /// back).
    Retry,
    /// A closing handshake's `closeTimeout`, after `close()` or begun by the server.
    Closing,
    /// The client's next heartbeat ping.
    Ping,
    /// The pong of the ping in flight.
    Pong,
    /// The server's pings have been silent for `interval + timeout` (or past the grace a
    /// late timer gave).
    Silence,
}

impl Timer {
    /// How many timers there are.
    const COUNT: usize = 7;

    /// Every timer, in the order they are handled when several are due at once: the page's
    /// first (parking ends the rest), then the connection's, the client's ping before the
    /// server's silence.
    pub const ALL: [Timer; Timer::COUNT] = [
        Timer::Hidden,
        Timer::Handshake,
        Timer::Retry,
        Timer::Closing,
        Timer::Ping,
        Timer::Pong,
        Timer::Silence,
    ];
}

/// When each timer is due; [`Timers::UNSET`] for a timer that is not set.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Timers([Millis; Timer::COUNT]);

impl Default for Timers {
    fn default() -> Self {
        Timers([Timers::UNSET; Timer::COUNT])
    }
}

impl Timers {
    /// The deadline of a timer that is not set: later than any time a driver feeds in
    /// (the npm driver's times stop at 2^53 ms, and a deadline adds at most 2^31 ms to one),
    /// so it is never due. A number rather than an `Option`: the table is scanned whole, and
    /// plain numbers make less code in the npm wasm.
    const UNSET: Millis = Millis::MAX;

    /// Sets `timer` due at `at`.
    pub fn set(&mut self, timer: Timer, at: Millis) {
        self.0[timer as usize] = at;
    }

    /// The earliest deadline: where the driver's one timer goes.
    pub fn next(&self) -> Option<Millis> {
        let next = self.0.iter().copied().min().unwrap_or(Timers::UNSET);
        (next != Timers::UNSET).then_some(next)
    }

    /// The timers due at `now`, in the order of [`Timer::ALL`].
    pub fn due(&self, now: Millis) -> impl Iterator<Item = Timer> + '_ {
        Timer::ALL
            .into_iter()
            .filter(move |&timer| self.0[timer as usize] <= now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_order_of_all_is_the_numbering() {
        for (i, timer) in Timer::ALL.into_iter().enumerate() {
            assert_eq!(timer as usize, i);
        }
    }

    #[test]
    fn next_is_the_earliest_and_due_keeps_the_order() {
        let mut timers = Timers::default();
        assert_eq!(timers.next(), None);
        timers.set(Timer::Silence, 30);
        timers.set(Timer::Ping, 20);
        timers.set(Timer::Hidden, 50);
        assert_eq!(timers.next(), Some(20));
        assert_eq!(timers.due(19).count(), 0);
        assert_eq!(
            timers.due(30).collect::<Vec<_>>(),
            [Timer::Ping, Timer::Silence]
        );
        assert_eq!(
            timers.due(50).collect::<Vec<_>>(),
            [Timer::Hidden, Timer::Ping, Timer::Silence]
        );
    }
}
