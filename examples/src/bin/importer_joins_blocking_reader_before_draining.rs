//! HANG: an `importer` peeps task reads a CSV file on the blocking pool:
//! a `spawn_blocking` reader `blocking_send`s each row into a bounded
//! peeps channel ("rows", capacity 16). The importer awaits the reader's
//! `JoinHandle` first ("make sure the file was read") and only then
//! drains `rows`: the reader blocks on the 17th row, the importer waits for
//! the reader forever.
//!
//! Expected: a deadlock of the `importer` (joining the blocking task) and
//! the blocking reader (sending on `rows`, whose receiver the importer
//! holds); `main` behind.

use examples::{ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::mpsc;

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("importer_joins_blocking_reader_before_draining");
    let importer = peeps::spawn_named("importer", async move {
        let (tx, mut rows) = mpsc::channel_named::<String>("rows", 16);
        let reader = tokio::task::spawn_blocking(move || {
            for i in 0..100 {
                if tx.blocking_send(format!("{i},widget,{}", i * 3)).is_err() {
                    break;
                }
            }
        });
        reader.await.unwrap();
        let mut n = 0;
        while let Some(_row) = rows.recv().await {
            n += 1;
        }
        n
    });
    ready_when(|g| waited_on_for(g, NodeKind::Channel, "rows", "send"));
    println!("{}", importer.await.unwrap());
}
