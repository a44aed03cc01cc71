//! Test support: a fresh database per test, on SQLite or PostgreSQL.
//!
//! PostgreSQL tests run when `GRIZHA_TEST_POSTGRES_URL` names a server (e.g.
//! `postgres://postgres@127.0.0.1:5432/test`); each test creates its own database there and drops it
//! afterwards. Without the variable they print why they are skipped — unless
//! `GRIZHA_REQUIRE_POSTGRES=1` (as in CI), when they fail instead.

use std::sync::atomic::{AtomicU32, Ordering};

use grizha_store::{DatabaseLocation, Store};

pub struct TestDb {
    pub store: Store,
    cleanup: Cleanup,
}

enum Cleanup {
    Sqlite(#[allow(dead_code)] tempfile::TempDir),
    Postgres { admin_url: String, name: String },
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

pub async fn sqlite() -> TestDb {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let location = DatabaseLocation::SqliteFile(dir.path().join("grizha.sqlite"));
    let store = Store::open(&location).await.expect("a fresh SQLite database migrates");
    TestDb { store, cleanup: Cleanup::Sqlite(dir) }
}

/// `None` (after saying why) when no PostgreSQL server is configured.
pub async fn postgres() -> Option<TestDb> {
    let Ok(admin_url) = std::env::var("GRIZHA_TEST_POSTGRES_URL") else {
        if std::env::var("GRIZHA_REQUIRE_POSTGRES").is_ok_and(|v| v == "1") {
            panic!("GRIZHA_REQUIRE_POSTGRES=1 but GRIZHA_TEST_POSTGRES_URL is not set");
        }
        eprintln!(
            "skipped: set GRIZHA_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/test to run the PostgreSQL variant"
        );
        return None;
    };
    let name = format!(
        "grizha_demo_t_{}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed),
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or(0)
    );
    run_admin(&admin_url, &format!("CREATE DATABASE {name}")).await;
    let url = with_database(&admin_url, &name);
    let location = DatabaseLocation::Postgres(url);
    let store = Store::open(&location).await.expect("a fresh PostgreSQL database migrates");
    Some(TestDb { store, cleanup: Cleanup::Postgres { admin_url, name } })
}

pub fn with_database(url: &str, name: &str) -> String {
    let (base, query) = url.split_once('?').map_or((url, None), |(b, q)| (b, Some(q)));
    let base = match base.rfind('/') {
        Some(slash) if slash > base.find("://").map_or(0, |s| s + 2) => &base[..slash],
        _ => base,
    };
    match query {
        Some(q) => format!("{base}/{name}?{q}"),
        None => format!("{base}/{name}"),
    }
}

async fn run_admin(admin_url: &str, sql: &str) {
    use sqlx::Connection;
    let mut conn = sqlx::PgConnection::connect(admin_url).await.expect("the PostgreSQL test server answers");
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_owned())).execute(&mut conn).await.expect("admin statement");
    let _ = conn.close().await;
}

impl TestDb {
    pub async fn finish(self) {
        self.store.close().await;
        if let Cleanup::Postgres { admin_url, name } = &self.cleanup {
            run_admin(admin_url, &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).await;
        }
    }
}

/// Declares one story as two tests (as in the store's tests), `NAME::sqlite` and `NAME::postgres`, each on a fresh database.
#[macro_export]
macro_rules! story {
    ($name:ident, |$db:ident| $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            async fn run($db: &$crate::common::TestDb) $body

            #[tokio::test]
            async fn sqlite() {
                let db = $crate::common::sqlite().await;
                run(&db).await;
                db.finish().await;
            }

            #[tokio::test]
            async fn postgres() {
                let Some(db) = $crate::common::postgres().await else { return };
                run(&db).await;
                db.finish().await;
            }
        }
    };
}
