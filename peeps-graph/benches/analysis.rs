//! The analysis at scale: a generated 1,000,000-node merged graph (four
//! processes of 250,000 nodes: many healthy tasks, some deadlocks).
//! Goal: ≤ 1 s for the whole `analyze` (merge included), linear cost.
//! Figures are recorded in docs/PERFORMANCE.md, section "Analysis".
//!
//! Run: `cargo bench -p peeps-graph --bench analysis`.

mod workload;

use criterion::{BenchmarkId, Criterion, SamplingMode, criterion_group, criterion_main};
use peeps_graph::analysis::Options;
use std::hint::black_box;
use std::time::Duration;

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("analysis");
    group.sampling_mode(SamplingMode::Flat);
    group.sample_size(10);
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(8));
    let options = Options::default();
    for total in [250_000usize, 1_000_000] {
        let (snaps, shape) = workload::generate(4, total / 4, 500);
        // The workload is only worth timing if the answer is right.
        let report = peeps_graph::analyze(&snaps, &options);
        assert_eq!(report.deadlocks.len(), shape.deadlocks);
        assert_eq!(
            report
                .deadlocks
                .iter()
                .map(|d| d.behind.len())
                .sum::<usize>(),
            shape.behind
        );
        assert!(report.long_waits.is_empty() && report.stuck_forever.is_empty());
        eprintln!(
            "workload: {} nodes, {} edges, {} deadlocks",
            shape.nodes,
            snaps.iter().map(|s| s.edges.len()).sum::<usize>(),
            shape.deadlocks
        );
        group.bench_with_input(BenchmarkId::new("merge", total), &snaps, |b, snaps| {
            b.iter(|| black_box(peeps_graph::merge(snaps).graph().node_count()))
        });
        group.bench_with_input(BenchmarkId::new("analyze", total), &snaps, |b, snaps| {
            b.iter(|| black_box(peeps_graph::analyze(snaps, &options)))
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
