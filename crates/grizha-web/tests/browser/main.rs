//! The web application in a real browser: headless Chromium driven through chromedriver, against
//! the server on loopback with the demo data. Screenshots of each page go to
//! `$CARGO_TARGET_TMPDIR/screenshots/`.
//!
//! Needs Debian's `chromium` and `chromium-driver`; without them the test says so and passes,
//! unless `GRIZHA_REQUIRE_BROWSER=1` (as in `.ci/run`, which installs them).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};
use grizha_store::{DatabaseLocation, Store};
use grizha_web::AppState;

const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const CHROMIUM: &str = "/usr/bin/chromium";

/// chromedriver, stopped when dropped.
struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

async fn browser() -> Option<(Driver, Client)> {
    if !Path::new(CHROMEDRIVER).exists() || !Path::new(CHROMIUM).exists() {
        assert!(
            std::env::var("GRIZHA_REQUIRE_BROWSER").as_deref() != Ok("1"),
            "GRIZHA_REQUIRE_BROWSER=1 but {CHROMEDRIVER} or {CHROMIUM} is missing (Debian: chromium chromium-driver)"
        );
        println!("skipped: {CHROMEDRIVER} or {CHROMIUM} is missing (Debian packages chromium and chromium-driver)");
        return None;
    }
    let port = free_port();
    let driver = Driver(
        Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts"),
    );
    let mut capabilities = serde_json::Map::new();
    capabilities.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({
            "binary": CHROMIUM,
            "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                     "--disable-component-update", "--window-size=1280,1000", "--lang=bg"],
        }),
    );
    let url = format!("http://127.0.0.1:{port}");
    for _ in 0..100 {
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        if let Ok(client) = ClientBuilder::new(connector).capabilities(capabilities.clone()).connect(&url).await {
            return Some((driver, client));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("chromedriver did not answer on {url}");
}

/// The server with the demo loaded, on a free loopback port; returns its base URL.
async fn server(dir: &Path) -> String {
    let store = Store::open(&DatabaseLocation::SqliteFile(dir.join("grizha.sqlite"))).await.unwrap();
    grizha_demo::load_demo(&store, chrono::Utc::now().date_naive()).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(grizha_web::serve(listener, AppState::new(store), std::future::pending()));
    format!("http://{address}")
}

fn screenshots() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// axe-core, installed by `.ci/run` (`npm ci` in `tools/axe`); `None` (said once) when absent.
fn axe() -> Option<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tools/axe/node_modules/axe-core/axe.min.js");
    match std::fs::read_to_string(&path) {
        Ok(script) => Some(script),
        Err(_) => {
            assert!(
                std::env::var("GRIZHA_REQUIRE_BROWSER").as_deref() != Ok("1"),
                "GRIZHA_REQUIRE_BROWSER=1 but {} is missing (cd tools/axe && npm ci)",
                path.display()
            );
            None
        }
    }
}

/// Saves a screenshot of the page, and checks it with axe-core (WCAG 2 A and AA): no serious or
/// critical violation.
async fn snap(client: &Client, name: &str) {
    let png = client.screenshot().await.unwrap();
    std::fs::write(screenshots().join(format!("{name}.png")), png).unwrap();
    if let Some(violations) = violations(client).await {
        assert!(violations.is_empty(), "{name}: accessibility violations: {violations:#?}");
    }
}

/// The serious and critical WCAG 2 A/AA violations axe-core finds on the page; `None` without axe.
async fn violations(client: &Client) -> Option<Vec<String>> {
    let axe = axe()?;
    client.execute(&axe, vec![]).await.unwrap();
    let result = client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             axe.run(document, {runOnly: ['wcag2a', 'wcag2aa']}).then(r => done(
               r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
                 .map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', '))));",
            vec![],
        )
        .await
        .unwrap();
    Some(serde_json::from_value(result).unwrap())
}

/// Waits until the page holds `text` (the browser may still be loading the answer to a form).
async fn wait_for_text(client: &Client, text: &str) {
    for _ in 0..100 {
        if client.source().await.unwrap().contains(text) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the page never showed {text:?}: {}", client.source().await.unwrap());
}

async fn sign_in(client: &Client, base: &str, login: &str, password: &str) {
    client.goto(&format!("{base}/login")).await.unwrap();
    client.find(Locator::Id("login")).await.unwrap().send_keys(login).await.unwrap();
    client.find(Locator::Id("password")).await.unwrap().send_keys(password).await.unwrap();
    client.find(Locator::Css("form button[type=submit]")).await.unwrap().click().await.unwrap();
    client.wait().for_element(Locator::Css("form.account")).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expert_signs_in_imports_a_plan_edits_a_row_and_records_monitoring() {
    let Some((_driver, client)) = browser().await else { return };
    let dir = tempfile::tempdir().unwrap();
    let base = server(dir.path()).await;

    // Signing in, with the keyboard-reachable form; the home page of the municipality.
    client.goto(&format!("{base}/login")).await.unwrap();
    snap(&client, "login").await;
    sign_in(&client, &base, "demo-iztok", "demo-iztok-pass").await;
    let heading = client.find(Locator::Css("main h1")).await.unwrap().text().await.unwrap();
    assert_eq!(heading, "Демо-Изток");
    snap(&client, "home").await;

    // The 2026 plan (a draft): edit its first row.
    client
        .find(Locator::LinkText("Годишен план за развитие на социалните услуги в община Демо-Изток за 2026 г."))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    client.wait().for_element(Locator::Css("table.plan")).await.unwrap();
    snap(&client, "plan").await;
    client.find(Locator::Css("a[href$='/edit']")).await.unwrap().click().await.unwrap();
    let text = client.wait().for_element(Locator::Id("text")).await.unwrap();
    text.clear().await.unwrap();
    text.send_keys("Консултиране на семейства — редактирано в браузъра").await.unwrap();
    snap(&client, "edit-row").await;
    client.find(Locator::Css("form.card button[type=submit]")).await.unwrap().click().await.unwrap();
    wait_for_text(&client, "Консултиране на семейства — редактирано в браузъра").await;

    // Monitoring of the adopted 2025 plan: the first row, fourth quarter.
    client.goto(&format!("{base}/")).await.unwrap();
    client
        .find(Locator::LinkText("Годишен план за развитие на социалните услуги в община Демо-Изток за 2025 г."))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    client.wait().for_element(Locator::Css("a[href$='/monitoring']")).await.unwrap().click().await.unwrap();
    client
        .wait()
        .for_element(Locator::Css("#status-q4 option[value=in_progress]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let progress = client.find(Locator::Id("progress-q4")).await.unwrap();
    progress.clear().await.unwrap();
    progress.send_keys("90").await.unwrap();
    client.find(Locator::Id("comment-q4")).await.unwrap().send_keys("Отчетено от браузъра").await.unwrap();
    client.find(Locator::Css("tr[data-period=q4] button")).await.unwrap().click().await.unwrap();
    wait_for_text(&client, "value=\"Отчетено от браузъра\"").await;
    snap(&client, "monitoring").await;

    // Import a plan written as a text rendering, accept it, and see it as a plan.
    let file = dir.path().join("план-2027.txt");
    std::fs::write(
        &file,
        "ОБЩИНА ДЕМО-ИЗТОК\n\nГОДИШЕН ПЛАН ЗА ДЕЙСТВИЕ ЗА 2027 Г.\n\nЦел\tДейност\tСрок\tОтговорник\tФинансиране\n\
         Подкрепа\t1.1. Клуб за родители\tпостоянен\tДСП\tДДД\n\t1.2. Обучение на екипа\tмарт 2027 г.\tД „СД“\tОбщински бюджет\n",
    )
    .unwrap();
    client.goto(&format!("{base}/import")).await.unwrap();
    client.find(Locator::Id("file")).await.unwrap().send_keys(file.to_str().unwrap()).await.unwrap();
    client.find(Locator::Css("main form button[type=submit]")).await.unwrap().click().await.unwrap();
    wait_for_text(&client, "1.2. Обучение на екипа | март 2027 г.").await;
    snap(&client, "import-review").await;
    client.find(Locator::Css("section.card form button[type=submit]")).await.unwrap().click().await.unwrap();
    wait_for_text(&client, "data-activity").await;
    let source = client.source().await.unwrap();
    assert!(source.contains("Клуб за родители") && source.contains("Обучение на екипа"));
    snap(&client, "imported-plan").await;

    // The services registry and one service.
    client.goto(&format!("{base}/municipalities/DEM01/services")).await.unwrap();
    snap(&client, "services").await;
    client.find(Locator::Css("tr[data-service] a")).await.unwrap().click().await.unwrap();
    client.wait().for_element(Locator::Css("svg.chart")).await.unwrap();
    snap(&client, "service").await;

    // The strategy with its indicators' values, from the home page.
    client.goto(&format!("{base}/")).await.unwrap();
    client.find(Locator::Css("a[href^='/strategies/']")).await.unwrap().click().await.unwrap();
    client.wait().for_element(Locator::Css("h1")).await.unwrap();
    snap(&client, "strategy").await;

    // The account page: a token for the API is made and shown once.
    client.goto(&format!("{base}/account")).await.unwrap();
    snap(&client, "account").await;
    client.find(Locator::Id("token-name")).await.unwrap().send_keys("отчетна таблица").await.unwrap();
    client.find(Locator::Css("form[action='/account/tokens'] button")).await.unwrap().click().await.unwrap();
    let shown = client.wait().for_element(Locator::Id("new-token")).await.unwrap();
    let token = shown.prop("value").await.unwrap().unwrap_or_default();
    assert!(token.starts_with("grizha_") && token.len() == 71, "{token}");
    snap(&client, "account-token").await;

    // The check itself finds what it should: an image without a text alternative.
    client.goto("data:text/html,<html lang=bg><title>t</title><img src=x.png></html>").await.unwrap();
    if let Some(found) = violations(&client).await {
        assert!(found.iter().any(|v| v.starts_with("image-alt")), "{found:?}");
    }

    client.close().await.unwrap();
}
