//! Healthy: as `soak_main_polls_stop_between_blocking_reads`, but the
//! stop signal is a peeps `watch` ("writer-state") whose sender the
//! `writer` task keeps (it would publish `true` on a write error, never
//! here): `main` pins one `changed()` future and polls it with
//! `futures::poll!` between its blocking sensor reads (300 ms,
//! `std::thread::sleep`), then sends each reading on `lines`.
//!
//! Expected: in every dump, no deadlock, nothing stuck forever.

use examples::{ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::{mpsc, watch};
use std::time::Duration;

fn read_sensor() -> String {
    std::thread::sleep(Duration::from_millis(300)); // a blocking device read
    "21.5C".to_string()
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_main_polls_watch_stop_between_blocking_reads");
    let (state_tx, mut state_rx) = watch::channel_named("writer-state", false);
    let (lines_tx, mut lines_rx) = mpsc::channel_named::<String>("lines", 16);
    peeps::spawn_named("writer", async move {
        let mut out = Vec::new();
        while let Some(line) = lines_rx.recv().await {
            out.push(line);
            if out.len() > 1_000_000 {
                let _ = state_tx.send(true); // disk full
                break;
            }
        }
    });
    ready_when(|g| {
        examples::attr(g, NodeKind::Channel, "lines", "received").is_some_and(|n| n >= 2)
            && waited_on_for(g, NodeKind::Channel, "lines", "recv")
    });
    let failed = state_rx.changed();
    tokio::pin!(failed);
    loop {
        if futures::poll!(failed.as_mut()).is_ready() {
            break;
        }
        let line = read_sensor();
        if lines_tx.send(line).await.is_err() {
            break;
        }
    }
}
