//! HANG (holochain/holochain#526's shape): `shutdown` takes the task
//! manager's `JoinHandle` out of the `conductor` state with
//! `if let Some(h) = conductor.write().await.take_task_manager() { h.await }`
//! — the write guard, a temporary of the `if let` scrutinee, lives through
//! the whole block — and awaits it after sending the stop. The task
//! manager, on stop, reads `conductor` to flush its cells before it ends.
//!
//! Expected: a deadlock of `shutdown` (awaiting the `task-manager` task,
//! holding `conductor` for write) and `task-manager` (waiting to read
//! `conductor`); `main` behind.

use examples::{ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::{RwLock, oneshot};
use std::sync::Arc;

struct Conductor {
    cells: Vec<String>,
    task_manager: Option<peeps::JoinHandle<()>>,
}

impl Conductor {
    fn take_task_manager(&mut self) -> Option<peeps::JoinHandle<()>> {
        self.task_manager.take()
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("if_let_write_guard_across_task_manager_join");
    let conductor = Arc::new(
        RwLock::new(Conductor {
            cells: vec!["cell-a".into(), "cell-b".into()],
            task_manager: None,
        })
        .named("conductor"),
    );
    let (stop_tx, stop_rx) = oneshot::channel_named::<()>("task-manager-stop");
    let c = conductor.clone();
    let tm = peeps::spawn_named("task-manager", async move {
        let _ = stop_rx.await;
        let cells = c.read().await.cells.len();
        println!("flushed {cells} cells");
    });
    conductor.write().await.task_manager = Some(tm);
    let c = conductor.clone();
    let shutdown = peeps::spawn_named("shutdown", async move {
        let _ = stop_tx.send(());
        if let Some(h) = c.write().await.take_task_manager() {
            h.await.unwrap();
        }
    });
    ready_when(|g| waited_on_for(g, NodeKind::Rwlock, "conductor", "read"));
    shutdown.await.unwrap();
}
