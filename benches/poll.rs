//! Cost of an instrumented future, in one run: a future that completes on
//! its first poll, on its third, and after 1,000 polls; each plain, under
//! peeps with diagnostics on, under the no-op twin the facade uses with
//! diagnostics off, and under await-tree's `instrument_await`.
//!
//! Every arm runs its futures the way a task runs a request's futures:
//! inside one long-lived parent (a peeps task, polled with its tracked
//! waker, or an await-tree root), which makes, polls to completion and
//! drops one child future per iteration. The parent is made outside the
//! timed region; each child's registration, polls and removal are inside.
//! Figures are per future (criterion's `elem/s` counts polls).

use await_tree::InstrumentAwait;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::time::Duration;

#[path = "support/poll_body.rs"]
mod poll_body;
use poll_body::{CountDown, Parent, run};

fn arms(c: &mut Criterion, polls: u64) {
    let mut g = c.benchmark_group(format!("poll{polls}"));
    g.throughput(Throughput::Elements(polls));
    g.measurement_time(Duration::from_secs(3))
        .warm_up_time(Duration::from_millis(500));
    let pending = polls - 1;
    let loc = concat!(file!(), ":", line!());

    g.bench_function("plain", |b| {
        b.iter_custom(|iters| {
            run(Parent {
                iters,
                make: || CountDown(pending),
            })
        })
    });

    g.bench_function("peeps_on", |b| {
        b.iter_custom(|iters| {
            // A peeps task: its poll sets the frame and its tracked waker.
            run(peeps_runtime::task::task_future(
                "bench".into(),
                std::panic::Location::caller(),
                Parent {
                    iters,
                    make: || peeps_runtime::instrument("count", loc, CountDown(pending)),
                },
            ))
        })
    });

    g.bench_function("peeps_off", |b| {
        b.iter_custom(|iters| {
            run(Parent {
                iters,
                make: || peeps_runtime::off::future::instrument("count", loc, CountDown(pending)),
            })
        })
    });

    let registry = await_tree::Registry::new(await_tree::Config::default());
    g.bench_function("await_tree", |b| {
        b.iter_custom(|iters| {
            run(registry.register((), "root").instrument(Parent {
                iters,
                make: || CountDown(pending).instrument_await("count"),
            }))
        })
    });
    g.finish();
}

fn bench(c: &mut Criterion) {
    arms(c, 1);
    arms(c, 3);
    arms(c, 1000);
}

criterion_group!(benches, bench);
criterion_main!(benches);
