//! Healthy, under steady load: a three-stage bounded pipeline with a slow
//! sink. A plain reader sends raw lines into `raw` (capacity 8) every
//! 2 ms; a plain parser receives each, locks a `Mutex` of parse stats and,
//! holding it, `send`s the parsed record into `parsed` (capacity 2); the
//! plain sink takes 40 ms per record and locks a `Mutex` of its own sink
//! stats. So the reader waits for room in `raw`, the parser waits for room
//! in `parsed` with the stats lock held, and a plain reporter waits for
//! those stats every 50 ms: a chain of waits the sink ends, record after
//! record (it never needs the parse stats). Nothing annotated or named.
//!
//! Nothing can hang. Expected, in every dump: no deadlock, nothing stuck
//! forever, no potential deadlock.

use examples::{park, ready_when};
use peeps::sync::{Mutex, mpsc};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

#[derive(Default)]
struct ParseStats {
    parsed: u64,
    bytes: u64,
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_pipeline_slow_sink_stage_holds_stats_across_send_plain");
    let (raw_tx, mut raw) = mpsc::channel::<String>(8);
    let (parsed_tx, mut parsed) = mpsc::channel::<(u64, usize)>(2);
    let parse_stats = Arc::new(Mutex::new(ParseStats::default()));
    let sink_stats = Arc::new(Mutex::new(0u64));
    let sunk = Arc::new(AtomicU64::new(0));

    tokio::spawn(async move {
        for n in 0u64.. {
            tokio::time::sleep(Duration::from_millis(2)).await;
            if raw_tx.send(format!("line {n}: ok")).await.is_err() {
                return;
            }
        }
    });

    let ps = parse_stats.clone();
    tokio::spawn(async move {
        while let Some(line) = raw.recv().await {
            let mut st = ps.lock().await;
            st.parsed += 1;
            st.bytes += line.len() as u64;
            let n = st.parsed;
            if parsed_tx.send((n, line.len())).await.is_err() {
                return;
            }
            drop(st);
        }
    });

    let (ss, s) = (sink_stats.clone(), sunk.clone());
    tokio::spawn(async move {
        while let Some((_n, len)) = parsed.recv().await {
            tokio::time::sleep(Duration::from_millis(40)).await;
            *ss.lock().await += len as u64;
            s.fetch_add(1, Ordering::Relaxed);
        }
    });

    tokio::spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_millis(50)).await;
            let st = parse_stats.lock().await;
            let _ = (st.parsed, st.bytes);
            drop(st);
            let _ = *sink_stats.lock().await;
        }
    });

    ready_when(move |_| sunk.load(Ordering::Relaxed) >= 8);
    park().await
}
