//! Healthy, under steady load: a proxy whose client-side and upstream-side
//! connections are the same `Conn` type, each with its own `state` mutex
//! made by `Conn::new` (so one lock class, `conn-state`: 12 client
//! connections and 12 upstream connections). A `routes` mutex maps
//! clients to upstreams.
//!
//! - twelve plain client handlers each take their own client connection's
//!   `state`, and while holding it take `routes` to look their upstream
//!   up (client `state` → `routes`);
//! - a plain health checker, every 20 ms, takes `routes` and, holding it,
//!   marks one upstream connection's `state` down or up (`routes` →
//!   upstream `state`);
//! - twelve plain upstream pumps take their own upstream `state` alone
//!   across a 3 ms "read".
//!
//! No client connection is ever an upstream connection, so the two orders
//! cannot meet: no `state` is taken both before and after `routes`. The
//! program cannot hang.
//!
//! Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock.

use examples::{park, ready_when};
use peeps::sync::Mutex;
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

struct ConnState {
    bytes: u64,
    up: bool,
}

struct Conn {
    id: u64,
    state: Mutex<ConnState>,
}

impl Conn {
    fn new(id: u64) -> Arc<Self> {
        Arc::new(Conn {
            id,
            state: Mutex::new(ConnState { bytes: 0, up: true }).named("conn-state"),
        })
    }
}

const CONNS: u64 = 12;

#[tokio::main]
async fn main() {
    peeps::install_sigusr1(
        "soak_proxy_conn_state_one_type_clients_then_routes_then_upstreams_plain",
    );
    let clients: Vec<Arc<Conn>> = (0..CONNS).map(Conn::new).collect();
    let upstreams: Vec<Arc<Conn>> = (100..100 + CONNS).map(Conn::new).collect();
    let routes = Arc::new(
        Mutex::new(
            (0..CONNS)
                .map(|c| (c, 100 + (c * 5) % CONNS))
                .collect::<HashMap<_, _>>(),
        )
        .named("routes"),
    );
    let proxied = Arc::new(AtomicU64::new(0));
    let checks = Arc::new(AtomicU64::new(0));
    for client in &clients {
        let client = client.clone();
        let routes = routes.clone();
        let proxied = proxied.clone();
        tokio::spawn(async move {
            loop {
                {
                    let mut state = client.state.lock().await;
                    let upstream = routes.lock().await.get(&client.id).copied();
                    state.bytes += upstream.unwrap_or(0);
                }
                proxied.fetch_add(1, Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(4)).await;
            }
        });
    }
    {
        let upstreams = upstreams.clone();
        let routes = routes.clone();
        let checks = checks.clone();
        tokio::spawn(async move {
            for n in 0u64.. {
                tokio::time::sleep(Duration::from_millis(20)).await;
                let mut routes = routes.lock().await;
                let upstream = &upstreams[(n % CONNS) as usize];
                let mut state = upstream.state.lock().await;
                state.up = !n.is_multiple_of(5);
                let target = upstream.id;
                if state.up {
                    routes.insert(n % CONNS, target);
                }
                checks.fetch_add(1, Ordering::Relaxed);
            }
        });
    }
    for upstream in &upstreams {
        let upstream = upstream.clone();
        tokio::spawn(async move {
            loop {
                {
                    let mut state = upstream.state.lock().await;
                    tokio::time::sleep(Duration::from_millis(3)).await;
                    state.bytes += 1;
                }
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        });
    }
    ready_when(move |_| {
        proxied.load(Ordering::Relaxed) >= 300 && checks.load(Ordering::Relaxed) >= 2 * CONNS
    });
    park().await
}
