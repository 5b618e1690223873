//! A process where nothing can run again (every task and thread pending,
//! nothing but their own waits holding their wakers, every one of them
//! seen): a wait peeps cannot name a releaser of is stuck with the rest.

mod support;

use peeps_graph::analysis::Certainty;
use peeps_graph::{NodeId, NodeKind};
use support::*;

/// stella#960's shape: `main` awaits the plain-spawned `turn`, which awaits
/// `renderer`, which receives on `events` until every sender is gone; the
/// last sender was made by `turn` and never seen used or moved since (it
/// is in a registry `turn` keeps). The census sees every task and thread.
struct Renderer {
    d: Dump,
    main: NodeId,
    renderer: NodeId,
}

/// A change to [`renderer`]'s dump that lets something run.
type Change = fn(&mut Renderer);

fn renderer() -> Renderer {
    let mut d = Dump::new("tool");
    let main = d.thread("main");
    let pid = d.pid();
    d.node(main).attr("os_thread", pid).attr("waker_clones", 1);
    let turn = d.task("turn");
    let renderer = d.task("renderer");
    let events = d.channel("events", "mpsc", 1, 1);
    d.wait(main, turn, "join");
    d.wait(turn, renderer, "join");
    d.wait(renderer, events, "recv");
    d.hold(events, turn, "sender").evidence("made");
    d.hold(events, renderer, "receiver").evidence("used");
    d.census(2, 0, 5, 0);
    Renderer { d, main, renderer }
}

#[test]
fn nothing_running_closes_the_cycle_through_the_holder_peeps_last_saw() {
    let report = analyze(&[renderer().d.build()]);
    let d = only_deadlock(&report);
    assert_eq!(d.certainty, Certainty::Probable, "{}", report.text());
    assert!(d.nothing_runs, "{}", report.text());
    let mut tasks = task_names(d);
    tasks.sort();
    assert_eq!(tasks, ["renderer", "turn"], "{}", report.text());
    let behind: Vec<&str> = d.behind.iter().map(|s| s.task.name.as_str()).collect();
    assert_eq!(behind, ["main"], "{}", report.text());
    assert!(
        d.text.contains("nothing in its process can run again"),
        "{}",
        report.text()
    );
}

#[test]
fn anything_that_may_still_run_keeps_the_receive_open() {
    let cases: [(&str, Change); 12] = [
        // Without a census, peeps cannot know it sees everyone.
        ("no census", |r| r.d.no_census()),
        // A thread driving a runtime outside its tasks (a spawn from a
        // file watcher's thread, a `LocalSet`) with no root: it runs code
        // peeps cannot see.
        ("a driver thread without a root", |r| {
            r.d.census_mut().rootless_drivers = Some(1);
        }),
        // A dropped runtime's workers still accounted: an unseen thread
        // may hide behind them.
        ("threads accounted that are gone", |r| {
            r.d.census_mut().overcounted_threads = Some(2);
        }),
        ("an older dump that says neither", |r| {
            let c = r.d.census_mut();
            c.overcounted_threads = None;
            c.rootless_drivers = None;
        }),
        ("a task root running", |r| {
            let renderer = r.renderer;
            r.d.node(renderer).state("running", 900);
        }),
        ("threads not counted", |r| r.d.census(2, 0, 0, 0)),
        ("a thread peeps cannot see into", |r| r.d.census(2, 0, 6, 1)),
        ("a task alive that is no root here", |r| {
            r.d.census(3, 1, 5, 0)
        }),
        ("a timer beside the receive", |r| {
            let renderer = r.renderer;
            r.d.node(renderer).attr("waker_clones", 2);
        }),
        ("main may be woken by something else", |r| {
            let main = r.main;
            r.d.node(main).attr("waker_clones", 2);
        }),
        // Its thread sleeps or reads inside the poll (a blocking read
        // beside a pinned wait): busy, not waiting.
        ("main's thread is busy", |r| {
            let main = r.main;
            r.d.node(main).attr("thread_busy", true);
        }),
        ("main's thread is not the main thread", |r| {
            let main = r.main;
            r.d.node(main).attr("os_thread", 1);
        }),
    ];
    for (why, change) in cases {
        let mut r = renderer();
        change(&mut r);
        let report = analyze(&[r.d.build()]);
        assert!(
            report.deadlocks.is_empty() && report.stuck_forever.is_empty(),
            "{why}: {}",
            report.text()
        );
    }
}

#[test]
fn a_wait_only_its_process_could_end_is_stuck_forever_when_nothing_runs() {
    // ttrpc-rust#227: `main` waits on a `Notify` nobody is left to notify;
    // a plain connection task waits for work, `main` awaits it.
    let mut d = Dump::new("server");
    let main = d.thread("main");
    let pid = d.pid();
    d.node(main).attr("os_thread", pid).attr("waker_clones", 1);
    let exit = d.resource(NodeKind::Notify, "notify-exit");
    d.wait(main, exit, "notified");
    d.census(0, 0, 4, 0);
    let report = analyze(&[d.build()]);
    assert!(report.deadlocks.is_empty(), "{}", report.text());
    assert_eq!(report.stuck_forever.len(), 1, "{}", report.text());
    let s = &report.stuck_forever[0];
    assert_eq!(s.task.name, "main", "{}", report.text());
    assert!(s.nothing_runs, "{}", report.text());
    assert!(
        s.text.contains("nothing in its process can run again"),
        "{}",
        report.text()
    );
}

/// fred.rs#116: `main` awaits the plain `subscriber`, which receives on
/// `messages`; the sender was last used by the connection `reader`, a
/// plain task shown pending with no wait, or seen `done`. `alive` tasks
/// as tokio counts them.
fn fred_client(alive: u64, reader_done: bool) -> peeps_graph::Snapshot {
    let mut d = Dump::new("client");
    let main = d.thread("main");
    let pid = d.pid();
    d.node(main).attr("os_thread", pid).attr("waker_clones", 1);
    let reader = d.plain_task("reader");
    if reader_done {
        d.node(reader).state("done", 1_000);
    }
    let subscriber = d.plain_task("subscriber");
    d.node(subscriber).attr("waker_clones", 1);
    let messages = d.channel("messages", "broadcast", 1, 1);
    d.wait(main, subscriber, "join");
    d.wait(subscriber, messages, "recv");
    d.hold(messages, reader, "sender").evidence("shared");
    d.hold(messages, subscriber, "receiver").evidence("used");
    d.census(alive, alive, 5, 0);
    d.build()
}

#[test]
fn a_task_shown_idle_beyond_the_tasks_alive_has_ended_and_releases_nothing() {
    // fred.rs#116: `main` awaits the subscriber, which receives on
    // `messages`; the sender was last used by the connection reader, a
    // plain task that has since ended (tokio does not say so, but only one
    // task is alive: the subscriber).
    let build = |alive: u64| fred_client(alive, false);
    let report = analyze(&[build(1)]);
    assert!(report.deadlocks.is_empty(), "{}", report.text());
    assert_eq!(report.stuck_forever.len(), 1, "{}", report.text());
    let s = &report.stuck_forever[0];
    assert_eq!(s.task.name, "subscriber", "{}", report.text());
    assert!(s.nothing_runs, "{}", report.text());
    let waits: Vec<&str> = s.waits.iter().map(|w| w.waits_on.name.as_str()).collect();
    assert_eq!(waits, ["messages"], "{}", report.text());
    let behind: Vec<&str> = s.behind.iter().map(|b| b.task.name.as_str()).collect();
    assert_eq!(behind, ["main"], "{}", report.text());
    assert!(
        s.text
            .contains(r#"waits to receive from channel "messages""#),
        "{}",
        report.text()
    );
    // Two alive: the reader may be alive, waiting on something peeps
    // cannot see, and may still send.
    let report = analyze(&[build(2)]);
    assert!(
        report.deadlocks.is_empty() && report.stuck_forever.is_empty(),
        "{}",
        report.text()
    );
}

#[test]
fn a_task_seen_done_releases_nothing() {
    // As above, the reader read done (its waker kept, tokio's `COMPLETE`
    // bit): it released what it held when it ended, so it is no way out.
    let report = analyze(&[fred_client(1, true)]);
    assert!(report.deadlocks.is_empty(), "{}", report.text());
    let stuck: Vec<&str> = report
        .stuck_forever
        .iter()
        .map(|s| s.task.name.as_str())
        .collect();
    assert_eq!(stuck, ["subscriber"], "{}", report.text());
}

#[test]
fn a_thread_busy_inside_its_poll_closes_no_cycle() {
    // hunt41: `main` pins a receive from `commands` in a `select!` beside
    // a blocking read; the uploader waits for readings only `main` sends.
    // While the read blocks, `main`'s receive still shows pending.
    let build = |busy: bool| {
        let mut d = Dump::new("reader");
        let main = d.thread("main");
        let pid = d.pid();
        d.node(main).attr("os_thread", pid).attr("waker_clones", 1);
        if busy {
            d.node(main).attr("thread_busy", true);
        }
        let uploader = d.task("uploader");
        let commands = d.channel("commands", "mpsc", 1, 1);
        let readings = d.channel("readings", "mpsc", 1, 1);
        d.wait(main, commands, "recv");
        d.hold(commands, uploader, "sender")
            .evidence("used")
            .in_state();
        d.hold(commands, main, "receiver").evidence("used");
        d.wait(uploader, readings, "recv");
        d.hold(readings, main, "sender").evidence("used").in_state();
        d.hold(readings, uploader, "receiver").evidence("used");
        d.build()
    };
    assert_eq!(analyze(&[build(false)]).deadlocks.len(), 1);
    let report = analyze(&[build(true)]);
    assert!(
        report.deadlocks.is_empty() && report.stuck_forever.is_empty(),
        "{}",
        report.text()
    );
}
