//! Deadlock analysis: which tasks can never make progress, and why, in
//! words (DESIGN.md §4 is the definition).
//!
//! The analysis runs in stages, one module each, every stage linear in the
//! size of the merged graph:
//!
//! 1. [`merge`](mod@crate::merge) — many snapshots become one graph with global
//!    node indices; RPC `calls` edges are stitched.
//! 2. `blocked` — the roots (tasks and `block_on` threads), the future tree
//!    under each, which roots are blocked, their waits, and for each wait
//!    its *releasers* (who could end it) or why it is external. Who holds
//!    a handle that can move is read from each `held_by` edge's evidence
//!    ([`crate::Evidence`]): proven (a bound guard, a handle used from or
//!    found in its holder's own state), in an unread message (released by
//!    whoever reads that channel), or unknown (only who made it, or a move
//!    into the holder peeps saw with the handle no longer found there — it
//!    may have gone to a plain tokio task or a thread: never a releaser).
//!    docs/ownership.md says the rules for users. Anyone may notify a
//!    `Notify`: a `notified()` has as releasers, each a guess, the tasks
//!    seen to notify it (its `notifier` edges) other than the waiter, and
//!    is external when none is left or one is gone or not drawn — so a
//!    guard kept across `notified()` that every notifier seen waits for is
//!    a `probable` deadlock, never a certain one. A `block_on` root whose
//!    OS thread a task's poll parks in a blocking call (a blocking lock in
//!    a task of a current-thread runtime: the `os_thread` of the wait and
//!    of the root agree) is *starved*: it waits for that poll, whatever
//!    wakes it (a certain step: its thread is busy in the task's poll).
//!    A wait the root no longer polls is no way out: a future its task
//!    abandoned (not polled in its latest poll), and a receive whose
//!    message has sat unread for the settle time while its root (a peeps
//!    task, or a plain one whose queued bit peeps reads) is pending and
//!    not woken — the send woke the root, which was polled since without
//!    polling the receive (a `&mut` oneshot receiver a `select!` left
//!    registered).
//! 3. `fixpoint` — the greatest fixed point: the blocked roots that nothing
//!    outside the set can ever release (OR semantics over a task's waits),
//!    with waker accounting and the settle time guarding the verdict. In a
//!    process where nothing can run again (`asleep`: every root pending
//!    with its wakers all accounted for, every task and thread seen), a
//!    release peeps cannot name is no way out: the holder it last saw is
//!    a guess (`probable`), and a task whose waits lead to nobody is stuck
//!    forever.
//! 4. `cycles` — the strongly connected groups of that set (petgraph): one
//!    deadlock per group with a cycle, its cycle written out task →
//!    resource → holder → …, every other member listed behind the nearest
//!    deadlock (or task stuck forever).
//! 5. `findings` — deadlocks, stuck-forever tasks, long waits and blocking
//!    polls, each a type with `check`, `format` and `summary`, all following
//!    one sentence convention; [`Report`] gathers them.
//!
//! Apart from the wait graph, `potential` reads what each process learned
//! of the order it takes its locks in (`lock_order`) and reports its cycles
//! as [`PotentialDeadlock`]s: deadlocks that have not happened.
//!
//! # Examples
//!
//! ```
//! use peeps_graph::{Snapshot, analysis};
//!
//! let snap = Snapshot::from_json(include_str!("../../../docs/example-dump.json")).unwrap();
//! let report = analysis::analyze(std::slice::from_ref(&snap), &analysis::Options::default());
//! assert_eq!(report.deadlocks.len(), 1);
//! assert!(report.deadlocks[0].text.starts_with("deadlock (certain, 2 tasks, 1 process):"));
//! ```

mod asleep;
mod blocked;
mod cycles;
mod findings;
mod fixpoint;
mod potential;
mod report;
mod tasks;
pub mod timeline;
mod words;

pub use findings::Finding;
pub use potential::{
    EdgeName, LearnedOrder, LockRef, MAX_PER_PROCESS, OrderStep, PotentialDeadlock, PotentialKind,
};
pub use report::{
    BlockingPoll, Certainty, Deadlock, FrameShare, LongWait, NodeRef, Report, Step, StuckForever,
    StuckWait, ThreadRef,
};
pub use tasks::{StackFrame, StackHolder, StackWait, TaskStack, task_stacks};
pub use timeline::{Filter, TimelineEntry, node_timeline, timeline};
pub use words::duration;
pub(crate) use words::short_location;

use crate::merge::{Merged, merge};
use crate::schema::Snapshot;

/// Thresholds of the analysis. All in milliseconds.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Options {
    /// A deadlock is reported only when every edge in it (waits, holds, the
    /// futures' `needs` path, RPC calls) is at least this old, and a task
    /// is stuck forever only when pending at least this long: a snapshot
    /// is read while the program runs, and a real deadlock's edges only
    /// grow older. Edges without an age count as old. Default 250 ms
    /// (DESIGN.md §4).
    pub settle_ms: u64,
    /// A blocked task that is not deadlocked is reported as a long wait
    /// once its wait for a lock, a permit, room in a channel or an RPC
    /// reply is this old. Default 5 s: far beyond any healthy contention,
    /// short enough to catch a stall while someone is looking.
    pub long_wait_ms: u64,
    /// A poll running this long is reported as blocking its thread.
    /// Default 100 ms: tokio's guidance is 10–100 µs between awaits, so
    /// this is unambiguous, and well above the coarse clock's resolution.
    pub slow_poll_ms: u64,
}

impl Options {
    /// The default settle time, in ms.
    pub const DEFAULT_SETTLE_MS: u64 = 250;
    /// The default long-wait threshold, in ms.
    pub const DEFAULT_LONG_WAIT_MS: u64 = 5_000;
    /// The default slow-poll threshold, in ms.
    pub const DEFAULT_SLOW_POLL_MS: u64 = 100;

    /// Sets the settle time.
    pub fn settle_ms(mut self, ms: u64) -> Self {
        self.settle_ms = ms;
        self
    }

    /// Sets the long-wait threshold.
    pub fn long_wait_ms(mut self, ms: u64) -> Self {
        self.long_wait_ms = ms;
        self
    }

    /// Sets the slow-poll threshold.
    pub fn slow_poll_ms(mut self, ms: u64) -> Self {
        self.slow_poll_ms = ms;
        self
    }
}

impl Default for Options {
    fn default() -> Self {
        Options {
            settle_ms: Self::DEFAULT_SETTLE_MS,
            long_wait_ms: Self::DEFAULT_LONG_WAIT_MS,
            slow_poll_ms: Self::DEFAULT_SLOW_POLL_MS,
        }
    }
}

/// Analyses snapshots: merges them (latest per process), then reports
/// deadlocks, tasks stuck forever, long waits and blocking polls.
///
/// Accepts `&[Snapshot]`, `&Vec<Snapshot>` or any iterator of
/// `&Snapshot`. Never panics on malformed input: edges to missing nodes are
/// ignored (see [`Merged::issues`]).
pub fn analyze<'a, I>(snapshots: I, options: &Options) -> Report
where
    I: IntoIterator<Item = &'a Snapshot>,
{
    analyze_merged(&merge(snapshots), options)
}

/// Analyses an already merged graph (when the caller also needs the graph,
/// e.g. to draw it).
pub fn analyze_merged(merged: &Merged<'_>, options: &Options) -> Report {
    analyze_counting_roots(merged, options).0
}

/// [`analyze_merged`], with each process's live and blocked tasks as the
/// analysis saw them (for [`crate::metrics`]), in process order.
pub(crate) fn analyze_counting_roots(
    merged: &Merged<'_>,
    options: &Options,
) -> (Report, Vec<crate::metrics::RootCounts>) {
    let blocked = blocked::Blocked::new(merged, options.settle_ms);
    let mut roots = vec![crate::metrics::RootCounts::default(); merged.processes().len()];
    for root in &blocked.roots {
        let at = &merged.graph()[root.ix];
        if let Some(counts) = roots.get_mut(at.process) {
            counts.add(
                at.node.kind,
                root.state == blocked::RootState::Done,
                root.is_blocked(),
            );
        }
    }
    let fix = fixpoint::Fixpoint::new(merged, &blocked, options);
    let cycles = cycles::find(&fix, &blocked);
    let cx = Context {
        merged,
        options,
        labels: words::Labels::new(merged),
        blocked,
        fix,
        cycles,
    };
    let report = Report {
        deadlocks: Deadlock::check(&cx),
        long_waits: LongWait::check(&cx),
        stuck_forever: StuckForever::check(&cx),
        blocking_polls: BlockingPoll::check(&cx),
        potential_deadlocks: PotentialDeadlock::check(merged),
        lock_order: LearnedOrder::of(merged),
    };
    (report, roots)
}

/// Everything the findings are checked against.
#[derive(Debug)]
pub(crate) struct Context<'m, 'a> {
    merged: &'m Merged<'a>,
    options: &'m Options,
    labels: words::Labels,
    blocked: blocked::Blocked,
    fix: fixpoint::Fixpoint,
    cycles: cycles::Cycles,
}
