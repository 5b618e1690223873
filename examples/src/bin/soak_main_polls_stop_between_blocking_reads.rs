//! Healthy: `#[tokio::main]` reads a sensor synchronously (a blocking
//! 300 ms read, `std::thread::sleep`, right in the async body) and sends
//! each reading to the `writer` peeps task over `lines`. Between reads it
//! checks, without waiting, whether a peeps `Notify` ("stop") fired: the
//! `notified()` future is pinned once and polled with `futures::poll!` each
//! turn (so it stays registered). The writer would notify "stop" on a
//! write error (never here). Most of the time `main`'s thread is in its
//! blocking read, the writer waits on `lines`.
//!
//! Expected: in every dump, no deadlock, nothing stuck forever.

use examples::{ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::{Notify, mpsc};
use std::sync::Arc;
use std::time::Duration;

fn read_sensor() -> String {
    std::thread::sleep(Duration::from_millis(300)); // a blocking device read
    "21.5C".to_string()
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_main_polls_stop_between_blocking_reads");
    let stop = Arc::new(Notify::new().named("stop"));
    let (lines_tx, mut lines_rx) = mpsc::channel_named::<String>("lines", 16);
    let on_error = stop.clone();
    peeps::spawn_named("writer", async move {
        let mut out = Vec::new();
        while let Some(line) = lines_rx.recv().await {
            out.push(line);
            if out.len() > 1_000_000 {
                on_error.notify_one(); // disk full
                break;
            }
        }
    });
    ready_when(|g| {
        examples::attr(g, NodeKind::Channel, "lines", "received").is_some_and(|n| n >= 2)
            && waited_on_for(g, NodeKind::Channel, "lines", "recv")
    });
    let stopped = stop.notified();
    tokio::pin!(stopped);
    loop {
        if futures::poll!(stopped.as_mut()).is_ready() {
            break;
        }
        let line = read_sensor();
        if lines_tx.send(line).await.is_err() {
            break;
        }
    }
}
