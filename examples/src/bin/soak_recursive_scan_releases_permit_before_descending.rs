//! Healthy twin of `recursive_scan_holds_dir_permit_box_pin`: the
//! `scan` (async recursion through `Box::pin`) takes an `open-dirs`
//! permit (a peeps `Semaphore` of 2) only while it lists the directory
//! (a 40 ms sleep), collects the children, drops the permit, then
//! recurses. Three `crawler-N` peeps tasks scan 5-level trees over and
//! over, sharing the semaphore, so some scans always wait for a permit a
//! sibling crawler holds across its listing.
//!
//! Expected: in every dump, no deadlock, nothing stuck forever, no
//! potential deadlock.

use examples::{ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::Semaphore;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

fn scan(
    open_dirs: Arc<Semaphore>,
    path: String,
    depth: u32,
) -> Pin<Box<dyn Future<Output = u64> + Send>> {
    Box::pin(async move {
        let children = {
            let _dir = open_dirs.acquire().await.unwrap();
            tokio::time::sleep(Duration::from_millis(40)).await; // readdir
            if depth >= 5 {
                Vec::new()
            } else {
                vec![format!("{path}/a{depth}"), format!("{path}/b{depth}")]
            }
        };
        let mut files = 1;
        for child in children {
            files += scan(open_dirs.clone(), child, depth + 1).await;
        }
        files
    })
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_recursive_scan_releases_permit_before_descending");
    let open_dirs = Arc::new(Semaphore::new(2).named("open-dirs"));
    let mut crawlers = Vec::new();
    for c in 0..3 {
        let open_dirs = open_dirs.clone();
        crawlers.push(peeps::spawn_named(format!("crawler-{c}"), async move {
            let mut total = 0u64;
            loop {
                total += scan(open_dirs.clone(), format!("/srv/site{c}"), 0).await;
                if total == u64::MAX {
                    return total;
                }
            }
        }));
    }
    ready_when(|g| waited_on_for(g, NodeKind::Semaphore, "open-dirs", "acquire"));
    for c in crawlers {
        println!("{}", c.await.unwrap());
    }
}
