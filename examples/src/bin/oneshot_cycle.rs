//! Deadlock: two tasks each wait for the other's oneshot before sending
//! their own.
//!
//! `left` and `right` run a handshake: each creates its `hello` oneshot,
//! hands the receiver to the other (through `main`), and waits for the
//! other's hello before sending its own. Neither goes first.
//!
//! Each task creates the oneshot whose sender it keeps, so peeps
//! attributes each sender to the right task. A oneshot sender cannot be
//! used without being consumed, so the attribution is never confirmed:
//! the sender might have moved to another task unseen. DESIGN.md §4 calls
//! such a deadlock `probable`. (Oneshots created in `main` and moved into
//! the tasks stay attributed to `main`: see `oneshot_handshake_natural`.)
//!
//! Expected: one `probable` deadlock of `left` and `right` over channels
//! `left-hello` and `right-hello`.

use examples::{park, ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::oneshot;

type Hello = oneshot::Receiver<&'static str>;

#[peeps::instrument]
async fn handshake(me: &'static str, give: oneshot::Sender<Hello>, take: oneshot::Receiver<Hello>) {
    let (hello, my_hello) = oneshot::channel_named(format!("{me}-hello"));
    give.send(my_hello).expect("main wires the handshake");
    let their_hello = take.await.expect("main wires the handshake");
    // Wait for the peer to greet first...
    let peer = their_hello.await.expect("peer alive");
    // ...then greet back.
    let _ = hello.send(me);
    println!("{me} met {peer}");
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("oneshot_cycle");
    let (left_gives, left_hello) = oneshot::channel();
    let (right_gives, right_hello) = oneshot::channel();
    let (to_left, left_takes) = oneshot::channel();
    let (to_right, right_takes) = oneshot::channel();
    peeps::spawn_named("left", handshake("left", left_gives, left_takes));
    peeps::spawn_named("right", handshake("right", right_gives, right_takes));
    to_right
        .send(left_hello.await.expect("left gives"))
        .expect("right takes");
    to_left
        .send(right_hello.await.expect("right gives"))
        .expect("left takes");

    ready_when(|g| {
        waited_on_for(g, NodeKind::Channel, "left-hello", "recv")
            && waited_on_for(g, NodeKind::Channel, "right-hello", "recv")
    });
    park().await
}
