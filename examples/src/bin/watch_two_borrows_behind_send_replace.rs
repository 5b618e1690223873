//! Deadlock: a status endpoint holds two `borrow()`s of the same `watch`
//! channel at once while another task's `send_replace` on that channel
//! queues between them (fedimint/fedimint#9085: a guardian wedged for
//! 22 hours; `get_federation_status()` built its status literal borrowing
//! the p2p status watch twice, and the p2p task's `send_replace` writer
//! queued between the two read guards).
//!
//! tokio's watch keeps its value behind a blocking, task-fair `RwLock`:
//! `borrow()` takes its read side, `send_replace` its write side. A read
//! asked for while a writer waits blocks behind the writer, and the
//! writer waits for the first read. Both worker threads park for good.
//!
//! `p2p-connections` publishes the peers' connection status on the
//! `p2p-status` watch every 20 ms. `api-status` answers a status request:
//! it borrows `p2p-status` for the connection state, reads the session
//! count from the database (a blocking read under `block_in_place`;
//! here it returns once the p2p task's next publish has queued, the
//! moment the race in the report needed), and borrows `p2p-status` again,
//! in the same expression, for the flag.
//!
//! Expected: one `certain` deadlock of `api-status` (its second read of
//! `p2p-status` waits behind the queued writer, its first read still
//! held) and `p2p-connections` (its write of `p2p-status` waits for the
//! read held by `api-status`); both are blocking polls.

use examples::{park, ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::watch;
use std::time::Duration;

#[derive(Clone, Debug, Default)]
struct P2pStatus {
    connected: Option<u32>,
    last_contribution: u64,
}

#[derive(Debug)]
struct PeerStatus {
    connected: bool,
    flagged: bool,
}

/// How many sessions the federation has had: a blocking read of the
/// database, run with `block_in_place` (the runtime hands this worker's
/// queue to another thread meanwhile). Here it returns once the p2p
/// task's next publish is queued on `p2p-status`.
fn session_count() -> u64 {
    tokio::task::block_in_place(|| {
        while !waited_on_for(&peeps::snapshot(), NodeKind::Channel, "p2p-status", "write") {
            std::thread::sleep(Duration::from_millis(5));
        }
        // The writer is between its edge and its park: let it park.
        std::thread::sleep(Duration::from_millis(100));
        3
    })
}

#[peeps::instrument]
async fn federation_status(p2p: watch::Receiver<P2pStatus>) -> PeerStatus {
    // Let the p2p task publish a few times first.
    tokio::time::sleep(Duration::from_millis(100)).await;
    PeerStatus {
        connected: p2p.borrow().connected.is_some(),
        flagged: session_count() > p2p.borrow().last_contribution + 1,
    }
}

#[peeps::instrument]
async fn publish_connections(p2p: watch::Sender<P2pStatus>) {
    let mut tick = tokio::time::interval(Duration::from_millis(20));
    let mut round: u64 = 0;
    loop {
        tick.tick().await;
        round += 1;
        p2p.send_replace(P2pStatus {
            connected: Some((round % 4) as u32),
            last_contribution: round,
        });
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 4)]
async fn main() {
    peeps::install_sigusr1("watch_two_borrows_behind_send_replace");
    let (p2p_tx, p2p_rx) = watch::channel_named("p2p-status", P2pStatus::default());
    peeps::spawn_named("p2p-connections", publish_connections(p2p_tx));
    peeps::spawn_named("api-status", async move {
        let status = federation_status(p2p_rx).await;
        println!("connected {}, flagged {}", status.connected, status.flagged);
    });
    ready_when(|g| {
        waited_on_for(g, NodeKind::Channel, "p2p-status", "write")
            && examples::polling(g, "api-status")
    });
    park().await
}
