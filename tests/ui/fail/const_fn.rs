#[peeps::instrument]
const fn k() -> u8 {
    1
}

fn main() {}
