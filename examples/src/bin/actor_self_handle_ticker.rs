//! Healthy control: an actor that keeps a handle to its own inbox (to
//! schedule work for itself) and waits in `select!` on that inbox and a
//! ticker.
//!
//! `session` owns the inbox `session-inbox` and keeps a sender of it, as
//! actors commonly do to send themselves follow-ups. Every tick (an hour
//! apart, after the first) it sends itself a `Refresh`; between ticks it
//! waits on its inbox, whose only sender it holds, and on the ticker.
//!
//! Expected: no deadlock, nothing stuck forever.

use examples::{attr, park, ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::mpsc;
use std::time::Duration;

enum Msg {
    Refresh(u64),
}

#[peeps::instrument]
async fn run_session() {
    let (me, mut inbox) = mpsc::channel_named("session-inbox", 4);
    let mut ticks = tokio::time::interval(Duration::from_secs(3600));
    let mut n = 0;
    loop {
        tokio::select! {
            _ = ticks.tick() => {
                n += 1;
                if me.send(Msg::Refresh(n)).await.is_err() {
                    return;
                }
            }
            msg = inbox.recv() => match msg {
                Some(Msg::Refresh(n)) => println!("refresh {n}"),
                None => return,
            },
        }
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("actor_self_handle_ticker");
    peeps::spawn_named("session", run_session());
    ready_when(|g| {
        attr(g, NodeKind::Channel, "session-inbox", "received") == Some(1)
            && waited_on_for(g, NodeKind::Channel, "session-inbox", "recv")
    });
    park().await
}
