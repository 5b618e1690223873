//! A test's time limit: `timeout = "30s"` on the attribute, else
//! `PEEPS_TEST_TIMEOUT`, else none (as `#[tokio::test]`: the deadlock check
//! still runs).
//!
//! A duration is a number, with an optional fraction, and a unit: `ms`,
//! `s`, `m` (or `min`), `h`; a bare number is seconds. `peeps-macros`
//! checks the attribute's value with the same grammar at compile time
//! (`peeps-macros/src/test/attr.rs`, tested with the same cases).

use std::time::Duration;

/// The environment variable giving the timeout of every `#[peeps::test]`
/// that sets none: `30s`, `1.5m`, `500ms`, ... `0` or empty means none.
pub const TIMEOUT_ENV: &str = "PEEPS_TEST_TIMEOUT";

/// `"30s"` → 30 s, `"1.5s"`, `"500ms"`, `"2m"`, `"1h"`, `"30"` (seconds).
/// `None` for anything else (negative, exponent, no digits, unknown unit).
pub fn parse_duration(text: &str) -> Option<Duration> {
    let text = text.trim();
    let split = text.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let secs_per_unit = match unit.trim_start() {
        "ms" => 0.001,
        "" | "s" => 1.0,
        "m" | "min" => 60.0,
        "h" => 3600.0,
        _ => return None,
    };
    let well_formed = match number.split_once('.') {
        Some((whole, frac)) => !whole.is_empty() && !frac.is_empty() && !frac.contains('.'),
        None => !number.is_empty(),
    };
    if !well_formed {
        return None;
    }
    let value: f64 = number.parse().ok()?;
    Duration::try_from_secs_f64(value * secs_per_unit).ok()
}

/// The timeout `PEEPS_TEST_TIMEOUT` gives, if any.
///
/// # Panics
///
/// When the variable is set to something that is not a duration: every
/// test would otherwise silently run without the limit CI asked for.
pub(crate) fn from_env() -> Option<Duration> {
    let value = std::env::var_os(TIMEOUT_ENV)?;
    let value = value.to_string_lossy();
    if value.trim().is_empty() {
        return None;
    }
    match parse_duration(&value) {
        Some(d) if d.is_zero() => None,
        Some(d) => Some(d),
        None => panic!(
            "peeps: {TIMEOUT_ENV}={value:?} is not a duration: expected e.g. \"30s\", \"1.5m\" or \"500ms\""
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::parse_duration;
    use std::time::Duration;

    /// The cases `peeps-macros` checks its twin against.
    #[test]
    fn durations_have_a_number_and_a_unit() {
        let ok = [
            ("30s", 30_000),
            ("30", 30_000),
            (" 1.5s ", 1_500),
            ("500ms", 500),
            ("2m", 120_000),
            ("2min", 120_000),
            ("1h", 3_600_000),
            ("0.25 s", 250),
            ("0s", 0),
        ];
        for (text, ms) in ok {
            assert_eq!(parse_duration(text), Some(Duration::from_millis(ms)), "{text:?}");
        }
        for bad in ["", "s", "soon", "-1s", "1e3s", "1.s", ".5s", "1.2.3s", "5 d", "infs", "NaN"] {
            assert_eq!(parse_duration(bad), None, "{bad:?}");
        }
    }
}
