//! Healthy, under steady load: a phased simulation. Four workers (two
//! `peeps::spawn_named`, two plain `tokio::spawn`) compute a step
//! (50-450 ms; some take the shared `grid` mutex to write their band),
//! then wait at `step-barrier` (a `peeps::sync::Barrier` of 4); the
//! leader of each step publishes the step number on `step` (a `watch`)
//! and an `observer` (`peeps::spawn_named`) renders each step while
//! holding `grid` for 300 ms. Multi-thread runtime.
//!
//! At any instant, some workers wait at the barrier for ones still
//! computing or waiting for `grid`. Expected, in every dump: no deadlock,
//! nothing stuck forever, no potential deadlock.

use examples::{ready_when, waited_on};
use peeps::graph::NodeKind;
use peeps::sync::{Barrier, Mutex, watch};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

async fn simulate(
    band: u64,
    barrier: Arc<Barrier>,
    grid: Arc<Mutex<Vec<u64>>>,
    step_tx: Arc<watch::Sender<u64>>,
    steps: Arc<AtomicU64>,
) {
    for step in 0u64.. {
        tokio::time::sleep(Duration::from_millis(50 + (step * 131 + band * 97) % 400)).await;
        if (step + band).is_multiple_of(2) {
            let mut g = grid.lock().await;
            g[band as usize] = step;
        }
        if barrier.wait().await.is_leader() {
            step_tx.send_replace(step);
            steps.fetch_add(1, Ordering::Relaxed);
        }
    }
}

#[peeps::instrument]
async fn observe(mut step: watch::Receiver<u64>, grid: Arc<Mutex<Vec<u64>>>) {
    while step.changed().await.is_ok() {
        let s = *step.borrow_and_update();
        let g = grid.lock().await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        std::hint::black_box((s, g.iter().sum::<u64>()));
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_barrier_phased_workers");
    let barrier = Arc::new(Barrier::new(4).named("step-barrier"));
    let grid = Arc::new(Mutex::new(vec![0u64; 4]).named("grid"));
    let (step_tx, step_rx) = watch::channel_named("step", 0u64);
    let step_tx = Arc::new(step_tx);
    let steps = Arc::new(AtomicU64::new(0));
    peeps::spawn_named("observer", observe(step_rx, grid.clone()));
    for band in 0..2 {
        peeps::spawn_named(
            format!("band-{band}"),
            simulate(
                band,
                barrier.clone(),
                grid.clone(),
                step_tx.clone(),
                steps.clone(),
            ),
        );
    }
    for band in 2..4 {
        tokio::spawn(simulate(
            band,
            barrier.clone(),
            grid.clone(),
            step_tx.clone(),
            steps.clone(),
        ));
    }
    ready_when(move |g| {
        steps.load(Ordering::Relaxed) >= 3 && waited_on(g, NodeKind::Notify, "step-barrier")
    });
    examples::park().await
}
