//! Where a plain tokio task's state lives: the task's cell.
//!
//! A peeps task knows where its pinned future is, so a handle used from
//! inside it is the task's own (`context::context_owns`). A task spawned
//! with plain `tokio::spawn` is polled by tokio, which keeps its future in
//! the task's cell: one allocation that starts with the task's header (the
//! data of the task's waker) and ends, after the future, with a trailer at
//! an offset the cell's vtable gives. A handle used from inside `[header,
//! header + trailer offset)` was moved into the task, or is a local the
//! task keeps across an `.await`: the task's own, as in a peeps task.
//!
//! The header of the task polling now is found once per task and thread:
//! from the waker [`crate::task_waker`] keeps for the task once it waited,
//! else by searching this thread's stack above the caller for the waker
//! tokio polls the task with (a pair of words: a header and tokio's task
//! waker vtable). A candidate counts only if it is aligned as a cell is
//! and its cell carries the id of the task polling now, read through
//! `process_vm_readv`, which fails instead of faulting (a stale copy of
//! another task's waker may point to memory given back); only the cell of
//! the task polling now, alive, is read directly.
//!
//! At snapshot time the cells of plain tasks that are neither running nor
//! queued are searched for handles ([`scan_idle`]), as a blocked peeps
//! task's state is: the tasks whose waker `task_waker` keeps (each waited
//! on a peeps primitive), the cell read between two reads of the task's
//! state word, which must agree.
//!
//! This reads tokio's private layout (tokio 1.x's `Header`, whose third
//! word is its vtable, that vtable's trailer offset, and the id's offset),
//! learned once from two tasks of a runtime of peeps' own whose futures
//! differ in size: the one vtable word that bounds each future from above
//! and moves with its size, and the one that locates each task's id (the
//! same offset in both). When either is not exactly one word, no cell is
//! known and a plain task's use proves nothing, as before.
//!
//! A future larger than tokio's boxing threshold (2 KiB in a debug build,
//! 16 KiB in release) is boxed by `spawn`: its cell holds the box's
//! pointer, and a use from inside the box is not known as the task's (a
//! miss, never an alarm).

use crate::ownership::{Key, scan_bytes};
use crate::sampler::resolve::code_at;
use peeps_graph::NodeId;
use std::cell::Cell;
use std::sync::OnceLock;
use std::task::Poll;

/// What peeps reads of tokio's layout, learned once.
#[derive(Debug, Clone, Copy)]
struct Layout {
    /// The address of tokio's task waker vtable.
    waker_vtable: usize,
    /// Which word of a `Waker` is its data pointer (0 or 1).
    data_word: usize,
    /// Which word of a task's vtable is the offset of its trailer.
    trailer_word: usize,
    /// The offset of a task's id in its cell (after the header and the
    /// scheduler handle: the same for every task of a runtime's kind).
    id_offset: usize,
    /// Which word of a task's vtable is that offset (a `spawn_blocking`
    /// task's scheduler is another type: its id is elsewhere).
    id_word: usize,
}

const WORD: usize = std::mem::size_of::<usize>();
/// The offset of a task header's vtable pointer (after its state and its
/// queue link: tokio's `Header` is `repr(C)`).
const HEADER_VTABLE: usize = 2 * WORD;
/// How many words of a task vtable are searched (its seven functions and
/// three offsets).
const VTABLE_WORDS: usize = 10;
/// A cell larger than this is not believed (tokio boxes a future past
/// 16 KiB).
const MAX_CELL: usize = 64 << 10;
/// How far above the caller the stack is searched for the task's waker.
const STACK_SEARCH: usize = 1 << 20;
/// The alignment of a task's cell (tokio aligns it to 128 bytes on these
/// targets, to keep the header on cache lines of its own): a stack word
/// pointing elsewhere is no header, and is not read.
#[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
const CELL_ALIGN: usize = 128;
#[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
const CELL_ALIGN: usize = WORD;

static LAYOUT: OnceLock<Option<Layout>> = OnceLock::new();

thread_local! {
    /// The plain task whose cell this thread found last: its number and
    /// `[start, end)` (empty when not found). A task's cell does not move
    /// while it lives, and task numbers are never reused.
    static LAST: Cell<(u64, usize, usize)> = const { Cell::new((0, 0, 0)) };
}

/// Whether `addr` lies inside the cell of the plain tokio task polling now
/// (false outside one, or when its cell is not known).
pub(crate) fn current_owns(addr: usize) -> bool {
    let Some(task) = tokio::task::try_id() else {
        return false;
    };
    let number = crate::ambient::task_number(task);
    let (last, start, end) = LAST.try_with(Cell::get).unwrap_or_default();
    let (start, end) = if last == number {
        (start, end)
    } else {
        let found = find(task, number, addr).unwrap_or((0, 0));
        let _ = LAST.try_with(|c| c.set((number, found.0, found.1)));
        found
    };
    addr >= start && addr < end
}

/// The cell `[header, trailer)` of the task polling now, numbered `number`,
/// asked about live memory at `addr`.
fn find(task: tokio::task::Id, number: u64, addr: usize) -> Option<(usize, usize)> {
    let layout = (*LAYOUT.get_or_init(learn))?;
    let kept = crate::task_waker::with_kept(crate::ambient::foreign_id(task), |header| {
        // SAFETY: `with_kept` passes the header of a task whose waker's
        // clone it keeps meanwhile: alive.
        let cell = unsafe { cell_of(layout, header) };
        cell.map(|(id, end)| (id, header, end))
    });
    if let Some((id, header, end)) = kept.flatten()
        && id == number
    {
        return Some((header, end));
    }
    on_stack(layout, number, addr)
}

/// Which word of a `Waker` is its data pointer, learning tokio's layout if
/// not yet done (then [`trailer_of`] can answer).
pub(crate) fn waker_data_word() -> Option<usize> {
    LAYOUT.get_or_init(learn).map(|layout| layout.data_word)
}

/// The address of the trailer of the task whose header is `header`, once
/// tokio's layout is learned.
///
/// # Safety
///
/// `header` is the header of a live tokio task.
pub(crate) unsafe fn trailer_of(header: usize) -> Option<usize> {
    let layout = LAYOUT.get().copied().flatten()?;
    // SAFETY: as the caller says.
    unsafe { cell_of(layout, header) }.map(|(_, end)| end)
}

/// The number of the task whose cell is at `header`, and where the cell
/// ends, as the cell's vtable says.
///
/// # Safety
///
/// `header` is the header of a live tokio task.
unsafe fn cell_of(layout: Layout, header: usize) -> Option<(u64, usize)> {
    let cell = cell_read(layout, header, |a| {
        // SAFETY: `cell_read` reads only the header's vtable word, words of
        // that vtable (a static), and one word of the cell below its
        // trailer: all alive as the caller says.
        Some(unsafe { std::ptr::read_volatile(a as *const usize) })
    });
    cell.map(|(id, end)| (id as u64, end))
}

/// The id word of the task whose cell is at `header`, and where the cell
/// ends, as the cell's vtable says, each word read with `word` (`None`
/// where it has none): the header's vtable pointer, two words of that
/// vtable, then, only when they describe a cell, the id word, inside
/// `[header, trailer)`. Nothing else is read.
fn cell_read(layout: Layout, header: usize, mut word: impl FnMut(usize) -> Option<usize>) -> Option<(usize, usize)> {
    let vtable = word(header.checked_add(HEADER_VTABLE)?)?;
    let trailer = word(vtable.checked_add(layout.trailer_word * WORD)?)?;
    // Where its own vtable says: a `spawn_blocking` task's id is not where
    // a runtime task's is.
    let id_offset = word(vtable.checked_add(layout.id_word * WORD)?)?;
    // Checked: a stale copy of a waker on a stack may point to memory
    // that holds anything now.
    if id_offset < HEADER_VTABLE + WORD || id_offset.checked_add(WORD)? > trailer || trailer > MAX_CELL {
        return None;
    }
    Some((word(header.checked_add(id_offset)?)?, header.checked_add(trailer)?))
}

/// At snapshot time: the marks of movable handles inside the cells of the
/// plain tasks that are not running nor queued to run now (each one whose
/// waker `task_waker` keeps: it waited on a peeps primitive), within
/// `budget` bytes, which it uses up. A cell is read between two reads of
/// its task's state word; a task that ran meanwhile, or changed state,
/// has what was read thrown away (as a peeps task's state is, see
/// `task::StateGate`).
pub(crate) fn scan_idle(budget: &mut usize, found: &mut dyn FnMut(Key, NodeId)) {
    let Some(Some(layout)) = LAYOUT.get().copied() else {
        return;
    };
    crate::task_waker::each_kept(|root, header| {
        use crate::task_waker::{COMPLETE, NOTIFIED, RUNNING, state_at};
        // SAFETY (here and below): `each_kept` passes the header of a task
        // whose waker's clone it keeps meanwhile: alive.
        let state = || unsafe { state_at(header) };
        // SAFETY: as above.
        let Some((_, end)) = (unsafe { cell_of(layout, header) }) else {
            return;
        };
        let len = end - header;
        let before = state();
        if before & (RUNNING | NOTIFIED | COMPLETE) != 0 || len > *budget {
            return;
        }
        *budget -= len;
        let mut keys = Vec::new();
        // SAFETY: the cell is alive while its waker's clone is kept (this
        // runs under the slot's lock) and `[header, end)` is inside it; a
        // poll may write it meanwhile, which the second read of the state
        // throws away.
        unsafe { scan_bytes(header as *const u8, len, |k| keys.push(k)) };
        std::sync::atomic::fence(std::sync::atomic::Ordering::Acquire);
        if state() == before {
            for key in keys {
                found(key, root);
            }
        }
    });
}

/// Searches this thread's stack above the caller for the waker tokio polls
/// task `number` with, and returns that task's cell. `addr` is live memory
/// (the handle being used): a candidate in its 4 KiB block is mapped.
#[inline(never)]
fn on_stack(layout: Layout, number: u64, addr: usize) -> Option<(usize, usize)> {
    stack_headers(layout, |header| {
        // A stale copy of another task's waker may point to memory given
        // back: its id is read without faulting (directly when it lies in
        // the block of live `addr`: a cell's id is within its first
        // aligned bytes), and only the cell of the task polling now
        // (alive) is read further.
        if id_at(layout, header, addr) == Some(number as usize)
            // SAFETY: the task polling now is alive.
            && let Some((_, end)) = unsafe { cell_of(layout, header) }
        {
            return Some((header, end));
        }
        None
    })
}

/// Calls `check` with each header of a tokio task waker found on this
/// thread's stack above the caller (aligned as a cell is), nearest first,
/// until it answers.
#[inline(always)]
fn stack_headers<R>(layout: Layout, mut check: impl FnMut(usize) -> Option<R>) -> Option<R> {
    let here = std::hint::black_box(0usize);
    let from = (std::ptr::from_ref(&here) as usize + WORD) & !(WORD - 1);
    let to = crate::context::stack_top().min(from.saturating_add(STACK_SEARCH));
    let mut at = from;
    while at + 2 * WORD <= to {
        // SAFETY: `[from, to)` is this thread's live stack, above this frame
        // (mapped and readable; uninitialised bytes read as `MaybeUninit`
        // and only compared).
        let word = |a: usize| unsafe { std::ptr::read_volatile(a as *const std::mem::MaybeUninit<usize>).assume_init() };
        if word(at + (1 - layout.data_word) * WORD) == layout.waker_vtable {
            let header = word(at + layout.data_word * WORD);
            if header % CELL_ALIGN == 0
                && let Some(found) = check(header)
            {
                return Some(found);
            }
        }
        at += WORD;
    }
    None
}

/// The header of the cell of task `number`, polling now on this thread and
/// making a blocking call (a `spawn_blocking` closure's, most often),
/// found on the stack as [`on_stack`] does; its id is read where the
/// candidate's own vtable says (a blocking task's scheduler differs from
/// a runtime's), every word through a call that fails instead of faulting.
/// Cold: once per such task.
#[inline(never)]
pub(crate) fn blocking_header(number: u64) -> Option<usize> {
    let layout = (*LAYOUT.get_or_init(learn))?;
    stack_headers(layout, |header| {
        let (id, _) = cell_read(layout, header, word_at)?;
        (id == number as usize).then_some(header)
    })
}

/// The id word of a candidate cell at `header` (aligned as a cell), read
/// directly when it shares live memory `addr`'s 4 KiB block (the smallest
/// page: mapped), else through a call that fails instead of faulting.
fn id_at(layout: Layout, header: usize, addr: usize) -> Option<usize> {
    const BLOCK: usize = 4096;
    let at = header.checked_add(layout.id_offset)?;
    if at / BLOCK == addr / BLOCK && at % WORD == 0 {
        // SAFETY: `at` is in the same 4 KiB block as live `addr`, so on a
        // mapped page; aligned; only compared.
        Some(unsafe { std::ptr::read_volatile(at as *const std::mem::MaybeUninit<usize>).assume_init() })
    } else {
        word_at(at)
    }
}

/// One word of this process's memory, or `None` where there is none.
pub(crate) fn word_at(addr: usize) -> Option<usize> {
    code_at::<WORD>(addr).map(usize::from_ne_bytes)
}

/// What one task of the probe saw of itself.
#[derive(Debug, Clone, Copy)]
struct Seen {
    header: usize,
    waker_vtable: usize,
    data_word: usize,
    /// The end of the probe's own state, inside the cell.
    state_end: usize,
    number: u64,
    vtable: [usize; VTABLE_WORDS],
    /// The word at `header + vtable[i]`, where that is a small offset.
    at_offset: [Option<usize>; VTABLE_WORDS],
}

/// Learns tokio's layout from two tasks of a current-thread runtime of
/// peeps' own, on a thread of its own.
fn learn() -> Option<Layout> {
    let seen = std::thread::Builder::new()
        .name("peeps-cell-probe".into())
        .spawn(|| {
            let rt = tokio::runtime::Builder::new_current_thread().build().ok()?;
            let small = rt.block_on(probe_task::<2>())?;
            let big = rt.block_on(probe_task::<80>())?;
            Some((small, big))
        })
        .ok()?
        .join()
        .ok()??;
    layout_of(seen.0, seen.1)
}

/// The layout two probe tasks agree on, if exactly one word of their
/// vtables fits each offset.
fn layout_of(small: Seen, big: Seen) -> Option<Layout> {
    if small.waker_vtable != big.waker_vtable || small.data_word != big.data_word {
        return None;
    }
    let bounds = |s: &Seen, w: usize| {
        let need = s.state_end - s.header;
        s.vtable[w] >= need && s.vtable[w] < need + 1024
    };
    let only = |fits: &dyn Fn(usize) -> bool| {
        let mut words = (0..VTABLE_WORDS).filter(|&w| fits(w));
        let first = words.next()?;
        words.next().is_none().then_some(first)
    };
    let trailer_word = only(&|w| bounds(&small, w) && bounds(&big, w) && small.vtable[w] != big.vtable[w])?;
    let id_word = only(&|w| {
        [small, big]
            .iter()
            .all(|s| s.vtable[w] < s.vtable[trailer_word] && s.at_offset[w] == Some(s.number as usize))
    })?;
    let aligned = [small, big].iter().all(|s| s.header % CELL_ALIGN == 0);
    if small.vtable[id_word] != big.vtable[id_word] || !aligned {
        return None;
    }
    Some(Layout {
        waker_vtable: small.waker_vtable,
        data_word: small.data_word,
        trailer_word,
        id_offset: small.vtable[id_word],
        id_word,
    })
}

/// Runs one task whose state is `N` words and returns what it saw of
/// itself while it ran (its cell is alive only then).
async fn probe_task<const N: usize>() -> Option<Seen> {
    let pad = [0usize; N];
    let task = tokio::spawn(std::future::poll_fn(move |cx| {
        let pad = std::hint::black_box(&pad);
        Poll::Ready(seen_by(cx.waker(), std::ptr::from_ref(pad) as usize + N * WORD))
    }));
    task.await.ok().flatten()
}

/// What a probe task polled with `waker` sees of its cell.
fn seen_by(waker: &std::task::Waker, state_end: usize) -> Option<Seen> {
    const _: () = assert!(std::mem::size_of::<std::task::Waker>() == 2 * WORD);
    // SAFETY: a `Waker` is two words (checked above), read as plain words.
    let words: [usize; 2] = unsafe { std::mem::transmute_copy(waker) };
    let header = waker.data() as usize;
    let data_word = words.iter().position(|&w| w == header)?;
    let number = crate::ambient::task_number(tokio::task::try_id()?);
    let vtable_at = word_at(header + HEADER_VTABLE)?;
    let mut vtable = [0; VTABLE_WORDS];
    let mut at_offset = [None; VTABLE_WORDS];
    for w in 0..VTABLE_WORDS {
        vtable[w] = word_at(vtable_at + w * WORD)?;
        if vtable[w] < MAX_CELL {
            at_offset[w] = word_at(header + vtable[w]);
        }
    }
    Some(Seen {
        header,
        waker_vtable: std::ptr::from_ref(waker.vtable()) as usize,
        data_word,
        state_end,
        number,
        vtable,
        at_offset,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokio_layout_is_learned() {
        let layout = LAYOUT.get_or_init(learn).expect("tokio's task layout learned");
        assert!(layout.id_offset > HEADER_VTABLE, "{layout:?}");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_plain_task_owns_its_cell_not_an_arc() {
        let shared = std::sync::Arc::new([0u64; 4]);
        let outside = shared.clone();
        let owned = tokio::spawn(async move {
            let kept = [7u64; 4];
            tokio::task::yield_now().await;
            let kept = std::hint::black_box(&kept);
            (
                current_owns(std::ptr::from_ref(kept) as usize),
                current_owns(std::ptr::from_ref(&*shared) as usize),
            )
        })
        .await
        .unwrap();
        assert_eq!(owned, (true, false), "its own state, then an Arc's");
        assert!(!current_owns(std::ptr::from_ref(&*outside) as usize));
    }
}
