//! The registry of live nodes: what a snapshot walks.
//!
//! Nodes are kept in 64 shards chosen by id, each behind its own small lock,
//! taken only when a node is made or leaves, never on a poll. A node leaves
//! the moment its owner drops the [`Registered`] handle, so memory returns to
//! its baseline as soon as the program drops its futures and resources.

use crate::id::IdHash;
use crate::node::{Describe, NodeCore};
use parking_lot::Mutex;
use std::collections::HashMap;
use std::sync::{Arc, LazyLock};

/// Something that appears as a node in a snapshot.
pub trait Entry: Send + Sync + 'static {
    /// The fields every node has.
    fn core(&self) -> &NodeCore;
    /// Fills the node's state and attributes and adds its edges.
    fn describe(&self, out: &mut Describe<'_>);

    /// Who holds it, for a resource node (where a move names its hold).
    fn holders(&self) -> Option<&crate::hold::HolderSet> {
        None
    }

    /// The poll state of a future's node (whether it is polling now).
    fn poll_state(&self) -> Option<crate::node::PollState> {
        None
    }

    /// Searches the node's own state for the marks of movable handles (a
    /// task's pinned future; see [`crate::ownership`]), if it can be read
    /// consistently now within `budget` bytes, which it then uses up.
    /// Returns whether it was read.
    fn scan_state(
        &self,
        _budget: &mut usize,
        _found: &mut dyn FnMut(crate::ownership::Key),
    ) -> bool {
        false
    }
}

const SHARDS: usize = 64;

type Shard = Mutex<HashMap<u64, Arc<dyn Entry>, IdHash>>;

struct Registry {
    shards: [Shard; SHARDS],
}

static REGISTRY: LazyLock<Registry> = LazyLock::new(|| Registry {
    shards: std::array::from_fn(|_| Mutex::new(HashMap::default())),
});

fn shard(id: u64) -> &'static Shard {
    &REGISTRY.shards[(id as usize) % SHARDS]
}

/// Owns a node's place in the registry: made by [`Registered::new`], the
/// node leaves the registry when this is dropped.
pub struct Registered<E: Entry> {
    entry: Arc<E>,
}

impl<E: Entry> Registered<E> {
    /// Adds `entry` to the registry.
    pub fn new(entry: E) -> Self {
        Self::from_arc(Arc::new(entry))
    }

    /// Adds `entry`, already in its `Arc`, to the registry (a large entry
    /// built in place: see `future::register`).
    pub fn from_arc(entry: Arc<E>) -> Self {
        let id = entry.core().id;
        let dyn_entry: Arc<dyn Entry> = entry.clone();
        shard(id).lock().insert(id, dyn_entry);
        Registered { entry }
    }

    /// The entry.
    pub fn entry(&self) -> &Arc<E> {
        &self.entry
    }
}

impl<E: Entry> std::ops::Deref for Registered<E> {
    type Target = E;
    fn deref(&self) -> &E {
        &self.entry
    }
}

impl<E: Entry> Drop for Registered<E> {
    fn drop(&mut self) {
        let id = self.entry.core().id;
        // Take the entry out under the lock, drop it outside: its drop may
        // run arbitrary code (a stored waker) that must not hold a shard lock.
        // Only this entry: a node with a chosen id (a plain tokio task's
        // root) may have been registered again under the same id.
        // One lookup: the map's entry, removed only when it is ours.
        let mut shard = shard(id).lock();
        let removed = match shard.entry(id) {
            std::collections::hash_map::Entry::Occupied(e)
                if std::ptr::addr_eq(Arc::as_ptr(e.get()), Arc::as_ptr(&self.entry)) =>
            {
                Some(e.remove())
            }
            _ => None,
        };
        drop(shard);
        drop(removed);
    }
}

impl<E: Entry> std::fmt::Debug for Registered<E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Registered")
            .field("id", &self.entry.core().id)
            .finish()
    }
}

/// Every live entry, shard by shard (each shard's lock held only while its
/// entries are cloned out).
pub(crate) fn live_entries() -> Vec<Arc<dyn Entry>> {
    let mut out = Vec::new();
    for s in &REGISTRY.shards {
        out.extend(s.lock().values().cloned());
    }
    out
}

/// The live entry with id `id`, if any (one shard's lock).
#[cfg_attr(not(feature = "diagnostics"), allow(dead_code))]
pub(crate) fn find(id: u64) -> Option<Arc<dyn Entry>> {
    shard(id).lock().get(&id).cloned()
}

/// How many nodes are live (for tests and benchmarks).
pub fn live_count() -> usize {
    REGISTRY.shards.iter().map(|s| s.lock().len()).sum()
}
