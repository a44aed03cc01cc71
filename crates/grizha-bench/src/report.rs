//! The report: one Markdown row per endpoint.

use std::fmt::Write;
use std::time::Duration;

use crate::load::Outcome;

/// One row of the table.
pub struct Row {
    pub name: String,
    pub requests: usize,
    pub per_second: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    pub errors: u64,
}

/// The value at `q` (0..=1) of sorted values, by nearest rank.
fn quantile(sorted: &[u32], q: f64) -> u32 {
    if sorted.is_empty() {
        return 0;
    }
    let rank = (q * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

impl Row {
    pub fn new(name: impl Into<String>, mut outcome: Outcome, elapsed: Duration) -> Row {
        outcome.latencies.sort_unstable();
        let ms = |micros: u32| f64::from(micros) / 1000.0;
        let l = &outcome.latencies;
        Row {
            name: name.into(),
            requests: l.len(),
            per_second: l.len() as f64 / elapsed.as_secs_f64(),
            p50_ms: ms(quantile(l, 0.50)),
            p99_ms: ms(quantile(l, 0.99)),
            max_ms: ms(l.last().copied().unwrap_or(0)),
            errors: outcome.errors,
        }
    }
}

pub fn table(rows: &[Row]) -> String {
    let mut out = String::from(
        "| endpoint | requests | requests/s | p50 ms | p99 ms | max ms | errors |\n|---|---:|---:|---:|---:|---:|---:|\n",
    );
    for r in rows {
        let _ = writeln!(
            out,
            "| `{}` | {} | {:.0} | {:.1} | {:.1} | {:.1} | {} |",
            r.name, r.requests, r.per_second, r.p50_ms, r.p99_ms, r.max_ms, r.errors
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_99th_percentile_of_a_hundred_latencies_is_the_99th_smallest() {
        let sorted: Vec<u32> = (1..=100).collect();
        assert_eq!(quantile(&sorted, 0.50), 50);
        assert_eq!(quantile(&sorted, 0.99), 99);
        assert_eq!(quantile(&sorted, 1.0), 100);
        assert_eq!(quantile(&[7], 0.99), 7);
    }
}
