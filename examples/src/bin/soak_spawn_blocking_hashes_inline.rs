//! The fixed twin of `nested_spawn_blocking_exhausts_pool` (graph-node#2354):
//! the blocking import hashes its rows inline instead of through a second
//! `spawn_blocking`, so the two blocking threads never wait on the pool.
//! Plain `tokio::spawn` import tasks run an import every 300 ms each; a
//! `digest` oneshot still carries the sum from a plain hashing task back
//! to the import task.
//!
//! Expected: in every dump, nothing false (no deadlock, nothing stuck
//! forever, no potential deadlock).

use examples::{park, ready};
use peeps::sync::oneshot;
use std::time::Duration;

fn import(file: &'static str) -> Vec<String> {
    let rows: Vec<String> = (0..100).map(|i| format!("{file},{i}")).collect();
    std::thread::sleep(Duration::from_millis(100));
    rows
}

fn main() {
    peeps::install_sigusr1("soak_spawn_blocking_hashes_inline");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .max_blocking_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(async {
        for file in ["users.csv", "orders.csv"] {
            tokio::spawn(async move {
                loop {
                    let rows = tokio::task::spawn_blocking(move || import(file))
                        .await
                        .expect("the import does not panic");
                    let (digest_tx, digest) = oneshot::channel_named("digest");
                    tokio::spawn(async move {
                        tokio::time::sleep(Duration::from_millis(30)).await;
                        let sum = rows.iter().map(|r| r.len() as u64).sum::<u64>();
                        let _ = digest_tx.send(sum);
                    });
                    let sum = digest.await.expect("the hasher answers");
                    println!("{file}: digest {sum}");
                    tokio::time::sleep(Duration::from_millis(300)).await;
                }
            });
        }
        tokio::time::sleep(Duration::from_millis(900)).await;
        ready();
        park().await
    })
}
