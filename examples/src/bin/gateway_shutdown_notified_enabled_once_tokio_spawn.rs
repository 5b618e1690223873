//! The fix of octos-org/octos#927 (the three-step park protocol of #924):
//! the gateway builds its `Notified` once, pins it and `enable()`s it
//! before checking a `shutting_down` latch, and races `&mut notified` in
//! its `select!`; a `notify_waiters()` fired while it answers a message
//! is kept for it. The twin of
//! `gateway_shutdown_notified_rebuilt_each_turn_tokio_spawn`, the gateway
//! started, sent a message and shut down while answering it, again and
//! again.
//!
//! Expected: no deadlock, nothing stuck, no potential deadlock.

use examples::ready;
use peeps::sync::{Notify, mpsc};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

struct InboundMessage {
    channel: &'static str,
    chat_id: u64,
    text: String,
}

struct GatewayRuntime {
    inbound: mpsc::Receiver<InboundMessage>,
    shutdown_notify: Arc<Notify>,
    shutting_down: Arc<AtomicBool>,
    handled: u64,
}

/// The agent's turn on one inbound message (an LLM round trip).
async fn handle_inbound(handled: &mut u64, msg: InboundMessage) -> usize {
    tokio::time::sleep(Duration::from_millis(20)).await;
    *handled += 1;
    msg.channel.len() + msg.chat_id as usize + msg.text.len()
}

#[peeps::instrument]
async fn run(gateway: GatewayRuntime) -> u64 {
    let GatewayRuntime {
        mut inbound,
        shutdown_notify,
        shutting_down,
        mut handled,
    } = gateway;
    let notified = shutdown_notify.notified();
    tokio::pin!(notified);
    loop {
        notified.as_mut().enable();
        if shutting_down.load(Ordering::SeqCst) {
            break;
        }
        tokio::select! {
            _ = &mut notified => break,
            msg = inbound.recv() => match msg {
                Some(msg) => {
                    handle_inbound(&mut handled, msg).await;
                }
                None => break,
            },
        }
    }
    handled
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("gateway_shutdown_notified_enabled_once_tokio_spawn");
    for round in 0u64.. {
        let shutdown_notify = Arc::new(Notify::new().named("shutdown"));
        let shutting_down = Arc::new(AtomicBool::new(false));
        let (cli_tx, inbound) = mpsc::channel_named("inbound", 64);
        let gateway = tokio::spawn(run(GatewayRuntime {
            inbound,
            shutdown_notify: shutdown_notify.clone(),
            shutting_down: shutting_down.clone(),
            handled: 0,
        }));
        let _ = cli_tx
            .send(InboundMessage {
                channel: "cli",
                chat_id: round,
                text: "summarize the open issues".into(),
            })
            .await;
        tokio::time::sleep(Duration::from_millis(10)).await;
        // Ctrl+C, while the agent answers.
        shutting_down.store(true, Ordering::SeqCst);
        shutdown_notify.notify_waiters();
        let handled = gateway.await.expect("the gateway stops");
        drop(cli_tx);
        if round == 0 {
            println!("handled {handled}");
            ready();
        }
    }
}
