//! tokio's panics inside a peeps wrapper name the user's call site, as they
//! do for tokio's own types (tokio's tests/sync_panic.rs checks this; the
//! regression: a blocking call made inside a closure, and a constructor's
//! helper without `#[track_caller]`, named peeps' own source instead).

use std::panic;
use std::sync::Mutex as StdMutex;

/// The source file of the panic `f` raises.
fn panic_location(f: impl FnOnce() + panic::UnwindSafe) -> String {
    static HOOK: StdMutex<()> = StdMutex::new(());
    let _serial = HOOK.lock().unwrap_or_else(|e| e.into_inner());
    let seen = std::sync::Arc::new(StdMutex::new(None));
    let prev = panic::take_hook();
    let out = seen.clone();
    panic::set_hook(Box::new(move |info| {
        let at = info.location().map(|l| l.file().to_owned());
        *out.lock().unwrap() = at;
    }));
    let r = panic::catch_unwind(f);
    panic::set_hook(prev);
    assert!(r.is_err(), "expected a panic");
    let at = seen.lock().unwrap().take();
    at.expect("the panic hook ran")
}

#[test]
fn zero_capacity_channel_panics_at_the_caller() {
    let at = panic_location(|| {
        let _ = peeps_sync::mpsc::channel::<u8>(0);
    });
    assert_eq!(at, file!());
}

#[test]
fn blocking_calls_inside_a_runtime_panic_at_the_caller() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let m = peeps_sync::Mutex::new(0u8);
    let at = rt.block_on(async {
        panic_location(panic::AssertUnwindSafe(|| {
            let _ = m.blocking_lock();
        }))
    });
    assert_eq!(at, file!());
    let (_tx, mut rx) = peeps_sync::mpsc::channel::<u8>(1);
    let at = rt.block_on(async {
        panic_location(panic::AssertUnwindSafe(|| {
            let _ = rx.blocking_recv();
        }))
    });
    assert_eq!(at, file!());
}
