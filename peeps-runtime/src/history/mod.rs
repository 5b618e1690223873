//! The flight recorder: a bounded history of instrumented events, so a
//! snapshot can say how the program got stuck, not only that it is.
//!
//! # What is recorded
//!
//! Every instrumented event, with its coarse millisecond, the task that did
//! it, the node it concerns and the user's line of code
//! ([`peeps_graph::EventKind`] lists them): a task spawned and ended; a
//! lock, read lock or permit taken (with how long the task waited for it)
//! and given back; a wait begun; a message sent or received; a channel
//! closed; a `Notify` notified; a task joined; an RPC request made and
//! answered. The hooks are the runtime's funnels — [`crate::hold`] (every
//! guard and permit), [`crate::wait`] (every wait), [`crate::task`] (spawn,
//! end, join), [`crate::rpc`] — plus [`note`], which peeps-sync calls for
//! what only it sees (channel traffic, `notify_one`).
//!
//! # The hot path
//!
//! Each thread writes its own ring ([`ring`]): one thread-local read, five
//! plain stores and two stores of the ring's head; no lock, no allocation, no
//! read-modify-write, nothing formatted (a name or a line is a node id or a
//! `&'static Location`, resolved when a snapshot is taken). A full ring
//! overwrites its oldest record; the records written over are counted.
//! Each hook is an inline check (that thread-local read and a compare) in
//! front of an out-of-line body, so with the recorder off (`PEEPS_HISTORY=0`)
//! it costs that and nothing else: its arguments are not even computed.
//! A task's spawn, end and join hooks, each called from one place, are
//! inline whole (a call's frame cost as much as a third of the record).
//!
//! # Order
//!
//! Records carry the coarse millisecond (one load of the tick, see
//! [`crate::clock`]) and a logical clock: each thread's ring keeps one, a
//! lock's holder set keeps one, a task keeps one; every event ticks its
//! thread's clock past the clock of the lock it touches (and writes it
//! back), and a task's poll carries the clock between the threads it runs
//! on, a spawn into the child, an end into the join. So of two events
//! where one led to the other through a lock, a task or a join, the first
//! has the smaller `(millisecond, clock)` even when both fall in one
//! millisecond on two threads; a snapshot orders events by that pair.
//! Events that nothing links (two channels, two unrelated tasks) in one
//! millisecond have no order but an arbitrary one.
//!
//! # Bounds and global state
//!
//! `PEEPS_HISTORY` is the number of events each thread keeps (default
//! 8192, rounded up to a power of two; `0` switches the recorder off). At
//! most [`MAX_RINGS`] threads have a ring at once: a thread takes one on
//! its first event and gives it back, contents and all, when it exits; a
//! thread that finds none free records nothing (its events are counted as
//! dropped). A record is 40 bytes, so the history costs at most
//! `MAX_RINGS × PEEPS_HISTORY × 40` bytes: 15 MiB by default. Rings are
//! never freed; the list of them is behind a lock taken only when a thread
//! takes or gives back a ring, and when a snapshot reads them.
//!
//! # In snapshots
//!
//! [`collect`] reads every ring, orders the records, and keeps the last
//! events of every node in a wait (the waiting task, what it waits on, who
//! holds that) and the latest events of the process, within fixed bounds
//! (see `collect.rs`); docs/schema.md describes the result.

mod collect;
mod ring;

pub(crate) use collect::{Times, collect};

use crate::clock;
use crate::context;
use crate::hold::{HoldAs, HolderSet};
use crate::wait::Site;
use parking_lot::Mutex;
use peeps_graph::{NodeId, Op};
use ring::{Ring, WORDS};
use std::cell::Cell;
use std::panic::Location;
use crate::loom::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64 as StaticU64, AtomicUsize};

pub use peeps_graph::EventKind;

/// The environment variable that sizes the recorder: events kept per
/// thread (`0`: off).
pub const HISTORY_ENV: &str = "PEEPS_HISTORY";

/// Events each thread keeps by default.
pub const DEFAULT_PER_THREAD: usize = 8192;

/// The most rings in use at once (threads recording at once).
pub const MAX_RINGS: usize = 48;

/// The largest ring accepted (events per thread).
const MAX_PER_THREAD: usize = 1 << 22;

/// The smallest ring made.
const MIN_PER_THREAD: usize = 16;

// ---- configuration -----------------------------------------------------------

/// Events per thread; 0 when off. Fixed by the first event or [`configure`].
static PER_THREAD: OnceLock<usize> = OnceLock::new();

/// Sizes the recorder: each thread keeps its last `events` events (rounded
/// up to a power of two, at most 4 Mi); `0` switches it off. Takes effect
/// only before the first event is recorded (the size is fixed then, from
/// `PEEPS_HISTORY` unless this was called); returns whether it did.
pub fn configure(events: usize) -> bool {
    PER_THREAD.set(size_of_ring(events)).is_ok()
}

/// Events per thread (0: the recorder is off).
pub fn per_thread() -> usize {
    *PER_THREAD.get_or_init(|| match std::env::var(HISTORY_ENV) {
        Err(_) => DEFAULT_PER_THREAD,
        Ok(v) => match v.trim().parse::<usize>() {
            Ok(n) => size_of_ring(n),
            Err(_) => {
                eprintln!("peeps: ignoring {HISTORY_ENV}={v:?}: expected a number of events per thread");
                DEFAULT_PER_THREAD
            }
        },
    })
}

fn size_of_ring(events: usize) -> usize {
    if events == 0 {
        0
    } else {
        events.clamp(MIN_PER_THREAD, MAX_PER_THREAD).next_power_of_two()
    }
}

// ---- the thread's ring -------------------------------------------------------

/// What a thread's ring pointer holds besides a ring.
const OFF: usize = 1;
/// No ring was free when the thread asked: its events are dropped.
const NO_RING: usize = 2;
/// The thread is exiting: its ring is given back.
const GONE: usize = 3;

thread_local! {
    /// This thread's ring, or one of the markers above (null: not asked yet).
    static LOCAL: Cell<*const Ring> = const { Cell::new(std::ptr::null()) };
    /// Gives the ring back when the thread exits.
    static LEASE: Lease = const { Lease(Cell::new(None)) };
}

/// A thread's hold on its ring.
struct Lease(Cell<Option<&'static Ring>>);

impl Drop for Lease {
    fn drop(&mut self) {
        let _ = LOCAL.try_with(|l| l.set(GONE as *const Ring));
        if let Some(ring) = self.0.take() {
            let mut rings = RINGS.lock();
            rings.free.push(ring);
            FREE.store(rings.free.len(), Relaxed);
        }
    }
}

/// Every ring ever made, and those free to take.
struct Rings {
    all: Vec<&'static Ring>,
    free: Vec<&'static Ring>,
}

static RINGS: Mutex<Rings> = Mutex::new(Rings { all: Vec::new(), free: Vec::new() });
/// How many rings are free (read without the lock by threads that had none).
static FREE: AtomicUsize = AtomicUsize::new(0);
/// Events dropped because their thread had no ring.
static DROPPED: StaticU64 = StaticU64::new(0);

/// Under loom nothing records: the models drive the ring itself
/// (`ring::loom_tests`), and a hook run inside another model (a release in
/// `hold`'s) must not make a ring of one model's atomics for all of them.
#[cfg(loom)]
#[inline]
fn ring() -> Option<&'static Ring> {
    None
}

/// This thread's ring, when it has one.
#[cfg(not(loom))]
#[inline]
fn ring() -> Option<&'static Ring> {
    let p = LOCAL.with(Cell::get);
    if p as usize > GONE {
        // SAFETY: a pointer above the markers is a leaked ring: it lives
        // for the rest of the program.
        Some(unsafe { &*p })
    } else if p as usize == OFF || p as usize == GONE {
        None
    } else {
        unbound(p as usize)
    }
}

/// Whether this thread records (or has not asked yet): a hook that must
/// read something to record checks this first. A thread that found no
/// ring free still goes on to [`ring`]: it may find one free now, or its
/// event is counted as dropped (skipping it here lost it uncounted).
#[inline]
pub(crate) fn recording() -> bool {
    let p = LOCAL.with(Cell::get) as usize;
    !cfg!(loom) && p != OFF && p != GONE
}

/// The ring of a thread that has none yet (or found none free).
#[cold]
#[inline(never)]
#[cfg_attr(loom, allow(dead_code))]
fn unbound(marker: usize) -> Option<&'static Ring> {
    if marker == NO_RING && FREE.load(Relaxed) == 0 {
        DROPPED.fetch_add(1, Relaxed);
        return None;
    }
    let size = per_thread();
    if size == 0 {
        LOCAL.with(|l| l.set(OFF as *const Ring));
        return None;
    }
    // The lease is registered first: a thread being torn down gets none.
    let Ok(ring) = LEASE.try_with(|lease| {
        let ring = take_ring(size)?;
        lease.0.set(Some(ring));
        Some(ring)
    }) else {
        return None;
    };
    match ring {
        Some(ring) => {
            LOCAL.with(|l| l.set(std::ptr::from_ref(ring)));
            Some(ring)
        }
        None => {
            LOCAL.with(|l| l.set(NO_RING as *const Ring));
            DROPPED.fetch_add(1, Relaxed);
            None
        }
    }
}

/// A free ring, or a new one while fewer than [`MAX_RINGS`] exist.
#[cfg_attr(loom, allow(dead_code))]
fn take_ring(size: usize) -> Option<&'static Ring> {
    let mut rings = RINGS.lock();
    let ring = match rings.free.pop() {
        Some(r) => r,
        None if rings.all.len() < MAX_RINGS => {
            let r: &'static Ring = Box::leak(Box::new(Ring::new(size)));
            rings.all.push(r);
            r
        }
        None => return None,
    };
    FREE.store(rings.free.len(), Relaxed);
    Some(ring)
}

// ---- records -----------------------------------------------------------------

/// One event as its ring stores it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Record {
    /// Coarse ms, low 32 bits (see [`Record::ms`]).
    pub(crate) ms32: u32,
    pub(crate) kind: u8,
    /// Kind-specific, 24 bits: see the hooks.
    pub(crate) extra: u32,
    /// The logical clock: orders events of one millisecond.
    pub(crate) order: u64,
    pub(crate) task: NodeId,
    pub(crate) node: NodeId,
    /// A `&'static Location`, or for `End` a `&'static str`'s bytes; 0: none.
    pub(crate) ptr: usize,
}

/// The largest `extra`.
const EXTRA_MAX: u32 = (1 << 24) - 1;

impl Record {
    fn encode(&self) -> [u64; WORDS] {
        [
            u64::from(self.ms32) << 32 | u64::from(self.extra & EXTRA_MAX) << 8 | u64::from(self.kind),
            self.order,
            self.task,
            self.node,
            self.ptr as u64,
        ]
    }

    fn decode(w: &[u64; WORDS]) -> Record {
        Record {
            ms32: (w[0] >> 32) as u32,
            kind: w[0] as u8,
            extra: (w[0] >> 8) as u32 & EXTRA_MAX,
            order: w[1],
            task: w[2],
            node: w[3],
            ptr: w[4] as usize,
        }
    }

    /// The full coarse ms of a record read when the coarse clock said
    /// `now`: the latest value with these low 32 bits not after `now`
    /// (records are less than 49 days old, or read as younger).
    pub(crate) fn ms(&self, now: u64) -> u64 {
        let back = (now as u32).wrapping_sub(self.ms32);
        now.saturating_sub(u64::from(back))
    }

    /// The call site, for a record that has one.
    pub(crate) fn site(&self) -> Site {
        if self.ptr == 0 || self.kind == EventKind::End as u8 {
            return None;
        }
        // SAFETY: every hook but `ended` stores null or a `&'static
        // Location` here.
        Some(unsafe { &*(self.ptr as *const Location<'static>) })
    }

    /// The name an `End` record carries, if its task had a `'static` one.
    pub(crate) fn name(&self) -> Option<&'static str> {
        if self.kind != EventKind::End as u8 || self.ptr == 0 {
            return None;
        }
        let len = (self.extra >> 1) as usize;
        // SAFETY: `ended` stores the bytes and length of a `&'static str`
        // (a name longer than the 23 bits of `extra` is not stored).
        Some(unsafe { std::str::from_utf8_unchecked(std::slice::from_raw_parts(self.ptr as *const u8, len)) })
    }
}

/// Ticks the thread's clock past `seen`; returns the event's clock value.
#[inline]
fn tick(ring: &Ring, seen: u64) -> u64 {
    let c = ring.clock.load(Relaxed).max(seen) + 1;
    ring.clock.store(c, Relaxed);
    c
}

/// Writes an event into this thread's ring, ordered after `seen`; returns
/// its clock value (0 when nothing was recorded).
#[inline]
fn record(kind: EventKind, extra: u32, task: NodeId, node: NodeId, ptr: usize, seen: u64) -> u64 {
    let Some(ring) = ring() else {
        return 0;
    };
    let order = tick(ring, seen);
    let ms32 = clock::now_ms() as u32;
    ring.push(Record { ms32, kind: kind as u8, extra, order, task, node, ptr }.encode());
    order
}

#[inline]
fn site_ptr(at: Site) -> usize {
    at.map_or(0, |l| std::ptr::from_ref(l) as usize)
}

/// The task acting now, as events name it: a peeps task, else a plain
/// tokio task (its derived id), else the innermost instrumented future,
/// else the thread's root if holds already made it. Makes no node: an
/// event must not leave one behind (a join awaited from `block_on` did).
#[inline]
fn current_task() -> NodeId {
    let frame = context::current();
    if frame.tracked { frame.task } else { current_untracked(frame.node) }
}

#[cold]
fn current_untracked(future: NodeId) -> NodeId {
    if let Some(task) = tokio::task::try_id() {
        crate::ambient::foreign_id(task)
    } else if future != 0 {
        future
    } else {
        crate::ambient::kept_thread_root_id().unwrap_or(0)
    }
}

// ---- hooks -------------------------------------------------------------------

/// Records that the current task did `kind` on node `node`, at the user's
/// call `at` (peeps-sync: a send, a receive, a close, a notify).
#[inline(always)]
pub fn note(kind: EventKind, node: NodeId, at: Site) {
    note_count(kind, node, at, 1);
}

/// As [`note`], for `n` messages at once (a `recv_many`); nothing for 0.
///
/// Inline, the check alone: with the recorder off it costs a thread-local
/// load and a compare at every message.
#[inline(always)]
pub fn note_count(kind: EventKind, node: NodeId, at: Site, n: u64) {
    if n != 0 && recording() {
        note_recorded(kind, node, at, n);
    }
}

#[inline(never)]
fn note_recorded(kind: EventKind, node: NodeId, at: Site, n: u64) {
    record(kind, n.min(u64::from(EXTRA_MAX)) as u32, current_task(), node, site_ptr(at), 0);
}

/// The current task is about to wait on the resource `holders` belongs to:
/// its wait comes after whatever that resource's holders did (called as a
/// wait begins, before its `wait` event).
#[inline]
pub fn observe(holders: &HolderSet) {
    if let Some(ring) = ring() {
        let seen = holders.clock.load(Relaxed);
        if seen > ring.clock.load(Relaxed) {
            ring.clock.store(seen, Relaxed);
        }
    }
}

/// The extra bits of a hold: how it is held, and 1 + how long it waited
/// (0: it did not wait).
fn hold_extra(how: HoldAs, waited: Option<u64>) -> u32 {
    let waited = waited.map_or(0, |ms| (ms + 1).min(u64::from(EXTRA_MAX >> 3)) as u32);
    waited << 3 | how as u32
}

/// Whether holds held `how` are recorded (guards and permits: not the
/// endpoints of a channel, whose traffic is recorded instead).
#[inline]
fn recorded_hold(how: HoldAs) -> bool {
    matches!(how, HoldAs::Guard | HoldAs::ReadGuard | HoldAs::Permit)
}

/// `task` took a hold of `node` (whose holder set's clock is `set_clock`),
/// held `how`, at `at`.
///
/// Inline, the check alone: with the recorder off it costs a thread-local
/// load and a compare at every lock.
#[inline(always)]
pub(crate) fn held(set_clock: &AtomicU64, node: NodeId, task: NodeId, how: HoldAs, at: Site) {
    if recorded_hold(how) && recording() {
        held_recorded(set_clock, node, task, how, at);
    }
}

#[inline(never)]
fn held_recorded(set_clock: &AtomicU64, node: NodeId, task: NodeId, how: HoldAs, at: Site) {
    let Some(ring) = ring() else {
        return;
    };
    // The wait that ended just before on this thread, if it was for this.
    let waited = if ring.waited_node.load(Relaxed) == node {
        ring.waited_node.store(0, Relaxed);
        Some(clock::now_ms().saturating_sub(ring.waited_since.load(Relaxed)))
    } else {
        None
    };
    let order = tick(ring, set_clock.load(Relaxed));
    set_clock.store(order, Relaxed);
    let ms32 = clock::now_ms() as u32;
    let extra = hold_extra(how, waited);
    ring.push(Record { ms32, kind: EventKind::Acquire as u8, extra, order, task, node, ptr: site_ptr(at) }.encode());
}

/// The hold of `node` that `holder` took at `at`, held `how`, was given
/// back.
#[inline]
pub(crate) fn released(set_clock: &AtomicU64, node: NodeId, holder: NodeId, how: HoldAs, at: Site) {
    if !recorded_hold(how) {
        return;
    }
    let order = record(EventKind::Release, how as u32, holder, node, site_ptr(at), set_clock.load(Relaxed));
    if order != 0 {
        set_clock.store(order, Relaxed);
    }
}

/// `task` began waiting on `node` for `op`, at `at`.
#[inline]
pub(crate) fn waiting(task: NodeId, node: NodeId, op: Op, at: Site) {
    record(EventKind::Wait, op as u32, task, node, site_ptr(at), 0);
}

/// A wait on `node`, begun at coarse ms `since`, completed on this thread:
/// the hold taken next here, if of `node`, says how long it waited.
#[inline]
pub(crate) fn wait_over(node: NodeId, since: u64) {
    if let Some(ring) = ring() {
        ring.waited_node.store(node, Relaxed);
        ring.waited_since.store(since, Relaxed);
    }
}

/// The task that `waiter` (a task, or a future inside one) belongs to, as
/// events name it.
#[inline]
pub(crate) fn task_of_waiter(waiter: NodeId) -> NodeId {
    let frame = context::current();
    if frame.task != 0 { frame.task } else { waiter }
}

/// The current task, whose frame is `frame` (the caller has just read it),
/// spawned task `child` at `at`; returns the clock the child starts from.
#[inline]
pub(crate) fn spawned(child: NodeId, at: &'static Location<'static>, frame: context::Frame) -> u64 {
    record(EventKind::Spawn, 0, spawner(frame), child, site_ptr(Some(at)), 0)
}

/// Who spawns now, from the current `frame`: a peeps task, a plain tokio
/// task, or the instrumented future polling at the top of a thread; 0 from
/// a thread polling nothing instrumented (no root is made for a spawn).
#[inline]
fn spawner(frame: context::Frame) -> NodeId {
    if frame.tracked {
        frame.task
    } else if let Some(task) = tokio::task::try_id() {
        crate::ambient::foreign_id(task)
    } else {
        frame.node
    }
}

/// Task `task` ended (`finished`: its future completed); `name` is its name
/// when `'static`; `task_clock` its clock, which its joiner reads.
#[inline]
pub(crate) fn ended(task: NodeId, task_clock: &AtomicU64, name: Option<&'static str>, finished: bool) {
    let (ptr, len) = match name {
        Some(n) if n.len() < (1 << 23) => (n.as_ptr() as usize, n.len() as u32),
        _ => (0, 0),
    };
    let order = record(EventKind::End, len << 1 | u32::from(finished), task, 0, ptr, task_clock.load(Relaxed));
    if order != 0 {
        task_clock.store(order, Relaxed);
    }
}

/// The current task joined task `joined`, whose clock is `joined_clock`.
#[inline]
pub(crate) fn joined(joined: NodeId, joined_clock: &AtomicU64) {
    record(EventKind::Join, 0, current_task(), joined, 0, joined_clock.load(Relaxed));
}

/// A poll of a task whose clock is `task_clock` begins on this thread: the
/// thread's clock moves past the task's (the task's events on other
/// threads came before).
#[inline]
pub(crate) fn poll_begins(task_clock: &AtomicU64) {
    if let Some(ring) = ring() {
        let seen = task_clock.load(Relaxed);
        if seen > ring.clock.load(Relaxed) {
            ring.clock.store(seen, Relaxed);
        }
    }
}

/// A poll of a task whose clock is `task_clock` ends on this thread: the
/// task carries the thread's clock to wherever it is polled next.
#[inline]
pub(crate) fn poll_ends(task_clock: &AtomicU64) {
    let p = LOCAL.with(Cell::get);
    if !cfg!(loom) && p as usize > GONE {
        // SAFETY: as in `ring`.
        let ring = unsafe { &*p };
        task_clock.store(ring.clock.load(Relaxed), Relaxed);
    }
}

// ---- reading -----------------------------------------------------------------

/// Every ring's records, oldest first within each ring, and the counts.
pub(crate) struct Read {
    /// Per ring: its records, in the order written.
    pub(crate) rings: Vec<Vec<Record>>,
    /// Records ever written, dropped ones included.
    pub(crate) recorded: u64,
    /// Records no longer in memory (written over, dropped, or overwritten
    /// while being read).
    pub(crate) lost: u64,
}

/// Reads every ring now.
pub(crate) fn read_all() -> Read {
    let rings: Vec<&'static Ring> = RINGS.lock().all.clone();
    let dropped = DROPPED.load(Relaxed);
    let mut out = Read { rings: Vec::with_capacity(rings.len()), recorded: dropped, lost: dropped };
    for ring in rings {
        let (first, words) = ring.read();
        let kept = words.len() as u64;
        let written = first + kept;
        out.recorded += written;
        out.lost += written - kept;
        out.rings.push(words.iter().map(Record::decode).collect());
    }
    out
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn a_record_reads_back_as_written() {
        let here = Location::caller();
        let r = Record {
            ms32: 0xDEAD_BEEF,
            kind: EventKind::Acquire as u8,
            extra: hold_extra(HoldAs::Permit, Some(41)),
            order: 7,
            task: (1 << 52) + 5,
            node: 99,
            ptr: site_ptr(Some(here)),
        };
        let back = Record::decode(&r.encode());
        assert_eq!(back, r);
        assert_eq!(back.extra >> 3, 42);
        assert_eq!(back.site().map(|l| l.line()), Some(here.line()));
    }

    #[test]
    fn a_record_time_is_read_back_across_the_32_bit_wrap() {
        let now = (5u64 << 32) + 10;
        let r = Record { ms32: (now - 30) as u32, kind: 1, extra: 0, order: 0, task: 0, node: 0, ptr: 0 };
        assert_eq!(r.ms(now), now - 30);
    }

    #[test]
    fn an_end_record_carries_a_static_name() {
        let name: &'static str = "transfer-a";
        let r = Record {
            ms32: 0,
            kind: EventKind::End as u8,
            extra: (name.len() as u32) << 1 | 1,
            order: 0,
            task: 3,
            node: 0,
            ptr: name.as_ptr() as usize,
        };
        assert_eq!(Record::decode(&r.encode()).name(), Some("transfer-a"));
        assert_eq!(r.site(), None);
    }

    #[test]
    fn sizes_round_up_to_a_power_of_two_within_bounds() {
        assert_eq!(size_of_ring(0), 0);
        assert_eq!(size_of_ring(1), MIN_PER_THREAD);
        assert_eq!(size_of_ring(1000), 1024);
        assert_eq!(size_of_ring(usize::MAX), MAX_PER_THREAD);
    }
}
