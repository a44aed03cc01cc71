//! The `grizha` command, run as a user runs it.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

fn grizha(data_dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_grizha"));
    cmd.arg("--data-dir")
        .arg(data_dir)
        .env_remove("DATABASE_URL")
        .env_remove("GRIZHA_CONFIG")
        .env("GRIZHA_LOG", "warn");
    cmd
}

fn run(cmd: &mut Command) -> Output {
    cmd.stdin(Stdio::null()).output().expect("grizha runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A plain HTTP/1.0 GET over loopback, returning the status line and body.
fn get(address: &str, path: &str) -> (String, String) {
    let mut stream = TcpStream::connect(address).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    write!(stream, "GET {path} HTTP/1.0\r\nHost: {address}\r\n\r\n").unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let (head, body) = response.split_once("\r\n\r\n").unwrap_or((&response, ""));
    (head.lines().next().unwrap_or("").to_owned(), body.to_owned())
}

#[test]
fn serve_starts_on_an_empty_directory_and_answers_healthz_while_a_second_process_uses_the_database() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("нова папка");
    let mut server = grizha(&data)
        .args(["serve", "--bind", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(server.stdout.take().unwrap()).lines();
    let line = lines.next().expect("the server says where it listens").unwrap();
    let address = line
        .strip_prefix("Grizha listens on http://")
        .unwrap_or_else(|| panic!("unexpected first line: {line}"))
        .to_owned();
    assert!(data.join("grizha.sqlite").is_file(), "the database was created in the data directory");

    let (status, body) = get(&address, "/healthz");
    assert!(status.contains("200"), "{status}");
    let health: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        (health["status"].as_str(), health["database"].as_str(), health["schema_version"].as_i64()),
        (Some("ok"), Some("ok"), Some(8))
    );
    assert!(get(&address, "/no-such-page").0.contains("404"));

    // A second process opens the same database while the server runs.
    let migrate = run(grizha(&data).arg("migrate"));
    assert!(migrate.status.success(), "{}", text(&migrate.stderr));
    assert!(text(&migrate.stdout).contains("up to date"), "{}", text(&migrate.stdout));
    let add = run(grizha(&data)
        .args(["user", "add", "--login", "admin", "--name", "Администратор"])
        .env("GRIZHA_PASSWORD", "много дълга парола"));
    assert!(add.status.success(), "{}", text(&add.stderr));
    assert!(get(&address, "/healthz").0.contains("200"));

    let stopped = Command::new("kill").args(["-TERM", &server.id().to_string()]).status().unwrap();
    assert!(stopped.success());
    let status = server.wait().unwrap();
    assert!(status.success(), "the server stops cleanly on SIGTERM: {status}");
}

#[test]
fn the_first_administrator_is_added_and_a_backup_restores_the_accounts() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let mut add = grizha(&data);
    add.args([
        "user",
        "add",
        "--login",
        "maria",
        "--name",
        "Мария Иванова",
        "--role",
        "municipal_editor",
        "--area",
        "HKV34",
        "--password-stdin",
    ])
    .stdin(Stdio::piped())
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    let mut child = add.spawn().unwrap();
    child.stdin.take().unwrap().write_all("парола за Мария\n".as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("общински експерт, HKV34"), "{}", text(&out.stdout));

    let backup = dir.path().join("копие.sqlite");
    let out = run(grizha(&data).arg("backup").arg(&backup));
    assert!(out.status.success(), "{}", text(&out.stderr));
    let again = run(grizha(&data).arg("backup").arg(&backup));
    assert!(!again.status.success(), "an existing file is never overwritten");

    let out = run(grizha(&data)
        .args(["user", "add", "--login", "ivan", "--name", "Иван"])
        .env("GRIZHA_PASSWORD", "парола за Иван"));
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = run(grizha(&data).arg("restore").arg(&backup).arg("--yes"));
    assert!(out.status.success(), "{}", text(&out.stderr));
    // After the restore, "ivan" (added after the backup) is gone and may be added again; "maria" is back.
    let out = run(grizha(&data)
        .args(["user", "add", "--login", "ivan", "--name", "Иван"])
        .env("GRIZHA_PASSWORD", "парола за Иван"));
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = run(grizha(&data)
        .args(["user", "add", "--login", "maria", "--name", "Друга"])
        .env("GRIZHA_PASSWORD", "друга парола 1"));
    assert!(text(&out.stderr).contains("already exists"), "{}", text(&out.stderr));
}

/// Every failure is one line that says what and where, with a non-zero exit — never a panic or a
/// debug dump.
#[test]
fn failures_are_one_clear_line_and_a_non_zero_exit() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let junk = dir.path().join("junk.bin");
    std::fs::write(&junk, [0u8, 159, 146, 150, 7, 7, 7]).unwrap();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let taken = taken.local_addr().unwrap().to_string();
    let bad_config = dir.path().join("grizha.toml");
    std::fs::write(&bad_config, "bind = 12\n").unwrap();
    /// Arguments, environment, and what the one error line must say.
    type Case<'a> = (Vec<&'a str>, Vec<(&'a str, &'a str)>, &'a str);
    let cases: Vec<Case> = vec![
        (
            vec!["user", "add", "--login", "x1x", "--name", "Х", "--role", "boss"],
            vec![("GRIZHA_PASSWORD", "дълга парола 12")],
            "unknown role",
        ),
        (
            vec!["user", "add", "--login", "xyz", "--name", "Х", "--role", "municipal_editor", "--area", "ZZZ99"],
            vec![("GRIZHA_PASSWORD", "дълга парола 12")],
            "ZZZ99",
        ),
        (
            vec!["user", "add", "--login", "xyz", "--name", "Х", "--role", "municipal_editor", "--area", "HKV34"],
            vec![],
            "GRIZHA_PASSWORD",
        ),
        (
            vec!["user", "add", "--login", "a b", "--name", "Х"],
            vec![("GRIZHA_PASSWORD", "дълга парола 12")],
            "invalid login",
        ),
        (vec!["restore", "/nonexistent/backup"], vec![], "--yes"),
        (vec!["restore", junk.to_str().unwrap(), "--yes"], vec![], "not a SQLite backup"),
        (vec!["migrate"], vec![("DATABASE_URL", "mysql://localhost/x")], "postgres://"),
        (vec!["migrate"], vec![("GRIZHA_CONFIG", bad_config.to_str().unwrap())], "grizha.toml"),
        (vec!["serve", "--bind", &taken], vec![], "cannot listen on"),
    ];
    for (args, env, expected) in cases {
        let mut cmd = grizha(&data);
        cmd.args(&args).env_remove("GRIZHA_PASSWORD");
        for (k, v) in env {
            cmd.env(k, v);
        }
        let out = run(&mut cmd);
        let stderr = text(&out.stderr);
        assert!(!out.status.success(), "{args:?} should fail");
        assert!(stderr.contains(expected), "{args:?}: expected {expected:?} in {stderr:?}");
        assert!(!stderr.contains("panicked") && !stderr.contains("{ "), "{args:?}: not a clean error: {stderr}");
        let error_lines: Vec<&str> = stderr.lines().filter(|l| l.starts_with("grizha:")).collect();
        assert_eq!(error_lines.len(), 1, "{args:?}: {stderr}");
    }
}

#[test]
fn help_names_the_commands() {
    let out = run(Command::new(env!("CARGO_BIN_EXE_grizha")).arg("--help"));
    let help = text(&out.stdout);
    for command in ["serve", "migrate", "demo", "user", "backup", "restore"] {
        assert!(help.contains(command), "{help}");
    }
}

#[test]
fn read_prints_an_outline_or_the_model_as_json_and_refuses_junk_in_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let plan = dir.path().join("план.txt");
    std::fs::write(&plan, "ГОДИШЕН ПЛАН ЗА 2016 Г.\n\nЦел\tДейност\tСрок\nПревенция\tКонсултации\tПостоянен\nПодкрепа\tОбучения\t2016 г.\n").unwrap();
    let out = run(grizha(dir.path()).arg("read").arg(&plan));
    assert!(out.status.success(), "{}", text(&out.stderr));
    let outline = text(&out.stdout);
    assert!(outline.contains("format: text") && outline.contains("3 rows × 3 columns"), "{outline}");

    let out = run(grizha(dir.path()).arg("read").arg(&plan).arg("--json"));
    let model: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let table = model["blocks"].as_array().unwrap().iter().find(|b| b["kind"] == "table").unwrap();
    assert_eq!(table["rows"][1]["cells"][2]["text"], "Постоянен");
    assert_eq!(table["rows"][0]["cells"][0]["row_span"], 1);

    let junk = dir.path().join("junk.docx");
    std::fs::write(&junk, b"PK\x03\x04 this is no archive at all").unwrap();
    let out = run(grizha(dir.path()).arg("read").arg(&junk));
    assert!(!out.status.success());
    let stderr = text(&out.stderr);
    assert!(stderr.starts_with("grizha: ") && stderr.contains("junk.docx") && stderr.contains("damaged"), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
}

/// Runs `grizha read FILE` and returns its exit status, stderr and peak resident memory in MB,
/// measured by the kernel for the child (`wait4`), not sampled.
#[allow(clippy::zombie_processes, reason = "the child is reaped by wait4, which also reports its peak memory")]
fn read_measured(file: &Path) -> (bool, String, u64) {
    let mut child = grizha(file.parent().unwrap())
        .arg("read")
        .arg(file)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = String::new();
    child.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
    let mut status = 0;
    // SAFETY: `rusage` is plain data; `wait4` fills it for our own child, which nothing else waits for.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let pid = i32::try_from(child.id()).unwrap();
    let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(waited, pid, "wait4 failed");
    let success = libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0;
    (success, stderr, u64::try_from(usage.ru_maxrss).unwrap() / 1024)
}

#[test]
fn hostile_files_are_refused_in_one_line_naming_the_file_within_256_mb() {
    let hostile = Path::new(env!("CARGO_MANIFEST_DIR")).join("../grizha-docs/tests/read/hostile");
    let dir = tempfile::tempdir().unwrap();
    let mut files: Vec<(std::path::PathBuf, &str)> = vec![
        (hostile.join("zip-bomb.docx"), "zip bomb"),
        (hostile.join("billion-laughs.docx"), "DOCTYPE"),
        (hostile.join("billion-laughs.odt"), "DTD"),
        (hostile.join("truncated.docx"), "damaged"),
        (hostile.join("no-central-directory.docx"), "damaged"),
        (hostile.join("broken-xref.pdf"), "cross-reference"),
        (hostile.join("junk.bin"), "not a document"),
    ];
    let huge = dir.path().join("100MB.docx");
    std::fs::File::create(&huge).unwrap().set_len(100 * 1024 * 1024).unwrap();
    files.push((huge, "the largest accepted"));
    for (file, problem) in &files {
        // Copied under a Cyrillic name: the message names the file as the user gave it.
        let name = format!("враждебен-{}", file.file_name().unwrap().to_string_lossy());
        let copy = dir.path().join(&name);
        if !copy.exists() {
            std::fs::copy(file, &copy).unwrap();
        }
        let (success, stderr, peak_mb) = read_measured(&copy);
        assert!(!success, "{name} was accepted");
        assert_eq!(stderr.lines().count(), 1, "{name}: {stderr}");
        assert!(stderr.starts_with("grizha: ") && stderr.contains(&name) && stderr.contains(problem), "{stderr}");
        assert!(peak_mb < 256, "{name}: {peak_mb} MB");
    }

    // An HTML parser ignores a DOCTYPE's internal subset: the entity is never expanded.
    let laughs = dir.path().join("laughs.html");
    std::fs::copy(hostile.join("billion-laughs.html"), &laughs).unwrap();
    let out = run(grizha(dir.path()).arg("read").arg(&laughs).arg("--json"));
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(out.stdout.len() < 10_000 && text(&out.stdout).contains("&lol9;"), "{}", text(&out.stdout));
}

#[test]
fn extract_prints_a_summary_or_the_exchange_format() {
    let dir = tempfile::tempdir().unwrap();
    let plan = dir.path().join("план-2025.txt");
    std::fs::write(
        &plan,
        "ОБЩИНА ТРОЯН\n\nГОДИШЕН ПЛАН ЗА ДЕЙСТВИЕ ЗА 2025 Г.\n\nЦел\tДейност\tСрок\tОтговорник\tФинансиране\n\
         Подкрепа за семействата\t1.1. Консултиране на родители\tпостоянен\tДСП, ОЗД\tДДД\n\
         \t1.2. Обучение на приемни родители\tмарт 2025 г.\tД „СД“\tОП „РЧР“\n",
    )
    .unwrap();
    let out = run(grizha(dir.path()).arg("extract").arg(&plan));
    assert!(out.status.success(), "{}", text(&out.stderr));
    let summary = text(&out.stdout);
    assert!(
        summary.contains("annual_plan") && summary.contains("Троян (LOV34)") && summary.contains("2 activities"),
        "{summary}"
    );

    let out = run(grizha(dir.path()).arg("extract").arg(&plan).arg("--json"));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["format"], "grizha.extract/1");
    assert_eq!(json["source"]["file"], "план-2025.txt");
    assert_eq!(json["source"]["sha256"].as_str().unwrap().len(), 64);
    let second = &json["documents"][0]["activities"][1];
    assert_eq!(second["goal"], "Подкрепа за семействата");
    assert_eq!(
        second["deadline"],
        serde_json::json!({"raw": "март 2025 г.", "kind": "month", "from": "2025-03-01", "to": "2025-03-31"})
    );
    assert_eq!(second["funding"][0]["programme"], "ОПРЧР");
    assert_eq!(second["at"], serde_json::json!({"table": 0, "row": 2, "paragraph": null, "page": null}));

    let junk = dir.path().join("junk.pdf");
    std::fs::write(&junk, b"%PDF-1.4 junk").unwrap();
    let out = run(grizha(dir.path()).arg("extract").arg(&junk));
    assert!(!out.status.success());
    assert_eq!(text(&out.stderr).lines().count(), 1, "{}", text(&out.stderr));
}

#[test]
fn demo_loads_once_prints_the_accounts_and_serve_demo_serves_it() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let out = run(grizha(&data).arg("demo"));
    assert!(out.status.success(), "{}", text(&out.stderr));
    let first = text(&out.stdout);
    assert!(first.starts_with("Loaded: the demo region DEM «Демонстрационна област»."), "{first}");
    for wanted in ["DEM01 «Демо-Изток»", "DEM02 «Демо-Запад»", "DEM03 «Демо-Север»", "demo-admin", "demo-admin-pass"]
    {
        assert!(first.contains(wanted), "no {wanted} in\n{first}");
    }
    let login = first.lines().find(|l| l.trim_start().starts_with("demo-oblast")).expect("the regional account");
    assert!(login.contains("областно звено за мониторинг, DEM"), "{login}");

    let again = run(grizha(&data).arg("demo"));
    assert!(again.status.success(), "{}", text(&again.stderr));
    let second = text(&again.stdout);
    assert!(second.starts_with("Already loaded:"), "{second}");
    assert_eq!(second.lines().skip(1).collect::<Vec<_>>(), first.lines().skip(1).collect::<Vec<_>>());

    let mut server = grizha(&data)
        .args(["serve", "--demo", "--bind", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(server.stdout.take().unwrap()).lines();
    let mut printed = Vec::new();
    let address = loop {
        let line = lines.next().expect("the server says where it listens").unwrap();
        if let Some(address) = line.strip_prefix("Grizha listens on http://") {
            break address.to_owned();
        }
        printed.push(line);
    };
    assert!(printed[0].starts_with("Already loaded:"), "{printed:?}");
    assert!(printed.iter().any(|l| l.contains("demo-viewer-pass")), "{printed:?}");
    assert!(get(&address, "/healthz").0.contains("200"));
    let stopped = Command::new("kill").args(["-TERM", &server.id().to_string()]).status().unwrap();
    assert!(stopped.success());
    assert!(server.wait().unwrap().success());
}
