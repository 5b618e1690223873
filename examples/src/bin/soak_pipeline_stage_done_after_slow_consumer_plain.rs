//! Healthy: a job pipeline whose caller awaits completion. `main` sends a
//! `Job` carrying 8 items and a `job-done` oneshot sender on `jobs` to a
//! plain `tokio::spawn` stage; the stage forwards the items one by one into
//! `items` (capacity 2) and then answers on `job-done`. The `writer`
//! (`peeps::spawn_named`) takes 400 ms per item, so the stage waits for
//! room in `items` for seconds while `main` awaits `job-done`.
//!
//! Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock.

use examples::ready_when;
use peeps::graph::NodeKind;
use peeps::sync::{mpsc, oneshot};
use std::time::Duration;

struct Job {
    items: Vec<String>,
    done: oneshot::Sender<usize>,
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_pipeline_stage_done_after_slow_consumer_plain");
    let (jobs, mut job_rx) = mpsc::channel_named::<Job>("jobs", 4);
    let (items, mut item_rx) = mpsc::channel_named::<String>("items", 2);
    tokio::spawn(async move {
        while let Some(job) = job_rx.recv().await {
            let count = job.items.len();
            for item in job.items {
                if items.send(item).await.is_err() {
                    return;
                }
            }
            let _ = job.done.send(count);
        }
    });
    peeps::spawn_named("writer", async move {
        while let Some(item) = item_rx.recv().await {
            tokio::time::sleep(Duration::from_millis(400)).await;
            std::hint::black_box(item);
        }
    });
    ready_when(|snap| {
        examples::waited_on_for(snap, NodeKind::Channel, "items", "send")
            && examples::waited_on(snap, NodeKind::Channel, "job-done")
    });
    let mut round = 0;
    loop {
        round += 1;
        let (done, finished) = oneshot::channel_named("job-done");
        let job = Job {
            items: (0..8).map(|i| format!("round {round} item {i}")).collect(),
            done,
        };
        if jobs.send(job).await.is_err() {
            return;
        }
        std::hint::black_box(finished.await.ok());
    }
}
