//! Healthy, under steady load, on a current-thread runtime (as
//! `soak_owned_frame_guards_sent_in_jobs_to_gpu_worker_plain`): owned lock guards that travel inside
//! channel messages. Two frame buffers, each an `Arc<Mutex<Frame>>`
//! named `frame`. Four plain renderers loop: take a frame with
//! `lock_owned()`, draw into it (a 3 ms sleep), and send the owned guard
//! inside a `Job` into `gpu-jobs` (a bounded `mpsc` of 2), fire and
//! forget; the next frame they lock may be one whose guard they sent
//! themselves a moment ago, still unread in `gpu-jobs` or with the GPU. A
//! plain GPU worker receives each job, "renders" it for 12 ms, and drops
//! the guard. A plain compositor locks each frame every 60 ms for 2 ms.
//!
//! Renderers wait on `frame`, its guard held inside a message of
//! `gpu-jobs` (read by the GPU worker, on a timer) or by the GPU worker,
//! and to send on a full `gpu-jobs`.
//!
//! Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock.

use examples::{park, ready_when, waited_on};
use peeps::graph::NodeKind;
use peeps::sync::{Mutex, OwnedMutexGuard, mpsc};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

struct Frame {
    pixels: Vec<u8>,
    presented: u64,
}

struct Job {
    frame: OwnedMutexGuard<Frame>,
    renderer: u64,
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    peeps::install_sigusr1("soak_owned_frame_guards_sent_in_jobs_current_thread_plain");
    let frames: Vec<Arc<Mutex<Frame>>> = (0..2)
        .map(|_| {
            Arc::new(
                Mutex::new(Frame {
                    pixels: vec![0; 64],
                    presented: 0,
                })
                .named("frame"),
            )
        })
        .collect();
    let (jobs, mut gpu) = mpsc::channel::<Job>(2);
    let jobs = jobs.named("gpu-jobs");
    let rendered = Arc::new(AtomicU64::new(0));
    {
        let rendered = rendered.clone();
        tokio::spawn(async move {
            while let Some(mut job) = gpu.recv().await {
                tokio::time::sleep(Duration::from_millis(12)).await;
                job.frame.presented += 1;
                std::hint::black_box(job.renderer);
                drop(job);
                rendered.fetch_add(1, Ordering::Relaxed);
            }
        });
    }
    for r in 0..4u64 {
        let frames = frames.clone();
        let jobs = jobs.clone();
        tokio::spawn(async move {
            for n in 0u64.. {
                let mut frame = frames[((n + r) % 2) as usize].clone().lock_owned().await;
                tokio::time::sleep(Duration::from_millis(3)).await;
                let at = ((n * 7 + r) % 64) as usize;
                frame.pixels[at] = frame.pixels[at].wrapping_add(1);
                if jobs.send(Job { frame, renderer: r }).await.is_err() {
                    return;
                }
            }
        });
    }
    drop(jobs);
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_millis(60)).await;
            for f in &frames {
                let f = f.lock().await;
                tokio::time::sleep(Duration::from_millis(2)).await;
                std::hint::black_box(f.presented);
            }
        }
    });
    ready_when(move |g| {
        rendered.load(Ordering::Relaxed) >= 30 && waited_on(g, NodeKind::Mutex, "frame")
    });
    park().await
}
