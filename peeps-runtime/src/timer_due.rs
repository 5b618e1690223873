//! Whether a thread is parked with a timer due, or busy: the kernel's
//! record of the system call a thread is blocked in
//! (`/proc/self/task/<tid>/syscall`).
//!
//! A current-thread runtime's `block_on` polls its root with the
//! scheduler's waker, whose clones peeps cannot count, so a timer that
//! root waits on beside a peeps wait (a `select!` with an `interval`) is
//! invisible. But the runtime's thread, idle, parks in its I/O driver's
//! `epoll_wait`, with a timeout when a timer of the runtime is due and
//! with none when no timer is: a timeout says something peeps cannot see
//! wakes the runtime then, maybe its root.

/// `epoll_wait` and `epoll_pwait`'s numbers on this target (their timeout
/// is their fourth argument).
#[cfg(target_arch = "x86_64")]
const EPOLL_WAITS: &[u64] = &[232, 281];
#[cfg(target_arch = "aarch64")]
const EPOLL_WAITS: &[u64] = &[22];
#[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
const EPOLL_WAITS: &[u64] = &[];

/// The calls a thread's `block_on` parks in while its root waits: a
/// futex (a multi-thread runtime's parked thread, a condvar) or an
/// `epoll_wait` (a current-thread runtime's I/O driver).
#[cfg(target_arch = "x86_64")]
const PARKS: &[u64] = &[202, 449, 232, 281, 441];
#[cfg(target_arch = "aarch64")]
const PARKS: &[u64] = &[98, 449, 22, 441];
#[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
const PARKS: &[u64] = &[];

/// Whether thread `tid` of this process is busy, not parked: it runs, or
/// it is blocked in a call no `block_on` parks in (a sleep, a read, a
/// `select`): a thread root whose waits show pending is then inside a
/// poll doing something else (a blocking read beside a pinned wait, a
/// `block_in_place`), not waiting. `false` when not known.
pub(crate) fn busy(tid: i32) -> bool {
    if tid <= 0 || PARKS.is_empty() {
        return false;
    }
    std::fs::read_to_string(format!("/proc/self/task/{tid}/syscall"))
        .is_ok_and(|text| is_busy(&text))
}

/// [`busy`] of a `syscall` file's text: `running`, or a call's number
/// that is not a park (`-1 …`, blocked outside a call, is not known).
fn is_busy(text: &str) -> bool {
    match text.split_whitespace().next() {
        Some("running") => true,
        Some(word) => word.parse::<u64>().is_ok_and(|n| !PARKS.contains(&n)),
        None => false,
    }
}

/// The timeout, in ms, of the `epoll_wait` thread `tid` of this process is
/// blocked in, if it is blocked in one with a timeout (not `-1`).
pub(crate) fn epoll_timeout_ms(tid: i32) -> Option<u64> {
    if tid <= 0 || EPOLL_WAITS.is_empty() {
        return None;
    }
    let text = std::fs::read_to_string(format!("/proc/self/task/{tid}/syscall")).ok()?;
    parse(&text)
}

/// The timeout of an `epoll_wait` in a `syscall` file's text: the call's
/// number, then its arguments in hex (`running` or `-1 ...` when the
/// thread is not blocked in a call).
fn parse(text: &str) -> Option<u64> {
    let mut fields = text.split_whitespace();
    let number: u64 = fields.next()?.parse().ok()?;
    if !EPOLL_WAITS.contains(&number) {
        return None;
    }
    let timeout = fields.nth(3)?.strip_prefix("0x")?;
    // An `int`: its low 32 bits, signed.
    let timeout = u64::from_str_radix(timeout, 16).ok()? as u32 as i32;
    u64::try_from(timeout).ok()
}

#[cfg(all(test, target_arch = "x86_64"))]
mod tests {
    use super::{is_busy, parse};

    #[test]
    fn a_thread_parked_in_a_futex_or_epoll_is_not_busy_one_sleeping_or_reading_is() {
        assert!(!is_busy("202 0x7f12 0x80 0x2 0x0 0x0 0x0 0x1 0x2\n"));
        assert!(!is_busy("232 0x3 0x7f12 0x400 0xffffffff 0x0 0x0 0x1 0x2\n"));
        assert!(!is_busy("-1 0x7ffd 0x7f33\n"));
        assert!(is_busy("230 0x1 0x0 0x7ffd 0x0 0x0 0x0 0x1 0x2\n"));
        assert!(is_busy("0 0x5 0x7f12 0x1000 0x0 0x0 0x0 0x1 0x2\n"));
        assert!(is_busy("running\n"));
    }

    #[test]
    fn reads_an_epoll_waits_timeout() {
        assert_eq!(parse("232 0x3 0x7f12 0x400 0x4e20 0x0 0x0 0x7ffd 0x7f33\n"), Some(20_000));
        assert_eq!(parse("281 0x3 0x7f12 0x400 0x0 0x0 0x8 0x7ffd 0x7f33\n"), Some(0));
    }

    #[test]
    fn no_timeout_another_call_or_running_is_none() {
        assert_eq!(parse("232 0x3 0x7f12 0x400 0xffffffffffffffff 0x0 0x0 0x1 0x2\n"), None);
        assert_eq!(parse("232 0x3 0x7f12 0x400 0xffffffff 0x0 0x0 0x1 0x2\n"), None);
        assert_eq!(parse("202 0x7f12 0x80 0x2 0x0 0x0 0x0 0x1 0x2\n"), None);
        assert_eq!(parse("running\n"), None);
        assert_eq!(parse("-1 0x7ffd 0x7f33\n"), None);
    }
}
