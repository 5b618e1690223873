//! Healthy, under steady load: jobs that hand part of their budget to a
//! helper. `cpu-budget` is a `Semaphore` of 6. Four plain jobs each take
//! three permits with `acquire_many_owned(3)`, `split(1)` one off and move
//! it into a plain helper task (30-70 ms of "work"), which returns the
//! permit through its `JoinHandle`; the job works 20 ms with the other two,
//! awaits the helper, `merge`s the returned permit back, and keeps all
//! three across a last 10 ms before dropping them. A plain monitor takes a
//! single permit every 100 ms for 5 ms.
//!
//! Jobs wait on `cpu-budget` (held by jobs and helpers on timers) and on
//! their own helper's `JoinHandle`.
//!
//! Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock.

use examples::{park, ready_when, waited_on};
use peeps::graph::NodeKind;
use peeps::sync::Semaphore;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_owned_permits_split_to_subtask_merged_back_plain");
    let budget = Arc::new(Semaphore::new(6).named("cpu-budget"));
    let jobs = Arc::new(AtomicU64::new(0));
    for j in 0..4u64 {
        let budget = budget.clone();
        let jobs = jobs.clone();
        tokio::spawn(async move {
            for n in 0u64.. {
                let mut permits = budget
                    .clone()
                    .acquire_many_owned(3)
                    .await
                    .expect("never closed");
                let lent = permits.split(1).expect("three permits");
                let helper = tokio::spawn(async move {
                    tokio::time::sleep(Duration::from_millis(30 + (n * 17 + j * 7) % 41)).await;
                    lent
                });
                tokio::time::sleep(Duration::from_millis(20)).await;
                let back = helper.await.expect("helper panicked");
                permits.merge(back);
                assert_eq!(permits.num_permits(), 3);
                tokio::time::sleep(Duration::from_millis(10)).await;
                drop(permits);
                jobs.fetch_add(1, Ordering::Relaxed);
            }
        });
    }
    {
        let budget = budget.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_millis(100)).await;
                let _one = budget.acquire().await.expect("never closed");
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        });
    }
    ready_when(move |g| {
        jobs.load(Ordering::Relaxed) >= 20 && waited_on(g, NodeKind::Semaphore, "cpu-budget")
    });
    park().await
}
