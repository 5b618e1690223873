//! The twin of `fetch_permit_held_across_resolver_lookup_tokio_spawn`,
//! with the usual fix: a fetch resolves its host first and takes its
//! `outbound` permit only for the download, so the resolver's upstream
//! query (which takes a permit of the same `Semaphore` of 2) never waits
//! for a fetch that waits for it. Plain `tokio::spawn`, bodies
//! `#[peeps::instrument] async fn`s, channel ends made in `main`. Four
//! fetchers loop over 12 hosts; the resolver's cache keeps an address
//! for 600 ms, so lookups keep missing; a download takes 80-150 ms, so
//! fetchers (and now and then the resolver) queue on `outbound`.
//!
//! Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock.

use examples::{ready_when, waited_on, waiters};
use peeps::graph::NodeKind;
use peeps::sync::{Semaphore, mpsc, oneshot};
use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How long the resolver keeps an address.
const TTL: Duration = Duration::from_millis(600);

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
    let mut cache: HashMap<String, (IpAddr, Instant)> = HashMap::new();
    while let Some(Resolve { host, reply }) = requests.recv().await {
        let addr = match cache.get(&host) {
            Some((addr, at)) if at.elapsed() < TTL => *addr,
            _ => {
                // An upstream query opens a connection like any other.
                let _permit = outbound.acquire().await.expect("outbound is never closed");
                let addr = query_upstream(&host).await;
                cache.insert(host, (addr, Instant::now()));
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
    let ms = 80 + (url.len() as u64 * 7 + u64::from(addr.to_string().len() as u8)) % 70;
    tokio::time::sleep(Duration::from_millis(ms)).await;
    url.len() + addr.to_string().len()
}

#[peeps::instrument]
async fn fetcher(
    urls: Vec<String>,
    resolve: mpsc::Sender<Resolve>,
    outbound: Arc<Semaphore>,
) -> usize {
    let mut bytes = 0;
    for url in urls.iter().cycle() {
        let (reply, resolved) = oneshot::channel_named("resolved");
        let host = host_of(url).to_string();
        if resolve.send(Resolve { host, reply }).await.is_err() {
            break;
        }
        let Ok(addr) = resolved.await else { continue };
        // Only the download holds a connection slot.
        let _permit = outbound.acquire().await.expect("outbound is never closed");
        bytes += download(addr, url).await;
    }
    bytes
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("fetch_resolves_before_taking_permit_tokio_spawn");
    let outbound = Arc::new(Semaphore::new(2).named("outbound"));
    let (resolve, requests) = mpsc::channel_named("resolve-requests", 16);
    tokio::spawn(resolver(requests, outbound.clone()));
    let mut fetchers = Vec::new();
    for f in 0..4 {
        let urls = (0..12)
            .map(|i| format!("https://site-{}.example/page-{f}.html", (i + 3 * f) % 12))
            .collect();
        fetchers.push(tokio::spawn(fetcher(
            urls,
            resolve.clone(),
            outbound.clone(),
        )));
    }
    drop(resolve);
    ready_when(|g| {
        waited_on(g, NodeKind::Channel, "resolved")
            && waiters(g, NodeKind::Semaphore, "outbound") >= 2
    });
    let mut total = 0;
    for f in fetchers {
        total += f.await.unwrap_or(0);
    }
    println!("fetched {total} bytes");
}
