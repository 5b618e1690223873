//! Healthy, under steady load: a lazily fetched auth token that expires.
//! The current token lives in a `peeps::sync::OnceCell` named `token`,
//! behind `token-slot` (a `peeps::sync::RwLock<Arc<OnceCell>>`). Every
//! 1.5 s a `rotator` (`peeps::spawn_named`) puts a fresh empty cell in
//! the slot. Eight request tasks (four `peeps::spawn_named`, four plain
//! `tokio::spawn`) clone the current cell out of the slot and
//! `get_or_init` it: the first fetches the token (500 ms, holding the
//! `auth-conn` mutex), the others wait for it. Multi-thread runtime.
//!
//! Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock.

use examples::ready_when;
use peeps::sync::{Mutex, OnceCell, RwLock};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

#[derive(Debug)]
struct Token {
    value: String,
}

type Slot = Arc<RwLock<Arc<OnceCell<Token>>>>;

async fn fetch_token(conn: &Mutex<u64>) -> Token {
    let mut c = conn.lock().await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    *c += 1;
    Token {
        value: format!("tok-{}", *c),
    }
}

async fn request(slot: Slot, conn: Arc<Mutex<u64>>, served: Arc<AtomicU64>) {
    loop {
        let cell = slot.read().await.clone();
        let token = cell.get_or_init(|| fetch_token(&conn)).await;
        std::hint::black_box(token.value.len());
        served.fetch_add(1, Ordering::Relaxed);
        tokio::time::sleep(Duration::from_millis(30)).await;
    }
}

#[peeps::instrument]
async fn rotate(slot: Slot, rotations: Arc<AtomicU64>) {
    loop {
        tokio::time::sleep(Duration::from_millis(1500)).await;
        *slot.write().await = Arc::new(OnceCell::new().named("token"));
        rotations.fetch_add(1, Ordering::Relaxed);
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_oncecell_token_refresh");
    let slot: Slot =
        Arc::new(RwLock::new(Arc::new(OnceCell::new().named("token"))).named("token-slot"));
    let conn = Arc::new(Mutex::new(0u64).named("auth-conn"));
    let served = Arc::new(AtomicU64::new(0));
    let rotations = Arc::new(AtomicU64::new(0));
    peeps::spawn_named("rotator", rotate(slot.clone(), rotations.clone()));
    for i in 1..=4 {
        peeps::spawn_named(
            format!("request-{i}"),
            request(slot.clone(), conn.clone(), served.clone()),
        );
        tokio::spawn(request(slot.clone(), conn.clone(), served.clone()));
    }
    ready_when(move |_| {
        served.load(Ordering::Relaxed) >= 20 && rotations.load(Ordering::Relaxed) >= 2
    });
    examples::park().await
}
