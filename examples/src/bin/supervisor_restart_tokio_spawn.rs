//! Healthy control: a supervisor that restarts a failed worker with plain
//! `tokio::spawn`, the worker's inbox handed back through its
//! `JoinHandle` and on to the next incarnation.
//!
//! `supervise` starts `work(inbox)`; a worker that fails returns its
//! inbox's receiver in its error so the supervisor can start a new worker
//! on the same inbox. The first worker fails on its first job; the second
//! takes an hour per job (a slow upload). `producer` keeps sending into
//! `uploads` (capacity 1) and waits to send; the supervisor waits for the
//! second worker's `JoinHandle`.
//!
//! Expected: no deadlock, nothing stuck forever.

use examples::{attr, park, ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::mpsc;
use std::time::Duration;

/// A worker that failed, handing back its inbox.
struct Failed {
    reason: String,
    inbox: mpsc::Receiver<u64>,
}

#[peeps::instrument]
async fn work(generation: u32, mut inbox: mpsc::Receiver<u64>) -> Result<(), Failed> {
    while let Some(upload) = inbox.recv().await {
        if generation == 0 {
            return Err(Failed {
                reason: format!("upload {upload}: connection reset"),
                inbox,
            });
        }
        tokio::time::sleep(Duration::from_secs(3600)).await;
        println!("uploaded {upload}");
    }
    Ok(())
}

#[peeps::instrument]
async fn supervise(mut inbox: mpsc::Receiver<u64>) {
    for generation in 0.. {
        match tokio::spawn(work(generation, inbox)).await {
            Ok(Err(failed)) => {
                println!("worker failed ({}), restarting", failed.reason);
                inbox = failed.inbox;
            }
            _ => return,
        }
    }
}

#[peeps::instrument]
async fn produce(uploads: mpsc::Sender<u64>) {
    for n in 0.. {
        if uploads.send(n).await.is_err() {
            return;
        }
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("supervisor_restart_tokio_spawn");
    let (tx, rx) = mpsc::channel_named("uploads", 1);
    tokio::spawn(supervise(rx));
    tokio::spawn(produce(tx));
    ready_when(|g| {
        attr(g, NodeKind::Channel, "uploads", "received").is_some_and(|n| n >= 2)
            && waited_on_for(g, NodeKind::Channel, "uploads", "send")
    });
    park().await
}
