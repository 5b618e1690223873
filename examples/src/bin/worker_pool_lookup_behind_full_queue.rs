//! Deadlock: a worker pool whose workers await a reply from the
//! dispatcher, which awaits `send` into a worker's full queue.
//!
//! The `dispatcher` hands out all its jobs first, round-robin into each
//! worker's inbox (capacity 1), and only then serves the rate lookups
//! the workers send it on `lookups`. Each worker, to price a job, sends
//! a lookup carrying a oneshot reply sender and awaits the reply. With
//! both workers waiting on a reply and their inboxes full, the
//! dispatcher's next send never ends.
//!
//! Expected: one `certain` deadlock of `dispatcher` and `worker-0` over
//! channels `queue-0`, `lookups` and `reply-0`; `worker-1` behind it
//! (its reply sender is unread on `lookups` too).

use examples::{park, ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::{mpsc, oneshot};

struct Job {
    id: u64,
    currency: &'static str,
}

struct Lookup {
    currency: &'static str,
    reply: oneshot::Sender<u64>,
}

async fn dispatch(
    queues: Vec<mpsc::Sender<Job>>,
    mut lookups: mpsc::Receiver<Lookup>,
    jobs: Vec<Job>,
) {
    for (n, job) in jobs.into_iter().enumerate() {
        if queues[n % queues.len()].send(job).await.is_err() {
            return;
        }
    }
    while let Some(lookup) = lookups.recv().await {
        let rate = if lookup.currency == "EUR" { 108 } else { 100 };
        let _ = lookup.reply.send(rate);
    }
}

async fn work(worker: usize, mut queue: mpsc::Receiver<Job>, lookups: mpsc::Sender<Lookup>) {
    while let Some(job) = queue.recv().await {
        let (reply, rate) = oneshot::channel_named(format!("reply-{worker}"));
        let lookup = Lookup {
            currency: job.currency,
            reply,
        };
        if lookups.send(lookup).await.is_err() {
            return;
        }
        let Ok(rate) = rate.await else { return };
        println!("worker {worker}: job {} priced at {rate}", job.id);
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("worker_pool_lookup_behind_full_queue");
    let (lookups, lookup_inbox) = mpsc::channel_named("lookups", 16);
    let mut queues = Vec::new();
    for worker in 0..2 {
        let (queue, inbox) = mpsc::channel_named(format!("queue-{worker}"), 1);
        queues.push(queue);
        peeps::spawn_named(
            format!("worker-{worker}"),
            work(worker, inbox, lookups.clone()),
        );
    }
    drop(lookups);
    let jobs = (0..6)
        .map(|id| Job {
            id,
            currency: if id % 2 == 0 { "EUR" } else { "USD" },
        })
        .collect();
    peeps::spawn_named("dispatcher", dispatch(queues, lookup_inbox, jobs));

    ready_when(|g| {
        waited_on_for(g, NodeKind::Channel, "queue-0", "send")
            && waited_on_for(g, NodeKind::Channel, "reply-0", "recv")
            && waited_on_for(g, NodeKind::Channel, "reply-1", "recv")
    });
    park().await
}
