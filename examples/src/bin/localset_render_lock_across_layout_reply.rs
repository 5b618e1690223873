//! HANG: a UI runs its `!Send` state on a `LocalSet` (`#[tokio::main]`
//! body inside `run_until`). The `render` `spawn_local` task locks the
//! `ui-state` peeps mutex (kept in an `Rc`) for a frame and, still
//! holding the guard, asks the `layout` `spawn_local` task to measure the
//! widgets (a request on `layout-requests` with a oneshot reply). The
//! layout task reads the widget tree from `ui-state` to answer.
//!
//! Expected: a deadlock (probable: plain `spawn_local` tasks) of `render`
//! (awaiting the `measured` oneshot, sender held by layout) and `layout`
//! (locking `ui-state`, held by render); `main` behind.

use examples::{ready_when, waiters};
use peeps::graph::NodeKind;
use peeps::sync::{Mutex, mpsc, oneshot};
use std::rc::Rc;

struct UiState {
    widgets: Vec<u32>,
    frame: u64,
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("localset_render_lock_across_layout_reply");
    let local = tokio::task::LocalSet::new();
    local
        .run_until(async {
            let ui = Rc::new(
                Mutex::new(UiState {
                    widgets: vec![3, 4, 5],
                    frame: 0,
                })
                .named("ui-state"),
            );
            let (req_tx, mut req_rx) =
                mpsc::channel_named::<oneshot::Sender<u32>>("layout-requests", 4);
            let ui2 = ui.clone();
            tokio::task::spawn_local(async move {
                while let Some(reply) = req_rx.recv().await {
                    let total = ui2.lock().await.widgets.iter().sum();
                    let _ = reply.send(total);
                }
            });
            let render = tokio::task::spawn_local(async move {
                loop {
                    let mut state = ui.lock().await;
                    state.frame += 1;
                    let (tx, rx) = oneshot::channel_named("measured");
                    req_tx.send(tx).await.unwrap();
                    let size = rx.await.unwrap();
                    if size == 0 {
                        break;
                    }
                }
            });
            ready_when(|g| waiters(g, NodeKind::Mutex, "ui-state") == 1);
            render.await.unwrap();
        })
        .await;
}
