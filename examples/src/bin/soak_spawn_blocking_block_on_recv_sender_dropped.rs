//! Healthy twin of `spawn_blocking_block_on_recv_sender_kept`: the
//! `importer` drops its `Import` state (and with it the `rows` sender)
//! before awaiting the blocking writer, which drains `rows` with
//! `Handle::block_on(rows.recv())` and writes each row for 40 ms (a
//! `std::thread::sleep`). Batches of 8 rows are sent 30 ms apart, so the
//! writer also waits in `block_on` for rows while the importer sleeps.
//! Forever.
//!
//! Expected: in every dump, no deadlock, nothing stuck forever, no
//! potential deadlock.

use examples::{ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::mpsc;
use std::time::Duration;

struct Import {
    rows: mpsc::Sender<String>,
    sent: usize,
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_spawn_blocking_block_on_recv_sender_dropped");
    let importer = peeps::spawn_named("importer", async move {
        loop {
            let (tx, mut rx) = mpsc::channel_named::<String>("rows", 16);
            let rt = tokio::runtime::Handle::current();
            let writer = tokio::task::spawn_blocking(move || {
                let mut n = 0;
                while let Some(_row) = rt.block_on(rx.recv()) {
                    std::thread::sleep(Duration::from_millis(40));
                    n += 1;
                }
                n
            });
            let mut imp = Import { rows: tx, sent: 0 };
            for i in 0..8 {
                imp.rows.send(format!("row {i}")).await.unwrap();
                imp.sent += 1;
                tokio::time::sleep(Duration::from_millis(30 + 40 * (i % 2))).await;
            }
            let sent = imp.sent;
            drop(imp);
            let written = writer.await.unwrap();
            assert_eq!(written, sent);
        }
    });
    ready_when(|g| waited_on_for(g, NodeKind::Channel, "rows", "recv"));
    importer.await.unwrap();
}
