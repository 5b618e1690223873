//! Issue 19: memory per live instrumented future and per peeps task, as
//! counted by a global allocator (heap bytes still allocated) plus the
//! bytes the wrapper adds inline to the future. Prints the figures
//! (`cargo test --release --test memory -- --nocapture`) that
//! docs/PERFORMANCE.md quotes; asserts only loose ceilings.
#![cfg(feature = "diagnostics")]

use std::alloc::{GlobalAlloc, Layout, System};
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicIsize, Ordering::Relaxed};
use std::task::{Context, Poll, Waker};

struct Counting;

static LIVE: AtomicIsize = AtomicIsize::new(0);

// SAFETY: forwards to the system allocator, counting bytes.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size() as isize, Relaxed);
        // SAFETY: same contract.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size() as isize, Relaxed);
        // SAFETY: same contract.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new: usize) -> *mut u8 {
        LIVE.fetch_add(new as isize - layout.size() as isize, Relaxed);
        // SAFETY: same contract.
        unsafe { System.realloc(ptr, layout, new) }
    }
}

#[global_allocator]
static A: Counting = Counting;

const N: usize = 100_000;

static POLLED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

fn poll_once<F: Future>(f: Pin<&mut F>) -> Poll<F::Output> {
    f.poll(&mut Context::from_waker(Waker::noop()))
}

/// Heap bytes per future that the polled, pending futures made by `make`
/// hold (their boxes excluded).
fn heap_per_future<F: Future>(make: impl Fn() -> F) -> f64 {
    let mut futs: Vec<Pin<Box<F>>> = (0..N).map(|_| Box::pin(make())).collect();
    let before = LIVE.load(Relaxed);
    for f in &mut futs {
        assert!(poll_once(f.as_mut()).is_pending());
    }
    let after = LIVE.load(Relaxed);
    drop(futs);
    (after - before) as f64 / N as f64
}

#[test]
fn memory_per_live_future_and_per_task() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    // Futures polled inside a peeps task (their parent is the task).
    let (future_heap, inline) = rt.block_on(async {
        peeps::spawn_named("memory", async {
            // Warm up the registry's shards and the thread's records.
            heap_per_future(|| peeps::peeps!("mem", std::future::pending::<()>()));
            let heap = heap_per_future(|| peeps::peeps!("mem", std::future::pending::<()>()));
            let inline = size_of::<peeps_runtime::Instrumented<std::future::Pending<()>>>()
                - size_of::<std::future::Pending<()>>();
            (heap, inline)
        })
        .await
        .unwrap()
    });
    // Tasks: N pending tasks spawned through peeps, against tokio's own
    // (each polled once; the vectors of handles are made beforehand).
    let task_bytes = |peeps: bool| -> f64 {
        rt.block_on(async {
            POLLED.store(0, Relaxed);
            let mut ours = Vec::with_capacity(N);
            let mut theirs = Vec::with_capacity(N);
            let before = LIVE.load(Relaxed);
            for _ in 0..N {
                let fut = async {
                    POLLED.fetch_add(1, Relaxed);
                    std::future::pending::<()>().await
                };
                if peeps {
                    ours.push(peeps::spawn_named("mem-task", fut));
                } else {
                    theirs.push(tokio::spawn(fut));
                }
            }
            while POLLED.load(Relaxed) < N {
                tokio::task::yield_now().await;
            }
            let after = LIVE.load(Relaxed);
            ours.iter().for_each(|h| h.abort());
            theirs.iter().for_each(|h| h.abort());
            (after - before) as f64 / N as f64
        })
    };
    let tokio_task = task_bytes(false);
    let peeps_task = task_bytes(true);
    println!(
        "live instrumented future: {future_heap:.1} B heap + {inline} B inline = {:.1} B",
        future_heap + inline as f64
    );
    println!(
        "peeps task: {peeps_task:.1} B heap (tokio's own task: {tokio_task:.1} B; peeps adds {:.1} B)",
        peeps_task - tokio_task
    );
    assert!(future_heap + (inline as f64) < 1024.0);
}
