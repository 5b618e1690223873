//! The body the poll bench times and `peeps-runtime/examples/poll_n.rs`
//! counts: a parent future that makes, polls to completion and drops one
//! child future per iteration (one file, included by both with `#[path]`).

use std::future::Future;
use std::hint::black_box;
use std::pin::{Pin, pin};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

/// Pending `n` times, then ready: a future that needs `n + 1` polls.
pub(crate) struct CountDown(pub(crate) u64);

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
pub(crate) struct Parent<M> {
    pub(crate) iters: u64,
    pub(crate) make: M,
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
pub(crate) fn run<F: Future<Output = Duration>>(fut: F) -> Duration {
    let mut fut = pin!(fut);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(d) = fut.as_mut().poll(&mut cx) {
            return d;
        }
    }
}
