//! The few float operations the core needs, written out: the npm build has no std, and
//! `core` alone has no `powi`, `round`, `ceil` or `fract` for `f64`. Each is exact for the
//! values the core gives it (validated delays: finite, from 0 to 2^31 ms).

/// `x` to the power `n`, by squaring: the same steps, so the same result, as compiler-rt's
/// `__powidf2`, which `f64::powi` calls.
pub(crate) fn powi(mut x: f64, n: i32) -> f64 {
    let recip = n < 0;
    let mut b = n.unsigned_abs();
    let mut r = 1.0;
    loop {
        if b & 1 != 0 {
            r *= x;
        }
        b /= 2;
        if b == 0 {
            break;
        }
        x *= x;
    }
    if recip {
        1.0 / r
    } else {
        r
    }
}

/// The integer part of `x`, for |x| < 2^63 (beyond, `x` itself: already whole).
fn trunc(x: f64) -> f64 {
    if x.abs() < 9.2e18 {
        x as i64 as f64
    } else {
        x
    }
}

/// `x` rounded half away from zero, as `f64::round`.
pub(crate) fn round(x: f64) -> f64 {
    let t = trunc(x);
    let d = x - t;
    if d >= 0.5 {
        t + 1.0
    } else if d <= -0.5 {
        t - 1.0
    } else {
        t
    }
}

/// The smallest whole number >= `x`, as `f64::ceil`.
pub(crate) fn ceil(x: f64) -> f64 {
    let t = trunc(x);
    if t < x {
        t + 1.0
    } else {
        t
    }
}

/// A validated duration of the config (ms, finite, from 0 to 2^31) in whole milliseconds,
/// rounded up: a timer never fires before its time.
pub(crate) fn millis(ms: f64) -> super::types::Millis {
    ceil(ms) as super::types::Millis
}

/// Whether `x` is a whole number.
pub(crate) fn is_whole(x: f64) -> bool {
    trunc(x) == x
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn match_std_where_the_core_uses_them() {
        let xs = [
            0.0,
            0.4,
            0.5,
            0.49999999999999994,
            1.5,
            2.5,
            999.5,
            1e3,
            2147483647.0,
            2147483646.7,
            -0.5,
            -1.5,
            1e300,
            f64::INFINITY,
        ];
        for x in xs {
            assert_eq!(round(x), x.round(), "round {x}");
            assert_eq!(ceil(x), x.ceil(), "ceil {x}");
            assert_eq!(
                is_whole(x),
                x.fract() == 0.0 || x.is_infinite(),
                "whole {x}"
            );
        }
        for (x, n) in [
            (2.0, 10),
            (1.5, 7),
            (3.0, 0),
            (1.0001, 40000),
            (2.0, -3),
            (10.0, 400),
        ] {
            assert_eq!(powi(x, n), x.powi(n), "powi {x} {n}");
        }
    }
}
