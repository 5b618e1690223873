//! Healthy control: `actor_self_handle_ticker` started with plain
//! `tokio::spawn`, as code migrated from tokio does.
//!
//! The actor `run_session` owns the inbox `session-inbox` and keeps a
//! sender of it to send itself follow-ups. Every tick (an hour apart,
//! after the first) it sends itself a `Refresh`; between ticks it waits in
//! `select!` on its inbox, whose only sender it holds, and on the ticker.
//!
//! Expected: no deadlock, nothing stuck forever (the ticker wakes it).

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
    peeps::install_sigusr1("actor_select_ticker_tokio_spawn");
    tokio::spawn(run_session());
    ready_when(|g| {
        attr(g, NodeKind::Channel, "session-inbox", "received") == Some(1)
            && waited_on_for(g, NodeKind::Channel, "session-inbox", "recv")
    });
    park().await
}
