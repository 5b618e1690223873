//! Deadlock from a bug report: tokio-rs/tokio#6450 ("Semaphore
//! deadlock"), a futurelock. A task holding the write side of a `static`
//! `RwLock` makes a `write()` future, pins it and polls it once in a
//! `select!` that another branch wins: the future stays queued as the
//! lock's first waiter. It then makes a second `write()` future, queued
//! behind the first, lets its guard go and awaits the second. The
//! semaphore under the lock hands the released permits to the first
//! waiter, the future the task no longer polls; the second waits behind
//! it forever. The maintainers' answer: a lock future that is kept must
//! be polled, or dropped.
//!
//! Written as the report is: all in `main`, the lock a `static` (a
//! `LazyLock`, to name it), the futures boxed and pinned; `biased` makes
//! the report's order (the lock future polled first) certain.
//!
//! Expected: one `certain` deadlock of `thread main` with itself on
//! rwlock `LOCK`, held by `main` (handed to the first `write()` future,
//! which it no longer polls).

use examples::{holders, ready_when, waiters};
use peeps::graph::NodeKind;
use peeps::sync::RwLock;
use std::sync::LazyLock;

static LOCK: LazyLock<RwLock<()>> = LazyLock::new(|| RwLock::new(()).named("LOCK"));

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("rwlock_write_future_kept_after_select");

    let locked = LOCK.try_write().expect("first lock always success");

    // A waiter for this task.
    let future1 = Box::pin(LOCK.write());
    tokio::pin!(future1);
    tokio::select! {
        biased;
        _ = &mut future1 => unreachable!("we hold the lock"),
        _ = std::future::ready(()) => {}
    }

    println!("create another waiter");

    // Another waiter for the same task.
    let future2 = Box::pin(LOCK.write());
    tokio::pin!(future2);
    tokio::select! {
        biased;
        _ = &mut future2 => unreachable!("we hold the lock"),
        _ = std::future::ready(()) => {}
    }

    // The permits go to future1, which nobody polls again.
    drop(locked);
    ready_when(|g| {
        waiters(g, NodeKind::Rwlock, "LOCK") == 2 && holders(g, NodeKind::Rwlock, "LOCK").is_empty()
    });
    let _guard = future2.await;
    println!("never reached");
}
