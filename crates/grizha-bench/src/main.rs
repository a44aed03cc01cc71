//! `grizha-bench`: the national-size load bench of the web application.
//!
//! 1. Writes a national dataset through `grizha_store` (every municipality of the reference data,
//!    its strategy, plans, services and monitoring — see [`dataset`]), or reuses one written before
//!    (`--keep DIR` / the same `--database`).
//! 2. Starts the real server, `grizha serve`, as a child process on a free loopback port.
//! 3. Signs the bench editors in through the store (`Store::start_session`); clients send the token
//!    as the `grizha_session` cookie, as a browser does.
//! 4. Runs each endpoint of [`load::ENDPOINTS`] in turn with `--clients` closed-loop clients for
//!    `--seconds`, then all of them mixed, and prints a Markdown table: requests, requests/s,
//!    p50/p99/max latency and errors per endpoint, the server's peak memory and the load time.
//!
//! Any answer other than 200 counts as an error and makes the bench exit non-zero.

mod dataset;
mod load;
mod report;
mod server;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use chrono::Datelike;
use clap::Parser;
use grizha_store::{DatabaseLocation, Store};

#[derive(Debug, Parser)]
#[command(
    name = "grizha-bench",
    about = "Load a national-size dataset and measure Grizha's pages under concurrent clients"
)]
struct Options {
    /// Municipalities to load and request (the reference data holds 265)
    #[arg(long, default_value_t = 265)]
    municipalities: usize,
    /// Annual plans per municipality, one per year up to this year
    #[arg(long, default_value_t = 5)]
    years: u16,
    /// Activities per plan
    #[arg(long, default_value_t = 50)]
    activities: usize,
    /// Concurrent clients
    #[arg(long, default_value_t = 50)]
    clients: usize,
    /// Seconds of load per endpoint (and for the mixed run at the end)
    #[arg(long, default_value_t = 15)]
    seconds: u64,
    /// A postgres:// URL (an empty database, or one this bench loaded before); default: a SQLite file
    /// in the working directory
    #[arg(long)]
    database: Option<String>,
    /// Keep the working directory (SQLite database, server.log) here; run again with the same
    /// directory to reuse the dataset
    #[arg(long)]
    keep: Option<PathBuf>,
    /// Municipalities written side by side while loading [default: 1 on SQLite, which writes one
    /// transaction at a time anyway; 8 on PostgreSQL]
    #[arg(long)]
    writers: Option<usize>,
    /// The `grizha` binary to serve with [default: `grizha` beside this binary]
    #[arg(long)]
    server: Option<PathBuf>,
}

#[tokio::main]
async fn main() {
    if let Err(e) = run(Options::parse()).await {
        eprintln!("grizha-bench: {e:#}");
        std::process::exit(1);
    }
}

async fn run(options: Options) -> anyhow::Result<()> {
    let binary = match &options.server {
        Some(path) => path.clone(),
        None => server::beside_this_binary()?,
    };
    let temporary;
    let work_dir = match &options.keep {
        Some(dir) => {
            std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
            dir.clone()
        }
        None => {
            temporary = tempfile::tempdir()?;
            temporary.path().to_owned()
        }
    };
    let location = match &options.database {
        Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
            DatabaseLocation::Postgres(url.clone())
        }
        Some(other) => {
            bail!("--database takes a postgres:// URL (without it, SQLite in the working directory): {other}")
        }
        None => DatabaseLocation::SqliteFile(work_dir.join("grizha.sqlite")),
    };
    let today = chrono::Utc::now().date_naive();
    let size = dataset::Size {
        municipalities: options.municipalities,
        years: options.years,
        last_year: today.year(),
        activities: options.activities,
    };

    let store = Store::open(&location).await.context("cannot open the database")?;
    println!("# Grizha load bench\n");
    println!("Database: {:?}; working directory {}", location, work_dir.display());
    let load_note = if dataset::is_loaded(&store).await? {
        println!("The dataset is already loaded; reusing it.");
        "reused (loaded by an earlier run)".to_owned()
    } else {
        println!(
            "Loading {} municipalities × {} plans × {} activities through the store…",
            size.municipalities, size.years, size.activities
        );
        let writers = options.writers.unwrap_or(match store.backend() {
            grizha_store::Backend::Sqlite => 1,
            grizha_store::Backend::Postgres => 8,
        });
        let loaded = dataset::load(&store, size, writers, today).await?;
        let c = loaded.counts;
        let note = format!(
            "{:.0} s for {} municipalities, {} plans, {} activities, {} monitoring records, {} services, {} users \
             (one transaction per record, {writers} writer(s), {:.0} activities and monitoring records/s)",
            loaded.took.as_secs_f64(),
            loaded.municipalities,
            c.plans,
            c.activities,
            c.monitoring_records,
            c.services,
            loaded.users,
            (c.activities + c.monitoring_records) as f64 / loaded.took.as_secs_f64(),
        );
        println!("Loaded: {note}");
        note
    };
    let database_bytes = store.database_size().await?;
    let targets = Arc::new(dataset::targets(&store, options.municipalities).await?);
    store.close().await;
    println!("Database size: {:.0} MB", database_bytes as f64 / 1e6);

    let postgres_url = match &location {
        DatabaseLocation::Postgres(url) => Some(url.as_str()),
        DatabaseLocation::SqliteFile(_) => None,
    };
    let server = server::Server::start(&binary, &work_dir, postgres_url).await?;
    let (_, idle_rss) = server.memory()?;
    println!(
        "Server {} at http://{} ({:.0} MB resident before load)",
        binary.display(),
        server.address,
        idle_rss as f64 / 1e6
    );

    let client = load::client();
    let mut rng = fastrand::Rng::with_seed(0);
    for endpoint in load::ENDPOINTS {
        load::request(&client, &server.address, endpoint, &targets[0], &mut rng)
            .await
            .map_err(|e| anyhow::anyhow!("{}: {e}", endpoint.name))
            .context("a page does not answer 200 before the load; nothing measured")?;
    }
    let all: Vec<&'static load::Endpoint> = load::ENDPOINTS.iter().collect();
    let seconds = Duration::from_secs(options.seconds);
    println!("Warming up for 5 s…");
    load::run(&server.address, &all, &targets, options.clients, Duration::from_secs(5), 1).await;

    let started = Instant::now();
    let mut rows = Vec::new();
    let mut first_errors = Vec::new();
    let mut requests = 0;
    for (i, endpoint) in load::ENDPOINTS.iter().enumerate() {
        eprintln!("  {} for {} s…", endpoint.name, options.seconds);
        let (mut outcomes, elapsed) =
            load::run(&server.address, &[endpoint], &targets, options.clients, seconds, 10 + i as u64).await;
        let outcome = outcomes.remove(0);
        first_errors.extend(outcome.first_error.clone().map(|e| format!("{}: {e}", endpoint.name)));
        requests += outcome.latencies.len();
        rows.push(report::Row::new(endpoint.name, outcome, elapsed));
    }
    eprintln!("  all endpoints mixed for {} s…", options.seconds);
    let (outcomes, mixed_elapsed) = load::run(&server.address, &all, &targets, options.clients, seconds, 99).await;
    let mut mixed = load::Outcome::default();
    for (endpoint, outcome) in load::ENDPOINTS.iter().zip(outcomes) {
        first_errors.extend(outcome.first_error.clone().map(|e| format!("{} (mixed): {e}", endpoint.name)));
        mixed.errors += outcome.errors;
        mixed.latencies.extend(outcome.latencies);
    }
    requests += mixed.latencies.len();
    rows.push(report::Row::new("all of the above, mixed", mixed, mixed_elapsed));
    let elapsed = started.elapsed();

    let (peak_rss, rss) = server.memory()?;
    server.stop().await?;

    println!(
        "\n{} municipalities, {} plans, {} clients on loopback, {} s per endpoint; {} cores\n",
        targets.len(),
        targets.iter().map(|t| t.plans.len()).sum::<usize>(),
        options.clients,
        options.seconds,
        std::thread::available_parallelism().map_or(0, |n| n.get()),
    );
    print!("{}", report::table(&rows));
    println!();
    println!(
        "- Total: {requests} requests in {:.0} s, {:.0} requests/s",
        elapsed.as_secs_f64(),
        requests as f64 / elapsed.as_secs_f64()
    );
    println!("- Server peak RSS (VmHWM): {:.0} MB (at the end: {:.0} MB)", peak_rss as f64 / 1e6, rss as f64 / 1e6);
    println!("- Database: {:.0} MB", database_bytes as f64 / 1e6);
    println!("- Load: {load_note}");
    let slow: Vec<&str> = rows.iter().filter(|r| r.p99_ms >= 100.0).map(|r| r.name.as_str()).collect();
    if !slow.is_empty() {
        println!("- p99 at or over 100 ms: {}", slow.join(", "));
    }
    if !first_errors.is_empty() {
        bail!("some requests did not answer 200:\n  {}", first_errors.join("\n  "));
    }
    Ok(())
}
