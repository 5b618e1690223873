//! Healthy control: hedged requests. A client asks two replicas at once
//! with `tokio::select!` and takes the first answer; each replica's
//! connection is a mutex, held by the branch that asks it until the
//! answer comes. No peeps annotation: plain `tokio::spawn`, plain `async
//! fn`s in the branches, a multi-thread runtime with one worker (so no
//! task moves between threads, and the answer does not depend on where
//! tokio resumes one).
//!
//! The first client prefers the primary (`biased;`): its first branch
//! locks `primary-conn` and waits for the answer, its second locks
//! `secondary-conn` meanwhile. A second client, later, prefers the
//! secondary: the mirror. Each branch holds one connection and waits for
//! nothing but its answer; the losing branch is dropped with its guard.
//! Then both replicas hang for an hour under a third client, and a
//! fourth waits for `primary-conn`.
//!
//! Expected: no deadlock and no potential deadlock: the branches lock at
//! the one call in `ask`, from two futures alive at once, which orders
//! nothing (docs/lock-order.md, "What orders nothing");
//! `hedged_replicas_select_instrumented` is the same program with
//! `#[peeps::instrument]` on `ask`.

use examples::{park, ready_when, waiters};
use peeps::graph::NodeKind;
use peeps::sync::Mutex;
use std::sync::Arc;
use std::time::Duration;

/// A replica's connection: how long it takes to answer.
type Conn = Arc<Mutex<Duration>>;

/// Asks the replica behind `conn`, holding the connection until it answers.
async fn ask(conn: Conn, name: &'static str) -> String {
    let took = conn.lock().await;
    tokio::time::sleep(*took).await;
    format!("answer from {name}")
}

/// Asks both, preferring `first`, and takes the first answer.
async fn hedged(first: (Conn, &'static str), second: (Conn, &'static str)) -> String {
    tokio::select! {
        biased;
        answer = ask(first.0, first.1) => answer,
        answer = ask(second.0, second.1) => answer,
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 1)]
async fn main() {
    peeps::install_sigusr1("hedged_replicas_select_tokio_spawn");
    let primary: Conn = Arc::new(Mutex::new(Duration::from_millis(30)).named("primary-conn"));
    let secondary: Conn = Arc::new(Mutex::new(Duration::from_millis(50)).named("secondary-conn"));

    let (p, s) = (primary.clone(), secondary.clone());
    let answer = tokio::spawn(async move { hedged((p, "primary"), (s, "secondary")).await })
        .await
        .expect("the first client");
    println!("{answer}");
    let (p, s) = (primary.clone(), secondary.clone());
    let answer = tokio::spawn(async move { hedged((s, "secondary"), (p, "primary")).await })
        .await
        .expect("the second client");
    println!("{answer}");

    // Both replicas hang.
    *primary.lock().await = Duration::from_secs(3600);
    *secondary.lock().await = Duration::from_secs(3600);
    let (p, s) = (primary.clone(), secondary.clone());
    tokio::spawn(async move { hedged((p, "primary"), (s, "secondary")).await });
    while primary.try_lock().is_ok() {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    tokio::spawn(async move { ask(primary, "primary").await });
    ready_when(|g| waiters(g, NodeKind::Mutex, "primary-conn") == 1);
    park().await
}
