//! Deadlock: a ring of three actors built on the main thread, each sending
//! a burst to the next before reading its own inbox.
//!
//! `main` makes three inboxes of capacity 1 and builds three `Actor`
//! structs, each holding its own inbox's receiver and the next actor's
//! sender (`actor-a` → `actor-b` → `actor-c` → `actor-a`). It spawns each
//! actor's `run` and awaits all three. Each actor sends two greetings to
//! the next before it starts reading: the first fills the next inbox, the
//! second waits for room that only the next actor, itself blocked sending,
//! could make.
//!
//! No actor ever uses its receiver before the deadlock. peeps follows each
//! receiver as it moves into its actor at spawn (inside the `Actor` inside
//! the future given to `peeps::spawn_named`), and at the snapshot finds it
//! still in that actor's own state, so each inbox is proven held by its
//! actor.
//!
//! Expected: one `certain` deadlock of the three actors over the three
//! inboxes, each step `receiver held by task "actor-..." (moved in at
//! spawn)`, with the `main` thread behind it.

use examples::{ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::mpsc;

/// One actor of the ring: its own inbox and the way to the next actor.
#[derive(Debug)]
struct Actor {
    name: &'static str,
    inbox: mpsc::Receiver<String>,
    next: mpsc::Sender<String>,
}

impl Actor {
    /// Greets the next actor twice, then serves its own inbox.
    #[peeps::instrument]
    async fn run(mut self) {
        for i in 0..2 {
            if self
                .next
                .send(format!("hello {i} from {}", self.name))
                .await
                .is_err()
            {
                return;
            }
        }
        while let Some(msg) = self.inbox.recv().await {
            println!("{} got {msg}", self.name);
        }
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("actor_ring_made_in_main");
    let (a_tx, a_rx) = mpsc::channel_named("inbox-a", 1);
    let (b_tx, b_rx) = mpsc::channel_named("inbox-b", 1);
    let (c_tx, c_rx) = mpsc::channel_named("inbox-c", 1);
    let ring = [
        Actor {
            name: "actor-a",
            inbox: a_rx,
            next: b_tx,
        },
        Actor {
            name: "actor-b",
            inbox: b_rx,
            next: c_tx,
        },
        Actor {
            name: "actor-c",
            inbox: c_rx,
            next: a_tx,
        },
    ];
    let handles: Vec<_> = ring
        .into_iter()
        .map(|actor| peeps::spawn_named(actor.name, actor.run()))
        .collect();

    ready_when(|g| {
        ["inbox-a", "inbox-b", "inbox-c"]
            .iter()
            .all(|inbox| waited_on_for(g, NodeKind::Channel, inbox, "send"))
            && waited_on_for(g, NodeKind::Task, "actor-a", "join")
    });
    for h in handles {
        h.await.expect("no panic");
    }
}
