//! What every node has, and the per-poll statistics of futures and tasks.

mod name;

use crate::clock;
pub(crate) use name::Name;
use parking_lot::lock_api::RawMutex as _;
use peeps_graph::{Attrs, Edge, EdgeKind, Node, NodeId, NodeKind, attr};
use std::borrow::Cow;
use std::cell::UnsafeCell;
use std::panic::Location;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

/// Where a node was made in the source.
#[derive(Debug, Clone, Copy)]
pub enum SourceLocation {
    /// A `file:line:col` string built at compile time (macros).
    Static(&'static str),
    /// A `#[track_caller]` location (constructors, spawn).
    Caller(&'static Location<'static>),
}

impl SourceLocation {
    /// The location as `file:line:col`.
    pub fn render(&self) -> String {
        match self {
            SourceLocation::Static(s) => (*s).to_owned(),
            SourceLocation::Caller(l) => format!("{}:{}:{}", l.file(), l.line(), l.column()),
        }
    }
}

/// The fields every node has.
pub struct NodeCore {
    /// Unique within the process.
    pub id: NodeId,
    /// What the node is.
    pub kind: NodeKind,
    /// Guards `name` (a rename, read by snapshots): a one-byte lock beside
    /// `kind`, where a `Mutex<Name>` would pad to a word of its own.
    name_lock: parking_lot::RawMutex,
    name: UnsafeCell<Name>,
    /// Where in the source the node was made.
    pub location: SourceLocation,
    /// Coarse ms when the node was made.
    pub created_ms: u64,
}

// Unwind safety: the interior mutability here is peeps' own bookkeeping,
// behind locks that do not poison and updates that leave it consistent at
// every step, so a panic cannot leave state that code after `catch_unwind`
// would misread (tokio says the same of its channels' shared state). This
// keeps the wrappers as unwind safe as the tokio types they replace.
impl std::panic::UnwindSafe for NodeCore {}
impl std::panic::RefUnwindSafe for NodeCore {}

impl NodeCore {
    /// A core with a fresh id.
    #[inline]
    pub fn new(kind: NodeKind, name: Cow<'static, str>, location: SourceLocation) -> Self {
        Self::with_id(crate::id::next_id(), kind, name, location)
    }

    /// As [`NodeCore::new`], with an id chosen by the caller (a plain tokio
    /// task's root: see [`crate::ambient::foreign_id`]).
    #[inline]
    pub(crate) fn with_id(
        id: NodeId,
        kind: NodeKind,
        name: Cow<'static, str>,
        location: SourceLocation,
    ) -> Self {
        Self::with_name(id, kind, Name::from(name), location)
    }

    /// As [`NodeCore::with_id`], with the name already a [`Name`].
    #[inline]
    pub(crate) fn with_name(
        id: NodeId,
        kind: NodeKind,
        name: Name,
        location: SourceLocation,
    ) -> Self {
        NodeCore {
            id,
            kind,
            name_lock: parking_lot::RawMutex::INIT,
            name: UnsafeCell::new(name),
            location,
            created_ms: clock::now_ms(),
        }
    }

    /// Runs `f` on the name under its lock.
    fn with_name_locked<R>(&self, f: impl FnOnce(&mut Name) -> R) -> R {
        /// Unlocks the name when dropped (also if `f` unwinds).
        struct Unlock<'a>(&'a parking_lot::RawMutex);
        impl Drop for Unlock<'_> {
            fn drop(&mut self) {
                // SAFETY: made just after this thread locked it.
                unsafe { self.0.unlock() }
            }
        }
        self.name_lock.lock();
        let _unlock = Unlock(&self.name_lock);
        // SAFETY: under `name_lock`, the only access to `name`.
        f(unsafe { &mut *self.name.get() })
    }

    /// Renames the node (`.named(..)` on a resource).
    pub fn rename(&self, name: Cow<'static, str>) {
        let old = self.with_name_locked(|current| std::mem::replace(current, Name::from(name)));
        drop(old);
    }

    /// The node's current name.
    pub fn name(&self) -> String {
        self.with_name_locked(|name| name.as_str().to_owned())
    }

    /// The node's name when it is a `'static` string (a literal, a call
    /// site): what the flight recorder can keep without copying it.
    pub fn static_name(&self) -> Option<&'static str> {
        self.with_name_locked(|name| name.as_static())
    }
}

// SAFETY: `name` is read and written only under `name_lock`; every other
// field is `Sync`.
unsafe impl Sync for NodeCore {}

impl std::fmt::Debug for NodeCore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NodeCore")
            .field("id", &self.id)
            .field("kind", &self.kind)
            .field("name", &self.name())
            .field("location", &self.location)
            .field("created_ms", &self.created_ms)
            .finish()
    }
}

/// `file:line` of a construction or spawn site, rendered once per site and kept
/// (one small string per call site in the program), so making a resource
/// allocates no name. Looked up in a per-thread cache first; the shared map
/// is locked only on a thread's first use of a site.
#[cfg_attr(not(feature = "diagnostics"), allow(dead_code))]
pub(crate) fn site_name(location: &'static Location<'static>) -> &'static str {
    use std::cell::RefCell;
    use std::collections::HashMap;
    static SHARED: parking_lot::Mutex<Option<HashMap<usize, &'static str>>> =
        parking_lot::Mutex::new(None);
    type Local = HashMap<usize, &'static str, std::hash::BuildHasherDefault<AddrHasher>>;
    thread_local! {
        static LOCAL: RefCell<Local> = RefCell::new(Local::default());
    }
    let key = std::ptr::from_ref(location) as usize;
    let render = || -> &'static str {
        let mut shared = SHARED.lock();
        shared
            .get_or_insert_with(HashMap::new)
            .entry(key)
            .or_insert_with(|| {
                Box::leak(format!("{}:{}", location.file(), location.line()).into_boxed_str())
            })
    };
    LOCAL
        .try_with(|local| *local.borrow_mut().entry(key).or_insert_with(render))
        .unwrap_or_else(|_| render())
}

/// Hashes an address with one multiplication (addresses are distinct).
#[derive(Default)]
#[cfg_attr(not(feature = "diagnostics"), allow(dead_code))]
struct AddrHasher(u64);

impl std::hash::Hasher for AddrHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0 << 8 | u64::from(*b)).wrapping_mul(crate::id::GOLDEN);
        }
    }
    fn write_usize(&mut self, addr: usize) {
        self.0 = (addr as u64).wrapping_mul(crate::id::GOLDEN);
    }
}

/// Fills one node and its edges while a snapshot is taken.
#[derive(Debug)]
pub struct Describe<'a> {
    /// Coarse ms at capture: ages are `now_ms - since`.
    pub now_ms: u64,
    /// The node being described (id, kind, name, location already set).
    pub node: &'a mut Node,
    /// Where edges go; ends that name no live node are dropped afterwards.
    pub edges: &'a mut Vec<Edge>,
    /// The movable handles found in blocked tasks' states at this snapshot.
    pub found: &'a crate::ownership::Found,
}

impl Describe<'_> {
    /// Sets the node's state, entered at coarse ms `since`.
    pub fn state(&mut self, state: &str, since: u64) {
        self.node.state = Some(state.to_owned());
        self.node.since_ms = Some(clock::age(self.now_ms, since));
    }

    /// Sets an attribute.
    pub fn attr(&mut self, key: &str, value: impl Into<serde_json::Value>) {
        self.node.attrs.insert(key.to_owned(), value.into());
    }

    /// Adds an edge that appeared at coarse ms `since`.
    pub fn edge(&mut self, from: NodeId, to: NodeId, kind: EdgeKind, since: u64, attrs: Attrs) {
        self.edges.push(Edge {
            from,
            to,
            kind,
            since_ms: Some(clock::age(self.now_ms, since)),
            attrs,
        });
    }
}

/// The state of a future or task, as stored in [`PollStats`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum PollState {
    /// Made but never polled.
    Idle = 0,
    /// Inside a poll right now.
    Polling = 1,
    /// Last poll returned `Pending`.
    Pending = 2,
    /// Returned `Ready`.
    Done = 3,
}

/// How many low bits of [`PollStats`]'s `state_since` word hold the state.
const STATE_BITS: u32 = 2;

/// The word of `state` entered at coarse ms `since`.
#[inline]
fn state_since(state: PollState, since: u64) -> u64 {
    since << STATE_BITS | state as u64
}

impl PollState {
    /// The state in the low [`STATE_BITS`] of `word`.
    #[inline]
    fn from_bits(word: u64) -> PollState {
        match word & ((1 << STATE_BITS) - 1) {
            1 => PollState::Polling,
            2 => PollState::Pending,
            3 => PollState::Done,
            _ => PollState::Idle,
        }
    }

    /// The schema's word for the state.
    pub fn as_str(self) -> &'static str {
        match self {
            PollState::Idle | PollState::Pending => "pending",
            PollState::Polling => "polling",
            PollState::Done => "done",
        }
    }
}

/// One poll of a node in this many is timed exactly (two clock reads);
/// the others by the coarse tick. Which: the last of each run of this
/// many, so a node polled once or a few times (most futures, most tasks)
/// reads no exact clock at all.
pub const EXACT_TIMING_EVERY: u64 = 64;

/// Per-poll statistics of a future or task.
///
/// A future is polled by one thread at a time (it is behind `Pin<&mut>`), so
/// every field has a single writer: updates are plain relaxed loads and
/// stores, no read-modify-write. Readers (snapshots) may see a field a poll
/// old, never a torn value.
#[derive(Debug, Default)]
pub struct PollStats {
    /// The coarse ms the state was entered at, shifted left by
    /// [`STATE_BITS`], and the [`PollState`] in those bits: one word (8
    /// bytes less than two fields), one store at a poll's start and one
    /// at its end.
    state_since: AtomicU64,
    polls: AtomicU64,
    ns_total: AtomicU64,
    ns_max: AtomicU64,
}

/// What [`PollStats::begin`] hands to [`PollStats::end`].
#[derive(Debug, Clone, Copy)]
pub struct PollStart {
    coarse_ms: u64,
    exact_ns: Option<u64>,
}

impl PollStats {
    /// The statistics of a future after its first poll, which ran from
    /// coarse ms `start` to `end` and returned `Pending` (timed with the
    /// tick, as most polls are: see [`PollStats::begin`]).
    pub fn after_first_poll(start: u64, end: u64) -> Self {
        let ns = end.saturating_sub(start) * 1_000_000;
        PollStats {
            state_since: AtomicU64::new(state_since(PollState::Pending, end)),
            polls: AtomicU64::new(1),
            ns_total: AtomicU64::new(ns),
            ns_max: AtomicU64::new(ns),
        }
    }

    /// Marks a poll as started at coarse ms `now`.
    ///
    /// A poll is timed by the coarse tick (its ms at the start and at the
    /// end), one in [`EXACT_TIMING_EVERY`] exactly. Each poll adds its
    /// own duration to `poll_ns_total`: the exact one when timed so, else
    /// the tick's difference, which is 0 or a whole ms for a poll shorter
    /// than the tick but, over many polls, adds up to their time (a poll
    /// of `d` ns crosses `d` / 1 ms ticks on average). So the total is
    /// an estimate whose error shrinks with the number of polls, whatever
    /// that number; `poll_ns_max` misses no poll that outlasts the tick.
    /// Exact clock reads cost ~25 ns each here: as much as the rest of a
    /// short future's or task's poll bookkeeping.
    #[inline]
    pub fn begin(&self, now: u64) -> PollStart {
        let polls = self.polls.load(Relaxed);
        self.polls.store(polls + 1, Relaxed);
        self.state_since
            .store(state_since(PollState::Polling, now), Relaxed);
        let exact = polls % EXACT_TIMING_EVERY == EXACT_TIMING_EVERY - 1;
        PollStart {
            coarse_ms: now,
            exact_ns: exact.then(clock::exact_ns),
        }
    }

    /// Marks the poll begun at `start` as ended in `state`.
    #[inline]
    pub fn end(&self, start: PollStart, state: PollState) {
        let now = clock::now_ms();
        let ns = match start.exact_ns {
            Some(t0) => clock::exact_ns().saturating_sub(t0),
            None => now.saturating_sub(start.coarse_ms) * 1_000_000,
        };
        let total = self.ns_total.load(Relaxed);
        self.ns_total.store(total + ns, Relaxed);
        if ns > self.ns_max.load(Relaxed) {
            self.ns_max.store(ns, Relaxed);
        }
        self.state_since.store(state_since(state, now), Relaxed);
    }

    /// How many polls began so far (the current one included, inside a poll).
    #[inline]
    pub fn polls(&self) -> u64 {
        self.polls.load(Relaxed)
    }

    /// The current state.
    #[inline]
    pub fn state(&self) -> PollState {
        PollState::from_bits(self.state_since.load(Relaxed))
    }

    /// How many polls began and the state now, read with acquire ordering:
    /// the same pair before and after reading a node's own memory, with
    /// the state `pending`, means no poll ran meanwhile (a sequence lock
    /// whose writer is the poll; see `TaskFuture::poll`).
    #[cfg_attr(not(feature = "diagnostics"), allow(dead_code))]
    pub(crate) fn sequence(&self) -> (u64, PollState) {
        let polls = self.polls.load(std::sync::atomic::Ordering::Acquire);
        (
            polls,
            PollState::from_bits(self.state_since.load(std::sync::atomic::Ordering::Acquire)),
        )
    }

    /// Writes state, `since_ms` and the poll attributes into a snapshot node.
    pub fn describe(&self, out: &mut Describe<'_>, created_ms: u64) {
        let word = self.state_since.load(Relaxed);
        let (state, since) = (PollState::from_bits(word), word >> STATE_BITS);
        let since = if state == PollState::Idle {
            created_ms
        } else {
            since
        };
        out.state(state.as_str(), since);
        let polls = self.polls.load(Relaxed);
        out.attr(attr::POLLS, polls);
        out.attr(attr::POLL_NS_TOTAL, self.ns_total.load(Relaxed));
        out.attr(attr::POLL_NS_MAX, self.ns_max.load(Relaxed));
        if state == PollState::Polling {
            out.attr(attr::POLLING_SINCE_MS, clock::age(out.now_ms, since));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_poll_adds_its_tick_time_and_only_one_in_many_reads_the_exact_clock() {
        let stats = PollStats::default();
        // A poll that began 5 ticks ago counts them, though not timed exactly.
        let start = stats.begin(clock::now_ms() - 5);
        assert!(
            start.exact_ns.is_none(),
            "the first poll is timed by the tick"
        );
        stats.end(start, PollState::Pending);
        let total = stats.ns_total.load(Relaxed);
        assert!(total >= 5_000_000, "poll_ns_total {total}");
        assert!(stats.ns_max.load(Relaxed) >= 5_000_000);
        let mut exact = 0;
        for _ in 1..EXACT_TIMING_EVERY * 2 {
            let start = stats.begin(clock::now_ms());
            exact += usize::from(start.exact_ns.is_some());
            stats.end(start, PollState::Pending);
        }
        assert_eq!(
            exact, 2,
            "one poll in {EXACT_TIMING_EVERY} is timed exactly"
        );
        assert_eq!(stats.polls(), EXACT_TIMING_EVERY * 2);
        assert!(stats.ns_total.load(Relaxed) >= total, "polls only add");
    }
}
