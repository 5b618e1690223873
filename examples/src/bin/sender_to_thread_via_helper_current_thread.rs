//! Healthy control: on a current-thread runtime, a pump
//! (`peeps::spawn_named`, no other peeps annotation) primes its own
//! `ticks` channel with one send, then hands the sender to a plain helper
//! fn that starts a `std::thread` ticker: it sleeps for an hour and sends
//! again with `blocking_send`. The pump receives until the sender is gone.
//! No other task is alive.
//!
//! Expected: no deadlock, nothing stuck forever: the sender is with the
//! thread, on a timer. The pump used the sender and the bytes it was moved
//! out of may stay in the pump's state; a thread is no tokio task of the
//! census, so only peeps' own rules can keep that from pinning the sender
//! on the pump.

use examples::{park, ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::mpsc;
use std::time::Duration;

/// Starts the ticker thread that owns `ticks` from now on.
fn start_ticker(ticks: mpsc::Sender<u64>) {
    std::thread::spawn(move || {
        std::thread::sleep(Duration::from_secs(3600));
        let _ = ticks.blocking_send(1);
    });
}

async fn pump(ticks: mpsc::Sender<u64>, mut rx: mpsc::Receiver<u64>) {
    if ticks.send(0).await.is_err() {
        return;
    }
    start_ticker(ticks);
    while let Some(t) = rx.recv().await {
        println!("tick {t}");
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    peeps::install_sigusr1("sender_to_thread_via_helper_current_thread");
    let (tx, rx) = mpsc::channel_named("ticks", 4);
    peeps::spawn_named("pump", pump(tx, rx));
    ready_when(|g| {
        waited_on_for(g, NodeKind::Channel, "ticks", "recv")
            && examples::attr(g, NodeKind::Channel, "ticks", "received") == Some(1)
    });
    park().await
}
