//! A program that deadlocks (two tasks, two mutexes taken in opposite
//! order) and pushes its snapshots to a `peeps` dashboard: try the server
//! by hand.
//!
//! ```text
//! $ cargo run -p peeps-dump -- serve &
//! $ PEEPS_DASHBOARD=127.0.0.1:9119 cargo run -p peeps-dump --example push_deadlock
//! $ curl -s http://127.0.0.1:9120/api/deadlocks
//! ```
//!
//! Without `PEEPS_DASHBOARD` it deadlocks all the same and pushes nowhere.
//! It never exits: stop it with Ctrl-C (the dashboard marks it stale).

use std::sync::Arc;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    peeps::init_named("push-deadlock");
    let a = Arc::new(peeps::sync::Mutex::new(100).named("account-1"));
    let b = Arc::new(peeps::sync::Mutex::new(200).named("account-2"));
    let both_locked = Arc::new(tokio::sync::Barrier::new(2));
    let transfer = |name: &'static str,
                    first: Arc<peeps::sync::Mutex<i32>>,
                    second: Arc<peeps::sync::Mutex<i32>>| {
        let both_locked = both_locked.clone();
        peeps::spawn_named(name, async move {
            let mut from = first.lock().await;
            both_locked.wait().await;
            let mut to = second.lock().await;
            *from -= 1;
            *to += 1;
        })
    };
    let _a = transfer("transfer-a", a.clone(), b.clone());
    let _b = transfer("transfer-b", b, a);
    match std::env::var("PEEPS_DASHBOARD") {
        Ok(to) => eprintln!("push-deadlock: deadlocked; pushing to {to}"),
        Err(_) => eprintln!("push-deadlock: deadlocked; set PEEPS_DASHBOARD to push"),
    }
    std::future::pending::<()>().await;
}
