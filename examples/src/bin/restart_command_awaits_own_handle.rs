//! HANG: a `worker` registry keeps each worker's `JoinHandle` in a
//! `workers` map (a `std::sync::Mutex<HashMap>`). A worker that gets a
//! `Restart` command on its inbox "restarts itself": it takes the handle
//! filed under its own id and awaits it to be sure the old incarnation
//! has gone — its own handle. `main` awaits the manager's done signal.
//!
//! Expected: a deadlock (stuck) of `worker` awaiting its own task; `main`
//! behind (waiting on `restart-done`).

use examples::{ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::{mpsc, oneshot};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

enum Cmd {
    Work(#[allow(dead_code)] u64),
    Restart(oneshot::Sender<()>),
}

type Registry = Arc<Mutex<HashMap<u32, peeps::JoinHandle<()>>>>;

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("restart_command_awaits_own_handle");
    let workers: Registry = Arc::new(Mutex::new(HashMap::new()));
    let (tx, mut rx) = mpsc::channel_named::<Cmd>("worker-inbox", 8);
    let reg = workers.clone();
    let h = peeps::spawn_named("worker", async move {
        let id = 7u32;
        while let Some(cmd) = rx.recv().await {
            match cmd {
                Cmd::Work(_) => {}
                Cmd::Restart(done) => {
                    let old = reg.lock().unwrap().remove(&id);
                    if let Some(old) = old {
                        let _ = old.await;
                    }
                    let _ = done.send(());
                }
            }
        }
    });
    workers.lock().unwrap().insert(7, h);
    tx.send(Cmd::Work(1)).await.unwrap();
    let (done_tx, done_rx) = oneshot::channel_named("restart-done");
    tx.send(Cmd::Restart(done_tx)).await.unwrap();
    ready_when(|g| waited_on_for(g, NodeKind::Task, "worker", "join"));
    let _ = done_rx.await;
}
