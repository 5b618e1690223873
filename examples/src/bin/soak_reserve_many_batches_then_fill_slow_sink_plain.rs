//! Healthy, under steady load: producers that reserve room for a whole
//! batch before they build it. Four plain producers loop: `reserve_many(3)`
//! slots of `rows` (a bounded `mpsc` of 6), then, holding those slots,
//! take `source` for a moment to read three rows (a 2 ms "read") and fill
//! each slot with `Permit::send`. A plain sink receives a row at a time
//! and keeps `sink-file` across a 15 ms "write"; a plain rotator takes
//! `sink-file` every 200 ms for 50 ms. The sink never takes `source`.
//!
//! Producers wait on `rows` for room (its receiver with the sink, on a
//! timer or waiting on `sink-file`, held on a timer) and on `source`.
//!
//! Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock.

use examples::{park, ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::{Mutex, mpsc};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_reserve_many_batches_then_fill_slow_sink_plain");
    let (tx, mut rx) = mpsc::channel::<(u64, u64)>(6);
    let tx = tx.named("rows");
    let source = Arc::new(Mutex::new(0u64).named("source"));
    let sink_file = Arc::new(Mutex::new(Vec::<u64>::new()).named("sink-file"));
    let written = Arc::new(AtomicU64::new(0));
    for p in 0..4u64 {
        let tx = tx.clone();
        let source = source.clone();
        tokio::spawn(async move {
            loop {
                let Ok(slots) = tx.reserve_many(3).await else {
                    return;
                };
                let rows: Vec<u64> = {
                    let mut cursor = source.lock().await;
                    tokio::time::sleep(Duration::from_millis(2)).await;
                    let start = *cursor;
                    *cursor += 3;
                    (start..start + 3).collect()
                };
                for (slot, row) in slots.zip(rows) {
                    slot.send((p, row));
                }
            }
        });
    }
    drop(tx);
    {
        let sink_file = sink_file.clone();
        let written = written.clone();
        tokio::spawn(async move {
            while let Some((_, row)) = rx.recv().await {
                let mut file = sink_file.lock().await;
                tokio::time::sleep(Duration::from_millis(15)).await;
                file.push(row);
                written.fetch_add(1, Ordering::Relaxed);
            }
        });
    }
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_millis(200)).await;
            let mut file = sink_file.lock().await;
            tokio::time::sleep(Duration::from_millis(50)).await;
            file.clear();
        }
    });
    ready_when(move |g| {
        written.load(Ordering::Relaxed) >= 20 && waited_on_for(g, NodeKind::Channel, "rows", "send")
    });
    park().await
}
