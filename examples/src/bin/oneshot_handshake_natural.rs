//! Deadlock, written the natural way: a oneshot handshake whose channels
//! are created in `main` and moved into the two tasks.
//!
//! `left` waits for `right`'s hello before sending its own, and `right`
//! does the same. `main` creates both oneshots, moves them into the tasks
//! and awaits both. This is how most people would write it.
//!
//! A oneshot sender cannot be used until it is consumed, so neither task
//! ever uses the sender it holds. peeps follows each sender as it moves
//! into its task at spawn (it finds the handle in the future given to
//! `peeps::spawn_named`), and at the snapshot finds it still in that
//! task's own state: each sender is held by its task, proven.
//!
//! Expected: one `certain` deadlock of `left` and `right` over oneshots
//! `left-hello` and `right-hello`, each step `sender held by task "..."
//! (moved in at spawn)` (evidence `spawned`, in its state), with the `main`
//! thread behind it.

use examples::{ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::oneshot;

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("oneshot_handshake_natural");
    let (left_hello, left_heard) = oneshot::channel_named::<()>("left-hello");
    let (right_hello, right_heard) = oneshot::channel_named::<()>("right-hello");
    let left = peeps::spawn_named("left", async move {
        right_heard.await.expect("right alive");
        let _ = left_hello.send(());
    });
    let right = peeps::spawn_named("right", async move {
        left_heard.await.expect("left alive");
        let _ = right_hello.send(());
    });

    ready_when(|g| {
        waited_on_for(g, NodeKind::Channel, "left-hello", "recv")
            && waited_on_for(g, NodeKind::Channel, "right-hello", "recv")
            && waited_on_for(g, NodeKind::Task, "left", "join")
    });
    let (l, r) = tokio::join!(left, right);
    l.and(r).expect("no panic");
}
