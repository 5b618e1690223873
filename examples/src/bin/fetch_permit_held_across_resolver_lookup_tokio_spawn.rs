//! Deadlock: a crawler bounds its outbound connections with one
//! `Semaphore`, and each fetch takes its permit *before* resolving the
//! host; the resolver's upstream DNS query is an outbound connection too,
//! and takes a permit of the same semaphore. Once every permit is held
//! by a fetch waiting for its address, the resolver waits for a permit
//! and nobody moves.
//!
//! `main` makes `outbound` (a `peeps::sync::Semaphore` of 2) and the
//! `resolve-requests` channel, moves the receiver into the `resolver`
//! and a sender clone into each of three fetchers, all started with plain
//! `tokio::spawn`, their bodies `#[peeps::instrument] async fn`s. A
//! fetcher, for each URL: `outbound.acquire()`, sends a `Resolve`
//! carrying a `resolved` oneshot, awaits the address, downloads (a short
//! sleep), lets the permit go. The resolver answers from its cache, or
//! takes a permit and queries upstream (a short sleep). Every host is
//! new, so every lookup misses. `main` awaits the fetchers' tokio
//! `JoinHandle`s.
//!
//! Expected: one `probable` deadlock (plain tokio tasks) of the resolver
//! (waiting on semaphore `outbound`, whose permits the two fetchers
//! hold) and those two fetchers (each waiting on its `resolved` oneshot,
//! whose sender the resolver received: one in its state, the other in an
//! unread message on `resolve-requests`); the third fetcher, waiting on
//! `outbound`, stuck behind it.

use examples::{ready_when, waiters};
use peeps::graph::NodeKind;
use peeps::sync::{Semaphore, mpsc, oneshot};
use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;
use std::time::Duration;

struct Resolve {
    host: String,
    reply: oneshot::Sender<IpAddr>,
}

async fn query_upstream(host: &str) -> IpAddr {
    tokio::time::sleep(Duration::from_millis(20)).await;
    let n = host.bytes().fold(0u8, |a, b| a.wrapping_add(b));
    IpAddr::V4(Ipv4Addr::new(10, 0, 0, n))
}

#[peeps::instrument]
async fn resolver(mut requests: mpsc::Receiver<Resolve>, outbound: Arc<Semaphore>) {
    let mut cache: HashMap<String, IpAddr> = HashMap::new();
    while let Some(Resolve { host, reply }) = requests.recv().await {
        let addr = match cache.get(&host) {
            Some(addr) => *addr,
            None => {
                // An upstream query opens a connection like any other.
                let _permit = outbound.acquire().await.expect("outbound is never closed");
                let addr = query_upstream(&host).await;
                cache.insert(host, addr);
                addr
            }
        };
        let _ = reply.send(addr);
    }
}

fn host_of(url: &str) -> &str {
    let rest = url.trim_start_matches("https://");
    rest.split('/').next().unwrap_or(rest)
}

async fn download(addr: IpAddr, url: &str) -> usize {
    tokio::time::sleep(Duration::from_millis(50)).await;
    url.len() + addr.to_string().len()
}

#[peeps::instrument]
async fn fetcher(
    urls: Vec<String>,
    resolve: mpsc::Sender<Resolve>,
    outbound: Arc<Semaphore>,
) -> usize {
    let mut bytes = 0;
    for url in urls {
        let _permit = outbound.acquire().await.expect("outbound is never closed");
        let (reply, resolved) = oneshot::channel_named("resolved");
        let host = host_of(&url).to_string();
        if resolve.send(Resolve { host, reply }).await.is_err() {
            break;
        }
        let Ok(addr) = resolved.await else { continue };
        bytes += download(addr, &url).await;
    }
    bytes
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("fetch_permit_held_across_resolver_lookup_tokio_spawn");
    let outbound = Arc::new(Semaphore::new(2).named("outbound"));
    let (resolve, requests) = mpsc::channel_named("resolve-requests", 16);
    tokio::spawn(resolver(requests, outbound.clone()));
    let mut fetchers = Vec::new();
    for f in 0..3 {
        let urls = (0..20)
            .map(|i| format!("https://site-{f}-{i}.example/index.html"))
            .collect();
        fetchers.push(tokio::spawn(fetcher(
            urls,
            resolve.clone(),
            outbound.clone(),
        )));
    }
    drop(resolve);
    ready_when(|g| {
        waiters(g, NodeKind::Channel, "resolved") == 2
            && waiters(g, NodeKind::Semaphore, "outbound") == 2
    });
    let mut total = 0;
    for f in fetchers {
        total += f.await.unwrap_or(0);
    }
    println!("fetched {total} bytes");
}
