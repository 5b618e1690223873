//! Deadlock, with a task stuck behind it: a requester waits for a reply
//! whose sender is inside a job still unread in the channel of a worker
//! that got deadlocked before reading it.
//!
//! `worker` locks `ledger`, then needs `index`, before it reads its first
//! job; `other` locks `index` and then needs `ledger` (a barrier makes the
//! inversion certain). `requester` makes a `reply` oneshot, sends a `Job`
//! carrying its sender into the `jobs` channel (it has room), and awaits
//! the reply. The job stays unread. `main` awaits the requester.
//!
//! peeps sees the reply sender go inside the job into `jobs` (evidence
//! `in_message`): it is held by the channel until someone reads it, and
//! only whoever holds the channel's receiver can: `worker`, which it moved
//! into at spawn and keeps in its own state.
//!
//! Expected: one `certain` deadlock of `worker` and `other` over mutexes
//! `ledger` and `index`, with `requester` behind it (its reply's `sender
//! inside an unread message on channel "jobs", whose receiver is held by
//! task "worker"`) and the `main` thread behind it.

use examples::{attr, ready_when, waited_on_for, waiters};
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
    let mut ledger = ledger.lock().await;
    both_locked.wait().await;
    let mut index = index.lock().await;
    while let Some(job) = jobs.recv().await {
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
    peeps::install_sigusr1("oneshot_via_job_unread");
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
            && attr(g, NodeKind::Channel, "jobs", "len") == Some(1)
            && waited_on_for(g, NodeKind::Channel, "reply", "recv")
            && waited_on_for(g, NodeKind::Task, "requester", "join")
    });
    let balance = requester.await.expect("the requester does not panic");
    println!("balance {balance}");
}
