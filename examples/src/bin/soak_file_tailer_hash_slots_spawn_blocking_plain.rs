//! Healthy, under steady load: a log file tailer that hashes what it
//! reads on the blocking pool, bounded by a semaphore.
//!
//! The `appender` (`peeps::spawn_named`) appends a 200-byte line to a
//! file every 3 ms with `tokio::fs`. The tailer, a plain `tokio::spawn`,
//! reads the same file with a `tokio::fs::File` in 4 KiB chunks (at the
//! end of the file it sleeps 20 ms and reads again); for each chunk it
//! takes an owned permit of `hash-slots` (a peeps `Semaphore` of 2) and
//! hands chunk and permit to `JoinSet::spawn_blocking`, where the chunk
//! is hashed (and 60 ms of `std::thread::sleep` stand for a slow digest)
//! and the permit dropped; it collects finished digests with
//! `try_join_next` into `digests` (a peeps `RwLock<Vec<u64>>`). `main`
//! read-locks `digests` every 300 ms.
//!
//! The tailer waits for `hash-slots` while both permits are on blocking
//! threads, and in file reads peeps cannot see. Expected, in every dump:
//! no deadlock, nothing stuck forever, no potential deadlock.

use examples::{ready_when, waited_on};
use peeps::graph::NodeKind;
use peeps::sync::{RwLock, Semaphore};
use std::collections::hash_map::DefaultHasher;
use std::hash::Hasher;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::task::JoinSet;

fn digest(chunk: &[u8]) -> u64 {
    let mut hasher = DefaultHasher::new();
    hasher.write(chunk);
    std::thread::sleep(Duration::from_millis(60));
    hasher.finish()
}

async fn append(mut file: tokio::fs::File) {
    for n in 0u64.. {
        let line = format!("{n:>8} {}\n", "x".repeat(190));
        if file.write_all(line.as_bytes()).await.is_err() {
            return;
        }
        if file.flush().await.is_err() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(3)).await;
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_file_tailer_hash_slots_spawn_blocking_plain");
    let path = std::env::temp_dir().join(format!("peeps-tail-{}.log", std::process::id()));
    let log = tokio::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .await
        .expect("create");
    let hash_slots = Arc::new(Semaphore::new(2).named("hash-slots"));
    let digests = Arc::new(RwLock::new(Vec::<u64>::new()).named("digests"));
    peeps::spawn_named("appender", append(log));
    let mut file = tokio::fs::File::open(&path).await.expect("open");
    // Both handles are open: the name can go, a killed run leaves nothing.
    tokio::fs::remove_file(&path).await.expect("unlink");
    let tail_digests = digests.clone();
    let hashed = Arc::new(AtomicU64::new(0));
    let tail_hashed = hashed.clone();
    tokio::spawn(async move {
        let mut hashers = JoinSet::new();
        let mut buf = vec![0u8; 4096];
        loop {
            let n = match file.read(&mut buf).await {
                Ok(0) => {
                    tokio::time::sleep(Duration::from_millis(20)).await;
                    continue;
                }
                Ok(n) => n,
                Err(_) => return,
            };
            let chunk = buf[..n].to_vec();
            let permit = hash_slots
                .clone()
                .acquire_owned()
                .await
                .expect("never closed");
            hashers.spawn_blocking(move || {
                let _permit = permit;
                digest(&chunk)
            });
            while let Some(done) = hashers.try_join_next() {
                if let Ok(d) = done {
                    tail_digests.write().await.push(d);
                    tail_hashed.fetch_add(1, Ordering::Relaxed);
                }
            }
        }
    });
    let waited = AtomicBool::new(false);
    ready_when(move |g| {
        if waited_on(g, NodeKind::Semaphore, "hash-slots") {
            waited.store(true, Ordering::Relaxed);
        }
        waited.load(Ordering::Relaxed) && hashed.load(Ordering::Relaxed) > 10
    });
    loop {
        tokio::time::sleep(Duration::from_millis(300)).await;
        let digests = digests.read().await;
        std::hint::black_box(digests.last());
    }
}
