//! One task, many waits, on hand-built graphs: abandoned futures
//! (futurelock), a lock handed to a waiter nobody polls, reads queued
//! behind a writer, a watch borrow held across a send, and the line each
//! wait and hold was made at (DESIGN.md §4; issue "one task, many waits").

mod support;

use peeps_graph::NodeKind;
use peeps_graph::analysis::Certainty;
use support::*;

/// Task `main` (poll 7 is its latest) waits, in its latest poll, to lock
/// `discovery` at main.rs:30; its future `discover` waits for the same lock
/// queued first, polled in poll 5 and never since.
fn futurelock(head_abandoned: bool) -> peeps_graph::Snapshot {
    let mut d = Dump::new("svc");
    let main = d.task("main");
    d.node(main).attr("polls", 7);
    let discover = d.future(main, "discover");
    let lock = d.mutex("discovery");
    d.wait(discover, lock, "lock")
        .attr("polled_in", if head_abandoned { 5 } else { 7 })
        .attr("queued", 1)
        .attr("at", "src/net.rs:14:9");
    d.wait(main, lock, "lock")
        .attr("polled_in", 7)
        .attr("queued", 2)
        .attr("at", "src/main.rs:30:9");
    d.build()
}

#[test]
fn a_lock_handed_to_a_waiter_its_task_no_longer_polls_is_a_certain_deadlock() {
    let report = analyze(&[futurelock(true)]);
    let dl = only_deadlock(&report);
    assert_eq!(task_names(dl), ["main"]);
    assert_eq!(dl.certainty, Certainty::Certain);
    let step = &dl.cycle[0];
    assert_eq!(step.at.as_deref(), Some("src/main.rs:30:9"));
    assert_eq!(
        step.handed_to.as_ref().map(|f| f.name.as_str()),
        Some("discover")
    );
    assert!(
        dl.text.contains(
            "task \"main\" (src/main.rs:1) waits at src/main.rs:30 to lock mutex \"discovery\" (made at src/discovery.rs:3) for 5.0 s\n    \
             held by task \"main\", handed to its future \"discover\" (src/discover.rs:2), which it no longer polls"
        ),
        "{}",
        dl.text
    );
}

#[test]
fn a_lock_being_handed_to_a_waiter_that_is_polled_is_no_deadlock() {
    assert_no_deadlock(&analyze(&[futurelock(false)]));
}

#[test]
fn an_abandoned_wait_is_no_way_out_but_a_polled_one_is() {
    // `main` holds `m` (taken by its future `discover`, which then waits on
    // channel `peers` whose sender something unseen holds) and waits for
    // `m` itself.
    let build = |abandoned: bool| {
        let mut d = Dump::new("svc");
        let main = d.task("main");
        d.node(main).attr("polls", 9);
        let discover = d.future(main, "discover");
        let m = d.mutex("m");
        d.hold(m, main, "guard")
            .attr("by", discover)
            .attr("at", "src/net.rs:13:9");
        let peers = d.channel("peers", "mpsc", 2, 1);
        d.wait(discover, peers, "recv")
            .attr("polled_in", if abandoned { 4 } else { 9 })
            .attr("queued", 1);
        d.wait(main, m, "lock")
            .attr("polled_in", 9)
            .attr("queued", 1);
        d.build()
    };
    // Polled: the receive may end (a sender peeps cannot see), and `main`
    // would go on: no deadlock.
    assert_no_deadlock(&analyze(&[build(false)]));
    let report = analyze(&[build(true)]);
    let dl = only_deadlock(&report);
    assert_eq!(dl.certainty, Certainty::Certain);
    let step = &dl.cycle[0];
    assert_eq!(
        step.taken_in.as_ref().map(|f| f.name.as_str()),
        Some("discover")
    );
    assert_eq!(step.held_at.as_deref(), Some("src/net.rs:13:9"));
    assert!(
        dl.text.contains(
            "held since src/net.rs:13 by task \"main\", taken by its future \"discover\" (src/discover.rs:2), which it no longer polls"
        ),
        "{}",
        dl.text
    );
}

#[test]
fn a_wait_polled_with_a_combinators_waker_is_never_abandoned() {
    // No `polled_in`: the wait was polled with another waker (a
    // FuturesUnordered polls only what was woken).
    let mut d = Dump::new("svc");
    let t = d.task("t");
    d.node(t).attr("polls", 9);
    let lock = d.mutex("m");
    let f = d.future(t, "child");
    d.wait(f, lock, "lock").attr("queued", 1);
    d.wait(t, lock, "lock")
        .attr("polled_in", 9)
        .attr("queued", 2);
    assert_no_deadlock(&analyze(&[d.build()]));
}

/// `reader` holds a read of `accounts` and reads again, queued behind the
/// writer `add_account`, which waits for that read.
#[test]
fn a_read_queued_behind_a_writer_is_released_by_the_writer() {
    let mut d = Dump::new("bank");
    let reader = d.task("reader");
    let writer = d.task("add_account");
    let lock = d.resource(NodeKind::Rwlock, "accounts");
    d.hold(lock, reader, "read_guard")
        .attr("at", "src/bank.rs:10:9");
    d.wait(writer, lock, "write")
        .attr("queued", 1)
        .attr("at", "src/bank.rs:20:9");
    d.wait(reader, lock, "read")
        .attr("queued", 2)
        .attr("at", "src/bank.rs:11:9");
    let report = analyze(&[d.build()]);
    let dl = only_deadlock(&report);
    assert_eq!(task_names(dl), ["add_account", "reader"]);
    let read = dl.cycle.iter().find(|s| s.task.name == "reader").unwrap();
    assert!(read.behind_writer);
    assert_eq!(read.held_by.name, "add_account");
    let write = dl
        .cycle
        .iter()
        .find(|s| s.task.name == "add_account")
        .unwrap();
    assert_eq!(write.held_by.name, "reader");
    assert!(
        dl.text
            .contains("waits at src/bank.rs:11 to read-lock rwlock \"accounts\"")
            && dl
                .text
                .contains("behind the queued writer task \"add_account\"")
            && dl
                .text
                .contains("read-locked since src/bank.rs:10 by task \"reader\""),
        "{}",
        dl.text
    );
    assert!(
        dl.behind.is_empty(),
        "the writer is a member, not a bystander: {}",
        dl.text
    );
}

/// turso#3132, on a blocking rwlock (parking_lot's, task-fair): thread
/// `reader` holds a read of `wal` and reads again, parked behind the
/// writer thread's queued write, which waits for that read. With the lock
/// write-held instead (by `holder`, which waits for a mutex `reader`
/// holds; a `read_recursive` parks only then), the read waits for the
/// holder, and the writer is behind the deadlock.
#[test]
fn a_read_of_a_blocking_rwlock_queued_behind_a_writer_is_released_by_the_writer() {
    let build = |reader_holds: bool| {
        let mut d = Dump::new("db");
        let reader = d.task("reader");
        let writer = d.task("writer");
        let lock = d.resource(NodeKind::Rwlock, "wal");
        d.node(lock).attr("blocking", true);
        if reader_holds {
            d.hold(lock, reader, "read_guard");
        } else {
            let holder = d.task("holder");
            let index = d.mutex("index");
            d.hold(lock, holder, "guard");
            d.hold(index, reader, "guard");
            d.wait(holder, index, "lock").attr("queued", 1);
        }
        d.wait(writer, lock, "write").attr("queued", 1);
        d.wait(reader, lock, "read").attr("queued", 2);
        d.build()
    };
    let report = analyze(&[build(true)]);
    let dl = only_deadlock(&report);
    assert_eq!(task_names(dl), ["reader", "writer"]);
    let read = dl.cycle.iter().find(|s| s.task.name == "reader").unwrap();
    assert!(read.behind_writer, "{}", dl.text);
    assert_eq!(read.held_by.name, "writer");
    let report = analyze(&[build(false)]);
    let dl = only_deadlock(&report);
    assert_eq!(task_names(dl), ["holder", "reader"], "{}", dl.text);
    let read = dl.cycle.iter().find(|s| s.task.name == "reader").unwrap();
    assert!(!read.behind_writer, "{}", dl.text);
    assert_eq!(read.held_by.name, "holder");
    assert!(
        dl.behind.iter().any(|s| s.task.name == "writer"),
        "{}",
        dl.text
    );
}

/// matrix-rust-sdk#6869 as CI once caught it: the sync task's second read
/// of `room-state` queued behind the pagination task's write in tokio, but
/// numbered its wait before the writer's task numbered its own. A read
/// pending on an async rwlock held by readers alone is behind a write
/// whatever the numbers say; held by a writer, it waits for the holder.
#[test]
fn a_read_numbered_before_a_write_on_a_read_held_lock_is_behind_the_write() {
    let build = |held_as: &str| {
        let mut d = Dump::new("sdk");
        let sync = d.task("sync");
        let pager = d.task("pager");
        let lock = d.resource(NodeKind::Rwlock, "room-state");
        d.hold(lock, sync, held_as);
        d.wait(sync, lock, "read").attr("queued", 1);
        d.wait(pager, lock, "write").attr("queued", 2);
        d.build()
    };
    let report = analyze(&[build("read_guard")]);
    let dl = only_deadlock(&report);
    assert_eq!(task_names(dl), ["pager", "sync"], "{}", dl.text);
    let read = dl.cycle.iter().find(|s| s.task.name == "sync").unwrap();
    assert!(read.behind_writer, "{}", dl.text);
    assert_eq!(read.held_by.name, "pager");
    let report = analyze(&[build("guard")]);
    let dl = only_deadlock(&report);
    assert_eq!(task_names(dl), ["sync"], "{}", dl.text);
    let read = dl.cycle.iter().find(|s| s.task.name == "sync").unwrap();
    assert!(!read.behind_writer, "{}", dl.text);
}

#[test]
fn a_read_queued_before_any_writer_waits_for_the_holders() {
    let mut d = Dump::new("bank");
    let a = d.task("a");
    let b = d.task("b");
    let lock = d.resource(NodeKind::Rwlock, "accounts");
    d.hold(lock, b, "guard");
    d.wait(a, lock, "read").attr("queued", 1);
    d.wait(b, lock, "write").attr("queued", 2);
    let report = analyze(&[d.build()]);
    let dl = only_deadlock(&report);
    // `b` relocks what it holds; `a`, queued first, waits for the holder.
    assert_eq!(task_names(dl), ["b"]);
    let read = dl.behind.iter().find(|s| s.task.name == "a").unwrap();
    assert!(!read.behind_writer);
    assert_eq!(read.held_by.name, "b");
}

/// `upload` holds one of the 3 permits of `uploads` and asks for one more,
/// queued behind `compaction`'s `acquire_many(3)`: 2 permits are free, but
/// the fair semaphore serves `compaction` first, which waits for
/// `upload`'s permit. With no permit free, the second acquire waits for
/// the holders as any does.
#[test]
fn an_acquire_queued_behind_a_bulk_one_while_permits_are_free_is_released_by_it() {
    let build = |available: u64| {
        let mut d = Dump::new("store");
        let upload = d.task("upload");
        let compaction = d.task("compaction");
        let sem = d.resource(NodeKind::Semaphore, "uploads");
        d.node(sem).attr("permits", 3).attr("available", available);
        d.hold(sem, upload, "permit").attr("at", "src/up.rs:10:9");
        d.wait(compaction, sem, "acquire").attr("queued", 1);
        d.wait(upload, sem, "acquire").attr("queued", 2);
        d.build()
    };
    let report = analyze(&[build(2)]);
    let dl = only_deadlock(&report);
    assert_eq!(task_names(dl), ["compaction", "upload"]);
    let second = dl.cycle.iter().find(|s| s.task.name == "upload").unwrap();
    assert!(second.behind_writer);
    assert_eq!(second.held_by.name, "compaction");
    assert!(
        dl.text
            .contains("queued behind the acquire of task \"compaction\""),
        "{}",
        dl.text
    );
    let report = analyze(&[build(0)]);
    let dl = only_deadlock(&report);
    let second = dl
        .cycle
        .iter()
        .chain(&dl.behind)
        .find(|s| s.task.name == "upload")
        .unwrap();
    assert!(!second.behind_writer, "{}", dl.text);
    assert_eq!(second.held_by.name, "upload");
}

/// tokio#4246: `holder` keeps a borrow of watch `config`'s value across an
/// await on a lock `sender` holds, and `sender`'s `send` is parked on the
/// value's lock.
#[test]
fn a_watch_borrow_held_across_a_send_is_a_deadlock() {
    let mut d = Dump::new("svc");
    let holder = d.task("holder");
    let sender = d.task("sender");
    d.node(sender).state("polling", 2_000);
    let config = d.channel("config", "watch", 1, 1);
    let m = d.mutex("m");
    d.hold(config, holder, "read_guard")
        .attr("at", "src/main.rs:12:17");
    d.hold(m, sender, "guard");
    d.wait(holder, m, "lock").attr("queued", 1);
    d.wait(sender, config, "write")
        .attr("queued", 1)
        .attr("at", "src/main.rs:30:9");
    let report = analyze(&[d.build()]);
    let dl = only_deadlock(&report);
    assert_eq!(task_names(dl), ["holder", "sender"]);
    assert!(
        dl.text
            .contains("waits at src/main.rs:30 to send on channel \"config\"")
            && dl
                .text
                .contains("value borrowed since src/main.rs:12 by task \"holder\""),
        "{}",
        dl.text
    );
    // A send that is not parked (the task polls on) is no wait at all.
    assert_eq!(report.blocking_polls.len(), 1, "{}", report.text());
}

/// fedimint#9085: `status` holds a borrow of watch `p2p` and borrows it
/// again, parked behind `publisher`'s send, queued between the two, which
/// waits for the first borrow. Both threads park: a deadlock of the two.
/// A borrow parked with no send queued before it is about to end.
#[test]
fn a_second_watch_borrow_behind_a_queued_send_is_a_deadlock() {
    let build = |send_first: bool| {
        let mut d = Dump::new("svc");
        let status = d.task("status");
        let publisher = d.task("publisher");
        d.node(status).state("polling", 2_000);
        d.node(publisher).state("polling", 2_000);
        let p2p = d.channel("p2p", "watch", 1, 1);
        d.hold(p2p, status, "read_guard")
            .attr("at", "src/api.rs:12:17");
        let (send, borrow) = if send_first { (1, 2) } else { (2, 1) };
        d.wait(publisher, p2p, "write")
            .attr("queued", send)
            .attr("at", "src/p2p.rs:30:9");
        d.wait(status, p2p, "read")
            .attr("queued", borrow)
            .attr("at", "src/api.rs:12:40");
        d.build()
    };
    let report = analyze(&[build(true)]);
    let dl = only_deadlock(&report);
    assert_eq!(task_names(dl), ["publisher", "status"]);
    let borrow = dl.cycle.iter().find(|s| s.task.name == "status").unwrap();
    assert!(borrow.behind_writer);
    assert_eq!(borrow.held_by.name, "publisher");
    assert!(
        dl.text
            .contains("waits at src/api.rs:12 to borrow the value of channel \"p2p\"")
            && dl
                .text
                .contains("behind the queued send of task \"publisher\""),
        "{}",
        dl.text
    );
    assert_no_deadlock(&analyze(&[build(false)]));
}

/// Task `batch` drives futures `fetch-1` and `fetch-2` through a combinator
/// that gives each a waker of its own (FuturesUnordered): the combinator
/// holds the task's one unaccounted clone. Each future holds a permit of
/// `conns` (2 permits) and waits for a second one.
fn combinator(second_clone_of_fetch_1: bool, task_clones: u64) -> peeps_graph::Snapshot {
    let mut d = Dump::new("svc");
    let batch = d.task("batch");
    d.node(batch)
        .attr("waker_clones", task_clones)
        .attr("waker_clones_accounted", 0);
    let conns = d.resource(NodeKind::Semaphore, "conns");
    for (i, name) in ["fetch-1", "fetch-2"].into_iter().enumerate() {
        let f = d.future(batch, name);
        let extra = u64::from(i == 0 && second_clone_of_fetch_1);
        d.node(f)
            .attr("sub_waker", true)
            .attr("waker_group", 77)
            .attr("waker_clones", 1 + extra)
            .attr("waker_clones_accounted", 1);
        d.hold(conns, batch, "permit").attr("by", f);
        d.wait(f, conns, "acquire").attr("queued", i as u64 + 1);
    }
    d.build()
}

#[test]
fn waits_inside_a_combinator_whose_futures_account_for_their_wakers_are_seen() {
    let report = analyze(&[combinator(false, 1)]);
    let dl = only_deadlock(&report);
    assert_eq!(task_names(dl), ["batch"]);
    assert_eq!(dl.certainty, Certainty::Certain);
}

#[test]
fn a_combinator_future_with_a_wake_source_peeps_cannot_see_may_still_wake_its_task() {
    // fetch-1 also waits on a timer: a clone its waits do not account for.
    assert_no_deadlock(&analyze(&[combinator(true, 1)]));
    // The task itself holds a clone beyond the combinator's (a timer in a
    // `select!` around it).
    assert_no_deadlock(&analyze(&[combinator(false, 2)]));
}

#[test]
fn a_task_with_an_unaccounted_clone_and_no_combinator_may_wake() {
    let mut d = Dump::new("svc");
    let t = d.task("t");
    d.node(t)
        .attr("waker_clones", 2)
        .attr("waker_clones_accounted", 1);
    let m = d.mutex("m");
    d.hold(m, t, "guard");
    d.wait(t, m, "lock").attr("queued", 1);
    assert_no_deadlock(&analyze(&[d.build()]));
}
