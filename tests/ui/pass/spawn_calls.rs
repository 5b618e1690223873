//! The spawn calls of an instrumented body, whose arguments the macro
//! passes through `handed_off`, still compile as written: futures, closures
//! with and without parameters, coercions, literals, methods, user fns.

use std::sync::Arc;

struct Pool;

impl Pool {
    fn spawn(&self, n: u64, name: &str) -> usize {
        name.len() + n as usize
    }
}

/// A user fn named `spawn` whose closure's parameter type comes from the
/// bound: left unwrapped.
fn spawn<F: FnOnce(u32) -> u32>(f: F) -> u32 {
    f(1)
}

fn spawn_blocking(s: &str, b: Box<dyn Fn() -> usize>) -> usize {
    s.len() + b()
}

#[peeps::instrument]
async fn spawns(tx: peeps::sync::mpsc::Sender<u8>, name: String) -> usize {
    let tx2 = tx.clone();
    let a = tokio::spawn(async move { tx2.send(1).await.is_ok() });
    let b = tokio::task::spawn_blocking(move || tx.blocking_send(2).is_ok());
    let c = std::thread::spawn(move || 3_u64);
    let mut set = tokio::task::JoinSet::new();
    set.spawn(async { 4_u8 });
    let shared = Arc::new(5_u16);
    let d = tokio::spawn({
        let shared = shared.clone();
        async move { *shared }
    });
    let by_bound = spawn(|x| x + 1);
    let by_method = Pool.spawn(7, &name);
    let coerced = spawn_blocking(&name, Box::new(|| 8));
    let _ = (a.await, b.await, c.join(), set.join_next().await, d.await);
    by_bound as usize + by_method + coerced
}

fn main() {
    let (tx, _rx) = peeps::sync::mpsc::channel(4);
    let _ = spawns(tx, String::from("x"));
}
