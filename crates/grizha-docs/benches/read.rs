//! Reading speed: the corpus strategy (Хасково 2016–2020) as text, and the same document as DOCX and
//! ODT (made from it with pandoc when pandoc is installed), in MB/s; beside it, the time
//! `pandoc FILE.docx -t plain` takes on the same DOCX, as a ratio measured in the same run.
//!
//! Run: `cargo bench -p grizha-docs --bench read`. Prints a table; asserts nothing (machines are
//! shared and noisy — compare the ratio, not the seconds).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use grizha_docs::{BlockContent, Document, ReadLimits, Table, read};

fn main() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus");
    let Some(strategy) = std::fs::read_dir(&corpus).ok().and_then(|entries| {
        entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .find(|p| p.file_name().is_some_and(|n| n.to_string_lossy().starts_with("002_")))
    }) else {
        println!("skipped: ../shared/corpus/002_* (the strategy) is absent");
        return;
    };
    let limits = ReadLimits::default();
    let text = std::fs::read(&strategy).expect("the strategy reads");
    let document = read(&text, &limits).expect("the strategy parses");
    let work = tempfile::tempdir().expect("a temporary directory");

    println!(
        "document: {} ({} KB as text, {} blocks, {} tables)",
        strategy.display(),
        text.len() / 1024,
        document.blocks.len(),
        document.tables().count()
    );
    println!("{:<6} {:>10} {:>10} {:>12} {:>10}", "format", "file KB", "runs", "ms per read", "MB/s");
    let text_ms = measure("text", &text, &limits);

    let html = work.path().join("strategy.html");
    std::fs::write(&html, to_html(&document)).expect("write html");
    let pandoc = which("pandoc");
    let Some(pandoc) = pandoc else {
        println!("pandoc is not installed (Debian: pandoc): DOCX and ODT not measured");
        let _ = text_ms;
        return;
    };
    let docx = convert(&pandoc, &html, work.path(), "docx");
    let odt = convert(&pandoc, &html, work.path(), "odt");
    let docx_bytes = std::fs::read(&docx).expect("docx");
    let odt_bytes = std::fs::read(&odt).expect("odt");
    let docx_ms = measure("docx", &docx_bytes, &limits);
    measure("odt", &odt_bytes, &limits);

    let mut pandoc_runs = Vec::new();
    for _ in 0..5 {
        let started = Instant::now();
        let status =
            Command::new(&pandoc).arg(&docx).args(["-t", "plain", "-o", "/dev/null"]).status().expect("pandoc runs");
        assert!(status.success());
        pandoc_runs.push(started.elapsed());
    }
    pandoc_runs.sort();
    let pandoc_ms = pandoc_runs[pandoc_runs.len() / 2].as_secs_f64() * 1000.0;
    println!("pandoc {} -t plain: {pandoc_ms:.1} ms (median of 5)", docx.display());
    println!("ratio: Grizha reads the DOCX {:.1}× faster than pandoc converts it to plain text", pandoc_ms / docx_ms);
    println!("peak memory of this process: {} MB", peak_rss_mb().map_or("unknown".into(), |m| m.to_string()));
}

/// Reads `bytes` repeatedly for about two seconds; prints and returns the median milliseconds per read.
fn measure(label: &str, bytes: &[u8], limits: &ReadLimits) -> f64 {
    let mut runs = Vec::new();
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(2) || runs.len() < 5 {
        let t = Instant::now();
        let document = read(bytes, limits).expect("reads");
        std::hint::black_box(document);
        runs.push(t.elapsed());
    }
    runs.sort();
    let median = runs[runs.len() / 2].as_secs_f64();
    let mb_per_s = bytes.len() as f64 / (1024.0 * 1024.0) / median;
    println!("{label:<6} {:>10} {:>10} {:>12.2} {mb_per_s:>10.1}", bytes.len() / 1024, runs.len(), median * 1000.0);
    median * 1000.0
}

fn convert(pandoc: &Path, html: &Path, dir: &Path, to: &str) -> PathBuf {
    let out = dir.join(format!("strategy.{to}"));
    let status = Command::new(pandoc).arg(html).arg("-o").arg(&out).status().expect("pandoc runs");
    assert!(status.success(), "pandoc could not make the {to}");
    out
}

fn which(tool: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?).map(|p| p.join(tool)).find(|p| p.is_file())
}

fn peak_rss_mb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024)
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// The document as plain HTML (headings, paragraphs, tables with their spans), for pandoc to turn
/// into DOCX and ODT — the same content in each format.
fn to_html(document: &Document) -> String {
    let mut html = String::from(
        "<!DOCTYPE html><html lang=\"bg\"><head><meta charset=\"utf-8\"><title>Стратегия</title></head><body>\n",
    );
    for block in &document.blocks {
        match &block.content {
            BlockContent::Heading { level, text, .. } => {
                let _ = writeln!(html, "<h{0}>{1}</h{0}>", level.min(&6), escape(text));
            }
            BlockContent::Paragraph { text, .. } => {
                let _ = writeln!(html, "<p>{}</p>", escape(text));
            }
            BlockContent::Table(table) => table_html(&mut html, table),
            BlockContent::PageBreak => {}
        }
    }
    html.push_str("</body></html>\n");
    html
}

fn table_html(html: &mut String, table: &Table) {
    html.push_str("<table>\n");
    for row in &table.rows {
        html.push_str("<tr>");
        for cell in &row.cells {
            let _ = write!(html, "<td rowspan=\"{}\" colspan=\"{}\">", cell.row_span, cell.col_span);
            for paragraph in &cell.paragraphs {
                let _ = write!(html, "<p>{}</p>", escape(paragraph));
            }
            html.push_str("</td>");
        }
        html.push_str("</tr>\n");
    }
    html.push_str("</table>\n");
}
