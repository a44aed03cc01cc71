//! The JSON API as a program meets it: a token made for a user, the same data and checks as the
//! pages, paged lists, errors with one body shape, and an OpenAPI document that describes exactly
//! the routes that answer.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use grizha_domain::user::Login;
use grizha_store::Actor;
use serde_json::{Value, json};

use crate::{App, PLAN_FILE, demo_app, multipart};

/// A reply of the API, its body parsed.
pub(crate) struct Answer {
    pub status: StatusCode,
    pub json: Value,
    pub www_authenticate: Option<String>,
}

impl App {
    /// A token for the account `login`, made as that user would on the account page.
    pub(crate) async fn token(&self, login: &str) -> String {
        let store = &self.state.store;
        let user = store.user_by_login(&Login::parse(login).unwrap()).await.unwrap().unwrap();
        store.create_api_token(&Actor::User(user), "тест", chrono::Utc::now()).await.unwrap().0
    }

    pub(crate) async fn api(&self, method: Method, path: &str, token: &str, body: Option<Value>) -> Answer {
        let mut request = Request::builder().method(method).uri(path);
        if !token.is_empty() {
            request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        let request = match body {
            Some(body) => {
                request.header(header::CONTENT_TYPE, "application/json").body(Body::from(body.to_string())).unwrap()
            }
            None => request.body(Body::empty()).unwrap(),
        };
        let reply = self.send(request).await;
        let json = serde_json::from_str(&reply.body)
            .unwrap_or_else(|e| panic!("{path}: not JSON ({e}), status {}: {}", reply.status, reply.body));
        Answer { status: reply.status, json, www_authenticate: reply.www_authenticate }
    }

    pub(crate) async fn api_get(&self, path: &str, token: &str) -> Answer {
        self.api(Method::GET, path, token, None).await
    }
}

/// The error body every error answer has.
fn assert_error(answer: &Answer, status: StatusCode, code: &str) {
    assert_eq!(answer.status, status, "{}", answer.json);
    assert_eq!(answer.json["error"], code, "{}", answer.json);
    assert!(answer.json["message"].as_str().is_some_and(|m| !m.is_empty()), "{}", answer.json);
}

#[tokio::test]
async fn a_program_with_a_token_reads_and_edits_a_plan_as_its_user_may() {
    let app = demo_app().await;
    let token = app.token("demo-iztok").await;

    let me = app.api_get("/api/v1/me", &token).await;
    assert_eq!((me.json["login"].as_str(), me.json["area"].as_str()), (Some("demo-iztok"), Some("DEM01")));

    // The plans of the user's own municipality, by default and by name; a year filters.
    let plans = app.api_get("/api/v1/plans", &token).await;
    assert_eq!(plans.status, StatusCode::OK);
    assert_eq!(plans.json, app.api_get("/api/v1/plans?area=DEM01", &token).await.json);
    assert!(plans.json["total"].as_u64().unwrap() >= 2, "two years of plans: {}", plans.json);
    let draft = plans.json["items"].as_array().unwrap().iter().find(|p| p["status"] == "draft").expect("a draft");
    let plan = draft["id"].as_i64().unwrap();
    let year = draft["year"].as_i64().unwrap();
    let only = app.api_get(&format!("/api/v1/plans?year={year}"), &token).await;
    assert!(only.json["items"].as_array().unwrap().iter().all(|p| p["year"] == year));

    // The rows page by page: two pages of two cover the first four, and say how many there are.
    let all = app.api_get(&format!("/api/v1/plans/{plan}/activities?per_page=500"), &token).await;
    let total = all.json["total"].as_u64().unwrap();
    assert!(total >= 4);
    let first = app.api_get(&format!("/api/v1/plans/{plan}/activities?page=1&per_page=2"), &token).await;
    let second = app.api_get(&format!("/api/v1/plans/{plan}/activities?page=2&per_page=2"), &token).await;
    assert_eq!(first.json["total"].as_u64(), Some(total));
    let paged: Vec<&Value> =
        first.json["items"].as_array().unwrap().iter().chain(second.json["items"].as_array().unwrap()).collect();
    let whole: Vec<&Value> = all.json["items"].as_array().unwrap().iter().take(4).collect();
    assert_eq!(paged, whole);
    assert_error(
        &app.api_get(&format!("/api/v1/plans/{plan}/activities?per_page=0"), &token).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid",
    );
    assert_error(
        &app.api_get(&format!("/api/v1/plans/{plan}/activities?page=abc"), &token).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid",
    );

    // A new row: the words of its deadline, parties and funding are read into kinds and codes.
    let added = app
        .api(
            Method::POST,
            &format!("/api/v1/plans/{plan}/activities"),
            &token,
            Some(json!({
                "code": "9.1", "section": "Нови дейности",
                "text": "Обучение на приемни родители",
                "deadline": "II тримесечие",
                "responsible": "Община, ДСП",
                "funding": "Общински бюджет",
                "expected_results": ["Обучени 10 приемни родители"]
            })),
        )
        .await;
    assert_eq!(added.status, StatusCode::CREATED, "{}", added.json);
    assert_eq!(added.json["deadline_kind"], "quarter");
    assert_eq!(added.json["deadline_from"], format!("{year}-04-01"));
    assert_eq!(added.json["funding"][0]["kind"], "municipal_budget");
    let row = added.json["id"].as_i64().unwrap();
    let version = added.json["version"].as_i64().unwrap();

    // An edit names the version it read; a second edit from the same reading is a conflict.
    let edit = |text: &str, version: i64| {
        json!({"version": version, "text": text, "deadline": "30.06", "responsible": "Община", "funding": "ДДД",
               "expected_results": []})
    };
    let path = format!("/api/v1/plans/{plan}/activities/{row}");
    let saved = app.api(Method::PUT, &path, &token, Some(edit("Обучение на 12 приемни родители", version))).await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.json);
    assert_eq!(saved.json["text"], "Обучение на 12 приемни родители");
    assert_eq!(saved.json["code"], "9.1", "what the edit does not name stays");
    assert!(saved.json["version"].as_i64().unwrap() > version);
    let stale = app.api(Method::PUT, &path, &token, Some(edit("Друго", version))).await;
    assert_error(&stale, StatusCode::CONFLICT, "stale_edit");
    let reread = app.api_get(&format!("/api/v1/plans/{plan}/activities?per_page=500"), &token).await;
    assert!(reread.json["items"].as_array().unwrap().iter().any(|a| a["text"] == "Обучение на 12 приемни родители"));

    // Monitoring of the row for a quarter, then corrected based on its version.
    let record = |version: Option<i64>, progress: u8| {
        json!({"plan": plan, "activity": row, "period": "q2", "status": "in_progress", "progress": progress,
               "comment": "Започнато", "version": version})
    };
    let first = app.api(Method::PUT, "/api/v1/monitoring", &token, Some(record(None, 30))).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.json);
    let again =
        app.api(Method::PUT, "/api/v1/monitoring", &token, Some(record(first.json["version"].as_i64(), 60))).await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.json);
    let stale =
        app.api(Method::PUT, "/api/v1/monitoring", &token, Some(record(first.json["version"].as_i64(), 90))).await;
    assert_error(&stale, StatusCode::CONFLICT, "stale_edit");
    let records = app.api_get(&format!("/api/v1/monitoring?plan={plan}&activity={row}"), &token).await;
    assert_eq!(records.json["items"][0]["progress"], 60);
    assert_eq!(records.json["items"][0]["period"], "q2");

    // The history names who changed the row.
    let history = app.api_get(&format!("/api/v1/plans/{plan}/history?per_page=500"), &token).await;
    let changes = history.json["items"].as_array().unwrap();
    assert!(changes.iter().any(|c| c["entity"] == "activity" && c["action"] == "update" && c["actor"] == "demo-iztok"));

    // The draft goes to public consultation for 30 days, based on the plan's version.
    let (_, plan_version) = app.state.store.plan(grizha_domain::ids::AnnualPlanId(plan)).await.unwrap();
    let consultation = json!({"status": "public_consultation", "version": plan_version.0,
                              "from": format!("{year}-01-10"), "to": format!("{year}-02-15")});
    let moved =
        app.api(Method::POST, &format!("/api/v1/plans/{plan}/status"), &token, Some(consultation.clone())).await;
    assert_eq!(moved.status, StatusCode::OK, "{}", moved.json);
    assert_eq!(moved.json["status"], "public_consultation");
    // Sent again, it is refused: the plan is in consultation already.
    let again = app.api(Method::POST, &format!("/api/v1/plans/{plan}/status"), &token, Some(consultation)).await;
    assert_error(&again, StatusCode::UNPROCESSABLE_ENTITY, "invalid");
}

#[tokio::test]
async fn an_indicators_actual_value_is_entered_for_a_year_and_read_back() {
    let app = demo_app().await;
    let token = app.token("demo-iztok").await;
    let strategies = app.api_get("/api/v1/strategies", &token).await;
    let strategy = strategies.json["items"][0]["id"].as_i64().unwrap();
    let tree = app.api_get(&format!("/api/v1/strategies/{strategy}"), &token).await;
    assert!(!tree.json["nodes"].as_array().unwrap().is_empty());
    let indicator = &tree.json["indicators"][0];
    let id = indicator["id"].as_i64().unwrap();
    let year = tree.json["from_year"].as_i64().unwrap();
    let version = indicator["values"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["from"] == format!("{year}-01-01") && v["to"] == format!("{year}-12-31"))
        .map(|v| v["version"].clone())
        .unwrap_or(Value::Null);
    let path = format!("/api/v1/strategies/{strategy}/indicators/{id}/years/{year}");
    let set = app
        .api(Method::PUT, &path, &token, Some(json!({"version": version, "value": 42.5, "comment": "по данни на ДСП"})))
        .await;
    assert_eq!(set.status, StatusCode::OK, "{}", set.json);
    let tree = app.api_get(&format!("/api/v1/strategies/{strategy}"), &token).await;
    let values = tree.json["indicators"][0]["values"].as_array().unwrap().clone();
    assert!(values.iter().any(|v| v["actual"] == 42.5 && v["actual_comment"] == "по данни на ДСП"), "{values:?}");
    // A year not yet begun has no actual value.
    let future = format!("/api/v1/strategies/{strategy}/indicators/{id}/years/2099");
    let refused = app.api(Method::PUT, &future, &token, Some(json!({"value": 1.0}))).await;
    assert_error(&refused, StatusCode::UNPROCESSABLE_ENTITY, "invalid");
}

#[tokio::test]
async fn every_error_has_one_body_shape_and_a_token_is_needed() {
    let app = demo_app().await;
    let token = app.token("demo-iztok").await;

    let none = app.api_get("/api/v1/plans", "").await;
    assert_error(&none, StatusCode::UNAUTHORIZED, "unauthenticated");
    assert_eq!(none.www_authenticate.as_deref(), Some("Bearer"));
    assert_error(&app.api_get("/api/v1/plans", "grizha_nonsense").await, StatusCode::UNAUTHORIZED, "unauthenticated");
    // A session cookie is not an API credential.
    let cookie = app.session("demo-iztok", "demo-iztok-pass").await;
    let with_cookie =
        app.send(Request::get("/api/v1/plans").header(header::COOKIE, cookie).body(Body::empty()).unwrap()).await;
    assert_eq!(with_cookie.status, StatusCode::UNAUTHORIZED);

    assert_error(&app.api_get("/api/v1/nothing-here", &token).await, StatusCode::NOT_FOUND, "not_found");
    assert_error(&app.api_get("/api/v1/plans/999999", &token).await, StatusCode::NOT_FOUND, "not_found");
    assert_error(&app.api_get("/api/v1/plans/abc", &token).await, StatusCode::NOT_FOUND, "not_found");
    assert_error(&app.api_get("/api/v1/plans?area=DEM02", &token).await, StatusCode::FORBIDDEN, "forbidden");
    assert_error(&app.api_get("/api/v1/plans?area=xx", &token).await, StatusCode::UNPROCESSABLE_ENTITY, "invalid");
    let plan = app.api_get("/api/v1/plans", &token).await.json["items"][0]["id"].as_i64().unwrap();
    let broken = app
        .send(
            Request::post(format!("/api/v1/plans/{plan}/activities"))
                .header(header::AUTHORIZATION, format!("Bearer {token}"))
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from("{\"text\": "))
                .unwrap(),
        )
        .await;
    assert_eq!(broken.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", broken.body);
    let broken: Value = serde_json::from_str(&broken.body).unwrap();
    assert_eq!(broken["error"], "invalid");
    let missing = app
        .api(Method::POST, &format!("/api/v1/plans/{plan}/activities"), &token, Some(json!({"deadline": "2026"})))
        .await;
    assert_error(&missing, StatusCode::UNPROCESSABLE_ENTITY, "invalid");
    assert!(
        missing.json["message"].as_str().unwrap().contains("text"),
        "the message names the field: {}",
        missing.json
    );

    // A revoked token signs nobody in from then on.
    let store = &app.state.store;
    let user = store.user_by_login(&Login::parse("demo-iztok").unwrap()).await.unwrap().unwrap();
    let id = store.api_tokens_of(user.id).await.unwrap()[0].id;
    store.revoke_api_token(&Actor::User(user), id, chrono::Utc::now()).await.unwrap();
    assert_error(&app.api_get("/api/v1/me", &token).await, StatusCode::UNAUTHORIZED, "unauthenticated");
}

#[tokio::test]
async fn a_document_is_imported_through_the_api_reviewed_and_accepted_once() {
    let app = demo_app().await;
    let token = app.token("demo-iztok").await;
    let upload = || {
        let (content_type, body) = multipart("", "план-2025.txt", PLAN_FILE.as_bytes());
        Request::post("/api/v1/imports")
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(header::CONTENT_TYPE, content_type)
            .body(Body::from(body))
            .unwrap()
    };
    let reply = app.send(upload()).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    let staged: Value = serde_json::from_str(&reply.body).unwrap();
    let id = staged["id"].as_str().unwrap().to_owned();
    assert_eq!(staged["imported_before"], false);
    let rows = staged["documents"][0]["activities"].as_array().unwrap();
    assert_eq!(rows.len(), 3);
    assert!(rows[0]["source"].as_str().unwrap().contains("Консултиране на родители"), "{}", rows[0]);
    assert_eq!(app.api_get("/api/v1/imports", &token).await.json["total"], 1);
    // Another user cannot open it.
    let other = app.token("demo-zapad").await;
    assert_error(&app.api_get(&format!("/api/v1/imports/{id}"), &other).await, StatusCode::NOT_FOUND, "not_found");

    // Nothing is saved until accepted; accepted with the first and third rows, the third corrected.
    let before = app.api_get("/api/v1/plans?area=DEM01", &token).await.json["total"].clone();
    let accept = json!({"document": 0, "area": "DEM01", "year": 2030, "title": "План 2030",
                        "rows": [{"index": 0}, {"index": 2, "text": "Информационна кампания в училищата"}]});
    let accepted = app.api(Method::POST, &format!("/api/v1/imports/{id}/accept"), &token, Some(accept.clone())).await;
    assert_eq!(accepted.status, StatusCode::CREATED, "{}", accepted.json);
    assert_eq!((accepted.json["status"].as_str(), accepted.json["year"].as_i64()), (Some("draft"), Some(2030)));
    let plan = accepted.json["id"].as_i64().unwrap();
    let texts: Vec<Value> = app.api_get(&format!("/api/v1/plans/{plan}/activities"), &token).await.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["text"].clone())
        .collect();
    assert_eq!(texts, [json!("Консултиране на родители"), json!("Информационна кампания в училищата")]);
    assert_ne!(app.api_get("/api/v1/plans?area=DEM01", &token).await.json["total"], before);

    // The same file again is recognised and cannot be accepted a second time.
    let again: Value = serde_json::from_str(&app.send(upload()).await.body).unwrap();
    assert_eq!(again["imported_before"], true);
    let path = format!("/api/v1/imports/{}/accept", again["id"].as_str().unwrap());
    let accept = json!({"document": 0, "area": "DEM01", "year": 2031});
    assert_error(
        &app.api(Method::POST, &path, &token, Some(accept)).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid",
    );
    // An unreadable file is refused with the reader's reason.
    let (content_type, body) = multipart("", "снимка.bin", &[0, 159, 146, 150, 0, 1]);
    let junk = app
        .send(
            Request::post("/api/v1/imports")
                .header(header::AUTHORIZATION, format!("Bearer {token}"))
                .header(header::CONTENT_TYPE, content_type)
                .body(Body::from(body))
                .unwrap(),
        )
        .await;
    assert_eq!(junk.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(junk.body.contains("снимка.bin"), "{}", junk.body);
    // A file over the body limit: 413 with the API's error body, and nothing staged.
    let (content_type, body) = multipart("", "огромен.txt", &vec![b'a'; grizha_web::MAX_BODY_BYTES + 1024]);
    let huge = app
        .send(
            Request::post("/api/v1/imports")
                .header(header::AUTHORIZATION, format!("Bearer {token}"))
                .header(header::CONTENT_TYPE, content_type)
                .body(Body::from(body))
                .unwrap(),
        )
        .await;
    assert_eq!(huge.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", huge.body);
    let huge: Value = serde_json::from_str(&huge.body).unwrap();
    assert_eq!(huge["error"], "too_large");
    assert_eq!(app.api_get("/api/v1/imports", &token).await.json["total"], 1, "only the re-upload waits");
}

/// A schema of the OpenAPI document with `$ref`s followed.
fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    match schema["$ref"].as_str() {
        Some(reference) => {
            let name = reference.trim_start_matches("#/components/schemas/");
            resolve(doc, &doc["components"]["schemas"][name])
        }
        None => schema,
    }
}

/// The properties a schema names (of all its `allOf` parts too).
fn properties(doc: &Value, schema: &Value) -> Vec<String> {
    let schema = resolve(doc, schema);
    let mut names: Vec<String> =
        schema["properties"].as_object().map(|p| p.keys().cloned().collect()).unwrap_or_default();
    for part in schema["allOf"].as_array().into_iter().flatten() {
        names.extend(properties(doc, part));
    }
    names
}

#[tokio::test]
async fn the_openapi_document_describes_exactly_the_routes_that_answer() {
    let app = demo_app().await;
    let token = app.token("demo-admin").await;
    let served = app.api_get("/api/v1/openapi.json", "").await;
    assert_eq!(served.status, StatusCode::OK);
    let doc = served.json;
    assert_eq!(doc, serde_json::from_str::<Value>(grizha_web::api::openapi_json()).unwrap());
    assert!(doc["components"]["securitySchemes"]["token"].is_object());

    // Real ids of the demo to put into the paths.
    let plan = app.api_get("/api/v1/plans?area=DEM01", &token).await.json["items"][0].clone();
    let plan_id = plan["id"].as_i64().unwrap().to_string();
    let activity = app.api_get(&format!("/api/v1/plans/{plan_id}/activities"), &token).await.json["items"][0]["id"]
        .as_i64()
        .unwrap()
        .to_string();
    let strategy = app.api_get("/api/v1/strategies?area=DEM01", &token).await.json["items"][0]["id"].to_string();
    let service = app.api_get("/api/v1/services?municipality=DEM01", &token).await.json["items"][0]["id"].to_string();
    let fill = |path: &str| {
        path.replace(
            "{id}",
            if path.starts_with("/api/v1/strategies") {
                &strategy
            } else if path.starts_with("/api/v1/services") {
                &service
            } else {
                &plan_id
            },
        )
        .replace("{activity}", &activity)
        .replace("{indicator}", "1")
        .replace("{year}", "2026")
    };
    let query = |path: &str| match path {
        "/api/v1/plans" | "/api/v1/strategies" => "?area=DEM01".to_owned(),
        "/api/v1/services" => "?municipality=DEM01".to_owned(),
        "/api/v1/monitoring" => format!("?plan={plan_id}&activity={activity}"),
        _ => String::new(),
    };

    let paths = doc["paths"].as_object().unwrap();
    assert!(paths.len() >= 15, "{:?}", paths.keys());
    let mut checked = 0;
    for (path, operations) in paths {
        assert!(path.starts_with("/api/v1/"), "{path}");
        for (method, operation) in operations.as_object().unwrap() {
            let method: Method = method.to_uppercase().parse().unwrap();
            let url = format!("{}{}", fill(path), if method == Method::GET { query(path) } else { String::new() });
            // Every documented operation is routed: an empty or absent body is refused by the
            // handler (never "no such route"), and without a token it asks for one.
            let anonymous = app.api(method.clone(), &url, "", None).await;
            assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED, "{method} {url}: {}", anonymous.json);
            let answer =
                app.api(method.clone(), &url, &token, if method == Method::GET { None } else { Some(json!({})) }).await;
            assert!(
                !answer.json["message"].as_str().unwrap_or("").contains("no such API route"),
                "{method} {url} is documented but not routed"
            );
            assert_ne!(answer.status, StatusCode::METHOD_NOT_ALLOWED, "{method} {url}");
            // A documented status; for a read, the body has the documented fields.
            let responses = &operation["responses"];
            assert!(
                responses[answer.status.as_str()].is_object(),
                "{method} {url}: {} is not documented",
                answer.status
            );
            if method == Method::GET && answer.status == StatusCode::OK {
                let schema = &responses["200"]["content"]["application/json"]["schema"];
                let mut documented = properties(&doc, schema);
                let mut actual: Vec<String> = answer.json.as_object().unwrap().keys().cloned().collect();
                documented.sort();
                actual.sort();
                assert_eq!(actual, documented, "{method} {url}");
                if let Some(items) = answer.json["items"].as_array().and_then(|i| i.first()) {
                    let item_schema = &resolve(&doc, schema)["properties"]["items"]["items"];
                    let mut documented = properties(&doc, item_schema);
                    let mut actual: Vec<String> = items.as_object().unwrap().keys().cloned().collect();
                    documented.sort();
                    actual.sort();
                    assert_eq!(actual, documented, "items of {method} {url}");
                }
                checked += 1;
            }
        }
    }
    assert!(checked >= 10, "only {checked} reads were checked against their schemas");
}

#[tokio::test]
async fn a_user_makes_a_token_on_the_account_page_sees_it_once_and_revokes_it() {
    let app = demo_app().await;
    let session = app.session("demo-iztok", "demo-iztok-pass").await;
    let page = app.get("/account", &session).await;
    let csrf = page.csrf();
    assert!(page.body.contains("Ключове за API"));

    let made = app.post("/account/tokens", &session, &[("csrf", &csrf), ("name", "Отчетна <таблица>")]).await;
    assert_eq!(made.status, StatusCode::CREATED);
    let at = made.body.find("value=\"grizha_").expect("the new token is shown") + 7;
    let secret = made.body[at..at + 71].to_owned();
    assert!(made.body.contains("Отчетна &#60;таблица&#62;"), "the name is escaped");
    assert_eq!(app.api_get("/api/v1/me", &secret).await.json["login"], "demo-iztok");
    // Shown once: the page read again lists the token by name only.
    let again = app.get("/account", &session).await;
    assert!(!again.body.contains(&secret));
    assert!(again.body.contains("Отчетна &#60;таблица&#62;"));
    // A forged form makes nothing; a nameless token is refused with the reason.
    assert_eq!(
        app.post("/account/tokens", &session, &[("csrf", "x"), ("name", "a")]).await.status,
        StatusCode::FORBIDDEN
    );
    let nameless = app.post("/account/tokens", &session, &[("csrf", &csrf), ("name", " ")]).await;
    assert_eq!(nameless.status, StatusCode::UNPROCESSABLE_ENTITY);

    // Someone else cannot revoke it; its owner can, and the program is shut out.
    let store = &app.state.store;
    let user = store.user_by_login(&Login::parse("demo-iztok").unwrap()).await.unwrap().unwrap();
    let id = store.api_tokens_of(user.id).await.unwrap()[0].id;
    let other = app.session("demo-zapad", "demo-zapad-pass").await;
    let other_csrf = app.get("/account", &other).await.csrf();
    let refused = app.post(&format!("/account/tokens/{id}/revoke"), &other, &[("csrf", &other_csrf)]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(app.api_get("/api/v1/me", &secret).await.status, StatusCode::OK);
    let revoked = app.post(&format!("/account/tokens/{id}/revoke"), &session, &[("csrf", &csrf)]).await;
    assert_eq!(revoked.status, StatusCode::SEE_OTHER);
    assert!(app.get("/account", &session).await.body.contains("отменен на"));
    assert_error(&app.api_get("/api/v1/me", &secret).await, StatusCode::UNAUTHORIZED, "unauthenticated");
}
