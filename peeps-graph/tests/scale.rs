//! The bench's generated workload, scaled down: the analysis finds exactly
//! the planted deadlocks (and the tasks behind them) among many healthy
//! tasks, and nothing else. Timing is the bench's business, not a test's.

#[path = "../benches/workload/mod.rs"]
mod workload;

use peeps_graph::analysis::{Certainty, Options};

#[test]
fn finds_exactly_the_planted_deadlocks_among_healthy_tasks() {
    let (snaps, shape) = workload::generate(3, 20_000, 100);
    assert!(shape.nodes >= 59_000 && shape.deadlocks >= 3);
    let report = peeps_graph::analyze(&snaps, &Options::default());
    assert_eq!(report.deadlocks.len(), shape.deadlocks, "{}", report.text());
    for d in &report.deadlocks {
        let mut names: Vec<&str> = d.tasks.iter().map(|t| t.name.as_str()).collect();
        names.sort_unstable();
        assert_eq!(names, ["transfer-a", "transfer-b"]);
        assert_eq!(d.certainty, Certainty::Certain);
        assert!(!d.cross_process);
        assert_eq!(d.behind.len(), 1);
        assert_eq!(d.behind[0].task.name, "auditor");
    }
    assert!(report.long_waits.is_empty(), "{}", report.text());
    assert!(report.stuck_forever.is_empty());
    // The producers' brief polls are below the slow-poll threshold.
    assert!(report.blocking_polls.is_empty());
}
