//! Healthy: import jobs reporting progress they may drop. For each job
//! `main` makes a `job-status` channel, sends `Queued` on it itself (a
//! job's status starts there), and moves the sender into a plain
//! `tokio::spawn` importer together with a clone of the sender of the
//! long-lived `progress` channel (capacity 2). The importer sends six
//! progress events, each under a 2 s `tokio::time::timeout` (a late event
//! is dropped and counted), then sends `Done` on `job-status`. `main`
//! reads `job-status` until `Done` and only then drains the progress
//! backlog (a `recv` under a 5 ms timeout until it comes back empty): the
//! importer waits for room in `progress` while `main` awaits its status.
//!
//! Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock.

use examples::ready_when;
use peeps::graph::NodeKind;
use peeps::sync::mpsc;
use std::time::Duration;

#[derive(Debug)]
enum Status {
    Queued,
    Done {
        imported: u32,
        dropped_progress: u32,
    },
}

async fn import(progress: mpsc::Sender<String>, status: mpsc::Sender<Status>) {
    let mut dropped = 0;
    for row in 0..6 {
        let event = format!("imported row batch {row}");
        if tokio::time::timeout(Duration::from_secs(2), progress.send(event))
            .await
            .is_err()
        {
            dropped += 1;
        }
    }
    let _ = status
        .send(Status::Done {
            imported: 6,
            dropped_progress: dropped,
        })
        .await;
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_import_progress_timeout_summary_plain");
    ready_when(|snap| {
        examples::waited_on_for(snap, NodeKind::Channel, "progress", "send")
            && examples::waited_on(snap, NodeKind::Channel, "job-status")
            && examples::attr(snap, NodeKind::Channel, "progress", "received")
                .is_some_and(|n| n >= 1)
    });
    let (progress, mut progress_rx) = mpsc::channel_named::<String>("progress", 2);
    loop {
        let (status, mut status_rx) = mpsc::channel_named("job-status", 4);
        if status.send(Status::Queued).await.is_err() {
            return;
        }
        let progress = progress.clone();
        tokio::spawn(async move { import(progress, status).await });
        while let Some(status) = status_rx.recv().await {
            if let Status::Done {
                imported,
                dropped_progress,
            } = status
            {
                std::hint::black_box((imported, dropped_progress));
                break;
            }
        }
        while let Ok(Some(event)) =
            tokio::time::timeout(Duration::from_millis(5), progress_rx.recv()).await
        {
            std::hint::black_box(event);
        }
    }
}
