//! Healthy, under steady load: a simulation stepped in phases by a
//! `Barrier`. Four plain members loop: phase one, each reads an `RwLock`
//! of the world and writes its own cell in a `Mutex` of next values (2 ms;
//! member 3 takes 350 ms every fifth step, so the others wait at the
//! barrier for it); `wait()`; phase two, the leader (the member whose
//! `BarrierWaitResult::is_leader()`) write-locks the world and folds the
//! next values in, the others read it; `wait()` again. A plain viewer reads
//! the world every 20 ms. Nothing annotated or named.
//!
//! Nothing can hang. Expected, in every dump: no deadlock, nothing stuck
//! forever, no potential deadlock (world, then next values, everywhere).

use examples::{park, ready_when};
use peeps::sync::{Barrier, Mutex, RwLock};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_barrier_phases_slow_member_leader_compacts_plain");
    let barrier = Arc::new(Barrier::new(4));
    let world = Arc::new(RwLock::new(vec![0u64; 4]));
    let next = Arc::new(Mutex::new(vec![0u64; 4]));
    let steps = Arc::new(AtomicU64::new(0));

    for m in 0..4usize {
        let (barrier, world, next, steps) =
            (barrier.clone(), world.clone(), next.clone(), steps.clone());
        tokio::spawn(async move {
            for step in 0u64.. {
                {
                    let w = world.read().await;
                    let mine = w[m] + w[(m + 1) % 4];
                    let mut n = next.lock().await;
                    n[m] = mine % 1000;
                }
                let pause = if m == 3 && step.is_multiple_of(5) {
                    350
                } else {
                    2
                };
                tokio::time::sleep(Duration::from_millis(pause)).await;
                let leader = barrier.wait().await.is_leader();
                if leader {
                    let mut w = world.write().await;
                    let n = next.lock().await;
                    w.copy_from_slice(&n);
                    steps.fetch_add(1, Ordering::Relaxed);
                } else {
                    let _ = world.read().await.len();
                }
                barrier.wait().await;
            }
        });
    }

    let w = world.clone();
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_millis(20)).await;
            let _ = w.read().await.iter().sum::<u64>();
        }
    });

    ready_when(move |_| steps.load(Ordering::Relaxed) >= 8);
    park().await
}
