//! What a failing `#[peeps::test]` says, and a running test's part of a
//! process report.
//!
//! - Deadlocked: `peeps: test `t` can never finish (found 612 ms after it
//!   started; its timeout is 30 s):`, then the findings' texts.
//! - Timed out: `peeps: test `t` timed out after 2.0 s; 3 of its tasks are
//!   alive:`, then every live task of the test with its stack (the body
//!   first, then in spawn order), then the findings about its tasks:
//!   deadlocks (probable ones too), tasks stuck forever, long waits,
//!   blocking polls.

use super::Shared;
use peeps_graph::analysis::{Finding, Options, Report, duration, task_stacks};
use peeps_graph::{NodeId, Snapshot, attr};
use std::collections::HashSet;
use std::sync::atomic::Ordering::SeqCst;

/// `; its timeout is 30 s` or nothing.
fn timeout_words(shared: &Shared) -> String {
    match shared.timeout {
        Some(t) => format!("; its timeout is {}", duration(ms(t))),
        None => String::new(),
    }
}

fn ms(d: std::time::Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// The failure message of a test some of whose tasks can never make
/// progress; `findings` are the texts the watcher found.
pub(super) fn never_finishes(shared: &Shared, findings: &str) -> String {
    format!(
        "peeps: test `{}` can never finish (found {} after it started{}):\n\n{findings}\n",
        shared.name,
        duration(ms(shared.started.elapsed())),
        timeout_words(shared),
    )
}

/// The failure message of a test that ran out of time: a snapshot of the
/// process now, this test's part of it in words.
pub(super) fn timed_out(shared: &Shared) -> String {
    let elapsed = ms(shared.started.elapsed());
    let snap = crate::snapshot();
    // A test's waits matter long before the default 5 s.
    let options = Options::default().long_wait_ms((elapsed / 2).min(Options::DEFAULT_LONG_WAIT_MS));
    let report = peeps_graph::analyze(std::slice::from_ref(&snap), &options);
    let section = section(&snap, &report, shared);
    let mut out = format!("peeps: test `{}` timed out after {}", shared.name, duration(elapsed));
    if shared.body_done.load(SeqCst) {
        out.push_str(
            " (its body has returned; its runtime has not shut down: a blocking task or thread is still busy)",
        );
    }
    let details = format!("{}{}", section.stacks, section.findings);
    out.push_str(&format!("; {}:\n\n{}\n", alive_words(section.tasks.len()), details.trim_end()));
    out
}

fn alive_words(n: usize) -> String {
    match n {
        0 => "none of its tasks is alive".to_owned(),
        1 => "1 of its tasks is alive".to_owned(),
        n => format!("{n} of its tasks are alive"),
    }
}

/// One test's part of a report.
pub(crate) struct Section {
    /// The ids of the test's live tasks.
    pub(crate) tasks: HashSet<NodeId>,
    /// Its tasks' stacks, the body first, each followed by a blank line.
    pub(crate) stacks: String,
    /// The findings about its tasks, each followed by a blank line.
    pub(crate) findings: String,
}

/// The live tasks of `shared`'s run in `snap` with their stacks, and the
/// findings of `report` about them.
pub(crate) fn section(snap: &Snapshot, report: &Report, shared: &Shared) -> Section {
    let scope = shared.scope;
    let body = shared.body.load(SeqCst);
    let mut stacks = task_stacks(snap, |n| {
        n.attrs.get(attr::TEST_SCOPE).and_then(|v| v.as_u64()) == Some(scope)
    });
    // The body first, the rest in spawn order.
    stacks.sort_by_key(|s| s.task.id != body);
    let tasks: HashSet<NodeId> = stacks.iter().map(|s| s.task.id).collect();
    let stacks = crate::on_term::stacks_text(stacks.iter().map(|s| s.text.as_str()));
    let ours = |id: NodeId| tasks.contains(&id);
    let findings = report
        .deadlocks
        .iter()
        .filter(|d| d.tasks.iter().chain(d.behind.iter().map(|s| &s.task)).any(|t| ours(t.id)))
        .map(Finding::text)
        .chain(
            report
                .stuck_forever
                .iter()
                .filter(|s| ours(s.task.id) || s.behind.iter().any(|b| ours(b.task.id)))
                .map(Finding::text),
        )
        .chain(report.long_waits.iter().filter(|l| ours(l.task.id)).map(Finding::text))
        .chain(report.blocking_polls.iter().filter(|b| ours(b.task.id)).map(Finding::text))
        .map(|t| format!("{t}\n\n"))
        .collect();
    Section { tasks, stacks, findings }
}

/// Each running test's tasks, for a report of the whole process (see
/// `crate::on_term`): `test `t`, running for 12.3 s:` then its stacks.
/// Also returns the tasks listed.
pub(crate) fn running_sections(snap: &Snapshot, report: &Report) -> (String, HashSet<NodeId>) {
    let mut out = String::new();
    let mut listed = HashSet::new();
    for shared in super::watch::running() {
        let section = section(snap, report, &shared);
        out.push_str(&format!(
            "test `{}`, running for {}{}; {}:\n\n{}",
            shared.name,
            duration(ms(shared.started.elapsed())),
            timeout_words(&shared),
            alive_words(section.tasks.len()),
            section.stacks,
        ));
        listed.extend(section.tasks);
    }
    (out, listed)
}
