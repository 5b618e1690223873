//! Deadlock: two tasks each wait for the other's oneshot before sending
//! their own.
//!
//! `left` and `right` run a handshake: each creates its `hello` oneshot,
//! hands the receiver to the other (through `main`), and waits for the
//! other's hello before sending its own — unless the other hangs up first
//! (`Sender::closed`, tokio's way for a responder to notice that nobody
//! waits for its answer any more). Neither goes first.
//!
//! Watching `closed()` is what lets peeps know who holds each sender: a
//! oneshot sender is otherwise only ever used by being consumed, and peeps
//! counts a sender its task never used as held by nobody it can name (it
//! may have been handed on). Without it the deadlock is not found: see
//! `oneshot_handshake_natural`.
//!
//! Expected: one `certain` deadlock of `left` and `right` over channels
//! `left-hello` and `right-hello`.

use examples::{park, ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::oneshot;

type Hello = oneshot::Receiver<&'static str>;

#[peeps::instrument]
async fn handshake(me: &'static str, give: oneshot::Sender<Hello>, take: oneshot::Receiver<Hello>) {
    let (mut hello, my_hello) = oneshot::channel_named(format!("{me}-hello"));
    give.send(my_hello).expect("main wires the handshake");
    let their_hello = take.await.expect("main wires the handshake");
    // Wait for the peer to greet first, unless it hangs up...
    let peer = tokio::select! {
        peer = their_hello => peer.expect("peer alive"),
        () = hello.closed() => return,
    };
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
        ["left-hello", "right-hello"].iter().all(|name| {
            waited_on_for(g, NodeKind::Channel, name, "recv")
                && waited_on_for(g, NodeKind::Channel, name, "closed")
        })
    });
    park().await
}
