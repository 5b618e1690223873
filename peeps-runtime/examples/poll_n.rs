//! The body of `benches/poll.rs`'s peeps arm without criterion, for
//! counting instructions: inside one peeps task, makes N instrumented
//! futures one at a time, each completing on poll `polls`, and polls each
//! to completion (`valgrind --tool=callgrind`, runs of two N: the
//! difference cancels the set-up). Usage: `poll_n <plain|peeps> <polls> <n>`.
//! docs/PERFORMANCE.md ("Short-lived futures") has the figures.

use std::future::Future;
use std::hint::black_box;
use std::pin::{Pin, pin};
use std::task::{Context, Poll, Waker};

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

/// In its one poll, makes `n` children with `make` and polls each to
/// completion with its own waker.
struct Parent<M> {
    n: u64,
    make: M,
}

impl<M, F> Future for Parent<M>
where
    M: FnMut() -> F + Unpin,
    F: Future<Output = ()>,
{
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        for _ in 0..self.n {
            let mut child = pin!((self.make)());
            while child.as_mut().poll(cx).is_pending() {}
        }
        Poll::Ready(())
    }
}

fn run<F: Future<Output = ()>>(fut: F) {
    let mut fut = pin!(fut);
    let mut cx = Context::from_waker(Waker::noop());
    while fut.as_mut().poll(&mut cx).is_pending() {}
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (side, polls, n) = match args.as_slice() {
        [_, side, polls, n] => (
            side.clone(),
            polls.parse::<u64>().expect("polls"),
            n.parse::<u64>().expect("n"),
        ),
        _ => {
            eprintln!("usage: poll_n <plain|peeps> <polls> <n>");
            std::process::exit(2);
        }
    };
    let pending = polls.max(1) - 1;
    let loc = concat!(file!(), ":", line!());
    if side == "peeps" {
        run(peeps_runtime::task::task_future(
            "poll_n".into(),
            std::panic::Location::caller(),
            Parent {
                n,
                make: || peeps_runtime::instrument("count", loc, CountDown(pending)),
            },
        ));
    } else {
        run(Parent {
            n,
            make: || CountDown(pending),
        });
    }
}
