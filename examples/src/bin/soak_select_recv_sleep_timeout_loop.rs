//! Healthy: a session task loops on `tokio::select!` of a peeps `recv` and
//! a 1 s `sleep` (an idle timeout per wait); nobody sends yet (the sender
//! is kept by `main` for later). A second task does the same under
//! `tokio::time::timeout`. `main` awaits the session's `JoinHandle`.
//!
//! Expected: in every dump, no deadlock, nothing stuck forever.

use examples::{ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::mpsc;
use std::time::Duration;

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_select_recv_sleep_timeout_loop");
    let (tx, mut rx) = mpsc::channel_named::<String>("session-in", 8);
    let (tx2, mut rx2) = mpsc::channel_named::<String>("session2-in", 8);
    let session = peeps::spawn_named("session", async move {
        let mut idle = 0u64;
        loop {
            tokio::select! {
                msg = rx.recv() => match msg {
                    Some(m) => println!("got {m}"),
                    None => break,
                },
                _ = tokio::time::sleep(Duration::from_secs(1)) => {
                    idle += 1;
                }
            }
        }
        idle
    });
    tokio::spawn(async move {
        loop {
            match tokio::time::timeout(Duration::from_millis(700), rx2.recv()).await {
                Ok(Some(m)) => println!("got {m}"),
                Ok(None) => break,
                Err(_) => {}
            }
        }
    });
    ready_when(|g| {
        waited_on_for(g, NodeKind::Channel, "session-in", "recv")
            && waited_on_for(g, NodeKind::Channel, "session2-in", "recv")
    });
    println!("{}", session.await.unwrap());
    drop((tx, tx2));
}
