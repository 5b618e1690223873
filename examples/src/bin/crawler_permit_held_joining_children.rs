//! Deadlock: a recursive crawler limits concurrent fetches with a
//! `Semaphore`, but each page keeps its permit while it awaits the pages
//! it spawned for its links, and those need permits too (the recursive
//! fan-out under a global limit, as in the crawler examples every async
//! Rust course writes, and the sequelize/aiopg "nested acquire" reports).
//!
//! `fetch-slots` has 2 permits. `main` starts `crawl /a` and `crawl /b`;
//! each takes a permit, fetches its page (a short sleep), spawns a
//! `crawl <link>` task per link (`/a/1`, `/a/2`; `/b/1`, `/b/2`) with
//! `peeps::spawn_named`, and awaits their `JoinHandle`s in order, still
//! holding its permit. Every child waits for a permit.
//!
//! Expected: one `certain` deadlock of the two seeds and the two children
//! they join first: `crawl /a` joins `crawl /a/1`, `crawl /b` joins `crawl
//! /b/1`, and each of those waits on semaphore `fetch-slots`, whose
//! permits the two seeds hold; `crawl /a/2` and `crawl /b/2`, waiting for
//! a permit too, behind it.

use examples::{park, ready_when, waiters};
use peeps::graph::NodeKind;
use peeps::sync::Semaphore;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

fn links_of(url: &str, depth: u32) -> Vec<String> {
    if depth == 0 {
        return Vec::new();
    }
    (1..=2).map(|n| format!("{url}/{n}")).collect()
}

fn crawl(
    url: String,
    depth: u32,
    limit: Arc<Semaphore>,
) -> Pin<Box<dyn Future<Output = usize> + Send>> {
    Box::pin(async move {
        let _permit = limit.acquire().await.expect("never closed");
        // Fetch the page.
        tokio::time::sleep(Duration::from_millis(30)).await;
        let mut children = Vec::new();
        for link in links_of(&url, depth) {
            let task = format!("crawl {link}");
            children.push(peeps::spawn_named(
                task,
                crawl(link, depth - 1, limit.clone()),
            ));
        }
        let mut pages = 1;
        for child in children {
            pages += child.await.unwrap_or(0);
        }
        pages
    })
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("crawler_permit_held_joining_children");
    let limit = Arc::new(Semaphore::new(2).named("fetch-slots"));
    for seed in ["/a", "/b"] {
        peeps::spawn_named(
            format!("crawl {seed}"),
            crawl(seed.to_owned(), 1, limit.clone()),
        );
    }
    ready_when(|g| waiters(g, NodeKind::Semaphore, "fetch-slots") == 4);
    park().await
}
