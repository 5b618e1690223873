//! Deadlock: the twin of `sender_to_thread_via_helper_current_thread` that
//! keeps the sender. On a current-thread runtime the pump
//! (`peeps::spawn_named`, no other peeps annotation) primes `ticks` with
//! one send, hands a *clone* of the sender to a plain helper fn whose
//! `std::thread` sends one tick and ends, and receives until every sender
//! is gone — but it still holds the original. No other task is alive.
//!
//! Expected: a certain deadlock of the pump with itself: it waits on
//! `ticks` to receive, and the only sender left is in its own state.

use examples::{park, ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::mpsc;

/// Starts a thread that sends one tick and ends.
fn start_ticker(ticks: mpsc::Sender<u64>) {
    std::thread::spawn(move || {
        let _ = ticks.blocking_send(1);
    });
}

async fn pump(ticks: mpsc::Sender<u64>, mut rx: mpsc::Receiver<u64>) {
    if ticks.send(0).await.is_err() {
        return;
    }
    start_ticker(ticks.clone());
    // The bug: `ticks` is still held here, so the loop never ends.
    while let Some(t) = rx.recv().await {
        println!("tick {t}");
    }
    drop(ticks);
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    peeps::install_sigusr1("sender_kept_thread_helper_current_thread");
    let (tx, rx) = mpsc::channel_named("ticks", 4);
    peeps::spawn_named("pump", pump(tx, rx));
    ready_when(|g| {
        waited_on_for(g, NodeKind::Channel, "ticks", "recv")
            && examples::attr(g, NodeKind::Channel, "ticks", "received") == Some(2)
            && examples::attr(g, NodeKind::Channel, "ticks", "senders") == Some(1)
    });
    park().await
}
