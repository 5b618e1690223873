//! Cost of one in-process scrape (`PEEPS_METRICS`): what a Prometheus
//! scrape of a program's own `/metrics` costs the program — a snapshot of
//! every live node, the analysis, the encoding — for a program with N
//! tasks. The HTTP exchange (a few hundred bytes on loopback) is left out.
//!
//! The program is a realistic idle server: per 10 tasks, 8 wait on a
//! channel (`recv`, sender held by a producer), 1 waits for a contended
//! mutex held by a task that sleeps with it, 1 sleeps. Nothing is
//! deadlocked. Each arm is timed separately: `snapshot` alone, then the
//! whole `scrape` (snapshot + analysis + encoding).

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use std::sync::Arc;
use std::time::Duration;

/// Starts `tasks` peeps tasks that stay pending, on `rt`.
fn idle_program(rt: &tokio::runtime::Runtime, tasks: usize) -> Vec<peeps::JoinHandle<()>> {
    rt.block_on(async {
        let mut handles = Vec::with_capacity(tasks + 1);
        let lock = Arc::new(peeps::sync::Mutex::new(()).named("contended"));
        let guard = lock.clone().lock_owned().await;
        handles.push(peeps::spawn_named("holder", async move {
            let _guard = guard;
            tokio::time::sleep(Duration::from_secs(3600)).await;
        }));
        let mut senders = Vec::new();
        for i in 0..tasks {
            let handle = match i % 10 {
                0 => {
                    let lock = lock.clone();
                    peeps::spawn_named("waiter", async move {
                        let _g = lock.lock().await;
                    })
                }
                1 => peeps::spawn_named("sleeper", async {
                    tokio::time::sleep(Duration::from_secs(3600)).await;
                }),
                _ => {
                    let (tx, mut rx) = peeps::sync::mpsc::channel::<u64>(4);
                    senders.push(tx);
                    peeps::spawn_named(
                        "consumer",
                        async move { while rx.recv().await.is_some() {} },
                    )
                }
            };
            handles.push(handle);
        }
        handles.push(peeps::spawn_named("producer", async move {
            let _senders = senders;
            tokio::time::sleep(Duration::from_secs(3600)).await;
        }));
        // Let every task reach its wait.
        tokio::time::sleep(Duration::from_millis(300)).await;
        handles
    })
}

fn scrape(c: &mut Criterion) {
    let mut group = c.benchmark_group("metrics");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(5));
    for tasks in [100, 1_000, 10_000] {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("a runtime");
        let handles = idle_program(&rt, tasks);
        // Check the program is as described before timing it.
        let text = peeps::metrics::scrape();
        assert!(
            text.contains("peeps_live_tasks{process=\"scrape-bench\","),
            "{text}"
        );
        assert!(text.contains("certainty=\"certain\"} 0"), "{text}");
        group.bench_function(BenchmarkId::new("snapshot", tasks), |b| {
            b.iter(peeps::snapshot)
        });
        group.bench_function(BenchmarkId::new("scrape", tasks), |b| {
            b.iter(peeps::metrics::scrape)
        });
        for h in handles {
            h.abort();
        }
        rt.shutdown_timeout(Duration::from_secs(1));
    }
    group.finish();
}

/// Starts a task that primes its own channel, files the sender in a map
/// and waits on the receiver: a snapshot then searches the heap once (see
/// `ownership::heap` in peeps-runtime).
fn self_filer(rt: &tokio::runtime::Runtime) -> peeps::JoinHandle<()> {
    let _in_runtime = rt.enter();
    let filed = Arc::new(std::sync::Mutex::new(Vec::new()));
    let handle = peeps::spawn_named("filer", async move {
        let (tx, mut rx) = peeps::sync::mpsc::channel::<u64>(4);
        tx.send(1).await.expect("the receiver is here");
        filed.lock().expect("not poisoned").push(tx);
        while rx.recv().await.is_some() {}
    });
    rt.block_on(tokio::time::sleep(Duration::from_millis(100)));
    handle
}

/// What the heap search adds to a snapshot of 100 idle tasks, for a heap of
/// `MiB` mebibytes more (touched, so resident).
fn heap_search(c: &mut Criterion) {
    let mut group = c.benchmark_group("heap_search");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(5));
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    let handles = idle_program(&rt, 100);
    for mib in [0usize, 16, 64] {
        let ballast = std::hint::black_box(vec![1u8; mib << 20]);
        group.bench_function(BenchmarkId::new("no_self_wait", mib), |b| {
            b.iter(peeps::snapshot)
        });
        let filer = self_filer(&rt);
        group.bench_function(BenchmarkId::new("self_wait", mib), |b| {
            b.iter(peeps::snapshot)
        });
        filer.abort();
        drop(ballast);
    }
    for h in handles {
        h.abort();
    }
    rt.shutdown_timeout(Duration::from_secs(1));
    group.finish();
}

fn setup(c: &mut Criterion) {
    peeps::init_named("scrape-bench");
    // First, while the process's heap is small (the scrape arms leave
    // their 10,000 tasks' memory mapped).
    heap_search(c);
    scrape(c);
}

criterion_group!(benches, setup);
criterion_main!(benches);
