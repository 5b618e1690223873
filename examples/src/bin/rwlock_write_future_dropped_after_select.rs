//! The fix of tokio-rs/tokio#6450, as its maintainers answered it: a lock
//! future that lost a `select!` is dropped, not kept, so it leaves the
//! lock's queue before the guard goes. The twin of
//! `rwlock_write_future_kept_after_select`, run again and again.
//!
//! Expected: no deadlock, nothing stuck, no potential deadlock.

use examples::ready;
use peeps::sync::RwLock;
use std::sync::LazyLock;
use std::time::Duration;

static LOCK: LazyLock<RwLock<u64>> = LazyLock::new(|| RwLock::new(0).named("LOCK"));

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("rwlock_write_future_dropped_after_select");
    for round in 0u64.. {
        let locked = LOCK.try_write().expect("first lock always success");

        {
            // A waiter for this task, dropped with its scope.
            let future1 = Box::pin(LOCK.write());
            tokio::pin!(future1);
            tokio::select! {
                biased;
                _ = &mut future1 => unreachable!("we hold the lock"),
                _ = std::future::ready(()) => {}
            }
        }

        let future2 = Box::pin(LOCK.write());
        tokio::pin!(future2);
        tokio::select! {
            biased;
            _ = &mut future2 => unreachable!("we hold the lock"),
            _ = std::future::ready(()) => {}
        }

        drop(locked);
        *future2.await += 1;
        if round == 0 {
            println!("written {}", *LOCK.read().await);
            ready();
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
}
