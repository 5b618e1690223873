//! Healthy control: report jobs in a tokio `JoinSet`, each given a clone
//! of the results sender, bounded by a `Semaphore` whose permit each job
//! holds across a slow call.
//!
//! `main` spawns five `export` jobs into a `JoinSet`; each takes one of
//! two `export-slots` permits and holds it across an hour-long upload,
//! then sends its summary on `summaries`. Two jobs upload, three wait for
//! a permit; `summarize` waits on `summaries`, whose senders are with the
//! jobs; `main` drains the set.
//!
//! Expected: no deadlock, nothing stuck forever.

use examples::{ready_when, waited_on_for, waiters};
use peeps::graph::NodeKind;
use peeps::sync::{Semaphore, mpsc};
use std::sync::Arc;
use std::time::Duration;
use tokio::task::JoinSet;

#[peeps::instrument]
async fn export(id: u32, slots: Arc<Semaphore>, summaries: mpsc::Sender<String>) {
    let Ok(_slot) = slots.acquire().await else {
        return;
    };
    tokio::time::sleep(Duration::from_secs(3600)).await;
    let _ = summaries.send(format!("report {id} uploaded")).await;
}

#[peeps::instrument]
async fn summarize(mut summaries: mpsc::Receiver<String>) {
    while let Some(line) = summaries.recv().await {
        println!("{line}");
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("joinset_permits_tokio_spawn");
    let slots = Arc::new(Semaphore::new(2).named("export-slots"));
    let (tx, rx) = mpsc::channel_named("summaries", 8);
    tokio::spawn(summarize(rx));
    let mut jobs = JoinSet::new();
    for id in 0..5 {
        jobs.spawn(export(id, slots.clone(), tx.clone()));
    }
    drop(tx);
    ready_when(|g| {
        waiters(g, NodeKind::Semaphore, "export-slots") == 3
            && waited_on_for(g, NodeKind::Channel, "summaries", "recv")
    });
    while let Some(done) = jobs.join_next().await {
        done.expect("an export does not panic");
    }
}
