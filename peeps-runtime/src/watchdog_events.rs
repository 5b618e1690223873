//! The watchdog's findings as `tracing` events (feature `tracing`), so they
//! reach the program's subscriber and whatever it exports to (a log
//! pipeline, an OpenTelemetry collector); stderr stays as it is.
//!
//! Each round the watchdog hands its report here, and every finding not
//! emitted in the previous round is emitted once, with target `peeps`:
//!
//! | finding | level |
//! | --- | --- |
//! | deadlock (certain or probable) | ERROR |
//! | potential deadlock (lock order; once per process life) | ERROR |
//! | stuck forever | WARN |
//! | long wait | WARN |
//! | blocking poll | WARN |
//!
//! A task stuck forever is a leak of one task, not a cycle holding
//! others: a WARN, as stalls are. A finding that lasts is emitted once;
//! one that ends and comes back is emitted again (as the watchdog prints
//! deadlocks).
//!
//! The message is the finding's kind (`deadlock`, `long wait`, …); the
//! fields:
//!
//! - `summary`: its one line (headline and tasks), as `peeps analyze` says it;
//! - `text`: its words, as stderr prints them;
//! - `tasks`, `resources`: the nodes involved, `kind "name" (location)`
//!   joined by `; ` (resources empty when none is named);
//! - `certainty`: `certain` or `probable` (deadlocks only);
//! - `process`, `pid`, `key`: this process.
//!
//! Without the feature, [`Emitted`] is a no-op with the same methods.

/// The findings already emitted (none without feature `tracing`).
#[cfg(not(feature = "tracing"))]
#[derive(Debug, Default)]
pub(crate) struct Emitted {}

#[cfg(not(feature = "tracing"))]
impl Emitted {
    /// Does nothing: built without feature `tracing`.
    #[inline(always)]
    pub(crate) fn emit_new(
        &mut self,
        _process: &peeps_graph::Process,
        _report: &peeps_graph::analysis::Report,
    ) {
    }
}

#[cfg(feature = "tracing")]
pub(crate) use on::Emitted;

#[cfg(feature = "tracing")]
mod on {
    use peeps_graph::Process;
    use peeps_graph::analysis::{Finding, NodeRef, Report};
    use std::collections::HashSet;

    /// Which findings were emitted, by a key that stays the same while the
    /// finding lasts.
    #[derive(Debug, Default)]
    pub(crate) struct Emitted {
        /// Deadlocks, stuck tasks, long waits and blocking polls of the
        /// last round.
        current: HashSet<String>,
        /// Potential deadlocks: each once per process life.
        potential: HashSet<String>,
    }

    /// Names a node `kind "name" (location)`.
    fn name(n: &NodeRef) -> String {
        match &n.location {
            Some(at) => format!("{} {:?} ({at})", n.kind, n.name),
            None => format!("{} {:?}", n.kind, n.name),
        }
    }

    fn names<'a>(nodes: impl IntoIterator<Item = &'a NodeRef>) -> String {
        nodes.into_iter().map(name).collect::<Vec<_>>().join("; ")
    }

    fn id(n: &NodeRef) -> String {
        format!("{}:{}", n.process, n.id)
    }

    impl Emitted {
        /// Emits each finding of `report` not emitted last round.
        pub(crate) fn emit_new(&mut self, process: &Process, report: &Report) {
            let mut now = HashSet::new();
            let mut fresh = |key: String, seen: &HashSet<String>| {
                let new = !seen.contains(&key);
                now.insert(key);
                new
            };
            let (p, pid, key) = (process.name.as_str(), process.pid, process.key.as_str());
            for d in &report.deadlocks {
                let k = format!("deadlock {:?}", d.key());
                if fresh(k, &self.current) {
                    tracing::error!(
                        target: "peeps",
                        certainty = d.certainty.as_str(),
                        tasks = names(&d.tasks),
                        resources = names(&d.resources),
                        summary = d.summary(),
                        text = d.text.as_str(),
                        process = p, pid, key,
                        "deadlock"
                    );
                }
            }
            for s in &report.stuck_forever {
                if fresh(format!("stuck {}", id(&s.task)), &self.current) {
                    tracing::warn!(
                        target: "peeps",
                        tasks = name(&s.task),
                        resources = "",
                        summary = s.summary(),
                        text = s.text.as_str(),
                        process = p, pid, key,
                        "stuck forever"
                    );
                }
            }
            for w in &report.long_waits {
                let k = format!("long wait {} {}", id(&w.task), id(&w.waits_on));
                if fresh(k, &self.current) {
                    tracing::warn!(
                        target: "peeps",
                        tasks = name(&w.task),
                        resources = name(&w.waits_on),
                        summary = w.summary(),
                        text = w.text.as_str(),
                        process = p, pid, key,
                        "long wait"
                    );
                }
            }
            for b in &report.blocking_polls {
                if fresh(format!("blocking poll {}", id(&b.task)), &self.current) {
                    tracing::warn!(
                        target: "peeps",
                        tasks = name(&b.task),
                        resources = b.parked_on.as_ref().map(name).unwrap_or_default(),
                        summary = b.summary(),
                        text = b.text.as_str(),
                        process = p, pid, key,
                        "blocking poll"
                    );
                }
            }
            self.current = now;
            for d in &report.potential_deadlocks {
                if self.potential.insert(d.text.clone()) {
                    let tasks = names(d.steps.iter().map(|s| &s.task));
                    let locks: Vec<String> = d
                        .locks
                        .iter()
                        .map(|l| match &l.location {
                            Some(at) => format!("{} {:?} ({at})", l.kind, l.name),
                            None => format!("{} {:?}", l.kind, l.name),
                        })
                        .collect();
                    let summary = d.text.lines().next().unwrap_or("").to_owned();
                    tracing::error!(
                        target: "peeps",
                        tasks,
                        resources = locks.join("; "),
                        summary,
                        text = d.text.as_str(),
                        process = p, pid, key,
                        "potential deadlock"
                    );
                }
            }
        }
    }
}

#[cfg(all(test, feature = "tracing"))]
mod tests {
    use super::Emitted;
    use peeps_graph::Snapshot;
    use peeps_graph::analysis::{Options, Report};
    use std::sync::{Arc, Mutex};
    use tracing_subscriber::layer::{Context, Layer, SubscriberExt};

    /// Records each `peeps` event's level and message.
    #[derive(Clone, Default)]
    struct Seen(Arc<Mutex<Vec<(tracing::Level, String)>>>);

    impl<S: tracing::Subscriber> Layer<S> for Seen {
        fn on_event(&self, event: &tracing::Event<'_>, _cx: Context<'_, S>) {
            struct Message(String);
            impl tracing::field::Visit for Message {
                fn record_debug(&mut self, f: &tracing::field::Field, v: &dyn std::fmt::Debug) {
                    if f.name() == "message" {
                        self.0 = format!("{v:?}");
                    }
                }
            }
            if event.metadata().target() == "peeps" {
                let mut m = Message(String::new());
                event.record(&mut m);
                self.0
                    .lock()
                    .unwrap()
                    .push((*event.metadata().level(), m.0));
            }
        }
    }

    #[test]
    fn each_finding_is_emitted_once_while_it_lasts() {
        let snap = Snapshot::from_json(include_str!("../../docs/example-dump.json")).unwrap();
        let report = peeps_graph::analyze(std::slice::from_ref(&snap), &Options::default());
        assert_eq!(report.deadlocks.len(), 1);
        let seen = Seen::default();
        let subscriber = tracing_subscriber::registry().with(seen.clone());
        tracing::subscriber::with_default(subscriber, || {
            let mut emitted = Emitted::default();
            emitted.emit_new(&snap.process, &report);
            emitted.emit_new(&snap.process, &report);
            // Gone for a round, then back: said again.
            emitted.emit_new(&snap.process, &Report::default());
            emitted.emit_new(&snap.process, &report);
        });
        let deadlocks: Vec<_> = seen
            .0
            .lock()
            .unwrap()
            .iter()
            .filter(|(_, m)| m == "deadlock")
            .cloned()
            .collect();
        assert_eq!(deadlocks.len(), 2, "{deadlocks:?}");
        assert!(deadlocks.iter().all(|(l, _)| *l == tracing::Level::ERROR));
    }
}
