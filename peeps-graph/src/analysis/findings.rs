//! The four kinds of finding, each one type with `check` (find them),
//! `format` (say them) and `summary` (one line), so the CLI, the watchdog,
//! the server and the UI all say the same thing the same way.
//!
//! # The sentence convention
//!
//! - A finding's text starts with a headline, `KIND (FACTS):`, e.g.
//!   `deadlock (certain, 2 tasks, 1 process):`, `long wait (12.3 s):`,
//!   `stuck forever (8.0 s):`, `blocking poll (1.2 s):`.
//! - Then one line per task, indented by two spaces, saying what it waits
//!   on: `task "a" (src/a.rs:31) waits on mutex "m" (src/a.rs:12)`. When a
//!   future inside the task waits, the path is said compactly:
//!   `task "a" (loc) in future "outer" (loc) > "inner" (loc) waits on …`.
//! - Under it, indented by four, who must act: `held by task "b" (loc)`
//!   (`read-locked by`, `permit held by`, `sender held by`, `receiver held
//!   by`, `handled by` for an RPC; `probably held by` when the attribution
//!   is unconfirmed). A join has no such line: the joined task is the next
//!   line's subject.
//! - Every node is `kind "name"`; its location (`file:line`, no column) is
//!   given at its first mention in the finding only. When a finding spans
//!   several processes, each task's first mention ends in `[process]`.
//! - Tasks stuck behind a deadlock or a stuck task follow under
//!   `  also stuck behind it:`, indented two more.
//! - Durations: `850 ms`, `12.3 s`, `4 min 12 s`, `2 h 5 min`.
//! - A blocking poll whose thread the snapshot names starts from the
//!   thread: ``worker `tokio-runtime-worker` (tid 7) has been inside a poll
//!   of future "x" (loc) for 2.3 s``, then `in task "t" (loc) > "outer"
//!   (loc)`; under it the sampler's `dominant frames (N samples):` as
//!   `k/N frame` lines, then the stack as `at frame` lines (or `stack
//!   unavailable: why`).
//!
//! The summary is the headline without its colon, then the tasks' names.

use super::Context;
use super::blocked::Queued;
use super::blocked::{
    External, OpSide, Release, RootState, attr_bool, classify, flavor, op_side, releasers,
};
use super::cycles::Hop;
use super::report::{
    BlockingPoll, Certainty, Deadlock, FrameShare, LongWait, NodeRef, Step, StuckForever,
    StuckWait, ThreadRef,
};
use super::words::{
    Labels, Words, count, duration, hold_noun, release_note, step_words, wait_words,
};
use crate::attr;
use crate::merge::{EdgeIndex, IdMap, NodeIndex};
use crate::op::Op;
use crate::schema::NodeKind;

/// What every finding offers a reader.
pub trait Finding {
    /// The kind in words, which starts the text: `deadlock`, `long wait`,
    /// `stuck forever`, `blocking poll`.
    const KIND: &'static str;

    /// One line: the headline, then the tasks involved.
    fn summary(&self) -> String;

    /// The finding in words, as printed (see the module's convention).
    fn text(&self) -> &str;
}

/// How many tasks a summary names before `and N more`.
const SUMMARY_TASKS: usize = 4;
/// How many releasers a long wait lists before `and N more`.
const LISTED_RELEASERS: usize = 3;
/// How many stack frames a blocking poll's text shows.
const LISTED_FRAMES: usize = 12;

fn summary_of(text: &str, tasks: &[&NodeRef]) -> String {
    let head = text.lines().next().unwrap_or("").trim_end_matches(':');
    let mut names: Vec<String> = tasks
        .iter()
        .take(SUMMARY_TASKS)
        .map(|t| super::words::noun(t.kind, &t.name))
        .collect();
    if tasks.len() > SUMMARY_TASKS {
        names.push(format!("and {} more", tasks.len() - SUMMARY_TASKS));
    }
    format!("{head}: {}", names.join(", "))
}

impl Context<'_, '_> {
    fn node_ref(&self, ix: NodeIndex) -> NodeRef {
        NodeRef::of(self.merged, ix)
    }

    fn root_ref(&self, r: u32) -> NodeRef {
        self.node_ref(self.blocked.roots[r as usize].ix)
    }

    fn path_refs(&self, waiter: NodeIndex) -> Vec<NodeRef> {
        self.blocked
            .path(waiter)
            .into_iter()
            .map(|ix| self.node_ref(ix))
            .collect()
    }

    /// A step from root `r`'s wait `wait`, released by `release`.
    fn step(&self, r: u32, wait: EdgeIndex, release: &Release) -> Step {
        let g = self.merged.graph();
        // Hops are built from edges of this graph.
        let (waiter, on) = g.edge_endpoints(wait).expect("a wait edge of the graph");
        let hold = release
            .held_by
            .filter(|_| release.via.is_none())
            .map(|e| &g[e]);
        let evidence = hold
            .map(|h| h.evidence())
            .filter(|e| *e != crate::Evidence::Acquired);
        let mut step = Step {
            task: self.root_ref(r),
            path: self.path_refs(waiter),
            op: g[wait].op(),
            waits_on: self.node_ref(on),
            held_by: self.root_ref(release.root),
            held_as: hold.and_then(|h| h.attr_str(attr::AS)).map(str::to_owned),
            // A holder only guessed from who made the handle is never a
            // release (`External::Unconfirmed`): a step is unconfirmed only
            // when it rests on a move peeps saw.
            confirmed: !release.guess,
            evidence,
            in_state: hold.is_some_and(|h| h.in_state()),
            carrier: release.carrier.map(|c| self.node_ref(c)),
            guarded_by: release.guarded_by.map(|c| self.node_ref(c)),
            kept: release.guarded_by.is_some()
                && release
                    .held_by
                    .and_then(|e| g.edge_endpoints(e))
                    .map(|(_, to)| to)
                    == release.guarded_by,
            via: release.via.map(|h| self.node_ref(h)),
            waited_ms: g[wait].since_ms,
            waited: g[wait].since_ms.map(duration),
            at: g[wait].attr_str(attr::AT).map(str::to_owned),
            wait_words: String::new(),
            wait_after: String::new(),
            held_at: hold.and_then(|h| h.attr_str(attr::AT)).map(str::to_owned),
            handed_to: match release.queue {
                Some(Queued::HandedTo(q)) => g.edge_endpoints(q).map(|(w, _)| self.node_ref(w)),
                _ => None,
            },
            taken_in: release.held_by.and_then(|e| self.abandoned_taker(e)),
            behind_writer: matches!(release.queue, Some(Queued::Ahead(_))),
            release_words: None,
            release_note: None,
        };
        (step.wait_words, step.wait_after, step.release_words) = step_words(&step);
        step.release_note = release_note(&step);
        step
    }

    /// The future that took the hold `held_by`, when its task no longer
    /// polls it (it will never let go).
    fn abandoned_taker(&self, held_by: EdgeIndex) -> Option<NodeRef> {
        let future = super::blocked::taker(self.merged, held_by)?;
        self.blocked
            .future_abandoned(self.merged, future)
            .then(|| self.node_ref(future))
    }

    /// The waits of root `r`, as a task stuck forever shows them.
    fn stuck_waits(&self, r: u32) -> Vec<StuckWait> {
        let g = self.merged.graph();
        self.blocked
            .waits(self.merged, r)
            .filter_map(|w| {
                let (waiter, on) = g.edge_endpoints(w)?;
                let mut wait = StuckWait {
                    path: self.path_refs(waiter),
                    op: g[w].op(),
                    at: g[w].attr_str(attr::AT).map(str::to_owned),
                    wait_words: String::new(),
                    wait_after: String::new(),
                    waits_on: self.node_ref(on),
                    waited_ms: g[w].since_ms.unwrap_or(0),
                };
                let (words, after) = wait_words(wait.op, wait.waits_on.kind, wait.at.as_deref());
                (wait.wait_words, wait.wait_after) = (words, after.to_owned());
                Some(wait)
            })
            .collect()
    }

    fn hop_step(&self, hop: &Hop) -> Step {
        match hop.wait {
            Some(wait) => self.step(hop.root, wait, &hop.release),
            None => self.starved_step(hop.root, &hop.release),
        }
    }

    /// A step of starved root `r`, a `block_on` root whose thread is parked
    /// in the blocking poll of `release.root` (see `Blocked::starve`).
    /// Written as a join is, the parked root waited on and named once: its
    /// own step follows.
    fn starved_step(&self, r: u32, release: &Release) -> Step {
        let wait_words = "cannot run: its thread is parked in the blocking poll of";
        let parked = self.root_ref(release.root);
        Step {
            waited_ms: release.since_ms,
            waited: release.since_ms.map(duration),
            wait_words: wait_words.to_owned(),
            ..Step::bare(self.root_ref(r), parked.clone(), parked)
        }
    }

    /// The age of the youngest edge of a hop (for ranking deadlocks).
    fn hop_age(&self, hop: &Hop) -> u64 {
        let g = self.merged.graph();
        let rel = hop.release.since_ms.unwrap_or(u64::MAX);
        let Some(w) = hop.wait else {
            return rel;
        };
        let wait = g[w].since_ms.unwrap_or(u64::MAX);
        let path = g
            .edge_endpoints(w)
            .map_or(u64::MAX, |(w, _)| self.blocked.path_age[w.index()]);
        wait.min(rel).min(path)
    }

    /// What a releasing root is doing, for `held by task "b", which …`.
    fn status_words(&self, r: u32) -> &'static str {
        let root = &self.blocked.roots[r as usize];
        match root.state {
            RootState::Done => "which has finished",
            RootState::Running => "which is running",
            RootState::Runnable => "which is about to run",
            RootState::Parked
                if self
                    .blocked
                    .parked_on(self.merged, r)
                    .is_some_and(|w| self.blocked.is_nested(w)) =>
            {
                "which is parked in a `block_on` inside its poll"
            }
            RootState::Parked => "which is parked on a blocking call",
            RootState::Unknown => "whose state peeps cannot read",
            RootState::Pending if root.starved.is_some() => {
                "which cannot run: its thread is parked in a task's blocking poll"
            }
            RootState::Pending if self.fix.root_in_set(r) => "which can never make progress",
            RootState::Pending if self.blocked.lost_waker(self.merged, r) => {
                "which can never be woken"
            }
            // Before "cannot see into": a plain task whose top-level future
            // is instrumented says when a clone of its waker is out where
            // peeps cannot account for it.
            RootState::Pending if root.external_waker() => {
                "which waits on something peeps cannot see (a timer, I/O or an uninstrumented future)"
            }
            RootState::Pending
                if !root.tracked && self.blocked.waits(self.merged, r).next().is_none() =>
            {
                "which peeps cannot see into (it was not spawned through peeps)"
            }
            RootState::Pending => "which is itself waiting",
        }
    }
}

// ---- deadlock ------------------------------------------------------------

impl Finding for Deadlock {
    const KIND: &'static str = "deadlock";

    fn summary(&self) -> String {
        summary_of(&self.text, &self.tasks.iter().collect::<Vec<_>>())
    }

    fn text(&self) -> &str {
        &self.text
    }
}

impl Deadlock {
    /// One deadlock per strongly connected group of the deadlocked set,
    /// longest-standing first (by its youngest edge).
    pub(crate) fn check(cx: &Context<'_, '_>) -> Vec<Deadlock> {
        let mut found: Vec<(u64, Deadlock)> = Vec::new();
        for group in &cx.cycles.groups {
            let cycle: Vec<Step> = group.cycle.iter().map(|h| cx.hop_step(h)).collect();
            let others: Vec<Step> = group.others.iter().map(|h| cx.hop_step(h)).collect();
            let behind: Vec<Step> = group.behind.iter().map(|h| cx.hop_step(h)).collect();
            let tasks: Vec<NodeRef> = group.roots.iter().map(|&r| cx.root_ref(r)).collect();
            let mut resources: Vec<NodeRef> = group
                .targets
                .iter()
                .filter_map(|&t| match cx.fix.graph[t] {
                    super::fixpoint::Dep::Target(super::blocked::Target::Join(_)) => None,
                    super::fixpoint::Dep::Target(target) => {
                        target.resource().map(|n| cx.node_ref(n))
                    }
                    super::fixpoint::Dep::Root(_) => None,
                })
                .collect();
            // One channel waited on from both sides is one resource.
            let mut seen = std::collections::HashSet::new();
            resources.retain(|r| seen.insert((r.process.clone(), r.id)));
            let cross_process = process_count(tasks.iter().chain(&resources)) > 1;
            let age = group
                .cycle
                .iter()
                .map(|h| cx.hop_age(h))
                .min()
                .unwrap_or(u64::MAX);
            let mut d = Deadlock {
                certainty: if group.probable {
                    Certainty::Probable
                } else {
                    Certainty::Certain
                },
                cross_process,
                tasks,
                resources,
                cycle,
                others,
                behind,
                timeline: Vec::new(),
                timeline_omitted: 0,
                nothing_runs: group.asleep,
                text: String::new(),
            };
            (d.timeline, d.timeline_omitted) =
                super::timeline::of_deadlock(cx.merged, &d.tasks, &d.resources);
            d.text = d.format(&cx.labels);
            found.push((age, d));
        }
        found.sort_by_key(|(age, _)| std::cmp::Reverse(*age));
        found.into_iter().map(|(_, d)| d).collect()
    }

    /// The deadlock in words. `others` are steps of members the written
    /// cycle does not pass through.
    pub(crate) fn format(&self, labels: &Labels) -> String {
        let others = &self.others;
        let processes = process_count(self.tasks.iter().chain(&self.resources));
        let mut words = Words::new(
            labels,
            self.tasks.iter().chain(&self.resources).chain(
                self.behind
                    .iter()
                    .flat_map(|s| [&s.task, &s.waits_on, &s.held_by]),
            ),
        );
        let mut out = format!(
            "deadlock ({}, {}, {}):",
            self.certainty,
            count(self.tasks.len(), "task", "tasks"),
            count(processes, "process", "processes"),
        );
        words.steps(&self.cycle, &mut out, 2);
        words.steps(others, &mut out, 2);
        if self.nothing_runs {
            out.push_str(NOTHING_RUNS);
        }
        behind_lines(&mut words, &self.behind, &mut out);
        super::timeline::deadlock_lines(&self.timeline, self.timeline_omitted, &mut out);
        out
    }
}

fn process_count<'r>(refs: impl Iterator<Item = &'r NodeRef>) -> usize {
    let mut keys: Vec<&str> = refs.map(|n| n.process.as_str()).collect();
    keys.sort_unstable();
    keys.dedup();
    keys.len()
}

fn behind_lines(words: &mut Words<'_>, behind: &[Step], out: &mut String) {
    if behind.is_empty() {
        return;
    }
    out.push_str(&format!(
        "\n  also stuck behind it ({}):",
        count(behind.len(), "task", "tasks")
    ));
    words.steps(behind, out, 4);
}

/// Why a deadlock or a stuck task rests on its whole process being asleep.
const NOTHING_RUNS: &str = "\n  nothing in its process can run again: every task and thread there is pending, and nothing but their own waits can wake them";

// ---- stuck forever -------------------------------------------------------

impl Finding for StuckForever {
    const KIND: &'static str = "stuck forever";

    fn summary(&self) -> String {
        summary_of(&self.text, &[&self.task])
    }

    fn text(&self) -> &str {
        &self.text
    }
}

impl StuckForever {
    /// Every tracked task pending at least the settle time that holds no
    /// clone of its waker and has no instrumented wait, longest first.
    pub(crate) fn check(cx: &Context<'_, '_>) -> Vec<StuckForever> {
        let mut found: Vec<StuckForever> = cx
            .cycles
            .lost
            .iter()
            .map(|lost| {
                let waits: Vec<StuckWait> = if lost.asleep {
                    cx.stuck_waits(lost.root)
                } else {
                    Vec::new()
                };
                // A plain root's node does not say since when it is
                // pending: its waits do.
                let since = cx.blocked.roots[lost.root as usize]
                    .since_ms
                    .or_else(|| waits.iter().map(|w| w.waited_ms).min());
                let mut s = StuckForever {
                    task: cx.root_ref(lost.root),
                    stuck_ms: since.unwrap_or(0),
                    stuck: String::new(),
                    behind: lost.behind.iter().map(|h| cx.hop_step(h)).collect(),
                    nothing_runs: lost.asleep,
                    waits,
                    text: String::new(),
                };
                s.stuck = duration(s.stuck_ms);
                s.text = s.format(&cx.labels);
                s
            })
            .collect();
        found.sort_by_key(|s| std::cmp::Reverse(s.stuck_ms));
        found
    }

    /// The finding in words.
    pub(crate) fn format(&self, labels: &Labels) -> String {
        let mut words = Words::new(
            labels,
            std::iter::once(&self.task)
                .chain(self.waits.iter().map(|w| &w.waits_on))
                .chain(
                    self.behind
                        .iter()
                        .flat_map(|s| [&s.task, &s.waits_on, &s.held_by]),
                ),
        );
        let mut out = format!("stuck forever ({}):\n  ", duration(self.stuck_ms));
        if self.nothing_runs {
            for (i, w) in self.waits.iter().enumerate() {
                if i > 0 {
                    out.push_str("\n  and ");
                }
                out.push_str(&words.actor(&self.task, &w.path));
                out.push(' ');
                out.push_str(&words.wait(&w.wait_words, &w.wait_after, &w.waits_on, None));
            }
            if self.waits.is_empty() {
                out.push_str(&words.node(&self.task));
                out.push_str(" is pending");
            }
            out.push_str(": nothing left in its process can end that");
            out.push_str(NOTHING_RUNS);
        } else {
            out.push_str(&words.node(&self.task));
            out.push_str(" is pending and holds no waker: nothing can ever wake it");
        }
        behind_lines(&mut words, &self.behind, &mut out);
        out
    }
}

// ---- long wait -----------------------------------------------------------

impl Finding for LongWait {
    const KIND: &'static str = "long wait";

    fn summary(&self) -> String {
        summary_of(&self.text, &[&self.task])
    }

    fn text(&self) -> &str {
        &self.text
    }
}

/// Whether a wait on `kind` for `op` is a stall when it lasts: acquiring a
/// lock or permit, sending into a full channel, an RPC. Waiting for work
/// (a receive, a notification) or for a task to finish (a join) is how an
/// idle program looks, so it is not reported however long it lasts.
fn is_stall(kind: NodeKind, op: Option<Op>) -> bool {
    match kind {
        NodeKind::Mutex | NodeKind::Rwlock | NodeKind::Semaphore | NodeKind::Request => true,
        NodeKind::Channel => op_side(op) == OpSide::Send,
        _ => false,
    }
}

/// Whether wait `w` is a receive whose sender was last seen with a task
/// that is blocked with nothing else to wake it (the receiver itself, or
/// one waiting in the graph too; not one on a timer or I/O, as an idle
/// producer is) and was never seen to leave it ([`External::Unconfirmed`])
/// or may have moved out of sight since ([`External::OutOfSight`]), or a reply whose sender that task received
/// in a message it has handled ([`External::Handled`]), or that is found
/// in the state of the task waiting on that channel ([`External::FiledAway`]). A receive is no stall (an idle consumer is
/// the normal state of a service), but one that may wait on a stuck
/// task's sender — the coordinator that kept its own, two actors each
/// keeping the other's — is worth a long wait that says so, beside tasks
/// peeps cannot see into as without them.
fn waits_on_blocked_sender(cx: &Context<'_, '_>, w: EdgeIndex) -> bool {
    let g = cx.merged.graph();
    if op_side(g[w].op()) != OpSide::Receive {
        return false;
    }
    let mut rels = Vec::new();
    let verdict =
        classify(cx.merged, w).and_then(|t| releasers(cx.merged, &cx.blocked, t, &mut rels));
    let Some((_, channel)) = g.edge_endpoints(w) else {
        return false;
    };
    let oneshot = flavor(g[channel].node) == Some(attr::flavor::ONESHOT);
    match verdict {
        Err(External::OutOfSight(..)) => {}
        // A handle peeps never saw leave the task that made it: a reply
        // awaited that long is worth saying, and so is any receive whose
        // sender's maker waits on something other than work of its own
        // (a join, a lock: the turn that filed its sender in a registry
        // and awaits the receiver). A stream's maker waiting for work
        // (a hub at its inbox, the subscriber itself) has most likely
        // filed the sender for later: an idle subscriber, the normal state.
        Err(External::Unconfirmed(e))
            if oneshot
                || g.edge_endpoints(e)
                    .is_some_and(|(_, maker)| !waits_for_work(cx, maker, w)) => {}
        // A reply whose sender a task received and went back to its inbox
        // with ([`External::Handled`]): it answers when it will, and a reply
        // awaited that long is worth saying (it may be one that task kept).
        // So is one whose sender is in shared hands, or in an unread
        // message on a channel whose receiver is ([`External::Shared`]:
        // a plain worker's own mailbox, kept across an `.await`). A
        // stream's sender filed by a hub is an idle subscriber's, the
        // normal state.
        Err(External::Handled(_) | External::FiledAway(_) | External::Shared(_)) if oneshot => {}
        _ => return false,
    }
    // Every sender, not only the first the verdict names: one with a task
    // that may run (a producer on a timer) makes the wait an idle one.
    let stuck = |holder: NodeIndex| {
        cx.blocked.root(holder).is_some_and(|h| {
            let root = &cx.blocked.roots[h as usize];
            root.is_blocked() && !root.external_waker()
        })
    };
    let holds = |node: NodeIndex, side: &'static str| {
        g.edges_directed(node, petgraph::Direction::Outgoing)
            .filter(move |e| {
                e.weight().kind == crate::EdgeKind::HeldBy
                    && e.weight().attr_str(attr::AS) == Some(side)
            })
            .map(|e| petgraph::visit::EdgeRef::target(&e))
    };
    // A sender inside an unread message waits for the carrier's receivers.
    holds(channel, attr::AS_SENDER).all(|holder| {
        stuck(holder)
            || (g[holder].node.kind == NodeKind::Channel && {
                let mut readers = holds(holder, attr::AS_RECEIVER).peekable();
                readers.peek().is_some() && readers.all(stuck)
            })
    })
}

/// Whether the root of `node` is the root of wait `w`, or waits only for
/// work: every wait it has is a receive or a notification (a hub at its
/// inbox, a subscriber at its stream).
fn waits_for_work(cx: &Context<'_, '_>, node: NodeIndex, w: EdgeIndex) -> bool {
    let g = cx.merged.graph();
    let Some(r) = cx.blocked.root(node) else {
        return false;
    };
    let own = g
        .edge_endpoints(w)
        .and_then(|(waiter, _)| cx.blocked.root(waiter));
    own == Some(r)
        || cx
            .blocked
            .stalls(cx.merged, r)
            .all(|s| op_side(g[s].op()) == OpSide::Receive || g[s].op() == Some(Op::Notified))
}

/// Whose a hold peeps could not place was last seen to be, for a long
/// wait's words.
pub(crate) struct LastSeen<'a> {
    /// The hold's noun (`sender`, `permit`, ...).
    what: &'a str,
    /// The node it was last seen with.
    holder: NodeRef,
    /// When the hold is the receiver of a channel carrying the waited-on
    /// handle in an unread message: that handle's noun and the channel.
    carried: Option<(&'a str, NodeRef)>,
    /// When the holder is back at the channel the handle came in a message
    /// from ([`External::Handled`]): that channel.
    came_from: Option<NodeRef>,
}

impl LongWait {
    /// Every blocked task, not deadlocked, whose oldest stalling wait is at
    /// least the long-wait threshold old; longest first.
    pub(crate) fn check(cx: &Context<'_, '_>) -> Vec<LongWait> {
        let g = cx.merged.graph();
        let threshold = cx.options.long_wait_ms;
        let mut found = Vec::new();
        let mut rels = Vec::new();
        for (r, root) in cx.blocked.roots.iter().enumerate() {
            let r = r as u32;
            if !root.is_blocked() || cx.fix.root_in_set(r) {
                continue;
            }
            let oldest = cx
                .blocked
                .stalls(cx.merged, r)
                .filter_map(|w| {
                    let (_, on) = g.edge_endpoints(w)?;
                    let age = g[w].since_ms?;
                    (age >= threshold
                        && (is_stall(g[on].node.kind, g[w].op()) || waits_on_blocked_sender(cx, w)))
                    .then_some((age, w))
                })
                .max_by_key(|&(age, w)| (age, std::cmp::Reverse(w.index())));
            let Some((waited_ms, wait)) = oldest else {
                continue;
            };
            rels.clear();
            let verdict = classify(cx.merged, wait)
                .and_then(|t| releasers(cx.merged, &cx.blocked, t, &mut rels));
            // One step per releasing root, each said once. When the release
            // is outside the graph, the reason is said instead.
            let mut steps: Vec<Step> = Vec::new();
            let mut statuses: Vec<&'static str> = Vec::new();
            if verdict.is_ok() {
                let mut seen: IdMap<u32, ()> = IdMap::default();
                for rel in &rels {
                    if seen.insert(rel.root, ()).is_none() {
                        steps.push(cx.step(r, wait, rel));
                        statuses.push(cx.status_words(rel.root));
                    }
                }
            }
            let (waiter, on) = g.edge_endpoints(wait).expect("a wait edge of the graph");
            // A hold peeps could not place: say whose it was last seen to
            // be, and, when it is the receiver of a channel carrying the
            // handle in an unread message, which channel and what it carries.
            let last_seen = match verdict.err().and_then(External::held_by) {
                Some(e) => g.edge_endpoints(e).map(|(res, holder)| LastSeen {
                    what: hold_noun(g[e].attr_str(attr::AS)),
                    holder: cx.node_ref(holder),
                    carried: (res != on).then(|| {
                        let inside = g
                            .edges_connecting(on, res)
                            .find(|c| c.weight().kind == crate::EdgeKind::HeldBy)
                            .map_or("handle", |c| hold_noun(c.weight().attr_str(attr::AS)));
                        (inside, cx.node_ref(res))
                    }),
                    came_from: matches!(verdict, Err(External::Handled(_)))
                        .then(|| super::blocked::received_from(cx.merged, e))
                        .flatten()
                        .map(|c| cx.node_ref(c)),
                }),
                _ => None,
            };
            let mut lw = LongWait {
                task: cx.root_ref(r),
                path: cx.path_refs(waiter),
                op: g[wait].op(),
                at: g[wait].attr_str(attr::AT).map(str::to_owned),
                wait_words: String::new(),
                wait_after: String::new(),
                waits_on: cx.node_ref(on),
                waited_ms,
                waited: duration(waited_ms),
                held_by: steps.iter().map(|s| s.held_by.clone()).collect(),
                text: String::new(),
            };
            let (words, after) = wait_words(lw.op, lw.waits_on.kind, lw.at.as_deref());
            (lw.wait_words, lw.wait_after) = (words, after.to_owned());
            lw.text = lw.format(&cx.labels, &steps, &statuses, verdict.err(), last_seen);
            found.push(lw);
        }
        found.sort_by_key(|l| std::cmp::Reverse(l.waited_ms));
        found
    }

    /// The long wait in words: the wait, then who could release it and what
    /// each is doing, or why that is outside peeps' view.
    pub(crate) fn format(
        &self,
        labels: &Labels,
        steps: &[Step],
        statuses: &[&str],
        external: Option<External>,
        last_seen: Option<LastSeen<'_>>,
    ) -> String {
        let mut words = Words::new(
            labels,
            std::iter::once(&self.task)
                .chain(std::iter::once(&self.waits_on))
                .chain(&self.held_by),
        );
        let mut out = format!("long wait ({}):\n  ", duration(self.waited_ms));
        out.push_str(&words.actor(&self.task, &self.path));
        out.push(' ');
        // The headline says how long.
        out.push_str(&words.wait(&self.wait_words, &self.wait_after, &self.waits_on, None));
        match external {
            Some(why) => {
                out.push_str("\n    ");
                if let Some(LastSeen {
                    what,
                    holder,
                    carried,
                    came_from,
                }) = &last_seen
                {
                    let verb = match (why, *what) {
                        // A watch's value, a broadcast message: every
                        // receiver may take a clone.
                        (External::Shared(_), _) if holder.kind == NodeKind::Channel => {
                            "published on"
                        }
                        // A lock's value: whoever takes the lock may use it.
                        (External::Shared(_), _)
                            if matches!(holder.kind, NodeKind::Mutex | NodeKind::Rwlock) =>
                        {
                            "kept in"
                        }
                        (External::Shared(_), _) => "last used by",
                        (External::OutOfSight(..), _) => "last seen with",
                        (External::Handled(_), _) => "received by",
                        (External::FiledAway(_) | External::MovedUnseen(_), _) => {
                            "found in the state of"
                        }
                        (_, "sender" | "receiver") => "made by",
                        _ => "taken by",
                    };
                    match (carried, came_from) {
                        (None, Some(from)) => out.push_str(&format!(
                            "its {what} was {verb} {} in a message from {}, which it now waits to receive from again: ",
                            words.node(holder),
                            words.node(from)
                        )),
                        (Some((inside, carrier)), _) => out.push_str(&format!(
                            "its {inside} is inside an unread message on {}, whose {what} was {verb} {}: ",
                            words.node(carrier),
                            words.node(holder)
                        )),
                        (None, None) => out.push_str(&format!("its {what} was {verb} {}: ", words.node(holder))),
                    }
                }
                out.push_str(why.words());
            }
            None => {
                for (step, status) in steps.iter().zip(statuses).take(LISTED_RELEASERS) {
                    if let Some(line) = words.release_line(step) {
                        out.push_str(&format!("\n    {line}, {status}"));
                    }
                }
                if steps.len() > LISTED_RELEASERS {
                    let more = steps.len() - LISTED_RELEASERS;
                    let noun = if more == 1 { "task" } else { "tasks" };
                    out.push_str(&format!("\n    and {more} more {noun}"));
                }
            }
        }
        out
    }
}

// ---- blocking poll -------------------------------------------------------

/// What a blocking poll says about its thread, from the snapshot's
/// `threads` entry (the sampler's facts are in its attrs).
fn thread_ref(t: &crate::schema::ThreadInfo) -> ThreadRef {
    let dominant_frames = t
        .attrs
        .get(attr::DOMINANT_FRAMES)
        .and_then(|v| v.as_array())
        .map(|frames| {
            frames
                .iter()
                .filter_map(|f| {
                    Some(FrameShare {
                        frame: f.get(attr::FRAME)?.as_str()?.to_owned(),
                        samples: f.get(attr::SAMPLES)?.as_u64()?,
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    ThreadRef {
        tid: t.tid,
        name: t.name.clone(),
        stack: t.stack.clone(),
        samples: t
            .attrs
            .get(attr::SAMPLES)
            .and_then(|v| v.as_u64())
            .unwrap_or(0),
        dominant_frames,
        stack_unavailable: t
            .attrs
            .get(attr::STACK_UNAVAILABLE)
            .and_then(|v| v.as_str())
            .map(str::to_owned),
    }
}

impl Finding for BlockingPoll {
    const KIND: &'static str = "blocking poll";

    fn summary(&self) -> String {
        summary_of(&self.text, &[&self.task])
    }

    fn text(&self) -> &str {
        &self.text
    }
}

impl BlockingPoll {
    /// Every task whose current poll has run at least the slow-poll
    /// threshold (a plain tokio task's, whose polls peeps does not see: as
    /// long as it has been parked in a blocking call), with the innermost
    /// instrumented future inside it and the thread it blocks; longest
    /// first.
    pub(crate) fn check(cx: &Context<'_, '_>) -> Vec<BlockingPoll> {
        let g = cx.merged.graph();
        let threshold = cx.options.slow_poll_ms;
        // Per root: (longest poll, innermost polling node, its depth).
        let mut per_root: IdMap<u32, (u64, NodeIndex, usize)> = IdMap::default();
        for ix in g.node_indices() {
            let node = g[ix].node;
            if !node.kind.is_actor() || node.state.as_deref() != Some("polling") {
                continue;
            }
            let polling_ms = node
                .attrs
                .get(attr::POLLING_SINCE_MS)
                .and_then(|v| v.as_u64())
                .or(node.since_ms)
                .unwrap_or(0);
            if polling_ms < threshold {
                continue;
            }
            let Some(r) = cx.blocked.root(ix) else {
                continue;
            };
            let depth = cx.blocked.path(ix).len();
            let slot = per_root.entry(r).or_insert((polling_ms, ix, depth));
            slot.0 = slot.0.max(polling_ms);
            if depth > slot.2 {
                slot.1 = ix;
                slot.2 = depth;
            }
        }
        // A task parked in a blocking call that no node shows polling (a
        // plain tokio task, whose polls peeps does not see): its poll has
        // lasted at least as long as that call. (A thread's blocking call
        // is no poll, nor a `spawn_blocking` closure's: it runs on a thread
        // of its own.)
        for (r, root) in cx.blocked.roots.iter().enumerate() {
            let r = r as u32;
            let node = g[root.ix].node;
            if root.state != RootState::Parked
                || node.kind != NodeKind::Task
                || attr_bool(node, attr::UNSEEN_THREAD) == Some(true)
                || per_root.contains_key(&r)
            {
                continue;
            }
            let Some(w) = cx.blocked.parked_on(cx.merged, r) else {
                continue;
            };
            let (Some(age), Some((waiter, _))) = (g[w].since_ms, g.edge_endpoints(w)) else {
                continue;
            };
            if age >= threshold {
                per_root.insert(r, (age, waiter, cx.blocked.path(waiter).len()));
            }
        }
        let mut roots: Vec<(u32, (u64, NodeIndex, usize))> = per_root.into_iter().collect();
        roots.sort_by_key(|&(r, (ms, _, _))| (std::cmp::Reverse(ms), r));
        roots
            .into_iter()
            .map(|(r, (polling_ms, innermost, _))| {
                let root_ix = cx.blocked.roots[r as usize].ix;
                let chain = cx.blocked.path(innermost);
                let snap = cx.merged.process_of(root_ix);
                let ids: Vec<u64> = std::iter::once(root_ix)
                    .chain(chain.iter().copied())
                    .map(|ix| cx.merged.node(ix).id)
                    .collect();
                let thread = snap
                    .threads
                    .iter()
                    .find(|t| t.polling.is_some_and(|p| ids.contains(&p)))
                    .map(thread_ref);
                let parked = cx.blocked.parked_on(cx.merged, r);
                let parked_on = parked
                    .and_then(|w| g.edge_endpoints(w))
                    .map(|(_, on)| cx.node_ref(on));
                let nested = parked.is_some_and(|w| cx.blocked.is_nested(w));
                let mut bp = BlockingPoll {
                    task: cx.node_ref(root_ix),
                    path: chain.iter().map(|&ix| cx.node_ref(ix)).collect(),
                    polling_ms,
                    polling: duration(polling_ms),
                    thread,
                    parked_on,
                    text: String::new(),
                };
                bp.text = bp.format(&cx.labels, nested);
                bp
            })
            .collect()
    }

    /// The blocking poll in words. With the thread known: `worker
    /// `tokio-runtime-worker` (tid 7) has been inside a poll of future "x"
    /// (loc) for 2.3 s`, the task and futures around it, then the dominant
    /// frames and the stack when the sampler took them (or why not).
    /// `nested`: what it is parked on is awaited by an executor nested in
    /// the poll, not a blocking lock.
    pub(crate) fn format(&self, labels: &Labels, nested: bool) -> String {
        let mut words = Words::new(labels, std::iter::once(&self.task));
        let mut out = format!("blocking poll ({}):\n  ", duration(self.polling_ms));
        match &self.thread {
            Some(t) => {
                // A task runs on a runtime worker; a `block_on` root on its thread.
                let who = if self.task.kind == NodeKind::Task {
                    "worker"
                } else {
                    "thread"
                };
                let (innermost, around) = match self.path.split_last() {
                    Some((last, outer)) => (last, outer),
                    None => (&self.task, &[][..]),
                };
                out.push_str(&format!(
                    "{who} `{}` (tid {}) has been inside a poll of {} for {}",
                    t.name,
                    t.tid,
                    words.node(innermost),
                    duration(self.polling_ms)
                ));
                if !self.path.is_empty() {
                    out.push_str("\n    in ");
                    out.push_str(&words.node(&self.task));
                    for f in around {
                        let word = words.node(f);
                        let bare = word.strip_prefix(&format!("{} ", f.kind)).unwrap_or(&word);
                        out.push_str(" > ");
                        out.push_str(bare);
                    }
                }
            }
            None => {
                out.push_str(&words.actor(&self.task, &self.path));
                out.push_str(&format!(
                    " has been inside one poll for {}, blocking its runtime thread",
                    duration(self.polling_ms)
                ));
            }
        }
        if let Some(lock) = &self.parked_on {
            let how = if nested {
                "awaited by an executor nested in the poll (a `block_on`)"
            } else {
                "a blocking lock"
            };
            out.push_str(&format!("\n    parked on {}, {how}", words.node(lock)));
        }
        if let Some(t) = &self.thread {
            if let Some(why) = &t.stack_unavailable {
                out.push_str(&format!("\n    stack unavailable: {why}"));
            }
            if !t.dominant_frames.is_empty() {
                out.push_str(&format!(
                    "\n    dominant frames ({}):",
                    count(t.samples as usize, "sample", "samples")
                ));
                for f in &t.dominant_frames {
                    out.push_str(&format!("\n      {}/{} {}", f.samples, t.samples, f.frame));
                }
            }
            for frame in t.stack.iter().take(LISTED_FRAMES) {
                out.push_str(&format!("\n    at {frame}"));
            }
            if t.stack.len() > LISTED_FRAMES {
                out.push_str(&format!(
                    "\n    … {} more frames",
                    t.stack.len() - LISTED_FRAMES
                ));
            }
        }
        out
    }
}
