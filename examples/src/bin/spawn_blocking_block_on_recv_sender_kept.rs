//! HANG: an `importer` task spawns a blocking CSV writer with
//! `spawn_blocking`; the writer drains the `rows` channel with
//! `Handle::block_on(rows.recv())` until it closes. The importer sends its
//! rows and awaits the writer's `JoinHandle` — but keeps the `rows` sender
//! (it is still a field of its `Import` state), so the channel never
//! closes.
//!
//! Expected: a deadlock of `importer` (awaiting the blocking writer) and
//! the writer (its `block_on` receive on `rows`, whose sender `importer`
//! holds); `main` behind.

use examples::{attr, ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::mpsc;

struct Import {
    rows: mpsc::Sender<String>,
    sent: usize,
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("spawn_blocking_block_on_recv_sender_kept");
    let importer = peeps::spawn_named("importer", async move {
        let (tx, mut rx) = mpsc::channel_named::<String>("rows", 16);
        let rt = tokio::runtime::Handle::current();
        let writer = tokio::task::spawn_blocking(move || {
            let mut n = 0;
            while let Some(_row) = rt.block_on(rx.recv()) {
                n += 1;
            }
            n
        });
        let mut imp = Import { rows: tx, sent: 0 };
        for i in 0..5 {
            imp.rows.send(format!("row {i}")).await.unwrap();
            imp.sent += 1;
        }
        let written = writer.await.unwrap();
        assert_eq!(written, imp.sent);
    });
    ready_when(|g| {
        attr(g, NodeKind::Channel, "rows", "received") == Some(5)
            && waited_on_for(g, NodeKind::Channel, "rows", "recv")
    });
    importer.await.unwrap();
}
