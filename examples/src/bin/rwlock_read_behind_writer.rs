//! Deadlock: a task holding a read guard reads again while a writer is
//! queued (tokio's rwlock is write-preferring).
//!
//! `renderer` read-locks `config` to render a page, and the rendering
//! calls a helper, `lookup`, that read-locks `config` again. Meanwhile
//! `reloader` wants to write `config`: it queues behind the first read.
//! tokio's `RwLock` is fair and prefers writers: a read queued after a
//! waiting writer waits for that writer, so `lookup` waits for `reloader`,
//! which waits for `renderer`'s first read guard. (Without the writer the
//! second read would succeed at once. `renderer` waits until the writer is
//! queued, `try_read` failing, so that the bad interleaving is certain.)
//!
//! Expected: one `certain` deadlock of `renderer` and `reloader` on rwlock
//! `config`: `renderer`'s read behind the queued writer `reloader`, and
//! `reloader`'s write waiting for the read guard `renderer` holds.

use examples::{park, ready_when, waiters};
use peeps::graph::NodeKind;
use peeps::sync::{RwLock, oneshot};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

type Config = Arc<RwLock<BTreeMap<&'static str, String>>>;

#[peeps::instrument]
async fn lookup(config: &Config, key: &str) -> String {
    config.read().await.get(key).cloned().unwrap_or_default()
}

#[peeps::instrument]
async fn render(config: Config, reading: oneshot::Sender<()>) -> String {
    let page = config.read().await;
    let _ = reading.send(());
    // Until a writer queues, a read would succeed.
    while config.try_read().is_ok() {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let title = lookup(&config, "title").await;
    format!("{title}: {}", page.len())
}

#[peeps::instrument]
async fn reload(config: Config, reading: oneshot::Receiver<()>) {
    reading.await.expect("the renderer reads");
    config.write().await.insert("title", "reloaded".into());
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("rwlock_read_behind_writer");
    let config: Config = Arc::new(RwLock::new(BTreeMap::new()).named("config"));
    let (reading, renderer_reads) = oneshot::channel_named("reading");
    peeps::spawn_named("renderer", render(config.clone(), reading));
    peeps::spawn_named("reloader", reload(config, renderer_reads));

    ready_when(|g| waiters(g, NodeKind::Rwlock, "config") == 2);
    park().await
}
