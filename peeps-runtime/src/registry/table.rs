//! One shard's table: live entries' addresses by node id.
//!
//! Open addressing with linear probing. The ids of a run of four
//! consecutive ids have consecutive homes, the run's first chosen by a
//! multiplication (Fibonacci hashing: the high bits of the product spread
//! the runs of a block of consecutive ids), so the short-lived nodes a
//! thread makes one after another write one cache line of slots in turn
//! (with 1,000,000 live nodes: 1.8 times faster than a home per id, each
//! a cache line written). An insertion is a probe
//! to the first empty slot, a removal shifts the slots after it back (no
//! tombstones), so the probe chains stay short: the table fills at most
//! three quarters of its slots (three eighths to three quarters after it
//! grew), and halves when fewer than three sixteenths are used, so its
//! memory follows the live nodes back down.
//!
//! A slot is the entry's address (16 bytes); beside it, in an array of
//! their own, a two-byte control: its distance from its id's home (one
//! more, 0 for an empty slot, 255 for that far or farther, the distance
//! then computed from the entry's id) and a tag, the id's low byte. A
//! probe walks the controls and looks at a slot only where both say it
//! may be the id sought: the same home and the same tag (a removal then
//! compares the address; a look-up by id reads the entry's id, which
//! another id passes for one time in 256). A removal's shift decides from
//! the controls alone which slots move back. So a fresh id's insertion
//! reads no slot, only writes one, and a removal reads only its own: with
//! many live nodes the slots and the entries do not stay in cache, the
//! controls (two bytes a slot) do. (Measured with 100,000 live futures: a
//! short-lived one cost 131-156 ns with a 24-byte slot of id and address
//! and no controls, the home slot a cache miss; 171-186 with the address
//! alone, each slot passed an entry read; see docs/PERFORMANCE.md,
//! "Memory (issue 19)".)

use super::Entry;
use std::ptr::NonNull;

/// The smallest table that is ever allocated (an empty one allocates
/// nothing).
const MIN_SLOTS: usize = 16;

/// How many consecutive ids have consecutive homes ([`Table::home`]): a
/// cache line of slots, which the short-lived futures a thread makes one
/// after another fill and empty in turn.
const RUN_BITS: u32 = 2;

/// That many ids.
const RUN: u64 = 1 << RUN_BITS;

/// The distance code of an empty slot (a control's low byte).
const EMPTY: u16 = 0;

/// The distance code of a slot this far or farther from its home.
const FAR: u16 = 0xff;

/// The bits of a control that hold its distance code.
const DISTANCE: u16 = 0xff;

/// The control of an occupied slot `distance` slots after its home, of
/// an id whose low byte is `tag`.
#[inline]
fn control(distance: usize, tag: u8) -> u16 {
    u16::from(tag) << 8 | distance.saturating_add(1).min(usize::from(FAR)) as u16
}

/// What a control keeps of `id`.
#[inline]
fn tag(id: u64) -> u8 {
    id as u8
}

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

    /// The id of the entry.
    ///
    /// # Safety
    /// The entry is live (every address in a table is, under its shard's
    /// lock).
    #[inline]
    unsafe fn id(self) -> u64 {
        // SAFETY: the caller's contract.
        unsafe { self.0.as_ref().core().id }
    }
}

/// Entries' addresses by id: each in a slot probed from its id's home,
/// with a control per slot (see the module doc).
pub(super) struct Table {
    /// Per slot: a distance code ([`EMPTY`] for an empty slot) and a tag,
    /// made by [`control`].
    controls: Box<[u16]>,
    /// The slots, `Some` where the control is not [`EMPTY`].
    slots: Box<[Option<Addr>]>,
    len: usize,
    /// `64 - log2(slots / RUN)`: what [`Table::home`] shifts a product by.
    shift: u32,
}

impl Table {
    /// An empty table (no allocation).
    pub(super) fn new() -> Table {
        Table {
            controls: Box::new([]),
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

    /// Where the probe for `id` starts: the ids of one run of
    /// [`RUN`] consecutive ids have consecutive homes, the run's first
    /// chosen by the hash of the run.
    #[inline]
    fn home(&self, id: u64) -> usize {
        let run = (id >> RUN_BITS).wrapping_mul(crate::id::GOLDEN) >> self.shift;
        (run << RUN_BITS | id & (RUN - 1)) as usize
    }

    /// The control of slot `i & mask` (every index the table uses is
    /// masked: in bounds of both arrays, which have one length).
    #[inline(always)]
    fn control_at(&self, i: usize) -> u16 {
        debug_assert!(i < self.controls.len());
        // SAFETY: `i` is masked by `mask()`, below both arrays' length.
        unsafe { *self.controls.get_unchecked(i) }
    }

    /// Sets the control of slot `i` (masked, as for [`Self::control_at`]).
    #[inline(always)]
    fn set_control(&mut self, i: usize, c: u16) {
        debug_assert!(i < self.controls.len());
        // SAFETY: as in `control_at`.
        unsafe { *self.controls.get_unchecked_mut(i) = c }
    }

    /// Slot `i` (masked, as for [`Self::control_at`]).
    #[inline(always)]
    fn slot_mut(&mut self, i: usize) -> &mut Option<Addr> {
        debug_assert!(i < self.slots.len());
        // SAFETY: as in `control_at`.
        unsafe { self.slots.get_unchecked_mut(i) }
    }

    /// The occupied slot `i` (masked, its control not [`EMPTY`]).
    #[inline(always)]
    fn slot(&self, i: usize) -> Addr {
        debug_assert!(i < self.slots.len() && self.slots[i].is_some());
        // SAFETY: as in `control_at`; a slot is `Some` where its control
        // is not `EMPTY` (every write sets both).
        unsafe { self.slots.get_unchecked(i).unwrap_unchecked() }
    }

    /// How far occupied slot `i`, whose control is `c`, is from its home
    /// (read from its entry's id only past [`FAR`]).
    #[inline]
    fn distance(&self, i: usize, c: u16) -> usize {
        if c & DISTANCE < FAR {
            usize::from(c & DISTANCE) - 1
        } else {
            // SAFETY: an address in the table is of a live entry.
            let id = unsafe { self.slot(i).id() };
            i.wrapping_sub(self.home(id)) & self.mask()
        }
    }

    /// The slot of `id` that `matches`, probing from its home: only slots
    /// whose control is that of their distance from `id`'s home and of
    /// `id`'s tag are looked at (each other slot has another id).
    #[inline(always)]
    fn find(&self, id: u64, matches: impl Fn(Addr) -> bool) -> Option<usize> {
        if self.len == 0 {
            return None;
        }
        let mask = self.mask();
        let mut i = self.home(id);
        let mut distance = 0;
        loop {
            let c = self.control_at(i);
            if c & DISTANCE == EMPTY {
                return None;
            }
            if c == control(distance, tag(id)) && matches(self.slot(i)) {
                return Some(i);
            }
            i = (i + 1) & mask;
            distance += 1;
        }
    }

    /// The slot of the entry with id `id`, if any.
    #[inline]
    fn find_id(&self, id: u64) -> Option<usize> {
        // SAFETY: an address in the table is of a live entry.
        self.find(id, |there| unsafe { there.id() } == id)
    }

    /// Adds `addr`, the entry with id `id`. An id that `may_repeat` (one
    /// its maker chose: a plain tokio task's root registered again, see the
    /// registry) replaces an entry under the same id; any other id is new
    /// (the counter hands each out once), and its probe reads no slot.
    ///
    /// # Safety
    /// `addr` is of a live entry whose id is `id`, which stays live until
    /// it is removed (or replaced).
    #[inline(always)]
    pub(super) unsafe fn insert(&mut self, id: u64, addr: Addr, may_repeat: bool) {
        if may_repeat && let Some(i) = self.find_id(id) {
            *self.slot_mut(i) = Some(addr);
            return;
        }
        if (self.len + 1) * 4 > self.slots.len() * 3 {
            self.resize((self.slots.len() * 2).max(MIN_SLOTS));
        }
        let mask = self.mask();
        let mut i = self.home(id);
        let mut distance = 0;
        while self.control_at(i) & DISTANCE != EMPTY {
            i = (i + 1) & mask;
            distance += 1;
        }
        self.set_control(i, control(distance, tag(id)));
        *self.slot_mut(i) = Some(addr);
        self.len += 1;
    }

    /// The address under `id`, if any.
    #[inline]
    pub(super) fn get(&self, id: u64) -> Option<Addr> {
        self.find_id(id).map(|i| self.slot(i))
    }

    /// Removes the entry at `addr`, whose id is `id`, if it is here (not
    /// replaced by another of its id).
    #[inline(always)]
    pub(super) fn remove(&mut self, id: u64, addr: *const dyn Entry) {
        let Some(mut hole) = self.find(id, |there| there.is(addr)) else {
            return;
        };
        // Shift back every slot after the hole, up to an empty one, whose
        // probe started at or before the hole (its distance from home is
        // at least its distance from the hole), from the controls.
        let mask = self.mask();
        let mut next = hole;
        loop {
            next = (next + 1) & mask;
            let c = self.control_at(next);
            if c & DISTANCE == EMPTY {
                break;
            }
            let distance = self.distance(next, c);
            let gap = next.wrapping_sub(hole) & mask;
            if distance >= gap {
                *self.slot_mut(hole) = Some(self.slot(next));
                self.set_control(hole, control(distance - gap, (c >> 8) as u8));
                hole = next;
            }
        }
        self.set_control(hole, EMPTY);
        *self.slot_mut(hole) = None;
        self.len -= 1;
        if self.slots.len() > MIN_SLOTS && self.len * 16 < self.slots.len() * 3 {
            self.resize(self.slots.len() / 2);
        }
    }

    /// Every address.
    pub(super) fn addrs(&self) -> impl Iterator<Item = Addr> + '_ {
        self.slots.iter().flatten().copied()
    }

    /// Moves the entries into a table of `slots` slots (a power of two).
    #[cold]
    #[inline(never)]
    fn resize(&mut self, slots: usize) {
        let old = std::mem::replace(&mut self.slots, vec![None; slots].into_boxed_slice());
        self.controls = vec![EMPTY; slots].into_boxed_slice();
        self.shift = 64 - (slots / RUN as usize).trailing_zeros();
        self.len = 0;
        for &addr in old.iter().flatten() {
            // SAFETY: it was in the table, so its entry is live until it
            // is removed; its id is its own, met once in the old table.
            unsafe { self.insert(addr.id(), addr, false) };
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
    fn a_chain_longer_than_a_control_byte_counts_still_finds_and_shifts() {
        // 300 ids with one home in every table up to 512 slots: their
        // distances pass what a control byte holds.
        let nodes: Vec<Dummy> = (1..)
            .filter(|id: &u64| {
                (id >> RUN_BITS).wrapping_mul(crate::id::GOLDEN)
                    >> (64 - (512 / RUN).trailing_zeros())
                    == 0
            })
            .take(300)
            .map(dummy)
            .collect();
        let mut t = Table::new();
        for d in &nodes {
            // SAFETY: `nodes` outlives the table.
            unsafe { t.insert(d.0.id, addr_of(d), false) };
        }
        assert_eq!(t.slots.len(), 512);
        assert!(t.controls.iter().any(|&c| c & DISTANCE == FAR));
        for d in nodes.iter().step_by(3) {
            t.remove(d.0.id, addr_of(d).0.as_ptr());
        }
        for (i, d) in nodes.iter().enumerate() {
            let found = t.get(d.0.id).map(|a| a.0.as_ptr() as *const ());
            let expect = (i % 3 != 0).then(|| std::ptr::from_ref(d) as *const ());
            assert_eq!(found, expect, "id {}", d.0.id);
        }
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
