//! Healthy, under steady load: document renders on `spawn_blocking`
//! under a blocking font cache, awaited by async handlers holding their
//! document's async mutex. Plain `tokio::spawn`, no peeps annotation.
//!
//! Each of eight documents is an `Arc<peeps::sync::Mutex<Doc>>`. A
//! handler locks its document, renders it in `spawn_blocking` (the
//! closure locks `fonts`, a `peeps::sync::blocking::Mutex`, for 3 ms of
//! glyph work) and awaits the `JoinHandle` with the document locked, then
//! records the render under `stats` (a `blocking::RwLock`, written
//! briefly). A font refresher `std::thread` holds `fonts` 80 ms every
//! 300 ms (reloading a font directory); a reporter task reads `stats`
//! every 100 ms. Ten handlers pick random documents.
//!
//! Order: a document, then `stats`; `fonts` alone (on blocking threads).
//! Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock.

use examples::{park, ready_when};
use peeps::sync::Mutex;
use peeps::sync::blocking;
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

struct Doc {
    text: String,
    rendered: u64,
}

#[derive(Default)]
struct Fonts {
    glyphs: HashMap<char, u32>,
    generation: u64,
}

fn render(text: &str, fonts: &blocking::Mutex<Fonts>) -> u64 {
    let mut fonts = fonts.lock();
    let mut width = 0u64;
    for c in text.chars() {
        let next = fonts.glyphs.len() as u32;
        width += u64::from(*fonts.glyphs.entry(c).or_insert(next) % 7 + 1);
    }
    std::thread::sleep(Duration::from_millis(3));
    width + fonts.generation
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_render_spawn_blocking_font_cache_plain");
    let fonts = Arc::new(blocking::Mutex::new(Fonts::default()));
    let stats = Arc::new(blocking::RwLock::new(HashMap::<usize, u64>::new()));
    let docs: Vec<Arc<Mutex<Doc>>> = (0..8)
        .map(|i| {
            Arc::new(Mutex::new(Doc {
                text: format!("document number {i} with some text"),
                rendered: 0,
            }))
        })
        .collect();
    {
        let fonts = fonts.clone();
        std::thread::spawn(move || {
            loop {
                std::thread::sleep(Duration::from_millis(300));
                let mut fonts = fonts.lock();
                std::thread::sleep(Duration::from_millis(80));
                fonts.generation += 1;
            }
        });
    }
    let renders = Arc::new(AtomicU64::new(0));
    for h in 0..10u64 {
        let docs = docs.clone();
        let fonts = fonts.clone();
        let stats = stats.clone();
        let renders = renders.clone();
        tokio::spawn(async move {
            let mut x = h * 2654435761 + 7;
            loop {
                x = x
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                let i = ((x >> 33) % docs.len() as u64) as usize;
                let mut doc = docs[i].lock().await;
                let text = doc.text.clone();
                let fonts = fonts.clone();
                let width = tokio::task::spawn_blocking(move || render(&text, &fonts))
                    .await
                    .expect("render");
                doc.rendered += 1;
                *stats.write().entry(i).or_default() += width;
                drop(doc);
                renders.fetch_add(1, Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        });
    }
    {
        let stats = stats.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_millis(100)).await;
                let total: u64 = stats.read().values().sum();
                std::hint::black_box(total);
            }
        });
    }
    ready_when(move |_| renders.load(Ordering::Relaxed) >= 100);
    park().await
}
