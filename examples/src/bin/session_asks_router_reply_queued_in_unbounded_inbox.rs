//! HANG: an actor system mixing unbounded and bounded inboxes. The
//! `router` actor reads an unbounded inbox ("router-inbox": frames from
//! the network and route lookups) and forwards each frame into the
//! `session` actor's bounded inbox ("session-inbox", capacity 2) with
//! `send().await`. The session, for each frame, asks the router for a
//! route (a `Lookup` with a oneshot reply on the unbounded router inbox,
//! which never blocks) and awaits the reply. A `feeder` pushes 50 frames
//! at once: the router blocks on the full session inbox, while the
//! session's lookup sits unread behind frames in the router's inbox.
//!
//! Expected: a deadlock of `session` (awaiting the `route` oneshot, whose
//! sender is inside an unread message on `router-inbox`, read by the
//! router) and `router` (sending on the full `session-inbox`, read by the
//! session); `main` behind.

use examples::{ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::{mpsc, oneshot};

enum RouterMsg {
    Frame(u64),
    Lookup(u64, oneshot::Sender<u32>),
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("session_asks_router_reply_queued_in_unbounded_inbox");
    let (router_tx, mut router_rx) = mpsc::unbounded_channel_named::<RouterMsg>("router-inbox");
    let (session_tx, mut session_rx) = mpsc::channel_named::<u64>("session-inbox", 2);
    peeps::spawn_named("router", async move {
        while let Some(msg) = router_rx.recv().await {
            match msg {
                RouterMsg::Frame(f) => {
                    if session_tx.send(f).await.is_err() {
                        break;
                    }
                }
                RouterMsg::Lookup(f, reply) => {
                    let _ = reply.send((f % 4) as u32);
                }
            }
        }
    });
    let to_router = router_tx.clone();
    let session = peeps::spawn_named("session", async move {
        let mut handled = 0u64;
        while let Some(frame) = session_rx.recv().await {
            let (tx, rx) = oneshot::channel_named("route");
            to_router.send(RouterMsg::Lookup(frame, tx)).unwrap();
            let _route = rx.await.unwrap();
            handled += 1;
        }
        handled
    });
    peeps::spawn_named("feeder", async move {
        for f in 0..50 {
            router_tx.send(RouterMsg::Frame(f)).unwrap();
        }
        std::future::pending::<()>().await;
    });
    ready_when(|g| {
        waited_on_for(g, NodeKind::Channel, "session-inbox", "send")
            && waited_on_for(g, NodeKind::Channel, "route", "recv")
    });
    println!("{}", session.await.unwrap());
}
