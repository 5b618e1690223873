//! The watchdog: this process analyses itself at an interval and prints
//! each new deadlock once to stderr, as Go's runtime says "all goroutines
//! are asleep".
//!
//! Off by default. `PEEPS_WATCHDOG=<seconds>` (fractions allowed, `0` or
//! empty means off) starts it, read by `init` and `init_named` and, for a
//! program that calls neither, by the first task spawned through peeps; or
//! [`watchdog`] starts it. It runs on a dedicated OS thread named
//! `peeps-watchdog`, not on the program's runtime, so it speaks even when
//! every worker thread is wedged. Each round takes a [`crate::snapshot`],
//! runs `peeps_graph::analysis` on it with the default options (so a
//! deadlock must have stood for the settle time) and prints the deadlocks
//! it has not printed before, in the words `peeps analyze` uses. It also
//! prints each potential deadlock (a cycle in the order the process takes
//! its locks in, see [`crate::lockorder`]) once, the first round it is
//! seen: it has not hung, and can.
//!
//! With feature `tracing` (`peeps/tracing`), each new finding of a round —
//! deadlocks and potential deadlocks (ERROR), tasks stuck forever, long
//! waits and blocking polls (WARN) — is also a `tracing` event with target
//! `peeps`, for the program's subscriber (see `watchdog_events`); what
//! stderr says does not change.
//!
//! # Global state
//!
//! One thread per process, started at most once, and its interval (an
//! atomic: a later call to [`watchdog`] changes it). The set of deadlocks
//! already printed lives on the thread and is bounded by the deadlocks
//! present in the last snapshot.

use peeps_graph::analysis::{Deadlock, Options};
use std::collections::HashSet;
use std::io::Write;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// The environment variable that starts the watchdog: seconds between
/// analyses (`0.5`, `2`, ...).
pub const WATCHDOG_ENV: &str = "PEEPS_WATCHDOG";

/// The shortest interval the watchdog accepts: a snapshot walks every live
/// node, so more often than this would cost the program for nothing.
pub const MIN_INTERVAL: Duration = Duration::from_millis(10);

/// The interval in ms; set before the thread starts, read every round.
static INTERVAL_MS: AtomicU64 = AtomicU64::new(0);
static STARTED: OnceLock<()> = OnceLock::new();

/// Starts the watchdog: every `interval`, analyse this process and print
/// each new deadlock once to stderr. Calling it again changes the interval
/// (the thread is started once).
///
/// # Examples
///
/// ```no_run
/// peeps_runtime::watchdog(std::time::Duration::from_secs(5));
/// ```
pub fn watchdog(interval: Duration) {
    let ms = interval.max(MIN_INTERVAL).as_millis();
    INTERVAL_MS.store(u64::try_from(ms).unwrap_or(u64::MAX), Ordering::Relaxed);
    STARTED.get_or_init(|| {
        let spawned = std::thread::Builder::new()
            .name("peeps-watchdog".into())
            .spawn(|| {
                let _seen = crate::census::seen_thread();
                run()
            });
        if let Err(e) = spawned {
            eprintln!("peeps: could not start the watchdog thread: {e}");
        }
    });
}

/// Starts the watchdog if `PEEPS_WATCHDOG` asks for it. A value that is not
/// a number of seconds is reported on stderr and ignored.
pub fn start_from_env() {
    let Some(value) = std::env::var_os(WATCHDOG_ENV) else {
        return;
    };
    match parse_interval(&value.to_string_lossy()) {
        Ok(Some(interval)) => watchdog(interval),
        Ok(None) => {}
        Err(()) => eprintln!(
            "peeps: ignoring {WATCHDOG_ENV}={:?}: expected a number of seconds",
            value
        ),
    }
}

/// [`start_from_env`] once per process: for the first peeps task, so that
/// `PEEPS_WATCHDOG` works in a program that never calls `init`.
#[cfg_attr(not(feature = "diagnostics"), allow(dead_code))] // off: tokio's spawn
#[inline]
pub(crate) fn start_from_env_once() {
    static READ: OnceLock<()> = OnceLock::new();
    READ.get_or_init(start_from_env);
}

/// `"2"` → 2 s, `"0.25"` → 250 ms, `"0"` or `""` → off.
fn parse_interval(value: &str) -> Result<Option<Duration>, ()> {
    let value = value.trim();
    if value.is_empty() {
        return Ok(None);
    }
    let secs: f64 = value.parse().map_err(|_| ())?;
    if !secs.is_finite() || secs < 0.0 {
        return Err(());
    }
    if secs == 0.0 {
        return Ok(None);
    }
    Duration::try_from_secs_f64(secs).map(Some).map_err(|_| ())
}

fn run() {
    let mut printed: HashSet<Vec<(String, u64)>> = HashSet::new();
    let mut potential = crate::lockorder::Printed::default();
    let mut events = crate::watchdog_events::Emitted::default();
    loop {
        let ms = INTERVAL_MS.load(Ordering::Relaxed).max(1);
        std::thread::sleep(Duration::from_millis(ms));
        // The analysis never panics on any graph; if it ever did, the
        // watchdog says so once and stops rather than take the program down.
        match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            round(&mut printed, &mut potential, &mut events)
        })) {
            Ok(()) => {}
            Err(_) => {
                eprintln!("peeps: the watchdog stopped after an internal error");
                return;
            }
        }
    }
}

/// One round: snapshot, analyse, print what is new, forget what is gone;
/// with feature `tracing`, emit what is new as events too.
fn round(
    printed: &mut HashSet<Vec<(String, u64)>>,
    potential: &mut crate::lockorder::Printed,
    events: &mut crate::watchdog_events::Emitted,
) {
    let snap = crate::snapshot();
    let report = peeps_graph::analyze(std::slice::from_ref(&snap), &Options::default());
    potential.print_new(&snap.process, &report.potential_deadlocks);
    let mut current = HashSet::with_capacity(report.deadlocks.len());
    for deadlock in &report.deadlocks {
        let key = deadlock.key();
        if !printed.contains(&key) {
            print(&snap.process, deadlock);
        }
        current.insert(key);
    }
    *printed = current;
    // After stderr, on purpose: a subscriber that blocks (a writer the
    // wedged program holds) cannot keep the report from stderr, and one
    // that panics loses its own events, not the watchdog.
    let emitted = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        events.emit_new(&snap.process, &report);
    }));
    static SAID: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
    if emitted.is_err() && !SAID.swap(true, Ordering::Relaxed) {
        eprintln!("peeps: a tracing subscriber panicked on a watchdog event (said once)");
    }
}

fn print(process: &peeps_graph::Process, deadlock: &Deadlock) {
    let message = format!(
        "peeps watchdog: process {:?} (pid {}) has a deadlock: these tasks can never make progress\n{}\n",
        process.name, process.pid, deadlock.text
    );
    // One write, so lines from other threads do not interleave with it.
    let _ = std::io::stderr().lock().write_all(message.as_bytes());
}

#[cfg(test)]
mod tests {
    use super::parse_interval;
    use std::time::Duration;

    #[test]
    fn intervals_are_seconds() {
        assert_eq!(parse_interval("2"), Ok(Some(Duration::from_secs(2))));
        assert_eq!(
            parse_interval(" 0.25 "),
            Ok(Some(Duration::from_millis(250)))
        );
        assert_eq!(parse_interval("0"), Ok(None));
        assert_eq!(parse_interval(""), Ok(None));
        for bad in ["soon", "-1", "NaN", "inf", "1e400"] {
            assert_eq!(parse_interval(bad), Err(()), "{bad}");
        }
    }
}
