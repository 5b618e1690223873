//! Deadlock: a CSV importer whose `main` feeds every file before it reads
//! any progress. `main` (`#[tokio::main]`) moves the receiver of
//! `import-jobs` (capacity 2) into a plain `tokio::spawn` worker, then
//! sends it 50 file numbers and only after the last one reads the worker's
//! `import-progress` reports (capacity 1). The worker parses a file and
//! reports on `import-progress` before it takes the next one: its second
//! report waits for room, and `main` waits for room in `import-jobs`, which
//! only the worker empties.
//!
//! Expected: a probable deadlock between thread `main` (sending on
//! `import-jobs`, whose receiver the worker holds: moved into it and used
//! from its cell) and the plain worker task (sending on `import-progress`,
//! whose receiver `main` made and has not used yet). Both wait only on
//! peeps channels: `main`'s parked-thread waker and the worker's task
//! waker have no clone beyond these waits, and the worker is the only
//! plain task, so nothing can run and take `import-progress`'s receiver:
//! it is with `main` (likely) or the worker, a guess each.

use examples::{ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::mpsc;

fn parse(file: u32) -> usize {
    (0..200 + file as usize % 17)
        .map(|row| format!("{file},{row},ok").len())
        .sum()
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("import_main_feeds_jobs_worker_full_progress_plain");
    let (jobs, mut job_rx) = mpsc::channel_named::<u32>("import-jobs", 2);
    let (progress, mut progress_rx) = mpsc::channel_named::<(u32, usize)>("import-progress", 1);

    tokio::spawn(async move {
        while let Some(file) = job_rx.recv().await {
            let bytes = parse(file);
            if progress.send((file, bytes)).await.is_err() {
                return;
            }
        }
    });

    ready_when(|snap| {
        waited_on_for(snap, NodeKind::Channel, "import-jobs", "send")
            && waited_on_for(snap, NodeKind::Channel, "import-progress", "send")
    });
    for file in 0..50 {
        jobs.send(file).await.expect("worker gone");
    }
    drop(jobs);
    let mut total = 0;
    while let Some((file, bytes)) = progress_rx.recv().await {
        total += bytes;
        println!("file {file}: {bytes} bytes");
    }
    println!("imported {total} bytes");
}
