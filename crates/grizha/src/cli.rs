//! The command line. Every option that configures the server also has an environment variable and a
//! key in the configuration file; a flag wins over the environment, which wins over the file.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "grizha",
    version,
    about = "Grizha (грижа): plan, carry out, monitor and evaluate municipal social services",
    long_about = "Grizha holds a municipality's or region's strategy, annual plans (годишен план), registry of \
                  social services and monitoring as data, and serves them in a Bulgarian web interface.\n\n\
                  Data lives in the data directory (a SQLite database by default); set DATABASE_URL to a \
                  postgres:// URL for PostgreSQL."
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalOptions,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Args)]
pub struct GlobalOptions {
    /// Where Grizha keeps its data (the SQLite database, uploaded documents) [default: ./data]
    #[arg(long, env = "GRIZHA_DATA_DIR", global = true)]
    pub data_dir: Option<PathBuf>,
    /// A TOML configuration file [default: <data-dir>/grizha.toml when it exists]
    #[arg(long, env = "GRIZHA_CONFIG", global = true)]
    pub config: Option<PathBuf>,
    /// A PostgreSQL URL (postgres://user@host/db); without it, SQLite in the data directory
    #[arg(long, env = "DATABASE_URL", global = true, hide_env_values = true)]
    pub database_url: Option<String>,
    /// Log format
    #[arg(long, env = "GRIZHA_LOG_FORMAT", global = true, value_enum)]
    pub log_format: Option<LogFormat>,
    /// Log filter, e.g. `info` or `grizha=debug,sqlx=warn`
    #[arg(long, env = "GRIZHA_LOG", global = true)]
    pub log: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the web server (migrates the database first)
    Serve {
        /// Address and port to listen on [default: 127.0.0.1:8080]
        #[arg(long, env = "GRIZHA_BIND")]
        bind: Option<SocketAddr>,
        /// Load the demonstration data first (as `grizha demo` does) and print its accounts
        #[arg(long)]
        demo: bool,
    },
    /// Create or upgrade the database schema
    Migrate,
    /// Load the demonstration region «Демонстрационна област» (DEM, three municipalities) and print
    /// its accounts; run again, it loads nothing and prints the same
    Demo,
    /// Manage accounts
    #[command(subcommand)]
    User(UserCommand),
    /// Read a document (DOCX, ODT, HTML, PDF, text; legacy DOC with LibreOffice) and print what Grizha sees
    Read {
        /// The file; its format is told from its content
        file: PathBuf,
        /// Print the document model as JSON instead of an outline
        #[arg(long)]
        json: bool,
    },
    /// Extract plans, services, indicators and decisions from a document (grizha.extract/1)
    Extract {
        /// The file; any format `grizha read` accepts
        file: PathBuf,
        /// Print the exchange format `grizha.extract/1` as JSON instead of a summary
        #[arg(long)]
        json: bool,
    },
    /// Write a consistent copy of the database to FILE (safe while the server runs)
    Backup {
        /// The backup file to write; it must not exist
        file: PathBuf,
    },
    /// Replace the database's content with the backup in FILE
    Restore {
        /// A backup made by `grizha backup`
        file: PathBuf,
        /// Confirm that the current data is to be replaced
        #[arg(long)]
        yes: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Add an account (the first one is usually the administrator)
    Add {
        /// Login name (Latin letters, digits, . _ - @)
        #[arg(long)]
        login: String,
        /// The person's name as shown in the interface, e.g. "Мария Иванова"
        #[arg(long)]
        name: String,
        /// Role: administrator, regional_monitoring (областно звено за мониторинг), municipal_editor
        /// (общински експерт), provider (доставчик), viewer (наблюдател)
        #[arg(long, default_value = "administrator")]
        role: String,
        /// The municipality or region the user works for (EKATTE code: HKV34, HKV)
        #[arg(long)]
        area: Option<String>,
        /// Read the password from the first line of standard input instead of GRIZHA_PASSWORD
        #[arg(long)]
        password_stdin: bool,
    },
}
