//! The `peeps` binary.

fn main() {}
