//! What the macros accept and what they refuse, with the compiler's
//! messages (trybuild): `#[peeps::instrument]` and `peeps!` (tests/ui/*/
//! `shapes`, `bad_args`, `const_fn`, `not_a_fn`, `not_async`) and
//! `#[peeps::test]` (`test_*`).

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.pass("tests/ui/pass/*.rs");
    t.compile_fail("tests/ui/fail/*.rs");
}
