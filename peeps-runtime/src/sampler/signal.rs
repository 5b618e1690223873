//! The SIGPROF handler and the frame-pointer walk it runs.
//!
//! Everything reachable from [`on_sigprof`] is async-signal-safe: it reads
//! the interrupted registers from the `ucontext`, walks frame pointers
//! inside the thread's own stack (bounds recorded at registration), copies
//! a few stack words, and writes one sample into the thread's preallocated
//! ring. No allocation, no lock, no panic (no indexing that can fail, no
//! arithmetic that can overflow), errno saved and restored.

use super::ring::{MAX_FRAMES, SCAN_WORDS, Sample};
use crate::threads::ThreadSlot;
use std::io;
use std::sync::atomic::{AtomicU8, Ordering::Relaxed};

/// Why the handler could not be installed, if it was tried.
static INSTALL_STATE: AtomicU8 = AtomicU8::new(NOT_TRIED);
const NOT_TRIED: u8 = 0;
const INSTALLED: u8 = 1;
const TAKEN: u8 = 2;
const FAILED: u8 = 3;
static INSTALL: std::sync::Once = std::sync::Once::new();

/// The registers a walk starts from.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Regs {
    /// Instruction pointer.
    pub(crate) pc: usize,
    /// Frame pointer (rbp).
    pub(crate) fp: usize,
    /// Stack pointer (rsp).
    pub(crate) sp: usize,
}

/// Installs the SIGPROF handler once. `Err` says why sampling is off: the
/// signal belongs to another handler (a profiler), or sigaction failed.
pub(crate) fn install() -> Result<(), &'static str> {
    INSTALL.call_once(|| {
        let state = match try_install() {
            Ok(true) => INSTALLED,
            Ok(false) => TAKEN,
            Err(e) => {
                eprintln!("peeps: could not install the SIGPROF sampler: {e}");
                FAILED
            }
        };
        INSTALL_STATE.store(state, Relaxed);
    });
    match INSTALL_STATE.load(Relaxed) {
        INSTALLED => Ok(()),
        TAKEN => Err(super::SIGNAL_TAKEN),
        _ => Err(super::INSTALL_FAILED),
    }
}

/// Why the handler is not installed, if installing it was tried and failed.
pub(crate) fn install_state() -> Result<(), &'static str> {
    match INSTALL_STATE.load(Relaxed) {
        TAKEN => Err(super::SIGNAL_TAKEN),
        FAILED => Err(super::INSTALL_FAILED),
        _ => Ok(()),
    }
}

fn try_install() -> io::Result<bool> {
    let handler = on_sigprof as extern "C" fn(libc::c_int, *mut libc::siginfo_t, *mut libc::c_void);
    // SAFETY: sigaction with a null new action only reads the current one
    // into `old`, a valid, zeroed sigaction.
    let mut old: libc::sigaction = unsafe { std::mem::zeroed() };
    // SAFETY: as above.
    if unsafe { libc::sigaction(libc::SIGPROF, std::ptr::null(), &mut old) } != 0 {
        return Err(io::Error::last_os_error());
    }
    let current = old.sa_sigaction;
    if current != libc::SIG_DFL && current != libc::SIG_IGN && current != handler as usize {
        // Someone else (a CPU profiler) owns SIGPROF: leave it alone.
        return Ok(false);
    }
    // SAFETY: a zeroed sigaction is a valid starting point; every field the
    // kernel reads is set below.
    let mut action: libc::sigaction = unsafe { std::mem::zeroed() };
    action.sa_sigaction = handler as usize;
    // SA_RESTART: most interrupted syscalls resume on their own.
    // No SA_ONSTACK: std's alternate stacks are sized for the kernel's
    // signal frame (which grows with the CPU's vector state) plus std's own
    // small SIGSEGV handler, not for a sample (about 1 KB more); the
    // thread's own stack has room for it.
    action.sa_flags = libc::SA_SIGINFO | libc::SA_RESTART;
    // SAFETY: `sa_mask` is a valid sigset_t inside `action`.
    unsafe { libc::sigemptyset(&mut action.sa_mask) };
    // SAFETY: the handler is async-signal-safe (see the module docs).
    if unsafe { libc::sigaction(libc::SIGPROF, &action, std::ptr::null_mut()) } != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(true)
}

/// Sends SIGPROF to thread `tid` of this process. `false` when the thread
/// is gone.
pub(crate) fn signal(tid: u64) -> bool {
    let Ok(tid) = libc::pid_t::try_from(tid) else {
        return false;
    };
    // SAFETY: tgkill(2) with our own pid only reaches our own threads; the
    // handler is installed before anyone calls this.
    unsafe { libc::syscall(libc::SYS_tgkill, libc::getpid(), tid, libc::SIGPROF) == 0 }
}

extern "C" fn on_sigprof(_sig: libc::c_int, _info: *mut libc::siginfo_t, ctx: *mut libc::c_void) {
    // SAFETY: errno is thread-local; reading and restoring it is
    // async-signal-safe and leaves the interrupted code's errno intact.
    let errno = unsafe { *libc::__errno_location() };
    let slot = crate::threads::current_slot();
    if !slot.is_null() && !ctx.is_null() {
        // SAFETY: slots are leaked (valid forever) and this thread owns it.
        let slot = unsafe { &*slot };
        // SAFETY: the kernel passes a valid ucontext_t to an SA_SIGINFO handler.
        let regs = unsafe { regs_of(ctx) };
        take_sample(slot, regs);
    }
    // SAFETY: as above.
    unsafe { *libc::__errno_location() = errno };
}

/// The interrupted registers.
///
/// # Safety
///
/// `ctx` must be the `ucontext_t` the kernel passed to the handler.
#[cfg(target_arch = "x86_64")]
unsafe fn regs_of(ctx: *mut libc::c_void) -> Option<Regs> {
    // SAFETY: the caller passes the kernel's ucontext_t.
    let uc = unsafe { &*ctx.cast::<libc::ucontext_t>() };
    let g = &uc.uc_mcontext.gregs;
    let reg = |i: libc::c_int| g.get(usize::try_from(i).ok()?).map(|v| *v as usize);
    Some(Regs {
        pc: reg(libc::REG_RIP)?,
        fp: reg(libc::REG_RBP)?,
        sp: reg(libc::REG_RSP)?,
    })
}

/// Other architectures: no registers, so no sample.
///
/// # Safety
///
/// None needed; the signature matches the x86_64 one.
#[cfg(not(target_arch = "x86_64"))]
unsafe fn regs_of(_ctx: *mut libc::c_void) -> Option<Regs> {
    None
}

/// Walks and stores one sample of this thread. Async-signal-safe.
fn take_sample(slot: &ThreadSlot, regs: Option<Regs>) {
    let mut sample = Sample::empty();
    sample.tid = slot.tid.load(Relaxed);
    sample.taken_ms = crate::clock::coarse_ms();
    if let Some(regs) = regs {
        let lo = slot.stack_lo.load(Relaxed);
        let hi = slot.stack_hi.load(Relaxed);
        // SAFETY: [lo, hi) is this thread's stack as pthread reported it at
        // registration; `walk` reads only 8-aligned words between the
        // interrupted stack pointer and `hi`, all mapped.
        unsafe {
            sample.depth = walk(regs, lo, hi, &mut sample.frames);
            let (len, fp_word) = scan(regs, lo, hi, &mut sample.scan);
            sample.scan_len = len;
            sample.fp_word = fp_word;
        }
    }
    slot.ring.write(&sample);
    slot.answers.answered();
}

/// The readable part of the stack for an interrupted `sp`: `[sp, hi)`, when
/// `sp` is inside `[lo, hi)`. Below `sp` nothing is guaranteed mapped (the
/// main thread's stack grows on demand); above it, up to the top, it is.
fn live_stack(sp: usize, lo: usize, hi: usize) -> Option<(usize, usize)> {
    (lo != 0 && lo <= sp && sp < hi && sp.is_multiple_of(8)).then_some((sp, hi))
}

/// Follows the frame-pointer chain from `regs` into `out`: the pc first,
/// then each frame's return address. Stops at the first frame pointer that
/// is misaligned, outside the live stack, or not above the previous one
/// (so it always ends), at a null return address, or when `out` is full.
/// Returns how many entries were written.
///
/// # Safety
///
/// Every 8-aligned word in `[sp, hi)` must be readable.
pub(crate) unsafe fn walk(
    regs: Regs,
    lo: usize,
    hi: usize,
    out: &mut [usize; MAX_FRAMES],
) -> usize {
    out[0] = regs.pc;
    let mut n = 1;
    let Some((lo, hi)) = live_stack(regs.sp, lo, hi) else {
        return n;
    };
    let mut fp = regs.fp;
    while n < MAX_FRAMES {
        // The frame's two words [fp, fp + 16) must lie in the live stack.
        let in_bounds =
            fp >= lo && fp.is_multiple_of(8) && hi.checked_sub(16).is_some_and(|last| fp <= last);
        if !in_bounds {
            break;
        }
        // SAFETY: fp is 8-aligned and fp + 16 <= hi, inside the live stack.
        let (next, ret) = unsafe {
            (
                std::ptr::read_volatile(fp as *const usize),
                std::ptr::read_volatile((fp + 8) as *const usize),
            )
        };
        if ret < 4096 {
            break;
        }
        out[n] = ret;
        n += 1;
        // Frames grow towards higher addresses as we go out: anything else
        // is a frame pointer used as a plain register (code without frame
        // pointers), or the end of the chain.
        if next <= fp {
            break;
        }
        fp = next;
    }
    n
}

/// Copies up to `SCAN_WORDS` words of the live stack from `sp` up, for the
/// resolver to find the callers of a leaf function that keeps no frame.
/// Returns how many words were copied and where the frame pointer points
/// among them (`usize::MAX`: not among them).
///
/// # Safety
///
/// As [`walk`].
pub(crate) unsafe fn scan(
    regs: Regs,
    lo: usize,
    hi: usize,
    out: &mut [usize; SCAN_WORDS],
) -> (usize, usize) {
    let Some((sp, hi)) = live_stack(regs.sp, lo, hi) else {
        return (0, usize::MAX);
    };
    let words = ((hi - sp) / 8).min(SCAN_WORDS);
    for (i, slot) in out.iter_mut().enumerate().take(words) {
        // SAFETY: sp + 8 * i + 8 <= hi, 8-aligned, inside the live stack.
        *slot = unsafe { std::ptr::read_volatile((sp + 8 * i) as *const usize) };
    }
    let fp_word = if regs.fp >= sp && regs.fp.is_multiple_of(8) {
        let w = (regs.fp - sp) / 8;
        if w < words { w } else { usize::MAX }
    } else {
        usize::MAX
    };
    (words, fp_word)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fake stack: `words` 8-aligned words, with helpers to address them.
    struct Stack {
        words: Vec<usize>,
    }

    impl Stack {
        fn new(n: usize) -> Stack {
            Stack { words: vec![0; n] }
        }
        fn addr(&self, i: usize) -> usize {
            self.words.as_ptr() as usize + 8 * i
        }
        fn lo(&self) -> usize {
            self.addr(0)
        }
        fn hi(&self) -> usize {
            self.addr(self.words.len())
        }
        /// Puts a frame at word `i`: saved fp `next`, return address `ret`.
        fn frame(&mut self, i: usize, next: usize, ret: usize) {
            self.words[i] = next;
            self.words[i + 1] = ret;
        }
    }

    fn walk_of(s: &Stack, regs: Regs) -> Vec<usize> {
        let mut out = [0; MAX_FRAMES];
        // SAFETY: the bounds are the fake stack's, all readable.
        let n = unsafe { walk(regs, s.lo(), s.hi(), &mut out) };
        out[..n].to_vec()
    }

    #[test]
    fn follows_a_well_formed_chain_to_its_end() {
        let mut s = Stack::new(64);
        let (f1, f2, f3) = (s.addr(4), s.addr(10), s.addr(20));
        s.frame(4, f2, 0x1111);
        s.frame(10, f3, 0x2222);
        s.frame(20, 0, 0x3333); // next = 0: not above, the chain ends
        let got = walk_of(
            &s,
            Regs {
                pc: 0xAAAA,
                fp: f1,
                sp: s.addr(2),
            },
        );
        assert_eq!(got, [0xAAAA, 0x1111, 0x2222, 0x3333]);
    }

    #[test]
    fn stops_at_bad_frame_pointers_without_reading_outside() {
        let mut s = Stack::new(64);
        let f1 = s.addr(4);
        // Misaligned next.
        s.frame(4, s.addr(10) + 3, 0x1111);
        assert_eq!(
            walk_of(
                &s,
                Regs {
                    pc: 1,
                    fp: f1,
                    sp: s.lo()
                }
            ),
            [1, 0x1111]
        );
        // Pointing below the stack pointer (already unwound memory).
        s.frame(4, s.addr(1), 0x1111);
        assert_eq!(
            walk_of(
                &s,
                Regs {
                    pc: 1,
                    fp: f1,
                    sp: s.addr(2)
                }
            ),
            [1, 0x1111]
        );
        // Pointing past the top: the last frame's words would not fit.
        s.frame(4, s.addr(63), 0x1111);
        assert_eq!(
            walk_of(
                &s,
                Regs {
                    pc: 1,
                    fp: f1,
                    sp: s.lo()
                }
            ),
            [1, 0x1111]
        );
        // A loop (next == fp).
        s.frame(4, f1, 0x1111);
        assert_eq!(
            walk_of(
                &s,
                Regs {
                    pc: 1,
                    fp: f1,
                    sp: s.lo()
                }
            ),
            [1, 0x1111]
        );
        // Garbage frame pointers from code without frame pointers.
        for fp in [
            0,
            1,
            0xdead_beef,
            usize::MAX,
            usize::MAX - 7,
            s.hi(),
            s.hi() - 8,
        ] {
            assert_eq!(
                walk_of(
                    &s,
                    Regs {
                        pc: 1,
                        fp,
                        sp: s.lo()
                    }
                ),
                [1],
                "fp {fp:#x}"
            );
        }
        // A stack pointer outside the recorded stack (an alternate signal
        // stack): only the pc.
        assert_eq!(
            walk_of(
                &s,
                Regs {
                    pc: 1,
                    fp: f1,
                    sp: s.hi() + 64
                }
            ),
            [1]
        );
        assert_eq!(
            walk_of(
                &s,
                Regs {
                    pc: 1,
                    fp: f1,
                    sp: 0
                }
            ),
            [1]
        );
        // Unknown bounds: only the pc.
        let mut out = [0; MAX_FRAMES];
        // SAFETY: with lo = 0 nothing is read.
        let n = unsafe {
            walk(
                Regs {
                    pc: 1,
                    fp: f1,
                    sp: s.lo(),
                },
                0,
                0,
                &mut out,
            )
        };
        assert_eq!(n, 1);
    }

    #[test]
    fn a_null_return_address_ends_the_walk_and_depth_is_capped() {
        let mut s = Stack::new(4 * MAX_FRAMES);
        for i in 0..(2 * MAX_FRAMES - 1) {
            let next = s.addr(2 * i + 2);
            s.frame(2 * i, next, 0x1000 + i);
        }
        let got = walk_of(
            &s,
            Regs {
                pc: 1,
                fp: s.lo(),
                sp: s.lo(),
            },
        );
        assert_eq!(got.len(), MAX_FRAMES);
        s.frame(4, s.addr(6), 0);
        let got = walk_of(
            &s,
            Regs {
                pc: 1,
                fp: s.lo(),
                sp: s.lo(),
            },
        );
        assert_eq!(got, [1, 0x1000, 0x1001]);
    }

    #[test]
    fn scan_copies_the_words_above_the_stack_pointer() {
        let mut s = Stack::new(8);
        for (i, w) in s.words.iter_mut().enumerate() {
            *w = 100 + i;
        }
        let mut out = [0; SCAN_WORDS];
        // SAFETY: the fake stack's bounds.
        let (n, fp_word) = unsafe {
            scan(
                Regs {
                    pc: 0,
                    fp: s.addr(5),
                    sp: s.addr(2),
                },
                s.lo(),
                s.hi(),
                &mut out,
            )
        };
        assert_eq!(&out[..n], &[102, 103, 104, 105, 106, 107]);
        assert_eq!(fp_word, 3);
        // SAFETY: as above.
        let (n, fp_word) = unsafe {
            scan(
                Regs {
                    pc: 0,
                    fp: 3,
                    sp: s.hi(),
                },
                s.lo(),
                s.hi(),
                &mut out,
            )
        };
        assert_eq!((n, fp_word), (0, usize::MAX));
    }
}
