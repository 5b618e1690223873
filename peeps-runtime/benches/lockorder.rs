//! What learning the lock order (issue 15) adds to an acquisition and its
//! release, measured on the hooks themselves: a hold taken and released as
//! a mutex guard's is (`HolderSet::hold_exclusive`, `release_exclusive`),
//! with and without `lockorder::acquired` after it. The difference is the
//! learning's cost; the baseline already pays the release's check of the
//! lock's class cell (one load and a compare on a line the release
//! writes anyway).
//!
//! Arms, each on a plain thread (the thread's own list; a plain tokio
//! task's id is looked for) and in a peeps task (the task's segment):
//! nothing else held; one lock held whose order edge to this one is known;
//! two held.

use criterion::{Criterion, criterion_group};
use peeps_graph::NodeKind;
use peeps_runtime::__private::hold::HoldAs;
use peeps_runtime::__private::lockorder::{Mode, acquired};
use peeps_runtime::__private::resource::Resource;
use std::hint::black_box;
use std::panic::Location;
use std::time::{Duration, Instant};

/// A lock's hold, as a mutex guard takes it, and its lock order.
#[inline(always)]
fn lock(r: &Resource, learn: bool) {
    let at = Some(Location::caller());
    let taker = r.holders().hold_exclusive(HoldAs::Guard, true, at);
    if learn {
        acquired(r, Mode::Write, at, taker, 0);
    }
}

#[inline(always)]
fn unlock(r: &Resource) {
    r.holders().release_exclusive();
}

fn named(name: &'static str) -> Resource {
    let r = Resource::new(NodeKind::Mutex);
    r.rename(name);
    r
}

/// `(label, held, learn)` of each arm.
const ARMS: [(&str, usize, bool); 4] = [
    ("baseline", 0, false),
    ("nothing_held", 0, true),
    ("one_held_edge_known", 1, true),
    ("two_held_edges_known", 2, true),
];

/// Runs `iters` lock+unlock of `target` while holding `held`, timed.
fn body(held: &[Resource], target: &Resource, learn: bool, iters: u64) -> Duration {
    for h in held {
        lock(h, learn);
    }
    let start = Instant::now();
    for _ in 0..iters {
        let t = black_box(target);
        lock(t, learn);
        unlock(t);
    }
    let took = start.elapsed();
    for h in held.iter().rev() {
        unlock(h);
    }
    took
}

fn on_a_thread(c: &mut Criterion) {
    let mut g = c.benchmark_group("lock_order_hooks_thread");
    let held = [named("bench-outer-1"), named("bench-outer-2")];
    for (label, n, learn) in ARMS {
        let target = named(if learn { "bench-target" } else { "bench-plain" });
        g.bench_function(label, |b| {
            b.iter_custom(|iters| body(&held[..n], &target, learn, iters))
        });
    }
    g.finish();
}

fn in_a_peeps_task(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    let mut g = c.benchmark_group("lock_order_hooks_task");
    let held = std::sync::Arc::new([named("task-outer-1"), named("task-outer-2")]);
    for (label, n, learn) in ARMS {
        let target = std::sync::Arc::new(named(if learn { "task-target" } else { "task-plain" }));
        g.bench_function(label, |b| {
            b.iter_custom(|iters| {
                let (held, target) = (held.clone(), target.clone());
                rt.block_on(async move {
                    peeps_runtime::spawn_named("bench", async move {
                        body(&held[..n], &target, learn, iters)
                    })
                    .await
                })
                .expect("bench task")
            })
        });
    }
    g.finish();
}

fn config() -> Criterion {
    let _ = peeps_runtime::__private::clock::now_ms();
    Criterion::default()
        .measurement_time(Duration::from_secs(2))
        .warm_up_time(Duration::from_millis(500))
        .sample_size(30)
}

criterion_group! {
    name = benches;
    config = config();
    targets = on_a_thread, in_a_peeps_task
}

/// `LOCKORDER_COUNT=<arm>:<thread|task>:<iters>` runs that arm's loop once,
/// untimed, and exits: for counting instructions and cycles with
/// `perf stat` (the difference of two counts over the difference of
/// their iterations is one acquisition's), which the machine's load does
/// not move as it moves time.
fn count(spec: &str) {
    let mut parts = spec.split(':');
    let (arm, place, iters) = (
        parts.next(),
        parts.next(),
        parts.next().and_then(|n| n.parse::<u64>().ok()),
    );
    let (Some(arm), Some(place), Some(iters)) = (arm, place, iters) else {
        panic!("LOCKORDER_COUNT=<arm>:<thread|task>:<iters>, got {spec:?}");
    };
    let Some(&(_, n, learn)) = ARMS.iter().find(|a| a.0 == arm) else {
        panic!("no arm {arm:?}");
    };
    let held = std::sync::Arc::new([named("count-outer-1"), named("count-outer-2")]);
    let target = std::sync::Arc::new(named(if learn { "count-target" } else { "count-plain" }));
    // One warm-up lap learns the edges, as criterion's warm-up does.
    let run = move |iters| body(&held[..n], &target, learn, iters);
    match place {
        "thread" => {
            run(1000);
            black_box(run(iters));
        }
        "task" => {
            let rt = tokio::runtime::Builder::new_current_thread()
                .build()
                .expect("runtime");
            rt.block_on(async move {
                peeps_runtime::spawn_named("count", async move {
                    run(1000);
                    black_box(run(iters));
                })
                .await
                .expect("count task")
            });
        }
        _ => panic!("place is thread or task, got {place:?}"),
    }
}

fn main() {
    if let Ok(spec) = std::env::var("LOCKORDER_COUNT") {
        count(&spec);
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
