//! Deadlock from a bug report: nearai/ironclaw#869 ("Lock held across
//! async I/O boundary blocks webhook processing"), fixed by #905
//! ("release lock guards before awaiting channel send"). The HTTP
//! channel keeps its sender to the agent in `tx`, a
//! `tokio::sync::RwLock<Option<mpsc::Sender<IncomingMessage>>>`:
//! `start()` and `shutdown()` write it, and every webhook request's
//! `process_message` reads it and sends the message to the agent with
//! `tx.send(msg).await` while it keeps the read guard. When the bounded
//! channel to the agent is full, the sends wait with their read guards,
//! and `shutdown()` never gets its write. Here the agent loop, the only
//! reader of the channel, is the one shutting it down: on `/quit` it
//! stops reading and shuts the HTTP channel down, behind the guards of
//! the requests that wait for it to read.
//!
//! Written as ironclaw serves them: each webhook request in a task of
//! its own, spawned with plain `tokio::spawn` (as hyper does); the agent
//! loop in `main`; the channel's capacity cut to 4.
//!
//! Expected: one deadlock of `thread main` (waiting to write rwlock `tx`,
//! held by the webhook requests as `read_guard`) and the plain webhook
//! request tasks (waiting to send on the full channel
//! `incoming-messages`, whose receiver `main` holds).

use examples::{park, ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::{RwLock, mpsc};
use std::sync::Arc;
use std::time::Duration;

#[derive(Debug)]
struct IncomingMessage {
    channel: &'static str,
    user_id: String,
    content: String,
}

#[derive(Debug)]
enum ChannelError {
    NotStarted,
    Closed,
}

struct HttpChannel {
    tx: RwLock<Option<mpsc::Sender<IncomingMessage>>>,
}

impl HttpChannel {
    async fn start(&self) -> mpsc::Receiver<IncomingMessage> {
        let (tx, rx) = mpsc::channel_named("incoming-messages", 4);
        *self.tx.write().await = Some(tx);
        rx
    }

    /// A webhook request's message, handed to the agent.
    async fn process_message(&self, msg: IncomingMessage) -> Result<(), ChannelError> {
        let tx = self.tx.read().await;
        let Some(tx) = tx.as_ref() else {
            return Err(ChannelError::NotStarted);
        };
        tx.send(msg).await.map_err(|_| ChannelError::Closed)
    }

    async fn shutdown(&self) {
        *self.tx.write().await = None;
    }
}

/// One turn of the agent: the model's answer to the message.
async fn handle_message(msg: &IncomingMessage) {
    tokio::time::sleep(Duration::from_millis(30)).await;
    println!("[{}] {}: {}", msg.channel, msg.user_id, msg.content);
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("http_channel_send_under_tx_read_tokio_spawn");
    let http = Arc::new(HttpChannel {
        tx: RwLock::new(None).named("tx"),
    });
    let mut messages = http.start().await;
    ready_when(|g| waited_on_for(g, NodeKind::Rwlock, "tx", "write"));
    for n in 0..10 {
        let http = http.clone();
        tokio::spawn(async move {
            let content = if n == 1 {
                "/quit".into()
            } else {
                format!("hello {n}")
            };
            let msg = IncomingMessage {
                channel: "http",
                user_id: format!("user-{n}"),
                content,
            };
            if let Err(e) = http.process_message(msg).await {
                println!("webhook {n}: 503 {e:?}");
            }
        });
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    // The agent loop.
    while let Some(msg) = messages.recv().await {
        if msg.content == "/quit" {
            break;
        }
        handle_message(&msg).await;
    }
    http.shutdown().await;
    drop(messages);
    park().await
}
