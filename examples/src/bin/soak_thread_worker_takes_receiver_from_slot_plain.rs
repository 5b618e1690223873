//! Healthy, idle after a burst: an image resizer run on a `std::thread`
//! that takes the job queue's receiver out of a
//! `blocking::Mutex<Option<mpsc::Receiver>>` (`jobs-rx-slot`) of the app
//! state, and puts it back when it recycles itself every 25 jobs (to give
//! its scratch memory back); a `resizer-manager` (`peeps::spawn_named`)
//! starts the next thread once the last one says it has exited. Handlers
//! are plain `tokio::spawn`.
//!
//! Handlers send a `Resize` with a `resize-reply` oneshot on `resize-jobs`
//! (capacity 8; the sender is a field of the `Arc<AppState>`) and await
//! the reply. The thread `blocking_recv`s jobs and answers; after 25 it
//! puts the receiver back in the slot, sends on its `resizer-exited`
//! oneshot and ends. The manager awaits that oneshot and spawns the next
//! thread, which takes the receiver again. After 30 jobs each the
//! handlers sleep 10 minutes: the fifth thread waits in `blocking_recv`.
//!
//! Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock.

use examples::{park, ready_when};
use peeps::sync::{blocking, mpsc, oneshot};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

struct Resize {
    width: u32,
    reply: oneshot::Sender<u64>,
}

struct AppState {
    jobs: mpsc::Sender<Resize>,
    jobs_rx: blocking::Mutex<Option<mpsc::Receiver<Resize>>>,
}

fn resizer(state: Arc<AppState>, exited: oneshot::Sender<()>) {
    let mut jobs = state
        .jobs_rx
        .lock()
        .take()
        .expect("the last resizer put the receiver back");
    let mut scratch: Vec<u8> = Vec::new();
    for _ in 0..25 {
        let Some(Resize { width, reply }) = jobs.blocking_recv() else {
            break;
        };
        scratch.resize(width as usize * 64, 0);
        let _ = reply.send(scratch.iter().map(|b| u64::from(*b)).sum::<u64>() + width as u64);
    }
    *state.jobs_rx.lock() = Some(jobs);
    let _ = exited.send(());
}

async fn resizer_manager(state: Arc<AppState>, threads: Arc<AtomicU64>) {
    loop {
        let (exited_tx, exited) = oneshot::channel_named("resizer-exited");
        let state = state.clone();
        std::thread::Builder::new()
            .name("resizer".into())
            .spawn(move || resizer(state, exited_tx))
            .expect("spawn the resizer");
        threads.fetch_add(1, Ordering::Relaxed);
        if exited.await.is_err() {
            // The thread panicked with the receiver: nothing left to run.
            return;
        }
    }
}

async fn handler(id: u32, state: Arc<AppState>, resized: Arc<AtomicU64>) {
    loop {
        for n in 0..30 {
            let (reply, answer) = oneshot::channel_named("resize-reply");
            let job = Resize {
                width: 100 + id * 10 + n,
                reply,
            };
            if state.jobs.send(job).await.is_ok() && answer.await.is_ok() {
                resized.fetch_add(1, Ordering::Relaxed);
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        tokio::time::sleep(Duration::from_secs(600)).await;
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_thread_worker_takes_receiver_from_slot_plain");
    let (jobs, jobs_rx) = mpsc::channel_named("resize-jobs", 8);
    let state = Arc::new(AppState {
        jobs,
        jobs_rx: blocking::Mutex::new(Some(jobs_rx)).named("jobs-rx-slot"),
    });
    let threads = Arc::new(AtomicU64::new(0));
    let resized = Arc::new(AtomicU64::new(0));
    peeps::spawn_named(
        "resizer-manager",
        resizer_manager(state.clone(), threads.clone()),
    );
    for id in 0..4 {
        tokio::spawn(handler(id, state.clone(), resized.clone()));
    }
    ready_when(move |_| {
        threads.load(Ordering::Relaxed) >= 5 && resized.load(Ordering::Relaxed) >= 120
    });
    park().await
}
