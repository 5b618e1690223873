//! Healthy, under sustained backpressure: an encoder and a decoder
//! talking over an in-memory `tokio::io::duplex` pipe (256 bytes of
//! buffer each way), with credit-based flow control over the pipe and
//! acknowledgements coming back through a bounded channel.
//!
//! The `encoder` (`peeps::spawn_named`) takes one permit of `credits` (a
//! peeps `Semaphore` of 8), forgets it, and writes a 70-byte record line
//! into its end of the pipe. The decoder, an `#[peeps::instrument]` fn
//! started with plain `tokio::spawn`, reads the records, sends each one's
//! number into `acks` (a peeps mpsc of capacity 2) and, after every
//! fourth, writes `CREDIT 4` back into the pipe. The `credit-reader`
//! (`peeps::spawn_named`) reads those lines from the encoder's end and
//! adds the permits back. The `ack-tracker` (`peeps::spawn_named`)
//! receives acks and records each under `progress` (a peeps `Mutex`),
//! checkpointing for 30 ms under it after every sixteenth. `main` locks
//! `progress` every 250 ms.
//!
//! While the tracker checkpoints, the decoder waits on the full `acks`,
//! the pipe fills and the encoder waits in a pipe write peeps cannot see
//! (or on `credits`). Expected, in every dump: no deadlock, nothing
//! stuck forever, no potential deadlock.

use examples::{ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::{Mutex, Semaphore, mpsc};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, DuplexStream, ReadHalf, WriteHalf};

#[derive(Default)]
struct Progress {
    last_acked: u64,
    checkpoints: u64,
}

async fn encode(mut out: WriteHalf<DuplexStream>, credits: Arc<Semaphore>) {
    for n in 0u64.. {
        credits.acquire().await.expect("never closed").forget();
        let record = format!("REC {n:>8} {}\n", "p".repeat(56));
        if out.write_all(record.as_bytes()).await.is_err() {
            return;
        }
    }
}

async fn read_credits(input: ReadHalf<DuplexStream>, credits: Arc<Semaphore>) {
    let mut lines = BufReader::new(input).lines();
    while let Ok(Some(line)) = lines.next_line().await {
        if let Some(k) = line
            .strip_prefix("CREDIT ")
            .and_then(|k| k.parse::<usize>().ok())
        {
            credits.add_permits(k);
        }
    }
}

#[peeps::instrument]
async fn decode(
    input: ReadHalf<DuplexStream>,
    mut out: WriteHalf<DuplexStream>,
    acks: mpsc::Sender<u64>,
) {
    let mut lines = BufReader::new(input).lines();
    let mut decoded = 0u64;
    while let Ok(Some(line)) = lines.next_line().await {
        let Some(n) = line
            .split_whitespace()
            .nth(1)
            .and_then(|n| n.parse::<u64>().ok())
        else {
            continue;
        };
        if acks.send(n).await.is_err() {
            return;
        }
        decoded += 1;
        if decoded.is_multiple_of(4) && out.write_all(b"CREDIT 4\n").await.is_err() {
            return;
        }
    }
}

async fn track(mut acks: mpsc::Receiver<u64>, progress: Arc<Mutex<Progress>>) {
    while let Some(n) = acks.recv().await {
        let mut p = progress.lock().await;
        p.last_acked = n;
        if n % 16 == 15 {
            tokio::time::sleep(Duration::from_millis(30)).await;
            p.checkpoints += 1;
        }
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_duplex_codec_credits_acks_back");
    let (encoder_end, decoder_end) = tokio::io::duplex(256);
    let (encoder_in, encoder_out) = tokio::io::split(encoder_end);
    let (decoder_in, decoder_out) = tokio::io::split(decoder_end);
    let credits = Arc::new(Semaphore::new(8).named("credits"));
    let (acks, acks_rx) = mpsc::channel_named("acks", 2);
    let progress = Arc::new(Mutex::new(Progress::default()).named("progress"));
    peeps::spawn_named("encoder", encode(encoder_out, credits.clone()));
    peeps::spawn_named("credit-reader", read_credits(encoder_in, credits));
    tokio::spawn(decode(decoder_in, decoder_out, acks));
    peeps::spawn_named("ack-tracker", track(acks_rx, progress.clone()));
    let backed_up = AtomicBool::new(false);
    ready_when(move |g| {
        if waited_on_for(g, NodeKind::Channel, "acks", "send") {
            backed_up.store(true, Ordering::Relaxed);
        }
        backed_up.load(Ordering::Relaxed)
            && examples::attr(g, NodeKind::Channel, "acks", "received").is_some_and(|n| n > 300)
    });
    loop {
        tokio::time::sleep(Duration::from_millis(250)).await;
        let p = progress.lock().await;
        std::hint::black_box((p.last_acked, p.checkpoints));
    }
}
