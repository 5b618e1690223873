//! Healthy, under steady load: an HTTP-ish client with a connection limit
//! per host: a `Semaphore` of 2 per host, all made by one `HostPool::new`
//! (one class, `host-conns`), six hosts. Hosts 0-2 are legacy names that
//! redirect to their canonical hosts 3-5. Ten plain fetchers pick a host;
//! a fetch takes a permit of its host's limit and holds it across the
//! request (5-25 ms). A fetch of a legacy host, still holding its
//! connection (the body is not read yet), follows the redirect: it takes
//! a permit of the canonical host and fetches there too.
//!
//! Redirects only go from a legacy host to a canonical one, never back:
//! one order (legacy → canonical). A canonical fetch holds one permit.
//! The program cannot hang.
//!
//! Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock.

use examples::{park, ready_when, waited_on};
use peeps::graph::NodeKind;
use peeps::sync::Semaphore;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

struct HostPool {
    limits: Vec<Semaphore>,
}

impl HostPool {
    fn new(hosts: usize) -> Self {
        HostPool {
            limits: (0..hosts)
                .map(|_| Semaphore::new(2).named("host-conns"))
                .collect(),
        }
    }

    fn redirect(host: usize) -> Option<usize> {
        (host < 3).then_some(host + 3)
    }

    async fn fetch(&self, host: usize, n: u64) -> u64 {
        let _conn = self.limits[host].acquire().await.expect("never closed");
        tokio::time::sleep(Duration::from_millis(5 + (n * 7 + host as u64) % 21)).await;
        match Self::redirect(host) {
            Some(canonical) => {
                let _next = self.limits[canonical]
                    .acquire()
                    .await
                    .expect("never closed");
                tokio::time::sleep(Duration::from_millis(5 + (n * 3) % 21)).await;
                301
            }
            None => 200,
        }
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_per_host_limits_redirect_legacy_to_canonical_plain");
    let pool = Arc::new(HostPool::new(6));
    let fetched = Arc::new(AtomicU64::new(0));
    let redirected = Arc::new(AtomicU64::new(0));
    for f in 0..10u64 {
        let pool = pool.clone();
        let fetched = fetched.clone();
        let redirected = redirected.clone();
        tokio::spawn(async move {
            for n in 0u64.. {
                let host = ((n * 5 + f) % 6) as usize;
                if pool.fetch(host, n).await == 301 {
                    redirected.fetch_add(1, Ordering::Relaxed);
                }
                fetched.fetch_add(1, Ordering::Relaxed);
            }
        });
    }
    ready_when(move |g| {
        fetched.load(Ordering::Relaxed) >= 60
            && redirected.load(Ordering::Relaxed) >= 10
            && waited_on(g, NodeKind::Semaphore, "host-conns")
    });
    park().await
}
