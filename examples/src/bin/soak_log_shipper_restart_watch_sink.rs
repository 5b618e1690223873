//! Healthy, idle after a crash and a restart: a log shipper restarted by
//! a supervisor that announces each generation in the log itself and
//! publishes the new sender in a `watch` the producers clone it from.
//! Every task is `peeps::spawn_named`.
//!
//! The `log-supervisor` makes `log-lines` (an `mpsc` of 64), spawns
//! `log-shipper` on its receiver, sends a "generation N started" line on
//! the new sender (awaited), publishes the sender with
//! `send_replace(Some(tx))` on `log-sink` (a `watch<Option<Sender>>`) and
//! awaits the shipper's `JoinHandle`; a shipper that panics (a malformed
//! line, one with a NUL) is restarted. The shipper appends each line to
//! `shipped` (a `Mutex<Vec>`). Four `handler-N` tasks log 10 lines each
//! (cloning the sender out of `log-sink` per line); then an `importer`
//! logs a malformed line, which crashes the first shipper. Everybody then
//! idles: handlers and importer log again every 10 minutes, the new
//! shipper waits on its inbox, whose only sender is in `log-sink`.
//!
//! Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock. (The supervisor used the new sender before it
//! moved it into the `watch`, where every producer reaches it.)

use examples::{park, ready_when, waited_on};
use peeps::graph::NodeKind;
use peeps::sync::{Mutex, mpsc, watch};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

type Sink = watch::Receiver<Option<mpsc::Sender<String>>>;

async fn log_shipper(mut lines: mpsc::Receiver<String>, shipped: Arc<Mutex<Vec<String>>>) {
    while let Some(line) = lines.recv().await {
        assert!(!line.contains('\0'), "malformed log line");
        let mut out = shipped.lock().await;
        out.push(line);
        if out.len() > 256 {
            out.clear();
        }
    }
}

async fn log_supervisor(
    sink: watch::Sender<Option<mpsc::Sender<String>>>,
    shipped: Arc<Mutex<Vec<String>>>,
    generations: Arc<AtomicU64>,
) {
    loop {
        let (tx, rx) = mpsc::channel_named("log-lines", 64);
        let shipper = peeps::spawn_named("log-shipper", log_shipper(rx, shipped.clone()));
        let n = generations.fetch_add(1, Ordering::Relaxed) + 1;
        let _ = tx.send(format!("log shipper generation {n} started")).await;
        sink.send_replace(Some(tx));
        match shipper.await {
            Ok(()) => return,
            Err(_) => tokio::time::sleep(Duration::from_millis(20)).await,
        }
    }
}

async fn log(sink: &Sink, line: String) {
    let tx = sink.borrow().clone();
    if let Some(tx) = tx {
        let _ = tx.send(line).await;
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_log_shipper_restart_watch_sink");
    let (sink, sink_rx) = watch::channel_named("log-sink", None);
    let shipped = Arc::new(Mutex::new(Vec::new()).named("shipped"));
    let generations = Arc::new(AtomicU64::new(0));
    peeps::spawn_named(
        "log-supervisor",
        log_supervisor(sink, shipped, generations.clone()),
    );
    let logged = Arc::new(AtomicU64::new(0));
    for h in 0..4 {
        let mut sink = sink_rx.clone();
        let logged = logged.clone();
        peeps::spawn_named(format!("handler-{h}"), async move {
            let _ = sink.wait_for(Option::is_some).await;
            for n in 0..10 {
                log(&sink, format!("handler {h} served request {n}")).await;
                tokio::time::sleep(Duration::from_millis(3)).await;
            }
            logged.fetch_add(1, Ordering::Relaxed);
            // The next request comes in ten minutes.
            for n in 10.. {
                tokio::time::sleep(Duration::from_secs(600)).await;
                log(&sink, format!("handler {h} served request {n}")).await;
            }
        });
    }
    let importer_logged = logged.clone();
    let importer_sink = sink_rx.clone();
    peeps::spawn_named("importer", async move {
        while importer_logged.load(Ordering::Relaxed) < 4 {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        log(&importer_sink, "imported row \0 with a NUL".to_owned()).await;
        loop {
            tokio::time::sleep(Duration::from_secs(600)).await;
            log(&importer_sink, "nightly import: nothing new".to_owned()).await;
        }
    });
    drop(sink_rx);
    ready_when(move |g| {
        generations.load(Ordering::Relaxed) == 2 && waited_on(g, NodeKind::Channel, "log-lines")
    });
    park().await;
}
