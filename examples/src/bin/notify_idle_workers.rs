//! Healthy control: workers woken through a `Notify`, idle while the
//! scheduler sleeps.
//!
//! `scheduler` pushes a job onto `queue` (a mutex-guarded `VecDeque`) and
//! calls `notify_one` on `work-ready`, then sleeps an hour before the
//! next. Three workers loop: take a job if there is one, else await
//! `notified()`. After the first job every worker waits on the `Notify`,
//! which the sleeping scheduler will notify again.
//!
//! Expected: no deadlock, nothing stuck forever.

use examples::{park, ready_when, waiters};
use peeps::graph::NodeKind;
use peeps::sync::{Mutex, Notify};
use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

struct Shared {
    queue: Mutex<VecDeque<u64>>,
    ready: Notify,
}

#[peeps::instrument]
async fn schedule(shared: Arc<Shared>) {
    for job in 0.. {
        shared.queue.lock().await.push_back(job);
        shared.ready.notify_one();
        tokio::time::sleep(Duration::from_secs(3600)).await;
    }
}

#[peeps::instrument]
async fn work(id: usize, shared: Arc<Shared>) {
    loop {
        let job = shared.queue.lock().await.pop_front();
        match job {
            Some(job) => println!("worker {id} ran job {job}"),
            None => shared.ready.notified().await,
        }
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("notify_idle_workers");
    let shared = Arc::new(Shared {
        queue: Mutex::new(VecDeque::new()).named("queue"),
        ready: Notify::new().named("work-ready"),
    });
    for id in 1..=3 {
        peeps::spawn_named(format!("worker-{id}"), work(id, shared.clone()));
    }
    peeps::spawn_named("scheduler", schedule(shared));

    ready_when(|g| waiters(g, NodeKind::Notify, "work-ready") == 3);
    park().await
}
