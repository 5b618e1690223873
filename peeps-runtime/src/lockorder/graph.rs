//! The shared order graph: the class table and the order edges, both
//! capped, and what did not fit, counted.
//!
//! Classes are registered once each under one lock (a thread's first lock
//! of a class; see `class`). Edges live in [`SHARDS`] maps by key hash, each
//! behind its own lock, taken only for an edge the calling thread has not
//! seen yet (its edge cache, in `stack`, remembers the others). An edge is
//! never removed: the graph grows to its caps and stays there.

use super::class::ClassKey;
use super::{MAX_CLASSES, MAX_EDGES, UNTRACKED};
use crate::wait::Site;
use parking_lot::Mutex;
use peeps_graph::{
    LockClass, LockMode, LockOrder, NodeId, NodeKind, OrderDrops, OrderEdge, OrderExample,
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
    example: Example,
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

/// Learns edge `l` unless it is known; `who` names the context when the
/// edge is new (called outside any borrow of the thread's state).
pub(super) fn learn(l: &Learn, who: impl FnOnce() -> (NodeId, NodeKind, String)) {
    let mut shard = EDGES.shards[l.key.slot(SHARDS)].lock();
    if shard.contains_key(&l.key) {
        return;
    }
    if EDGES.count.load(Relaxed) >= MAX_EDGES {
        drop(shard);
        EDGES_DROPPED.fetch_add(1, Relaxed);
        return;
    }
    EDGES.count.fetch_add(1, Relaxed);
    let (task, task_kind, task_name) = who();
    let record = Record {
        from: l.from,
        to: l.to,
        held: l.held,
        acquired: l.acquired,
        locks: l.same_class.then_some((l.held_lock, l.acquired_lock)),
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
        },
    })
}
