//! Graph tests of the channels: waits, endpoint attribution and counters
//! (the oneshot's in graph_oneshot.rs).
#![cfg(feature = "diagnostics")]

mod support;

use peeps_graph::NodeKind;
use peeps_runtime::spawn_named;
use peeps_sync::{broadcast, mpsc, oneshot, watch};
use support::{Graph, endpoint_edges, eventually, held_by, waits_on};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mpsc_recv_wait_and_endpoint_attribution() {
    let (tx, mut rx) = mpsc::channel_named::<u32>("gc-jobs", 4);
    // Made here, never used yet: attributed to this (plain tokio) task,
    // unconfirmed.
    let g = Graph::take();
    let chan = g.node("gc-jobs");
    assert_eq!(chan.kind, NodeKind::Channel);
    let senders = endpoint_edges(&g, "gc-jobs", "sender");
    assert_eq!(senders.len(), 1);
    assert_eq!(senders[0].attrs.get("confirmed"), Some(&false.into()));
    assert_eq!(g.attr("gc-jobs", "flavor"), "mpsc");
    assert_eq!(g.attr("gc-jobs", "capacity"), 4);
    assert_eq!(g.attr("gc-jobs", "senders"), 1);
    assert_eq!(g.attr("gc-jobs", "receivers"), 1);
    assert_eq!(g.attr("gc-jobs", "closed"), false);
    assert_eq!(g.node("gc-jobs").state.as_deref(), Some("open"));

    let (got_tx, got_rx) = tokio::sync::oneshot::channel();
    let consumer = spawn_named("gc-consumer", async move {
        let first = rx.recv().await;
        got_tx.send(first).unwrap();
        let rest = rx.recv().await;
        (rx, rest)
    });
    let g = eventually(|g| {
        waits_on("gc-consumer", "gc-jobs")
            .op("recv")
            .target_kind(NodeKind::Channel)
            .check(g)
    })
    .await;
    // Receiving made the consumer the receiver's confirmed holder.
    held_by("gc-jobs", "gc-consumer")
        .as_("receiver")
        .confirmed(true)
        .assert_in(&g);

    let (sent_tx, sent_rx) = tokio::sync::oneshot::channel();
    let (end_tx, end_rx) = tokio::sync::oneshot::channel::<()>();
    let producer = spawn_named("gc-producer", async move {
        tx.send(1).await.unwrap();
        sent_tx.send(()).unwrap();
        end_rx.await.unwrap();
        drop(tx);
    });
    sent_rx.await.unwrap();
    assert_eq!(got_rx.await.unwrap(), Some(1));
    let g = eventually(|g| {
        held_by("gc-jobs", "gc-producer")
            .as_("sender")
            .confirmed(true)
            .check(g)
    })
    .await;
    assert_eq!(
        endpoint_edges(&g, "gc-jobs", "sender").len(),
        1,
        "the sender moved, not copied"
    );
    assert_eq!(g.attr("gc-jobs", "sent"), 1);
    assert!(g.attr("gc-jobs", "last_send_ms").is_u64());

    end_tx.send(()).unwrap();
    producer.await.unwrap();
    let (rx, rest) = consumer.await.unwrap();
    assert_eq!(rest, None);
    let g = Graph::take();
    assert_eq!(g.attr("gc-jobs", "senders"), 0);
    assert_eq!(g.attr("gc-jobs", "closed"), true);
    assert_eq!(g.attr("gc-jobs", "received"), 1);
    assert_eq!(g.attr("gc-jobs", "len"), 0);
    assert!(endpoint_edges(&g, "gc-jobs", "sender").is_empty());
    drop(rx);
    assert!(
        Graph::take().find("gc-jobs").is_err(),
        "the node leaves with the last endpoint"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mpsc_full_send_waits_on_the_channel() {
    let (tx, mut rx) = mpsc::channel::<u8>(1);
    let tx = tx.named("gc-full");
    tx.send(0).await.unwrap();
    let producer = spawn_named("gc-full-producer", async move {
        tx.send(1).await.unwrap();
        tx.send(2).await.unwrap();
    });
    let g = eventually(|g| waits_on("gc-full-producer", "gc-full").op("send").check(g)).await;
    assert_eq!(g.attr("gc-full", "len"), 1);
    assert_eq!(g.attr("gc-full", "waiters"), 1);
    assert_eq!(rx.recv().await, Some(0));
    assert_eq!(rx.recv().await, Some(1));
    assert_eq!(rx.recv().await, Some(2));
    producer.await.unwrap();
    let g = Graph::take();
    assert_eq!(g.attr("gc-full", "waiters"), 0);
    assert_eq!(g.attr("gc-full", "sent"), 3);
    assert_eq!(g.attr("gc-full", "received"), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unbounded_clone_is_attributed_to_the_cloner() {
    let (tx, mut rx) = mpsc::unbounded_channel_named::<u8>("gc-unb");
    let (cloned_tx, cloned_rx) = tokio::sync::oneshot::channel();
    let (end_tx, end_rx) = tokio::sync::oneshot::channel::<()>();
    let cloner = spawn_named("gc-unb-cloner", async move {
        let mine = tx.clone();
        cloned_tx.send(()).unwrap();
        end_rx.await.unwrap();
        drop((tx, mine));
    });
    cloned_rx.await.unwrap();
    let g = eventually(|g| {
        let edges = g.edges(
            peeps_graph::EdgeKind::HeldBy,
            g.find("gc-unb")?,
            g.find("gc-unb-cloner")?,
        );
        // The sender moved in at spawn, used there by its clone (a clone
        // is a use of the handle cloned), and the clone made there; both
        // found in the cloner's own state while it waits.
        let mut seen: Vec<(&str, bool, &str)> = edges
            .iter()
            .map(|e| {
                (
                    e.attrs["evidence"].as_str().unwrap_or(""),
                    e.attrs.get("in_state") == Some(&true.into()),
                    e.attrs["as"].as_str().unwrap_or(""),
                )
            })
            .collect();
        seen.sort();
        if seen == [("made", true, "sender"), ("used", true, "sender")] {
            Ok(())
        } else {
            Err(format!("held_by edges to the cloner: {seen:?}"))
        }
    })
    .await;
    assert_eq!(g.attr("gc-unb", "flavor"), "mpsc_unbounded");
    assert_eq!(g.attr("gc-unb", "senders"), 2);
    assert_eq!(g.attr("gc-unb", "capacity"), serde_json::Value::Null);
    end_tx.send(()).unwrap();
    cloner.await.unwrap();
    assert_eq!(rx.recv().await, None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn broadcast_and_watch_waits() {
    let (btx, mut brx) = broadcast::channel_named::<u8>("gc-bcast", 2);
    let b = spawn_named("gc-bcast-rx", async move { brx.recv().await });
    let (wtx, mut wrx) = watch::channel_named("gc-watch", 0u8);
    let w = spawn_named("gc-watch-rx", async move {
        wrx.changed().await.unwrap();
        *wrx.borrow_and_update()
    });
    let g = eventually(|g| {
        support::all(&[
            waits_on("gc-bcast-rx", "gc-bcast").op("recv").check(g),
            waits_on("gc-watch-rx", "gc-watch").op("changed").check(g),
        ])
    })
    .await;
    assert_eq!(g.attr("gc-bcast", "flavor"), "broadcast");
    assert_eq!(g.attr("gc-bcast", "capacity"), 2);
    assert_eq!(g.attr("gc-watch", "flavor"), "watch");
    assert_eq!(
        g.attr("gc-bcast", "len"),
        serde_json::Value::Null,
        "no len for broadcast"
    );
    btx.send(4).unwrap();
    wtx.send(5).unwrap();
    assert_eq!(b.await.unwrap(), Ok(4));
    assert_eq!(w.await.unwrap(), 5);
    let g = Graph::take();
    assert_eq!(g.attr("gc-bcast", "sent"), 1);
    assert_eq!(g.attr("gc-bcast", "received"), 1);
    assert_eq!(g.attr("gc-bcast", "receivers"), 0);
    assert_eq!(g.attr("gc-watch", "received"), 1);
}

/// Slots reserved by live permits are counted (`reserved`) from the
/// reservation until each permit is used, released or dropped, whichever
/// kind of permit holds it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mpsc_reserved_slots_counted_until_used() {
    let (tx, mut rx) = mpsc::channel_named::<u8>("gc-reserved", 4);
    let reserved = |n: u64| {
        let got = Graph::take().attr("gc-reserved", "reserved");
        let want = if n == 0 {
            serde_json::Value::Null
        } else {
            n.into()
        };
        assert_eq!(got, want, "reserved slots");
    };
    reserved(0);

    let permit = tx.reserve().await.unwrap();
    reserved(1);
    permit.send(1);
    reserved(0);
    assert_eq!(Graph::take().attr("gc-reserved", "len"), 1);

    let permit = tx.try_reserve().unwrap();
    reserved(1);
    drop(permit);
    reserved(0);

    let mut many = tx.reserve_many(3).await.unwrap();
    reserved(3);
    let first = many.next().unwrap();
    drop(many);
    reserved(1);
    first.send(2);
    reserved(0);

    let owned = tx.clone().reserve_owned().await.unwrap();
    reserved(1);
    let back = owned.release();
    reserved(0);
    let owned = back.reserve_owned().await.unwrap();
    reserved(1);
    let back = owned.send(3);
    reserved(0);
    let owned = back.try_reserve_owned().unwrap();
    reserved(1);
    drop(owned);
    reserved(0);

    assert_eq!(rx.recv().await, Some(1));
    assert_eq!(rx.recv().await, Some(2));
    assert_eq!(rx.recv().await, Some(3));
    let g = Graph::take();
    assert_eq!(g.attr("gc-reserved", "len"), 0);
    assert_eq!(g.attr("gc-reserved", "sent"), 3);
}

/// A sender handed to a plain `tokio::spawn` through `handed_off` (what
/// `#[peeps::instrument]` does with a spawn call's arguments) is held by
/// nothing drawn until peeps sees it again: still counted, no `held_by`
/// edge naming the task that made it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sender_handed_off_to_a_plain_spawn_is_drawn_held_by_nobody() {
    use peeps_runtime::__private::ownership::handed_off;
    let (tx, mut rx) = mpsc::channel_named::<u8>("gc-handed", 1);
    assert_eq!(
        endpoint_edges(&Graph::take(), "gc-handed", "sender").len(),
        1
    );
    let (go_tx, go_rx) = tokio::sync::oneshot::channel::<()>();
    let worker = tokio::spawn(handed_off(async move {
        go_rx.await.unwrap();
        tx.send(1).await.unwrap();
    }));
    let g = Graph::take();
    assert!(
        endpoint_edges(&g, "gc-handed", "sender").is_empty(),
        "{}",
        g.dump()
    );
    assert_eq!(g.attr("gc-handed", "senders"), 1);
    go_tx.send(()).unwrap();
    assert_eq!(rx.recv().await, Some(1));
    worker.await.unwrap();
}

/// Workers share a receiver as `Arc<Mutex<Receiver>>`: it is kept in the
/// mutex (its `held_by` edge points at the lock, `shared`). Kept on the
/// heap behind the lock (`Mutex<Box<Receiver>>`, which peeps does not
/// read), its `held_by` edge is `shared` and names the mutex every use was
/// made under (`guarded_by`); a sender shared through an `Arc` and used
/// with no lock held names none.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_receiver_shared_behind_a_mutex_names_that_mutex() {
    let (tx, rx) = mpsc::channel_named::<u32>("gd-jobs", 8);
    let rx = std::sync::Arc::new(peeps_sync::Mutex::new(rx).named("gd-queue"));
    let (boxed_tx, boxed_rx) = mpsc::channel_named::<u32>("gd-boxed-jobs", 8);
    let boxed_rx =
        std::sync::Arc::new(peeps_sync::Mutex::new(Box::new(boxed_rx)).named("gd-boxed"));
    let tx = std::sync::Arc::new(tx);
    for n in 0..4 {
        tx.send(n).await.unwrap();
        boxed_tx.send(n).await.unwrap();
    }
    let (done_tx, mut done_rx) = tokio::sync::mpsc::unbounded_channel();
    for name in ["gd-worker-1", "gd-worker-2"] {
        let (rx, boxed_rx, tx, done) = (rx.clone(), boxed_rx.clone(), tx.clone(), done_tx.clone());
        spawn_named(name, async move {
            for _ in 0..2 {
                let job = rx.lock().await.recv().await.unwrap();
                boxed_rx.lock().await.recv().await.unwrap();
                tx.send(job + 10).await.unwrap();
            }
            done.send(()).unwrap();
            std::future::pending::<()>().await;
        });
    }
    for _ in 0..2 {
        done_rx.recv().await.unwrap();
    }
    let g = eventually(|g| {
        let queue = g.find("gd-queue")?.id;
        let boxed = g.find("gd-boxed")?.id;
        match endpoint_edges(g, "gd-jobs", "receiver").as_slice() {
            [r] if r.to == queue => {}
            other => return Err(format!("receiver edges: {other:?}")),
        }
        match endpoint_edges(g, "gd-boxed-jobs", "receiver").as_slice() {
            [r] if r.attrs.get("guarded_by").and_then(|v| v.as_u64()) == Some(boxed) => Ok(()),
            other => Err(format!("boxed receiver edges: {other:?}")),
        }
    })
    .await;
    for chan in ["gd-jobs", "gd-boxed-jobs"] {
        let receivers = endpoint_edges(&g, chan, "receiver");
        assert_eq!(receivers[0].attrs["evidence"], "shared", "{}", g.dump());
    }
    let senders = endpoint_edges(&g, "gd-jobs", "sender");
    assert!(
        senders.iter().all(|s| s.attrs.get("guarded_by").is_none()),
        "{}",
        g.dump()
    );
    drop(boxed_tx);
}

/// The event bus of a service: a task sends on its channel, then keeps
/// the sender in a `static` for every task to publish through, and reads
/// it. The bytes the sender was moved out of stay in the task's state, but
/// a sender found in static memory is anyone's: `shared`, not proof that
/// the reading task holds it (which would make its receive a deadlock with
/// itself).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sender_kept_in_a_static_is_shared() {
    static BUS: std::sync::OnceLock<mpsc::Sender<u32>> = std::sync::OnceLock::new();
    spawn_named("st-log", async move {
        let (tx, mut rx) = mpsc::channel_named::<u32>("st-bus", 8);
        tx.send(1).await.unwrap();
        BUS.set(tx).expect("set once");
        while rx.recv().await.is_some() {}
    });
    let g = eventually(|g| {
        g.find("st-bus")?;
        match endpoint_edges(g, "st-bus", "sender").as_slice() {
            [s] if s.attrs.get("evidence").and_then(|v| v.as_str()) == Some("shared") => Ok(()),
            other => Err(format!("sender edges: {other:?}")),
        }
    })
    .await;
    let senders = endpoint_edges(&g, "st-bus", "sender");
    assert!(senders[0].attrs.get("in_state").is_none(), "{}", g.dump());
}

/// A sender put in a watch's value (`send_replace`), or sent in a
/// broadcast message, is anyone's: every receiver may clone it. `shared`,
/// held by that channel, though its maker used it and the bytes it was
/// moved out of stay in its state (a supervisor publishing a restarted
/// actor's fresh inbox, then joining the actor). Replaced, it is the
/// caller's again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sender_published_in_a_watch_or_a_broadcast_is_shared() {
    let (sink, sink_rx) = watch::channel_named::<Option<mpsc::Sender<u32>>>("pub-sink", None);
    let (news, mut news_rx) = broadcast::channel_named::<Option<mpsc::Sender<u32>>>("pub-news", 4);
    let (taken_tx, taken_rx) = oneshot::channel::<()>();
    spawn_named("pub-supervisor", async move {
        let (tx, mut rx) = mpsc::channel_named::<u32>("pub-lines", 8);
        tx.send(1).await.unwrap();
        sink.send_replace(Some(tx));
        let (tx2, mut rx2) = mpsc::channel_named::<u32>("pub-alerts", 8);
        tx2.send(1).await.unwrap();
        news.send(Some(tx2)).unwrap();
        // Take the first back: the supervisor's own again.
        let _ = taken_rx.await;
        let back = sink.send_replace(None).expect("the sender");
        while rx.recv().await.is_some() && rx2.recv().await.is_some() {}
        drop((back, news));
    });
    let _keep = (sink_rx, news_rx.resubscribe());
    eventually(|g| {
        g.find("pub-alerts")?;
        sender_shared_at(g, "pub-lines", "pub-sink")?;
        sender_shared_at(g, "pub-alerts", "pub-news")
    })
    .await;
    taken_tx.send(()).unwrap();
    let g = eventually(
        |g| match endpoint_edges(g, "pub-lines", "sender").as_slice() {
            [s] if s.attrs.get("evidence").and_then(|v| v.as_str()) == Some("returned") => Ok(()),
            other => Err(format!("pub-lines sender edges: {other:?}")),
        },
    )
    .await;
    let supervisor = g.node("pub-supervisor").id;
    assert_eq!(
        endpoint_edges(&g, "pub-lines", "sender")[0].to,
        supervisor,
        "{}",
        g.dump()
    );
    let _ = news_rx.try_recv();
}

/// A sender put in a lock's value — as the lock is made, through a mutex or
/// write guard, a blocking lock's guard — is kept there: shared, held by
/// that lock, though its maker used it and the bytes it was moved out of
/// stay in its state (a supervisor swapping a restarted actor's fresh
/// inbox into an `RwLock`, then joining the actor). A use under the lock
/// leaves it there.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sender_put_in_a_lock_is_kept_there() {
    use peeps_sync::{Mutex, RwLock, blocking};
    use std::sync::Arc;
    let (first, mut first_rx) = mpsc::channel_named::<u32>("kept-first", 8);
    let made = Arc::new(Mutex::new(Some(first)).named("kept-made"));
    let slot = Arc::new(Mutex::new(None::<mpsc::Sender<u32>>).named("kept-slot"));
    let (placeholder, _placeholder_rx) = mpsc::channel::<u32>(1);
    let current = Arc::new(RwLock::new(placeholder).named("kept-current"));
    let parked = Arc::new(blocking::Mutex::new(None::<mpsc::Sender<u32>>).named("kept-parked"));
    let (go_tx, go_rx) = oneshot::channel::<()>();
    let (s, c, p) = (slot.clone(), current.clone(), parked.clone());
    spawn_named("kept-supervisor", async move {
        let (tx, mut rx) = mpsc::channel_named::<u32>("kept-lines", 8);
        tx.send(1).await.unwrap();
        *s.lock().await = Some(tx);
        let (tx2, mut rx2) = mpsc::channel_named::<u32>("kept-inbox", 8);
        tx2.send(1).await.unwrap();
        *c.write().await = tx2;
        let (tx3, mut rx3) = mpsc::channel_named::<u32>("kept-jobs", 8);
        tx3.send(1).await.unwrap();
        *p.lock() = Some(tx3);
        let _ = go_rx.await;
        while rx.recv().await.is_some() && rx2.recv().await.is_some() && rx3.recv().await.is_some()
        {
        }
    });
    eventually(|g| {
        g.find("kept-jobs")?;
        sender_shared_at(g, "kept-first", "kept-made")?;
        sender_shared_at(g, "kept-lines", "kept-slot")?;
        sender_shared_at(g, "kept-inbox", "kept-current")?;
        sender_shared_at(g, "kept-jobs", "kept-parked")
    })
    .await;
    // Used in place, under the lock, by another task: still kept there.
    let (s, c, m) = (slot.clone(), current.clone(), made.clone());
    spawn_named("kept-user", async move {
        s.lock()
            .await
            .as_ref()
            .expect("the sender")
            .send(2)
            .await
            .unwrap();
        c.read().await.send(2).await.unwrap();
        m.lock()
            .await
            .as_ref()
            .expect("the sender")
            .send(2)
            .await
            .unwrap();
    })
    .await
    .unwrap();
    assert_eq!(first_rx.recv().await, Some(2));
    eventually(|g| {
        sender_shared_at(g, "kept-first", "kept-made")?;
        sender_shared_at(g, "kept-lines", "kept-slot")?;
        sender_shared_at(g, "kept-inbox", "kept-current")
    })
    .await;
    go_tx.send(()).unwrap();
    drop((slot, current, made, parked));
}

/// `Ok` when channel `chan` has one sender, `shared` and held by the node
/// named `place` (the channel or lock it was published at).
fn sender_shared_at(g: &Graph, chan: &str, place: &str) -> Result<(), String> {
    let place = g.find(place)?.id;
    match endpoint_edges(g, chan, "sender").as_slice() {
        [s] if s.attrs.get("evidence").and_then(|v| v.as_str()) == Some("shared")
            && s.to == place =>
        {
            Ok(())
        }
        other => Err(format!("{chan} sender edges: {other:?}")),
    }
}

/// A task spawned after another was given a receiver can carry stale
/// bytes of it: its future is built where the first one was, and a
/// spawn's scan reads the parts of an unstarted future nothing wrote yet.
/// peeps then takes the receiver to have moved into the second task; the
/// first, still receiving on it, takes it back at its next use (its use's
/// fast path is only for a last user with no move since).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stale_copy_moved_by_a_spawn_goes_back_to_the_user() {
    use std::mem::MaybeUninit;
    let (tx, mut rx) = mpsc::channel_named::<u32>("stale-requests", 8);
    let (go_tx, mut go_rx) = tokio::sync::mpsc::unbounded_channel::<()>();
    let (copy_tx, copy_rx) = tokio::sync::oneshot::channel();
    spawn_named("stale-resolver", async move {
        assert_eq!(rx.recv().await, Some(1));
        // The receiver's bytes, as a future built over them would hold
        // them: not an owner (never dropped, never used).
        // SAFETY: a bitwise copy kept as `MaybeUninit`, never read as a
        // receiver nor dropped.
        let bytes: MaybeUninit<mpsc::Receiver<u32>> =
            unsafe { std::ptr::read(&rx as *const mpsc::Receiver<u32> as *const _) };
        assert!(copy_tx.send(bytes).is_ok(), "the test waits for the copy");
        go_rx.recv().await;
        while rx.recv().await.is_some() {}
    });
    tx.send(1).await.unwrap();
    let bytes = copy_rx.await.unwrap();
    let holder_of = |g: &Graph| -> Result<String, String> {
        match endpoint_edges(g, "stale-requests", "receiver").as_slice() {
            [e] => g
                .snap
                .nodes
                .iter()
                .find(|n| n.id == e.to)
                .map(|n| n.name.clone())
                .ok_or_else(|| format!("no holder node: {e:?}")),
            other => Err(format!("receiver edges: {other:?}")),
        }
    };
    eventually(|g| {
        (holder_of(g)? == "stale-resolver")
            .then_some(())
            .ok_or("not yet".into())
    })
    .await;
    // A task whose future holds the stale bytes (and something to drop,
    // as a real future does): its spawn's scan moves the receiver to it.
    let keep = String::from("alive");
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    spawn_named("stale-copycat", async move {
        let _bytes = bytes;
        let _ = stop_rx.await;
        drop(keep);
    });
    eventually(|g| {
        (holder_of(g)? == "stale-copycat")
            .then_some(())
            .ok_or("not yet".into())
    })
    .await;
    // The resolver receives again: the receiver is its own once more.
    go_tx.send(()).unwrap();
    tx.send(2).await.unwrap();
    eventually(|g| {
        (holder_of(g)? == "stale-resolver")
            .then_some(())
            .ok_or("not yet".into())
    })
    .await;
    stop_tx.send(()).unwrap();
}

/// The node of the first waiter on the node `id` of `g`, if one waits.
fn waiter_of(g: &Graph, id: peeps_graph::NodeId) -> Option<&peeps_graph::Node> {
    g.snap.edges.iter().find_map(|e| {
        (e.to == id && e.kind == peeps_graph::EdgeKind::WaitsOn)
            .then(|| g.snap.nodes.iter().find(|n| n.id == e.from))
            .flatten()
    })
}

/// The `waker_clones` of the root of kind `kind` waiting on channel
/// `chan`, once one does and its count shows (the count shows just after
/// the wait itself: the first note learns tokio's vtable on a thread of
/// its own) and reads the same five times in a row (a snapshot taken
/// inside the poll that made the wait may come before a timer beside it
/// in the same `select!` is polled). Blocks its thread.
fn clones_of_waiter(chan: &'static str, kind: NodeKind) -> Option<u64> {
    let mut last: Option<(u64, u32)> = None;
    for _ in 0..3000 {
        let g = Graph::take();
        let Ok(ch) = g.find(chan) else {
            std::thread::sleep(std::time::Duration::from_millis(10));
            continue;
        };
        let waiter = waiter_of(&g, ch.id);
        if let Some(n) = waiter.filter(|n| n.kind == kind)
            && let Some(c) = n.attrs.get("waker_clones").and_then(|v| v.as_u64())
        {
            let same = last.filter(|&(was, _)| was == c).map_or(1, |(_, n)| n + 1);
            if same == 5 {
                return Some(c);
            }
            last = Some((c, same));
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    last.map(|(c, _)| c)
}

/// The waker count of a thread's `block_on` root (`waker_clones`), read
/// from tokio's parked-thread waker: one clone while it waits on one
/// receive, two when a timer is in the same `select!`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_block_on_threads_waker_clones_are_counted() {
    let probe_thread = |chan| std::thread::spawn(move || clones_of_waiter(chan, NodeKind::Thread));
    let (tx, mut rx) = mpsc::channel_named::<u32>("tw-alone", 1);
    let probe = probe_thread("tw-alone");
    let sender = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(300));
        tx.blocking_send(1).unwrap();
    });
    assert_eq!(rx.recv().await, Some(1));
    assert_eq!(probe.join().unwrap(), Some(1), "one receive, nothing else");
    sender.join().unwrap();

    let (tx, mut rx) = mpsc::channel_named::<u32>("tw-beside-timer", 1);
    let probe = probe_thread("tw-beside-timer");
    let sender = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(300));
        tx.blocking_send(1).unwrap();
    });
    tokio::select! {
        got = rx.recv() => assert_eq!(got, Some(1)),
        _ = tokio::time::sleep(std::time::Duration::from_secs(600)) => unreachable!(),
    }
    assert_eq!(probe.join().unwrap(), Some(2), "a receive and a timer");
    sender.join().unwrap();
}

/// The lines of the sites thread root `thread` (its node's name) lost a
/// race at (`raced_at`), once it waits on channel `chan`. Blocks.
fn raced_lines(thread: &str, chan: &str) -> Vec<u32> {
    for _ in 0..3000 {
        let g = Graph::take();
        if let (Ok(root), Ok(ch)) = (g.find(thread), g.find(chan))
            && g.snap
                .edges
                .iter()
                .any(|e| e.from == root.id && e.to == ch.id)
        {
            let sites = root
                .attrs
                .get("raced_at")
                .and_then(|v| v.as_array())
                .cloned();
            return sites
                .unwrap_or_default()
                .iter()
                .filter_map(|s| s.as_str()?.rsplit(':').nth(1)?.parse().ok())
                .collect();
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    panic!("{thread} never waited on {chan}");
}

/// A thread's `block_on` root under a current-thread runtime (a waker
/// peeps cannot count) keeps the site of a receive it dropped, pending
/// across a wake (polled again, or made 30 ms before), when a timer in the
/// same `select!` won (`raced_at`);
/// not of one that lost to another peeps receive, nor of one dropped in
/// the poll that made it (the other branch was ready at once), nor of the
/// wait it makes now.
#[test]
fn a_thread_root_keeps_the_sites_it_lost_to_the_unseen() {
    let (tx, mut rx) = mpsc::channel_named::<u32>("rc-commands", 1);
    let (other_tx, mut other_rx) = mpsc::channel_named::<u32>("rc-other", 1);
    let (last_tx, mut last_rx) = mpsc::channel_named::<u32>("rc-last", 1);
    let (lines_tx, lines_rx) = std::sync::mpsc::channel();
    let net = std::thread::Builder::new()
        .name("rc-net".into())
        .spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async move {
                // Lost to a timer, after a wake, polled again: kept.
                let timer_line = line!() + 3;
                for _ in 0..2 {
                    tokio::select! { biased;
                        _ = rx.recv() => unreachable!(),
                        _ = tokio::time::sleep(std::time::Duration::from_millis(30)) => {}
                    }
                }
                // Lost to a timer polled first, not polled again, but made
                // in an earlier poll (30 ms old): kept.
                let timer_first_line = line!() + 3;
                tokio::select! { biased;
                    _ = tokio::time::sleep(std::time::Duration::from_millis(30)) => {}
                    _ = rx.recv() => unreachable!(),
                }
                // Lost to a peeps receive that completed: not kept.
                let other_line = line!() + 2;
                tokio::select! { biased;
                    _ = rx.recv() => unreachable!(),
                    got = other_rx.recv() => assert_eq!(got, Some(1)),
                }
                // Lost in the poll that made it: not kept.
                let ready_line = line!() + 2;
                tokio::select! { biased;
                    _ = rx.recv() => unreachable!(),
                    () = std::future::ready(()) => {}
                }
                lines_tx
                    .send([timer_line, timer_first_line, other_line, ready_line])
                    .unwrap();
                assert_eq!(last_rx.recv().await, Some(1));
                drop(tx);
            });
        })
        .unwrap();
    // The second select's peeps receive wins once its receive is pending.
    let waiting = |chan: &str| {
        for _ in 0..3000 {
            let g = Graph::take();
            if let Ok(ch) = g.find(chan)
                && g.snap
                    .edges
                    .iter()
                    .any(|e| e.to == ch.id && e.kind == peeps_graph::EdgeKind::WaitsOn)
            {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        panic!("nobody waited on {chan}");
    };
    waiting("rc-other");
    other_tx.blocking_send(1).unwrap();
    let [timer_line, timer_first_line, other_line, ready_line] = lines_rx.recv().unwrap();
    let raced = raced_lines("thread rc-net", "rc-last");
    last_tx.blocking_send(1).unwrap();
    net.join().unwrap();
    assert_eq!(
        raced,
        [timer_line, timer_first_line],
        "other {other_line}, ready {ready_line}"
    );
}

/// The waker count of a plain tokio task (`waker_clones`), read from
/// tokio's task header: one clone while it waits on one receive, whether
/// its `JoinHandle` is kept or dropped; two when a timer is in the same
/// `select!`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plain_tasks_waker_clones_are_counted() {
    let probe = |chan| tokio::task::spawn_blocking(move || clones_of_waiter(chan, NodeKind::Task));

    let (tx, mut rx) = mpsc::channel_named::<u32>("pw-alone", 1);
    let task = tokio::spawn(async move { rx.recv().await });
    assert_eq!(
        probe("pw-alone").await.unwrap(),
        Some(1),
        "one receive, nothing else"
    );
    tx.send(1).await.unwrap();
    assert_eq!(task.await.unwrap(), Some(1));

    let (tx, mut rx) = mpsc::channel_named::<u32>("pw-detached", 1);
    let (done_tx, done_rx) = tokio::sync::oneshot::channel();
    drop(tokio::spawn(async move {
        let _ = done_tx.send(rx.recv().await);
    }));
    assert_eq!(
        probe("pw-detached").await.unwrap(),
        Some(1),
        "its JoinHandle dropped"
    );
    tx.send(2).await.unwrap();
    assert_eq!(done_rx.await.unwrap(), Some(2));

    let (tx, mut rx) = mpsc::channel_named::<u32>("pw-beside-timer", 1);
    let task = tokio::spawn(async move {
        tokio::select! {
            got = rx.recv() => got,
            _ = tokio::time::sleep(std::time::Duration::from_secs(600)) => None,
        }
    });
    assert_eq!(
        probe("pw-beside-timer").await.unwrap(),
        Some(2),
        "a receive and a timer"
    );
    tx.send(3).await.unwrap();
    assert_eq!(task.await.unwrap(), Some(3));
}

/// The `woken` of the plain task waiting on channel `chan`, once one does
/// and shows it `want`; the last seen otherwise. Blocks its thread.
fn woken_of_waiter(chan: &'static str, want: bool) -> Option<bool> {
    let mut last = None;
    for _ in 0..3000 {
        let g = Graph::take();
        if let Ok(ch) = g.find(chan) {
            let waiter = waiter_of(&g, ch.id);
            last = waiter
                .filter(|n| n.kind == NodeKind::Task)
                .and_then(|n| n.attrs.get("woken")?.as_bool());
            if last == Some(want) {
                return last;
            }
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    last
}

/// A plain tokio task whose waker peeps reads shows `woken`: false while
/// it waits, true once a send has queued it to run (tokio's `NOTIFIED`)
/// and its runtime's one thread is busy elsewhere.
#[test]
fn a_plain_task_queued_to_run_shows_woken() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let (tx, mut rx) = mpsc::channel_named::<u32>("pw-queued", 1);
        let task = tokio::spawn(async move { rx.recv().await });
        let waiting = std::thread::spawn(|| woken_of_waiter("pw-queued", false));
        // Awaiting lets the task run and wait.
        let waiting = tokio::task::spawn_blocking(move || waiting.join().unwrap())
            .await
            .unwrap();
        assert_eq!(waiting, Some(false), "waiting, not woken");
        tx.try_send(7).unwrap();
        // This thread, the runtime's only one, does not return to the
        // scheduler while the other looks: the task stays queued.
        let queued = std::thread::spawn(|| woken_of_waiter("pw-queued", true))
            .join()
            .unwrap();
        assert_eq!(queued, Some(true), "queued to run");
        assert_eq!(task.await.unwrap(), Some(7));
    });
}

/// The holder of the one `held_by` edge of `chan`'s `how` end, with its
/// evidence, once there is one.
fn holder_and_evidence(g: &Graph, chan: &str, how: &str) -> Result<(String, String), String> {
    match endpoint_edges(g, chan, how).as_slice() {
        [e] => {
            let holder = g
                .snap
                .nodes
                .iter()
                .find(|n| n.id == e.to)
                .ok_or("no holder node")?;
            let evidence = e
                .attrs
                .get("evidence")
                .and_then(|v| v.as_str())
                .unwrap_or("");
            Ok((holder.name.clone(), evidence.to_string()))
        }
        other => Err(format!("{how} edges: {other:?}")),
    }
}

/// The check that `chan`'s receiver is held `shared`.
fn receiver_is_shared(chan: &'static str) -> impl FnMut(&Graph) -> Result<(), String> {
    move |g| match holder_and_evidence(g, chan, "receiver")? {
        (_, ev) if ev == "shared" => Ok(()),
        other => Err(format!("not yet: {other:?}")),
    }
}

/// A receiver moved into a plain `tokio::spawn` block and used there is
/// that task's (`used`): tokio keeps the block in the task's cell, which
/// peeps finds. One the task uses through an `Arc` is `shared`, and so is
/// one inside a future tokio boxed because it is large (a miss, never a
/// wrong holder).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_receiver_moved_into_a_plain_task_is_used_by_it() {
    let (tx, mut rx) = mpsc::channel_named::<u32>("pc-moved", 1);
    let task = tokio::spawn(async move { rx.recv().await });
    // The task waiting to receive holds the receiver, as its user.
    eventually(|g| {
        let (holder, ev) = holder_and_evidence(g, "pc-moved", "receiver")?;
        let chan = g.node("pc-moved").id;
        let waiter = g
            .snap
            .edges
            .iter()
            .find(|e| e.kind == peeps_graph::EdgeKind::WaitsOn && e.to == chan)
            .and_then(|e| g.snap.nodes.iter().find(|n| n.id == e.from))
            .ok_or("no wait yet")?;
        (ev == "used" && holder == waiter.name && holder.starts_with("tokio task "))
            .then_some(())
            .ok_or(format!(
                "held by {holder} ({ev}), waited on by {}",
                waiter.name
            ))
    })
    .await;
    tx.send(1).await.unwrap();
    assert_eq!(task.await.unwrap(), Some(1));

    let (tx, rx) = mpsc::channel_named::<u32>("pc-arc", 1);
    let rx = std::sync::Arc::new(tokio::sync::Mutex::new(rx));
    let task = tokio::spawn(async move { rx.lock().await.recv().await });
    eventually(receiver_is_shared("pc-arc")).await;
    tx.send(2).await.unwrap();
    assert_eq!(task.await.unwrap(), Some(2));

    let (tx, mut rx) = mpsc::channel_named::<u32>("pc-boxed", 1);
    let task = tokio::spawn(async move {
        // Over tokio's boxing threshold in any build (16 KiB in release).
        let ballast = std::hint::black_box([1u8; 20_000]);
        let got = rx.recv().await;
        got.map(|v| v + u32::from(ballast[0]))
    });
    eventually(receiver_is_shared("pc-boxed")).await;
    tx.send(2).await.unwrap();
    assert_eq!(task.await.unwrap(), Some(3));
}

/// The check that task `holder` waits to receive on `chan`, whose one
/// sender it holds with `evidence`, in one snapshot.
fn waits_on_own_sender(
    chan: &'static str,
    holder: &'static str,
    evidence: &'static str,
) -> impl FnMut(&Graph) -> Result<(), String> {
    move |g| {
        waits_on(holder, chan).op("recv").check(g)?;
        match holder_and_evidence(g, chan, "sender")? {
            (h, ev) if h == holder && ev == evidence => Ok(()),
            other => Err(format!("not yet: {other:?}")),
        }
    }
}

/// A session primes its own channel with a send and files its sender in a
/// map on the heap before it waits on the receiver: the sender's bytes
/// stay in its state, but its mark lies in the map too, so the snapshot
/// takes back the proof of the use (`shared`, no holder proven). Its twin
/// keeps the sender in its state and waits on itself: `used`, proven.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_used_sender_its_waiting_holder_filed_on_the_heap_proves_nothing() {
    let sessions = std::sync::Arc::new(std::sync::Mutex::new(std::collections::HashMap::new()));
    let map = sessions.clone();
    spawn_named("heap-filer", async move {
        let (tx, mut rx) = mpsc::channel_named::<u32>("heap-filed", 4);
        tx.send(1).await.unwrap();
        map.lock().unwrap().insert(1u32, tx);
        while rx.recv().await.is_some() {}
    });
    eventually(waits_on_own_sender("heap-filed", "heap-filer", "shared")).await;
    let filed = sessions.lock().unwrap().remove(&1).expect("filed");
    filed.send(2).await.unwrap();

    spawn_named("heap-keeper", async move {
        let (tx, mut rx) = mpsc::channel_named::<u32>("heap-kept", 4);
        tx.send(1).await.unwrap();
        while rx.recv().await.is_some() {}
        drop(tx);
    });
    let mut kept = waits_on_own_sender("heap-kept", "heap-keeper", "used");
    eventually(&mut kept).await;
    for _ in 0..3 {
        kept(&Graph::take()).expect("a kept sender stays proven");
    }
}

/// A sender moved into a plain `tokio::spawn` block that has not used it
/// yet (it waits on something else first) is found in the task's cell by a
/// snapshot: held by that task, `in_state`, not by its maker.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sender_moved_into_a_waiting_plain_task_is_found_in_its_cell() {
    let (tx, mut rx) = mpsc::channel_named::<u32>("pc-found", 1);
    let (go_tx, mut go_rx) = mpsc::channel_named::<()>("pc-found-go", 1);
    let task = tokio::spawn(async move {
        go_rx.recv().await;
        tx.send(7).await.unwrap();
    });
    eventually(|g| {
        let (holder, ev) = holder_and_evidence(g, "pc-found", "sender")?;
        let in_state = endpoint_edges(g, "pc-found", "sender")[0]
            .attrs
            .get("in_state")
            == Some(&true.into());
        (holder.starts_with("tokio task ") && ev == "made" && in_state)
            .then_some(())
            .ok_or(format!("held by {holder} ({ev}), in state: {in_state}"))
    })
    .await;
    go_tx.send(()).await.unwrap();
    assert_eq!(rx.recv().await, Some(7));
    task.await.unwrap();
}

/// A thread root whose poll blocks in a read or a sleep beside a pinned
/// peeps receive (still registered, pending) is busy (`thread_busy`):
/// inside its poll, not waiting; parked in its `block_on`, it is not.
#[test]
fn a_thread_root_sleeping_inside_its_poll_is_busy() {
    let busy_while = |sleep_in_poll: bool| {
        let (tx, mut rx) = mpsc::channel_named::<u32>("busy-commands", 1);
        let (done, finished) = std::sync::mpsc::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("busy-reader".into())
            .spawn(move || {
                let runtime = tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(1)
                    .enable_all()
                    .build()
                    .unwrap();
                runtime.block_on(async move {
                    let recv = rx.recv();
                    tokio::pin!(recv);
                    // Registers the receive, pending.
                    let pending = std::future::poll_fn(|cx| {
                        std::task::Poll::Ready(recv.as_mut().poll(cx).is_pending())
                    })
                    .await;
                    assert!(pending);
                    if sleep_in_poll {
                        // A blocking read (here a sleep), inside the poll.
                        while finished.try_recv() == Err(std::sync::mpsc::TryRecvError::Empty) {
                            std::thread::sleep(std::time::Duration::from_millis(20));
                        }
                    } else {
                        drop(finished);
                        let _ = recv.await;
                    }
                })
            })
            .unwrap();
        let mut busy = None;
        for _ in 0..3000 {
            let g = Graph::take();
            if let Ok(t) = g.find("thread busy-reader")
                && g.snap
                    .edges
                    .iter()
                    .any(|e| e.from == t.id && e.kind == peeps_graph::EdgeKind::WaitsOn)
            {
                std::thread::sleep(std::time::Duration::from_millis(100));
                let g = Graph::take();
                let t = g.find("thread busy-reader").expect("the thread's root");
                busy = Some(
                    t.attrs
                        .get("thread_busy")
                        .and_then(serde_json::Value::as_bool)
                        == Some(true),
                );
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        drop(done);
        let _ = tx.try_send(1);
        thread.join().unwrap();
        busy.expect("the thread's root waited")
    };
    assert!(!busy_while(false), "parked in its block_on");
    assert!(busy_while(true), "blocked inside its poll");
}

/// A thread whose current-thread runtime's root waits on a peeps receive
/// beside a timer of the runtime (an `interval` in the same `select!`) is
/// parked with that timer due (`timer_due_ms`); beside none, it is not.
#[test]
fn a_current_thread_root_beside_a_timer_parks_with_it_due() {
    let timer_due = |thread: &str, chan: &str| {
        for _ in 0..3000 {
            let g = Graph::take();
            if let Ok(ch) = g.find(chan)
                && let Ok(t) = g.find(thread)
                && g.snap.edges.iter().any(|e| {
                    e.from == t.id && e.to == ch.id && e.kind == peeps_graph::EdgeKind::WaitsOn
                })
            {
                // The wait is made before the thread parks: read again.
                std::thread::sleep(std::time::Duration::from_millis(100));
                let g = Graph::take();
                let t = g.find(thread).expect("the thread's root");
                return t
                    .attrs
                    .get("timer_due_ms")
                    .and_then(serde_json::Value::as_u64);
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        panic!("{thread} never waited on {chan}");
    };
    let spawn = |name: &'static str, chan: &'static str, with_timer: bool| {
        let (tx, mut rx) = mpsc::channel_named::<u32>(chan, 1);
        let thread = std::thread::Builder::new()
            .name(name.into())
            .spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap();
                runtime.block_on(async move {
                    let start = tokio::time::Instant::now() + std::time::Duration::from_secs(600);
                    let mut tick =
                        tokio::time::interval_at(start, std::time::Duration::from_secs(600));
                    if with_timer {
                        tokio::select! {
                            got = rx.recv() => got,
                            _ = tick.tick() => None,
                        }
                    } else {
                        rx.recv().await
                    }
                })
            })
            .unwrap();
        (tx, thread)
    };
    let (tx, thread) = spawn("td-timer", "td-commands", true);
    let due = timer_due("thread td-timer", "td-commands");
    tx.blocking_send(1).unwrap();
    assert_eq!(thread.join().unwrap(), Some(1));
    assert!(
        due.is_some_and(|ms| ms > 500_000),
        "a 600 s interval is due: {due:?}"
    );

    let (tx, thread) = spawn("td-alone", "td-alone-commands", false);
    let due = timer_due("thread td-alone", "td-alone-commands");
    tx.blocking_send(2).unwrap();
    assert_eq!(thread.join().unwrap(), Some(2));
    assert_eq!(due, None, "no timer: parked with no timeout");
}
