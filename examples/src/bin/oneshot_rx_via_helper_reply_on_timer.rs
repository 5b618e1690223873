//! Healthy control: a requester makes a oneshot, hands its receiver
//! through a plain helper fn to a `peeps::spawn_named` worker that awaits
//! it, keeps the sender, and sends after a long timer.
//!
//! `requester` (`peeps::spawn_named`, its body instrumented) and `waiter`.
//!
//! Expected: no deadlock, nothing stuck forever: the waiter's oneshot
//! sender is with `requester`, on a timer.

use examples::{park, ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::oneshot;
use std::time::Duration;

#[peeps::instrument]
async fn wait_for_reply(reply: oneshot::Receiver<u64>) {
    if let Ok(v) = reply.await {
        println!("reply {v}");
    }
}

fn start_waiter(reply: oneshot::Receiver<u64>) {
    peeps::spawn_named("waiter", wait_for_reply(reply));
}

#[peeps::instrument]
async fn request() {
    let (reply, reply_rx) = oneshot::channel_named("reply");
    start_waiter(reply_rx);
    tokio::time::sleep(Duration::from_secs(3600)).await;
    let _ = reply.send(42);
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("oneshot_rx_via_helper_reply_on_timer");
    peeps::spawn_named("requester", request());
    ready_when(|g| waited_on_for(g, NodeKind::Channel, "reply", "recv"));
    park().await
}
