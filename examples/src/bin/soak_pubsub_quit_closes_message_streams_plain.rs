//! The fixed twin of `pubsub_join_after_quit_keeps_message_sender_plain`
//! (aembke/fred.rs#120): `quit()` also replaces the client's public
//! `messages` broadcast sender, closing every receiver handed out by
//! `on_message()`, so the subscriber's stream ends and the join returns.
//!
//! Plain `tokio::spawn`. `main` runs generations on one client: connect,
//! subscribe, spawn the subscriber, let the reader publish every 30 ms for
//! 200 ms, quit, await the subscriber.
//!
//! Expected: in every dump, nothing false (no deadlock, nothing stuck
//! forever, no potential deadlock).

use examples::ready;
use peeps::sync::{broadcast, oneshot, watch};
use std::sync::Arc;
use std::time::Duration;
use tokio::task::JoinHandle;

#[derive(Clone, Debug)]
struct Message {
    channel: &'static str,
    value: u64,
}

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

    async fn wait_for_connect(&self) {
        let mut state = self.inner.connected.subscribe();
        let _ = state.wait_for(|up| *up).await;
    }

    /// The fix: QUIT closes the public receivers too.
    async fn quit(&self) {
        let reader = self.inner.reader.lock().expect("client").take();
        if let Some((handle, quit)) = reader {
            let _ = quit.send(());
            let _ = handle.await;
        }
        self.inner.connected.send_replace(false);
        let fresh = broadcast::Sender::new(32).named("messages");
        drop(std::mem::replace(
            &mut *self.inner.message_tx.write().expect("client"),
            fresh,
        ));
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_pubsub_quit_closes_message_streams_plain");
    let client = RedisClient::new();
    for generation in 0u32.. {
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
        let seen = subscriber.await.expect("the subscriber ends");
        println!("generation {generation}: saw {seen} messages");
        if generation == 3 {
            ready();
        }
    }
}
