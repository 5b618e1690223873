//! Healthy: a shipper that retries each send with a timeout and a backoff
//! while it keeps its outbox locked. Two plain `tokio::spawn` producers
//! push events into `outbox` (a peeps `Mutex<VecDeque>`) every 150 ms. The
//! plain shipper locks `outbox` and, holding it, sends each event into
//! `uplink` (a peeps channel, capacity 1) under a 150 ms
//! `tokio::time::timeout`, up to three attempts with a growing
//! `tokio::time::sleep` between them, dropping the event after the third;
//! then it lets the lock go and idles 400 ms. The plain uplink task locks
//! `outbox` to record its depth before each receive: it waits for the lock
//! while the shipper, holding it, waits for room in `uplink`, until the
//! shipper's timeout fires (and, its outbox drained, it lets the lock go).
//!
//! The shipper's waker has a clone beyond its peeps wait (the timeout's
//! timer): it may wake. Expected, in every dump: no deadlock, nothing
//! stuck forever, no potential deadlock.

use examples::{park, ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::{Mutex, mpsc};
use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_retry_send_holding_outbox_lock_timeout_plain");
    let outbox = Arc::new(Mutex::new(VecDeque::<String>::new()).named("outbox"));
    let (uplink, mut uplink_rx) = mpsc::channel_named::<String>("uplink", 1);

    for producer in 0..2u32 {
        let outbox = outbox.clone();
        tokio::spawn(async move {
            for seq in 0u64.. {
                tokio::time::sleep(Duration::from_millis(150)).await;
                outbox.lock().await.push_back(format!("p{producer}-{seq}"));
            }
        });
    }

    let shipper_outbox = outbox.clone();
    tokio::spawn(async move {
        let mut dropped = 0u64;
        loop {
            {
                let mut pending = shipper_outbox.lock().await;
                while let Some(event) = pending.pop_front() {
                    let mut sent = false;
                    for attempt in 1..=3u64 {
                        let send = uplink.send(event.clone());
                        match tokio::time::timeout(Duration::from_millis(150), send).await {
                            Ok(Ok(())) => {
                                sent = true;
                                break;
                            }
                            Ok(Err(_)) => return,
                            Err(_) => tokio::time::sleep(Duration::from_millis(20 * attempt)).await,
                        }
                    }
                    if !sent {
                        dropped += 1;
                    }
                    if pending.len() > 20 {
                        dropped += pending.len() as u64;
                        pending.clear();
                    }
                }
            }
            std::hint::black_box(dropped);
            tokio::time::sleep(Duration::from_millis(400)).await;
        }
    });

    tokio::spawn(async move {
        let mut depth_samples = Vec::new();
        loop {
            depth_samples.push(outbox.lock().await.len());
            if depth_samples.len() > 64 {
                depth_samples.clear();
            }
            if uplink_rx.recv().await.is_none() {
                return;
            }
        }
    });

    ready_when(|snap| {
        waited_on_for(snap, NodeKind::Channel, "uplink", "send")
            && waited_on_for(snap, NodeKind::Mutex, "outbox", "lock")
    });
    park().await
}
