//! Healthy twin of `watch_two_borrows_behind_send_replace`: the fix of
//! fedimint/fedimint#9085. The status endpoint copies what it needs out
//! of the `p2p-status` watch in separate statements, each `Ref` dropped
//! at the end of its statement, before it reads the session count, so
//! it never holds a read of the watch while asking for another.
//!
//! `p2p-connections` publishes with `send_replace` every 20 ms;
//! `api-status` answers a status request every 30 ms, its slow session
//! count (an async database read) between the copies.
//!
//! Expected: no deadlock, nothing stuck forever, no potential deadlock.

use examples::{attr, park, ready_when};
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

/// How many sessions the federation has had: a database read.
async fn session_count() -> u64 {
    tokio::time::sleep(Duration::from_millis(10)).await;
    3
}

#[peeps::instrument]
async fn federation_status(p2p: &watch::Receiver<P2pStatus>) -> PeerStatus {
    let connected = p2p.borrow().connected.is_some();
    let sessions = session_count().await;
    let last_contribution = p2p.borrow().last_contribution;
    PeerStatus {
        connected,
        flagged: sessions > last_contribution + 1,
    }
}

#[peeps::instrument]
async fn serve_status(p2p: watch::Receiver<P2pStatus>) {
    loop {
        let status = federation_status(&p2p).await;
        if status.flagged && !status.connected {
            println!("status: {status:?}");
        }
        tokio::time::sleep(Duration::from_millis(30)).await;
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
    peeps::install_sigusr1("watch_status_copied_out_send_replace");
    let (p2p_tx, p2p_rx) = watch::channel_named("p2p-status", P2pStatus::default());
    peeps::spawn_named("p2p-connections", publish_connections(p2p_tx));
    peeps::spawn_named("api-status", serve_status(p2p_rx));
    ready_when(|g| attr(g, NodeKind::Channel, "p2p-status", "sent").is_some_and(|n| n >= 10));
    park().await
}
