//! Healthy, mostly idle: a write-ahead log on a thread of its own. A
//! `std::thread` builds a current-thread runtime
//! (`tokio::runtime::Builder::new_current_thread()`) and `block_on`s a loop
//! that `select!`s `records.recv()` (an `mpsc` of capacity 64 from the main
//! runtime) against a 10 s `interval` (`interval_at`: the first flush 10 s in): records are
//! buffered; each tick flushes the buffer and sends an ack on `acks`
//! (capacity 4); a first ack (0 bytes) says the log is open. A plain
//! writer task on the main runtime waits for it, then sends a batch of
//! records and waits for the ack before the next batch (backpressure).
//!
//! Between ticks the log thread waits on its timer (which peeps cannot see)
//! and on `records`, whose sender the writer keeps, while the writer waits
//! on `acks`, whose sender the log thread keeps: idle, not stuck; the next
//! tick moves both. Expected, in every dump: no deadlock, nothing stuck
//! forever, no potential deadlock.

use examples::ready_when;
use peeps::graph::NodeKind;
use peeps::sync::mpsc;
use std::time::Duration;

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_wal_thread_runtime_flush_tick_acks_plain");
    let (records, mut record_rx) = mpsc::channel::<Vec<u8>>(64);
    let (acks_tx, mut acks) = mpsc::channel::<usize>(4);
    std::thread::Builder::new()
        .name("wal".into())
        .spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("wal runtime");
            rt.block_on(async move {
                // The log is open: say so (0 bytes durable).
                if acks_tx.send(0).await.is_err() {
                    return;
                }
                let mut buffer: Vec<Vec<u8>> = Vec::new();
                let period = Duration::from_secs(10);
                let mut flush =
                    tokio::time::interval_at(tokio::time::Instant::now() + period, period);
                loop {
                    tokio::select! {
                        record = record_rx.recv() => match record {
                            Some(record) => buffer.push(record),
                            None => return,
                        },
                        _ = flush.tick() => {
                            let flushed = buffer.drain(..).map(|r| r.len()).sum();
                            if acks_tx.send(flushed).await.is_err() {
                                return;
                            }
                        }
                    }
                }
            });
        })
        .expect("wal thread");

    ready_when(|g| {
        g.edges.iter().any(|e| {
            e.attrs.get("op").and_then(|v| v.as_str()) == Some("recv")
                && g.nodes
                    .iter()
                    .any(|n| n.id == e.from && n.kind == NodeKind::Thread && n.name == "thread wal")
        }) && g.edges.iter().any(|e| {
            e.attrs.get("op").and_then(|v| v.as_str()) == Some("recv")
                && g.nodes
                    .iter()
                    .any(|n| n.id == e.from && n.kind == NodeKind::Task)
        })
    });
    let writer = tokio::spawn(async move {
        // Wait for the log to open.
        if acks.recv().await.is_none() {
            return;
        }
        for batch in 0u64.. {
            for n in 0..8u8 {
                if records.send(vec![n; 16]).await.is_err() {
                    return;
                }
            }
            match acks.recv().await {
                Some(bytes) => println!("batch {batch}: {bytes} bytes durable"),
                None => return,
            }
        }
    });
    writer.await.expect("writer");
}
