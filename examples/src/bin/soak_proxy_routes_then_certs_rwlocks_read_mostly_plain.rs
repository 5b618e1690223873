//! Healthy, under steady load: a proxy's read-mostly state in two
//! `RwLock`s, always taken routes first, then certs. Ten plain handlers
//! read the routes, hold that read across a 5 ms `.await` (the upstream
//! call), then read the certs for the TLS step, and let both go. A plain
//! route updater write-locks the routes every 100 ms for 2 ms; a plain
//! rotator write-locks the routes and then the certs every 250 ms (a
//! rotation changes both); a plain renewer write-locks the certs alone
//! every 170 ms. Writers wait behind the readers, and new readers behind a
//! queued writer (tokio's `RwLock` is write-preferring): waits of a few
//! ms, all the time. Nothing annotated or named.
//!
//! Nothing can hang. Expected, in every dump: no deadlock, nothing stuck
//! forever, no potential deadlock (routes, then certs, everywhere; no read
//! taken twice).

use examples::{park, ready_when};
use peeps::sync::RwLock;
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

#[derive(Clone)]
struct Proxy {
    routes: Arc<RwLock<HashMap<u64, String>>>,
    certs: Arc<RwLock<HashMap<String, u64>>>,
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_proxy_routes_then_certs_rwlocks_read_mostly_plain");
    let proxy = Proxy {
        routes: Arc::new(RwLock::new(
            (0..16u64).map(|k| (k, format!("up-{}", k % 4))).collect(),
        )),
        certs: Arc::new(RwLock::new(
            (0..4u64).map(|k| (format!("up-{k}"), k)).collect(),
        )),
    };
    let served = Arc::new(AtomicU64::new(0));
    let rotations = Arc::new(AtomicU64::new(0));

    for h in 0..10u64 {
        let (p, served) = (proxy.clone(), served.clone());
        tokio::spawn(async move {
            for n in 0u64.. {
                let routes = p.routes.read().await;
                let upstream = routes.get(&((h + n) % 16)).cloned().unwrap_or_default();
                tokio::time::sleep(Duration::from_millis(5)).await;
                let certs = p.certs.read().await;
                let _serial = certs.get(&upstream).copied();
                drop(certs);
                drop(routes);
                served.fetch_add(1, Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(1 + h % 4)).await;
            }
        });
    }

    let p = proxy.clone();
    tokio::spawn(async move {
        for generation in 0u64.. {
            tokio::time::sleep(Duration::from_millis(100)).await;
            let mut r = p.routes.write().await;
            tokio::time::sleep(Duration::from_millis(2)).await;
            r.insert(generation % 16, format!("up-{}", generation % 4));
        }
    });

    let (p, rot) = (proxy.clone(), rotations.clone());
    tokio::spawn(async move {
        for generation in 0u64.. {
            tokio::time::sleep(Duration::from_millis(250)).await;
            let mut r = p.routes.write().await;
            let mut c = p.certs.write().await;
            r.insert(generation % 16, format!("up-{}", (generation + 1) % 4));
            c.insert(format!("up-{}", generation % 4), generation);
            drop(c);
            drop(r);
            rot.fetch_add(1, Ordering::Relaxed);
        }
    });

    let p = proxy.clone();
    tokio::spawn(async move {
        for generation in 0u64.. {
            tokio::time::sleep(Duration::from_millis(170)).await;
            p.certs
                .write()
                .await
                .insert(format!("up-{}", generation % 4), generation + 1000);
        }
    });

    ready_when(move |_| {
        served.load(Ordering::Relaxed) >= 200 && rotations.load(Ordering::Relaxed) >= 2
    });
    park().await
}
