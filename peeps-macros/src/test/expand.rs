//! Expanding `#[peeps::test]`.
//!
//! Recording on ([`Mode::On`]):
//!
//! ```text
//! #(attrs)*
//! #[::core::prelude::v1::test]
//! fn name() {
//!     ::peeps::__private::test::run(
//!         ::peeps::__private::test::Test::new(concat!(module_path!(), "::", "name"))
//!             .multi_thread(Some(2))                 // flavor = "multi_thread"
//!             .timeout(Duration::from_millis(30000)) // timeout = "30s"
//!             .potential_deadlocks(Potential::Allow) // potential_deadlocks = "allow"
//!             .configure(|b: &mut TOKIO::runtime::Builder| { b.start_paused(true); }),
//!         || ::peeps::__private::test::body::<T, _>(async move { body }),
//!     )
//! }
//! ```
//!
//! A body returning anything but `()` goes through `run_reporting`, which
//! reports the output as the test harness would (`Termination`) and returns
//! its exit code: `fn name() -> ExitCode`. `start_paused` is set in the test's
//! own crate, where tokio's `test-util` is (or is not) on, as with
//! `#[tokio::test]`. TOKIO is `crate = ".."` or `::peeps::__private::tokio`.
//!
//! Recording off ([`Mode::Off`]): `#[tokio::test]` with the same arguments
//! (`timeout` and `potential_deadlocks` dropped), through the tokio peeps depends on unless `crate`
//! names another path, then the item unchanged.

use super::Mode;
use super::attr::{Flavor, TestArgs};
use proc_macro2::TokenStream;
use quote::quote;
use syn::{Attribute, ItemFn, ReturnType, Type};

/// The one entry point: parse `args` and `item`, then expand in `mode`.
pub(crate) fn test(args: TokenStream, item: TokenStream, mode: Mode) -> syn::Result<TokenStream> {
    let args: TestArgs = syn::parse2(args)?;
    let item: ItemFn = syn::parse2(item)?;
    if item.sig.asyncness.is_none() {
        return Err(syn::Error::new_spanned(
            item.sig.fn_token,
            "the `async` keyword is missing from the function declaration",
        ));
    }
    if !item.sig.inputs.is_empty() {
        return Err(syn::Error::new_spanned(
            &item.sig.inputs,
            "the test function cannot accept arguments",
        ));
    }
    if let Some(attr) = item.attrs.iter().find(|a| is_test_attribute(a)) {
        return Err(syn::Error::new_spanned(
            attr,
            "second test attribute is supplied, consider removing or changing the order of your test attributes",
        ));
    }
    Ok(match mode {
        Mode::On => on(&args, item),
        Mode::Off => off(&args, item),
    })
}

/// The path to tokio: `crate = ".."`, else the one peeps depends on.
fn tokio_path(args: &TestArgs) -> TokenStream {
    match &args.krate {
        Some(path) => quote!(#path),
        None => quote!(::peeps::__private::tokio),
    }
}

fn on(args: &TestArgs, item: ItemFn) -> TokenStream {
    let ItemFn {
        attrs,
        vis,
        sig,
        block,
    } = item;
    let ident = &sig.ident;
    let tokio = tokio_path(args);
    let mut test = quote! {
        ::peeps::__private::test::Test::new(
            ::core::concat!(::core::module_path!(), "::", ::core::stringify!(#ident))
        )
    };
    if args.flavor() == Flavor::MultiThread {
        let workers = match args.worker_threads {
            Some(n) => {
                let n = proc_macro2::Literal::usize_unsuffixed(n);
                quote!(::core::option::Option::Some(#n))
            }
            None => quote!(::core::option::Option::None),
        };
        test = quote!(#test.multi_thread(#workers));
    }
    if let Some(ms) = args.timeout_ms {
        test = quote!(#test.timeout(::core::time::Duration::from_millis(#ms)));
    }
    if let Some(p) = args.potential {
        let variant = proc_macro2::Ident::new(p.variant(), proc_macro2::Span::call_site());
        test = quote!(#test.potential_deadlocks(::peeps::__private::test::Potential::#variant));
    }
    if let Some(paused) = args.start_paused {
        test = quote! {
            #test.configure(|builder: &mut #tokio::runtime::Builder| {
                builder.start_paused(#paused);
            })
        };
    }
    // A `()` test returns `()` (`#[should_panic]` wants it); any other
    // result is reported by the runner, which returns its exit code.
    let unit = match &sig.output {
        ReturnType::Default => true,
        ReturnType::Type(_, ty) => matches!(&**ty, Type::Tuple(t) if t.elems.is_empty()),
    };
    let ret_ty = match &sig.output {
        ReturnType::Default => quote!(()),
        ReturnType::Type(_, ty) if quote!(#ty).to_string().contains("impl ") => quote!(_),
        ReturnType::Type(_, ty) => quote!(#ty),
    };
    // The runner's caller location (the body task's location and the
    // failure's) is the attribute's line, as a panic in `#[tokio::test]`'s
    // runtime set-up is.
    let (run, ret) = if unit {
        (quote!(::peeps::__private::test::run), quote!())
    } else {
        (
            quote!(::peeps::__private::test::run_reporting),
            quote!(-> ::std::process::ExitCode),
        )
    };
    quote! {
        #(#attrs)*
        #[::core::prelude::v1::test]
        #vis fn #ident() #ret {
            #run(#test, || ::peeps::__private::test::body::<#ret_ty, _>(async move #block))
        }
    }
}

fn off(args: &TestArgs, item: ItemFn) -> TokenStream {
    let mut tokio_args = Vec::new();
    if let Some(flavor) = args.flavor {
        let f = flavor.as_str();
        tokio_args.push(quote!(flavor = #f));
    }
    if let Some(n) = args.worker_threads {
        let n = proc_macro2::Literal::usize_unsuffixed(n);
        tokio_args.push(quote!(worker_threads = #n));
    }
    if let Some(paused) = args.start_paused {
        tokio_args.push(quote!(start_paused = #paused));
    }
    match &args.krate_lit {
        Some(lit) => tokio_args.push(quote!(crate = #lit)),
        None => tokio_args.push(quote!(crate = "::peeps::__private::tokio")),
    }
    let tokio = tokio_path(args);
    quote! {
        #[#tokio::test(#(#tokio_args),*)]
        #item
    }
}

/// `#[test]`, or `#[core::prelude::*::test]` / `#[std::prelude::*::test]`
/// with or without a leading `::` (as tokio-macros checks).
fn is_test_attribute(attr: &Attribute) -> bool {
    let syn::Meta::Path(path) = &attr.meta else {
        return false;
    };
    let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
    match segments.as_slice() {
        [only] => path.leading_colon.is_none() && only == "test",
        [root, prelude, _, test] => {
            (root == "core" || root == "std") && prelude == "prelude" && test == "test"
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expand(args: TokenStream, item: TokenStream, mode: Mode) -> String {
        test(args, item, mode).expect("expands").to_string()
    }

    #[test]
    fn off_is_tokio_test_with_the_same_arguments_and_no_timeout() {
        let item = quote! {
            #[should_panic]
            async fn t() { work().await }
        };
        let got = expand(
            quote!(flavor = "multi_thread", worker_threads = 2, timeout = "30s"),
            item.clone(),
            Mode::Off,
        );
        let want = quote! {
            #[::peeps::__private::tokio::test(
                flavor = "multi_thread",
                worker_threads = 2,
                crate = "::peeps::__private::tokio"
            )]
            #[should_panic]
            async fn t() { work().await }
        };
        assert_eq!(got, want.to_string());
    }

    #[test]
    fn off_passes_crate_and_start_paused_on() {
        let got = expand(
            quote!(crate = "my_tokio", start_paused = true),
            quote!(
                async fn t() {}
            ),
            Mode::Off,
        );
        let want = quote! {
            #[my_tokio::test(start_paused = true, crate = "my_tokio")]
            async fn t() {}
        };
        assert_eq!(got, want.to_string());
    }

    #[test]
    fn on_calls_only_the_private_runner() {
        let got = expand(
            quote!(flavor = "multi_thread", timeout = "1.5s"),
            quote!(
                async fn t() -> Result<(), String> {
                    Ok(())
                }
            ),
            Mode::On,
        );
        assert!(
            got.contains(":: peeps :: __private :: test :: run"),
            "{got}"
        );
        assert!(
            got.contains("multi_thread (:: core :: option :: Option :: None)"),
            "{got}"
        );
        assert!(got.contains("from_millis (1500u64)"), "{got}");
        assert!(
            got.contains("# [:: core :: prelude :: v1 :: test]"),
            "{got}"
        );
        assert!(
            got.contains("body :: < Result < () , String > , _ > (async move {"),
            "{got}"
        );
        assert!(!got.contains("configure"), "{got}");
    }

    #[test]
    fn on_a_unit_test_returns_unit() {
        for item in [
            quote!(
                async fn t() {}
            ),
            quote!(
                async fn t() -> () {}
            ),
        ] {
            let got = expand(quote!(), item, Mode::On);
            assert!(
                got.contains(":: peeps :: __private :: test :: run (:: peeps"),
                "{got}"
            );
            assert!(!got.contains("ExitCode"), "{got}");
        }
    }

    #[test]
    fn on_sets_start_paused_through_the_tokio_path() {
        let got = expand(
            quote!(start_paused = true, crate = "rt"),
            quote!(
                async fn t() {}
            ),
            Mode::On,
        );
        assert!(
            got.contains("configure (| builder : & mut rt :: runtime :: Builder |"),
            "{got}"
        );
        assert!(got.contains("builder . start_paused (true)"), "{got}");
    }

    #[test]
    fn only_the_test_attribute_forms_tokio_refuses_are_second_test_attributes() {
        let attr = |tokens: TokenStream| -> Attribute {
            let item: ItemFn = syn::parse2(quote!(#tokens fn f() {})).expect("an fn");
            item.attrs.into_iter().next().expect("one attribute")
        };
        assert!(is_test_attribute(&attr(quote!(#[test]))));
        assert!(is_test_attribute(&attr(
            quote!(#[::core::prelude::v1::test])
        )));
        assert!(is_test_attribute(&attr(
            quote!(#[std::prelude::rust_2021::test])
        )));
        assert!(!is_test_attribute(&attr(quote!(#[tokio::test]))));
        assert!(!is_test_attribute(&attr(quote!(#[::test]))));
        assert!(!is_test_attribute(&attr(quote!(#[should_panic]))));
    }
}
