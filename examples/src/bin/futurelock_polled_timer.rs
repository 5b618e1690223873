//! Healthy control: a future pinned outside a `select!` loop whose every
//! iteration polls it again, next to a ticking timer.
//!
//! `holder` locks `inventory` and waits for `poller` to say it gives up
//! (`give-up`, a oneshot whose sender `poller` keeps). `poller` pins a
//! `discover` future (which locks `inventory`) and loops on a `select!` of
//! it against a ticker of 100 ms, counting ticks; after an hour of them it
//! tells `holder` to give up. Every iteration polls `discover` again, so
//! its wait is not abandoned; and the ticker's timer holds a clone of
//! `poller`'s waker that no instrumented wait accounts for. Without the
//! ticker the two tasks would be deadlocked (`poller` waits for the lock,
//! `holder` for the word only `poller` sends); with it, `poller` wakes
//! every tick and will give up.
//!
//! Expected: no deadlock, nothing stuck forever.

use examples::{park, ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::{Mutex, oneshot};
use std::sync::Arc;
use std::time::Duration;

type Inventory = Arc<Mutex<Vec<&'static str>>>;

/// How often `poller` ticks, and after how many ticks it gives up.
const TICK: Duration = Duration::from_millis(100);
const GIVE_UP_AFTER: u32 = 36_000;

/// How many hosts the inventory knows.
#[peeps::instrument]
async fn discover(inventory: Inventory) -> usize {
    inventory.lock().await.len()
}

#[peeps::instrument]
async fn hold(inventory: Inventory, locked: oneshot::Sender<()>, give_up: oneshot::Receiver<()>) {
    let _guard = inventory.lock().await;
    let _ = locked.send(());
    let _ = give_up.await;
}

#[peeps::instrument]
async fn poll_inventory(inventory: Inventory, give_up: oneshot::Sender<()>) {
    let mut give_up = Some(give_up);
    let discover = discover(inventory);
    tokio::pin!(discover);
    let mut ticker = tokio::time::interval(TICK);
    let mut ticks = 0;
    loop {
        tokio::select! {
            hosts = &mut discover => {
                println!("{hosts} hosts");
                break;
            }
            _ = ticker.tick() => {
                ticks += 1;
                if ticks == GIVE_UP_AFTER
                    && let Some(give_up) = give_up.take()
                {
                    let _ = give_up.send(());
                }
            }
        }
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("futurelock_polled_timer");
    let inventory: Inventory = Arc::new(Mutex::new(vec!["db-1"]).named("inventory"));
    let (locked, holder_locked) = oneshot::channel_named("locked");
    let (give_up, given_up) = oneshot::channel_named("give-up");
    peeps::spawn_named("holder", hold(inventory.clone(), locked, given_up));
    holder_locked.await.expect("the holder locks");
    peeps::spawn_named("poller", poll_inventory(inventory, give_up));

    ready_when(|g| {
        waited_on_for(g, NodeKind::Mutex, "inventory", "lock")
            && waited_on_for(g, NodeKind::Channel, "give-up", "recv")
    });
    park().await
}
