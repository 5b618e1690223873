//! Healthy control: `select!` with a timeout breaks what would otherwise be
//! a cycle.
//!
//! `session` locks `session-state` for its whole life and serves commands
//! from `commands` in a `select!` against an idle timeout of an hour.
//! `client` sends one command, gets the reply, then wants `session-state`
//! itself while still holding the `commands` sender. Without the timeout
//! this would be a deadlock (the session waits for a command only the
//! client can send, the client waits for a lock the session holds); with
//! it, the session will wake on its own. peeps sees the timer as a waker
//! clone that no instrumented wait accounts for.
//!
//! Expected: no deadlock; with a low `--long-wait-ms`, a long wait of
//! `client` on mutex `session-state` held by `session`.

use examples::{park, ready_when, waited_on};
use peeps::graph::NodeKind;
use peeps::sync::{Mutex, mpsc, oneshot};
use std::sync::Arc;
use std::time::Duration;

#[derive(Debug)]
enum Command {
    Ping(oneshot::Sender<u64>),
}

#[peeps::instrument]
async fn serve(state: Arc<Mutex<u64>>, mut commands: mpsc::Receiver<Command>) {
    let mut served = state.lock().await;
    loop {
        tokio::select! {
            command = commands.recv() => match command {
                Some(Command::Ping(reply)) => {
                    *served += 1;
                    let _ = reply.send(*served);
                }
                None => return,
            },
            () = tokio::time::sleep(Duration::from_secs(3600)) => {
                println!("session idle for an hour, closing");
                return;
            }
        }
    }
}

#[peeps::instrument]
async fn client(state: Arc<Mutex<u64>>, commands: mpsc::Sender<Command>) {
    let (reply, answer) = oneshot::channel();
    commands
        .send(Command::Ping(reply))
        .await
        .expect("session alive");
    let n = answer.await.expect("session replies");
    let served = *state.lock().await;
    println!("ping {n}, served {served}");
    drop(commands);
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("select_timeout");
    let state = Arc::new(Mutex::new(0).named("session-state"));
    let (commands, inbox) = mpsc::channel_named("commands", 8);
    peeps::spawn_named("session", serve(state.clone(), inbox));
    peeps::spawn_named("client", client(state, commands));

    ready_when(|g| {
        waited_on(g, NodeKind::Mutex, "session-state")
            && waited_on(g, NodeKind::Channel, "commands")
    });
    park().await
}
