//! Deadlock: a `Barrier` of 2 where one party holds a mutex across
//! `barrier.wait()` and the other locks that mutex before reaching the
//! barrier.
//!
//! A checkpoint between two tasks: the `snapshotter` locks `state`,
//! announces the checkpoint on `phases`, and waits at `checkpoint` with
//! the guard held; the `compactor`, told of the checkpoint, locks `state`
//! to record its progress before it goes to the barrier.
//!
//! Expected: one `probable` deadlock (a barrier's last party is whoever
//! arrives next, which peeps cannot name) of `snapshotter` and
//! `compactor` over mutex `state` and barrier `checkpoint`.

use examples::{park, ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::{Barrier, Mutex, mpsc};
use std::sync::Arc;

#[derive(Default)]
struct State {
    snapshot_at: u64,
    compacted_to: u64,
}

async fn snapshot(state: Arc<Mutex<State>>, phases: mpsc::Sender<u64>, checkpoint: Arc<Barrier>) {
    let mut s = state.lock().await;
    s.snapshot_at += 1;
    if phases.send(s.snapshot_at).await.is_err() {
        return;
    }
    checkpoint.wait().await;
    println!("snapshot {} done", s.snapshot_at);
}

async fn compact(
    state: Arc<Mutex<State>>,
    mut phases: mpsc::Receiver<u64>,
    checkpoint: Arc<Barrier>,
) {
    while let Some(phase) = phases.recv().await {
        state.lock().await.compacted_to = phase;
        checkpoint.wait().await;
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("barrier_party_holds_lock");
    let state = Arc::new(Mutex::new(State::default()).named("state"));
    let checkpoint = Arc::new(Barrier::new(2).named("checkpoint"));
    let (phases, announced) = mpsc::channel_named("phases", 1);
    peeps::spawn_named(
        "compactor",
        compact(state.clone(), announced, checkpoint.clone()),
    );
    peeps::spawn_named("snapshotter", snapshot(state, phases, checkpoint));

    ready_when(|g| {
        waited_on_for(g, NodeKind::Notify, "checkpoint", "barrier")
            && waited_on_for(g, NodeKind::Mutex, "state", "lock")
    });
    park().await
}
