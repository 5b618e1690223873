//! Deadlock from n0-computer/iroh-docs#81 ("Deadlock with subscribers"):
//! the document store's actor runs its event loop on a thread of its own,
//! reads actions with `blocking_recv`, and hands every insert's event to
//! each subscriber with `blocking_send` on the subscriber's bounded
//! stream. A subscriber that, on an event, fetches the entry with
//! `get_one(..).await` sends a `GetOne` action into the actor's inbox and
//! waits for the reply; the actor, still sending earlier inserts' events
//! into the full stream, never reads it.
//!
//! `main` starts the actor thread `sync-actor`, subscribes (a stream of
//! two events: `doc-events`), writes eight entries, then starts the
//! `subscriber` (`peeps::spawn_named`, no other annotation), which takes
//! the first event and calls `get_one`. The actor has sent the next two
//! events and is parked sending the fourth; the `GetOne` sits behind
//! four inserts in `sync-actions`.
//!
//! Expected: one `certain` deadlock of `subscriber` (receiving on
//! `get-one-reply`, whose sender is in an unread message on
//! `sync-actions`, whose receiver is with the actor thread) and `thread
//! sync-actor` (sending on full `doc-events`, whose receiver is with
//! `subscriber`).

use examples::{park, ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::{mpsc, oneshot};
use std::collections::HashMap;

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
                    // Broadcast the event to every subscriber.
                    self.subscribers
                        .retain(|sub| sub.blocking_send(Event { key: key.clone() }).is_ok());
                }
                Action::Subscribe { events } => self.subscribers.push(events),
                Action::GetOne { key, reply } => {
                    let _ = reply.send(self.store.get(&key).copied());
                }
            }
        }
    }
}

/// The client handle: a sender of the actor's inbox.
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

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("docs_actor_blocking_send_to_subscriber");
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
        doc.set(format!("entry-{i}"), i).await;
    }
    peeps::spawn_named("subscriber", subscriber(doc.clone(), events));
    drop(doc);
    ready_when(|g| {
        waited_on_for(g, NodeKind::Channel, "get-one-reply", "recv")
            && waited_on_for(g, NodeKind::Channel, "doc-events", "send")
    });
    park().await
}
