//! Deadlock: a task receives from a channel whose only live sender it
//! holds itself.
//!
//! `job-queue` creates the `jobs` channel, hands a clone of the sender to
//! each producer, and keeps the original to re-queue failed jobs for a
//! retry. It drains the channel until every sender is gone, but the last
//! sender is its own: once the producers are done, the receive waits for
//! a message only the receiving task could send. `main` awaits the queue's
//! JoinHandle to print the total, and so is stuck behind it.
//!
//! Expected: one `certain` deadlock of the single task `job-queue` on
//! channel `jobs` (its sender is held, and used, by the task itself), with
//! the `main` thread behind it.

use examples::{attr, ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::mpsc;

#[derive(Debug)]
struct Job {
    id: u32,
    attempt: u32,
}

#[peeps::instrument]
async fn drain_jobs() -> u32 {
    let (retry, mut jobs) = mpsc::channel_named("jobs", 16);
    for id in 0..3 {
        let jobs = retry.clone();
        peeps::spawn_named(format!("producer-{id}"), async move {
            jobs.send(Job { id, attempt: 0 })
                .await
                .expect("queue alive");
        });
    }
    let mut done = 0;
    while let Some(job) = jobs.recv().await {
        // Even-numbered jobs fail the first time and are tried again.
        if job.id % 2 == 0 && job.attempt == 0 {
            let again = Job { attempt: 1, ..job };
            retry.send(again).await.expect("we hold the receiver");
        } else {
            done += 1;
        }
    }
    done
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("recv_own_sender");
    let queue = peeps::spawn_named("job-queue", drain_jobs());
    ready_when(|g| {
        // Three jobs and two retries, all received: the queue is drained.
        attr(g, NodeKind::Channel, "jobs", "received") == Some(5)
            && waited_on_for(g, NodeKind::Channel, "jobs", "recv")
            && !g.nodes.iter().any(|n| n.name.starts_with("producer-"))
            && waited_on_for(g, NodeKind::Task, "job-queue", "join")
    });
    let done = queue.await.expect("the queue does not panic");
    println!("{done} jobs done");
}
