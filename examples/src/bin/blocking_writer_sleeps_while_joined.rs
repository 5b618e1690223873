//! Healthy control: the twin of `blocking_writer_joined_before_close`
//! that drops its sender before it awaits the writer, the writer slow.
//!
//! `importer` (`peeps::spawn_named`) makes the `lines` channel, hands its
//! receiver to a `spawn_blocking` closure that writes each line to a slow
//! disk (`lines.blocking_recv()` in a loop, an hour of
//! `std::thread::sleep` per line, ending when the channel closes), sends
//! three lines, drops its sender and awaits the writer's `JoinHandle`. At
//! the snapshot `importer` waits for the writer (peeps sees the join: the
//! writer's task made a blocking call), which sleeps on its first line:
//! it is busy, not blocked on anything peeps sees.
//!
//! Expected: no deadlock, nothing stuck forever, no potential deadlock.

use examples::{attr, park, ready_when};
use peeps::graph::{EdgeKind, NodeKind};
use peeps::sync::mpsc;
use std::time::Duration;

#[peeps::instrument]
async fn import() -> usize {
    let (lines, mut to_write) = mpsc::channel_named("lines", 4);
    let writer = tokio::task::spawn_blocking(move || {
        let mut written = 0;
        while let Some(line) = to_write.blocking_recv() {
            let line: String = line;
            std::thread::sleep(Duration::from_secs(3600));
            written += line.len() + 1;
        }
        written
    });
    for line in ["id,name", "1,ann", "2,bob"] {
        lines
            .send(line.to_owned())
            .await
            .expect("the writer is alive");
    }
    drop(lines);
    writer.await.expect("the writer does not panic")
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("blocking_writer_sleeps_while_joined");
    peeps::spawn_named("importer", import());
    ready_when(|g| {
        attr(g, NodeKind::Channel, "lines", "received") == Some(1)
            && g.edges.iter().any(|e| {
                e.kind == EdgeKind::WaitsOn
                    && e.attrs.get("op").and_then(|v| v.as_str()) == Some("join")
            })
    });
    park().await
}
