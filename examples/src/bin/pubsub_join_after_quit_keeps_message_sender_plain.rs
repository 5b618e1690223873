//! Deadlock from aembke/fred.rs#116 (fixed by #120, "close public
//! broadcast receivers after QUIT or SHUTDOWN"): a Redis pub/sub client
//! hands out `broadcast` receivers from `on_message()`; the usual pattern
//! spawns a task that loops `while let Ok(msg) = stream.recv().await`,
//! then calls `client.quit().await` and awaits that task. But `quit()`
//! only stops the connection: the `broadcast::Sender` stays in the client's
//! inner state, held by the caller's `client`, so the stream never ends
//! and the join never returns.
//!
//! `#[tokio::main]`, plain `tokio::spawn`. The connection reader publishes
//! a message on `messages` (the client's broadcast channel) every 30 ms
//! until `quit()` stops it (a oneshot, awaiting its handle); `main` first
//! waits for the connection (`wait_for_connect`, a `watch`). The
//! subscriber task counts messages until the stream ends. `main` quits
//! after 200 ms and then awaits the subscriber.
//!
//! Expected: one deadlock of `thread main` (awaiting the subscriber's
//! `JoinHandle`, holding the client and so the `messages` sender) and the
//! plain subscriber (receiving on `messages`); `peeps analyze` exits 1.

use examples::{park, ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::{broadcast, oneshot, watch};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tokio::task::JoinHandle;

#[derive(Clone, Debug)]
struct Message {
    channel: &'static str,
    value: u64,
}

/// Set just before `main` awaits the subscriber (for READY only).
static JOINING: AtomicBool = AtomicBool::new(false);

struct ClientInner {
    connected: watch::Sender<bool>,
    message_tx: std::sync::RwLock<broadcast::Sender<Message>>,
    reader: std::sync::Mutex<Option<(JoinHandle<()>, oneshot::Sender<()>)>>,
}

#[derive(Clone)]
struct RedisClient {
    inner: Arc<ClientInner>,
}

impl RedisClient {
    fn new() -> Self {
        RedisClient {
            inner: Arc::new(ClientInner {
                connected: watch::Sender::new(false).named("connection-state"),
                message_tx: std::sync::RwLock::new(broadcast::Sender::new(32).named("messages")),
                reader: std::sync::Mutex::new(None),
            }),
        }
    }

    fn on_message(&self) -> broadcast::Receiver<Message> {
        self.inner.message_tx.read().expect("client").subscribe()
    }

    /// Starts the connection's reader task.
    fn connect(&self) {
        let (quit_tx, mut quit_rx) = oneshot::channel_named::<()>("quit");
        let inner = self.inner.clone();
        let reader = tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(20)).await;
            inner.connected.send_replace(true);
            for value in 0u64.. {
                tokio::select! {
                    _ = &mut quit_rx => break,
                    _ = tokio::time::sleep(Duration::from_millis(30)) => {
                        let msg = Message { channel: "orders", value };
                        let _ = inner.message_tx.read().expect("client").send(msg);
                    }
                }
            }
        });
        *self.inner.reader.lock().expect("client") = Some((reader, quit_tx));
    }

    /// Waits until the connection is up, as fred's `wait_for_connect`.
    async fn wait_for_connect(&self) {
        let mut state = self.inner.connected.subscribe();
        let _ = state.wait_for(|up| *up).await;
    }

    /// Sends QUIT and waits for the connection to close. The bug: the
    /// public `messages` sender stays open.
    async fn quit(&self) {
        let reader = self.inner.reader.lock().expect("client").take();
        if let Some((handle, quit)) = reader {
            let _ = quit.send(());
            let _ = handle.await;
        }
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("pubsub_join_after_quit_keeps_message_sender_plain");
    let client = RedisClient::new();
    client.connect();
    client.wait_for_connect().await;
    let mut stream = client.on_message();
    let subscriber = tokio::spawn(async move {
        let mut seen = 0u64;
        while let Ok(msg) = stream.recv().await {
            seen += 1;
            let _ = (msg.channel, msg.value);
        }
        seen
    });
    tokio::time::sleep(Duration::from_millis(200)).await;
    client.quit().await;
    ready_when(|g| {
        JOINING.load(Ordering::SeqCst) && waited_on_for(g, NodeKind::Channel, "messages", "recv")
    });
    JOINING.store(true, Ordering::SeqCst);
    let seen = subscriber.await.expect("the subscriber ends");
    println!("saw {seen} messages");
    drop(client);
    park().await
}
