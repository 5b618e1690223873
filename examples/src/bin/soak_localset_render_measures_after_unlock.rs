//! Healthy twin of `localset_render_lock_across_layout_reply`: the
//! `render` `spawn_local` task copies the widget list out of `ui-state`,
//! drops the guard, then asks `layout` to measure and awaits the
//! `measured` oneshot; the `layout` `spawn_local` task holds `ui-state`
//! across a 40 ms measurement (a sleep). A frame every 60 ms, forever, on
//! the `#[tokio::main]` body's `LocalSet` (`run_until`).
//!
//! Expected: in every dump, no deadlock, nothing stuck forever, no
//! potential deadlock.

use examples::{ready_when, waiters};
use peeps::graph::NodeKind;
use peeps::sync::{Mutex, mpsc, oneshot};
use std::rc::Rc;
use std::time::Duration;

struct UiState {
    widgets: Vec<u32>,
    frame: u64,
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_localset_render_measures_after_unlock");
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
                mpsc::channel_named::<(Vec<u32>, oneshot::Sender<u32>)>("layout-requests", 4);
            let ui2 = ui.clone();
            tokio::task::spawn_local(async move {
                while let Some((widgets, reply)) = req_rx.recv().await {
                    let _state = ui2.lock().await;
                    tokio::time::sleep(Duration::from_millis(40)).await; // measure
                    let _ = reply.send(widgets.iter().sum());
                }
            });
            let render = tokio::task::spawn_local(async move {
                loop {
                    let widgets = {
                        let mut state = ui.lock().await;
                        state.frame += 1;
                        state.widgets.clone()
                    };
                    let (tx, rx) = oneshot::channel_named("measured");
                    req_tx.send((widgets, tx)).await.unwrap();
                    let size = rx.await.unwrap();
                    if size == 0 {
                        break;
                    }
                    tokio::time::sleep(Duration::from_millis(60)).await;
                }
            });
            ready_when(|g| waiters(g, NodeKind::Channel, "measured") >= 1);
            render.await.unwrap();
        })
        .await;
}
