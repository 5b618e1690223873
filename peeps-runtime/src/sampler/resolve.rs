//! Addresses to frames, off the signal path: the `backtrace` crate's
//! resolver (gimli/addr2line over the binaries' debug info), cached per
//! address for the life of the process.
//!
//! A frame reads `name (file:line)`, innermost inlined function first, with
//! the symbol hash dropped and well-known path prefixes shortened (the
//! current directory, `/rustc/<hash>/`, cargo's registry). An address no
//! debug info covers reads `0x7f… (in libc.so.6)` when its mapping is known.
//!
//! Two checks keep a walk honest, both against the executable mappings of
//! `/proc/self/maps`: a return address outside every executable mapping
//! ends the stack there (what follows came from a frame pointer that code
//! without frame pointers used as a plain register), and a stack word is
//! taken as the caller of a frameless leaf only when it points into code
//! right after a call instruction.

use parking_lot::Mutex;
use std::collections::HashMap;
use std::sync::{Arc, LazyLock};

/// One executable mapping of this process.
#[derive(Debug, Clone)]
struct Mapping {
    start: usize,
    end: usize,
    /// The file's name (last path component), empty for anonymous code.
    file: String,
}

#[derive(Debug, Default)]
struct Cache {
    /// (address, is the interrupted pc) → frames, innermost first.
    frames: HashMap<(usize, bool), Arc<[String]>>,
    /// pc → whether its function keeps no frame there.
    frameless: HashMap<usize, bool>,
    maps: Vec<Mapping>,
}

static CACHE: LazyLock<Mutex<Cache>> = LazyLock::new(Default::default);

/// How many resolved addresses the cache keeps before starting over (a
/// long-running sampler must not grow without bound).
const CACHE_LIMIT: usize = 100_000;

fn read_maps() -> Vec<Mapping> {
    let Ok(text) = std::fs::read_to_string("/proc/self/maps") else {
        return Vec::new();
    };
    text.lines()
        .filter_map(|line| {
            let mut parts = line.split_whitespace();
            let range = parts.next()?;
            let perms = parts.next()?;
            if !perms.contains('x') {
                return None;
            }
            let (start, end) = range.split_once('-')?;
            let file = parts.nth(3).unwrap_or("");
            Some(Mapping {
                start: usize::from_str_radix(start, 16).ok()?,
                end: usize::from_str_radix(end, 16).ok()?,
                file: file.rsplit('/').next().unwrap_or("").to_owned(),
            })
        })
        .collect()
}

impl Cache {
    /// The executable mapping holding `addr`, reading the maps again once
    /// when it is not found (a library loaded since).
    fn mapping(&mut self, addr: usize) -> Option<&Mapping> {
        let find = |maps: &[Mapping]| maps.iter().position(|m| m.start <= addr && addr < m.end);
        let i = match find(&self.maps) {
            Some(i) => i,
            None => {
                self.maps = read_maps();
                find(&self.maps)?
            }
        };
        self.maps.get(i)
    }

    fn is_code(&mut self, addr: usize) -> bool {
        self.mapping(addr).is_some()
    }

    /// Whether `ret` looks like a return address: in code, right after a
    /// direct `call rel32` or an indirect `call r/m64` (opcode FF /2).
    fn after_call(&mut self, ret: usize) -> bool {
        let Some(m) = self.mapping(ret) else {
            return false;
        };
        if ret < m.start.saturating_add(7) {
            return false;
        }
        let Some(bytes) = code_at::<7>(ret - 7) else {
            return false;
        };
        // call rel32: E8 and four bytes.
        if bytes[2] == 0xE8 {
            return true;
        }
        // call r/m64: FF with ModRM.reg == 2, two to seven bytes long.
        (0..6).any(|i| bytes[i] == 0xFF && (bytes[i + 1] >> 3) & 7 == 2)
    }

    fn resolve(&mut self, addr: usize, is_pc: bool) -> Arc<[String]> {
        if let Some(f) = self.frames.get(&(addr, is_pc)) {
            return f.clone();
        }
        if self.frames.len() >= CACHE_LIMIT {
            self.frames.clear();
            self.frameless.clear();
        }
        // `backtrace::resolve` looks up `addr - 1`, as for a return address
        // (which points after its call). The interrupted pc is exact: add 1.
        let lookup = if is_pc { addr.saturating_add(1) } else { addr };
        let mut out: Vec<String> = Vec::new();
        backtrace::resolve(lookup as *mut std::ffi::c_void, |sym| {
            let name = sym
                .name()
                .map_or_else(|| "?".to_owned(), |n| format!("{n:#}"));
            let at = match (sym.filename(), sym.lineno()) {
                (Some(file), Some(line)) => {
                    format!(" ({}:{line})", short_path(&file.to_string_lossy()))
                }
                _ => String::new(),
            };
            out.push(format!("{name}{at}"));
        });
        if out.is_empty() {
            let file = self
                .mapping(addr)
                .map(|m| m.file.clone())
                .unwrap_or_default();
            out.push(if file.is_empty() {
                format!("{addr:#x}")
            } else {
                format!("{addr:#x} (in {file})")
            });
        }
        let frames: Arc<[String]> = out.into();
        self.frames.insert((addr, is_pc), frames.clone());
        frames
    }
}

/// Drops the parts of a source path that say nothing to a reader.
fn short_path(path: &str) -> String {
    if let Some(rest) = path.strip_prefix("/rustc/")
        && let Some((_hash, tail)) = rest.split_once('/')
    {
        return tail.to_owned();
    }
    if let Some(i) = path.find("/registry/src/") {
        let tail = &path[i + "/registry/src/".len()..];
        if let Some((_index, crate_path)) = tail.split_once('/') {
            return crate_path.to_owned();
        }
    }
    if let Ok(cwd) = std::env::current_dir()
        && let Some(rest) = path.strip_prefix(&*cwd.to_string_lossy())
    {
        return rest.trim_start_matches('/').to_owned();
    }
    path.to_owned()
}

/// The frames of one sample, innermost first: the walked addresses, cut at
/// the first one outside any code; and, when the interrupted function keeps
/// no frame, the return addresses found among the scanned words below the
/// frame pointer, put right after it.
///
/// Without frame pointers (`frame_pointers` false) only the interrupted pc
/// is known for sure: the rest of the walk is not even tried.
pub(crate) fn frames(sample: &super::ring::Sample, frame_pointers: bool) -> Vec<String> {
    let walked = if frame_pointers {
        sample.frames()
    } else {
        &sample.frames()[..sample.frames().len().min(1)]
    };
    let mut cache = CACHE.lock();
    let mut addrs: Vec<(usize, bool)> = Vec::with_capacity(walked.len() + 4);
    let Some((&pc, rest)) = walked.split_first() else {
        return Vec::new();
    };
    addrs.push((pc, true));
    if frame_pointers && leaf_keeps_no_frame(&mut cache, pc) {
        let words = sample.scan();
        let below_fp = words
            .get(..sample.fp_word.min(words.len()))
            .unwrap_or(words);
        // Only words between the stack pointer and the first frame: those are
        // the frameless leaf's own (its return address among them).
        for &w in below_fp {
            let known = w == pc || rest.contains(&w) || addrs.iter().any(|&(a, _)| a == w);
            if !known && cache.after_call(w) {
                addrs.push((w, false));
            }
        }
    }
    for &ret in rest {
        if !cache.is_code(ret) {
            break;
        }
        addrs.push((ret, false));
    }
    let mut out: Vec<String> = Vec::new();
    for (addr, is_pc) in addrs {
        let chain = cache.resolve(addr, is_pc);
        for (i, frame) in chain.iter().enumerate() {
            // Within one address's inline chain, a function inlined into
            // itself (a macro's expansion) reads as one frame: keep its
            // innermost line. Recursion (separate addresses) is kept.
            if i > 0 && function(&chain[i - 1]) == function(frame) {
                continue;
            }
            out.push(frame.clone());
        }
    }
    out
}

/// The function of a frame, without its `(file:line)`.
fn function(frame: &str) -> &str {
    frame.rsplit_once(" (").map_or(frame, |(f, _)| f)
}

/// Whether the function holding `pc` runs without its own frame at `pc`:
/// it has no `push rbp; mov rbp, rsp` prologue (libc's syscall wrappers),
/// or `pc` is inside that prologue. Then the frame pointer still names the
/// caller's caller and the caller itself is only found by scanning.
fn leaf_keeps_no_frame(cache: &mut Cache, pc: usize) -> bool {
    if let Some(&known) = cache.frameless.get(&pc) {
        return known;
    }
    let frameless = leaf_keeps_no_frame_uncached(cache, pc);
    cache.frameless.insert(pc, frameless);
    frameless
}

fn leaf_keeps_no_frame_uncached(cache: &mut Cache, pc: usize) -> bool {
    let mut start = None;
    // `resolve` looks up `addr - 1` (see `Cache::resolve`).
    backtrace::resolve(pc.saturating_add(1) as *mut std::ffi::c_void, |sym| {
        if start.is_none() {
            start = sym.addr().map(|a| a as usize);
        }
    });
    let Some(start) = start.filter(|&s| s <= pc) else {
        return true;
    };
    let Some(m) = cache.mapping(start) else {
        return true;
    };
    if start.saturating_add(8) > m.end {
        return true;
    }
    let Some(code) = code_at::<8>(start) else {
        return true;
    };
    match prologue_len(&code) {
        Some(len) => pc < start + len,
        None => true,
    }
}

/// Reads `N` bytes of this process's memory at `addr` (see [`read_own`]).
pub(crate) fn code_at<const N: usize>(addr: usize) -> Option<[u8; N]> {
    let mut buf = [0u8; N];
    read_own(addr, &mut buf).then_some(buf)
}

/// Copies this process's memory at `addr` into `buf` with
/// `process_vm_readv`, which fails with `EFAULT` instead of faulting when
/// the memory is gone (a library unloaded since the maps were read, a
/// mapping let go meanwhile); false unless all of it was read.
pub(crate) fn read_own(addr: usize, buf: &mut [u8]) -> bool {
    let local = libc::iovec {
        iov_base: buf.as_mut_ptr().cast(),
        iov_len: buf.len(),
    };
    let remote = libc::iovec {
        iov_base: addr as *mut libc::c_void,
        iov_len: buf.len(),
    };
    // SAFETY: `local` describes `buf`, writable for its length; the kernel
    // checks `remote` itself and never faults this process.
    let read = unsafe { libc::process_vm_readv(libc::getpid(), &local, 1, &remote, 1, 0) };
    usize::try_from(read).ok() == Some(buf.len())
}

/// The length of a frame-pointer prologue at the start of `code`
/// (`[endbr64;] push rbp; mov rbp, rsp`), if there is one.
pub(crate) fn prologue_len(code: &[u8; 8]) -> Option<usize> {
    const ENDBR64: [u8; 4] = [0xF3, 0x0F, 0x1E, 0xFA];
    const PUSH_MOV: [u8; 4] = [0x55, 0x48, 0x89, 0xE5];
    if code[..4] == PUSH_MOV {
        Some(4)
    } else if code[..4] == ENDBR64 && code[4..] == PUSH_MOV {
        Some(8)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[inline(never)]
    fn a_named_function_to_resolve() -> usize {
        std::hint::black_box(a_named_function_to_resolve as fn() -> usize as usize)
    }

    #[test]
    fn resolves_a_function_of_this_binary_by_name_and_file() {
        let addr = a_named_function_to_resolve();
        let frames = CACHE.lock().resolve(addr, true);
        assert!(
            frames
                .iter()
                .any(|f| f.contains("a_named_function_to_resolve") && f.contains("resolve.rs")),
            "{frames:?}"
        );
        // Cached: the same allocation comes back.
        assert!(Arc::ptr_eq(&frames, &CACHE.lock().resolve(addr, true)));
    }

    #[test]
    fn an_address_outside_code_is_not_code() {
        let on_stack = 0usize;
        let mut cache = CACHE.lock();
        assert!(!cache.is_code(&on_stack as *const usize as usize));
        assert!(cache.is_code(a_named_function_to_resolve as fn() -> usize as usize));
        assert!(!cache.after_call(&on_stack as *const usize as usize));
    }

    #[test]
    fn prologues_are_recognised() {
        assert_eq!(prologue_len(&[0x55, 0x48, 0x89, 0xE5, 0, 0, 0, 0]), Some(4));
        assert_eq!(
            prologue_len(&[0xF3, 0x0F, 0x1E, 0xFA, 0x55, 0x48, 0x89, 0xE5]),
            Some(8)
        );
        assert_eq!(prologue_len(&[0x48, 0x83, 0xEC, 0x28, 0, 0, 0, 0]), None);
    }

    #[test]
    fn paths_are_shortened() {
        assert_eq!(
            short_path("/rustc/0123abcd/library/std/src/thread/mod.rs"),
            "library/std/src/thread/mod.rs"
        );
        assert_eq!(
            short_path(
                "/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/tokio-1.48.0/src/lib.rs"
            ),
            "tokio-1.48.0/src/lib.rs"
        );
        assert_eq!(short_path("/elsewhere/x.rs"), "/elsewhere/x.rs");
    }
}
