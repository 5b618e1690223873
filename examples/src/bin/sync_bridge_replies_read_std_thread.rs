//! Healthy control, the twin of `sync_bridge_std_thread` with the fix the
//! bug reports settle on: the client reads replies in a task of its own
//! (`peeps::spawn_named`) while it sends, then keeps its requests sender
//! and waits for the next batch on a timer. The `std::thread` worker ends
//! up parked in `blocking_recv` on `requests`, the reader in `recv` on
//! `replies`.
//!
//! Expected: no deadlock, nothing stuck forever: the worker's wait ends
//! when the client sends again (it is on a timer), and the reader's when
//! the worker answers.

use examples::{attr, park, ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::mpsc;
use std::time::Duration;

async fn client() {
    let (requests, mut inbox) = mpsc::channel_named::<u32>("requests", 1);
    let (answers, mut replies) = mpsc::channel_named::<u32>("replies", 1);
    std::thread::Builder::new()
        .name("sync-worker".into())
        .spawn(move || {
            while let Some(n) = inbox.blocking_recv() {
                if answers.blocking_send(n * 2).is_err() {
                    return;
                }
            }
        })
        .expect("spawn the worker");
    peeps::spawn_named("reader", async move {
        while let Some(answer) = replies.recv().await {
            println!("answer {answer}");
        }
    });
    loop {
        for n in 0..8 {
            requests.send(n).await.expect("the worker is alive");
        }
        tokio::time::sleep(Duration::from_secs(3600)).await;
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("sync_bridge_replies_read_std_thread");
    peeps::spawn_named("client", client());
    ready_when(|g| {
        attr(g, NodeKind::Channel, "replies", "received") == Some(8)
            && waited_on_for(g, NodeKind::Channel, "requests", "recv")
            && waited_on_for(g, NodeKind::Channel, "replies", "recv")
    });
    park().await
}
