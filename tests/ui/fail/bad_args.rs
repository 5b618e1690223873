#[peeps::instrument(nme = "x")]
async fn a() {}

#[peeps::instrument(name = 5)]
async fn b() {}

#[peeps::instrument(name = "x", name = "y")]
async fn c() {}

fn main() {}
