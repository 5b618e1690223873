//! Healthy twin of `if_let_write_guard_across_task_manager_join`:
//! `shutdown` takes the handle in a `let` (the write guard dropped at the
//! end of that statement), then awaits it; the task manager flushes after
//! reading `conductor` and sleeping 300 ms under the read guard. A
//! `supervisor` repeats start-and-shutdown forever, with `cell-reader`
//! tasks reading `conductor` every 50 ms.
//!
//! Expected: in every dump, no deadlock, nothing stuck forever, no
//! potential deadlock.

use examples::{ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::{RwLock, oneshot};
use std::sync::Arc;
use std::time::Duration;

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
    peeps::install_sigusr1("soak_take_task_manager_then_join");
    let conductor = Arc::new(
        RwLock::new(Conductor {
            cells: vec!["cell-a".into(), "cell-b".into()],
            task_manager: None,
        })
        .named("conductor"),
    );
    let c = conductor.clone();
    peeps::spawn_named("cell-reader", async move {
        loop {
            let n = c.read().await.cells.len();
            tokio::time::sleep(Duration::from_millis(50 + n as u64)).await;
        }
    });
    let c = conductor.clone();
    let supervisor = peeps::spawn_named("supervisor", async move {
        loop {
            let (stop_tx, stop_rx) = oneshot::channel_named::<()>("task-manager-stop");
            let c2 = c.clone();
            let tm = peeps::spawn_named("task-manager", async move {
                let _ = stop_rx.await;
                let g = c2.read().await;
                tokio::time::sleep(Duration::from_millis(300)).await;
                println!("flushed {} cells", g.cells.len());
            });
            c.write().await.task_manager = Some(tm);
            tokio::time::sleep(Duration::from_millis(200)).await;
            let _ = stop_tx.send(());
            let h = c.write().await.take_task_manager();
            if let Some(h) = h {
                h.await.unwrap();
            }
        }
    });
    ready_when(|g| waited_on_for(g, NodeKind::Task, "task-manager", "join"));
    supervisor.await.unwrap();
}
