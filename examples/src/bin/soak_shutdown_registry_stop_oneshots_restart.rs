//! Healthy, idle or ticking: a shutdown coordinator as services write
//! them. Each subsystem registers under a name and gets a `stop`
//! `oneshot::Receiver`; the coordinator keeps the sender in an
//! `Option` inside a `peeps::sync::Mutex<HashMap<..>>` (`stop-registry`)
//! and takes it out later. Every task is `peeps::spawn_named`.
//!
//! Subsystems: `metrics-server` only awaits its stop (as an HTTP server's
//! graceful-shutdown future does); `flusher` `select!`s its stop and a
//! 250 ms ticker; `indexer` does the same on a 100 ms ticker. A
//! `health-monitor` restarts `indexer` every 700 ms: it takes the stop
//! sender out of the registry, sends on it, awaits the old `JoinHandle`
//! and spawns a fresh `indexer`, which registers anew. `cache-warmer`
//! registers, warms for 300 ms and deregisters (drops its sender). The
//! `coordinator` waits on a `shutdown-requested` `Notify` (ctrl-c in
//! production: `main` waits for it and notifies), then would stop
//! everyone.
//!
//! Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock (the stop receivers' senders are filed in the
//! registry, to be used by the health monitor and the coordinator).

use examples::{ready_when, waited_on};
use peeps::graph::NodeKind;
use peeps::sync::{Mutex, Notify, oneshot};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

struct Registration {
    stop: Option<oneshot::Sender<()>>,
    started: tokio::time::Instant,
}

struct Shutdown {
    registry: Mutex<HashMap<String, Registration>>,
    requested: Notify,
}

impl Shutdown {
    fn new() -> Arc<Self> {
        Arc::new(Shutdown {
            registry: Mutex::new(HashMap::new()).named("stop-registry"),
            requested: Notify::new().named("shutdown-requested"),
        })
    }

    async fn register(&self, name: &str) -> oneshot::Receiver<()> {
        let (stop, stopped) = oneshot::channel_named("stop");
        let started = tokio::time::Instant::now();
        self.registry.lock().await.insert(
            name.to_owned(),
            Registration {
                stop: Some(stop),
                started,
            },
        );
        stopped
    }

    async fn deregister(&self, name: &str) {
        self.registry.lock().await.remove(name);
    }

    /// Takes the stop sender of `name` out, leaving the entry in place.
    async fn take_stop(&self, name: &str) -> Option<oneshot::Sender<()>> {
        let mut registry = self.registry.lock().await;
        registry.get_mut(name)?.stop.take()
    }

    async fn stop_all(&self) {
        let mut registry = self.registry.lock().await;
        for (name, reg) in registry.iter_mut() {
            if let Some(stop) = reg.stop.take() {
                let _ = stop.send(());
                println!("stopping {name} after {:?}", reg.started.elapsed());
            }
        }
    }
}

async fn ticking(stop: oneshot::Receiver<()>, every: Duration, ticks: Arc<AtomicU64>) {
    let mut stop = stop;
    let mut tick = tokio::time::interval(every);
    loop {
        tokio::select! {
            _ = &mut stop => return,
            _ = tick.tick() => {
                ticks.fetch_add(1, Ordering::Relaxed);
            }
        }
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_shutdown_registry_stop_oneshots_restart");
    let shutdown = Shutdown::new();
    let ticks = Arc::new(AtomicU64::new(0));
    let restarts = Arc::new(AtomicU64::new(0));

    let stop = shutdown.register("metrics-server").await;
    peeps::spawn_named("metrics-server", async move {
        let _ = stop.await;
    });
    let stop = shutdown.register("flusher").await;
    peeps::spawn_named(
        "flusher",
        ticking(stop, Duration::from_millis(250), ticks.clone()),
    );

    let sd = shutdown.clone();
    peeps::spawn_named("cache-warmer", async move {
        let stop = sd.register("cache-warmer").await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        drop(stop);
        sd.deregister("cache-warmer").await;
    });

    let sd = shutdown.clone();
    let (t, r) = (ticks.clone(), restarts.clone());
    peeps::spawn_named("health-monitor", async move {
        let stop = sd.register("indexer").await;
        let mut indexer = peeps::spawn_named(
            "indexer",
            ticking(stop, Duration::from_millis(100), t.clone()),
        );
        let mut every = tokio::time::interval(Duration::from_millis(700));
        every.tick().await;
        loop {
            every.tick().await;
            if let Some(stop) = sd.take_stop("indexer").await {
                let _ = stop.send(());
            }
            let _ = (&mut indexer).await;
            let stop = sd.register("indexer").await;
            indexer = peeps::spawn_named(
                "indexer",
                ticking(stop, Duration::from_millis(100), t.clone()),
            );
            r.fetch_add(1, Ordering::Relaxed);
        }
    });

    let sd = shutdown.clone();
    let coordinator = peeps::spawn_named("coordinator", async move {
        sd.requested.notified().await;
        sd.stop_all().await;
    });

    ready_when(move |g| {
        restarts.load(Ordering::Relaxed) >= 2
            && waited_on(g, NodeKind::Notify, "shutdown-requested")
            && waited_on(g, NodeKind::Channel, "stop")
    });
    let _ = tokio::signal::ctrl_c().await;
    shutdown.requested.notify_one();
    let _ = coordinator.await;
}
