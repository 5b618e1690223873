//! Healthy twin of `forwarders_reserve_before_recv`: the fix that
//! tower-rs/tower#408 and tokio-rs/tokio#2358 led to (and tower#709 for
//! `call_all`): a forwarder reserves a slot of the shared channel only
//! once it has a line in hand, so a quiet source holds no capacity.
//!
//! `tailer` hands a line of source `c` to its forwarder every 20 ms over
//! `lines-c` (capacity 1); sources `a` and `b` stay quiet. Each forwarder
//! loops: receive a line, reserve a slot of `shipments` (capacity 2),
//! send. `shipper` uploads each line for 5 ms.
//!
//! Expected: no deadlock, nothing stuck forever, no potential deadlock.

use examples::{attr, park, ready_when};
use peeps::graph::NodeKind;
use peeps::sync::mpsc;
use std::time::Duration;

#[derive(Debug)]
struct LogLine {
    source: char,
    text: String,
}

#[peeps::instrument]
async fn forward(mut lines: mpsc::Receiver<LogLine>, shipments: mpsc::Sender<LogLine>) {
    // Wait for a line of this source first...
    while let Some(line) = lines.recv().await {
        // ...then hold a slot only as long as it takes to send it.
        let Ok(slot) = shipments.reserve().await else {
            return;
        };
        slot.send(line);
    }
}

#[peeps::instrument]
async fn ship(mut shipments: mpsc::Receiver<LogLine>) {
    while let Some(line) = shipments.recv().await {
        // Upload.
        tokio::time::sleep(Duration::from_millis(5)).await;
        if line.text.ends_with("00 done") {
            println!("shipped {}: {}", line.source, line.text);
        }
    }
}

#[peeps::instrument]
async fn tail(inboxes: [(char, mpsc::Sender<LogLine>); 3]) {
    let mut tick = tokio::time::interval(Duration::from_millis(20));
    for n in 0.. {
        tick.tick().await;
        for (source, inbox) in &inboxes {
            if *source != 'c' {
                continue;
            }
            let line = LogLine {
                source: *source,
                text: format!("request {n} done"),
            };
            if inbox.send(line).await.is_err() {
                return;
            }
        }
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("forwarders_recv_then_reserve");
    let (shipments_tx, shipments_rx) = mpsc::channel_named("shipments", 2);
    peeps::spawn_named("shipper", ship(shipments_rx));
    let (a_tx, a_rx) = mpsc::channel_named("lines-a", 1);
    let (b_tx, b_rx) = mpsc::channel_named("lines-b", 1);
    let (c_tx, c_rx) = mpsc::channel_named("lines-c", 1);
    peeps::spawn_named("forwarder-a", forward(a_rx, shipments_tx.clone()));
    peeps::spawn_named("forwarder-b", forward(b_rx, shipments_tx.clone()));
    peeps::spawn_named("forwarder-c", forward(c_rx, shipments_tx));
    peeps::spawn_named("tailer", tail([('a', a_tx), ('b', b_tx), ('c', c_tx)]));
    ready_when(|g| attr(g, NodeKind::Channel, "shipments", "received").is_some_and(|n| n >= 5));
    park().await
}
