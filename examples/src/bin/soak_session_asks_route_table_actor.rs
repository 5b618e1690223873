//! Healthy twin of
//! `session_asks_router_reply_queued_in_unbounded_inbox`: the
//! routing table is its own `route-table` actor (unbounded inbox
//! "route-lookups"), so the `session`'s lookup never waits behind frames
//! in the `router`'s unbounded inbox. The `feeder` pushes a frame every
//! 20 ms; the session takes 50 ms per frame, so its bounded inbox
//! ("session-inbox", capacity 2) is mostly full and the router mostly
//! blocked sending into it. The route table answers after 5 ms. Forever.
//!
//! Expected: in every dump, no deadlock, nothing stuck forever, no
//! potential deadlock.

use examples::{ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::{mpsc, oneshot};
use std::time::Duration;

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_session_asks_route_table_actor");
    let (router_tx, mut router_rx) = mpsc::unbounded_channel_named::<u64>("router-inbox");
    let (lookup_tx, mut lookup_rx) =
        mpsc::unbounded_channel_named::<(u64, oneshot::Sender<u32>)>("route-lookups");
    let (session_tx, mut session_rx) = mpsc::channel_named::<u64>("session-inbox", 2);
    peeps::spawn_named("router", async move {
        while let Some(f) = router_rx.recv().await {
            if session_tx.send(f).await.is_err() {
                break;
            }
        }
    });
    peeps::spawn_named("route-table", async move {
        while let Some((f, reply)) = lookup_rx.recv().await {
            tokio::time::sleep(Duration::from_millis(5)).await;
            let _ = reply.send((f % 4) as u32);
        }
    });
    let session = peeps::spawn_named("session", async move {
        let mut handled = 0u64;
        while let Some(frame) = session_rx.recv().await {
            let (tx, rx) = oneshot::channel_named("route");
            lookup_tx.send((frame, tx)).unwrap();
            let _route = rx.await.unwrap();
            tokio::time::sleep(Duration::from_millis(45)).await;
            handled += 1;
        }
        handled
    });
    peeps::spawn_named("feeder", async move {
        let mut f = 0;
        loop {
            if router_tx.send(f).is_err() {
                break;
            }
            f += 1;
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    });
    ready_when(|g| waited_on_for(g, NodeKind::Channel, "session-inbox", "send"));
    println!("{}", session.await.unwrap());
}
