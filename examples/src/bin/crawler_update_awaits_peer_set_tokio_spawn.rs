//! Deadlock from ZcashFoundation/zebra#3288 ("Avoid deadlocks in the
//! crawler by doing address book updates and handshakes in separate
//! tasks": "Zebra can deadlock when `CandidateSet::update` is waiting for
//! ready peers to get more peers, but the PeerSet is waiting for the
//! crawler to send new peers"). The crawler task both updates the
//! candidate set and dials the candidates, one step after the other; its
//! update asks the peer set for addresses and awaits the answer. The
//! peer set answers a request only once it has a ready peer (its
//! `poll_ready`), and ready peers come only from the crawler's
//! handshakes, sent on `new-peers`.
//!
//! Both tasks are started with plain `tokio::spawn`, their bodies
//! `#[peeps::instrument]` fns. The crawler's first update, with no peer
//! connected yet, queues its `GetPeers` request (reply `peers-reply`) on
//! `peer-requests`; the peer set waits for a first peer on `new-peers`,
//! whose sender the crawler keeps for its handshakes.
//!
//! Expected: one `probable` deadlock of the two plain tasks (`tokio task
//! N`): the crawler receiving on `peers-reply` (its sender in an unread
//! message on `peer-requests`, whose receiver is with the peer set) and
//! the peer set receiving on `new-peers` (its sender with the crawler).

use examples::{park, ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::{mpsc, oneshot};
use std::collections::VecDeque;
use std::time::Duration;

type Addr = u32;

struct GetPeers {
    reply: oneshot::Sender<Vec<Addr>>,
}

struct CandidateSet {
    queue: VecDeque<Addr>,
    peer_set: mpsc::Sender<GetPeers>,
}

impl CandidateSet {
    /// Asks the ready peers for more addresses.
    async fn update(&mut self) {
        let (reply, answer) = oneshot::channel_named("peers-reply");
        if self.peer_set.send(GetPeers { reply }).await.is_err() {
            return;
        }
        if let Ok(addrs) = answer.await {
            self.queue.extend(addrs);
        }
    }

    fn next(&mut self) -> Option<Addr> {
        self.queue.pop_front()
    }
}

#[peeps::instrument]
async fn crawl_and_dial(mut candidates: CandidateSet, new_peers: mpsc::Sender<Addr>) {
    loop {
        // Crawl first, so there is someone to dial.
        candidates.update().await;
        while let Some(addr) = candidates.next() {
            // The handshake.
            tokio::time::sleep(Duration::from_millis(10)).await;
            if new_peers.send(addr).await.is_err() {
                return;
            }
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[peeps::instrument]
async fn peer_set(mut requests: mpsc::Receiver<GetPeers>, mut new_peers: mpsc::Receiver<Addr>) {
    let mut ready: Vec<Addr> = Vec::new();
    loop {
        // poll_ready: no request is taken before a peer is ready.
        while ready.is_empty() {
            match new_peers.recv().await {
                Some(addr) => ready.push(addr),
                None => return,
            }
        }
        while let Ok(addr) = new_peers.try_recv() {
            ready.push(addr);
        }
        let Some(GetPeers { reply }) = requests.recv().await else {
            return;
        };
        let gossip = ready.iter().map(|a| a * 10 + 1).collect();
        let _ = reply.send(gossip);
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("crawler_update_awaits_peer_set_tokio_spawn");
    let (requests_tx, requests_rx) = mpsc::channel_named("peer-requests", 4);
    let (new_peers_tx, new_peers_rx) = mpsc::channel_named("new-peers", 4);
    tokio::spawn(peer_set(requests_rx, new_peers_rx));
    let candidates = CandidateSet {
        queue: VecDeque::new(),
        peer_set: requests_tx,
    };
    tokio::spawn(crawl_and_dial(candidates, new_peers_tx));
    ready_when(|g| {
        waited_on_for(g, NodeKind::Channel, "peers-reply", "recv")
            && waited_on_for(g, NodeKind::Channel, "new-peers", "recv")
    });
    park().await
}
