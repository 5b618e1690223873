//! A per-thread ring of stack samples: written by the SIGPROF handler on
//! its own thread, read by snapshots on any thread.
//!
//! One writer per ring (the owner's signal handler; SIGPROF is blocked while
//! its handler runs, so handlers never nest on a thread), any number of
//! readers. Each sample is a seqlock: the writer makes its sequence odd,
//! writes, makes it even again; a reader keeps a copy only when it saw the
//! same even sequence before and after reading. Every field is an atomic,
//! so a torn read is a discarded copy, never undefined behaviour. Nothing
//! here allocates after [`Ring::new`] and nothing locks.

use std::sync::atomic::{
    AtomicU64, AtomicUsize,
    Ordering::{Acquire, Relaxed, Release},
    fence,
};

/// Samples kept per thread: a dump's burst (10) and a third of a second of
/// the 99 Hz sampler fit.
pub(crate) const RING: usize = 32;
/// Frames kept per sample (the frame-pointer walk stops there).
pub(crate) const MAX_FRAMES: usize = 64;
/// Stack words kept from the stack pointer up, to find the callers of a
/// leaf function that sets up no frame (libc's syscall wrappers).
pub(crate) const SCAN_WORDS: usize = 32;

/// One stack sample as stored.
#[derive(Debug)]
struct Slot {
    /// Seqlock sequence: odd while being written, 0 when never written.
    seq: AtomicU64,
    /// The tid of the thread that took it (slots are reused by new threads).
    tid: AtomicU64,
    /// Coarse monotonic ms when it was taken.
    taken_ms: AtomicU64,
    /// How many of `frames` are valid.
    depth: AtomicUsize,
    /// Frame addresses: the interrupted pc, then return addresses.
    frames: [AtomicUsize; MAX_FRAMES],
    /// How many of `scan` are valid.
    scan_len: AtomicUsize,
    /// Stack words from the interrupted stack pointer up.
    scan: [AtomicUsize; SCAN_WORDS],
    /// The interrupted frame pointer's distance from the stack pointer in
    /// words (`usize::MAX` when it was not inside the scanned words).
    fp_word: AtomicUsize,
}

impl Slot {
    fn new() -> Slot {
        Slot {
            seq: AtomicU64::new(0),
            tid: AtomicU64::new(0),
            taken_ms: AtomicU64::new(0),
            depth: AtomicUsize::new(0),
            frames: std::array::from_fn(|_| AtomicUsize::new(0)),
            scan_len: AtomicUsize::new(0),
            scan: std::array::from_fn(|_| AtomicUsize::new(0)),
            fp_word: AtomicUsize::new(usize::MAX),
        }
    }
}

/// A sample as the handler fills it (on its own stack) and a reader copies it.
#[derive(Debug, Clone)]
pub(crate) struct Sample {
    /// The thread that took it.
    pub(crate) tid: u64,
    /// Coarse monotonic ms when it was taken.
    pub(crate) taken_ms: u64,
    /// The interrupted pc first, then return addresses, innermost first.
    pub(crate) frames: [usize; MAX_FRAMES],
    /// How many of `frames` are valid.
    pub(crate) depth: usize,
    /// Stack words from the interrupted stack pointer up.
    pub(crate) scan: [usize; SCAN_WORDS],
    /// How many of `scan` are valid.
    pub(crate) scan_len: usize,
    /// Where the interrupted frame pointer points among `scan`, in words.
    pub(crate) fp_word: usize,
}

impl Sample {
    /// An empty sample (no allocation: it lives on the handler's stack).
    pub(crate) const fn empty() -> Sample {
        Sample {
            tid: 0,
            taken_ms: 0,
            frames: [0; MAX_FRAMES],
            depth: 0,
            scan: [0; SCAN_WORDS],
            scan_len: 0,
            fp_word: usize::MAX,
        }
    }

    /// The valid frames.
    pub(crate) fn frames(&self) -> &[usize] {
        &self.frames[..self.depth.min(MAX_FRAMES)]
    }

    /// The valid scanned words.
    pub(crate) fn scan(&self) -> &[usize] {
        &self.scan[..self.scan_len.min(SCAN_WORDS)]
    }
}

/// The samples of one thread, newest overwriting oldest.
#[derive(Debug)]
pub(crate) struct Ring {
    /// How many samples were ever written (the next goes to `next % RING`).
    next: AtomicU64,
    slots: Box<[Slot]>,
}

impl Ring {
    /// A ring with all its memory allocated up front.
    pub(crate) fn new() -> Ring {
        Ring {
            next: AtomicU64::new(0),
            slots: (0..RING).map(|_| Slot::new()).collect(),
        }
    }

    /// Stores `sample`. Only the ring's owner thread may call this (from its
    /// signal handler): async-signal-safe, no allocation, no lock.
    pub(crate) fn write(&self, sample: &Sample) {
        let n = self.next.load(Relaxed);
        let slot = &self.slots[(n % RING as u64) as usize];
        let seq = slot.seq.load(Relaxed);
        // An odd sequence can only be left by a write that never finished
        // (impossible on one thread); make it even-based either way.
        let seq = seq & !1;
        slot.seq.store(seq + 1, Relaxed);
        fence(Release);
        slot.tid.store(sample.tid, Relaxed);
        slot.taken_ms.store(sample.taken_ms, Relaxed);
        let depth = sample.depth.min(MAX_FRAMES);
        slot.depth.store(depth, Relaxed);
        for (dst, src) in slot.frames.iter().zip(&sample.frames[..depth]) {
            dst.store(*src, Relaxed);
        }
        let scan_len = sample.scan_len.min(SCAN_WORDS);
        slot.scan_len.store(scan_len, Relaxed);
        for (dst, src) in slot.scan.iter().zip(&sample.scan[..scan_len]) {
            dst.store(*src, Relaxed);
        }
        slot.fp_word.store(sample.fp_word, Relaxed);
        slot.seq.store(seq + 2, Release);
        self.next.store(n + 1, Release);
    }

    /// How many samples were ever written.
    #[cfg(test)]
    pub(crate) fn written(&self) -> u64 {
        self.next.load(Acquire)
    }

    /// Copies of the samples of thread `tid` taken at or after coarse ms
    /// `since`, newest first. A sample being written meanwhile is skipped.
    pub(crate) fn read(&self, tid: u64, since: u64) -> Vec<Sample> {
        let newest = self.next.load(Acquire);
        let count = newest.min(RING as u64);
        let mut out = Vec::new();
        for k in 0..count {
            let n = newest - 1 - k;
            let slot = &self.slots[(n % RING as u64) as usize];
            if let Some(s) = read_slot(slot)
                && s.tid == tid
                && s.taken_ms >= since
            {
                out.push(s);
            }
        }
        out.sort_by_key(|s| std::cmp::Reverse(s.taken_ms));
        out
    }
}

fn read_slot(slot: &Slot) -> Option<Sample> {
    let before = slot.seq.load(Acquire);
    if before == 0 || before & 1 == 1 {
        return None;
    }
    let mut s = Sample::empty();
    s.tid = slot.tid.load(Relaxed);
    s.taken_ms = slot.taken_ms.load(Relaxed);
    s.depth = slot.depth.load(Relaxed).min(MAX_FRAMES);
    for (dst, src) in s.frames.iter_mut().zip(&slot.frames[..s.depth]) {
        *dst = src.load(Relaxed);
    }
    s.scan_len = slot.scan_len.load(Relaxed).min(SCAN_WORDS);
    for (dst, src) in s.scan.iter_mut().zip(&slot.scan[..s.scan_len]) {
        *dst = src.load(Relaxed);
    }
    s.fp_word = slot.fp_word.load(Relaxed);
    fence(Acquire);
    (slot.seq.load(Relaxed) == before).then_some(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(tid: u64, taken_ms: u64, frames: &[usize]) -> Sample {
        let mut s = Sample::empty();
        s.tid = tid;
        s.taken_ms = taken_ms;
        s.depth = frames.len();
        s.frames[..frames.len()].copy_from_slice(frames);
        s
    }

    #[test]
    fn keeps_the_newest_samples_of_its_thread() {
        let ring = Ring::new();
        assert!(ring.read(7, 0).is_empty());
        for i in 0..(RING as u64 + 5) {
            ring.write(&sample(7, i, &[i as usize, 1, 2]));
        }
        ring.write(&sample(8, 1_000, &[9]));
        let got = ring.read(7, 0);
        // One slot went to tid 8; the rest hold tid 7's newest samples.
        assert_eq!(got.len(), RING - 1);
        assert_eq!(got[0].taken_ms, RING as u64 + 4);
        assert_eq!(got[0].frames(), &[RING + 4, 1, 2]);
        assert!(ring.read(7, RING as u64 + 4).len() == 1);
        assert_eq!(ring.read(8, 0).len(), 1);
    }

    #[test]
    fn a_reader_never_sees_a_torn_sample() {
        let ring = std::sync::Arc::new(Ring::new());
        let writer = {
            let ring = ring.clone();
            std::thread::spawn(move || {
                for i in 0..20_000usize {
                    let f = [i; 8];
                    ring.write(&sample(1, 0, &f));
                }
            })
        };
        let mut seen = 0;
        while !writer.is_finished() {
            for s in ring.read(1, 0) {
                let first = s.frames()[0];
                assert!(
                    s.frames().iter().all(|&f| f == first),
                    "torn: {:?}",
                    s.frames()
                );
                seen += 1;
            }
        }
        writer.join().unwrap();
        assert!(seen > 0 || ring.written() == 20_000);
    }
}
