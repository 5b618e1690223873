//! Healthy control: a worker pool sharing one job receiver through an
//! `Arc<Mutex<mpsc::Receiver>>`, idle while the producer sleeps.
//!
//! `dispatcher` sends three jobs, then sleeps (an hour, standing in for a
//! quiet period) before the next. Three workers take turns at the
//! receiver: the one holding the lock awaits `recv()` with the guard held
//! (the usual way to share a tokio receiver), the other two wait for the
//! lock. Everything waits on the dispatcher, which will wake on its own.
//!
//! Expected: no deadlock, nothing stuck forever.

use examples::{attr, park, ready_when, waited_on_for, waiters};
use peeps::graph::NodeKind;
use peeps::sync::{Mutex, mpsc};
use std::sync::Arc;
use std::time::Duration;

type Jobs = Arc<Mutex<mpsc::Receiver<u64>>>;

#[peeps::instrument]
async fn dispatch(jobs: mpsc::Sender<u64>) {
    for batch in 0u64.. {
        for n in 0..3 {
            if jobs.send(batch * 3 + n).await.is_err() {
                return;
            }
        }
        tokio::time::sleep(Duration::from_secs(3600)).await;
    }
}

#[peeps::instrument]
async fn work(id: usize, jobs: Jobs) {
    loop {
        let job = {
            let mut rx = jobs.lock().await;
            rx.recv().await
        };
        let Some(job) = job else {
            return;
        };
        println!("worker {id} ran job {job}");
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("worker_pool_shared_receiver");
    let (tx, rx) = mpsc::channel_named("jobs", 16);
    let jobs: Jobs = Arc::new(Mutex::new(rx).named("job-queue"));
    for id in 1..=3 {
        peeps::spawn_named(format!("worker-{id}"), work(id, jobs.clone()));
    }
    peeps::spawn_named("dispatcher", dispatch(tx));

    ready_when(|g| {
        attr(g, NodeKind::Channel, "jobs", "received") == Some(3)
            && waited_on_for(g, NodeKind::Channel, "jobs", "recv")
            && waiters(g, NodeKind::Mutex, "job-queue") == 2
    });
    park().await
}
