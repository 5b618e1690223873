//! Deadlock: two actors each blocked sending into the other's full bounded
//! channel.
//!
//! `ping` and `pong` each own an inbox (capacity 1) and answer every
//! message with two messages to the other. `ping` opens the conversation;
//! since it only grows, both end up sending into a full inbox while
//! neither receives.
//!
//! Each actor creates its own inbox and hands out only the sender (through
//! `main`, which wires them together), and receives from it before the
//! deadlock. That matters to peeps: a channel endpoint is attributed to
//! the task that created, cloned or last used it, and is confirmed only
//! once that task uses it; an unconfirmed one releases nothing peeps can
//! name (it may have moved). An inbox created in `main` and moved into an
//! actor that never receives stays unconfirmed, and the deadlock is not
//! found (see `channel_actors_natural`).
//!
//! Expected: one `certain` deadlock of `ping` and `pong` over channels
//! `ping-inbox` and `pong-inbox`.

use examples::{park, ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::{mpsc, oneshot};

type Inbox = mpsc::Sender<u64>;

#[peeps::instrument]
async fn actor(
    name: &'static str,
    register: oneshot::Sender<Inbox>,
    peer: oneshot::Receiver<Inbox>,
    opens: bool,
) {
    let (me, mut inbox) = mpsc::channel_named(format!("{name}-inbox"), 1);
    register.send(me).expect("main waits for the inbox");
    let peer = peer.await.expect("main wires the peer");
    if opens {
        peer.send(0).await.expect("peer is alive");
    }
    while let Some(n) = inbox.recv().await {
        // Every message is answered twice: the conversation only grows.
        for _ in 0..2 {
            if peer.send(n + 1).await.is_err() {
                return;
            }
        }
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("channel_actors_full");
    let (ping_inbox_tx, ping_inbox_rx) = oneshot::channel();
    let (ping_peer_tx, ping_peer_rx) = oneshot::channel();
    let (pong_inbox_tx, pong_inbox_rx) = oneshot::channel();
    let (pong_peer_tx, pong_peer_rx) = oneshot::channel();
    peeps::spawn_named("ping", actor("ping", ping_inbox_tx, ping_peer_rx, true));
    peeps::spawn_named("pong", actor("pong", pong_inbox_tx, pong_peer_rx, false));
    let ping_inbox = ping_inbox_rx.await.expect("ping registers");
    let pong_inbox = pong_inbox_rx.await.expect("pong registers");
    ping_peer_tx.send(pong_inbox).expect("ping is waiting");
    pong_peer_tx.send(ping_inbox).expect("pong is waiting");

    ready_when(|g| {
        waited_on_for(g, NodeKind::Channel, "ping-inbox", "send")
            && waited_on_for(g, NodeKind::Channel, "pong-inbox", "send")
    });
    park().await
}
