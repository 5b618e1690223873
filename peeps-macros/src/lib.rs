//! Procedural macros of peeps. Use them through the `peeps` crate:
//! `#[peeps::instrument]` and `#[peeps::test]`. Generated code calls only
//! `::peeps::__private::*`, so this crate holds no logic beyond parsing and
//! expansion.

mod attr;
mod expand;
mod hand_off;
mod test;

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

/// A drop-in for `#[tokio::test]` whose hanging test says why: fails at
/// once on a deadlock of its tasks, and with every live task and what it
/// waits on at its `timeout`.
///
/// See `peeps::test` for the full documentation.
#[proc_macro_attribute]
pub fn test(args: TokenStream, item: TokenStream) -> TokenStream {
    let mode = if cfg!(feature = "diagnostics") {
        test::Mode::On
    } else {
        test::Mode::Off
    };
    test::expand::test(args.into(), item.into(), mode)
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}
