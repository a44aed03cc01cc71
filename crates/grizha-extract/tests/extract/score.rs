//! Scoring an extraction against a hand-checked answer, field by field.
//!
//! The answers in `tests/expected/` hold no text of the corpus: every string a document wrote
//! (titles, activity texts, cell words) is **sealed** — replaced by `sha256:` and the first 16 hex
//! digits of the SHA-256 of its whitespace-folded text. Codes, kinds, dates and numbers are kept
//! as they are. The extractor's output is sealed the same way before it is compared, so a field is
//! right only when its text is exactly right.
//!
//! Records are matched by provenance (`at`), in order among those with the same `at`. For each
//! field of each matched pair: equal and not empty is a true positive; different is a false
//! positive when the extractor gave a value and a false negative when the answer has one. A record
//! the answer has and the extractor missed counts its fields as false negatives; a record the
//! extractor made that the answer does not have counts its fields as false positives (in a sample
//! answer, only within the tables it covers).

use std::collections::BTreeMap;

use serde_json::Value;
use sha2::{Digest, Sha256};

/// Keys whose string values are a document's own words.
const SEALED: &[&str] = &[
    "title",
    "strategy_title",
    "by",
    "section",
    "goal",
    "text",
    "description",
    "raw",
    "expected_results",
    "location",
    "name",
    "target_groups",
    "provider",
    "sources",
    "period",
    "body",
    "what",
];

pub fn seal_text(text: &str) -> String {
    let folded = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let digest = Sha256::digest(folded.as_bytes());
    format!("sha256:{}", digest.iter().take(8).map(|b| format!("{b:02x}")).collect::<String>())
}

/// Seals every string under a sealed key, at any depth.
pub fn seal(value: &Value) -> Value {
    seal_under(value, false)
}

fn seal_under(value: &Value, sealed: bool) -> Value {
    match value {
        Value::String(s) if sealed && !s.starts_with("sha256:") => Value::String(seal_text(s)),
        Value::Array(items) => Value::Array(items.iter().map(|v| seal_under(v, sealed)).collect()),
        Value::Object(map) => Value::Object(
            map.iter().map(|(k, v)| (k.clone(), seal_under(v, sealed || SEALED.contains(&k.as_str())))).collect(),
        ),
        other => other.clone(),
    }
}

#[derive(Debug, Default, Clone, Copy)]
pub struct Counts {
    pub tp: u32,
    pub fp: u32,
    pub fn_: u32,
}

impl Counts {
    pub fn precision(&self) -> f64 {
        ratio(self.tp, self.tp + self.fp)
    }
    pub fn recall(&self) -> f64 {
        ratio(self.tp, self.tp + self.fn_)
    }
    /// The share of fields with a value on either side that are exactly right.
    pub fn exact(&self) -> f64 {
        ratio(self.tp, self.tp + self.fp.max(self.fn_))
    }
    fn add(&mut self, other: Counts) {
        self.tp += other.tp;
        self.fp += other.fp;
        self.fn_ += other.fn_;
    }
}

fn ratio(a: u32, b: u32) -> f64 {
    if b == 0 { 1.0 } else { f64::from(a) / f64::from(b) }
}

#[derive(Debug, Default)]
pub struct Score {
    /// Per `record.field`.
    pub fields: BTreeMap<String, Counts>,
    /// Per record kind: found (tp), missed (fn), made up (fp).
    pub records: BTreeMap<String, Counts>,
    pub mismatches: Vec<String>,
}

impl Score {
    pub fn total(&self) -> Counts {
        let mut all = Counts::default();
        for c in self.fields.values() {
            all.add(*c);
        }
        all
    }

    pub fn merge(&mut self, other: Score) {
        for (k, c) in other.fields {
            self.fields.entry(k).or_default().add(c);
        }
        for (k, c) in other.records {
            self.records.entry(k).or_default().add(c);
        }
        self.mismatches.extend(other.mismatches);
    }

    pub fn report(&self) -> String {
        use std::fmt::Write;
        let mut out = String::new();
        let _ = writeln!(
            out,
            "{:<32} {:>6} {:>6} {:>6} {:>9} {:>7} {:>7}",
            "field", "tp", "fp", "fn", "precision", "recall", "exact"
        );
        for (name, c) in self
            .records
            .iter()
            .map(|(k, c)| (format!("[{k} rows]"), c))
            .chain(self.fields.iter().map(|(k, c)| (k.clone(), c)))
        {
            let _ = writeln!(
                out,
                "{name:<32} {:>6} {:>6} {:>6} {:>9.3} {:>7.3} {:>7.3}",
                c.tp,
                c.fp,
                c.fn_,
                c.precision(),
                c.recall(),
                c.exact()
            );
        }
        let t = self.total();
        let _ = writeln!(
            out,
            "{:<32} {:>6} {:>6} {:>6} {:>9.3} {:>7.3} {:>7.3}",
            "ALL FIELDS",
            t.tp,
            t.fp,
            t.fn_,
            t.precision(),
            t.recall(),
            t.exact()
        );
        out
    }
}

fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        _ => false,
    }
}

/// Views of a field scored besides the whole value: the codes of the parties, the kinds of the
/// funding sources, the kind of the deadline.
fn views(record: &str, field: &str, v: &Value) -> Vec<(String, Value)> {
    let mut out = vec![(format!("{record}.{field}"), v.clone())];
    let pluck =
        |key: &str| Value::Array(v.as_array().map(|a| a.iter().map(|x| x[key].clone()).collect()).unwrap_or_default());
    match field {
        "responsible" => out.push((format!("{record}.responsible.code"), pluck("code"))),
        "funding" => out.push((format!("{record}.funding.kind"), pluck("kind"))),
        "deadline" => {
            let kind = v.get("kind").cloned().unwrap_or(Value::Null);
            let kind = if kind == "unspecified" { Value::Null } else { kind };
            out.push((format!("{record}.deadline.kind"), kind));
        }
        _ => {}
    }
    out
}

fn compare(score: &mut Score, name: &str, expected: &Value, actual: &Value, context: &str) {
    let c = score.fields.entry(name.to_owned()).or_default();
    if expected == actual {
        if !is_empty(expected) {
            c.tp += 1;
        }
        return;
    }
    if !is_empty(actual) {
        c.fp += 1;
    }
    if !is_empty(expected) {
        c.fn_ += 1;
    }
    score.mismatches.push(format!("{context} {name}: expected {expected}, got {actual}"));
}

fn record_fields(record: &str, expected: Option<&Value>, actual: Option<&Value>, score: &mut Score, context: &str) {
    let keys: Vec<String> = expected
        .or(actual)
        .and_then(Value::as_object)
        .map(|m| m.keys().filter(|k| k.as_str() != "at").cloned().collect())
        .unwrap_or_default();
    for key in keys {
        let e = expected.map_or(Value::Null, |v| v.get(&key).cloned().unwrap_or(Value::Null));
        let a = actual.map_or(Value::Null, |v| v.get(&key).cloned().unwrap_or(Value::Null));
        for ((name, e), (_, a)) in views(record, &key, &e).into_iter().zip(views(record, &key, &a)) {
            compare(score, &name, &e, &a, context);
        }
    }
}

fn at_key(v: &Value) -> String {
    let at = &v["at"];
    format!("{}/{}/{}", at["table"], at["row"], at["paragraph"])
}

/// Scores one file's documents; both sides sealed already.
pub fn score_file(file: &str, expected: &Value, actual: &Value) -> Score {
    let mut score = Score::default();
    let covered: Option<Vec<u64>> = (expected["scope"] == "sample").then(|| {
        expected["covered_tables"].as_array().map(|a| a.iter().filter_map(Value::as_u64).collect()).unwrap_or_default()
    });
    let empty = Vec::new();
    let expected_docs = expected["documents"].as_array().unwrap_or(&empty);
    let actual_docs = actual["documents"].as_array().unwrap_or(&empty);
    let docs = score.records.entry("document".into()).or_default();
    let found = expected_docs.len().min(actual_docs.len()) as u32;
    docs.tp += found;
    docs.fn_ += expected_docs.len() as u32 - found;
    docs.fp += actual_docs.len() as u32 - found;
    for (d, e_doc) in expected_docs.iter().enumerate() {
        let a_doc = actual_docs.get(d);
        let context = format!("{file} document {d}");
        for field in ["kind", "title", "issuer", "period", "strategy_title", "adopted"] {
            let a = a_doc.map_or(Value::Null, |a| a[field].clone());
            compare(&mut score, &format!("document.{field}"), &e_doc[field], &a, &context);
        }
        for (list, record) in [
            ("activities", "activity"),
            ("services", "service"),
            ("indicators", "indicator"),
            ("decisions", "decision"),
        ] {
            let e_rows = e_doc[list].as_array().unwrap_or(&empty);
            let a_rows: &Vec<Value> = a_doc.and_then(|a| a[list].as_array()).unwrap_or(&empty);
            let mut used = vec![false; a_rows.len()];
            for e in e_rows {
                let k = at_key(e);
                let matched = a_rows.iter().enumerate().position(|(i, a)| !used[i] && at_key(a) == k);
                let ctx = format!("{context} {record} at {k}");
                let counts = score.records.entry(record.to_owned()).or_default();
                match matched {
                    Some(i) => {
                        used[i] = true;
                        counts.tp += 1;
                        record_fields(record, Some(e), Some(&a_rows[i]), &mut score, &ctx);
                    }
                    None => {
                        counts.fn_ += 1;
                        score.mismatches.push(format!("{ctx}: missed"));
                        record_fields(record, Some(e), None, &mut score, &ctx);
                    }
                }
            }
            for (i, a) in a_rows.iter().enumerate() {
                if used[i] {
                    continue;
                }
                let in_scope = match &covered {
                    None => true,
                    Some(tables) => a["at"]["table"].as_u64().is_some_and(|t| tables.contains(&t)),
                };
                if in_scope {
                    let ctx = format!("{context} {record} at {}", at_key(a));
                    score.records.entry(record.to_owned()).or_default().fp += 1;
                    score.mismatches.push(format!("{ctx}: not in the answer"));
                    record_fields(record, None, Some(a), &mut score, &ctx);
                }
            }
        }
    }
    score
}
