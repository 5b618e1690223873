//! The body of `benches/poll.rs`'s peeps arm without criterion, for
//! counting instructions: inside one peeps task, makes N instrumented
//! futures one at a time, each completing on poll `polls`, and polls each
//! to completion (`valgrind --tool=callgrind`, runs of two N: the
//! difference cancels the set-up). Usage:
//! `poll_n <plain|peeps> <polls> <n> [live]`.
//!
//! With `live`, that many more instrumented futures are made first, polled
//! once (so they register) and kept pending beside the measured ones for
//! the whole run: the registry then holds `live` nodes, as in a server with
//! many requests in flight. Prints the time per measured future (`ns per
//! future`), which with many live nodes is what the registry's cache misses
//! cost; run it alternately with the build it is compared against.
//! docs/PERFORMANCE.md ("Short-lived futures", "Memory") has the figures.

#[path = "../../benches/support/poll_body.rs"]
mod poll_body;
use poll_body::{CountDown, Parent, run};
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let parse = |s: &str, what: &str| s.parse::<u64>().expect(what);
    let (side, polls, n, live) = match args.as_slice() {
        [_, side, polls, n, rest @ ..]
            if (side == "plain" || side == "peeps") && rest.len() <= 1 =>
        {
            let live = rest.first().map_or(0, |l| parse(l, "live"));
            (side.clone(), parse(polls, "polls"), parse(n, "n"), live)
        }
        _ => {
            eprintln!("usage: poll_n <plain|peeps> <polls> <n> [live]");
            std::process::exit(2);
        }
    };
    let pending = polls.max(1) - 1;
    let loc = concat!(file!(), ":", line!());
    let elapsed = if side == "peeps" {
        run(peeps_runtime::task::task_future(
            "poll_n".into(),
            std::panic::Location::caller(),
            WithLive {
                live: (0..live)
                    .map(|_| {
                        Box::pin(peeps_runtime::instrument(
                            "live",
                            loc,
                            std::future::pending::<()>(),
                        ))
                    })
                    .collect(),
                body: Parent {
                    iters: n,
                    make: || peeps_runtime::instrument("count", loc, CountDown(pending)),
                },
            },
        ))
    } else {
        run(Parent {
            iters: n,
            make: || CountDown(pending),
        })
    };
    println!(
        "{side} poll{polls}, {live} live: {:.1} ns per future",
        elapsed.as_nanos() as f64 / n.max(1) as f64
    );
}

/// Polls each of the `live` futures once (they stay pending, registered,
/// until the end of the run), then runs `body` in the same poll, so the
/// measured futures register beside them.
struct WithLive<L, B> {
    live: Vec<Pin<Box<L>>>,
    body: B,
}

impl<L: Future, B: Future + Unpin> Future for WithLive<L, B> {
    type Output = B::Output;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<B::Output> {
        let this = &mut *self;
        for fut in &mut this.live {
            assert!(fut.as_mut().poll(cx).is_pending());
        }
        assert!(peeps_runtime::registry::live_count() >= this.live.len());
        Pin::new(&mut this.body).poll(cx)
    }
}
