//! Healthy, under steady load: an append-only log whose file work runs in
//! `spawn_blocking` while an async lock is held. `segment` (a `Mutex` of
//! the current file's path and length) serialises writers: five plain
//! writers take it, `spawn_blocking` a real append + `sync_data` of a few
//! lines to a file under the temp directory, await the blocking task's
//! `JoinHandle` while still holding `segment`, and record the new length.
//! A plain rotator, every 250 ms, takes `segment` and `spawn_blocking`s a
//! rename to a new segment (and the removal of the old one). Two plain
//! readers take `segment` and `spawn_blocking` a read of the file length.
//! The blocking closures touch no peeps lock.
//!
//! Tasks wait on `segment`, held by a task awaiting a blocking-pool task
//! doing file I/O.
//!
//! Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock.

use examples::{park, ready_when, waited_on};
use peeps::graph::NodeKind;
use peeps::sync::Mutex;
use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

struct Segment {
    path: PathBuf,
    len: u64,
    number: u64,
}

fn append(path: PathBuf, lines: Vec<String>) -> std::io::Result<u64> {
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)?;
    for line in &lines {
        writeln!(f, "{line}")?;
    }
    f.sync_data()?;
    Ok(f.metadata()?.len())
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_segment_lock_across_spawn_blocking_file_io_plain");
    let dir = std::env::temp_dir().join(format!("peeps-soak-segments-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let segment = Arc::new(
        Mutex::new(Segment {
            path: dir.join("segment-0.log"),
            len: 0,
            number: 0,
        })
        .named("segment"),
    );
    let appended = Arc::new(AtomicU64::new(0));
    for w in 0..5u64 {
        let segment = segment.clone();
        let appended = appended.clone();
        tokio::spawn(async move {
            for n in 0u64.. {
                let lines: Vec<String> = (0..4)
                    .map(|i| format!("writer {w} entry {n}.{i}"))
                    .collect();
                let mut seg = segment.lock().await;
                let path = seg.path.clone();
                match tokio::task::spawn_blocking(move || append(path, lines)).await {
                    Ok(Ok(len)) => seg.len = len,
                    Ok(Err(e)) => eprintln!("append: {e}"),
                    Err(e) => eprintln!("append task: {e}"),
                }
                drop(seg);
                appended.fetch_add(1, Ordering::Relaxed);
                tokio::time::sleep(std::time::Duration::from_millis(3)).await;
            }
        });
    }
    {
        let segment = segment.clone();
        let dir = dir.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(std::time::Duration::from_millis(250)).await;
                let mut seg = segment.lock().await;
                let old = seg.path.clone();
                let next = dir.join(format!("segment-{}.log", seg.number + 1));
                let sealed = dir.join(format!("sealed-{}.log", seg.number));
                let moved = tokio::task::spawn_blocking(move || {
                    if old.exists() {
                        std::fs::rename(&old, &sealed)?;
                        std::thread::sleep(std::time::Duration::from_millis(20));
                        std::fs::remove_file(&sealed)?;
                    }
                    Ok::<_, std::io::Error>(())
                })
                .await;
                if let Ok(Err(e)) = moved {
                    eprintln!("rotate: {e}");
                }
                seg.number += 1;
                seg.path = next;
                seg.len = 0;
            }
        });
    }
    for _ in 0..2 {
        let segment = segment.clone();
        tokio::spawn(async move {
            loop {
                let seg = segment.lock().await;
                let path = seg.path.clone();
                let len =
                    tokio::task::spawn_blocking(move || std::fs::metadata(path).map(|m| m.len()))
                        .await
                        .ok()
                        .and_then(Result::ok);
                std::hint::black_box((len, seg.len));
                drop(seg);
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            }
        });
    }
    ready_when(move |g| {
        appended.load(Ordering::Relaxed) >= 30 && waited_on(g, NodeKind::Mutex, "segment")
    });
    park().await
}
