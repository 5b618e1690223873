//! Healthy twin of `read_guard_join_behind_hot_reload`: the handler
//! (`peeps::spawn_named`) copies the version out of its `config` read
//! guard and lets it go before it spawns `fetch` (`peeps::spawn_named`)
//! and awaits its `JoinHandle`; fetch asks the plain hot-reload task for
//! the next version (which it then writes) and reads `config`. One request
//! every 20 ms. Current-thread runtime.
//!
//! Expected: no deadlock, nothing stuck forever, no potential deadlock,
//! and no long wait.

use examples::{park, ready_when};
use peeps::sync::{RwLock, mpsc, oneshot};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

struct Config {
    version: u64,
}

type Shared = Arc<RwLock<Config>>;

async fn fetch(config: Shared, versions: mpsc::Sender<oneshot::Sender<u64>>) -> u64 {
    let (tx, rx) = oneshot::channel();
    if versions.send(tx).await.is_err() {
        return 0;
    }
    let next = rx.await.unwrap_or(0);
    let current = config.read().await.version;
    next.max(current)
}

async fn handle(
    config: Shared,
    versions: mpsc::Sender<oneshot::Sender<u64>>,
    served: Arc<AtomicU64>,
) {
    loop {
        let version = config.read().await.version;
        let fetcher = peeps::spawn_named("fetch", fetch(config.clone(), versions.clone()));
        let latest = fetcher.await.expect("fetch does not panic");
        println!("serving with version {version} (latest {latest})");
        served.fetch_add(1, Ordering::SeqCst);
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    peeps::install_sigusr1("read_copied_before_join_hot_reload");
    let config: Shared = Arc::new(RwLock::new(Config { version: 1 }).named("config"));
    let (versions, mut requests) = mpsc::channel_named::<oneshot::Sender<u64>>("versions", 8);
    let reload = config.clone();
    tokio::spawn(async move {
        let mut next = 2;
        while let Some(reply) = requests.recv().await {
            let _ = reply.send(next);
            reload.write().await.version = next;
            next += 1;
        }
    });
    let served = Arc::new(AtomicU64::new(0));
    peeps::spawn_named("handler", handle(config, versions, served.clone()));
    ready_when(move |_| served.load(Ordering::SeqCst) >= 5);
    park().await
}
