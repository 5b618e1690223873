//! Clocks for the hot path.
//!
//! One exact clock read (`Instant::now()`) costs about as much as the whole
//! per-poll budget, so polls use the kernel's coarse monotonic clock
//! (`CLOCK_MONOTONIC_COARSE`, a vDSO read of a value the kernel keeps at tick
//! resolution, 1–4 ms) for "since when", and time an exact duration only on a
//! sample of polls. Every threshold that matters (blocking polls, long waits,
//! settle time) is in milliseconds.

use std::time::{SystemTime, UNIX_EPOCH};

/// Milliseconds of the coarse monotonic clock. Only differences mean anything.
pub fn now_ms() -> u64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec; CLOCK_MONOTONIC_COARSE exists
    // on every Linux since 2.6.32 and the call cannot fail with a valid pointer.
    unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC_COARSE, &mut ts) };
    ts.tv_sec as u64 * 1000 + ts.tv_nsec as u64 / 1_000_000
}

/// An exact monotonic reading in nanoseconds, for sampled poll timing.
pub fn exact_ns() -> u64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: as in `now_ms`.
    unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut ts) };
    ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64
}

/// Wall-clock milliseconds since the Unix epoch.
pub fn wall_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// Wall-clock nanoseconds since the Unix epoch.
pub fn wall_ns() -> u128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos())
}

/// The age in ms at `now` of something stamped `since` (0 if unset or ahead).
pub fn age(now: u64, since: u64) -> u64 {
    now.saturating_sub(since)
}
