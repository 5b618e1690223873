//! Healthy control: a sender moved into a `std::thread` that sends much
//! later, while a task awaits the receiver.
//!
//! `launcher` makes the `reports` channel, spawns `consumer` with the
//! receiver, moves the sender into an OS thread (`late-sender`) that sends
//! its report after an hour (standing in for slow blocking work) with
//! `blocking_send`, and awaits the consumer. `main` awaits the launcher.
//! Nothing is deadlocked: the thread will wake up on its own and send.
//!
//! peeps does not follow a handle into a `std::thread`: what it saw last
//! is that `launcher` made the sender (evidence `made`), which names no
//! holder, and the sender is not in the launcher's state. The consumer's
//! wait has a releaser peeps cannot name, so it is no part of a deadlock.
//!
//! Expected: no deadlock.

use examples::{ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::mpsc;
use std::time::Duration;

#[peeps::instrument]
async fn consume(mut reports: mpsc::Receiver<String>) -> usize {
    let mut n = 0;
    while let Some(report) = reports.recv().await {
        println!("report: {report}");
        n += 1;
    }
    n
}

#[peeps::instrument]
async fn launch() -> usize {
    let (tx, rx) = mpsc::channel_named("reports", 4);
    let consumer = peeps::spawn_named("consumer", consume(rx));
    std::thread::Builder::new()
        .name("late-sender".into())
        .spawn(move || {
            std::thread::sleep(Duration::from_secs(3600));
            let _ = tx.blocking_send("done after an hour".to_owned());
        })
        .expect("spawn the late sender");
    consumer.await.expect("the consumer does not panic")
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("sender_moved_to_thread");
    let launcher = peeps::spawn_named("launcher", launch());
    ready_when(|g| {
        waited_on_for(g, NodeKind::Channel, "reports", "recv")
            && waited_on_for(g, NodeKind::Task, "consumer", "join")
            && waited_on_for(g, NodeKind::Task, "launcher", "join")
    });
    let n = launcher.await.expect("the launcher does not panic");
    println!("{n} reports");
}
