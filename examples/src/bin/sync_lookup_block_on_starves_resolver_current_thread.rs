//! Deadlock (tokio#2376, https://github.com/tokio-rs/tokio/issues/2376, and
//! libsql-client-rs#48, https://github.com/tursodatabase/libsql-client-rs/issues/48):
//! a sync helper calls `futures::executor::block_on` from inside a
//! current-thread runtime, on a future that needs another task of that
//! runtime.
//!
//! `main` (`#[tokio::main(flavor = "current_thread")]`) starts a plain
//! `tokio::spawn` resolver answering lookups sent on `lookups`, resolves
//! one host with `.await`, then calls `connection_string`, a sync fn that
//! resolves the next host through `futures::executor::block_on`: it sends
//! the request and blocks the runtime's only thread on the `lookup-reply`
//! oneshot. The resolver, woken by the request, can never be polled.
//!
//! Expected: one certain deadlock of `thread main` (a blocking poll parked
//! on `lookup-reply`, whose sender is in an unread message on `lookups`)
//! and the resolver (holding `lookups`' receiver, starved: the runtime's
//! only thread is `main`'s, blocked).

use examples::{ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::{mpsc, oneshot};

type Lookup = (String, oneshot::Sender<String>);

async fn resolve(lookups: &mpsc::Sender<Lookup>, host: &str) -> String {
    let (reply, answer) = oneshot::channel_named("lookup-reply");
    lookups
        .send((host.to_owned(), reply))
        .await
        .expect("the resolver is alive");
    answer.await.expect("the resolver answers")
}

/// A sync API over the async resolver, as a config loader would call it.
fn connection_string(lookups: &mpsc::Sender<Lookup>, host: &str) -> String {
    let addr = futures::executor::block_on(resolve(lookups, host));
    format!("postgres://{addr}:5432/app")
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    peeps::install_sigusr1("sync_lookup_block_on_starves_resolver_current_thread");
    let (lookups, mut requests) = mpsc::channel_named::<Lookup>("lookups", 8);
    tokio::spawn(async move {
        while let Some((host, reply)) = requests.recv().await {
            let _ = reply.send(format!("10.0.0.{}", host.len()));
        }
    });
    let cache = resolve(&lookups, "cache.internal").await;
    println!("cache at {cache}");
    ready_when(|g| {
        waited_on_for(g, NodeKind::Channel, "lookup-reply", "recv")
            && examples::attr(g, NodeKind::Channel, "lookups", "sent") == Some(2)
    });
    let db = connection_string(&lookups, "db.internal");
    println!("db at {db}");
}
