//! The real server, `grizha serve`, as a child process on a free loopback port, so its memory is
//! measured alone.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use anyhow::{Context, bail};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

pub struct Server {
    child: Child,
    pub address: String,
}

/// `grizha` next to this binary (`target/release/grizha` beside `target/release/grizha-bench`).
pub fn beside_this_binary() -> anyhow::Result<PathBuf> {
    let this = std::env::current_exe().context("cannot tell where grizha-bench is")?;
    let grizha = this.with_file_name("grizha");
    if !grizha.is_file() {
        bail!(
            "{} is missing; build both with `cargo build --release -p grizha -p grizha-bench`, or name it with --server",
            grizha.display()
        );
    }
    Ok(grizha)
}

impl Server {
    /// Starts `grizha serve --bind 127.0.0.1:0` on the data directory (and the PostgreSQL URL, if
    /// any), reads the address it says it listens on, and waits until `/healthz` answers.
    pub async fn start(binary: &Path, data_dir: &Path, database_url: Option<&str>) -> anyhow::Result<Server> {
        let log = std::fs::File::create(data_dir.join("server.log")).context("cannot create server.log")?;
        let mut command = Command::new(binary);
        command
            .arg("--data-dir")
            .arg(data_dir)
            .args(["serve", "--bind", "127.0.0.1:0"])
            .env_remove("DATABASE_URL")
            .env_remove("GRIZHA_CONFIG")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(log)
            .kill_on_drop(true);
        if let Some(url) = database_url {
            command.env("DATABASE_URL", url);
        }
        let mut child = command.spawn().with_context(|| format!("cannot start {}", binary.display()))?;
        let stdout = child.stdout.take().expect("piped");
        let mut lines = BufReader::new(stdout).lines();
        let address = loop {
            let line = tokio::time::timeout(Duration::from_secs(120), lines.next_line())
                .await
                .context("the server did not say where it listens within 2 minutes")??;
            match line {
                Some(line) => {
                    if let Some(address) = line.strip_prefix("Grizha listens on http://") {
                        break address.trim().to_owned();
                    }
                }
                None => bail!("the server stopped before listening; see {}", data_dir.join("server.log").display()),
            }
        };
        // Keep reading its standard output so it never blocks on a full pipe.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        let server = Server { child, address };
        server.wait_healthy().await?;
        Ok(server)
    }

    async fn wait_healthy(&self) -> anyhow::Result<()> {
        let client = crate::load::client();
        let uri: hyper::Uri = format!("http://{}/healthz", self.address).parse()?;
        for _ in 0..100 {
            if let Ok(response) = client.get(uri.clone()).await
                && response.status().is_success()
            {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        bail!("/healthz did not answer 200 within 10 s")
    }

    fn pid(&self) -> anyhow::Result<u32> {
        self.child.id().context("the server has already exited")
    }

    /// The server's peak and current resident memory in bytes (`VmHWM`, `VmRSS` of `/proc/<pid>/status`).
    pub fn memory(&self) -> anyhow::Result<(u64, u64)> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid()?))
            .context("cannot read the server's /proc status (Linux only)")?;
        let field = |name: &str| -> anyhow::Result<u64> {
            let line = status.lines().find(|l| l.starts_with(name)).with_context(|| format!("no {name} in /proc"))?;
            let kib: u64 = line[name.len()..].trim().trim_end_matches("kB").trim().parse()?;
            Ok(kib * 1024)
        };
        Ok((field("VmHWM:")?, field("VmRSS:")?))
    }

    /// Asks the server to stop (SIGTERM) and waits for it.
    pub async fn stop(mut self) -> anyhow::Result<()> {
        let pid = self.pid()?.to_string();
        let sent = tokio::process::Command::new("kill").args(["-TERM", &pid]).status().await?;
        if !sent.success() {
            self.child.start_kill()?;
        }
        match tokio::time::timeout(Duration::from_secs(30), self.child.wait()).await {
            Ok(status) => {
                let status = status?;
                if !status.success() {
                    bail!("the server exited with {status}");
                }
            }
            Err(_) => {
                self.child.start_kill()?;
                bail!("the server did not stop within 30 s of SIGTERM");
            }
        }
        Ok(())
    }
}
