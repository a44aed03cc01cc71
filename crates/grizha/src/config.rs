//! Layered configuration: defaults, then the TOML file, then the environment, then flags (clap has
//! already merged the last two). Secrets are never printed.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use grizha_store::DatabaseLocation;
use serde::Deserialize;

use crate::cli::{GlobalOptions, LogFormat};

pub const DEFAULT_BIND: &str = "127.0.0.1:8080";

/// What may be written in `grizha.toml`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSettings {
    bind: Option<SocketAddr>,
    database_url: Option<String>,
    log_format: Option<LogFormat>,
    log: Option<String>,
}

#[derive(Clone)]
pub struct Settings {
    pub data_dir: PathBuf,
    pub database: DatabaseLocation,
    pub bind_from_file: Option<SocketAddr>,
    pub log_format: LogFormat,
    pub log: String,
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings")
            .field("data_dir", &self.data_dir)
            .field("database", &self.database) // DatabaseLocation's Debug redacts passwords
            .field("bind_from_file", &self.bind_from_file)
            .field("log_format", &self.log_format)
            .field("log", &self.log)
            .finish()
    }
}

impl Settings {
    pub fn load(options: &GlobalOptions) -> anyhow::Result<Settings> {
        let data_dir = options.data_dir.clone().unwrap_or_else(|| PathBuf::from("data"));
        let file = match &options.config {
            Some(path) => read_file(path)?,
            None => {
                let default = data_dir.join("grizha.toml");
                if default.is_file() { read_file(&default)? } else { FileSettings::default() }
            }
        };
        let database_url = options.database_url.clone().or(file.database_url);
        let database = DatabaseLocation::resolve(database_url.as_deref(), &data_dir);
        if let Some(url) = database_url.as_deref().filter(|u| !u.trim().is_empty())
            && matches!(database, DatabaseLocation::SqliteFile(_))
            && !url.starts_with("sqlite:")
        {
            bail!("DATABASE_URL must start with postgres:// or sqlite: (got {})", grizha_store::redact_url(url));
        }
        Ok(Settings {
            data_dir,
            database,
            bind_from_file: file.bind,
            log_format: options.log_format.or(file.log_format).unwrap_or(LogFormat::Text),
            log: options.log.clone().or(file.log).unwrap_or_else(|| "info,sqlx=warn,tower_http=info".to_owned()),
        })
    }

    pub fn postgres_url(&self) -> Option<&str> {
        match &self.database {
            DatabaseLocation::Postgres(url) => Some(url),
            DatabaseLocation::SqliteFile(_) => None,
        }
    }
}

fn read_file(path: &Path) -> anyhow::Result<FileSettings> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the configuration file {}", path.display()))?;
    toml::from_str(&text).with_context(|| format!("the configuration file {} is not valid", path.display()))
}

/// Structured logs to stderr, as readable text or as JSON lines.
pub fn init_logging(settings: &Settings) {
    use tracing_subscriber::EnvFilter;
    // The PDF parser logs its own repairs of broken files; the reader turns what matters of them into
    // the document's notes, so they stay silent unless asked for by name.
    let directives = if settings.log.contains("pdf_oxide") {
        settings.log.clone()
    } else {
        format!("{},pdf_oxide=off", settings.log)
    };
    let filter = EnvFilter::try_new(&directives).unwrap_or_else(|_| EnvFilter::new("info,pdf_oxide=off"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    let _ = match settings.log_format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().try_init(),
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options() -> GlobalOptions {
        GlobalOptions { data_dir: None, config: None, database_url: None, log_format: None, log: None }
    }

    #[test]
    fn by_default_sqlite_lives_in_the_data_directory() {
        let s = Settings::load(&options()).unwrap();
        assert_eq!(s.database, DatabaseLocation::SqliteFile(PathBuf::from("data/grizha.sqlite")));
        assert_eq!(s.log_format, LogFormat::Text);
    }

    #[test]
    fn the_file_is_read_and_flags_win_over_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("grizha.toml");
        std::fs::write(
            &path,
            "bind = \"0.0.0.0:9000\"\nlog_format = \"json\"\ndatabase_url = \"postgres://u:secret@db/grizha\"\n",
        )
        .unwrap();
        let s = Settings::load(&GlobalOptions { data_dir: Some(dir.path().into()), ..options() }).unwrap();
        assert_eq!(s.bind_from_file, Some("0.0.0.0:9000".parse().unwrap()));
        assert_eq!(s.log_format, LogFormat::Json);
        assert_eq!(s.postgres_url(), Some("postgres://u:secret@db/grizha"));
        assert!(!format!("{s:?}").contains("secret"), "the password never shows");
        let s = Settings::load(&GlobalOptions {
            data_dir: Some(dir.path().into()),
            log_format: Some(LogFormat::Text),
            ..options()
        })
        .unwrap();
        assert_eq!(s.log_format, LogFormat::Text);
    }

    #[test]
    fn an_unknown_key_or_database_url_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bad.toml");
        std::fs::write(&path, "bnid = \"x\"\n").unwrap();
        let err = Settings::load(&GlobalOptions { config: Some(path), ..options() }).unwrap_err();
        assert!(format!("{err:#}").contains("bnid"), "{err:#}");
        let err = Settings::load(&GlobalOptions { database_url: Some("mysql://x".into()), ..options() }).unwrap_err();
        assert!(err.to_string().contains("postgres://"), "{err}");
    }
}
