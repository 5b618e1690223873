//! Healthy, under steady load: per-key locks always taken in one order.
//! Wallets live in a `HashMap<String, Arc<Mutex<Wallet>>>` behind an
//! `RwLock` (a wallet is created on first use, under the map's write
//! lock, and locked only after the map lock is let go). Eight plain
//! transfer tasks move coins between two random wallets: they clone both
//! `Arc`s out of the map and lock the two wallets sorted by name (never by
//! argument order), hold both across a 2 ms `.await`, then let them go. A
//! plain auditor clones every wallet out, sorts them by name and locks
//! them all, in that order, every 200 ms, holding them across 30 ms. So
//! transfers wait for each other and for the auditor all the time, always
//! lowest name first. Nothing annotated or named.
//!
//! Nothing can hang. Expected, in every dump: no deadlock, nothing stuck
//! forever, no potential deadlock.

use examples::{park, ready_when};
use peeps::sync::{Mutex, RwLock};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

#[derive(Default)]
struct Wallet {
    coins: i64,
}

type Wallets = Arc<RwLock<HashMap<String, Arc<Mutex<Wallet>>>>>;

async fn wallet(wallets: &Wallets, name: &str) -> Arc<Mutex<Wallet>> {
    if let Some(w) = wallets.read().await.get(name) {
        return w.clone();
    }
    let mut map = wallets.write().await;
    map.entry(name.to_string())
        .or_insert_with(|| Arc::new(Mutex::new(Wallet { coins: 100 })))
        .clone()
}

const NAMES: [&str; 7] = ["alice", "bob", "carol", "dave", "erin", "frank", "grace"];

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_per_key_locks_sorted_by_name_transfers_plain");
    let wallets: Wallets = Arc::new(RwLock::new(HashMap::new()));
    let transfers = Arc::new(AtomicU64::new(0));

    for t in 0..8usize {
        let (wallets, transfers) = (wallets.clone(), transfers.clone());
        tokio::spawn(async move {
            for n in 0usize.. {
                let from = NAMES[(t * 3 + n) % NAMES.len()];
                let to = NAMES[(t + n * 5 + 1) % NAMES.len()];
                if from == to {
                    tokio::time::sleep(Duration::from_millis(1)).await;
                    continue;
                }
                let (a, b) = (wallet(&wallets, from).await, wallet(&wallets, to).await);
                let (first, second) = if from < to { (&a, &b) } else { (&b, &a) };
                let mut g1 = first.lock().await;
                let mut g2 = second.lock().await;
                tokio::time::sleep(Duration::from_millis(2)).await;
                if from < to {
                    g1.coins -= 1;
                    g2.coins += 1;
                } else {
                    g2.coins -= 1;
                    g1.coins += 1;
                }
                drop(g2);
                drop(g1);
                transfers.fetch_add(1, Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(3 + t as u64 % 3)).await;
            }
        });
    }

    let w = wallets.clone();
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_millis(200)).await;
            let mut all: Vec<(String, Arc<Mutex<Wallet>>)> = w
                .read()
                .await
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            all.sort_by(|x, y| x.0.cmp(&y.0));
            let mut guards = Vec::new();
            for (_, wallet) in &all {
                guards.push(wallet.lock().await);
            }
            tokio::time::sleep(Duration::from_millis(30)).await;
            let total: i64 = guards.iter().map(|g| g.coins).sum();
            let _ = total;
            drop(guards);
        }
    });

    ready_when(move |_| transfers.load(Ordering::Relaxed) >= 100);
    park().await
}
