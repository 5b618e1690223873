//! The fixed twin of `sync_lookup_block_on_starves_resolver_current_thread`
//! (tokio#2376): the connection string is built by an `async fn` that
//! awaits the lookup instead of `futures::executor::block_on`, so the
//! resolver, a plain `tokio::spawn` task on the same current-thread
//! runtime, runs. `main` reconnects every 150 ms, resolving each time.
//!
//! Expected: in every dump, nothing false (no deadlock, nothing stuck
//! forever, no potential deadlock).

use examples::ready;
use peeps::sync::{mpsc, oneshot};
use std::time::Duration;

type Lookup = (String, oneshot::Sender<String>);

async fn resolve(lookups: &mpsc::Sender<Lookup>, host: &str) -> String {
    let (reply, answer) = oneshot::channel_named("lookup-reply");
    lookups
        .send((host.to_owned(), reply))
        .await
        .expect("the resolver is alive");
    answer.await.expect("the resolver answers")
}

async fn connection_string(lookups: &mpsc::Sender<Lookup>, host: &str) -> String {
    let addr = resolve(lookups, host).await;
    format!("postgres://{addr}:5432/app")
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    peeps::install_sigusr1("soak_sync_lookup_awaited_resolver_current_thread");
    let (lookups, mut requests) = mpsc::channel_named::<Lookup>("lookups", 8);
    tokio::spawn(async move {
        while let Some((host, reply)) = requests.recv().await {
            tokio::time::sleep(Duration::from_millis(20)).await;
            let _ = reply.send(format!("10.0.0.{}", host.len()));
        }
    });
    let cache = resolve(&lookups, "cache.internal").await;
    println!("cache at {cache}");
    let mut round = 0u64;
    loop {
        let db = connection_string(&lookups, "db.internal").await;
        round += 1;
        if round == 3 {
            println!("db at {db}");
            ready();
        }
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
}
