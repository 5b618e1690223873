//! The process's static memory, searched for marks at snapshot time: a
//! handle kept in a `static` (a `OnceLock`, a `LazyLock`, a `Mutex` in a
//! `static`) is anyone's, since any task may use it next.

use super::mark::{Key, scan_bytes};

/// How many bytes of static memory one snapshot reads at most.
const STATIC_BUDGET: usize = 16 << 20;

/// Calls `found` with the key of every mark in the writable segments
/// (`.data`, `.bss`) of the executable, within [`STATIC_BUDGET`]. A Rust
/// program's `static`s are there (its crates are linked into it). Not in
/// a signal handler: it allocates.
pub(crate) fn scan_statics(mut found: impl FnMut(Key)) {
    let mut budget = STATIC_BUDGET;
    for (start, len) in writable_segments() {
        if len > budget {
            continue;
        }
        budget -= len;
        // SAFETY: the executable's `PT_LOAD` segments are mapped whole, and
        // readable, for as long as the process runs. What is read is only
        // compared, never followed.
        unsafe { scan_bytes(start as *const u8, len, &mut found) };
    }
}

/// The address and length of every writable `PT_LOAD` segment of the
/// executable: the first object the loader lists, mapped for as long as
/// the process runs (a library opened by `dlopen` may be unmapped by
/// `dlclose` while it is read, and is not searched).
#[cfg(target_os = "linux")]
fn writable_segments() -> Vec<(usize, usize)> {
    unsafe extern "C" fn each(
        info: *mut libc::dl_phdr_info,
        _size: libc::size_t,
        out: *mut libc::c_void,
    ) -> libc::c_int {
        // SAFETY: the loader hands a valid `info` for the call, and `out`
        // is the `Vec` passed below.
        let (info, out) = unsafe { (&*info, &mut *out.cast::<Vec<(usize, usize)>>()) };
        if info.dlpi_phdr.is_null() {
            return 1;
        }
        // SAFETY: `dlpi_phdr` points at `dlpi_phnum` program headers.
        let headers =
            unsafe { std::slice::from_raw_parts(info.dlpi_phdr, usize::from(info.dlpi_phnum)) };
        for h in headers {
            if h.p_type == libc::PT_LOAD && h.p_flags & libc::PF_W != 0 && h.p_memsz > 0 {
                out.push((
                    (info.dlpi_addr as usize).wrapping_add(h.p_vaddr as usize),
                    h.p_memsz as usize,
                ));
            }
        }
        // The executable is listed first: stop there.
        1
    }
    let mut out: Vec<(usize, usize)> = Vec::new();
    // SAFETY: `each` only reads what the loader hands it and pushes to
    // `out`, which outlives the call.
    unsafe { libc::dl_iterate_phdr(Some(each), std::ptr::from_mut(&mut out).cast()) };
    out
}

/// Elsewhere: no static memory is searched.
#[cfg(not(target_os = "linux"))]
fn writable_segments() -> Vec<(usize, usize)> {
    Vec::new()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ownership::Mark;
    use std::sync::OnceLock;

    static KEPT: OnceLock<Mark> = OnceLock::new();

    #[test]
    fn a_mark_kept_in_a_static_is_found() {
        let key = Key::hold(0x0051_A71C, 7);
        KEPT.set(Mark::new(key)).expect("set once");
        let mut keys = Vec::new();
        scan_statics(|k| keys.push(k));
        assert!(keys.contains(&key), "{keys:?}");
        assert!(!keys.contains(&Key::hold(0x0051_A71C, 8)));
    }
}
