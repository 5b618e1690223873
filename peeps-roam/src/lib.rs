//! roam integration for peeps (see issue 7): not written yet.
