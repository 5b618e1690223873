//! The fixed twin of `token_file_if_let_read_then_write_plain`
//! (kube-rs/kube#830): the token file is locked once, and the same guard
//! either returns the cached token or rereads the file.
//!
//! Plain `tokio::spawn` request tasks (three, each requesting every
//! 15 ms) share `token-file`; the cached token expires every 100 ms, so
//! reloads happen all the time.
//!
//! Expected: in every dump, nothing false (no deadlock, nothing stuck
//! forever, no potential deadlock).

use examples::ready;
use peeps::sync::Mutex;
use std::sync::Arc;
use std::time::{Duration, Instant};

struct TokenFile {
    token: String,
    expires_at: Instant,
    reloads: u64,
}

impl TokenFile {
    fn cached_token(&self) -> Option<&str> {
        (Instant::now() < self.expires_at).then_some(self.token.as_str())
    }

    fn token(&mut self) -> &str {
        self.reloads += 1;
        self.token = format!("eyJhbGciOi-{}", self.reloads);
        self.expires_at = Instant::now() + Duration::from_millis(100);
        &self.token
    }
}

fn bearer_header(token: &str) -> String {
    format!("Bearer {token}")
}

/// The fix: one lock, for both the check and the reload.
async fn auth_header(token_file: &Mutex<TokenFile>) -> String {
    let mut locked = token_file.lock().await;
    if let Some(token) = locked.cached_token() {
        bearer_header(token)
    } else {
        bearer_header(locked.token())
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_token_file_single_lock_reload_plain");
    let token_file = Arc::new(
        Mutex::new(TokenFile {
            token: "eyJhbGciOi-0".to_owned(),
            expires_at: Instant::now(),
            reloads: 0,
        })
        .named("token-file"),
    );
    for _ in 0..3 {
        let token_file = token_file.clone();
        tokio::spawn(async move {
            loop {
                let header = auth_header(&token_file).await;
                assert!(header.starts_with("Bearer "));
                tokio::time::sleep(Duration::from_millis(15)).await;
            }
        });
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    ready();
    loop {
        tokio::time::sleep(Duration::from_secs(3600)).await;
    }
}
