//! Deadlock: forwarders that reserve a slot of a shared bounded channel
//! before they wait for something to put in it (tower-rs/tower#408 and
//! tokio-rs/tokio#2358: "If many such forwarders exist, and they all
//! forward into a single (cloned) sender, then any number of forwarders
//! may be waiting for `rx.next` at the same time. While they do, they are
//! effectively each reducing the channel's capacity by 1 ... and the
//! system will deadlock"; tower's `Buffer` reserves its slot in
//! `poll_ready` the same way, zebra#1593).
//!
//! A log shipper: `tailer` reads the log files and hands each line to the
//! forwarder of its source over that source's inbox (`lines-a`,
//! `lines-b`, `lines-c`, capacity 1). Each forwarder loops: reserve a
//! slot of `shipments` (capacity 2), receive a line, send it through the
//! permit. `shipper` receives from `shipments`. Sources `a` and `b` are
//! quiet: their forwarders hold both slots while they wait for a line.
//! Source `c` is busy: its forwarder waits for a slot, and `tailer` waits
//! to hand it its second line, holding the senders of the quiet inboxes.
//!
//! Expected: one `certain` deadlock of `tailer` (sending into full
//! `lines-c`, received by `forwarder-c`), `forwarder-c` (reserving a slot
//! of `shipments`, both reserved by `forwarder-a` and `forwarder-b`) and
//! `forwarder-a`, `forwarder-b` (receiving on `lines-a`, `lines-b`, whose
//! senders are with `tailer`); `shipper` behind it (receiving on
//! `shipments`, whose senders are with the forwarders).

use examples::{park, ready_when, waited_on_for};
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
    loop {
        // Ready to ship: hold a slot...
        let Ok(slot) = shipments.reserve().await else {
            return;
        };
        // ...then wait for the next line of this source.
        let Some(line) = lines.recv().await else {
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
        println!("shipped {}: {}", line.source, line.text);
    }
}

#[peeps::instrument]
async fn tail(inboxes: [(char, mpsc::Sender<LogLine>); 3]) {
    // Only source c writes, two lines at once.
    for n in 0..2 {
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
    // Then wait for more.
    std::future::pending::<()>().await;
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("forwarders_reserve_before_recv");
    let (shipments_tx, shipments_rx) = mpsc::channel_named("shipments", 2);
    peeps::spawn_named("shipper", ship(shipments_rx));
    let (a_tx, a_rx) = mpsc::channel_named("lines-a", 1);
    let (b_tx, b_rx) = mpsc::channel_named("lines-b", 1);
    let (c_tx, c_rx) = mpsc::channel_named("lines-c", 1);
    peeps::spawn_named("forwarder-a", forward(a_rx, shipments_tx.clone()));
    peeps::spawn_named("forwarder-b", forward(b_rx, shipments_tx.clone()));
    // The quiet sources' forwarders started first and hold their slots:
    // wait for that, so the run is the same every time.
    while shipments_tx.capacity() > 0 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    peeps::spawn_named("forwarder-c", forward(c_rx, shipments_tx));
    peeps::spawn_named("tailer", tail([('a', a_tx), ('b', b_tx), ('c', c_tx)]));
    ready_when(|g| {
        waited_on_for(g, NodeKind::Channel, "lines-c", "send")
            && waited_on_for(g, NodeKind::Channel, "lines-a", "recv")
            && waited_on_for(g, NodeKind::Channel, "lines-b", "recv")
    });
    park().await
}
