//! Healthy control: upload slots (a semaphore of 4) held by plain tasks
//! on one worker; one upload ends and lets its slot go on the other
//! worker, then records itself in the `ledger`; a reconciler, later,
//! holding the `ledger`, takes a slot for a retry. No peeps annotation:
//! plain `tokio::spawn` of `async move` blocks on a two-worker runtime.
//!
//! The first upload takes a slot, starts a second upload (which takes a
//! slot on the same worker and runs for an hour), and goes on across
//! plain waits (`yield_now`, `sleep`). A CPU-heavy job started before a
//! wait (a blocking `tokio::spawn`, which keeps its worker busy) makes
//! tokio resume it on the other worker: the first upload lets its slot go
//! there, moves back to the first worker, and only then locks `ledger`.
//! The program repeats each move until it happened.
//!
//! Expected: no deadlock, no potential deadlock: the first upload holds
//! no slot when it takes `ledger`, so the only order is `ledger` then
//! `upload-slots`.

use examples::{park, ready};
use peeps::sync::{Mutex, Semaphore};
use std::sync::Arc;
use std::thread::ThreadId;
use std::time::Duration;

struct Uploads {
    slots: Semaphore,
    ledger: Mutex<Vec<&'static str>>,
}

/// Starts a CPU-heavy job from inside the current task (it runs on this
/// worker as soon as the task waits), then waits a little: the thread the
/// task resumed on.
async fn wait_beside_cpu_job() -> ThreadId {
    tokio::spawn(async { std::thread::sleep(Duration::from_millis(200)) });
    tokio::time::sleep(Duration::from_millis(20)).await;
    std::thread::current().id()
}

/// Waits beside CPU jobs until the task runs on (`on`) or off (`!on`)
/// thread `thread`.
async fn move_until(thread: ThreadId, on: bool) {
    for _ in 0..50 {
        if (std::thread::current().id() == thread) == on {
            return;
        }
        wait_beside_cpu_job().await;
    }
    panic!("the upload never moved");
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    peeps::install_sigusr1("upload_slot_released_elsewhere_tokio_spawn");
    let up = Arc::new(Uploads {
        slots: Semaphore::new(4).named("upload-slots"),
        ledger: Mutex::new(Vec::new()).named("ledger"),
    });

    let first = up.clone();
    tokio::spawn(async move {
        let slot = first.slots.acquire().await.expect("open");
        let here = std::thread::current().id();
        // The second upload: started here, it runs here next.
        let started = Arc::new(std::sync::Mutex::new(None));
        let (second, on) = (first.clone(), started.clone());
        tokio::spawn(async move {
            let _slot = second.slots.acquire().await.expect("open");
            *on.lock().expect("not poisoned") = Some(std::thread::current().id());
            tokio::time::sleep(Duration::from_secs(3600)).await;
        });
        tokio::task::yield_now().await;
        let second_on = loop {
            if let Some(t) = *started.lock().expect("not poisoned") {
                break t;
            }
            tokio::time::sleep(Duration::from_millis(1)).await;
        };
        assert_eq!(second_on, here, "the second upload ran on another worker");
        // The upload ends on the other worker.
        move_until(here, false).await;
        drop(slot);
        // Back on the first worker, record it.
        move_until(here, true).await;
        first.ledger.lock().await.push("first");
    })
    .await
    .expect("the first upload");

    // The reconciler: the ledger, then a slot for a retry.
    tokio::spawn(async move {
        let mut ledger = up.ledger.lock().await;
        let _retry = up.slots.acquire().await.expect("open");
        ledger.push("retry");
    })
    .await
    .expect("the reconciler");

    ready();
    park().await
}
