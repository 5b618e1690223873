//! Healthy, under steady load: in-process service discovery over a
//! `broadcast` whose values carry each service's inbox `Sender`. Every
//! task of the service is `peeps::spawn_named`; the callers are plain
//! `tokio::spawn`.
//!
//! Services `users` and `orders` each make an inbox (capacity 8),
//! announce `Announce { service, inbox }` on `announcements` (capacity
//! 16) and again every 400 ms (a heartbeat), and answer `Query`s on the
//! query's `oneshot`. `orders` retires after 40 queries and a new
//! generation with a fresh inbox announces itself. The `gateway`
//! subscribes, keeps the latest sender of each service in a `HashMap`,
//! and `select!`s `announcements` and its own `gateway-inbox`
//! (capacity 8), forwarding each request with its reply sender inside;
//! a send to a retired inbox drops the entry. Four callers ask every
//! 120 ms.
//!
//! Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock.

use examples::{ready_when, waited_on};
use peeps::graph::NodeKind;
use peeps::sync::{broadcast, mpsc, oneshot};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

struct Query {
    key: u64,
    reply: oneshot::Sender<Option<String>>,
}

#[derive(Clone)]
struct Announce {
    service: &'static str,
    generation: u64,
    inbox: mpsc::Sender<Query>,
}

async fn service(
    name: &'static str,
    generation: u64,
    retire_after: Option<u64>,
    announcements: broadcast::Sender<Announce>,
) {
    let (inbox_tx, mut inbox) = mpsc::channel_named(format!("{name}-inbox"), 8);
    let announce = Announce {
        service: name,
        generation,
        inbox: inbox_tx,
    };
    let _ = announcements.send(announce.clone());
    let mut heartbeat = tokio::time::interval(Duration::from_millis(400));
    let mut served = 0u64;
    loop {
        tokio::select! {
            _ = heartbeat.tick() => {
                let _ = announcements.send(announce.clone());
            }
            query = inbox.recv() => {
                let Some(Query { key, reply }) = query else { return };
                let _ = reply.send(Some(format!("{name}/{generation}/{key}")));
                served += 1;
                if Some(served) == retire_after {
                    return;
                }
            }
        }
    }
}

struct Request {
    service: &'static str,
    key: u64,
    reply: oneshot::Sender<Option<String>>,
}

async fn gateway(
    mut announcements: broadcast::Receiver<Announce>,
    mut inbox: mpsc::Receiver<Request>,
) {
    let mut routes: HashMap<&'static str, (u64, mpsc::Sender<Query>)> = HashMap::new();
    loop {
        tokio::select! {
            announced = announcements.recv() => match announced {
                Ok(a) => {
                    let newer = routes.get(a.service).is_none_or(|(g, _)| *g <= a.generation);
                    if newer {
                        routes.insert(a.service, (a.generation, a.inbox));
                    }
                }
                Err(broadcast::error::RecvError::Lagged(_)) => {}
                Err(broadcast::error::RecvError::Closed) => return,
            },
            request = inbox.recv() => {
                let Some(Request { service, key, reply }) = request else { return };
                let Some((_, to)) = routes.get(service) else {
                    let _ = reply.send(None);
                    continue;
                };
                if let Err(mpsc::error::SendError(query)) = to.send(Query { key, reply }).await {
                    routes.remove(service);
                    let _ = query.reply.send(None);
                }
            }
        }
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_discovery_broadcast_announces_senders");
    let (announce_tx, announce_rx) = broadcast::channel_named("announcements", 16);
    let (gw_tx, gw_rx) = mpsc::channel_named("gateway-inbox", 8);
    peeps::spawn_named("gateway", gateway(announce_rx, gw_rx));
    peeps::spawn_named("users", service("users", 0, None, announce_tx.clone()));
    let generations = Arc::new(AtomicU64::new(0));
    let gens = generations.clone();
    let orders_supervisor = peeps::spawn_named("orders-supervisor", async move {
        for generation in 0u64.. {
            gens.store(generation, Ordering::Relaxed);
            let orders = service("orders", generation, Some(40), announce_tx.clone());
            let _ = peeps::spawn_named("orders", orders).await;
        }
    });

    let answered = Arc::new(AtomicU64::new(0));
    for c in 0..4u64 {
        let gw = gw_tx.clone();
        let answered = answered.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_millis(120));
            for n in 0u64.. {
                tick.tick().await;
                let service = if n.is_multiple_of(2) {
                    "users"
                } else {
                    "orders"
                };
                let (reply, answer) = oneshot::channel_named("gateway-reply");
                let request = Request {
                    service,
                    key: c * 1000 + n,
                    reply,
                };
                if gw.send(request).await.is_err() {
                    return;
                }
                if let Ok(Some(_)) = answer.await {
                    answered.fetch_add(1, Ordering::Relaxed);
                }
            }
        });
    }
    drop(gw_tx);
    ready_when(move |g| {
        generations.load(Ordering::Relaxed) >= 1
            && answered.load(Ordering::Relaxed) >= 60
            && waited_on(g, NodeKind::Channel, "gateway-inbox")
    });
    let _ = orders_supervisor.await;
}
