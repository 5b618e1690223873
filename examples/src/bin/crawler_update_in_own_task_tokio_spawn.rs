//! The fixed twin of `crawler_update_awaits_peer_set_tokio_spawn`
//! (ZcashFoundation/zebra#3288: "spawn each `CandidateSet::update`
//! request as a separate task, and wait on their `JoinHandle`s in the
//! main crawler loop"). The crawler dials its seed addresses on a 10 ms
//! handshake timer while an update, spawned with plain `tokio::spawn`,
//! waits for the peer set; the peer set becomes ready with the first
//! handshake and answers. The crawler starts a new update every 150 ms.
//!
//! Expected: no deadlock, nothing stuck forever, no potential deadlock.

use examples::{attr, park, ready_when};
use peeps::graph::NodeKind;
use peeps::sync::{mpsc, oneshot};
use std::collections::VecDeque;
use std::time::Duration;

type Addr = u32;

struct GetPeers {
    reply: oneshot::Sender<Vec<Addr>>,
}

/// Asks the ready peers for more addresses.
#[peeps::instrument]
async fn update(peer_set: mpsc::Sender<GetPeers>) -> Vec<Addr> {
    let (reply, answer) = oneshot::channel_named("peers-reply");
    if peer_set.send(GetPeers { reply }).await.is_err() {
        return Vec::new();
    }
    answer.await.unwrap_or_default()
}

#[peeps::instrument]
async fn crawl_and_dial(peer_set: mpsc::Sender<GetPeers>, new_peers: mpsc::Sender<Addr>) {
    let mut queue: VecDeque<Addr> = (1..=3).collect();
    let mut pending = Some(tokio::spawn(update(peer_set.clone())));
    let mut ticks = 0u32;
    loop {
        // The handshake timer.
        tokio::time::sleep(Duration::from_millis(10)).await;
        ticks += 1;
        if let Some(addr) = queue.pop_front()
            && new_peers.send(addr).await.is_err()
        {
            return;
        }
        if pending.as_ref().is_some_and(|u| u.is_finished()) {
            let addrs = pending.take().expect("finished").await.unwrap_or_default();
            // Keep the queue short: dial a few of the gossiped addresses.
            queue.extend(addrs.into_iter().take(2));
        }
        if pending.is_none() && ticks.is_multiple_of(15) {
            pending = Some(tokio::spawn(update(peer_set.clone())));
        }
    }
}

#[peeps::instrument]
async fn peer_set(mut requests: mpsc::Receiver<GetPeers>, mut new_peers: mpsc::Receiver<Addr>) {
    let mut ready: Vec<Addr> = Vec::new();
    loop {
        while ready.is_empty() {
            match new_peers.recv().await {
                Some(addr) => ready.push(addr),
                None => return,
            }
        }
        tokio::select! {
            addr = new_peers.recv() => match addr {
                Some(addr) => ready.push(addr),
                None => return,
            },
            request = requests.recv() => {
                let Some(GetPeers { reply }) = request else { return };
                let gossip = ready.iter().rev().take(4).map(|a| a * 10 + 1).collect();
                let _ = reply.send(gossip);
            }
        }
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("crawler_update_in_own_task_tokio_spawn");
    let (requests_tx, requests_rx) = mpsc::channel_named("peer-requests", 4);
    let (new_peers_tx, new_peers_rx) = mpsc::channel_named("new-peers", 4);
    tokio::spawn(peer_set(requests_rx, new_peers_rx));
    tokio::spawn(crawl_and_dial(requests_tx, new_peers_tx));
    ready_when(|g| {
        attr(g, NodeKind::Channel, "peer-requests", "received").is_some_and(|n| n >= 2)
            && attr(g, NodeKind::Channel, "new-peers", "received").is_some_and(|n| n >= 5)
    });
    park().await
}
