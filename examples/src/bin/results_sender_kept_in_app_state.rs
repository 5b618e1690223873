//! Hang: a results sender kept in an `Arc<AppState>` while `main` awaits
//! the collector. `main` builds the app state (with the `results` sender,
//! so any handler can report), spawns three plain `tokio::spawn` jobs that
//! each send a result through the state, and a `collector` peeps task that
//! sums results until the channel closes. `main` awaits the jobs, then the
//! collector, still holding `state` (forgot that it keeps a sender).
//!
//! Expected: a deadlock of `thread main` (awaiting `collector`) and
//! `collector` (receiving on `results`, whose last sender is in the state
//! `main` keeps).

use examples::{ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::mpsc;
use std::sync::Arc;
use std::time::Duration;

struct AppState {
    name: String,
    results: mpsc::Sender<u64>,
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("results_sender_kept_in_app_state");
    let (results, mut rx) = mpsc::channel_named::<u64>("results", 16);
    let state = Arc::new(AppState {
        name: "batch".into(),
        results,
    });
    let collector = peeps::spawn_named("collector", async move {
        let mut total = 0;
        while let Some(r) = rx.recv().await {
            total += r;
        }
        total
    });
    let jobs: Vec<_> = (0..3u64)
        .map(|i| {
            let state = state.clone();
            tokio::spawn(async move {
                tokio::time::sleep(Duration::from_millis(20 * i)).await;
                state.results.send(i * 10).await.expect("collector alive");
            })
        })
        .collect();
    for j in jobs {
        j.await.unwrap();
    }
    ready_when(|g| {
        examples::attr(g, NodeKind::Channel, "results", "received") == Some(3)
            && waited_on_for(g, NodeKind::Channel, "results", "recv")
            && waited_on_for(g, NodeKind::Task, "collector", "join")
    });
    let total = collector.await.unwrap();
    println!("{}: {total}", state.name);
}
