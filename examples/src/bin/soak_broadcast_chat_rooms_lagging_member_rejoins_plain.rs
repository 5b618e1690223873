//! Healthy, under steady load: a chat room on a `broadcast` channel with a
//! member that cannot keep up. A plain poster publishes a message every
//! 3 ms on the room's `broadcast` (capacity 32) and appends it to a
//! `Mutex` of history, `send` done while the history lock is held (a
//! broadcast send never waits). Three plain fast members forward every
//! message into their own `mpsc` outbox (capacity 8) drained by a plain
//! writer each; a slow member takes 15 ms per message, falls behind, gets
//! `Lagged`, locks the history to catch up and goes on. Every 700 ms a
//! plain churner drops one member's receiver and `subscribe()`s a fresh
//! one that reads for a while. Nothing annotated or named.
//!
//! Nothing can hang. Expected, in every dump: no deadlock, nothing stuck
//! forever, no potential deadlock.

use examples::{park, ready_when};
use peeps::sync::broadcast::error::RecvError;
use peeps::sync::{Mutex, broadcast, mpsc};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_broadcast_chat_rooms_lagging_member_rejoins_plain");
    let (room, _) = broadcast::channel::<(u64, String)>(32);
    let history = Arc::new(Mutex::new(Vec::<String>::new()));
    let lags = Arc::new(AtomicU64::new(0));
    let delivered = Arc::new(AtomicU64::new(0));

    for _ in 0..3 {
        let mut sub = room.subscribe();
        let (out_tx, mut out_rx) = mpsc::channel::<String>(8);
        tokio::spawn(async move {
            loop {
                match sub.recv().await {
                    Ok((_, text)) => {
                        if out_tx.send(text).await.is_err() {
                            return;
                        }
                    }
                    Err(RecvError::Lagged(_)) => continue,
                    Err(RecvError::Closed) => return,
                }
            }
        });
        let d = delivered.clone();
        tokio::spawn(async move {
            while let Some(_text) = out_rx.recv().await {
                d.fetch_add(1, Ordering::Relaxed);
            }
        });
    }

    {
        let mut sub = room.subscribe();
        let (history, lags) = (history.clone(), lags.clone());
        tokio::spawn(async move {
            loop {
                match sub.recv().await {
                    Ok(_) => tokio::time::sleep(Duration::from_millis(15)).await,
                    Err(RecvError::Lagged(_)) => {
                        lags.fetch_add(1, Ordering::Relaxed);
                        let h = history.lock().await;
                        let _ = h.last().cloned();
                    }
                    Err(RecvError::Closed) => return,
                }
            }
        });
    }

    {
        let room = room.clone();
        tokio::spawn(async move {
            loop {
                let mut sub = room.subscribe();
                let until = tokio::time::Instant::now() + Duration::from_millis(700);
                while tokio::time::Instant::now() < until {
                    match tokio::time::timeout_at(until, sub.recv()).await {
                        Ok(Ok(_)) | Ok(Err(RecvError::Lagged(_))) => {}
                        Ok(Err(RecvError::Closed)) => return,
                        Err(_) => break,
                    }
                }
                drop(sub);
            }
        });
    }

    let h = history.clone();
    tokio::spawn(async move {
        for n in 0u64.. {
            tokio::time::sleep(Duration::from_millis(3)).await;
            let mut hist = h.lock().await;
            let text = format!("message {n}");
            hist.push(text.clone());
            if hist.len() > 256 {
                hist.drain(..128);
            }
            let _ = room.send((n, text));
            drop(hist);
        }
    });

    ready_when(move |_| {
        lags.load(Ordering::Relaxed) >= 2 && delivered.load(Ordering::Relaxed) >= 100
    });
    park().await
}
