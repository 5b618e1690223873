//! Node ids: unique within the process, handed out without a shared lock.
//!
//! Each thread takes a block of ids from one global counter and hands them out
//! from its own thread-local cursor, so making a node touches the shared
//! counter once per [`BLOCK`] nodes.

use std::cell::Cell;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};

/// How many ids a thread takes at once.
const BLOCK: u64 = 1024;

static NEXT_BLOCK: AtomicU64 = AtomicU64::new(1);

thread_local! {
    /// (next id to hand out, end of this thread's block)
    static CURSOR: Cell<(u64, u64)> = const { Cell::new((0, 0)) };
}

/// The odd multiplier of peeps' one-multiply hashes (2^64 / φ): ids and
/// addresses times it spread over the high bits.
pub(crate) const GOLDEN: u64 = 0x9E37_79B9_7F4A_7C15;

/// Where the node ids of plain tokio tasks start (see `ambient`): far
/// above the ids the counter hands out, and below 2^53 so the UI's JSON
/// numbers stay exact. Such an id is chosen by its maker, not handed out:
/// it may be registered again while an older node of it is leaving.
pub(crate) const FOREIGN_BASE: u64 = 1 << 52;

/// Whether `id` is a plain tokio task's (see [`FOREIGN_BASE`]).
#[inline]
#[cfg_attr(not(feature = "diagnostics"), allow(dead_code))]
pub(crate) fn is_foreign(id: u64) -> bool {
    id >= FOREIGN_BASE
}

/// Which block id `id` was handed out from: ids of one block come from
/// one thread, one after another (the registry keeps them together).
#[inline]
pub(crate) fn block_of(id: u64) -> u64 {
    id.wrapping_sub(1) / BLOCK
}

/// A fresh node id, never 0.
pub(crate) fn next_id() -> u64 {
    CURSOR
        .try_with(|c| {
            let (next, end) = c.get();
            if next < end {
                c.set((next + 1, end));
                next
            } else {
                let start = NEXT_BLOCK.fetch_add(BLOCK, Ordering::Relaxed);
                c.set((start + 1, start + BLOCK));
                start
            }
        })
        // During thread teardown the cursor is gone: take a block of one.
        .unwrap_or_else(|_| NEXT_BLOCK.fetch_add(1, Ordering::Relaxed))
}

/// Hashes ids (and keys made of ids) for the runtime's tables: ids are
/// unique integers, so a multiply spreads them; SipHash, the std default,
/// cost several times the table operation itself on a hot path.
#[derive(Default)]
#[cfg_attr(not(feature = "diagnostics"), allow(dead_code))]
pub(crate) struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.write_u64(u64::from(*b));
        }
    }
    fn write_u64(&mut self, n: u64) {
        // Each word folded into what came before (a key of two ids).
        self.0 = (self.0.rotate_left(26) ^ n).wrapping_mul(GOLDEN);
    }
}

/// A `HashMap` hasher for ids.
#[cfg_attr(not(feature = "diagnostics"), allow(dead_code))]
pub(crate) type IdHash = BuildHasherDefault<IdHasher>;

#[cfg(test)]
mod tests {
    use super::*;
    use std::hash::{BuildHasher, Hash};

    #[test]
    fn both_words_of_a_key_count() {
        let h = |a: u64, b: u64| IdHash::default().hash_one((a, b));
        assert_ne!(h(1, 2), h(1, 3));
        assert_ne!(h(1, 2), h(2, 2));
        assert_ne!(h(1, 2), h(2, 1));
        let mut one = IdHasher::default();
        7u64.hash(&mut one);
        assert_eq!(one.finish(), 7u64.wrapping_mul(GOLDEN));
    }
}
