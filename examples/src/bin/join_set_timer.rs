//! Healthy control: the tasks of a tokio `JoinSet`, one holding a lock
//! while it waits on a timer, another waiting for that lock.
//!
//! `coordinator` runs two jobs in a `JoinSet` and waits for them with
//! `join_next`. `refresh` locks `token` and sleeps for an hour (a slow
//! refresh); `request` then waits for `token`. The refresh will end, so
//! nothing is stuck. The jobs are plain tokio tasks (peeps cannot account
//! their wakers), the one holding the lock waits on a timer peeps cannot
//! see, and the coordinator's `join_next` waits on the tasks of the set,
//! which peeps cannot see either.
//!
//! Expected: no deadlock, nothing stuck forever.

use examples::{park, ready_when, waited_on};
use peeps::graph::NodeKind;
use peeps::sync::{Mutex, oneshot};
use std::sync::Arc;
use std::time::Duration;
use tokio::task::JoinSet;

type Token = Arc<Mutex<u64>>;

#[peeps::instrument]
async fn refresh(token: Token, locked: oneshot::Sender<()>) {
    let mut token = token.lock().await;
    let _ = locked.send(());
    tokio::time::sleep(Duration::from_secs(3600)).await;
    *token += 1;
}

#[peeps::instrument]
async fn request(token: Token, locked: oneshot::Receiver<()>) -> u64 {
    locked.await.expect("the refresh runs");
    *token.lock().await
}

#[peeps::instrument]
async fn coordinate(token: Token) {
    let (locked, refresh_locked) = oneshot::channel_named("refresh-locked");
    let mut jobs = JoinSet::new();
    jobs.spawn(refresh(token.clone(), locked));
    jobs.spawn(async move {
        let n = request(token, refresh_locked).await;
        println!("token {n}");
    });
    while let Some(done) = jobs.join_next().await {
        println!("job done: {done:?}");
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("join_set_timer");
    let token: Token = Arc::new(Mutex::new(0).named("token"));
    peeps::spawn_named("coordinator", coordinate(token));

    ready_when(|g| waited_on(g, NodeKind::Mutex, "token"));
    park().await
}
