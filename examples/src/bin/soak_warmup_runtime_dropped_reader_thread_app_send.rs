//! Healthy: at startup `main` warms its cache through a sync helper that
//! builds a throwaway multi-thread runtime on a helper thread (two
//! workers), runs a `warm` peeps task there and drops the runtime (its
//! workers exit). Then a `reader` `std::thread` holding the app's shared
//! state (`Arc<App>`, with the `lines` sender) reads a line every 300 ms
//! (a blocking read) and `blocking_send`s it through `app.lines`; the
//! `parser` task receives; `main` awaits the parser's `JoinHandle`.
//!
//! Expected: in every dump, no deadlock, nothing stuck forever.

use examples::{ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::mpsc;
use std::sync::Arc;
use std::time::Duration;

struct App {
    lines: mpsc::Sender<String>,
}

fn warm_cache_blocking() -> u64 {
    std::thread::spawn(|| {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async { peeps::spawn_named("warm", async { 3u64 }).await.unwrap() })
    })
    .join()
    .unwrap()
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_warmup_runtime_dropped_reader_thread_app_send");
    let warmed = warm_cache_blocking();
    println!("warmed {warmed} entries");
    let (lines, mut rx) = mpsc::channel_named::<String>("lines", 8);
    let app = Arc::new(App { lines });
    {
        let app = app.clone();
        std::thread::Builder::new()
            .name("reader".into())
            .spawn(move || {
                for i in 0u64.. {
                    std::thread::sleep(Duration::from_millis(300)); // blocking read
                    if app.lines.blocking_send(format!("line {i}")).is_err() {
                        break;
                    }
                }
            })
            .unwrap();
    }
    drop(app);
    let parser = peeps::spawn_named("parser", async move {
        let mut n = 0;
        while let Some(line) = rx.recv().await {
            n += line.len();
        }
        n
    });
    ready_when(|g| {
        examples::attr(g, NodeKind::Channel, "lines", "received").is_some_and(|n| n >= 2)
            && waited_on_for(g, NodeKind::Channel, "lines", "recv")
    });
    println!("{}", parser.await.unwrap());
}
