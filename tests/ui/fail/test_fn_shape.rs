#[peeps::test]
fn not_async() {}

#[peeps::test]
async fn with_arguments(n: u32) {
    let _ = n;
}

#[peeps::test]
#[test]
async fn second_test_attribute() {}

fn main() {}
