//! Deadlock: a multiplexed client (one connection task, commands over a
//! channel, oneshot replies, as redis-rs' `MultiplexedConnection`, fred,
//! or any hand-written RPC client) runs the user's push-message callback
//! inline on its connection task; the callback calls the client, whose
//! reply only the connection task itself could read and route.
//!
//! `redis-conn` `select!`s over `commands` (from `Client` handles) and the
//! server's `server-pushes`. On a key-invalidation push it awaits the
//! registered `on_invalidate` callback, which reloads the key with
//! `client.get(key).await`: the `Get` (with its `get-reply` oneshot
//! sender) goes into `commands`, which only `redis-conn` reads. `main`
//! subscribes, and the `server` task pushes one invalidation.
//!
//! Expected: one `certain` deadlock of `redis-conn` with itself: it waits
//! to receive on `get-reply`, whose sender is in a message on `commands`,
//! read by `redis-conn`.

use examples::{park, ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::{mpsc, oneshot};
use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

type Callback = Arc<dyn Fn(String) -> Pin<Box<dyn Future<Output = ()> + Send>> + Send + Sync>;

enum Command {
    Get {
        key: String,
        reply: oneshot::Sender<Option<String>>,
    },
    OnInvalidate(Callback),
}

#[derive(Clone)]
struct Client {
    commands: mpsc::Sender<Command>,
}

impl Client {
    async fn get(&self, key: &str) -> Option<String> {
        let (reply, answer) = oneshot::channel_named("get-reply");
        let key = key.to_owned();
        self.commands.send(Command::Get { key, reply }).await.ok()?;
        answer.await.ok().flatten()
    }

    async fn on_invalidate(&self, callback: Callback) {
        let _ = self.commands.send(Command::OnInvalidate(callback)).await;
    }
}

#[peeps::instrument]
async fn run_connection(
    mut commands: mpsc::Receiver<Command>,
    mut pushes: mpsc::Receiver<String>,
    subscribed: oneshot::Sender<()>,
) {
    let mut store: HashMap<String, String> = HashMap::from([("user:7".into(), "ann".into())]);
    let mut callbacks: Vec<Callback> = Vec::new();
    let mut subscribed = Some(subscribed);
    loop {
        tokio::select! {
            Some(cmd) = commands.recv() => match cmd {
                Command::Get { key, reply } => {
                    let _ = reply.send(store.get(&key).cloned());
                }
                Command::OnInvalidate(cb) => {
                    callbacks.push(cb);
                    if let Some(s) = subscribed.take() {
                        let _ = s.send(());
                    }
                }
            },
            Some(key) = pushes.recv() => {
                store.insert(key.clone(), "ann v2".into());
                for cb in &callbacks {
                    cb(key.clone()).await;
                }
            }
            else => break,
        }
    }
}

#[peeps::instrument]
async fn push_invalidation(pushes: mpsc::Sender<String>, subscribed: oneshot::Receiver<()>) {
    let _ = subscribed.await;
    let _ = pushes.send("user:7".to_owned()).await;
    // The server stays connected.
    let _ = pushes.closed().await;
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("client_callback_calls_client_from_reader");
    let (commands_tx, commands_rx) = mpsc::channel_named("commands", 32);
    let (pushes_tx, pushes_rx) = mpsc::channel_named("server-pushes", 32);
    let (subscribed_tx, subscribed_rx) = oneshot::channel_named("subscribed");
    peeps::spawn_named(
        "redis-conn",
        run_connection(commands_rx, pushes_rx, subscribed_tx),
    );
    peeps::spawn_named("server", push_invalidation(pushes_tx, subscribed_rx));

    let client = Client {
        commands: commands_tx,
    };
    let cache_client = client.clone();
    client
        .on_invalidate(Arc::new(move |key| {
            let client = cache_client.clone();
            Box::pin(async move {
                let fresh = client.get(&key).await;
                println!("reloaded {key}: {fresh:?}");
            })
        }))
        .await;
    ready_when(|g| waited_on_for(g, NodeKind::Channel, "get-reply", "recv"));
    park().await
}
