//! Several processes on one SQLite file, and a writer killed with SIGKILL mid-stream.
//!
//! The parent tests start this same test binary again, running only `processes::writer_child`,
//! which writes council decisions and prints `committed N` after each commit.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use chrono::NaiveDate;
use grizha_domain::geography::AreaCode;
use grizha_domain::ids::CouncilDecisionId;
use grizha_domain::plan::CouncilDecision;
use grizha_store::{Actor, DatabaseLocation, Store};

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap()
}

fn spawn_writer(db: &Path, tag: &str, count: Option<usize>) -> Child {
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.args(["--exact", "processes::writer_child", "--nocapture", "--test-threads=1"])
        .env("GRIZHA_WRITER_DB", db)
        .env("GRIZHA_WRITER_TAG", tag)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    if let Some(count) = count {
        cmd.env("GRIZHA_WRITER_COUNT", count.to_string());
    }
    cmd.spawn().unwrap()
}

/// Not a test of its own: a no-op unless a parent test started it with `GRIZHA_WRITER_DB`.
#[test]
fn writer_child() {
    let Some(db) = std::env::var_os("GRIZHA_WRITER_DB") else { return };
    let tag = std::env::var("GRIZHA_WRITER_TAG").unwrap();
    let count: usize = std::env::var("GRIZHA_WRITER_COUNT").ok().and_then(|c| c.parse().ok()).unwrap_or(usize::MAX);
    runtime().block_on(async {
        let store = Store::open(&DatabaseLocation::SqliteFile(db.into())).await.unwrap();
        let area = AreaCode::parse("HKV34").unwrap();
        for i in 0..count {
            let decision = CouncilDecision {
                id: CouncilDecisionId(0),
                area: area.clone(),
                body: "Общински съвет".into(),
                number: format!("{tag}-{i}"),
                date: NaiveDate::from_ymd_opt(2020, 1, 1).unwrap(),
                protocol: None,
                item: None,
                text: Some("Решение, записано от процес за проверка".into()),
            };
            store.add_council_decision(&Actor::System("writer"), &decision).await.unwrap();
            use std::io::Write;
            let mut out = std::io::stdout().lock();
            writeln!(out, "committed {}", decision.number).unwrap();
            out.flush().unwrap();
        }
    });
}

async fn decision_numbers(db: &Path) -> Vec<String> {
    let store = Store::open(&DatabaseLocation::SqliteFile(db.to_owned())).await.unwrap();
    store.check_integrity().await.unwrap();
    let numbers = store
        .council_decisions(&AreaCode::parse("HKV34").unwrap())
        .await
        .unwrap()
        .into_iter()
        .map(|d| d.number)
        .collect();
    store.close().await;
    numbers
}

#[test]
fn a_writer_killed_with_sigkill_loses_no_committed_record() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("grizha.sqlite");
    runtime().block_on(async { Store::open(&DatabaseLocation::SqliteFile(db.clone())).await.unwrap().close().await });

    let mut child = spawn_writer(&db, "k", None);
    let mut committed = Vec::new();
    for line in BufReader::new(child.stdout.take().unwrap()).lines() {
        let line = line.unwrap();
        // libtest may print "test … ... " on the same line before the first output.
        if let Some((_, number)) = line.split_once("committed ") {
            committed.push(number.to_owned());
            if committed.len() == 150 {
                break;
            }
        }
    }
    child.kill().unwrap(); // SIGKILL on Unix: no destructor, no flush, mid-write.
    child.wait().unwrap();
    assert_eq!(committed.len(), 150, "the writer stopped early");

    let stored = runtime().block_on(decision_numbers(&db));
    for number in &committed {
        assert!(stored.contains(number), "committed decision {number} was lost");
    }
}

#[test]
fn two_processes_write_the_same_database_without_corruption_or_lock_up() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("grizha.sqlite");
    runtime().block_on(async { Store::open(&DatabaseLocation::SqliteFile(db.clone())).await.unwrap().close().await });

    let writers: Vec<Child> = ["a", "b"].into_iter().map(|tag| spawn_writer(&db, tag, Some(60))).collect();
    for mut writer in writers {
        let out = writer.stdout.take().unwrap();
        let lines = BufReader::new(out).lines().map_while(Result::ok).filter(|l| l.contains("committed ")).count();
        let status = writer.wait().unwrap();
        assert!(status.success(), "a writer failed");
        assert_eq!(lines, 60);
    }
    let stored = runtime().block_on(decision_numbers(&db));
    assert_eq!(stored.len(), 120);
}
