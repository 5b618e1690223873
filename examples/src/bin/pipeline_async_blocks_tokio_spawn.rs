//! Healthy control: a three-stage pipeline over bounded channels, each
//! stage started with plain `tokio::spawn` as an `async move` block that
//! calls an instrumented function (and logs when it ends).
//!
//! `read_lines` sends into `lines`, `parse` reads `lines` and sends into
//! `records`, and `store` takes an hour per record (a slow database).
//! Every channel has capacity 1, so at the snapshot both upstream stages
//! wait to send; `main` waits for the store stage's tokio `JoinHandle`.
//!
//! Expected: no deadlock, nothing stuck forever.

use examples::{ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::mpsc;
use std::time::Duration;

#[peeps::instrument]
async fn read_lines(lines: mpsc::Sender<String>) {
    for n in 0..1000 {
        if lines.send(format!("{n},{}", n * n)).await.is_err() {
            return;
        }
    }
}

#[peeps::instrument]
async fn parse(mut lines: mpsc::Receiver<String>, records: mpsc::Sender<(u64, u64)>) {
    while let Some(line) = lines.recv().await {
        let mut fields = line.split(',').map(|f| f.parse().unwrap_or(0));
        let record = (fields.next().unwrap_or(0), fields.next().unwrap_or(0));
        if records.send(record).await.is_err() {
            return;
        }
    }
}

#[peeps::instrument]
async fn store(mut records: mpsc::Receiver<(u64, u64)>) -> usize {
    let mut stored = 0;
    while let Some(record) = records.recv().await {
        tokio::time::sleep(Duration::from_secs(3600)).await;
        println!("stored {record:?}");
        stored += 1;
    }
    stored
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("pipeline_async_blocks_tokio_spawn");
    let (lines_tx, lines_rx) = mpsc::channel_named("lines", 1);
    let (records_tx, records_rx) = mpsc::channel_named("records", 1);
    tokio::spawn(async move {
        read_lines(lines_tx).await;
        println!("reader done");
    });
    tokio::spawn(async move {
        parse(lines_rx, records_tx).await;
        println!("parser done");
    });
    let sink = tokio::spawn(async move { store(records_rx).await });
    ready_when(|g| {
        waited_on_for(g, NodeKind::Channel, "lines", "send")
            && waited_on_for(g, NodeKind::Channel, "records", "send")
    });
    println!("stored {:?}", sink.await);
}
