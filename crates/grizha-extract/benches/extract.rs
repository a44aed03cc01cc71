//! Extraction speed on every corpus file, the longest (the Хасково strategy, 311 KB as text) among
//! them: the time to read the file into the document model, and the time to extract from the model,
//! as the median of repeated runs.
//!
//! Run: `cargo bench -p grizha-extract --bench extract`. Prints a table; asserts nothing (machines
//! are shared and noisy).

use std::path::Path;
use std::time::{Duration, Instant};

use grizha_docs::{ReadLimits, read};

fn median(mut runs: Vec<Duration>) -> Duration {
    runs.sort();
    runs[runs.len() / 2]
}

fn main() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus");
    let Ok(entries) = std::fs::read_dir(&corpus) else {
        println!("skipped: ../shared/corpus is absent");
        return;
    };
    let mut files: Vec<_> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
    files.sort();
    let limits = ReadLimits::default();
    println!("{:<28} {:>8} {:>6} {:>10} {:>12} {:>10}", "file", "KB", "runs", "read ms", "extract ms", "records");
    for file in files {
        let bytes = std::fs::read(&file).expect("the file reads");
        let name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let document = read(&bytes, &limits).expect("the file parses");
        let source = grizha_extract::source(&name, &bytes, &document);
        let runs = 20;
        let mut reading = Vec::with_capacity(runs);
        let mut extracting = Vec::with_capacity(runs);
        let mut records = 0;
        for _ in 0..runs {
            let started = Instant::now();
            let document = read(&bytes, &limits).expect("the file parses");
            reading.push(started.elapsed());
            let started = Instant::now();
            let extraction = grizha_extract::extract(&document, source.clone());
            extracting.push(started.elapsed());
            records = extraction
                .documents
                .iter()
                .map(|d| d.activities.len() + d.services.len() + d.indicators.len() + d.decisions.len())
                .sum();
        }
        println!(
            "{name:<28} {:>8} {runs:>6} {:>10.2} {:>12.2} {records:>10}",
            bytes.len() / 1024,
            median(reading).as_secs_f64() * 1000.0,
            median(extracting).as_secs_f64() * 1000.0
        );
    }
}
