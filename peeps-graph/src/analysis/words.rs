//! The building blocks of every sentence peeps writes (see
//! [`super::findings`] for the convention they follow).

use super::report::{NodeRef, Step};
use crate::Evidence;
use crate::attr;
use crate::merge::Merged;
use crate::op::Op;
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
/// The one duration format of peeps: the report and the HTTP API carry its
/// output, so the CLI, the watchdog and the UI say the same.
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

/// Where the runtime says a thread's root was made (for a plain thread
/// too): said of no thread.
const THREAD_ROOT_SITE: &str = "(block_on)";

/// `kind "name"`; a thread by its own name (`thread "main"`, where its
/// node is named `thread main`).
pub(crate) fn noun(kind: NodeKind, name: &str) -> String {
    let name = match kind {
        NodeKind::Thread => name.strip_prefix("thread ").unwrap_or(name),
        _ => name,
    };
    format!("{kind} {name:?}")
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
        self.node_noted(r, None)
    }

    /// As [`Words::node`], with `note` said in the parentheses before the
    /// location: `task "c" (moved in at spawn, src/main.rs:40)` at first
    /// mention, `task "c" (moved in at spawn)` after.
    pub(crate) fn node_noted(&mut self, r: &NodeRef, note: Option<&str>) -> String {
        let mut s = noun(r.kind, &r.name);
        let first = self.mentioned.insert((r.process.clone(), r.id));
        // A resource is made somewhere; a task or future is where it is.
        let made = if r.kind.is_actor() { "" } else { "made at " };
        let loc = r
            .location
            .as_deref()
            .filter(|_| first)
            // A thread's root says `(block_on)`, also for a plain thread.
            .filter(|l| !(r.kind == NodeKind::Thread && *l == THREAD_ROOT_SITE))
            .map(short_location)
            .map(|l| l.trim_start_matches('(').trim_end_matches(')'))
            .map(|l| format!("{made}{l}"));
        // A note that names nodes itself (with their own parentheses) is a
        // clause after the node, not inside its parentheses.
        let clause = note.filter(|n| n.contains('('));
        match (note.filter(|_| clause.is_none()), loc) {
            (Some(note), Some(loc)) => s.push_str(&format!(" ({note}, {loc})")),
            (Some(note), None) => s.push_str(&format!(" ({note})")),
            (None, Some(loc)) => s.push_str(&format!(" ({loc})")),
            (None, None) => {}
        }
        if first && self.multi && matches!(r.kind, NodeKind::Task | NodeKind::Thread) {
            s.push_str(&format!(" [{}]", self.labels.label(&r.process)));
        }
        if let Some(clause) = clause {
            s.push_str(", ");
            s.push_str(clause);
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

    /// `waits at src/a.rs:25 to lock mutex "m" (made at loc) for 6.2 s`:
    /// the wait's words around the resource (see [`wait_words`]), and how
    /// long it has lasted.
    pub(crate) fn wait(
        &mut self,
        words: &str,
        after: &str,
        on: &NodeRef,
        waited_ms: Option<u64>,
    ) -> String {
        let mut s = format!("{words} {}", self.node(on));
        if !after.is_empty() {
            s.push(' ');
            s.push_str(after);
        }
        if let Some(ms) = waited_ms {
            // `... to finish, for 5.0 s`: the duration is not the op's.
            let comma = if after.is_empty() { "" } else { "," };
            s.push_str(&format!("{comma} for {}", duration(ms)));
        }
        s
    }

    /// `task "a" (loc) in future "f" (loc) waits at src/a.rs:25 to lock
    /// mutex "m" (made at loc) for 6.2 s`.
    pub(crate) fn step_line(&mut self, step: &Step) -> String {
        let who = self.actor(&step.task, &step.path);
        let what = self.wait(
            &step.wait_words,
            &step.wait_after,
            &step.waits_on,
            step.waited_ms,
        );
        format!("{who} {what}")
    }

    /// `held by task "b" (loc)` — or nothing for a join, where the next
    /// line starts with the joined task itself.
    pub(crate) fn release_line(&mut self, step: &Step) -> Option<String> {
        let verb = release_words(step)?;
        let note = release_note(step);
        Some(format!(
            "{verb} {}",
            self.node_noted(&step.held_by, note.as_deref())
        ))
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

/// A step's words for the report's readers (the UI), as its lines say
/// them: what comes between the task and the resource (`waits at
/// src/a.rs:25 to lock`), what follows the resource (`to finish`, or
/// nothing), and what comes before the holder (`held since src/a.rs:31
/// by`, `sender probably held by`, `handled by`; none for a join).
pub(crate) fn step_words(step: &Step) -> (String, String, Option<String>) {
    let (words, after) = wait_words(step.op, step.waits_on.kind, step.at.as_deref());
    (words, after.to_owned(), release_words(step))
}

/// The words of a wait around its resource: `waits at src/a.rs:25 to
/// lock` before it, and after it `to finish` (a join), `to be closed`,
/// `to change`, `to be initialised`, or nothing. `at` is where the wait
/// was made, when known.
pub(crate) fn wait_words(
    op: Option<Op>,
    kind: NodeKind,
    at: Option<&str>,
) -> (String, &'static str) {
    let (verb, after) = match (op, kind) {
        (Some(Op::Lock), _) => ("to lock", ""),
        // A watch `borrow` waits for the value's lock.
        (Some(Op::Read), NodeKind::Channel) => ("to borrow the value of", ""),
        (Some(Op::Read), _) => ("to read-lock", ""),
        // A watch `send` waits for the value's lock.
        (Some(Op::Write), NodeKind::Channel) => ("to send on", ""),
        (Some(Op::Write), _) => ("to write-lock", ""),
        (Some(Op::Acquire), _) => ("for a permit of", ""),
        (Some(Op::Send), _) => ("to send on", ""),
        (Some(Op::Recv), _) => ("to receive from", ""),
        (Some(Op::Notified), _) => ("to be notified by", ""),
        (Some(Op::Changed), _) => ("for", "to change"),
        (Some(Op::Barrier), _) => ("at", ""),
        (Some(Op::Init), _) => ("for", "to be initialised"),
        (Some(Op::Closed), _) => ("for", "to be closed"),
        (Some(Op::Call), _) => ("for the response to", ""),
        (Some(Op::Join), _) => ("for", "to finish"),
        (None, _) => ("on", ""),
    };
    let at = at
        .map(|a| format!(" at {}", short_location(a)))
        .unwrap_or_default();
    (format!("waits{at} {verb}"), after)
}

/// What comes before the holder in a step's release line, or `None` for a
/// join, where the next line starts with the joined task itself.
fn release_words(step: &Step) -> Option<String> {
    if step.waits_on == step.held_by {
        return None;
    }
    if step.behind_writer {
        return Some(match step.waits_on.kind {
            NodeKind::Semaphore => "queued behind the acquire of".to_owned(),
            NodeKind::Channel => "behind the queued send of".to_owned(),
            _ => "behind the queued writer".to_owned(),
        });
    }
    if let Some(carrier) = &step.carrier {
        // The handle travels in a message: the carrier's reader must act.
        let what = hold_noun(step.held_as.as_deref());
        let at = made_at(carrier);
        let maybe = if step.confirmed { "" } else { "probably " };
        return Some(format!(
            "{what} inside an unread message on {} {:?}{at}, whose receiver is {maybe}held by",
            carrier.kind, carrier.name
        ));
    }
    if let Some(lock) = &step.guarded_by {
        // Kept in a lock's value, or shared and used only under a lock: its
        // holder must let go first.
        let what = hold_noun(step.held_as.as_deref());
        let at = made_at(lock);
        if step.kept {
            return Some(format!(
                "{what} kept in {} {:?}{at}, whose guard is held by",
                lock.kind, lock.name
            ));
        }
        return Some(format!(
            "{what} shared, used only under {} {:?}{at} as far as peeps saw, whose guard is held by",
            lock.kind, lock.name
        ));
    }
    if step.held_as.as_deref() == Some(attr::AS_NOTIFIER) {
        // Anyone holding the notify may notify it: peeps saw these do.
        return Some("notified before (and may be again) by".to_owned());
    }
    if step.op == Some(Op::Send) && step.held_as.as_deref() == Some(attr::AS_SENDER) {
        // A send waits on the senders: slots reserved by their permits.
        let held = held_words(
            step.held_as.as_deref(),
            step.waits_on.kind,
            step.confirmed,
            step.via.is_some(),
            step.held_at.as_deref(),
        );
        return Some(format!(
            "its slots reserved by permits of its senders; {held}"
        ));
    }
    Some(held_words(
        step.held_as.as_deref(),
        step.waits_on.kind,
        step.confirmed,
        step.via.is_some(),
        step.held_at.as_deref(),
    ))
}

/// ` (made at src/x.rs:3)` for a node whose location is known, else nothing.
fn made_at(node: &NodeRef) -> String {
    node.location
        .as_deref()
        .map(|l| format!(" (made at {})", short_location(l)))
        .unwrap_or_default()
}

/// How the holder of a step's release came to have it, or why it never
/// lets go, said after the holder: `moved in at spawn`, `handed to its
/// future "f" (loc), which it no longer polls`, ... (see [`provenance`]).
pub(crate) fn release_note(step: &Step) -> Option<String> {
    let abandoned = |what: &str, f: &NodeRef| {
        let loc = f
            .location
            .as_deref()
            .map(|l| format!(" ({})", short_location(l)))
            .unwrap_or_default();
        if f.kind == NodeKind::Future {
            format!(
                "{what} its future {:?}{loc}, which it no longer polls",
                f.name
            )
        } else {
            format!("{what} a wait it no longer polls")
        }
    };
    if let Some(f) = &step.handed_to {
        return Some(abandoned("handed to", f));
    }
    if let Some(f) = &step.taken_in {
        return Some(abandoned("taken by", f));
    }
    if step.carrier.is_some() || step.guarded_by.is_some() {
        return None;
    }
    provenance(step.evidence, step.in_state, step.confirmed)
}

/// What a hold is, as a noun: `sender`, `receiver`, `permit`, `read
/// guard`, `guard`.
pub(crate) fn hold_noun(held_as: Option<&str>) -> &'static str {
    match held_as {
        Some(attr::AS_SENDER) => "sender",
        Some(attr::AS_RECEIVER) => "receiver",
        Some(attr::AS_PERMIT) => "permit",
        Some(attr::AS_READ_GUARD) => "read guard",
        Some(attr::AS_INITIALISER) => "initialiser",
        Some(attr::AS_NOTIFIER) => "notifier",
        _ => "guard",
    }
}

/// How the holder came to have a hold, when it says more than `held by`:
/// `moved in at spawn`, `received in a message`, `handed back through a
/// join`, `made there, still in its state`; with `; not in its own state
/// now` when the holder rests on that move alone (a guess); a hold made
/// and never seen since, guessed to its maker.
fn provenance(evidence: Option<Evidence>, in_state: bool, confirmed: bool) -> Option<String> {
    let how = match evidence? {
        Evidence::Spawned => "moved in at spawn",
        Evidence::Received => "received in a message",
        Evidence::Returned => "handed back through a join",
        Evidence::Made if in_state => "made there, still in its state",
        // Only a guess when nothing in its process may run (see
        // `hold_releasers`).
        Evidence::Made => {
            return Some("made there and not seen used or moved since; nothing in this process can run to take it".to_owned());
        }
        Evidence::Shared if in_state => "found in its state",
        _ => return None,
    };
    Some(if confirmed {
        how.to_owned()
    } else {
        format!("{how}; not in its own state now, it may have handed it on")
    })
}

/// How a resource is held, in words: `held by`, `sender held by`,
/// `probably held by` when unconfirmed, `held since src/a.rs:31 by` when
/// the call that took it is known, `handled by` for an RPC.
fn held_words(
    held_as: Option<&str>,
    kind: NodeKind,
    confirmed: bool,
    rpc: bool,
    at: Option<&str>,
) -> String {
    if rpc {
        return "handled by".to_owned();
    }
    let what = match held_as {
        // A watch channel's value, borrowed.
        Some(attr::AS_READ_GUARD) if kind == NodeKind::Channel => "value borrowed",
        Some(attr::AS_READ_GUARD) => "read-locked",
        Some(attr::AS_PERMIT) => "permit held",
        Some(attr::AS_SENDER) => "sender held",
        Some(attr::AS_RECEIVER) => "receiver held",
        Some(attr::AS_INITIALISER) => "being initialised",
        _ => "held",
    };
    let (head, tail) = what.rsplit_once(' ').map_or(("", what), |(h, t)| (h, t));
    let maybe = if confirmed { "" } else { "probably " };
    let since = at
        .map(|a| format!(" since {}", short_location(a)))
        .unwrap_or_default();
    if head.is_empty() {
        format!("{maybe}{tail}{since} by")
    } else {
        format!("{head} {maybe}{tail}{since} by")
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
    fn a_thread_goes_by_its_own_name_and_no_root_site() {
        let labels = Labels::default();
        let node = |kind, name: &str, location: &str| NodeRef {
            process: "p".to_owned(),
            id: 1,
            kind,
            name: name.to_owned(),
            location: Some(location.to_owned()),
        };
        let thread = node(NodeKind::Thread, "thread wal-reader", "(block_on)");
        assert_eq!(
            Words::new(&labels, [&thread]).node(&thread),
            "thread \"wal-reader\""
        );
        let task = node(NodeKind::Task, "thread x", "src/main.rs:3:1");
        assert_eq!(
            Words::new(&labels, [&task]).node(&task),
            "task \"thread x\" (src/main.rs:3)"
        );
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
    fn holds_are_worded_by_kind_certainty_and_where_they_were_taken() {
        let m = NodeKind::Mutex;
        assert_eq!(held_words(Some("guard"), m, true, false, None), "held by");
        assert_eq!(held_words(None, m, false, false, None), "probably held by");
        assert_eq!(
            held_words(Some("sender"), NodeKind::Channel, false, false, None),
            "sender probably held by"
        );
        assert_eq!(
            held_words(
                Some("read_guard"),
                NodeKind::Rwlock,
                true,
                false,
                Some("src/a.rs:31:9")
            ),
            "read-locked since src/a.rs:31 by"
        );
        assert_eq!(
            held_words(Some("read_guard"), NodeKind::Channel, true, false, None),
            "value borrowed by"
        );
        assert_eq!(
            held_words(Some("guard"), m, true, false, Some("src/main.rs:31:5")),
            "held since src/main.rs:31 by"
        );
        assert_eq!(held_words(None, m, true, true, None), "handled by");
    }

    #[test]
    fn provenance_says_how_the_holder_got_it_and_whether_it_is_a_guess() {
        assert_eq!(provenance(None, false, true), None);
        assert_eq!(provenance(Some(Evidence::Used), true, true), None);
        assert_eq!(
            provenance(Some(Evidence::Spawned), true, true).as_deref(),
            Some("moved in at spawn")
        );
        assert_eq!(
            provenance(Some(Evidence::Made), true, true).as_deref(),
            Some("made there, still in its state")
        );
        assert_eq!(
            provenance(Some(Evidence::Received), false, false).as_deref(),
            Some("received in a message; not in its own state now, it may have handed it on")
        );
        assert_eq!(
            provenance(Some(Evidence::Made), false, false).as_deref(),
            Some(
                "made there and not seen used or moved since; nothing in this process can run to take it"
            )
        );
        assert_eq!(hold_noun(Some("read_guard")), "read guard");
    }

    #[test]
    fn waits_are_worded_around_their_resource_with_their_line() {
        let w = |op, kind, at| wait_words(op, kind, at);
        assert_eq!(
            w(Some(Op::Lock), NodeKind::Mutex, Some("src/main.rs:25:9")),
            ("waits at src/main.rs:25 to lock".to_owned(), "")
        );
        assert_eq!(
            w(Some(Op::Recv), NodeKind::Channel, None),
            ("waits to receive from".to_owned(), "")
        );
        assert_eq!(
            w(Some(Op::Join), NodeKind::Task, None),
            ("waits for".to_owned(), "to finish")
        );
        assert_eq!(
            w(Some(Op::Write), NodeKind::Rwlock, None).0,
            "waits to write-lock"
        );
        assert_eq!(
            w(Some(Op::Write), NodeKind::Channel, None).0,
            "waits to send on"
        );
        assert_eq!(
            w(Some(Op::Closed), NodeKind::Channel, None).1,
            "to be closed"
        );
        assert_eq!(
            w(None, NodeKind::Channel, None),
            ("waits on".to_owned(), "")
        );
    }
}
