//! Behaviour of the semaphore, Notify, Barrier and OnceCell, with and
//! without diagnostics.

mod support;

use peeps_sync::{AcquireError, Barrier, Notify, OnceCell, Semaphore, TryAcquireError};
use std::sync::Arc;
use support::until;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn semaphore_fifo_many_waits_its_turn() {
    let s = Arc::new(Semaphore::new(2));
    let p = s.acquire_many(2).await.unwrap();
    let big = tokio::spawn({
        let s = s.clone();
        async move { s.acquire_many(2).await.unwrap().num_permits() }
    });
    until("big waiter queued", || {
        s.available_permits() == 0 && !big.is_finished()
    })
    .await;
    drop(p);
    assert_eq!(big.await.unwrap(), 2);
    assert_eq!(s.available_permits(), 2);
}

#[tokio::test]
async fn semaphore_close_and_errors() {
    let s = Arc::new(Semaphore::new(1));
    let p = s.try_acquire().unwrap();
    assert_eq!(s.try_acquire().unwrap_err(), TryAcquireError::NoPermits);
    s.close();
    assert!(s.is_closed());
    let e: AcquireError = s.acquire().await.unwrap_err();
    assert_eq!(e.to_string(), "semaphore closed");
    assert_eq!(s.try_acquire().unwrap_err(), TryAcquireError::Closed);
    assert!(s.clone().acquire_owned().await.is_err());
    drop(p);
}

#[tokio::test]
async fn permits_split_merge_forget_add() {
    let s = Arc::new(Semaphore::new(4));
    let mut p = s.acquire_many(3).await.unwrap();
    let q = p.split(1).unwrap();
    assert_eq!((p.num_permits(), q.num_permits()), (2, 1));
    assert!(p.split(5).is_none());
    p.merge(q);
    assert_eq!(p.num_permits(), 3);
    assert!(std::ptr::eq(p.semaphore(), &*s));
    p.forget();
    assert_eq!(s.available_permits(), 1);
    s.add_permits(2);
    assert_eq!(s.forget_permits(1), 1);
    assert_eq!(s.available_permits(), 2);
    let mut o = s.clone().acquire_many_owned(2).await.unwrap();
    let o2 = o.split(1).unwrap();
    tokio::spawn(async move { drop(o2) }).await.unwrap();
    assert_eq!(s.available_permits(), 1);
    o.merge(s.clone().try_acquire_owned().unwrap());
    assert_eq!(o.num_permits(), 2);
    assert!(Arc::ptr_eq(o.semaphore(), &s));
    drop(o);
    assert_eq!(s.available_permits(), 2);
    static S: Semaphore = Semaphore::const_new(1);
    assert!(S.try_acquire_many(2).is_err());
    assert_eq!(Semaphore::MAX_PERMITS, tokio::sync::Semaphore::MAX_PERMITS);
}

#[tokio::test]
async fn a_cancelled_acquire_gives_its_turn_away() {
    let s = Semaphore::new(1);
    let p = s.acquire().await.unwrap();
    assert!(
        tokio::time::timeout(std::time::Duration::from_millis(1), s.acquire())
            .await
            .is_err()
    );
    drop(p);
    assert!(s.try_acquire().is_ok());
}

#[test]
fn semaphore_blocking_acquire() {
    let s = Arc::new(Semaphore::new(1));
    let p = s.blocking_acquire().unwrap();
    let t = std::thread::spawn({
        let s = s.clone();
        move || s.clone().blocking_acquire_owned().unwrap().num_permits()
    });
    drop(p);
    assert_eq!(t.join().unwrap(), 1);
    assert_eq!(s.blocking_acquire_many(1).unwrap().num_permits(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn notify_stores_one_permit_and_wakes_waiters() {
    let n = Arc::new(Notify::new());
    n.notify_one();
    n.notified().await;
    let (ready_tx, mut ready_rx) = tokio::sync::mpsc::channel(3);
    let waiters: Vec<_> = (0..3)
        .map(|_| {
            let (n, ready_tx) = (n.clone(), ready_tx.clone());
            tokio::spawn(async move {
                let mut f = std::pin::pin!(n.notified());
                // Enabled: counts as waiting for notify_waiters.
                assert!(!f.as_mut().enable());
                ready_tx.send(()).await.unwrap();
                f.await
            })
        })
        .collect();
    for _ in 0..3 {
        ready_rx.recv().await.unwrap();
    }
    n.notify_waiters();
    for w in waiters {
        w.await.unwrap();
    }
    let owned = n.clone().notified_owned();
    n.notify_last();
    owned.await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn barrier_one_leader_per_generation() {
    let b = Arc::new(Barrier::new(3));
    let tasks: Vec<_> = (0..3)
        .map(|_| {
            let b = b.clone();
            tokio::spawn(async move { b.wait().await.is_leader() })
        })
        .collect();
    let mut leaders = 0;
    for t in tasks {
        leaders += usize::from(t.await.unwrap());
    }
    assert_eq!(leaders, 1);
    assert!(Barrier::new(0).wait().await.is_leader());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn once_cell_initialises_once() {
    static CELL: OnceCell<u32> = OnceCell::const_new();
    let runs = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let tasks: Vec<_> = (0..4)
        .map(|i| {
            let runs = runs.clone();
            tokio::spawn(async move {
                *CELL
                    .get_or_init(|| async move {
                        runs.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                        tokio::task::yield_now().await;
                        i
                    })
                    .await
            })
        })
        .collect();
    let mut seen = Vec::new();
    for t in tasks {
        seen.push(t.await.unwrap());
    }
    assert_eq!(runs.load(std::sync::atomic::Ordering::SeqCst), 1);
    assert!(seen.windows(2).all(|w| w[0] == w[1]));
    let c = OnceCell::new();
    assert_eq!(
        c.get_or_try_init(|| async { Err::<u8, _>("no") }).await,
        Err("no")
    );
    assert!(!c.initialized());
    c.set(1).unwrap();
    let e = c.set(2).unwrap_err();
    assert!(e.is_already_init_err());
    assert_eq!(c, OnceCell::from(1));
    let mut c2 = c.clone();
    assert_eq!(c2.take(), Some(1));
    assert_eq!(c.into_inner(), Some(1));
    assert_eq!(
        format!("{:?}", OnceCell::new_with(Some(3))),
        "OnceCell { value: Some(3) }"
    );
}
