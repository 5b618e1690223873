//! Healthy: as `soak_main_select_commands_or_blocking_serial_read`, but
//! the loop runs in a plain `tokio::spawn` task ("serial") that `main`
//! awaits (its `JoinHandle`). The task talks to a serial device with a blocking
//! read (1 s timeout, `std::thread::sleep` here) inside a `biased`
//! `tokio::select!` that first checks the `commands` peeps channel (from
//! the `uploader` task: "pause"/"resume" on backpressure, never sent here)
//! and otherwise does the read in an `async` block. Each reading goes to
//! the `uploader` over `readings`. The uploader waits on `readings`.
//!
//! Expected: in every dump, no deadlock, nothing stuck forever.

use examples::{ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::mpsc;
use std::time::Duration;

fn serial_read() -> Vec<u8> {
    std::thread::sleep(Duration::from_secs(1)); // blocking read, 1 s timeout
    b"T=21.5".to_vec()
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    peeps::install_sigusr1("soak_plain_task_select_commands_or_blocking_serial_read");
    let (readings_tx, mut readings_rx) = mpsc::channel_named::<Vec<u8>>("readings", 64);
    let (commands_tx, mut commands_rx) = mpsc::channel_named::<&'static str>("commands", 4);
    peeps::spawn_named("uploader", async move {
        let mut backlog = 0usize;
        while let Some(r) = readings_rx.recv().await {
            backlog += r.len();
            if backlog > 1 << 30 && commands_tx.send("pause").await.is_err() {
                break;
            }
        }
    });
    ready_when(|g| {
        examples::attr(g, NodeKind::Channel, "readings", "received").is_some_and(|n| n >= 1)
            && waited_on_for(g, NodeKind::Channel, "readings", "recv")
    });
    let serial = tokio::spawn(async move {
        let mut paused = false;
        loop {
            tokio::select! {
                biased;
                cmd = commands_rx.recv() => match cmd {
                    Some(c) => paused = c == "pause",
                    None => break,
                },
                r = async { serial_read() }, if !paused => {
                    if readings_tx.send(r).await.is_err() {
                        break;
                    }
                    tokio::task::yield_now().await; // let the uploader run
                }
            }
        }
    });
    let _ = serial.await;
}
