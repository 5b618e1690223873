//! Node ids: unique within the process, handed out without a shared lock.
//!
//! Each thread takes a block of ids from one global counter and hands them out
//! from its own thread-local cursor, so making a node touches the shared
//! counter once per [`BLOCK`] nodes.

use std::cell::Cell;
use std::sync::atomic::{AtomicU64, Ordering};

/// How many ids a thread takes at once.
const BLOCK: u64 = 1024;

static NEXT_BLOCK: AtomicU64 = AtomicU64::new(1);

thread_local! {
    /// (next id to hand out, end of this thread's block)
    static CURSOR: Cell<(u64, u64)> = const { Cell::new((0, 0)) };
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
