//! Who may do what: every page and API endpoint that touches a municipality's data, tried by every
//! role, working for that municipality (own unit), for its region, or for another municipality or
//! region (other unit), and by nobody signed in.
//!
//! The expectations are written out here as lists of accounts, not computed with the code under
//! test: the readers of Демо-Изток's (DEM01) data are the administrator, the region's monitoring
//! unit and viewer, and DEM01's own editor and provider; its editors are the administrator, the
//! region's monitoring unit and DEM01's editor. Everyone else gets 403; nobody signed in is sent to
//! the login page (pages) or gets 401 (API).

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use grizha_domain::geography::AreaCode;
use grizha_domain::ids::{AnnualPlanId, PlanActivityId};
use grizha_domain::plan::PlanGeneration;
use grizha_domain::time::Year;
use grizha_domain::user::{Login, Role, User};
use grizha_store::{Actor, NewPlan, NewUser};
use serde_json::{Value, json};

use crate::{App, demo_app, encode, multipart};

/// Everyone who tries: the demo's accounts and a monitoring unit of another region.
const ACCOUNTS: [&str; 7] =
    ["demo-admin", "demo-oblast", "demo-iztok", "demo-zapad", "demo-provider", "demo-viewer", "hkv-oblast"];
/// Who may see DEM01's data.
const READERS: [&str; 5] = ["demo-admin", "demo-oblast", "demo-iztok", "demo-provider", "demo-viewer"];
/// Who may change DEM01's data.
const EDITORS: [&str; 3] = ["demo-admin", "demo-oblast", "demo-iztok"];
/// Who may keep the yearly figures of a DEM01 service provided by the demo's NGO: its editors and
/// the provider working for that NGO.
const SERVICE_KEEPERS: [&str; 4] = ["demo-admin", "demo-oblast", "demo-iztok", "demo-provider"];

#[derive(Debug, Clone, Copy, PartialEq)]
enum Access {
    /// Anyone signed in (geography, one's own account, one's own uploads).
    AnySignedIn,
    Read,
    Edit,
    /// Change the yearly figures of a service of the provider's organisation.
    KeepService,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Surface {
    Page,
    Api,
}

/// Every endpoint of the table: what it is called, how it is reached, who may.
const ENDPOINTS: &[(&str, Surface, Access)] = &[
    ("GET /", Surface::Page, Access::AnySignedIn),
    ("GET /import", Surface::Page, Access::AnySignedIn),
    ("GET /account", Surface::Page, Access::AnySignedIn),
    ("POST /account/tokens", Surface::Page, Access::AnySignedIn),
    ("GET /plans/{plan}", Surface::Page, Access::Read),
    ("GET /plans/{plan}/history", Surface::Page, Access::Read),
    ("GET /plans/{plan}/activities/{activity}/history", Surface::Page, Access::Read),
    ("GET /plans/{plan}/activities/{activity}/monitoring", Surface::Page, Access::Read),
    ("GET /plans/{plan}/activities/{activity}/edit", Surface::Page, Access::Edit),
    ("GET /municipalities/DEM01/services", Surface::Page, Access::Read),
    ("GET /services/{service}", Surface::Page, Access::Read),
    ("GET /strategies/{strategy}", Surface::Page, Access::Read),
    ("POST /services/{service}/years", Surface::Page, Access::KeepService),
    ("POST /strategies/{strategy}/indicators/{indicator}/actual", Surface::Page, Access::Edit),
    ("POST /plans/{plan}/activities", Surface::Page, Access::Edit),
    ("POST /plans/{plan}/activities/{activity}/edit", Surface::Page, Access::Edit),
    ("POST /plans/{plan}/activities/{activity}/monitoring", Surface::Page, Access::Edit),
    ("POST /plans/{plan}/activities/{activity}/move", Surface::Page, Access::Edit),
    ("POST /plans/{plan}/activities/{activity}/monitoring/evidence", Surface::Page, Access::Edit),
    ("GET /plans/{plan}/activities/{activity}/evidence/{document}", Surface::Page, Access::Read),
    ("POST /plans/{fresh_plan}/copy", Surface::Page, Access::Edit),
    ("POST /plans/{fresh_plan}/status", Surface::Page, Access::Edit),
    ("POST /import/{upload}/accept", Surface::Page, Access::Edit),
    ("GET /api/v1/me", Surface::Api, Access::AnySignedIn),
    ("GET /api/v1/regions", Surface::Api, Access::AnySignedIn),
    ("GET /api/v1/municipalities", Surface::Api, Access::AnySignedIn),
    ("GET /api/v1/imports", Surface::Api, Access::AnySignedIn),
    ("GET /api/v1/plans?area=DEM01", Surface::Api, Access::Read),
    ("GET /api/v1/plans/{plan}", Surface::Api, Access::Read),
    ("GET /api/v1/plans/{plan}/activities", Surface::Api, Access::Read),
    ("GET /api/v1/plans/{plan}/history", Surface::Api, Access::Read),
    ("GET /api/v1/strategies?area=DEM01", Surface::Api, Access::Read),
    ("GET /api/v1/strategies/{strategy}", Surface::Api, Access::Read),
    ("GET /api/v1/services?municipality=DEM01", Surface::Api, Access::Read),
    ("GET /api/v1/services/{service}", Surface::Api, Access::Read),
    ("PUT /api/v1/services/{service}/years/2026", Surface::Api, Access::KeepService),
    ("GET /api/v1/monitoring?plan={plan}&activity={activity}", Surface::Api, Access::Read),
    ("POST /api/v1/plans/{plan}/activities", Surface::Api, Access::Edit),
    ("PUT /api/v1/plans/{plan}/activities/{activity}", Surface::Api, Access::Edit),
    ("POST /api/v1/plans/{fresh_api_plan}/status", Surface::Api, Access::Edit),
    ("PUT /api/v1/monitoring", Surface::Api, Access::Edit),
    ("PUT /api/v1/strategies/{strategy}/indicators/{indicator}/years/2025", Surface::Api, Access::Edit),
    ("POST /api/v1/imports/{upload}/accept", Surface::Api, Access::Edit),
];

/// DEM01's records the table is tried on.
struct Target {
    plan: i64,
    activity: i64,
    service: i64,
    strategy: i64,
    indicator: i64,
}

/// One account's credentials and what was made for it to try with.
struct Caller {
    login: String,
    user: Option<User>,
    cookie: String,
    csrf: String,
    token: String,
    /// Draft plans of DEM01 for this caller alone, to move to consultation (page, API).
    fresh_plan: i64,
    fresh_api_plan: i64,
    /// The caller's own year (2040…), so the plans made for it never collide with another's.
    year: i32,
}

async fn target(app: &App) -> Target {
    let store = &app.state.store;
    let dem01 = AreaCode::parse("DEM01").unwrap();
    let plan = store.plans_of(&dem01).await.unwrap().into_iter().find(|p| p.status.is_editable()).expect("a draft");
    let activity = store.plan_activities(plan.id).await.unwrap()[0].0.id.get();
    let municipality = grizha_domain::geography::MunicipalityCode::parse("DEM01").unwrap();
    let provider = store.user_by_login(&Login::parse("demo-provider").unwrap()).await.unwrap().unwrap();
    let service = store
        .services_of(&municipality, None)
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.provider.is_some() && s.provider == provider.organisation)
        .expect("a DEM01 service of the demo's NGO")
        .id
        .get();
    let strategy = store.strategies_of(&dem01).await.unwrap()[0].id;
    let indicator = store.indicators_of(strategy).await.unwrap()[0].id.get();
    Target { plan: plan.id.get(), activity, service, strategy: strategy.get(), indicator }
}

async fn caller(app: &App, login: &str, year: i32) -> Caller {
    let store = &app.state.store;
    let user = store.user_by_login(&Login::parse(login).unwrap()).await.unwrap().unwrap();
    let (session, details) = store.start_session(&user, chrono::Utc::now()).await.unwrap();
    let (token, _) = store.create_api_token(&Actor::User(user.clone()), "таблица", chrono::Utc::now()).await.unwrap();
    let fresh = |year: i32| async move {
        let plan = NewPlan {
            area: AreaCode::parse("DEM01").unwrap(),
            year: Year::new(year).unwrap(),
            title: format!("План {year}"),
            strategy: None,
            generation: PlanGeneration::ActivityTable,
        };
        store.create_plan(&Actor::System("test"), plan).await.unwrap().id.get()
    };
    Caller {
        login: login.to_owned(),
        user: Some(user),
        cookie: format!("grizha_session={session}"),
        csrf: details.csrf_token,
        token,
        fresh_plan: fresh(year).await,
        fresh_api_plan: fresh(year + 20).await,
        year,
    }
}

/// Stages an upload of a small plan (its text unique to `seed`, so each can be accepted once).
async fn staged_upload(app: &App, caller: &Caller, seed: usize) -> String {
    let plan = format!(
        "ОБЩИНА ДЕМО-ИЗТОК\n\nГОДИШЕН ПЛАН ЗА 2041 Г.\n\nДейност\tСрок\tОтговорник\n\
         Консултиране № {seed}\tпостоянен\tДСП\n"
    );
    let (content_type, body) = multipart("", "план.txt", plan.as_bytes());
    let reply = app
        .send(
            Request::post("/api/v1/imports")
                .header(header::AUTHORIZATION, format!("Bearer {}", caller.token))
                .header(header::CONTENT_TYPE, content_type)
                .body(Body::from(body))
                .unwrap(),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}: {}", caller.login, reply.body);
    serde_json::from_str::<Value>(&reply.body).unwrap()["id"].as_str().unwrap().to_owned()
}

/// The request `endpoint` makes for `caller`, with a body that would succeed for someone allowed.
async fn request(app: &App, endpoint: &str, t: &Target, caller: &Caller, seed: usize) -> Request<Body> {
    let (method, path) = endpoint.split_once(' ').unwrap();
    let upload = if path.contains("{upload}") && caller.user.is_some() {
        staged_upload(app, caller, seed).await
    } else {
        "nothing-staged".to_owned()
    };
    let document = store_evidence(app, t).await;
    let path = path
        .replace("{document}", &document)
        .replace("{plan}", &t.plan.to_string())
        .replace("{fresh_plan}", &caller.fresh_plan.to_string())
        .replace("{fresh_api_plan}", &caller.fresh_api_plan.to_string())
        .replace("{activity}", &t.activity.to_string())
        .replace("{service}", &t.service.to_string())
        .replace("{strategy}", &t.strategy.to_string())
        .replace("{indicator}", &t.indicator.to_string())
        .replace("{upload}", &upload);
    let store = &app.state.store;
    let row_version = store
        .plan_activities(AnnualPlanId(t.plan))
        .await
        .unwrap()
        .into_iter()
        .find(|(a, _)| a.id == PlanActivityId(t.activity))
        .unwrap()
        .1
        .0;
    let fresh_version = store.plan(AnnualPlanId(caller.fresh_plan)).await.unwrap().1.0;
    let fresh_api_version = store.plan(AnnualPlanId(caller.fresh_api_plan)).await.unwrap().1.0;
    let q2_version = store
        .monitoring_records(PlanActivityId(t.activity))
        .await
        .unwrap()
        .into_iter()
        .find(|(r, _)| {
            r.period.start().format("%m-%d").to_string() == "04-01"
                && r.period.end().format("%m-%d").to_string() == "06-30"
        })
        .map(|(_, v)| v.0);
    let form: Vec<(&str, String)> = match endpoint {
        "POST /plans/{plan}/activities" => vec![
            ("text", format!("Ред от {}", caller.login)),
            ("deadline", "2026".into()),
            ("responsible", "ДСП".into()),
            ("funding", "ДДД".into()),
            ("results", String::new()),
        ],
        "POST /plans/{plan}/activities/{activity}/edit" => vec![
            ("version", row_version.to_string()),
            ("text", format!("Променено от {}", caller.login)),
            ("deadline", "2026".into()),
            ("responsible", "ДСП".into()),
            ("funding", "ДДД".into()),
            ("results", String::new()),
        ],
        "POST /plans/{plan}/activities/{activity}/monitoring" => vec![
            ("period", "q2".into()),
            ("version", q2_version.unwrap_or(0).to_string()),
            ("status", "in_progress".into()),
            ("progress", "40".into()),
            ("comment", String::new()),
        ],
        "POST /account/tokens" => vec![("name", "таблица".into())],
        "POST /strategies/{strategy}/indicators/{indicator}/actual" => {
            let version = store
                .indicator_periods(grizha_domain::ids::IndicatorId(t.indicator))
                .await
                .unwrap()
                .into_iter()
                .find(|(p, _)| {
                    p.period.start().to_string() == "2024-01-01" && p.period.end().to_string() == "2024-12-31"
                })
                .map_or(0, |(_, v)| v.0);
            vec![
                ("year", "2024".into()),
                ("version", version.to_string()),
                ("value", seed.to_string()),
                ("comment", String::new()),
            ]
        }
        "POST /services/{service}/years" => {
            let year =
                store.service_year(grizha_domain::ids::ServiceId(t.service), Year::new(2026).unwrap()).await.unwrap();
            vec![
                ("year", "2026".into()),
                ("version", year.map_or(0, |(_, v)| v.0).to_string()),
                ("max_users", "20".into()),
                ("funded_places", String::new()),
                ("occupied_places", String::new()),
                ("staff", "6".into()),
            ]
        }
        "POST /plans/{plan}/activities/{activity}/move" => {
            let version = store.plan(AnnualPlanId(t.plan)).await.unwrap().1.0;
            vec![("version", version.to_string()), ("direction", "down".into())]
        }
        "POST /plans/{fresh_plan}/status" => vec![
            ("version", fresh_version.to_string()),
            ("status", "public_consultation".into()),
            ("from", "2040-11-01".into()),
            ("to", "2040-12-15".into()),
        ],
        "POST /import/{upload}/accept" => vec![
            ("document", "0".into()),
            ("area", "DEM01".into()),
            ("year", (caller.year + 40).to_string()),
            ("include_0", "on".into()),
        ],
        _ => Vec::new(),
    };
    let json: Option<Value> = match endpoint {
        "POST /api/v1/plans/{plan}/activities" => Some(json!({"text": format!("Ред от {}", caller.login)})),
        "PUT /api/v1/plans/{plan}/activities/{activity}" => {
            Some(json!({"version": row_version, "text": format!("Променено от {}", caller.login)}))
        }
        "POST /api/v1/plans/{fresh_api_plan}/status" => Some(
            json!({"status": "public_consultation", "version": fresh_api_version, "from": "2060-11-01", "to": "2060-12-15"}),
        ),
        "PUT /api/v1/monitoring" => Some(json!({"plan": t.plan, "activity": t.activity, "period": "q2",
            "status": "in_progress", "progress": 50, "version": q2_version})),
        "PUT /api/v1/strategies/{strategy}/indicators/{indicator}/years/2025" => {
            let version = store
                .indicator_periods(grizha_domain::ids::IndicatorId(t.indicator))
                .await
                .unwrap()
                .into_iter()
                .find(|(p, _)| {
                    p.period.start().to_string() == "2025-01-01" && p.period.end().to_string() == "2025-12-31"
                })
                .map(|(_, v)| v.0);
            Some(json!({"version": version, "value": seed as f64}))
        }
        "PUT /api/v1/services/{service}/years/2026" => {
            let year =
                store.service_year(grizha_domain::ids::ServiceId(t.service), Year::new(2026).unwrap()).await.unwrap();
            Some(json!({"version": year.map(|(_, v)| v.0), "max_users": 20}))
        }
        "POST /api/v1/imports/{upload}/accept" => {
            Some(json!({"document": 0, "area": "DEM01", "year": caller.year + 45}))
        }
        _ => None,
    };
    let mut builder = Request::builder().method(method.parse::<Method>().unwrap()).uri(path);
    if endpoint.ends_with("/monitoring/evidence") {
        let boundary = "authorisation-table";
        let part = |name: &str, value: &str| {
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
        };
        let body = format!(
            "{}{}{}--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"протокол.txt\"\r\n\
             Content-Type: text/plain\r\n\r\nПротокол № {seed}\r\n--{boundary}--\r\n",
            part("csrf", &caller.csrf),
            part("period", "q2"),
            part("version", &q2_version.unwrap_or(0).to_string()),
        );
        return builder
            .header(header::COOKIE, &caller.cookie)
            .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={boundary}"))
            .body(Body::from(body))
            .unwrap();
    }
    if endpoint.contains(" /api/") {
        if !caller.token.is_empty() {
            builder = builder.header(header::AUTHORIZATION, format!("Bearer {}", caller.token));
        }
        return match json {
            Some(json) => {
                builder.header(header::CONTENT_TYPE, "application/json").body(Body::from(json.to_string())).unwrap()
            }
            None => builder.body(Body::empty()).unwrap(),
        };
    }
    builder = builder.header(header::COOKIE, &caller.cookie);
    if method == "GET" {
        return builder.body(Body::empty()).unwrap();
    }
    let mut fields = vec![format!("csrf={}", caller.csrf)];
    fields.extend(form.iter().map(|(k, v)| format!("{k}={}", encode(v))));
    builder
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(fields.join("&")))
        .unwrap()
}

/// The id of a file attached as evidence to the target row, once one is.
async fn store_evidence(app: &App, t: &Target) -> String {
    let records = app.state.store.monitoring_records(PlanActivityId(t.activity)).await.unwrap();
    records
        .iter()
        .flat_map(|(r, _)| &r.evidence)
        .find_map(|e| match e {
            grizha_domain::document::Evidence::Document { document, .. } => Some(document.get().to_string()),
            _ => None,
        })
        .unwrap_or_else(|| "0".to_owned())
}

#[tokio::test]
async fn every_endpoint_answers_each_role_as_its_unit_allows() {
    let app = demo_app().await;
    app.state
        .store
        .add_user(
            &Actor::System("test"),
            NewUser {
                login: Login::parse("hkv-oblast").unwrap(),
                display_name: "Звено на друга област".into(),
                password: "дълга парола 123".into(),
                role: Role::RegionalMonitoring,
                area: Some(AreaCode::parse("HKV").unwrap()),
            },
        )
        .await
        .unwrap();
    let t = target(&app).await;
    let mut callers = Vec::new();
    for (i, login) in ACCOUNTS.iter().enumerate() {
        // Two years apart, so a copy to next year never meets another caller's plan.
        callers.push(caller(&app, login, 2040 + 2 * i32::try_from(i).unwrap()).await);
    }
    let nobody = Caller {
        login: "(nobody)".into(),
        user: None,
        cookie: String::new(),
        csrf: String::new(),
        token: String::new(),
        fresh_plan: callers[0].fresh_plan,
        fresh_api_plan: callers[0].fresh_api_plan,
        year: callers[0].year,
    };

    let mut wrong = Vec::new();
    let mut seed = 0;
    for &(endpoint, surface, access) in ENDPOINTS {
        for caller in callers.iter().chain([&nobody]) {
            seed += 1;
            let allowed = caller.user.is_some()
                && match access {
                    Access::AnySignedIn => true,
                    Access::Read => READERS.contains(&caller.login.as_str()),
                    Access::Edit => EDITORS.contains(&caller.login.as_str()),
                    Access::KeepService => SERVICE_KEEPERS.contains(&caller.login.as_str()),
                };
            let reply = app.send(request(&app, endpoint, &t, caller, seed).await).await;
            let expected = match (caller.user.is_some(), allowed, surface) {
                (false, _, Surface::Page) => "303 to /login",
                (false, _, Surface::Api) => "401",
                (true, true, _) => "success",
                (true, false, _) => "403",
            };
            let ok = match expected {
                "303 to /login" => reply.status == StatusCode::SEE_OTHER && reply.location.as_deref() == Some("/login"),
                "401" => reply.status == StatusCode::UNAUTHORIZED,
                "success" => reply.status.is_success() || reply.status == StatusCode::SEE_OTHER,
                _ => reply.status == StatusCode::FORBIDDEN,
            };
            if !ok {
                let main = reply.body.find("<main").map_or(reply.body.as_str(), |at| &reply.body[at..]);
                let body: String = main.chars().take(300).collect();
                wrong.push(format!("{endpoint} as {}: expected {expected}, got {} {body}", caller.login, reply.status));
            }
        }
    }
    assert!(wrong.is_empty(), "{} of {} cells wrong:\n{}", wrong.len(), seed, wrong.join("\n"));
    assert!(seed >= ENDPOINTS.len() * 8);
}
