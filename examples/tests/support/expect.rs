//! Expectations on an analysis report, as builders: say what must be
//! there, then `check` the report. Every check is `#[track_caller]` and
//! prints the whole report in words when it fails.
//!
//! Sets are exact: `tasks(["a", "b"])` means those two tasks and no other,
//! in any order. Fields a builder is not told about are not checked.

use peeps::graph::analysis::{BlockingPoll, Certainty, Deadlock, LongWait, NodeRef, Report, Step};
use peeps::graph::{NodeKind, Op};

/// The report in words, for failure messages.
pub fn report_text(report: &Report) -> String {
    format!("\n--- report ---\n{}", report.text())
}

/// The names of `nodes`, sorted.
fn names<'a>(nodes: impl IntoIterator<Item = &'a NodeRef>) -> Vec<String> {
    let mut names: Vec<String> = nodes.into_iter().map(|n| n.name.clone()).collect();
    names.sort();
    names
}

/// `names`, owned and sorted.
fn sorted<const N: usize>(names: [&str; N]) -> Vec<String> {
    let mut names: Vec<String> = names.iter().map(|&n| n.to_owned()).collect();
    names.sort();
    names
}

/// The report has exactly one deadlock: that one.
#[track_caller]
pub fn only_deadlock(report: &Report) -> &Deadlock {
    assert_eq!(
        report.deadlocks.len(),
        1,
        "expected exactly one deadlock{}",
        report_text(report)
    );
    &report.deadlocks[0]
}

/// The report has no deadlock and no task stuck forever: what a healthy
/// program must get.
#[track_caller]
pub fn assert_no_deadlock(report: &Report) {
    assert!(
        report.deadlocks.is_empty(),
        "a healthy program reported as deadlocked{}",
        report_text(report)
    );
    assert!(
        report.stuck_forever.is_empty(),
        "a healthy program reported as stuck forever{}",
        report_text(report)
    );
    assert!(
        report.potential_deadlocks.is_empty(),
        "a healthy program reported with a potential deadlock{}",
        report_text(report)
    );
}

/// What one step of a deadlock (in its cycle or behind it) must say.
#[derive(Debug, Clone)]
pub struct ExpectStep {
    task: String,
    path: Option<Vec<String>>,
    op: Option<Op>,
    waits_on: Option<(NodeKind, String)>,
    held_by: Option<String>,
    held_as: Option<String>,
    confirmed: Option<bool>,
    evidence: Option<String>,
    in_state: Option<bool>,
    carrier: Option<(NodeKind, String)>,
    handed_to: Option<Option<String>>,
    taken_in: Option<Option<String>>,
    behind_writer: Option<bool>,
}

/// A step of the task named `task`.
pub fn step(task: &str) -> ExpectStep {
    ExpectStep {
        task: task.to_owned(),
        path: None,
        op: None,
        waits_on: None,
        held_by: None,
        held_as: None,
        confirmed: None,
        evidence: None,
        in_state: None,
        carrier: None,
        handed_to: None,
        taken_in: None,
        behind_writer: None,
    }
}

impl ExpectStep {
    /// The futures inside the task down to the waiting one, outermost
    /// first (empty: the task itself waits).
    pub fn path<const N: usize>(mut self, futures: [&str; N]) -> Self {
        self.path = Some(futures.iter().map(|&f| f.to_owned()).collect());
        self
    }

    /// The operation waited for (`Op::Lock`, `Op::Send`, `Op::Join`, ...).
    pub fn op(mut self, op: impl Into<OpName>) -> Self {
        self.op = Some(op.into().0);
        self
    }

    /// What it waits on (for a join, the task joined).
    pub fn waits_on(mut self, kind: NodeKind, name: &str) -> Self {
        self.waits_on = Some((kind, name.to_owned()));
        self
    }

    /// Who must release it.
    pub fn held_by(mut self, task: &str) -> Self {
        self.held_by = Some(task.to_owned());
        self
    }

    /// How it is held (`guard`, `read_guard`, `permit`, `sender`,
    /// `receiver`).
    pub fn held_as(mut self, how: &str) -> Self {
        self.held_as = Some(how.to_owned());
        self
    }

    /// Whether the attribution is confirmed (false: the step rests on a
    /// guess).
    pub fn confirmed(mut self, yes: bool) -> Self {
        self.confirmed = Some(yes);
        self
    }

    /// What peeps saw of the hold, in the schema's word (`made`,
    /// `acquired`, `used`, `shared`, `spawned`, `in_message`, `received`,
    /// `returned`: see `peeps::graph::Evidence`).
    pub fn evidence(mut self, word: &str) -> Self {
        self.evidence = Some(word.to_owned());
        self
    }

    /// Whether the handle was found in the holder's own state.
    pub fn in_state(mut self, yes: bool) -> Self {
        self.in_state = Some(yes);
        self
    }

    /// The channel carrying the handle in an unread message (`held_by`
    /// holds its receiver).
    pub fn carrier(mut self, kind: NodeKind, name: &str) -> Self {
        self.carrier = Some((kind, name.to_owned()));
        self
    }

    /// The lock was handed to the holder's future named `future`, which
    /// its task no longer polls (a futurelock).
    pub fn handed_to(mut self, future: &str) -> Self {
        self.handed_to = Some(Some(future.to_owned()));
        self
    }

    /// The lock was not handed to a future its task no longer polls.
    pub fn not_handed(mut self) -> Self {
        self.handed_to = Some(None);
        self
    }

    /// The hold was taken by the holder's future named `future`, which its
    /// task no longer polls.
    pub fn taken_in(mut self, future: &str) -> Self {
        self.taken_in = Some(Some(future.to_owned()));
        self
    }

    /// The hold was not taken by a future its task no longer polls.
    pub fn not_taken_in(mut self) -> Self {
        self.taken_in = Some(None);
        self
    }

    /// Whether the wait is a read queued behind a writer (`held_by`) on a
    /// write-preferring rwlock.
    pub fn behind_writer(mut self, yes: bool) -> Self {
        self.behind_writer = Some(yes);
        self
    }

    /// What in `s` differs from this expectation, if anything.
    fn mismatch(&self, s: &Step) -> Option<String> {
        let path: Vec<String> = s.path.iter().map(|f| f.name.clone()).collect();
        let evidence = s.evidence.map(|e| e.as_str());
        let carrier = match &s.carrier {
            Some(c) => format!("{} {:?}", c.kind, c.name),
            None => "none".to_owned(),
        };
        let future = |f: &Option<NodeRef>| f.as_ref().map(|f| f.name.clone());
        let checks = [
            ("task", s.task.name == self.task, s.task.name.clone()),
            (
                "path",
                self.path.as_ref().is_none_or(|p| *p == path),
                format!("{path:?}"),
            ),
            (
                "op",
                self.op.is_none() || self.op == s.op,
                format!("{:?}", s.op),
            ),
            (
                "waits_on",
                self.waits_on
                    .as_ref()
                    .is_none_or(|(k, n)| *k == s.waits_on.kind && *n == s.waits_on.name),
                format!("{} {:?}", s.waits_on.kind, s.waits_on.name),
            ),
            (
                "held_by",
                self.held_by.as_ref().is_none_or(|h| *h == s.held_by.name),
                s.held_by.name.clone(),
            ),
            (
                "as",
                self.held_as.is_none() || self.held_as == s.held_as,
                format!("{:?}", s.held_as),
            ),
            (
                "confirmed",
                self.confirmed.is_none_or(|c| c == s.confirmed),
                s.confirmed.to_string(),
            ),
            (
                "evidence",
                self.evidence.is_none() || self.evidence.as_deref() == evidence,
                format!("{evidence:?}"),
            ),
            (
                "in_state",
                self.in_state.is_none_or(|i| i == s.in_state),
                s.in_state.to_string(),
            ),
            (
                "carrier",
                self.carrier.as_ref().is_none_or(|(k, n)| {
                    s.carrier
                        .as_ref()
                        .is_some_and(|c| c.kind == *k && c.name == *n)
                }),
                carrier,
            ),
            (
                "handed_to",
                self.handed_to
                    .as_ref()
                    .is_none_or(|h| *h == future(&s.handed_to)),
                format!("{:?}", future(&s.handed_to)),
            ),
            (
                "taken_in",
                self.taken_in
                    .as_ref()
                    .is_none_or(|t| *t == future(&s.taken_in)),
                format!("{:?}", future(&s.taken_in)),
            ),
            (
                "behind_writer",
                self.behind_writer.is_none_or(|b| b == s.behind_writer),
                s.behind_writer.to_string(),
            ),
        ];
        let wrong: Vec<String> = checks
            .into_iter()
            .filter(|(_, ok, _)| !ok)
            .map(|(field, _, got)| format!("{field} is {got}"))
            .collect();
        (!wrong.is_empty()).then(|| wrong.join(", "))
    }

    /// Checks one step.
    #[track_caller]
    pub fn check_one(&self, s: &Step, report: &Report) {
        if let Some(wrong) = self.mismatch(s) {
            panic!(
                "step of task {:?}: {wrong}; expected {self:?}{}",
                self.task,
                report_text(report)
            );
        }
    }

    /// The step of this task among `steps`, checked.
    #[track_caller]
    fn check_in<'a>(&self, mut steps: impl Iterator<Item = &'a Step>, report: &Report) -> &'a Step {
        let Some(s) = steps.find(|s| s.task.name == self.task) else {
            panic!("no step of task {:?}{}", self.task, report_text(report));
        };
        self.check_one(s, report);
        s
    }
}

/// What a deadlock must be.
#[derive(Debug, Clone, Default)]
pub struct ExpectDeadlock {
    certainty: Option<Certainty>,
    tasks: Option<Vec<String>>,
    resources: Option<Vec<(NodeKind, String)>>,
    behind: Vec<String>,
    cycle: Vec<ExpectStep>,
    behind_steps: Vec<ExpectStep>,
}

/// A deadlock, to be described. Unless told otherwise, nothing is behind
/// it.
pub fn deadlock() -> ExpectDeadlock {
    ExpectDeadlock::default()
}

impl ExpectDeadlock {
    /// Every edge in it is certain.
    pub fn certain(mut self) -> Self {
        self.certainty = Some(Certainty::Certain);
        self
    }

    /// It depends on an unconfirmed attribution.
    pub fn probable(mut self) -> Self {
        self.certainty = Some(Certainty::Probable);
        self
    }

    /// Exactly these tasks (names) are in it.
    pub fn tasks<const N: usize>(mut self, names: [&str; N]) -> Self {
        self.tasks = Some(sorted(names));
        self
    }

    /// Exactly these resources (kind and name) are in it.
    pub fn resources<const N: usize>(mut self, resources: [(NodeKind, &str); N]) -> Self {
        let mut all: Vec<(NodeKind, String)> =
            resources.iter().map(|&(k, n)| (k, n.to_owned())).collect();
        all.sort();
        self.resources = Some(all);
        self
    }

    /// Exactly these tasks (names) are stuck behind it.
    pub fn behind<const N: usize>(mut self, names: [&str; N]) -> Self {
        self.behind = sorted(names);
        self
    }

    /// One of its members has this step: in the cycle as written, or
    /// among the members the written cycle does not pass through
    /// (`others`).
    pub fn step(mut self, step: ExpectStep) -> Self {
        self.cycle.push(step);
        self
    }

    /// Behind it is this step.
    pub fn behind_step(mut self, step: ExpectStep) -> Self {
        self.behind_steps.push(step);
        self
    }

    /// Checks that the report has exactly one deadlock, and that it is
    /// this one.
    #[track_caller]
    pub fn check<'a>(&self, report: &'a Report) -> &'a Deadlock {
        let d = only_deadlock(report);
        self.check_deadlock(d, report);
        d
    }

    /// Checks `d`, one of `report`'s deadlocks.
    #[track_caller]
    pub fn check_deadlock(&self, d: &Deadlock, report: &Report) {
        let text = || report_text(report);
        if let Some(c) = self.certainty {
            assert_eq!(d.certainty, c, "certainty{}", text());
        }
        if let Some(tasks) = &self.tasks {
            assert_eq!(&names(&d.tasks), tasks, "tasks in the deadlock{}", text());
        }
        if let Some(resources) = &self.resources {
            let mut got: Vec<(NodeKind, String)> = d
                .resources
                .iter()
                .map(|r| (r.kind, r.name.clone()))
                .collect();
            got.sort();
            assert_eq!(&got, resources, "resources in the deadlock{}", text());
        }
        assert_eq!(
            names(d.behind.iter().map(|s| &s.task)),
            self.behind,
            "tasks behind the deadlock{}",
            text()
        );
        for s in &self.cycle {
            s.check_in(d.cycle.iter().chain(&d.others), report);
        }
        for s in &self.behind_steps {
            s.check_in(d.behind.iter(), report);
        }
    }
}

/// What a long wait must be.
#[derive(Debug, Clone)]
pub struct ExpectLongWait {
    task: String,
    path: Option<Vec<String>>,
    waits_on: Option<(NodeKind, String)>,
    held_by: Option<Vec<String>>,
}

/// The long wait of the task named `task`.
pub fn long_wait(task: &str) -> ExpectLongWait {
    ExpectLongWait {
        task: task.to_owned(),
        path: None,
        waits_on: None,
        held_by: None,
    }
}

impl ExpectLongWait {
    /// The futures inside the task down to the waiting one.
    pub fn path<const N: usize>(mut self, futures: [&str; N]) -> Self {
        self.path = Some(futures.iter().map(|&f| f.to_owned()).collect());
        self
    }

    /// What it waits on.
    pub fn waits_on(mut self, kind: NodeKind, name: &str) -> Self {
        self.waits_on = Some((kind, name.to_owned()));
        self
    }

    /// Exactly the tasks that could release it.
    pub fn held_by<const N: usize>(mut self, tasks: [&str; N]) -> Self {
        self.held_by = Some(sorted(tasks));
        self
    }

    /// Checks that the report has exactly one long wait of this task, and
    /// that it is this one.
    #[track_caller]
    pub fn check<'a>(&self, report: &'a Report) -> &'a LongWait {
        let text = || report_text(report);
        let mine: Vec<&LongWait> = report
            .long_waits
            .iter()
            .filter(|w| w.task.name == self.task)
            .collect();
        assert_eq!(
            mine.len(),
            1,
            "long waits of task {:?}{}",
            self.task,
            text()
        );
        let w = mine[0];
        if let Some(path) = &self.path {
            let got: Vec<String> = w.path.iter().map(|f| f.name.clone()).collect();
            assert_eq!(&got, path, "path of {:?}'s long wait{}", self.task, text());
        }
        if let Some((kind, name)) = &self.waits_on {
            assert_eq!(
                (w.waits_on.kind, &w.waits_on.name),
                (*kind, name),
                "what {:?} waits on{}",
                self.task,
                text()
            );
        }
        if let Some(held_by) = &self.held_by {
            assert_eq!(&names(&w.held_by), held_by, "who holds it{}", text());
        }
        w
    }
}

/// The names of the tasks with a long wait, sorted.
pub fn long_wait_tasks(report: &Report) -> Vec<String> {
    names(report.long_waits.iter().map(|w| &w.task))
}

/// What a blocking poll must be.
#[derive(Debug, Clone)]
pub struct ExpectBlockingPoll {
    task: String,
    innermost: Option<String>,
    parked_on: Option<Option<(NodeKind, String)>>,
    stack_mentions: Vec<String>,
}

/// The blocking poll of the task named `task`.
pub fn blocking_poll(task: &str) -> ExpectBlockingPoll {
    ExpectBlockingPoll {
        task: task.to_owned(),
        innermost: None,
        parked_on: None,
        stack_mentions: Vec::new(),
    }
}

impl ExpectBlockingPoll {
    /// The innermost instrumented future inside the poll.
    pub fn innermost(mut self, future: &str) -> Self {
        self.innermost = Some(future.to_owned());
        self
    }

    /// The instrumented blocking lock the poll is parked on.
    pub fn parked_on(mut self, kind: NodeKind, name: &str) -> Self {
        self.parked_on = Some(Some((kind, name.to_owned())));
        self
    }

    /// When the poll's thread comes with a stack (the sampler took one),
    /// some frame of it contains each of `parts`.
    pub fn stack_mentions<const N: usize>(mut self, parts: [&str; N]) -> Self {
        self.stack_mentions = parts.iter().map(|&p| p.to_owned()).collect();
        self
    }

    /// The poll is not parked on an instrumented lock.
    pub fn not_parked(mut self) -> Self {
        self.parked_on = Some(None);
        self
    }

    /// Checks that the report has exactly one blocking poll of this task,
    /// and that it is this one.
    #[track_caller]
    pub fn check<'a>(&self, report: &'a Report) -> &'a BlockingPoll {
        let text = || report_text(report);
        let mine: Vec<&BlockingPoll> = report
            .blocking_polls
            .iter()
            .filter(|p| p.task.name == self.task)
            .collect();
        assert_eq!(
            mine.len(),
            1,
            "blocking polls of task {:?}{}",
            self.task,
            text()
        );
        let p = mine[0];
        if let Some(future) = &self.innermost {
            assert_eq!(
                p.path.last().map(|f| &f.name),
                Some(future),
                "innermost future of {:?}'s poll{}",
                self.task,
                text()
            );
        }
        if let Some(parked_on) = &self.parked_on {
            let got = p.parked_on.as_ref().map(|n| (n.kind, n.name.clone()));
            assert_eq!(
                &got,
                parked_on,
                "what {:?}'s poll is parked on{}",
                self.task,
                text()
            );
        }
        if let Some(thread) = &p.thread
            && !thread.stack.is_empty()
        {
            for part in &self.stack_mentions {
                assert!(
                    thread
                        .stack
                        .iter()
                        .any(|frame| frame.contains(part.as_str())),
                    "no frame of {:?}'s stack mentions {part:?}: {:#?}{}",
                    self.task,
                    thread.stack,
                    text()
                );
            }
        }
        p
    }
}

/// The names of the tasks with a blocking poll, sorted.
pub fn blocking_poll_tasks(report: &Report) -> Vec<String> {
    names(report.blocking_polls.iter().map(|p| &p.task))
}

// The builders are tested themselves, on a hand-made report.
mod tests {
    use super::*;
    use serde_json::json;

    fn node(id: u64, kind: &str, name: &str) -> serde_json::Value {
        json!({"process": "1-0", "id": id, "kind": kind, "name": name, "location": null})
    }

    fn step_json(
        task: (u64, &str),
        on: (u64, &str, &str),
        by: (u64, &str),
        how: &str,
    ) -> serde_json::Value {
        json!({"task": node(task.0, "task", task.1), "path": [node(9, "future", "f")], "op": "lock",
               "waits_on": node(on.0, on.1, on.2), "held_by": node(by.0, "task", by.1),
               "as": how, "confirmed": true, "via": null, "waited_ms": 900})
    }

    /// Tasks a and b deadlocked over mutexes m1 and m2, c and d behind:
    /// c waits on a oneshot whose sender d moved in at spawn and keeps in
    /// its state, d on a oneshot whose sender is inside an unread message
    /// on channel `jobs`, whose receiver a holds.
    fn report() -> Report {
        let a_step = step_json((1, "a"), (3, "mutex", "m2"), (2, "b"), "guard");
        let mut b_step = step_json((2, "b"), (4, "mutex", "m1"), (1, "a"), "guard");
        b_step["handed_to"] = node(11, "future", "discover");
        let mut c_step = step_json((5, "c"), (7, "channel", "hello"), (6, "d"), "sender");
        c_step["evidence"] = json!("spawned");
        c_step["in_state"] = json!(true);
        let mut d_step = step_json((6, "d"), (8, "channel", "reply"), (1, "a"), "sender");
        d_step["evidence"] = json!("in_message");
        d_step["carrier"] = node(10, "channel", "jobs");
        serde_json::from_value(json!({
            "deadlocks": [{"certainty": "certain", "cross_process": false,
                "tasks": [node(1, "task", "a"), node(2, "task", "b")],
                "resources": [node(3, "mutex", "m2"), node(4, "mutex", "m1")],
                "cycle": [a_step], "others": [b_step], "behind": [c_step, d_step],
                "text": "deadlock"}],
            "long_waits": [], "stuck_forever": [], "blocking_polls": []
        }))
        .expect("a report")
    }

    fn full() -> ExpectDeadlock {
        deadlock()
            .certain()
            .tasks(["b", "a"])
            .resources([(NodeKind::Mutex, "m1"), (NodeKind::Mutex, "m2")])
            .behind(["c", "d"])
    }

    #[test]
    fn a_matching_deadlock_passes() {
        full()
            .step(
                step("a")
                    .path(["f"])
                    .op(Op::Lock)
                    .waits_on(NodeKind::Mutex, "m2")
                    .held_by("b")
                    .held_as("guard")
                    .confirmed(true),
            )
            .step(step("b").waits_on(NodeKind::Mutex, "m1").held_by("a"))
            .behind_step(
                step("c")
                    .held_by("d")
                    .held_as("sender")
                    .evidence("spawned")
                    .in_state(true),
            )
            .behind_step(
                step("d")
                    .held_by("a")
                    .evidence("in_message")
                    .in_state(false)
                    .carrier(NodeKind::Channel, "jobs"),
            )
            .check(&report());
    }

    #[test]
    #[should_panic(expected = "evidence is Some(\"spawned\")")]
    fn the_wrong_evidence_fails() {
        full()
            .behind_step(step("c").evidence("made"))
            .check(&report());
    }

    #[test]
    #[should_panic(expected = "evidence is None")]
    fn evidence_where_there_is_none_fails() {
        full().step(step("a").evidence("acquired")).check(&report());
    }

    #[test]
    #[should_panic(expected = "in_state is false")]
    fn a_hold_not_in_state_fails() {
        full()
            .behind_step(step("d").in_state(true))
            .check(&report());
    }

    #[test]
    #[should_panic(expected = "carrier is none")]
    fn a_missing_carrier_fails() {
        full()
            .behind_step(step("c").carrier(NodeKind::Channel, "jobs"))
            .check(&report());
    }

    #[test]
    #[should_panic(expected = "carrier is channel \"jobs\"")]
    fn the_wrong_carrier_fails() {
        full()
            .behind_step(step("d").carrier(NodeKind::Channel, "requests"))
            .check(&report());
    }

    #[test]
    #[should_panic(expected = "no step of task \"e\"")]
    fn a_step_of_no_member_fails() {
        full().step(step("e")).check(&report());
    }

    #[test]
    fn a_futurelock_step_passes() {
        full()
            .step(
                step("b")
                    .handed_to("discover")
                    .not_taken_in()
                    .behind_writer(false),
            )
            .step(step("a").not_handed())
            .check(&report());
    }

    #[test]
    #[should_panic(expected = "handed_to is Some(\"discover\")")]
    fn the_wrong_handed_to_fails() {
        full().step(step("b").handed_to("fetch")).check(&report());
    }

    #[test]
    #[should_panic(expected = "taken_in is None")]
    fn a_missing_taken_in_fails() {
        full().step(step("b").taken_in("discover")).check(&report());
    }

    #[test]
    #[should_panic(expected = "behind_writer is false")]
    fn a_read_not_behind_a_writer_fails() {
        full().step(step("a").behind_writer(true)).check(&report());
    }

    #[test]
    #[should_panic(expected = "tasks in the deadlock")]
    fn a_missing_task_fails() {
        full().tasks(["a"]).check(&report());
    }

    #[test]
    #[should_panic(expected = "resources in the deadlock")]
    fn a_wrong_resource_kind_fails() {
        full()
            .resources([(NodeKind::Rwlock, "m1"), (NodeKind::Mutex, "m2")])
            .check(&report());
    }

    #[test]
    #[should_panic(expected = "certainty")]
    fn the_wrong_certainty_fails() {
        full().probable().check(&report());
    }

    #[test]
    #[should_panic(expected = "tasks behind the deadlock")]
    fn an_unexpected_task_behind_fails() {
        full().behind([]).check(&report());
    }

    #[test]
    #[should_panic(expected = "held_by is b")]
    fn a_wrong_step_fails() {
        full().step(step("a").held_by("a")).check(&report());
    }

    #[test]
    #[should_panic(expected = "a healthy program reported as deadlocked")]
    fn no_deadlock_fails_on_a_deadlock() {
        assert_no_deadlock(&report());
    }
}

/// An op for [`ExpectStep::op`]: an [`Op`], or its name as the JSON says it.
#[derive(Debug)]
pub struct OpName(Op);

impl From<Op> for OpName {
    fn from(op: Op) -> Self {
        OpName(op)
    }
}

impl From<&str> for OpName {
    #[track_caller]
    fn from(name: &str) -> Self {
        OpName(Op::parse(name).unwrap_or_else(|| panic!("no op named {name:?}")))
    }
}
