//! A potential deadlock in words. One sentence per finding, following the
//! convention of `super::super::findings` where it applies (nodes as
//! `kind "name"`, locations as `file:line`):
//!
//! ```text
//! potential deadlock: task "transfer-a" took "acct-1" (src/bank.rs:31) then "acct-2" (src/bank.rs:33); task "transfer-b" took "acct-2" (src/bank.rs:40) then "acct-1" (src/bank.rs:42). Run at the same time, these two can deadlock.
//! ```
//!
//! When every path was first seen in one task, the end says so: `Task
//! "maintenance" took both paths; run at the same time, by two tasks or by
//! concurrent branches of one, they can deadlock.`
//!
//! A lock is said by its name, `a read of "name"` for a read, `a permit of
//! "name"` for a permit; two locks of one name in one finding are told
//! apart as `"name" #1`, `"name" #2`. A cycle that needs more than the
//! paths adds when: `when a writer queues on "config"` (reads that wait for
//! each other only behind a writer), `when "pool" has no permit left`.

use super::search::blocks;
use super::{LockRef, OrderStep, PotentialDeadlock, PotentialKind};
use crate::analysis::report::NodeRef;
use crate::analysis::words::{duration, short_location};
use crate::lock_order::{LockMode, LockOrder, OrderEdge};
use crate::schema::NodeKind;

/// The finding of `kind` made of `edges` (a cycle in order, or the one edge
/// of a lock taken again) in the process with key `process`.
pub(super) fn finding(
    process: &str,
    order: &LockOrder,
    kind: PotentialKind,
    edges: &[&OrderEdge],
) -> PotentialDeadlock {
    let lock = |class: u32, lock: Option<crate::schema::NodeId>| {
        let c = order.class(class);
        LockRef {
            class,
            lock,
            kind: c.map_or(NodeKind::Mutex, |c| c.kind),
            name: c.map_or_else(|| format!("class {class}"), |c| c.name.clone()),
            location: c.and_then(|c| c.location.clone()),
            blocking: c.is_some_and(|c| c.blocking),
        }
    };
    let steps: Vec<OrderStep> = edges
        .iter()
        .map(|e| OrderStep {
            task: NodeRef {
                process: process.to_owned(),
                id: e.example.task,
                kind: e.example.task_kind,
                name: e.example.task_name.clone(),
                location: None,
            },
            held: lock(e.from, e.from_lock),
            held_as: e.held,
            held_at: e.example.held_at.clone(),
            acquired: lock(e.to, e.to_lock),
            acquired_as: e.acquired,
            acquired_at: e.example.acquired_at.clone(),
            gates: e
                .gates
                .iter()
                .filter(|g| !g.shared)
                .map(|g| lock(g.class, Some(g.lock)))
                .collect(),
            since_ms: e.example.since_ms,
            since: duration(e.example.since_ms),
            test_scope: e.example.test_scope,
        })
        .collect();
    let locks: Vec<LockRef> = steps.iter().map(|s| s.held.clone()).collect();
    let mut needs_writer = Vec::new();
    let mut needs_exhausted = Vec::new();
    if kind == PotentialKind::Inversion {
        for (i, s) in steps.iter().enumerate() {
            let next = &steps[(i + 1) % steps.len()];
            // Reads of a lock that meet here: the search kept them only
            // because the lock is written.
            if s.acquired_as.is_read()
                && next.held_as.is_read()
                && blocks(order, s.acquired.class, s.acquired_as, next.held_as)
                && !needs_writer.contains(&s.acquired)
            {
                needs_writer.push(s.acquired.clone());
            }
            if s.held.kind == NodeKind::Semaphore && !needs_exhausted.contains(&s.held) {
                needs_exhausted.push(s.held.clone());
            }
        }
    }
    let mut p = PotentialDeadlock {
        kind,
        process: process.to_owned(),
        locks,
        steps,
        needs_writer,
        needs_exhausted,
        text: String::new(),
    };
    p.text = format(&p);
    p
}

/// The finding in words (see the module's convention).
pub(super) fn format(p: &PotentialDeadlock) -> String {
    let names = Names::new(&p.locks);
    let mut out = String::from("potential deadlock: ");
    match p.kind {
        PotentialKind::Inversion => {
            let steps: Vec<String> = p.steps.iter().map(|s| step(&names, s)).collect();
            out.push_str(&steps.join("; "));
            match one_context(p) {
                Some(task) => out.push_str(&format!(
                    ". {} took {}; run at the same time, by {} {}s or by concurrent branches of one, they can deadlock",
                    capitalized(&who(task)),
                    match p.steps.len() {
                        2 => "both paths".to_owned(),
                        n => format!("all {} paths", number(n)),
                    },
                    number(p.steps.len()),
                    task.kind,
                )),
                None => out.push_str(&format!(
                    ". Run at the same time, these {} can deadlock",
                    number(p.steps.len())
                )),
            }
            let mut when: Vec<String> = p
                .needs_writer
                .iter()
                .map(|l| format!("a writer queues on {}", names.of(l)))
                .collect();
            when.extend(
                p.needs_exhausted
                    .iter()
                    .map(|l| format!("{} has no permit left", names.of(l))),
            );
            if !when.is_empty() {
                out.push_str(" when ");
                out.push_str(&when.join(" and "));
            }
            out.push('.');
        }
        PotentialKind::ReadReentered => {
            let Some(s) = p.steps.first() else {
                return out;
            };
            out.push_str(&format!(
                "{} took {}{} then another read of it{}. ",
                who(&s.task),
                lock_phrase(&names, &s.held, s.held_as),
                site(s.held_at.as_deref()),
                site(s.acquired_at.as_deref()),
            ));
            out.push_str(
                "The rwlock is write-preferring: a writer that queues between the two reads waits for the first, \
                 and the second waits behind the writer, so neither can proceed",
            );
            if s.held.blocking {
                out.push_str(" (`read_recursive` does not queue behind writers)");
            }
            out.push('.');
        }
        PotentialKind::PermitReacquired => {
            let Some(s) = p.steps.first() else {
                return out;
            };
            out.push_str(&format!(
                "{} took {}{} then waited for another{}. When every permit is held by tasks that wait for another, none can proceed.",
                who(&s.task),
                lock_phrase(&names, &s.held, s.held_as),
                site(s.held_at.as_deref()),
                site(s.acquired_at.as_deref()),
            ));
        }
    }
    out
}

/// `task "a" took "m" (src/a.rs:3) then a read of "r" (src/a.rs:4)`.
fn step(names: &Names, s: &OrderStep) -> String {
    format!(
        "{} took {}{} then {}{}",
        who(&s.task),
        lock_phrase(names, &s.held, s.held_as),
        site(s.held_at.as_deref()),
        lock_phrase(names, &s.acquired, s.acquired_as),
        site(s.acquired_at.as_deref()),
    )
}

/// `task "name"`, `thread "name"`.
/// The one task (or thread) every path of an inversion was first seen in,
/// if one was: one after another it cannot deadlock with itself, but the
/// same paths run by two at once can, or by two concurrent branches of it
/// (lockdep's reading, see `docs/lock-order.md`, "One task, both
/// orders").
fn one_context(p: &PotentialDeadlock) -> Option<&NodeRef> {
    let first = &p.steps.first()?.task;
    p.steps
        .iter()
        .all(|s| s.task.id == first.id && s.task.process == first.process)
        .then_some(first)
}

/// `s` with its first letter a capital.
fn capitalized(s: &str) -> String {
    let mut chars = s.chars();
    chars
        .next()
        .map_or_else(String::new, |c| c.to_uppercase().chain(chars).collect())
}

fn who(task: &NodeRef) -> String {
    crate::analysis::words::noun(task.kind, &task.name)
}

/// ` (src/a.rs:3)`, or nothing.
fn site(at: Option<&str>) -> String {
    at.map(|a| format!(" ({})", short_location(a)))
        .unwrap_or_default()
}

/// A lock as taken: `"m"`, `a read of "r"`, `a permit of "s"`.
fn lock_phrase(names: &Names, l: &LockRef, mode: LockMode) -> String {
    let name = names.of(l);
    match mode {
        LockMode::Write => name,
        LockMode::Read => format!("a read of {name}"),
        LockMode::ReadRecursive => format!("a recursive read of {name}"),
        LockMode::Permit => format!("a permit of {name}"),
    }
}

/// `two`, `three`, ... for the paths of a cycle.
fn number(n: usize) -> String {
    match n {
        1 => "one".to_owned(),
        2 => "two".to_owned(),
        3 => "three".to_owned(),
        4 => "four".to_owned(),
        5 => "five".to_owned(),
        n => n.to_string(),
    }
}

/// How each lock of a finding is named: `"name"`, or `"name" #k` when
/// several locks of the finding share the name.
struct Names {
    distinct: Vec<LockRef>,
}

impl Names {
    fn new(locks: &[LockRef]) -> Names {
        let mut distinct: Vec<LockRef> = Vec::new();
        for l in locks {
            if !distinct
                .iter()
                .any(|d| d.class == l.class && d.lock == l.lock)
            {
                distinct.push(l.clone());
            }
        }
        Names { distinct }
    }

    fn of(&self, l: &LockRef) -> String {
        let same_name: Vec<&LockRef> = self.distinct.iter().filter(|d| d.name == l.name).collect();
        if same_name.len() < 2 {
            return format!("{:?}", l.name);
        }
        let k = same_name
            .iter()
            .position(|d| d.class == l.class && d.lock == l.lock)
            .map_or(0, |k| k + 1);
        format!("{:?} #{k}", l.name)
    }
}
