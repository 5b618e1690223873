//! Deadlock: a service's `shutdown(self)` awaits its background writer's
//! `JoinHandle` while the sender the writer drains is still a field of
//! `self`, so the writer's `recv()` never returns `None` (a most common
//! "my tokio program hangs on exit" report: the channel closes only when
//! every sender is dropped, e.g. tokio-rs/tokio#2046's answer).
//!
//! `AuditLog` holds `tx: mpsc::Sender<String>` and the `JoinHandle` of a
//! `peeps::spawn_named("audit-writer", ..)` task that appends every line it
//! receives on `audit-lines` until the channel closes. The `app` task logs
//! three lines, then calls `log.shutdown().await`, which takes the handle
//! out of `self` and awaits it; `self.tx` drops only when `shutdown`
//! returns. `main` awaits `app`.
//!
//! Expected: one `certain` deadlock of `app` (joining `audit-writer`) and
//! `audit-writer` (waiting to receive on `audit-lines`, whose sender is
//! with `app`, in its state); `main` behind, joining `app`.

use examples::{park, ready_when, waited_on, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::mpsc;

struct AuditLog {
    tx: mpsc::Sender<String>,
    writer: Option<peeps::JoinHandle<usize>>,
}

impl AuditLog {
    fn start() -> AuditLog {
        let (tx, rx) = mpsc::channel_named("audit-lines", 64);
        let writer = peeps::spawn_named("audit-writer", write_lines(rx));
        AuditLog {
            tx,
            writer: Some(writer),
        }
    }

    async fn log(&self, line: impl Into<String>) {
        let _ = self.tx.send(line.into()).await;
    }

    async fn shutdown(mut self) -> usize {
        match self.writer.take() {
            Some(writer) => writer.await.unwrap_or(0),
            None => 0,
        }
    }
}

#[peeps::instrument]
async fn write_lines(mut rx: mpsc::Receiver<String>) -> usize {
    let mut written = 0;
    while let Some(line) = rx.recv().await {
        written += line.len();
    }
    written
}

#[peeps::instrument]
async fn run_app() {
    let log = AuditLog::start();
    log.log("user 7 logged in").await;
    log.log("user 7 created order 12").await;
    log.log("user 7 logged out").await;
    let bytes = log.shutdown().await;
    println!("audit log flushed, {bytes} bytes");
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("shutdown_awaits_writer_sender_in_self");
    ready_when(|g| {
        waited_on_for(g, NodeKind::Channel, "audit-lines", "recv")
            && waited_on(g, NodeKind::Task, "audit-writer")
    });
    let _ = peeps::spawn_named("app", run_app()).await;
    park().await
}
