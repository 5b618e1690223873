//! Healthy, idle after three crashes: a restartable session-store actor
//! whose supervisor sends each new generation a `Load` of the last
//! snapshot on its fresh inbox, then puts the sender in a
//! `Mutex<Option<mpsc::Sender>>` (`store-handle`) and awaits the actor's
//! `JoinHandle`, restarting it after a panic. Every task is
//! `peeps::spawn_named`.
//!
//! The `supervisor` makes `store-inbox`, spawns `session-store` on the
//! receiver, sends `Load` (the snapshot it keeps), stores the sender in
//! `store-handle` and joins the actor. Clients clone the sender out of the
//! slot for each call and send `Get` or `Put` with a `store-reply`
//! oneshot, retrying on a dropped reply; every 8 puts the store sends a
//! snapshot to the supervisor's `snapshots` `watch`. A corrupt session id
//! (99) panics the store; the last call of the burst is one, retried
//! twice: two or three generations crash and the newest has had only its
//! `Load`.
//! The clients then call every 10 minutes.
//!
//! Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock. (The newest inbox's sender is in `store-handle`,
//! where every client reaches it.)

use examples::{park, ready_when};
use peeps::sync::{Mutex, mpsc, oneshot, watch};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

enum Command {
    Load(HashMap<u64, String>),
    Get(u64, oneshot::Sender<Option<String>>),
    Put(u64, String, oneshot::Sender<Option<String>>),
}

type Handle = Arc<Mutex<Option<mpsc::Sender<Command>>>>;

async fn session_store(
    mut inbox: mpsc::Receiver<Command>,
    snapshots: Arc<watch::Sender<HashMap<u64, String>>>,
) {
    let mut sessions = HashMap::new();
    let mut puts = 0u64;
    while let Some(command) = inbox.recv().await {
        match command {
            Command::Load(snapshot) => sessions = snapshot,
            Command::Get(id, reply) => {
                assert_ne!(id, 99, "corrupt session id");
                let _ = reply.send(sessions.get(&id).cloned());
            }
            Command::Put(id, user, reply) => {
                assert_ne!(id, 99, "corrupt session id");
                let _ = reply.send(sessions.insert(id, user));
                puts += 1;
                if puts.is_multiple_of(8) {
                    snapshots.send_replace(sessions.clone());
                }
            }
        }
    }
}

async fn supervisor(handle: Handle, generations: Arc<AtomicU64>) {
    let (snapshots, latest) = watch::channel_named("snapshots", HashMap::new());
    let snapshots = Arc::new(snapshots);
    loop {
        let (tx, rx) = mpsc::channel_named("store-inbox", 16);
        let store = peeps::spawn_named("session-store", session_store(rx, snapshots.clone()));
        let snapshot = latest.borrow().clone();
        if tx.send(Command::Load(snapshot)).await.is_err() {
            continue;
        }
        *handle.lock().await = Some(tx);
        generations.fetch_add(1, Ordering::Relaxed);
        match store.await {
            Ok(()) => return,
            Err(_) => tokio::time::sleep(Duration::from_millis(20)).await,
        }
    }
}

async fn call(handle: &Handle, make: impl Fn(oneshot::Sender<Option<String>>) -> Command) {
    for _ in 0..3 {
        let Some(inbox) = handle.lock().await.clone() else {
            tokio::time::sleep(Duration::from_millis(10)).await;
            continue;
        };
        let (reply, answer) = oneshot::channel_named("store-reply");
        if inbox.send(make(reply)).await.is_ok() && answer.await.is_ok() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(30)).await;
    }
}

async fn client(id: u64, handle: Handle, calls: Arc<AtomicU64>) {
    loop {
        for n in 0..10 {
            let session = id * 10 + n;
            call(&handle, |reply| {
                Command::Put(session, format!("user-{n}"), reply)
            })
            .await;
            call(&handle, |reply| Command::Get(session, reply)).await;
            calls.fetch_add(1, Ordering::Relaxed);
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        if id == 0 {
            call(&handle, |reply| Command::Get(99, reply)).await;
            calls.fetch_add(1, Ordering::Relaxed);
        }
        tokio::time::sleep(Duration::from_secs(600)).await;
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_supervisor_inits_each_actor_generation");
    let handle: Handle = Arc::new(Mutex::new(None).named("store-handle"));
    let generations = Arc::new(AtomicU64::new(0));
    let calls = Arc::new(AtomicU64::new(0));
    peeps::spawn_named(
        "supervisor",
        supervisor(handle.clone(), generations.clone()),
    );
    for id in 0..3 {
        peeps::spawn_named(
            format!("client-{id}"),
            client(id, handle.clone(), calls.clone()),
        );
    }
    ready_when(move |_| {
        generations.load(Ordering::Relaxed) >= 2 && calls.load(Ordering::Relaxed) >= 31
    });
    park().await
}
