//! One shard's table: live entries' addresses by node id.
//!
//! Open addressing with linear probing, the slot of an id chosen by a
//! multiplication (Fibonacci hashing: ids of one block are consecutive,
//! and the high bits of the product spread them). An insertion is a probe
//! to the first empty slot, a removal shifts the slots after it back (no
//! tombstones), so the probe chains stay short: the table fills at most
//! three quarters of its slots (three eighths to three quarters after it
//! grew), and halves when fewer than three sixteenths are used, so its
//! memory follows the live nodes back down (24 bytes a slot: 32 to 64 a
//! node). No SIMD group probing, no separate control bytes: cheaper than
//! `std`'s map for this one key type at these loads.

use super::Entry;
use std::ptr::NonNull;

/// The smallest table that is ever allocated (an empty one allocates
/// nothing).
const MIN_SLOTS: usize = 16;

/// The address of a live registered entry, as a shard keeps it.
#[derive(Clone, Copy)]
pub(super) struct Addr(pub(super) NonNull<dyn Entry>);

// SAFETY: the entry it points at is `Send + Sync`; the registry turns it
// into a reference only under its shard's lock (see `super::Slot`).
unsafe impl Send for Addr {}

/// One slot: `id` 0 when empty (no node has id 0).
#[derive(Clone, Copy)]
struct Slot {
    id: u64,
    addr: Option<Addr>,
}

const EMPTY: Slot = Slot { id: 0, addr: None };

/// Entries' addresses by id.
pub(super) struct Table {
    slots: Box<[Slot]>,
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
        (id.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> self.shift) as usize
    }

    /// Adds `addr` under `id`, replacing an entry registered under the same
    /// id (a plain tokio task's root registered again: see the registry).
    #[inline]
    pub(super) fn insert(&mut self, id: u64, addr: Addr) {
        if (self.len + 1) * 4 > self.slots.len() * 3 {
            self.resize((self.slots.len() * 2).max(MIN_SLOTS));
        }
        let mask = self.mask();
        let mut i = self.home(id);
        loop {
            let slot = &mut self.slots[i];
            if slot.id == 0 {
                *slot = Slot {
                    id,
                    addr: Some(addr),
                };
                self.len += 1;
                return;
            }
            if slot.id == id {
                slot.addr = Some(addr);
                return;
            }
            i = (i + 1) & mask;
        }
    }

    /// Where `id` is, if present.
    #[inline]
    fn position(&self, id: u64) -> Option<usize> {
        if self.len == 0 {
            return None;
        }
        let mask = self.mask();
        let mut i = self.home(id);
        loop {
            let slot = &self.slots[i];
            if slot.id == id {
                return Some(i);
            }
            if slot.id == 0 {
                return None;
            }
            i = (i + 1) & mask;
        }
    }

    /// The address under `id`, if any.
    #[inline]
    pub(super) fn get(&self, id: u64) -> Option<Addr> {
        self.position(id).and_then(|i| self.slots[i].addr)
    }

    /// Removes `id` if it is the entry at `addr` (not one that replaced it).
    #[inline]
    pub(super) fn remove(&mut self, id: u64, addr: *const dyn Entry) {
        let Some(mut hole) = self.position(id) else {
            return;
        };
        if !self.slots[hole]
            .addr
            .is_some_and(|a| std::ptr::addr_eq(a.0.as_ptr(), addr))
        {
            return;
        }
        // Shift back every slot after the hole, up to an empty one, whose
        // probe started at or before the hole.
        let mask = self.mask();
        let mut next = hole;
        loop {
            next = (next + 1) & mask;
            let slot = self.slots[next];
            if slot.id == 0 {
                break;
            }
            let home = self.home(slot.id);
            // Distances from home, cyclically: the slot may fill the hole
            // when its home is no nearer to it than the hole is.
            if (next.wrapping_sub(home) & mask) >= (next.wrapping_sub(hole) & mask) {
                self.slots[hole] = slot;
                hole = next;
            }
        }
        self.slots[hole] = EMPTY;
        self.len -= 1;
        if self.slots.len() > MIN_SLOTS && self.len * 16 < self.slots.len() * 3 {
            self.resize(self.slots.len() / 2);
        }
    }

    /// Every address.
    pub(super) fn addrs(&self) -> impl Iterator<Item = Addr> + '_ {
        self.slots.iter().filter_map(|s| s.addr)
    }

    /// Moves the entries into a table of `slots` slots (a power of two).
    #[cold]
    #[inline(never)]
    fn resize(&mut self, slots: usize) {
        let old = std::mem::replace(&mut self.slots, vec![EMPTY; slots].into_boxed_slice());
        self.shift = 64 - slots.trailing_zeros();
        self.len = 0;
        for slot in old.iter() {
            if let Some(addr) = slot.addr {
                self.insert(slot.id, addr);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::node::{Describe, NodeCore, SourceLocation};
    use peeps_graph::NodeKind;

    struct Dummy(NodeCore);

    impl Entry for Dummy {
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
            t.insert(d.0.id, addr_of(d));
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
        t.insert(42, addr_of(&first));
        t.insert(42, addr_of(&again));
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
