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
//!   wherever it drops; owned guards and permits say `confirmed: false`; a
//!   live `watch::Ref` is a read guard of its channel's value;
//! - a channel endpoint: a `held_by` edge (`as: sender | receiver`) to the
//!   task that last created, cloned or used it, `confirmed: false` until that
//!   task uses it.
//!
//! Waits and holds name the line of the user's call that made them (attr
//! `at`, `file:line:col`): every method that waits or takes a hold is
//! `#[track_caller]`, and the future an async method returns keeps its
//! caller's site until it waits and takes its hold.
//!
//! Names default to the construction site (`#[track_caller]`);
//! `.named("...")` renames. Channels: `mpsc::channel(8)` returns the pair
//! named after the call site; `mpsc::channel_named("jobs", 8)` names it, and
//! `.named(..)` on any endpoint renames the one shared node.
//!
//! # What differs from tokio
//!
//! Nothing a program can observe, apart from these:
//! - every constructor takes the call site (`#[track_caller]`) and every
//!   type has `.named(..)`; channels also have `channel_named(..)`;
//! - an async method (`lock`, `send`, `recv`, ...) is a `#[track_caller]`
//!   `fn` returning `impl Future` (an `async fn` cannot take its caller's
//!   site): the same future, `Send`, `Sync` and `Unpin` as tokio's, whose
//!   body still runs only when polled;
//! - `watch::Ref` is peeps' own type (tokio's inside, the same methods);
//! - `const_new` constructors (for `static`s) register their node on first
//!   use instead of at construction;
//! - a `poll_recv`/`poll_closed` that returned `Pending` keeps its
//!   `waits_on` edge in the handle until a later call completes (there is
//!   no future whose drop would end it);
//! - `SetOnce` is tokio's own type, re-exported without edges;
//! - [`blocking`] covers the commonly used part of parking_lot's API (no
//!   `arc_lock`, `send_guard` or raw-lock features).
//!
//! # Feature `diagnostics`
//!
//! Without it every hook is a no-op twin and each type costs what the
//! tokio or parking_lot type costs.

mod barrier;
mod channel;
mod core;
mod detach;
mod mutex;
mod notify;
mod once_cell;
mod rwlock;
mod semaphore;

pub mod blocking;
pub mod broadcast;
pub mod mpsc;
pub mod oneshot;
pub mod watch;

pub use barrier::{Barrier, BarrierWaitResult};
pub use mutex::{
    MappedMutexGuard, Mutex, MutexGuard, OwnedMappedMutexGuard, OwnedMutexGuard, TryLockError,
};
pub use notify::Notify;
pub use once_cell::{OnceCell, SetError};
pub use rwlock::{
    OwnedRwLockMappedWriteGuard, OwnedRwLockReadGuard, OwnedRwLockWriteGuard, RwLock,
    RwLockMappedWriteGuard, RwLockReadGuard, RwLockWriteGuard,
};
pub use semaphore::{
    AcquireError, OwnedSemaphorePermit, Semaphore, SemaphorePermit, TryAcquireError,
};
pub use tokio::sync::{SetOnce, SetOnceError};

/// Named future types, as `tokio::sync::futures`.
pub mod futures {
    pub use crate::notify::{Notified, OwnedNotified};
}
