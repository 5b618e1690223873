//! A cell set at most once with an owning pointer (a `Box` or an `Arc`), in
//! one word: `OnceLock<Box<T>>` takes two (its `Once` beside the value),
//! and a registered future has two such cells that are rarely set (its
//! sub-waker, its plain task's state).

use std::marker::PhantomData;
use std::sync::Arc;
use std::sync::atomic::{AtomicPtr, Ordering::{AcqRel, Acquire}};

/// An owning pointer that can be kept as a raw one.
pub(super) trait Owner: Sized {
    /// What it points at.
    type Target;
    /// Gives up the pointer without dropping what it owns.
    fn into_raw(self) -> *mut Self::Target;
    /// Takes back a pointer from [`Owner::into_raw`].
    ///
    /// # Safety
    /// `ptr` came from `into_raw` of this type and is taken back once.
    unsafe fn from_raw(ptr: *mut Self::Target) -> Self;
}

impl<T> Owner for Box<T> {
    type Target = T;
    fn into_raw(self) -> *mut T {
        Box::into_raw(self)
    }
    unsafe fn from_raw(ptr: *mut T) -> Self {
        // SAFETY: the caller's contract.
        unsafe { Box::from_raw(ptr) }
    }
}

impl<T> Owner for Arc<T> {
    type Target = T;
    fn into_raw(self) -> *mut T {
        Arc::into_raw(self).cast_mut()
    }
    unsafe fn from_raw(ptr: *mut T) -> Self {
        // SAFETY: the caller's contract.
        unsafe { Arc::from_raw(ptr) }
    }
}

/// Empty, or set once to a `P` it owns from then on.
pub(super) struct OnceOwned<P: Owner> {
    ptr: AtomicPtr<P::Target>,
    owns: PhantomData<P>,
}

// SAFETY: it owns a `P` (shared as `&P::Target` once set): as `OnceLock<P>`.
unsafe impl<P: Owner + Send> Send for OnceOwned<P> {}
// SAFETY: as above; readers get `&P::Target`, so it must be `Sync` too.
unsafe impl<P: Owner + Send + Sync> Sync for OnceOwned<P> where P::Target: Sync {}

impl<P: Owner> OnceOwned<P> {
    /// An empty cell.
    pub(super) const fn new() -> Self {
        OnceOwned { ptr: AtomicPtr::new(std::ptr::null_mut()), owns: PhantomData }
    }

    /// What it was set to, if it was.
    #[inline]
    pub(super) fn get(&self) -> Option<&P::Target> {
        // SAFETY: a non-null pointer is the `P` it owns until it drops,
        // published by `set` with release ordering.
        unsafe { self.ptr.load(Acquire).as_ref() }
    }

    /// Sets it to `value` if it is empty; else gives `value` back.
    pub(super) fn set(&self, value: P) -> Result<(), P> {
        let raw = value.into_raw();
        match self.ptr.compare_exchange(std::ptr::null_mut(), raw, AcqRel, Acquire) {
            Ok(_) => Ok(()),
            // SAFETY: `raw` was not stored: taken back once, here.
            Err(_) => Err(unsafe { P::from_raw(raw) }),
        }
    }

    /// What it was set to, set to `make()` first if it was empty.
    #[inline]
    pub(super) fn get_or_init(&self, make: impl FnOnce() -> P) -> &P::Target {
        if let Some(value) = self.get() {
            return value;
        }
        let _ = self.set(make());
        self.get().expect("set just above, or by another thread")
    }
}

impl<T> OnceOwned<Arc<T>> {
    /// A reference of its own to what it was set to, set to `make()` first
    /// if it was empty.
    #[inline]
    pub(super) fn get_or_init_cloned(&self, make: impl FnOnce() -> Arc<T>) -> Arc<T> {
        let value: *const T = self.get_or_init(make);
        // SAFETY: `value` is the `Arc` this cell owns, alive while `self`
        // is: one more reference, owned by the `Arc` made from it.
        unsafe {
            Arc::increment_strong_count(value);
            Arc::from_raw(value)
        }
    }
}

impl<P: Owner> Drop for OnceOwned<P> {
    fn drop(&mut self) {
        let raw = *self.ptr.get_mut();
        if !raw.is_null() {
            // SAFETY: the `P` this cell owns, dropped once, here.
            drop(unsafe { P::from_raw(raw) });
        }
    }
}

impl<P: Owner> std::fmt::Debug for OnceOwned<P>
where
    P::Target: std::fmt::Debug,
{
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("OnceOwned").field(&self.get()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_once_then_kept_and_dropped_with_the_cell() {
        let shared = Arc::new(5u32);
        let cell: OnceOwned<Arc<u32>> = OnceOwned::new();
        assert!(cell.get().is_none());
        assert!(cell.set(shared.clone()).is_ok());
        assert_eq!(*cell.set(Arc::new(6)).expect_err("set already"), 6);
        let again = cell.get_or_init_cloned(|| Arc::new(7));
        assert_eq!((*again, Arc::strong_count(&shared)), (5, 3));
        drop((cell, again));
        assert_eq!(Arc::strong_count(&shared), 1);
        let boxed: OnceOwned<Box<String>> = OnceOwned::new();
        assert_eq!(boxed.get_or_init(|| Box::new("x".into())), "x");
        assert_eq!(size_of::<OnceOwned<Box<String>>>(), 8);
    }
}
