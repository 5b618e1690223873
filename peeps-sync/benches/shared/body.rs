// The benchmark bodies, shared by peeps-sync/benches/sync.rs (diagnostics
// on) and benches-off/benches/sync.rs (diagnostics off). Async bodies run
// inside one spawned task (a peeps task for peeps, a tokio task for tokio)
// and time `iters` iterations themselves.

use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime")
}

/// Runs `body(iters)` in a tokio task and returns the time it measured.
fn in_tokio_task<F, Fut>(rt: &tokio::runtime::Runtime, iters: u64, body: F) -> Duration
where
    F: FnOnce(u64) -> Fut,
    Fut: std::future::Future<Output = Duration> + Send + 'static,
{
    let fut = body(iters);
    rt.block_on(async move { tokio::spawn(fut).await.expect("bench task") })
}

/// Runs `body(iters)` in a peeps task and returns the time it measured.
fn in_peeps_task<F, Fut>(rt: &tokio::runtime::Runtime, iters: u64, body: F) -> Duration
where
    F: FnOnce(u64) -> Fut,
    Fut: std::future::Future<Output = Duration> + Send + 'static,
{
    let fut = body(iters);
    rt.block_on(async move { peeps_runtime::spawn_named("bench", fut).await.expect("bench task") })
}

macro_rules! timed {
    ($iters:ident, { $($setup:tt)* }, $body:block) => {
        async move {
            $($setup)*
            let start = Instant::now();
            for _ in 0..$iters $body
            start.elapsed()
        }
    };
}

fn mutex_uncontended(c: &mut Criterion) {
    let rt = runtime();
    let mut g = c.benchmark_group("mutex_uncontended");
    g.bench_function("tokio", |b| {
        b.iter_custom(|iters| {
            in_tokio_task(&rt, iters, |n| timed!(n, { let m = tokio::sync::Mutex::new(0u64); }, { *m.lock().await += 1; black_box(&m); }))
        })
    });
    g.bench_function(PEEPS, |b| {
        b.iter_custom(|iters| {
            in_peeps_task(&rt, iters, |n| timed!(n, { let m = peeps_sync::Mutex::new(0u64); }, { *m.lock().await += 1; black_box(&m); }))
        })
    });
    g.bench_function("tokio_in_peeps_task", |b| {
        b.iter_custom(|iters| {
            in_peeps_task(&rt, iters, |n| timed!(n, { let m = tokio::sync::Mutex::new(0u64); }, { *m.lock().await += 1; black_box(&m); }))
        })
    });
    // A program that switched its sync types to peeps but still spawns
    // with tokio::spawn: the holder is a plain tokio task.
    g.bench_function("peeps_in_tokio_task", |b| {
        b.iter_custom(|iters| {
            in_tokio_task(&rt, iters, |n| timed!(n, { let m = peeps_sync::Mutex::new(0u64); }, { *m.lock().await += 1; black_box(&m); }))
        })
    });
    g.finish();
}

/// `TASKS` tasks on 2 worker threads each lock and bump one counter.
const TASKS: u64 = 4;

fn mutex_contended(c: &mut Criterion) {
    let rt = runtime();
    let mut g = c.benchmark_group("mutex_contended_4_tasks");
    // `TASKS` tasks made by `$spawn`, each locking a `$mutex` in turn.
    macro_rules! contended {
        ($name:expr, $mutex:path, $spawn:path) => {
            g.bench_function($name, |b| {
                b.iter_custom(|iters| {
                    rt.block_on(async move {
                        let m = Arc::new(<$mutex>::new(0u64));
                        let start = Instant::now();
                        let tasks: Vec<_> = (0..TASKS)
                            .map(|_| {
                                let m = m.clone();
                                $spawn(async move {
                                    for _ in 0..iters.div_ceil(TASKS) {
                                        *m.lock().await += 1;
                                    }
                                })
                            })
                            .collect();
                        for t in tasks {
                            t.await.expect("task");
                        }
                        start.elapsed()
                    })
                })
            });
        };
    }
    contended!("tokio", tokio::sync::Mutex<u64>, tokio::spawn);
    contended!(PEEPS, peeps_sync::Mutex<u64>, peeps_runtime::spawn);
    contended!("tokio_in_peeps_tasks", tokio::sync::Mutex<u64>, peeps_runtime::spawn);
    // Only the sync type switched: tasks spawned by tokio.
    contended!("peeps_in_tokio_tasks", peeps_sync::Mutex<u64>, tokio::spawn);
    g.finish();
}

fn mpsc_bounded(c: &mut Criterion) {
    let rt = runtime();
    let mut g = c.benchmark_group("mpsc_bounded_send_recv");
    g.bench_function("tokio", |b| {
        b.iter_custom(|iters| {
            in_tokio_task(&rt, iters, |n| {
                timed!(n, { let (tx, mut rx) = tokio::sync::mpsc::channel::<u64>(64); }, {
                    tx.send(1).await.expect("send");
                    black_box(rx.recv().await);
                })
            })
        })
    });
    g.bench_function(PEEPS, |b| {
        b.iter_custom(|iters| {
            in_peeps_task(&rt, iters, |n| {
                timed!(n, { let (tx, mut rx) = peeps_sync::mpsc::channel::<u64>(64); }, {
                    tx.send(1).await.expect("send");
                    black_box(rx.recv().await);
                })
            })
        })
    });
    g.finish();
}

fn mpsc_unbounded(c: &mut Criterion) {
    let rt = runtime();
    let mut g = c.benchmark_group("mpsc_unbounded_send_recv");
    g.bench_function("tokio", |b| {
        b.iter_custom(|iters| {
            in_tokio_task(&rt, iters, |n| {
                timed!(n, { let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<u64>(); }, {
                    tx.send(1).expect("send");
                    black_box(rx.recv().await);
                })
            })
        })
    });
    g.bench_function(PEEPS, |b| {
        b.iter_custom(|iters| {
            in_peeps_task(&rt, iters, |n| {
                timed!(n, { let (tx, mut rx) = peeps_sync::mpsc::unbounded_channel::<u64>(); }, {
                    tx.send(1).expect("send");
                    black_box(rx.recv().await);
                })
            })
        })
    });
    g.finish();
}

fn oneshot(c: &mut Criterion) {
    let rt = runtime();
    let mut g = c.benchmark_group("oneshot_create_send_recv");
    g.bench_function("tokio", |b| {
        b.iter_custom(|iters| {
            in_tokio_task(&rt, iters, |n| {
                timed!(n, {}, {
                    let (tx, rx) = tokio::sync::oneshot::channel::<u64>();
                    tx.send(1).expect("send");
                    black_box(rx.await.expect("recv"));
                })
            })
        })
    });
    g.bench_function(PEEPS, |b| {
        b.iter_custom(|iters| {
            in_peeps_task(&rt, iters, |n| {
                timed!(n, {}, {
                    let (tx, rx) = peeps_sync::oneshot::channel::<u64>();
                    tx.send(1).expect("send");
                    black_box(rx.await.expect("recv"));
                })
            })
        })
    });
    g.finish();
}

fn notify(c: &mut Criterion) {
    let rt = runtime();
    let mut g = c.benchmark_group("notify_one_notified");
    g.bench_function("tokio", |b| {
        b.iter_custom(|iters| {
            in_tokio_task(&rt, iters, |n| {
                timed!(n, { let notify = tokio::sync::Notify::new(); }, {
                    notify.notify_one();
                    notify.notified().await;
                })
            })
        })
    });
    g.bench_function(PEEPS, |b| {
        b.iter_custom(|iters| {
            in_peeps_task(&rt, iters, |n| {
                timed!(n, { let notify = peeps_sync::Notify::new(); }, {
                    notify.notify_one();
                    notify.notified().await;
                })
            })
        })
    });
    g.finish();
}

fn sender_clone(c: &mut Criterion) {
    let rt = runtime();
    let mut g = c.benchmark_group("mpsc_sender_clone_drop");
    g.bench_function("tokio", |b| {
        b.iter_custom(|iters| {
            in_tokio_task(&rt, iters, |n| {
                timed!(n, { let (tx, _rx) = tokio::sync::mpsc::channel::<u64>(8); }, {
                    drop(black_box(tx.clone()));
                })
            })
        })
    });
    g.bench_function(PEEPS, |b| {
        b.iter_custom(|iters| {
            in_peeps_task(&rt, iters, |n| {
                timed!(n, { let (tx, _rx) = peeps_sync::mpsc::channel::<u64>(8); }, {
                    drop(black_box(tx.clone()));
                })
            })
        })
    });
    g.finish();
}

fn spawn_join(c: &mut Criterion) {
    let rt = runtime();
    let mut g = c.benchmark_group("spawn_join");
    g.bench_function("tokio", |b| {
        b.iter_custom(|iters| {
            in_tokio_task(&rt, iters, |n| {
                timed!(n, { let x = 7u64; }, { black_box(tokio::spawn(async move { black_box(x) }).await.expect("join")); })
            })
        })
    });
    g.bench_function(PEEPS, |b| {
        b.iter_custom(|iters| {
            in_peeps_task(&rt, iters, |n| {
                timed!(n, { let x = 7u64; }, { black_box(peeps_runtime::spawn(async move { black_box(x) }).await.expect("join")); })
            })
        })
    });
    // A task that takes a channel's sender with it (a move peeps follows).
    g.bench_function("tokio_with_sender", |b| {
        b.iter_custom(|iters| {
            in_tokio_task(&rt, iters, |n| {
                timed!(n, { let (tx, _rx) = tokio::sync::mpsc::channel::<u64>(1); }, {
                    let tx = tx.clone();
                    tokio::spawn(async move { black_box(&tx); }).await.expect("join");
                })
            })
        })
    });
    g.bench_function("peeps_with_sender", |b| {
        b.iter_custom(|iters| {
            in_peeps_task(&rt, iters, |n| {
                timed!(n, { let (tx, _rx) = peeps_sync::mpsc::channel::<u64>(1); }, {
                    let tx = tx.clone();
                    peeps_runtime::spawn(async move { black_box(&tx); }).await.expect("join");
                })
            })
        })
    });
    g.finish();
}

/// A plain `tokio::spawn` worker that receives once on a receiver moved
/// into it: its first use of the receiver is one of a new user, where
/// peeps (on) looks up the plain task's cell once (see
/// peeps-runtime/src/task_cell.rs).
fn plain_worker_first_use(c: &mut Criterion) {
    let rt = runtime();
    let mut g = c.benchmark_group("plain_worker_first_use");
    g.bench_function("tokio", |b| {
        b.iter_custom(|iters| {
            in_tokio_task(&rt, iters, |n| {
                timed!(n, {}, {
                    let (tx, mut rx) = tokio::sync::mpsc::channel::<u64>(1);
                    let worker = tokio::spawn(async move { rx.recv().await });
                    tx.send(1).await.expect("send");
                    black_box(worker.await.expect("join"));
                })
            })
        })
    });
    g.bench_function(PEEPS, |b| {
        b.iter_custom(|iters| {
            in_tokio_task(&rt, iters, |n| {
                timed!(n, {}, {
                    let (tx, mut rx) = peeps_sync::mpsc::channel::<u64>(1);
                    let worker = tokio::spawn(async move { rx.recv().await });
                    tx.send(1).await.expect("send");
                    black_box(worker.await.expect("join"));
                })
            })
        })
    });
    g.finish();
}

fn request_reply(c: &mut Criterion) {
    let rt = runtime();
    let mut g = c.benchmark_group("request_reply_mpsc_oneshot");
    // A request carries its oneshot reply sender through an mpsc channel:
    // the reply sender's move peeps follows.
    g.bench_function("tokio", |b| {
        b.iter_custom(|iters| {
            in_tokio_task(&rt, iters, |n| {
                timed!(n, { let (tx, mut rx) = tokio::sync::mpsc::channel::<tokio::sync::oneshot::Sender<u64>>(64); }, {
                    let (reply, answer) = tokio::sync::oneshot::channel();
                    tx.send(reply).await.expect("send");
                    rx.recv().await.expect("recv").send(1).expect("reply");
                    black_box(answer.await.expect("answer"));
                })
            })
        })
    });
    g.bench_function(PEEPS, |b| {
        b.iter_custom(|iters| {
            in_peeps_task(&rt, iters, |n| {
                timed!(n, { let (tx, mut rx) = peeps_sync::mpsc::channel::<peeps_sync::oneshot::Sender<u64>>(64); }, {
                    let (reply, answer) = peeps_sync::oneshot::channel();
                    tx.send(reply).await.expect("send");
                    rx.recv().await.expect("recv").send(1).expect("reply");
                    black_box(answer.await.expect("answer"));
                })
            })
        })
    });
    g.finish();
}

fn semaphore(c: &mut Criterion) {
    let rt = runtime();
    let mut g = c.benchmark_group("semaphore_acquire_release");
    g.bench_function("tokio", |b| {
        b.iter_custom(|iters| {
            in_tokio_task(&rt, iters, |n| {
                timed!(n, { let s = tokio::sync::Semaphore::new(8); }, { drop(black_box(s.acquire().await.expect("open"))); })
            })
        })
    });
    g.bench_function(PEEPS, |b| {
        b.iter_custom(|iters| {
            in_peeps_task(&rt, iters, |n| {
                timed!(n, { let s = peeps_sync::Semaphore::new(8); }, { drop(black_box(s.acquire().await.expect("open"))); })
            })
        })
    });
    g.finish();
}

fn semaphore_owned(c: &mut Criterion) {
    let rt = runtime();
    let mut g = c.benchmark_group("semaphore_acquire_owned_release");
    g.bench_function("tokio", |b| {
        b.iter_custom(|iters| {
            in_tokio_task(&rt, iters, |n| {
                timed!(n, { let s = Arc::new(tokio::sync::Semaphore::new(8)); }, { drop(black_box(s.clone().acquire_owned().await.expect("open"))); })
            })
        })
    });
    g.bench_function(PEEPS, |b| {
        b.iter_custom(|iters| {
            in_peeps_task(&rt, iters, |n| {
                timed!(n, { let s = Arc::new(peeps_sync::Semaphore::new(8)); }, { drop(black_box(s.clone().acquire_owned().await.expect("open"))); })
            })
        })
    });
    g.finish();
}

fn watch_borrow(c: &mut Criterion) {
    let rt = runtime();
    let mut g = c.benchmark_group("watch_borrow");
    // A live `Ref` read-locks the value; peeps records it as a read hold.
    g.bench_function("tokio", |b| {
        b.iter_custom(|iters| {
            in_tokio_task(&rt, iters, |n| {
                timed!(n, { let (_tx, rx) = tokio::sync::watch::channel(7u64); }, { black_box(*rx.borrow()); })
            })
        })
    });
    g.bench_function(PEEPS, |b| {
        b.iter_custom(|iters| {
            in_peeps_task(&rt, iters, |n| {
                timed!(n, { let (_tx, rx) = peeps_sync::watch::channel(7u64); }, { black_box(*rx.borrow()); })
            })
        })
    });
    g.finish();
}

fn watch_send(c: &mut Criterion) {
    let rt = runtime();
    let mut g = c.benchmark_group("watch_send");
    // A send write-locks the value; peeps brackets it with a write wait.
    g.bench_function("tokio", |b| {
        b.iter_custom(|iters| {
            in_tokio_task(&rt, iters, |n| {
                timed!(n, { let (tx, _rx) = tokio::sync::watch::channel(7u64); }, { tx.send(black_box(8)).expect("send"); })
            })
        })
    });
    g.bench_function(PEEPS, |b| {
        b.iter_custom(|iters| {
            in_peeps_task(&rt, iters, |n| {
                timed!(n, { let (tx, _rx) = peeps_sync::watch::channel(7u64); }, { tx.send(black_box(8)).expect("send"); })
            })
        })
    });
    g.finish();
}

/// The lock order's cost (issue 15): a lock taken while holding nothing
/// (`mutex_uncontended`'s body) and while holding another lock, whose order
/// edge is then already known. Run once as is and once with
/// `PEEPS_LOCK_ORDER=off` for what the learning adds.
fn lock_order(c: &mut Criterion) {
    let rt = runtime();
    let mut g = c.benchmark_group("lock_order");
    g.bench_function("tokio_nothing_held", |b| {
        b.iter_custom(|iters| {
            in_tokio_task(&rt, iters, |n| timed!(n, { let m = tokio::sync::Mutex::new(0u64); }, { *m.lock().await += 1; black_box(&m); }))
        })
    });
    g.bench_function("nothing_held", |b| {
        b.iter_custom(|iters| {
            in_peeps_task(&rt, iters, |n| timed!(n, { let m = peeps_sync::Mutex::new(0u64); }, { *m.lock().await += 1; black_box(&m); }))
        })
    });
    g.bench_function("tokio_one_held", |b| {
        b.iter_custom(|iters| {
            in_tokio_task(&rt, iters, |n| {
                timed!(n, { let outer = tokio::sync::Mutex::new(0u64); let m = tokio::sync::Mutex::new(0u64); let _held = outer.lock().await; }, { *m.lock().await += 1; black_box(&m); })
            })
        })
    });
    g.bench_function("one_held_edge_known", |b| {
        b.iter_custom(|iters| {
            in_peeps_task(&rt, iters, |n| {
                timed!(n, { let outer = peeps_sync::Mutex::new(0u64); let m = peeps_sync::Mutex::new(0u64); let _held = outer.lock().await; }, { *m.lock().await += 1; black_box(&m); })
            })
        })
    });
    let pl = parking_lot::Mutex::new(0u64);
    g.bench_function("parking_lot_nothing_held", |b| b.iter(|| *black_box(&pl).lock() += 1));
    let pm = peeps_sync::blocking::Mutex::new(0u64);
    g.bench_function("blocking_nothing_held", |b| b.iter(|| *black_box(&pm).lock() += 1));
    let (po, pi) = (peeps_sync::blocking::Mutex::new(0u64), peeps_sync::blocking::Mutex::new(0u64));
    g.bench_function("blocking_one_held_edge_known", |b| {
        let _held = po.lock();
        b.iter(|| *black_box(&pi).lock() += 1)
    });
    g.finish();
}

fn blocking_lock(c: &mut Criterion) {
    let mut g = c.benchmark_group("parking_lot_lock_unlock");
    let pl = parking_lot::Mutex::new(0u64);
    g.bench_function("parking_lot", |b| b.iter(|| *black_box(&pl).lock() += 1));
    let pm = peeps_sync::blocking::Mutex::new(0u64);
    g.bench_function(PEEPS, |b| b.iter(|| *black_box(&pm).lock() += 1));
    g.finish();
}

fn config() -> Criterion {
    // A peeps program runs the coarse-clock thread: start it before the
    // first group, so both sides of every group share that machine load.
    // (Off, nothing starts it.)
    if PEEPS == "peeps" {
        let _ = peeps_runtime::__private::clock::now_ms();
    }
    Criterion::default()
        .measurement_time(Duration::from_secs(2))
        .warm_up_time(Duration::from_millis(500))
        .sample_size(30)
}

criterion_group! {
    name = benches;
    config = config();
    targets = mutex_uncontended, mutex_contended, mpsc_bounded, mpsc_unbounded, oneshot, notify, sender_clone, spawn_join, plain_worker_first_use, request_reply, semaphore, semaphore_owned, watch_borrow, watch_send, blocking_lock, lock_order
}
criterion_main!(benches);
