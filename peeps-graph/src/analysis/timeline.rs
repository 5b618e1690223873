//! Timelines: the recorded events of a snapshot (its [`History`]) in words,
//! one line each: `12.301 s  task "transfer-a" took mutex "acct-1" at
//! src/bank.rs:31`.
//!
//! Three readers: each deadlock's *how it formed* ([`of_deadlock`]: the
//! events among its own tasks and resources since the first hold that is
//! still held), `peeps history` ([`timeline`] with a [`Filter`]) and the
//! dashboard's node details ([`node_timeline`]). All say events the same
//! way ([`entry`]), following the report's convention: a node is `kind
//! "name"`; a node that is gone and whose name the recorder did not keep is
//! `kind #id`; times are seconds since the event's process started, with
//! milliseconds.
//!
//! [`History`]: crate::history::History

use super::report::NodeRef;
use super::words::{duration, short_location, wait_words};
use crate::attr;
use crate::history::{Event, EventKind};
use crate::merge::Merged;
use crate::op::Op;
use crate::schema::{NodeId, NodeKind, Snapshot};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};

/// How many events a deadlock's timeline shows at most.
pub const DEADLOCK_EVENTS: usize = 12;

/// One recorded event, in words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct TimelineEntry {
    /// The key of the process it happened in.
    pub process: String,
    /// When, in ms since that process started.
    pub t_ms: u64,
    /// `t_ms` as printed: seconds with milliseconds (`12.301 s`).
    pub time: String,
    /// What happened.
    pub kind: EventKind,
    /// The task that did it, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task: Option<NodeRef>,
    /// The node it concerns, when any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node: Option<NodeRef>,
    /// The line of the user's call, when known (`file:line:col`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<String>,
    /// The event in words, without its time.
    pub text: String,
}

/// Which events [`timeline`] keeps: those concerning a task named `task`
/// and those concerning a node (a resource, a task) named `resource`; all
/// when neither is given. A name matches a node's name exactly, or its id
/// as `#17`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    /// A task's name.
    pub task: Option<String>,
    /// A resource's (or any node's) name.
    pub resource: Option<String>,
}

/// `12.301 s`: a time since a process started.
pub fn time_words(t_ms: u64) -> String {
    format!("{}.{:03} s", t_ms / 1000, t_ms % 1000)
}

/// What a snapshot says of the nodes its events name: its live nodes, then
/// what the history kept of those that are gone.
#[derive(Debug)]
struct Names<'s> {
    snap: &'s Snapshot,
    live: HashMap<NodeId, &'s crate::schema::Node>,
    gone: HashMap<NodeId, &'s crate::history::HistoryNode>,
}

impl<'s> Names<'s> {
    fn new(snap: &'s Snapshot) -> Self {
        let live = snap.nodes.iter().map(|n| (n.id, n)).collect();
        let gone = snap
            .history
            .iter()
            .flat_map(|h| &h.nodes)
            .map(|n| (n.id, n))
            .collect();
        Names { snap, live, gone }
    }

    /// The node `id`, as a reference; `guess` is its kind when nothing
    /// says it (from what the event did to it).
    fn node(&self, id: NodeId, guess: NodeKind) -> NodeRef {
        let process = self.snap.process.key.clone();
        if let Some(n) = self.live.get(&id) {
            return NodeRef {
                process,
                id,
                kind: n.kind,
                name: n.name.clone(),
                location: n.location.clone(),
            };
        }
        let gone = self.gone.get(&id);
        NodeRef {
            process,
            id,
            kind: gone.and_then(|g| g.kind).unwrap_or(guess),
            name: gone
                .and_then(|g| g.name.clone())
                .unwrap_or_else(|| format!("#{id}")),
            location: gone.and_then(|g| g.location.clone()),
        }
    }

    /// Whether node `id` is named `name` (or `#id`).
    fn named(&self, id: NodeId, name: &str) -> bool {
        if name
            .strip_prefix('#')
            .and_then(|n| n.parse::<NodeId>().ok())
            == Some(id)
        {
            return true;
        }
        let live = self.live.get(&id).map(|n| n.name.as_str());
        let gone = self.gone.get(&id).and_then(|g| g.name.as_deref());
        live.or(gone) == Some(name)
    }
}

/// `kind "name"`, or `kind #17` for a node whose name is not known.
fn noun(r: &NodeRef) -> String {
    if r.name.starts_with('#') && r.name[1..].parse::<NodeId>().is_ok() {
        format!("{} {}", r.kind, r.name)
    } else {
        super::words::noun(r.kind, &r.name)
    }
}

/// The kind of the node an event of `kind` (waiting for `op`, holding
/// `held_as`) concerns, when the snapshot no longer has it.
fn guessed_kind(e: &Event) -> NodeKind {
    match (e.kind, e.op, e.held_as.as_deref()) {
        (EventKind::Spawn | EventKind::Join, _, _) => NodeKind::Task,
        (EventKind::Send | EventKind::Recv | EventKind::Close, _, _) => NodeKind::Channel,
        (EventKind::Notify, _, _) | (_, _, Some(attr::AS_INITIALISER)) => NodeKind::Notify,
        (EventKind::CallStart | EventKind::CallEnd, _, _) => NodeKind::Request,
        (_, _, Some(attr::AS_PERMIT)) | (_, Some(Op::Acquire | Op::Barrier), _) => {
            NodeKind::Semaphore
        }
        (_, _, Some(attr::AS_READ_GUARD)) | (_, Some(Op::Read | Op::Write), _) => NodeKind::Rwlock,
        (_, Some(Op::Send | Op::Recv | Op::Closed | Op::Changed), _) => NodeKind::Channel,
        (_, Some(Op::Notified | Op::Init), _) => NodeKind::Notify,
        (_, Some(Op::Join), _) => NodeKind::Task,
        (_, Some(Op::Call), _) => NodeKind::Request,
        _ => NodeKind::Mutex,
    }
}

/// Event `e` of snapshot `names.snap`, in words.
fn entry(names: &Names<'_>, e: &Event) -> TimelineEntry {
    let task = e.task.map(|t| names.node(t, NodeKind::Task));
    let node = e.node.map(|n| names.node(n, guessed_kind(e)));
    let text = words(e, task.as_ref(), node.as_ref());
    TimelineEntry {
        process: names.snap.process.key.clone(),
        t_ms: e.t_ms,
        time: time_words(e.t_ms),
        kind: e.kind,
        task,
        node,
        at: e.at.clone(),
        text,
    }
}

/// The sentence of event `e`, done by `task` to `node`.
fn words(e: &Event, task: Option<&NodeRef>, node: Option<&NodeRef>) -> String {
    let who = task.map_or_else(|| "something".to_owned(), noun);
    let what = node.map_or_else(|| "something".to_owned(), noun);
    let at =
        e.at.as_deref()
            .map(|a| format!(" at {}", short_location(a)))
            .unwrap_or_default();
    let held = e.held_as.as_deref();
    match e.kind {
        EventKind::Spawn if task.is_none() => format!("{what} was spawned{at}"),
        EventKind::Spawn => format!("{who} spawned {what}{at}"),
        EventKind::End if e.finished == Some(false) => {
            format!("{who} ended before finishing (dropped or aborted)")
        }
        EventKind::End => format!("{who} finished"),
        EventKind::Wait => {
            let kind = node.map_or(NodeKind::Mutex, |n| n.kind);
            let (verb, after) = wait_words(e.op, kind, e.at.as_deref());
            let after = if after.is_empty() {
                String::new()
            } else {
                format!(" {after}")
            };
            format!("{who} {verb} {what}{after}")
        }
        EventKind::Acquire => {
            let verb = match held {
                Some(attr::AS_READ_GUARD) => format!("read-locked {what}"),
                Some(attr::AS_PERMIT) => format!("took a permit of {what}"),
                Some(attr::AS_INITIALISER) => format!("began initialising {what}"),
                _ => format!("took {what}"),
            };
            let waited = e
                .waited_ms
                .map(|ms| format!(", after waiting {}", duration(ms)))
                .unwrap_or_default();
            format!("{who} {verb}{at}{waited}")
        }
        EventKind::Release => {
            let verb = match held {
                Some(attr::AS_READ_GUARD) => format!("released its read lock of {what}"),
                Some(attr::AS_PERMIT) => format!("gave back a permit of {what}"),
                Some(attr::AS_INITIALISER) => format!("stopped initialising {what}"),
                _ => format!("released {what}"),
            };
            let taken =
                e.at.as_deref()
                    .map(|a| format!(" (taken at {})", short_location(a)))
                    .unwrap_or_default();
            format!("{who} {verb}{taken}")
        }
        EventKind::Send => match e.count {
            Some(n) => format!("{who} sent {n} messages on {what}{at}"),
            None => format!("{who} sent on {what}{at}"),
        },
        EventKind::Recv => match e.count {
            Some(n) => format!("{who} received {n} messages from {what}{at}"),
            None => format!("{who} received from {what}{at}"),
        },
        EventKind::Close => format!("{who} closed {what}{at}"),
        EventKind::Notify => format!("{who} notified {what}{at}"),
        EventKind::Join => format!("{who} joined {what}{at}"),
        EventKind::CallStart => format!("{who} called {what}{at}"),
        EventKind::CallEnd => format!("{who} got the response to {what}{at}"),
    }
}

/// Every event of `snap` the filter keeps, in words, oldest first.
pub fn timeline(snap: &Snapshot, filter: &Filter) -> Vec<TimelineEntry> {
    let Some(h) = &snap.history else {
        return Vec::new();
    };
    let names = Names::new(snap);
    let matches = |id: Option<NodeId>, name: &Option<String>| match name {
        None => true,
        Some(name) => id.is_some_and(|id| names.named(id, name)),
    };
    h.events
        .iter()
        .filter(|e| {
            let task = filter
                .task
                .as_ref()
                .is_none_or(|_| matches(e.task, &filter.task));
            let res = filter
                .resource
                .as_ref()
                .is_none_or(|_| matches(e.node, &filter.resource));
            // A task's events include what was done to it (its spawn, its join).
            let task_as_node =
                filter.task.is_some() && filter.resource.is_none() && matches(e.node, &filter.task);
            (task && res) || task_as_node
        })
        .map(|e| entry(&names, e))
        .collect()
}

/// The events of `snap` that concern node `id` (as the task that acted or
/// the node acted on), in words, oldest first: a node's details.
pub fn node_timeline(snap: &Snapshot, id: NodeId) -> Vec<TimelineEntry> {
    let Some(h) = &snap.history else {
        return Vec::new();
    };
    let names = Names::new(snap);
    h.events
        .iter()
        .filter(|e| e.concerns(id))
        .map(|e| entry(&names, e))
        .collect()
}

/// How a deadlock of `tasks` over `resources` formed: the events among
/// them (a member task acting on a member resource or task), from the
/// first hold that is still held (or, without one, the first wait that
/// still waits), at most [`DEADLOCK_EVENTS`] of them — the holds and
/// waits that make the cycle first, then the latest others. Returns the
/// entries and how many events of that span were left out.
pub(crate) fn of_deadlock(
    merged: &Merged<'_>,
    tasks: &[NodeRef],
    resources: &[NodeRef],
) -> (Vec<TimelineEntry>, usize) {
    let members: HashSet<(&str, NodeId)> = tasks
        .iter()
        .chain(resources)
        .map(|r| (r.process.as_str(), r.id))
        .collect();
    let member_tasks: HashSet<(&str, NodeId)> =
        tasks.iter().map(|r| (r.process.as_str(), r.id)).collect();
    // The member events of every process involved, each with its wall time.
    let mut events: Vec<(u64, usize, &Snapshot, &Event)> = Vec::new();
    for (p, snap) in merged.processes().iter().enumerate() {
        let key = snap.process.key.as_str();
        let Some(h) = &snap.history else {
            continue;
        };
        for e in &h.events {
            let by_member = e.task.is_some_and(|t| member_tasks.contains(&(key, t)));
            let on_member = e.node.is_some_and(|n| members.contains(&(key, n)));
            if by_member && on_member {
                events.push((snap.process.started_at_ms + e.t_ms, p, snap, e));
            }
        }
    }
    // Stable: one process's events keep their recorded order.
    events.sort_by_key(|&(wall, p, _, _)| (wall, p));

    let key_events = cycle_events(&events);
    let Some(&start) = key_events.iter().min() else {
        return (Vec::new(), 0);
    };
    let span: Vec<usize> = (start..events.len()).collect();
    let mut shown: Vec<usize> = key_events.iter().copied().take(DEADLOCK_EVENTS).collect();
    for &i in span.iter().rev() {
        if shown.len() >= DEADLOCK_EVENTS {
            break;
        }
        if !shown.contains(&i) {
            shown.push(i);
        }
    }
    shown.sort_unstable();
    let omitted = span.len() - shown.len();
    let mut names: HashMap<&str, Names<'_>> = HashMap::new();
    let entries = shown
        .into_iter()
        .map(|i| {
            let (_, _, snap, e) = events[i];
            let names = names
                .entry(snap.process.key.as_str())
                .or_insert_with(|| Names::new(snap));
            entry(names, e)
        })
        .collect();
    (entries, omitted)
}

/// The events that make a deadlock's cycle, as indexes of `events`: each
/// hold of a member resource by a member task that is still held (its
/// last acquisition with no release after), and each member task's last
/// wait when nothing of that task on the same node followed it.
fn cycle_events(events: &[(u64, usize, &Snapshot, &Event)]) -> Vec<usize> {
    let mut held: HashMap<(usize, NodeId, NodeId), usize> = HashMap::new();
    let mut waiting: HashMap<(usize, NodeId), (NodeId, usize)> = HashMap::new();
    for (i, &(_, p, _, e)) in events.iter().enumerate() {
        let (Some(task), Some(node)) = (e.task, e.node) else {
            continue;
        };
        match e.kind {
            EventKind::Acquire => {
                held.insert((p, task, node), i);
            }
            EventKind::Release => {
                held.remove(&(p, task, node));
            }
            _ => {}
        }
        match e.kind {
            EventKind::Wait => {
                waiting.insert((p, task), (node, i));
            }
            _ => {
                if waiting.get(&(p, task)).is_some_and(|&(n, _)| n == node) {
                    waiting.remove(&(p, task));
                }
            }
        }
    }
    let mut out: Vec<usize> = held
        .into_values()
        .chain(waiting.into_values().map(|(_, i)| i))
        .collect();
    out.sort_unstable();
    out
}

/// The lines of a deadlock's timeline, appended to its text.
pub(crate) fn deadlock_lines(entries: &[TimelineEntry], omitted: usize, out: &mut String) {
    if entries.is_empty() {
        return;
    }
    out.push_str("\n  how it formed:");
    if omitted > 0 {
        let s = if omitted == 1 { "" } else { "s" };
        out.push_str(&format!(
            " ({omitted} more event{s} between: `peeps history` lists them)"
        ));
    }
    for e in entries {
        out.push_str(&format!("\n    {}  {}", e.time, e.text));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::{Options, analyze};

    /// The example dump's deadlock, its history replaced by `events`
    /// (`(t_ms, kind, task, node)`; tasks 1 and 2, mutexes 11 and 12).
    fn deadlock_with(events: &[(u64, EventKind, NodeId, NodeId)]) -> crate::analysis::Deadlock {
        let mut snap =
            Snapshot::from_json(include_str!("../../../docs/example-dump.json")).unwrap();
        let h = snap.history.as_mut().unwrap();
        h.events = events
            .iter()
            .map(|&(t_ms, kind, task, node)| Event {
                t_ms,
                kind,
                task: Some(task),
                node: Some(node),
                at: None,
                op: (kind == EventKind::Wait).then_some(Op::Lock),
                held_as: matches!(kind, EventKind::Acquire | EventKind::Release)
                    .then(|| "guard".to_owned()),
                waited_ms: None,
                count: None,
                finished: None,
            })
            .collect();
        let report = analyze(std::slice::from_ref(&snap), &Options::default());
        report
            .deadlocks
            .into_iter()
            .next()
            .expect("the example's deadlock")
    }

    #[test]
    fn a_deadlock_forms_from_its_first_hold_still_held() {
        use EventKind::{Acquire, Release, Wait};
        let d = deadlock_with(&[
            // Taken and given back long before: not part of how it formed.
            (100, Acquire, 1, 12),
            (150, Release, 1, 12),
            (6865, Acquire, 1, 11),
            (6867, Acquire, 2, 12),
            (6874, Wait, 1, 12),
            (6875, Wait, 2, 11),
        ]);
        let times: Vec<u64> = d.timeline.iter().map(|e| e.t_ms).collect();
        assert_eq!(times, [6865, 6867, 6874, 6875]);
        assert_eq!(d.timeline_omitted, 0);
        assert_eq!(
            d.timeline[0].text,
            "task \"transfer-a\" took mutex \"acct-1\""
        );
    }

    #[test]
    fn a_long_formation_keeps_the_holds_and_waits_and_the_latest_others() {
        use EventKind::{Acquire, Release, Wait};
        let mut events = vec![(6867, Acquire, 2, 12)];
        for i in 0..10 {
            events.push((6868 + 2 * i, Acquire, 1, 11));
            events.push((6869 + 2 * i, Release, 1, 11));
        }
        events.extend([
            (6890, Acquire, 1, 11),
            (6900, Wait, 1, 12),
            (6901, Wait, 2, 11),
        ]);
        let d = deadlock_with(&events);
        assert_eq!(d.timeline.len(), DEADLOCK_EVENTS);
        assert_eq!(d.timeline_omitted, events.len() - DEADLOCK_EVENTS);
        let times: Vec<u64> = d.timeline.iter().map(|e| e.t_ms).collect();
        assert!(times.windows(2).all(|w| w[0] <= w[1]), "{times:?}");
        for t in [6867, 6890, 6900, 6901] {
            assert!(times.contains(&t), "{t} in {times:?}");
        }
        assert!(
            d.text
                .contains("how it formed: (12 more events between: `peeps history` lists them)"),
            "{}",
            d.text
        );
    }

    #[test]
    fn times_read_as_seconds_with_milliseconds() {
        assert_eq!(time_words(12_301), "12.301 s");
        assert_eq!(time_words(5), "0.005 s");
    }
}
