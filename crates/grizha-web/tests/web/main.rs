//! The web application as a browser meets it over HTTP: signing in and out, CSRF, the login
//! throttle, the home page, and escaping of what users wrote.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use grizha_domain::geography::AreaCode;
use grizha_domain::user::{Login, Role};
use grizha_store::{Actor, DatabaseLocation, NewUser, Store};
use grizha_web::{AppState, router};
use http_body_util::BodyExt;
use tower::ServiceExt;

mod api;
mod authorisation;
mod editing;
mod registry;

struct App {
    state: AppState,
    _dir: tempfile::TempDir,
}

const PASSWORD: &str = "дълга парола 123";

async fn app() -> App {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&DatabaseLocation::SqliteFile(dir.path().join("grizha.sqlite"))).await.unwrap();
    for (login, name, area) in
        [("ekspert", "Мария <script>alert(1)</script> Иванова", "HKV34"), ("drug", "Друг експерт", "SZR31")]
    {
        store
            .add_user(
                &Actor::System("test"),
                NewUser {
                    login: Login::parse(login).unwrap(),
                    display_name: name.into(),
                    password: PASSWORD.into(),
                    role: Role::MunicipalEditor,
                    area: Some(AreaCode::parse(area).unwrap()),
                },
            )
            .await
            .unwrap();
    }
    App { state: AppState::new(store), _dir: dir }
}

struct Reply {
    status: StatusCode,
    location: Option<String>,
    cookies: Vec<String>,
    www_authenticate: Option<String>,
    body: String,
}

impl Reply {
    /// The value a `Set-Cookie` of this reply gives `name`.
    fn cookie(&self, name: &str) -> Option<String> {
        self.cookies
            .iter()
            .filter_map(|c| c.split(';').next())
            .filter_map(|pair| pair.split_once('='))
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.to_owned())
    }
    /// The value of the hidden `csrf` input of the page.
    fn csrf(&self) -> String {
        let at = self.body.find("name=\"csrf\" value=\"").expect("a form with a CSRF token") + 19;
        self.body[at..at + 64].to_owned()
    }
}

impl App {
    async fn send(&self, request: Request<Body>) -> Reply {
        let response = router(self.state.clone()).oneshot(request).await.unwrap();
        let status = response.status();
        let location = response.headers().get(header::LOCATION).map(|v| v.to_str().unwrap().to_owned());
        let www_authenticate = response.headers().get(header::WWW_AUTHENTICATE).map(|v| v.to_str().unwrap().to_owned());
        let cookies =
            response.headers().get_all(header::SET_COOKIE).iter().map(|v| v.to_str().unwrap().to_owned()).collect();
        let body = String::from_utf8(response.into_body().collect().await.unwrap().to_bytes().to_vec()).unwrap();
        Reply { status, location, cookies, www_authenticate, body }
    }

    async fn get(&self, path: &str, cookies: &str) -> Reply {
        self.send(Request::get(path).header(header::COOKIE, cookies).body(Body::empty()).unwrap()).await
    }

    async fn post(&self, path: &str, cookies: &str, form: &[(&str, &str)]) -> Reply {
        let body: Vec<String> = form.iter().map(|(k, v)| format!("{k}={}", encode(v))).collect();
        self.send(
            Request::post(path)
                .header(header::COOKIE, cookies)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(body.join("&")))
                .unwrap(),
        )
        .await
    }

    /// Signs in and returns the `Cookie` header of the session.
    async fn session(&self, login: &str, password: &str) -> String {
        format!("grizha_session={}", self.sign_in(login, password).await.cookie("grizha_session").unwrap())
    }

    /// Opens the login form and sends it; returns the reply to the POST.
    async fn sign_in(&self, login: &str, password: &str) -> Reply {
        let form = self.get("/login", "").await;
        let login_cookie = form.cookie("grizha_login").unwrap();
        self.post(
            "/login",
            &format!("grizha_login={login_cookie}"),
            &[("csrf", &form.csrf()), ("login", login), ("password", password)],
        )
        .await
    }
}

/// The value of the hidden `version` input of a form page.
fn form_version(body: &str) -> String {
    let at = body.find("name=\"version\" value=\"").expect("a form with a version") + 22;
    body[at..at + body[at..].find('"').unwrap()].to_owned()
}

fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") })
        .collect()
}

#[tokio::test]
async fn an_expert_signs_in_sees_the_home_page_and_signs_out() {
    let app = app().await;
    // Not signed in: the home page sends to the login page, which is in Bulgarian.
    let home = app.get("/", "").await;
    assert_eq!((home.status, home.location.as_deref()), (StatusCode::SEE_OTHER, Some("/login")));
    let form = app.get("/login", "").await;
    assert!(form.body.contains("Потребителско име") && form.body.contains("lang=\"bg\""), "{}", form.body);

    let signed_in = app.sign_in("ekspert", PASSWORD).await;
    assert_eq!((signed_in.status, signed_in.location.as_deref()), (StatusCode::SEE_OTHER, Some("/")));
    let token = signed_in.cookie("grizha_session").unwrap();
    assert!(signed_in.cookies.iter().any(|c| c.starts_with("grizha_session=") && c.contains("HttpOnly")));
    let session = format!("grizha_session={token}");

    let home = app.get("/", &session).await;
    assert_eq!(home.status, StatusCode::OK);
    assert!(home.body.contains("Хасково") && home.body.contains("общински експерт"), "{}", home.body);
    // What a user wrote is shown as text, never as markup.
    assert!(home.body.contains("Мария &#60;script&#62;alert(1)&#60;/script&#62; Иванова"), "{}", home.body);
    assert!(!home.body.contains("<script>"));

    // Signing out needs the session's CSRF token.
    let refused = app.post("/logout", &session, &[("csrf", &"0".repeat(64))]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(app.get("/", &session).await.status, StatusCode::OK, "still signed in");
    let out = app.post("/logout", &session, &[("csrf", &home.csrf())]).await;
    assert_eq!((out.status, out.location.as_deref()), (StatusCode::SEE_OTHER, Some("/login")));
    assert_eq!(app.get("/", &session).await.location.as_deref(), Some("/login"));
}

#[tokio::test]
async fn a_wrong_password_or_a_forged_form_signs_nobody_in() {
    let app = app().await;
    let wrong = app.sign_in("ekspert", "не е паролата").await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert!(wrong.body.contains("Грешно потребителско име или парола"));
    assert!(wrong.cookie("grizha_session").is_none());
    // An unknown login gets the same answer.
    let unknown = app.sign_in("nikoy", PASSWORD).await;
    assert_eq!((unknown.status, unknown.body.contains("Грешно")), (StatusCode::UNAUTHORIZED, true));
    // A login form posted from elsewhere (no matching cookie) is refused even with the right password.
    let form = app.get("/login", "").await;
    let forged = app.post("/login", "", &[("csrf", &form.csrf()), ("login", "ekspert"), ("password", PASSWORD)]).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert!(forged.cookie("grizha_session").is_none());
}

#[tokio::test]
async fn five_failures_block_the_login_for_a_while_even_with_the_right_password() {
    let app = app().await;
    for _ in 0..5 {
        assert_eq!(app.sign_in("ekspert", "грешна парола").await.status, StatusCode::UNAUTHORIZED);
    }
    let blocked = app.sign_in("ekspert", PASSWORD).await;
    assert_eq!(blocked.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(blocked.body.contains("Твърде много неуспешни опити"));
    // Another account is not affected.
    assert_eq!(app.sign_in("drug", PASSWORD).await.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn the_stylesheet_is_served_from_the_binary() {
    let app = app().await;
    let css = app.get("/assets/style.css", "").await;
    assert_eq!(css.status, StatusCode::OK);
    assert!(css.body.contains(":focus-visible"));
}

/// The demo loaded into a fresh database, as `grizha serve --demo` does.
async fn demo_app() -> App {
    let app = app().await;
    grizha_demo::load_demo(&app.state.store, chrono::NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()).await.unwrap();
    app
}

#[tokio::test]
async fn a_plan_reads_as_its_table_filtered_and_only_by_those_who_may_see_it() {
    let app = demo_app().await;
    let session = app.session("demo-iztok", "demo-iztok-pass").await;
    let home = app.get("/", &session).await;
    let plans: Vec<&str> = home
        .body
        .match_indices("href=\"/plans/")
        .map(|(at, _)| {
            let rest = &home.body[at + 6..];
            &rest[..rest.find('"').unwrap()]
        })
        .collect();
    assert_eq!(plans.len(), 2, "{}", home.body);
    let plan = app.get(plans[1], &session).await;
    assert_eq!(plan.status, StatusCode::OK);
    for heading in ["Цел", "Дейност", "Срок", "Отговорник", "Финансиране", "Очакван резултат"]
    {
        assert!(plan.body.contains(&format!("<th scope=\"col\">{heading}</th>")), "{heading}");
    }
    let rows = |body: &str| body.matches("<tr data-activity").count();
    let all = rows(&plan.body);
    assert!(all >= 10, "{}", plan.body);
    // Only the late rows, then only the done ones: fewer, and together no more than all.
    let late = app.get(&format!("{}?state=late", plans[1]), &session).await;
    let done = app.get(&format!("{}?state=done", plans[1]), &session).await;
    let (late_rows, done_rows) = (rows(&late.body), rows(&done.body));
    assert!(late_rows > 0 && done_rows > 0 && late_rows + done_rows <= all, "{late_rows} {done_rows} {all}");
    assert_eq!(late.body.matches("просрочена</strong>").count(), late_rows);

    // Another municipality's plan: refused, as a page in Bulgarian; a plan that does not exist: 404.
    let other = app.sign_in("demo-zapad", "demo-zapad-pass").await.cookie("grizha_session").unwrap();
    let refused = app.get(plans[1], &format!("grizha_session={other}")).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(refused.body.contains("Нямате достъп"));
    assert_eq!(app.get("/plans/999999", &session).await.status, StatusCode::NOT_FOUND);
    // The region's monitoring unit sees it.
    let region = app.sign_in("demo-oblast", "demo-oblast-pass").await.cookie("grizha_session").unwrap();
    assert_eq!(app.get(plans[1], &format!("grizha_session={region}")).await.status, StatusCode::OK);
}

/// A plan of Хасково, made up for this test, as a text rendering with a tab-separated table.
const PLAN_FILE: &str = "ОБЩИНА ХАСКОВО\n\nГОДИШЕН ПЛАН ЗА ДЕЙСТВИЕ ЗА 2025 Г.\n\n\
Цел\tДейност\tСрок\tОтговорник\tФинансиране\tОчакван резултат\n\
Подкрепа за семействата\t1.1. Консултиране на родители\tпостоянен\tДСП, ОЗД\tДДД\tКонсултирани 40 семейства\n\
\t1.2. Обучение на родители на деца < 3 г.\tмарт 2025 г.\tД „СД“\tОП „РЧР“\tОбучени 15 родители\n\
\t1.3. Информационна кампания\tI тримесечие\tОбщина Хасково\tОбщински бюджет\tПроведена кампания\n";

fn multipart(csrf: &str, file_name: &str, content: &[u8]) -> (String, Vec<u8>) {
    let boundary = "grizha-test-boundary";
    let mut body = Vec::new();
    body.extend_from_slice(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n").as_bytes(),
    );
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(content);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

impl App {
    async fn upload(&self, session: &str, csrf: &str, file_name: &str, content: &[u8]) -> Reply {
        let (content_type, body) = multipart(csrf, file_name, content);
        self.send(
            Request::post("/import")
                .header(header::COOKIE, session)
                .header(header::CONTENT_TYPE, content_type)
                .body(Body::from(body))
                .unwrap(),
        )
        .await
    }
}

#[tokio::test]
async fn an_imported_plan_is_reviewed_corrected_and_accepted_once() {
    let app = app().await;
    let session = app.session("ekspert", PASSWORD).await;
    let form = app.get("/import", &session).await;
    assert_eq!(form.status, StatusCode::OK);
    let csrf = form.csrf();

    // A forged upload (no CSRF token) is refused; an unreadable file is named with its reason.
    assert_eq!(app.upload(&session, "", "план.txt", PLAN_FILE.as_bytes()).await.status, StatusCode::FORBIDDEN);
    let junk = app.upload(&session, &csrf, "снимка.bin", &[0u8, 159, 146, 150, 0, 1, 2, 3]).await;
    assert_eq!(junk.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(junk.body.contains("снимка.bin: not a document Grizha reads"), "{}", junk.body);

    let uploaded = app.upload(&session, &csrf, "план-2025.txt", PLAN_FILE.as_bytes()).await;
    assert_eq!(uploaded.status, StatusCode::SEE_OTHER);
    let review_path = uploaded.location.unwrap();
    let review = app.get(&review_path, &session).await;
    assert_eq!(review.status, StatusCode::OK);
    assert_eq!(review.body.matches("<tr data-row>").count(), 3);
    // Each row beside the source cells it came from; what the file wrote is escaped.
    assert!(review.body.contains("1.2. Обучение на родители на деца &#60; 3 г. | март 2025 г."), "{}", review.body);
    assert!(review.body.contains("value=\"HKV34\" selected"), "{}", review.body);
    // Nobody else opens it.
    let other = app.session("drug", PASSWORD).await;
    assert_eq!(app.get(&review_path, &other).await.status, StatusCode::NOT_FOUND);

    // Accept two rows, correcting the deadline of one.
    let accepted = app
        .post(
            &format!("{review_path}/accept"),
            &session,
            &[
                ("csrf", &csrf),
                ("document", "0"),
                ("area", "HKV34"),
                ("year", "2025"),
                ("title", "План 2025"),
                ("include_0", "on"),
                ("text_0", "Консултиране на родители"),
                ("deadline_0", "постоянен"),
                ("include_2", "on"),
                ("text_2", "Информационна кампания"),
                ("deadline_2", "до 30.06.2025"),
            ],
        )
        .await;
    assert_eq!(accepted.status, StatusCode::SEE_OTHER, "{}", accepted.body);
    let plan = app.get(accepted.location.as_deref().unwrap(), &session).await;
    assert_eq!(plan.body.matches("<tr data-activity").count(), 2, "{}", plan.body);
    assert!(plan.body.contains("до 30.06.2025") && plan.body.contains("План 2025"));

    // The same file again: named as imported before, and cannot be accepted twice.
    let again = app.upload(&session, &csrf, "копие.txt", PLAN_FILE.as_bytes()).await;
    let review = app.get(again.location.as_deref().unwrap(), &session).await;
    assert!(review.body.contains("Този файл вече е внесен"), "{}", review.body);
    let twice = app
        .post(
            &format!("{}/accept", again.location.unwrap()),
            &session,
            &[("csrf", &csrf), ("document", "0"), ("area", "HKV34"), ("year", "2025"), ("include_0", "on")],
        )
        .await;
    assert_eq!(twice.status, StatusCode::UNPROCESSABLE_ENTITY);
}

impl App {
    /// Imports [`PLAN_FILE`] as a draft plan of Хасково with all its rows; returns the plan's path.
    async fn imported_plan(&self, session: &str) -> String {
        let csrf = self.get("/import", session).await.csrf();
        let review = self.upload(session, &csrf, "план.txt", PLAN_FILE.as_bytes()).await.location.unwrap();
        let accepted = self
            .post(
                &format!("{review}/accept"),
                session,
                &[
                    ("csrf", &csrf),
                    ("document", "0"),
                    ("area", "HKV34"),
                    ("year", "2025"),
                    ("include_0", "on"),
                    ("include_1", "on"),
                    ("include_2", "on"),
                ],
            )
            .await;
        accepted.location.unwrap()
    }
}

#[tokio::test]
async fn two_editors_changing_one_row_get_a_conflict_not_a_silent_overwrite() {
    let app = app().await;
    let session = app.session("ekspert", PASSWORD).await;
    let plan_path = app.imported_plan(&session).await;
    let plan = app.get(&plan_path, &session).await;
    let at = plan.body.find("/activities/").unwrap();
    let edit_path = format!("{plan_path}{}", &plan.body[at..at + plan.body[at..].find('"').unwrap()]);
    assert!(edit_path.ends_with("/edit"), "{edit_path}");

    // Two tabs open the same row.
    let first = app.get(&edit_path, &session).await;
    let second = app.get(&edit_path, &session).await;
    let version = form_version;
    let csrf = first.csrf();
    let saved = app
        .post(
            &edit_path,
            &session,
            &[
                ("csrf", &csrf),
                ("version", &version(&first.body)),
                ("text", "Консултиране на родители и деца"),
                ("deadline", "до 30.09.2025"),
                ("responsible", "ДСП, ОЗД, НПО"),
                ("funding", "ДДД"),
                ("results", "Консултирани 50 семейства"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let late = app
        .post(
            &edit_path,
            &session,
            &[
                ("csrf", &csrf),
                ("version", &version(&second.body)),
                ("text", "Консултиране <по телефона>"),
                ("deadline", "постоянен"),
                ("responsible", "ДСП"),
                ("funding", "ДДД"),
                ("results", ""),
            ],
        )
        .await;
    assert_eq!(late.status, StatusCode::CONFLICT);
    assert!(late.body.contains("Някой друг промени този ред"));
    assert!(
        late.body.contains("Консултиране на родители и деца")
            && late.body.contains("Консултиране &#60;по телефона&#62;")
    );
    // The row still holds the first save, with its parties read into codes.
    let plan = app.get(&plan_path, &session).await;
    assert!(plan.body.contains("Консултиране на родители и деца") && plan.body.contains("до 30.09.2025"));
    // Saving again from the conflict page is based on the current version and goes through.
    let again = app
        .post(
            &edit_path,
            &session,
            &[
                ("csrf", &csrf),
                ("version", &version(&late.body)),
                ("text", "Консултиране по телефона"),
                ("deadline", "постоянен"),
                ("responsible", "ДСП"),
                ("funding", "ДДД"),
                ("results", ""),
            ],
        )
        .await;
    assert_eq!(again.status, StatusCode::SEE_OTHER, "{}", again.body);
    assert!(app.get(&plan_path, &session).await.body.contains("Консултиране по телефона"));
    // Without the session's CSRF token nothing is saved.
    let forged = app
        .post(
            &edit_path,
            &session,
            &[
                ("csrf", ""),
                ("version", "9"),
                ("text", "x"),
                ("deadline", ""),
                ("responsible", ""),
                ("funding", ""),
                ("results", ""),
            ],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    // Another municipality's editor may not edit it.
    let other = app.session("drug", PASSWORD).await;
    assert_eq!(app.get(&edit_path, &other).await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn monitoring_is_recorded_per_period_by_the_municipality_and_not_by_a_viewer() {
    let app = demo_app().await;
    let session = app.session("demo-iztok", "demo-iztok-pass").await;
    let home = app.get("/", &session).await;
    let at = home.body.rfind("href=\"/plans/").unwrap() + 6;
    let plan_path = home.body[at..at + home.body[at..].find('"').unwrap()].to_owned();
    let plan = app.get(&plan_path, &session).await;
    let at = plan.body.find("/monitoring\"").unwrap();
    let start = plan.body[..at].rfind('"').unwrap() + 1;
    let page_path = plan.body[start..at + 11].to_owned();
    let page = app.get(&page_path, &session).await;
    assert_eq!(page.status, StatusCode::OK, "{page_path}");
    assert_eq!(page.body.matches("<tr data-period").count(), 5);
    let version_of = |body: &str, period: &str| {
        let at = body.find(&format!("name=\"period\" value=\"{period}\"")).unwrap();
        let v = body[at..].find("name=\"version\" value=\"").unwrap() + at + 22;
        body[v..v + body[v..].find('"').unwrap()].to_owned()
    };
    let csrf = page.csrf();
    let version = version_of(&page.body, "q4");
    let form = |version: &str, progress: &'static str| {
        vec![
            ("csrf", csrf.clone()),
            ("period", "q4".to_owned()),
            ("version", version.to_owned()),
            ("status", "in_progress".to_owned()),
            ("progress", progress.to_owned()),
            ("comment", "Проведени 3 от 4 срещи".to_owned()),
        ]
    };
    let send = |fields: Vec<(&'static str, String)>| {
        let path = page_path.clone();
        let session = session.clone();
        let app = &app;
        async move {
            let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            app.post(&path, &session, &pairs).await
        }
    };
    let saved = send(form(&version, "75")).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let page = app.get(&page_path, &session).await;
    assert!(page.body.contains("Проведени 3 от 4 срещи") && page.body.contains("value=\"75\""));
    // The same period reported on the old version: a conflict, nothing overwritten.
    let stale = send(form(&version, "10")).await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert!(app.get(&page_path, &session).await.body.contains("value=\"75\""));
    // Progress out of range: said on the page.
    let wrong = send(form(&version_of(&page.body, "q4"), "150")).await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong.body.contains("от 0 до 100"));

    // A viewer of the region sees the record but gets no form, and a post is refused.
    let viewer = app.session("demo-viewer", "demo-viewer-pass").await;
    let seen = app.get(&page_path, &viewer).await;
    assert_eq!(seen.status, StatusCode::OK);
    assert!(seen.body.contains("Проведени 3 от 4 срещи") && !seen.body.contains("name=\"progress\""));
    let viewer_csrf = app.get("/", &viewer).await.csrf();
    let refused = app
        .post(
            &page_path,
            &viewer,
            &[
                ("csrf", &viewer_csrf),
                ("period", "q1"),
                ("version", "0"),
                ("status", "done"),
                ("progress", "100"),
                ("comment", ""),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_services_registry_lists_a_municipalitys_services_with_capacity_by_year() {
    let app = demo_app().await;
    let session = app.session("demo-iztok", "demo-iztok-pass").await;
    let home = app.get("/", &session).await;
    assert!(home.body.contains("href=\"/municipalities/DEM01/services\""), "{}", home.body);
    let registry = app.get("/municipalities/DEM01/services", &session).await;
    assert_eq!(registry.status, StatusCode::OK);
    assert!(registry.body.matches("<tr data-service>").count() >= 7, "{}", registry.body);
    let at = registry.body.find("href=\"/services/").unwrap() + 6;
    let service_path = registry.body[at..at + registry.body[at..].find('"').unwrap()].to_owned();
    let service = app.get(&service_path, &session).await;
    assert_eq!(service.status, StatusCode::OK);
    assert!(
        service.body.contains("<svg class=\"chart\" role=\"img\"")
            && service.body.contains("Капацитет и персонал по години")
    );

    let other = app.session("demo-zapad", "demo-zapad-pass").await;
    assert_eq!(app.get("/municipalities/DEM01/services", &other).await.status, StatusCode::FORBIDDEN);
    assert_eq!(app.get(&service_path, &other).await.status, StatusCode::FORBIDDEN);
    assert_eq!(app.get("/municipalities/XYZ99/services", &session).await.status, StatusCode::FORBIDDEN);
    assert_eq!(app.get("/municipalities/не-е-код/services", &session).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_strategy_reads_as_its_logical_framework_with_indicators_by_year() {
    let app = demo_app().await;
    let session = app.session("demo-iztok", "demo-iztok-pass").await;
    let home = app.get("/", &session).await;
    let at = home.body.find("href=\"/strategies/").unwrap() + 6;
    let path = home.body[at..at + home.body[at..].find('"').unwrap()].to_owned();
    let strategy = app.get(&path, &session).await;
    assert_eq!(strategy.status, StatusCode::OK);
    assert!(strategy.body.matches("<section class=\"node\"").count() >= 10, "{}", strategy.body);
    assert!(
        strategy.body.contains("<th scope=\"col\">2024: цел / факт</th>")
            && strategy.body.contains("<th scope=\"col\">2028: цел / факт</th>")
    );
    let other = app.session("demo-zapad", "demo-zapad-pass").await;
    assert_eq!(app.get(&path, &other).await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_history_of_a_row_says_who_changed_what_and_when() {
    let app = app().await;
    let session = app.session("ekspert", PASSWORD).await;
    let plan_path = app.imported_plan(&session).await;
    let plan = app.get(&plan_path, &session).await;
    let at = plan.body.find("/activities/").unwrap();
    let row_path = format!("{plan_path}{}", &plan.body[at..at + plan.body[at..].find("/edit").unwrap()]);
    let form = app.get(&format!("{row_path}/edit"), &session).await;
    let version = form_version(&form.body);
    let saved = app
        .post(
            &format!("{row_path}/edit"),
            &session,
            &[
                ("csrf", &form.csrf()),
                ("version", &version),
                ("text", "Консултиране на родители по телефона"),
                ("deadline", "постоянен"),
                ("responsible", "ДСП"),
                ("funding", "ДДД"),
                ("results", ""),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    let history = app.get(&format!("{row_path}/history"), &session).await;
    assert_eq!(history.status, StatusCode::OK);
    assert_eq!(history.body.matches("<tr data-change>").count(), 2, "{}", history.body);
    assert!(history.body.contains("ekspert") && history.body.contains("създаване") && history.body.contains("промяна"));
    assert!(
        history.body.contains("text: Консултиране на родители → Консултиране на родители по телефона"),
        "{}",
        history.body
    );
    let plan_history = app.get(&format!("{plan_path}/history"), &session).await;
    assert!(plan_history.body.contains("създаване"));
    let other = app.session("drug", PASSWORD).await;
    assert_eq!(app.get(&format!("{row_path}/history"), &other).await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn an_upload_over_the_limit_is_refused_with_a_page_and_nothing_is_staged() {
    let app = app().await;
    let session = app.session("ekspert", PASSWORD).await;
    let csrf = app.get("/import", &session).await.csrf();
    let huge = vec![b'a'; grizha_web::MAX_BODY_BYTES + 1024];
    let refused = app.upload(&session, &csrf, "огромен.txt", &huge).await;
    assert_eq!(refused.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(refused.body.contains("Файлът е по-голям от допустимото"), "{}", refused.body);
    assert!(refused.location.is_none(), "nothing to review");
    // A file under the body limit but over the reader's limit is named with the reader's reason.
    let big = vec![b'a'; 51 * 1024 * 1024];
    let too_big = app.upload(&session, &csrf, "голям.txt", &big).await;
    assert_eq!(too_big.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(too_big.body.contains("голям.txt: the file is"), "{}", &too_big.body[..too_big.body.len().min(3000)]);
}

#[tokio::test]
async fn a_draft_goes_to_consultation_and_is_adopted_with_its_decision() {
    let app = app().await;
    let session = app.session("ekspert", PASSWORD).await;
    let plan_path = app.imported_plan(&session).await;
    let plan = app.get(&plan_path, &session).await;
    assert!(plan.body.contains("Статус: <strong>проект</strong>") && plan.body.contains("/edit\""), "{}", plan.body);
    let csrf = plan.csrf();
    let version = form_version(&plan.body);
    let status = format!("{plan_path}/status");
    let consult = app
        .post(
            &status,
            &session,
            &[
                ("csrf", &csrf),
                ("version", &version),
                ("status", "public_consultation"),
                ("from", "2025-01-10"),
                ("to", "2025-02-10"),
            ],
        )
        .await;
    assert_eq!(consult.status, StatusCode::SEE_OTHER, "{}", consult.body);
    // The same form again: the plan is in consultation already.
    let again = app
        .post(
            &status,
            &session,
            &[
                ("csrf", &csrf),
                ("version", &version),
                ("status", "public_consultation"),
                ("from", "2025-01-10"),
                ("to", "2025-02-10"),
            ],
        )
        .await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    // Adoption from a page read before the consultation: a conflict, nothing recorded.
    let stale = app
        .post(
            &status,
            &session,
            &[
                ("csrf", &csrf),
                ("version", &version),
                ("status", "adopted"),
                ("number", "99"),
                ("date", "2025-02-20"),
                ("body", "Общински съвет"),
            ],
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert!(stale.body.contains("Някой друг промени записа междувременно"));
    let plan = app.get(&plan_path, &session).await;
    assert!(plan.body.contains("обществено обсъждане"));
    let adopted = app
        .post(
            &status,
            &session,
            &[
                ("csrf", &csrf),
                ("version", &form_version(&plan.body)),
                ("status", "adopted"),
                ("number", "123"),
                ("date", "2025-02-27"),
                ("body", "Общински съвет – Хасково"),
            ],
        )
        .await;
    assert_eq!(adopted.status, StatusCode::SEE_OTHER, "{}", adopted.body);
    let plan = app.get(&plan_path, &session).await;
    assert!(plan.body.contains("приет с решение № 123 от 27.02.2025 на Общински съвет – Хасково"), "{}", plan.body);
    assert!(!plan.body.contains("/edit\""), "an adopted plan is frozen");
    assert!(!plan.body.contains("№ 99"), "the stale adoption recorded nothing");
}

#[tokio::test]
async fn an_editor_adds_a_row_to_a_draft_plan() {
    let app = app().await;
    let session = app.session("ekspert", PASSWORD).await;
    let plan_path = app.imported_plan(&session).await;
    let plan = app.get(&plan_path, &session).await;
    assert!(plan.body.contains("Нова дейност"));
    let added = app
        .post(
            &format!("{plan_path}/activities"),
            &session,
            &[
                ("csrf", &plan.csrf()),
                ("code", "1.4"),
                ("section", ""),
                ("goal", "Подкрепа за семействата"),
                ("text", "Група за взаимопомощ"),
                ("deadline", "II тримесечие"),
                ("responsible", "ДСП, НПО"),
                ("funding", "Общински бюджет"),
                ("results", "10 срещи\nУчаствали 30 родители"),
            ],
        )
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    let plan = app.get(&plan_path, &session).await;
    assert_eq!(plan.body.matches("<tr data-activity").count(), 4);
    assert!(plan.body.contains("Група за взаимопомощ") && plan.body.contains("10 срещи; Участвали 30 родители"));
    // An empty activity is refused with the reason, and adds nothing.
    let empty = app
        .post(
            &format!("{plan_path}/activities"),
            &session,
            &[
                ("csrf", &plan.csrf()),
                ("text", " "),
                ("deadline", ""),
                ("responsible", ""),
                ("funding", ""),
                ("results", ""),
            ],
        )
        .await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.get(&plan_path, &session).await.body.matches("<tr data-activity").count(), 4);
}
