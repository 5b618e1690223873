//! Deadlock: an mpsc slot reserved with `reserve().await` and held while
//! awaiting something only the receiving side provides.
//!
//! Frames go to a `muxer` over `frames` (capacity 1). The `encoder`
//! reserves its slot first, then awaits its sequence number on `seq`,
//! which the muxer hands out once it has read the stream's header. The
//! header's sender waits for room: the only slot is the encoder's. All
//! three are plain `tokio::spawn` tasks with instrumented bodies.
//!
//! Expected: one `probable` deadlock (plain tokio tasks) of the encoder,
//! the header's sender and the muxer over channels `frames` and `seq`.

use examples::{park, ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::{mpsc, oneshot};
use std::time::Duration;

enum Frame {
    Header { streams: u32 },
    Data { seq: u64, bytes: Vec<u8> },
}

#[peeps::instrument]
async fn encode(frames: mpsc::Sender<Frame>, seq: oneshot::Receiver<u64>) {
    let Ok(slot) = frames.reserve().await else {
        return;
    };
    let Ok(seq) = seq.await else {
        return;
    };
    slot.send(Frame::Data {
        seq,
        bytes: vec![0; 188],
    });
}

#[peeps::instrument]
async fn send_header(frames: mpsc::Sender<Frame>) {
    let _ = frames.send(Frame::Header { streams: 1 }).await;
}

#[peeps::instrument]
async fn mux(mut frames: mpsc::Receiver<Frame>, seq: oneshot::Sender<u64>) {
    let mut seq = Some(seq);
    while let Some(frame) = frames.recv().await {
        match frame {
            Frame::Header { streams } => {
                if let Some(seq) = seq.take() {
                    let _ = seq.send(u64::from(streams) * 1000);
                }
            }
            Frame::Data { seq, bytes } => println!("frame {seq}: {} bytes", bytes.len()),
        }
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("reserve_slot_awaiting_consumer_tokio_spawn");
    let (frames, incoming) = mpsc::channel_named("frames", 1);
    let (seq_tx, seq_rx) = oneshot::channel_named("seq");
    tokio::spawn(mux(incoming, seq_tx));
    tokio::spawn(encode(frames.clone(), seq_rx));
    while !waited_on_for(&peeps::snapshot(), NodeKind::Channel, "seq", "recv") {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    tokio::spawn(send_header(frames));

    ready_when(|g| {
        waited_on_for(g, NodeKind::Channel, "frames", "send")
            && waited_on_for(g, NodeKind::Channel, "frames", "recv")
    });
    park().await
}
