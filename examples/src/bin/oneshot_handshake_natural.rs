//! Deadlock, written the natural way: a oneshot handshake whose channels
//! are created in `main` and moved into the two tasks.
//!
//! `left` waits for `right`'s hello before sending its own, and `right`
//! does the same. `main` creates both oneshots, moves them into the tasks
//! and awaits both. This is how most people would write it.
//!
//! peeps attributes a channel endpoint to the task that created, cloned or
//! last used it. The senders were created in `main` and moved into the
//! tasks, where a oneshot sender cannot be used until it is consumed: peeps
//! still attributes both senders to `main`, unconfirmed, and an unconfirmed
//! attribution releases nothing peeps can name (it may have moved). So
//! peeps does not find this deadlock: a known gap, documented by the test
//! `gap_oneshot_handshake_made_in_main`.

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
