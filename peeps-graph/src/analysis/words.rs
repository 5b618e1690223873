//! The building blocks of every sentence peeps writes (see
//! [`super::findings`] for the convention they follow).

use super::report::{NodeRef, Step};
use crate::merge::Merged;
use crate::schema::NodeKind;
use std::collections::{HashMap, HashSet};

/// `1 task`, `2 tasks`, `0 tasks`.
pub(crate) fn count(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

/// A duration for a person: `850 ms`, `12.3 s`, `4 min 12 s`, `2 h 5 min`.
pub fn duration(ms: u64) -> String {
    const MIN: u64 = 60_000;
    const HOUR: u64 = 60 * MIN;
    if ms < 1_000 {
        format!("{ms} ms")
    } else if ms < MIN {
        format!("{}.{} s", ms / 1_000, ms % 1_000 / 100)
    } else if ms < HOUR {
        format!("{} min {} s", ms / MIN, ms % MIN / 1_000)
    } else {
        format!("{} h {} min", ms / HOUR, ms % HOUR / MIN)
    }
}

/// `src/bank.rs:31:5` → `src/bank.rs:31`: the column helps a tool, not a
/// reader. Anything not ending in `:line:col` is kept as it is.
pub(crate) fn short_location(loc: &str) -> &str {
    let numeric = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    match loc.rsplit_once(':') {
        Some((head, col)) if numeric(col) => match head.rsplit_once(':') {
            Some((_, line)) if numeric(line) => head,
            _ => loc,
        },
        _ => loc,
    }
}

/// What each process is called in words: its name, or `name (pid N)`
/// when two processes share a name, or the key when they share both.
#[derive(Debug, Default)]
pub(crate) struct Labels {
    by_key: HashMap<String, String>,
}

impl Labels {
    pub(crate) fn new(merged: &Merged<'_>) -> Labels {
        let procs = merged.processes();
        let mut by_name: HashMap<&str, usize> = HashMap::new();
        let mut by_name_pid: HashMap<(&str, u32), usize> = HashMap::new();
        for s in procs {
            *by_name.entry(s.process.name.as_str()).or_default() += 1;
            *by_name_pid
                .entry((s.process.name.as_str(), s.process.pid))
                .or_default() += 1;
        }
        let by_key = procs
            .iter()
            .map(|s| {
                let p = &s.process;
                let label = if by_name[p.name.as_str()] == 1 {
                    p.name.clone()
                } else if by_name_pid[&(p.name.as_str(), p.pid)] == 1 {
                    format!("{} (pid {})", p.name, p.pid)
                } else {
                    format!("{} ({})", p.name, p.key)
                };
                (p.key.clone(), label)
            })
            .collect();
        Labels { by_key }
    }

    fn label<'s>(&'s self, key: &'s str) -> &'s str {
        self.by_key.get(key).map_or(key, String::as_str)
    }
}

/// Writes nodes into sentences, each with its location at its first
/// mention only, and with its process when the finding spans several.
#[derive(Debug)]
pub(crate) struct Words<'l> {
    labels: &'l Labels,
    multi: bool,
    mentioned: HashSet<(String, u64)>,
}

impl<'l> Words<'l> {
    /// A writer for one finding; `refs` are all the nodes it mentions.
    pub(crate) fn new<'r>(labels: &'l Labels, refs: impl IntoIterator<Item = &'r NodeRef>) -> Self {
        let mut first: Option<&str> = None;
        let mut multi = false;
        for r in refs {
            match first {
                None => first = Some(&r.process),
                Some(p) if p != r.process => multi = true,
                Some(_) => {}
            }
        }
        Words {
            labels,
            multi,
            mentioned: HashSet::new(),
        }
    }

    /// `kind "name" (file:line)` at first mention, `kind "name"` after; a
    /// task or thread also gets ` [process]` at first mention when the
    /// finding spans several processes.
    pub(crate) fn node(&mut self, r: &NodeRef) -> String {
        let mut s = format!("{} {:?}", r.kind, r.name);
        if self.mentioned.insert((r.process.clone(), r.id)) {
            if let Some(loc) = &r.location {
                let loc = short_location(loc);
                if loc.starts_with('(') && loc.ends_with(')') {
                    s.push_str(&format!(" {loc}"));
                } else {
                    s.push_str(&format!(" ({loc})"));
                }
            }
            if self.multi && matches!(r.kind, NodeKind::Task | NodeKind::Thread) {
                s.push_str(&format!(" [{}]", self.labels.label(&r.process)));
            }
        }
        s
    }

    /// A task and the futures inside it down to the one that acts:
    /// `task "a" (loc) in future "outer" (loc) > "inner" (loc)`.
    pub(crate) fn actor(&mut self, task: &NodeRef, path: &[NodeRef]) -> String {
        let mut s = self.node(task);
        for (i, f) in path.iter().enumerate() {
            let word = self.node(f);
            if i == 0 {
                s.push_str(" in ");
                s.push_str(&word);
            } else {
                // `future "x" (loc)` → `"x" (loc)`: the kind was said once.
                let bare = word
                    .strip_prefix(&format!("{} ", f.kind))
                    .unwrap_or(&word)
                    .to_owned();
                s.push_str(" > ");
                s.push_str(&bare);
            }
        }
        s
    }

    /// `waits on mutex "m" (loc)`, with the operation when it is not the
    /// obvious one: `waits on channel "jobs" (loc) to send`.
    pub(crate) fn wait(&mut self, op: Option<&str>, on: &NodeRef) -> String {
        format!("waits on {}{}", self.node(on), op_words(on.kind, op))
    }

    /// `task "a" (loc) in future "f" (loc) waits on mutex "m" (loc)`.
    pub(crate) fn step_line(&mut self, step: &Step) -> String {
        let who = self.actor(&step.task, &step.path);
        let what = self.wait(step.op.as_deref(), &step.waits_on);
        format!("{who} {what}")
    }

    /// `held by task "b" (loc)` — or nothing for a join, where the next
    /// line starts with the joined task itself.
    pub(crate) fn release_line(&mut self, step: &Step) -> Option<String> {
        if step.waits_on == step.held_by {
            return None;
        }
        let verb = held_words(step.held_as.as_deref(), step.confirmed, step.via.is_some());
        Some(format!("{verb} {}", self.node(&step.held_by)))
    }

    /// Lines for steps, each indented by `indent` spaces with its release
    /// line indented two more, appended to `out`.
    pub(crate) fn steps(&mut self, steps: &[Step], out: &mut String, indent: usize) {
        for step in steps {
            out.push('\n');
            out.push_str(&" ".repeat(indent));
            out.push_str(&self.step_line(step));
            if let Some(rel) = self.release_line(step) {
                out.push('\n');
                out.push_str(&" ".repeat(indent + 2));
                out.push_str(&rel);
            }
        }
    }
}

/// The operation in words, when it adds something to `waits on <kind>`.
fn op_words(kind: NodeKind, op: Option<&str>) -> String {
    let Some(op) = op else {
        return String::new();
    };
    match (kind, op) {
        (NodeKind::Mutex, "lock")
        | (NodeKind::Semaphore, "acquire")
        | (NodeKind::Request, "call")
        | (NodeKind::Notify, "notified") => String::new(),
        (_, "recv") => " to receive".to_owned(),
        (_, "join") => " to finish".to_owned(),
        (_, "closed") => " to be closed".to_owned(),
        (_, op) => format!(" to {op}"),
    }
}

/// How a resource is held, in words: `held by`, `sender held by`,
/// `probably held by` when unconfirmed, `handled by` for an RPC.
fn held_words(held_as: Option<&str>, confirmed: bool, rpc: bool) -> String {
    if rpc {
        return "handled by".to_owned();
    }
    let what = match held_as {
        Some("read_guard") => "read-locked",
        Some("permit") => "permit held",
        Some("sender") => "sender held",
        Some("receiver") => "receiver held",
        _ => "held",
    };
    let (head, tail) = what.rsplit_once(' ').map_or(("", what), |(h, t)| (h, t));
    let maybe = if confirmed { "" } else { "probably " };
    if head.is_empty() {
        format!("{maybe}{tail} by")
    } else {
        format!("{head} {maybe}{tail} by")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_naturally() {
        assert_eq!(duration(0), "0 ms");
        assert_eq!(duration(999), "999 ms");
        assert_eq!(duration(12_345), "12.3 s");
        assert_eq!(duration(252_000), "4 min 12 s");
        assert_eq!(duration(7_500_000), "2 h 5 min");
    }

    #[test]
    fn locations_lose_their_column() {
        assert_eq!(short_location("src/bank.rs:31:5"), "src/bank.rs:31");
        assert_eq!(short_location("src/bank.rs:31"), "src/bank.rs:31");
        assert_eq!(short_location("(block_on)"), "(block_on)");
        assert_eq!(short_location("C:\\x.rs:3:4"), "C:\\x.rs:3");
        assert_eq!(short_location("a:b:c"), "a:b:c");
    }

    #[test]
    fn holds_are_worded_by_kind_and_certainty() {
        assert_eq!(held_words(Some("guard"), true, false), "held by");
        assert_eq!(held_words(None, false, false), "probably held by");
        assert_eq!(
            held_words(Some("sender"), false, false),
            "sender probably held by"
        );
        assert_eq!(
            held_words(Some("read_guard"), true, false),
            "read-locked by"
        );
        assert_eq!(held_words(None, true, true), "handled by");
    }

    #[test]
    fn ops_are_worded_only_when_they_add_something() {
        assert_eq!(op_words(NodeKind::Mutex, Some("lock")), "");
        assert_eq!(op_words(NodeKind::Rwlock, Some("write")), " to write");
        assert_eq!(op_words(NodeKind::Channel, Some("recv")), " to receive");
        assert_eq!(op_words(NodeKind::Task, Some("join")), " to finish");
        assert_eq!(op_words(NodeKind::Channel, None), "");
    }
}
