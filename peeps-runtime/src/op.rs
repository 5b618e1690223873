//! What a wait waits for: the `op` of a `waits_on` edge.
//!
//! The same type with diagnostics on and off (it records nothing itself).

/// What a wait waits for (the `op` of its edge): a thin pointer to a
/// `'static` name, so a lock-free wait slot can hold it in one word.
#[derive(Debug, Clone, Copy)]
pub struct WaitOp(pub(crate) &'static &'static str);

impl WaitOp {
    /// The op named `*name` (e.g. `WaitOp::new(&attr::OP_LOCK)`).
    pub const fn new(name: &'static &'static str) -> Self {
        WaitOp(name)
    }

    /// Its name.
    pub fn name(self) -> &'static str {
        self.0
    }
}
