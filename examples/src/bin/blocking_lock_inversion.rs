//! Deadlock: parking_lot mutexes locked in opposite order wedge every
//! runtime worker.
//!
//! The runtime has exactly two workers. `writer` locks `index` then
//! `journal`; `compactor` locks `journal` then `index` — blocking locks
//! (`peeps::sync::blocking::Mutex`), taken inside async fns without an
//! await in between. A `std::sync::Barrier` makes the bad interleaving
//! certain: both hold their first lock before either asks for its second.
//! Each blocked lock parks its worker thread, so nothing else in the
//! program runs any more; the SIGUSR1 dump still works (it runs on its own
//! thread), and so does the READY line.
//!
//! Expected: one `certain` deadlock of `writer` and `compactor` over the
//! blocking mutexes `index` and `journal`, and two blocking polls (one per
//! wedged worker), each parked on the mutex it waits for.

use examples::{park, ready_when, waited_on};
use peeps::graph::NodeKind;
use peeps::sync::blocking::Mutex;
use std::sync::{Arc, Barrier};

#[peeps::instrument]
async fn update(
    first: Arc<Mutex<Vec<u8>>>,
    second: Arc<Mutex<Vec<u8>>>,
    both_locked: Arc<Barrier>,
) {
    let mut a = first.lock();
    both_locked.wait();
    let mut b = second.lock();
    a.push(1);
    b.push(1);
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    peeps::install_sigusr1("blocking_lock_inversion");
    let index = Arc::new(Mutex::new(Vec::new()).named("index"));
    let journal = Arc::new(Mutex::new(Vec::new()).named("journal"));
    let both_locked = Arc::new(Barrier::new(2));
    peeps::spawn_named(
        "writer",
        update(index.clone(), journal.clone(), both_locked.clone()),
    );
    peeps::spawn_named("compactor", update(journal, index, both_locked));

    ready_when(|g| {
        waited_on(g, NodeKind::Mutex, "index") && waited_on(g, NodeKind::Mutex, "journal")
    });
    park().await
}
