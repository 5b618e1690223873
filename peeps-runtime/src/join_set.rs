//! Who awaits a tokio `JoinSet`'s tasks.
//!
//! A task spawned into a `JoinSet` has its `JoinHandle` kept in an entry of
//! the set's list, and the join waker in its cell (see `task_join`) is that
//! entry's waker, not the waker of whoever awaits the set: woken, the entry
//! moves to the set's notified list and wakes the waker the set keeps
//! beside its lists, a clone of the waker of the last poll of
//! `join_next`. So the entry's waker leads to that one clone, shared by
//! every task of the set: whoever `join_next`s waits for any of them.
//!
//! This reads tokio's private layout (where an entry keeps its set's
//! lists, where the lists keep the waker), learned once from a set of
//! peeps' own whose `join_next` is polled with a waker of peeps' own; when
//! it is not found in exactly one place, nothing is read. The layout is
//! the same for every set (an entry holds a `JoinHandle`, one pointer,
//! whatever its output), but the entry's waker vtable is not (one per
//! output type): so a join waker that is no root's own is read as an
//! entry, and believed only when the words found there are exactly a
//! root's waker. Every read is a checked read of this process's memory
//! (`task_cell::word_at`): an entry freed meanwhile reads as nothing, or
//! as words that match no root's waker.

use crate::task_cell::word_at;
use crate::task_join::{ProbeWake, header_seen, noting_task};
use std::sync::{Arc, OnceLock};
use std::task::{Context, Waker};

const WORD: usize = std::mem::size_of::<usize>();
/// How many words of an entry are searched for the pointer to its set's
/// lists.
const ENTRY_WORDS: usize = 8;
/// How many words from that pointer are searched for the set's waker (the
/// `Arc`'s counts, the mutex, the two lists, the waker).
const LISTS_WORDS: usize = 16;

/// Where a set's waker is, from one of its entries, learned once.
#[derive(Debug, Clone, Copy)]
struct SetLayout {
    /// Which word of an entry points to its set's lists.
    lists_word: usize,
    /// The offset of the set's waker from that pointer.
    waker_offset: usize,
    /// Which of a waker's two words is the data pointer.
    data_word: usize,
}

static LAYOUT: OnceLock<Option<SetLayout>> = OnceLock::new();

/// A waker as two words: its data pointer and vtable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RawParts {
    /// The data pointer.
    pub(crate) data: usize,
    /// The vtable's address.
    pub(crate) vtable: usize,
}

impl RawParts {
    /// A waker's two words as read, `data_word` the data pointer's.
    pub(crate) fn from_words(words: [usize; 2], data_word: usize) -> RawParts {
        RawParts {
            data: words[data_word],
            vtable: words[1 - data_word],
        }
    }
}

/// Read as the waker of an entry of a `JoinSet`, `join` (a task's join
/// waker): the waker the set keeps for whoever awaits it, and the set (the
/// address of its lists: one number for all its tasks). The caller
/// believes it only when it is a root's waker (see the module's docs).
pub(crate) fn awaiting_set(join: RawParts) -> Option<(RawParts, usize)> {
    let layout = (*LAYOUT.get()?)?;
    let lists = word_at(join.data + layout.lists_word * WORD).filter(|&p| p != 0)?;
    let at = lists + layout.waker_offset;
    let waker = RawParts::from_words([word_at(at)?, word_at(at + WORD)?], layout.data_word);
    // `None` (no `join_next` polled yet): a null vtable.
    (waker.vtable != 0).then_some((waker, lists))
}

/// Learns the layout once, given tokio's join-waker place in a trailer
/// (`join_at`: the trailer of a live task's header, then the two words
/// there) and which word of a waker is its data. Runs a probe thread.
pub(crate) fn learn(join_at: fn(usize) -> Option<RawParts>, data_word: usize) {
    LAYOUT.get_or_init(|| {
        std::thread::Builder::new()
            .name("peeps-joinset-probe".into())
            .spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread().build().ok()?;
                rt.block_on(probe(join_at, data_word))
            })
            .ok()?
            .join()
            .ok()?
    });
}

/// The probe (see [`learn`]): a set of one waiting task, its `join_next`
/// polled once with a [`ProbeWake`] waker.
async fn probe(join_at: fn(usize) -> Option<RawParts>, data_word: usize) -> Option<SetLayout> {
    let (go, wait) = tokio::sync::oneshot::channel::<()>();
    let (body, seen) = noting_task(wait);
    let mut set = tokio::task::JoinSet::new();
    set.spawn(body);
    let header = header_seen(&seen).await;
    let waker = Waker::from(Arc::new(ProbeWake));
    let pending = set
        .poll_join_next(&mut Context::from_waker(&waker))
        .is_pending();
    let found = (pending && header != 0)
        .then(|| join_at(header))
        .flatten()
        .and_then(|entry| find(entry, data_word, &waker));
    let _ = go.send(());
    while set.join_next().await.is_some() {}
    found
}

/// Where the set of the entry whose waker is `entry` keeps `waker`:
/// exactly one place, through exactly one word of the entry.
fn find(entry: RawParts, data_word: usize, waker: &Waker) -> Option<SetLayout> {
    let want = [waker.data() as usize, std::ptr::from_ref(waker.vtable()) as usize];
    let mut found = None;
    for k in 0..ENTRY_WORDS {
        let Some(lists) = word_at(entry.data + k * WORD).filter(|&p| p != 0) else {
            continue;
        };
        for j in 0..LISTS_WORDS - 1 {
            let at = lists + j * WORD;
            let (Some(a), Some(b)) = (word_at(at), word_at(at + WORD)) else {
                continue;
            };
            let pair = [a, b];
            if pair[data_word] == want[0] && pair[1 - data_word] == want[1] {
                if found.is_some() {
                    return None;
                }
                found = Some(SetLayout {
                    lists_word: k,
                    waker_offset: j * WORD,
                    data_word,
                });
            }
        }
    }
    found
}
