//! Healthy: a `deployer` peeps task holds the `deploy` mutex while it runs
//! a child process (`sleep 0.4` through `tokio::process::Command`, awaiting
//! `status()`), and a `journal` task holds the `journal-file` mutex while
//! it appends a line to a file with `tokio::fs` (`OpenOptions` +
//! `write_all`, each a `spawn_blocking` inside tokio) and `sync_all`s it;
//! a `status` task takes `deploy` then `journal-file` briefly every 50 ms,
//! and the deployer takes `journal-file` under `deploy` (the same order)
//! to log each run. Forever.
//!
//! Expected: in every dump, no deadlock, nothing stuck forever, no
//! potential deadlock.

use examples::{ready_when, waiters};
use peeps::graph::NodeKind;
use peeps::sync::Mutex;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::AsyncWriteExt;

async fn append(path: &std::path::Path, line: &str) {
    let mut f = tokio::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .await
        .unwrap();
    f.write_all(line.as_bytes()).await.unwrap();
    f.sync_all().await.unwrap();
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_lock_across_child_wait_and_fs_append");
    let dir = std::env::temp_dir().join(format!("hunt42-journal-{}", std::process::id()));
    tokio::fs::create_dir_all(&dir).await.unwrap();
    let path = Arc::new(dir.join("journal.log"));
    let deploy = Arc::new(Mutex::new(0u64).named("deploy"));
    let journal = Arc::new(Mutex::new(0u64).named("journal-file"));
    let (d, j, p) = (deploy.clone(), journal.clone(), path.clone());
    peeps::spawn_named("deployer", async move {
        loop {
            let mut runs = d.lock().await;
            let st = tokio::process::Command::new("sleep")
                .arg("0.4")
                .status()
                .await
                .unwrap();
            *runs += 1;
            {
                let mut lines = j.lock().await;
                append(&p, &format!("deploy {} {st}\n", *runs)).await;
                *lines += 1;
            }
            drop(runs);
            tokio::time::sleep(Duration::from_millis(30)).await;
        }
    });
    let (j, p) = (journal.clone(), path.clone());
    peeps::spawn_named("journal", async move {
        loop {
            {
                let mut lines = j.lock().await;
                append(&p, "tick\n").await;
                *lines += 1;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    });
    let (d, j) = (deploy.clone(), journal.clone());
    peeps::spawn_named("status", async move {
        loop {
            let runs = *d.lock().await;
            let lines = *j.lock().await;
            if runs + lines == u64::MAX {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    });
    ready_when(|g| waiters(g, NodeKind::Mutex, "deploy") >= 1);
    examples::park().await;
}
