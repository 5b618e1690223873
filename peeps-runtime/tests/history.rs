//! The flight recorder's bound: however many events and threads, what it
//! keeps in memory stays within `MAX_RINGS × PEEPS_HISTORY` records, every
//! event is counted (kept, written over or dropped), and what a snapshot
//! carries stays within its own bounds. One process per test binary: the
//! recorder's size is fixed at its first event, so this binary sizes it
//! small first.

// Nothing is recorded without feature `diagnostics`.
#![cfg(feature = "diagnostics")]

use peeps_runtime::__private::history::{self, EventKind, MAX_RINGS};
use peeps_runtime::__private::hold::{HoldAs, HolderSet};
use peeps_runtime::__private::resource::Resource;
use peeps_runtime::__private::wait::{Op, WaitEdge, WaitList};
use peeps_runtime::NodeKind;
use std::sync::{Barrier, mpsc};

/// Events per thread in this binary.
const PER_THREAD: usize = 64;

/// Threads in each flood: more than there are rings.
const THREADS: usize = MAX_RINGS * 2;

/// Events each flooding thread records.
const EACH: usize = 5_000;

fn size_it() {
    // Every test of this binary asks first; only the first call sizes it.
    history::configure(PER_THREAD);
    assert_eq!(history::per_thread(), PER_THREAD, "sized before any event");
}

/// `THREADS` threads at once, each recording `EACH` events (a lock taken
/// and given back, and a send, by turns).
fn flood() {
    let set = HolderSet::new(7);
    let start = Barrier::new(THREADS);
    std::thread::scope(|s| {
        for _ in 0..THREADS {
            s.spawn(|| {
                start.wait();
                for _ in 0..EACH / 3 {
                    set.hold_exclusive(HoldAs::Guard, true, None);
                    set.release_exclusive();
                    history::note(EventKind::Send, 8, None);
                }
            });
        }
    });
}

#[test]
fn the_history_stays_within_its_bound_under_a_flood_of_events() {
    size_it();
    let before = peeps_runtime::snapshot()
        .history
        .expect("the recorder is on")
        .recorded;
    flood();
    let h = peeps_runtime::snapshot()
        .history
        .expect("the recorder is on");
    let in_memory = h.recorded - h.lost;
    let bound = (MAX_RINGS * PER_THREAD) as u64;
    assert!(
        in_memory <= bound,
        "{in_memory} records in memory, over {bound}"
    );
    // Every event is accounted for: kept, written over, or dropped when a
    // thread found no ring.
    let flooded = (THREADS * (EACH / 3) * 3) as u64;
    assert!(
        h.recorded >= before + flooded,
        "{} recorded, {flooded} flooded",
        h.recorded
    );
    assert_eq!(h.per_thread, PER_THREAD as u64);
    // A snapshot carries a bounded part of it: the latest 512 events, and
    // (the other test of this binary may be waiting on its lock) at most
    // 64 of each node of a wait.
    assert!(
        h.events.len() <= 512 + 3 * 64,
        "{} events in the snapshot",
        h.events.len()
    );
    assert!(
        h.events.windows(2).all(|w| w[0].t_ms <= w[1].t_ms),
        "in time order"
    );

    // Threads that exited gave their rings back: another flood of new
    // threads keeps memory where it was.
    flood();
    let again = peeps_runtime::snapshot()
        .history
        .expect("the recorder is on");
    assert!(again.recorded - again.lost <= bound);
    assert!(again.recorded >= h.recorded + flooded);
}

#[test]
fn a_snapshot_keeps_the_events_of_what_is_blocked_past_the_latest_ones() {
    size_it();
    let lock = Resource::new(NodeKind::Mutex);
    let (held_tx, held_rx) = mpsc::channel();
    let (done_tx, done_rx) = mpsc::channel::<()>();
    std::thread::scope(|s| {
        // One thread holds the lock, another waits on it; both stay until
        // the snapshot is taken.
        let lock = &lock;
        s.spawn(move || {
            lock.holders().hold_exclusive(HoldAs::Guard, true, None);
            held_tx.send(()).unwrap();
            let _ = done_rx.recv();
            lock.holders().release_exclusive();
        });
        held_rx.recv().unwrap();
        let (waiting_tx, waiting_rx) = mpsc::channel();
        let (end_tx, end_rx) = mpsc::channel::<()>();
        s.spawn(move || {
            let mut wait = WaitEdge::<&WaitList>::new();
            wait.begin(lock.waits(), Op::Lock, None);
            waiting_tx.send(()).unwrap();
            let _ = end_rx.recv();
            wait.end();
        });
        waiting_rx.recv().unwrap();
        // Far more events than a snapshot's tail, on other threads.
        flood();
        let h = peeps_runtime::snapshot()
            .history
            .expect("the recorder is on");
        let of_lock: Vec<EventKind> = h
            .events
            .iter()
            .filter(|e| e.node == Some(lock.id()))
            .map(|e| e.kind)
            .collect();
        assert_eq!(
            of_lock,
            [EventKind::Acquire, EventKind::Wait],
            "the lock's events: {:?}",
            h.events.len()
        );
        done_tx.send(()).unwrap();
        end_tx.send(()).unwrap();
    });
}
