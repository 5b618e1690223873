//! Deadlock: as `futurelock_taken`, but the future that took the guard was
//! polled (once more) in the very poll its task abandoned it in, and its
//! channel's sender is with another task.
//!
//! `writer` pins a `flush` future, which locks `journal` and then writes
//! every ack it receives from `acks` into it, and races it in a `select!`
//! against a short timer. `acker` keeps the sender of `acks` and sends
//! once an hour. `flush` takes the guard and waits for an ack; when the
//! timer fires, the `select!` (`biased` towards `flush`) polls `flush`
//! first, still pending, then the timer, which wins. `writer` no longer
//! polls `flush` (still pinned in its scope, with the guard) and locks
//! `journal` itself, in the same poll: it waits for a guard only `flush`
//! could drop, forever. An ack from `acker` would wake `writer`, whose
//! poll would not look at `flush`.
//!
//! Expected: one `certain` deadlock of the single task `writer` on mutex
//! `journal`, held by `writer` (taken by its future `flush`, which it no
//! longer polls); `acker` neither in it nor behind it.

use examples::{park, ready_when, waited_on_for};
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
async fn write(journal: Journal, acks: mpsc::Receiver<u64>) {
    let flush = flush(journal.clone(), acks);
    tokio::pin!(flush);
    tokio::select! {
        biased;
        () = &mut flush => println!("flushed"),
        () = tokio::time::sleep(Duration::from_millis(100)) => {}
    }
    journal.lock().await.push(0);
}

#[peeps::instrument]
async fn ack(acks: mpsc::Sender<u64>) {
    let mut n = 0;
    loop {
        tokio::time::sleep(Duration::from_secs(3600)).await;
        n += 1;
        if acks.send(n).await.is_err() {
            return;
        }
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("futurelock_taken_same_poll");
    let journal: Journal = Arc::new(Mutex::new(Vec::new()).named("journal"));
    let (acks, acked) = mpsc::channel_named("acks", 8);
    peeps::spawn_named("acker", ack(acks));
    peeps::spawn_named("writer", write(journal, acked));

    ready_when(|g| {
        waited_on_for(g, NodeKind::Mutex, "journal", "lock")
            && waited_on_for(g, NodeKind::Channel, "acks", "recv")
    });
    park().await
}
