//! Drop-in instrumented `tokio::sync` and `parking_lot` types.
//!
//! Every type here has the names, signatures and semantics of the type it
//! replaces, so `use peeps::sync as sync` in place of `use tokio::sync as
//! sync` compiles and behaves the same. Each wraps tokio's own type (the
//! algorithms, fairness and cancel safety are tokio's) and records, in the
//! peeps graph (DESIGN.md §3):
//!
//! - a pending wait (lock, read, write, acquire, send, recv, notified,
//!   changed, barrier, init): a `waits_on` edge from the waiting future or
//!   task to the resource, removed when the wait completes or its future is
//!   dropped;
//! - a held guard or permit: a `held_by` edge from the resource to the task
//!   that took it (`as: guard | read_guard | permit`), removed when it drops,
//!   wherever it drops; owned guards and permits say `confirmed: false`;
//! - a channel endpoint: a `held_by` edge (`as: sender | receiver`) to the
//!   task that last created, cloned or used it, `confirmed: false` until that
//!   task uses it.
//!
//! Names default to the construction site (`#[track_caller]`);
//! `.named("...")` renames. Channels: `mpsc::channel(8)` returns the pair
//! named after the call site; `mpsc::channel_named("jobs", 8)` names it, and
//! `.named(..)` on any endpoint renames the one shared node.
//!
//! # Feature `diagnostics`
//!
//! Without it every hook is a no-op twin and each type costs what the
//! tokio or parking_lot type costs.

mod core;
pub mod mutex;

pub use mutex::{
    MappedMutexGuard, Mutex, MutexGuard, OwnedMappedMutexGuard, OwnedMutexGuard, TryLockError,
};
pub mod rwlock;
pub use rwlock::{
    OwnedRwLockMappedWriteGuard, OwnedRwLockReadGuard, OwnedRwLockWriteGuard, RwLock,
    RwLockMappedWriteGuard, RwLockReadGuard, RwLockWriteGuard,
};
pub mod barrier;
pub mod notify;
pub mod once_cell;
pub mod semaphore;

pub use barrier::{Barrier, BarrierWaitResult};
pub use notify::Notify;
pub use once_cell::{OnceCell, SetError};
pub use semaphore::{
    AcquireError, OwnedSemaphorePermit, Semaphore, SemaphorePermit, TryAcquireError,
};

/// Named future types, as `tokio::sync::futures`.
pub mod futures {
    pub use crate::notify::{Notified, OwnedNotified};
}
pub mod broadcast;
mod channel;
pub mod mpsc;
pub mod oneshot;
pub mod watch;

pub use tokio::sync::{SetOnce, SetOnceError};
pub mod blocking;
