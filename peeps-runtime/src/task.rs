//! Tasks spawned through peeps: `spawn`, `spawn_named`, and their JoinHandle.
//!
//! A peeps task registers a `task` node when spawned (with a `spawned` edge
//! from the task that spawned it), polls its future with a tracked waker
//! (see `waker`) and with itself as the current frame, so every
//! instrumented future and wait inside is attributed to it.

use crate::clock;
use crate::context::{self, Frame};
use crate::node::{Describe, NodeCore, PollState, PollStats, SourceLocation};
use crate::ownership::{self, Key, SCAN_MAX_STATE, scan_bytes};
use crate::registry::{Entry, Registered};
use crate::wait::{Op, WaitEdge, WaitList};
use parking_lot::Mutex;
use peeps_graph::{Attrs, EdgeKind, Evidence, NodeId, NodeKind, attr};
use std::borrow::Cow;
use std::future::Future;
use std::panic::Location;
use std::pin::Pin;
use crate::loom::sync::atomic::{
    AtomicBool, AtomicU64, AtomicUsize,
    Ordering::{AcqRel, Acquire, Relaxed, Release, SeqCst},
    fence,
};
use std::sync::Arc;
use std::task::{Context, Poll, Waker};

/// Counts of live clones of a task's tracked waker, in one word so that a
/// clone or drop is one atomic operation and a snapshot reads both counts
/// at one instant: every live clone in the low half, the clones handed to
/// resources by instrumented waits (tagged) in the next 31 bits, and in the
/// top bit whether the task future is gone.
///
/// Who keeps the entry alive for the clones: while the task future lives,
/// its own reference does, so a clone or drop touches no reference count.
/// When the future goes with clones still live, its reference passes to
/// them ([`WakerCounts::task_gone`]) and the drop that ends the last clone
/// gives it back ([`WakerCounts::dropped`]).
#[derive(Debug, Default)]
pub(crate) struct WakerCounts(AtomicU64);

/// The word's bit saying the task future is gone.
const TASK_GONE: u64 = 1 << 63;
/// The live clones' bits.
const LIVE: u64 = 0xFFFF_FFFF;

impl WakerCounts {
    /// What one clone adds: to `live`, and to `accounted` when tagged.
    #[inline]
    const fn unit(tagged: bool) -> u64 {
        if tagged { 1 | 1 << 32 } else { 1 }
    }

    /// A clone was made.
    #[inline]
    pub(crate) fn cloned(&self, tagged: bool) {
        self.0.fetch_add(Self::unit(tagged), Relaxed);
    }

    /// A clone was dropped (or consumed by `wake`). Returns whether it was
    /// the last live one of a task that is gone: the reference the task
    /// passed to its clones must then be given back.
    #[inline]
    pub(crate) fn dropped(&self, tagged: bool) -> bool {
        let before = self.0.fetch_sub(Self::unit(tagged), Release);
        let last = before & LIVE == 1 && before & TASK_GONE != 0;
        if last {
            // The reference given back may free the entry: every other
            // clone's use of it must come before, so acquire the releases
            // of their drops, as `Arc`'s drop does (the loom model
            // `waker_clones_keep_the_entry_the_task_future_gave_them`
            // fails without it).
            fence(Acquire);
        }
        last
    }

    /// The task future is going: returns whether clones are live, which
    /// then own the reference it had (the caller must not give it back).
    /// The caller has taken that reference for them first.
    #[inline]
    pub(crate) fn task_gone(&self) -> bool {
        self.0.fetch_or(TASK_GONE, AcqRel) & LIVE != 0
    }

    /// Whether no clone is live: then none can be made any more once the
    /// task future is going (a clone is made only from a live one, or by
    /// the future's poll). Acquire: the uses of the entry by the clones
    /// that went come before whatever the caller does next (its free).
    #[inline]
    pub(crate) fn none_live(&self) -> bool {
        self.0.load(Acquire) & LIVE == 0
    }

    /// `(live, accounted)`.
    pub(crate) fn load(&self) -> (u64, u64) {
        let v = self.0.load(Acquire);
        (v & LIVE, (v & !TASK_GONE) >> 32)
    }
}

/// A task entry as its waker clones keep it alive: its clone counts, and
/// its reference count taken and given back by pointer. The provided
/// methods are the hand-off of [`WakerCounts`]; the program's entry counts
/// with std's `Arc`, the model in `loom_tests` with loom's.
pub(crate) trait KeptByClones: Sized {
    /// The entry's clone counts.
    fn wakers(&self) -> &WakerCounts;

    /// Adds a reference to the entry at `p`.
    ///
    /// # Safety
    /// As `Arc::increment_strong_count`.
    unsafe fn take_ref(p: *const Self);

    /// Gives back a reference to the entry at `p`.
    ///
    /// # Safety
    /// As `Arc::decrement_strong_count`.
    unsafe fn give_ref(p: *const Self);

    /// The task future of the entry at `p` is going: a reference taken
    /// here passes to the live clones, or is given back at once when none
    /// is live.
    ///
    /// # Safety
    /// `p` is a live entry, kept alive by the going future until this
    /// returns.
    #[inline]
    unsafe fn task_going(p: *const Self) {
        // SAFETY: `p` is live (the caller's contract); the reference taken
        // is the clones' from `task_gone` on, or no one's and given back.
        unsafe {
            // The common case, a task whose wakers all went before it:
            // nothing to hand over, and no reference count touched.
            if (*p).wakers().none_live() {
                return;
            }
            Self::take_ref(p);
            if !(*p).wakers().task_gone() {
                Self::give_ref(p);
            }
        }
    }

    /// A clone of the entry at `p` went (dropped, or consumed by a wake):
    /// if it was the last live one of a task that is gone, the reference
    /// the task passed to its clones is given back.
    ///
    /// # Safety
    /// `p` is the entry of the live clone that goes now.
    #[inline]
    unsafe fn clone_gone(p: *const Self, tagged: bool) {
        // SAFETY: the clone keeps `p` alive until its count goes: by the
        // task future's reference while it lives, else by the reference
        // it passed to the clones, given back only by the last of them.
        unsafe {
            if (*p).wakers().dropped(tagged) {
                Self::give_ref(p);
            }
        }
    }
}

impl KeptByClones for TaskEntry {
    #[inline]
    fn wakers(&self) -> &WakerCounts {
        &self.wakers
    }

    #[inline]
    unsafe fn take_ref(p: *const Self) {
        // SAFETY: by the caller's contract.
        unsafe { Arc::increment_strong_count(p) }
    }

    #[inline]
    unsafe fn give_ref(p: *const Self) {
        // SAFETY: by the caller's contract.
        unsafe { Arc::decrement_strong_count(p) }
    }
}

/// The registry entry of a task spawned through peeps.
///
/// Laid out in order (`repr(C)`) from the start of a cache line: what a
/// wake and a poll both touch (the woken flag, the clone counts, the
/// runtime's waker) fills the first line, whole, and the poll statistics,
/// written by the polling thread only, come last, a cache line apart, so
/// waking a task does not invalidate the line its poller is writing.
#[derive(Debug)]
#[repr(C)]
pub struct TaskEntry {
    woken: AtomicBool,
    pub(crate) wakers: WakerCounts,
    /// The runtime's own waker for this task, which tracked wakers forward to.
    /// The runtime's waker as first seen: tokio's is the same for the
    /// task's whole life, so the common path reads it without a lock.
    first_waker: FirstWaker,
    /// Set once the runtime handed a different waker: then `later_waker`
    /// is the one to forward to.
    waker_changed: AtomicBool,
    later_waker: Mutex<Option<Waker>>,
    spawned_by: NodeId,
    /// The task's name when `'static` (its end event carries it): a
    /// task's node is never renamed.
    static_name: Option<&'static str>,
    /// The `#[peeps::test]` run it was spawned in (0: none); see `test::scope`.
    test_scope: u64,
    /// Tokio's number for the task, once polled (0: not yet).
    tokio_id: AtomicU64,
    /// `JoinHandle` awaits pending on this task: one at a time (a task has
    /// one handle), so one lock-free slot.
    joins: WaitList<JOIN_WAITS>,
    /// Where the task's pinned future lives, once polled: what a snapshot
    /// searches for the handles the task holds (see [`crate::ownership`]).
    state_at: AtomicUsize,
    state_len: AtomicUsize,
    /// Whether a snapshot may read the state now.
    state_gate: StateGate,
    /// The locks the task holds across an `.await` (see [`crate::lockorder`]).
    held: crate::lockorder::Saved,
    /// The flight recorder's logical clock of the task, carried from the
    /// thread of one poll to the next (see [`crate::history`]).
    clock: AtomicU64,
    core: NodeCore,
    stats: PollStats,
}

/// The runtime's waker for a task as first seen, set once by the task's
/// own poll (polls of one task never overlap) and read by any thread
/// after: a `OnceLock` without its initialisation's synchronisation, which
/// cost every spawn a slow path.
struct FirstWaker {
    // Not modelled by loom (a std atomic: `const fn new`, `get_mut`).
    set: std::sync::atomic::AtomicBool,
    waker: std::cell::UnsafeCell<std::mem::MaybeUninit<Waker>>,
}

// SAFETY: the waker is written once, before `set` is released, by the one
// thread polling the task, and only read (shared) after `set` is acquired;
// a `Waker` is Send + Sync.
unsafe impl Sync for FirstWaker {}
// SAFETY: as above.
unsafe impl Send for FirstWaker {}

impl FirstWaker {
    const fn new() -> FirstWaker {
        FirstWaker { set: std::sync::atomic::AtomicBool::new(false), waker: std::cell::UnsafeCell::new(std::mem::MaybeUninit::uninit()) }
    }

    #[inline]
    fn get(&self) -> Option<&Waker> {
        // SAFETY: written before `set` was released, never written again.
        self.set.load(Acquire).then(|| unsafe { (*self.waker.get()).assume_init_ref() })
    }

    /// Sets it. Called only by the task's poll, and only while unset.
    #[inline]
    fn init(&self, waker: Waker) {
        debug_assert!(!self.set.load(Relaxed));
        // SAFETY: unset, so nobody reads it; only the polling thread writes.
        unsafe { (*self.waker.get()).write(waker) };
        self.set.store(true, Release);
    }
}

impl Drop for FirstWaker {
    fn drop(&mut self) {
        if *self.set.get_mut() {
            // SAFETY: set, so initialised; dropped once.
            unsafe { self.waker.get_mut().assume_init_drop() };
        }
    }
}

impl std::fmt::Debug for FirstWaker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FirstWaker").field("set", &self.set.load(Relaxed)).finish()
    }
}

impl TaskEntry {
    /// Marks the task woken and forwards to the runtime's waker. Inline:
    /// the common path (the first waker, on tokio always) is a store, two
    /// loads and the runtime's wake.
    #[inline]
    pub(crate) fn wake(&self) {
        self.woken.store(true, Relaxed);
        if self.waker_changed.load(Acquire) {
            self.wake_later();
        } else if let Some(w) = self.first_waker.get() {
            w.wake_by_ref();
        }
    }

    /// The wake of a task whose runtime handed it a different waker.
    #[cold]
    #[inline(never)]
    fn wake_later(&self) {
        // Clone out of the lock: the runtime's wake must not run under it.
        let later = self.later_waker.lock().clone();
        if let Some(w) = later {
            w.wake();
        }
    }

    /// Keeps the runtime's waker to forward wakes to: no lock and no clone
    /// when it is the one already kept (always, on tokio). Inline: that
    /// check is a few loads and compares, and the first poll's keeping of
    /// the first waker a clone and three stores.
    #[inline]
    fn remember_waker(&self, waker: &Waker) {
        match self.first_waker.get() {
            Some(first) if !self.waker_changed.load(Relaxed) && first.will_wake(waker) => {}
            None => self.first_waker.init(waker.clone()),
            Some(_) => self.remember_other_waker(waker),
        }
    }

    /// Keeps a waker the runtime handed after the first one, when it is
    /// not the one already kept.
    #[cold]
    #[inline(never)]
    fn remember_other_waker(&self, waker: &Waker) {
        let mut later = self.later_waker.lock();
        if !later.as_ref().is_some_and(|w| w.will_wake(waker)) {
            *later = Some(waker.clone());
        }
        self.waker_changed.store(true, Release);
    }
}

/// The lock-free slots of a task's list of joins: its one `JoinHandle`'s
/// wait at a time (any more would take the list's lock).
const JOIN_WAITS: usize = 1;

/// The task future is being dropped: its memory may not be read.
const STATE_GONE: u64 = 1;
/// One reader of the task's memory, in a [`StateGate`].
const STATE_READER: u64 = 2;

/// Whether a snapshot may read a task's future: the snapshots reading it
/// now (counted in steps of [`STATE_READER`]), and [`STATE_GONE`] once the
/// future is being dropped. A read never overlaps the drop.
#[derive(Debug, Default)]
pub(crate) struct StateGate(AtomicU64);

/// One read through a [`StateGate`], ended when dropped (also if the read
/// panics: the future's drop would otherwise wait for it forever).
struct Reading<'a>(&'a AtomicU64);

impl Drop for Reading<'_> {
    #[inline]
    fn drop(&mut self) {
        self.0.fetch_sub(STATE_READER, Release);
    }
}

impl StateGate {
    /// Runs `read`, which reads the future's memory, unless the future is
    /// going (`None`); the future's drop waits until `read` returns.
    #[inline]
    pub(crate) fn read<R>(&self, read: impl FnOnce() -> R) -> Option<R> {
        // Both this `fetch_add` and the drop's `fetch_or` change one word:
        // whichever comes second sees the first, so the drop waits for this
        // read or this read is skipped.
        let was = self.0.fetch_add(STATE_READER, SeqCst);
        let _reading = Reading(&self.0);
        if was & STATE_GONE != 0 {
            return None;
        }
        Some(read())
    }

    /// Searches the pinned state at `start` (`len` bytes) of a future whose
    /// polls `stats` counts for marks, handing each to `found`, if it fits
    /// in `budget` (then used up) and can be read consistently now: no poll
    /// runs during the read (a sequence lock whose writer is the poll,
    /// which fences around the future's writes), and the future cannot go
    /// meanwhile (this gate). Returns whether it was read.
    pub(crate) fn scan_state(
        &self,
        stats: &PollStats,
        (start, len): (usize, usize),
        budget: &mut usize,
        found: &mut dyn FnMut(Key),
    ) -> bool {
        if start == 0 || len > SCAN_MAX_STATE || len > *budget {
            return false;
        }
        let keys = self
            .read(|| {
                let before = stats.sequence();
                let mut keys = Vec::new();
                if before.1 == PollState::Pending {
                    // SAFETY: the future lives at `start` (pinned) until its
                    // drop or its end, which close this gate and so wait for
                    // this read; a poll may write it meanwhile, which the
                    // sequence check below throws away.
                    unsafe { scan_bytes(start as *const u8, len, |k| keys.push(k)) };
                }
                fence(Acquire);
                let consistent = before.1 == PollState::Pending && stats.sequence() == before;
                consistent.then_some(keys)
            })
            .flatten();
        let Some(keys) = keys else {
            return false;
        };
        *budget -= len;
        keys.into_iter().for_each(found);
        true
    }

    /// The future is going: waits for the reads running now; no read runs
    /// from now on.
    pub(crate) fn close(&self) {
        if self.0.fetch_or(STATE_GONE, SeqCst) >= STATE_READER {
            while self.0.load(Acquire) >= STATE_READER {
                crate::loom::hint::spin_loop();
            }
        }
    }
}

impl TaskEntry {
    /// The task future is going: no snapshot reads its memory from now on.
    fn state_gone(&self) {
        self.state_gate.close();
    }
}

// SAFETY: `core` returns the entry's own `core` field, and nothing else.
unsafe impl Entry for TaskEntry {
    fn core(&self) -> &NodeCore {
        &self.core
    }
    fn scan_state(&self, budget: &mut usize, found: &mut dyn FnMut(Key)) -> bool {
        if self.woken.load(Relaxed) {
            return false;
        }
        let state = (self.state_at.load(Acquire), self.state_len.load(Relaxed));
        self.state_gate.scan_state(&self.stats, state, budget, found)
    }
    fn describe(&self, out: &mut Describe<'_>) {
        self.stats.describe(out, self.core.created_ms);
        // Clone counts first (acquire), then `woken`: a wake sets `woken`
        // before its clone's release, so a count that saw the release also
        // sees the wake and a consumed waker never looks like "no waker".
        let (live, accounted) = self.wakers.load();
        out.attr(attr::TRACKED, true);
        out.attr(attr::WOKEN, self.woken.load(Relaxed));
        out.attr(attr::WAKER_CLONES, live);
        out.attr(attr::WAKER_CLONES_ACCOUNTED, accounted);
        let tokio_id = self.tokio_id.load(Relaxed);
        if tokio_id != 0 {
            out.attr(attr::TOKIO_TASK_ID, tokio_id);
        }
        if self.test_scope != 0 {
            out.attr(attr::TEST_SCOPE, self.test_scope);
        }
        if let Some(clones) = crate::nested_waker::clones(self.core.id) {
            out.attr(attr::NESTED_WAKER_CLONES, clones);
        }
        if self.spawned_by != 0 {
            let id = self.core.id;
            out.edge(self.spawned_by, id, EdgeKind::Spawned, self.core.created_ms, Attrs::new());
        }
        self.joins.describe(out);
    }
}

pin_project_lite::pin_project! {
    /// A future run as a peeps task: registers the task node and polls the
    /// user's future with a tracked waker and the task as current frame.
    pub struct TaskFuture<F> {
        reg: Registered<TaskEntry>,
        #[pin]
        fut: F,
    }

    impl<F> PinnedDrop for TaskFuture<F> {
        fn drop(this: Pin<&mut Self>) {
            // Live waker clones outlast the task future on the reference
            // taken here for them (see `WakerCounts`).
            let entry = this.project().reg.entry();
            let finished = entry.stats.state() == PollState::Done;
            crate::history::ended(entry.core.id, &entry.clock, entry.static_name, finished);
            entry.state_gone();
            // SAFETY: `entry` is a live `Arc`, whose future goes now.
            unsafe { TaskEntry::task_going(Arc::as_ptr(entry)) };
        }
    }
}

impl<F> TaskFuture<F> {
    /// The task's node id.
    pub fn id(&self) -> NodeId {
        self.reg.core.id
    }
}

impl<F> std::fmt::Debug for TaskFuture<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TaskFuture").field("id", &self.reg.core.id).finish()
    }
}

impl<F: Future> Future for TaskFuture<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.project();
        let entry = this.reg.entry();
        // Only when set: no write to the wakers' line when nothing changed.
        if entry.woken.load(Relaxed) {
            entry.woken.store(false, Relaxed);
        }
        entry.remember_waker(cx.waker());
        if entry.tokio_id.load(Relaxed) == 0
            && let Some(id) = tokio::task::try_id()
        {
            entry.tokio_id.store(crate::ambient::task_number(id), Relaxed);
        }
        let view = crate::waker::tracked_view(entry);
        let mut task_cx = Context::from_waker(&view);
        let id = entry.core.id;
        // Task level only: this thread polls this task from now on.
        let _on_thread = crate::threads::polling(id);
        let mut scope = PollScope::begin(&entry.stats, Frame { node: id, task: id, tracked: true });
        // The poll's writes to the future come after its start is visible
        // to a snapshot reading the future (a sequence lock: see
        // `TaskEntry::read_state`).
        fence(Release);
        // The task's pinned state: endpoints found inside it are its own.
        let state = std::ptr::from_ref(this.fut.as_ref().get_ref()) as usize;
        if entry.state_at.load(Relaxed) == 0 {
            entry.state_len.store(std::mem::size_of::<F>(), Relaxed);
            entry.state_at.store(state, Release);
        }
        let _state = context::enter_task_poll(state, std::mem::size_of::<F>(), entry.stats.polls());
        let _held = crate::lockorder::enter_task(&entry.held);
        crate::history::poll_begins(&entry.clock);
        let res = this.fut.poll(&mut task_cx);
        crate::history::poll_ends(&entry.clock);
        // ... and before its end is.
        fence(Release);
        scope.ends(res.is_ready());
        drop(scope);
        res
    }
}

/// One poll in a node's statistics, ended when dropped (also during a
/// panic: the node is then marked done).
pub(crate) struct StatsScope<'a> {
    stats: &'a PollStats,
    start: crate::node::PollStart,
    state: PollState,
}

impl<'a> StatsScope<'a> {
    #[inline]
    pub(crate) fn begin(stats: &'a PollStats) -> Self {
        StatsScope { stats, start: stats.begin(clock::now_ms()), state: PollState::Done }
    }

    #[inline]
    pub(crate) fn end(mut self, ready: bool) {
        self.state = if ready { PollState::Done } else { PollState::Pending };
    }
}

impl Drop for StatsScope<'_> {
    #[inline]
    fn drop(&mut self) {
        self.stats.end(self.start, self.state);
    }
}

/// One poll of a node: its statistics and the thread's frame, both
/// restored when dropped, in that order, also during a panic.
pub(crate) struct PollScope<'a> {
    stats: StatsScope<'a>,
    _frame: context::FrameGuard,
}

impl<'a> PollScope<'a> {
    #[inline]
    pub(crate) fn begin(stats: &'a PollStats, frame: Frame) -> Self {
        PollScope { stats: StatsScope::begin(stats), _frame: context::enter(frame) }
    }

    /// The poll ends, `ready` or not: its statistics say so when the
    /// scope drops. By reference: the scope, live across the user's poll,
    /// is not copied to be consumed.
    #[inline]
    pub(crate) fn ends(&mut self, ready: bool) {
        self.stats.state = if ready { PollState::Done } else { PollState::Pending };
    }
}

/// Wraps `fut` as a peeps task named `name`, made at `location`.
pub fn task_future<F>(name: Cow<'static, str>, location: &'static Location<'static>, fut: F) -> TaskFuture<F> {
    let parent = context::current();
    let spawned_by = if parent.tracked { parent.task } else { 0 };
    // Tasks are never renamed: the name the flight recorder's end event
    // carries is known now, read at the end without the name's lock.
    let static_name = match &name {
        Cow::Borrowed(n) => Some(*n),
        Cow::Owned(_) => None,
    };
    let core = NodeCore::new(NodeKind::Task, name, SourceLocation::Caller(location));
    let id = core.id;
    let clock = crate::history::spawned(id, location, parent);
    // Written straight into its `Arc`: built on the stack and moved in,
    // the entry went through two copies (`memcpy`, ~160 instructions).
    let mut arc = Arc::new(std::mem::MaybeUninit::<TaskEntry>::uninit());
    Arc::get_mut(&mut arc).expect("a new Arc is unique").write(TaskEntry {
        core,
        stats: PollStats::default(),
        woken: AtomicBool::new(false),
        wakers: WakerCounts::default(),
        first_waker: FirstWaker::new(),
        waker_changed: AtomicBool::new(false),
        later_waker: Mutex::new(None),
        spawned_by,
        static_name,
        test_scope: crate::test::scope::current(),
        tokio_id: AtomicU64::new(0),
        // Made in place: made before, it was copied in (`memcpy`).
        joins: WaitList::new(id),
        state_at: AtomicUsize::new(0),
        state_len: AtomicUsize::new(0),
        state_gate: StateGate::default(),
        held: crate::lockorder::Saved::default(),
        clock: AtomicU64::new(clock),
    });
    // SAFETY: written just above.
    let entry = unsafe { arc.assume_init() };
    // Handles moved into the task with its future are the task's now (an
    // owned guard among them listed as held from its first poll on).
    ownership::spawned_task(&fut, id, &entry.held);
    TaskFuture { reg: Registered::from_arc(entry), fut }
}

/// Spawns `fut` on the current tokio runtime as a peeps task named after
/// the call site. A drop-in for `tokio::spawn`.
///
/// # Panics
///
/// As `tokio::spawn`: when called outside a tokio runtime.
#[track_caller]
pub fn spawn<F>(fut: F) -> JoinHandle<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    let loc = Location::caller();
    // The call site, rendered once per site: a spawn allocates no name.
    spawn_at(Cow::Borrowed(crate::node::site_name(loc)), loc, fut)
}

/// Spawns `fut` as a peeps task named `name`.
///
/// # Panics
///
/// As `tokio::spawn`: when called outside a tokio runtime.
#[track_caller]
pub fn spawn_named<F>(name: impl Into<Cow<'static, str>>, fut: F) -> JoinHandle<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    spawn_at(name.into(), Location::caller(), fut)
}

#[track_caller]
fn spawn_at<F>(name: Cow<'static, str>, loc: &'static Location<'static>, fut: F) -> JoinHandle<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    // `PEEPS_WATCHDOG` works without `init`: the first peeps task reads it.
    crate::watchdog::start_from_env_once();
    crate::census::note_runtime();
    let task = task_future(name, loc, fut);
    let target = JoinTarget(task.reg.entry().clone());
    JoinHandle { inner: tokio::spawn(task), target: Some(target), wait: WaitEdge::new() }
}

/// An owned permission to join a task: tokio's `JoinHandle` with the same
/// API, whose await is a `waits_on` edge to the task's node.
///
/// # Cancel safety
///
/// As tokio's: dropping the handle detaches the task; awaiting it again
/// after a `select!` branch lost is fine.
#[derive(Debug)]
pub struct JoinHandle<T> {
    inner: tokio::task::JoinHandle<T>,
    target: Option<JoinTarget>,
    wait: WaitEdge<JoinTarget, JOIN_WAITS>,
}

/// The joined task's entry, seen as the list of the waits on it (in the
/// entry: a spawn allocates no list of its own).
#[derive(Debug, Clone)]
pub(crate) struct JoinTarget(Arc<TaskEntry>);

impl std::ops::Deref for JoinTarget {
    type Target = WaitList<JOIN_WAITS>;
    fn deref(&self) -> &WaitList<JOIN_WAITS> {
        &self.0.joins
    }
}

impl<T> JoinHandle<T> {
    /// Wraps a plain tokio handle (no `waits_on` edge: the task is unknown).
    pub fn from_tokio(inner: tokio::task::JoinHandle<T>) -> Self {
        JoinHandle { inner, target: None, wait: WaitEdge::new() }
    }

    /// Aborts the task, as `tokio::task::JoinHandle::abort`. The task is
    /// marked woken first: tokio drops its future when a worker next picks
    /// it up, and until then it is no pending task (its waits may already
    /// be gone, a snapshot must not read it as stuck forever).
    pub fn abort(&self) {
        if let Some(target) = &self.target {
            target.0.woken.store(true, Relaxed);
        }
        self.inner.abort();
    }

    /// Whether the task has finished, as tokio's.
    pub fn is_finished(&self) -> bool {
        self.inner.is_finished()
    }

    /// A handle that can abort the task, as tokio's.
    pub fn abort_handle(&self) -> tokio::task::AbortHandle {
        self.inner.abort_handle()
    }

    /// The task's tokio id, as tokio's.
    pub fn id(&self) -> tokio::task::Id {
        self.inner.id()
    }
}

impl<T> Future for JoinHandle<T> {
    type Output = Result<T, tokio::task::JoinError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        let JoinHandle { inner, target, wait } = this;
        let p = wait.poll_wait_kept(|| target.clone(), Op::Join, None, cx, |cx| Pin::new(inner).poll(cx));
        if p.is_ready()
            && let Some(JoinTarget(task)) = target
        {
            crate::history::joined(task.core.id, &task.clock);
        }
        if let Poll::Ready(Ok(out)) = &p {
            // Handles the task returned are the joiner's now.
            ownership::taken(out, Evidence::Returned);
        }
        p
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Weak;

    /// A task future whose body keeps `n` clones of its waker (one tagged,
    /// as an instrumented wait would hand a resource) in `kept` and ends.
    fn keeping(n: usize, kept: Arc<Mutex<Vec<Waker>>>) -> (TaskFuture<impl Future<Output = ()>>, Weak<TaskEntry>) {
        let fut = task_future(
            "keeps wakers".into(),
            Location::caller(),
            std::future::poll_fn(move |cx| {
                let mut kept = kept.lock();
                for k in 0..n {
                    match crate::waker::tagged(cx.waker()).filter(|_| k == 0) {
                        Some(tagged) => kept.push((*tagged).clone()),
                        None => kept.push(cx.waker().clone()),
                    }
                }
                Poll::Ready(())
            }),
        );
        let weak = Arc::downgrade(fut.reg.entry());
        (fut, weak)
    }

    fn run_to_end<F: Future>(fut: F) {
        let mut fut = std::pin::pin!(fut);
        let mut cx = Context::from_waker(Waker::noop());
        assert!(fut.as_mut().poll(&mut cx).is_ready());
    }

    #[test]
    fn waker_clones_keep_the_entry_after_the_task_and_the_last_one_frees_it() {
        let kept = Arc::new(Mutex::new(Vec::new()));
        let (fut, weak) = keeping(2, kept.clone());
        run_to_end(fut);
        let entry = weak.upgrade().expect("the clones keep the entry");
        assert_eq!(entry.wakers.load(), (2, 1));
        drop(entry);
        let mut clones = std::mem::take(&mut *kept.lock());
        // Waking a finished task's clone is harmless; it consumes the clone.
        clones.pop().expect("two clones").wake();
        assert!(weak.upgrade().is_some(), "one clone is still live");
        let last = clones.pop().expect("one clone");
        last.wake_by_ref();
        drop(last);
        assert!(weak.upgrade().is_none(), "the last clone gave the entry back");
    }

    #[test]
    fn a_task_whose_clones_are_gone_frees_its_entry_when_it_ends() {
        let kept = Arc::new(Mutex::new(Vec::new()));
        let (fut, weak) = keeping(1, kept.clone());
        let mut fut = Box::pin(fut);
        let mut cx = Context::from_waker(Waker::noop());
        assert!(fut.as_mut().poll(&mut cx).is_ready());
        kept.lock().clear();
        assert_eq!(weak.upgrade().map(|e| e.wakers.load()), Some((0, 0)));
        drop(fut);
        assert!(weak.upgrade().is_none(), "no clone keeps the entry");
    }

    #[test]
    fn a_task_that_never_kept_a_waker_frees_its_entry() {
        let (fut, weak) = keeping(0, Arc::new(Mutex::new(Vec::new())));
        run_to_end(fut);
        assert!(weak.upgrade().is_none());
    }
}

/// Loom models (`scripts/loom.sh`) of the task's lock-free pieces: the
/// reference its waker clones keep, and the gate of its memory.
#[cfg(all(test, loom))]
mod loom_tests {
    use super::*;
    use loom::cell::UnsafeCell;
    use loom::thread;

    /// What a task entry's memory holds while it lives.
    const ALIVE: u64 = 1;

    /// A task entry as its clones see it: the real counts, and memory a
    /// wake reads (the runtime's waker) and the entry's drop writes, so
    /// loom sees a read that the free does not wait for. It counts with
    /// loom's `Arc`, through the hand-off the program's entry uses.
    struct Entry {
        wakers: WakerCounts,
        body: UnsafeCell<u64>,
    }

    impl KeptByClones for Entry {
        fn wakers(&self) -> &WakerCounts {
            &self.wakers
        }
        unsafe fn take_ref(p: *const Self) {
            // SAFETY: by the caller's contract.
            unsafe { loom::sync::Arc::increment_strong_count(p) }
        }
        unsafe fn give_ref(p: *const Self) {
            // SAFETY: by the caller's contract.
            unsafe { loom::sync::Arc::decrement_strong_count(p) }
        }
    }

    impl Drop for Entry {
        fn drop(&mut self) {
            // The free is a write of the entry's memory: loom fails the
            // model unless every clone's read and count update happen
            // before it (no atomic load here: an acquire would hide that).
            // SAFETY: loom checks that no access overlaps this one.
            self.body.with_mut(|b| unsafe { *b = 0 });
            let counts = self.wakers.0.with_mut(|w| *w);
            // Freed only once no clone is live: a live one would touch it.
            // (The task-gone bit is set only when clones were live as the
            // task future went: with none, nothing is handed over.)
            assert_eq!(counts & LIVE, 0, "freed with live clones");
        }
    }

    /// A waker clone: the entry's address, sent to another thread.
    struct Clone(*const Entry);
    // SAFETY: the entry is `Sync`; a clone is used on one thread at a time.
    unsafe impl Send for Clone {}

    impl Clone {
        /// Reads the entry, as a wake does, then goes.
        fn wake(self, tagged: bool) {
            // SAFETY: a live clone keeps its entry alive until it goes.
            unsafe {
                // Loom checks that no write overlaps this read.
                (*self.0).body.with(|b| assert_eq!(*b, ALIVE, "a clone read a freed entry"));
                Entry::clone_gone(self.0, tagged);
            }
        }
    }

    /// The task future of `task` goes: its drop, then its `Arc` (the
    /// registration's).
    fn task_goes(task: loom::sync::Arc<Entry>) {
        // SAFETY: `task` keeps the entry alive across the call.
        unsafe { Entry::task_going(loom::sync::Arc::as_ptr(&task)) };
        drop(task);
    }

    // Each party of a model has its own thread, so that the main thread's
    // joins cost no preemption of the bound.

    /// A task future goes while two of its waker clones (one tagged, one
    /// cloned once more from a clone) go on other threads: whatever the
    /// order, no clone reads the entry after its free (the read happens
    /// before it), and the entry is freed exactly once (loom's `Arc` fails
    /// a model that leaks it or gives a reference back twice).
    #[test]
    fn waker_clones_keep_the_entry_the_task_future_gave_them() {
        loom::model(|| {
            let task = loom::sync::Arc::new(Entry { wakers: WakerCounts::default(), body: UnsafeCell::new(ALIVE) });
            let p = loom::sync::Arc::as_ptr(&task);
            // The task's poll handed out two clones.
            task.wakers.cloned(false);
            task.wakers.cloned(true);
            let plain = Clone(p);
            let a = thread::spawn(move || {
                // A clone of a clone, made after the task may have gone.
                // SAFETY: `plain` is live, so the entry is.
                unsafe { (*plain.0).wakers.cloned(false) };
                let again = Clone(plain.0);
                plain.wake(false);
                again.wake(false);
            });
            let tagged = Clone(p);
            let b = thread::spawn(move || tagged.wake(true));
            let going = thread::spawn(move || task_goes(task));
            going.join().unwrap();
            a.join().unwrap();
            b.join().unwrap();
        });
    }

    /// A task future going while no clone is live, or its one clone goes
    /// meanwhile: the reference is given back once.
    #[test]
    fn a_task_future_with_no_live_clone_gives_its_reference_back() {
        loom::model(|| {
            let task = loom::sync::Arc::new(Entry { wakers: WakerCounts::default(), body: UnsafeCell::new(ALIVE) });
            let p = loom::sync::Arc::as_ptr(&task);
            task.wakers.cloned(false);
            let clone = Clone(p);
            let a = thread::spawn(move || clone.wake(false));
            let going = thread::spawn(move || task_goes(task));
            going.join().unwrap();
            a.join().unwrap();
        });
    }

    /// A task future's memory, behind its gate, as a snapshot reads it and
    /// the future's drop frees it.
    struct State {
        gate: StateGate,
        memory: UnsafeCell<u64>,
    }

    impl State {
        /// A snapshot's read: `None` when the future was going.
        fn read(&self) -> Option<u64> {
            // SAFETY: loom checks that no write overlaps this read.
            self.gate.read(|| self.memory.with(|m| unsafe { *m }))
        }
    }

    /// Two snapshots read a task's memory while its future is dropped:
    /// no read overlaps the drop (loom sees a read that the drop's write
    /// does not wait for), a read that ran saw the memory alive, and no
    /// read runs after the drop began.
    #[test]
    fn no_snapshot_reads_a_task_future_being_dropped() {
        loom::model(|| {
            let state = loom::sync::Arc::new(State { gate: StateGate::default(), memory: UnsafeCell::new(ALIVE) });
            let readers: Vec<_> = (0..2)
                .map(|_| {
                    let state = state.clone();
                    thread::spawn(move || {
                        if let Some(m) = state.read() {
                            assert_eq!(m, ALIVE, "a snapshot read a dropped future");
                        }
                    })
                })
                .collect();
            let dropping = state.clone();
            let dropper = thread::spawn(move || {
                // The future's drop.
                dropping.gate.close();
                // SAFETY: loom checks that no access overlaps this one.
                dropping.memory.with_mut(|m| unsafe { *m = 0 });
                assert_eq!(dropping.read(), None, "a snapshot read a dropped future");
            });
            dropper.join().unwrap();
            for r in readers {
                r.join().unwrap();
            }
        });
    }
}
