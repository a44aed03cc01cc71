//! Storage of Grizha: one code base over SQLite (the embedded default) and PostgreSQL.
//!
//! Each repository method is written once; [`on_pool!`] compiles its body for both backends.
//! Every write of a user's data runs in one transaction that also appends to the audit log, is
//! authorised against the acting user's role and area, and — for edits — names the [`RowVersion`]
//! it was based on, so a stale edit is refused with [`StoreError::Conflict`] instead of being lost.
//!
//! [`RowVersion`]: grizha_domain::ids::RowVersion

mod api_tokens;
mod audit;
mod backup;
mod codes;
mod documents;
mod evidence;
mod geography;
mod monitoring;
mod overview;
mod plans;
mod progress;
pub mod schema;
mod services;
mod sessions;
mod strategies;
mod users;

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use grizha_domain::Invalid;
use grizha_domain::geography::AreaCode;
use grizha_domain::ids::{RowVersion, UserId};
use grizha_domain::user::{Role, User};
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};

pub use api_tokens::{API_TOKEN_PREFIX, ApiToken};
pub use audit::AuditEntry;
pub use backup::BackupSummary;
pub use documents::NewSourceDocument;
pub use evidence::{EvidenceFile, MAX_EVIDENCE_BYTES};
pub use overview::RegionOverview;
pub use plans::{NewActivity, NewPlan, NewPlanServiceEntry};
pub use services::NewService;
pub use sessions::{IDLE_LIMIT, SESSION_LIFETIME, Session, TOUCH_INTERVAL, random_token};
pub use strategies::{NewIndicator, NewStrategy, StrategyTree};
pub use users::{MIN_PASSWORD_CHARS, NewUser, PasswordChange};

/// Which database a store talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Where the database is: a SQLite file (the default, under the data directory) or a PostgreSQL URL.
#[derive(Clone, PartialEq, Eq)]
pub enum DatabaseLocation {
    SqliteFile(PathBuf),
    Postgres(String),
}

impl std::fmt::Debug for DatabaseLocation {
    /// Never prints a password that may be in a PostgreSQL URL.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DatabaseLocation::SqliteFile(p) => write!(f, "SqliteFile({})", p.display()),
            DatabaseLocation::Postgres(url) => write!(f, "Postgres({})", redact_url(url)),
        }
    }
}

/// `postgres://user:secret@host/db` → `postgres://user:***@host/db`.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let credentials = &url[scheme + 3..at];
            match credentials.find(':') {
                Some(colon) => format!("{}{}:***{}", &url[..scheme + 3], &credentials[..colon], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

impl DatabaseLocation {
    /// `DATABASE_URL` wins when it is a PostgreSQL URL (or a `sqlite:` URL); otherwise the file
    /// `grizha.sqlite` in the data directory.
    pub fn resolve(database_url: Option<&str>, data_dir: &Path) -> DatabaseLocation {
        match database_url.map(str::trim).filter(|u| !u.is_empty()) {
            Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
                DatabaseLocation::Postgres(url.to_owned())
            }
            Some(url) if url.starts_with("sqlite:") => {
                let path = url.trim_start_matches("sqlite://").trim_start_matches("sqlite:");
                DatabaseLocation::SqliteFile(PathBuf::from(path.split('?').next().unwrap_or(path)))
            }
            _ => DatabaseLocation::SqliteFile(data_dir.join("grizha.sqlite")),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{entity} {id} was changed by someone else (you edited version {expected}, it is now at version {actual})")]
    Conflict { entity: &'static str, id: String, expected: i64, actual: i64 },
    #[error("{entity} {id} does not exist")]
    NotFound { entity: &'static str, id: String },
    #[error(transparent)]
    Invalid(#[from] Invalid),
    #[error("{what} already exists: {key}")]
    Duplicate { what: &'static str, key: String },
    #[error("{actor} may not {action}")]
    Forbidden { actor: String, action: String },
    #[error("the database was made by a newer Grizha (migration {0} is unknown here); upgrade Grizha")]
    NewerSchema(i64),
    #[error("database error: {0}")]
    Database(sqlx::Error),
    #[error("migration failed: {0}")]
    Migration(sqlx::migrate::MigrateError),
    #[error("{0}")]
    Io(String),
}

impl From<sqlx::migrate::MigrateError> for StoreError {
    fn from(e: sqlx::migrate::MigrateError) -> Self {
        StoreError::Migration(e)
    }
}

impl From<sqlx::Error> for StoreError {
    /// Unique-constraint violations become `Duplicate`; everything else stays a database error.
    fn from(e: sqlx::Error) -> Self {
        if let sqlx::Error::Database(db) = &e
            && db.is_unique_violation()
        {
            return StoreError::Duplicate { what: "record", key: db.message().to_owned() };
        }
        StoreError::Database(e)
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Who is making a change: a signed-in user (checked against role and area), or the system itself
/// (migrations, the command line run by the operator of the server).
#[derive(Debug, Clone)]
pub enum Actor {
    User(User),
    System(&'static str),
}

impl Actor {
    fn user_id(&self) -> Option<i64> {
        match self {
            Actor::User(u) => Some(u.id.get()),
            Actor::System(_) => None,
        }
    }
    fn label(&self) -> String {
        match self {
            Actor::User(u) => u.login.to_string(),
            Actor::System(what) => format!("system:{what}"),
        }
    }
    /// Refuses a write to `area` that the actor's role and area do not allow.
    pub fn authorise(&self, area: &AreaCode, action: &str) -> Result<()> {
        match self {
            Actor::System(_) => Ok(()),
            Actor::User(u) if u.may_edit(area) => Ok(()),
            Actor::User(_) => {
                Err(StoreError::Forbidden { actor: self.label(), action: format!("{action} in {}", area.as_str()) })
            }
        }
    }
    /// Refuses an act that only the area itself performs (submitting its own report): the user must
    /// work for exactly that area, whatever oversight a region has over it.
    pub fn authorise_own(&self, area: &AreaCode, action: &str) -> Result<()> {
        match self {
            Actor::System(_) => Ok(()),
            Actor::User(u)
                if !u.disabled
                    && (u.role == Role::Administrator || (u.area.as_ref() == Some(area) && u.may_edit(area))) =>
            {
                Ok(())
            }
            Actor::User(_) => {
                Err(StoreError::Forbidden { actor: self.label(), action: format!("{action} for {}", area.as_str()) })
            }
        }
    }

    /// Refuses a change of a service's yearly data that the actor may not make: an editor of its
    /// municipality may, and so may a provider working for the organisation that provides it.
    pub fn authorise_service(
        &self,
        municipality: &grizha_domain::geography::MunicipalityCode,
        provider: Option<grizha_domain::ids::OrganisationId>,
        action: &str,
    ) -> Result<()> {
        match self {
            Actor::System(_) => Ok(()),
            Actor::User(u) if u.may_edit_service(municipality, provider) => Ok(()),
            Actor::User(_) => Err(StoreError::Forbidden {
                actor: self.label(),
                action: format!("{action} in {}", municipality.as_str()),
            }),
        }
    }

    /// Refuses what only an administrator may do (extending code tables, adding users).
    pub fn authorise_admin(&self, action: &str) -> Result<()> {
        match self {
            Actor::System(_) => Ok(()),
            Actor::User(u) if u.role == Role::Administrator && !u.disabled => Ok(()),
            Actor::User(_) => Err(StoreError::Forbidden { actor: self.label(), action: action.to_owned() }),
        }
    }
    pub fn user(&self) -> Option<UserId> {
        self.user_id().map(UserId)
    }
}

#[derive(Clone)]
enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// A connection pool to Grizha's database, with its repositories as methods.
#[derive(Clone)]
pub struct Store {
    pool: Pool,
}

/// Formats SQL from the store's own constants (column lists, catalogue names) — never from input —
/// and marks it as audited for sqlx.
macro_rules! sql {
    ($($arg:tt)*) => {
        sqlx::AssertSqlSafe(format!($($arg)*))
    };
}
pub(crate) use sql;

/// Runs `$body` with `$pool` bound to the concrete pool of either backend; the body is compiled once
/// per backend, so one method serves both.
macro_rules! on_pool {
    ($store:expr, $pool:ident => $body:expr) => {
        match &$store.pool {
            $crate::Pool::Sqlite($pool) => $body,
            $crate::Pool::Postgres($pool) => $body,
        }
    };
}
pub(crate) use on_pool;

/// Starts a transaction that will write. On SQLite it takes the write lock at once (`BEGIN
/// IMMEDIATE`), so two processes writing the same file wait for each other (up to the busy timeout)
/// instead of failing when a read lock cannot be upgraded.
pub(crate) trait WritePool {
    type Db: sqlx::Database;
    async fn begin_write(&self) -> std::result::Result<sqlx::Transaction<'static, Self::Db>, sqlx::Error>;
}

impl WritePool for SqlitePool {
    type Db = sqlx::Sqlite;
    async fn begin_write(&self) -> std::result::Result<sqlx::Transaction<'static, sqlx::Sqlite>, sqlx::Error> {
        self.begin_with("BEGIN IMMEDIATE").await
    }
}

impl WritePool for PgPool {
    type Db = sqlx::Postgres;
    async fn begin_write(&self) -> std::result::Result<sqlx::Transaction<'static, sqlx::Postgres>, sqlx::Error> {
        self.begin().await
    }
}

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("migrations/postgres");

impl Store {
    /// Opens (creating a SQLite file and its directory where needed) without migrating.
    pub async fn connect(location: &DatabaseLocation) -> Result<Store> {
        let pool = match location {
            DatabaseLocation::SqliteFile(path) => {
                if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                    std::fs::create_dir_all(dir)
                        .map_err(|e| StoreError::Io(format!("cannot create {}: {e}", dir.display())))?;
                }
                Pool::Sqlite(SqlitePoolOptions::new().max_connections(8).connect_with(sqlite_options(path)).await?)
            }
            DatabaseLocation::Postgres(url) => {
                let options = PgConnectOptions::from_str(url)?.application_name("grizha");
                Pool::Postgres(
                    PgPoolOptions::new()
                        .max_connections(16)
                        .acquire_timeout(Duration::from_secs(10))
                        .connect_with(options)
                        .await?,
                )
            }
        };
        Ok(Store { pool })
    }

    /// Opens and brings the schema up to date.
    pub async fn open(location: &DatabaseLocation) -> Result<Store> {
        let store = Store::connect(location).await?;
        store.migrate().await?;
        Ok(store)
    }

    pub fn backend(&self) -> Backend {
        match self.pool {
            Pool::Sqlite(_) => Backend::Sqlite,
            Pool::Postgres(_) => Backend::Postgres,
        }
    }

    /// Applies the migrations not yet applied. Refuses a database migrated by a newer Grizha.
    pub async fn migrate(&self) -> Result<()> {
        let migrator = match self.backend() {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        };
        let known: Vec<i64> = migrator.iter().map(|m| m.version).collect();
        if let Some(unknown) = self.applied_migrations().await?.into_iter().find(|v| !known.contains(v)) {
            return Err(StoreError::NewerSchema(unknown));
        }
        on_pool!(self, pool => migrator.run(pool).await)?;
        Ok(())
    }

    /// The versions of the migrations applied to this database (empty for a new one).
    pub async fn applied_migrations(&self) -> Result<Vec<i64>> {
        let exists: bool = on_pool!(self, pool => {
            let sql = match self.backend() {
                Backend::Sqlite => "SELECT COUNT(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'",
                Backend::Postgres => "SELECT COUNT(*) > 0 FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = '_sqlx_migrations'",
            };
            sqlx::query_scalar(sql).fetch_one(pool).await
        })?;
        if !exists {
            return Ok(Vec::new());
        }
        Ok(
            on_pool!(self, pool => sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success ORDER BY version").fetch_all(pool).await)?,
        )
    }

    /// Answers whether the database is reachable (for `/healthz`).
    pub async fn ping(&self) -> Result<()> {
        let _: i64 = on_pool!(self, pool => sqlx::query_scalar("SELECT CAST(1 AS BIGINT)").fetch_one(pool).await)?;
        Ok(())
    }

    /// How many bytes the database takes as the backend counts them: SQLite's pages (`page_count` ×
    /// `page_size`), PostgreSQL's `pg_database_size`.
    pub async fn database_size(&self) -> Result<u64> {
        let bytes: i64 = on_pool!(self, pool => {
            let sql = match self.backend() {
                Backend::Sqlite => "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()",
                Backend::Postgres => "SELECT pg_database_size(current_database())",
            };
            sqlx::query_scalar(sql).fetch_one(pool).await
        })?;
        Ok(u64::try_from(bytes).unwrap_or(0))
    }

    /// Checks the database file's structure (SQLite `integrity_check`); PostgreSQL checks itself.
    pub async fn check_integrity(&self) -> Result<()> {
        if let Pool::Sqlite(pool) = &self.pool {
            let result: String = sqlx::query_scalar("PRAGMA integrity_check").fetch_one(pool).await?;
            if result != "ok" {
                return Err(StoreError::Io(format!("the database is damaged: {result}")));
            }
        }
        Ok(())
    }

    pub async fn close(&self) {
        on_pool!(self, pool => pool.close().await)
    }
}

fn sqlite_options(path: &Path) -> SqliteConnectOptions {
    SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        // FULL: a committed transaction survives a crash of the process and of the machine.
        .synchronous(SqliteSynchronous::Full)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(15))
}

/// Checks that a row's stored version is the one the edit was based on.
pub(crate) fn check_version(
    entity: &'static str,
    id: impl ToString,
    expected: RowVersion,
    actual: Option<i64>,
) -> Result<()> {
    match actual {
        None => Err(StoreError::NotFound { entity, id: id.to_string() }),
        Some(actual) if actual != expected.0 => {
            Err(StoreError::Conflict { entity, id: id.to_string(), expected: expected.0, actual })
        }
        Some(_) => Ok(()),
    }
}

/// Maps a value read from storage back into a domain type, turning a validation failure into an
/// error that names the table (stored data that no longer validates is a bug, not user input).
pub(crate) fn stored<T>(entity: &'static str, r: std::result::Result<T, Invalid>) -> Result<T> {
    r.map_err(|e| StoreError::Io(format!("stored {entity} does not validate: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_postgres_password_is_never_printed() {
        let loc = DatabaseLocation::resolve(Some("postgres://grizha:s3cret@db/grizha"), Path::new("data"));
        assert_eq!(format!("{loc:?}"), "Postgres(postgres://grizha:***@db/grizha)");
    }

    #[test]
    fn without_a_database_url_the_sqlite_file_lives_in_the_data_directory() {
        assert_eq!(
            DatabaseLocation::resolve(None, Path::new("/srv/g")),
            DatabaseLocation::SqliteFile(PathBuf::from("/srv/g/grizha.sqlite"))
        );
        assert_eq!(
            DatabaseLocation::resolve(Some(""), Path::new("d")),
            DatabaseLocation::SqliteFile(PathBuf::from("d/grizha.sqlite"))
        );
        assert_eq!(
            DatabaseLocation::resolve(Some("sqlite:///tmp/x.db?mode=rwc"), Path::new("d")),
            DatabaseLocation::SqliteFile(PathBuf::from("/tmp/x.db"))
        );
    }
}
