//! The fixed twin of `docs_actor_blocking_send_to_subscriber`
//! (n0-computer/iroh-docs#81, fixed by removing every `blocking_send`
//! from the actor, #75): the actor thread hands each event to a
//! subscriber with `try_send` and drops it for a subscriber whose stream
//! is full, so its loop keeps reading actions. The subscriber fetches
//! every entry it hears of with `get_one`; a writer inserts an entry every
//! 30 ms.
//!
//! Expected: no deadlock, nothing stuck forever, no potential deadlock.

use examples::{attr, park, ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::mpsc::error::TrySendError;
use peeps::sync::{mpsc, oneshot};
use std::collections::HashMap;
use std::time::Duration;

#[derive(Debug, Clone)]
struct Event {
    key: String,
}

enum Action {
    Insert {
        key: String,
        value: u64,
    },
    Subscribe {
        events: mpsc::Sender<Event>,
    },
    GetOne {
        key: String,
        reply: oneshot::Sender<Option<u64>>,
    },
}

struct Actor {
    inbox: mpsc::Receiver<Action>,
    store: HashMap<String, u64>,
    subscribers: Vec<mpsc::Sender<Event>>,
}

impl Actor {
    fn run(mut self) {
        while let Some(action) = self.inbox.blocking_recv() {
            match action {
                Action::Insert { key, value } => {
                    self.store.insert(key.clone(), value);
                    // Never block the event loop on a slow subscriber.
                    self.subscribers.retain(|sub| {
                        !matches!(
                            sub.try_send(Event { key: key.clone() }),
                            Err(TrySendError::Closed(_))
                        )
                    });
                }
                Action::Subscribe { events } => self.subscribers.push(events),
                Action::GetOne { key, reply } => {
                    let _ = reply.send(self.store.get(&key).copied());
                }
            }
        }
    }
}

#[derive(Clone)]
struct Doc {
    actions: mpsc::Sender<Action>,
}

impl Doc {
    async fn set(&self, key: String, value: u64) {
        let _ = self.actions.send(Action::Insert { key, value }).await;
    }

    async fn subscribe(&self) -> mpsc::Receiver<Event> {
        let (events, stream) = mpsc::channel_named("doc-events", 2);
        let _ = self.actions.send(Action::Subscribe { events }).await;
        stream
    }

    async fn get_one(&self, key: String) -> Option<u64> {
        let (reply, answer) = oneshot::channel_named("get-one-reply");
        let _ = self.actions.send(Action::GetOne { key, reply }).await;
        answer.await.ok().flatten()
    }
}

async fn subscriber(doc: Doc, mut events: mpsc::Receiver<Event>) {
    while let Some(event) = events.recv().await {
        let value = doc.get_one(event.key.clone()).await;
        println!("{} = {value:?}", event.key);
    }
}

async fn writer(doc: Doc) {
    for i in 0.. {
        doc.set(format!("entry-{i}"), i).await;
        tokio::time::sleep(Duration::from_millis(30)).await;
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("docs_actor_try_send_to_subscriber");
    let (actions, inbox) = mpsc::channel_named("sync-actions", 64);
    let actor = Actor {
        inbox,
        store: HashMap::new(),
        subscribers: Vec::new(),
    };
    std::thread::Builder::new()
        .name("sync-actor".into())
        .spawn(move || actor.run())
        .expect("spawn the actor thread");
    let doc = Doc { actions };
    let events = doc.subscribe().await;
    for i in 0..8 {
        doc.set(format!("burst-{i}"), i).await;
    }
    peeps::spawn_named("subscriber", subscriber(doc.clone(), events));
    peeps::spawn_named("writer", writer(doc));
    ready_when(|g| {
        attr(g, NodeKind::Channel, "doc-events", "received").is_some_and(|n| n >= 6)
            && waited_on_for(g, NodeKind::Channel, "doc-events", "recv")
    });
    park().await
}
