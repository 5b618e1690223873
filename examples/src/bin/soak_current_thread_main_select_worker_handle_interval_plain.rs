//! Healthy: `soak_main_select_worker_handle_interval_commands_plain` on a
//! current-thread runtime (`#[tokio::main(flavor = "current_thread")]`, the
//! flavor of `#[tokio::test]` and of small tools). `main` keeps the sender
//! of the plain worker's `Command` inbox (an `mpsc` of capacity 8) and loops
//! on `tokio::select!` of `&mut worker` (its tokio `JoinHandle`) against a
//! 25 ms `interval`: each tick sends `Command::Tick`, every 40th a
//! `Command::Flush` with a `oneshot` reply it awaits.
//!
//! (peeps does not show the join here: a current-thread `block_on`'s waker
//! is not one it knows.) So a snapshot may show `main` waiting on the worker while
//! the worker waits on the receive whose sender `main` holds: the timer
//! branch of `main`'s `select!` ends that. Expected, in every dump: no
//! deadlock, nothing stuck forever, no potential deadlock.

use examples::{ready_when, wait_once_seen};
use peeps::sync::{mpsc, oneshot};
use std::time::Duration;

enum Command {
    Tick(u64),
    Flush(oneshot::Sender<u64>),
    Quit,
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    peeps::install_sigusr1("soak_current_thread_main_select_worker_handle_interval_plain");
    let (commands, mut inbox) = mpsc::channel::<Command>(8);
    wait_once_seen("boot").await;
    let mut worker = tokio::spawn(async move {
        let (mut pending, mut flushed) = (0u64, 0u64);
        while let Some(cmd) = inbox.recv().await {
            match cmd {
                Command::Tick(n) => pending += n % 7,
                Command::Flush(reply) => {
                    flushed += pending;
                    pending = 0;
                    let _ = reply.send(flushed);
                }
                Command::Quit => break,
            }
        }
        flushed
    });
    ready_when(|g| {
        g.edges
            .iter()
            .any(|e| e.attrs.get("op").and_then(|v| v.as_str()) == Some("recv"))
    });
    let mut tick = tokio::time::interval(Duration::from_millis(25));
    let mut n = 0u64;
    loop {
        tokio::select! {
            res = &mut worker => {
                println!("worker ended: {res:?}");
                break;
            }
            _ = tick.tick() => {
                n += 1;
                if n.is_multiple_of(40) {
                    let (reply, flushed) = oneshot::channel();
                    if commands.send(Command::Flush(reply)).await.is_err() {
                        continue;
                    }
                    println!("flushed {:?}", flushed.await);
                } else if commands.send(Command::Tick(n)).await.is_err() {
                    continue;
                }
                if n == u64::MAX {
                    let _ = commands.send(Command::Quit).await;
                }
            }
        }
    }
}
