//! Deadlock of one thread, from tokio#4588: a blocking mutex guard held
//! across an `.await`, by one of two futures a `select!` loop drives on
//! the same thread.
//!
//! `main` (a `block_on`) polls two `use_mutex` futures in a `select!`
//! loop. The first locks `shared` (a blocking, parking_lot mutex) and,
//! holding it, sleeps; the loop then polls the second, which locks
//! `shared` too and parks the thread — the only thread that could ever
//! poll the first future again and drop its guard.
//!
//! Expected: one certain deadlock of `thread main` over mutex `shared`
//! (held by the same thread; its poll parked in the lock, so no wake
//! peeps cannot see could get it out), and a blocking poll.

use examples::{ready_when, waited_on_for};
use futures::FutureExt;
use futures::future::FusedFuture;
use peeps::graph::NodeKind;
use peeps::sync::blocking::Mutex;
use std::time::Duration;

#[peeps::instrument]
async fn use_mutex(mutex: &Mutex<()>) {
    let _guard = mutex.lock();
    tokio::time::sleep(Duration::from_millis(10)).await;
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("blocking_guard_across_select");
    let mutex = Mutex::new(()).named("shared");
    // `ready_when` looks from a thread of its own: this one parks for good.
    ready_when(|g| waited_on_for(g, NodeKind::Mutex, "shared", "lock"));
    let mut future1 = Box::pin(use_mutex(&mutex).fuse());
    let mut future2 = Box::pin(use_mutex(&mutex).fuse());
    loop {
        tokio::select! {
            _ = &mut future1, if !future1.is_terminated() => {},
            _ = &mut future2, if !future2.is_terminated() => {},
            else => break,
        }
    }
}
