//! Per-poll cost of an instrumented future, in one run: plain, peeps with
//! diagnostics on, peeps with diagnostics off (the no-op twin the facade
//! uses without the feature), and await-tree's `instrument_await`.
//!
//! Each iteration polls one future `POLLS` times from inside a parent (a
//! peeps task frame, or an await-tree root), the way a future inside a task
//! is polled; the first poll (registration) is amortised over the rest.

use await_tree::InstrumentAwait;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::future::Future;
use std::hint::black_box;
use std::pin::{Pin, pin};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

const POLLS: u64 = 1000;

/// Pending `n` times, then ready: stands for a future woken many times.
struct CountDown(u64);

impl Future for CountDown {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<()> {
        if black_box(self.0) == 0 {
            Poll::Ready(())
        } else {
            self.0 -= 1;
            Poll::Pending
        }
    }
}

/// Polls its child to completion inside its own single poll, so every
/// child poll happens within the parent's context.
struct Driver<F>(F);

impl<F: Future> Future for Driver<F> {
    type Output = ();
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        // SAFETY: the child is never moved out of the pinned driver.
        let mut child = unsafe { self.map_unchecked_mut(|d| &mut d.0) };
        while child.as_mut().poll(cx).is_pending() {}
        Poll::Ready(())
    }
}

fn run<F: Future>(fut: F) {
    let mut fut = pin!(fut);
    let mut cx = Context::from_waker(Waker::noop());
    while fut.as_mut().poll(&mut cx).is_pending() {}
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("poll");
    g.throughput(Throughput::Elements(POLLS));
    g.measurement_time(Duration::from_secs(3))
        .warm_up_time(Duration::from_millis(500));

    g.bench_function("plain", |b| b.iter(|| run(Driver(CountDown(POLLS)))));

    let loc = concat!(file!(), ":", line!());
    g.bench_function("peeps_on", |b| {
        // Inside a peeps task the frame names the task: enter one as a task poll does.
        let _task =
            peeps_runtime::__private::context::enter(peeps_runtime::__private::context::Frame {
                node: 1,
                task: 1,
                tracked: true,
            });
        b.iter(|| {
            run(Driver(peeps_runtime::instrument(
                "count",
                loc,
                CountDown(POLLS),
            )))
        })
    });

    g.bench_function("peeps_off", |b| {
        b.iter(|| {
            run(Driver(peeps_runtime::off::future::instrument(
                "count",
                loc,
                CountDown(POLLS),
            )))
        })
    });

    let registry = await_tree::Registry::new(await_tree::Config::default());
    g.bench_function("await_tree", |b| {
        b.iter(|| {
            run(registry
                .register((), "root")
                .instrument(Driver(CountDown(POLLS).instrument_await("count"))))
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
