//! The fix of wasmCloud/wasmCloud#813: `process_linkdef_put` lets the
//! write side of `links` go before it reads `actors`. The twin of
//! `linkdef_put_drops_links_before_actors_tokio_spawn`, the host handling a stream of
//! scale requests (for new and for running actors) and link definitions
//! in plain `tokio::spawn` tasks, a link put now and then waiting for a
//! scale's instantiation to end.
//!
//! Expected: no deadlock, nothing stuck, no potential deadlock (the two
//! locks are never held together in the link put).

use examples::ready;
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
        self.links.write().await.insert(id, ld.clone());
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
    peeps::install_sigusr1("linkdef_put_drops_links_before_actors_tokio_spawn");
    let host = Arc::new(Host {
        actors: RwLock::new(HashMap::new()).named("actors"),
        links: RwLock::new(HashMap::new()).named("links"),
    });
    for n in 0u64.. {
        let actor_id = format!("echo-{}", (n / 2) % 64);
        let message = if n % 2 == 0 {
            Control::ScaleActor { actor_id }
        } else {
            Control::LinkdefPut {
                id: format!("{actor_id}-httpserver-{n}"),
                ld: LinkDefinition {
                    actor_id,
                    provider_id: "httpserver".into(),
                },
            }
        };
        tokio::spawn(host.clone().handle_control(message));
        tokio::time::sleep(Duration::from_millis(10)).await;
        if n == 8 {
            ready();
        }
    }
}
