//! The registry of live nodes: what a snapshot walks.
//!
//! Nodes are kept in 64 shards, each behind its own small lock, taken only
//! when a node is made or leaves (and by a snapshot or a look-up by id),
//! never on a poll. A node's shard is chosen by the *block* its id came
//! from (see `crate::id`): a thread hands out the ids of one block one
//! after another, and a node registers on the thread that took its id, so
//! a thread's registrations go to one shard for a thousand nodes at a time
//! (its lock uncontended, its cache line on that core), and a look-up by
//! id still knows its shard.
//!
//! A shard maps ids to the entries' addresses (`table`), not to counted
//! references: the [`Registered`] handle holds a reference to its entry and
//! takes the address out of its shard before it lets go of it, so an
//! address in a shard is always of a live entry, and whoever reads one
//! under the shard's lock may take a reference of its own
//! (`live_entries`, `find`). That saves every node a reference count
//! taken and given back. A node leaves the moment its owner drops the
//! handle; its entry is dropped outside any shard lock (its drop may run
//! user code: a stored waker).
//!
//! Why by id, and not a slab that only a snapshot walks: `find` is not
//! only for cold paths. The lock order asks it whether the future that
//! took a held lock is polling (`lockorder::stack::sibling_encloses`) on
//! every acquisition made while another future of the task holds a lock,
//! before its cache of known edges is probed; a scan there would make such
//! an acquisition cost as much as the live nodes. A move names its
//! resource by id too (`ownership::moves`).

mod table;

use crate::node::{Describe, NodeCore};
use parking_lot::Mutex;
use std::ptr::NonNull;
use std::sync::{Arc, LazyLock};
use table::{Addr, Table};

/// Something that appears as a node in a snapshot.
///
/// # Safety
///
/// The registry keeps only the entry's address and finds its slot again by
/// the id [`Entry::core`] gives, under a shard lock: `core` must return the
/// same `NodeCore` for the entry's whole life, and must not call into the
/// registry. (A changing id would leave a freed entry's address behind.)
pub unsafe trait Entry: Send + Sync + 'static {
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

    /// Whose state [`Entry::scan_state`] reads: the node itself (a task),
    /// or the plain tokio task whose top-level future it is.
    fn state_owner(&self) -> peeps_graph::NodeId {
        self.core().id
    }
}

const SHARDS: usize = 64;

/// A counted reference to the entry at `addr`.
///
/// # Safety
/// The caller holds the lock of the shard `addr` is in: the entry's
/// [`Registered`] handle, which holds a reference, cannot have let go of it
/// (it takes the address out under that lock first).
unsafe fn counted(addr: Addr) -> Arc<dyn Entry> {
    let ptr = addr.0.as_ptr().cast_const();
    // SAFETY: `ptr` came from `Arc::as_ptr` of the entry's `Arc`, still live
    // by the caller's contract: one more reference, then an `Arc` owning it.
    unsafe {
        Arc::increment_strong_count(ptr);
        Arc::from_raw(ptr)
    }
}

/// One shard: live entries by id. On its own cache line, so threads
/// working in different shards do not share a line.
#[repr(align(64))]
struct Shard(Mutex<Table>);

struct Registry {
    shards: [Shard; SHARDS],
}

static REGISTRY: LazyLock<Registry> = LazyLock::new(|| Registry {
    shards: std::array::from_fn(|_| Shard(Mutex::new(Table::new()))),
});

/// The shard of node `id`: by the block of ids it came from.
#[inline]
fn shard(id: u64) -> &'static Mutex<Table> {
    &REGISTRY.shards[(crate::id::block_of(id) as usize) % SHARDS].0
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
    /// built in place: see `future::register`). The registry keeps its
    /// address only; this handle's own reference keeps the entry alive
    /// until it has left the registry, whoever else shares the `Arc`.
    pub fn from_arc(entry: Arc<E>) -> Self {
        let id = entry.core().id;
        let ptr: *const dyn Entry = Arc::<E>::as_ptr(&entry);
        // SAFETY: an `Arc`'s pointer is never null.
        let addr = Addr(unsafe { NonNull::new_unchecked(ptr.cast_mut()) });
        let may_repeat = crate::id::is_foreign(id);
        // SAFETY: this handle keeps the entry alive until its drop has
        // removed it.
        unsafe { shard(id).lock().insert(id, addr, may_repeat) };
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
        // Only this entry: a node with a chosen id (a plain tokio task's
        // root) may have been registered again under the same id, which
        // replaced this one. The entry itself is dropped after this, with
        // the handle's `Arc`, outside the lock.
        let ptr: *const dyn Entry = Arc::<E>::as_ptr(&self.entry);
        shard(id).lock().remove(id, ptr);
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
/// entries' references are taken).
pub(crate) fn live_entries() -> Vec<Arc<dyn Entry>> {
    let mut out = Vec::new();
    for s in &REGISTRY.shards {
        let shard = s.0.lock();
        out.reserve(shard.len());
        // SAFETY: under the shard's lock.
        out.extend(shard.addrs().map(|addr| unsafe { counted(addr) }));
    }
    out
}

/// The live entry with id `id`, if any (one shard's lock).
#[cfg_attr(not(feature = "diagnostics"), allow(dead_code))]
pub(crate) fn find(id: u64) -> Option<Arc<dyn Entry>> {
    // SAFETY: under the shard's lock.
    shard(id)
        .lock()
        .get(id)
        .map(|addr| unsafe { counted(addr) })
}

/// How many nodes are live (for tests and benchmarks).
pub fn live_count() -> usize {
    REGISTRY.shards.iter().map(|s| s.0.lock().len()).sum()
}
