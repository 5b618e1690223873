//! Deadlock from a bug report: wasmCloud/wasmCloud#813 ("fix: drop
//! problematic write lock"). The host's control interface handles each
//! NATS message in a task of its own. `handle_scale_actor` takes the write
//! side of `actors`, finds the actor not started, and starts it: after
//! fetching and instantiating the component, `start_actor` reads `links`.
//! `process_linkdef_put` takes the write side of `links`, inserts the link
//! definition, and, still holding it, reads `actors` to tell a running
//! actor. A scale and a link put at about the same time take the two
//! `RwLock`s in opposite orders.
//!
//! Written as the host runs it: every control message handled in a plain
//! `tokio::spawn` task, `actors` and `links` `peeps::sync::RwLock`s; a
//! scale request, then, while its component is being instantiated, a link
//! definition for that actor.
//!
//! Expected: one `certain` deadlock of the two plain handler tasks over
//! `actors` (the link put's read, held by the scale's write) and `links`
//! (the scale's read, held by the link put's write). (No potential
//! deadlock: neither task ever held both locks, so no lock order was
//! seen completed.)

use examples::{park, ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::RwLock;
use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::sync::Arc;
use std::time::Duration;

#[derive(Clone, Debug)]
struct LinkDefinition {
    actor_id: String,
    provider_id: String,
}

struct Actor {
    links: Vec<LinkDefinition>,
}

struct Host {
    actors: RwLock<HashMap<String, Actor>>,
    links: RwLock<HashMap<String, LinkDefinition>>,
}

enum Control {
    ScaleActor { actor_id: String },
    LinkdefPut { id: String, ld: LinkDefinition },
}

/// Fetches the component from its registry and instantiates it.
async fn instantiate_component(actor_id: &str) -> usize {
    tokio::time::sleep(Duration::from_millis(50)).await;
    actor_id.len()
}

impl Host {
    async fn start_actor(&self, actor_id: &str) -> Actor {
        let _component = instantiate_component(actor_id).await;
        let links = self.links.read().await;
        Actor {
            links: links
                .values()
                .filter(|ld| ld.actor_id == actor_id)
                .cloned()
                .collect(),
        }
    }

    async fn handle_scale_actor(&self, actor_id: String) {
        let mut actors = self.actors.write().await;
        if let Entry::Vacant(entry) = actors.entry(actor_id) {
            let actor = self.start_actor(entry.key()).await;
            entry.insert(actor);
        }
    }

    async fn process_linkdef_put(&self, id: String, ld: LinkDefinition) {
        let mut links = self.links.write().await;
        links.insert(id, ld.clone());
        if let Some(actor) = self.actors.read().await.get(&ld.actor_id) {
            println!(
                "link {} -> {} for a running actor ({} links)",
                ld.actor_id,
                ld.provider_id,
                actor.links.len()
            );
        }
    }

    async fn handle_control(self: Arc<Self>, message: Control) {
        match message {
            Control::ScaleActor { actor_id } => self.handle_scale_actor(actor_id).await,
            Control::LinkdefPut { id, ld } => self.process_linkdef_put(id, ld).await,
        }
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("scale_actor_vs_linkdef_put_tokio_spawn");
    let host = Arc::new(Host {
        actors: RwLock::new(HashMap::new()).named("actors"),
        links: RwLock::new(HashMap::new()).named("links"),
    });
    ready_when(|g| {
        waited_on_for(g, NodeKind::Rwlock, "actors", "read")
            && waited_on_for(g, NodeKind::Rwlock, "links", "read")
    });
    let messages = [
        Control::ScaleActor {
            actor_id: "echo".into(),
        },
        Control::LinkdefPut {
            id: "echo-httpserver".into(),
            ld: LinkDefinition {
                actor_id: "echo".into(),
                provider_id: "httpserver".into(),
            },
        },
    ];
    for message in messages {
        tokio::spawn(host.clone().handle_control(message));
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    park().await
}
