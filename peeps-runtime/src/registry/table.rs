//! One shard's table: live entries' addresses by node id.
//!
//! Open addressing with linear probing, the slot of an id chosen by a
//! multiplication (Fibonacci hashing: ids of one block are consecutive,
//! and the high bits of the product spread them). An insertion is a probe
//! to the first empty slot, a removal shifts the slots after it back (no
//! tombstones), so the probe chains stay short: the table fills at most
//! three quarters of its slots (three eighths to three quarters after it
//! grew), and halves when fewer than three sixteenths are used, so its
//! memory follows the live nodes back down (24 bytes a slot, the id and
//! the entry's address: 32 to 64 a node). The id is kept in the slot, not
//! read from the entry: with many live nodes a probe or a removal's shift
//! would otherwise read one entry per slot it passes, each a cache miss
//! (measured: 100,000 live futures made a short-lived one cost 185 ns
//! instead of 76). No SIMD group probing, no separate control bytes.

use super::Entry;
use std::ptr::NonNull;

/// The smallest table that is ever allocated (an empty one allocates
/// nothing).
const MIN_SLOTS: usize = 16;

/// The address of a live registered entry, as a shard keeps it.
#[derive(Clone, Copy)]
pub(super) struct Addr(pub(super) NonNull<dyn Entry>);

// SAFETY: the entry it points at is `Send + Sync`; the registry turns it
// into a reference only under its shard's lock (see `super::counted`).
unsafe impl Send for Addr {}

impl Addr {
    #[inline]
    fn is(self, addr: *const dyn Entry) -> bool {
        std::ptr::addr_eq(self.0.as_ptr(), addr)
    }
}

/// One occupied slot: an entry's id and address.
#[derive(Clone, Copy)]
struct Slot {
    id: u64,
    addr: Addr,
}

/// Entries' addresses by id: each in a slot probed from its id's home
/// (`None`: empty).
pub(super) struct Table {
    slots: Box<[Option<Slot>]>,
    len: usize,
    /// `64 - log2(slots)`: what [`Table::home`] shifts a product by.
    shift: u32,
}

impl Table {
    /// An empty table (no allocation).
    pub(super) fn new() -> Table {
        Table {
            slots: Box::new([]),
            len: 0,
            shift: 64,
        }
    }

    /// How many entries it holds.
    pub(super) fn len(&self) -> usize {
        self.len
    }

    #[inline]
    fn mask(&self) -> usize {
        self.slots.len() - 1
    }

    /// Where the probe for `id` starts.
    #[inline]
    fn home(&self, id: u64) -> usize {
        (id.wrapping_mul(crate::id::GOLDEN) >> self.shift) as usize
    }

    /// Adds `addr`, the entry with id `id`. An id that `may_repeat` (one
    /// its maker chose: a plain tokio task's root registered again, see the
    /// registry) replaces an entry under the same id; any other id is new
    /// (the counter hands each out once), and its probe compares none.
    ///
    /// # Safety
    /// `addr` is of a live entry, which stays live until it is removed
    /// (or replaced).
    #[inline(always)]
    pub(super) unsafe fn insert(&mut self, id: u64, addr: Addr, may_repeat: bool) {
        if (self.len + 1) * 4 > self.slots.len() * 3 {
            self.resize((self.slots.len() * 2).max(MIN_SLOTS));
        }
        let mask = self.mask();
        let mut i = self.home(id);
        loop {
            match self.slots[i] {
                None => {
                    self.slots[i] = Some(Slot { id, addr });
                    self.len += 1;
                    return;
                }
                Some(there) if may_repeat && there.id == id => {
                    self.slots[i] = Some(Slot { id, addr });
                    return;
                }
                Some(_) => i = (i + 1) & mask,
            }
        }
    }

    /// The address under `id`, if any.
    #[inline]
    pub(super) fn get(&self, id: u64) -> Option<Addr> {
        if self.len == 0 {
            return None;
        }
        let mask = self.mask();
        let mut i = self.home(id);
        loop {
            match self.slots[i] {
                None => return None,
                Some(there) if there.id == id => return Some(there.addr),
                Some(_) => i = (i + 1) & mask,
            }
        }
    }

    /// Removes the entry at `addr`, whose id is `id`, if it is here (not
    /// replaced by another of its id).
    #[inline(always)]
    pub(super) fn remove(&mut self, id: u64, addr: *const dyn Entry) {
        if self.len == 0 {
            return;
        }
        let mask = self.mask();
        let mut hole = self.home(id);
        loop {
            match self.slots[hole] {
                None => return,
                Some(there) if there.id == id && there.addr.is(addr) => break,
                Some(_) => hole = (hole + 1) & mask,
            }
        }
        // Shift back every slot after the hole, up to an empty one, whose
        // probe started at or before the hole.
        let mut next = hole;
        loop {
            next = (next + 1) & mask;
            let Some(there) = self.slots[next] else {
                break;
            };
            let home = self.home(there.id);
            // Distances from home, cyclically: the slot may fill the hole
            // when its home is no nearer to it than the hole is.
            if (next.wrapping_sub(home) & mask) >= (next.wrapping_sub(hole) & mask) {
                self.slots[hole] = Some(there);
                hole = next;
            }
        }
        self.slots[hole] = None;
        self.len -= 1;
        if self.slots.len() > MIN_SLOTS && self.len * 16 < self.slots.len() * 3 {
            self.resize(self.slots.len() / 2);
        }
    }

    /// Every address.
    pub(super) fn addrs(&self) -> impl Iterator<Item = Addr> + '_ {
        self.slots.iter().flatten().map(|s| s.addr)
    }

    /// Moves the entries into a table of `slots` slots (a power of two).
    #[cold]
    #[inline(never)]
    fn resize(&mut self, slots: usize) {
        let old = std::mem::replace(&mut self.slots, vec![None; slots].into_boxed_slice());
        self.shift = 64 - slots.trailing_zeros();
        self.len = 0;
        for slot in old.iter().flatten() {
            // SAFETY: it was in the table, so its entry is live until it
            // is removed; its id is its own, met once in the old table.
            unsafe { self.insert(slot.id, slot.addr, false) };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::node::{Describe, NodeCore, SourceLocation};
    use peeps_graph::NodeKind;

    struct Dummy(NodeCore);

    // SAFETY: `core` returns the entry's own `core` field.
    unsafe impl Entry for Dummy {
        fn core(&self) -> &NodeCore {
            &self.0
        }
        fn describe(&self, _out: &mut Describe<'_>) {}
    }

    fn addr_of(d: &Dummy) -> Addr {
        Addr(NonNull::from(d as &dyn Entry))
    }

    fn dummy(id: u64) -> Dummy {
        Dummy(NodeCore::with_id(
            id,
            NodeKind::Future,
            "t".into(),
            SourceLocation::Static("t"),
        ))
    }

    #[test]
    fn finds_what_is_in_it_after_any_removals_and_shrinks_back() {
        let nodes: Vec<Dummy> = (1..=5000u64)
            .map(|i| dummy(i * 7 % 9973 + (i / 1024) * (1 << 20)))
            .collect();
        let mut t = Table::new();
        for d in &nodes {
            // SAFETY: `nodes` outlives the table.
            unsafe { t.insert(d.0.id, addr_of(d), false) };
        }
        assert_eq!(t.len(), nodes.len());
        let grown = t.slots.len();
        // Remove every other one, then check every id either way.
        for d in nodes.iter().step_by(2) {
            t.remove(d.0.id, addr_of(d).0.as_ptr());
        }
        for (i, d) in nodes.iter().enumerate() {
            let found = t.get(d.0.id).map(|a| a.0.as_ptr() as *const ());
            let expect = (i % 2 == 1).then(|| std::ptr::from_ref(d) as *const ());
            assert_eq!(found, expect, "id {}", d.0.id);
        }
        assert_eq!(t.addrs().count(), nodes.len() / 2);
        for d in nodes.iter().skip(1).step_by(2) {
            t.remove(d.0.id, addr_of(d).0.as_ptr());
        }
        assert_eq!(t.len(), 0);
        assert!(
            t.slots.len() < grown / 8,
            "{} slots left of {grown}",
            t.slots.len()
        );
    }

    #[test]
    fn an_id_registered_again_replaces_the_first_whose_removal_then_does_nothing() {
        let (first, again) = (dummy(42), dummy(42));
        let mut t = Table::new();
        // SAFETY: both outlive the table.
        unsafe {
            t.insert(42, addr_of(&first), true);
            t.insert(42, addr_of(&again), true);
        }
        assert_eq!(t.len(), 1);
        t.remove(42, addr_of(&first).0.as_ptr());
        assert!(
            t.get(42)
                .is_some_and(|a| std::ptr::addr_eq(a.0.as_ptr(), &again as &dyn Entry))
        );
        t.remove(42, addr_of(&again).0.as_ptr());
        assert!(t.get(42).is_none());
    }
}
