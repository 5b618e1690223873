//! Lock classes: which locks the order graph treats as one.
//!
//! A lock's class is its kind and its name when it was given one, else its
//! kind, its construction site and the type of the value it guards: the
//! fields of a `#[derive(Default)]` struct are all made at the derive's
//! line, and a `Mutex<HashMap<..>>` there is not a `Mutex<Vec<..>>`. It is resolved at the lock's first
//! acquisition (and again after a rename) and kept in its holder set's
//! class cell, so later acquisitions read one word. Resolving looks in a
//! per-thread cache first; the shared table is locked only on a thread's
//! first lock of a class.

use super::graph;
use super::{CLASS_MASK, FOLLOWED, UNTRACKED};
use crate::node::SourceLocation;
use crate::resource::Resource;
use peeps_graph::NodeKind;
use std::cell::Cell;
use std::hash::{Hash, Hasher};

/// What makes two locks one class.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(super) enum ClassKey {
    /// Unnamed locks made at one site (the `Location`'s address) guarding
    /// one type (`""` for a semaphore).
    Site(NodeKind, usize, &'static str),
    /// Locks given one name.
    Name(NodeKind, Box<str>),
}

impl ClassKey {
    /// A 64-bit key for the per-thread cache (never 0).
    fn short(&self) -> u64 {
        let mut h = std::hash::DefaultHasher::new();
        self.hash(&mut h);
        h.finish() | 1
    }
}

/// The size of the per-thread class cache (direct-mapped).
const CACHE: usize = 64;

thread_local! {
    /// `(short key, class id)` of classes this thread resolved lately.
    static RESOLVED: [Cell<(u64, u32)>; CACHE] = const { [const { Cell::new((0, 0)) }; CACHE] };
}

/// The class of `res`, resolved now and kept in its class cell: its id
/// with [`FOLLOWED`], or [`UNTRACKED`] when learning is off or the class
/// table is full.
#[cold]
#[inline(never)]
pub(super) fn resolve(res: &Resource) -> u32 {
    let id = if graph::enabled() {
        lookup(res)
    } else {
        UNTRACKED
    };
    let cell = if id == UNTRACKED { id } else { id | FOLLOWED };
    res.holders()
        .order
        .0
        .store(cell, std::sync::atomic::Ordering::Relaxed);
    cell
}

fn lookup(res: &Resource) -> u32 {
    let core = res.core();
    let location = match core.location {
        SourceLocation::Caller(l) => Some(l),
        SourceLocation::Static(_) => None,
    };
    let name = core.name();
    let guarded = res.guarded_type();
    let site = location.map(crate::node::site_name);
    let named = site != Some(name.as_str());
    let key = match location {
        Some(l) if !named => ClassKey::Site(
            core.kind,
            std::ptr::from_ref(l) as usize,
            guarded.unwrap_or_default(),
        ),
        _ => ClassKey::Name(core.kind, name.clone().into_boxed_str()),
    };
    let short = key.short();
    let slot = (short as usize >> 3) % CACHE;
    if let Ok(Some(id)) = RESOLVED.try_with(|r| {
        let (k, id) = r[slot].get();
        (k == short).then_some(id)
    }) {
        return id;
    }
    let info = graph::ClassInfo {
        kind: core.kind,
        name,
        location: Some(core.location.render()),
        named,
        blocking: res.blocking(),
        guarded,
    };
    let id = graph::class_id(key, info);
    if id & CLASS_MASK != UNTRACKED {
        let _ = RESOLVED.try_with(|r| r[slot].set((short, id)));
    }
    id
}
