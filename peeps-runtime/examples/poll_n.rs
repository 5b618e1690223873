//! The body of `benches/poll.rs`'s peeps arm without criterion, for
//! counting instructions: inside one peeps task, makes N instrumented
//! futures one at a time, each completing on poll `polls`, and polls each
//! to completion (`valgrind --tool=callgrind`, runs of two N: the
//! difference cancels the set-up). Usage: `poll_n <plain|peeps> <polls> <n>`.
//! docs/PERFORMANCE.md ("Short-lived futures") has the figures.

#[path = "../../benches/support/poll_body.rs"]
mod poll_body;
use poll_body::{CountDown, Parent, run};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (side, polls, n) = match args.as_slice() {
        [_, side, polls, n] if side == "plain" || side == "peeps" => (
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
                iters: n,
                make: || peeps_runtime::instrument("count", loc, CountDown(pending)),
            },
        ));
    } else {
        run(Parent {
            iters: n,
            make: || CountDown(pending),
        });
    }
}
