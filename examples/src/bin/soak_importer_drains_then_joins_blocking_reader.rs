//! Healthy twin of `importer_joins_blocking_reader_before_draining`:
//! the `importer` drains `rows` (capacity 16) first, handling each row
//! for 5 ms (a sleep), and joins the `spawn_blocking` reader once the
//! channel closes; the reader `blocking_send`s 200 rows per file, so it is
//! mostly blocked on the full channel while the importer works. A new
//! file every round, forever.
//!
//! Expected: in every dump, no deadlock, nothing stuck forever, no
//! potential deadlock.

use examples::{ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::mpsc;
use std::time::Duration;

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_importer_drains_then_joins_blocking_reader");
    let importer = peeps::spawn_named("importer", async move {
        let mut total = 0u64;
        loop {
            let (tx, mut rows) = mpsc::channel_named::<String>("rows", 16);
            let reader = tokio::task::spawn_blocking(move || {
                for i in 0..200 {
                    if tx.blocking_send(format!("{i},widget,{}", i * 3)).is_err() {
                        break;
                    }
                }
            });
            while let Some(_row) = rows.recv().await {
                tokio::time::sleep(Duration::from_millis(5)).await;
                total += 1;
            }
            reader.await.unwrap();
            if total == u64::MAX {
                return total;
            }
        }
    });
    ready_when(|g| waited_on_for(g, NodeKind::Channel, "rows", "send"));
    println!("{}", importer.await.unwrap());
}
