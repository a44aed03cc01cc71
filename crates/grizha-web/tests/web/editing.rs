//! The editing stories: a user changes their password, reorders the rows of a draft plan, copies a
//! plan as the start of next year's, attaches evidence to monitoring, and enters the actual values
//! of a strategy's indicators.

use super::*;

#[tokio::test]
async fn a_user_changes_their_password_and_is_signed_out_everywhere_else() {
    let app = app().await;
    let here = app.session("ekspert", PASSWORD).await;
    let elsewhere = app.session("ekspert", PASSWORD).await;
    // The name in the header leads to the account page.
    let home = app.get("/", &here).await;
    assert!(home.body.contains("<a href=\"/account\""), "{}", home.body);
    let page = app.get("/account", &here).await;
    assert_eq!(page.status, StatusCode::OK);
    for label in ["Текуща парола", "Нова парола", "Новата парола още веднъж"]
    {
        assert!(page.body.contains(label), "{label}");
    }
    let csrf = page.csrf();
    let change = |current: &'static str, new: &'static str, repeated: &'static str, csrf: String| {
        let app = &app;
        let here = here.clone();
        async move {
            app.post(
                "/account/password",
                &here,
                &[("csrf", &csrf), ("current", current), ("new", new), ("repeated", repeated)],
            )
            .await
        }
    };

    // Too short, typed differently, or the wrong current password: said, and nothing changes.
    let short = change(PASSWORD, "кратка", "кратка", csrf.clone()).await;
    assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(short.body.contains("поне 10 знака"), "{}", short.body);
    let mismatch = change(PASSWORD, "нова дълга парола", "нова дълга парола!", csrf.clone()).await;
    assert!(mismatch.body.contains("не съвпадат"), "{}", mismatch.body);
    let wrong = change("не е паролата", "нова дълга парола", "нова дълга парола", csrf.clone()).await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong.body.contains("Текущата парола е грешна"), "{}", wrong.body);
    // A form without the session's token is refused.
    let forged = change(PASSWORD, "нова дълга парола", "нова дълга парола", "0".repeat(64)).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert_eq!(app.get("/", &elsewhere).await.status, StatusCode::OK, "nothing has changed yet");

    let changed = change(PASSWORD, "нова дълга парола", "нова дълга парола", csrf.clone()).await;
    assert_eq!((changed.status, changed.location.as_deref()), (StatusCode::SEE_OTHER, Some("/account?changed=1")));
    let after = app.get("/account?changed=1", &here).await;
    assert!(after.body.contains("Паролата е сменена"), "{}", after.body);
    // This session stays; the other one has ended.
    assert_eq!(app.get("/", &here).await.status, StatusCode::OK);
    assert_eq!(app.get("/", &elsewhere).await.location.as_deref(), Some("/login"));
    // The old password no longer signs in; the new one does.
    assert_eq!(app.sign_in("ekspert", PASSWORD).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(app.sign_in("ekspert", "нова дълга парола").await.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn guessing_the_current_password_on_the_account_page_is_throttled_like_a_login() {
    let app = app().await;
    let session = app.session("ekspert", PASSWORD).await;
    let csrf = app.get("/account", &session).await.csrf();
    let attempt = |current: &'static str| {
        let (app, session, csrf) = (&app, session.clone(), csrf.clone());
        async move {
            app.post(
                "/account/password",
                &session,
                &[
                    ("csrf", &csrf),
                    ("current", current),
                    ("new", "нова дълга парола"),
                    ("repeated", "нова дълга парола"),
                ],
            )
            .await
        }
    };
    for _ in 0..5 {
        assert_eq!(attempt("грешна парола").await.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let blocked = attempt(PASSWORD).await;
    assert_eq!(blocked.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(blocked.body.contains("Твърде много грешни пароли"), "{}", blocked.body);
    // Signing in is blocked too (the same count), and the password has not changed.
    assert_eq!(app.sign_in("ekspert", PASSWORD).await.status, StatusCode::TOO_MANY_REQUESTS);
    let login = Login::parse("ekspert").unwrap();
    assert!(app.state.store.verify_password(&login, PASSWORD).await.unwrap().is_some());
}

/// The `action` of the form holding the button labelled `label` on a page.
fn action_of_button(body: &str, label: &str) -> String {
    let at = body.find(&format!("aria-label=\"{label}\"")).unwrap_or_else(|| panic!("no button {label:?}"));
    let start = body[..at].rfind("action=\"").unwrap() + 8;
    body[start..start + body[start..].find('"').unwrap()].to_owned()
}

/// The texts of a plan page's rows, in order.
fn row_texts(body: &str) -> Vec<&str> {
    ["Консултиране на родители", "Обучение на родители", "Информационна кампания"]
        .into_iter()
        .map(|text| (body.find(&format!("<td>{text}")).unwrap_or_else(|| panic!("{text}")), text))
        .collect::<std::collections::BTreeMap<_, _>>()
        .into_values()
        .collect()
}

#[tokio::test]
async fn an_editor_moves_rows_of_a_draft_plan_up_and_down_without_script() {
    let app = app().await;
    let session = app.session("ekspert", PASSWORD).await;
    let plan_path = app.imported_plan(&session).await;
    let plan = app.get(&plan_path, &session).await;
    assert_eq!(row_texts(&plan.body), ["Консултиране на родители", "Обучение на родители", "Информационна кампания"]);
    // Each row can go up but the first, down but the last; each button says which row it moves.
    assert_eq!(plan.body.matches("aria-label=\"Премести нагоре: ").count(), 2);
    assert_eq!(plan.body.matches("aria-label=\"Премести надолу: ").count(), 2);
    assert!(!plan.body.contains("Премести нагоре: Консултиране на родители\""));
    let up = action_of_button(&plan.body, "Премести нагоре: Информационна кампания");
    let (csrf, version) = (plan.csrf(), form_version(&plan.body));

    let moved = app.post(&up, &session, &[("csrf", &csrf), ("version", &version), ("direction", "up")]).await;
    assert_eq!(moved.status, StatusCode::SEE_OTHER, "{}", moved.body);
    let back = moved.location.unwrap();
    assert!(back.starts_with(&format!("{plan_path}#row-")), "back to the row: {back}");
    let plan = app.get(&plan_path, &session).await;
    assert_eq!(row_texts(&plan.body), ["Консултиране на родители", "Информационна кампания", "Обучение на родители"]);
    assert!(plan.body.contains(&format!("id=\"{}\"", back.split('#').nth(1).unwrap())));

    // The same button on the page read before: a conflict page, the order as it was.
    let stale = app.post(&up, &session, &[("csrf", &csrf), ("version", &version), ("direction", "up")]).await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert!(stale.body.contains("Някой друг промени записа междувременно"), "{}", stale.body);
    // Down from the fresh page goes through.
    let down = action_of_button(&plan.body, "Премести надолу: Консултиране на родители");
    let moved = app
        .post(&down, &session, &[("csrf", &csrf), ("version", &form_version(&plan.body)), ("direction", "down")])
        .await;
    assert_eq!(moved.status, StatusCode::SEE_OTHER);
    let plan = app.get(&plan_path, &session).await;
    assert_eq!(row_texts(&plan.body), ["Информационна кампания", "Консултиране на родители", "Обучение на родители"]);
    // The plan's history tells of the moves.
    assert_eq!(app.get(&format!("{plan_path}/history"), &session).await.body.matches("пренареждане").count(), 2);

    // Filtered, the table hides neighbours: no buttons, and the page says why.
    let filtered = app.get(&format!("{plan_path}?state=open"), &session).await;
    assert!(!filtered.body.contains("Премести нагоре") && filtered.body.contains("не е избран филтър"));
    // Without the session's token, or by another municipality's editor: refused, nothing moves.
    let version = form_version(&plan.body);
    let forged = app.post(&up, &session, &[("csrf", ""), ("version", &version), ("direction", "up")]).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let other = app.session("drug", PASSWORD).await;
    let other_csrf = app.get("/", &other).await.csrf();
    let refused = app.post(&up, &other, &[("csrf", &other_csrf), ("version", &version), ("direction", "up")]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(
        row_texts(&app.get(&plan_path, &session).await.body),
        ["Информационна кампания", "Консултиране на родители", "Обучение на родители"]
    );
}

#[tokio::test]
async fn a_plan_is_copied_as_the_start_of_next_years_once() {
    let app = app().await;
    let session = app.session("ekspert", PASSWORD).await;
    let plan_path = app.imported_plan(&session).await;
    let plan = app.get(&plan_path, &session).await;
    assert!(plan.body.contains("Копирай като начало на план за 2026"), "{}", plan.body);
    let csrf = plan.csrf();
    let copy = format!("{plan_path}/copy");

    assert_eq!(app.post(&copy, &session, &[("csrf", "")]).await.status, StatusCode::FORBIDDEN);
    let copied = app.post(&copy, &session, &[("csrf", &csrf)]).await;
    assert_eq!(copied.status, StatusCode::SEE_OTHER, "{}", copied.body);
    let next_path = copied.location.unwrap();
    assert_ne!(next_path, plan_path);
    let next = app.get(&next_path, &session).await;
    assert!(
        next.body.contains("Година 2026") && next.body.contains("Статус: <strong>проект</strong>"),
        "{}",
        next.body
    );
    assert_eq!(next.body.matches("<tr data-activity").count(), 3);
    // Deadlines that name a year name the next; the rows have no monitoring yet.
    assert!(next.body.contains("март 2026 г.") && !next.body.contains("март 2025 г."), "{}", next.body);
    assert_eq!(next.body.matches("без отчет").count(), 3);
    assert!(next.body.contains("Копирай като начало на план за 2027"));

    // The 2025 plan now links to the 2026 one instead of offering a second copy, and a second copy
    // from a page read before is refused with the reason.
    let plan = app.get(&plan_path, &session).await;
    assert!(plan.body.contains(&format!("<a href=\"{next_path}\">")) && !plan.body.contains("Копирай като начало"));
    let again = app.post(&copy, &session, &[("csrf", &csrf)]).await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(again.body.contains("вече има план за 2026 г."), "{}", again.body);
    let home = app.get("/", &session).await;
    assert_eq!(home.body.matches("href=\"/plans/").count(), 2, "{}", home.body);
    // Another municipality's editor sees no form and may not copy.
    let other = app.session("drug", PASSWORD).await;
    let other_csrf = app.get("/", &other).await.csrf();
    assert_eq!(app.post(&copy, &other, &[("csrf", &other_csrf)]).await.status, StatusCode::FORBIDDEN);
}

/// A multipart form with text fields and one file.
fn multipart_form(fields: &[(&str, &str)], file_name: &str, media_type: &str, content: &[u8]) -> (String, Vec<u8>) {
    let boundary = "grizha-evidence-boundary";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").as_bytes(),
        );
    }
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: {media_type}\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(content);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

struct Download {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    body: Vec<u8>,
}

impl App {
    async fn attach(&self, path: &str, session: &str, fields: &[(&str, &str)], file: (&str, &str, &[u8])) -> Reply {
        let (content_type, body) = multipart_form(fields, file.0, file.1, file.2);
        self.send(
            Request::post(path)
                .header(header::COOKIE, session)
                .header(header::CONTENT_TYPE, content_type)
                .body(Body::from(body))
                .unwrap(),
        )
        .await
    }

    async fn download(&self, path: &str, session: &str) -> Download {
        let request = Request::get(path).header(header::COOKIE, session).body(Body::empty()).unwrap();
        let response = router(self.state.clone()).oneshot(request).await.unwrap();
        let (status, headers) = (response.status(), response.headers().clone());
        let body = response.into_body().collect().await.unwrap().to_bytes().to_vec();
        Download { status, headers, body }
    }
}

/// The `href` of the download link named `name` on a monitoring page.
fn download_link(body: &str, name: &str) -> String {
    let at = body.find(&format!("download>{name}</a>")).unwrap_or_else(|| panic!("no file {name}: {body}"));
    let start = body[..at].rfind("href=\"").unwrap() + 6;
    body[start..start + body[start..].find('"').unwrap()].to_owned()
}

/// The value of the hidden `version` input of the evidence form of `period`.
fn evidence_version(body: &str, period: &str) -> String {
    let form = body.find("/monitoring/evidence\"").expect("an evidence form");
    let at = body[form..].find(&format!("name=\"period\" value=\"{period}\"")).unwrap() + form;
    let v = body[at..].find("name=\"version\" value=\"").unwrap() + at + 22;
    body[v..v + body[v..].find('"').unwrap()].to_owned()
}

#[tokio::test]
async fn evidence_is_attached_to_a_periods_record_and_downloaded_safely_by_those_who_may_see_it() {
    let app = demo_app().await;
    let session = app.session("demo-iztok", "demo-iztok-pass").await;
    let home = app.get("/", &session).await;
    let at = home.body.rfind("href=\"/plans/").unwrap() + 6;
    let plan_path = home.body[at..at + home.body[at..].find('"').unwrap()].to_owned();
    let plan = app.get(&plan_path, &session).await;
    let at = plan.body.find("/monitoring\"").unwrap();
    let page_path = plan.body[plan.body[..at].rfind('"').unwrap() + 1..at + 11].to_owned();
    let evidence_path = format!("{page_path}/evidence");

    // Record the fourth quarter, so there is a record to attach to.
    let page = app.get(&page_path, &session).await;
    let csrf = page.csrf();
    let q4_version = {
        let at = page.body.find("name=\"period\" value=\"q4\"").unwrap();
        let v = page.body[at..].find("name=\"version\" value=\"").unwrap() + at + 22;
        page.body[v..v + page.body[v..].find('"').unwrap()].to_owned()
    };
    let recorded = app
        .post(
            &page_path,
            &session,
            &[
                ("csrf", &csrf),
                ("period", "q4"),
                ("version", &q4_version),
                ("status", "in_progress"),
                ("progress", "60"),
                ("comment", "Три обучения"),
            ],
        )
        .await;
    assert_eq!(recorded.status, StatusCode::SEE_OTHER, "{}", recorded.body);
    let page = app.get(&page_path, &session).await;
    assert!(page.body.contains("Доказателства") && page.body.contains("Файл към отчета за IV тримесечие"));
    let version = evidence_version(&page.body, "q4");
    let fields =
        |version: &str| vec![("csrf", csrf.clone()), ("period", "q4".to_owned()), ("version", version.to_owned())];
    let attach = |fields: Vec<(&'static str, String)>, file: (&'static str, &'static str, Vec<u8>)| {
        let (app, path, session) = (&app, evidence_path.clone(), session.clone());
        async move {
            let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            app.attach(&path, &session, &pairs, (file.0, file.1, &file.2)).await
        }
    };

    let protocol = "%PDF-1.4 протокол от обучението".as_bytes().to_vec();
    let attached = attach(fields(&version), ("протокол <1>.pdf", "application/pdf", protocol.clone())).await;
    assert_eq!(attached.status, StatusCode::SEE_OTHER, "{}", attached.body);
    assert!(attached.location.unwrap().ends_with("/monitoring#evidence-q4"));
    let page = app.get(&page_path, &session).await;
    assert_eq!(page.body.matches("<tr data-evidence>").count(), 1);
    // Listed with its name (escaped), size and who added it.
    assert!(page.body.contains("download>протокол &#60;1&#62;.pdf</a>"), "{}", page.body);
    assert!(page.body.contains(&format!("<td>{} байта</td>", protocol.len())));
    let link = download_link(&page.body, "протокол &#60;1&#62;.pdf");
    let file = app.download(&link, &session).await;
    assert_eq!(file.status, StatusCode::OK);
    assert_eq!(file.body, protocol);
    assert_eq!(file.headers[header::CONTENT_TYPE], "application/pdf");
    assert_eq!(file.headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    let disposition = file.headers[header::CONTENT_DISPOSITION].to_str().unwrap();
    assert!(disposition.starts_with("attachment;") && disposition.contains("filename*=UTF-8''"), "{disposition}");

    // A page that could run in the browser is downloaded as bytes, never shown.
    let version = evidence_version(&page.body, "q4");
    let html = b"<script>alert(1)</script>".to_vec();
    let attached = attach(fields(&version), ("страница.html", "text/html", html)).await;
    assert_eq!(attached.status, StatusCode::SEE_OTHER, "{}", attached.body);
    let page = app.get(&page_path, &session).await;
    let file = app.download(&download_link(&page.body, "страница.html"), &session).await;
    assert_eq!(file.headers[header::CONTENT_TYPE], "application/octet-stream");

    // Over 20 MB: said, and nothing attached; from a stale page: a conflict, nothing attached.
    let version = evidence_version(&page.body, "q4");
    let huge = vec![b'x'; 20 * 1024 * 1024 + 1];
    let refused = attach(fields(&version), ("голям.bin", "application/octet-stream", huge)).await;
    assert_eq!(refused.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(refused.body.contains("по-голям от 20 MB"), "{}", &refused.body[..refused.body.len().min(2000)]);
    let stale = attach(fields("1"), ("късно.txt", "text/plain", b"late".to_vec())).await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert!(stale.body.contains("Някой друг промени отчета"), "{}", stale.body);
    // A period without a record: say to record it first.
    let none = attach(
        vec![("csrf", csrf.clone()), ("period", "q3".to_owned()), ("version", "0".to_owned())],
        ("q3.txt", "text/plain", b"q3".to_vec()),
    )
    .await;
    assert_eq!(none.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(none.body.contains("запишете първо отчета"), "{}", none.body);
    let page = app.get(&page_path, &session).await;
    assert!(!page.body.contains("id=\"evidence-q3\""), "the demo has no record for the third quarter");
    assert_eq!(page.body.matches("<tr data-evidence>").count(), 2);

    // Saving the record's status again keeps its files.
    let at = page.body.find("name=\"period\" value=\"q4\"").unwrap();
    let v = page.body[at..].find("name=\"version\" value=\"").unwrap() + at + 22;
    let record_version = page.body[v..v + page.body[v..].find('"').unwrap()].to_owned();
    let saved = app
        .post(
            &page_path,
            &session,
            &[
                ("csrf", &csrf),
                ("period", "q4"),
                ("version", &record_version),
                ("status", "done"),
                ("progress", "100"),
                ("comment", "Четири обучения"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    assert_eq!(app.get(&page_path, &session).await.body.matches("<tr data-evidence>").count(), 2);

    // The region's viewer sees and downloads the files but has no form, and a post is refused.
    let viewer = app.session("demo-viewer", "demo-viewer-pass").await;
    let seen = app.get(&page_path, &viewer).await;
    assert!(seen.body.contains("download>протокол &#60;1&#62;.pdf</a>") && !seen.body.contains("type=\"file\""));
    assert_eq!(app.download(&link, &viewer).await.body, protocol);
    let viewer_csrf = seen.csrf();
    let version = evidence_version(&page.body, "q4");
    let forbidden = app
        .attach(
            &evidence_path,
            &viewer,
            &[("csrf", &viewer_csrf), ("period", "q4"), ("version", &version)],
            ("чужд.txt", "text/plain", b"x"),
        )
        .await;
    assert_eq!(forbidden.status, StatusCode::FORBIDDEN);
    // Another municipality sees neither the page nor the file; an unknown file is not found.
    let other = app.session("demo-zapad", "demo-zapad-pass").await;
    assert_eq!(app.download(&link, &other).await.status, StatusCode::FORBIDDEN);
    let unknown = format!("{}/999999", &link[..link.rfind('/').unwrap()]);
    assert_eq!(app.download(&unknown, &session).await.status, StatusCode::NOT_FOUND);
}

/// The path of the form that sets the actual value of `year`, and its version, for the first
/// indicator with such a form on a strategy page.
fn actual_form(body: &str, year: i32) -> (String, String) {
    let at = body.find(&format!("name=\"year\" value=\"{year}\"")).unwrap_or_else(|| panic!("no form for {year}"));
    let start = body[..at].rfind("action=\"").unwrap() + 8;
    let action = body[start..start + body[start..].find('"').unwrap()].to_owned();
    let v = body[at..].find("name=\"version\" value=\"").unwrap() + at + 22;
    (action, body[v..v + body[v..].find('"').unwrap()].to_owned())
}

#[tokio::test]
async fn an_editor_enters_an_indicators_actual_value_for_a_year_and_a_viewer_cannot() {
    let app = demo_app().await;
    let session = app.session("demo-iztok", "demo-iztok-pass").await;
    let home = app.get("/", &session).await;
    let at = home.body.find("href=\"/strategies/").unwrap() + 6;
    let path = home.body[at..at + home.body[at..].find('"').unwrap()].to_owned();
    let strategy = app.get(&path, &session).await;
    assert!(strategy.body.contains("Факт по години: "), "{}", strategy.body);
    // Forms for the years that have begun only (the strategy runs 2024–2028).
    let this_year = chrono::Datelike::year(&chrono::Utc::now().date_naive());
    assert!(strategy.body.contains("name=\"year\" value=\"2024\""));
    assert_eq!(strategy.body.contains("name=\"year\" value=\"2028\""), this_year >= 2028);
    let (action, version) = actual_form(&strategy.body, 2024);
    let csrf = strategy.csrf();
    let indicator = action.trim_end_matches("/actual").rsplit('/').next().unwrap().to_owned();
    // The indicator's row before: its 2024 target and actual.
    let row_of = |body: &str| {
        let summary = body.find(&format!("id=\"indicator-{indicator}\"")).unwrap();
        let name_at = body[summary..].find("Факт по години: ").unwrap() + summary + "Факт по години: ".len();
        let name = body[name_at..name_at + body[name_at..].find('<').unwrap()].to_owned();
        let row = body.find(&format!("<tr><td>{name}")).unwrap();
        body[row..row + body[row..].find("</tr>").unwrap()].to_owned()
    };
    let cell_2024 = |row: &str| row.split("<td>").nth(3).unwrap().trim_end_matches("</td>").to_owned();
    let before = cell_2024(&row_of(&strategy.body));
    let target = before.split(" / ").next().unwrap().to_owned();

    let saved = app
        .post(
            &action,
            &session,
            &[
                ("csrf", &csrf),
                ("year", "2024"),
                ("version", &version),
                ("value", "12,5"),
                ("comment", "по данни на ДСП"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    assert_eq!(saved.location.unwrap(), format!("{path}#indicator-{indicator}"));
    let strategy = app.get(&path, &session).await;
    assert_eq!(cell_2024(&row_of(&strategy.body)), format!("{target} / 12.5"), "the target stays");
    assert!(strategy.body.contains("value=\"12,5\"") && strategy.body.contains("value=\"по данни на ДСП\""));

    // From the page read before: the conflict page, the value as saved.
    let stale = app
        .post(
            &action,
            &session,
            &[("csrf", &csrf), ("year", "2024"), ("version", &version), ("value", "99"), ("comment", "")],
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert!(stale.body.contains("Някой друг промени записа междувременно"));
    assert_eq!(cell_2024(&row_of(&app.get(&path, &session).await.body)), format!("{target} / 12.5"));
    // Not a number, or a year that has not begun: said, nothing saved.
    let (_, version) = actual_form(&strategy.body, 2024);
    let wrong = app
        .post(
            &action,
            &session,
            &[("csrf", &csrf), ("year", "2024"), ("version", &version), ("value", "много"), ("comment", "")],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong.body.contains("не е число"), "{}", wrong.body);
    if this_year < 2028 {
        let future = app
            .post(
                &action,
                &session,
                &[("csrf", &csrf), ("year", "2028"), ("version", "0"), ("value", "1"), ("comment", "")],
            )
            .await;
        assert_eq!(future.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(future.body.contains("от началото на годината"), "{}", future.body);
    }
    // Without the session's token: refused.
    let forged = app
        .post(
            &action,
            &session,
            &[("csrf", ""), ("year", "2024"), ("version", &version), ("value", "1"), ("comment", "")],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);

    // The region's viewer sees the values, no form, and a post is refused.
    let viewer = app.session("demo-viewer", "demo-viewer-pass").await;
    let seen = app.get(&path, &viewer).await;
    assert_eq!(seen.status, StatusCode::OK);
    assert!(!seen.body.contains("/actual\"") && seen.body.contains(&format!("{target} / 12.5")));
    let refused = app
        .post(
            &action,
            &viewer,
            &[("csrf", &seen.csrf()), ("year", "2024"), ("version", &version), ("value", "1"), ("comment", "")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(cell_2024(&row_of(&app.get(&path, &session).await.body)), format!("{target} / 12.5"));
}
