//! A consistent copy of the database while it runs, and putting one back.
//!
//! SQLite: `VACUUM INTO` writes a consistent snapshot; restoring attaches the copy, checks that it is
//! an intact Grizha database at the same schema version, and replaces every table's rows in one
//! transaction (so a running server sees either the old data or the restored data, never a mix).
//! PostgreSQL: `pg_dump --format=custom` (a snapshot by design) and `pg_restore --single-transaction`.

use std::path::{Path, PathBuf};

use sqlx::{Connection, Row};

use crate::sql;
use crate::{Backend, Pool, Result, Store, StoreError};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupSummary {
    pub path: PathBuf,
    pub bytes: u64,
    pub backend: Backend,
}

const SQLITE_MAGIC: &[u8] = b"SQLite format 3\0";
const PG_DUMP_MAGIC: &[u8] = b"PGDMP";

fn io(what: impl std::fmt::Display) -> StoreError {
    StoreError::Io(what.to_string())
}

impl Store {
    /// Writes a consistent copy of the whole database to `path`, which must not exist yet.
    pub async fn backup(&self, path: &Path, postgres_url: Option<&str>) -> Result<BackupSummary> {
        if path.exists() {
            return Err(io(format!("{} already exists; choose a new file name", path.display())));
        }
        match &self.pool {
            Pool::Sqlite(pool) => {
                let target = path.to_str().ok_or_else(|| io(format!("{} is not a UTF-8 path", path.display())))?;
                sqlx::query("VACUUM INTO $1").bind(target).execute(pool).await?;
            }
            Pool::Postgres(_) => {
                let url = postgres_url.ok_or_else(|| io("the PostgreSQL URL is needed to back up"))?;
                run_tool("pg_dump", &["--format=custom", "--no-owner", "--file", &path.to_string_lossy(), url]).await?;
            }
        }
        let bytes = std::fs::metadata(path)
            .map_err(|e| io(format!("the backup {} was not written: {e}", path.display())))?
            .len();
        Ok(BackupSummary { path: path.to_owned(), bytes, backend: self.backend() })
    }

    /// Replaces the database's content with the backup at `path`.
    pub async fn restore(&self, path: &Path, postgres_url: Option<&str>) -> Result<()> {
        let mut head = [0u8; 16];
        let read = {
            use std::io::Read;
            let mut f = std::fs::File::open(path).map_err(|e| io(format!("cannot open {}: {e}", path.display())))?;
            f.read(&mut head).map_err(|e| io(format!("cannot read {}: {e}", path.display())))?
        };
        let head = &head[..read];
        match &self.pool {
            Pool::Sqlite(pool) => {
                if !head.starts_with(SQLITE_MAGIC) {
                    return Err(io(format!("{} is not a SQLite backup of Grizha", path.display())));
                }
                let source = path.to_str().ok_or_else(|| io(format!("{} is not a UTF-8 path", path.display())))?;
                let mut conn = pool.acquire().await?;
                sqlx::query("ATTACH DATABASE $1 AS backup").bind(source).execute(&mut *conn).await?;
                let result = restore_attached(&mut conn).await;
                let detached = sqlx::query("DETACH DATABASE backup").execute(&mut *conn).await;
                result?;
                detached?;
                Ok(())
            }
            Pool::Postgres(_) => {
                if !head.starts_with(PG_DUMP_MAGIC) {
                    return Err(io(format!(
                        "{} is not a PostgreSQL backup of Grizha (made by `grizha backup`)",
                        path.display()
                    )));
                }
                let url = postgres_url.ok_or_else(|| io("the PostgreSQL URL is needed to restore"))?;
                run_tool(
                    "pg_restore",
                    &[
                        "--clean",
                        "--if-exists",
                        "--no-owner",
                        "--single-transaction",
                        "--dbname",
                        url,
                        &path.to_string_lossy(),
                    ],
                )
                .await
            }
        }
    }
}

async fn restore_attached(conn: &mut sqlx::SqliteConnection) -> Result<()> {
    let check: String = sqlx::query_scalar("PRAGMA backup.integrity_check")
        .fetch_one(&mut *conn)
        .await
        .map_err(|e| io(format!("the backup is damaged: {e}")))?;
    if check != "ok" {
        return Err(io(format!("the backup is damaged: {check}")));
    }
    let versions = |schema: &str| {
        format!(
            "SELECT group_concat(version, ',') FROM (SELECT version FROM {schema}._sqlx_migrations WHERE success ORDER BY version)"
        )
    };
    let theirs: Option<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(versions("backup")))
        .fetch_one(&mut *conn)
        .await
        .map_err(|_| io("the file is a SQLite database but not a Grizha backup"))?;
    let ours: Option<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(versions("main"))).fetch_one(&mut *conn).await?;
    if theirs != ours {
        return Err(io(format!(
            "the backup is at schema version {} but this database is at {}; restore with the Grizha that made it",
            theirs.unwrap_or_default(),
            ours.unwrap_or_default()
        )));
    }
    let tables: Vec<String> = sqlx::query("SELECT name FROM main.sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> '_sqlx_migrations' ORDER BY name")
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| r.get::<String, _>(0))
        .collect();
    // Foreign keys are checked once over the restored whole, before it is committed.
    sqlx::query("PRAGMA foreign_keys = OFF").execute(&mut *conn).await?;
    let result = replace_tables(conn, &tables).await;
    sqlx::query("PRAGMA foreign_keys = ON").execute(&mut *conn).await?;
    result
}

async fn replace_tables(conn: &mut sqlx::SqliteConnection, tables: &[String]) -> Result<()> {
    let mut tx = conn.begin_with("BEGIN IMMEDIATE").await?;
    for table in tables {
        // Table names come from the database's own catalogue, never from input.
        sqlx::query(sql!("DELETE FROM main.\"{table}\"")).execute(&mut *tx).await?;
        sqlx::query(sql!("INSERT INTO main.\"{table}\" SELECT * FROM backup.\"{table}\"")).execute(&mut *tx).await?;
    }
    let broken = sqlx::query("PRAGMA main.foreign_key_check").fetch_all(&mut *tx).await?;
    if !broken.is_empty() {
        tx.rollback().await?;
        return Err(io(format!(
            "the backup is inconsistent: {} rows point at records it does not hold; nothing was restored",
            broken.len()
        )));
    }
    tx.commit().await?;
    Ok(())
}

async fn run_tool(tool: &str, args: &[&str]) -> Result<()> {
    let output = tokio::process::Command::new(tool).args(args).output().await.map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            io(format!("{tool} is not installed; install the PostgreSQL client tools (Debian: postgresql-client)"))
        } else {
            io(format!("cannot run {tool}: {e}"))
        }
    })?;
    if output.status.success() {
        Ok(())
    } else {
        Err(io(format!("{tool} failed: {}", String::from_utf8_lossy(&output.stderr).trim())))
    }
}
