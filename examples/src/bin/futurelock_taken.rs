//! Deadlock: a future pinned outside a `select!` took a guard and then
//! waited on a channel; its task abandoned it and locks the same mutex.
//!
//! `writer` pins a `flush` future, which locks `journal` and then writes
//! every ack it receives from `acks` into it, and races it in a `select!`
//! against a short timer. `flush` takes the guard and waits for an ack;
//! the timer wins. `writer` no longer polls `flush` (still pinned in its
//! scope, with the guard) and locks `journal` itself: it waits for a
//! guard that only `flush` could drop. (The `select!` is `biased` towards
//! the timer, so that `flush` is not polled in the poll the timer wins:
//! peeps sees a wait as abandoned once its task is polled without it.)
//!
//! Expected: one `certain` deadlock of the single task `writer` on mutex
//! `journal`, held by `writer` (taken by its future `flush`, which it no
//! longer polls).

use examples::{abandoned_waits, park, ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::{Mutex, mpsc};
use std::sync::Arc;
use std::time::Duration;

type Journal = Arc<Mutex<Vec<u64>>>;

/// Writes every ack received into the journal, holding it.
#[peeps::instrument]
async fn flush(journal: Journal, mut acks: mpsc::Receiver<u64>) {
    let mut journal = journal.lock().await;
    while let Some(ack) = acks.recv().await {
        journal.push(ack);
    }
}

#[peeps::instrument]
async fn write(journal: Journal) {
    let (ack, acks) = mpsc::channel_named("acks", 8);
    let flush = flush(journal.clone(), acks);
    tokio::pin!(flush);
    tokio::select! {
        biased;
        () = tokio::time::sleep(Duration::from_millis(100)) => {}
        () = &mut flush => println!("flushed"),
    }
    journal.lock().await.push(0);
    drop(ack);
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("futurelock_taken");
    let journal: Journal = Arc::new(Mutex::new(Vec::new()).named("journal"));
    peeps::spawn_named("writer", write(journal));

    ready_when(|g| {
        waited_on_for(g, NodeKind::Mutex, "journal", "lock")
            && abandoned_waits(g, NodeKind::Channel, "acks") == 1
    });
    park().await
}
