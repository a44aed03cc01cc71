//! Extraction: from a read [`grizha_docs::Document`] to the plans, services, indicators and
//! decisions it holds, in the exchange format `grizha.extract/1` ([`format`]).
//!
//! The flow: [`documents`] splits the file into its documents and reads their titles, issuers,
//! periods and adopting decisions; [`columns`] reads each table's header by meaning; [`rows`]
//! turns rows into activities, services and indicators; [`decisions`] reads what a council or a
//! protocol decided; the [`normalise`] modules turn single cells and phrases into values.
//! Nothing is invented: a value that is not there is `null`, a row that could not be understood
//! is a warning pointing at it.

/// A regular expression compiled once, on first use.
macro_rules! pattern {
    ($re:expr) => {{
        static PATTERN: std::sync::LazyLock<regex::Regex> =
            std::sync::LazyLock::new(|| regex::Regex::new($re).expect("a valid pattern"));
        &*PATTERN
    }};
}

pub mod columns;
pub mod decisions;
pub mod documents;
pub mod format;
pub mod normalise;
pub mod rows;
pub mod text;

use grizha_docs::{BlockContent, Document};
use grizha_domain::codes::CodeTables;
use grizha_domain::deadline::DeadlineContext;
use grizha_domain::geography::Geography;
use sha2::{Digest, Sha256};

use crate::documents::{Segment, decision_header, first_date, issuer_in, period_in, strategy_title, texts};
use crate::format::{Adopted, DocumentKind, ExtractedDocument, Extraction, FORMAT, Issuer, Period, Source};
use crate::normalise::schedule::Legend;
use crate::rows::Reading;
use crate::text::{fold, key};

/// Describes the file a document was read from.
pub fn source(file_name: &str, bytes: &[u8], document: &Document) -> Source {
    Source {
        file: file_name.to_owned(),
        sha256: format!("{:x}", Sha256::digest(bytes)),
        media_type: document.format.media_type().to_owned(),
    }
}

/// The shipped code tables and geography, parsed once per process.
static CODES: std::sync::LazyLock<CodeTables> = std::sync::LazyLock::new(CodeTables::builtin);
static GEOGRAPHY: std::sync::LazyLock<Geography> = std::sync::LazyLock::new(Geography::bulgaria);

/// The shipped code tables, parsed once; the ones the normalisers read.
pub fn code_tables() -> &'static CodeTables {
    &CODES
}

/// Extracts everything `document` holds.
pub fn extract(document: &Document, source: Source) -> Extraction {
    extract_accounting(document, source).0
}

/// A table row that yielded no record, and why (a header, a caption, totals, an empty row).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedRow {
    pub at: format::Provenance,
    pub why: &'static str,
}

/// Extracts everything `document` holds, and says why each table row that yielded no record
/// yielded none — so a test can check that every row is accounted for.
pub fn extract_accounting(document: &Document, source: Source) -> (Extraction, Vec<SkippedRow>) {
    let (codes, geography) = (&*CODES, &*GEOGRAPHY);
    let mut documents: Vec<ExtractedDocument> = Vec::new();
    let mut warnings = Vec::new();
    let mut adopting: Option<Adopted> = None;
    let mut skipped = Vec::new();
    for segment in documents::segments(document) {
        let (mut extracted, segment_warnings, segment_skipped) =
            extract_segment(document, &segment, codes, geography, documents.last());
        warnings.extend(segment_warnings);
        skipped.extend(segment_skipped.into_iter().map(|(at, why)| SkippedRow { at, why }));
        match extracted.kind {
            DocumentKind::CouncilDecision => {
                adopting = Some(decision_header(texts(document, segment.start, segment.end).map(|(_, t)| t)));
            }
            DocumentKind::AnnualPlan | DocumentKind::Strategy if extracted.adopted.is_none() => {
                extracted.adopted = adopting.clone();
            }
            _ => {}
        }
        documents.push(extracted);
    }
    (Extraction { format: FORMAT.to_owned(), source, documents, warnings }, skipped)
}

fn extract_segment(
    document: &Document,
    segment: &Segment,
    codes: &CodeTables,
    geography: &Geography,
    previous: Option<&ExtractedDocument>,
) -> (ExtractedDocument, Vec<format::Warning>, Vec<(format::Provenance, &'static str)>) {
    let paragraphs: Vec<(usize, &str)> = texts(document, segment.start, segment.end).collect();
    let title_at = segment.title_block.map_or(segment.start, |b| b + 1);
    // The lines around the title: letterhead above it, subtitle and period below.
    let head: Vec<&str> = texts(document, segment.start, (title_at + 6).min(segment.end)).map(|(_, t)| t).collect();
    let after_title: Vec<&str> = texts(document, title_at, (title_at + 4).min(segment.end)).map(|(_, t)| t).collect();

    let strategy = match segment.kind {
        DocumentKind::AnnualPlan | DocumentKind::MonitoringReport => {
            strategy_title(&segment.title).or_else(|| after_title.iter().take(2).find_map(|line| strategy_title(line)))
        }
        _ => None,
    };
    let period = period_of(segment, &paragraphs, &after_title, strategy.as_deref());
    let issuer = issuer_in(head.iter().copied().chain(std::iter::once(segment.title.as_str())), geography)
        .or_else(|| issuer_in(paragraphs.iter().take(15).map(|(_, t)| *t), geography))
        .or_else(|| previous.and_then(|p| p.issuer.clone()));
    let deadlines = match period {
        Some(p) => DeadlineContext::for_years(p.from, p.to),
        None => DeadlineContext::NONE,
    };
    let lines: Vec<&str> = paragraphs.iter().map(|(_, t)| *t).collect();
    let legend = Legend::from_text(&lines).unwrap_or_default();
    let mut reading = Reading::new(codes, deadlines, period.map(|p| p.from), legend);
    for block in &document.blocks[segment.start..segment.end] {
        match &block.content {
            BlockContent::Heading { text, .. } if Some(block.index) != segment.title_block && is_section(text) => {
                reading.section = Some(fold(text));
                reading.goal = None;
            }
            BlockContent::Table(table) => reading.table(table, table.table.unwrap_or(0), block.page),
            _ => {}
        }
    }

    let mut decisions = Vec::new();
    match segment.kind {
        DocumentKind::CouncilDecision => {
            let header = decision_header(lines.iter().copied());
            decisions = decisions::council_items(&paragraphs, header.date.as_deref(), header.by.as_deref());
        }
        DocumentKind::Protocol => {
            let date = head.iter().chain(after_title.iter()).find_map(|l| first_date(l));
            decisions = decisions::protocol_decisions(&paragraphs, date.as_deref());
        }
        _ => {}
    }
    let extracted = ExtractedDocument {
        kind: segment.kind,
        title: segment.title.clone(),
        issuer,
        period,
        strategy_title: strategy,
        adopted: None,
        activities: reading.activities,
        services: reading.services,
        indicators: reading.indicators,
        decisions,
    };
    (extracted, reading.warnings, reading.skipped)
}

/// A heading that names a section of a plan, not a letterhead or an annex number.
fn is_section(text: &str) -> bool {
    let k = key(text);
    !(k.starts_with("приложение") || k.starts_with("република") || k.chars().count() > 200)
}

/// The years a document covers: a plan's from its title (without the strategy's years) or a
/// `Планов период` line; a strategy's from its title; a decision's from the plans it adopts.
fn period_of(
    segment: &Segment,
    paragraphs: &[(usize, &str)],
    after_title: &[&str],
    strategy: Option<&str>,
) -> Option<Period> {
    let title = match strategy {
        Some(s) => segment.title.replace(s, ""),
        None => segment.title.clone(),
    };
    match segment.kind {
        DocumentKind::AnnualPlan => period_in(&title).map(|p| Period { from: p.to, to: p.to }).or_else(|| {
            after_title
                .iter()
                .filter(|l| key(l).contains("период") || key(l).contains("година"))
                .find_map(|l| period_in(l))
        }),
        DocumentKind::Strategy | DocumentKind::MonitoringReport | DocumentKind::NeedsAnalysis => period_in(&title),
        DocumentKind::CouncilDecision => paragraphs
            .iter()
            .map(|(_, t)| *t)
            .take_while(|t| !key(t).contains("реши"))
            .find(|t| key(t).contains("план"))
            .and_then(period_in),
        DocumentKind::Protocol | DocumentKind::Other => None,
    }
}

/// Reads a file and extracts what it holds: the one call the command and the importer make.
pub fn extract_file(
    path: &std::path::Path,
    limits: &grizha_docs::ReadLimits,
) -> Result<Extraction, grizha_docs::ReadError> {
    let bytes = grizha_docs::load_file(path, limits)?;
    let document = grizha_docs::read(&bytes, limits)?;
    let name = path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned());
    Ok(extract(&document, source(&name, &bytes, &document)))
}

/// A readable summary: the documents found, their counts, and the warnings.
pub fn summary(extraction: &Extraction) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let _ = writeln!(out, "{} ({} documents)", extraction.source.file, extraction.documents.len());
    for (i, d) in extraction.documents.iter().enumerate() {
        let kind = serde_json::to_value(d.kind).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default();
        let issuer = d.issuer.as_ref().map(issuer_label).unwrap_or_else(|| "issuer unknown".into());
        let period =
            d.period.map(|p| if p.from == p.to { format!("{}", p.from) } else { format!("{}–{}", p.from, p.to) });
        let _ = writeln!(out, "{}. {kind}: {}", i + 1, d.title);
        let _ = writeln!(out, "   {issuer}; period {}", period.as_deref().unwrap_or("unknown"));
        if let Some(s) = &d.strategy_title {
            let _ = writeln!(out, "   implements: {s}");
        }
        if let Some(a) = &d.adopted {
            let _ = writeln!(
                out,
                "   adopted by {} decision {} of {}",
                a.by.as_deref().unwrap_or("?"),
                a.decision.as_deref().unwrap_or("?"),
                a.date.as_deref().unwrap_or("?")
            );
        }
        let _ = writeln!(
            out,
            "   {} activities, {} services, {} indicators, {} decisions",
            d.activities.len(),
            d.services.len(),
            d.indicators.len(),
            d.decisions.len()
        );
    }
    let _ = writeln!(out, "{} warnings", extraction.warnings.len());
    for w in &extraction.warnings {
        let at = match (w.at.table, w.at.row, w.at.paragraph) {
            (Some(t), Some(r), _) => format!("table {t}, row {r}"),
            (Some(t), None, _) => format!("table {t}"),
            (_, _, Some(p)) => format!("paragraph {p}"),
            _ => "the file".into(),
        };
        let _ = writeln!(out, "  {at}: {}", w.message);
    }
    out
}

fn issuer_label(issuer: &Issuer) -> String {
    match &issuer.code {
        Some(code) => format!("{} ({code})", issuer.name),
        None => issuer.name.clone(),
    }
}
