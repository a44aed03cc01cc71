//! What each subcommand does: short scripts over the store and the web crate.

use std::io::BufRead;
use std::net::SocketAddr;

use anyhow::{Context, bail};
use grizha_domain::geography::AreaCode;
use grizha_domain::user::{Login, Role};
use grizha_store::{Actor, DatabaseLocation, NewUser, Store};
use grizha_web::AppState;

use crate::cli::{Command, UserCommand};
use crate::config::{DEFAULT_BIND, Settings};

const OPERATOR: Actor = Actor::System("command line");

pub async fn run(command: Command, settings: Settings) -> anyhow::Result<()> {
    match command {
        Command::Serve { bind, demo } => serve(&settings, bind.or(settings.bind_from_file), demo).await,
        Command::Migrate => migrate(&settings).await,
        Command::Demo => {
            let store = open(&settings).await?;
            load_demo(&store, &settings).await?;
            store.close().await;
            Ok(())
        }
        Command::User(UserCommand::Add { login, name, role, area, password_stdin }) => {
            add_user(&settings, login, name, role, area, password_stdin).await
        }
        Command::Read { file, json } => read(&file, json),
        Command::Extract { file, json } => extract(&file, json),
        Command::Backup { file } => {
            let store = connect(&settings).await?;
            let summary = store
                .backup(&file, settings.postgres_url())
                .await
                .with_context(|| format!("backup to {} failed", file.display()))?;
            println!("Backup written to {} ({} bytes).", summary.path.display(), summary.bytes);
            Ok(())
        }
        Command::Restore { file, yes } => {
            if !yes {
                bail!(
                    "restoring replaces all the data in {}; run again with --yes to confirm",
                    describe(&settings.database)
                );
            }
            let store = open(&settings).await?;
            store
                .restore(&file, settings.postgres_url())
                .await
                .with_context(|| format!("restore from {} failed; the database is unchanged", file.display()))?;
            println!("Restored {} into {}.", file.display(), describe(&settings.database));
            Ok(())
        }
    }
}

fn describe(location: &DatabaseLocation) -> String {
    match location {
        DatabaseLocation::SqliteFile(path) => format!("the SQLite database {}", path.display()),
        DatabaseLocation::Postgres(url) => format!("the PostgreSQL database {}", grizha_store::redact_url(url)),
    }
}

async fn connect(settings: &Settings) -> anyhow::Result<Store> {
    Store::connect(&settings.database).await.with_context(|| format!("cannot open {}", describe(&settings.database)))
}

async fn open(settings: &Settings) -> anyhow::Result<Store> {
    Store::open(&settings.database).await.with_context(|| format!("cannot open {}", describe(&settings.database)))
}

fn read(file: &std::path::Path, json: bool) -> anyhow::Result<()> {
    let document = grizha_docs::read_file(file, &grizha_docs::ReadLimits::default())
        .map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
    let text = if json { serde_json::to_string_pretty(&document)? + "\n" } else { document.outline() };
    write_stdout(&text)
}

fn extract(file: &std::path::Path, json: bool) -> anyhow::Result<()> {
    let extraction = grizha_extract::extract_file(file, &grizha_docs::ReadLimits::default())
        .map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
    let text =
        if json { serde_json::to_string_pretty(&extraction)? + "\n" } else { grizha_extract::summary(&extraction) };
    write_stdout(&text)
}

/// Writes to standard output; a reader that stopped reading (`grizha read … | head`) is not an error.
fn write_stdout(text: &str) -> anyhow::Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(()),
    }
}

async fn migrate(settings: &Settings) -> anyhow::Result<()> {
    let store = connect(settings).await?;
    let before = store.applied_migrations().await?;
    store.migrate().await.with_context(|| format!("cannot migrate {}", describe(&settings.database)))?;
    let after = store.applied_migrations().await?;
    let newly = after.len() - before.len();
    let version = after.last().copied().unwrap_or(0);
    if newly == 0 {
        println!("{} is up to date (schema version {version}).", describe(&settings.database));
    } else {
        println!("Applied {newly} migration(s) to {}; schema version {version}.", describe(&settings.database));
    }
    store.close().await;
    Ok(())
}

/// Loads the demo data (or finds it loaded) and prints what is there and the demo accounts.
async fn load_demo(store: &Store, settings: &Settings) -> anyhow::Result<()> {
    let today = chrono::Utc::now().date_naive();
    let summary = grizha_demo::load_demo(store, today)
        .await
        .with_context(|| format!("cannot load the demo data into {}", describe(&settings.database)))?;
    tracing::info!(loaded_now = summary.loaded_now, database = %describe(&settings.database), "demo data");
    write_stdout(&summary.to_string())
}

async fn serve(settings: &Settings, bind: Option<SocketAddr>, demo: bool) -> anyhow::Result<()> {
    let store = open(settings).await?;
    if demo {
        load_demo(&store, settings).await?;
    }
    let bind = bind.unwrap_or_else(|| DEFAULT_BIND.parse().expect("the default address parses"));
    let listener = tokio::net::TcpListener::bind(bind).await.with_context(|| format!("cannot listen on {bind}"))?;
    let address = listener.local_addr()?;
    tracing::info!(%address, database = %describe(&settings.database), "serving");
    println!("Grizha listens on http://{address}");
    grizha_web::serve(listener, AppState::new(store.clone()), shutdown_signal())
        .await
        .context("the server stopped with an error")?;
    store.close().await;
    tracing::info!("stopped");
    Ok(())
}

/// Completes on Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}

async fn add_user(
    settings: &Settings,
    login: String,
    name: String,
    role: String,
    area: Option<String>,
    password_stdin: bool,
) -> anyhow::Result<()> {
    let login = Login::parse(&login)?;
    let role: Role = role.parse().map_err(|_| {
        let roles: Vec<&str> = Role::ALL.iter().map(|r| r.as_str()).collect();
        anyhow::anyhow!("unknown role {role:?}; use one of: {}", roles.join(", "))
    })?;
    let area = area.map(|a| AreaCode::parse(&a)).transpose()?;
    let password = if password_stdin {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line).context("cannot read the password from standard input")?;
        line.trim_end_matches(['\r', '\n']).to_owned()
    } else {
        std::env::var("GRIZHA_PASSWORD").map_err(|_| {
            anyhow::anyhow!("give the password in GRIZHA_PASSWORD or on standard input with --password-stdin")
        })?
    };
    let store = open(settings).await?;
    if let Some(area) = &area
        && store.area_name(area).await?.is_none()
    {
        bail!("there is no municipality or region with the code {}", area.as_str());
    }
    let user = store.add_user(&OPERATOR, NewUser { login, display_name: name, password, role, area }).await?;
    println!(
        "Added {} ({}, {}{}).",
        user.login,
        user.display_name,
        user.role.label_bg(),
        user.area.as_ref().map(|a| format!(", {}", a.as_str())).unwrap_or_default()
    );
    store.close().await;
    Ok(())
}
