//! HANG (the shape of lychee PR #489, "Recursion V3: using semaphores ...
//! It's still locking"): a crawler limits open directories with a peeps
//! `Semaphore` of 3 permits ("open-dirs"). `scan(dir)` is async recursion
//! through `Box::pin`: it takes a permit, lists the directory (a short
//! sleep), and keeps the permit (the open `ReadDir`) while it recurses
//! into each subdirectory. The tree is 5 levels deep: the 4th nested
//! `scan` waits for a permit its own ancestors hold.
//!
//! Expected: a deadlock of the one `crawler` task with itself (its
//! `open-dirs` permits held by its own futures); `main` behind.

use examples::{ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::Semaphore;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

fn list(path: &str, depth: u32) -> Vec<String> {
    if depth >= 5 {
        Vec::new()
    } else {
        vec![format!("{path}/d{depth}")]
    }
}

fn scan(
    open_dirs: Arc<Semaphore>,
    path: String,
    depth: u32,
) -> Pin<Box<dyn Future<Output = u64> + Send>> {
    Box::pin(async move {
        let _dir = open_dirs.acquire().await.unwrap(); // the open ReadDir
        tokio::time::sleep(Duration::from_millis(5)).await; // readdir
        let mut files = 1;
        for child in list(&path, depth) {
            files += scan(open_dirs.clone(), child, depth + 1).await;
        }
        files
    })
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("recursive_scan_holds_dir_permit_box_pin");
    let open_dirs = Arc::new(Semaphore::new(3).named("open-dirs"));
    let crawler = peeps::spawn_named("crawler", scan(open_dirs, "/srv/site".into(), 0));
    ready_when(|g| waited_on_for(g, NodeKind::Semaphore, "open-dirs", "acquire"));
    println!("{}", crawler.await.unwrap());
}
