//! The fixed twin of `entity_worker_calls_own_handle` (build-trust/ockam#1853,
//! "Fix possible Worker deadlock"), as the code the report is about has it. An entity worker handles its messages one at a
//! time; handling `CreateProfile` calls a function that talks to the
//! entity through its handle, that is, sends a request to this same
//! worker and awaits the answer. The report: without the `spawn` around
//! that call, the worker awaits an answer only it could give, to a
//! request still unread in its own mailbox.
//!
//! The fix: the worker spawns the call in a task of its own, which answers
//! the client, and goes back to its mailbox. `main` creates a profile every
//! 20 ms.
//!
//! Expected, in every dump: nothing false (no deadlock, nothing stuck
//! forever, no potential deadlock).

use examples::ready_when;
use peeps::sync::{mpsc, oneshot};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

enum EntityMessage {
    CreateProfile(oneshot::Sender<u64>),
    GetIdentity(oneshot::Sender<u64>),
}

#[derive(Clone)]
struct Entity {
    mailbox: mpsc::Sender<EntityMessage>,
}

impl Entity {
    async fn create_profile(&self) -> u64 {
        let (tx, rx) = oneshot::channel_named("create-profile-reply");
        self.mailbox
            .send(EntityMessage::CreateProfile(tx))
            .await
            .expect("the worker runs");
        rx.await.expect("the worker answers")
    }

    async fn identity(&self) -> u64 {
        let (tx, rx) = oneshot::channel_named("get-identity-reply");
        self.mailbox
            .send(EntityMessage::GetIdentity(tx))
            .await
            .expect("the worker runs");
        rx.await.expect("the worker answers")
    }
}

/// Derives a profile from the entity's identity: a call through the
/// entity's handle.
async fn new_profile(entity: &Entity) -> u64 {
    let identity = entity.identity().await;
    identity * 31 + 7
}

async fn entity_worker(mut mailbox: mpsc::Receiver<EntityMessage>, me: Entity) {
    let identity = 0x5eed;
    while let Some(message) = mailbox.recv().await {
        match message {
            EntityMessage::GetIdentity(reply) => {
                let _ = reply.send(identity);
            }
            EntityMessage::CreateProfile(reply) => {
                let me = me.clone();
                tokio::spawn(async move {
                    let profile = new_profile(&me).await;
                    let _ = reply.send(profile);
                });
            }
        }
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("entity_worker_spawns_own_handle_call");
    let (tx, rx) = mpsc::channel_named("entity-mailbox", 16);
    let entity = Entity { mailbox: tx };
    tokio::spawn(entity_worker(rx, entity.clone()));
    for _ in 0..3 {
        let (tx, rx) = oneshot::channel();
        entity
            .mailbox
            .send(EntityMessage::GetIdentity(tx))
            .await
            .expect("the worker runs");
        println!("identity {}", rx.await.expect("the worker answers"));
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let profiles = Arc::new(AtomicU64::new(0));
    let done = profiles.clone();
    ready_when(move |_| done.load(Ordering::Relaxed) >= 10);
    loop {
        let profile = entity.create_profile().await;
        if profiles.fetch_add(1, Ordering::Relaxed) < 3 {
            println!("profile {profile}");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
