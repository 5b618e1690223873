#[peeps::instrument]
struct S;

fn main() {}
