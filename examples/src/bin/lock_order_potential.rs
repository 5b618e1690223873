//! A potential deadlock, never a deadlock: two transfers lock the same two
//! accounts in opposite orders, a while apart.
//!
//! `transfer-a` locks `acct-1` then `acct-2`, and finishes; only then does
//! `transfer-b` lock `acct-2` then `acct-1`. The program never hangs, and
//! its graph never has a cycle of waits. But the order it takes its locks
//! in has one: run at the same time, the two transfers can deadlock (as
//! `lock_order_inversion` does). peeps learns the order at every
//! acquisition and says so before it happens.
//!
//! Expected: no deadlock; one potential deadlock naming both paths, with
//! each task and both acquisition lines.

use examples::{park, ready};
use peeps::sync::Mutex;
use std::sync::Arc;
use std::time::Duration;

type Account = Arc<Mutex<i64>>;

async fn transfer(from: Account, to: Account, amount: i64) {
    let mut from = from.lock().await;
    let mut to = to.lock().await;
    *from -= amount;
    *to += amount;
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("lock_order_potential");
    let acct1: Account = Arc::new(Mutex::new(100).named("acct-1"));
    let acct2: Account = Arc::new(Mutex::new(100).named("acct-2"));

    peeps::spawn_named("transfer-a", transfer(acct1.clone(), acct2.clone(), 10))
        .await
        .expect("transfer-a ends");
    tokio::time::sleep(Duration::from_millis(50)).await;
    peeps::spawn_named("transfer-b", transfer(acct2.clone(), acct1.clone(), 20))
        .await
        .expect("transfer-b ends");

    ready();
    park().await
}
