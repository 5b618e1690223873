//! The thread sampler: stack samples of the program's threads, taken with
//! SIGPROF, so a blocking poll is reported with the code it is stuck in.
//!
//! # Design
//!
//! - **Who is sampled.** Threads that have polled a peeps task or a
//!   top-level instrumented future: they have a record (`threads.rs`)
//!   with their tid, their stack bounds and a preallocated ring of samples.
//!   That covers the runtime's workers and `block_on` threads. Other threads
//!   are listed in snapshots by name, without a stack.
//! - **When.** Off by default. [`start`] (or `PEEPS_SAMPLE_HZ`, read by
//!   `init`) runs a `peeps-sampler` thread that sends SIGPROF to each
//!   recorded thread at that rate (wall clock: a thread blocked in a
//!   syscall is sampled as well as one spinning). Independently, a SIGUSR1
//!   dump first takes a [`burst`]: a few samples of every recorded thread,
//!   a few ms apart, then waits a bounded time for the answers.
//! - **The handler** (`signal.rs`) runs on the sampled thread. It reads the
//!   interrupted pc, frame pointer and stack pointer from the `ucontext`,
//!   walks the frame-pointer chain with bounds checks (inside the thread's
//!   stack above the stack pointer, 8-aligned, strictly increasing, at most
//!   64 frames), copies a few stack words (to find the caller of a frameless
//!   libc leaf), and writes the sample into the thread's ring (`ring.rs`, a
//!   seqlock per sample). No allocation, no lock, no panic; errno is kept.
//! - **Symbols** are resolved afterwards, when a snapshot is taken, with the
//!   `backtrace` crate's resolver, and cached (`resolve.rs`).
//! - **Per thread**, the samples since the current poll started (within the
//!   last second) give a representative stack and the dominant frames: the
//!   frames present in at least half the samples (`stacks.rs`). Both go into
//!   the snapshot's `threads` (the stack, and attrs `samples` and
//!   `dominant_frames`); the analysis prints them under a blocking poll.
//! - **Degrading.** Without frame pointers only the innermost frame is
//!   known: the snapshot says `stack_unavailable` with the hint to build
//!   with `-C force-frame-pointers=yes` (the workspace's `.cargo/config.toml`
//!   does). A thread that does not answer (SIGPROF blocked, or stuck in an
//!   uninterruptible sleep) is marked so. When another handler owns SIGPROF
//!   (a CPU profiler), peeps leaves it alone and says so. Only x86_64 Linux
//!   reads registers; elsewhere every stack is unavailable.
//!
//! # Costs and side effects
//!
//! A sample costs the sampled thread a signal delivery and a walk of a few
//! µs; at 99 Hz that is well under 1 % (docs/PERFORMANCE.md, "Sampler").
//! Like every signal-based profiler, a signal can make a blocking syscall
//! that does not restart (`nanosleep`, `epoll_wait`, `poll`, ...) return
//! `EINTR`: std, tokio and mio retry those; code that calls libc directly
//! must handle `EINTR`, as it must anyway.
//!
//! # Global state
//!
//! The SIGPROF disposition (installed once, on first use), one sampler
//! thread (started at most once; its rate is an atomic, 0 pauses it), the
//! time of the last burst, and the resolver's cache of symbols.

// Without `diagnostics` nothing polls through peeps, so no thread registers.
#![cfg_attr(not(feature = "diagnostics"), allow(dead_code))]

pub(crate) mod resolve;
pub(crate) mod ring;
pub(crate) mod signal;
pub(crate) mod stacks;

use crate::threads::{self, ThreadSlot};
use peeps_graph::{Attrs, attr};
use std::sync::OnceLock;
use std::sync::atomic::{
    AtomicU32, AtomicU64,
    Ordering::{Acquire, Relaxed, Release},
};
use std::time::{Duration, Instant};

/// The environment variable that starts the sampler: samples per second
/// of each recorded thread. Unset, `0` or `off`: off. Empty or `on`:
/// [`DEFAULT_HZ`]. A number: that rate, at most [`MAX_HZ`].
pub const SAMPLE_HZ_ENV: &str = "PEEPS_SAMPLE_HZ";
/// The rate when `PEEPS_SAMPLE_HZ` is empty or `on`: 99 Hz, off the 100 Hz
/// beat of periodic work so samples do not always land on the same phase.
pub const DEFAULT_HZ: u32 = 99;
/// The highest rate accepted.
pub const MAX_HZ: u32 = 1000;
/// Samples of each thread a dump's burst takes.
pub const BURST_SAMPLES: u32 = 10;
/// Time between the samples of a burst.
pub const BURST_EVERY: Duration = Duration::from_millis(5);
/// How long a burst waits for a thread to answer its last signal.
pub const ANSWER_WAIT: Duration = Duration::from_millis(100);
/// Samples older than this are not shown (a stack says what a thread does
/// now, not a second ago).
const WINDOW_MS: u64 = 1_000;

/// `stack_unavailable`: the thread never polled anything instrumented.
pub(crate) const NOT_REGISTERED: &str =
    "not sampled: the thread has never polled a peeps task or instrumented future";
/// `stack_unavailable`: the thread did not run the handler in time.
pub(crate) const NO_ANSWER: &str = "no answer: the thread did not handle SIGPROF within 100 ms \
     (the signal is blocked on it, or it is stopped or in an uninterruptible sleep)";
/// `stack_unavailable`: the program was built without frame pointers.
pub(crate) const NO_FRAME_POINTERS: &str = "only the innermost frame: built without frame pointers \
     (build with RUSTFLAGS=\"-C force-frame-pointers=yes\")";
/// `stack_unavailable`: another handler owns SIGPROF.
pub(crate) const SIGNAL_TAKEN: &str =
    "not sampled: another handler (a profiler?) owns SIGPROF, peeps leaves it alone";
/// `stack_unavailable`: installing the handler failed.
pub(crate) const INSTALL_FAILED: &str = "not sampled: the SIGPROF handler could not be installed";
/// `stack_unavailable`: no register access on this architecture.
pub(crate) const UNSUPPORTED: &str =
    "not sampled: the sampler reads registers on x86_64 Linux only";
/// `stack_unavailable`: no sample since the current poll started.
pub(crate) const NO_SAMPLE_YET: &str = "no sample of the current poll yet";

/// The sampler's rate in Hz (0: paused or never started).
static HZ: AtomicU32 = AtomicU32::new(0);
static SAMPLER_THREAD: OnceLock<()> = OnceLock::new();
/// Coarse ms of the last burst (0: none).
static LAST_BURST_MS: AtomicU64 = AtomicU64::new(0);

/// Counts of signals sent to one thread and answered by it.
#[derive(Debug, Default)]
pub(crate) struct Answers {
    /// Handler runs on this thread (written by the thread's own handler).
    handled: AtomicU64,
    /// Signals the last burst sent (0: no burst reached this thread).
    burst_sent: AtomicU64,
    /// How many of them were answered before the burst gave up waiting.
    burst_answered: AtomicU64,
}

impl Answers {
    /// Counts one handler run. Async-signal-safe; the thread's own handler
    /// is the only writer, so a load and a store suffice.
    pub(crate) fn answered(&self) {
        self.handled.store(self.handled.load(Relaxed) + 1, Release);
    }

    fn handled(&self) -> u64 {
        self.handled.load(Acquire)
    }

    /// Forgets a previous owner's bursts (a slot reused by a new thread).
    pub(crate) fn reset(&self) {
        self.burst_sent.store(0, Relaxed);
        self.burst_answered.store(0, Relaxed);
    }

    fn unanswered(&self) -> bool {
        self.burst_sent.load(Relaxed) > 0 && self.burst_answered.load(Relaxed) == 0
    }
}

/// Starts sampling every recorded thread `hz` times a second (capped at
/// [`MAX_HZ`]); `0` pauses. The first call installs the SIGPROF handler and
/// starts the `peeps-sampler` thread; later calls change the rate.
///
/// A failure (another handler owns SIGPROF, no thread) is reported on
/// stderr once, and snapshots say why stacks are missing.
///
/// # Examples
///
/// ```no_run
/// peeps_runtime::sampler::start(99);
/// ```
pub fn start(hz: u32) {
    HZ.store(hz.min(MAX_HZ), Relaxed);
    if hz == 0 {
        return;
    }
    if let Err(why) = signal::install() {
        eprintln!("peeps: the sampler is off: {why}");
        return;
    }
    SAMPLER_THREAD.get_or_init(|| {
        let spawned = std::thread::Builder::new()
            .name("peeps-sampler".into())
            .spawn(|| {
                let _seen = crate::census::seen_thread();
                run()
            });
        if let Err(e) = spawned {
            eprintln!("peeps: could not start the sampler thread: {e}");
        }
    });
}

/// Pauses the sampler started by [`start`] (a burst still works).
pub fn stop() {
    HZ.store(0, Relaxed);
}

/// The rate the sampler runs at now (0: off).
pub fn rate() -> u32 {
    HZ.load(Relaxed)
}

/// Starts the sampler if `PEEPS_SAMPLE_HZ` asks for it. A value that is not
/// a rate is reported on stderr and ignored.
pub fn start_from_env() {
    let Some(value) = std::env::var_os(SAMPLE_HZ_ENV) else {
        return;
    };
    match parse_hz(&value.to_string_lossy()) {
        Ok(0) => {}
        Ok(hz) => start(hz),
        Err(()) => eprintln!(
            "peeps: ignoring {SAMPLE_HZ_ENV}={value:?}: expected a rate in Hz (e.g. 99), `on` or `off`"
        ),
    }
}

/// `""`/`on` → 99, `"250"` → 250, `"5000"` → 1000, `"0"`/`off` → 0.
fn parse_hz(value: &str) -> Result<u32, ()> {
    match value.trim() {
        "" | "on" => Ok(DEFAULT_HZ),
        "off" => Ok(0),
        v => v
            .parse::<u64>()
            .map(|hz| u32::try_from(hz.min(u64::from(MAX_HZ))).unwrap_or(MAX_HZ))
            .map_err(|_| ()),
    }
}

/// The sampler thread: signals every recorded thread, then sleeps.
fn run() {
    let me = threads::gettid();
    loop {
        let hz = HZ.load(Relaxed);
        if hz == 0 {
            std::thread::sleep(Duration::from_millis(50));
            continue;
        }
        for (_, tid) in threads::live_slots() {
            if tid != me {
                signal::signal(tid);
            }
        }
        std::thread::sleep(Duration::from_secs(1) / hz);
    }
}

/// Takes a burst of samples of every recorded thread: [`BURST_SAMPLES`]
/// signals each, [`BURST_EVERY`] apart, then waits up to [`ANSWER_WAIT`]
/// for the last ones to be handled. A thread that handled none is marked
/// as not answering in the next snapshots. Blocks the caller for about
/// 50 ms (more when a thread does not answer). SIGUSR1 dumps call it before
/// writing; call it before [`crate::snapshot`] to get fresh stacks.
pub fn burst() {
    burst_with(BURST_SAMPLES, BURST_EVERY, ANSWER_WAIT);
}

fn burst_with(rounds: u32, every: Duration, wait: Duration) {
    // Stamped first: a snapshot then says why stacks are missing even when
    // no signal can be sent (another profiler owns SIGPROF, no x86_64).
    LAST_BURST_MS.store(crate::clock::coarse_ms(), Relaxed);
    if !cfg!(target_arch = "x86_64") || signal::install().is_err() {
        return;
    }
    let me = threads::gettid();
    /// One thread of the burst: its slot and tid, and how many times its
    /// handler had run when the burst started and just before its last round.
    struct Target {
        slot: &'static ThreadSlot,
        tid: u64,
        start: u64,
        before_last: u64,
    }
    let mut targets: Vec<Target> = threads::live_slots()
        .filter(|&(_, tid)| tid != me)
        .map(|(slot, tid)| {
            let start = slot.answers.handled();
            Target {
                slot,
                tid,
                start,
                before_last: start,
            }
        })
        .collect();
    for round in 0..rounds {
        let last = round + 1 == rounds;
        // A thread that is gone (tgkill failed) leaves the burst.
        targets.retain_mut(|t| {
            if last {
                t.before_last = t.slot.answers.handled();
            }
            signal::signal(t.tid)
        });
        if !last {
            std::thread::sleep(every);
        }
    }
    let deadline = Instant::now() + wait;
    loop {
        let all_answered = targets
            .iter()
            .all(|t| t.slot.answers.handled() > t.before_last);
        if all_answered || Instant::now() >= deadline {
            break;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    for &Target { slot, start, .. } in &targets {
        slot.answers.burst_sent.store(u64::from(rounds), Relaxed);
        slot.answers
            .burst_answered
            .store(slot.answers.handled().saturating_sub(start), Relaxed);
    }
}

/// Whether a snapshot should say why a recorded thread has no stack: the
/// sampler is on, or a burst was taken recently.
pub(crate) fn stacks_expected() -> bool {
    let last = LAST_BURST_MS.load(Relaxed);
    HZ.load(Relaxed) > 0
        || (last != 0 && crate::clock::coarse_ms().saturating_sub(last) <= WINDOW_MS)
}

/// Whether this crate was built with frame pointers: a function of ours
/// starts with `push rbp; mov rbp, rsp` only then. The flag is global to a
/// build (RUSTFLAGS or `.cargo/config.toml`), so this speaks for the program.
pub(crate) fn frame_pointers() -> bool {
    static KNOWN: OnceLock<bool> = OnceLock::new();
    *KNOWN.get_or_init(|| {
        let probe = probe as fn() -> usize as usize;
        resolve::code_at::<8>(probe).is_some_and(|code| resolve::prologue_len(&code).is_some())
    })
}

/// A function whose first bytes tell whether frame pointers are on.
#[inline(never)]
fn probe() -> usize {
    std::hint::black_box(1)
}

/// The stack and stack attributes of recorded thread `tid` for a snapshot:
/// from its samples since `poll_since` (coarse ms; the current poll's start)
/// and within the last second.
pub(crate) fn stack_of(
    slot: &ThreadSlot,
    tid: u64,
    poll_since: Option<u64>,
) -> (Vec<String>, Attrs) {
    let mut attrs = Attrs::new();
    let now = crate::clock::coarse_ms();
    let since = now.saturating_sub(WINDOW_MS).max(poll_since.unwrap_or(0));
    let samples = slot.ring.read(tid, since);
    let mut unavailable = |why: &str| {
        attrs.insert(attr::STACK_UNAVAILABLE.to_owned(), why.into());
    };
    if samples.is_empty() {
        if stacks_expected() || slot.answers.unanswered() {
            if !cfg!(target_arch = "x86_64") {
                unavailable(UNSUPPORTED);
            } else if let Err(why) = signal::install_state() {
                unavailable(why);
            } else if slot.answers.unanswered() {
                unavailable(NO_ANSWER);
            } else {
                unavailable(NO_SAMPLE_YET);
            }
        }
        return (Vec::new(), attrs);
    }
    let fp = frame_pointers();
    let stacks: Vec<Vec<String>> = samples.iter().map(|s| resolve::frames(s, fp)).collect();
    let summary = stacks::summarize(&stacks);
    if !fp {
        unavailable(NO_FRAME_POINTERS);
    }
    attrs.insert(attr::SAMPLES.to_owned(), summary.samples.into());
    if !summary.dominant.is_empty() {
        let dominant: Vec<serde_json::Value> = summary
            .dominant
            .iter()
            .map(|(frame, n)| serde_json::json!({ attr::FRAME: frame, attr::SAMPLES: n }))
            .collect();
        attrs.insert(attr::DOMINANT_FRAMES.to_owned(), dominant.into());
    }
    (summary.stack, attrs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rate_is_parsed_as_documented() {
        assert_eq!(parse_hz(""), Ok(99));
        assert_eq!(parse_hz(" on "), Ok(99));
        assert_eq!(parse_hz("off"), Ok(0));
        assert_eq!(parse_hz("0"), Ok(0));
        assert_eq!(parse_hz("250"), Ok(250));
        assert_eq!(parse_hz("5000"), Ok(MAX_HZ));
        assert_eq!(parse_hz("fast"), Err(()));
        assert_eq!(parse_hz("-3"), Err(()));
    }

    #[test]
    fn this_workspace_builds_with_frame_pointers() {
        // .cargo/config.toml turns them on; without it this says why stacks
        // are short (and the sampler degrades to the innermost frame).
        assert!(frame_pointers(), "built without frame pointers");
    }
}
