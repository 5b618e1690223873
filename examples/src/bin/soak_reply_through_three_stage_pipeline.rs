//! Healthy, under steady load: an ingest pipeline of three actors, each
//! request's `oneshot` reply sender travelling through every hop inside
//! a differently shaped message, answered by the last stage (or early,
//! by the first, for a malformed request). Stages are
//! `peeps::spawn_named`; callers are `#[peeps::instrument]` fns under
//! plain `tokio::spawn`.
//!
//! `decode` reads `raw-inbox` (capacity 4), parses `user:amount` and
//! forwards a `Decoded` into `decoded` (capacity 4), or answers an error
//! itself; `enrich` looks the user up in `user-directory` (a read-mostly
//! `RwLock<HashMap>`, written by a `directory-refresh` every 500 ms) and
//! forwards an `Enriched` into `enriched` (capacity 4); `persist` appends
//! to `journal` (a `Mutex<Vec>`) and answers. A `compactor` trims the
//! journal under its lock every 300 ms. Four callers submit 10 records
//! each, one in five malformed, then one every 150 ms.
//!
//! Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock (no task holds one lock while it takes the other).

use examples::{ready_when, waited_on};
use peeps::graph::NodeKind;
use peeps::sync::{Mutex, RwLock, mpsc, oneshot};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

type Reply = oneshot::Sender<Result<u64, String>>;

struct Raw {
    line: String,
    reply: Reply,
}

struct Decoded {
    user: u64,
    amount: u64,
    reply: Reply,
}

struct Enriched {
    user: String,
    amount: u64,
    reply: Reply,
}

async fn decode(mut inbox: mpsc::Receiver<Raw>, next: mpsc::Sender<Decoded>) {
    while let Some(Raw { line, reply }) = inbox.recv().await {
        let parsed = line
            .split_once(':')
            .and_then(|(u, a)| Some((u.parse().ok()?, a.parse().ok()?)));
        match parsed {
            Some((user, amount)) => {
                if next
                    .send(Decoded {
                        user,
                        amount,
                        reply,
                    })
                    .await
                    .is_err()
                {
                    return;
                }
            }
            None => {
                let _ = reply.send(Err(format!("malformed: {line}")));
            }
        }
    }
}

async fn enrich(
    mut inbox: mpsc::Receiver<Decoded>,
    directory: Arc<RwLock<HashMap<u64, String>>>,
    next: mpsc::Sender<Enriched>,
) {
    while let Some(Decoded {
        user,
        amount,
        reply,
    }) = inbox.recv().await
    {
        let name = directory.read().await.get(&user).cloned();
        let Some(user) = name else {
            let _ = reply.send(Err(format!("unknown user {user}")));
            continue;
        };
        if next
            .send(Enriched {
                user,
                amount,
                reply,
            })
            .await
            .is_err()
        {
            return;
        }
    }
}

async fn persist(mut inbox: mpsc::Receiver<Enriched>, journal: Arc<Mutex<Vec<String>>>) {
    while let Some(Enriched {
        user,
        amount,
        reply,
    }) = inbox.recv().await
    {
        let offset = {
            let mut journal = journal.lock().await;
            journal.push(format!("{user} {amount}"));
            journal.len() as u64
        };
        let _ = reply.send(Ok(offset));
    }
}

#[peeps::instrument]
async fn submit(raw: mpsc::Sender<Raw>, line: String) -> Result<u64, String> {
    let (reply, answer) = oneshot::channel_named("ingest-reply");
    raw.send(Raw { line, reply })
        .await
        .map_err(|_| "pipeline closed".to_owned())?;
    answer.await.map_err(|_| "dropped".to_owned())?
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_reply_through_three_stage_pipeline");
    let directory = Arc::new(
        RwLock::new((0..8).map(|u| (u, format!("user-{u}"))).collect()).named("user-directory"),
    );
    let journal = Arc::new(Mutex::new(Vec::new()).named("journal"));
    let (raw_tx, raw_rx) = mpsc::channel_named("raw-inbox", 4);
    let (dec_tx, dec_rx) = mpsc::channel_named("decoded", 4);
    let (enr_tx, enr_rx) = mpsc::channel_named("enriched", 4);
    peeps::spawn_named("decode", decode(raw_rx, dec_tx));
    peeps::spawn_named("enrich", enrich(dec_rx, directory.clone(), enr_tx));
    peeps::spawn_named("persist", persist(enr_rx, journal.clone()));

    peeps::spawn_named("directory-refresh", async move {
        let mut tick = tokio::time::interval(Duration::from_millis(500));
        let mut round = 0u64;
        loop {
            tick.tick().await;
            round += 1;
            let mut dir = directory.write().await;
            for u in 0..8 {
                dir.insert(u, format!("user-{u}-r{round}"));
            }
        }
    });
    peeps::spawn_named("compactor", async move {
        let mut tick = tokio::time::interval(Duration::from_millis(300));
        loop {
            tick.tick().await;
            let mut journal = journal.lock().await;
            if journal.len() > 64 {
                let at = journal.len() - 32;
                let keep = journal.split_off(at);
                *journal = keep;
            }
        }
    });

    let answered = Arc::new(AtomicU64::new(0));
    let mut callers = Vec::new();
    for c in 0..4u64 {
        let raw = raw_tx.clone();
        let answered = answered.clone();
        callers.push(tokio::spawn(async move {
            for n in 0u64.. {
                let line = if n % 5 == 4 {
                    format!("garbage-{c}-{n}")
                } else {
                    format!("{}:{}", (c + n) % 8, n * 10)
                };
                let _ = submit(raw.clone(), line).await;
                answered.fetch_add(1, Ordering::Relaxed);
                if n >= 10 {
                    tokio::time::sleep(Duration::from_millis(150)).await;
                }
            }
        }));
    }
    drop(raw_tx);
    ready_when(move |g| {
        answered.load(Ordering::Relaxed) >= 60 && waited_on(g, NodeKind::Channel, "raw-inbox")
    });
    for caller in callers {
        let _ = caller.await;
    }
}
