//! Healthy: a `prober` peeps task runs a real child process
//! (`sleep 0.3`) through `tokio::process::Command`, awaits its exit, and
//! sends the result to a `reporter` task over `probes`, forever. `main`
//! awaits the reporter's `JoinHandle`. Between exits every task waits on a
//! peeps primitive but the prober, which waits on its child.
//!
//! Expected: in every dump, no deadlock, nothing stuck forever.

use examples::{ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::mpsc;

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_child_process_probe_loop_sends");
    let (tx, mut rx) = mpsc::channel_named::<bool>("probes", 16);
    peeps::spawn_named("prober", async move {
        loop {
            let ok = tokio::process::Command::new("sleep")
                .arg("0.3")
                .status()
                .await
                .map(|s| s.success())
                .unwrap_or(false);
            if tx.send(ok).await.is_err() {
                break;
            }
        }
    });
    let reporter = peeps::spawn_named("reporter", async move {
        let mut n = 0u64;
        while let Some(ok) = rx.recv().await {
            n += u64::from(ok);
        }
        n
    });
    ready_when(|g| {
        examples::attr(g, NodeKind::Channel, "probes", "received").is_some_and(|n| n >= 2)
            && waited_on_for(g, NodeKind::Channel, "probes", "recv")
    });
    println!("{}", reporter.await.unwrap());
}
