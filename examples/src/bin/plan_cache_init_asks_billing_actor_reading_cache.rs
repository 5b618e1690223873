//! Deadlock: a read-through cache whose initialiser (`OnceCell::get_or_init`)
//! asks an actor, and the actor, to answer, reads the same cache through
//! the app's ordinary getter: it waits for the very initialisation that
//! waits for its answer.
//!
//! `AppState` keeps each tenant's billing plan in a per-key cell
//! (`plan-cells`, a `Mutex<HashMap<tenant, Arc<OnceCell<Plan>>>>`, each
//! cell `plan`) and a `BillingHandle { tx }` to the `billing` actor
//! (`peeps::spawn_named`, inbox `billing-requests`, answers on a
//! `plan-reply` oneshot). `state.plan(t)` clones the key's cell out of
//! the map and `get_or_init`s it with `billing.fetch_plan(t)`. To price
//! a plan, the actor carries the add-ons of the tenant's current plan
//! over, read with `state.plan(t).await`. Request handlers are
//! `#[peeps::instrument] async fn`s started with plain `tokio::spawn`
//! (as a web framework would); two requests for tenant 7 come in.
//!
//! Expected: one `probable` deadlock (a plain tokio task in it) of the
//! first handler (waiting on `plan-reply`, whose sender the `billing`
//! actor received and keeps in its state) and `billing` (waiting on the
//! initialisation of `plan`, run by that handler); the second handler,
//! waiting on the same initialisation, stuck behind it.

use examples::{park, ready_when, waiters};
use peeps::graph::NodeKind;
use peeps::sync::{Mutex, OnceCell, mpsc, oneshot};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

#[derive(Debug, Clone, Default)]
struct Plan {
    tier: &'static str,
    monthly_cents: u64,
    add_ons: Vec<String>,
}

enum BillingRequest {
    FetchPlan {
        tenant: u32,
        reply: oneshot::Sender<Plan>,
    },
}

#[derive(Clone)]
struct BillingHandle {
    tx: mpsc::Sender<BillingRequest>,
}

impl BillingHandle {
    async fn fetch_plan(&self, tenant: u32) -> Plan {
        let (reply, plan) = oneshot::channel_named("plan-reply");
        let _ = self
            .tx
            .send(BillingRequest::FetchPlan { tenant, reply })
            .await;
        plan.await.unwrap_or_default()
    }
}

struct AppState {
    plans: Mutex<HashMap<u32, Arc<OnceCell<Plan>>>>,
    billing: BillingHandle,
}

impl AppState {
    async fn plan(&self, tenant: u32) -> Plan {
        let cell = self
            .plans
            .lock()
            .await
            .entry(tenant)
            .or_insert_with(|| Arc::new(OnceCell::new().named("plan")))
            .clone();
        cell.get_or_init(|| self.billing.fetch_plan(tenant))
            .await
            .clone()
    }
}

async fn billing(mut requests: mpsc::Receiver<BillingRequest>, state: Arc<AppState>) {
    while let Some(request) = requests.recv().await {
        match request {
            BillingRequest::FetchPlan { tenant, reply } => {
                // The billing API (slow), then the add-ons the tenant
                // already has carry over.
                tokio::time::sleep(Duration::from_millis(30)).await;
                let current = state.plan(tenant).await;
                let plan = Plan {
                    tier: if tenant % 2 == 0 { "team" } else { "pro" },
                    monthly_cents: 2_900 + 100 * u64::from(tenant),
                    add_ons: current.add_ons,
                };
                let _ = reply.send(plan);
            }
        }
    }
}

#[peeps::instrument]
async fn handle_request(state: Arc<AppState>, tenant: u32) {
    let plan = state.plan(tenant).await;
    println!(
        "tenant {tenant}: {} at {} cents, {} add-ons",
        plan.tier,
        plan.monthly_cents,
        plan.add_ons.len()
    );
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("plan_cache_init_asks_billing_actor_reading_cache");
    let (tx, requests) = mpsc::channel_named("billing-requests", 64);
    let state = Arc::new(AppState {
        plans: Mutex::new(HashMap::new()).named("plan-cells"),
        billing: BillingHandle { tx },
    });
    peeps::spawn_named("billing", billing(requests, state.clone()));
    for _ in 0..2 {
        tokio::spawn(handle_request(state.clone(), 7));
    }
    ready_when(|g| {
        waiters(g, NodeKind::Notify, "plan") == 2
            && examples::waited_on(g, NodeKind::Channel, "plan-reply")
    });
    park().await
}
