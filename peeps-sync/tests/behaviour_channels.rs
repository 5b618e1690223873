//! Behaviour of the channels, with and without diagnostics: order, close
//! semantics, permits, weak senders, the error types.

mod support;

use peeps_sync::{broadcast, mpsc, oneshot, watch};
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mpsc_order_backpressure_and_close() {
    let (tx, mut rx) = mpsc::channel(2);
    tx.send(1).await.unwrap();
    tx.try_send(2).unwrap();
    match tx.try_send(3) {
        Err(mpsc::error::TrySendError::Full(3)) => {}
        other => panic!("expected Full(3), got {other:?}"),
    }
    let e = tx
        .send_timeout(3, Duration::from_millis(1))
        .await
        .unwrap_err();
    assert!(matches!(e, mpsc::error::SendTimeoutError::Timeout(3)));
    assert_eq!((rx.len(), rx.capacity(), rx.max_capacity()), (2, 0, 2));
    assert_eq!(rx.recv().await, Some(1));
    let mut buf = Vec::new();
    assert_eq!(rx.recv_many(&mut buf, 10).await, 1);
    assert_eq!(buf, vec![2]);
    assert_eq!(rx.try_recv(), Err(mpsc::error::TryRecvError::Empty));
    rx.close();
    assert!(tx.is_closed());
    let e: mpsc::error::SendError<u8> = tx.send(4).await.unwrap_err();
    assert_eq!(e.0, 4);
    drop(tx);
    assert_eq!(rx.recv().await, None);
    assert!(rx.is_closed());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mpsc_permits() {
    let (tx, mut rx) = mpsc::channel(3);
    let p = tx.reserve().await.unwrap();
    let many = tx.reserve_many(2).await.unwrap();
    assert_eq!(many.len(), 2);
    assert!(tx.try_reserve().is_err());
    for (i, p) in many.enumerate() {
        p.send(i + 10);
    }
    p.send(1);
    assert_eq!(rx.len(), 3);
    let got: Vec<_> = [rx.recv().await, rx.recv().await, rx.recv().await]
        .into_iter()
        .flatten()
        .collect();
    assert_eq!(got, vec![10, 11, 1]);
    let owned = tx.clone().try_reserve_owned().unwrap();
    assert!(owned.same_channel_as_sender(&tx));
    let back = owned.send(7);
    assert!(back.same_channel(&tx));
    assert_eq!(rx.recv().await, Some(7));
    let released = tx.clone().reserve_owned().await.unwrap().release();
    assert_eq!(released.capacity(), 3);
    drop((tx, released));
    let (lone, gone) = mpsc::channel::<u8>(1);
    drop(gone);
    match lone.try_reserve_owned() {
        Err(mpsc::error::TrySendError::Closed(s)) => assert!(s.is_closed()),
        other => panic!("expected Closed, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mpsc_weak_senders_and_counts() {
    let (tx, mut rx) = mpsc::channel::<u8>(1);
    let weak = tx.downgrade();
    assert_eq!((tx.strong_count(), tx.weak_count()), (1, 1));
    assert_eq!((rx.sender_strong_count(), rx.sender_weak_count()), (1, 1));
    let up = weak.upgrade().unwrap();
    up.send(1).await.unwrap();
    drop((tx, up));
    assert!(weak.upgrade().is_none());
    assert_eq!(rx.recv().await, Some(1));
    assert_eq!(rx.recv().await, None);

    let (utx, mut urx) = mpsc::unbounded_channel();
    let uweak = utx.downgrade();
    uweak.upgrade().unwrap().send(5).unwrap();
    assert_eq!(urx.recv().await, Some(5));
    drop(utx);
    assert!(uweak.upgrade().is_none());
    assert_eq!(urx.recv().await, None);
    assert!(urx.is_closed() && urx.is_empty());
}

#[test]
fn mpsc_blocking_from_threads() {
    let (tx, mut rx) = mpsc::channel(1);
    let t = std::thread::spawn(move || {
        for i in 0..10 {
            tx.blocking_send(i).unwrap();
        }
    });
    let mut got = Vec::new();
    while let Some(v) = rx.blocking_recv() {
        got.push(v);
    }
    t.join().unwrap();
    assert_eq!(got, (0..10).collect::<Vec<_>>());
    let (utx, mut urx) = mpsc::unbounded_channel();
    utx.send(1).unwrap();
    drop(utx);
    let mut buf = Vec::new();
    assert_eq!(urx.blocking_recv_many(&mut buf, 5), 1);
}

#[tokio::test]
async fn mpsc_closed_waits_for_the_receiver() {
    let (tx, rx) = mpsc::channel::<()>(1);
    let closed = tokio::spawn(async move { tx.closed().await });
    drop(rx);
    closed.await.unwrap();
    let (utx, urx) = mpsc::unbounded_channel::<()>();
    drop(urx);
    utx.closed().await;
}

#[tokio::test]
async fn mpsc_poll_recv() {
    let (tx, mut rx) = mpsc::channel(1);
    let pending =
        std::future::poll_fn(|cx| std::task::Poll::Ready(rx.poll_recv(cx).is_pending())).await;
    assert!(pending);
    tx.send(3).await.unwrap();
    assert_eq!(std::future::poll_fn(|cx| rx.poll_recv(cx)).await, Some(3));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oneshot_send_close_and_errors() {
    let (tx, rx) = oneshot::channel();
    tx.send(1).unwrap();
    assert_eq!(rx.await, Ok(1));
    let (tx, rx) = oneshot::channel::<u8>();
    drop(tx);
    let e: oneshot::error::RecvError = rx.await.unwrap_err();
    assert_eq!(e.to_string(), "channel closed");
    let (mut tx, mut rx) = oneshot::channel::<u8>();
    assert_eq!(rx.try_recv(), Err(oneshot::error::TryRecvError::Empty));
    rx.close();
    tx.closed().await;
    assert!(tx.is_closed());
    assert_eq!(tx.send(2), Err(2));
    let (tx, rx) = oneshot::channel::<u8>();
    let r = tokio::time::timeout(Duration::from_millis(1), rx).await;
    assert!(r.is_err(), "nothing sent yet");
    drop(tx);
    let (tx, rx) = oneshot::channel();
    std::thread::spawn(move || tx.send(5).unwrap());
    assert_eq!(
        tokio::task::spawn_blocking(move || rx.blocking_recv())
            .await
            .unwrap(),
        Ok(5)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oneshot_receiver_survives_a_lost_select() {
    let (tx, mut rx) = oneshot::channel();
    tokio::select! {
        biased;
        _ = &mut rx => panic!("nothing sent"),
        _ = std::future::ready(()) => {}
    }
    tx.send(8).unwrap();
    assert!(!rx.is_terminated());
    assert_eq!(rx.await, Ok(8));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn broadcast_fan_out_lag_and_close() {
    let (tx, mut a) = broadcast::channel(2);
    let mut b = tx.subscribe();
    assert_eq!(tx.receiver_count(), 2);
    for i in 0..3 {
        assert_eq!(tx.send(i).unwrap(), 2);
    }
    assert_eq!(a.recv().await, Err(broadcast::error::RecvError::Lagged(1)));
    assert_eq!(a.recv().await, Ok(1));
    assert_eq!(b.try_recv(), Err(broadcast::error::TryRecvError::Lagged(1)));
    let mut c = a.resubscribe();
    assert!(c.is_empty());
    let weak = tx.downgrade();
    drop(tx);
    assert!(weak.upgrade().is_none());
    assert_eq!(a.recv().await, Ok(2));
    assert_eq!(a.recv().await, Err(broadcast::error::RecvError::Closed));
    assert_eq!(c.recv().await, Err(broadcast::error::RecvError::Closed));
    let lonely = broadcast::Sender::<u8>::new(1);
    assert_eq!(lonely.send(1).unwrap_err().0, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watch_latest_value_and_close() {
    let (tx, mut rx) = watch::channel(0);
    let mut rx2 = rx.clone();
    tx.send(1).unwrap();
    tx.send_modify(|v| *v += 1);
    assert!(!tx.send_if_modified(|_| false));
    assert_eq!(tx.send_replace(3), 2);
    rx.changed().await.unwrap();
    assert_eq!(*rx.borrow_and_update(), 3);
    assert!(!rx.has_changed().unwrap());
    assert_eq!(*rx2.wait_for(|v| *v == 3).await.unwrap(), 3);
    assert_eq!((tx.receiver_count(), tx.sender_count()), (2, 1));
    let sub = tx.subscribe();
    assert!(sub.same_channel(&rx));
    drop(tx);
    assert!(rx.changed().await.is_err());
    assert!(rx.is_closed());
    let t = watch::Sender::new(5u8);
    assert!(t.send(6).is_err(), "no receiver");
    assert_eq!(*t.borrow(), 5);
    let (tx, rx) = watch::channel(());
    let closed = tokio::spawn(async move { tx.closed().await });
    drop(rx);
    closed.await.unwrap();
}
