//! Deadlock: a parent hands a oneshot's receiver to a child and awaits the
//! child before sending.
//!
//! `parent` makes the `go` oneshot, spawns `child` with the receiver (the
//! child waits for the go-ahead, then works), and awaits the child's
//! JoinHandle; it would send the go-ahead only after that. The child waits
//! for a sender the parent keeps, the parent for the child. `main` awaits
//! the parent.
//!
//! A oneshot sender cannot be used before it is consumed, so peeps saw
//! only that the parent made it (evidence `made`). It lives in the
//! parent's own state across the `.await` on the child, and peeps finds it
//! there at the snapshot, which proves who holds it.
//!
//! Expected: one `certain` deadlock of `parent` and `child`: `child` waits
//! on channel `go` to receive, `sender held by task "parent" (made there,
//! still in its state)`; `parent` waits on task `child` to finish. The
//! `main` thread is behind it.

use examples::{ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::oneshot;

#[peeps::instrument]
async fn child(go: oneshot::Receiver<u32>) -> u32 {
    let n = go.await.expect("the parent sends or drops");
    n * 2
}

#[peeps::instrument]
async fn parent() -> u32 {
    let (go, wait_for_go) = oneshot::channel_named("go");
    let child = peeps::spawn_named("child", child(wait_for_go));
    let doubled = child.await.expect("the child does not panic");
    // Too late: the child was waiting for this.
    let _ = go.send(21);
    doubled
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("oneshot_rx_to_child");
    let parent = peeps::spawn_named("parent", parent());
    ready_when(|g| {
        waited_on_for(g, NodeKind::Channel, "go", "recv")
            && waited_on_for(g, NodeKind::Task, "child", "join")
            && waited_on_for(g, NodeKind::Task, "parent", "join")
    });
    let n = parent.await.expect("the parent does not panic");
    println!("{n}");
}
