//! Healthy control: a task keeps a oneshot sender inside a `select!` with
//! a timer branch that will drop it later; the receiver's task awaits it.
//!
//! `watchdog` makes the `cancel` oneshot and spawns `job` with the
//! receiver (the job runs until cancelled, its `.await` on the receiver
//! standing in for the work). Then it waits in a `select!` for the job to
//! finish or for a deadline an hour away, whichever comes first; at the
//! deadline it drops the sender, which ends the job's wait. `main` awaits
//! the job. Nothing is deadlocked: the deadline will pass.
//!
//! The job waits on a oneshot whose sender the watchdog made and keeps in
//! its state, and the watchdog waits for the job to finish: a cycle of
//! instrumented waits. But the watchdog also waits on a timer, which peeps
//! cannot see (its waker is held by something no instrumented wait
//! accounts for), so it may wake at any time, and nothing in the cycle is
//! stuck.
//!
//! Expected: no deadlock.

use examples::{ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::oneshot;
use std::time::Duration;

#[peeps::instrument]
async fn run_job(cancel: oneshot::Receiver<()>) -> &'static str {
    match cancel.await {
        Ok(()) => "cancelled",
        Err(_) => "deadline passed",
    }
}

#[peeps::instrument]
async fn watch() {
    let (cancel, cancelled) = oneshot::channel_named::<()>("cancel");
    let mut job = peeps::spawn_named("job", run_job(cancelled));
    tokio::select! {
        done = &mut job => {
            println!("job ended first: {done:?}");
        }
        () = tokio::time::sleep(Duration::from_secs(3600)) => {
            drop(cancel);
        }
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("oneshot_dropped_by_timer");
    peeps::spawn_named("watchdog", watch());
    ready_when(|g| {
        waited_on_for(g, NodeKind::Channel, "cancel", "recv")
            && waited_on_for(g, NodeKind::Task, "job", "join")
    });
    examples::park().await
}
