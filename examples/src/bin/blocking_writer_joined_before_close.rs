//! Deadlock: an async task awaits the `JoinHandle` of a `spawn_blocking`
//! writer that reads its channel until the channel closes, and still
//! holds the channel's sender.
//!
//! `importer` (`peeps::spawn_named`) makes the `lines` channel, hands its
//! receiver to a `spawn_blocking` closure that writes each line to a file
//! (`lines.blocking_recv()` in a loop, ending when the channel closes),
//! sends three lines, then awaits the writer's `JoinHandle` for the count
//! of bytes written. It never drops its sender (`drop(lines)` is
//! missing): the blocking thread is parked in `blocking_recv` for a line
//! only `importer` could send, and `importer` waits for the thread.
//!
//! Expected: one `certain` deadlock of `importer` and the blocking
//! thread over channel `lines` (its sender used by `importer`, in its
//! state) and the `JoinHandle` of the blocking closure.

use examples::{attr, park, ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::mpsc;

#[peeps::instrument]
async fn import() -> usize {
    let (lines, mut to_write) = mpsc::channel_named("lines", 4);
    let writer = tokio::task::spawn_blocking(move || {
        let mut written = 0;
        while let Some(line) = to_write.blocking_recv() {
            let line: String = line;
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
    // Missing: drop(lines);
    writer.await.expect("the writer does not panic")
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("blocking_writer_joined_before_close");
    peeps::spawn_named("importer", import());
    ready_when(|g| {
        attr(g, NodeKind::Channel, "lines", "received") == Some(3)
            && waited_on_for(g, NodeKind::Channel, "lines", "recv")
    });
    park().await
}
