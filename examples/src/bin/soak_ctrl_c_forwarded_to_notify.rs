//! Healthy: a service idle until Ctrl-C. A `signals` peeps task waits in a
//! `select!` on `tokio::signal::ctrl_c()` and on its `commands` peeps
//! channel (whose sender `main` keeps, for an admin API not used yet), and
//! forwards a Ctrl-C to the peeps `Notify` `shutdown`, which two workers
//! wait on with `notified()`; `main` awaits the workers' `JoinHandle`s.
//! Nothing runs until someone presses Ctrl-C: that is a healthy idle
//! service, not a hang.
//!
//! Expected: in every dump, no deadlock, nothing stuck forever (the
//! `signals` task's waker is held by tokio's signal driver too).

use examples::{ready_when, waited_on_for, waiters};
use peeps::graph::NodeKind;
use peeps::sync::{Notify, mpsc};
use std::sync::Arc;

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_ctrl_c_forwarded_to_notify");
    let shutdown = Arc::new(Notify::new().named("shutdown"));
    let (commands, mut inbox) = mpsc::channel_named::<&'static str>("commands", 4);
    {
        let shutdown = shutdown.clone();
        peeps::spawn_named("signals", async move {
            loop {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {
                        shutdown.notify_waiters();
                        break;
                    }
                    cmd = inbox.recv() => match cmd {
                        Some("stop") | None => { shutdown.notify_waiters(); break; }
                        Some(other) => println!("command {other}"),
                    },
                }
            }
        });
    }
    let workers: Vec<_> = (0..2)
        .map(|i| {
            let shutdown = shutdown.clone();
            tokio::spawn(async move {
                shutdown.notified().await;
                println!("worker {i} stops");
            })
        })
        .collect();
    ready_when(|g| {
        waiters(g, NodeKind::Notify, "shutdown") == 2
            && waited_on_for(g, NodeKind::Channel, "commands", "recv")
    });
    for w in workers {
        w.await.unwrap();
    }
    drop(commands);
}
