//! The callee side of an RPC: a `handler` node named by the caller's call
//! id, `held_by` the task running the handler while it runs.

use super::{Describe, ResourceFacts};
use crate::context::{self, Actor};
use crate::node::{NodeCore, SourceLocation};
use crate::registry::{Entry, Registered};
use peeps_graph::{Attrs, EdgeKind, NodeId, NodeKind, attr};
use std::borrow::Cow;
use std::panic::Location;
use std::sync::OnceLock;

// ---- callee side ----------------------------------------------------------

/// The registry entry of an incoming call being handled.
struct HandlerEntry {
    core: NodeCore,
    method: Cow<'static, str>,
    caller_call_id: String,
    holder: Actor,
    facts: OnceLock<Box<dyn ResourceFacts>>,
}

impl std::fmt::Debug for HandlerEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HandlerEntry")
            .field("id", &self.core.id)
            .field("method", &self.method)
            .field("caller_call_id", &self.caller_call_id)
            .field("holder", &self.holder.id)
            .finish_non_exhaustive()
    }
}

// SAFETY: `core` returns the entry's own `core` field, and nothing else.
unsafe impl Entry for HandlerEntry {
    fn core(&self) -> &NodeCore {
        &self.core
    }
    fn describe(&self, out: &mut Describe<'_>) {
        out.state("running", self.core.created_ms);
        out.attr(attr::METHOD, self.method.as_ref());
        if !self.caller_call_id.is_empty() {
            out.attr(attr::CALLER_CALL_ID, self.caller_call_id.as_str());
        }
        if let Some(facts) = self.facts.get() {
            facts.describe(out);
        }
        let mut attrs = Attrs::new();
        attrs.insert(attr::AS.into(), attr::AS_HANDLER.into());
        out.edge(
            self.core.id,
            self.holder.id,
            EdgeKind::HeldBy,
            self.core.created_ms,
            attrs,
        );
    }
}

/// One incoming RPC call being handled: a `handler` node, `held_by` the
/// task that entered it, for as long as the guard lives.
///
/// Prefer [`handle`](super::handle), which also makes the handler a peeps task when the
/// stack runs it in a plain tokio task. Enter the guard from inside the
/// task that runs the handler, and keep it until the response is sent.
///
/// # Examples
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// use peeps_runtime::rpc::IncomingCall;
/// # let caller_call_id = "4242-1763790000123456789/17";
/// let _handling = IncomingCall::enter("Inventory.reserve", caller_call_id);
/// // ... serve the call, send the response ...
/// # }
/// ```
#[derive(Debug)]
pub struct IncomingCall {
    reg: Registered<HandlerEntry>,
}

impl IncomingCall {
    /// Makes the `handler` node for a call of `method` whose caller sent
    /// `caller_call_id` (`""` if it sent none), held by the task polling now.
    #[track_caller]
    pub fn enter(method: impl Into<Cow<'static, str>>, caller_call_id: &str) -> Self {
        Self::at(method.into(), caller_call_id.to_owned(), Location::caller())
    }

    pub(super) fn at(
        method: Cow<'static, str>,
        caller_call_id: String,
        location: &'static Location<'static>,
    ) -> Self {
        let core = NodeCore::new(
            NodeKind::Handler,
            method.clone(),
            SourceLocation::Caller(location),
        );
        IncomingCall {
            reg: Registered::new(HandlerEntry {
                core,
                method,
                caller_call_id,
                holder: context::current_holder(),
                facts: OnceLock::new(),
            }),
        }
    }

    /// Adds facts the node reports at snapshot time (the connection the
    /// call came on).
    pub fn with_facts(self, facts: impl ResourceFacts) -> Self {
        self.set_facts(Box::new(facts));
        self
    }

    /// Sets the facts, unless some are set already.
    pub(super) fn set_facts(&self, facts: Box<dyn ResourceFacts>) {
        let _ = self.reg.facts.set(facts);
    }

    /// The handler node's id in this process's snapshots.
    pub fn node_id(&self) -> NodeId {
        self.reg.core.id
    }
}
