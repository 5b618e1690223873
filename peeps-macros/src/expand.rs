//! Expanding `#[peeps::instrument]`.
//!
//! - `async fn f(..) -> T { body }` keeps its signature; its body becomes
//!   `::peeps::__private::instrument(name, loc, async move { body }).await`,
//!   with the body's value typed as `T` so `?` and `return` infer as before.
//! - `fn f(..) -> impl Future<..> { body }` returns
//!   `::peeps::__private::instrument(name, loc, { body })`.
//! - Anything else is a compile error pointing at the offending tokens.
//! - In either body, the arguments of spawn calls are passed through
//!   `::peeps::__private::handed_off` (see `hand_off`).

use crate::attr::InstrumentArgs;
use crate::hand_off::HandOff;
use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;
use syn::visit_mut::VisitMut;
use syn::{ItemFn, ReturnType, Type, TypeParamBound};

/// The one entry point: parse `args` and `item`, then expand.
pub(crate) fn instrument(args: TokenStream, item: TokenStream) -> syn::Result<TokenStream> {
    let args: InstrumentArgs = syn::parse2(args)?;
    let item: ItemFn = match syn::parse2(item.clone()) {
        Ok(f) => f,
        Err(_) => {
            return Err(syn::Error::new_spanned(
                item,
                "#[peeps::instrument] goes on an async fn or a fn returning `impl Future`",
            ));
        }
    };
    let ItemFn {
        attrs,
        vis,
        sig,
        mut block,
    } = item;
    HandOff.visit_block_mut(&mut block);
    let ident = &sig.ident;
    let name = match &args.name {
        Some(lit) => quote!(#lit),
        None => {
            let s = ident.to_string();
            quote!(#s)
        }
    };
    let loc = quote_spanned! {ident.span()=>
        ::core::concat!(::core::file!(), ":", ::core::line!(), ":", ::core::column!())
    };

    if let Some(c) = &sig.constness {
        return Err(syn::Error::new_spanned(
            c,
            "#[peeps::instrument] cannot instrument a const fn",
        ));
    }

    let body = if sig.asyncness.is_some() {
        let ret_ty = match &sig.output {
            ReturnType::Default => quote!(()),
            ReturnType::Type(_, ty) => {
                if contains_impl_trait(ty) {
                    // An `impl Trait` return type cannot name a local binding.
                    quote!(_)
                } else {
                    quote!(#ty)
                }
            }
        };
        quote_spanned! {block.span()=>
            {
                ::peeps::__private::instrument(#name, #loc, async move {
                    let __peeps_ret: #ret_ty = #block;
                    #[allow(unreachable_code)]
                    __peeps_ret
                })
                .await
            }
        }
    } else {
        match &sig.output {
            ReturnType::Type(_, ty) if returns_impl_future(ty) => quote_spanned! {block.span()=>
                {
                    ::peeps::__private::instrument(#name, #loc, #block)
                }
            },
            _ => {
                return Err(syn::Error::new_spanned(
                    sig.fn_token,
                    "#[peeps::instrument] goes on an async fn or a fn returning `impl Future`; \
                     this fn is neither",
                ));
            }
        }
    };
    Ok(quote! {
        #(#attrs)*
        #vis #sig #body
    })
}

/// `impl Future<..> (+ ..)`: a bound whose last path segment is `Future`.
fn returns_impl_future(ty: &Type) -> bool {
    match ty {
        Type::ImplTrait(it) => it.bounds.iter().any(|b| match b {
            TypeParamBound::Trait(t) => t.path.segments.last().is_some_and(|s| s.ident == "Future"),
            _ => false,
        }),
        Type::Paren(p) => returns_impl_future(&p.elem),
        _ => false,
    }
}

fn contains_impl_trait(ty: &Type) -> bool {
    quote!(#ty).to_string().contains("impl ")
}
