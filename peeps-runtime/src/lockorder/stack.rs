//! The locks each context holds, and the order edges an acquisition makes.
//!
//! One list per thread, in a thread-local, split in segments: the bottom
//! one is the thread's own (a `block_on` root, a plain thread); a peeps
//! task's poll opens a segment of its own above it ([`enter_task`]) and
//! closes it when the poll ends, moving what is left in it (locks held
//! across an `.await`) into the task's [`Saved`] list, which its next poll
//! brings back, on whichever thread. So the hot path of a peeps task or a
//! thread is always this thread's list: no lock, no allocation (a task
//! allocates its saved list once, the first time it holds a lock across an
//! `.await`). A plain tokio task, whose polls peeps does not see, keeps its
//! locks in a table by task ([`plain`]): one uncontended lock of its slot
//! per acquisition and per release. When that table has no room for it,
//! its entries go to the thread's own segment, tagged with the task.
//!
//! A lock released by another context than the one that took it (an owned
//! guard moved to another task unseen) is not in the releasing context's
//! list: its release is written to a small global ring of *orphan*
//! releases, which each list applies, by lock id, before its next
//! acquisition, so it forgets the lock it no longer holds. (A plain task's
//! hold is released by its holder's id, found in the table wherever the
//! release is made.)

mod plain;

use super::HELD_MAX;
use super::graph::{self, EdgeKey, Gates, Learn, gate_hash};
use crate::context;
use crate::hold::Taker;
use crate::wait::Site;
use peeps_graph::{LockMode, NodeId, NodeKind};
use std::cell::UnsafeCell;
use std::sync::atomic::{
    AtomicU64,
    Ordering::{Acquire, Relaxed, Release},
};

/// One held lock.
#[derive(Debug, Clone, Copy)]
struct Held {
    /// The lock's node id (never 0 for a live entry).
    lock: NodeId,
    /// The innermost instrumented future that took it, 0 when the context
    /// itself did (no instrumented future around the call).
    by: NodeId,
    /// In the thread's own segment: the plain tokio task that took it (its
    /// node id), 0 for the thread. Unused in a task's segment.
    tag: u64,
    at: Site,
    /// An address inside the future that took it, pinned while it waited;
    /// 0 for a blocking call or a lock taken at once; [`Held::SOMEWHERE`]
    /// once not known any more.
    place: usize,
    class: u32,
    mode: LockMode,
    /// An owned guard or permit, which can move to another task unseen:
    /// nothing is ordered after it (while the context holds it, it is a
    /// gate all the same).
    movable: bool,
    /// Held exclusively (see `graph::is_exclusive`): a mutex or write
    /// guard, or a permit that took all its semaphore's permits. Else
    /// shared: a read, a permit of some.
    exclusive: bool,
}

impl Held {
    /// The place of a lock taken by a future no longer known: another
    /// hold of the same lock by the context was released, and a release
    /// does not say which of them it was (see [`forget_places`]).
    const SOMEWHERE: usize = usize::MAX;

    const EMPTY: Held = Held {
        lock: 0,
        by: 0,
        tag: 0,
        at: None,
        place: 0,
        class: 0,
        mode: LockMode::Write,
        movable: false,
        exclusive: false,
    };
}

/// A thread's held locks.
#[derive(Debug)]
struct List {
    entries: [Held; HELD_MAX],
    len: usize,
    /// Where the current context's entries start: a peeps task's while it
    /// polls; the thread's own below.
    base: usize,
    /// A peeps task polls now (its segment is `base..len`).
    in_task: bool,
    /// Acquisitions not followed because the list was full, whose release
    /// is then not an orphan.
    overflow: u32,
    /// The orphan releases this list has applied: those numbered below.
    seen: u64,
}

/// How many recent order edges a thread remembers (direct-mapped).
const EDGE_CACHE: usize = 128;

/// A thread's lock-order state. Its cells are only ever borrowed by the
/// functions of this module, one at a time, never across a call that could
/// run user code (a drop) and so come back here.
struct Local {
    list: UnsafeCell<List>,
    /// Order edges this thread knows are in the shared graph.
    cache: UnsafeCell<[EdgeKey; EDGE_CACHE]>,
}

thread_local! {
    static LOCAL: Local = const {
        Local {
            list: UnsafeCell::new(List {
                entries: [Held::EMPTY; HELD_MAX],
                len: 0,
                base: 0,
                in_task: false,
                overflow: 0,
                seen: 0,
            }),
            cache: UnsafeCell::new([EdgeKey::EMPTY; EDGE_CACHE]),
        }
    };
}

/// Runs `f` on this thread's list; `None` during the thread's teardown.
#[inline]
fn with_list<R>(f: impl FnOnce(&mut List) -> R) -> Option<R> {
    // SAFETY: the list is borrowed only here, by code that calls nothing
    // that could come back to this module (see `Local`).
    LOCAL.try_with(|l| f(unsafe { &mut *l.list.get() })).ok()
}

// ---- orphan releases ------------------------------------------------------

/// How many orphan releases the ring keeps.
const RING: u64 = 64;
/// The bits of a ring slot that say which release it holds (its number,
/// modulo this + 1).
const LAP: u64 = 0x3FF;

/// How many orphan releases there have been: the next one's number.
static ORPHANS: AtomicU64 = AtomicU64::new(0);
/// The last [`RING`] orphan releases: `lock << 10 | number & LAP`.
static RING_SLOTS: [AtomicU64; RING as usize] = [const { AtomicU64::new(0) }; RING as usize];

/// Lock `lock` was released by a context that does not list it.
#[cold]
fn orphan(lock: NodeId) {
    let n = ORPHANS.fetch_add(1, Relaxed);
    RING_SLOTS[(n % RING) as usize].store(lock << 10 | n & LAP, Release);
}

/// The lock of orphan release `n`, if the ring still has it (`None` when
/// it was overwritten, or is being written now).
fn orphan_lock(n: u64) -> Option<NodeId> {
    let slot = &RING_SLOTS[(n % RING) as usize];
    for _ in 0..64 {
        let v = slot.load(Acquire);
        if v & LAP == n & LAP {
            return Some(v >> 10);
        }
        std::hint::spin_loop();
    }
    None
}

impl List {
    /// Forgets, from `entries[..len]`, the locks released elsewhere by
    /// orphan releases `from..to` (all of them when the ring no longer has
    /// one of those, or its writer has not finished it yet: a lock kept
    /// after its release would order the next ones falsely, a lock
    /// forgotten only misses some), keeping `base` at the first entry it
    /// was at.
    fn forget_orphans(entries: &mut [Held], len: &mut usize, base: &mut usize, from: u64, to: u64) {
        if *len == 0 {
            return;
        }
        if to - from > RING {
            Self::forget_all(len, base);
            return;
        }
        for n in from..to {
            let Some(lock) = orphan_lock(n) else {
                Self::forget_all(len, base);
                return;
            };
            if let Some(i) = entries[..*len].iter().rposition(|h| h.lock == lock) {
                entries.copy_within(i + 1..*len, i);
                *len -= 1;
                if i < *base {
                    *base -= 1;
                }
            }
        }
    }

    /// Forgets every entry of a list that cannot tell which orphan
    /// releases were its own (counted as not followed).
    #[cold]
    fn forget_all(len: &mut usize, base: &mut usize) {
        for _ in 0..*len {
            graph::held_dropped();
        }
        *len = 0;
        *base = 0;
    }

    /// Applies the orphan releases made since this list last looked, if
    /// any (one relaxed load when there are none).
    #[inline]
    fn up_to_date(&mut self) {
        let now = ORPHANS.load(Relaxed);
        if now != self.seen {
            self.catch_up(now);
        }
    }

    /// Applies the orphan releases made since this list last looked, up
    /// to number `now` (excluded).
    #[cold]
    fn catch_up(&mut self, now: u64) {
        Self::forget_orphans(
            &mut self.entries,
            &mut self.len,
            &mut self.base,
            self.seen,
            now,
        );
        self.seen = now;
    }

    /// The index of the entry of `lock` the current context holds.
    #[inline]
    fn find(&self, lock: NodeId) -> Option<usize> {
        let mut found = None;
        for i in (self.base..self.len).rev() {
            if self.entries[i].lock == lock {
                if self.in_task {
                    return Some(i);
                }
                if found.is_some() {
                    // Two contexts of the thread's own segment hold it
                    // (two plain tasks' read guards): the tag decides.
                    let tag = plain_tag();
                    return (self.base..self.len)
                        .rev()
                        .find(|&j| self.entries[j].lock == lock && self.entries[j].tag == tag)
                        .or(found);
                }
                found = Some(i);
            }
        }
        found
    }

    #[inline]
    fn remove(&mut self, i: usize) {
        self.entries.copy_within(i + 1..self.len, i);
        self.len -= 1;
    }
}

/// Calls `f` with each lock the current context holds (its entries in
/// its segment of the thread's list, then a plain tokio task's own list),
/// outermost first. Returns whether a peeps task polls now and the plain
/// tokio task's tag (0: none), `None` during the thread's teardown. Cold;
/// `f` must not come back to this module.
fn each_held(mut f: impl FnMut(&Held)) -> Option<(bool, u64)> {
    let (in_task, tag) = LOCAL
        .try_with(|l| {
            // SAFETY: as in `with_list`; `f` does not come back here.
            let list = unsafe { &*l.list.get() };
            let tag = if list.in_task { 0 } else { plain_tag() };
            for h in &list.entries[list.base..list.len] {
                if list.in_task || h.tag == tag {
                    f(h);
                }
            }
            (list.in_task, tag)
        })
        .ok()?;
    if tag != 0 {
        plain::held(tag, f);
    }
    Some((in_task, tag))
}

/// Calls `f` with each lock the current context holds exclusively (a
/// mutex guard, a write guard, a permit that took all its semaphore's: a
/// gate), outermost first. Cold: for a handle's use by a new user (see
/// `HolderSet::touch_endpoint`).
pub(super) fn held_exclusive(mut f: impl FnMut(NodeId)) {
    each_held(|h| {
        if h.exclusive && h.lock != 0 {
            f(h.lock);
        }
    });
}

/// Whether the current context holds a lock. Cold: a lock's construction
/// (see `on::made`).
pub(super) fn holds_any() -> bool {
    let mut any = false;
    each_held(|_| any = true);
    any
}

/// The tag of the current context in a thread's own segment: the plain
/// tokio task running, else 0 (the thread).
#[inline(never)]
fn plain_tag() -> u64 {
    tokio::task::try_id().map_or(0, crate::ambient::foreign_id)
}

// ---- acquisition and release ----------------------------------------------

/// The held locks an acquisition is ordered after, copied out of the list
/// when one of them needs more than a probe of the edge cache.
struct Before {
    entries: [Held; HELD_MAX],
    len: usize,
}

/// Lock `lock` of class `class` is taken in `mode` at `at` by `taker` (as
/// its hold found it: the future taking it, and outside a peeps task the
/// plain tokio task); `waited` when the call could have waited (it is then
/// ordered after what is held); `sole` for a permit that took all its
/// semaphore's permits (held exclusively, as a mutex guard is).
///
/// The common case is inlined and stays in one borrow of the thread's
/// state: a context holding nothing in its segment, no orphan release to
/// apply, room in the list — a push of one entry. A plain tokio task's
/// lock goes to its list in [`plain`]; anything else to [`take_more`].
#[inline(always)]
#[allow(clippy::too_many_arguments)] // one acquisition's facts, inlined
pub(super) fn take(
    lock: NodeId,
    class: u32,
    mode: LockMode,
    at: Site,
    waited: bool,
    movable: bool,
    sole: bool,
    taker: Taker,
    place: usize,
) {
    let exclusive = graph::is_exclusive(mode) || sole;
    let by = taker.by;
    /// What the borrow did.
    enum Took {
        /// Pushed the entry.
        Pushed,
        /// Left it to `take_more`.
        More,
        /// Named the plain tokio task taking it, whose list is `plain`'s.
        Plain(u64),
    }
    let took = LOCAL.try_with(|l| {
        // SAFETY: as in `with_list`.
        let list = unsafe { &mut *l.list.get() };
        // 0 in a peeps task (its hold found no plain tokio task).
        let tag = taker.plain;
        if tag != 0 {
            return Took::Plain(tag);
        }
        let len = list.len;
        if len == list.base && len < HELD_MAX && ORPHANS.load(Relaxed) == list.seen {
            list.entries[len] = Held {
                lock,
                by,
                tag: 0,
                at,
                place,
                class,
                mode,
                movable,
                exclusive,
            };
            list.len = len + 1;
            Took::Pushed
        } else {
            Took::More
        }
    });
    let tag = match took {
        Ok(Took::Pushed) | Err(_) => return,
        Ok(Took::More) => 0,
        Ok(Took::Plain(tag)) => tag,
    };
    let taken = Held {
        lock,
        by,
        tag,
        at,
        place,
        class,
        mode,
        movable,
        exclusive,
    };
    // A plain tokio task's locks are kept by task (`plain`); in the
    // thread's list when the table has no room for it.
    if tag == 0 || !plain::take(taken, waited) {
        take_more(taken, waited);
    }
}

/// [`take`] in any other case: orphan releases to apply first, a full
/// list, or locks held in the context's segment.
///
/// Those are all pushed in one borrow of the thread's state when every
/// order edge they make is in the thread's cache (a probe each). Anything
/// else — an edge not in the cache, a lock held by another future of the
/// task — copies the held locks out and is done by [`order`], outside any
/// borrow.
#[inline(never)]
fn take_more(taken: Held, waited: bool) {
    let slow = LOCAL.try_with(|l| {
        // SAFETY: as in `with_list`; the cache is another cell.
        let list = unsafe { &mut *l.list.get() };
        list.up_to_date();
        // SAFETY: as above.
        let cache = unsafe { &*l.cache.get() };
        let base = list.base;
        let slow = push(
            &mut list.entries,
            &mut list.len,
            base,
            &mut list.overflow,
            Some(cache),
            taken,
            waited,
        );
        slow.map(|b| (b, list.in_task))
    });
    if let Ok(Some((before, in_task))) = slow {
        order(&before, taken, context::current(), in_task, false);
    }
}

/// Pushes `taken` onto the held locks `entries[..len]` (the context's from
/// `base`), counted in `overflow` when they are full. Returns the
/// context's locks copied out when `taken` was `waited` for and one of its
/// edges from them is not in the thread's edge `cache` (`None`: during
/// the thread's teardown, learn nothing): [`order`] learns those, outside
/// any borrow or lock.
#[inline(always)]
fn push(
    entries: &mut [Held; HELD_MAX],
    len: &mut usize,
    base: usize,
    overflow: &mut u32,
    cache: Option<&[EdgeKey; EDGE_CACHE]>,
    taken: Held,
    waited: bool,
) -> Option<Box<Before>> {
    let mut slow = None;
    if waited
        && *len > base
        && let Some(cache) = cache
    {
        let held = &entries[base..*len];
        if !known(held, cache, &taken) {
            slow = Some(before(held, taken.tag));
        }
    }
    if *len < HELD_MAX {
        entries[*len] = taken;
        *len += 1;
    } else {
        *overflow += 1;
        graph::held_dropped();
    }
    slow
}

/// The hash of acquisition site `at`, added to the gates of a key of the
/// thread's edge cache: each site's first observation of an edge on a
/// thread reaches the shared graph, which notes an edge made at more than
/// one site (see `graph::given_up`). 0 for none.
#[inline(always)]
fn site_hash(at: Site) -> u64 {
    at.map_or(0, |l| {
        (std::ptr::from_ref(l) as u64).wrapping_mul(crate::id::GOLDEN)
    })
}

/// Whether every order edge from the locks the context holds to `taken`
/// is in the thread's cache with the gates it has now, each from a lock
/// held around this acquisition (taken by the context itself or by the
/// same future).
///
/// The gates of the edge from a held lock are the locks held below it,
/// each exclusively or shared (see [`order`]); their [`gate_hash`]es are
/// summed on the way up. A context holding one lock has none to sum.
#[inline]
fn known(held: &[Held], cache: &[EdgeKey; EDGE_CACHE], taken: &Held) -> bool {
    if let [h] = held {
        return known_from(h, site_hash(taken.at), cache, taken);
    }
    let mut gates = site_hash(taken.at);
    for h in held {
        if !known_from(h, gates, cache, taken) {
            return false;
        }
        if h.tag == taken.tag {
            gates = gates.wrapping_add(gate_hash(h.lock, h.exclusive));
        }
    }
    true
}

/// Whether the edge from held lock `h` to `taken`, seen with the gates
/// summed in `gates`, is in the cache, or is none (`h` is another
/// context's, or an owned guard). The cache knows an edge by its pair of
/// locks too, until both its sides stand for any lock (see
/// [`pair_hash`]).
#[inline(always)]
fn known_from(h: &Held, gates: u64, cache: &[EdgeKey; EDGE_CACHE], taken: &Held) -> bool {
    h.tag != taken.tag
        || h.movable
        || ((h.by == 0 || h.by == taken.by)
            && edge_key(h, taken).is_none_or(|key| {
                let pair = key.gated(gates ^ pair_hash(h.lock, taken.lock));
                cache[pair.slot(EDGE_CACHE)] == pair || {
                    let any = key.gated(gates ^ ANY_PAIR);
                    cache[any.slot(EDGE_CACHE)] == any
                }
            }))
}

/// The locks `held` → `taken` of one observation, in a cache key: an edge
/// between two classes lists the locks it was seen holding and taking
/// (`graph::Record::seen_between`), so each new pair must reach it.
#[inline(always)]
fn pair_hash(held: NodeId, taken: NodeId) -> u64 {
    (held ^ taken.rotate_left(29)).wrapping_mul(crate::id::GOLDEN) | 1
}

/// In a cache key instead of [`pair_hash`]: both sides of the edge stand
/// for any lock, so any pair is known (even: never a pair's hash).
const ANY_PAIR: u64 = 0x5851_F42D_4C95_7F2E;

/// The locks of the context `tag` in `list`, copied.
#[cold]
#[inline(never)]
fn before(held: &[Held], tag: u64) -> Box<Before> {
    let mut before = Box::new(Before {
        entries: [Held::EMPTY; HELD_MAX],
        len: 0,
    });
    for h in held {
        if h.tag == tag {
            before.entries[before.len] = *h;
            before.len += 1;
        }
    }
    before
}

/// Learns the order edges from the locks in `before` to `taken`, each with
/// its gates: the locks held below its held lock, each exclusively or
/// shared (taken before it, by the context or around it, and held since:
/// the gate was held all the while the held lock was and the other was
/// waited for). With
/// `given_up`, `taken` was not taken: its wait was given up, and each edge
/// is marked so (`graph::given_up`), whatever the thread's cache says.
#[cold]
#[inline(never)]
fn order(before: &Before, taken: Held, frame: context::Frame, in_task: bool, given_up: bool) {
    let mut gates = Gates::NONE;
    // The sum of their gate hashes, as `known` sums them (all of them,
    // beyond what `gates` keeps), on the acquisition site's hash.
    let mut gate_sum = site_hash(taken.at);
    for h in &before.entries[..before.len] {
        // A lock a sibling future holds (pending or idle) neither orders
        // this one nor gates it; its hash is in the cache key all the same,
        // as `known` sums it.
        if nested(h.by, taken.by) {
            // An owned guard or permit orders nothing taken after it (it
            // may have moved on), but while the context still holds it,
            // it is a gate of what the context takes under it.
            if let Some(learn) = edge(h, &taken, gates).filter(|_| !h.movable) {
                let who = || who(frame, in_task, taken.tag);
                if given_up {
                    graph::given_up(&learn, who);
                } else {
                    let any = learn.key.gated(gate_sum ^ ANY_PAIR);
                    if !cached(learn.key.gated(gate_sum ^ pair_hash(h.lock, taken.lock)))
                        && !in_cache(any)
                        && graph::learn(&learn, who)
                    {
                        cached(any);
                    }
                }
            }
            gates.push(h.class, h.lock, h.exclusive);
        }
        gate_sum = gate_sum.wrapping_add(gate_hash(h.lock, h.exclusive));
    }
}

/// Whether the thread's edge cache has `key`, without putting it there.
fn in_cache(key: EdgeKey) -> bool {
    LOCAL
        .try_with(|l| {
            // SAFETY: as in `with_list`.
            let cache = unsafe { &*l.cache.get() };
            cache[key.slot(EDGE_CACHE)] == key
        })
        .unwrap_or(true)
}

/// Whether the thread's edge cache has `key` (a key with its gates), put
/// there now if not.
fn cached(key: EdgeKey) -> bool {
    LOCAL
        .try_with(|l| {
            // SAFETY: as in `with_list`.
            let cache = unsafe { &mut *l.cache.get() };
            let slot = &mut cache[key.slot(EDGE_CACHE)];
            let known = *slot == key;
            *slot = key;
            known
        })
        .unwrap_or(true)
}

/// The key of the edge from held lock `h` to `taken`, if it is one. None
/// when the same call took both from two futures alive at once (the
/// same code running beside itself: two branches of one `join_all`,
/// `buffer_unordered` or `join!`), as in a nested call it would from one:
/// each branch lets its own lock go, whatever the other waits for.
#[inline]
fn edge_key(h: &Held, taken: &Held) -> Option<EdgeKey> {
    if beside(h, taken) {
        return None;
    }
    if h.lock == taken.lock {
        // Only a second read (which waits behind a queued writer) or a
        // second permit can be taken while the context holds the lock.
        let again = matches!(
            (h.mode, taken.mode),
            (LockMode::Read, LockMode::Read) | (LockMode::Permit, LockMode::Permit)
        );
        return again.then(|| EdgeKey::locks(h.lock, taken.lock, h.mode, taken.mode));
    }
    Some(if h.class == taken.class {
        EdgeKey::locks(h.lock, taken.lock, h.mode, taken.mode)
    } else {
        EdgeKey::class(h.class, taken.class, h.mode, taken.mode)
    })
}

/// Whether held lock `h` and `taken` were taken by one call (one site) in
/// two futures, both pinned while they waited: not nested, beside each
/// other. A loop or a helper taking one lock after another takes each
/// from the same place in its state, so those stay ordered.
#[inline(always)]
fn beside(h: &Held, taken: &Held) -> bool {
    h.place != 0
        && taken.place != 0
        && h.place != taken.place
        && match (h.at, taken.at) {
            (Some(a), Some(b)) => std::ptr::eq(a, b),
            _ => false,
        }
}

/// The edge from held lock `h` to `taken`, if it is one, seen with `gates`.
fn edge(h: &Held, taken: &Held, gates: Gates) -> Option<Learn> {
    let key = edge_key(h, taken)?;
    Some(Learn {
        key,
        from: h.class,
        to: taken.class,
        held: h.mode,
        acquired: taken.mode,
        held_lock: h.lock,
        acquired_lock: taken.lock,
        same_class: h.class == taken.class,
        held_at: h.at,
        acquired_at: taken.at,
        gates,
    })
}

/// An acquisition of `lock` (of class `class`, in `mode`, called at `at`)
/// that could have waited was given up while it waited, by the context
/// that waited (a timeout or a `select!` dropped its future): the edges it
/// would have made from the locks the context holds are marked so (see
/// `graph::given_up`). Cold: a wait for a lock cancelled.
#[cold]
#[inline(never)]
pub(super) fn given_up(lock: NodeId, class: u32, mode: LockMode, at: Site) {
    // Forget what was released elsewhere first: only the locks still held
    // make edges.
    with_list(|list| {
        list.up_to_date();
    });
    let mut before = Before {
        entries: [Held::EMPTY; HELD_MAX],
        len: 0,
    };
    let held = each_held(|h| {
        if before.len < HELD_MAX {
            before.entries[before.len] = *h;
            before.len += 1;
        }
    });
    let Some((in_task, tag)) = held.filter(|_| before.len > 0) else {
        return;
    };
    let frame = context::current();
    let taken = Held {
        lock,
        by: frame.future(),
        tag,
        at,
        place: 0,
        class,
        mode,
        movable: false,
        exclusive: false,
    };
    order(&before, taken, frame, in_task, true);
}

/// Whether a lock taken by future `held_by` (0: the context itself) is
/// held *around* an acquisition by future `by`: taken by the same future,
/// by the context itself, or by a future that is polling now (so it
/// encloses this one) or is gone (its guard outlived it, kept by an
/// enclosing one). A future that is alive and not polling is a concurrent
/// sibling (a branch of a `join!`, a `FuturesUnordered`): the task can
/// release its lock without this one, so it orders nothing.
#[inline]
fn nested(held_by: NodeId, by: NodeId) -> bool {
    held_by == 0 || held_by == by || sibling_encloses(held_by)
}

#[cold]
#[inline(never)]
fn sibling_encloses(future: NodeId) -> bool {
    use crate::node::PollState;
    match crate::registry::find(future).and_then(|e| e.poll_state()) {
        Some(PollState::Pending | PollState::Idle) => false,
        Some(PollState::Polling | PollState::Done) | None => true,
    }
}

/// The context that takes a lock, for an edge's example: its node id, kind
/// and name.
#[cold]
fn who(frame: context::Frame, in_task: bool, tag: u64) -> (NodeId, NodeKind, String) {
    let id = if in_task {
        frame.task
    } else if tag != 0 {
        tag
    } else {
        crate::ambient::kept_thread_root().id
    };
    match crate::registry::find(id) {
        Some(e) => (id, e.core().kind, e.core().name()),
        None if tag != 0 => (
            id,
            NodeKind::Task,
            format!("tokio task {}", tag - (1 << 52)),
        ),
        None => (
            id,
            NodeKind::Thread,
            format!(
                "thread {}",
                std::thread::current().name().unwrap_or("(unnamed)")
            ),
        ),
    }
}

/// Lock `lock`, held by `holder` (the hold's holder: a plain tokio task's
/// node id names its list in [`plain`]), is released: the context that
/// holds it no longer does.
#[inline]
pub(super) fn release(lock: NodeId, holder: NodeId) {
    if crate::id::is_foreign(holder) && plain::release(holder, lock) {
        return;
    }
    let elsewhere = with_list(|list| {
        // The usual case: the last lock taken goes first. (A task's
        // segment has only entries tagged 0: see `take`.)
        let len = list.len;
        let top = &list.entries[len.wrapping_sub(1) & (HELD_MAX - 1)];
        if len > list.base && top.lock == lock && top.tag == 0 {
            let shared = !top.exclusive;
            list.len = len - 1;
            if shared && list.len > list.base {
                forget_places(&mut list.entries[list.base..list.len], lock);
            }
            return false;
        }
        release_slow(list, lock)
    });
    if elsewhere == Some(true) {
        orphan(lock);
    }
}

/// A context released one of its shared holds of `lock` (a read, a permit)
/// and still holds others in `entries`: which future took each is no
/// longer known (a release does not say which hold it was, and the one
/// removed may be another future's), so their places are forgotten; a
/// later acquisition at their call is then taken for a branch beside them
/// (see [`beside`]), never for one nested in them.
#[cold]
#[inline(never)]
fn forget_places(entries: &mut [Held], lock: NodeId) {
    for h in entries
        .iter_mut()
        .filter(|h| h.lock == lock && h.place != 0)
    {
        h.place = Held::SOMEWHERE;
    }
}

/// As [`release`], for a lock that is not the last one the thread took.
#[cold]
fn release_slow(list: &mut List, lock: NodeId) -> bool {
    match list.find(lock) {
        Some(i) => {
            let shared = !list.entries[i].exclusive;
            list.remove(i);
            if shared {
                forget_places(&mut list.entries[list.base..list.len], lock);
            }
            false
        }
        None => {
            // Maybe one of the acquisitions this list had no room for; but
            // maybe a lock another thread's list has (a plain task's, taken
            // there before the task moved here): every list must forget it,
            // or it stays listed, ordering the task's next locks falsely.
            list.overflow = list.overflow.saturating_sub(1);
            true
        }
    }
}

/// A hold of `lock` moved to node `to` (seen by peeps: a guard sent in a
/// message, given at spawn): if the current context holds it and is not
/// `to`, it holds it no more. Returns whether it moved into the current
/// context, which does not list it (see [`moved_in`]).
pub(super) fn moved_away(lock: NodeId, to: NodeId) -> bool {
    let frame = context::current();
    let current = if frame.tracked {
        frame.task
    } else {
        match plain_tag() {
            0 => crate::ambient::kept_thread_root().id,
            tag => tag,
        }
    };
    if current == to {
        let mut listed = false;
        if !frame.tracked && crate::id::is_foreign(current) {
            plain::held(current, |h| listed |= h.lock == lock);
        }
        return !listed && with_list(|list| list.find(lock).is_none()).unwrap_or(false);
    }
    if !frame.tracked && crate::id::is_foreign(current) && plain::remove(current, lock, false) {
        return false;
    }
    with_list(|list| {
        if let Some(i) = list.find(lock) {
            list.remove(i);
        }
    });
    false
}

/// A hold of `lock` (class `class`, held in `mode`) moved from `from` into
/// the current context, found in its state by its first poll (an owned
/// guard given at spawn): `from` holds it no more, and the context holds
/// it from now on, as an owned guard: ordered after nothing, ordering
/// nothing, a gate of what the context takes under it. (Without it, a
/// maintenance write guard moved into the task that does the maintenance
/// gated nothing there: docs/lock-order.md, "Gate locks".)
#[cold]
#[inline(never)]
pub(super) fn moved_in(lock: NodeId, class: u32, mode: LockMode, from: NodeId) {
    if !(crate::id::is_foreign(from) && plain::remove(from, lock, false)) {
        // The holder's list is a thread's or a peeps task's, not at hand:
        // every context forgets the lock (the current one applies that
        // before it lists the lock again, below).
        orphan(lock);
    }
    let frame = context::current();
    let plain = if frame.tracked { 0 } else { plain_tag() };
    take(
        lock,
        class,
        mode,
        None,
        false,
        true,
        false,
        Taker::new(0, plain),
        0,
    );
}

// ---- a peeps task's locks across its polls ---------------------------------

/// A peeps task's held locks while it is not polled: those it holds across
/// an `.await`, brought back by its next poll.
#[derive(Debug, Default)]
pub(crate) struct Saved(UnsafeCell<Option<Box<SavedList>>>);

#[derive(Debug)]
struct SavedList {
    entries: [Held; HELD_MAX],
    len: usize,
    /// The orphan releases applied to `entries`: those numbered below.
    seen: u64,
}

impl SavedList {
    /// An empty list that has applied the orphan releases below `seen`.
    fn empty(seen: u64) -> Box<SavedList> {
        Box::new(SavedList {
            entries: [Held::EMPTY; HELD_MAX],
            len: 0,
            seen,
        })
    }
}

// SAFETY: the list is touched only by the task's own poll (`enter_task`
// and its guard), and a task is polled by one thread at a time, each poll
// ordered after the last by the runtime; otherwise it is only dropped.
unsafe impl Sync for Saved {}
// SAFETY: as above.
unsafe impl Send for Saved {}

impl Saved {
    /// A hold of `lock` (class `class`, held in `mode`) moved into the
    /// peeps task whose list this is, being spawned now (an owned guard
    /// given at spawn; the spawner lists it no more): the task holds it
    /// from its first poll on, as [`moved_in`] says. Cold.
    #[cold]
    #[inline(never)]
    pub(super) fn seed(&self, lock: NodeId, class: u32, mode: LockMode) {
        // SAFETY: see `Saved`: the task is not polled yet (its future is
        // being scanned at its spawn), so nobody else touches its list.
        let list = unsafe { &mut *self.0.get() };
        let s = list.get_or_insert_with(|| SavedList::empty(ORPHANS.load(Relaxed)));
        if s.len == HELD_MAX || s.entries[..s.len].iter().any(|h| h.lock == lock) {
            return;
        }
        s.entries[s.len] = Held {
            lock,
            class,
            mode,
            movable: true,
            exclusive: graph::is_exclusive(mode),
            ..Held::EMPTY
        };
        s.len += 1;
    }
}

/// The segment of a peeps task's poll: closed (what it holds saved in the
/// task) when dropped, also during a panic.
#[derive(Debug)]
#[must_use = "the task's segment closes when the guard drops"]
pub(crate) struct TaskSegment<'a> {
    saved: &'a Saved,
    prev: Option<(usize, bool)>,
}

/// Opens the segment of the poll of a peeps task whose saved list is
/// `saved`, bringing back the locks it held across its last `.await`.
#[inline]
pub(crate) fn enter_task(saved: &Saved) -> TaskSegment<'_> {
    // SAFETY: see `Saved`: this poll is the one user of the list.
    let list = unsafe { &mut *saved.0.get() };
    let prev = with_list(|l| {
        let prev = (l.base, l.in_task);
        l.base = l.len;
        l.in_task = true;
        if let Some(s) = list
            && s.len > 0
        {
            restore(l, s);
        }
        prev
    });
    TaskSegment { saved, prev }
}

/// Brings a task's saved locks back into the thread's list `l`, both
/// brought up to date with the orphan releases first.
#[cold]
fn restore(l: &mut List, s: &mut SavedList) {
    l.up_to_date();
    let now = l.seen;
    if now != s.seen {
        List::forget_orphans(&mut s.entries, &mut s.len, &mut 0, s.seen, now);
    }
    for h in &s.entries[..s.len] {
        if l.len < HELD_MAX {
            l.entries[l.len] = *h;
            l.len += 1;
        } else {
            l.overflow += 1;
            graph::held_dropped();
        }
    }
    s.len = 0;
}

impl Drop for TaskSegment<'_> {
    #[inline]
    fn drop(&mut self) {
        let Some((base, in_task)) = self.prev else {
            return;
        };
        // SAFETY: see `Saved`.
        let list = unsafe { &mut *self.saved.0.get() };
        with_list(|l| {
            if l.len > l.base {
                save(l, list);
            }
            l.len = l.base;
            l.base = base.min(l.len);
            l.in_task = in_task;
        });
    }
}

/// Moves the locks left in a task's segment of `l` into its saved list.
#[cold]
fn save(l: &List, list: &mut Option<Box<SavedList>>) {
    let s = list.get_or_insert_with(|| SavedList::empty(0));
    let n = l.len - l.base;
    s.entries[..n].copy_from_slice(&l.entries[l.base..l.len]);
    s.len = n;
    s.seen = l.seen;
}

#[cfg(test)]
mod tests {
    use super::{HELD_MAX, Held, List, release_slow};

    #[test]
    fn a_release_a_full_list_does_not_have_is_still_an_orphan_release() {
        // The list had no room for some acquisitions (`overflow`), but the
        // lock released may be one another thread's list has (a plain
        // task's, taken there before it moved): every list must forget it.
        let mut list = List {
            entries: [Held::EMPTY; HELD_MAX],
            len: 1,
            base: 0,
            in_task: false,
            overflow: 1,
            seen: 0,
        };
        list.entries[0].lock = 7;
        assert!(release_slow(&mut list, 9), "an orphan release");
        assert_eq!((list.len, list.overflow), (1, 0));
        assert!(!release_slow(&mut list, 7), "its own");
        assert_eq!(list.len, 0);
    }

    #[test]
    fn a_list_that_cannot_read_an_orphan_release_forgets_every_lock() {
        // Release number 2^40 + 1000 was never written to the ring (as one its
        // writer has not finished): which lock it released is not known,
        // so no entry may stay (it would order later locks falsely).
        let mut entries = [Held::EMPTY; super::HELD_MAX];
        entries[0].lock = 7;
        entries[1].lock = 9;
        let (mut len, mut base) = (2, 1);
        let n = (1 << 40) + 1000;
        List::forget_orphans(&mut entries, &mut len, &mut base, n, n + 1);
        assert_eq!((len, base), (0, 0));
    }
}
