//! Deadlock from a bug report: build-trust/ockam#1853 ("Fix possible
//! Worker deadlock"). An entity worker handles its messages one at a
//! time; handling `CreateProfile` calls a function that talks to the
//! entity through its handle, that is, sends a request to this same
//! worker and awaits the answer. The report: without the `spawn` around
//! that call, the worker awaits an answer only it could give, to a
//! request still unread in its own mailbox.
//!
//! Written as a plain tokio actor: the worker a `tokio::spawn`ed loop
//! over `peeps::sync::mpsc` `entity-mailbox` (16 slots), each answer a
//! `peeps::sync::oneshot`, `main` a client that asks it to create a
//! profile and awaits `create-profile-reply`.
//!
//! Expected: one `certain` deadlock of the plain worker with itself
//! (awaiting `get-identity-reply`, whose sender is in an unread message on
//! `entity-mailbox`, whose receiver the worker holds: moved into its task
//! and used from the task's cell); `thread main` behind it (awaiting
//! `create-profile-reply`, whose sender the worker holds).

use examples::{park, ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::{mpsc, oneshot};
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
                let profile = new_profile(&me).await;
                let _ = reply.send(profile);
            }
        }
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("entity_worker_calls_own_handle");
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
    ready_when(|g| {
        waited_on_for(g, NodeKind::Channel, "get-identity-reply", "recv")
            && waited_on_for(g, NodeKind::Channel, "create-profile-reply", "recv")
    });
    let profile = entity.create_profile().await;
    println!("profile {profile}");
    park().await
}
