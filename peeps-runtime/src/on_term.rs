//! `PEEPS_ON_TERM=report`: a process killed by a time limit says what it
//! was waiting on before it goes.
//!
//! CI runners, `timeout(1)` and nextest's slow-timeout end a stuck process
//! with SIGTERM (or SIGINT); without this, it goes without a word. With
//! `PEEPS_ON_TERM=report` in its environment (read by `peeps::init`), or
//! inside a `#[peeps::test]` unless `PEEPS_ON_TERM=off`, peeps catches both
//! signals. On one it prints to stderr every live task with its logical
//! stack and the leaf it waits on (grouped by running `#[peeps::test]`),
//! then the analysis (deadlocks, tasks stuck forever, long waits, blocking
//! polls), then ends the process as the signal asks.
//!
//! The handler only writes the signal's number to a pipe (async-signal-safe,
//! errno preserved). A dedicated OS thread, `peeps-on-term`, reads it and
//! builds the report on a helper thread, waiting at most [`REPORT_BUDGET`]
//! for it (a report that takes longer is skipped, with a line saying so):
//! the process ends soon after the signal whatever state it is in. Then the
//! thread restores the disposition that was in place before peeps installed
//! its handler and raises the signal again: with the default disposition the
//! process dies of the signal, as it would have without peeps; a handler the
//! program had installed before runs as it would have. If something
//! installed its own handler over peeps' since (and calls peeps' from it),
//! peeps leaves that handler alone and does not raise.
//!
//! # Global state
//!
//! The pipe's write end (an atomic fd), the previous dispositions, and the
//! thread, installed at most once per process.

use nix::sys::signal::{self, SaFlags, SigAction, SigHandler, SigSet, Signal};
use std::io::{self, Write};
use std::os::fd::OwnedFd;
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::{Mutex, Once};
use std::time::Duration;

/// The environment variable: `report` turns the report on (`peeps::init`
/// reads it); `off` turns it off inside `#[peeps::test]`, where it is on
/// by default.
pub const ON_TERM_ENV: &str = "PEEPS_ON_TERM";

/// The longest the report may take after the signal: longer, and the
/// process ends without it. Well within the grace CI runners and nextest
/// give between SIGTERM and SIGKILL (several seconds).
pub const REPORT_BUDGET: Duration = Duration::from_secs(2);

/// The signals peeps reports on.
const SIGNALS: [Signal; 2] = [Signal::SIGTERM, Signal::SIGINT];

static PIPE_WRITE: AtomicI32 = AtomicI32::new(-1);
static INSTALL: Once = Once::new();
/// The dispositions in place before peeps' handler, per signal.
static PREVIOUS: Mutex<Vec<(Signal, SigAction)>> = Mutex::new(Vec::new());

extern "C" fn on_signal(sig: libc::c_int) {
    let fd = PIPE_WRITE.load(Ordering::Relaxed);
    if fd >= 0 {
        // SAFETY: write(2) and errno access are async-signal-safe; the byte
        // lives on this stack frame. errno is restored for the interrupted code.
        unsafe {
            let errno = *libc::__errno_location();
            let byte = sig as u8;
            libc::write(fd, (&raw const byte).cast(), 1);
            *libc::__errno_location() = errno;
        }
    }
}

/// What `PEEPS_ON_TERM` asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Wanted {
    Report,
    Off,
    Unset,
}

fn wanted() -> Wanted {
    match std::env::var(ON_TERM_ENV).as_deref().map(str::trim) {
        Err(_) | Ok("") => Wanted::Unset,
        Ok("report") => Wanted::Report,
        Ok("off") => Wanted::Off,
        Ok(other) => {
            eprintln!("peeps: ignoring {ON_TERM_ENV}={other:?}: expected \"report\" or \"off\"");
            Wanted::Unset
        }
    }
}

/// Installs the report on SIGTERM and SIGINT if `PEEPS_ON_TERM=report`
/// (called by `init`).
pub fn start_from_env() {
    if wanted() == Wanted::Report {
        install();
    }
}

/// Installs it unless `PEEPS_ON_TERM=off` (called by each `#[peeps::test]`).
#[cfg_attr(not(feature = "diagnostics"), allow(dead_code))] // no runner without it
pub(crate) fn install_for_tests() {
    if wanted() != Wanted::Off {
        install();
    }
}

/// Installs the report on SIGTERM and SIGINT (once per process; later
/// calls do nothing). A failure is said on stderr; the program goes on.
pub fn install() {
    INSTALL.call_once(|| {
        if let Err(e) = try_install() {
            eprintln!("peeps: could not install the SIGTERM/SIGINT report: {e}");
        }
    });
}

fn try_install() -> io::Result<()> {
    let write = crate::signal_pipe::start("peeps-on-term", report_thread)?;
    PIPE_WRITE.store(write, Ordering::Relaxed);
    let ours = SigAction::new(
        SigHandler::Handler(on_signal),
        SaFlags::SA_RESTART,
        SigSet::empty(),
    );
    let mut previous = PREVIOUS.lock().unwrap_or_else(|e| e.into_inner());
    for sig in SIGNALS {
        // SAFETY: the handler only performs async-signal-safe operations.
        let prev = unsafe { signal::sigaction(sig, &ours) }.map_err(io::Error::from)?;
        previous.push((sig, prev));
    }
    Ok(())
}

fn report_thread(read: OwnedFd) {
    let mut buf = [0u8; 1];
    loop {
        match nix::unistd::read(&read, &mut buf) {
            Ok(0) => return,
            Ok(_) => {
                let Ok(sig) = Signal::try_from(i32::from(buf[0])) else {
                    continue;
                };
                let text = bounded(REPORT_BUDGET, move || report_text(sig)).unwrap_or_else(|| {
                    format!(
                        "peeps: received {sig}; no report: it took longer than {} s\n",
                        REPORT_BUDGET.as_secs()
                    )
                });
                // One write, so lines from other threads do not interleave with it.
                let _ = io::stderr().lock().write_all(text.as_bytes());
                end_as_asked(sig);
            }
            Err(nix::errno::Errno::EINTR) => {}
            Err(e) => {
                eprintln!("peeps: the SIGTERM/SIGINT report thread stopped: {e}");
                return;
            }
        }
    }
}

/// Runs `f` on a helper thread and waits at most `budget` for its answer.
fn bounded<T: Send + 'static>(
    budget: Duration,
    f: impl FnOnce() -> T + Send + 'static,
) -> Option<T> {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .name("peeps-on-term-report".into())
        .spawn(move || {
            // A panic drops `tx`: no answer, said as such.
            if let Ok(v) = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
                let _ = tx.send(v);
            }
        })
        .ok()?;
    rx.recv_timeout(budget).ok()
}

/// Puts back the disposition peeps replaced and raises `sig` again, unless
/// another handler has replaced peeps' (it is the one being run, then).
fn end_as_asked(sig: Signal) {
    let previous = PREVIOUS
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .iter()
        .find(|(s, _)| *s == sig)
        .map(|(_, a)| *a)
        .unwrap_or_else(|| SigAction::new(SigHandler::SigDfl, SaFlags::empty(), SigSet::empty()));
    // SAFETY: restoring a disposition that was installed before, or the default.
    let Ok(current) = (unsafe { signal::sigaction(sig, &previous) }) else {
        return;
    };
    let still_ours = matches!(current.handler(), SigHandler::Handler(h) if std::ptr::fn_addr_eq(h, on_signal as extern "C" fn(libc::c_int)));
    if !still_ours {
        // SAFETY: putting back the handler that was installed a moment ago.
        let _ = unsafe { signal::sigaction(sig, &current) };
        return;
    }
    let _ = signal::raise(sig);
}

/// The report: each running test's tasks, the other tasks, the analysis.
fn report_text(sig: Signal) -> String {
    let snap = crate::snapshot();
    let report = peeps_graph::analyze(
        std::slice::from_ref(&snap),
        &peeps_graph::Options::default(),
    );
    let mut text = format!(
        "peeps: received {sig}; what process {:?} (pid {}) was waiting on:\n\n",
        snap.process.name, snap.process.pid
    );
    let (tests, listed) = running_tests(&snap, &report);
    text.push_str(&tests);
    let others = peeps_graph::analysis::task_stacks(&snap, |n| !listed.contains(&n.id));
    if !others.is_empty() && !listed.is_empty() {
        text.push_str("tasks outside any running test:\n\n");
    }
    text.push_str(&stacks_text(others.iter().map(|s| s.text.as_str())));
    text.push_str(&report.text());
    text
}

/// How many task stacks one list shows before `and N more`.
const LISTED_TASKS: usize = 100;

/// Stacks' texts, each followed by a blank line: the first
/// [`LISTED_TASKS`], then how many more.
pub(crate) fn stacks_text<'t>(texts: impl ExactSizeIterator<Item = &'t str>) -> String {
    let total = texts.len();
    let mut out = String::new();
    for t in texts.take(LISTED_TASKS) {
        out.push_str(t);
        out.push_str("\n\n");
    }
    if total > LISTED_TASKS {
        out.push_str(&format!("… and {} more tasks\n\n", total - LISTED_TASKS));
    }
    out
}

/// Each running `#[peeps::test]`'s tasks, and the tasks listed.
#[cfg(feature = "diagnostics")]
fn running_tests(
    snap: &peeps_graph::Snapshot,
    report: &peeps_graph::Report,
) -> (String, std::collections::HashSet<peeps_graph::NodeId>) {
    crate::test::report::running_sections(snap, report)
}

/// Without diagnostics no `#[peeps::test]` runs through peeps.
#[cfg(not(feature = "diagnostics"))]
fn running_tests(
    _snap: &peeps_graph::Snapshot,
    _report: &peeps_graph::Report,
) -> (String, std::collections::HashSet<peeps_graph::NodeId>) {
    (String::new(), std::collections::HashSet::new())
}

#[cfg(test)]
mod tests {
    use super::bounded;
    use std::time::Duration;

    #[test]
    fn a_report_gets_its_budget_and_no_more() {
        assert_eq!(bounded(Duration::from_secs(30), || 7), Some(7));
        let slow = bounded(Duration::from_millis(50), || {
            std::thread::sleep(Duration::from_secs(5));
            7
        });
        assert_eq!(slow, None, "given up after the budget");
        let panics = bounded(Duration::from_secs(30), || -> u32 {
            panic!("a bug in the report")
        });
        assert_eq!(panics, None, "a panic is no report, and no crash");
    }
}
