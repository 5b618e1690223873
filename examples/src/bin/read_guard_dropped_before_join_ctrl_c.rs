//! Healthy twin of `read_guard_across_join_ctrl_c`: the reloader
//! (`peeps::spawn_named`) copies what it needs out of the `config` read
//! guard and lets it go before it spawns the refresher
//! (`peeps::spawn_named`) and awaits its `JoinHandle`; it reloads every
//! 20 ms. `main` also runs a plain `tokio::spawn` that waits for `ctrl_c`.
//!
//! Expected: no deadlock, nothing stuck forever, no potential deadlock,
//! and no long wait.

use examples::{park, ready_when};
use peeps::sync::RwLock;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

struct Config {
    version: u64,
    upstream: String,
}

async fn refresh(config: Arc<RwLock<Config>>, version: u64) {
    let mut c = config.write().await;
    c.version = version;
    c.upstream = format!("10.0.0.{version}");
}

async fn reload(config: Arc<RwLock<Config>>, reloads: Arc<AtomicU64>) {
    loop {
        let (next, upstream) = {
            let current = config.read().await;
            (current.version + 1, current.upstream.clone())
        };
        let refresher = peeps::spawn_named("refresher", refresh(config.clone(), next));
        refresher.await.expect("refresh does not panic");
        println!("reloaded from version {} ({upstream})", next - 1);
        reloads.fetch_add(1, Ordering::SeqCst);
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("read_guard_dropped_before_join_ctrl_c");
    tokio::spawn(async {
        if tokio::signal::ctrl_c().await.is_ok() {
            std::process::exit(130);
        }
    });
    let config = Arc::new(
        RwLock::new(Config {
            version: 1,
            upstream: "10.0.0.1".into(),
        })
        .named("config"),
    );
    let reloads = Arc::new(AtomicU64::new(0));
    peeps::spawn_named("reloader", reload(config, reloads.clone()));
    ready_when(move |_| reloads.load(Ordering::SeqCst) >= 5);
    park().await
}
