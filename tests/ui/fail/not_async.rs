#[peeps::instrument]
fn plain() -> u8 {
    1
}

fn main() {}
