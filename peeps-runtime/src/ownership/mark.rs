//! Marks: the two words every movable handle carries, and finding them in
//! a value's bytes.

use std::mem::{needs_drop, size_of, size_of_val};

pub use crate::op::Key;

/// Scrambles the owner word (the fraction of e).
const SCRAMBLE_OWNER: u64 = 0xB7E1_5162_8AED_2A6B;
/// Scrambles the ticket word (the fraction of pi).
const SCRAMBLE_TICKET: u64 = 0x243F_6A88_85A3_08D3;
/// Ids and tickets are below 2^53 (node ids are; a pair end is one more bit).
const ID_LIMIT: u64 = 1 << 55;

/// The two words a movable handle carries, naming its hold. Ordinary data
/// passes as a mark with a chance of about 2^-18 per pair of words, and a
/// false mark names no live hold (the lookup that follows finds nothing).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(C, align(8))]
pub struct Mark {
    owner: u64,
    ticket: u64,
}

impl Mark {
    /// The mark of `key`.
    #[inline]
    pub fn new(key: Key) -> Mark {
        Mark { owner: key.owner ^ SCRAMBLE_OWNER, ticket: key.ticket ^ SCRAMBLE_TICKET }
    }

    /// The key this mark names.
    #[inline]
    pub fn key(&self) -> Key {
        Key { owner: self.owner ^ SCRAMBLE_OWNER, ticket: self.ticket ^ SCRAMBLE_TICKET }
    }

    /// The key two words read from memory name, if they look like a mark.
    #[inline]
    fn read(owner: u64, ticket: u64) -> Option<Key> {
        let key = Key { owner: owner ^ SCRAMBLE_OWNER, ticket: ticket ^ SCRAMBLE_TICKET };
        let ticket_ok = key.ticket & !Key::PAIR < ID_LIMIT && key.ticket & !Key::PAIR != 0;
        let owner_ok = if key.ticket & Key::PAIR != 0 { key.owner == 0 } else { key.owner != 0 && key.owner < ID_LIMIT };
        (ticket_ok && owner_ok).then_some(key)
    }
}

/// Reads the word at `p` as it is in memory, initialised or not (padding,
/// an enum's unused payload, a value read while another thread writes it):
/// the load is an instruction the compiler treats as opaque, so the bits
/// are taken as they are ("frozen") and no uninitialised value exists in
/// the program.
///
/// # Safety
///
/// `p` is aligned and the 8 bytes at it are mapped and readable.
#[inline]
unsafe fn frozen_word(p: *const u64) -> u64 {
    #[cfg(target_arch = "x86_64")]
    {
        let v: u64;
        // SAFETY: the caller guarantees `p` is readable and aligned.
        unsafe {
            std::arch::asm!("mov {v}, qword ptr [{p}]", p = in(reg) p, v = out(reg) v,
                options(nostack, preserves_flags, readonly));
        }
        v
    }
    #[cfg(target_arch = "aarch64")]
    {
        let v: u64;
        // SAFETY: the caller guarantees `p` is readable and aligned.
        unsafe {
            std::arch::asm!("ldr {v}, [{p}]", p = in(reg) p, v = out(reg) v,
                options(nostack, preserves_flags, readonly));
        }
        v
    }
    #[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
    {
        // SAFETY: as above; a volatile read is not elided or reordered.
        unsafe { std::ptr::read_volatile(p.cast::<std::mem::MaybeUninit<u64>>()).assume_init() }
    }
}

/// Calls `found` with the key of every mark in the `len` bytes at `start`.
///
/// # Safety
///
/// The bytes are mapped and readable for the whole call (they may change
/// meanwhile: what is read is only compared, never followed).
pub(crate) unsafe fn scan_bytes(start: *const u8, len: usize, mut found: impl FnMut(Key)) {
    let first = start.align_offset(8);
    if first >= len {
        return;
    }
    let words = (len - first) / 8;
    if words < 2 {
        return;
    }
    // SAFETY: `first < len`: inside the range.
    let base = unsafe { start.add(first) }.cast::<u64>();
    // SAFETY: every word read is inside the range and aligned.
    let mut prev = unsafe { frozen_word(base) };
    let mut i = 1;
    while i < words {
        // SAFETY: as above.
        let w = unsafe { frozen_word(base.add(i)) };
        if let Some(key) = Mark::read(prev, w) {
            found(key);
            // The mark's two words are used up.
            i += 1;
            if i < words {
                // SAFETY: as above.
                prev = unsafe { frozen_word(base.add(i)) };
            }
        } else {
            prev = w;
        }
        i += 1;
    }
}

/// Calls `found` with the key of every mark inside `value`'s own bytes
/// (not behind its pointers). Free for a type that needs no drop: such a
/// type cannot contain a handle.
#[inline]
pub fn scan_value<T: ?Sized>(value: &T, found: impl FnMut(Key)) {
    if !needs_drop::<T>() {
        return;
    }
    let len = size_of_val(value);
    if len < size_of::<Mark>() {
        return;
    }
    // SAFETY: a live value's bytes are readable for as long as it is borrowed.
    unsafe { scan_bytes(std::ptr::from_ref(value).cast(), len, found) }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Handle {
        _pad: u8,
        mark: Mark,
        _more: Vec<u8>,
    }

    fn keys<T>(v: &T) -> Vec<Key> {
        let mut out = Vec::new();
        scan_value(v, |k| out.push(k));
        out
    }

    #[test]
    fn marks_inside_a_value_are_found_and_nothing_else() {
        let a = Key::hold(17, 4242);
        let b = Key::pair_end(99 << 1 | 1);
        let value = (
            7u64,
            Handle { _pad: 1, mark: Mark::new(a), _more: vec![1, 2, 3] },
            String::from("hello"),
            [Handle { _pad: 2, mark: Mark::new(b), _more: Vec::new() }],
        );
        let mut found = keys(&value);
        found.sort();
        let mut want = vec![a, b];
        want.sort();
        assert_eq!(found, want);
        assert_eq!(b.as_pair_end(), Some(99 << 1 | 1));
        assert_eq!(a.as_pair_end(), None);
        assert_eq!(value.1.mark.key(), a);
    }

    #[test]
    fn plain_data_is_not_read_and_ordinary_words_are_no_marks() {
        // No drop: not scanned at all, whatever the bytes.
        let plain = [Mark::new(Key::hold(1, 2)); 4].map(|m| (m, 0u64));
        assert!(keys(&plain).is_empty());
        // Small integers, pointers' shapes, the scrambles themselves.
        let words: Vec<u64> = (0..4096u64)
            .chain((0..512).map(|i| i * 0x1_0000_0001))
            .chain((0..512).map(|i| 0x5555_0000_0000 + i * 8))
            .chain([SCRAMBLE_OWNER, SCRAMBLE_TICKET, u64::MAX, 0])
            .collect();
        for pair in words.windows(2) {
            assert_eq!(Mark::read(pair[0], pair[1]), None, "{pair:x?}");
        }
    }
}
