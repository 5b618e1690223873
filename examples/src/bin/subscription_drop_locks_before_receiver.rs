//! Deadlock from a bug report: spacejam/sled#1152 ("Transactions are
//! deadlocking at insert_inner"). The store's writer thread publishes each
//! insert to the prefix watchers under a read of the `subscribers` map,
//! with a blocking send into each watcher's bounded channel. A watcher's
//! `Subscriber` removes itself from `subscribers` in its `Drop` impl, with
//! a blocking write; its receiver is a field, dropped only after
//! `Drop::drop` returns. A watcher that stops reading (its channel fills,
//! the writer blocks in the send under the read) and then drops its
//! subscriber waits for the write forever: the writer's send can only end
//! once the receiver is read or dropped, which happens after the write.
//!
//! `subscribers` is a `peeps::sync::blocking::RwLock`, `events` a
//! `peeps::sync::mpsc` channel of 2 slots, made by the subscribe call in
//! the `watcher` task (`peeps::spawn_named`); the writer is a
//! `std::thread` named `writer`, as sled's. The watcher reads three
//! events, spends 200 ms on something else, then drops its subscriber.
//!
//! Expected: one `certain` deadlock of `watcher` (a blocking poll, its
//! write of `subscribers` waiting for the read held by `thread writer`)
//! and `thread writer` (sending into full `events`, its receiver held by
//! `watcher`).

use examples::{park, ready_when, waited_on, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::blocking::RwLock;
use peeps::sync::mpsc;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

type Subscribers = Arc<RwLock<HashMap<u64, mpsc::Sender<u64>>>>;

struct Subscriber {
    id: u64,
    rx: mpsc::Receiver<u64>,
    home: Subscribers,
}

impl Drop for Subscriber {
    fn drop(&mut self) {
        let mut watched = self.home.write();
        watched.remove(&self.id);
        // `self.rx` is dropped after this returns
    }
}

fn watch_prefix(home: &Subscribers, id: u64) -> Subscriber {
    let (tx, rx) = mpsc::channel_named("events", 2);
    home.write().insert(id, tx);
    Subscriber {
        id,
        rx,
        home: home.clone(),
    }
}

fn writer(home: Subscribers) {
    for key in 0u64.. {
        let watched = home.read();
        for tx in watched.values() {
            let _ = tx.blocking_send(key);
        }
        drop(watched);
        std::thread::sleep(Duration::from_millis(5));
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("subscription_drop_locks_before_receiver");
    let home: Subscribers = Arc::new(RwLock::new(HashMap::new()).named("subscribers"));
    let watcher_home = home.clone();
    peeps::spawn_named("watcher", async move {
        let mut sub = watch_prefix(&watcher_home, 2);
        for _ in 0..3 {
            let key = sub.rx.recv().await.expect("the writer never stops");
            println!("watched insert {key}");
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
        drop(sub);
        println!("unsubscribed");
    });
    {
        let home = home.clone();
        std::thread::Builder::new()
            .name("writer".into())
            .spawn(move || writer(home))
            .expect("spawn the writer thread");
    }
    ready_when(|g| {
        waited_on(g, NodeKind::Rwlock, "subscribers")
            && waited_on_for(g, NodeKind::Channel, "events", "send")
    });
    park().await
}
