//! What the thread sampler costs a poll-heavy program, in one run: the same
//! workload with the sampler off and at 99 Hz, and the cost of one sample.
//!
//! The workload: on a 2-worker tokio runtime, 4 peeps tasks each poll an
//! instrumented future that yields 2,500 times (10,000 task polls and as
//! many instrumented polls per iteration), so both workers are busy polling
//! the whole time and every sample interrupts a poll.
//!
//! `one_sample` times a SIGPROF sent by a thread to itself (tgkill, signal
//! delivery, the frame-pointer walk, the ring write, sigreturn): what each
//! sample costs the sampled thread. At 99 Hz a thread pays 99 of those a
//! second.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::time::Duration;

const TASKS: usize = 4;
const YIELDS: usize = 2_500;

async fn workload() {
    let loc = concat!(file!(), ":", line!(), ":9");
    let tasks: Vec<_> = (0..TASKS)
        .map(|_| {
            peeps_runtime::spawn_named(
                "yielder",
                peeps_runtime::instrument("yields", loc, async {
                    for _ in 0..YIELDS {
                        tokio::task::yield_now().await;
                    }
                }),
            )
        })
        .collect();
    for t in tasks {
        t.await.expect("the task finishes");
    }
}

fn samples_seen() -> u64 {
    peeps_runtime::snapshot()
        .threads
        .iter()
        .filter_map(|t| t.attrs.get(peeps_graph::attr::SAMPLES)?.as_u64())
        .sum()
}

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    let mut g = c.benchmark_group("sampler");
    g.throughput(Throughput::Elements((TASKS * YIELDS) as u64));
    g.measurement_time(Duration::from_secs(5))
        .warm_up_time(Duration::from_secs(1));

    peeps_runtime::sampler::stop();
    g.bench_function("off", |b| b.iter(|| rt.block_on(workload())));

    peeps_runtime::sampler::start(99);
    g.bench_function("on_99hz", |b| b.iter(|| rt.block_on(workload())));
    // The sampler really ran during that arm (stderr, not asserted on time).
    eprintln!("sampler: {} recent samples of the workers", samples_seen());
    peeps_runtime::sampler::stop();

    g.throughput(Throughput::Elements(1));
    g.bench_function("one_sample", |b| {
        // This thread gets a slot by polling a top-level instrumented future.
        let local = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("a runtime");
        local.block_on(peeps_runtime::instrument(
            "register",
            "benches/sampler.rs",
            async {},
        ));
        // SAFETY: getpid(2) and gettid(2) cannot fail; tgkill(2) to this
        // very thread, whose SIGPROF handler start() installed.
        let (pid, tid) = unsafe { (libc::getpid(), libc::gettid()) };
        b.iter(|| {
            // SAFETY: as above.
            unsafe { libc::syscall(libc::SYS_tgkill, pid, tid, libc::SIGPROF) }
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
