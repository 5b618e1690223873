//! Healthy control: senders kept in a `Vec` and in a field of a long-lived
//! service struct, whose task sends on a timer.
//!
//! `main` makes an `updates` channel per subscriber and an `audit`
//! channel, and builds a `Notifier` holding the subscribers' senders in a
//! `Vec` and the audit sender in a field. It spawns `notifier` with it,
//! one task per subscriber (`subscriber-1` to `subscriber-3`) and an
//! `auditor`, each waiting to receive, and awaits the auditor. The
//! notifier broadcasts once an hour. Nothing is deadlocked: the notifier
//! will wake up on its own and send.
//!
//! peeps sees the `Notifier` (and the audit sender inside it) move into
//! the notifier task at spawn; the senders in the `Vec` are on the heap,
//! where peeps does not look, so it saw only that `main` made them. The
//! notifier waits on a timer, which peeps cannot see: it may wake at any
//! time, so nothing waiting on it is stuck.
//!
//! Expected: no deadlock.

use examples::{ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::mpsc;
use std::time::Duration;

/// A long-lived service that tells subscribers and an auditor about
/// changes.
#[derive(Debug)]
struct Notifier {
    subscribers: Vec<mpsc::Sender<u64>>,
    audit: mpsc::Sender<String>,
}

impl Notifier {
    /// Broadcasts a tick once an hour, forever.
    #[peeps::instrument]
    async fn run(self) {
        for tick in 0u64.. {
            tokio::time::sleep(Duration::from_secs(3600)).await;
            for s in &self.subscribers {
                let _ = s.send(tick).await;
            }
            let _ = self.audit.send(format!("tick {tick} sent")).await;
        }
    }
}

#[peeps::instrument]
async fn subscribe(mut updates: mpsc::Receiver<u64>) {
    while let Some(tick) = updates.recv().await {
        println!("tick {tick}");
    }
}

#[peeps::instrument]
async fn audit(mut log: mpsc::Receiver<String>) -> usize {
    let mut n = 0;
    while let Some(line) = log.recv().await {
        println!("audit: {line}");
        n += 1;
    }
    n
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("senders_kept_in_vec");
    let mut subscribers = Vec::new();
    for n in 1..=3 {
        let (tx, rx) = mpsc::channel_named(format!("updates-{n}"), 4);
        subscribers.push(tx);
        peeps::spawn_named(format!("subscriber-{n}"), subscribe(rx));
    }
    let (audit_tx, audit_rx) = mpsc::channel_named("audit", 4);
    let notifier = Notifier {
        subscribers,
        audit: audit_tx,
    };
    peeps::spawn_named("notifier", notifier.run());
    let auditor = peeps::spawn_named("auditor", audit(audit_rx));

    ready_when(|g| {
        (1..=3).all(|n| waited_on_for(g, NodeKind::Channel, &format!("updates-{n}"), "recv"))
            && waited_on_for(g, NodeKind::Channel, "audit", "recv")
            && waited_on_for(g, NodeKind::Task, "auditor", "join")
    });
    let n = auditor.await.expect("the auditor does not panic");
    println!("{n} audit lines");
}
