//! The fix of nearai/ironclaw#869 (#905, "release lock guards before
//! awaiting channel send"): `process_message` clones the sender out of
//! `tx` and lets the read guard go before it awaits the send, so
//! `shutdown()` gets its write while sends wait on the full channel; the
//! agent then drops its receiver and the waiting sends fail (a 503). The
//! twin of `http_channel_send_under_tx_read_tokio_spawn`, run again and
//! again: each round starts the channel, takes a burst of webhook
//! requests, and the agent shuts the channel down on `/quit`.
//!
//! Expected: no deadlock, nothing stuck, no potential deadlock.

use examples::ready;
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
        let tx = self.tx.read().await.clone();
        let Some(tx) = tx else {
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
    if msg.user_id == "user-0" {
        println!("[{}] {}: {}", msg.channel, msg.user_id, msg.content);
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("http_channel_send_under_tx_read_tokio_spawn");
    let http = Arc::new(HttpChannel {
        tx: RwLock::new(None).named("tx"),
    });
    for round in 0u64.. {
        let mut messages = http.start().await;
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
                if let Err(e) = http.process_message(msg).await
                    && round == 0
                {
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
        if round == 1 {
            ready();
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
