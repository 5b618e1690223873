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
use std::future::Future;
use std::hint::black_box;
use std::pin::{Pin, pin};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

/// Pending `n` times, then ready: a future that needs `n + 1` polls.
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

/// The parent: in its one poll, makes `iters` children with `make` and
/// polls each to completion with the parent's own waker, timing that.
struct Parent<M> {
    iters: u64,
    make: M,
}

impl<M, F> Future for Parent<M>
where
    M: FnMut() -> F + Unpin,
    F: Future<Output = ()>,
{
    type Output = Duration;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Duration> {
        let start = Instant::now();
        for _ in 0..self.iters {
            let mut child = pin!((self.make)());
            while child.as_mut().poll(cx).is_pending() {}
        }
        Poll::Ready(start.elapsed())
    }
}

/// Polls `fut` once (it always completes in one poll) and returns its time.
fn run<F: Future<Output = Duration>>(fut: F) -> Duration {
    let mut fut = pin!(fut);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(d) = fut.as_mut().poll(&mut cx) {
            return d;
        }
    }
}

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
