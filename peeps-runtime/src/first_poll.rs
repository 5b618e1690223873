//! Futures inside their first poll, published by the polling thread.
//!
//! Most instrumented futures complete within their first poll (a request's
//! small steps). Such a future gets no registry entry: it would be made and
//! removed within the poll, and that is most of what it costs. While the
//! poll runs, the thread publishes a small record of it (id, parent, name,
//! location, since when) in a per-thread block, and a snapshot taken
//! meanwhile reads it there, so the future still appears as a node in
//! state `polling` with its `needs` edge. A future that returns `Pending`
//! from its first poll registers then, as before (see [`crate::future`]).
//!
//! # Global state
//!
//! A push-only, lock-free list of blocks, one per thread that ever polled
//! an instrumented future, never freed: a thread that exits hands its block
//! back and a new thread reuses it (as thread slots do: see
//! [`crate::threads`]). A block holds [`DEPTH`] records, a stack of the
//! first polls nested on that thread; deeper nesting registers as before.
//!
//! The owning thread is the only writer. Records are guarded by a sequence
//! lock: a push makes the sequence odd, writes the record and the depth,
//! and makes it even again; a pop only lowers the depth (the record stays
//! intact until the next push, which bumps the sequence). A reader copies
//! the records, then checks the sequence did not move, so it never builds a
//! name from a torn pointer and length.

use peeps_graph::NodeId;
use std::cell::Cell;
use std::ptr;
use std::sync::atomic::{
    AtomicBool, AtomicPtr, AtomicU64, AtomicUsize, Ordering::{AcqRel, Acquire, Relaxed, Release}, fence,
};

/// How many first polls one thread can publish at once (nested).
pub(crate) const DEPTH: usize = 16;

/// One published first poll.
#[derive(Debug)]
struct Record {
    id: AtomicU64,
    parent: AtomicU64,
    since: AtomicU64,
    name_ptr: AtomicPtr<u8>,
    name_len: AtomicUsize,
    loc_ptr: AtomicPtr<u8>,
    loc_len: AtomicUsize,
}

impl Record {
    const fn new() -> Self {
        Record {
            id: AtomicU64::new(0),
            parent: AtomicU64::new(0),
            since: AtomicU64::new(0),
            name_ptr: AtomicPtr::new(ptr::null_mut()),
            name_len: AtomicUsize::new(0),
            loc_ptr: AtomicPtr::new(ptr::null_mut()),
            loc_len: AtomicUsize::new(0),
        }
    }
}

/// One thread's published first polls. Leaked: lives for the process.
#[derive(Debug)]
struct Block {
    owned: AtomicBool,
    seq: AtomicU64,
    depth: AtomicUsize,
    records: [Record; DEPTH],
    next: *const Block,
}

// SAFETY: every field but `next` is Sync; `next` is written once before the
// block is published (release) and only read afterwards.
unsafe impl Sync for Block {}
// SAFETY: as above; blocks are 'static and never moved once published.
unsafe impl Send for Block {}

static HEAD: AtomicPtr<Block> = AtomicPtr::new(ptr::null_mut());

thread_local! {
    /// This thread's block (null: none yet, or the thread is exiting).
    static BLOCK: Cell<*const Block> = const { Cell::new(ptr::null()) };
    /// Hands the block back when the thread exits.
    static RELEASE: BlockRelease = const { BlockRelease };
}

struct BlockRelease;

impl Drop for BlockRelease {
    fn drop(&mut self) {
        let block = BLOCK.try_with(|b| b.replace(ptr::null())).unwrap_or(ptr::null());
        if !block.is_null() {
            // SAFETY: blocks are leaked, so the pointer is valid forever.
            let block = unsafe { &*block };
            block.depth.store(0, Release);
            block.owned.store(false, Release);
        }
    }
}

fn blocks() -> impl Iterator<Item = &'static Block> {
    let mut at = HEAD.load(Acquire).cast_const();
    std::iter::from_fn(move || {
        if at.is_null() {
            return None;
        }
        // SAFETY: blocks are leaked and `next` is immutable once published.
        let block = unsafe { &*at };
        at = block.next;
        Some(block)
    })
}

/// Gives this thread a block: a free one or a new leaked one (null when the
/// thread is exiting).
#[cold]
#[inline(never)]
fn register_current() -> *const Block {
    if RELEASE.try_with(|_| ()).is_err() {
        return ptr::null();
    }
    let block = match blocks().find(|b| b.owned.compare_exchange(false, true, AcqRel, Relaxed).is_ok()) {
        Some(block) => block,
        None => {
            let block = Box::leak(Box::new(Block {
                owned: AtomicBool::new(true),
                seq: AtomicU64::new(0),
                depth: AtomicUsize::new(0),
                records: [const { Record::new() }; DEPTH],
                next: ptr::null(),
            }));
            let mut head = HEAD.load(Relaxed);
            loop {
                block.next = head;
                match HEAD.compare_exchange_weak(head, block, AcqRel, Relaxed) {
                    Ok(_) => break,
                    Err(now) => head = now,
                }
            }
            block
        }
    };
    let ptr: *const Block = block;
    let _ = BLOCK.try_with(|b| b.set(ptr));
    ptr
}

/// A first poll published on this thread; unpublished when dropped (also
/// during a panic).
#[derive(Debug)]
#[must_use = "the first poll is published only while this lives"]
pub(crate) struct Published {
    block: &'static Block,
    depth: usize,
}

impl Drop for Published {
    #[inline]
    fn drop(&mut self) {
        self.block.depth.store(self.depth, Release);
    }
}

/// Publishes the first poll of future `id` (polled by `parent` since coarse
/// ms `since`) until the returned guard drops. `None` when this thread
/// already publishes [`DEPTH`] first polls or is exiting: the caller then
/// registers the future instead.
#[inline]
pub(crate) fn publish(
    id: NodeId,
    parent: NodeId,
    since: u64,
    name: &'static str,
    location: &'static str,
) -> Option<Published> {
    let mut block = BLOCK.try_with(Cell::get).ok()?;
    if block.is_null() {
        block = register_current();
        if block.is_null() {
            return None;
        }
    }
    // SAFETY: blocks are leaked: the pointer is valid for the process.
    let block: &'static Block = unsafe { &*block };
    let depth = block.depth.load(Relaxed);
    let record = block.records.get(depth)?;
    // Single writer (this thread): plain loads and stores.
    let seq = block.seq.load(Relaxed);
    block.seq.store(seq.wrapping_add(1), Relaxed);
    fence(Release);
    record.id.store(id, Relaxed);
    record.parent.store(parent, Relaxed);
    record.since.store(since, Relaxed);
    record.name_ptr.store(name.as_ptr().cast_mut(), Relaxed);
    record.name_len.store(name.len(), Relaxed);
    record.loc_ptr.store(location.as_ptr().cast_mut(), Relaxed);
    record.loc_len.store(location.len(), Relaxed);
    block.depth.store(depth + 1, Relaxed);
    block.seq.store(seq.wrapping_add(2), Release);
    Some(Published { block, depth })
}

/// A first poll running now, as a snapshot reads it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct FirstPoll {
    /// The future's node id.
    pub(crate) id: NodeId,
    /// Who polls it (the `needs` edge's source).
    pub(crate) parent: NodeId,
    /// Coarse ms when the poll began.
    pub(crate) since: u64,
    /// Its name.
    pub(crate) name: &'static str,
    /// `file:line:col`.
    pub(crate) location: &'static str,
}

/// The records of `block`, read consistently, or `None` if the owner kept
/// writing meanwhile.
fn read(block: &Block) -> Option<Vec<FirstPoll>> {
    let mut raw: [(u64, u64, u64, *mut u8, usize, *mut u8, usize); DEPTH] =
        [(0, 0, 0, ptr::null_mut(), 0, ptr::null_mut(), 0); DEPTH];
    for _ in 0..16 {
        let seq = block.seq.load(Acquire);
        if seq % 2 == 1 {
            std::hint::spin_loop();
            continue;
        }
        let depth = block.depth.load(Acquire).min(DEPTH);
        for (r, out) in block.records[..depth].iter().zip(raw.iter_mut()) {
            *out = (
                r.id.load(Relaxed),
                r.parent.load(Relaxed),
                r.since.load(Relaxed),
                r.name_ptr.load(Relaxed),
                r.name_len.load(Relaxed),
                r.loc_ptr.load(Relaxed),
                r.loc_len.load(Relaxed),
            );
        }
        fence(Acquire);
        if block.seq.load(Relaxed) != seq {
            continue;
        }
        return Some(
            raw[..depth]
                .iter()
                .map(|&(id, parent, since, np, nl, lp, ll)| FirstPoll {
                    id,
                    parent,
                    since,
                    // SAFETY: the sequence did not move, so each pointer and
                    // length were written together by one push, from a
                    // `&'static str`.
                    name: unsafe { static_str(np, nl) },
                    // SAFETY: as above.
                    location: unsafe { static_str(lp, ll) },
                })
                .collect(),
        );
    }
    None
}

/// # Safety
/// `ptr` and `len` are those of one `&'static str` (or null and 0).
unsafe fn static_str(ptr: *mut u8, len: usize) -> &'static str {
    if ptr.is_null() {
        return "";
    }
    // SAFETY: by the caller's contract.
    unsafe { std::str::from_utf8_unchecked(std::slice::from_raw_parts(ptr, len)) }
}

/// Every first poll running now, on every thread.
pub(crate) fn running() -> Vec<FirstPoll> {
    blocks()
        .filter(|b| b.owned.load(Acquire))
        .filter_map(read)
        .flatten()
        .collect()
}
