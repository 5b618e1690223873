//! Healthy: the fix of `import_main_feeds_jobs_worker_full_progress_plain`.
//! `main` (`#[tokio::main]`) `select!`s between reserving a slot in
//! `import-jobs` (capacity 2) for the next file and receiving the plain
//! worker's next report on `import-progress` (capacity 1), so the worker's
//! report always finds a reader. The worker parses each file (20 ms of
//! `tokio::time::sleep` for the disk) and reports it; the file numbers
//! wrap, so the import runs forever.
//!
//! Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock.

use examples::{ready_when, waited_on};
use peeps::graph::NodeKind;
use peeps::sync::mpsc;
use std::time::Duration;

fn parse(file: u32) -> usize {
    (0..200 + file as usize % 17)
        .map(|row| format!("{file},{row},ok").len())
        .sum()
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_import_main_reserves_jobs_or_reads_progress_plain");
    let (jobs, mut job_rx) = mpsc::channel_named::<u32>("import-jobs", 2);
    let (progress, mut progress_rx) = mpsc::channel_named::<(u32, usize)>("import-progress", 1);

    tokio::spawn(async move {
        while let Some(file) = job_rx.recv().await {
            tokio::time::sleep(Duration::from_millis(20)).await;
            let bytes = parse(file);
            if progress.send((file, bytes)).await.is_err() {
                return;
            }
        }
    });

    ready_when(|snap| {
        waited_on(snap, NodeKind::Channel, "import-jobs")
            && waited_on(snap, NodeKind::Channel, "import-progress")
    });
    let mut next = 0u32;
    let mut total = 0usize;
    loop {
        tokio::select! {
            slot = jobs.reserve() => {
                slot.expect("worker gone").send(next % 1000);
                next += 1;
            }
            report = progress_rx.recv() => {
                let Some((_file, bytes)) = report else { break };
                total = total.wrapping_add(bytes);
            }
        }
    }
    println!("imported {total} bytes");
}
