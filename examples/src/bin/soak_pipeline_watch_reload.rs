//! Healthy, under steady load: a four-stage pipeline of plain
//! `tokio::spawn` tasks joined by bounded channels of capacity 2
//! (`raw` → `parsed` → `enriched` → `out`); a source produces as fast as it
//! can, the third stage (enrich) is slow (1.2 s a record), so `raw` and
//! `parsed` stay full. Every stage `select!`s between its input and a
//! `watch` config (`config`) that a reloader bumps every 200 ms, and reads
//! the current config under a `peeps::sync::RwLock` (`rules`) that the
//! reloader writes each time. Multi-thread runtime.
//!
//! Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock. Long waits are honest: the source and the parser
//! sending into full channels behind the slow stage.

use examples::ready_when;
use peeps::sync::{RwLock, mpsc, watch};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

type Rules = Arc<RwLock<u64>>;

fn stage(
    mut input: mpsc::Receiver<u64>,
    output: mpsc::Sender<u64>,
    mut config: watch::Receiver<u64>,
    rules: Rules,
    work: Duration,
) {
    tokio::spawn(async move {
        loop {
            tokio::select! {
                changed = config.changed() => {
                    if changed.is_err() { return; }
                }
                item = input.recv() => {
                    let Some(item) = item else { return };
                    let factor = *rules.read().await;
                    tokio::time::sleep(work).await;
                    if output.send(item + factor).await.is_err() {
                        return;
                    }
                }
            }
        }
    });
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_pipeline_watch_reload");
    let (config_tx, config) = watch::channel_named("config", 0u64);
    let rules: Rules = Arc::new(RwLock::new(1).named("rules"));
    let (raw_tx, raw) = mpsc::channel_named("raw", 2);
    let (parsed_tx, parsed) = mpsc::channel_named("parsed", 2);
    let (enriched_tx, enriched) = mpsc::channel_named("enriched", 2);
    let (out_tx, mut out) = mpsc::channel_named("out", 2);
    stage(
        raw,
        parsed_tx,
        config.clone(),
        rules.clone(),
        Duration::from_millis(5),
    );
    stage(
        parsed,
        enriched_tx,
        config.clone(),
        rules.clone(),
        Duration::from_millis(1200),
    );
    stage(
        enriched,
        out_tx,
        config.clone(),
        rules.clone(),
        Duration::from_millis(5),
    );
    tokio::spawn(async move {
        for n in 0u64.. {
            if raw_tx.send(n).await.is_err() {
                return;
            }
        }
    });
    let reload_rules = rules.clone();
    tokio::spawn(async move {
        let mut every = tokio::time::interval(Duration::from_millis(200));
        for version in 1u64.. {
            every.tick().await;
            *reload_rules.write().await = version % 7 + 1;
            let _ = config_tx.send(version);
        }
    });
    let written = Arc::new(AtomicU64::new(0));
    let seen = written.clone();
    ready_when(move |_| seen.load(Ordering::Relaxed) >= 2);
    while out.recv().await.is_some() {
        written.fetch_add(1, Ordering::Relaxed);
    }
}
