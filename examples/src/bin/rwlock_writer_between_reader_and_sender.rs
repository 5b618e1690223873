//! Deadlock: a write-preference chain across three tasks of one `RwLock`.
//!
//! The `reporter` holds a read of `index` while it awaits the scanner's
//! count on `scan-done`; the `rebuilder` queues for the write (behind the
//! reporter's read); the `scanner` would send its count after reading
//! `index`, but its read waits behind the queued writer (tokio's
//! `RwLock` is write-preferring). `main` starts the scanner once the
//! rebuilder is queued.
//!
//! Expected: one `certain` deadlock of `reporter`, `rebuilder` and
//! `scanner` over rwlock `index` and channel `scan-done`.

use examples::{park, ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::{RwLock, mpsc};
use std::sync::Arc;
use std::time::Duration;

type Index = Arc<RwLock<Vec<String>>>;

#[peeps::instrument]
async fn report(index: Index, mut scan_done: mpsc::Receiver<usize>) {
    let view = index.read().await;
    while let Some(scanned) = scan_done.recv().await {
        println!("{scanned} of {} entries scanned", view.len());
    }
}

#[peeps::instrument]
async fn rebuild(index: Index) {
    let mut all = index.write().await;
    all.sort();
}

#[peeps::instrument]
async fn scan(index: Index, scan_done: mpsc::Sender<usize>) {
    let scanned = index.read().await.len();
    let _ = scan_done.send(scanned).await;
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("rwlock_writer_between_reader_and_sender");
    let index: Index = Arc::new(RwLock::new(vec!["b".to_owned(), "a".to_owned()]).named("index"));
    let (done, scan_done) = mpsc::channel_named("scan-done", 4);
    peeps::spawn_named("reporter", report(index.clone(), scan_done));
    while !waited_on_for(&peeps::snapshot(), NodeKind::Channel, "scan-done", "recv") {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    peeps::spawn_named("rebuilder", rebuild(index.clone()));
    while !waited_on_for(&peeps::snapshot(), NodeKind::Rwlock, "index", "write") {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    peeps::spawn_named("scanner", scan(index, done));

    ready_when(|g| waited_on_for(g, NodeKind::Rwlock, "index", "read"));
    park().await
}
