//! The shared order graph: the class table and the order edges, both
//! capped, and what did not fit, counted.
//!
//! Classes are registered once each under one lock (a thread's first lock
//! of a class; see `class`). Edges live in [`SHARDS`] maps by key hash, each
//! behind its own lock, taken only for an edge the calling thread has not
//! seen yet (its edge cache, in `stack`, remembers the others). An edge is
//! never removed: the graph grows to its caps and stays there.
//!
//! Each edge keeps its **gates** ([`Gates`]): the locks held around every
//! observation of it so far, each exclusively or shared (shared if any
//! observation held it so). The first observation records
//! those it had; each later one with other gates (the thread's cache tells
//! them apart, see [`gate_hash`]) keeps only those both had.

use super::class::ClassKey;
use super::edge_locks::{self, EdgeLocks};
use super::{MAX_CLASSES, MAX_EDGES, UNTRACKED};
use crate::wait::Site;
use parking_lot::Mutex;
use peeps_graph::{
    LockClass, LockMode, LockOrder, MAX_GATES, NodeId, NodeKind, OrderDrops, OrderEdge,
    OrderExample, OrderGate,
};
use std::collections::HashMap;
use std::sync::LazyLock;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering::Relaxed};

/// What a class is, for a person.
#[derive(Debug)]
pub(super) struct ClassInfo {
    pub(super) kind: NodeKind,
    pub(super) name: String,
    pub(super) location: Option<String>,
    pub(super) named: bool,
    pub(super) blocking: bool,
    /// The type an unnamed lock guards, when it guards one.
    pub(super) guarded: Option<&'static str>,
}

impl ClassInfo {
    /// Whether `self` and `other` would read the same: unnamed locks of
    /// one kind made at one site, guarding different types.
    fn reads_as(&self, other: &ClassInfo) -> bool {
        !self.named
            && !other.named
            && self.kind == other.kind
            && self.location == other.location
            && self.guarded != other.guarded
    }

    /// Its name with the type it guards: `src/state.rs:12 (Vec<Order>)`.
    fn name_with_type(&mut self, site: &str) {
        if let Some(t) = self.guarded {
            self.name = format!("{site} ({})", short_type(t));
        }
    }
}

/// `type_name`'s text without module paths: `Vec<(u64, String)>` for
/// `alloc::vec::Vec<(u64, alloc::string::String)>`.
fn short_type(full: &str) -> String {
    let mut out = String::with_capacity(full.len());
    let mut segment = 0;
    let mut rest = full;
    while let Some(c) = rest.chars().next() {
        if rest.starts_with("::") {
            out.truncate(segment);
            rest = &rest[2..];
            continue;
        }
        if !(c.is_alphanumeric() || c == '_') {
            segment = out.len() + c.len_utf8();
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

#[derive(Debug, Default)]
struct Classes {
    by_key: HashMap<ClassKey, u32>,
    /// Class `id` is `infos[id - 1]`.
    infos: Vec<ClassInfo>,
}

static CLASSES: LazyLock<Mutex<Classes>> = LazyLock::new(Mutex::default);
/// Whether some lock of class `id` was taken for writing.
static WRITTEN: [AtomicBool; MAX_CLASSES as usize + 1] =
    [const { AtomicBool::new(false) }; MAX_CLASSES as usize + 1];
static CLASSES_DROPPED: AtomicU64 = AtomicU64::new(0);
static EDGES_DROPPED: AtomicU64 = AtomicU64::new(0);
static HELD_DROPPED: AtomicU64 = AtomicU64::new(0);

/// Whether learning is on: `PEEPS_LOCK_ORDER` is not `off`/`0`/`false`.
/// Read once.
pub(super) fn enabled() -> bool {
    static ON: LazyLock<bool> = LazyLock::new(|| {
        !std::env::var("PEEPS_LOCK_ORDER").is_ok_and(|v| {
            matches!(
                v.trim().to_ascii_lowercase().as_str(),
                "off" | "0" | "false" | "no"
            )
        })
    });
    *ON
}

/// The id of class `key` (made of `info` if new), or [`UNTRACKED`] when
/// the table is full.
pub(super) fn class_id(key: ClassKey, info: ClassInfo) -> u32 {
    let mut classes = CLASSES.lock();
    if let Some(&id) = classes.by_key.get(&key) {
        return id;
    }
    if classes.infos.len() >= MAX_CLASSES as usize {
        drop(classes);
        CLASSES_DROPPED.fetch_add(1, Relaxed);
        return UNTRACKED;
    }
    let mut info = info;
    // Classes that differ only by the type they guard (the fields of a
    // `#[derive(Default)]`) say it, or a cycle would read "x.rs:9" then
    // "x.rs:9". The first class of a site keeps its plain name until a
    // second comes.
    let site = info.name.clone();
    let mut alike = false;
    for other in classes.infos.iter_mut().filter(|o| o.reads_as(&info)) {
        alike = true;
        if other.name == site {
            other.name_with_type(&site);
        }
    }
    if alike {
        info.name_with_type(&site);
    }
    classes.infos.push(info);
    // At most MAX_CLASSES, which fits.
    let id = u32::try_from(classes.infos.len()).unwrap_or(UNTRACKED);
    classes.by_key.insert(key, id);
    id
}

/// Some lock of class `id` was taken for writing.
pub(super) fn written(id: u32) {
    if let Some(w) = WRITTEN.get(id as usize)
        && !w.load(Relaxed)
    {
        w.store(true, Relaxed);
    }
}

/// A context held more locks than it follows: one acquisition not followed.
pub(super) fn held_dropped() {
    HELD_DROPPED.fetch_add(1, Relaxed);
}

/// An order edge's identity: two words, never both 0 (see [`EdgeKey::class`]
/// and [`EdgeKey::locks`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub(super) struct EdgeKey {
    a: u64,
    b: u64,
}

/// `b`'s bit marking an edge between two locks of one class.
const LOCKS: u64 = 1 << 55;

impl EdgeKey {
    /// Classes `from` → `to` (distinct), held and taken in these modes.
    #[inline]
    pub(super) fn class(from: u32, to: u32, held: LockMode, acquired: LockMode) -> EdgeKey {
        EdgeKey {
            a: u64::from(from) << 32 | u64::from(to),
            b: modes(held, acquired),
        }
    }

    /// Locks `from` → `to` of one class (node ids, below 2^53; equal for a
    /// lock taken again).
    #[inline]
    pub(super) fn locks(from: NodeId, to: NodeId, held: LockMode, acquired: LockMode) -> EdgeKey {
        EdgeKey {
            a: from,
            b: to | LOCKS | modes(held, acquired) << 56,
        }
    }

    /// A slot of a direct-mapped cache of `size` (a power of two).
    #[inline]
    pub(super) fn slot(&self, size: usize) -> usize {
        let h = (self.a ^ self.b.rotate_left(29)).wrapping_mul(crate::id::GOLDEN);
        (h >> 40) as usize & (size - 1)
    }

    /// The empty key (no edge has it).
    pub(super) const EMPTY: EdgeKey = EdgeKey { a: 0, b: 0 };

    /// This edge as seen with the gates whose [`gate_hash`]es add up to
    /// `gates` (and the acquisition site's hash: `stack::site_hash`): the
    /// key of a thread's cache, which must tell observations with other
    /// gates apart (each can narrow the edge's gates), and from other sites
    /// (see [`given_up`]). No gates (0) is the edge's own key. Another edge's key, or the empty one, is
    /// met only when `gates` equals the difference of the two keys' first
    /// words: a chance of 2^-64.
    #[inline]
    pub(super) fn gated(self, gates: u64) -> EdgeKey {
        EdgeKey {
            a: self.a ^ gates,
            b: self.b,
        }
    }
}

/// Lock `lock` as a gate held `exclusive`ly or shared, in the sum of the
/// gates of an observation (see [`EdgeKey::gated`]): never 0, so one gate
/// is never none.
#[inline]
pub(super) fn gate_hash(lock: NodeId, exclusive: bool) -> u64 {
    (lock.wrapping_mul(crate::id::GOLDEN) ^ u64::from(exclusive) << 1) | 1
}

/// Whether a lock held in `mode` is held exclusively (a mutex, an rwlock's
/// write or upgradable guard), so that no other context holds it
/// meanwhile. A read or a permit is shared: two contexts can hold it at
/// once — except a permit that took all its semaphore's permits, which
/// its acquisition says (`on::acquired_sole_permit`).
#[inline]
pub(super) fn is_exclusive(mode: LockMode) -> bool {
    mode == LockMode::Write
}

/// The gates of an order edge: locks held around every observation of it,
/// taken before its held lock (so held from before it until the other was
/// had), the first [`MAX_GATES`] of them (an exclusive one in place of the
/// last shared one: see [`Gates::push`]), each exclusively or shared.
#[derive(Debug, Clone, Copy)]
pub(super) struct Gates {
    /// `(class, lock, exclusive)` each; `..len` used.
    locks: [(u32, NodeId, bool); MAX_GATES],
    len: u8,
}

impl PartialEq for Gates {
    fn eq(&self, other: &Gates) -> bool {
        self.as_slice() == other.as_slice()
    }
}

impl Eq for Gates {}

impl Gates {
    /// No gate.
    pub(super) const NONE: Gates = Gates {
        locks: [(0, 0, false); MAX_GATES],
        len: 0,
    };

    /// Adds lock `lock` of class `class`, if there is room: an observation
    /// with more gates keeps its first ones (fewer gates guard fewer
    /// cycles: nothing is hidden), but an exclusive gate takes the place
    /// of the last shared one (only an exclusive gate on some edge guards
    /// a cycle; the first taken, outermost, are the likelier gates: a
    /// checkpoint's read).
    pub(super) fn push(&mut self, class: u32, lock: NodeId, exclusive: bool) {
        let len = usize::from(self.len);
        if let Some(slot) = self.locks.get_mut(len) {
            *slot = (class, lock, exclusive);
            self.len += 1;
        } else if exclusive && let Some(shared) = self.locks.iter().rposition(|g| !g.2) {
            self.locks.copy_within(shared + 1.., shared);
            self.locks[len - 1] = (class, lock, exclusive);
        }
    }

    /// Keeps only the gates `other` has too (another observation's),
    /// exclusive only where both held it so.
    pub(super) fn intersect(&mut self, other: &Gates) {
        let mut kept = 0;
        for i in 0..usize::from(self.len) {
            let (class, lock, exclusive) = self.locks[i];
            if let Some(g) = other.as_slice().iter().find(|g| g.1 == lock) {
                self.locks[kept] = (class, lock, exclusive && g.2);
                kept += 1;
            }
        }
        // At most `len`, which fits.
        self.len = kept as u8;
    }

    fn as_slice(&self) -> &[(u32, NodeId, bool)] {
        &self.locks[..usize::from(self.len)]
    }

    /// As a snapshot shows them (in the order they were taken).
    fn describe(&self) -> Vec<OrderGate> {
        self.as_slice()
            .iter()
            .map(|&(class, lock, exclusive)| OrderGate {
                class,
                lock,
                shared: !exclusive,
            })
            .collect()
    }
}

#[inline]
fn modes(held: LockMode, acquired: LockMode) -> u64 {
    (held as u64) << 2 | acquired as u64
}

/// One order edge, as learned.
#[derive(Debug)]
struct Record {
    from: u32,
    to: u32,
    held: LockMode,
    acquired: LockMode,
    /// Between two locks of one class: those locks.
    locks: Option<(NodeId, NodeId)>,
    /// Held around every observation so far.
    gates: Gates,
    /// An acquisition at the example's site was seen given up while it
    /// waited (see [`given_up`]).
    given_up: bool,
    /// An observation was made at another acquisition site than the
    /// example's (whose waits may never be given up).
    other_site: bool,
    /// The locks it was seen holding.
    held_locks: EdgeLocks,
    /// The locks it was seen taking.
    taken_locks: EdgeLocks,
    example: Example,
}

impl Record {
    /// Whether the edge's wait can be given up: given up at its one site.
    fn bounded(&self) -> bool {
        self.given_up && !self.other_site
    }

    /// Notes that it was seen between locks `held` and `taken`.
    fn seen_between(&mut self, held: NodeId, taken: NodeId) {
        self.held_locks.note(held);
        self.taken_locks.note(taken);
    }

    /// Whether both sides stand for any lock: any pair of locks is known.
    fn any_pair(&self) -> bool {
        self.held_locks.any() && self.taken_locks.any()
    }
}

/// Who made an edge first, where and when.
#[derive(Debug)]
pub(super) struct Example {
    pub(super) task: NodeId,
    pub(super) task_kind: NodeKind,
    pub(super) task_name: String,
    pub(super) held_lock: NodeId,
    pub(super) acquired_lock: NodeId,
    pub(super) held_at: Site,
    pub(super) acquired_at: Site,
    /// Coarse ms.
    pub(super) at_ms: u64,
    pub(super) test_scope: u64,
}

/// One edge to learn: its identity and facts (the example is made only
/// when the edge is new).
#[derive(Debug, Clone, Copy)]
pub(super) struct Learn {
    pub(super) key: EdgeKey,
    pub(super) from: u32,
    pub(super) to: u32,
    pub(super) held: LockMode,
    pub(super) acquired: LockMode,
    pub(super) held_lock: NodeId,
    pub(super) acquired_lock: NodeId,
    pub(super) same_class: bool,
    pub(super) held_at: Site,
    pub(super) acquired_at: Site,
    /// The gates of this observation.
    pub(super) gates: Gates,
}

const SHARDS: usize = 16;

struct Edges {
    shards: [Mutex<HashMap<EdgeKey, Record>>; SHARDS],
    count: AtomicUsize,
}

static EDGES: LazyLock<Edges> = LazyLock::new(|| Edges {
    shards: std::array::from_fn(|_| Mutex::new(HashMap::new())),
    count: AtomicUsize::new(0),
});

/// Learns edge `l` unless it is known, else narrows its gates to those
/// `l` has too and notes its pair of locks; `who` names the context when
/// the edge is new (called outside any borrow of the thread's state).
/// Returns whether both sides of the edge stand for any lock (or it was
/// not kept): any further pair of locks of it is known.
pub(super) fn learn(l: &Learn, who: impl FnOnce() -> (NodeId, NodeKind, String)) -> bool {
    record(l, false, who)
}

/// An acquisition that would have made edge `l` was given up while it
/// waited (its future dropped: a timeout, a `select!` branch that lost):
/// the edge is marked as such, learned now if new. It counts as one whose
/// wait can be given up only while no other site is seen making it.
pub(super) fn given_up(l: &Learn, who: impl FnOnce() -> (NodeId, NodeKind, String)) {
    record(l, true, who);
}

/// Learns edge `l`, or notes another observation of it: its gates
/// narrowed, its pair of locks noted, its sites compared. Returns whether
/// any further pair of the edge is known (see [`learn`]).
fn record(l: &Learn, given_up: bool, who: impl FnOnce() -> (NodeId, NodeKind, String)) -> bool {
    let mut shard = EDGES.shards[l.key.slot(SHARDS)].lock();
    if let Some(known) = shard.get_mut(&l.key) {
        known.gates.intersect(&l.gates);
        known.seen_between(l.held_lock, l.acquired_lock);
        if l.acquired_at != known.example.acquired_at {
            known.other_site = true;
        } else if given_up {
            known.given_up = true;
        }
        return known.any_pair();
    }
    if EDGES.count.load(Relaxed) >= MAX_EDGES {
        drop(shard);
        EDGES_DROPPED.fetch_add(1, Relaxed);
        return true;
    }
    EDGES.count.fetch_add(1, Relaxed);
    let (task, task_kind, task_name) = who();
    let record = Record {
        from: l.from,
        to: l.to,
        held: l.held,
        acquired: l.acquired,
        locks: l.same_class.then_some((l.held_lock, l.acquired_lock)),
        gates: l.gates,
        given_up,
        other_site: false,
        held_locks: EdgeLocks::one(l.held_lock),
        taken_locks: EdgeLocks::one(l.acquired_lock),
        example: Example {
            task,
            task_kind,
            task_name,
            held_lock: l.held_lock,
            acquired_lock: l.acquired_lock,
            held_at: l.held_at,
            acquired_at: l.acquired_at,
            at_ms: crate::clock::now_ms(),
            test_scope: crate::test::scope::current(),
        },
    };
    shard.insert(l.key, record);
    false
}

fn site(at: Site) -> Option<String> {
    at.map(|l| format!("{}:{}:{}", l.file(), l.line(), l.column()))
}

/// The graph as a snapshot's `lock_order` section, ages taken at coarse
/// ms `now_ms`; `None` when no lock was ever taken.
pub(crate) fn describe(now_ms: u64) -> Option<LockOrder> {
    let (classes, names) = {
        let c = CLASSES.lock();
        if c.infos.is_empty() && CLASSES_DROPPED.load(Relaxed) == 0 {
            return None;
        }
        let classes: Vec<LockClass> = c
            .infos
            .iter()
            .zip(1u32..)
            .map(|(info, id)| LockClass {
                id,
                kind: info.kind,
                name: info.name.clone(),
                location: info.location.clone(),
                named: info.named,
                written: WRITTEN[id as usize].load(Relaxed),
                blocking: info.blocking,
            })
            .collect();
        let names: Vec<String> = c.infos.iter().map(|i| i.name.clone()).collect();
        (classes, names)
    };
    let name = |id: u32| names.get(id as usize - 1).cloned().unwrap_or_default();
    let mut edges = Vec::new();
    for shard in &EDGES.shards {
        for r in shard.lock().values() {
            let e = &r.example;
            edges.push(OrderEdge {
                from: r.from,
                to: r.to,
                held: r.held,
                acquired: r.acquired,
                from_lock: r.locks.map(|l| l.0),
                to_lock: r.locks.map(|l| l.1),
                gates: r.gates.describe(),
                bounded: r.bounded(),
                held_locks: r.held_locks.listed().to_vec(),
                more_held: r.held_locks.any(),
                taken_locks: r.taken_locks.listed().to_vec(),
                more_taken: r.taken_locks.any(),
                example: OrderExample {
                    task: e.task,
                    task_kind: e.task_kind,
                    task_name: e.task_name.clone(),
                    held_lock: e.held_lock,
                    held_name: name(r.from),
                    acquired_lock: e.acquired_lock,
                    acquired_name: name(r.to),
                    held_at: site(e.held_at),
                    acquired_at: site(e.acquired_at),
                    since_ms: now_ms.saturating_sub(e.at_ms),
                    test_scope: (e.test_scope != 0).then_some(e.test_scope),
                },
            });
        }
    }
    edges.sort_by_key(|e| (e.from, e.to, e.from_lock, e.to_lock, e.held, e.acquired));
    Some(LockOrder {
        classes,
        edges,
        dropped: OrderDrops {
            classes: CLASSES_DROPPED.load(Relaxed),
            edges: EDGES_DROPPED.load(Relaxed),
            held: HELD_DROPPED.load(Relaxed),
            edge_locks: edge_locks::dropped(),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::Gates;

    #[test]
    fn an_edge_record_stays_small() {
        // docs/lock-order.md, "Bounds and cost": the table's size.
        let size = std::mem::size_of::<super::Record>() + std::mem::size_of::<super::EdgeKey>();
        assert!(size <= 300, "{size} bytes");
    }

    #[test]
    fn a_type_reads_without_its_module_paths() {
        let short = super::short_type;
        assert_eq!(short("u64"), "u64");
        assert_eq!(
            short("std::collections::hash::map::HashMap<u64, alloc::string::String>"),
            "HashMap<u64, String>"
        );
        assert_eq!(
            short("alloc::vec::Vec<(u64, core::option::Option<app::Order>)>"),
            "Vec<(u64, Option<Order>)>"
        );
        assert_eq!(short("[u8; 4]"), "[u8; 4]");
    }

    fn gates(locks: &[u64]) -> Gates {
        let mut g = Gates::NONE;
        for &lock in locks {
            g.push(lock as u32, lock, true);
        }
        g
    }

    #[test]
    fn gates_keep_those_every_observation_had() {
        let mut g = gates(&[1, 2, 3]);
        g.intersect(&gates(&[3, 1]));
        assert_eq!(g, gates(&[1, 3]));
        g.intersect(&gates(&[2, 3, 4]));
        assert_eq!(g, gates(&[3]));
        g.intersect(&Gates::NONE);
        assert_eq!(g, Gates::NONE);
        g.intersect(&gates(&[3]));
        assert_eq!(g, Gates::NONE, "a gate lost is never got back");
    }

    #[test]
    fn an_exclusive_gate_takes_the_place_of_a_shared_one_when_full() {
        let mut g = Gates::NONE;
        for lock in 1..=4u64 {
            g.push(lock as u32, lock, lock != 2);
        }
        let locks = |g: &Gates| g.as_slice().iter().map(|g| g.1).collect::<Vec<_>>();
        g.push(5, 5, false);
        assert_eq!(locks(&g), [1, 2, 3, 4], "a shared one is dropped");
        g.push(6, 6, true);
        assert_eq!(g, gates(&[1, 3, 4, 6]), "the shared 2 made room");
        g.push(7, 7, true);
        assert_eq!(g, gates(&[1, 3, 4, 6]), "all exclusive: the first kept");
        // Of several shared, the last (innermost) makes room.
        let mut g = Gates::NONE;
        for lock in 1..=4u64 {
            g.push(lock as u32, lock, lock == 4);
        }
        g.push(5, 5, true);
        assert_eq!(locks(&g), [1, 2, 4, 5], "the shared 3 made room");
    }

    #[test]
    fn an_observation_keeps_its_first_gates() {
        let g = gates(&[1, 2, 3, 4, 5]);
        assert_eq!(g, gates(&[1, 2, 3, 4]));
        let mut h = gates(&[5, 4, 3, 2, 1]);
        h.intersect(&g);
        assert_eq!(h, gates(&[4, 3, 2]), "in its own order: 5 was not kept");
    }

    #[test]
    fn a_lock_is_a_gate_not_its_class() {
        let mut g = Gates::NONE;
        g.push(7, 70, true);
        let mut other = Gates::NONE;
        other.push(7, 71, true);
        g.intersect(&other);
        assert_eq!(g, Gates::NONE);
    }

    #[test]
    fn a_gate_held_shared_in_one_observation_is_shared() {
        let mut g = Gates::NONE;
        g.push(1, 10, true);
        g.push(2, 20, true);
        let mut other = Gates::NONE;
        other.push(2, 20, false);
        other.push(1, 10, true);
        g.intersect(&other);
        let mut want = Gates::NONE;
        want.push(1, 10, true);
        want.push(2, 20, false);
        assert_eq!(g, want);
        g.intersect(&gates(&[10, 20]));
        assert_eq!(g, want, "exclusive again later: still shared");
    }
}
