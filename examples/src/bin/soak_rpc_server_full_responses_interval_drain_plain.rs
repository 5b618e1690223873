//! Healthy: a request/response service whose client drains responses on a
//! timer. The server is a plain `tokio::spawn` task that reads `requests`
//! (sender kept by `main`) and sends each answer into `responses`
//! (capacity 2); it spends most of its time waiting for room there. `main`
//! queues 12 requests per round, then takes one response per 500 ms
//! `interval` tick until it has all 12, awaiting `responses.recv()` right
//! after each tick.
//!
//! Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock.

use examples::ready_when;
use peeps::graph::NodeKind;
use peeps::sync::mpsc;
use std::time::Duration;

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_rpc_server_full_responses_interval_drain_plain");
    let (requests, mut request_rx) = mpsc::channel_named::<u64>("requests", 16);
    let (responses, mut response_rx) = mpsc::channel_named::<(u64, u64)>("responses", 2);
    tokio::spawn(async move {
        while let Some(id) = request_rx.recv().await {
            if responses.send((id, id * id)).await.is_err() {
                return;
            }
        }
    });
    ready_when(|snap| examples::waited_on_for(snap, NodeKind::Channel, "responses", "send"));
    let mut tick = tokio::time::interval(Duration::from_millis(500));
    let mut next = 0;
    loop {
        for _ in 0..12 {
            next += 1;
            if requests.send(next).await.is_err() {
                return;
            }
        }
        for _ in 0..12 {
            tick.tick().await;
            let Some(response) = response_rx.recv().await else {
                return;
            };
            std::hint::black_box(response);
        }
    }
}
