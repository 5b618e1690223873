//! The one place peeps-sync extends a borrow's lifetime: an owned guard
//! (`lock_owned`, `read_owned`, `acquire_owned`, `notified_owned`) keeps
//! tokio's borrowing guard of a lock inside the `Arc` it also keeps.

/// A tokio guard or future borrowing a lock for `'a`, and the same type
/// borrowing it for `'static`. Implemented only for the types below: the
/// two differ in their lifetime only, so they have one layout.
pub(crate) trait Borrowing<'a>: Sized {
    /// The same type, borrowing for `'static`.
    type Static: 'static;
}

impl<'a> Borrowing<'a> for tokio::sync::MutexGuard<'a, ()> {
    type Static = tokio::sync::MutexGuard<'static, ()>;
}
impl<'a> Borrowing<'a> for tokio::sync::RwLockReadGuard<'a, ()> {
    type Static = tokio::sync::RwLockReadGuard<'static, ()>;
}
impl<'a> Borrowing<'a> for tokio::sync::RwLockWriteGuard<'a, ()> {
    type Static = tokio::sync::RwLockWriteGuard<'static, ()>;
}
impl<'a> Borrowing<'a> for tokio::sync::SemaphorePermit<'a> {
    type Static = tokio::sync::SemaphorePermit<'static>;
}
impl<'a> Borrowing<'a> for tokio::sync::futures::Notified<'a> {
    type Static = tokio::sync::futures::Notified<'static>;
}

/// Detaches `borrowing`'s lifetime from the borrow of the `Arc` it came
/// from, so that the `Arc` can move into the owned guard with it.
///
/// # Safety
///
/// What `borrowing` borrows lives inside an `Arc` allocation that the
/// value returned is stored next to, in an owned guard that keeps that
/// `Arc` and drops it *after* the returned value (field order), and never
/// hands the `'static` borrow out. The allocation does not move while an
/// `Arc` to it lives, so the borrow stays valid for the value's life.
#[inline]
pub(crate) unsafe fn detach<'a, B: Borrowing<'a>>(borrowing: B) -> B::Static {
    const {
        assert!(std::mem::size_of::<B>() == std::mem::size_of::<B::Static>());
        assert!(std::mem::align_of::<B>() == std::mem::align_of::<B::Static>());
    }
    let borrowing = std::mem::ManuallyDrop::new(borrowing);
    // SAFETY: `B` and `B::Static` are one type but for a lifetime (the
    // impls above), so one layout (checked above); the caller keeps what
    // is borrowed alive for the new lifetime; `borrowing` is not dropped.
    unsafe { std::mem::transmute_copy::<B, B::Static>(&borrowing) }
}
