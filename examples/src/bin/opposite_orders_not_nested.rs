//! Healthy control: two mutexes taken in opposite orders by two tasks, but
//! never one while holding the other (each guard dropped before the next
//! lock).
//!
//! `sync-up` copies `local` to `remote`: it reads `local` under its lock,
//! drops the guard, then writes `remote`. `sync-down` does the reverse.
//! Each runs a few rounds, then `sync-up` holds `local` across an
//! hour-long checksum and `sync-down` waits for it (holding nothing).
//!
//! Expected: no deadlock and no potential deadlock.

use examples::{park, ready_when, waiters};
use peeps::graph::NodeKind;
use peeps::sync::Mutex;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// Set once `sync-up` holds `local` for its checksum.
static CHECKSUMMING: AtomicBool = AtomicBool::new(false);

/// A replica's contents.
type Replica = Arc<Mutex<Vec<u64>>>;

#[peeps::instrument]
async fn copy(from: Replica, to: Replica, rounds: usize) {
    for round in 0..rounds {
        let snapshot = from.lock().await.clone();
        tokio::task::yield_now().await;
        let mut target = to.lock().await;
        target.clear();
        target.extend(snapshot);
        target.push(round as u64);
        drop(target);
        tokio::task::yield_now().await;
    }
}

#[peeps::instrument]
async fn checksum(replica: Replica) -> u64 {
    let contents = replica.lock().await;
    CHECKSUMMING.store(true, Ordering::Release);
    // A slow checksum.
    tokio::time::sleep(Duration::from_secs(3600)).await;
    contents.iter().sum()
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("opposite_orders_not_nested");
    let local: Replica = Arc::new(Mutex::new(vec![1]).named("local"));
    let remote: Replica = Arc::new(Mutex::new(vec![2]).named("remote"));
    let (l, r) = (local.clone(), remote.clone());
    let up = peeps::spawn_named("sync-up", async move {
        copy(l.clone(), r, 5).await;
        println!("local checksum {}", checksum(l).await);
    });
    let (l, r) = (local.clone(), remote.clone());
    peeps::spawn_named("sync-down", async move {
        copy(r, l.clone(), 8).await;
        // Comes back once sync-up is inside its checksum.
        while !CHECKSUMMING.load(Ordering::Acquire) {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        println!("local again {:?}", l.lock().await.len());
    });
    drop(up);
    ready_when(|g| waiters(g, NodeKind::Mutex, "local") == 1);
    park().await
}
