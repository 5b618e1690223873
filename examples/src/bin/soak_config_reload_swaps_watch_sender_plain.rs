//! Healthy, steady: a config hot-reload whose `watch::Sender<Config>` is
//! kept in a `blocking::RwLock` (`config-tx`) and swapped for a fresh one
//! on a schema change; workers that see their watch close subscribe again
//! from the lock. The workers and the operator are plain `tokio::spawn`;
//! the reloader and the dispatcher are `peeps::spawn_named`.
//!
//! `config-reloader` reads `reload-requests`: a plain reload publishes the
//! new config with `send_replace` under a read of `config-tx`; a schema
//! change makes a new `config` watch and writes its sender into the lock,
//! dropping the old one. Each worker `select!`s `changed()` on its
//! `config` receiver (on an error it subscribes again, under a read) and
//! its `worker-jobs` inbox, which `dispatcher` feeds round robin (the
//! senders in a `Vec`) for a burst of 60 jobs, then one a minute. The
//! operator asks for six reloads, two of them schema changes, then
//! sleeps.
//!
//! Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock.

use examples::{park, ready_when};
use peeps::sync::{blocking, mpsc, watch};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

#[derive(Clone, Debug)]
struct Config {
    version: u64,
    schema: u64,
    batch: usize,
}

type ConfigTx = Arc<blocking::RwLock<watch::Sender<Config>>>;

enum Reload {
    Values,
    Schema,
}

async fn config_reloader(
    mut requests: mpsc::Receiver<Reload>,
    config_tx: ConfigTx,
    reloads: Arc<AtomicU64>,
) {
    let mut version = 0;
    let mut schema = 0;
    while let Some(request) = requests.recv().await {
        version += 1;
        match request {
            Reload::Values => {
                let config = Config {
                    version,
                    schema,
                    batch: 8 + version as usize,
                };
                config_tx.read().send_replace(config);
            }
            Reload::Schema => {
                schema += 1;
                let config = Config {
                    version,
                    schema,
                    batch: 8,
                };
                let (tx, _) = watch::channel_named("config", config);
                // The old sender drops here: its receivers see it close.
                *config_tx.write() = tx;
            }
        }
        reloads.fetch_add(1, Ordering::Relaxed);
    }
}

async fn worker(config_tx: ConfigTx, mut jobs: mpsc::Receiver<u64>, done: Arc<AtomicU64>) {
    let mut config = config_tx.read().subscribe();
    let mut seen = config.borrow_and_update().clone();
    loop {
        tokio::select! {
            changed = config.changed() => {
                if changed.is_err() {
                    // A schema change: the sender was replaced.
                    config = config_tx.read().subscribe();
                }
                seen = config.borrow_and_update().clone();
            }
            job = jobs.recv() => {
                let Some(job) = job else { return };
                std::hint::black_box((job, seen.version, seen.schema, seen.batch));
                done.fetch_add(1, Ordering::Relaxed);
            }
        }
    }
}

async fn dispatcher(workers: Vec<mpsc::Sender<u64>>) {
    for job in 0u64.. {
        let _ = workers[job as usize % workers.len()].send(job).await;
        let pause = if job < 60 { 10 } else { 60_000 };
        tokio::time::sleep(Duration::from_millis(pause)).await;
    }
}

async fn operator(requests: mpsc::Sender<Reload>) {
    for n in 0..6 {
        tokio::time::sleep(Duration::from_millis(70)).await;
        let request = if n % 3 == 1 {
            Reload::Schema
        } else {
            Reload::Values
        };
        let _ = requests.send(request).await;
    }
    tokio::time::sleep(Duration::from_secs(3600)).await;
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_config_reload_swaps_watch_sender_plain");
    let initial = Config {
        version: 0,
        schema: 0,
        batch: 8,
    };
    let (tx, _) = watch::channel_named("config", initial);
    let config_tx: ConfigTx = Arc::new(blocking::RwLock::new(tx).named("config-tx"));
    let reloads = Arc::new(AtomicU64::new(0));
    let done = Arc::new(AtomicU64::new(0));
    let mut inboxes = Vec::new();
    for _ in 0..3 {
        let (tx, rx) = mpsc::channel_named("worker-jobs", 8);
        inboxes.push(tx);
        tokio::spawn(worker(config_tx.clone(), rx, done.clone()));
    }
    let (requests, request_rx) = mpsc::channel_named("reload-requests", 4);
    peeps::spawn_named(
        "config-reloader",
        config_reloader(request_rx, config_tx, reloads.clone()),
    );
    peeps::spawn_named("dispatcher", dispatcher(inboxes));
    tokio::spawn(operator(requests));
    ready_when(move |_| reloads.load(Ordering::Relaxed) >= 6 && done.load(Ordering::Relaxed) >= 60);
    park().await
}
