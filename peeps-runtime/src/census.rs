//! The tokio runtimes peeps has seen, and a snapshot's count of their tasks
//! that peeps cannot see into.
//!
//! A handle moved into a task spawned with plain `tokio::spawn` (an
//! uninstrumented future) leaves no trace: the bytes it was moved out of
//! may stay in its old holder's state, and its old holder's uses stay on
//! record. While tasks like that are running, what peeps last saw of a
//! movable handle proves nothing about who has it now (docs/ownership.md).
//! tokio counts the tasks alive in a runtime (`num_alive_tasks`); peeps
//! knows which of them it can see into, so the difference is the number of
//! places a handle may have gone unseen.
//!
//! A runtime is noted the first time a thread spawns a peeps task, runs a
//! `#[peeps::test]` body or polls an instrumented top-level future of a
//! plain task in it (a thread-local check on those paths, a `Handle` clone
//! once per thread). A thread that later enters another runtime (a second
//! `block_on` on it) is not asked again until a snapshot finds peeps knows
//! more tasks than the runtimes noted have alive: that snapshot takes one
//! task as unseen, and every thread notes its runtime again at its next
//! spawn ([`renote`]).
//!
//! Threads are counted too: a handle moved into a `std::thread` or a
//! `spawn_blocking` closure leaves no more trace than one moved into a
//! task. The OS counts the process's threads (`/proc/self/stat` on Linux);
//! peeps accounts for the main thread, the workers of the multi-thread
//! runtimes noted, the threads that drive a noted runtime's `block_on` (as
//! the main thread does), its own threads and `#[peeps::test]` threads
//! ([`seen_thread`]); the rest are threads it cannot see into.
//!
//! Compiled in both builds: without feature `diagnostics` nothing notes a
//! runtime, so a snapshot has no census.
#![cfg_attr(not(feature = "diagnostics"), allow(dead_code))]

use crate::id::{FOREIGN_BASE, is_foreign};
use crate::registry::Entry;
use parking_lot::Mutex;
use peeps_graph::{Node, NodeKind, TaskCensus, attr};
use std::cell::{Cell, OnceCell};
use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering::Relaxed};
use tokio::runtime::{Handle, RuntimeFlavor};

/// How many runtimes are kept; past that, one with no task alive is
/// forgotten to make room (a test binary makes a runtime per test).
const KEPT: usize = 16;

/// The runtimes noted, oldest first.
static RUNTIMES: Mutex<Vec<Handle>> = Mutex::new(Vec::new());

/// Which round of noting runs: a thread noted its runtime in this round
/// when its `NOTED` says so.
static ROUND: AtomicU32 = AtomicU32::new(1);

thread_local! {
    /// The round in which this thread noted its runtime (0: never).
    static NOTED: Cell<u32> = const { Cell::new(0) };
}

/// The OS thread ids of the threads other than the main one that peeps
/// accounts for while they live: its own, those running a
/// `#[peeps::test]`, those driving a noted runtime's `block_on`.
static SEEN_THREADS: Mutex<Vec<i32>> = Mutex::new(Vec::new());

thread_local! {
    /// How many [`SeenThread`] marks this thread holds.
    static SEEN_HERE: Cell<u32> = const { Cell::new(0) };
    /// The mark of a thread that drives a runtime noted, for its life.
    static DRIVER: OnceCell<DriverThread> = const { OnceCell::new() };
}

/// The OS thread ids of the threads other than the main one that drive a
/// noted runtime outside its tasks (a `block_on`, a `LocalSet`, a spawn
/// from a plain thread): they run code of the program's own, as the main
/// thread does.
static DRIVERS: Mutex<Vec<i32>> = Mutex::new(Vec::new());

/// A driver's mark ([`DRIVERS`]), seen for its life.
struct DriverThread {
    _seen: SeenThread,
}

impl DriverThread {
    fn mark() -> DriverThread {
        let seen = seen_thread();
        if !is_main_thread() {
            DRIVERS.lock().push(os_thread_id());
        }
        DriverThread { _seen: seen }
    }
}

impl Drop for DriverThread {
    fn drop(&mut self) {
        let tid = os_thread_id();
        DRIVERS.lock().retain(|&t| t != tid);
    }
}

/// Marks the current thread as one peeps accounts for (it runs nothing a
/// handle could be moved into unseen) until the mark is dropped; a thread
/// with several marks counts once.
pub(crate) fn seen_thread() -> SeenThread {
    // A `Cell` needs no destructor, so it is there to the thread's end.
    if SEEN_HERE.with(|n| n.replace(n.get() + 1)) == 0 && !is_main_thread() {
        SEEN_THREADS.lock().push(os_thread_id());
    }
    SeenThread(())
}

/// A thread's mark from [`seen_thread`].
pub(crate) struct SeenThread(());

impl Drop for SeenThread {
    fn drop(&mut self) {
        if SEEN_HERE.with(|n| n.replace(n.get() - 1)) == 1 && !is_main_thread() {
            let tid = os_thread_id();
            SEEN_THREADS.lock().retain(|&t| t != tid);
        }
    }
}

/// Whether the current thread is the process's main thread.
fn is_main_thread() -> bool {
    #[cfg(target_os = "linux")]
    {
        os_thread_id() == nix::unistd::getpid().as_raw()
    }
    #[cfg(not(target_os = "linux"))]
    {
        std::thread::current().name() == Some("main")
    }
}

/// The current thread's OS id (0 off Linux, where threads are not counted).
pub(crate) fn os_thread_id() -> i32 {
    #[cfg(target_os = "linux")]
    {
        nix::unistd::gettid().as_raw()
    }
    #[cfg(not(target_os = "linux"))]
    {
        0
    }
}

/// Whether OS thread `tid` is one peeps cannot see into, by what it knows
/// of it: not the main thread, nor marked by [`seen_thread`]. (A worker of
/// a multi-thread runtime is seen too, but makes no thread root: its
/// blocking calls are its task's.)
pub(crate) fn is_unseen_thread(tid: i32) -> bool {
    #[cfg(target_os = "linux")]
    {
        tid != 0 && tid != nix::unistd::getpid().as_raw() && !SEEN_THREADS.lock().contains(&tid)
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = tid;
        false
    }
}

/// Forgets a runtime about to be dropped (its workers stop).
pub(crate) fn forget_runtime(handle: &Handle) {
    RUNTIMES.lock().retain(|h| h.id() != handle.id());
}

/// Notes the runtime of the current thread, once per thread and round.
#[inline]
pub(crate) fn note_runtime() {
    let round = ROUND.load(Relaxed);
    if NOTED.try_with(|n| n.replace(round)) != Ok(round) {
        note_slow();
    }
}

/// Asks every thread to note its runtime again at its next spawn: a
/// runtime was missed.
fn renote() {
    ROUND.fetch_add(1, Relaxed);
}

#[cold]
#[inline(never)]
fn note_slow() {
    let Ok(handle) = Handle::try_current() else {
        return;
    };
    // A thread that drives the runtime's `block_on` (any thread of a
    // current-thread runtime; one outside a task in a multi-thread
    // runtime, its workers being counted apart) runs what the main thread
    // of a program runs: accounted for as long as it lives.
    if handle.runtime_flavor() == RuntimeFlavor::CurrentThread || tokio::task::try_id().is_none() {
        let _ = DRIVER.try_with(|d| {
            d.get_or_init(DriverThread::mark);
        });
    }
    note_handle(handle);
}

/// Adds `handle`'s runtime to those noted, unless it is one.
fn note_handle(handle: Handle) {
    let mut runtimes = RUNTIMES.lock();
    if runtimes.iter().any(|h| h.id() == handle.id()) {
        return;
    }
    if runtimes.len() == KEPT {
        // Forget one with no task alive (a dropped runtime reads 0), never
        // one that runs tasks; with none to forget, this one goes
        // uncounted, and the census says so (see `census` in snapshot.rs).
        let Some(idle) = runtimes
            .iter()
            .position(|h| h.metrics().num_alive_tasks() == 0)
        else {
            return;
        };
        runtimes.remove(idle);
    }
    runtimes.push(handle);
}

/// A snapshot's census, read around its walk of the registry.
pub(crate) struct Census {
    /// The tasks alive before the walk: a task that ends during it is
    /// among those seen, and must be among the alive.
    alive_before: Option<u64>,
    /// The tokio task numbers of the plain tasks whose instrumented
    /// top-level future peeps reads.
    plain_tops: HashSet<u64>,
}

impl Census {
    /// Begins a snapshot's census, before its walk of the registry.
    pub(crate) fn begin() -> Census {
        Census {
            alive_before: alive_tasks(),
            plain_tops: HashSet::new(),
        }
    }

    /// Notes the plain tasks whose top-level future is among `entries`
    /// (those whose state owner is not themselves).
    pub(crate) fn walked(mut self, entries: &[Arc<dyn Entry>]) -> Census {
        self.plain_tops = entries
            .iter()
            .filter_map(|e| {
                let owner = e.state_owner();
                (owner != e.core().id).then(|| owner - FOREIGN_BASE)
            })
            .collect();
        self
    }

    /// The process's tokio tasks, and how many of them peeps cannot see
    /// into (see [`TaskCensus`]): those alive in the runtimes noted (the
    /// larger of the reads before the walk and now), less the peeps tasks
    /// among `nodes` and the plain tops, each counted once by its tokio task
    /// number (a peeps task driven by `block_on`, as `#[peeps::test]`'s
    /// body, is no tokio task and has none). A plain task peeps sees
    /// waiting, holding or using something is still one it cannot see
    /// into: a handle moved into it is not found, and its wait may end.
    ///
    /// More tasks seen than alive means a runtime was not counted (a
    /// thread entered a second one after it noted its first, or more than
    /// the kept runtimes run at once): at least one task is then taken as
    /// unseen, and every thread notes its runtime again at its next spawn.
    pub(crate) fn count(self, nodes: &[Node]) -> Option<TaskCensus> {
        let alive = self.alive_before.max(alive_tasks())?;
        let peeps_tasks = nodes
            .iter()
            .filter(|n| n.kind == NodeKind::Task && !is_foreign(n.id))
            .filter_map(|n| n.attrs.get(attr::TOKIO_TASK_ID)?.as_u64());
        let seen = peeps_tasks
            .chain(self.plain_tops)
            .collect::<HashSet<u64>>()
            .len() as u64;
        let unseen = if seen > alive {
            renote();
            1
        } else {
            alive - seen
        };
        let (threads, unseen_threads, overcounted) = thread_census().unwrap_or((0, 0, 0));
        // A driver's root names its OS thread.
        let rooted: HashSet<u64> = nodes
            .iter()
            .filter(|n| n.kind == NodeKind::Thread)
            .filter_map(|n| n.attrs.get(attr::OS_THREAD)?.as_u64())
            .collect();
        let rootless_drivers = DRIVERS
            .lock()
            .iter()
            .filter(|&&t| !rooted.contains(&(t as u64)))
            .count() as u64;
        Some(TaskCensus {
            alive,
            unseen,
            threads,
            unseen_threads,
            overcounted_threads: Some(overcounted),
            rootless_drivers: Some(rootless_drivers),
        })
    }
}

/// The process's threads, and how many of them peeps cannot see into: all
/// but the main thread, the workers of the multi-thread runtimes noted,
/// and the threads marked by [`seen_thread`]. `None` where the OS count
/// cannot be read.
///
/// Also how many more threads it accounts for than are alive (the workers
/// of a noted runtime that was dropped since: as many unseen threads may
/// hide behind them).
fn thread_census() -> Option<(u64, u64, u64)> {
    let threads = os_threads()?;
    let workers: u64 = RUNTIMES
        .lock()
        .iter()
        .filter(|h| h.runtime_flavor() == RuntimeFlavor::MultiThread)
        .map(|h| h.metrics().num_workers() as u64)
        .sum();
    let seen = 1 + workers + SEEN_THREADS.lock().len() as u64;
    Some((
        threads,
        threads.saturating_sub(seen),
        seen.saturating_sub(threads),
    ))
}

/// The process's OS threads alive (`num_threads` of `/proc/self/stat`).
#[cfg(target_os = "linux")]
fn os_threads() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name (which may hold spaces, so from its
    // closing parenthesis on): state is field 3, num_threads field 20.
    let (_, rest) = stat.rsplit_once(')')?;
    rest.split_whitespace().nth(17)?.parse().ok()
}

/// Not counted off Linux: no thread is taken as unseen.
#[cfg(not(target_os = "linux"))]
fn os_threads() -> Option<u64> {
    None
}

/// The tasks alive in the runtimes noted, `None` when none was.
fn alive_tasks() -> Option<u64> {
    let runtimes = RUNTIMES.lock();
    if runtimes.is_empty() {
        return None;
    }
    Some(
        runtimes
            .iter()
            .map(|h| h.metrics().num_alive_tasks() as u64)
            .sum(),
    )
}
