//! What a `#[peeps::instrument]` body hands to a spawn call.
//!
//! A handle (a channel end, an owned guard or permit) moved into a plain
//! `tokio::spawn(async move { .. })` leaves its old bytes in the caller's
//! state, where a snapshot would find it and believe the caller still holds
//! it. So each argument of a call to a function or method named `spawn`,
//! `spawn_local` or `spawn_blocking` in the body is passed through
//! `::peeps::__private::handed_off`, which returns it unchanged after
//! noting that the handles inside it went where peeps does not follow.
//! Closures with parameters are left as they are (their parameter types
//! may be inferred from the callee; no spawn takes one), and so are nested
//! items, which are not part of this future.

use syn::spanned::Spanned;
use syn::visit_mut::{self, VisitMut};
use syn::{Expr, ExprCall, ExprMethodCall, Ident, Item};

/// The names of the calls whose arguments are handed off.
const SPAWNS: [&str; 3] = ["spawn", "spawn_local", "spawn_blocking"];

/// Rewrites the spawn calls of a body (see the module).
pub(crate) struct HandOff;

impl VisitMut for HandOff {
    fn visit_expr_call_mut(&mut self, call: &mut ExprCall) {
        visit_mut::visit_expr_call_mut(self, call);
        if let Expr::Path(p) = &*call.func
            && p.path.segments.last().is_some_and(|s| is_spawn(&s.ident))
        {
            call.args.iter_mut().for_each(wrap);
        }
    }

    fn visit_expr_method_call_mut(&mut self, call: &mut ExprMethodCall) {
        visit_mut::visit_expr_method_call_mut(self, call);
        if is_spawn(&call.method) {
            call.args.iter_mut().for_each(wrap);
        }
    }

    fn visit_item_mut(&mut self, _item: &mut Item) {}
}

/// Whether a call of `name` is a spawn (see [`SPAWNS`]).
fn is_spawn(name: &Ident) -> bool {
    SPAWNS.iter().any(|n| name == n)
}

/// `arg` passed through `handed_off`, unless it is a closure with
/// parameters.
fn wrap(arg: &mut Expr) {
    if let Expr::Closure(c) = arg
        && !c.inputs.is_empty()
    {
        return;
    }
    let inner = arg.clone();
    *arg = syn::parse_quote_spanned! {inner.span()=>
        ::peeps::__private::handed_off(#inner)
    };
}
