//! Healthy control: a coordinator hands the sender of its `done` channel
//! to a plain `tokio::spawn(async move { .. })` job on a timer, then,
//! holding `state`, starts an auditor (`peeps::spawn_named` through a
//! plain helper fn) that needs `state`, and waits for the job's signal
//! before it releases `state`.
//!
//! `coordinator` (`peeps::spawn_named`, its body instrumented).
//!
//! Expected: no deadlock, nothing stuck forever: `done`'s sender is with
//! the job, on a timer; the auditor waits behind the coordinator. peeps
//! cannot see the job; the auditor, which never had the sender, must not
//! be believed to hold it.

use examples::{park, ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::{Mutex, mpsc};
use std::sync::Arc;
use std::time::Duration;

#[peeps::instrument]
async fn audit(state: Arc<Mutex<u64>>) {
    let seen = *state.lock().await;
    println!("audited {seen}");
}

fn start_auditor(state: Arc<Mutex<u64>>) {
    peeps::spawn_named("auditor", audit(state));
}

#[peeps::instrument]
async fn coordinate(state: Arc<Mutex<u64>>) {
    let (done, mut done_rx) = mpsc::channel_named("done", 1);
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_secs(3600)).await;
        let _ = done.send(()).await;
    });
    let mut guard = state.lock().await;
    start_auditor(state.clone());
    let _ = done_rx.recv().await;
    *guard += 1;
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("auditor_spawned_while_done_pending");
    let state = Arc::new(Mutex::new(0).named("state"));
    peeps::spawn_named("coordinator", coordinate(state));
    ready_when(|g| {
        waited_on_for(g, NodeKind::Mutex, "state", "lock")
            && waited_on_for(g, NodeKind::Channel, "done", "recv")
    });
    park().await
}
