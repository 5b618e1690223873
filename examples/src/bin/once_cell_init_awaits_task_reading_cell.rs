//! Deadlock: a lazily built client (`OnceCell::get_or_init`) whose
//! initialiser starts the client's background task and waits for its
//! handshake, while that background task, written against the app's
//! ordinary getter, first asks the same cell for the client.
//!
//! `AppState::api()` is `self.api.get_or_init(|| connect(self)).await`.
//! `connect` spawns `token-refresher` (`peeps::spawn_named`), which
//! calls `state.api().await` to read the client's endpoint and then sends
//! its handshake on the `refresher-ready` oneshot that `connect` awaits.
//! The first request's `handler` runs the initialiser.
//!
//! Expected: one `certain` deadlock of `handler` (waiting to receive on
//! `refresher-ready`, its sender with `token-refresher`, moved in at
//! spawn and in its state) and `token-refresher` (waiting on the
//! initialisation of `api-client`, whose initialiser runs in `handler`).

use examples::{park, ready_when, waited_on, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::{OnceCell, oneshot};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

struct ApiClient {
    endpoint: String,
}

struct AppState {
    api: OnceCell<ApiClient>,
    endpoint: String,
}

impl AppState {
    /// Boxed, as the client's own background task calls it too.
    fn api(self: &Arc<Self>) -> BoxFuture<'_, &ApiClient> {
        Box::pin(self.api.get_or_init(|| connect(self.clone())))
    }
}

async fn connect(state: Arc<AppState>) -> ApiClient {
    let (ready_tx, ready_rx) = oneshot::channel_named("refresher-ready");
    peeps::spawn_named("token-refresher", refresh_tokens(state.clone(), ready_tx));
    // Do not hand out a client before its token is fresh.
    let _ = ready_rx.await;
    ApiClient {
        endpoint: state.endpoint.clone(),
    }
}

#[peeps::instrument]
async fn refresh_tokens(state: Arc<AppState>, ready: oneshot::Sender<()>) {
    let endpoint = state.api().await.endpoint.clone();
    println!("refreshing the token for {endpoint}");
    let _ = ready.send(());
}

#[peeps::instrument]
async fn handle_request(state: Arc<AppState>) {
    let api = state.api().await;
    println!("calling {}", api.endpoint);
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("once_cell_init_awaits_task_reading_cell");
    let state = Arc::new(AppState {
        api: OnceCell::new().named("api-client"),
        endpoint: "https://api.internal".to_owned(),
    });
    peeps::spawn_named("handler", handle_request(state));
    ready_when(|g| {
        waited_on_for(g, NodeKind::Channel, "refresher-ready", "recv")
            && waited_on(g, NodeKind::Notify, "api-client")
    });
    park().await
}
