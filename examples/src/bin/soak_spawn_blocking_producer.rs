//! Healthy: a `spawn_blocking` producer sleeps 300 ms then `blocking_send`s
//! a line on a peeps channel, forever; a plain consumer task waits on
//! `recv`; `main` awaits the consumer's `JoinHandle`.
//!
//! Expected: in every dump, no deadlock, nothing stuck forever.

use examples::{ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::mpsc;
use std::time::Duration;

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_spawn_blocking_producer");
    let (tx, mut rx) = mpsc::channel_named::<String>("lines", 4);
    let producer = tokio::task::spawn_blocking(move || {
        for i in 0u64.. {
            std::thread::sleep(Duration::from_millis(300));
            if tx.blocking_send(format!("line {i}")).is_err() {
                break;
            }
        }
    });
    let consumer = tokio::spawn(async move {
        let mut n = 0;
        while let Some(line) = rx.recv().await {
            n += line.len();
        }
        n
    });
    ready_when(|g| {
        examples::attr(g, NodeKind::Channel, "lines", "received").is_some_and(|n| n >= 2)
            && waited_on_for(g, NodeKind::Channel, "lines", "recv")
    });
    println!("{}", consumer.await.unwrap());
    producer.await.unwrap();
}
