//! Healthy, under a steady trickle: a read-through profile cache with
//! per-key `OnceCell` initialisation. The cache is a
//! `Mutex<HashMap<user, Arc<OnceCell<Profile>>>>` (`profile-cells`): a
//! lookup takes the map lock, gets or inserts the key's cell, clones it
//! and lets the lock go, then `get_or_init`s the cell with a loader that
//! asks the `profile-db` actor (`peeps::spawn_named`, inbox `db-queries`,
//! answering on a `profile-row` oneshot) which runs the slow query on
//! `spawn_blocking` (150-400 ms). Concurrent lookups of one key wait on
//! its cell while the first one loads. An `evictor` (`peeps::spawn_named`)
//! drops loaded cells from the map every 900 ms. Lookups are plain
//! `tokio::spawn` tasks: 8 at once for each of 6 keys, then a `viewer`
//! task asks for a fresh key every 600 ms, 4 lookups at once.
//!
//! Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock.

use examples::{park, ready_when};
use peeps::sync::{Mutex, OnceCell, mpsc, oneshot};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

#[derive(Clone, Debug)]
struct Profile {
    user: u64,
    display_name: String,
}

struct Query {
    user: u64,
    reply: oneshot::Sender<Profile>,
}

type Cells = Arc<Mutex<HashMap<u64, Arc<OnceCell<Profile>>>>>;

async fn profile_db(mut queries: mpsc::Receiver<Query>) {
    while let Some(Query { user, reply }) = queries.recv().await {
        // Each query runs on its own, as a pool of connections would.
        tokio::spawn(async move {
            let row = tokio::task::spawn_blocking(move || {
                std::thread::sleep(Duration::from_millis(150 + (user * 53) % 250));
                Profile {
                    user,
                    display_name: format!("user #{user}"),
                }
            })
            .await
            .expect("query thread");
            let _ = reply.send(row);
        });
    }
}

async fn lookup(cells: Cells, db: mpsc::Sender<Query>, user: u64) -> Profile {
    let cell = cells
        .lock()
        .await
        .entry(user)
        .or_insert_with(|| Arc::new(OnceCell::new().named("profile-cell")))
        .clone();
    cell.get_or_init(|| async move {
        let (reply, row) = oneshot::channel_named("profile-row");
        db.send(Query { user, reply }).await.expect("db is up");
        row.await.expect("db answers")
    })
    .await
    .clone()
}

async fn evictor(cells: Cells) {
    loop {
        tokio::time::sleep(Duration::from_millis(900)).await;
        cells.lock().await.retain(|_, cell| !cell.initialized());
    }
}

async fn viewer(cells: Cells, db: mpsc::Sender<Query>, looked_up: Arc<AtomicU64>) {
    let mut user = 100;
    loop {
        tokio::time::sleep(Duration::from_millis(600)).await;
        let views: Vec<_> = (0..4)
            .map(|_| tokio::spawn(lookup(cells.clone(), db.clone(), user)))
            .collect();
        for view in views {
            if let Ok(profile) = view.await {
                assert_eq!(profile.user, user);
                std::hint::black_box(profile.display_name);
                looked_up.fetch_add(1, Ordering::Relaxed);
            }
        }
        user += 1;
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_profile_cache_per_key_oncecell_loader_plain");
    let (db, queries) = mpsc::channel_named("db-queries", 16);
    let cells: Cells = Arc::new(Mutex::new(HashMap::new()).named("profile-cells"));
    let looked_up = Arc::new(AtomicU64::new(0));
    peeps::spawn_named("profile-db", profile_db(queries));
    peeps::spawn_named("evictor", evictor(cells.clone()));
    for user in 0..6u64 {
        for _ in 0..8 {
            let (cells, db, looked_up) = (cells.clone(), db.clone(), looked_up.clone());
            tokio::spawn(async move {
                let profile = lookup(cells, db, user).await;
                std::hint::black_box(&profile);
                looked_up.fetch_add(1, Ordering::Relaxed);
            });
        }
    }
    tokio::spawn(viewer(cells, db, looked_up.clone()));
    ready_when(move |_| looked_up.load(Ordering::Relaxed) >= 48);
    park().await
}
