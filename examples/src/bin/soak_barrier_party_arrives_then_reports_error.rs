//! The fixed twin of `barrier_party_returns_early_on_error`: a shard that
//! fails to load still arrives at `shards-loaded` before it returns its
//! error, so the barrier always fills. `main` reloads the three shards
//! every 300 ms; shard 2 fails every time.
//!
//! Expected: in every dump, nothing false (no deadlock, nothing stuck
//! forever, no potential deadlock).

use examples::ready;
use peeps::sync::Barrier;
use std::sync::Arc;
use std::time::Duration;

async fn load_shard(id: usize, barrier: Arc<Barrier>) -> Result<usize, String> {
    tokio::time::sleep(Duration::from_millis(30 * id as u64 + 10)).await;
    let loaded = if id == 2 {
        Err(format!("shard {id}: checksum mismatch"))
    } else {
        Ok(1_000 * (id + 1))
    };
    barrier.wait().await;
    loaded
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_barrier_party_arrives_then_reports_error");
    for round in 0u64.. {
        let barrier = Arc::new(Barrier::new(3).named("shards-loaded"));
        let loaders: Vec<_> = (0..3)
            .map(|id| tokio::spawn(load_shard(id, barrier.clone())))
            .collect();
        for (id, loader) in loaders.into_iter().enumerate() {
            match loader.await.expect("the loader does not panic") {
                Ok(rows) => println!("shard {id}: {rows} rows"),
                Err(e) => println!("{e}"),
            }
        }
        if round == 2 {
            ready();
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}
