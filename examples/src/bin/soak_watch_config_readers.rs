//! Healthy, under steady load, on a current-thread runtime: a `config`
//! (`peeps::sync::watch`) reloaded by an `admin` (`peeps::spawn_named`)
//! every 400 ms with `send_modify`. Eight request handlers (four
//! `peeps::spawn_named`, four plain `tokio::spawn`) `borrow()` it briefly
//! per request, then take the `sessions` lock for 5 ms; two watchers
//! (`peeps::spawn_named`) wait for every change with `changed()` and
//! rebuild a route table under `routes` (an `RwLock`, write held 180 ms);
//! a `gate` task waits with `wait_for` for every third version; the
//! handlers read `routes` too. Current-thread runtime.
//!
//! Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock; waits on `routes` may be long.

use examples::{ready_when, waited_on};
use peeps::graph::NodeKind;
use peeps::sync::{Mutex, RwLock, watch};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

#[derive(Clone, Default)]
struct Config {
    version: u64,
    limit: u64,
}

async fn handle(
    config: watch::Receiver<Config>,
    sessions: Arc<Mutex<u64>>,
    routes: Arc<RwLock<Vec<u64>>>,
    served: Arc<AtomicU64>,
) {
    loop {
        let limit = config.borrow().limit;
        {
            let mut s = sessions.lock().await;
            *s = (*s + 1) % limit.max(1);
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        let r = routes.read().await;
        std::hint::black_box(r.len());
        drop(r);
        served.fetch_add(1, Ordering::Relaxed);
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[peeps::instrument]
async fn rebuild_on_change(
    mut config: watch::Receiver<Config>,
    routes: Arc<RwLock<Vec<u64>>>,
    rebuilt: Arc<AtomicU64>,
) {
    while config.changed().await.is_ok() {
        let version = config.borrow_and_update().version;
        let mut r = routes.write().await;
        tokio::time::sleep(Duration::from_millis(180)).await;
        r.push(version);
        if r.len() > 32 {
            r.clear();
        }
        drop(r);
        rebuilt.fetch_add(1, Ordering::Relaxed);
    }
}

#[peeps::instrument]
async fn gate(mut config: watch::Receiver<Config>, opened: Arc<AtomicU64>) {
    let mut want = 3;
    loop {
        let Ok(cfg) = config.wait_for(|c| c.version >= want).await else {
            return;
        };
        want = cfg.version + 3;
        drop(cfg);
        opened.fetch_add(1, Ordering::Relaxed);
    }
}

#[peeps::instrument]
async fn admin(tx: watch::Sender<Config>) {
    loop {
        tokio::time::sleep(Duration::from_millis(400)).await;
        tx.send_modify(|c| {
            c.version += 1;
            c.limit = 100 + c.version % 7;
        });
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    peeps::install_sigusr1("soak_watch_config_readers");
    let (tx, rx) = watch::channel_named("config", Config::default());
    let sessions = Arc::new(Mutex::new(0u64).named("sessions"));
    let routes = Arc::new(RwLock::new(Vec::new()).named("routes"));
    let served = Arc::new(AtomicU64::new(0));
    let rebuilt = Arc::new(AtomicU64::new(0));
    let opened = Arc::new(AtomicU64::new(0));
    for i in 1..=4 {
        peeps::spawn_named(
            format!("handler-{i}"),
            handle(rx.clone(), sessions.clone(), routes.clone(), served.clone()),
        );
        tokio::spawn(handle(
            rx.clone(),
            sessions.clone(),
            routes.clone(),
            served.clone(),
        ));
    }
    for i in 1..=2 {
        peeps::spawn_named(
            format!("watcher-{i}"),
            rebuild_on_change(rx.clone(), routes.clone(), rebuilt.clone()),
        );
    }
    peeps::spawn_named("gate", gate(rx, opened.clone()));
    peeps::spawn_named("admin", admin(tx));
    ready_when(move |g| {
        served.load(Ordering::Relaxed) >= 20
            && rebuilt.load(Ordering::Relaxed) >= 2
            && opened.load(Ordering::Relaxed) >= 1
            && waited_on(g, NodeKind::Rwlock, "routes")
    });
    examples::park().await
}
