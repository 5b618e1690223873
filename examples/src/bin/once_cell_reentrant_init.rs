//! Deadlock: a `OnceCell`'s init reaches, through helpers, a
//! `get_or_init` of the same cell.
//!
//! `handler` asks `config()` for the settings; loading them logs the
//! load, and the logger asks `config()` for the log level. The inner
//! `get_or_init` waits for the outer one, run by the same task, to finish.
//!
//! Expected: one `certain` deadlock of the single task `handler` on the
//! once cell `settings`, being initialized by itself.

use examples::{park, ready_when, waited_on};
use peeps::graph::NodeKind;
use peeps::sync::OnceCell;
use std::sync::Arc;

type Settings = Arc<OnceCell<String>>;

#[peeps::instrument]
async fn config(settings: &Settings) -> &String {
    settings.get_or_init(|| load(settings)).await
}

#[peeps::instrument]
async fn load(settings: &Settings) -> String {
    log("loading settings", settings).await;
    "level=info".to_owned()
}

#[peeps::instrument]
async fn log(line: &str, settings: &Settings) {
    // Boxed: `config` reaches `log` again (a recursive async call).
    let level = Box::pin(config(settings)).await;
    println!("[{level}] {line}");
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("once_cell_reentrant_init");
    let settings: Settings = Arc::new(OnceCell::new().named("settings"));
    peeps::spawn_named("handler", async move {
        let level = config(&settings).await;
        println!("{level}");
    });
    ready_when(|g| waited_on(g, NodeKind::Notify, "settings"));
    park().await
}
