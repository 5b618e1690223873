//! Runs one synchronisation operation N times, for counting instructions
//! with `perf stat -e instructions:u` or `valgrind --tool=callgrind` (a
//! figure a loaded machine does not disturb, unlike time): the count of a
//! run of 2N less that of a run of N, over N, is one operation's, set-up
//! cancelled. Usage: `ops <op> <tokio|peeps> <n>`, op one of
//! `mutex`, `mutex_vec` (a value that needs drop: read for handles as
//! each guard lets it go), `mutex_sender` (a value holding a sender, found
//! there each time), `mpsc`, `unbounded`, `oneshot`, `semaphore`, `watch_borrow`,
//! `watch_send`, `foreign_wait` (a lock's wait pending under a new waker
//! peeps does not count, then dropped), `request_reply` (a request carrying its oneshot reply
//! sender through an mpsc channel), `parking_lot`, `contended`,
//! `contended_mt`, `nested` (a mutex held throughout while another is
//! locked and unlocked: the lock order's edge already known; compare
//! `PEEPS_LOCK_ORDER=off`). Async ops run in one task (a peeps task for peeps, a tokio
//! task for tokio) on a current-thread runtime. `contended`: 4 tasks each
//! lock, yield while holding, unlock — every lock but the first of a round
//! waits, deterministically; side `tokio-in-peeps` runs tokio's mutex in
//! peeps tasks (the task's own cost without the wrapper's), side
//! `peeps-in-tokio` peeps' mutex in plain tokio tasks. `contended` is
//! the contended mutex of docs/PERFORMANCE.md (issue 19) as callgrind can
//! count it: each lock a pending poll, a wake and another poll, as in the
//! criterion group `mutex_contended_4_tasks`, whose `contended_mt` body
//! waits only as the two workers' timing has it.

use std::hint::black_box;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (op, side, n) = match args.as_slice() {
        [_, op, side, n] => (op.clone(), side.clone(), n.parse::<u64>().expect("n")),
        _ => {
            eprintln!("usage: ops <op> <tokio|peeps> <n>");
            std::process::exit(2);
        }
    };
    if op == "parking_lot" {
        if side == "peeps" {
            let m = peeps_sync::blocking::Mutex::new(0u64);
            for _ in 0..n {
                *black_box(&m).lock() += 1;
            }
        } else {
            let m = parking_lot::Mutex::new(0u64);
            for _ in 0..n {
                *black_box(&m).lock() += 1;
            }
        }
        return;
    }
    if op == "contended_mt" {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        rt.block_on(contended_mt(&side, n));
        return;
    }
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    if op == "contended" {
        rt.block_on(contended(&side, n));
        return;
    }
    let peeps = side == "peeps";
    rt.block_on(async move {
        let fut = async move {
            match (op.as_str(), side.as_str()) {
                ("foreign_wait", _) => {
                    // A wait that goes pending under a waker peeps does not
                    // count, a new one each time (the future of a
                    // `FuturesUnordered`), and is dropped.
                    struct Flag;
                    impl std::task::Wake for Flag {
                        fn wake(self: std::sync::Arc<Self>) {}
                    }
                    let m = peeps_sync::Mutex::new(0u64);
                    let _held = m.lock().await;
                    for _ in 0..n {
                        let waker = std::task::Waker::from(std::sync::Arc::new(Flag));
                        let mut cx = std::task::Context::from_waker(&waker);
                        let mut lock = std::pin::pin!(m.lock());
                        black_box(lock.as_mut().poll(&mut cx).is_pending());
                    }
                }
                ("combinator_task", _) => {
                    // A plain task whose one wait goes pending under a
                    // combinator's waker (not tokio's task waker): peeps
                    // looks once for its cell on the stack.
                    struct Forward(std::task::Waker);
                    impl std::task::Wake for Forward {
                        fn wake(self: std::sync::Arc<Self>) {
                            self.0.wake_by_ref();
                        }
                    }
                    for _ in 0..n {
                        let (tx, mut rx) = peeps_sync::mpsc::channel::<u64>(1);
                        let task = tokio::spawn(std::future::poll_fn(move |cx| {
                            let own = std::task::Waker::from(std::sync::Arc::new(Forward(
                                cx.waker().clone(),
                            )));
                            rx.poll_recv(&mut std::task::Context::from_waker(&own))
                        }));
                        tokio::task::yield_now().await;
                        tx.send(1).await.expect("send");
                        black_box(task.await.expect("task"));
                    }
                }
                ("mutex", "tokio") => {
                    let m = tokio::sync::Mutex::new(0u64);
                    for _ in 0..n {
                        *m.lock().await += 1;
                    }
                }
                ("mutex", _) => {
                    let m = peeps_sync::Mutex::new(0u64);
                    for _ in 0..n {
                        *m.lock().await += 1;
                    }
                }
                ("mutex_vec", "tokio") => {
                    let m = tokio::sync::Mutex::new(Vec::<u64>::new());
                    for _ in 0..n {
                        black_box(&mut *m.lock().await);
                    }
                }
                ("mutex_vec", _) => {
                    let m = peeps_sync::Mutex::new(Vec::<u64>::new());
                    for _ in 0..n {
                        black_box(&mut *m.lock().await);
                    }
                }
                ("mutex_sender", "tokio") => {
                    let (tx, _rx) = tokio::sync::mpsc::channel::<u64>(1);
                    let m = tokio::sync::Mutex::new(Some(tx));
                    for _ in 0..n {
                        black_box(&mut *m.lock().await);
                    }
                }
                ("mutex_sender", _) => {
                    let (tx, _rx) = peeps_sync::mpsc::channel::<u64>(1);
                    let m = peeps_sync::Mutex::new(Some(tx));
                    for _ in 0..n {
                        black_box(&mut *m.lock().await);
                    }
                }
                ("nested", "tokio") => {
                    let outer = tokio::sync::Mutex::new(0u64);
                    let m = tokio::sync::Mutex::new(0u64);
                    let _held = outer.lock().await;
                    for _ in 0..n {
                        *m.lock().await += 1;
                    }
                }
                ("nested", _) => {
                    let outer = peeps_sync::Mutex::new(0u64);
                    let m = peeps_sync::Mutex::new(0u64);
                    let _held = outer.lock().await;
                    for _ in 0..n {
                        *m.lock().await += 1;
                    }
                }
                ("semaphore", "tokio") => {
                    let s = tokio::sync::Semaphore::new(8);
                    for _ in 0..n {
                        drop(black_box(s.acquire().await.expect("open")));
                    }
                }
                ("semaphore", _) => {
                    let s = peeps_sync::Semaphore::new(8);
                    for _ in 0..n {
                        drop(black_box(s.acquire().await.expect("open")));
                    }
                }
                ("mpsc", "tokio") => {
                    let (tx, mut rx) = tokio::sync::mpsc::channel(64);
                    for i in 0..n {
                        tx.send(i).await.expect("send");
                        black_box(rx.recv().await);
                    }
                }
                ("mpsc", _) => {
                    let (tx, mut rx) = peeps_sync::mpsc::channel(64);
                    for i in 0..n {
                        tx.send(i).await.expect("send");
                        black_box(rx.recv().await);
                    }
                }
                ("unbounded", "tokio") => {
                    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
                    for i in 0..n {
                        tx.send(i).expect("send");
                        black_box(rx.recv().await);
                    }
                }
                ("unbounded", _) => {
                    let (tx, mut rx) = peeps_sync::mpsc::unbounded_channel();
                    for i in 0..n {
                        tx.send(i).expect("send");
                        black_box(rx.recv().await);
                    }
                }
                ("oneshot", "tokio") => {
                    for i in 0..n {
                        let (tx, rx) = tokio::sync::oneshot::channel();
                        tx.send(i).expect("send");
                        black_box(rx.await.expect("recv"));
                    }
                }
                ("oneshot", _) => {
                    for i in 0..n {
                        let (tx, rx) = peeps_sync::oneshot::channel();
                        tx.send(i).expect("send");
                        black_box(rx.await.expect("recv"));
                    }
                }
                ("request_reply", "tokio") => {
                    let (tx, mut rx) =
                        tokio::sync::mpsc::channel::<tokio::sync::oneshot::Sender<u64>>(64);
                    for i in 0..n {
                        let (reply, answer) = tokio::sync::oneshot::channel();
                        tx.send(reply).await.expect("send");
                        rx.recv().await.expect("recv").send(i).expect("reply");
                        black_box(answer.await.expect("answer"));
                    }
                }
                ("request_reply", _) => {
                    let (tx, mut rx) =
                        peeps_sync::mpsc::channel::<peeps_sync::oneshot::Sender<u64>>(64);
                    for i in 0..n {
                        let (reply, answer) = peeps_sync::oneshot::channel();
                        tx.send(reply).await.expect("send");
                        rx.recv().await.expect("recv").send(i).expect("reply");
                        black_box(answer.await.expect("answer"));
                    }
                }
                ("watch_borrow", "tokio") => {
                    let (_tx, rx) = tokio::sync::watch::channel(7u64);
                    for _ in 0..n {
                        black_box(*rx.borrow());
                    }
                }
                ("watch_borrow", _) => {
                    let (_tx, rx) = peeps_sync::watch::channel(7u64);
                    for _ in 0..n {
                        black_box(*rx.borrow());
                    }
                }
                ("watch_send", "tokio") => {
                    let (tx, _rx) = tokio::sync::watch::channel(7u64);
                    for i in 0..n {
                        tx.send(black_box(i)).expect("send");
                    }
                }
                ("watch_send", _) => {
                    let (tx, _rx) = peeps_sync::watch::channel(7u64);
                    for i in 0..n {
                        tx.send(black_box(i)).expect("send");
                    }
                }
                (other, _) => panic!("unknown op {other}"),
            }
        };
        if peeps {
            peeps_runtime::spawn_named("ops", fut).await.expect("task");
        } else {
            tokio::spawn(fut).await.expect("task");
        }
    });
}

/// 4 tasks, each `n / 4` times: lock, yield holding the lock, unlock.
async fn contended(side: &str, n: u64) {
    const TASKS: u64 = 4;
    let per = n / TASKS;
    let mut handles = Vec::new();
    match side {
        "peeps" => {
            let m = std::sync::Arc::new(peeps_sync::Mutex::new(0u64));
            for _ in 0..TASKS {
                let m = m.clone();
                handles.push(tokio::spawn(async move {
                    peeps_runtime::spawn_named("contender", async move {
                        for _ in 0..per {
                            let mut g = m.lock().await;
                            tokio::task::yield_now().await;
                            *g += 1;
                        }
                    })
                    .await
                    .expect("task")
                }));
            }
        }
        "peeps-in-tokio" => {
            let m = std::sync::Arc::new(peeps_sync::Mutex::new(0u64));
            for _ in 0..TASKS {
                let m = m.clone();
                handles.push(tokio::spawn(async move {
                    for _ in 0..per {
                        let mut g = m.lock().await;
                        tokio::task::yield_now().await;
                        *g += 1;
                    }
                }));
            }
        }
        other => {
            let in_peeps = other == "tokio-in-peeps";
            let m = std::sync::Arc::new(tokio::sync::Mutex::new(0u64));
            for _ in 0..TASKS {
                let m = m.clone();
                let body = async move {
                    for _ in 0..per {
                        let mut g = m.lock().await;
                        tokio::task::yield_now().await;
                        *g += 1;
                    }
                };
                handles.push(tokio::spawn(async move {
                    if in_peeps {
                        peeps_runtime::spawn_named("contender", body)
                            .await
                            .expect("task");
                    } else {
                        body.await;
                    }
                }));
            }
        }
    }
    for h in handles {
        h.await.expect("task");
    }
}

/// 4 tasks on 2 worker threads, each `n / 4` times: lock, bump, unlock (the
/// criterion benchmark's contended body, for profiling). Side `peeps`:
/// peeps' mutex in peeps tasks; `peeps-in-tokio`: peeps' mutex in tokio
/// tasks; otherwise tokio's mutex in tokio tasks.
async fn contended_mt(side: &str, n: u64) {
    const TASKS: u64 = 4;
    let per = n / TASKS;
    let peeps_m = std::sync::Arc::new(peeps_sync::Mutex::new(0u64));
    let tokio_m = std::sync::Arc::new(tokio::sync::Mutex::new(0u64));
    let mut handles = Vec::new();
    for _ in 0..TASKS {
        let (pm, tm) = (peeps_m.clone(), tokio_m.clone());
        handles.push(match side {
            "peeps" => tokio::spawn(async move {
                peeps_runtime::spawn(async move {
                    for _ in 0..per {
                        *pm.lock().await += 1;
                    }
                })
                .await
                .expect("task")
            }),
            "peeps-in-tokio" => tokio::spawn(async move {
                for _ in 0..per {
                    *pm.lock().await += 1;
                }
            }),
            _ => tokio::spawn(async move {
                for _ in 0..per {
                    *tm.lock().await += 1;
                }
            }),
        });
    }
    for h in handles {
        h.await.expect("task");
    }
}
