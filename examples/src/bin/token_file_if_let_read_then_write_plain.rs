//! Deadlock from kube-rs/kube#830 ("Fix deadlock in token reloading"):
//! `RefreshableToken::File` read the cached token with
//! `if let Some(token) = token_file.read().await.cached_token() { .. }
//! else { bearer_header(token_file.write().await.token()) }` — under
//! edition 2021 the read guard of the `if let` scrutinee lives until the
//! end of the whole `if let`/`else`, so once the cached token expires the
//! `else` branch waits for a write lock behind its own read guard. This
//! crate is edition 2024, which drops that guard before the `else`; the
//! same code is written here as a `match` on the scrutinee, whose guard
//! lives through every arm in any edition.
//!
//! `#[tokio::main]`; three plain `tokio::spawn` API requests each fetch a
//! bearer header from the shared `token-file` (a `peeps::sync::RwLock`),
//! whose cached token has expired; they arrive 20 ms apart (two requests
//! reading at the same moment would each wait to write behind the other's
//! read, a two-task deadlock). The first request deadlocks with its
//! own read guard; the others queue their reads behind its pending write.
//!
//! Expected: one deadlock of the first plain request task with itself on
//! rwlock `token-file` (its write behind its own read guard); the other two
//! requests behind; `peeps analyze` exits 1.

use examples::{park, ready_when, waiters};
use peeps::graph::NodeKind;
use peeps::sync::RwLock;
use std::sync::Arc;
use std::time::{Duration, Instant};

struct TokenFile {
    token: String,
    expires_at: Instant,
}

impl TokenFile {
    fn cached_token(&self) -> Option<&str> {
        (Instant::now() < self.expires_at).then_some(self.token.as_str())
    }

    /// Rereads the projected service-account token from disk.
    fn token(&mut self) -> &str {
        self.token = "eyJhbGciOi-refreshed".to_owned();
        self.expires_at = Instant::now() + Duration::from_secs(60);
        &self.token
    }
}

fn bearer_header(token: &str) -> String {
    format!("Bearer {token}")
}

async fn auth_header(token_file: &RwLock<TokenFile>) -> String {
    // kube 0.69 wrote `if let .. else`; under edition 2021 the scrutinee's
    // guard lived through the `else` (edition 2024 drops it before the
    // `else`), which a `match` keeps in every edition.
    match token_file.read().await.cached_token() {
        Some(token) => bearer_header(token),
        None => bearer_header(token_file.write().await.token()),
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("token_file_if_let_read_then_write_plain");
    let token_file = Arc::new(
        RwLock::new(TokenFile {
            token: "eyJhbGciOi-expired".to_owned(),
            expires_at: Instant::now(),
        })
        .named("token-file"),
    );
    let paths = ["/api/v1/pods", "/api/v1/nodes", "/apis/apps/v1/deployments"];
    for (i, path) in (0u64..).zip(paths) {
        let token_file = token_file.clone();
        tokio::spawn(async move {
            // The requests arrive 20 ms apart: the first one's write is
            // queued before the others read.
            tokio::time::sleep(Duration::from_millis(10 + 20 * i)).await;
            let header = auth_header(&token_file).await;
            println!("GET {path} with {header}");
        });
    }
    ready_when(|g| waiters(g, NodeKind::Rwlock, "token-file") == 3);
    park().await
}
