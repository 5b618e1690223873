//! Deadlock: a supervisor awaits its workers before telling them to stop.
//!
//! `supervisor` makes the `shutdown` broadcast channel, spawns three
//! workers that each wait for the shutdown signal (their work done), and
//! then awaits their handles, meaning to send the signal afterwards. The
//! sender is in the supervisor's own state; nobody else can send.
//!
//! Expected: one `certain` deadlock of `supervisor` and the three workers:
//! the supervisor joins them, each waits on channel `shutdown` whose only
//! sender the supervisor holds; `main`, joining the supervisor, is stuck
//! behind.

use examples::{ready_when, waited_on_for, waiters};
use peeps::graph::NodeKind;
use peeps::sync::broadcast;

#[peeps::instrument]
async fn work(id: usize, mut shutdown: broadcast::Receiver<()>) {
    println!("worker {id} finished its work, waiting for the shutdown");
    let _ = shutdown.recv().await;
}

#[peeps::instrument]
async fn supervise() {
    let (shutdown, _) = broadcast::channel_named("shutdown", 1);
    let mut workers = Vec::new();
    for id in 1..=3 {
        let worker = work(id, shutdown.subscribe());
        workers.push(peeps::spawn_named(format!("worker-{id}"), worker));
    }
    for worker in workers {
        worker.await.expect("a worker does not panic");
    }
    let _ = shutdown.send(());
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("shutdown_never_sent");
    let supervisor = peeps::spawn_named("supervisor", supervise());
    ready_when(|g| {
        waiters(g, NodeKind::Channel, "shutdown") == 3
            && waited_on_for(g, NodeKind::Task, "worker-1", "join")
            && waited_on_for(g, NodeKind::Task, "supervisor", "join")
    });
    supervisor.await.expect("the supervisor does not panic");
}
