//! Healthy control: a pipeline of three stages over bounded channels,
//! idle while its source sleeps.
//!
//! `reader` produces two lines, then sleeps an hour (waiting for input).
//! `parser` turns lines from `raw` into records on `parsed`; `writer`
//! stores records. The channels are made in `main`, which moves each end
//! into its stage at spawn and then awaits the writer. At the snapshot
//! the parser waits on `raw`, the writer on `parsed`, `main` on the
//! writer: a chain that ends in a sleeping source.
//!
//! Expected: no deadlock, nothing stuck forever.

use examples::{attr, ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::mpsc;
use std::time::Duration;

#[peeps::instrument]
async fn read_lines(raw: mpsc::Sender<String>) {
    for n in 0.. {
        for part in ["a", "b"] {
            if raw.send(format!("{n}:{part}")).await.is_err() {
                return;
            }
        }
        tokio::time::sleep(Duration::from_secs(3600)).await;
    }
}

#[peeps::instrument]
async fn parse(mut raw: mpsc::Receiver<String>, parsed: mpsc::Sender<(u64, String)>) {
    while let Some(line) = raw.recv().await {
        let (n, part) = line.split_once(':').unwrap_or(("0", ""));
        let record = (n.parse().unwrap_or(0), part.to_owned());
        if parsed.send(record).await.is_err() {
            return;
        }
    }
}

#[peeps::instrument]
async fn write(mut parsed: mpsc::Receiver<(u64, String)>) -> usize {
    let mut stored = 0;
    while let Some((n, part)) = parsed.recv().await {
        println!("record {n} {part}");
        stored += 1;
    }
    stored
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("pipeline_three_stages");
    let (raw_tx, raw_rx) = mpsc::channel_named("raw", 2);
    let (parsed_tx, parsed_rx) = mpsc::channel_named("parsed", 2);
    peeps::spawn_named("reader", read_lines(raw_tx));
    peeps::spawn_named("parser", parse(raw_rx, parsed_tx));
    let writer = peeps::spawn_named("writer", write(parsed_rx));

    ready_when(|g| {
        attr(g, NodeKind::Channel, "parsed", "received") == Some(2)
            && waited_on_for(g, NodeKind::Channel, "raw", "recv")
            && waited_on_for(g, NodeKind::Channel, "parsed", "recv")
            && waited_on_for(g, NodeKind::Task, "writer", "join")
    });
    let stored = writer.await.expect("the writer does not panic");
    println!("{stored} records");
}
