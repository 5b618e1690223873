//! Healthy control: the only owned permit of `gpu` logged, then moved into
//! a `std::thread::spawn` closure that runs a long job and drops it; the
//! scheduler (`peeps::spawn_named`, its body instrumented) acquires again
//! in the same scope.
//!
//! Expected: no deadlock, nothing stuck forever: the permit is with the
//! thread, which will drop it. peeps does not follow it there; the bytes
//! it was moved out of must not pin it on the scheduler.

use examples::{park, ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::Semaphore;
use std::sync::Arc;
use std::time::Duration;

#[peeps::instrument]
async fn schedule(gpu: Arc<Semaphore>) {
    let permit = gpu.clone().acquire_owned().await.expect("never closed");
    println!("job 1 with {} gpu", permit.num_permits());
    std::thread::spawn(move || {
        std::thread::sleep(Duration::from_secs(3600));
        drop(permit);
    });
    let next = gpu.clone().acquire_owned().await.expect("never closed");
    println!("job 2 with {} gpu", next.num_permits());
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("permit_into_std_thread_reacquire");
    let gpu = Arc::new(Semaphore::new(1).named("gpu"));
    peeps::spawn_named("scheduler", schedule(gpu));
    ready_when(|g| waited_on_for(g, NodeKind::Semaphore, "gpu", "acquire"));
    park().await
}
