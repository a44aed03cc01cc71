//! The services registry kept up to date: a year's capacity, places and staff entered by the
//! municipality's editor, or by the provider for the services it provides — and by no one else.

use axum::http::{Method, StatusCode};
use grizha_domain::geography::MunicipalityCode;
use grizha_domain::user::Login;
use serde_json::json;

use crate::{demo_app, form_version};

#[tokio::test]
async fn a_provider_enters_the_year_of_its_own_service_and_of_no_other() {
    let app = demo_app().await;
    let store = &app.state.store;
    let provider = store.user_by_login(&Login::parse("demo-provider").unwrap()).await.unwrap().unwrap();
    let organisation = provider.organisation.expect("the demo's provider works for an organisation");
    let services = store.services_of(&MunicipalityCode::parse("DEM01").unwrap(), None).await.unwrap();
    let own = services.iter().find(|s| s.provider == Some(organisation)).expect("a service of the provider");
    let other = services.iter().find(|s| s.provider != Some(organisation)).expect("a service of the municipality");

    let session = app.session("demo-provider", "demo-provider-pass").await;
    let page = app.get(&format!("/services/{}?year=2026", own.id.get()), &session).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Данни за 2026 г."), "the provider gets the year form");
    let csrf = page.csrf();
    let version = form_version(&page.body);
    let year = |version: &str, occupied: &str| {
        vec![
            ("csrf", csrf.clone()),
            ("year", "2026".to_owned()),
            ("version", version.to_owned()),
            ("max_users", "30".to_owned()),
            ("funded_places", "30".to_owned()),
            ("occupied_places", occupied.to_owned()),
            ("staff", "9".to_owned()),
        ]
    };
    let fields = |v: &[(&'static str, String)]| v.iter().map(|(k, v)| (*k, v.clone())).collect::<Vec<_>>();
    let post = |path: String, form: Vec<(&'static str, String)>, session: String| {
        let app = &app;
        async move {
            let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            app.post(&path, &session, &form).await
        }
    };
    let path = format!("/services/{}/years", own.id.get());
    let saved = post(path.clone(), fields(&year(&version, "27")), session.clone()).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let shown = app.get(&format!("/services/{}?year=2026", own.id.get()), &session).await;
    assert!(shown.body.contains("value=\"27\""), "the figures stand in the form");
    // Sent again from the same reading: the year changed meanwhile, nothing is overwritten.
    let stale = post(path.clone(), fields(&year(&version, "12")), session.clone()).await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert!(stale.body.contains("value=\"27\""));
    // Nonsense in a field is named, and nothing is saved.
    let wrong = post(path.clone(), fields(&year(&form_version(&shown.body), "двайсет")), session.clone()).await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong.body.contains("Заети места: въведете цяло неотрицателно число"), "{}", wrong.body);
    let years = store.service_years(own.id).await.unwrap();
    assert_eq!(years.iter().find(|y| y.year.get() == 2026).unwrap().occupied_places, Some(27));

    // The municipality's own service: no form for the provider, and a forged post is refused.
    let theirs = app.get(&format!("/services/{}", other.id.get()), &session).await;
    assert_eq!(theirs.status, StatusCode::OK, "the provider still sees it");
    assert!(!theirs.body.contains("/years\""), "but gets no form");
    let refused = post(format!("/services/{}/years", other.id.get()), fields(&year("0", "1")), session.clone()).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    // The same through the API.
    let token = app.token("demo-provider").await;
    let api = |id: i64| format!("/api/v1/services/{id}/years/2027");
    let own_api = app.api(Method::PUT, &api(own.id.get()), &token, Some(json!({"max_users": 30, "staff": 8}))).await;
    assert_eq!(own_api.status, StatusCode::OK, "{}", own_api.json);
    let other_api = app.api(Method::PUT, &api(other.id.get()), &token, Some(json!({"max_users": 3}))).await;
    assert_eq!(other_api.status, StatusCode::FORBIDDEN);

    // The municipality's editor may keep both; a viewer neither.
    let editor = app.session("demo-iztok", "demo-iztok-pass").await;
    assert!(app.get(&format!("/services/{}", other.id.get()), &editor).await.body.contains("/years\""));
    // A service's page lists the plan rows that concern it.
    for service in &services {
        let rows = store.service_activities(service.id).await.unwrap();
        if let Some(row) = rows.first() {
            let page = app.get(&format!("/services/{}", service.id.get()), &editor).await;
            assert!(page.body.contains("Дейности от плановете за услугата"));
            assert!(page.body.contains(&row.text), "{}", row.text);
        }
    }
    assert!(
        any_linked_rows(&services, store).await,
        "the demo links some rows to its services, so the list is tried at least once"
    );
    let viewer = app.session("demo-viewer", "demo-viewer-pass").await;
    assert!(!app.get(&format!("/services/{}", own.id.get()), &viewer).await.body.contains("/years\""));
}

/// Whether any of `services` has a plan row linked to it.
async fn any_linked_rows(services: &[grizha_domain::service::SocialService], store: &grizha_store::Store) -> bool {
    for service in services {
        if !store.service_activities(service.id).await.unwrap().is_empty() {
            return true;
        }
    }
    false
}

/// A municipality's list of services with capacity and staff for a year, as a text file.
const SERVICES_FILE: &str = "ОБЩИНА ДЕМО-ИЗТОК\n\nСОЦИАЛНИ УСЛУГИ В ОБЩИНАТА ПРЕЗ 2026 Г.\n\n\
Социална услуга\tКапацитет 2026\tПерсонал 2026\tФинансиране\n\
Център за обществена подкрепа „Слънце“\t40\t8\tДДД\n\
Дневен център за възрастни хора „Здравец“\t25\t6\tОбщински бюджет\n";

#[tokio::test]
async fn the_services_of_an_imported_list_are_accepted_into_the_registry_once() {
    let app = demo_app().await;
    let session = app.session("demo-iztok", "demo-iztok-pass").await;
    let csrf = app.get("/import", &session).await.csrf();
    let uploaded = app.upload(&session, &csrf, "услуги-2026.txt", SERVICES_FILE.as_bytes()).await;
    let review_path = uploaded.location.expect("to the review");
    let review = app.get(&review_path, &session).await;
    assert_eq!(review.body.matches("<tr data-service>").count(), 2, "both services beside their source");
    assert!(review.body.contains("2026: 40 места, 8 персонал"));
    let registry = "/municipalities/DEM01/services";
    let before = app.get(registry, &session).await.body.matches("<tr").count();

    // The first kept with a corrected name; its type as recognised. Nothing is saved before this.
    assert!(!app.get(registry, &session).await.body.contains("Слънце"));
    let accept = format!("{review_path}/accept-services");
    let form = [
        ("csrf", csrf.as_str()),
        ("document", "0"),
        ("municipality", "DEM01"),
        ("service_0", "on"),
        ("service_name_0", "ЦОП „Слънце“"),
        ("service_type_0", "community_support_centre"),
        ("service_name_1", "Дневен център „Здравец“"),
        ("service_type_1", "day_centre_elderly"),
    ];
    let accepted = app.post(&accept, &session, &form).await;
    assert_eq!(accepted.status, StatusCode::SEE_OTHER, "{}", accepted.body);
    assert_eq!(accepted.location.as_deref(), Some(registry));
    let listed = app.get(registry, &session).await.body;
    assert!(listed.contains("ЦОП „Слънце“"));
    assert!(!listed.contains("Здравец"), "the unchecked one is left out");
    assert_eq!(listed.matches("<tr").count(), before + 1);
    let store = &app.state.store;
    let dem01 = MunicipalityCode::parse("DEM01").unwrap();
    let added = store.services_of(&dem01, None).await.unwrap().into_iter().find(|s| s.name == "ЦОП „Слънце“").unwrap();
    let years = store.service_years(added.id).await.unwrap();
    assert_eq!((years[0].year.get(), years[0].max_users, years[0].staff), (2026, Some(40), Some(8)));
    assert_eq!(added.funding[0].kind.as_str(), "state_delegated");

    // The same file again is named and cannot be accepted a second time.
    let again = app.upload(&session, &csrf, "копие.txt", SERVICES_FILE.as_bytes()).await.location.unwrap();
    let refused = app
        .post(
            &format!("{again}/accept-services"),
            &session,
            &[
                ("csrf", csrf.as_str()),
                ("document", "0"),
                ("municipality", "DEM01"),
                ("service_0", "on"),
                ("service_type_0", "community_support_centre"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    // Another municipality's registry is not the editor's to fill.
    let other =
        app.upload(&session, &csrf, "друг.txt", SERVICES_FILE.replace("40", "41").as_bytes()).await.location.unwrap();
    let forbidden = app
        .post(
            &format!("{other}/accept-services"),
            &session,
            &[
                ("csrf", csrf.as_str()),
                ("document", "0"),
                ("municipality", "DEM02"),
                ("service_0", "on"),
                ("service_type_0", "community_support_centre"),
            ],
        )
        .await;
    assert_eq!(forbidden.status, StatusCode::FORBIDDEN);
    assert!(
        store
            .services_of(&MunicipalityCode::parse("DEM02").unwrap(), None)
            .await
            .unwrap()
            .iter()
            .all(|s| !s.name.contains("Слънце"))
    );
}

/// The figures of the home page's card of `code`: the text of its `<dl>` with tags removed.
fn card_of(home: &str, code: &str) -> String {
    let at = home.find(&format!("({code})")).or_else(|| home.find(code)).expect("the municipality's card");
    let card = &home[at..];
    let end = card.find("</dl>").unwrap_or(card.len());
    let mut text = String::new();
    let mut in_tag = false;
    for c in card[..end].chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                text.push(' ');
            }
            _ if !in_tag => text.push(c),
            _ => {}
        }
    }
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[tokio::test]
async fn a_regions_home_shows_each_municipality_as_its_own_home_does() {
    let app = demo_app().await;
    let region = app.get("/", &app.session("demo-oblast", "demo-oblast-pass").await).await.body;
    for (code, login) in [("DEM01", "demo-iztok"), ("DEM02", "demo-zapad"), ("DEM03", "demo-sever")] {
        let own = app.get("/", &app.session(login, &format!("{login}-pass")).await).await.body;
        assert_eq!(card_of(&region, code), card_of(&own, code), "{code}");
        assert!(card_of(&own, code).contains("Просрочени дейности"), "{}", card_of(&own, code));
    }
}
