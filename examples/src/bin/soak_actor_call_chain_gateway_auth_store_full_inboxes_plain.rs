//! Healthy, under steady load: a chain of three actors that call each
//! other synchronously, with no timeouts and no cycle. The `gateway` actor
//! handles one request at a time: it calls the `auth` actor (send into
//! its inbox, await a oneshot reply) and answers the client only after
//! `auth` answered; `auth` in turn calls the `store` actor the same way
//! before answering; `store` answers after a 5-30 ms "query" under
//! `store-data`. Each inbox is a bounded `mpsc` of 2 (`gateway-inbox`,
//! `auth-inbox`, `store-inbox`). Eight plain clients send to `gateway` and
//! await its reply; a plain maintenance task holds `store-data` 60 ms of
//! every 300 ms. All plain `tokio::spawn`.
//!
//! Clients wait to send on a full `gateway-inbox` (received by `gateway`,
//! waiting on `auth`'s reply, `auth` on `store`'s, `store` on a timer or
//! on `store-data`, held on a timer) and on their `reply`.
//!
//! Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock.

use examples::{park, ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::{Mutex, mpsc, oneshot};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

struct Call<Q, A> {
    query: Q,
    reply: oneshot::Sender<A>,
}

#[derive(Clone)]
struct Handle<Q, A> {
    tx: mpsc::Sender<Call<Q, A>>,
}

impl<Q, A> Handle<Q, A> {
    async fn call(&self, query: Q) -> Option<A> {
        let (reply, rx) = oneshot::channel();
        self.tx.send(Call { query, reply }).await.ok()?;
        rx.await.ok()
    }
}

async fn store(
    mut inbox: mpsc::Receiver<Call<u64, Option<u64>>>,
    data: Arc<Mutex<HashMap<u64, u64>>>,
) {
    while let Some(Call { query, reply }) = inbox.recv().await {
        let data = data.lock().await;
        tokio::time::sleep(Duration::from_millis(5 + (query * 7) % 26)).await;
        let _ = reply.send(data.get(&(query % 10)).copied());
    }
}

async fn auth(mut inbox: mpsc::Receiver<Call<u64, bool>>, store: Handle<u64, Option<u64>>) {
    while let Some(Call { query, reply }) = inbox.recv().await {
        let token = store.call(query).await.flatten();
        let _ = reply.send(token.is_some_and(|t| t.is_multiple_of(2)));
    }
}

async fn gateway(mut inbox: mpsc::Receiver<Call<u64, String>>, auth: Handle<u64, bool>) {
    while let Some(Call { query, reply }) = inbox.recv().await {
        let ok = auth.call(query).await.unwrap_or(false);
        let _ = reply.send(if ok {
            format!("200 {query}")
        } else {
            "403".to_owned()
        });
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_actor_call_chain_gateway_auth_store_full_inboxes_plain");
    let data = Arc::new(
        Mutex::new((0..10).map(|k| (k, k * 3)).collect::<HashMap<_, _>>()).named("store-data"),
    );
    let (store_tx, store_rx) = mpsc::channel(2);
    let (auth_tx, auth_rx) = mpsc::channel(2);
    let (gateway_tx, gateway_rx) = mpsc::channel(2);
    let store_h = Handle {
        tx: store_tx.named("store-inbox"),
    };
    let auth_h = Handle {
        tx: auth_tx.named("auth-inbox"),
    };
    let gateway_h = Handle {
        tx: gateway_tx.named("gateway-inbox"),
    };
    tokio::spawn(store(store_rx, data.clone()));
    tokio::spawn(auth(auth_rx, store_h));
    tokio::spawn(gateway(gateway_rx, auth_h));
    let answered = Arc::new(AtomicU64::new(0));
    for c in 0..8u64 {
        let gateway_h = gateway_h.clone();
        let answered = answered.clone();
        tokio::spawn(async move {
            for n in 0u64.. {
                if gateway_h.call(n * 8 + c).await.is_none() {
                    return;
                }
                answered.fetch_add(1, Ordering::Relaxed);
            }
        });
    }
    drop(gateway_h);
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_millis(240)).await;
            let mut d = data.lock().await;
            tokio::time::sleep(Duration::from_millis(60)).await;
            for v in d.values_mut() {
                *v += 1;
            }
        }
    });
    ready_when(move |g| {
        answered.load(Ordering::Relaxed) >= 30
            && waited_on_for(g, NodeKind::Channel, "gateway-inbox", "send")
    });
    park().await
}
