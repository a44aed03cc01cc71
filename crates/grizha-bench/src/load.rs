//! The load: the table of endpoints, and closed-loop clients on loopback that each send one
//! request, wait for the whole answer, and send the next.

use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper::header::{AUTHORIZATION, COOKIE};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

use crate::dataset::Target;

pub type HttpClient = Client<HttpConnector, Empty<Bytes>>;

pub fn client() -> HttpClient {
    Client::builder(TokioExecutor::new()).pool_max_idle_per_host(1024).build_http()
}

/// Whose session a request carries.
#[derive(Debug, Clone, Copy)]
pub enum Who {
    /// The municipality's editor (cookie `grizha_session`).
    Editor,
    /// The regional monitoring unit of the municipality's region (cookie `grizha_session`).
    Region,
}

/// How the session's token is sent.
#[derive(Debug, Clone, Copy)]
pub enum Credential {
    /// The browser's cookie `grizha_session`.
    Cookie,
    /// `Authorization: Bearer <token>`, for the JSON API.
    Bearer,
}

/// One kind of request: a path made from a municipality's records.
pub struct Endpoint {
    pub name: &'static str,
    pub who: Who,
    pub credential: Credential,
    pub path: fn(&Target, &mut fastrand::Rng) -> String,
}

fn pick<T: Copy>(items: &[T], rng: &mut fastrand::Rng) -> T {
    items[rng.usize(0..items.len())]
}

fn plan(t: &Target, rng: &mut fastrand::Rng) -> i64 {
    t.plans[rng.usize(0..t.plans.len())].0
}

/// The main pages, spread over the whole dataset: each request picks a municipality at random, then
/// one of its plans, services or activities. Add a row here to measure another page.
pub const ENDPOINTS: &[Endpoint] = &[
    Endpoint {
        name: "/ (municipal editor)",
        who: Who::Editor,
        credential: Credential::Cookie,
        path: |_, _| "/".into(),
    },
    Endpoint { name: "/ (region)", who: Who::Region, credential: Credential::Cookie, path: |_, _| "/".into() },
    Endpoint {
        name: "/plans/{id}",
        who: Who::Editor,
        credential: Credential::Cookie,
        path: |t, rng| format!("/plans/{}", plan(t, rng)),
    },
    Endpoint {
        name: "/plans/{id}?filters",
        who: Who::Region,
        credential: Credential::Cookie,
        path: |t, rng| {
            let filter = pick(&["state=late", "state=open&funding=state_delegated", "party=ДСД", "state=done"], rng);
            format!("/plans/{}?{}", plan(t, rng), filter.replace("ДСД", "%D0%94%D0%A1%D0%94"))
        },
    },
    Endpoint {
        name: "/municipalities/{code}/services",
        who: Who::Editor,
        credential: Credential::Cookie,
        path: |t, _| format!("/municipalities/{}/services", t.code),
    },
    Endpoint {
        name: "/services/{id}",
        who: Who::Editor,
        credential: Credential::Cookie,
        path: |t, rng| format!("/services/{}", pick(&t.services, rng)),
    },
    Endpoint {
        name: "/strategies/{id}",
        who: Who::Region,
        credential: Credential::Cookie,
        path: |t, rng| format!("/strategies/{}", pick(&t.strategies, rng)),
    },
    Endpoint {
        name: "/plans/{id}/history",
        who: Who::Editor,
        credential: Credential::Cookie,
        path: |t, rng| format!("/plans/{}/history", plan(t, rng)),
    },
    Endpoint {
        name: "/plans/{p}/activities/{id}/monitoring",
        who: Who::Editor,
        credential: Credential::Cookie,
        path: |t, rng| {
            let (plan, activities) = &t.plans[rng.usize(0..t.plans.len())];
            format!("/plans/{plan}/activities/{}/monitoring", pick(activities, rng))
        },
    },
    // ---- The JSON API (/api/v1, `Authorization: Bearer <token>`, as the municipality's editor) ----
    Endpoint {
        name: "GET /api/v1/plans?area={code}",
        who: Who::Editor,
        credential: Credential::Bearer,
        path: |t, _| format!("/api/v1/plans?area={}", t.code),
    },
    Endpoint {
        name: "GET /api/v1/plans/{id}/activities",
        who: Who::Editor,
        credential: Credential::Bearer,
        path: |t, rng| format!("/api/v1/plans/{}/activities", plan(t, rng)),
    },
    Endpoint {
        name: "GET /api/v1/services/{id}",
        who: Who::Editor,
        credential: Credential::Bearer,
        path: |t, rng| format!("/api/v1/services/{}", pick(&t.services, rng)),
    },
    Endpoint {
        name: "GET /api/v1/strategies/{id}",
        who: Who::Editor,
        credential: Credential::Bearer,
        path: |t, rng| format!("/api/v1/strategies/{}", pick(&t.strategies, rng)),
    },
];

/// What one endpoint answered during a phase.
#[derive(Default)]
pub struct Outcome {
    /// Latency of every request, in microseconds.
    pub latencies: Vec<u32>,
    pub errors: u64,
    pub first_error: Option<String>,
}

impl Outcome {
    fn merge(&mut self, other: Outcome) {
        self.latencies.extend(other.latencies);
        self.errors += other.errors;
        if self.first_error.is_none() {
            self.first_error = other.first_error;
        }
    }
}

/// Sends one request; `Err` with what went wrong when it is not a 200 with a body.
pub async fn request(
    client: &HttpClient,
    address: &str,
    endpoint: &Endpoint,
    target: &Target,
    rng: &mut fastrand::Rng,
) -> Result<(), String> {
    let path = (endpoint.path)(target, rng);
    let token = match (endpoint.who, endpoint.credential) {
        (Who::Editor, Credential::Bearer) => &target.editor_api_token,
        (Who::Editor, Credential::Cookie) => &target.editor_token,
        (Who::Region, _) => &target.region_token,
    };
    let (header, value) = match endpoint.credential {
        Credential::Cookie => (COOKIE, format!("grizha_session={token}")),
        Credential::Bearer => (AUTHORIZATION, format!("Bearer {token}")),
    };
    let request = hyper::Request::get(format!("http://{address}{path}"))
        .header(header, value)
        .body(Empty::new())
        .map_err(|e| format!("{path}: {e}"))?;
    let response = client.request(request).await.map_err(|e| format!("{path}: {e}"))?;
    let status = response.status();
    let body = response.into_body().collect().await.map_err(|e| format!("{path}: {e}"))?.to_bytes();
    if status != hyper::StatusCode::OK || body.is_empty() {
        return Err(format!("{path} answered {status} ({} bytes)", body.len()));
    }
    Ok(())
}

/// Runs `clients` closed-loop clients for `duration`, each picking an endpoint of `endpoints` and
/// a municipality at random for every request; returns what each endpoint answered.
pub async fn run(
    address: &str,
    endpoints: &[&'static Endpoint],
    targets: &std::sync::Arc<Vec<Target>>,
    clients: usize,
    duration: Duration,
    seed: u64,
) -> (Vec<Outcome>, Duration) {
    let client = client();
    let started = Instant::now();
    let deadline = started + duration;
    let mut tasks = Vec::new();
    for c in 0..clients {
        let (client, address, targets) = (client.clone(), address.to_owned(), targets.clone());
        let endpoints = endpoints.to_vec();
        tasks.push(tokio::spawn(async move {
            let mut rng = fastrand::Rng::with_seed(seed * 1000 + c as u64);
            let mut outcomes: Vec<Outcome> = endpoints.iter().map(|_| Outcome::default()).collect();
            while Instant::now() < deadline {
                let e = rng.usize(0..endpoints.len());
                let target = &targets[rng.usize(0..targets.len())];
                let sent = Instant::now();
                let answer = request(&client, &address, endpoints[e], target, &mut rng).await;
                let took = sent.elapsed();
                let outcome = &mut outcomes[e];
                outcome.latencies.push(u32::try_from(took.as_micros()).unwrap_or(u32::MAX));
                if let Err(what) = answer {
                    outcome.errors += 1;
                    outcome.first_error.get_or_insert(what);
                }
            }
            outcomes
        }));
    }
    let mut total: Vec<Outcome> = endpoints.iter().map(|_| Outcome::default()).collect();
    for task in tasks {
        for (sum, outcome) in total.iter_mut().zip(task.await.expect("a client task does not panic")) {
            sum.merge(outcome);
        }
    }
    (total, started.elapsed())
}
