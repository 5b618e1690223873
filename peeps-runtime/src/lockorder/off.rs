//! Without feature `diagnostics`: nothing is learned; every hook does
//! nothing, with the same signature.

use super::Mode;
use crate::hold::Taker;
use crate::resource::Resource;
use crate::wait::Site;

/// Does nothing.
#[inline(always)]
pub fn acquired(_res: &Resource, _mode: Mode, _at: Site, _taker: Taker, _place: usize) {}

/// Does nothing.
#[inline(always)]
pub fn held(_res: &Resource, _mode: Mode, _at: Site, _taker: Taker) {}

/// Does nothing.
#[inline(always)]
pub fn acquired_movable(
    _res: &Resource,
    _mode: Mode,
    _sole: bool,
    _at: Site,
    _taker: Taker,
    _place: usize,
) {
}

/// Does nothing.
#[inline(always)]
pub fn held_movable(_res: &Resource, _mode: Mode, _sole: bool, _at: Site, _taker: Taker) {}

/// Does nothing.
#[inline(always)]
pub fn acquired_sole_permit(_res: &Resource, _at: Site, _taker: Taker, _place: usize) {}

/// Does nothing.
#[inline(always)]
pub fn held_sole_permit(_res: &Resource, _at: Site, _taker: Taker) {}

/// Does nothing.
#[inline(always)]
pub fn made(_res: &Resource) {}

/// Does nothing.
#[inline(always)]
pub fn given_up(_res: &Resource, _mode: Mode, _at: Site) {}

/// Nothing is learned.
pub fn learned() -> Option<peeps_graph::LockOrder> {
    None
}
