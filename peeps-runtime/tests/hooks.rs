//! One contract for on and off: every hook peeps-sync, peeps-roam and the
//! facade call, pinned to its signature. This file compiles against the
//! recording hooks (feature `diagnostics`, the default) and against their
//! no-op twins (`--no-default-features`, which CI builds and runs): a twin
//! whose signature drifted from its recording hook no longer compiles
//! here, whichever build was changed.

// Signatures are spelled out whole, on purpose; the lifetimes name one
// borrow for a guard and its set.
#![allow(clippy::type_complexity, clippy::extra_unused_lifetimes)]

use peeps_graph::{Evidence, NodeId, NodeKind, Op};
use peeps_runtime::__private::history::{self, EventKind};
use peeps_runtime::__private::hold::{
    EndpointHold, HoldAs, HoldGuard, HoldToken, HolderSet, Notifiers, Site, Taker,
};
use peeps_runtime::__private::lockorder::{self, Mode};
use peeps_runtime::__private::node::Describe;
use peeps_runtime::__private::ownership::{self, Found, Key, Mark};
use peeps_runtime::__private::resource::{
    BackRef, LazyResource, NoFacts, PairEnd, PairFacts, Resource, ResourceFacts, SharedResource,
};
use peeps_runtime::__private::wait::{WaitEdge, WaitList};
use std::borrow::Cow;
use std::panic::Location;
use std::sync::Arc;
use std::task::{Context, Poll};

/// A pair's facts for the generic hooks (a oneshot's, in peeps-sync).
#[derive(Debug, Default)]
struct Facts;
impl ResourceFacts for Facts {}
impl From<u64> for Facts {
    fn from(_: u64) -> Self {
        Facts
    }
}
impl PairFacts for Facts {
    const KIND: NodeKind = NodeKind::Channel;
    const HOWS: [HoldAs; 2] = [HoldAs::Sender, HoldAs::Receiver];
    fn make() -> Self {
        Facts
    }
    fn end_gone(&self, _how: HoldAs) {}
}

#[test]
fn holds() {
    let _: fn(u64) -> HolderSet = HolderSet::new;
    let _: fn() -> Notifiers = Notifiers::default;
    let _: fn(&Notifiers) = Notifiers::note;
    let _: fn(&Notifiers, &mut Describe<'_>) = Notifiers::describe;
    let _: fn(&HolderSet, &mut Describe<'_>) -> usize = HolderSet::describe;
    let _: fn(&HolderSet, HoldAs, bool, Site) -> HoldToken = HolderSet::acquire;
    let _: fn(&HolderSet, HoldAs, bool, usize, Site) -> HoldToken = HolderSet::acquire_weighted;
    let _: fn(&HolderSet, HoldAs, usize, Site) -> HoldToken = HolderSet::acquire_movable;
    let _: fn(&HolderSet, HoldToken) = HolderSet::release;
    let _: fn(&HolderSet, HoldAs) -> usize = HolderSet::count;
    let _: fn(&HolderSet, HoldAs) -> usize = HolderSet::weight;
    let _: fn(&HolderSet, HoldAs, bool, Site) -> Taker = HolderSet::hold_exclusive;
    let _: fn(&HolderSet, HoldAs, Site) -> (u64, Taker) = HolderSet::hold_exclusive_movable;
    let _: fn(&HoldToken) -> Taker = HoldToken::taker;
    let _: fn(&HolderSet) = HolderSet::release_exclusive;
    let _: fn(&HolderSet, HoldAs) -> EndpointHold = HolderSet::acquire_endpoint;
    let _: fn(&HolderSet, &EndpointHold, HoldAs, *const ()) = HolderSet::touch_endpoint;
    let _: fn(&HolderSet, &EndpointHold) = HolderSet::release_endpoint;
    let _: fn(&HolderSet) -> NodeId = HolderSet::owner;
    let _: fn(&HoldToken) -> u64 = HoldToken::ticket;
    let _: fn(&EndpointHold) -> u64 = EndpointHold::ticket;
    // A guard borrows its set for as long as it lives.
    fn guards<'r>() {
        let _: fn(&'r HolderSet, HoldAs, bool, Site) -> (HoldGuard<'r>, Taker) = HoldGuard::new;
        let _: fn(&'r HolderSet, HoldAs, bool, Site) -> (HoldGuard<'r>, Taker) =
            HoldGuard::exclusive;
        let _: fn(&'r HolderSet) -> HoldGuard<'r> = HoldGuard::adopt_exclusive;
        let _: fn(&'r HolderSet, HoldAs, bool, usize, Site) -> (HoldGuard<'r>, Taker) =
            HoldGuard::weighted;
        let _: fn(&'r HolderSet, HoldAs, usize, Site) -> (HoldGuard<'r>, u64, Taker) =
            HoldGuard::movable;
        let _: fn(&'r HolderSet, HoldAs, Site) -> (HoldGuard<'r>, u64, Taker) =
            HoldGuard::exclusive_movable;
    }
    guards();
    let _: fn(&mut HoldGuard<'static>) = HoldGuard::release;
    let _: fn(&mut HoldGuard<'static>, HoldAs, bool, Site) = HoldGuard::reacquire;
    let _: fn(&mut HoldGuard<'static>, HoldAs, Site) -> u64 = HoldGuard::reacquire_movable;
    let _: fn(&mut HoldGuard<'static>, usize) = HoldGuard::set_weight;
}

#[test]
fn waits() {
    let _: fn() -> WaitEdge = WaitEdge::new;
    fn begin<'r>() {
        let _: fn(&mut WaitEdge, &'r Arc<WaitList>, Op, Site) = WaitEdge::begin;
        let _: fn(&mut WaitEdge<&'r WaitList>, &'r Arc<WaitList>, Op, Site) =
            WaitEdge::<&'r WaitList>::begin;
    }
    begin();
    let _: fn(&mut WaitEdge) = WaitEdge::end;
    let _: fn(&WaitEdge) -> bool = WaitEdge::is_waiting;
    // The poll every instrumented wait makes, at one instantiation.
    fn poll_wait<'r>(
        edge: &mut WaitEdge<&'r WaitList>,
        list: &'r Arc<WaitList>,
        cx: &mut Context<'_>,
    ) -> Poll<u8> {
        edge.poll_wait(|| Some(list), Op::Lock, None, cx, |_| Poll::Ready(1))
    }
    let _ = poll_wait;
}

#[test]
fn history() {
    let _: fn(EventKind, NodeId, Site) = history::note;
    let _: fn(EventKind, NodeId, Site, u64) = history::note_count;
    let _: fn(&HolderSet) = history::observe;
    let _: fn(usize) -> bool = history::configure;
    let _: fn() -> usize = history::per_thread;
    let _: &'static str = history::HISTORY_ENV;
}

#[test]
fn ownership() {
    let _: fn(Key) -> Mark = Mark::new;
    let _: fn(u64, u64) -> Key = Key::hold;
    let _: fn(u64) -> Key = Key::pair_end;
    let _: fn(Key, NodeId, Evidence, NodeId) = ownership::moved;
    let _: fn(&[u8], NodeId) = ownership::carried::<[u8]>;
    let _: fn(&String, Evidence) = ownership::taken::<String>;
    let _: fn(&String, NodeId) = ownership::received::<String>;
    let _: fn(String) -> String = ownership::handed_off::<String>;
    let _: NodeId = ownership::UNSEEN;
    let _: fn(&String, fn(Key)) = |v, f| ownership::scan_value(v, f);
    let _: fn(&mut Found, Key, NodeId) = Found::add;
    let _: fn(&Found, Key, NodeId) -> bool = Found::found_in;
    let _: fn(&Found, Key) -> Option<NodeId> = Found::only_task_of;
}

#[test]
fn resources() {
    let _: fn(&Resource, Cow<'static, str>) = |r, n| r.rename(n);
    let _: fn(&Resource) -> NodeId = Resource::id;
    let _: fn(&Resource) -> &Arc<WaitList> = Resource::waits;
    let _: fn(&Resource) -> &HolderSet = Resource::holders;
    let _: fn(NodeKind, &'static Location<'static>, bool, u64) -> LazyResource<Facts> =
        LazyResource::new;
    let _: fn(&LazyResource<Facts>) -> &Resource = LazyResource::resource;
    let _: fn(&LazyResource<Facts>) -> Option<&Facts> = LazyResource::facts;
    let _: fn(&SharedResource<Facts>) -> &Resource = SharedResource::resource;
    let _: fn(&SharedResource<Facts>) -> Option<&Facts> = SharedResource::facts;
    let _: fn(NodeKind, &'static Location<'static>, fn() -> Facts) -> SharedResource<Facts> =
        SharedResource::build;
    let _: fn(&'static Location<'static>) -> (PairEnd<Facts>, PairEnd<Facts>) = PairEnd::pair;
    let _: fn(&PairEnd<Facts>) -> Option<(&Resource, &Facts)> = PairEnd::registered;
    let _: fn(&PairEnd<Facts>) -> Option<&Facts> = PairEnd::facts;
    let _: fn(&PairEnd<Facts>) -> Option<NodeId> = PairEnd::node_id;
    let _: fn(&mut PairEnd<Facts>, *const ()) -> &Resource = PairEnd::link;
    let _: fn(&PairEnd<Facts>, *const ()) = PairEnd::touch;
    let _: fn(&PairEnd<Facts>) = PairEnd::partner_gone;
    let _: fn(&mut PairEnd<Facts>, &'static str) = |e, n| e.rename(n);
    let _: fn(&'static u8) -> BackRef<'static, u8> = BackRef::new;
    let _: fn(BackRef<'static, u8>) -> Option<&'static u8> = BackRef::get;
    let _ = NoFacts;
}

#[test]
fn lock_order() {
    // An acquisition that could have waited, one that could not.
    let _: fn(&Resource, Mode, Site, Taker, usize) = lockorder::acquired;
    let _: fn(&Resource, Mode, Site, Taker) = lockorder::held;
    // The same for an owned guard or permit, which can move unseen.
    let _: fn(&Resource, Mode, bool, Site, Taker, usize) = lockorder::acquired_movable;
    let _: fn(&Resource, Mode, bool, Site, Taker) = lockorder::held_movable;
    // A permit that took all its semaphore's permits.
    let _: fn(&Resource, Site, Taker, usize) = lockorder::acquired_sole_permit;
    let _: fn(&Resource, Site, Taker) = lockorder::held_sole_permit;
    let _: fn() -> Option<peeps_graph::LockOrder> = lockorder::learned;
    let _: [Mode; 3] = [Mode::Read, Mode::Write, Mode::Permit];
}

#[test]
fn tasks_and_futures() {
    use std::future::Ready;
    let _: fn(&'static str, Ready<u8>) -> peeps_runtime::JoinHandle<u8> =
        peeps_runtime::spawn_named;
    let _: fn(
        Cow<'static, str>,
        &'static str,
        Ready<u8>,
    ) -> peeps_runtime::future::Instrumented<Ready<u8>> = peeps_runtime::future::instrument;
    let _: fn(tokio::task::JoinHandle<u8>) -> peeps_runtime::JoinHandle<u8> =
        peeps_runtime::JoinHandle::from_tokio;
}

#[test]
fn metrics() {
    use peeps_runtime::metrics;
    let _: fn(&str) -> std::io::Result<std::net::SocketAddr> = metrics::serve;
    let _: fn() = metrics::start_from_env;
    let _: fn() -> String = metrics::scrape;
    let _: [&str; 2] = [metrics::METRICS_ENV, metrics::CONTENT_TYPE];
}
