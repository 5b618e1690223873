//! Per-thread records: which node each OS thread is polling, and since when.
//!
//! A thread gets a record (a [`ThreadSlot`]) the first time it polls a peeps
//! task or a top-level instrumented future: its OS tid, its name, the bounds
//! of its stack (for the sampler's frame walk) and a preallocated ring of
//! stack samples. That registration is the only allocation; afterwards a
//! task-level poll costs two relaxed loads and two stores into the slot on
//! entry, and two stores on exit ([`polling`]). Inner futures do not touch
//! it: the innermost polling future is found at snapshot time by following
//! `needs` edges through nodes in state `polling`.
//!
//! # Global state
//!
//! A push-only, lock-free list of slots. Slots are never freed: a thread
//! that exits hands its slot back (state `FREE`) and a new thread reuses it,
//! so the list is as long as the most threads that have polled at once.
//! Because a slot's memory stays valid forever, a raw pointer to it can live
//! in a thread-local that the SIGPROF handler reads without any lock.
//!
//! [`describe`] lists every thread of the process (`/proc/self/task`, with
//! the kernel's 15-character `comm` names), filling in what the slots know
//! for the registered ones (full name, polling node, stack samples).

// Without `diagnostics` nothing polls through peeps, so no thread registers.
#![cfg_attr(not(feature = "diagnostics"), allow(dead_code))]

use crate::sampler::ring::Ring;
use parking_lot::Mutex;
use peeps_graph::{Attrs, NodeId, ThreadInfo};
use std::cell::Cell;
use std::ptr;
use std::sync::atomic::{
    AtomicPtr, AtomicU8, AtomicU64, AtomicUsize,
    Ordering::{AcqRel, Acquire, Relaxed, Release},
};

/// A slot no thread owns (free for reuse).
const FREE: u8 = 0;
/// A slot being set up by the thread that claimed it.
const CLAIMING: u8 = 1;
/// A slot owned by a live thread.
const OWNED: u8 = 2;

/// What peeps knows about one OS thread. Leaked: lives for the process.
#[derive(Debug)]
pub(crate) struct ThreadSlot {
    state: AtomicU8,
    /// The Linux tid of the owner (0 while free).
    pub(crate) tid: AtomicU64,
    /// The owner's name (its std name, else the kernel's `comm`).
    name: Mutex<String>,
    /// The node being polled (0: none). Written last on entry (release).
    polling: AtomicU64,
    /// Coarse ms when that poll started.
    polling_since: AtomicU64,
    /// The owner's stack: lowest and one-past-highest address (0 if unknown).
    pub(crate) stack_lo: AtomicUsize,
    /// See `stack_lo`.
    pub(crate) stack_hi: AtomicUsize,
    /// Stack samples taken by the SIGPROF handler on this thread.
    pub(crate) ring: Ring,
    /// The sampler's bookkeeping of signals sent to and answered by this thread.
    pub(crate) answers: crate::sampler::Answers,
    /// The next slot of the global list (set before the slot is published).
    next: *const ThreadSlot,
}

// SAFETY: every field but `next` is Sync; `next` is written once before the
// slot is published (release) and only read afterwards.
unsafe impl Sync for ThreadSlot {}
// SAFETY: as above; slots are 'static and never moved once published.
unsafe impl Send for ThreadSlot {}

static HEAD: AtomicPtr<ThreadSlot> = AtomicPtr::new(ptr::null_mut());

thread_local! {
    /// This thread's slot (null: none yet, or the thread is exiting). Read
    /// by the SIGPROF handler: a const thread-local with no destructor is a
    /// plain TLS load, async-signal-safe.
    static SLOT: Cell<*const ThreadSlot> = const { Cell::new(ptr::null()) };
    /// Hands the slot back when the thread exits.
    static RELEASE: SlotRelease = const { SlotRelease };
}

/// Frees this thread's slot at thread exit.
struct SlotRelease;

impl Drop for SlotRelease {
    fn drop(&mut self) {
        let slot = SLOT
            .try_with(|s| s.replace(ptr::null()))
            .unwrap_or(ptr::null());
        // The pointer is cleared first: a signal arriving from here on finds
        // no slot, so nothing writes into it after it is handed back.
        std::sync::atomic::compiler_fence(Release);
        if !slot.is_null() {
            // SAFETY: slots are leaked, so the pointer is valid forever.
            let slot = unsafe { &*slot };
            slot.polling.store(0, Relaxed);
            slot.tid.store(0, Relaxed);
            slot.state.store(FREE, Release);
        }
    }
}

/// Every slot ever made, newest first (free ones included).
pub(crate) fn slots() -> impl Iterator<Item = &'static ThreadSlot> {
    let mut at = HEAD.load(Acquire).cast_const();
    std::iter::from_fn(move || {
        if at.is_null() {
            return None;
        }
        // SAFETY: slots are leaked and `next` is immutable once published.
        let slot = unsafe { &*at };
        at = slot.next;
        Some(slot)
    })
}

/// The slots owned by live threads, with their tids.
pub(crate) fn live_slots() -> impl Iterator<Item = (&'static ThreadSlot, u64)> {
    slots().filter_map(|s| {
        let tid = s.tid.load(Acquire);
        (s.state.load(Acquire) == OWNED && tid != 0).then_some((s, tid))
    })
}

/// This thread's slot, if it has one, without registering. For the
/// SIGPROF handler: no allocation, no lock.
#[inline]
pub(crate) fn current_slot() -> *const ThreadSlot {
    SLOT.try_with(Cell::get).unwrap_or(ptr::null())
}

/// This thread's slot, registering the thread on first use (null when the
/// thread is exiting and its thread-locals are gone).
#[inline]
fn slot_or_register() -> *const ThreadSlot {
    let slot = current_slot();
    if !slot.is_null() {
        return slot;
    }
    register_current()
}

/// Gives this thread a slot: reuses a free one or leaks a new one.
#[cold]
#[inline(never)]
pub(crate) fn register_current() -> *const ThreadSlot {
    // The release guard needs a live thread-local: none during teardown.
    if RELEASE.try_with(|_| ()).is_err() {
        return ptr::null();
    }
    let slot = match slots().find(|s| {
        s.state
            .compare_exchange(FREE, CLAIMING, AcqRel, Relaxed)
            .is_ok()
    }) {
        Some(slot) => slot,
        None => push_new(),
    };
    let (lo, hi) = stack_bounds();
    slot.stack_lo.store(lo, Relaxed);
    slot.stack_hi.store(hi, Relaxed);
    slot.polling.store(0, Relaxed);
    slot.answers.reset();
    *slot.name.lock() = thread_name();
    slot.tid.store(gettid(), Release);
    slot.state.store(OWNED, Release);
    let ptr: *const ThreadSlot = slot;
    let _ = SLOT.try_with(|s| s.set(ptr));
    ptr
}

fn push_new() -> &'static ThreadSlot {
    let slot = Box::leak(Box::new(ThreadSlot {
        state: AtomicU8::new(CLAIMING),
        tid: AtomicU64::new(0),
        name: Mutex::new(String::new()),
        polling: AtomicU64::new(0),
        polling_since: AtomicU64::new(0),
        stack_lo: AtomicUsize::new(0),
        stack_hi: AtomicUsize::new(0),
        ring: Ring::new(),
        answers: crate::sampler::Answers::default(),
        next: ptr::null(),
    }));
    let mut head = HEAD.load(Relaxed);
    loop {
        slot.next = head;
        match HEAD.compare_exchange_weak(head, slot, AcqRel, Relaxed) {
            Ok(_) => return slot,
            Err(now) => head = now,
        }
    }
}

/// The calling thread's Linux tid.
pub(crate) fn gettid() -> u64 {
    // SAFETY: gettid(2) has no preconditions and cannot fail.
    let tid = unsafe { libc::gettid() };
    u64::try_from(tid).unwrap_or(0)
}

/// The thread's std name, else the kernel's (15 characters at most).
fn thread_name() -> String {
    if let Some(name) = std::thread::current().name() {
        return name.to_owned();
    }
    comm(gettid()).unwrap_or_default()
}

/// The kernel's name of thread `tid` of this process.
fn comm(tid: u64) -> Option<String> {
    let raw = std::fs::read_to_string(format!("/proc/self/task/{tid}/comm")).ok()?;
    Some(raw.trim_end_matches('\n').to_owned())
}

/// This thread's stack as `[lo, hi)`, from `pthread_getattr_np`; `(0, 0)`
/// when unknown (the sampler then walks nothing).
fn stack_bounds() -> (usize, usize) {
    let mut attr = std::mem::MaybeUninit::<libc::pthread_attr_t>::uninit();
    // SAFETY: `attr` is written by pthread_getattr_np before any read, and
    // destroyed exactly once after a successful init.
    unsafe {
        if libc::pthread_getattr_np(libc::pthread_self(), attr.as_mut_ptr()) != 0 {
            return (0, 0);
        }
        let mut addr: *mut libc::c_void = ptr::null_mut();
        let mut size: libc::size_t = 0;
        let ok = libc::pthread_attr_getstack(attr.as_ptr(), &mut addr, &mut size) == 0;
        libc::pthread_attr_destroy(attr.as_mut_ptr());
        if !ok || addr.is_null() {
            return (0, 0);
        }
        let lo = addr as usize;
        (lo, lo.saturating_add(size))
    }
}

/// Marks this thread as polling `node` until the guard drops (then the
/// previous value is restored). Called by task-level polls only.
#[inline]
pub(crate) fn polling(node: NodeId) -> PollingGuard {
    let slot = slot_or_register();
    if slot.is_null() {
        return PollingGuard { slot, prev: (0, 0) };
    }
    // SAFETY: slots are leaked: the pointer is valid for the process.
    let s = unsafe { &*slot };
    // Single writer (this thread): plain loads and stores.
    let prev = (s.polling.load(Relaxed), s.polling_since.load(Relaxed));
    s.polling_since.store(crate::clock::now_ms(), Relaxed);
    s.polling.store(node, Release);
    PollingGuard { slot, prev }
}

/// Restores the thread's previous polling record on drop, also on panic.
#[derive(Debug)]
#[must_use = "the thread is marked as polling only while the guard lives"]
pub(crate) struct PollingGuard {
    slot: *const ThreadSlot,
    prev: (NodeId, u64),
}

impl Drop for PollingGuard {
    #[inline]
    fn drop(&mut self) {
        if self.slot.is_null() {
            return;
        }
        // SAFETY: as in `polling`.
        let s = unsafe { &*self.slot };
        s.polling_since.store(self.prev.1, Relaxed);
        s.polling.store(self.prev.0, Release);
    }
}

impl ThreadSlot {
    /// `(node, since coarse ms)` of the poll running now, read consistently
    /// (the node is read before and after its start time).
    pub(crate) fn polling_now(&self) -> Option<(NodeId, u64)> {
        for _ in 0..4 {
            let node = self.polling.load(Acquire);
            let since = self.polling_since.load(Relaxed);
            if self.polling.load(Acquire) == node {
                return (node != 0).then_some((node, since));
            }
        }
        None
    }

    /// The owner's name.
    pub(crate) fn name(&self) -> String {
        self.name.lock().clone()
    }
}

/// Every thread of this process for a snapshot taken at coarse ms `now_ms`,
/// by tid: the registered ones with what they poll and their stacks, the
/// others with their kernel name only.
pub(crate) fn describe(now_ms: u64) -> Vec<ThreadInfo> {
    let live: Vec<(&'static ThreadSlot, u64)> = live_slots().collect();
    let sampling = crate::sampler::stacks_expected();
    let mut out: Vec<ThreadInfo> = Vec::new();
    let mut listed = false;
    if let Ok(dir) = std::fs::read_dir("/proc/self/task") {
        listed = true;
        for entry in dir.flatten() {
            let Some(tid) = entry
                .file_name()
                .to_str()
                .and_then(|s| s.parse::<u64>().ok())
            else {
                continue;
            };
            match live.iter().find(|(_, t)| *t == tid) {
                Some(&(slot, _)) => out.push(describe_slot(slot, tid, now_ms)),
                None => {
                    let mut attrs = Attrs::new();
                    if sampling {
                        attrs.insert(
                            peeps_graph::attr::STACK_UNAVAILABLE.to_owned(),
                            crate::sampler::NOT_REGISTERED.into(),
                        );
                    }
                    out.push(ThreadInfo {
                        tid,
                        name: comm(tid).unwrap_or_default(),
                        polling: None,
                        polling_since_ms: None,
                        stack: Vec::new(),
                        attrs,
                    });
                }
            }
        }
    }
    if !listed {
        out.extend(
            live.iter()
                .map(|&(slot, tid)| describe_slot(slot, tid, now_ms)),
        );
    }
    out.sort_by_key(|t| t.tid);
    out
}

fn describe_slot(slot: &ThreadSlot, tid: u64, now_ms: u64) -> ThreadInfo {
    let polling = slot.polling_now();
    let (stack, attrs) = crate::sampler::stack_of(slot, tid, polling.map(|(_, since)| since));
    ThreadInfo {
        tid,
        name: slot.name(),
        polling: polling.map(|(node, _)| node),
        polling_since_ms: polling.map(|(_, since)| crate::clock::age(now_ms, since)),
        stack,
        attrs,
    }
}
