//! Lock order learned at run time: potential deadlocks before they hang
//! ("lockdep for async").
//!
//! A deadlock detector sees a cycle of waits once it has happened. This
//! module learns, from every acquisition of an instrumented lock, the order
//! in which the program takes its locks, so that an inversion is reported
//! the first time both orders have been *seen*, whenever they ran.
//!
//! # What is recorded
//!
//! Each *context* — a peeps task while it runs, else the thread (a
//! `block_on` root, a plain thread, `spawn_blocking`), or on that thread a
//! plain `tokio::spawn` task — keeps the list of the instrumented locks it
//! holds (`stack`: at most [`HELD_MAX`], in a thread-local; a peeps task's
//! list moves into its own entry while it holds locks across an `.await`,
//! and back at its next poll, so it follows the task across threads; a
//! plain tokio task's list is kept by task in a global table, so it follows
//! the task too). When
//! the context takes a lock with [`acquired`] (a call that could have
//! waited: `lock`, `read`, `write`, `acquire`, the blocking locks), every
//! lock it holds gives an **order edge** held → taken, recorded once in a
//! shared, capped graph (`graph`), with one example: the task, both call
//! sites, the time. [`held`](fn@held) records a lock taken without waiting
//! (`try_lock`, a downgrade, a split permit): it is held from then on, but
//! orders nothing before it, since it could not have blocked.
//!
//! Edges are between lock **classes**: a lock's class is its name when it
//! was given one (`.named("acct-1")`), else its construction site
//! (`src/db.rs:42`), and its kind. Two locks of one class (per-account
//! locks made at one site) taken one inside the other would be an edge of
//! the class with itself, a cycle whatever their order: Linux's lockdep
//! asks the code to annotate such nesting. peeps records those edges between
//! the two *locks* instead (their node ids), so locks of one class taken in
//! a consistent order (by index) make no cycle, and two tasks taking the
//! same two accounts in opposite orders do.
//!
//! What is not an edge:
//!
//! - a lock taken without waiting ([`held`](fn@held)): `try_lock` cannot
//!   block;
//! - a lock taken by a *concurrent* future of the same task: when the held
//!   lock was taken inside an instrumented future (`#[peeps::instrument]`,
//!   `peeps!`) that is neither the one taking the next lock nor polling
//!   around it (a sibling in a `join!`, a `FuturesUnordered`, a
//!   `select!`), the task can release it without the next lock, so it
//!   orders nothing. Branches that are plain async blocks cannot be told
//!   apart and count as one context;
//! - a lock released before the next is taken, wherever it was released;
//! - a fresh lock's first acquisition by the context that made it while
//!   holding other locks (`made`, from `Mutex::new` and `RwLock::new`):
//!   nobody can hold it yet, as a placeholder locked under its map's write
//!   lock.
//!
//! A read taken while the same context holds a read of the same rwlock is
//! recorded as an edge of that lock with itself: tokio's RwLock (and
//! parking_lot's, except `read_recursive`) is write-preferring, so a writer
//! queued between the two reads deadlocks both. A second permit of a
//! semaphore taken while holding one is recorded the same way. Whether a
//! cycle of reads is a deadlock is decided by the analysis
//! (`peeps_graph::analysis`), which knows which classes were ever written.
//!
//! Each edge keeps its **gates**: the locks held exclusively (a mutex, a
//! write or upgradable guard, not an owned one) below its held lock at
//! every observation of it, so far (an intersection, at most
//! `peeps_graph::MAX_GATES`). Paths that all hold one gate cannot run at
//! once, so the analysis reports no cycle whose every edge has one. The
//! gate is a lock, not a class: per-shard gates made at one site keep
//! nothing apart.
//!
//! # Bounds
//!
//! At most [`MAX_CLASSES`] classes and [`MAX_EDGES`] edges are kept, and
//! [`HELD_MAX`] held locks per context; what does not fit is counted
//! (`lock_order.dropped` in a snapshot) and never blocks the program. An
//! edge already known costs a probe of a per-thread cache; the shared
//! graph's shards are locked only for an edge the thread has not seen.
//! `PEEPS_LOCK_ORDER=off` turns the learning off.
//!
//! # Global state
//!
//! The class table, the sharded edge table and their counters; a ring of
//! the last releases made away from the context that took the lock (a
//! guard moved to another task or thread unseen), which each context reads
//! to forget what it no longer holds; per thread, the held list, an edge
//! cache and a class cache.

pub use peeps_graph::LockMode as Mode;

mod printed;
pub use printed::Printed;

/// How many classes of locks are kept.
pub const MAX_CLASSES: u32 = 4096;
/// How many order edges are kept.
pub const MAX_EDGES: usize = 8192;
/// How many held locks a context follows at once.
pub const HELD_MAX: usize = 8;

#[cfg(feature = "diagnostics")]
mod class;
#[cfg(feature = "diagnostics")]
mod edge_locks;
#[cfg(feature = "diagnostics")]
mod graph;
#[cfg(feature = "diagnostics")]
mod on;
#[cfg(feature = "diagnostics")]
mod stack;
#[cfg(feature = "diagnostics")]
pub use on::*;
#[cfg(feature = "diagnostics")]
pub(crate) use stack::{Saved, enter_task};

#[cfg(not(feature = "diagnostics"))]
mod off;
#[cfg(not(feature = "diagnostics"))]
pub use off::*;
