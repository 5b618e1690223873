//! Healthy: a sync callback API (a C library's event thread, here a
//! `std::thread` sleeping 300 ms per event) forwards each event into the
//! async app with `handle.block_on(app.events.send(ev))`, through the
//! app's shared state (`Arc<App>`, with the `events` sender). The
//! `dispatcher` task receives; `main` awaits the dispatcher's `JoinHandle`.
//!
//! Expected: in every dump, no deadlock, nothing stuck forever.

use examples::{ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::mpsc;
use std::sync::Arc;
use std::time::Duration;

struct App {
    events: mpsc::Sender<u32>,
}

fn on_event(handle: &tokio::runtime::Handle, app: &App, ev: u32) {
    let _ = handle.block_on(app.events.send(ev));
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_sync_callback_thread_block_on_app_send");
    let (events, mut rx) = mpsc::channel_named::<u32>("events", 8);
    let app = Arc::new(App { events });
    let handle = tokio::runtime::Handle::current();
    {
        let app = app.clone();
        std::thread::Builder::new()
            .name("c-lib-events".into())
            .spawn(move || {
                for ev in 0u32.. {
                    std::thread::sleep(Duration::from_millis(300)); // inside the C library
                    on_event(&handle, &app, ev);
                }
            })
            .unwrap();
    }
    drop(app);
    let dispatcher = peeps::spawn_named("dispatcher", async move {
        let mut n = 0u64;
        while let Some(ev) = rx.recv().await {
            n += u64::from(ev);
        }
        n
    });
    ready_when(|g| {
        examples::attr(g, NodeKind::Channel, "events", "received").is_some_and(|n| n >= 2)
            && waited_on_for(g, NodeKind::Channel, "events", "recv")
    });
    println!("{}", dispatcher.await.unwrap());
}
