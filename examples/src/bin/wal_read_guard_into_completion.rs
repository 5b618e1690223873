//! Deadlock: a thread keeps its read guard of the shared WAL while the
//! frame read it started completes, and the completion takes a read of
//! the same lock again; a writer on another thread queued in between
//! (tursodatabase/turso#3132, "Fix SharedWalFile deadlock in
//! multithreaded context": "thread 1: takes readlock here, passes
//! reference to shared.file to begin_read_wal_frame; thread 2: tries to
//! acquire write lock elsewhere; thread 1: tries to re-acquire read lock
//! in the completion"; parking_lot's `RwLock` is task-fair, so the
//! second read waits behind the writer, which waits for the first).
//!
//! `shared-wal` is a `peeps::sync::blocking::RwLock` (parking_lot). The
//! `wal-reader` thread reads frames: under a read guard it hands
//! `&shared.file` to `begin_read_frame`, whose completion runs on the
//! same thread and reads `shared-wal` to check the frame against the
//! WAL's end. The `wal-writer` thread appends frames, each under the
//! write guard. (The file read returns once the writer's next append is
//! queued: the moment the race in the report needed.)
//!
//! Expected: one `certain` deadlock of `thread wal-reader` (its second
//! read of `shared-wal` waits behind the queued writer, its first read
//! held) and `thread wal-writer` (its write waits for `wal-reader`'s read).

use examples::{park, ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::blocking::RwLock;
use std::sync::Arc;
use std::time::Duration;

struct WalFile {
    frames: Vec<Vec<u8>>,
}

impl WalFile {
    /// A positioned read of the file: returns once the writer's next
    /// append is queued on `shared-wal`.
    fn pread(&self, frame: usize) -> Vec<u8> {
        while !waited_on_for(&peeps::snapshot(), NodeKind::Rwlock, "shared-wal", "write") {
            std::thread::sleep(Duration::from_millis(5));
        }
        // The writer is between its edge and its park: let it park.
        std::thread::sleep(Duration::from_millis(100));
        self.frames.get(frame).cloned().unwrap_or_default()
    }
}

struct SharedWal {
    file: WalFile,
    max_frame: usize,
}

fn begin_read_frame(file: &WalFile, frame: usize, complete: impl FnOnce(Vec<u8>)) {
    let buf = file.pread(frame);
    complete(buf);
}

fn read_frames(wal: Arc<RwLock<SharedWal>>) {
    for frame in 0.. {
        let shared = wal.read();
        begin_read_frame(&shared.file, frame, |buf| {
            // The completion checks the frame against the WAL's end.
            let max_frame = wal.read().max_frame;
            if frame > max_frame || buf.is_empty() {
                println!("frame {frame} past the end ({max_frame})");
            }
        });
    }
}

fn append_frames(wal: Arc<RwLock<SharedWal>>) {
    for n in 0u8.. {
        std::thread::sleep(Duration::from_millis(10));
        let mut shared = wal.write();
        shared.file.frames.push(vec![n; 16]);
        shared.max_frame += 1;
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("wal_read_guard_into_completion");
    let wal = Arc::new(
        RwLock::new(SharedWal {
            file: WalFile { frames: Vec::new() },
            max_frame: 0,
        })
        .named("shared-wal"),
    );
    let writer_wal = wal.clone();
    std::thread::Builder::new()
        .name("wal-writer".into())
        .spawn(move || append_frames(writer_wal))
        .expect("spawn the writer");
    std::thread::Builder::new()
        .name("wal-reader".into())
        .spawn(move || read_frames(wal))
        .expect("spawn the reader");
    ready_when(|g| {
        waited_on_for(g, NodeKind::Rwlock, "shared-wal", "write")
            && waited_on_for(g, NodeKind::Rwlock, "shared-wal", "read")
    });
    park().await
}
