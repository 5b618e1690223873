//! Healthy control: an uploader takes the document with `lock_owned`,
//! hands the guard to a plain `tokio::spawn` save job, and goes on to
//! lock `index`; a reindexer, later, locks `index`, then the document.
//! No peeps annotation: plain `tokio::spawn` of `async move` blocks,
//! `#[tokio::main]`.
//!
//! When the uploader locks `index` it holds the document no more (its
//! guard is with the save job, which takes no other lock). Then a save
//! holds the document for an hour and the reindexer, holding `index`,
//! waits for it.
//!
//! Expected: no deadlock, no potential deadlock (nothing is ordered after
//! an owned guard, docs/lock-order.md).

use examples::{park, ready_when, waiters};
use peeps::graph::NodeKind;
use peeps::sync::Mutex;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

type Document = Arc<Mutex<String>>;
type Index = Arc<Mutex<BTreeMap<String, usize>>>;

/// Takes the document, hands it to a save job taking `save`, then indexes.
async fn upload(doc: Document, index: Index, text: &str, save: Duration) {
    let mut guard = doc.lock_owned().await;
    guard.push_str(text);
    let len = guard.len();
    tokio::spawn(async move {
        tokio::time::sleep(save).await;
        println!("saved {} bytes", guard.len());
    });
    index.lock().await.insert(text.to_owned(), len);
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("owned_guard_handed_off_then_lock_tokio_spawn");
    let doc: Document = Arc::new(Mutex::new(String::new()).named("document"));
    let index: Index = Arc::new(Mutex::new(BTreeMap::new()).named("index"));

    for text in ["intro ", "body "] {
        let (d, i) = (doc.clone(), index.clone());
        tokio::spawn(async move { upload(d, i, text, Duration::from_millis(10)).await })
            .await
            .expect("an upload");
    }
    // Let the saves finish.
    while doc.try_lock().is_err() {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }

    let (d, i) = (doc.clone(), index.clone());
    tokio::spawn(async move { upload(d, i, "end", Duration::from_secs(3600)).await })
        .await
        .expect("the last upload");
    tokio::spawn(async move {
        let mut entries = index.lock().await;
        let text = doc.lock().await;
        entries.insert("all".to_owned(), text.len());
    });
    ready_when(|g| waiters(g, NodeKind::Mutex, "document") == 1);
    park().await
}
