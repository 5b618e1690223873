//! Healthy: a supervisor enforcing a job's deadline with an `AbortHandle`
//! while another task joins the job. Per round (every ~150 ms), a plain
//! supervisor task spawns a plain job that receives work items on its own
//! `mpsc` inbox (capacity 4; the supervisor keeps the sender and sends two
//! items, then stops sending) and hands the job's tokio `JoinHandle` to a
//! plain reaper task over `handles`. The reaper awaits the handle and
//! reports each outcome on `reports` (capacity 4). The supervisor
//! `select!`s `reports.recv()` against `sleep_until(deadline)` (120 ms);
//! on the deadline it calls `abort()` on the job's `AbortHandle`, then
//! awaits the report. Each job ends only by abort: it waits for a third
//! item that never comes.
//!
//! So a snapshot shows the supervisor waiting on `reports` (held by the
//! reaper), the reaper joining the job, the job receiving on its inbox
//! (held by the supervisor): a loop that the supervisor's deadline timer
//! breaks. Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock.

use examples::{park, ready_when};
use peeps::sync::mpsc;
use std::time::Duration;
use tokio::task::JoinHandle;
use tokio::time::Instant;

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_supervisor_deadline_abort_reaper_reports_plain");
    let (handles_tx, mut handles) = mpsc::channel::<JoinHandle<u64>>(4);
    let (reports_tx, mut reports) = mpsc::channel::<&'static str>(4);
    tokio::spawn(async move {
        while let Some(job) = handles.recv().await {
            let outcome = match job.await {
                Ok(_) => "done",
                Err(e) if e.is_cancelled() => "aborted",
                Err(_) => "panicked",
            };
            if reports_tx.send(outcome).await.is_err() {
                return;
            }
        }
    });
    tokio::spawn(async move {
        let (mut done, mut aborted) = (0u64, 0u64);
        loop {
            let (items, mut inbox) = mpsc::channel::<u64>(4);
            let job = tokio::spawn(async move {
                let mut sum = 0;
                for _ in 0..3 {
                    match inbox.recv().await {
                        Some(item) => sum += item,
                        None => break,
                    }
                }
                sum
            });
            let abort = job.abort_handle();
            if handles_tx.send(job).await.is_err() {
                return;
            }
            let _ = items.send(1).await;
            let _ = items.send(2).await;
            let deadline = Instant::now() + Duration::from_millis(120);
            let outcome = tokio::select! {
                r = reports.recv() => r,
                _ = tokio::time::sleep_until(deadline) => {
                    abort.abort();
                    reports.recv().await
                }
            };
            match outcome {
                Some("aborted") => aborted += 1,
                Some(_) => done += 1,
                None => return,
            }
            if (done + aborted).is_multiple_of(20) {
                println!("done {done}, aborted {aborted}");
            }
            drop(items);
            tokio::time::sleep(Duration::from_millis(30)).await;
        }
    });
    ready_when(|g| {
        g.edges
            .iter()
            .any(|e| e.attrs.get("op").and_then(|v| v.as_str()) == Some("join"))
    });
    park().await
}
