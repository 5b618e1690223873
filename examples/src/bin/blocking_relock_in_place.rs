//! Deadlock of one task, from a production report (an agent replying to a
//! channel it owns): a task holding a tokio mutex calls a synchronous
//! helper that takes the same mutex with `block_in_place(||
//! lock.blocking_lock())`.
//!
//! `agent` locks `agent-msg` for its turn, then `append` (synchronous,
//! deep in a call chain) takes `agent-msg` again, blocking its worker
//! thread: `block_in_place` does not release the guard the task holds, and
//! the task cannot drop it while its poll is parked in the blocking call.
//!
//! Expected: one certain deadlock of `agent` over mutex `agent-msg`, its
//! poll parked on the blocking lock (also a blocking poll).

use examples::{park, ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::Mutex;
use std::sync::Arc;

/// Appends a message to the session: synchronous, called deep inside a turn.
fn append(lock: &Mutex<()>) {
    let _session = tokio::task::block_in_place(|| lock.blocking_lock());
}

#[peeps::instrument]
async fn send_message(lock: Arc<Mutex<()>>) {
    let _turn = lock.lock().await;
    append(&lock);
}

fn main() {
    peeps::install_sigusr1("blocking_relock_in_place");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    rt.block_on(async {
        let lock = Arc::new(Mutex::new(()).named("agent-msg"));
        peeps::spawn_named("agent", send_message(lock));
        ready_when(|g| waited_on_for(g, NodeKind::Mutex, "agent-msg", "lock"));
        park().await
    });
}
