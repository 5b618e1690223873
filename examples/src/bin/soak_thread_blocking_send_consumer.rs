//! Healthy: a `std::thread` sleeps 300 ms then `blocking_send`s a reading
//! on a peeps channel, forever; a consumer task waits on `recv`; `main`
//! awaits the consumer's `JoinHandle`.
//!
//! Expected: in every dump, no deadlock, nothing stuck forever.

use examples::{ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::mpsc;
use std::time::Duration;

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_thread_blocking_send_consumer");
    let (tx, mut rx) = mpsc::channel_named::<u64>("readings", 4);
    std::thread::spawn(move || {
        for i in 0u64.. {
            std::thread::sleep(Duration::from_millis(300));
            if tx.blocking_send(i).is_err() {
                break;
            }
        }
    });
    let consumer = peeps::spawn_named("consumer", async move {
        let mut n = 0;
        while let Some(r) = rx.recv().await {
            n += r;
        }
        n
    });
    ready_when(|g| {
        examples::attr(g, NodeKind::Channel, "readings", "received").is_some_and(|n| n >= 2)
            && waited_on_for(g, NodeKind::Channel, "readings", "recv")
    });
    println!("{}", consumer.await.unwrap());
}
