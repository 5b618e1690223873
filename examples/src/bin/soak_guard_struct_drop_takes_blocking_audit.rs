//! Healthy: a `Session` struct keeps a peeps `sessions` mutex guard (an
//! owned guard, `lock_owned`) for its life; its `Drop` writes an audit line
//! under the `audit` blocking mutex (`peeps::sync::blocking::Mutex`) while
//! the guard is still a field (sessions, then audit). A plain `rotator`
//! task and a `std::thread` flusher take `audit` alone; `peeps::spawn_named`
//! clients open a session, sleep 30 ms and drop it. One order everywhere.
//! Forever.
//!
//! Expected: in every dump, no deadlock, nothing stuck forever, no
//! potential deadlock.

use examples::{ready_when, waiters};
use peeps::graph::NodeKind;
use peeps::sync::{Mutex, OwnedMutexGuard, blocking};
use std::sync::Arc;
use std::time::Duration;

struct Session {
    table: OwnedMutexGuard<Vec<u64>>,
    audit: Arc<blocking::Mutex<Vec<String>>>,
    id: u64,
}

impl Drop for Session {
    fn drop(&mut self) {
        let mut log = self.audit.lock();
        log.push(format!("close {} ({} open)", self.id, self.table.len()));
        if log.len() > 100 {
            log.clear();
        }
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_guard_struct_drop_takes_blocking_audit");
    let sessions = Arc::new(Mutex::new(Vec::new()).named("sessions"));
    let audit = Arc::new(blocking::Mutex::new(Vec::new()).named("audit"));
    for c in 0..3u64 {
        let sessions = sessions.clone();
        let audit = audit.clone();
        peeps::spawn_named("client", async move {
            let mut id = c;
            loop {
                let mut table = sessions.clone().lock_owned().await;
                table.push(id);
                let s = Session {
                    table,
                    audit: audit.clone(),
                    id,
                };
                tokio::time::sleep(Duration::from_millis(30)).await;
                drop(s);
                id += 3;
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        });
    }
    let a = audit.clone();
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_millis(50)).await;
            let n = a.lock().len();
            if n == usize::MAX {
                break;
            }
        }
    });
    let a = audit.clone();
    std::thread::spawn(move || {
        loop {
            std::thread::sleep(Duration::from_millis(70));
            let mut log = a.lock();
            std::thread::sleep(Duration::from_millis(5));
            log.truncate(50);
        }
    });
    ready_when(|g| waiters(g, NodeKind::Mutex, "sessions") >= 1);
    examples::park().await;
}
