//! Deadlock from a bug report: octos-org/octos#927 (a sweep of `Notify`
//! lost-wake races, fixed as #924 fixed the first). The gateway runtime's
//! main loop races `shutdown_notify.notified()` against its inbound
//! message channel in a `select!`, building a fresh `Notified` on every
//! turn. Ctrl+C calls `notify_waiters()`, which wakes only waiters that
//! are registered now and stores no permit; fired while the gateway is
//! busy with an inbound message, it reaches nobody, and the next turn's
//! `notified()` waits for a notification that was already given. The
//! shutdown path then awaits the gateway's `JoinHandle` forever: "idle
//! gateway can ignore Ctrl+C".
//!
//! Written as the gateway is: the runtime is spawned with plain
//! `tokio::spawn` (its `run` instrumented), the shutdown `Notify` shared
//! in an `Arc`; `main` is the `gateway` command, which keeps the CLI
//! channel's sender of the bounded `inbound` channel, sends one message,
//! gets Ctrl+C while the agent is answering it, notifies and joins.
//!
//! Expected: one `probable` deadlock (a notify's releaser is a guess) of
//! `thread main` (joining the gateway, keeping `inbound`'s sender, the
//! one who notified `shutdown`) and the plain gateway task (waiting in
//! its `select!` on notify `shutdown` and channel `inbound`).

use examples::{park, ready_when, waiters};
use peeps::graph::NodeKind;
use peeps::sync::{Notify, mpsc};
use std::sync::Arc;
use std::time::Duration;

struct InboundMessage {
    channel: &'static str,
    chat_id: u64,
    text: String,
}

struct GatewayRuntime {
    inbound: mpsc::Receiver<InboundMessage>,
    shutdown_notify: Arc<Notify>,
    handled: u64,
}

/// The agent's turn on one inbound message (an LLM round trip).
async fn handle_inbound(handled: &mut u64, msg: InboundMessage) {
    tokio::time::sleep(Duration::from_millis(300)).await;
    *handled += 1;
    println!(
        "[{}:{}] answered {:?}",
        msg.channel,
        msg.chat_id,
        msg.text.len()
    );
}

#[peeps::instrument]
async fn run(gateway: GatewayRuntime) -> u64 {
    let GatewayRuntime {
        mut inbound,
        shutdown_notify,
        mut handled,
    } = gateway;
    loop {
        tokio::select! {
            _ = shutdown_notify.notified() => break,
            msg = inbound.recv() => match msg {
                Some(msg) => handle_inbound(&mut handled, msg).await,
                None => break,
            },
        }
    }
    handled
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("gateway_shutdown_notified_rebuilt_each_turn_tokio_spawn");
    let shutdown_notify = Arc::new(Notify::new().named("shutdown"));
    let (cli_tx, inbound) = mpsc::channel_named("inbound", 64);
    let gateway = tokio::spawn(run(GatewayRuntime {
        inbound,
        shutdown_notify: shutdown_notify.clone(),
        handled: 0,
    }));
    let _ = cli_tx
        .send(InboundMessage {
            channel: "cli",
            chat_id: 1,
            text: "summarize the open issues".into(),
        })
        .await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    // Ctrl+C, while the agent answers.
    println!("shutting down");
    shutdown_notify.notify_waiters();
    ready_when(|g| waiters(g, NodeKind::Notify, "shutdown") == 1);
    let handled = gateway.await.expect("the gateway stops");
    println!("handled {handled}");
    drop(cli_tx);
    park().await
}
