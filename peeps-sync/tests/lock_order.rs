//! The lock order learned at run time (issue 15): an inversion is reported
//! as a potential deadlock the first time both orders have been seen, the
//! program never hanging; the usual safe patterns report nothing.
//!
//! The tests of this binary share one process, so one learned order: each
//! names its tasks with a prefix of its own and looks only at the findings
//! whose steps its tasks took.
#![cfg(feature = "diagnostics")]

use peeps_graph::analysis::{PotentialDeadlock, PotentialKind};
use peeps_graph::{LockMode, Options};
use peeps_runtime::spawn_named;
use peeps_sync::{Mutex, RwLock, Semaphore};
use std::sync::Arc;

/// The potential deadlocks of this process whose every step was taken by a
/// task named with `prefix`.
fn potential(prefix: &str) -> Vec<PotentialDeadlock> {
    let snap = peeps_runtime::snapshot();
    let report = peeps_graph::analyze(std::slice::from_ref(&snap), &Options::default());
    report
        .potential_deadlocks
        .into_iter()
        .filter(|p| p.steps.iter().all(|s| s.task.name.starts_with(prefix)))
        .collect()
}

/// The name of lock class `id` of `order`; "" for a class the snapshot
/// did not list (another test's, made while the snapshot was read: its
/// edges can come after its class list).
fn class_name(order: &peeps_graph::LockOrder, id: u32) -> &str {
    order.class(id).map_or("", |c| c.name.as_str())
}

/// `file:line` of this file.
fn here(line: u32) -> String {
    format!("{}:{line}", file!())
}

/// Runs `f` as a peeps task named `name` and waits for it.
async fn run<F: std::future::Future<Output = ()> + Send + 'static>(name: &'static str, f: F) {
    spawn_named(name, f).await.expect("task");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn opposite_orders_at_different_times_are_a_potential_deadlock() {
    let a = Arc::new(Mutex::new(0).named("lo-acct-1"));
    let b = Arc::new(Mutex::new(0).named("lo-acct-2"));
    let lines = Arc::new(parking_lot::Mutex::new(Vec::new()));
    {
        let (a, b, lines) = (a.clone(), b.clone(), lines.clone());
        run("lo-transfer-a", async move {
            let first = line!() + 1;
            let x = a.lock().await;
            let then = line!() + 1;
            let y = b.lock().await;
            lines.lock().extend([first, then]);
            drop((x, y));
        })
        .await;
    }
    // The first path ended long before the second starts: nothing hangs.
    assert!(
        potential("lo-transfer").is_empty(),
        "one order alone is no cycle"
    );
    {
        let (a, b, lines) = (a.clone(), b.clone(), lines.clone());
        run("lo-transfer-b", async move {
            let first = line!() + 1;
            let y = b.lock().await;
            let then = line!() + 1;
            let x = a.lock().await;
            lines.lock().extend([first, then]);
            drop((y, x));
        })
        .await;
    }
    let found = potential("lo-transfer");
    assert_eq!(found.len(), 1, "{found:#?}");
    let p = &found[0];
    assert_eq!(p.kind, PotentialKind::Inversion);
    let l = lines.lock().clone();
    assert_eq!(
        p.text,
        format!(
            "potential deadlock: task \"lo-transfer-a\" took \"lo-acct-1\" ({}) then \"lo-acct-2\" ({}); \
             task \"lo-transfer-b\" took \"lo-acct-2\" ({}) then \"lo-acct-1\" ({}). \
             Run at the same time, these two can deadlock.",
            here(l[0]),
            here(l[1]),
            here(l[2]),
            here(l[3]),
        )
    );
    assert_eq!(p.steps.len(), 2);
    assert!(
        p.steps
            .iter()
            .all(|s| s.held_as == LockMode::Write && s.acquired_as == LockMode::Write)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn locks_always_taken_in_one_order_are_no_potential_deadlock() {
    let a = Arc::new(Mutex::new(0).named("lo1-a"));
    let b = Arc::new(RwLock::new(0).named("lo1-b"));
    let c = Arc::new(Semaphore::new(2).named("lo1-c"));
    for name in ["lo1-one", "lo1-two", "lo1-three"] {
        let (a, b, c) = (a.clone(), b.clone(), c.clone());
        run(name, async move {
            let _x = a.lock().await;
            let _y = b.write().await;
            let z = c.acquire().await.unwrap();
            drop((_y, z));
            let _y = b.read().await;
        })
        .await;
    }
    assert!(potential("lo1-").is_empty(), "{:#?}", potential("lo1-"));
}

/// A lock renamed after it was taken is of its new name's class from its
/// next acquisition on (its class cell is reset and resolved again): the
/// order learned under its old class does not count for the new one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lock_renamed_after_it_was_taken_is_ordered_under_its_new_name() {
    let a = Mutex::new(0);
    let b = Arc::new(Mutex::new(0).named("lo-ren-b"));
    {
        let _x = a.lock().await;
        let _y = b.lock().await;
    }
    let a = Arc::new(a.named("lo-ren-a"));
    for (name, a_first) in [("lo-ren-1", false), ("lo-ren-2", true)] {
        let (a, b) = (a.clone(), b.clone());
        run(name, async move {
            if a_first {
                let _x = a.lock().await;
                let _y = b.lock().await;
            } else {
                let _y = b.lock().await;
                let _x = a.lock().await;
            }
        })
        .await;
    }
    let found = potential("lo-ren-");
    assert_eq!(found.len(), 1, "{found:#?}");
    let mut held: Vec<_> = found[0]
        .steps
        .iter()
        .map(|s| s.held.name.as_str())
        .collect();
    held.sort_unstable();
    assert_eq!(held, ["lo-ren-a", "lo-ren-b"], "{found:#?}");
    let mut tasks: Vec<_> = found[0]
        .steps
        .iter()
        .map(|s| s.task.name.as_str())
        .collect();
    tasks.sort_unstable();
    assert_eq!(tasks, ["lo-ren-1", "lo-ren-2"], "{found:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn try_lock_cannot_block_so_it_orders_nothing() {
    let a = Arc::new(Mutex::new(0).named("lo2-a"));
    let b = Arc::new(Mutex::new(0).named("lo2-b"));
    {
        let (a, b) = (a.clone(), b.clone());
        run("lo2-locks", async move {
            let _x = a.lock().await;
            let _y = b.lock().await;
        })
        .await;
    }
    {
        let (a, b) = (a.clone(), b.clone());
        run("lo2-tries", async move {
            let _y = b.lock().await;
            // Held `b`, then *tried* `a`: a try cannot wait, so no cycle.
            let _x = a.try_lock().expect("free");
        })
        .await;
    }
    assert!(potential("lo2-").is_empty(), "{:#?}", potential("lo2-"));
}

/// Per-account locks, one class (made at one site), always taken lowest
/// index first: no cycle. Taken the other way round for one pair once: a
/// potential deadlock between those two locks.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn locks_of_one_class_in_a_consistent_order_are_no_potential_deadlock() {
    let accounts: Arc<Vec<Mutex<u64>>> = Arc::new((0..4).map(|_| Mutex::new(100)).collect());
    for (i, (from, to)) in [(0, 1), (2, 1), (3, 0), (1, 3), (2, 3)]
        .into_iter()
        .enumerate()
    {
        let accounts = accounts.clone();
        let name: &'static str = ["lo3-t0", "lo3-t1", "lo3-t2", "lo3-t3", "lo3-t4"][i];
        run(name, async move {
            let (lo, hi) = if from < to { (from, to) } else { (to, from) };
            let mut first = accounts[lo].lock().await;
            let mut second = accounts[hi].lock().await;
            *first -= 1;
            *second += 1;
        })
        .await;
    }
    assert!(potential("lo3-").is_empty(), "{:#?}", potential("lo3-"));

    // The same class, the order of two accounts inverted once.
    let accounts2 = accounts.clone();
    run("lo3-careless", async move {
        let _hi = accounts2[3].lock().await;
        let _lo = accounts2[1].lock().await;
    })
    .await;
    // 3 → 1 inverts 1 → 3 (`lo3-t3`), and closes 1 → 2 → 3 → 1 too.
    let found = potential("lo3-");
    assert_eq!(found.len(), 2, "{found:#?}");
    for p in &found {
        assert!(
            p.steps
                .iter()
                .all(|s| s.held.lock.is_some() && s.acquired.lock.is_some())
        );
        assert!(
            p.text.contains(" #1") && p.text.contains(" #2"),
            "{}",
            p.text
        );
        assert!(p.text.contains("task \"lo3-careless\""), "{}", p.text);
    }
    let two = found
        .iter()
        .find(|p| p.steps.len() == 2)
        .expect("the pair inverted");
    assert!(two.text.contains("task \"lo3-t3\""), "{}", two.text);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_guard_dropped_before_the_next_lock_orders_nothing() {
    let a = Arc::new(Mutex::new(0).named("lo4-a"));
    let b = Arc::new(Mutex::new(0).named("lo4-b"));
    for name in ["lo4-ab", "lo4-ba"] {
        let (a, b) = (a.clone(), b.clone());
        run(name, async move {
            let (first, second) = if name == "lo4-ab" { (&a, &b) } else { (&b, &a) };
            let g = first.lock().await;
            drop(g);
            // A guard dropped at the end of a block, too.
            {
                let _h = second.lock().await;
            }
            tokio::task::yield_now().await;
            let _g = first.lock().await;
        })
        .await;
    }
    assert!(potential("lo4-").is_empty(), "{:#?}", potential("lo4-"));
}

/// Reads of two rwlocks in opposite orders: readers never wait for readers
/// while nobody writes, so no cycle.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reads_after_reads_are_no_potential_deadlock() {
    let a = Arc::new(RwLock::new(0).named("lo5-a"));
    let b = Arc::new(RwLock::new(0).named("lo5-b"));
    for name in ["lo5-ab", "lo5-ba"] {
        let (a, b) = (a.clone(), b.clone());
        run(name, async move {
            let (first, second) = if name == "lo5-ab" { (&a, &b) } else { (&b, &a) };
            let _x = first.read().await;
            let _y = second.read().await;
        })
        .await;
    }
    assert!(potential("lo5-").is_empty(), "{:#?}", potential("lo5-"));
}

/// The same reads, once a writer of each lock was seen: a writer queued on
/// each between the reads closes the cycle.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reads_in_opposite_orders_of_written_rwlocks_are_a_potential_deadlock() {
    let a = Arc::new(RwLock::new(0).named("lo6-a"));
    let b = Arc::new(RwLock::new(0).named("lo6-b"));
    for name in ["lo6-ab", "lo6-ba"] {
        let (a, b) = (a.clone(), b.clone());
        run(name, async move {
            let (first, second) = if name == "lo6-ab" { (&a, &b) } else { (&b, &a) };
            let _x = first.read().await;
            let _y = second.read().await;
        })
        .await;
    }
    {
        let (a, b) = (a.clone(), b.clone());
        run("lo6-writer", async move {
            *a.write().await += 1;
            *b.write().await += 1;
        })
        .await;
    }
    let found = potential("lo6-");
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].needs_writer.len(), 2, "{found:#?}");
    assert!(
        found[0]
            .text
            .ends_with("when a writer queues on \"lo6-b\" and a writer queues on \"lo6-a\".")
            || found[0]
                .text
                .ends_with("when a writer queues on \"lo6-a\" and a writer queues on \"lo6-b\"."),
        "{}",
        found[0].text
    );
}

/// tokio's RwLock is write-preferring: a read taken while the task holds
/// a read of the same lock deadlocks against a writer queued in between.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_reentered_is_a_potential_deadlock_of_its_own() {
    let lock = Arc::new(RwLock::new(0).named("lo7-config"));
    let line = Arc::new(parking_lot::Mutex::new(0));
    {
        let (lock, line) = (lock.clone(), line.clone());
        run("lo7-reader", async move {
            let first = line!() + 1;
            let _a = lock.read().await;
            let _b = lock.read().await;
            *line.lock() = first;
        })
        .await;
    }
    let found = potential("lo7-");
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].kind, PotentialKind::ReadReentered);
    let first = *line.lock();
    assert!(
        found[0].text.starts_with(&format!(
            "potential deadlock: task \"lo7-reader\" took a read of \"lo7-config\" ({}) then another read of it ({}). The rwlock is write-preferring",
            here(first),
            here(first + 1)
        )),
        "{}",
        found[0].text
    );
}

/// Futures of one task that each hold a permit and wait: the holders are
/// concurrent siblings (instrumented futures polled by a combinator), not
/// nested, so a permit taken by one while another holds one orders nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sibling_futures_of_one_task_order_nothing() {
    let pool = Arc::new(Semaphore::new(2).named("lo8-pool"));
    let a = Arc::new(Mutex::new(0).named("lo8-a"));
    let b = Arc::new(Mutex::new(0).named("lo8-b"));
    let (pool2, a2, b2) = (pool.clone(), a.clone(), b.clone());
    run("lo8-loader", async move {
        let query = |i: u64, first: Arc<Mutex<u64>>| {
            let pool = pool2.clone();
            peeps_runtime::instrument("query", "lo8:1:1", async move {
                let _conn = pool.acquire().await.unwrap();
                let _g = first.lock().await;
                tokio::time::sleep(std::time::Duration::from_millis(20 + i)).await;
            })
        };
        // Sibling 1 holds a permit and `a` while sibling 2 takes a permit
        // and `b`, and the other way round: no nesting between them.
        tokio::join!(query(0, a2.clone()), query(1, b2.clone()));
    })
    .await;
    {
        let (a, b) = (a.clone(), b.clone());
        run("lo8-other", async move {
            let _y = b.lock().await;
            let _x = a.lock().await;
        })
        .await;
    }
    assert!(potential("lo8-").is_empty(), "{:#?}", potential("lo8-"));
}

/// A permit of a semaphore waited for while holding one of it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_permit_waited_for_while_holding_one_is_a_potential_deadlock() {
    let pool = Arc::new(Semaphore::new(4).named("lo9-pool"));
    run("lo9-query", async move {
        let _a = pool.acquire().await.unwrap();
        let _b = pool.acquire().await.unwrap();
    })
    .await;
    let found = potential("lo9-");
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].kind, PotentialKind::PermitReacquired);
}

/// An owned permit (`acquire_owned`) can move to another task unseen —
/// tokio's connection-limit pattern moves each into a `tokio::spawn`
/// handler — so it orders nothing taken after it: the acceptor taking the
/// next permit, or a lock, is not ordered after the permit it handed on.
/// It is still ordered after what its task holds.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_owned_permit_orders_nothing_taken_after_it() {
    let slots = Arc::new(Semaphore::new(4).named("lo10-slots"));
    let table = Arc::new(Mutex::new(0).named("lo10-table"));
    {
        let (slots, table) = (slots.clone(), table.clone());
        run("lo10-acceptor", async move {
            let first = slots.clone().acquire_owned().await.unwrap();
            let second = slots.clone().acquire_owned().await.unwrap();
            let guard = table.lock().await;
            drop((first, second, guard));
        })
        .await;
    }
    {
        let (slots, table) = (slots.clone(), table.clone());
        run("lo10-owner", async move {
            let guard = table.lock().await;
            let permit = slots.acquire_owned().await.unwrap();
            drop((permit, guard));
        })
        .await;
    }
    let found = potential("lo10-");
    assert!(found.is_empty(), "{found:#?}");
}

/// Blocking (parking_lot) locks on plain threads: the thread is the
/// context.
#[test]
fn blocking_locks_on_threads_learn_the_order_too() {
    use peeps_sync::blocking::Mutex as BMutex;
    let a = Arc::new(BMutex::new(0).named("lo10-a"));
    let b = Arc::new(BMutex::new(0).named("lo10-b"));
    let (a2, b2) = (a.clone(), b.clone());
    std::thread::Builder::new()
        .name("lo10-one".into())
        .spawn(move || {
            let _x = a2.lock();
            let _y = b2.lock();
        })
        .unwrap()
        .join()
        .unwrap();
    std::thread::Builder::new()
        .name("lo10-two".into())
        .spawn(move || {
            let _y = b.lock();
            let _x = a.lock();
        })
        .unwrap()
        .join()
        .unwrap();
    let found = potential("thread lo10-");
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(
        found[0]
            .text
            .contains("thread \"lo10-one\" took \"lo10-a\""),
        "{}",
        found[0].text
    );
}

/// A task holding a lock across an `.await` keeps it in its own list,
/// whichever thread polls it next.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lock_held_across_awaits_orders_what_the_task_takes_later() {
    let a = Arc::new(Mutex::new(0).named("lo11-a"));
    let b = Arc::new(Mutex::new(0).named("lo11-b"));
    {
        let (a, b) = (a.clone(), b.clone());
        run("lo11-slow", async move {
            let _x = a.lock().await;
            for _ in 0..20 {
                tokio::task::yield_now().await;
                tokio::time::sleep(std::time::Duration::from_millis(1)).await;
            }
            let _y = b.lock().await;
        })
        .await;
    }
    {
        let (a, b) = (a.clone(), b.clone());
        run("lo11-back", async move {
            let _y = b.lock().await;
            let _x = a.lock().await;
        })
        .await;
    }
    assert_eq!(potential("lo11-").len(), 1, "{:#?}", potential("lo11-"));
}

/// Runs the transfer `from` then `to` under `gate` (if any) as task `name`.
async fn transfer_under(
    name: &'static str,
    gate: Option<Arc<Mutex<u64>>>,
    from: Arc<Mutex<i64>>,
    to: Arc<Mutex<i64>>,
) {
    run(name, async move {
        let _gate = match &gate {
            Some(g) => Some(g.lock().await),
            None => None,
        };
        let _x = from.lock().await;
        let _y = to.lock().await;
    })
    .await;
}

/// Two locks taken in opposite orders, always under one gate lock held
/// across both (issue 15's false alarm, also lockdep's): the gate keeps the
/// two paths apart, so there is no potential deadlock. Each edge shows the
/// gate.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn opposite_orders_under_one_gate_lock_are_no_potential_deadlock() {
    let gate = Arc::new(Mutex::new(0).named("lo12-transfers"));
    let a = Arc::new(Mutex::new(0).named("lo12-a"));
    let b = Arc::new(Mutex::new(0).named("lo12-b"));
    for _ in 0..3 {
        transfer_under("lo12-ab", Some(gate.clone()), a.clone(), b.clone()).await;
        transfer_under("lo12-ba", Some(gate.clone()), b.clone(), a.clone()).await;
    }
    assert!(potential("lo12-").is_empty(), "{:#?}", potential("lo12-"));
    let order = peeps_runtime::snapshot().lock_order.expect("a lock order");
    let name = |id: u32| class_name(&order, id);
    let edges: Vec<_> = order
        .edges
        .iter()
        .filter(|e| name(e.from).starts_with("lo12-") && name(e.to).starts_with("lo12-"))
        .map(|e| {
            let gates: Vec<&str> = e.gates.iter().map(|g| name(g.class)).collect();
            (name(e.from), name(e.to), gates)
        })
        .collect();
    for (from, to) in [("lo12-a", "lo12-b"), ("lo12-b", "lo12-a")] {
        assert!(
            edges.contains(&(from, to, vec!["lo12-transfers"])),
            "{edges:#?}"
        );
    }
    for (from, to) in [("lo12-transfers", "lo12-a"), ("lo12-transfers", "lo12-b")] {
        assert!(edges.contains(&(from, to, vec![])), "{edges:#?}");
    }
}

/// The same inversion with the gate held by one of the two paths only: the
/// other can run beside it, so it is a potential deadlock; the gated step
/// says its gate.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_inversion_gated_in_one_task_only_is_a_potential_deadlock() {
    let gate = Arc::new(Mutex::new(0).named("lo13-transfers"));
    let a = Arc::new(Mutex::new(0).named("lo13-a"));
    let b = Arc::new(Mutex::new(0).named("lo13-b"));
    transfer_under("lo13-ab", Some(gate.clone()), a.clone(), b.clone()).await;
    transfer_under("lo13-ba", None, b.clone(), a.clone()).await;
    let found = potential("lo13-");
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].kind, PotentialKind::Inversion);
    let gates: Vec<(&str, Vec<&str>)> = found[0]
        .steps
        .iter()
        .map(|s| {
            let gates = s.gates.iter().map(|g| g.name.as_str()).collect();
            (s.task.name.as_str(), gates)
        })
        .collect();
    assert!(
        gates.contains(&("lo13-ab", vec!["lo13-transfers"])),
        "{gates:#?}"
    );
    assert!(gates.contains(&("lo13-ba", vec![])), "{gates:#?}");
}

/// A read lock held around both orders is no gate: two readers can hold
/// it at once, each one lock of the inversion.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_lock_around_an_inversion_is_no_gate() {
    let config = Arc::new(RwLock::new(0).named("lo14-config"));
    let a = Arc::new(Mutex::new(0).named("lo14-a"));
    let b = Arc::new(Mutex::new(0).named("lo14-b"));
    for (name, first, then) in [("lo14-ab", &a, &b), ("lo14-ba", &b, &a)] {
        let (config, first, then) = (config.clone(), first.clone(), then.clone());
        run(name, async move {
            let _config = config.read().await;
            let _x = first.lock().await;
            let _y = then.lock().await;
        })
        .await;
    }
    let found = potential("lo14-");
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(
        found[0].steps.iter().all(|s| s.gates.is_empty()),
        "{found:#?}"
    );
}

/// The one permit of a semaphore of one, held around both orders, is a
/// gate as a mutex guard is: no potential deadlock, and each edge shows
/// it. A permit of a semaphore of two is no gate: two paths can hold one
/// each, one lock of the inversion each.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_permit_of_a_semaphore_of_one_around_an_inversion_is_a_gate() {
    for (prefix, permits) in [("lo21-", 1), ("lo22-", 2)] {
        let window = Arc::new(Semaphore::new(permits).named(format!("{prefix}window")));
        let a = Arc::new(Mutex::new(0).named(format!("{prefix}a")));
        let b = Arc::new(Mutex::new(0).named(format!("{prefix}b")));
        for (path, first, then) in [("ab", &a, &b), ("ba", &b, &a)] {
            let (window, first, then) = (window.clone(), first.clone(), then.clone());
            let name: &'static str = format!("{prefix}{path}").leak();
            run(name, async move {
                let _window = window.acquire().await.expect("open");
                let _x = first.lock().await;
                let _y = then.lock().await;
            })
            .await;
        }
    }
    assert!(potential("lo21-").is_empty(), "{:#?}", potential("lo21-"));
    let order = peeps_runtime::snapshot().lock_order.expect("a lock order");
    let name = |id: u32| class_name(&order, id);
    let gated: Vec<_> = order
        .edges
        .iter()
        .filter(|e| name(e.from) == "lo21-a" || name(e.from) == "lo21-b")
        .map(|e| {
            let gates: Vec<&str> = e.gates.iter().map(|g| name(g.class)).collect();
            (name(e.from), gates)
        })
        .collect();
    assert_eq!(
        gated,
        [
            ("lo21-a", vec!["lo21-window"]),
            ("lo21-b", vec!["lo21-window"])
        ],
    );
    // No permit of a semaphore of none is no gate either.
    let window = Arc::new(Semaphore::new(0).named("lo27-window"));
    let a = Arc::new(Mutex::new(0).named("lo27-a"));
    let b = Arc::new(Mutex::new(0).named("lo27-b"));
    for (path, first, then) in [("lo27-ab", &a, &b), ("lo27-ba", &b, &a)] {
        let (window, first, then) = (window.clone(), first.clone(), then.clone());
        run(path, async move {
            let _none = window.acquire_many(0).await.expect("open");
            let _x = first.lock().await;
            let _y = then.lock().await;
        })
        .await;
    }
    assert_eq!(potential("lo27-").len(), 1, "{:#?}", potential("lo27-"));
    let found = potential("lo22-");
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(
        found[0].steps.iter().all(|s| s.gates.is_empty()),
        "{found:#?}"
    );
}

/// The owned permit of a semaphore of one, kept in a local while the task
/// takes both locks (`sem.clone().acquire_owned()`, the everyday way with
/// an `Arc<Semaphore>`), is a gate as the borrowed one is: the two orders
/// cannot meet. It still orders nothing taken after it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_owned_permit_of_a_semaphore_of_one_kept_by_its_task_is_a_gate() {
    // Of a semaphore of one (lo50-), and of two (lo51-: shared, no gate).
    for (prefix, permits) in [("lo50-", 1), ("lo51-", 2)] {
        let window = Arc::new(Semaphore::new(permits).named(format!("{prefix}window")));
        let a = Arc::new(Mutex::new(0).named(format!("{prefix}a")));
        let b = Arc::new(Mutex::new(0).named(format!("{prefix}b")));
        for (path, first, then) in [("ab", &a, &b), ("ba", &b, &a)] {
            let (window, first, then) = (window.clone(), first.clone(), then.clone());
            let name: &'static str = format!("{prefix}{path}").leak();
            run(name, async move {
                let _window = window.acquire_owned().await.expect("open");
                let _x = first.lock().await;
                let _y = then.lock().await;
            })
            .await;
        }
    }
    assert!(potential("lo50-").is_empty(), "{:#?}", potential("lo50-"));
    let order = peeps_runtime::snapshot().lock_order.expect("a lock order");
    let name = |id: u32| class_name(&order, id);
    let from_window = order
        .edges
        .iter()
        .filter(|e| name(e.from) == "lo50-window")
        .count();
    assert_eq!(from_window, 0, "an owned permit orders nothing after it");
    assert_eq!(potential("lo51-").len(), 1, "{:#?}", potential("lo51-"));
}

/// A lock held shared around one order and exclusively around the other
/// is a gate too: writers take `a` then `b` under a read of `checkpoint`,
/// the checkpointer `b` then `a` under its write (and a vacuum takes all
/// the permits of `slots` where queries take one). Two reads alone keep
/// nothing apart: the inversion under reads on both sides is reported,
/// and its steps list no gate (shared ones are not listed).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_and_the_write_of_one_lock_around_an_inversion_is_a_gate() {
    for (prefix, write_back) in [("lo40-", true), ("lo41-", false)] {
        let checkpoint = Arc::new(RwLock::new(0).named(format!("{prefix}checkpoint")));
        let a = Arc::new(Mutex::new(0).named(format!("{prefix}a")));
        let b = Arc::new(Mutex::new(0).named(format!("{prefix}b")));
        let (c, x, y) = (checkpoint.clone(), a.clone(), b.clone());
        run(format!("{prefix}writer").leak(), async move {
            let _gate = c.read().await;
            let _x = x.lock().await;
            let _y = y.lock().await;
        })
        .await;
        let (c, x, y) = (checkpoint.clone(), a.clone(), b.clone());
        run(format!("{prefix}checkpointer").leak(), async move {
            if write_back {
                let _gate = c.write().await;
                let _y = y.lock().await;
                let _x = x.lock().await;
            } else {
                let _gate = c.read().await;
                let _y = y.lock().await;
                let _x = x.lock().await;
            }
        })
        .await;
    }
    assert!(potential("lo40-").is_empty(), "{:#?}", potential("lo40-"));
    let found = potential("lo41-");
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(
        found[0].steps.iter().all(|s| s.gates.is_empty()),
        "{found:#?}"
    );

    let slots = Arc::new(Semaphore::new(4).named("lo42-slots"));
    let a = Arc::new(Mutex::new(0).named("lo42-a"));
    let b = Arc::new(Mutex::new(0).named("lo42-b"));
    let (s, x, y) = (slots.clone(), a.clone(), b.clone());
    run("lo42-query", async move {
        let _slot = s.acquire().await.expect("open");
        let _x = x.lock().await;
        let _y = y.lock().await;
    })
    .await;
    run("lo42-vacuum", async move {
        let _all = slots.acquire_many(4).await.expect("open");
        let _y = b.lock().await;
        let _x = a.lock().await;
    })
    .await;
    assert!(potential("lo42-").is_empty(), "{:#?}", potential("lo42-"));
}

/// Locks `m` at one site and holds it across a timer: the body of each
/// branch of a `join!` below.
async fn hold_a_while(m: Arc<Mutex<i32>>) {
    let _g = m.lock().await;
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
}

/// The same code running beside itself orders nothing: two `join!`
/// branches of one task each lock one mutex at the same call, the first
/// still held when the second is taken, and another task does it the
/// other way — no branch holds one while it waits for the other. A loop
/// taking locks one after another at one call still orders them (each
/// taken from the same place in its future): opposite orders of two such
/// loops are a potential deadlock, with the loop's line on both steps.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn branches_running_the_same_code_beside_each_other_order_nothing() {
    let a = Arc::new(Mutex::new(0).named("lo43-a"));
    let b = Arc::new(Mutex::new(0).named("lo43-b"));
    for (name, first, then) in [("lo43-ab", &a, &b), ("lo43-ba", &b, &a)] {
        let (first, then) = (first.clone(), then.clone());
        run(name, async move {
            tokio::join!(hold_a_while(first), async {
                tokio::time::sleep(std::time::Duration::from_millis(5)).await;
                hold_a_while(then).await;
            });
        })
        .await;
    }
    assert!(potential("lo43-").is_empty(), "{:#?}", potential("lo43-"));

    let a = Arc::new(Mutex::new(0).named("lo44-a"));
    let b = Arc::new(Mutex::new(0).named("lo44-b"));
    for (name, order) in [("lo44-ab", [&a, &b]), ("lo44-ba", [&b, &a])] {
        let order = order.map(Arc::clone);
        run(name, async move {
            let mut guards = Vec::new();
            for m in &order {
                guards.push(m.lock().await);
            }
        })
        .await;
    }
    let found = potential("lo44-");
    assert_eq!(found.len(), 1, "{found:#?}");
    // The loop's `m.lock()`, eight lines up.
    let line = format!("{}:", here(line!() - 8));
    assert!(
        found[0]
            .steps
            .iter()
            .all(|s| s.held_at.as_ref().is_some_and(|at| at.starts_with(&line))),
        "{found:#?}"
    );
}

/// Reads `m` at one site and holds it across a timer.
async fn read_a_while(m: Arc<RwLock<i32>>) {
    let _g = m.read().await;
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
}

/// Two branches of one `join!` reading one written lock at the same call
/// are no read re-entered: each lets its read go whatever the other waits
/// for.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reads_taken_beside_each_other_at_one_call_are_no_reentered_read() {
    let c = Arc::new(RwLock::new(0).named("lo45-config"));
    let c2 = c.clone();
    run("lo45-t", async move {
        tokio::join!(read_a_while(c2.clone()), read_a_while(c2.clone()));
    })
    .await;
    let _w = c.write().await;
    drop(_w);
    assert!(potential("lo45-").is_empty(), "{:#?}", potential("lo45-"));
}

/// Takes `from`, then `to` under a timeout of `wait` (one site for every
/// call): whether it had both.
async fn transfer_or_back_off(from: Arc<Mutex<i32>>, to: Arc<Mutex<i32>>, wait: u64) -> bool {
    let _x = from.lock().await;
    let second = tokio::time::timeout(std::time::Duration::from_millis(wait), to.lock()).await;
    second.is_ok()
}

/// An inversion whose one side waits for its second lock under a timeout,
/// seen to give up while it waited (its future dropped, the first lock
/// held): that wait cannot hang for good, so the cycle is no potential
/// deadlock, and the edge says so (`bounded`). The same inversion with the
/// edge also made at another site, with no timeout, is one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_inversion_whose_one_wait_was_given_up_under_a_timeout_is_none() {
    for prefix in ["lo23-", "lo24-"] {
        let a = Arc::new(Mutex::new(0).named(format!("{prefix}a")));
        let b = Arc::new(Mutex::new(0).named(format!("{prefix}b")));
        let held_b = b.clone().lock_owned().await;
        let (x, y) = (a.clone(), b.clone());
        let name: &'static str = format!("{prefix}ab").leak();
        let had = spawn_named(name, transfer_or_back_off(x, y, 30));
        assert!(!had.await.expect("task"), "b is held: the wait is given up");
        drop(held_b);
        let (x, y) = (a.clone(), b.clone());
        let had = spawn_named(name, transfer_or_back_off(x, y, 10_000));
        assert!(had.await.expect("task"), "b is free");
        if prefix == "lo24-" {
            let (x, y) = (a.clone(), b.clone());
            run("lo24-ab-again", async move {
                let _x = x.lock().await;
                let _y = y.lock().await;
            })
            .await;
        }
        let name: &'static str = format!("{prefix}ba").leak();
        run(name, async move {
            let _y = b.lock().await;
            let _x = a.lock().await;
        })
        .await;
    }
    assert!(potential("lo23-").is_empty(), "{:#?}", potential("lo23-"));
    let order = peeps_runtime::snapshot().lock_order.expect("a lock order");
    let name = |id: u32| class_name(&order, id);
    let bounded: Vec<_> = order
        .edges
        .iter()
        .filter(|e| name(e.from).starts_with("lo23-"))
        .map(|e| (name(e.from), name(e.to), e.bounded))
        .collect();
    assert_eq!(bounded.len(), 2, "{bounded:#?}");
    assert!(
        bounded.contains(&("lo23-a", "lo23-b", true)),
        "{bounded:#?}"
    );
    assert!(
        bounded.contains(&("lo23-b", "lo23-a", false)),
        "{bounded:#?}"
    );
    assert_eq!(potential("lo24-").len(), 1, "{:#?}", potential("lo24-"));
}

/// A wait the waiter did not give up itself marks nothing: a peeps task
/// aborted while it holds `a` and waits for `b` is dropped by the runtime,
/// so once `a` → `b` is taken at that site, the inversion with a later
/// `b` → `a` is reported. A wait given up
/// under a timeout on an rwlock's write (the waits of `RwLock`,
/// `Semaphore` and `lock_owned` are one wrapper) marks its edge as a
/// mutex's does.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_a_wait_its_waiter_gave_up_is_bounded() {
    let a = Arc::new(Mutex::new(0).named("lo25-a"));
    let b = Arc::new(Mutex::new(0).named("lo25-b"));
    /// Takes `x`, says so, then takes `y` (one site for both runs).
    async fn take_both(
        x: Arc<Mutex<i32>>,
        y: Arc<Mutex<i32>>,
        took_x: tokio::sync::oneshot::Sender<()>,
    ) {
        let _x = x.lock().await;
        let _ = took_x.send(());
        let _y = y.lock().await;
    }
    let held_b = b.clone().lock_owned().await;
    let (took_a, a_taken) = tokio::sync::oneshot::channel();
    let aborted = spawn_named("lo25-ab", take_both(a.clone(), b.clone(), took_a));
    a_taken.await.expect("a taken");
    // Until its wait for `b` is recorded: the task's poll returned Pending.
    while !peeps_runtime::snapshot()
        .edges
        .iter()
        .any(|e| e.kind == peeps_graph::EdgeKind::WaitsOn && e.to == node_id("lo25-b"))
    {
        tokio::task::yield_now().await;
    }
    aborted.abort();
    assert!(aborted.await.is_err(), "aborted");
    drop(held_b);
    let (took_a, _) = tokio::sync::oneshot::channel();
    spawn_named("lo25-ab", take_both(a.clone(), b.clone(), took_a))
        .await
        .expect("task");
    run("lo25-ba", async move {
        let _y = b.lock().await;
        let _x = a.lock().await;
    })
    .await;
    assert_eq!(potential("lo25-").len(), 1, "{:#?}", potential("lo25-"));

    let a = Arc::new(Mutex::new(0).named("lo26-a"));
    let config = Arc::new(RwLock::new(0).named("lo26-config"));
    let read = config.clone().read_owned().await;
    let (x, c) = (a.clone(), config.clone());
    run("lo26-ab", async move {
        let _x = x.lock().await;
        let write = tokio::time::timeout(std::time::Duration::from_millis(30), c.write()).await;
        assert!(write.is_err(), "a reader holds it: the wait is given up");
    })
    .await;
    drop(read);
    run("lo26-ba", async move {
        let _c = config.write().await;
        let _x = a.lock().await;
    })
    .await;
    assert!(potential("lo26-").is_empty(), "{:#?}", potential("lo26-"));
}

/// The node id of the node named `name` (0: none).
fn node_id(name: &str) -> peeps_graph::NodeId {
    peeps_runtime::snapshot()
        .nodes
        .iter()
        .find(|n| n.name == name)
        .map_or(0, |n| n.id)
}

/// An owned guard its task keeps is a gate as a borrowed one is (it may
/// move to another task unseen: a gate claimed for it then can hide an
/// inversion, never make one up).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_owned_guard_kept_around_an_inversion_is_a_gate() {
    let gate = Arc::new(Mutex::new(0).named("lo15-transfers"));
    let a = Arc::new(Mutex::new(0).named("lo15-a"));
    let b = Arc::new(Mutex::new(0).named("lo15-b"));
    for (name, first, then) in [("lo15-ab", &a, &b), ("lo15-ba", &b, &a)] {
        let (gate, first, then) = (gate.clone(), first.clone(), then.clone());
        run(name, async move {
            let _gate = gate.lock_owned().await;
            let _x = first.lock().await;
            let _y = then.lock().await;
        })
        .await;
    }
    assert!(potential("lo15-").is_empty(), "{:#?}", potential("lo15-"));
}

/// An edge seen once under a gate and once without it, by one thread: the
/// thread's edge cache must not hide the second observation, which leaves
/// the edge without a gate, so the inversion is reported.
#[test]
fn an_edge_seen_without_its_gate_once_loses_it() {
    use peeps_sync::blocking::Mutex as BMutex;
    let gate = Arc::new(BMutex::new(0).named("lo16-transfers"));
    let a = Arc::new(BMutex::new(0).named("lo16-a"));
    let b = Arc::new(BMutex::new(0).named("lo16-b"));
    let (gate2, a2, b2) = (gate.clone(), a.clone(), b.clone());
    std::thread::Builder::new()
        .name("lo16-ab".into())
        .spawn(move || {
            for gated in [true, true, false, true] {
                let _gate = gated.then(|| gate2.lock());
                let _x = a2.lock();
                let _y = b2.lock();
            }
        })
        .unwrap()
        .join()
        .unwrap();
    std::thread::Builder::new()
        .name("lo16-ba".into())
        .spawn(move || {
            let _gate = gate.lock();
            let _y = b.lock();
            let _x = a.lock();
        })
        .unwrap()
        .join()
        .unwrap();
    let found = potential("thread lo16-");
    assert_eq!(found.len(), 1, "{found:#?}");
}

/// The potential deadlocks of this process through locks named with
/// `prefix` (for plain tokio tasks, which are named after their ids).
fn potential_through(prefix: &str) -> Vec<PotentialDeadlock> {
    let snap = peeps_runtime::snapshot();
    let report = peeps_graph::analyze(std::slice::from_ref(&snap), &Options::default());
    report
        .potential_deadlocks
        .into_iter()
        .filter(|p| p.locks.iter().any(|l| l.name.starts_with(prefix)))
        .collect()
}

/// As `transfer_under`, in a plain `tokio::spawn` task that holds `gate`
/// while it waits for `from`, which a thread holds until the task waits:
/// the task's worker is kept busy meanwhile (a blocking task in its LIFO
/// slot, which no other worker takes), so tokio resumes the task on the
/// other worker. Returns whether it did.
async fn plain_transfer_moved(
    gate: Arc<Mutex<i64>>,
    from: Arc<Mutex<i64>>,
    to: Arc<Mutex<i64>>,
) -> bool {
    let (held_tx, held_rx) = std::sync::mpsc::channel();
    let (waiting_tx, waiting_rx) = std::sync::mpsc::channel::<()>();
    let holder = {
        let from = from.clone();
        std::thread::spawn(move || {
            let guard = from.blocking_lock();
            held_tx.send(()).unwrap();
            waiting_rx.recv().unwrap();
            // Let the task's wait begin and its worker start the blocker.
            std::thread::sleep(std::time::Duration::from_millis(100));
            drop(guard);
        })
    };
    held_rx.recv().unwrap();
    let moved = tokio::spawn(async move {
        let _gate = gate.lock().await;
        let before = std::thread::current().id();
        tokio::spawn(async { std::thread::sleep(std::time::Duration::from_millis(400)) });
        waiting_tx.send(()).unwrap();
        let _x = from.lock().await;
        let after = std::thread::current().id();
        let _y = to.lock().await;
        before != after
    })
    .await
    .expect("the transfer");
    holder.join().unwrap();
    moved
}

/// Opposite orders under one gate, in plain `tokio::spawn` tasks that
/// each hold the gate across the wait for their first account and resume
/// on the other worker thread: the gate follows each task to the thread it
/// resumes on (its locks leave the first thread's list while it waits), so
/// there is no potential deadlock, and both edges show the gate.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plain_task_resumed_on_another_thread_keeps_its_gate() {
    let gate = Arc::new(Mutex::new(0).named("lo17-transfers"));
    let a = Arc::new(Mutex::new(0).named("lo17-a"));
    let b = Arc::new(Mutex::new(0).named("lo17-b"));
    assert!(
        plain_transfer_moved(gate.clone(), a.clone(), b.clone()).await,
        "the task did not move"
    );
    assert!(
        plain_transfer_moved(gate.clone(), b.clone(), a.clone()).await,
        "the task did not move"
    );
    let found = potential_through("lo17-");
    assert!(found.is_empty(), "{found:#?}");
    let order = peeps_runtime::snapshot().lock_order.expect("a lock order");
    let name = |id: u32| class_name(&order, id);
    let edges: Vec<_> = order
        .edges
        .iter()
        .filter(|e| name(e.from).starts_with("lo17-") && name(e.to).starts_with("lo17-"))
        .map(|e| {
            let gates: Vec<&str> = e.gates.iter().map(|g| name(g.class)).collect();
            (name(e.from), name(e.to), gates)
        })
        .collect();
    for (from, to) in [("lo17-a", "lo17-b"), ("lo17-b", "lo17-a")] {
        assert!(
            edges.contains(&(from, to, vec!["lo17-transfers"])),
            "{edges:#?}"
        );
    }
    for (from, to) in [("lo17-transfers", "lo17-a"), ("lo17-transfers", "lo17-b")] {
        assert!(edges.contains(&(from, to, vec![])), "{edges:#?}");
    }
}

/// Two plain tasks, each holding one account across its wait for the
/// other, in opposite orders, each resuming on the other worker thread: the
/// account held across the wait followed the task, so both order edges are
/// learned and the inversion is reported.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plain_task_resumed_on_another_thread_still_orders_its_locks() {
    let a = Arc::new(Mutex::new(0).named("lo18-a"));
    let b = Arc::new(Mutex::new(0).named("lo18-b"));
    let then1 = Arc::new(Mutex::new(0).named("lo18-then-1"));
    let then2 = Arc::new(Mutex::new(0).named("lo18-then-2"));
    assert!(
        plain_transfer_moved(a.clone(), b.clone(), then1).await,
        "the task did not move"
    );
    assert!(
        plain_transfer_moved(b.clone(), a.clone(), then2).await,
        "the task did not move"
    );
    let found = potential_through("lo18-");
    assert_eq!(found.len(), 1, "{found:#?}");
    let mut locks: Vec<&str> = found[0].locks.iter().map(|l| l.name.as_str()).collect();
    locks.sort();
    assert_eq!(locks, ["lo18-a", "lo18-b"]);
}

/// A plain task holding the gate while one `join!` branch waits for a
/// lock a thread holds and the other takes two more: the waiting branch
/// does not take the gate away from its sibling, whose two locks are
/// ordered under it; the same two taken the other way round under the gate
/// by another task are no potential deadlock.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_waiting_join_branch_leaves_the_gate_to_its_sibling() {
    let gate = Arc::new(Mutex::new(0).named("lo19-transfers"));
    let x = Arc::new(Mutex::new(0).named("lo19-x"));
    let y = Arc::new(Mutex::new(0).named("lo19-y"));
    let z = Arc::new(Mutex::new(0).named("lo19-z"));
    let (held_tx, held_rx) = std::sync::mpsc::channel();
    let holder = {
        let x = x.clone();
        std::thread::spawn(move || {
            let guard = x.blocking_lock();
            held_tx.send(()).unwrap();
            std::thread::sleep(std::time::Duration::from_millis(100));
            drop(guard);
        })
    };
    held_rx.recv().unwrap();
    {
        let (gate, y, z) = (gate.clone(), y.clone(), z.clone());
        tokio::spawn(async move {
            let _gate = gate.lock().await;
            tokio::join!(
                async {
                    let _x = x.lock().await;
                },
                async {
                    let _y = y.lock().await;
                    let _z = z.lock().await;
                }
            );
        })
        .await
        .unwrap();
    }
    holder.join().unwrap();
    tokio::spawn(async move {
        let _gate = gate.lock().await;
        let _z = z.lock().await;
        let _y = y.lock().await;
    })
    .await
    .unwrap();
    let found = potential_through("lo19-");
    assert!(found.is_empty(), "{found:#?}");
}

/// In a plain `tokio::spawn` task whose top-level future is instrumented,
/// holds `gate` and `from` across a timer (no wait of peeps') during which
/// its worker is kept busy, so the timer resumes it on the other worker,
/// then takes `to`. Returns whether it moved.
async fn plain_instrumented_moved_over_a_timer(
    gate: Arc<Mutex<i64>>,
    from: Arc<Mutex<i64>>,
    to: Arc<Mutex<i64>>,
) -> bool {
    let task = peeps_runtime::instrument("lo20-transfer", "lo20:1:1", async move {
        let _gate = gate.lock().await;
        let _x = from.lock().await;
        let before = std::thread::current().id();
        tokio::spawn(async { std::thread::sleep(std::time::Duration::from_millis(400)) });
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        let after = std::thread::current().id();
        let _y = to.lock().await;
        before != after
    });
    tokio::spawn(task).await.expect("the transfer")
}

/// Opposite orders under one gate, in plain tasks whose top-level future
/// is instrumented and that resume on the other worker after a timer while
/// holding the gate and their first account: the locks follow the task
/// across its polls, so each edge keeps the gate and there is no potential
/// deadlock.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_instrumented_plain_task_keeps_its_gate_across_a_timer() {
    let gate = Arc::new(Mutex::new(0).named("lo20-transfers"));
    let a = Arc::new(Mutex::new(0).named("lo20-a"));
    let b = Arc::new(Mutex::new(0).named("lo20-b"));
    assert!(
        plain_instrumented_moved_over_a_timer(gate.clone(), a.clone(), b.clone()).await,
        "the task did not move"
    );
    assert!(
        plain_instrumented_moved_over_a_timer(gate.clone(), b.clone(), a.clone()).await,
        "the task did not move"
    );
    let found = potential_through("lo20-");
    assert!(found.is_empty(), "{found:#?}");
    let order = peeps_runtime::snapshot().lock_order.expect("a lock order");
    let name = |id: u32| class_name(&order, id);
    let gated: Vec<_> = order
        .edges
        .iter()
        .filter(|e| name(e.from).starts_with("lo20-") && name(e.to).starts_with("lo20-"))
        .map(|e| {
            (
                name(e.from),
                name(e.to),
                e.gates.iter().map(|g| name(g.class)).collect::<Vec<_>>(),
            )
        })
        .collect();
    for (from, to) in [("lo20-a", "lo20-b"), ("lo20-b", "lo20-a")] {
        assert!(
            gated.contains(&(from, to, vec!["lo20-transfers"])),
            "{gated:#?}"
        );
    }
}

/// The line of `Tables`' derive.
const TABLES_LINE: u32 = line!() + 3;
/// Tables of an application's state, every field made by the derive at one
/// line: unnamed locks of one site, guarding values of different types.
#[derive(Default)]
struct Tables {
    users: Mutex<Vec<u64>>,
    orders: Mutex<String>,
}

/// The fields of a `#[derive(Default)]` struct are all made at the derive's
/// line; locks guarding different types there are different classes, so
/// `users` then a pool's permit, and the permit then `orders`, close no
/// cycle. Between the two fields themselves, opposite orders still are one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fields_made_by_one_derive_guarding_different_types_are_different_classes() {
    let tables = Arc::new(Tables::default());
    let db = Arc::new(Semaphore::new(2).named("lo-fields-db"));
    {
        let (tables, db) = (tables.clone(), db.clone());
        run("lo-fields-signup", async move {
            let users = tables.users.lock().await;
            let conn = db.acquire().await.unwrap();
            drop((conn, users));
        })
        .await;
    }
    {
        let (tables, db) = (tables.clone(), db.clone());
        run("lo-fields-checkout", async move {
            let conn = db.acquire().await.unwrap();
            tables.orders.lock().await.push('x');
            drop(conn);
        })
        .await;
    }
    let found = potential("lo-fields-");
    assert!(found.is_empty(), "{found:#?}");

    {
        let tables = tables.clone();
        run("lo-fields-report", async move {
            let users = tables.users.lock().await;
            let orders = tables.orders.lock().await;
            drop((orders, users));
        })
        .await;
    }
    {
        let tables = tables.clone();
        run("lo-fields-audit", async move {
            let orders = tables.orders.lock().await;
            let users = tables.users.lock().await;
            drop((users, orders));
        })
        .await;
    }
    // The audit's order closes the two fields' cycle (and, through the
    // pool, signup -> checkout -> audit: a true one too).
    let found = potential("lo-fields-");
    let paths: Vec<Vec<&str>> = found
        .iter()
        .map(|p| p.steps.iter().map(|s| s.task.name.as_str()).collect())
        .collect();
    assert!(
        paths.contains(&vec!["lo-fields-report", "lo-fields-audit"]),
        "{found:#?}"
    );
    assert!(
        paths.iter().all(|p| p.contains(&"lo-fields-audit")),
        "{found:#?}"
    );
    // The two classes of the derive's line say which is which.
    let two = &found[paths.iter().position(|p| p.len() == 2).unwrap()];
    let mut names: Vec<&str> = two.locks.iter().map(|l| l.name.as_str()).collect();
    names.sort_unstable();
    let site = here(TABLES_LINE);
    assert_eq!(
        names,
        [format!("{site} (String)"), format!("{site} (Vec<u64>)")],
        "{found:#?}"
    );
}

/// One generic cache type, two instances: each guards its value with an
/// rwlock and its refresh with a `refreshing` mutex made in `new()`.
struct Cached<T> {
    value: RwLock<T>,
    refreshing: Mutex<()>,
}

impl<T: Clone> Cached<T> {
    fn new(value: T) -> Self {
        Cached {
            value: RwLock::new(value),
            refreshing: Mutex::new(()),
        }
    }

    async fn refresh(&self, value: T) {
        let _refresh = self.refreshing.lock().await;
        *self.value.write().await = value;
    }
}

/// Two instances of one generic type make one class of their `refreshing`
/// mutexes. Holding config's value while refreshing the token, and
/// config's `refreshing` then its value, meet at no lock: the cycle
/// through the class does not close lock by lock. Refreshing the config
/// under its own value's read does close it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cycle_through_two_instances_of_one_class_that_meets_at_no_lock_is_none() {
    let token = Arc::new(Cached::new(0u64));
    let config = Arc::new(Cached::new(String::new()));
    {
        let (token, config) = (token.clone(), config.clone());
        run("lo-pairs-handler", async move {
            let _config = config.value.read().await;
            token.refresh(7).await;
        })
        .await;
    }
    {
        let config = config.clone();
        run("lo-pairs-reload", async move {
            config.refresh("v2".into()).await;
        })
        .await;
    }
    let found = potential("lo-pairs-");
    assert!(found.is_empty(), "{found:#?}");
    {
        let config = config.clone();
        run("lo-pairs-self", async move {
            let _config = config.value.read().await;
            let _refresh = config.refreshing.lock().await;
        })
        .await;
    }
    // The edge from config's value to the `refreshing` class now has
    // config's own among its locks: the cycle closes (its steps name the
    // edges' first observers).
    let found = potential("lo-pairs-");
    let tasks: Vec<Vec<&str>> = found
        .iter()
        .map(|p| p.steps.iter().map(|s| s.task.name.as_str()).collect())
        .collect();
    assert_eq!(
        tasks,
        [["lo-pairs-handler", "lo-pairs-reload"]],
        "{found:#?}"
    );
}

/// Per-connection state locks, all made at one site, and a registry:
/// handlers take their connection's state then the registry, the reaper
/// the registry then every state. The edges meet at each state: the
/// inversion is reported, and each edge lists the states it saw.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_inversion_through_many_locks_of_one_class_is_reported() {
    let registry = Arc::new(Mutex::new(0).named("lo-conns-registry"));
    let conns: Arc<Vec<Mutex<u64>>> = Arc::new((0..12).map(Mutex::new).collect());
    for i in 0..12 {
        let (registry, conns) = (registry.clone(), conns.clone());
        run("lo-conns-handler", async move {
            let _state = conns[i].lock().await;
            let _registry = registry.lock().await;
        })
        .await;
    }
    {
        let (registry, conns) = (registry.clone(), conns.clone());
        run("lo-conns-reaper", async move {
            let _registry = registry.lock().await;
            for c in conns.iter().rev() {
                drop(c.lock().await);
            }
        })
        .await;
    }
    let found = potential("lo-conns-");
    assert_eq!(found.len(), 1, "{found:#?}");
    let order = peeps_runtime::snapshot().lock_order.expect("a lock order");
    let listed = order
        .edges
        .iter()
        .filter(|e| e.example.task_name.starts_with("lo-conns-"))
        .all(|e| e.held_locks.len() + e.taken_locks.len() == 13 && !e.more_held && !e.more_taken);
    assert!(
        listed,
        "each edge lists the 12 states and the registry: {order:#?}"
    );
}

/// A proxy's connections, one type (one class of state locks): client
/// handlers take their own state then the routes, a health checker the
/// routes then each upstream's state. No state is on both sides: no
/// potential deadlock, however many connections (up to what an edge
/// lists); past that, a side is any lock and the inversion is reported.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_locks_of_one_class_on_sides_that_never_meet_order_nothing() {
    async fn proxy(prefix: &'static str, conns: usize) {
        let routes = Arc::new(Mutex::new(0).named(format!("{prefix}routes")));
        let states: Arc<Vec<Mutex<u64>>> =
            Arc::new((0..2 * conns as u64).map(Mutex::new).collect());
        for i in 0..conns {
            let (routes, states) = (routes.clone(), states.clone());
            run(prefix, async move {
                let _client = states[i].lock().await;
                let _routes = routes.lock().await;
            })
            .await;
        }
        let (routes, states) = (routes.clone(), states.clone());
        run(prefix, async move {
            let _routes = routes.lock().await;
            for upstream in &states[conns..] {
                drop(upstream.lock().await);
            }
        })
        .await;
    }
    proxy("lo-proxy-few-", 40).await;
    let found = potential("lo-proxy-few-");
    assert!(found.is_empty(), "{found:#?}");
    proxy("lo-proxy-many-", peeps_graph::MAX_EDGE_LOCKS + 1).await;
    let found = potential("lo-proxy-many-");
    assert_eq!(found.len(), 1, "past the lists, any lock: {found:#?}");
}

/// A read-through cache's placeholder: a fresh slot made and locked under
/// the map's write lock (nobody else can reach it yet), filled after the
/// map is let go, its loader reading the map meanwhile. The slot's first
/// acquisition by its maker orders nothing before it: no cycle.
async fn fill_placeholder(map: Arc<RwLock<Vec<Arc<Mutex<i32>>>>>, name: &'static str, again: bool) {
    let mut entries = map.write().await;
    let slot = Arc::new(Mutex::new(0).named(name));
    if again {
        // Taken once already: the next acquisition under the map can wait.
        drop(slot.lock().await);
    }
    let mut fill = slot.lock().await;
    entries.push(slot.clone());
    drop(entries);
    *fill = i32::try_from(map.read().await.len()).unwrap_or(0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fresh_lock_its_maker_takes_under_another_orders_nothing_before_it() {
    let map = Arc::new(RwLock::new(Vec::new()).named("lo-fresh-map"));
    for name in ["lo-fresh-1", "lo-fresh-2"] {
        run(name, fill_placeholder(map.clone(), "lo-fresh-slot", false)).await;
    }
    assert!(
        potential("lo-fresh-").is_empty(),
        "{:#?}",
        potential("lo-fresh-")
    );
}

/// The same slot taken a second time under the map is ordered after it: a
/// potential deadlock with the read of the map under the slot.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fresh_lock_taken_again_under_another_is_ordered_after_it() {
    let map = Arc::new(RwLock::new(Vec::new()).named("lo-refresh-map"));
    run(
        "lo-refresh-1",
        fill_placeholder(map, "lo-refresh-slot", true),
    )
    .await;
    let found = potential("lo-refresh-");
    assert_eq!(found.len(), 1, "{found:#?}");
    let mut locks: Vec<&str> = found[0]
        .steps
        .iter()
        .flat_map(|s| [s.held.name.as_str(), s.acquired.name.as_str()])
        .collect();
    locks.sort_unstable();
    locks.dedup();
    assert_eq!(locks, ["lo-refresh-map", "lo-refresh-slot"], "{found:#?}");
}

/// How a maintenance gate's owned write guard reaches the task that does
/// the maintenance.
#[derive(Clone, Copy)]
enum Handoff {
    /// Sent in a message to a worker.
    Message,
    /// Given at spawn to a peeps task, which its spawner awaits.
    Spawn,
}

/// Handlers hold `gate` for reading and take `index` then `data`; the
/// maintenance takes `data` then `index` holding the gate's write guard,
/// handed to it as `how` says, then (with `again_ungated`) once more after
/// letting the guard go.
async fn maintain(prefix: &'static str, how: Handoff, again_ungated: bool) {
    let gate = Arc::new(RwLock::new(()).named(format!("{prefix}gate")));
    let index = Arc::new(Mutex::new(0).named(format!("{prefix}index")));
    let data = Arc::new(Mutex::new(0).named(format!("{prefix}data")));
    {
        let (gate, index, data) = (gate.clone(), index.clone(), data.clone());
        run(prefix, async move {
            let _gate = gate.read().await;
            let _index = index.lock().await;
            let _data = data.lock().await;
        })
        .await;
    }
    let compact = move |maintenance| async move {
        {
            let _data = data.lock().await;
            let _index = index.lock().await;
        }
        drop(maintenance);
        if again_ungated {
            let _data = data.lock().await;
            let _index = index.lock().await;
        }
    };
    match how {
        Handoff::Message => {
            let (tx, mut rx) = peeps_sync::mpsc::channel(1);
            let worker = spawn_named(prefix, async move {
                compact(rx.recv().await.expect("the guard")).await;
            });
            run(prefix, async move {
                let maintenance = gate.write_owned().await;
                tx.send(maintenance).await.expect("sent");
            })
            .await;
            worker.await.expect("worker");
        }
        Handoff::Spawn => {
            run(prefix, async move {
                let maintenance = gate.write_owned().await;
                let compactor = spawn_named(prefix, compact(maintenance));
                compactor.await.expect("compactor");
            })
            .await;
        }
    }
}

/// A maintenance gate's owned write guard sent to the worker that does
/// the maintenance: the worker holds it from its receive on, so it gates
/// the worker's order as it gated the sender's (handlers, holding the gate
/// for reading, take the two locks the other way). Once the worker has let
/// it go, the same order taken again is gated by nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_guard_received_in_a_message_gates_what_the_receiver_takes() {
    maintain("lo-sentgate-", Handoff::Message, false).await;
    let found = potential("lo-sentgate-");
    assert!(found.is_empty(), "{found:#?}");
    maintain("lo-sentgate-after-", Handoff::Message, true).await;
    let found = potential("lo-sentgate-after-");
    assert_eq!(found.len(), 1, "{found:#?}");
}

/// As above, the guard given at spawn to a peeps task (`spawn_named`):
/// the task holds it from its first poll on.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_guard_given_at_spawn_gates_what_the_task_takes() {
    maintain("lo-spawngate-", Handoff::Spawn, false).await;
    let found = potential("lo-spawngate-");
    assert!(found.is_empty(), "{found:#?}");
    maintain("lo-spawngate-after-", Handoff::Spawn, true).await;
    let found = potential("lo-spawngate-after-");
    assert_eq!(found.len(), 1, "{found:#?}");
}
