//! One thread's ring of event records, written by that thread alone, read
//! by snapshots on any thread.
//!
//! A record is five words written with plain stores (no read-modify-write,
//! no lock): the slot after the last one written, overwriting the oldest
//! record once the ring is full. `head` counts half-steps: `2 n + 1` while
//! record `n` is being written, `2 n + 2` once it is whole. It is the
//! ring's sequence lock: a reader keeps a record only if `head`, read again
//! after the record, shows the writer has not begun to overwrite its slot
//! since (see [`Ring::read`]).

use crate::loom::sync::atomic::{AtomicU64, Ordering, fence};

/// The words of one record (see `super::Record` for what they mean).
pub(super) const WORDS: usize = 5;

/// One slot: a record's words.
#[derive(Debug)]
struct Slot([AtomicU64; WORDS]);

/// A thread's ring.
#[derive(Debug)]
pub(super) struct Ring {
    /// Twice the records ever begun, less one while the last is being
    /// written (see the module's header): record `n` is written at
    /// `n & mask`. Written by the owning thread only.
    head: AtomicU64,
    /// The owning thread's logical clock (see `super::clock`), on the same
    /// line as `head`: the writer's own.
    pub(super) clock: AtomicU64,
    /// A wait that ended on this thread and has not yet been matched with
    /// the hold it waited for: the node waited on (0: none) and when the
    /// wait began (coarse ms), read by the next hold on this thread.
    pub(super) waited_node: AtomicU64,
    pub(super) waited_since: AtomicU64,
    mask: u64,
    slots: Box<[Slot]>,
}

impl Ring {
    /// An empty ring of `capacity` records (a power of two).
    pub(super) fn new(capacity: usize) -> Ring {
        debug_assert!(capacity.is_power_of_two());
        Ring {
            head: AtomicU64::new(0),
            clock: AtomicU64::new(0),
            waited_node: AtomicU64::new(0),
            waited_since: AtomicU64::new(0),
            mask: capacity as u64 - 1,
            slots: (0..capacity).map(|_| Slot(std::array::from_fn(|_| AtomicU64::new(0)))).collect(),
        }
    }

    /// How many records it holds.
    pub(super) fn capacity(&self) -> u64 {
        self.mask + 1
    }

    /// Writes a record. Only the owning thread calls this.
    #[inline]
    pub(super) fn push(&self, words: [u64; WORDS]) {
        // Even: the owning thread is between records.
        let h = self.head.load(Ordering::Relaxed);
        let n = h / 2;
        // `mask` < the slot count by construction: no bounds check needed,
        // and the one the compiler keeps is never taken.
        let slot = &self.slots[(n & self.mask) as usize];
        // Record `n` begun before any of its words: a reader that sees a
        // word written here then reads `head` as `2 n + 1` or later, and
        // drops the record it overwrites (see `read`).
        self.head.store(h + 1, Ordering::Relaxed);
        fence(Ordering::Release);
        for (w, v) in slot.0.iter().zip(words) {
            w.store(v, Ordering::Relaxed);
        }
        self.head.store(h + 2, Ordering::Release);
    }

    /// The records in the ring now, oldest first, each whole, with the
    /// number (counted from the ring's first record) of the first one;
    /// records the writer overwrote while they were read are left out.
    pub(super) fn read(&self) -> (u64, Vec<[u64; WORDS]>) {
        let cap = self.capacity();
        // Records whole when the read begins.
        let end = self.head.load(Ordering::Acquire) / 2;
        let start = end.saturating_sub(cap);
        let mut out: Vec<[u64; WORDS]> = (start..end)
            .map(|i| {
                let slot = &self.slots[(i & self.mask) as usize];
                std::array::from_fn(|k| slot.0[k].load(Ordering::Relaxed))
            })
            .collect();
        // Pairs with the writer's fence: if a word read above was written
        // for a later record, `head` reads as that record begun or later.
        fence(Ordering::Acquire);
        // Records begun by now: each overwrote the record `cap` before it,
        // which may be torn.
        let begun = self.head.load(Ordering::Relaxed).div_ceil(2);
        let first_whole = begun.saturating_sub(cap).max(start);
        let torn = (first_whole - start).min(out.len() as u64) as usize;
        out.drain(..torn);
        (first_whole, out)
    }
}

/// Loom models (`scripts/loom.sh`) of the ring.
#[cfg(all(test, loom))]
mod loom_tests {
    use super::*;
    use loom::thread;

    /// A record whose words all say `n`: a torn read mixes two `n`s.
    fn record(n: u64) -> [u64; WORDS] {
        [n; WORDS]
    }

    /// A writer laps a ring of two slots (three records) while a snapshot
    /// reads it: every record read is whole (one record's words, never
    /// two), in order, numbered as written; afterwards the ring holds the
    /// last two.
    #[test]
    fn a_reader_sees_whole_records_in_order_while_the_writer_laps() {
        loom::model(|| {
            let ring = loom::sync::Arc::new(Ring::new(2));
            let w = ring.clone();
            let writer = thread::spawn(move || {
                for n in 1..=3 {
                    w.push(record(n));
                }
            });
            let (first, got) = ring.read();
            for (i, r) in got.iter().enumerate() {
                assert!(r.iter().all(|&x| x == r[0]), "a torn record: {r:?}");
                assert_eq!(r[0], first + i as u64 + 1, "records out of order: {got:?} from {first}");
            }
            writer.join().unwrap();
            let (first, got) = ring.read();
            assert_eq!((first, got), (1, vec![record(2), record(3)]));
        });
    }
}
