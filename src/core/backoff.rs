//! Reconnect delays: the capped exponential ceiling and the jitter drawn below it.

use super::config::{Backoff, Jitter};
use super::num;
use super::types::Millis;

/// A small seeded generator (SplitMix64) for jitter.
///
/// The machine owns one, seeded by its caller: the driver seeds it from
/// `crypto.getRandomValues`, tests from a fixed number, so every run of a test is the same.
///
/// ```
/// use lifeline_ws::core::{Backoff, Rng};
///
/// let (mut a, mut b) = (Rng::new(9), Rng::new(9));
/// let backoff = Backoff::default();
/// let first: Vec<u64> = (1..10).map(|n| backoff.delay(n, &mut a)).collect();
/// let again: Vec<u64> = (1..10).map(|n| backoff.delay(n, &mut b)).collect();
/// assert_eq!(first, again); // same seed, same delays
/// ```
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    /// A generator whose sequence is fixed by `seed`.
    ///
    /// ```
    /// use lifeline_ws::core::Rng;
    ///
    /// assert_eq!(Rng::new(42).next_u64(), Rng::new(42).next_u64());
    /// assert_ne!(Rng::new(1).next_u64(), Rng::new(2).next_u64());
    /// ```
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// The next 64 random bits.
    ///
    /// ```
    /// use lifeline_ws::core::Rng;
    ///
    /// let mut rng = Rng::new(0);
    /// assert_eq!(rng.next_u64(), 0xE220_A839_7B1D_CDAF); // SplitMix64's first output for seed 0
    /// assert_ne!(rng.next_u64(), 0xE220_A839_7B1D_CDAF);
    /// ```
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number uniform in `[0, 1]`.
    ///
    /// ```
    /// use lifeline_ws::core::Rng;
    ///
    /// let mut rng = Rng::new(5);
    /// let draws: Vec<f64> = (0..1000).map(|_| rng.unit()).collect();
    /// assert!(draws.iter().all(|x| (0.0..=1.0).contains(x)));
    /// assert!(draws.iter().any(|&x| x < 0.1) && draws.iter().any(|&x| x > 0.9));
    /// ```
    pub fn unit(&mut self) -> f64 {
        // 53 random bits over 2^53 - 1, so both ends can be drawn.
        (self.next_u64() >> 11) as f64 / ((1u64 << 53) - 1) as f64
    }
}

impl Backoff {
    /// The largest delay before attempt `attempt` (1 for the first retry), in ms:
    /// `min(max_delay, initial_delay × factor^(attempt−1))`.
    ///
    /// ```
    /// use lifeline_ws::core::Backoff;
    ///
    /// let b = Backoff { initial_delay: 500.0, factor: 3.0, ..Backoff::default() };
    /// assert_eq!(b.ceiling(1), 500.0);
    /// assert_eq!(b.ceiling(3), 4500.0);
    /// assert_eq!(b.ceiling(10), b.max_delay); // capped at 30 s
    /// ```
    pub fn ceiling(&self, attempt: u32) -> f64 {
        let exponent = attempt.saturating_sub(1).min(i32::MAX as u32) as i32;
        (self.initial_delay * num::powi(self.factor, exponent)).min(self.max_delay)
    }

    /// The smallest delay jitter can draw before `attempt`, in ms.
    ///
    /// ```
    /// use lifeline_ws::core::{Backoff, Jitter};
    ///
    /// let b = Backoff { jitter: Jitter::Equal, ..Backoff::default() };
    /// assert_eq!((b.floor(3), b.ceiling(3)), (2000.0, 4000.0));
    /// assert_eq!(Backoff { jitter: Jitter::Full, ..b }.floor(3), 0.0);
    /// assert_eq!(Backoff { jitter: Jitter::None, ..b }.floor(3), 4000.0);
    /// ```
    pub fn floor(&self, attempt: u32) -> f64 {
        self.floor_under(self.ceiling(attempt))
    }

    /// The smallest delay jitter can draw under `ceiling`.
    fn floor_under(&self, ceiling: f64) -> f64 {
        match self.jitter {
            Jitter::Full => 0.0,
            Jitter::Equal => ceiling / 2.0,
            Jitter::None => ceiling,
        }
    }

    /// Draws the delay before `attempt`, in whole ms, within `[floor, ceiling]` rounded.
    ///
    /// ```
    /// use lifeline_ws::core::{Backoff, Rng};
    ///
    /// let (b, mut rng) = (Backoff::default(), Rng::new(7));
    /// for attempt in 1..10 {
    ///     let delay = b.delay(attempt, &mut rng) as f64;
    ///     assert!(b.floor(attempt) <= delay && delay <= b.ceiling(attempt));
    /// }
    /// ```
    pub fn delay(&self, attempt: u32, rng: &mut Rng) -> Millis {
        let high = self.ceiling(attempt);
        let low = self.floor_under(high);
        let drawn = low + (high - low) * rng.unit();
        // `max`/`min`, not `clamp`: clamp's panic message formats floats (~10 KB of wasm).
        num::round(drawn).min(num::round(high)).max(0.0) as Millis
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn backoff(jitter: Jitter) -> Backoff {
        Backoff {
            jitter,
            ..Backoff::default()
        }
    }

    #[test]
    fn ceiling_grows_by_factor_and_caps() {
        let b = backoff(Jitter::None);
        let ceilings: Vec<f64> = (1..=7).map(|n| b.ceiling(n)).collect();
        assert_eq!(
            ceilings,
            [1000.0, 2000.0, 4000.0, 8000.0, 16000.0, 30000.0, 30000.0]
        );
        assert_eq!(b.ceiling(u32::MAX), 30000.0);
        let flat = Backoff { factor: 1.0, ..b };
        assert_eq!(flat.ceiling(50), 1000.0);
    }

    #[test]
    fn jitter_stays_in_its_band() {
        let mut rng = Rng::new(1);
        for attempt in 1..12 {
            let c = Backoff::default().ceiling(attempt);
            for _ in 0..500 {
                let full = backoff(Jitter::Full).delay(attempt, &mut rng) as f64;
                assert!((0.0..=c).contains(&full), "full {full} of {c}");
                let equal = backoff(Jitter::Equal).delay(attempt, &mut rng) as f64;
                assert!((c / 2.0..=c).contains(&equal), "equal {equal} of {c}");
                assert_eq!(backoff(Jitter::None).delay(attempt, &mut rng) as f64, c);
            }
        }
    }

    #[test]
    fn full_jitter_spreads_over_the_band() {
        let mut rng = Rng::new(42);
        let b = backoff(Jitter::Full);
        let draws: Vec<Millis> = (0..2000).map(|_| b.delay(1, &mut rng)).collect();
        let low = draws.iter().filter(|&&d| d < 250).count();
        let high = draws.iter().filter(|&&d| d > 750).count();
        // Each quarter should hold about 500 of 2000 draws.
        assert!((400..600).contains(&low), "low quarter {low}");
        assert!((400..600).contains(&high), "high quarter {high}");
    }

    #[test]
    fn same_seed_same_delays() {
        let b = Backoff::default();
        let (mut x, mut y) = (Rng::new(9), Rng::new(9));
        let a: Vec<Millis> = (1..20).map(|n| b.delay(n, &mut x)).collect();
        let c: Vec<Millis> = (1..20).map(|n| b.delay(n, &mut y)).collect();
        assert_eq!(a, c);
        assert_ne!(
            a,
            (1..20)
                .map(|n| b.delay(n, &mut Rng::new(10)))
                .collect::<Vec<_>>()
        );
    }
}
