//! Healthy control: channels of channels. A client sends a worker the
//! `mpsc::Sender` of its own reply channel inside a message; the worker
//! keeps it and reports progress on it later. Tasks started with plain
//! `tokio::spawn`, their bodies `#[peeps::instrument]` functions.
//!
//! `client` makes `progress`, sends its sender to `worker` on `work`
//! (keeping no sender itself) and waits on the receiver. The worker
//! stores the sender and sends a report every hour.
//!
//! Expected: no deadlock (the worker's timer).

use examples::{park, ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::mpsc;
use std::time::Duration;

/// A job and where to report on it.
struct Job {
    name: String,
    progress: mpsc::Sender<u32>,
}

#[peeps::instrument]
async fn work(mut jobs: mpsc::Receiver<Job>) {
    let mut running = Vec::new();
    while let Some(job) = jobs.recv().await {
        running.push(job);
        for percent in (10..=100).step_by(10) {
            tokio::time::sleep(Duration::from_secs(3600)).await;
            for job in &running {
                println!("{}: {percent}%", job.name);
                let _ = job.progress.send(percent).await;
            }
        }
    }
}

#[peeps::instrument]
async fn submit(work: mpsc::Sender<Job>) {
    let (progress, mut reports) = mpsc::channel_named("progress", 4);
    let job = Job {
        name: "reindex".into(),
        progress,
    };
    let _ = work.send(job).await;
    while let Some(percent) = reports.recv().await {
        println!("reindex: {percent}%");
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("reply_channel_in_message_tokio_spawn");
    let (work_tx, work_rx) = mpsc::channel_named("work", 4);
    tokio::spawn(work(work_rx));
    tokio::spawn(submit(work_tx));
    ready_when(|g| waited_on_for(g, NodeKind::Channel, "progress", "recv"));
    park().await
}
