//! Every wrapper is `Send`, `Sync`, `Unpin`, `UnwindSafe` and
//! `RefUnwindSafe` exactly when the type it replaces is (as tokio's
//! tests/async_send_sync.rs checks tokio's), for payloads that are
//! Send+Sync, neither, Send only, Sync only, !Unpin, !UnwindSafe and
//! !RefUnwindSafe. (The error types and the rest that peeps re-exports
//! from tokio are tokio's own types.)
#![allow(dead_code)]

use std::cell::Cell;
use std::marker::{PhantomData, PhantomPinned};
use std::panic::{RefUnwindSafe, UnwindSafe};
use std::rc::Rc;

/// Resolves to the inherent consts when `T` has the trait, else to the
/// traits' defaults: the auto traits of a concrete type as booleans.
struct Probe<T: ?Sized>(PhantomData<T>);
trait NotSend {
    const SEND: bool = false;
}
trait NotSync {
    const SYNC: bool = false;
}
trait NotUnpin {
    const UNPIN: bool = false;
}
trait NotUnwindSafe {
    const UNWIND_SAFE: bool = false;
}
trait NotRefUnwindSafe {
    const REF_UNWIND_SAFE: bool = false;
}
impl<T: ?Sized> NotSend for Probe<T> {}
impl<T: ?Sized> NotSync for Probe<T> {}
impl<T: ?Sized> NotUnpin for Probe<T> {}
impl<T: ?Sized> NotUnwindSafe for Probe<T> {}
impl<T: ?Sized> NotRefUnwindSafe for Probe<T> {}
impl<T: ?Sized + Send> Probe<T> {
    const SEND: bool = true;
}
impl<T: ?Sized + Sync> Probe<T> {
    const SYNC: bool = true;
}
impl<T: ?Sized + Unpin> Probe<T> {
    const UNPIN: bool = true;
}
impl<T: ?Sized + UnwindSafe> Probe<T> {
    const UNWIND_SAFE: bool = true;
}
impl<T: ?Sized + RefUnwindSafe> Probe<T> {
    const REF_UNWIND_SAFE: bool = true;
}

macro_rules! traits {
    ($t:ty) => {
        (
            Probe::<$t>::SEND,
            Probe::<$t>::SYNC,
            Probe::<$t>::UNPIN,
            Probe::<$t>::UNWIND_SAFE,
            Probe::<$t>::REF_UNWIND_SAFE,
        )
    };
}

/// Send+Sync, neither, Send only (and !RefUnwindSafe), Sync only, !Unpin,
/// !UnwindSafe.
type SyncOnly = std::sync::MutexGuard<'static, u8>;
type MutRef = &'static mut u8;

macro_rules! same {
    ($($peeps:ident = $other:ident;)*) => {{
        let mut wrong = Vec::new();
        $(same!(@each wrong, $peeps, $other, u8, Rc<u8>, Cell<u8>, SyncOnly, PhantomPinned, MutRef);)*
        assert!(
            wrong.is_empty(),
            "(Send, Sync, Unpin, UnwindSafe, RefUnwindSafe) differ:\n{}",
            wrong.join("\n")
        );
    }};
    (@each $wrong:ident, $peeps:ident, $other:ident, $($x:ty),*) => {$(
        if traits!($peeps<$x>) != traits!($other<$x>) {
            $wrong.push(format!(
                "{}<{}>: {:?}, {} has {:?}",
                stringify!($peeps),
                stringify!($x),
                traits!($peeps<$x>),
                stringify!($other),
                traits!($other<$x>),
            ));
        }
    )*};
}

mod p {
    pub(super) use peeps_sync::*;
}
mod t {
    pub(super) use tokio::sync::*;
}

type PMutex<X> = p::Mutex<X>;
type TMutex<X> = t::Mutex<X>;
type PMutexGuard<X> = p::MutexGuard<'static, X>;
type TMutexGuard<X> = t::MutexGuard<'static, X>;
type POwnedMutexGuard<X> = p::OwnedMutexGuard<X>;
type TOwnedMutexGuard<X> = t::OwnedMutexGuard<X>;
type PMappedMutexGuard<X> = p::MappedMutexGuard<'static, X>;
type TMappedMutexGuard<X> = t::MappedMutexGuard<'static, X>;
type POwnedMappedMutexGuard<X> = p::OwnedMappedMutexGuard<X, X>;
type TOwnedMappedMutexGuard<X> = t::OwnedMappedMutexGuard<X, X>;
type PRwLock<X> = p::RwLock<X>;
type TRwLock<X> = t::RwLock<X>;
type PRead<X> = p::RwLockReadGuard<'static, X>;
type TRead<X> = t::RwLockReadGuard<'static, X>;
type PWrite<X> = p::RwLockWriteGuard<'static, X>;
type TWrite<X> = t::RwLockWriteGuard<'static, X>;
type PMappedWrite<X> = p::RwLockMappedWriteGuard<'static, X>;
type TMappedWrite<X> = t::RwLockMappedWriteGuard<'static, X>;
type POwnedRead<X> = p::OwnedRwLockReadGuard<X, X>;
type TOwnedRead<X> = t::OwnedRwLockReadGuard<X, X>;
type POwnedWrite<X> = p::OwnedRwLockWriteGuard<X>;
type TOwnedWrite<X> = t::OwnedRwLockWriteGuard<X>;
type POwnedMappedWrite<X> = p::OwnedRwLockMappedWriteGuard<X, X>;
type TOwnedMappedWrite<X> = t::OwnedRwLockMappedWriteGuard<X, X>;
type POnceCell<X> = p::OnceCell<X>;
type TOnceCell<X> = t::OnceCell<X>;
type PSender<X> = p::mpsc::Sender<X>;
type TSender<X> = t::mpsc::Sender<X>;
type PReceiver<X> = p::mpsc::Receiver<X>;
type TReceiver<X> = t::mpsc::Receiver<X>;
type PWeakSender<X> = p::mpsc::WeakSender<X>;
type TWeakSender<X> = t::mpsc::WeakSender<X>;
type PPermit<X> = p::mpsc::Permit<'static, X>;
type TPermit<X> = t::mpsc::Permit<'static, X>;
type PPermitIter<X> = p::mpsc::PermitIterator<'static, X>;
type TPermitIter<X> = t::mpsc::PermitIterator<'static, X>;
type POwnedPermit<X> = p::mpsc::OwnedPermit<X>;
type TOwnedPermit<X> = t::mpsc::OwnedPermit<X>;
type PUSender<X> = p::mpsc::UnboundedSender<X>;
type TUSender<X> = t::mpsc::UnboundedSender<X>;
type PUReceiver<X> = p::mpsc::UnboundedReceiver<X>;
type TUReceiver<X> = t::mpsc::UnboundedReceiver<X>;
type PUWeak<X> = p::mpsc::WeakUnboundedSender<X>;
type TUWeak<X> = t::mpsc::WeakUnboundedSender<X>;
type POSender<X> = p::oneshot::Sender<X>;
type TOSender<X> = t::oneshot::Sender<X>;
type POReceiver<X> = p::oneshot::Receiver<X>;
type TOReceiver<X> = t::oneshot::Receiver<X>;
type PBSender<X> = p::broadcast::Sender<X>;
type TBSender<X> = t::broadcast::Sender<X>;
type PBReceiver<X> = p::broadcast::Receiver<X>;
type TBReceiver<X> = t::broadcast::Receiver<X>;
type PBWeak<X> = p::broadcast::WeakSender<X>;
type TBWeak<X> = t::broadcast::WeakSender<X>;
type PWSender<X> = p::watch::Sender<X>;
type TWSender<X> = t::watch::Sender<X>;
type PWReceiver<X> = p::watch::Receiver<X>;
type TWReceiver<X> = t::watch::Receiver<X>;
type PWRef<X> = p::watch::Ref<'static, X>;
type TWRef<X> = t::watch::Ref<'static, X>;
type PLMutex<X> = p::blocking::Mutex<X>;
type LMutex<X> = parking_lot::Mutex<X>;
type PLMutexGuard<X> = p::blocking::MutexGuard<'static, X>;
type LMutexGuard<X> = parking_lot::MutexGuard<'static, X>;
type PLMapped<X> = p::blocking::MappedMutexGuard<'static, X>;
type LMapped<X> = parking_lot::MappedMutexGuard<'static, X>;
type PLRwLock<X> = p::blocking::RwLock<X>;
type LRwLock<X> = parking_lot::RwLock<X>;
type PLRead<X> = p::blocking::RwLockReadGuard<'static, X>;
type LRead<X> = parking_lot::RwLockReadGuard<'static, X>;
type PLWrite<X> = p::blocking::RwLockWriteGuard<'static, X>;
type LWrite<X> = parking_lot::RwLockWriteGuard<'static, X>;
type PLUp<X> = p::blocking::RwLockUpgradableReadGuard<'static, X>;
type LUp<X> = parking_lot::RwLockUpgradableReadGuard<'static, X>;
type PLMRead<X> = p::blocking::MappedRwLockReadGuard<'static, X>;
type LMRead<X> = parking_lot::MappedRwLockReadGuard<'static, X>;
type PLMWrite<X> = p::blocking::MappedRwLockWriteGuard<'static, X>;
type LMWrite<X> = parking_lot::MappedRwLockWriteGuard<'static, X>;

#[test]
fn generic_wrappers_match_what_they_replace() {
    same! {
        PMutex = TMutex; PMutexGuard = TMutexGuard; POwnedMutexGuard = TOwnedMutexGuard;
        PMappedMutexGuard = TMappedMutexGuard; POwnedMappedMutexGuard = TOwnedMappedMutexGuard;
        PRwLock = TRwLock; PRead = TRead; PWrite = TWrite; PMappedWrite = TMappedWrite;
        POwnedRead = TOwnedRead; POwnedWrite = TOwnedWrite; POwnedMappedWrite = TOwnedMappedWrite;
        POnceCell = TOnceCell;
        PSender = TSender; PReceiver = TReceiver; PWeakSender = TWeakSender; PPermit = TPermit;
        PPermitIter = TPermitIter; POwnedPermit = TOwnedPermit;
        PUSender = TUSender; PUReceiver = TUReceiver; PUWeak = TUWeak;
        POSender = TOSender; POReceiver = TOReceiver;
        PBSender = TBSender; PBReceiver = TBReceiver; PBWeak = TBWeak;
        PWSender = TWSender; PWReceiver = TWReceiver; PWRef = TWRef;
        PLMutex = LMutex; PLMutexGuard = LMutexGuard; PLMapped = LMapped;
        PLRwLock = LRwLock; PLRead = LRead; PLWrite = LWrite; PLUp = LUp; PLMRead = LMRead; PLMWrite = LMWrite;
    }
}

#[test]
fn plain_wrappers_match_what_they_replace() {
    let mut wrong = Vec::new();
    macro_rules! plain {
        ($($peeps:ty = $other:ty;)*) => {$(
            if traits!($peeps) != traits!($other) {
                wrong.push(format!(
                    "{}: {:?}, {} has {:?}",
                    stringify!($peeps),
                    traits!($peeps),
                    stringify!($other),
                    traits!($other),
                ));
            }
        )*};
    }
    plain! {
        p::Semaphore = t::Semaphore;
        p::SemaphorePermit<'static> = t::SemaphorePermit<'static>;
        p::OwnedSemaphorePermit = t::OwnedSemaphorePermit;
        p::Notify = t::Notify;
        p::futures::Notified<'static> = t::futures::Notified<'static>;
        p::futures::OwnedNotified = t::futures::OwnedNotified;
        p::Barrier = t::Barrier;
    }
    assert!(
        wrong.is_empty(),
        "(Send, Sync, Unpin, UnwindSafe, RefUnwindSafe) differ:\n{}",
        wrong.join("\n")
    );
}

fn send_sync<T: Send + Sync>(_: &T) {}
fn send<T: Send>(_: &T) {}

/// The futures of async methods are unnameable: check them by value, for
/// a Send+Sync payload, as tokio's own test does.
#[allow(clippy::let_underscore_future)]
#[test]
fn async_method_futures_are_send_and_sync() {
    let m = std::sync::Arc::new(p::Mutex::new(0u8));
    send_sync(&m.lock());
    send_sync(&m.clone().lock_owned());
    let l = std::sync::Arc::new(p::RwLock::new(0u8));
    send_sync(&l.read());
    send_sync(&l.write());
    send_sync(&l.clone().read_owned());
    send_sync(&l.clone().write_owned());
    let s = std::sync::Arc::new(p::Semaphore::new(1));
    send_sync(&s.acquire());
    send_sync(&s.acquire_many(1));
    send_sync(&s.clone().acquire_owned());
    send_sync(&p::Barrier::new(1).wait());
    let c = p::OnceCell::<u8>::new();
    send_sync(&c.get_or_init(|| async { 1 }));
    let (tx, mut rx) = p::mpsc::channel::<u8>(1);
    send_sync(&tx.send(1));
    send_sync(&tx.reserve());
    send_sync(&tx.closed());
    send_sync(&rx.recv());
    let (btx, mut brx) = p::broadcast::channel::<u8>(1);
    send_sync(&brx.recv());
    drop(btx);
    let (wtx, mut wrx) = p::watch::channel(0u8);
    send_sync(&wrx.changed());
    send(&wtx.closed());
}
