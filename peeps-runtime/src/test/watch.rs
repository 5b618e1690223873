//! The watcher: one thread per process that analyses the process while
//! `#[peeps::test]` runs are live, and tells each run when its own tasks
//! can never make progress.
//!
//! Each round (every [`INTERVAL`], and only once some run has lasted the
//! settle time: no deadlock can be reported sooner) takes one snapshot of
//! the whole process and analyses it with the default options, so a
//! deadlock must have stood for the settle time. The whole process, not a
//! run's part of it: a run's task may wait on a lock another run's task
//! holds (a static shared by tests), and only the whole graph says who can
//! release what. The findings are then given to the runs they concern
//! ([`verdicts`]):
//!
//! - a **certain** deadlock, to every run one of its tasks (in the cycle,
//!   in another cycle of the group, or stuck behind it) belongs to;
//! - a task **stuck forever**, to the run whose body is that task or is
//!   stuck behind it (a leaked background task fails nobody: it shows in
//!   the timeout report).
//!
//! A run is told once, and not once its body has finished (its runtime may
//! be shutting down). Probable deadlocks fail nobody: a task peeps cannot
//! see into may still release them. They are said in the timeout report.
//!
//! # Global state
//!
//! The list of live runs (a mutex and a condvar the thread sleeps on while
//! the list is empty), and the thread itself, started by the first run.

use super::{Event, Shared};
use parking_lot::{Condvar, Mutex};
use peeps_graph::analysis::{Certainty, Options, Report};
use peeps_graph::{NodeId, Snapshot, attr};
use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::Ordering::SeqCst;
use std::sync::mpsc::Sender;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

/// How often the watcher analyses the process while a run is live: a
/// deadlock fails its test about this long after it has settled (longer
/// when one round takes more than a fifth of it: see [`REST_PER_ROUND`]).
pub(crate) const INTERVAL: Duration = Duration::from_millis(250);

struct Watched {
    shared: Arc<Shared>,
    tx: Sender<Event>,
    told: bool,
}

static WATCHED: Mutex<Vec<Watched>> = Mutex::new(Vec::new());
static WAKE: Condvar = Condvar::new();
static STARTED: OnceLock<()> = OnceLock::new();

/// Watches the run `shared` until the guard drops; verdicts go to `tx`.
pub(crate) fn watch(shared: Arc<Shared>, tx: Sender<Event>) -> WatchGuard {
    let scope = shared.scope;
    WATCHED.lock().push(Watched { shared, tx, told: false });
    WAKE.notify_one();
    STARTED.get_or_init(|| {
        let spawned = std::thread::Builder::new()
            .name("peeps-test-watch".into())
            .spawn(|| {
                let _seen = crate::census::seen_thread();
                run()
            });
        if let Err(e) = spawned {
            eprintln!("peeps: could not start the test watcher thread: {e}");
        }
    });
    WatchGuard { scope }
}

/// Ends the watch of one run.
#[derive(Debug)]
pub(crate) struct WatchGuard {
    scope: u64,
}

impl Drop for WatchGuard {
    fn drop(&mut self) {
        WATCHED.lock().retain(|w| w.shared.scope != self.scope);
    }
}

/// The runs live now, oldest first.
pub(crate) fn running() -> Vec<Arc<Shared>> {
    let mut runs: Vec<Arc<Shared>> = WATCHED.lock().iter().map(|w| w.shared.clone()).collect();
    runs.sort_by_key(|s| s.started);
    runs
}

/// How many times a round's own duration the watcher rests after it: on a
/// huge graph (a round of a second) it takes at most a fifth of a core.
const REST_PER_ROUND: u32 = 4;

fn run() {
    let mut rest = INTERVAL;
    loop {
        {
            let mut watched = WATCHED.lock();
            while watched.is_empty() {
                WAKE.wait(&mut watched);
            }
        }
        std::thread::sleep(rest);
        let started = std::time::Instant::now();
        // The analysis never panics on any graph; if it ever did, the
        // watcher says so once and stops rather than fail unrelated tests.
        if std::panic::catch_unwind(round).is_err() {
            eprintln!("peeps: the test watcher stopped after an internal error");
            return;
        }
        rest = INTERVAL.max(started.elapsed() * REST_PER_ROUND);
    }
}

/// One round: snapshot, analyse, tell the runs concerned.
fn round() {
    let settle = Duration::from_millis(Options::DEFAULT_SETTLE_MS);
    let bodies: Vec<(u64, NodeId)> = WATCHED
        .lock()
        .iter()
        .filter(|w| !w.told && w.shared.started.elapsed() >= settle)
        .map(|w| (w.shared.scope, w.shared.body.load(SeqCst)))
        .collect();
    if bodies.is_empty() {
        return;
    }
    let snap = crate::snapshot();
    let report = peeps_graph::analyze(std::slice::from_ref(&snap), &Options::default());
    let verdicts = verdicts(&snap, &report, &bodies);
    if verdicts.is_empty() {
        return;
    }
    let mut watched = WATCHED.lock();
    for w in watched.iter_mut() {
        let Some(texts) = verdicts.get(&w.shared.scope) else {
            continue;
        };
        if w.told || w.shared.body_done.load(SeqCst) {
            continue;
        }
        w.told = true;
        let _ = w.tx.send(Event::Verdict(texts.join("\n\n")));
    }
}

/// What each run must be told: scope → the texts of the findings that
/// fail it (see the module's rules). `bodies` are `(scope, body task id)`.
pub(crate) fn verdicts(snap: &Snapshot, report: &Report, bodies: &[(u64, NodeId)]) -> BTreeMap<u64, Vec<String>> {
    let scopes: HashMap<NodeId, u64> = snap
        .nodes
        .iter()
        .filter_map(|n| Some((n.id, n.attrs.get(attr::TEST_SCOPE)?.as_u64()?)))
        .collect();
    let mut out: BTreeMap<u64, Vec<String>> = BTreeMap::new();
    for d in report.deadlocks.iter().filter(|d| d.certainty == Certainty::Certain) {
        let mut hit: Vec<u64> = d
            .tasks
            .iter()
            .chain(d.others.iter().map(|s| &s.task))
            .chain(d.behind.iter().map(|s| &s.task))
            .filter_map(|t| scopes.get(&t.id).copied())
            .collect();
        hit.sort_unstable();
        hit.dedup();
        for scope in hit {
            out.entry(scope).or_default().push(d.text.clone());
        }
    }
    for s in &report.stuck_forever {
        for &(scope, body) in bodies {
            let mut stuck = std::iter::once(&s.task).chain(s.behind.iter().map(|b| &b.task));
            if body != 0 && stuck.any(|t| t.id == body) {
                out.entry(scope).or_default().push(s.text.clone());
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::verdicts;
    use peeps_graph::analysis::Options;
    use peeps_graph::{NodeId, Snapshot, attr};

    /// The example dump (tasks 1 and 2 deadlocked on two mutexes), with
    /// `scopes` given to its nodes.
    fn dump(scopes: &[(NodeId, u64)]) -> Snapshot {
        let mut snap = Snapshot::from_json(include_str!("../../../docs/example-dump.json")).expect("the example dump");
        for &(id, scope) in scopes {
            let node = snap.nodes.iter_mut().find(|n| n.id == id).expect("a node of the dump");
            node.attrs.insert(attr::TEST_SCOPE.into(), scope.into());
        }
        snap
    }

    fn told(snap: &Snapshot, bodies: &[(u64, NodeId)]) -> Vec<(u64, String)> {
        let report = peeps_graph::analyze(std::slice::from_ref(snap), &Options::default());
        verdicts(snap, &report, bodies)
            .into_iter()
            .flat_map(|(scope, texts)| texts.into_iter().map(move |t| (scope, t)))
            .collect()
    }

    #[test]
    fn a_certain_deadlock_is_told_to_the_runs_of_its_tasks_only() {
        let snap = dump(&[(1, 7), (2, 7)]);
        let verdicts = told(&snap, &[(7, 1), (8, 99)]);
        assert_eq!(verdicts.len(), 1, "{verdicts:?}");
        assert_eq!(verdicts[0].0, 7);
        assert!(verdicts[0].1.starts_with("deadlock (certain, 2 tasks, 1 process):"));
        // Tasks of two runs (a lock shared between tests): both are told.
        let shared = told(&dump(&[(1, 7), (2, 8)]), &[]);
        let scopes: Vec<u64> = shared.iter().map(|(s, _)| *s).collect();
        assert_eq!(scopes, [7, 8]);
        // Outside any run: nobody.
        assert!(told(&dump(&[]), &[]).is_empty());
    }

    #[test]
    fn a_probable_deadlock_fails_nobody() {
        let mut snap = dump(&[(1, 7), (2, 7)]);
        // Not spawned through peeps, its waker not counted (polled through
        // a combinator's): something unseen may still wake it.
        let task = snap.nodes.iter_mut().find(|n| n.id == 1).expect("task 1");
        task.attrs.insert(attr::TRACKED.into(), false.into());
        task.attrs.remove(attr::WAKER_CLONES);
        task.attrs.remove(attr::WAKER_CLONES_ACCOUNTED);
        let report = peeps_graph::analyze(std::slice::from_ref(&snap), &Options::default());
        assert!(report.deadlocks.iter().all(|d| d.certainty.as_str() == "probable"), "{report:?}");
        assert!(verdicts(&snap, &report, &[(7, 1)]).is_empty());
    }

    #[test]
    fn a_task_stuck_forever_fails_the_run_whose_body_it_is_only() {
        let mut snap = dump(&[(1, 7), (2, 7)]);
        // Task 2 stops waiting and keeps no waker: stuck forever; task 1
        // (waiting on the lock task 2 holds) is stuck behind it.
        snap.edges.retain(|e| !(e.from == 4 && e.kind == peeps_graph::EdgeKind::WaitsOn));
        let task = snap.nodes.iter_mut().find(|n| n.id == 2).expect("task 2");
        task.attrs.insert(attr::WAKER_CLONES.into(), 0.into());
        task.attrs.insert(attr::WAKER_CLONES_ACCOUNTED.into(), 0.into());
        let report = peeps_graph::analyze(std::slice::from_ref(&snap), &Options::default());
        assert_eq!(report.stuck_forever.len(), 1, "{report:?}");
        // Task 1 is the body: it is stuck behind it.
        let verdicts = told(&snap, &[(7, 1)]);
        assert_eq!(verdicts.len(), 1, "{verdicts:?}");
        assert!(verdicts[0].1.starts_with("stuck forever ("), "{verdicts:?}");
        // A background task of the run stuck forever, the body elsewhere.
        assert!(told(&snap, &[(7, 42)]).is_empty());
    }
}
