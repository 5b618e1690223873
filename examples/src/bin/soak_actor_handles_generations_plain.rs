//! Healthy, under steady load: the request/response actor of the tokio
//! tutorial, restarted in generations. Each generation `main` (a
//! `#[tokio::main]` body) makes a `kv-inbox` mpsc of 8, spawns the actor
//! (plain `tokio::spawn`) and four clients, each with a clone of the
//! actor's cheap `Handle` (a struct around the sender) doing 30 gets and
//! puts, each with a `kv-reply` oneshot; the actor flushes to `disk` (a
//! mutex, 60 ms) every 16 puts. `main` drops its own handle, awaits the
//! clients, then the actor, which ends when the last handle is gone and
//! flushes once more. No peeps annotation.
//!
//! Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock.

use examples::{ready_when, waited_on};
use peeps::graph::NodeKind;
use peeps::sync::{Mutex, mpsc, oneshot};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

enum Command {
    Get {
        key: u64,
        reply: oneshot::Sender<Option<u64>>,
    },
    Put {
        key: u64,
        value: u64,
        reply: oneshot::Sender<()>,
    },
}

#[derive(Clone)]
struct Handle {
    tx: mpsc::Sender<Command>,
}

impl Handle {
    async fn get(&self, key: u64) -> Option<u64> {
        let (reply, rx) = oneshot::channel();
        let reply = reply.named("kv-reply");
        self.tx.send(Command::Get { key, reply }).await.ok()?;
        rx.await.ok().flatten()
    }

    async fn put(&self, key: u64, value: u64) {
        let (reply, rx) = oneshot::channel();
        let reply = reply.named("kv-reply");
        if self
            .tx
            .send(Command::Put { key, value, reply })
            .await
            .is_ok()
        {
            let _ = rx.await;
        }
    }
}

async fn run_actor(mut inbox: mpsc::Receiver<Command>, disk: Arc<Mutex<Vec<(u64, u64)>>>) {
    let mut map = HashMap::new();
    let mut dirty = Vec::new();
    while let Some(cmd) = inbox.recv().await {
        match cmd {
            Command::Get { key, reply } => {
                let _ = reply.send(map.get(&key).copied());
            }
            Command::Put { key, value, reply } => {
                map.insert(key, value);
                dirty.push((key, value));
                let _ = reply.send(());
                if dirty.len() >= 16 {
                    let mut disk = disk.lock().await;
                    tokio::time::sleep(Duration::from_millis(60)).await;
                    disk.append(&mut dirty);
                }
            }
        }
    }
    disk.lock().await.append(&mut dirty);
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_actor_handles_generations_plain");
    let disk = Arc::new(Mutex::new(Vec::new()).named("disk"));
    let generations = Arc::new(AtomicU64::new(0));
    let seen = generations.clone();
    ready_when(move |g| {
        seen.load(Ordering::Relaxed) >= 2 && waited_on(g, NodeKind::Channel, "kv-reply")
    });
    for generation in 0u64.. {
        let (tx, rx) = mpsc::channel(8);
        let handle = Handle {
            tx: tx.named("kv-inbox"),
        };
        let actor = tokio::spawn(run_actor(rx, disk.clone()));
        let mut clients = Vec::new();
        for c in 0..4u64 {
            let handle = handle.clone();
            clients.push(tokio::spawn(async move {
                for n in 0..30u64 {
                    let key = (n * 7 + c) % 20;
                    if n % 2 == 0 {
                        handle.put(key, generation * 100 + n).await;
                    } else {
                        std::hint::black_box(handle.get(key).await);
                    }
                    tokio::time::sleep(Duration::from_millis(5 + (n + c) % 10)).await;
                }
            }));
        }
        drop(handle);
        for client in clients {
            client.await.expect("a client");
        }
        actor.await.expect("the actor");
        disk.lock().await.clear();
        generations.fetch_add(1, Ordering::Relaxed);
    }
}
