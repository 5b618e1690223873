use std::future::Future;

struct S(u8);

impl S {
    #[peeps::instrument]
    async fn by_ref(&self) -> u8 {
        self.0
    }
    #[peeps::instrument]
    async fn by_mut(&mut self) {
        self.0 += 1;
    }
    #[peeps::instrument(name = "consume")]
    async fn by_value(self) -> u8 {
        self.0
    }
}

#[peeps::instrument]
async fn generic<T: Default + Send>(t: T) -> T {
    let _ = t;
    T::default()
}

#[peeps::instrument]
async fn fallible() -> Result<(), std::io::Error> {
    std::fs::metadata("/")?;
    Ok(())
}

#[peeps::instrument]
async fn borrows<'a>(s: &'a str) -> &'a str {
    s
}

#[peeps::instrument]
fn returns_future() -> impl Future<Output = u8> + Send {
    async { 1 }
}

#[peeps::instrument]
async fn returns_impl() -> impl std::fmt::Debug {
    1u8
}

fn assert_send<T: Send>(_: T) {}

fn main() {
    assert_send(generic(1u8));
    assert_send(fallible());
    assert_send(returns_future());
    assert_send(S(1).by_value());
    let _ = borrows("x");
    let _ = returns_impl();
    let mut s = S(0);
    let _ = s.by_mut();
    let _ = s.by_ref();
}
