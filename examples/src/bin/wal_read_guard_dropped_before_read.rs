//! Healthy twin of `wal_read_guard_into_completion`: the fix of
//! tursodatabase/turso#3132 ("important not to hold shared lock beyond
//! this point"). The reader takes what the frame read needs (a handle
//! of the file) under a short read guard and lets it go before the read
//! begins; the completion's read of `shared-wal` holds nothing else.
//!
//! The `wal-reader` thread reads a frame every 5 ms (each file read takes
//! 15 ms); the `wal-writer` thread appends a frame every 10 ms under the
//! write guard of `shared-wal` (a `peeps::sync::blocking::RwLock`).
//!
//! Expected: no deadlock, nothing stuck forever, no potential deadlock.

use examples::{park, ready_when};
use peeps::sync::blocking::RwLock;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

struct WalFile {
    frames: peeps::sync::blocking::Mutex<Vec<Vec<u8>>>,
}

impl WalFile {
    /// A positioned read of the file.
    fn pread(&self, frame: usize) -> Vec<u8> {
        std::thread::sleep(Duration::from_millis(15));
        self.frames.lock().get(frame).cloned().unwrap_or_default()
    }
}

struct SharedWal {
    file: Arc<WalFile>,
    max_frame: usize,
}

fn begin_read_frame(file: &WalFile, frame: usize, complete: impl FnOnce(Vec<u8>)) {
    let buf = file.pread(frame);
    complete(buf);
}

fn read_frames(wal: Arc<RwLock<SharedWal>>, done: Arc<AtomicUsize>) {
    for frame in 0.. {
        let file = wal.read().file.clone();
        begin_read_frame(&file, frame, |buf| {
            // The completion checks the frame against the WAL's end.
            let max_frame = wal.read().max_frame;
            if frame > max_frame || buf.is_empty() {
                println!("frame {frame} past the end ({max_frame})");
            }
        });
        done.fetch_add(1, Ordering::Relaxed);
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn append_frames(wal: Arc<RwLock<SharedWal>>) {
    for n in 0u8.. {
        std::thread::sleep(Duration::from_millis(10));
        let mut shared = wal.write();
        shared.file.frames.lock().push(vec![n; 16]);
        shared.max_frame += 1;
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("wal_read_guard_dropped_before_read");
    let wal = Arc::new(
        RwLock::new(SharedWal {
            file: Arc::new(WalFile {
                frames: peeps::sync::blocking::Mutex::new(Vec::new()).named("wal-file"),
            }),
            max_frame: 0,
        })
        .named("shared-wal"),
    );
    let done = Arc::new(AtomicUsize::new(0));
    let writer_wal = wal.clone();
    std::thread::Builder::new()
        .name("wal-writer".into())
        .spawn(move || append_frames(writer_wal))
        .expect("spawn the writer");
    let reader_done = done.clone();
    std::thread::Builder::new()
        .name("wal-reader".into())
        .spawn(move || read_frames(wal, reader_done))
        .expect("spawn the reader");
    ready_when(move |_| done.load(Ordering::Relaxed) >= 10);
    park().await
}
