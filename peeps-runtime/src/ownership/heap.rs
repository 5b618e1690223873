//! The process's heap, searched for marks at snapshot time, once and only
//! when a snapshot asks (see [`super::Found::beyond_states`]): a handle
//! whose mark is on the heap more often than in the task states searched
//! was filed there (a map, an `Arc`'s value, a task peeps does not read)
//! or copied there, so a find in a state is no longer proof of its holder.

use super::mark::{Key, scan_bytes};
use crate::sampler::resolve::read_own;

/// How many bytes of heap one snapshot reads at most: past it, the rest is
/// not searched (a handle there is not counted, which leaves the holder
/// peeps believes).
const HEAP_BUDGET: usize = 64 << 20;
/// How many bytes one read copies.
const CHUNK: usize = 1 << 20;

/// Calls `found` with the key of every mark in the process's anonymous
/// writable memory (the `[heap]` and the allocator's mappings), within
/// [`HEAP_BUDGET`]. Thread stacks are left out (a mapping just above a
/// guard page, and the main thread's `[stack]`): the bytes a value was
/// moved out of linger there. Memory is copied with `process_vm_readv`,
/// which fails instead of faulting on a mapping unmapped meanwhile. Not in
/// a signal handler: it allocates.
pub(crate) fn scan_heap(mut found: impl FnMut(Key)) {
    let mut buf = vec![0u8; CHUNK + 8];
    let own = (buf.as_ptr() as usize, buf.len());
    let mut budget = HEAP_BUDGET;
    for (start, end) in heap_mappings().into_iter().flat_map(|m| outside(m, own)) {
        let mut at = start;
        while at < end && budget > 0 {
            // Each read takes the next chunk and the word after it, so a
            // mark across two chunks is read once, whole, in the first.
            let n = (end - at).min(CHUNK + 8).min(budget);
            if read_own(at, &mut buf[..n]) {
                // SAFETY: `buf` is this function's own, `n` bytes of it
                // were just written.
                unsafe { scan_bytes(buf.as_ptr(), n, &mut found) };
            }
            let step = n.min(CHUNK);
            budget = budget.saturating_sub(step);
            at += step;
        }
    }
    // The copy goes back to the allocator, which may keep it on the heap
    // (glibc raises its mmap threshold once such a block is freed): the
    // next search would find its copies of marks as copies of handles.
    buf.fill(0);
    std::hint::black_box(&buf);
}

/// The parts of the mapping `(start, len)` outside the buffer `(at, len)`
/// the heap is copied into (the allocator may have put it inside one), as
/// `(start, end)` ranges.
fn outside((start, len): (usize, usize), (at, own): (usize, usize)) -> Vec<(usize, usize)> {
    let end = start + len;
    let own_end = at + own;
    if own_end <= start || end <= at {
        return vec![(start, end)];
    }
    [(start, at), (own_end, end)]
        .into_iter()
        .filter(|&(s, e)| s < e)
        .collect()
}

/// The start and length of each private anonymous writable mapping of the
/// process, and of its `[heap]`, leaving out thread stacks.
#[cfg(target_os = "linux")]
fn heap_mappings() -> Vec<(usize, usize)> {
    let Ok(maps) = std::fs::read_to_string("/proc/self/maps") else {
        return Vec::new();
    };
    parse_maps(&maps)
}

/// Elsewhere: no heap is searched.
#[cfg(not(target_os = "linux"))]
fn heap_mappings() -> Vec<(usize, usize)> {
    Vec::new()
}

/// The largest guard page below a thread's stack (one page as glibc and
/// musl make it, 64 KiB pages on some aarch64 systems).
const GUARD_MAX: usize = 64 << 10;

/// The heap mappings `/proc/self/maps` lists in `maps` (see
/// [`heap_mappings`]). A mapping right above a small inaccessible one is a
/// thread's stack over its guard page, as glibc and musl lay them out; an
/// allocator arena may start right above the large inaccessible reserve of
/// the arena before it.
fn parse_maps(maps: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut guard_end = None;
    for line in maps.lines() {
        let mut fields = line.split_whitespace();
        let (Some(range), Some(perms)) = (fields.next(), fields.next()) else {
            continue;
        };
        let path = fields.nth(3).unwrap_or("");
        let Some((start, end)) = range.split_once('-').and_then(|(s, e)| {
            Some((usize::from_str_radix(s, 16).ok()?, usize::from_str_radix(e, 16).ok()?))
        }) else {
            continue;
        };
        let above_guard = guard_end == Some(start);
        guard_end = (perms.starts_with("---") && end - start <= GUARD_MAX).then_some(end);
        // `[anon:…]`: an anonymous mapping its maker named (glibc's
        // arenas, with `glibc.mem.decorate_maps`).
        let anonymous = path.is_empty() || path == "[heap]" || path.starts_with("[anon:");
        if perms.starts_with("rw") && perms.ends_with('p') && anonymous && !above_guard && end > start {
            out.push((start, end - start));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ownership::Mark;

    #[test]
    fn the_copy_buffer_is_cut_out_of_its_mapping() {
        assert_eq!(outside((100, 50), (200, 10)), [(100, 150)]);
        assert_eq!(outside((100, 50), (120, 10)), [(100, 120), (130, 150)]);
        assert_eq!(outside((100, 50), (90, 20)), [(110, 150)]);
        assert_eq!(outside((100, 50), (140, 20)), [(100, 140)]);
        assert_eq!(outside((100, 50), (100, 50)), []);
    }

    /// Each search copies the heap through a buffer it frees: a search
    /// after it must not find the copies as marks of their own.
    #[test]
    fn a_search_leaves_no_copies_for_the_next() {
        let key = Key::hold(7, 91_003);
        let mut boxed = Box::new([0u64; 4]);
        // SAFETY: a `Mark` is two words, written into the box's middle two.
        unsafe { std::ptr::write(boxed.as_mut_ptr().add(1).cast::<Mark>(), Mark::new(key)) };
        for _ in 0..4 {
            let mut n = 0;
            scan_heap(|k| n += usize::from(k == key));
            assert_eq!(n, 1);
        }
        drop(boxed);
    }

    #[test]
    fn stacks_files_and_shared_memory_are_left_out() {
        let maps = "\
55d0a000-55d0b000 r--p 00000000 08:01 42 /usr/bin/app
55d0c000-55d0d000 rw-p 00002000 08:01 42 /usr/bin/app
55d0e000-55d2f000 rw-p 00000000 00:00 0 [heap]
7f0000000000-7f0000021000 rw-p 00000000 00:00 0
7f0000021000-7f0004000000 ---p 00000000 00:00 0
7f0004000000-7f0004021000 rw-p 00000000 00:00 0
7f1000000000-7f1000001000 ---p 00000000 00:00 0
7f1000001000-7f1000201000 rw-p 00000000 00:00 0
7f2000000000-7f2000010000 rw-s 00000000 00:05 7 /dev/shm/x
7f3000000000-7f3000021000 rw-p 00000000 00:00 0 [anon:glibc: malloc arena]
7ffd00000000-7ffd00021000 rw-p 00000000 00:00 0 [stack]
";
        assert_eq!(
            parse_maps(maps),
            [
                (0x55d0e000, 0x21000),
                (0x7f0000000000, 0x21000),
                (0x7f0004000000, 0x21000),
                (0x7f3000000000, 0x21000),
            ],
        );
    }

    #[test]
    fn a_mark_on_the_heap_is_found_and_one_on_the_stack_is_not() {
        let on_heap = Key::hold(7, 91_001);
        let on_stack = Key::hold(7, 91_002);
        let boxed = Box::new([0u64, 0, 0]);
        let mut boxed = boxed;
        let mark = Mark::new(on_heap);
        // SAFETY: a `Mark` is two words, written into the box's last two.
        unsafe { std::ptr::write(boxed.as_mut_ptr().add(1).cast::<Mark>(), mark) };
        let local = std::hint::black_box(Mark::new(on_stack));
        let mut keys = Vec::new();
        scan_heap(|k| keys.push(k));
        assert!(keys.contains(&on_heap));
        // The main thread's stack is `[stack]`; a test thread's sits over
        // its guard page.
        assert!(!keys.contains(&on_stack));
        drop((boxed, local));
    }
}
