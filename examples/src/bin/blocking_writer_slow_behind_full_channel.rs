//! Healthy control: the twin of `blocking_writer_joined_before_close`,
//! the importer closing the channel before it awaits the writer, the
//! writer slow.
//!
//! `importer` (`peeps::spawn_named`) makes the `lines` channel (capacity
//! 1), hands its receiver to a `spawn_blocking` closure that writes each
//! line to a slow disk (`lines.blocking_recv()` in a loop, an hour of
//! `std::thread::sleep` per line, ending when the channel closes), sends
//! three lines, drops its sender and awaits the writer's `JoinHandle`.
//! At the snapshot the writer sleeps on the first line, the second fills
//! the channel, and `importer` waits to send the third.
//!
//! Expected: no deadlock, nothing stuck forever, no potential deadlock.

use examples::{attr, park, ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::mpsc;
use std::time::Duration;

#[peeps::instrument]
async fn import() -> usize {
    let (lines, mut to_write) = mpsc::channel_named("lines", 1);
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
    peeps::install_sigusr1("blocking_writer_slow_behind_full_channel");
    peeps::spawn_named("importer", import());
    ready_when(|g| {
        attr(g, NodeKind::Channel, "lines", "received") == Some(1)
            && attr(g, NodeKind::Channel, "lines", "len") == Some(1)
            && waited_on_for(g, NodeKind::Channel, "lines", "send")
    });
    park().await
}
