//! Healthy twin of `renderer_sender_kept_in_tool_registry` (the fix of
//! macanderson/stella#960, #970): the turn detaches the registry's event
//! senders (`detach_events`, which drops them) before it awaits the
//! renderer, so its own `drop(tx)` closes `events` and the renderer ends.
//! `main` runs such one-shot turns forever, one after another, each tool
//! call taking 30 ms, the registry and its ledger kept across turns.
//!
//! Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock.

use examples::{park, ready_when};
use peeps::sync::{Mutex, mpsc};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

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

    fn detach_events(&self) {
        self.sinks.lock().expect("not poisoned").clear();
    }

    async fn run_tool(&self, name: &'static str) {
        tokio::time::sleep(Duration::from_millis(30)).await;
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
        std::hint::black_box(format!("{event:?}"));
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
    registry.run_tool("read").await;
    tx.send(Event::Done).await.expect("renderer alive");
    registry.detach_events();
    drop(tx);
    let shown = renderer.await.expect("the renderer does not panic");
    let mut ledger = registry.ledger.lock().await;
    let n = shown + ledger.len();
    ledger.clear();
    n
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("registry_detaches_events_before_join");
    let registry = Arc::new(ToolRegistry::default());
    let turns = Arc::new(AtomicU64::new(0));
    let ready = turns.clone();
    ready_when(move |_| ready.load(Ordering::Relaxed) >= 5);
    {
        let turns = turns.clone();
        tokio::spawn(async move {
            loop {
                let turn = peeps::spawn_named("turn", run_one_shot(registry.clone()));
                std::hint::black_box(turn.await.expect("the turn does not panic"));
                turns.fetch_add(1, Ordering::Relaxed);
            }
        });
    }
    park().await
}
