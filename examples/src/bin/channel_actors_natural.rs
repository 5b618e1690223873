//! Deadlock, written the natural way: two actors whose inboxes are created
//! in `main`, each greeting the other with a burst before receiving.
//!
//! `main` creates both bounded inboxes (capacity 2), moves each receiver
//! into its actor and the other's sender too, and awaits both actors.
//! Each actor first sends a burst of four greetings, then would start
//! receiving: both block sending into a full inbox before either receives.
//!
//! Neither actor ever uses its receiver before the deadlock. peeps follows
//! each receiver as it moves into its actor at spawn (it finds the handle
//! in the future given to `peeps::spawn_named`), and at the snapshot finds
//! it still in that actor's own state: each receiver is held by its actor,
//! proven.
//!
//! Expected: one `certain` deadlock of `ping` and `pong` over channels
//! `ping-inbox` and `pong-inbox`, each step `receiver held by task "..."
//! (moved in at spawn)` (evidence `spawned`, in its state), with the `main`
//! thread behind it.

use examples::{ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::mpsc;

#[peeps::instrument]
async fn actor(name: &'static str, mut inbox: mpsc::Receiver<String>, peer: mpsc::Sender<String>) {
    for i in 0..4 {
        if peer.send(format!("hello {i} from {name}")).await.is_err() {
            return;
        }
    }
    while let Some(msg) = inbox.recv().await {
        println!("{name} got {msg}");
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("channel_actors_natural");
    let (ping_tx, ping_rx) = mpsc::channel_named("ping-inbox", 2);
    let (pong_tx, pong_rx) = mpsc::channel_named("pong-inbox", 2);
    let ping = peeps::spawn_named("ping", actor("ping", ping_rx, pong_tx));
    let pong = peeps::spawn_named("pong", actor("pong", pong_rx, ping_tx));

    ready_when(|g| {
        waited_on_for(g, NodeKind::Channel, "ping-inbox", "send")
            && waited_on_for(g, NodeKind::Channel, "pong-inbox", "send")
            && waited_on_for(g, NodeKind::Task, "ping", "join")
    });
    let (a, b) = tokio::join!(ping, pong);
    a.and(b).expect("no panic");
}
