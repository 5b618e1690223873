//! Deadlock from a bug report: macanderson/stella#960 (the cause found in
//! #970): `stella run` never exits. A one-shot turn makes its `events`
//! channel, hands clones of the sender to the tool registry
//! (`attach_events(tx.clone())`), spawns the renderer, whose loop is
//! `while let Some(e) = rx.recv().await`, runs the turn, drops its own
//! `tx` and awaits the renderer. But the registry outlives the turn (the
//! audit close-out reads its ledger afterwards), and it still holds a
//! clone of the sender: the renderer waits for an event or the close that
//! only the registry's sender could give, and the turn waits for the
//! renderer.
//!
//! `turn` and `renderer` are `peeps::spawn_named`; the registry is an
//! `Arc` shared by `main` and `turn`, its senders in a
//! `std::sync::Mutex<Vec<_>>`; the registry sends a `tool` event through
//! its sender while the turn runs. `main` awaits `turn`.
//!
//! Expected (the truth): one deadlock of `turn` (waiting on task
//! `renderer` to finish) and `renderer` (waiting on channel `events` to
//! receive, its last sender in the registry that `turn` keeps); `main`
//! behind it.

use examples::{ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::{Mutex, mpsc};
use std::sync::Arc;

#[derive(Debug)]
enum Event {
    Started,
    Tool(&'static str),
    Done,
}

#[derive(Default)]
struct ToolRegistry {
    sinks: std::sync::Mutex<Vec<mpsc::Sender<Event>>>,
    ledger: Mutex<Vec<&'static str>>,
}

impl ToolRegistry {
    fn attach_events(&self, tx: mpsc::Sender<Event>) {
        self.sinks.lock().expect("not poisoned").push(tx);
    }

    async fn run_tool(&self, name: &'static str) {
        let sinks: Vec<_> = self.sinks.lock().expect("not poisoned").clone();
        for sink in sinks {
            let _ = sink.send(Event::Tool(name)).await;
        }
        self.ledger.lock().await.push(name);
    }
}

async fn render(mut events: mpsc::Receiver<Event>) -> usize {
    let mut shown = 0;
    while let Some(event) = events.recv().await {
        println!("render {event:?}");
        if let Event::Tool(name) = &event {
            shown += name.len();
        }
        shown += 1;
    }
    shown
}

async fn run_one_shot(registry: Arc<ToolRegistry>) -> usize {
    let (tx, rx) = mpsc::channel_named("events", 16);
    registry.attach_events(tx.clone());
    let renderer = peeps::spawn_named("renderer", render(rx));
    tx.send(Event::Started).await.expect("renderer alive");
    registry.run_tool("search").await;
    tx.send(Event::Done).await.expect("renderer alive");
    drop(tx); // not the last sender: the registry keeps a clone
    let shown = renderer.await.expect("the renderer does not panic");
    // audit close-out
    shown + registry.ledger.lock().await.len()
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("renderer_sender_kept_in_tool_registry");
    let registry = Arc::new(ToolRegistry::default());
    let turn = peeps::spawn_named("turn", run_one_shot(registry.clone()));
    ready_when(|g| {
        waited_on_for(g, NodeKind::Task, "renderer", "join")
            && waited_on_for(g, NodeKind::Channel, "events", "recv")
    });
    let n = turn.await.expect("the turn does not panic");
    println!("done: {n} ({} tools)", registry.ledger.lock().await.len());
}
