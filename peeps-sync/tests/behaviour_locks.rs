//! Behaviour of the locks, with and without diagnostics: fairness,
//! cancellation, owned and mapped guards, error types.

mod support;

use peeps_sync::{Mutex, RwLock, blocking};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use support::until;
use tokio::sync::mpsc as tokio_mpsc;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mutex_is_fifo_fair() {
    let m = Arc::new(Mutex::new(Vec::new()));
    let guard = m.lock().await;
    let queued = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for i in 0..5 {
        let (m, queued) = (m.clone(), queued.clone());
        // Queue the waiters one by one, so their order is known.
        let (in_tx, mut in_rx) = tokio_mpsc::channel::<()>(1);
        tasks.push(tokio::spawn(async move {
            let fut = m.lock();
            tokio::pin!(fut);
            // First poll enqueues the waiter.
            assert!(futures_poll_once(fut.as_mut()).await.is_none());
            queued.fetch_add(1, Ordering::SeqCst);
            in_tx.send(()).await.unwrap();
            fut.await.push(i);
        }));
        in_rx.recv().await.unwrap();
    }
    until("all queued", || queued.load(Ordering::SeqCst) == 5).await;
    drop(guard);
    for t in tasks {
        t.await.unwrap();
    }
    assert_eq!(*m.lock().await, vec![0, 1, 2, 3, 4]);
}

/// Polls a future once: `Some` if it completed.
async fn futures_poll_once<F: std::future::Future + Unpin>(fut: F) -> Option<F::Output> {
    let mut fut = fut;
    std::future::poll_fn(|cx| {
        std::task::Poll::Ready(match std::pin::Pin::new(&mut fut).poll(cx) {
            std::task::Poll::Ready(v) => Some(v),
            std::task::Poll::Pending => None,
        })
    })
    .await
}

#[tokio::test]
async fn mutex_try_lock_error_and_get_mut() {
    let mut m = Mutex::new(1);
    {
        let _g = m.lock().await;
        let err: peeps_sync::TryLockError = m.try_lock().unwrap_err();
        // The very error type of tokio, with its text.
        let t = tokio::sync::Mutex::new(());
        let _tg = t.try_lock().unwrap();
        let tokio_err: tokio::sync::TryLockError = t.try_lock().unwrap_err();
        assert_eq!(err.to_string(), tokio_err.to_string());
    }
    *m.get_mut() += 1;
    assert_eq!(m.into_inner(), 2);
    assert_eq!(format!("{:?}", Mutex::new(3)), "Mutex { data: 3 }");
    let m = Mutex::new(4);
    let g = m.lock().await;
    assert_eq!(format!("{m:?}"), "Mutex { data: <locked> }");
    assert_eq!(format!("{g:?} {g}"), "4 4");
}

#[tokio::test]
async fn a_cancelled_lock_gives_its_turn_away() {
    let m = Arc::new(Mutex::new(0));
    let g = m.lock().await;
    let res = tokio::time::timeout(std::time::Duration::from_millis(1), m.lock()).await;
    assert!(res.is_err(), "the lock is held");
    drop(g);
    // The cancelled waiter does not keep the lock from the next one.
    *m.lock().await += 1;
    assert_eq!(*m.try_lock().unwrap(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn owned_and_mapped_guards() {
    let m = Arc::new(Mutex::new((1, String::from("a"))));
    let g = m.clone().lock_owned().await;
    assert!(Arc::ptr_eq(peeps_sync::OwnedMutexGuard::mutex(&g), &m));
    let mut s = peeps_sync::OwnedMutexGuard::map(g, |v| &mut v.1);
    s.push('b');
    // Moved to another task and dropped there: the lock is free again.
    tokio::spawn(async move { drop(s) }).await.unwrap();
    let g = m.clone().try_lock_owned().unwrap();
    let r = peeps_sync::OwnedMutexGuard::try_map(g, |_| None::<&mut u8>);
    let Err(g) = r else {
        panic!("try_map None returns the guard")
    };
    drop(g);
    let g = m.lock().await;
    let mut n = peeps_sync::MutexGuard::map(g, |v| &mut v.0);
    *n += 1;
    let n = peeps_sync::MappedMutexGuard::map(n, |x| x);
    drop(n);
    assert_eq!(*m.lock().await, (2, "ab".to_owned()));
    assert!(std::ptr::eq(
        peeps_sync::MutexGuard::mutex(&m.lock().await),
        &*m
    ));
}

#[test]
fn blocking_lock_outside_a_runtime() {
    let m = Arc::new(Mutex::new(1));
    *m.blocking_lock() += 1;
    *m.clone().blocking_lock_owned() += 1;
    assert_eq!(*m.blocking_lock(), 3);
    let l = RwLock::new(1);
    assert_eq!(*l.blocking_read(), 1);
    *l.blocking_write() = 2;
    assert_eq!(l.into_inner(), 2);
}

#[tokio::test]
#[should_panic(expected = "Cannot block the current thread from within a runtime")]
async fn blocking_lock_inside_a_runtime_panics_as_tokio() {
    let m = Mutex::new(());
    let _g = m.blocking_lock();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rwlock_writer_preferring_and_max_readers() {
    let l = Arc::new(RwLock::with_max_readers(0, 2));
    let r1 = l.read().await;
    let r2 = l.read().await;
    assert!(l.try_read().is_err(), "max readers reached");
    let w = tokio::spawn({
        let l = l.clone();
        async move {
            *l.write().await += 1;
        }
    });
    until("writer queued", || l.try_read().is_err()).await;
    drop((r1, r2));
    w.await.unwrap();
    assert_eq!(*l.read().await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rwlock_guards_map_downgrade_and_own() {
    let l = Arc::new(RwLock::new((1, 2)));
    {
        let w = l.write().await;
        let r = peeps_sync::RwLockWriteGuard::downgrade_map(w, |v| &v.1);
        assert_eq!(*r, 2);
        assert!(l.try_read().is_ok(), "downgraded: readers may enter");
        assert!(l.try_write().is_err());
    }
    {
        let w = l.write().await;
        let mut m = peeps_sync::RwLockWriteGuard::map(w, |v| &mut v.0);
        *m = 10;
    }
    let o = l.clone().write_owned().await;
    let o = o.downgrade();
    assert!(Arc::ptr_eq(
        peeps_sync::OwnedRwLockReadGuard::rwlock(&o),
        &l
    ));
    let o = peeps_sync::OwnedRwLockReadGuard::map(o, |v| &v.0);
    assert_eq!(*o, 10);
    tokio::spawn(async move { drop(o) }).await.unwrap();
    let w = l.clone().try_write_owned().unwrap();
    let w = peeps_sync::OwnedRwLockWriteGuard::try_map(w, |v| Some(&mut v.1))
        .ok()
        .unwrap();
    drop(w);
    assert_eq!(*l.read().await, (10, 2));
    assert!(l.clone().try_read_owned().is_ok());
}

#[test]
fn parking_lot_locks() {
    let m = Arc::new(blocking::Mutex::new(0));
    let threads: Vec<_> = (0..4)
        .map(|_| {
            let m = m.clone();
            std::thread::spawn(move || {
                for _ in 0..1000 {
                    *m.lock() += 1;
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    assert_eq!(*m.lock(), 4000);
    let g = m.lock();
    assert!(m.try_lock().is_none());
    assert!(
        m.try_lock_for(std::time::Duration::from_millis(1))
            .is_none()
    );
    assert!(m.is_locked());
    drop(g);
    let mut g = m.lock();
    let v = blocking::MutexGuard::unlocked(&mut g, || m.try_lock().map(|g| *g));
    assert_eq!(v, Some(4000));
    // The guard names its mutex (with diagnostics off, found from
    // parking_lot's guard), also for an unsized value.
    assert!(std::ptr::eq(blocking::MutexGuard::mutex(&g), &*m));
    drop(g);
    let bytes = blocking::Mutex::new([1u8, 2, 3]);
    let unsized_mutex: &blocking::Mutex<[u8]> = &bytes;
    let g = unsized_mutex.lock();
    assert_eq!(g.len(), 3);
    assert!(std::ptr::eq(blocking::MutexGuard::mutex(&g), unsized_mutex));
    drop(g);

    let l = blocking::RwLock::new(vec![1]);
    {
        let r1 = l.read();
        let r2 = l.read_recursive();
        assert_eq!(r1.len() + r2.len(), 2);
        assert!(l.try_write().is_none());
    }
    let w = l.write();
    let r = blocking::RwLockWriteGuard::downgrade(w);
    assert!(l.try_read().is_some());
    drop(r);
    let up = l.upgradable_read();
    assert!(l.try_upgradable_read().is_none());
    let mut w = blocking::RwLockUpgradableReadGuard::upgrade(up);
    w.push(2);
    drop(w);
    let m = blocking::RwLockReadGuard::map(l.read(), |v| &v[1]);
    assert_eq!(*m, 2);
}
