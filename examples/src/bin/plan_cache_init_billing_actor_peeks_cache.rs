//! The twin of `plan_cache_init_asks_billing_actor_reading_cache`, with
//! the usual fix for a reentrant cache: the `billing` actor peeks at the
//! tenant's current plan without waiting (`state.cached_plan(t)`: the
//! key's cell's `OnceCell::get`, `None` while it is being loaded), so it
//! never waits for the initialisation that waits for it. The billing API
//! takes 120 ms, so concurrent requests for one tenant wait on its `plan`
//! cell meanwhile. Handlers are `#[peeps::instrument] async fn`s started
//! with plain `tokio::spawn`, three at a time for one of six tenants
//! every 150 ms; a `plan-evictor` (`peeps::spawn_named`) empties
//! `plan-cells` every 700 ms, so plans keep being loaded again.
//!
//! Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock.

use examples::{ready_when, waiters};
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

    /// The tenant's plan if it is loaded, without waiting.
    async fn cached_plan(&self, tenant: u32) -> Option<Plan> {
        let plans = self.plans.lock().await;
        plans.get(&tenant)?.get().cloned()
    }
}

async fn billing(mut requests: mpsc::Receiver<BillingRequest>, state: Arc<AppState>) {
    while let Some(request) = requests.recv().await {
        match request {
            BillingRequest::FetchPlan { tenant, reply } => {
                // The billing API (slow), then the add-ons the tenant
                // already has carry over.
                tokio::time::sleep(Duration::from_millis(120)).await;
                let current = state.cached_plan(tenant).await.unwrap_or_default();
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
    std::hint::black_box((plan.tier, plan.monthly_cents, plan.add_ons.len()));
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("plan_cache_init_billing_actor_peeks_cache");
    let (tx, requests) = mpsc::channel_named("billing-requests", 64);
    let state = Arc::new(AppState {
        plans: Mutex::new(HashMap::new()).named("plan-cells"),
        billing: BillingHandle { tx },
    });
    peeps::spawn_named("billing", billing(requests, state.clone()));
    let evicted = state.clone();
    peeps::spawn_named("plan-evictor", async move {
        loop {
            tokio::time::sleep(Duration::from_millis(700)).await;
            evicted.plans.lock().await.clear();
        }
    });
    ready_when(|g| {
        waiters(g, NodeKind::Notify, "plan") >= 2
            && examples::waited_on(g, NodeKind::Channel, "plan-reply")
    });
    for n in 0u32.. {
        let tenant = (n * 7) % 6;
        for _ in 0..3 {
            tokio::spawn(handle_request(state.clone(), tenant));
        }
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
}
