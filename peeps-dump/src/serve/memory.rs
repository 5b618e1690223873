//! The server's memory budget (`--max-memory`) and how it is counted.
//!
//! The server cannot ask the allocator what a snapshot costs, so it counts:
//! every snapshot it holds (a process's latest, a dump) counts for
//! [`HELD_PER_RAW_BYTE`] times the size of its JSON — the JSON itself, its
//! parsed form and its share of the merged view — and the recording
//! ([`super::record`]) counts its JSON. The load test
//! (`peeps-dump/examples/load.rs`, docs/PERFORMANCE.md) measures the real
//! resident size against this count. What gives way when the count passes
//! the budget is the store's business ([`super::store`]).

/// The default of `--max-memory`: 4 GiB, room for 300 processes of 2,000
/// nodes pushing every second (3.4 GiB resident at most in the load test).
pub(crate) const DEFAULT_MAX_MEMORY: usize = 4 << 30;

/// What one byte of a held snapshot's JSON counts for, as measured by the
/// load test (300 processes × 2,000 nodes, 447 KiB of JSON each: at most
/// 3.4 GiB resident, of which 0.25 GiB recording, for 131 MiB of JSON
/// held: about 24), with a margin. By estimate of the parts: the JSON (1),
/// its parsed form (about 7: every node's and edge's attributes are a map
/// of their own), the snapshots of the view still served while the next
/// one is built (about 8 more), and the view's own tables, the frames
/// being read and the allocator's slack.
pub(crate) const HELD_PER_RAW_BYTE: usize = 26;

/// The budget of one server.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Budget {
    max_bytes: usize,
}

impl Budget {
    /// A budget of `max_bytes`.
    pub(crate) fn new(max_bytes: usize) -> Budget {
        Budget { max_bytes }
    }

    /// The budget, in bytes.
    pub(crate) fn max_bytes(&self) -> usize {
        self.max_bytes
    }
}

/// This process's resident set size in bytes, from `VmRSS` in
/// `/proc/self/status` (`None` where there is no such file).
pub(crate) fn rss_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kib: u64 = line
        .trim_start_matches("VmRSS:")
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(kib * 1024)
}

/// Keeps glibc's malloc to four arenas. By default it gives threads that
/// allocate at once arenas of their own (up to 8 per core); snapshots are
/// parsed and analysed on many threads, and the memory they free stays
/// spread over those arenas: the load test measured 2.4 GB resident with
/// the default and 1.25 GB with two arenas, for the same 100 processes of
/// 2,000 nodes. Two arenas made the threads wait on each other (300
/// processes: 200 snapshots a second taken of 300 pushed, malloc and free
/// a third of the time); four take all 300 in the same memory.
/// Elsewhere (another libc) it does nothing.
pub(crate) fn limit_malloc_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets a tunable of the allocator; it is called
    // before the runtime's threads start, and any value is valid.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 4);
    }
}
