//! Procedural macros of peeps. Use them through the `peeps` crate:
//! `#[peeps::instrument]`. Generated code calls only
//! `::peeps::__private::*`, so this crate holds no logic beyond parsing and
//! expansion.

mod attr;
mod expand;

use proc_macro::TokenStream;

/// Records an async fn (or a fn returning `impl Future`) as a `future` node
/// named after the fn, or `name = "..."`.
///
/// See `peeps::instrument` for the full documentation.
#[proc_macro_attribute]
pub fn instrument(args: TokenStream, item: TokenStream) -> TokenStream {
    expand::instrument(args.into(), item.into())
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}
