//! A `#[peeps::test]` fails on a potential deadlock its tasks completed:
//! a cycle in the order locks were taken in (see [`crate::lockorder`]),
//! although nothing hung. Checked once the body has ended, against what the
//! process learned: a cycle one of whose steps a task of this test run took
//! the first time (an order edge is learned once, by whoever takes it
//! first: with tests in parallel, the test that closes a cycle fails).

use super::Shared;
use peeps_graph::analysis::Options;

/// What a potential deadlock of a test's tasks does
/// (`#[peeps::test(potential_deadlocks = "..")]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Potential {
    /// Fail the test with it in words (`"fail"`, the default).
    #[default]
    Fail,
    /// Print it to stderr; the test passes (`"warn"`).
    Warn,
    /// Nothing (`"allow"`).
    Allow,
}

/// Fails (or warns) if the process learned a potential deadlock one of
/// whose steps a task of test run `shared` took.
///
/// # Panics
///
/// With [`Potential::Fail`], when there is one.
pub(crate) fn check(potential: Potential, shared: &Shared) {
    if potential == Potential::Allow {
        return;
    }
    let Some(order) = crate::lockorder::learned() else {
        return;
    };
    let snap = peeps_graph::Snapshot {
        schema: peeps_graph::SCHEMA.to_owned(),
        process: crate::process::current(),
        captured_at_ms: crate::clock::wall_ms(),
        nodes: Vec::new(),
        edges: Vec::new(),
        threads: Vec::new(),
        lock_order: Some(order),
        history: None,
                tasks: None,
    };
    let report = peeps_graph::analyze(std::slice::from_ref(&snap), &Options::default());
    let texts: Vec<&str> = report
        .potential_deadlocks
        .iter()
        .filter(|p| p.involves_test(shared.scope))
        .map(|p| p.text.as_str())
        .collect();
    if texts.is_empty() {
        return;
    }
    let message = format!(
        "peeps: test `{}` has {}: it did not hang, but the order its tasks took locks in can deadlock \
         (`#[peeps::test(potential_deadlocks = \"allow\")]` accepts it):\n\n{}",
        shared.name,
        if texts.len() == 1 { "a potential deadlock".to_owned() } else { format!("{} potential deadlocks", texts.len()) },
        texts.join("\n\n"),
    );
    match potential {
        Potential::Fail => panic!("{message}"),
        Potential::Warn => eprintln!("{message}"),
        Potential::Allow => {}
    }
}
