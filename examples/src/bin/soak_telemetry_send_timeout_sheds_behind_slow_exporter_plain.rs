//! Healthy, under steady load: request handlers report telemetry without
//! ever blocking for long. Six plain handlers each finish a "request"
//! every 4 ms and report it with `send_timeout(event, 20 ms)` into
//! `telemetry` (a bounded `mpsc` of 8), counting the events they shed on
//! timeout. A plain exporter receives up to 8 events at a time with
//! `recv_many`, then takes `export-conn` and keeps it across a 120 ms
//! "upload". A plain reconnector takes `export-conn` every 300 ms and
//! keeps it across a 50 ms "handshake".
//!
//! Handlers wait to send on a full `telemetry` (its receiver with the
//! exporter, which waits on `export-conn` or uploads on a timer), each
//! under its own timeout.
//!
//! Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock.

use examples::{park, ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::{Mutex, mpsc};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

struct Event {
    handler: u64,
    took_us: u64,
}

struct ExportConn {
    uploads: u64,
    generation: u64,
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_telemetry_send_timeout_sheds_behind_slow_exporter_plain");
    let (tx, mut rx) = mpsc::channel::<Event>(8);
    let tx = tx.named("telemetry");
    let conn = Arc::new(
        Mutex::new(ExportConn {
            uploads: 0,
            generation: 0,
        })
        .named("export-conn"),
    );
    let shed = Arc::new(AtomicU64::new(0));
    let sent = Arc::new(AtomicU64::new(0));
    for h in 0..6u64 {
        let tx = tx.clone();
        let shed = shed.clone();
        let sent = sent.clone();
        tokio::spawn(async move {
            for n in 0u64.. {
                tokio::time::sleep(Duration::from_millis(4)).await;
                let event = Event {
                    handler: h,
                    took_us: 100 + (n * 37) % 900,
                };
                match tx.send_timeout(event, Duration::from_millis(20)).await {
                    Ok(()) => sent.fetch_add(1, Ordering::Relaxed),
                    Err(mpsc::error::SendTimeoutError::Timeout(_)) => {
                        shed.fetch_add(1, Ordering::Relaxed)
                    }
                    Err(mpsc::error::SendTimeoutError::Closed(_)) => return,
                };
            }
        });
    }
    drop(tx);
    {
        let conn = conn.clone();
        tokio::spawn(async move {
            let mut batch = Vec::with_capacity(8);
            while rx.recv_many(&mut batch, 8).await > 0 {
                let mut c = conn.lock().await;
                tokio::time::sleep(Duration::from_millis(120)).await;
                let total: u64 = batch.iter().map(|e| e.took_us + e.handler).sum();
                std::hint::black_box(total);
                c.uploads += 1;
                drop(c);
                batch.clear();
            }
        });
    }
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_millis(300)).await;
            let mut c = conn.lock().await;
            tokio::time::sleep(Duration::from_millis(50)).await;
            c.generation += 1;
        }
    });
    ready_when(move |g| {
        shed.load(Ordering::Relaxed) >= 10
            && sent.load(Ordering::Relaxed) >= 20
            && waited_on_for(g, NodeKind::Channel, "telemetry", "send")
    });
    park().await
}
