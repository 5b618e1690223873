//! Parsing the arguments of `#[peeps::instrument(...)]`.

use syn::parse::{Parse, ParseStream};
use syn::{LitStr, Token};

mod kw {
    syn::custom_keyword!(name);
}

/// `#[peeps::instrument]` or `#[peeps::instrument(name = "...")]`.
#[derive(Default)]
pub(crate) struct InstrumentArgs {
    pub(crate) name: Option<LitStr>,
}

impl Parse for InstrumentArgs {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let mut args = InstrumentArgs::default();
        while !input.is_empty() {
            let lookahead = input.lookahead1();
            if lookahead.peek(kw::name) {
                let key: kw::name = input.parse()?;
                if args.name.is_some() {
                    return Err(syn::Error::new_spanned(key, "`name` given twice"));
                }
                input.parse::<Token![=]>()?;
                args.name = Some(input.parse()?);
            } else {
                return Err(lookahead.error());
            }
            if !input.is_empty() {
                input.parse::<Token![,]>()?;
            }
        }
        Ok(args)
    }
}
