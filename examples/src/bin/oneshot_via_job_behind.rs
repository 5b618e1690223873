//! Deadlock, with a task stuck behind it: a requester waits for a reply
//! whose sender travelled in a job to a worker that is deadlocked with
//! another task.
//!
//! `requester` makes a `reply` oneshot and sends a `Job` carrying its
//! sender through the `jobs` channel to `worker`, then awaits the reply.
//! `worker` receives the job, locks `ledger`, and then needs `index`;
//! `other` locks `index` and then needs `ledger` (a barrier makes the
//! inversion certain). The worker never gets to reply. `main` awaits the
//! requester.
//!
//! The reply sender moved inside the job into the channel, then out of it
//! into `worker` (evidence `received`), and the job is a local of the
//! worker across its `.await`s: peeps finds the sender in the worker's own
//! state, which proves the holder.
//!
//! Expected: one `certain` deadlock of `worker` and `other` over mutexes
//! `ledger` and `index`, with `requester` (waiting on oneshot `reply`,
//! sender held by `worker`) and the `main` thread behind it.

use examples::{ready_when, waited_on_for, waiters};
use peeps::graph::NodeKind;
use peeps::sync::{Barrier, Mutex, mpsc, oneshot};
use std::sync::Arc;

#[derive(Debug)]
struct Job {
    amount: i64,
    reply: oneshot::Sender<i64>,
}

#[peeps::instrument]
async fn work(
    mut jobs: mpsc::Receiver<Job>,
    ledger: Arc<Mutex<i64>>,
    index: Arc<Mutex<i64>>,
    both_locked: Arc<Barrier>,
) {
    while let Some(job) = jobs.recv().await {
        let mut ledger = ledger.lock().await;
        both_locked.wait().await;
        let mut index = index.lock().await;
        *ledger += job.amount;
        *index += 1;
        let _ = job.reply.send(*ledger);
    }
}

#[peeps::instrument]
async fn reindex(ledger: Arc<Mutex<i64>>, index: Arc<Mutex<i64>>, both_locked: Arc<Barrier>) {
    let mut index = index.lock().await;
    both_locked.wait().await;
    let ledger = ledger.lock().await;
    *index = *ledger;
}

#[peeps::instrument]
async fn request(jobs: mpsc::Sender<Job>) -> i64 {
    let (reply, balance) = oneshot::channel_named("reply");
    jobs.send(Job { amount: 10, reply })
        .await
        .expect("worker alive");
    balance.await.expect("the worker replies")
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("oneshot_via_job_behind");
    let ledger = Arc::new(Mutex::new(0).named("ledger"));
    let index = Arc::new(Mutex::new(0).named("index"));
    let both_locked = Arc::new(Barrier::new(2).named("both-locked"));
    let (jobs, inbox) = mpsc::channel_named("jobs", 8);
    peeps::spawn_named(
        "worker",
        work(inbox, ledger.clone(), index.clone(), both_locked.clone()),
    );
    peeps::spawn_named("other", reindex(ledger, index, both_locked));
    let requester = peeps::spawn_named("requester", request(jobs));

    ready_when(|g| {
        waiters(g, NodeKind::Mutex, "ledger") == 1
            && waiters(g, NodeKind::Mutex, "index") == 1
            && waited_on_for(g, NodeKind::Channel, "reply", "recv")
            && waited_on_for(g, NodeKind::Task, "requester", "join")
    });
    let balance = requester.await.expect("the requester does not panic");
    println!("balance {balance}");
}
