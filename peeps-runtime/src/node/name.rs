//! A node's name in two words.
//!
//! Almost every name is a `&'static str` (a literal, a call site); a name
//! made at run time is rare. `Cow<'static, str>` keeps a capacity for the
//! rare case in every node (24 bytes); [`Name`] is a pointer and a length
//! whose top bit says whether the bytes are an owned, boxed string (16
//! bytes), in each instrumented future and in each node's core.

use std::borrow::Cow;
use std::ptr::NonNull;

/// The top bit of [`Name`]'s length: the bytes are a `Box<str>` it owns.
const OWNED: usize = 1 << (usize::BITS - 1);

/// A name: a `&'static str`, or a string made at run time that it owns.
pub(crate) struct Name {
    ptr: NonNull<u8>,
    /// The length, with [`OWNED`] set for an owned string.
    len: usize,
}

// SAFETY: it is a `&'static str` or a `Box<str>`, both `Send` and `Sync`.
unsafe impl Send for Name {}
// SAFETY: as above; `&Name` only reads the bytes.
unsafe impl Sync for Name {}

impl Name {
    /// A `'static` name (no allocation).
    pub(crate) const fn from_static(name: &'static str) -> Name {
        Name {
            // SAFETY: a reference is never null.
            ptr: unsafe { NonNull::new_unchecked(name.as_ptr().cast_mut()) },
            len: name.len(),
        }
    }

    /// The name's text.
    #[inline]
    pub(crate) fn as_str(&self) -> &str {
        // SAFETY: `ptr` and the length without its flag are those of a
        // `&'static str` or of the `Box<str>` this owns, alive while it is.
        unsafe {
            std::str::from_utf8_unchecked(std::slice::from_raw_parts(
                self.ptr.as_ptr(),
                self.len & !OWNED,
            ))
        }
    }

    /// The name when it is a `'static` string (what a thread's record of
    /// a first poll or the flight recorder can keep without copying).
    #[inline]
    pub(crate) fn as_static(&self) -> Option<&'static str> {
        if self.len & OWNED != 0 {
            return None;
        }
        // SAFETY: not owned, so `ptr` and `len` are of a `&'static str`.
        Some(unsafe {
            std::str::from_utf8_unchecked(std::slice::from_raw_parts(self.ptr.as_ptr(), self.len))
        })
    }
}

impl From<Cow<'static, str>> for Name {
    #[inline]
    fn from(name: Cow<'static, str>) -> Name {
        match name {
            Cow::Borrowed(name) => Name::from_static(name),
            Cow::Owned(name) => Name::owned(name),
        }
    }
}

impl Name {
    /// A name made at run time (rare: kept out of line).
    #[cold]
    #[inline(never)]
    fn owned(name: String) -> Name {
        let boxed = name.into_boxed_str();
        let len = boxed.len();
        let boxed = Box::into_raw(boxed);
        Name {
            // SAFETY: a box is never null.
            ptr: unsafe { NonNull::new_unchecked(boxed.cast::<u8>()) },
            len: len | OWNED,
        }
    }
}

impl Default for Name {
    fn default() -> Name {
        Name::from_static("")
    }
}

impl Drop for Name {
    fn drop(&mut self) {
        if self.len & OWNED != 0 {
            let bytes = std::ptr::slice_from_raw_parts_mut(self.ptr.as_ptr(), self.len & !OWNED);
            // SAFETY: an owned name's bytes came from `Box::into_raw` of a
            // `Box<str>` of this length, and are freed once, here.
            drop(unsafe { Box::from_raw(bytes as *mut str) });
        }
    }
}

impl std::fmt::Debug for Name {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.as_str(), f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_static_name_stays_static_and_an_owned_one_is_read_and_freed() {
        let fixed = Name::from(Cow::Borrowed("accept"));
        assert_eq!(
            (fixed.as_str(), fixed.as_static()),
            ("accept", Some("accept"))
        );
        let made = Name::from(Cow::Owned(format!("conn {}", 7)));
        assert_eq!((made.as_str(), made.as_static()), ("conn 7", None));
        let empty = Name::from(Cow::Owned(String::new()));
        assert_eq!((empty.as_str(), empty.as_static()), ("", None));
        assert_eq!(size_of::<Name>(), 16);
        assert_eq!(Name::default().as_static(), Some(""));
    }
}
