//! The same program written once against a `sync` module compiles and
//! gives the same results with `tokio::sync` and with `peeps_sync`: the
//! drop-in promise, checked on one program that touches every type.

macro_rules! program {
    ($sync:ident) => {
        async {
            use std::sync::Arc;
            let mut out: Vec<String> = Vec::new();

            let m = Arc::new($sync::Mutex::new(1));
            {
                let g = m.lock().await;
                out.push(format!("try_lock while held: {}", m.try_lock().is_err()));
                let g = $sync::MutexGuard::map(g, |v| v);
                out.push(format!("mapped: {}", *g));
            }
            // Futures as values: boxed and raced in `select!`, handed to a
            // fn that needs `Future + Send`.
            let boxed = Box::pin(m.lock());
            let g = tokio::select! {
                g = boxed => g,
                () = std::future::pending::<()>() => unreachable!("never ready"),
            };
            out.push(format!("boxed in select: {}", *g));
            drop(g);
            fn needs_send<F: std::future::Future + Send>(f: F) -> F {
                f
            }
            out.push(format!("passed as Send: {}", *needs_send(m.lock()).await));
            let og = m.clone().lock_owned().await;
            let og = $sync::OwnedMutexGuard::map(og, |v| v);
            out.push(format!("owned mapped: {}", *og));
            drop(og);

            let l = Arc::new($sync::RwLock::new(vec![1, 2]));
            {
                let r = l.read().await;
                let r2 = l.try_read().unwrap();
                out.push(format!("readers: {} {}", r.len(), r2.len()));
            }
            let w = l.clone().write_owned().await;
            let r = w.downgrade();
            out.push(format!("downgraded: {:?}", *r));
            drop(r);

            let s = Arc::new($sync::Semaphore::new(2));
            let p = s.acquire_many(2).await.unwrap();
            out.push(format!("no permits: {:?}", s.try_acquire().err()));
            drop(p);
            let op = s.clone().acquire_owned().await.unwrap();
            out.push(format!("owned permit: {}", op.num_permits()));
            s.close();
            out.push(format!(
                "closed: {:?}",
                s.acquire().await.err().map(|e| e.to_string())
            ));

            let n = $sync::Notify::new();
            n.notify_one();
            n.notified().await;
            let b = $sync::Barrier::new(1);
            out.push(format!("leader: {}", b.wait().await.is_leader()));
            let c = $sync::OnceCell::new();
            out.push(format!("once: {}", c.get_or_init(|| async { 5 }).await));

            let (tx, mut rx) = $sync::mpsc::channel(1);
            tx.send(1).await.unwrap();
            out.push(format!(
                "full: {:?}",
                tx.try_send(2).map_err(|e| e.to_string())
            ));
            out.push(format!("recv: {:?}", rx.recv().await));
            let permit = tx.reserve().await.unwrap();
            permit.send(3);
            out.push(format!("permit: {:?}", rx.try_recv()));
            drop(tx);
            out.push(format!("closed: {:?}", rx.recv().await));
            let (utx, mut urx) = $sync::mpsc::unbounded_channel();
            utx.send("u").unwrap();
            out.push(format!("unbounded: {:?}", urx.recv().await));
            let e: Result<(), $sync::mpsc::error::SendError<u8>> =
                Err($sync::mpsc::error::SendError(1));
            out.push(format!("send error: {:?}", e));

            let (otx, orx) = $sync::oneshot::channel();
            otx.send(7).unwrap();
            out.push(format!("oneshot: {:?}", orx.await));
            let (otx, orx) = $sync::oneshot::channel::<u8>();
            drop(otx);
            out.push(format!(
                "oneshot dropped: {:?}",
                orx.await.map_err(|e| e.to_string())
            ));

            let (btx, mut brx) = $sync::broadcast::channel(1);
            btx.send(1).unwrap();
            btx.send(2).unwrap();
            out.push(format!("lagged: {:?}", brx.recv().await));
            out.push(format!("then: {:?}", brx.recv().await));

            let (wtx, mut wrx) = $sync::watch::channel(0);
            wtx.send_modify(|v| *v += 4);
            wrx.changed().await.unwrap();
            out.push(format!("watch: {}", *wrx.borrow_and_update()));
            out.push(format!(
                "ref: {:?} {}",
                wrx.borrow(),
                wtx.borrow().has_changed()
            ));
            drop(wtx);
            out.push(format!("watch closed: {:?}", wrx.changed().await.is_err()));
            out
        }
    };
}

#[tokio::test]
async fn one_program_same_results() {
    let with_tokio = program!(tokio_sync).await;
    let with_peeps = program!(peeps_sync).await;
    assert_eq!(with_peeps, with_tokio);
    assert_eq!(with_peeps.len(), 25);
}

use tokio::sync as tokio_sync;
