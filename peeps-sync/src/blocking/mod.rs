//! Instrumented blocking locks: `parking_lot::Mutex` and `RwLock`.
//!
//! Same API as parking_lot's (the commonly used part of it: lock, try_lock,
//! timed locks, guards with `map`, `unlocked`, `downgrade`, upgradable
//! reads). The node has `blocking: true`. Every lock first tries without
//! parking, which costs one hold record more than parking_lot; only when
//! that fails is a `waits_on` edge recorded for as long as the thread is
//! parked. A task whose poll is parked here is blocked (DESIGN.md §4) and
//! its worker thread with it.
//!
//! # Examples
//!
//! ```
//! use peeps_sync::blocking::Mutex;
//! let m = Mutex::new(1).named("cache");
//! *m.lock() += 1;
//! assert_eq!(*m.lock(), 2);
//! ```
//!
//! `mutex.rs` has the mutex, `rwlock.rs` the reader-writer lock. Every
//! lock method records its call site (attr `at`, `#[track_caller]`) on the
//! wait while the thread is parked and on the guard it returns.

mod mutex;
mod rwlock;

pub use mutex::{MappedMutexGuard, Mutex, MutexGuard};
pub use rwlock::{
    MappedRwLockReadGuard, MappedRwLockWriteGuard, RwLock, RwLockReadGuard,
    RwLockUpgradableReadGuard, RwLockWriteGuard,
};
