//! Healthy, under sustained backpressure: a log-shipping pipeline of
//! three stages over bounded channels, the last one slow. A `tailer`
//! `std::thread` reads "lines" and `blocking_send`s them into `raw-lines`
//! (capacity 4); a `parse` stage (an `#[peeps::instrument]` fn under plain
//! `tokio::spawn`) turns them into records, sending into `records`
//! (capacity 4); the `shipper` (`peeps::spawn_named`) batches 8 records
//! and "uploads" each batch for 60 ms, counting in `ship-stats` (a
//! `Mutex`). The tailer has 1,500 lines to ship, so for the whole run both
//! channels are full and the tailer and `parse` wait on their sends for
//! long stretches; then the tailer sleeps and sends a line a second.
//!
//! Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock.

use examples::{park, ready_when, waited_on};
use peeps::graph::NodeKind;
use peeps::sync::{Mutex, mpsc};
use std::sync::Arc;
use std::time::Duration;

struct Record {
    level: u8,
    message: String,
}

#[derive(Default)]
struct ShipStats {
    batches: u64,
    records: u64,
}

fn tailer(raw: mpsc::Sender<String>) {
    for n in 0..1500u32 {
        let line = format!(
            "{} service=api took={}ms",
            ["INFO", "WARN", "ERROR"][(n % 3) as usize],
            n % 97
        );
        if raw.blocking_send(line).is_err() {
            return;
        }
    }
    for n in 0u32.. {
        std::thread::sleep(Duration::from_secs(1));
        if raw.blocking_send(format!("INFO heartbeat {n}")).is_err() {
            return;
        }
    }
}

#[peeps::instrument]
async fn parse(mut raw: mpsc::Receiver<String>, records: mpsc::Sender<Record>) {
    while let Some(line) = raw.recv().await {
        let (level, message) = line.split_once(' ').unwrap_or(("INFO", &line));
        let level = match level {
            "ERROR" => 3,
            "WARN" => 2,
            _ => 1,
        };
        let record = Record {
            level,
            message: message.to_owned(),
        };
        if records.send(record).await.is_err() {
            return;
        }
    }
}

async fn shipper(mut records: mpsc::Receiver<Record>, stats: Arc<Mutex<ShipStats>>) {
    let mut batch = Vec::with_capacity(8);
    while records.recv_many(&mut batch, 8).await > 0 {
        let bytes: usize = batch
            .iter()
            .map(|r| r.message.len() + usize::from(r.level))
            .sum();
        // The upload: slow, and the reason for the backpressure.
        tokio::time::sleep(Duration::from_millis(60)).await;
        std::hint::black_box(bytes);
        let mut s = stats.lock().await;
        s.batches += 1;
        s.records += batch.len() as u64;
        batch.clear();
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_log_pipeline_thread_source_slow_sink");
    let (raw_tx, raw_rx) = mpsc::channel_named("raw-lines", 4);
    let (records_tx, records_rx) = mpsc::channel_named("records", 4);
    let stats = Arc::new(Mutex::new(ShipStats::default()).named("ship-stats"));
    peeps::spawn_named("shipper", shipper(records_rx, stats.clone()));
    tokio::spawn(parse(raw_rx, records_tx));
    std::thread::Builder::new()
        .name("tailer".into())
        .spawn(move || tailer(raw_tx))
        .expect("tailer thread");
    ready_when(move |snap| {
        stats.try_lock().is_ok_and(|s| s.batches >= 5)
            && waited_on(snap, NodeKind::Channel, "raw-lines")
            && waited_on(snap, NodeKind::Channel, "records")
    });
    park().await
}
