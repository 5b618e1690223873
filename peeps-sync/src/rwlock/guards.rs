//! What the guards of an [`RwLock`](super::RwLock) do: map to a part of
//! the value, downgrade a write guard to a read guard (its `held_by` edge
//! becomes `as: read_guard`, taken at the downgrading call), dereference,
//! and print as the value they guard.

use super::TokioWrite;
use super::{
    OwnedRwLockMappedWriteGuard, OwnedRwLockReadGuard, OwnedRwLockWriteGuard, RwLock,
    RwLockMappedWriteGuard, RwLockReadGuard, RwLockWriteGuard,
};
use crate::core::{caller, fmt_via_deref, kept};
use peeps_runtime::__private::hold::{HoldAs, HoldGuard};
use peeps_runtime::__private::ownership::{Key, Mark};
use std::marker::PhantomData;
use std::ops::{Deref, DerefMut};
use std::sync::Arc;

impl<'a, T: ?Sized> RwLockReadGuard<'a, T> {
    /// Makes a read guard of a part of the value, as tokio's
    /// `RwLockReadGuard::map`.
    #[inline]
    pub fn map<F, U: ?Sized>(this: Self, f: F) -> RwLockReadGuard<'a, U>
    where
        F: FnOnce(&T) -> &U,
    {
        match Self::try_map(this, |v| Some(f(v))) {
            Ok(mapped) => mapped,
            Err(_) => unreachable!("`f` always returns `Some`"),
        }
    }

    /// As [`RwLockReadGuard::map`] when `f` returns `Some`.
    ///
    /// # Errors
    ///
    /// The original guard when `f` returns `None`.
    #[inline]
    pub fn try_map<F, U: ?Sized>(this: Self, f: F) -> Result<RwLockReadGuard<'a, U>, Self>
    where
        F: FnOnce(&T) -> Option<&U>,
    {
        let Some(data) = f(&*this).map(|d| d as *const U) else {
            return Err(this);
        };
        let RwLockReadGuard { hold, guard, .. } = this;
        Ok(RwLockReadGuard {
            hold,
            guard,
            data,
            _marker: PhantomData,
        })
    }
}

impl<T: ?Sized> Drop for RwLockWriteGuard<'_, T> {
    #[inline]
    fn drop(&mut self) {
        // SAFETY: the guard still holds the lock exclusively (`hold` and
        // `guard` drop after this).
        kept(self.hold.owner(), unsafe { &*self.data });
    }
}

impl<'a, T: ?Sized> RwLockWriteGuard<'a, T> {
    /// The guard's parts, its value searched for handles first (see
    /// [`kept`]) as a drop would.
    fn into_parts(self) -> (HoldGuard<'a>, TokioWrite<'a>, *mut T) {
        // SAFETY: the guard holds the lock exclusively.
        kept(self.hold.owner(), unsafe { &*self.data });
        let this = std::mem::ManuallyDrop::new(self);
        // SAFETY: `this` is never used or dropped again; each field is
        // moved out exactly once (`_marker` is zero sized).
        unsafe {
            (
                std::ptr::read(&this.hold),
                std::ptr::read(&this.guard),
                this.data,
            )
        }
    }
}

impl<T: ?Sized> Drop for OwnedRwLockWriteGuard<T> {
    #[inline]
    fn drop(&mut self) {
        // SAFETY: the guard still holds the lock exclusively.
        kept(self.hold.owner(), unsafe { &*self.lock.data.get() });
    }
}

impl<T: ?Sized> OwnedRwLockWriteGuard<T> {
    /// The guard's parts, its value searched for handles first (see
    /// [`kept`]) as a drop would.
    fn into_parts(
        self,
    ) -> (
        Mark,
        HoldGuard<'static>,
        TokioWrite<'static>,
        Arc<RwLock<T>>,
    ) {
        // SAFETY: the guard holds the lock exclusively.
        kept(self.hold.owner(), unsafe { &*self.lock.data.get() });
        let this = std::mem::ManuallyDrop::new(self);
        // SAFETY: `this` is never used or dropped again; each field is
        // moved out exactly once (`_marker` is zero sized).
        unsafe {
            (
                std::ptr::read(&this.mark),
                std::ptr::read(&this.hold),
                std::ptr::read(&this.guard),
                std::ptr::read(&this.lock),
            )
        }
    }
}

impl<'a, T: ?Sized> RwLockWriteGuard<'a, T> {
    /// Makes a write guard of a part of the value, as tokio's
    /// `RwLockWriteGuard::map`.
    #[inline]
    pub fn map<F, U: ?Sized>(this: Self, f: F) -> RwLockMappedWriteGuard<'a, U>
    where
        F: FnOnce(&mut T) -> &mut U,
    {
        match Self::try_map(this, |v| Some(f(v))) {
            Ok(mapped) => mapped,
            Err(_) => unreachable!("`f` always returns `Some`"),
        }
    }

    /// Downgrades to a read guard of a part of the value, atomically, as
    /// tokio's `downgrade_map`. The edge becomes `as: read_guard`, taken at
    /// this call's site.
    #[inline]
    #[track_caller]
    pub fn downgrade_map<F, U: ?Sized>(this: Self, f: F) -> RwLockReadGuard<'a, U>
    where
        F: FnOnce(&T) -> &U,
    {
        match Self::try_downgrade_map(this, |v| Some(f(v))) {
            Ok(mapped) => mapped,
            Err(_) => unreachable!("`f` always returns `Some`"),
        }
    }

    /// As [`RwLockWriteGuard::map`] when `f` returns `Some`.
    ///
    /// # Errors
    ///
    /// The original guard when `f` returns `None`.
    #[inline]
    pub fn try_map<F, U: ?Sized>(
        mut this: Self,
        f: F,
    ) -> Result<RwLockMappedWriteGuard<'a, U>, Self>
    where
        F: FnOnce(&mut T) -> Option<&mut U>,
    {
        let Some(data) = f(&mut *this).map(|d| d as *mut U) else {
            return Err(this);
        };
        let (hold, guard, _) = this.into_parts();
        Ok(RwLockMappedWriteGuard {
            hold,
            guard,
            data,
            _marker: PhantomData,
        })
    }

    /// As [`RwLockWriteGuard::downgrade_map`] when `f` returns `Some`.
    ///
    /// # Errors
    ///
    /// The original guard when `f` returns `None`.
    #[inline]
    #[track_caller]
    pub fn try_downgrade_map<F, U: ?Sized>(this: Self, f: F) -> Result<RwLockReadGuard<'a, U>, Self>
    where
        F: FnOnce(&T) -> Option<&U>,
    {
        let Some(data) = f(&*this).map(|d| d as *const U) else {
            return Err(this);
        };
        let (mut hold, guard, _) = this.into_parts();
        let guard = guard.downgrade();
        hold.reacquire(HoldAs::ReadGuard, true, caller());
        Ok(RwLockReadGuard {
            hold,
            guard,
            data,
            _marker: PhantomData,
        })
    }

    /// Converts into a mapped write guard of the whole value.
    #[inline]
    pub fn into_mapped(this: Self) -> RwLockMappedWriteGuard<'a, T> {
        let (hold, guard, data) = this.into_parts();
        RwLockMappedWriteGuard {
            hold,
            guard,
            data,
            _marker: PhantomData,
        }
    }

    /// Atomically downgrades to a read guard, as tokio's `downgrade`:
    /// waiting readers may proceed, writers still wait. The edge becomes
    /// `as: read_guard`, taken at this call's site.
    #[inline]
    #[track_caller]
    pub fn downgrade(self) -> RwLockReadGuard<'a, T> {
        let (mut hold, guard, data) = self.into_parts();
        let guard = guard.downgrade();
        hold.reacquire(HoldAs::ReadGuard, true, caller());
        RwLockReadGuard {
            hold,
            guard,
            data,
            _marker: PhantomData,
        }
    }
}

impl<'a, T: ?Sized> RwLockMappedWriteGuard<'a, T> {
    /// Maps further, as tokio's `RwLockMappedWriteGuard::map`.
    #[inline]
    pub fn map<F, U: ?Sized>(this: Self, f: F) -> RwLockMappedWriteGuard<'a, U>
    where
        F: FnOnce(&mut T) -> &mut U,
    {
        match Self::try_map(this, |v| Some(f(v))) {
            Ok(mapped) => mapped,
            Err(_) => unreachable!("`f` always returns `Some`"),
        }
    }

    /// Maps further when `f` returns `Some`.
    ///
    /// # Errors
    ///
    /// The original guard when `f` returns `None`.
    #[inline]
    pub fn try_map<F, U: ?Sized>(
        mut this: Self,
        f: F,
    ) -> Result<RwLockMappedWriteGuard<'a, U>, Self>
    where
        F: FnOnce(&mut T) -> Option<&mut U>,
    {
        let Some(data) = f(&mut *this).map(|d| d as *mut U) else {
            return Err(this);
        };
        let RwLockMappedWriteGuard { hold, guard, .. } = this;
        Ok(RwLockMappedWriteGuard {
            hold,
            guard,
            data,
            _marker: PhantomData,
        })
    }
}

impl<T: ?Sized, U: ?Sized> OwnedRwLockReadGuard<T, U> {
    /// Maps to a part of the value, as tokio's `OwnedRwLockReadGuard::map`.
    #[inline]
    pub fn map<F, V: ?Sized>(this: Self, f: F) -> OwnedRwLockReadGuard<T, V>
    where
        F: FnOnce(&U) -> &V,
    {
        match Self::try_map(this, |v| Some(f(v))) {
            Ok(mapped) => mapped,
            Err(_) => unreachable!("`f` always returns `Some`"),
        }
    }

    /// Maps when `f` returns `Some`.
    ///
    /// # Errors
    ///
    /// The original guard when `f` returns `None`.
    #[inline]
    pub fn try_map<F, V: ?Sized>(this: Self, f: F) -> Result<OwnedRwLockReadGuard<T, V>, Self>
    where
        F: FnOnce(&U) -> Option<&V>,
    {
        let Some(data) = f(&*this).map(|d| d as *const V) else {
            return Err(this);
        };
        let OwnedRwLockReadGuard {
            mark,
            hold,
            guard,
            lock,
            ..
        } = this;
        Ok(OwnedRwLockReadGuard {
            mark,
            hold,
            guard,
            data,
            lock,
            _unpin: PhantomData,
        })
    }

    /// The `Arc`'d lock this guard holds.
    pub fn rwlock(this: &Self) -> &Arc<RwLock<T>> {
        &this.lock
    }
}

impl<T: ?Sized> OwnedRwLockWriteGuard<T> {
    /// Maps to a part of the value, as tokio's `OwnedRwLockWriteGuard::map`.
    #[inline]
    pub fn map<F, U: ?Sized>(this: Self, f: F) -> OwnedRwLockMappedWriteGuard<T, U>
    where
        F: FnOnce(&mut T) -> &mut U,
    {
        match Self::try_map(this, |v| Some(f(v))) {
            Ok(mapped) => mapped,
            Err(_) => unreachable!("`f` always returns `Some`"),
        }
    }

    /// Downgrades to an owned read guard of a part of the value; the read
    /// hold records this call's site.
    #[inline]
    #[track_caller]
    pub fn downgrade_map<F, U: ?Sized>(this: Self, f: F) -> OwnedRwLockReadGuard<T, U>
    where
        F: FnOnce(&T) -> &U,
    {
        match Self::try_downgrade_map(this, |v| Some(f(v))) {
            Ok(mapped) => mapped,
            Err(_) => unreachable!("`f` always returns `Some`"),
        }
    }

    /// Maps when `f` returns `Some`.
    ///
    /// # Errors
    ///
    /// The original guard when `f` returns `None`.
    #[inline]
    pub fn try_map<F, U: ?Sized>(
        mut this: Self,
        f: F,
    ) -> Result<OwnedRwLockMappedWriteGuard<T, U>, Self>
    where
        F: FnOnce(&mut T) -> Option<&mut U>,
    {
        let Some(data) = f(&mut *this).map(|d| d as *mut U) else {
            return Err(this);
        };
        let (mark, hold, guard, lock) = this.into_parts();
        Ok(OwnedRwLockMappedWriteGuard {
            mark,
            hold,
            guard,
            data,
            lock,
            _unpin: PhantomData,
        })
    }

    /// Downgrades when `f` returns `Some`; the read hold records this
    /// call's site.
    ///
    /// # Errors
    ///
    /// The original guard when `f` returns `None`.
    #[inline]
    #[track_caller]
    pub fn try_downgrade_map<F, U: ?Sized>(
        this: Self,
        f: F,
    ) -> Result<OwnedRwLockReadGuard<T, U>, Self>
    where
        F: FnOnce(&T) -> Option<&U>,
    {
        let Some(data) = f(&*this).map(|d| d as *const U) else {
            return Err(this);
        };
        let (_, mut hold, guard, lock) = this.into_parts();
        let guard = guard.downgrade();
        let mark = Mark::new(Key::hold(
            lock.set().owner(),
            hold.reacquire_movable(HoldAs::ReadGuard, caller()),
        ));
        Ok(OwnedRwLockReadGuard {
            mark,
            hold,
            guard,
            data,
            lock,
            _unpin: PhantomData,
        })
    }

    /// Converts into an owned mapped guard of the whole value.
    #[inline]
    pub fn into_mapped(this: Self) -> OwnedRwLockMappedWriteGuard<T> {
        let (mark, hold, guard, lock) = this.into_parts();
        let data = lock.data.get();
        OwnedRwLockMappedWriteGuard {
            mark,
            hold,
            guard,
            data,
            lock,
            _unpin: PhantomData,
        }
    }

    /// Atomically downgrades to an owned read guard; the read hold records
    /// this call's site.
    #[inline]
    #[track_caller]
    pub fn downgrade(self) -> OwnedRwLockReadGuard<T> {
        let (_, mut hold, guard, lock) = self.into_parts();
        let guard = guard.downgrade();
        let mark = Mark::new(Key::hold(
            lock.set().owner(),
            hold.reacquire_movable(HoldAs::ReadGuard, caller()),
        ));
        let data = lock.data.get();
        OwnedRwLockReadGuard {
            mark,
            hold,
            guard,
            data,
            lock,
            _unpin: PhantomData,
        }
    }

    /// The `Arc`'d lock this guard holds.
    pub fn rwlock(this: &Self) -> &Arc<RwLock<T>> {
        &this.lock
    }
}

impl<T: ?Sized, U: ?Sized> OwnedRwLockMappedWriteGuard<T, U> {
    /// Maps further.
    #[inline]
    pub fn map<F, V: ?Sized>(this: Self, f: F) -> OwnedRwLockMappedWriteGuard<T, V>
    where
        F: FnOnce(&mut U) -> &mut V,
    {
        match Self::try_map(this, |v| Some(f(v))) {
            Ok(mapped) => mapped,
            Err(_) => unreachable!("`f` always returns `Some`"),
        }
    }

    /// Maps further when `f` returns `Some`.
    ///
    /// # Errors
    ///
    /// The original guard when `f` returns `None`.
    #[inline]
    pub fn try_map<F, V: ?Sized>(
        mut this: Self,
        f: F,
    ) -> Result<OwnedRwLockMappedWriteGuard<T, V>, Self>
    where
        F: FnOnce(&mut U) -> Option<&mut V>,
    {
        let Some(data) = f(&mut *this).map(|d| d as *mut V) else {
            return Err(this);
        };
        let OwnedRwLockMappedWriteGuard {
            mark,
            hold,
            guard,
            lock,
            ..
        } = this;
        Ok(OwnedRwLockMappedWriteGuard {
            mark,
            hold,
            guard,
            data,
            lock,
            _unpin: PhantomData,
        })
    }

    /// The `Arc`'d lock this guard holds.
    pub fn rwlock(this: &Self) -> &Arc<RwLock<T>> {
        &this.lock
    }
}

macro_rules! deref_impls {
    (read: $([$($g:tt)*] $ty:ty => $target:ty),* $(,)?) => {$(
        impl<$($g)*> Deref for $ty {
            type Target = $target;
            #[inline]
            fn deref(&self) -> &$target {
                // SAFETY: points into the value while the lock is held.
                unsafe { &*self.data }
            }
        }
    )*};
    (write: $([$($g:tt)*] $ty:ty => $target:ty),* $(,)?) => {$(
        deref_impls!(read: [$($g)*] $ty => $target);
        impl<$($g)*> DerefMut for $ty {
            #[inline]
            fn deref_mut(&mut self) -> &mut $target {
                // SAFETY: points into the value while the write lock is held.
                unsafe { &mut *self.data }
            }
        }
    )*};
}

deref_impls!(read:
    ['a, T: ?Sized] RwLockReadGuard<'a, T> => T,
    [T: ?Sized, U: ?Sized] OwnedRwLockReadGuard<T, U> => U,
);
deref_impls!(write:
    ['a, T: ?Sized] RwLockWriteGuard<'a, T> => T,
    ['a, T: ?Sized] RwLockMappedWriteGuard<'a, T> => T,
    [T: ?Sized, U: ?Sized] OwnedRwLockMappedWriteGuard<T, U> => U,
);

impl<T: ?Sized> Deref for OwnedRwLockWriteGuard<T> {
    type Target = T;
    #[inline]
    fn deref(&self) -> &T {
        // SAFETY: the write lock is held.
        unsafe { &*self.lock.data.get() }
    }
}

impl<T: ?Sized> DerefMut for OwnedRwLockWriteGuard<T> {
    #[inline]
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: the write lock is held exclusively.
        unsafe { &mut *self.lock.data.get() }
    }
}

fmt_via_deref! {
    ['a, T: ?Sized] RwLockReadGuard<'a, T>,
    ['a, T: ?Sized] RwLockWriteGuard<'a, T>,
    ['a, T: ?Sized] RwLockMappedWriteGuard<'a, T>,
    [T: ?Sized, U: ?Sized] OwnedRwLockReadGuard<T, U>,
    [T: ?Sized] OwnedRwLockWriteGuard<T>,
    [T: ?Sized, U: ?Sized] OwnedRwLockMappedWriteGuard<T, U>,
}
