//! Healthy control: `auditor_spawned_while_done_pending` with the sender
//! of `done` made under the lock and handed to the plain job through a
//! plain helper fn (peeps sees no spawn), and an auditor that keeps a
//! report across a second await.
//!
//! `coordinator` (`peeps::spawn_named`, its body instrumented), `auditor`
//! (`peeps::spawn_named` through a plain helper fn).
//!
//! Expected: no deadlock, nothing stuck forever: `done`'s sender is with
//! the job, on a timer; the auditor waits behind the coordinator.

use examples::{park, ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::{Mutex, mpsc};
use std::sync::Arc;
use std::time::Duration;

#[peeps::instrument]
async fn audit(state: Arc<Mutex<u64>>) {
    let seen = *state.lock().await;
    let report = [seen; 64];
    tokio::time::sleep(Duration::from_millis(1)).await;
    println!("audited {}", report.len());
}

fn start_auditor(state: Arc<Mutex<u64>>) {
    peeps::spawn_named("auditor", audit(state));
}

fn start_job(done: mpsc::Sender<()>) {
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_secs(3600)).await;
        let _ = done.send(()).await;
    });
}

#[peeps::instrument]
async fn coordinate(state: Arc<Mutex<u64>>) {
    let mut guard = state.lock().await;
    let (done, mut done_rx) = mpsc::channel_named("done", 1);
    start_job(done);
    start_auditor(state.clone());
    let _ = done_rx.recv().await;
    *guard += 1;
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("job_helper_then_auditor_under_lock");
    let state = Arc::new(Mutex::new(0).named("state"));
    peeps::spawn_named("coordinator", coordinate(state));
    ready_when(|g| {
        waited_on_for(g, NodeKind::Mutex, "state", "lock")
            && waited_on_for(g, NodeKind::Channel, "done", "recv")
    });
    park().await
}
