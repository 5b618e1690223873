//! Healthy, under steady load: a timed read that keeps a snapshot upload
//! flowing. A `std::thread` snapshotter, every 400 ms, takes `write()` of
//! a `peeps::sync::blocking::RwLock` of state, bumps its epoch and, still
//! holding it, `blocking_send`s 5 chunks into `chunks` (capacity 1). A
//! uploader receives each chunk and tags it with the epoch if it can
//! `try_read_for(500 ms)` the state (else it sends it untagged), then
//! locks a `Mutex` of upload stats and sleeps 2 ms. So at every snapshot
//! the snapshotter waits for room that only the uploader makes, while the
//! uploader waits, at most 500 ms, for the state the snapshotter holds: a
//! cycle of waits the uploader's timed read breaks, chunk after chunk.
//! Two stats readers read the stats. Every task is a
//! `peeps::spawn_named` one (so peeps sees where the `chunks` receiver
//! is); the locks and channels are not named.
//!
//! Nothing can hang. Expected, in every dump: no deadlock, nothing stuck
//! forever, no potential deadlock.

use examples::{park, ready_when};
use peeps::sync::blocking::RwLock;
use peeps::sync::{Mutex, mpsc};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

#[derive(Default)]
struct State {
    epoch: u64,
    rows: Vec<u64>,
}

#[derive(Default)]
struct UploadStats {
    tagged: u64,
    untagged: u64,
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_uploader_timed_read_vs_snapshot_writer_blocking_send_named");
    let state = Arc::new(RwLock::new(State::default()));
    let stats = Arc::new(Mutex::new(UploadStats::default()));
    let (tx, mut chunks) = mpsc::channel::<Vec<u64>>(1);
    let snapshots = Arc::new(AtomicU64::new(0));

    {
        let (state, snapshots) = (state.clone(), snapshots.clone());
        std::thread::Builder::new()
            .name("snapshotter".into())
            .spawn(move || {
                loop {
                    std::thread::sleep(Duration::from_millis(400));
                    let mut s = state.write();
                    s.epoch += 1;
                    let epoch = s.epoch;
                    s.rows.push(epoch);
                    if s.rows.len() > 64 {
                        s.rows.clear();
                    }
                    for c in 0..5u64 {
                        if tx.blocking_send(vec![epoch, c]).is_err() {
                            return;
                        }
                    }
                    drop(s);
                    snapshots.fetch_add(1, Ordering::Relaxed);
                }
            })
            .expect("spawn the snapshotter");
    }

    let (st, s) = (state.clone(), stats.clone());
    peeps::spawn_named("uploader", async move {
        while let Some(chunk) = chunks.recv().await {
            let epoch = st.try_read_for(Duration::from_millis(500)).map(|g| g.epoch);
            let mut u = s.lock().await;
            match epoch {
                Some(_) => u.tagged += 1,
                None => u.untagged += 1,
            }
            drop(u);
            drop(chunk);
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
    });

    for _ in 0..2 {
        let s = stats.clone();
        peeps::spawn_named("stats-reader", async move {
            loop {
                tokio::time::sleep(Duration::from_millis(25)).await;
                let u = s.lock().await;
                let _ = (u.tagged, u.untagged);
            }
        });
    }

    ready_when(move |_| snapshots.load(Ordering::Relaxed) >= 2);
    park().await
}
