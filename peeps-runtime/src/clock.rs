//! Clocks for the hot path.
//!
//! One exact clock read (`Instant::now()`) costs about as much as the whole
//! per-poll budget, and even the kernel's coarse clock costs several ns per
//! vDSO call. So polls read a millisecond tick that a background thread
//! (`peeps-clock`, started on first use) copies from the kernel's coarse
//! monotonic clock every millisecond: one relaxed load. Exact durations are
//! timed only on a sample of polls. Every threshold that matters (blocking
//! polls, long waits, settle time) is in milliseconds.

use std::sync::Once;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The tick: coarse monotonic ms, refreshed every millisecond.
static TICK_MS: AtomicU64 = AtomicU64::new(0);
static TICKER: Once = Once::new();

/// How often the tick is refreshed.
const TICK_EVERY: Duration = Duration::from_millis(1);

/// Milliseconds of the coarse monotonic clock, from the tick (one load).
/// Only differences mean anything.
#[inline]
pub fn now_ms() -> u64 {
    let t = TICK_MS.load(Relaxed);
    if t != 0 {
        return t;
    }
    start_ticker();
    coarse_ms()
}

#[cold]
fn start_ticker() {
    TICKER.call_once(|| {
        TICK_MS.store(coarse_ms(), Relaxed);
        let spawned = std::thread::Builder::new()
            .name("peeps-clock".into())
            .spawn(|| {
                let _seen = crate::census::seen_thread();
                loop {
                    TICK_MS.store(coarse_ms(), Relaxed);
                    std::thread::sleep(TICK_EVERY);
                }
            });
        if spawned.is_err() {
            // No thread: fall back to reading the kernel clock on every call.
            TICK_MS.store(0, Relaxed);
        }
    });
}

/// Milliseconds of the kernel's coarse monotonic clock, read now.
pub fn coarse_ms() -> u64 {
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
