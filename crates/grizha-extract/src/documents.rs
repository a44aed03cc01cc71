//! Splitting a file into its documents and reading what each says about itself: kind, title,
//! issuer, period, the strategy a plan implements, the decision that adopted it.
//!
//! A document starts at a title: a short heading or paragraph that begins with what a title of
//! that kind begins with (`РЕШЕНИЕ №`, `ПЛАН ЗА ДЕЙСТВИЕ`, `Годишен план`, `ПРОТОКОЛ`,
//! `Мониторингов доклад`, `Анализ на потребностите`, `Стратегия`). Text before the first title
//! (letterheads, `Приложение 1`) belongs to the first document. A file without any title is one
//! document whose kind is told from its content (a logical framework makes it a strategy; a plan
//! table a plan). A running header that repeats a title of the same kind inside a document does not
//! start a new one unless a table or decision has been read since.

use grizha_docs::{BlockContent, Document};
use grizha_domain::geography::Geography;

use crate::format::{Adopted, DocumentKind, Issuer, IssuerLevel, Period};
use crate::text::{fold, key};

/// A stretch of the file's blocks that is one document.
#[derive(Debug, Clone, PartialEq)]
pub struct Segment {
    pub kind: DocumentKind,
    /// The block that holds the title, if one was found.
    pub title_block: Option<usize>,
    pub title: String,
    /// Blocks `start..end` of the file.
    pub start: usize,
    pub end: usize,
}

/// The kind of document a title line starts, if it is one.
pub fn title_kind(text: &str) -> Option<DocumentKind> {
    let k = key(text);
    if k.chars().count() > 250 || k.ends_with(':') {
        return None;
    }
    let starts = |prefixes: &[&str]| prefixes.iter().any(|p| k.starts_with(p));
    if starts(&["решение №", "решение n", "решение no", "р е ш е н и е"]) {
        Some(DocumentKind::CouncilDecision)
    } else if starts(&["протокол"]) && !k.starts_with("протокол №") || k == "протокол" {
        Some(DocumentKind::Protocol)
    } else if starts(&[
        "план за действие",
        "годишен план",
        "оперативен план",
        "план за изпълнение",
        "план за реализация",
        "общински план",
        "областен план",
    ]) {
        Some(DocumentKind::AnnualPlan)
    } else if starts(&[
        "мониторингов доклад",
        "доклад за мониторинг",
        "доклад за изпълнение",
        "годишен доклад",
        "доклад за наблюдение",
    ]) {
        Some(DocumentKind::MonitoringReport)
    } else if starts(&["анализ на потребностите", "анализ на социалните потребности", "социално-икономически анализ"])
    {
        Some(DocumentKind::NeedsAnalysis)
    } else if starts(&["стратегия за", "общинска стратегия", "областна стратегия"]) && !k.contains(" е ")
    {
        Some(DocumentKind::Strategy)
    } else {
        None
    }
}

/// Splits `document` into the documents it holds.
pub fn segments(document: &Document) -> Vec<Segment> {
    let mut starts: Vec<(usize, DocumentKind, String)> = Vec::new();
    let mut content_since_title = false;
    for block in &document.blocks {
        match &block.content {
            BlockContent::Heading { text, .. } | BlockContent::Paragraph { text, .. } => {
                let Some(kind) = title_kind(text) else {
                    if key(text).starts_with("реши") || key(text).starts_with("решение") {
                        content_since_title = true;
                    }
                    continue;
                };
                // A strategy's name quoted in the middle of a document is not a new document, nor
                // is a decision a protocol records.
                let current = starts.last().map(|(_, k, _)| *k);
                if kind == DocumentKind::Strategy && current.is_some()
                    || kind == DocumentKind::CouncilDecision && current == Some(DocumentKind::Protocol)
                {
                    continue;
                }
                let same_kind_running_header =
                    starts.last().is_some_and(|(_, k, _)| *k == kind) && !content_since_title;
                if same_kind_running_header {
                    continue;
                }
                starts.push((block.index, kind, fold(text)));
                content_since_title = false;
            }
            BlockContent::Table(_) => content_since_title = true,
            BlockContent::PageBreak => {}
        }
    }
    if starts.is_empty() {
        return vec![Segment {
            kind: kind_from_content(document),
            title_block: None,
            title: untitled_title(document),
            start: 0,
            end: document.blocks.len(),
        }];
    }
    let mut segments = Vec::with_capacity(starts.len());
    for (i, (block, kind, title)) in starts.iter().enumerate() {
        let start = if i == 0 { 0 } else { *block };
        let end = starts.get(i + 1).map_or(document.blocks.len(), |(b, _, _)| *b);
        segments.push(Segment { kind: *kind, title_block: Some(*block), title: title.clone(), start, end });
    }
    segments
}

/// A file without a title line: a logical framework makes a strategy, a table of activities a plan.
fn kind_from_content(document: &Document) -> DocumentKind {
    use crate::columns::{Columns, Role};
    let headers: Vec<Columns> = document.tables().filter_map(Columns::of).collect();
    let text: String = document.paragraphs().take(200).map(key).collect::<Vec<_>>().join(" ");
    if headers.iter().any(|c| c.has(|r| matches!(r, Role::Indicator(_)))) || text.matches("стратеги").count() >= 5
    {
        DocumentKind::Strategy
    } else if headers.iter().any(|c| c.has(|r| r == Role::Activity)) {
        DocumentKind::AnnualPlan
    } else {
        DocumentKind::Other
    }
}

/// The title of a document that has no title line: its first short paragraph naming a strategy
/// or plan, else its first heading.
fn untitled_title(document: &Document) -> String {
    document
        .paragraphs()
        .find(|p| p.chars().count() < 250 && title_kind(p).is_some())
        .or_else(|| {
            document.blocks.iter().find_map(|b| match &b.content {
                BlockContent::Heading { text, .. } => Some(text.as_str()),
                _ => None,
            })
        })
        .map(fold)
        .unwrap_or_default()
}

/// The texts of the paragraphs and headings of blocks `start..end`, with their paragraph index.
pub fn texts(document: &Document, start: usize, end: usize) -> impl Iterator<Item = (usize, &str)> {
    document.blocks[start..end].iter().filter_map(|b| match &b.content {
        BlockContent::Heading { text, paragraph, .. } | BlockContent::Paragraph { text, paragraph, .. } => {
            Some((*paragraph, text.as_str()))
        }
        _ => None,
    })
}

/// The years a title or the lines near it give: `за 2012 г.` → 2012–2012, `2016 – 2020` →
/// 2016–2020, `Планов период – 2015 година`.
pub fn period_in(text: &str) -> Option<Period> {
    let years = years(text);
    match years.as_slice() {
        [] => None,
        [one] => Some(Period { from: *one, to: *one }),
        [first, .., last] => Some(Period { from: (*first).min(*last), to: (*first).max(*last) }),
    }
}

fn years(text: &str) -> Vec<i32> {
    let mut out = Vec::new();
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_ascii_digit() {
            let start = i;
            while i < chars.len() && chars[i].is_ascii_digit() {
                i += 1;
            }
            let before_ok = start == 0 || !matches!(chars[start - 1], '.' | '/' | '№');
            if i - start == 4 && before_ok {
                let y: i32 = chars[start..i].iter().collect::<String>().parse().unwrap_or(0);
                if (1990..=2100).contains(&y) {
                    out.push(y);
                }
            }
        } else {
            i += 1;
        }
    }
    out
}

/// The strategy a plan's title says it implements: what follows `за осъществяване на`,
/// `по изпълнението на`, `за изпълнение на`, `по реализацията на`, without a closing `за 2015 г.`.
pub fn strategy_title(text: &str) -> Option<String> {
    let folded = fold(text);
    let lower = folded.to_lowercase();
    let connectors = [
        "за осъществяване на ",
        "по изпълнението на ",
        "по изпълнение на ",
        "за изпълнение на ",
        "за изпълнението на ",
        "по реализацията на ",
        "за реализация на ",
        "за реализиране на ",
    ];
    let (at, len) = connectors.iter().filter_map(|c| lower.find(c).map(|i| (i, c.len()))).min_by_key(|(i, _)| *i)?;
    let rest = &folded[at + len..];
    if !key(rest).contains("стратеги") {
        return None;
    }
    let re = pattern!(r"\s+за\s+(\d{4})\s*(г\.?|година)?\s*\.?$");
    let rest = re.replace(rest, "");
    let rest = rest.trim().trim_end_matches(',');
    // A closing full stop goes, the one of an abbreviation (`2020 г.`) stays.
    let rest = if rest.ends_with('.') && !rest.ends_with("г.") { &rest[..rest.len() - 1] } else { rest };
    Some(rest.trim().to_owned())
}

/// The municipality or region a document names in its first lines: `Община Стара Загора`,
/// `Столична община`, `Областна администрация … Софийска област`, `в община Хасково`.
pub fn issuer_in<'a>(lines: impl Iterator<Item = &'a str>, geography: &Geography) -> Option<Issuer> {
    let mut region: Option<Issuer> = None;
    for line in lines {
        let k = key(line);
        if k.contains("столична община")
            || k.contains("столичния общински съвет")
            || k.contains("столичен общински съвет")
        {
            return municipality(geography, "SOF46");
        }
        let names_a_municipality = k.contains("общин");
        if let Some(m) =
            geography.municipalities.iter().filter(|m| names_a_municipality && m.code.as_str() != "SOF46").find(|m| {
                let name = key(&m.name);
                ["община ", "общината ", "общински съвет ", "общински съвет - ", "община-"]
                    .iter()
                    .any(|p| k.contains(&format!("{p}{name}")))
            })
        {
            return Some(Issuer {
                level: IssuerLevel::Municipality,
                name: m.name.clone(),
                code: Some(m.code.as_str().to_owned()),
            });
        }
        if region.is_none() {
            region = region_in(&k, geography);
        }
    }
    region
}

fn municipality(geography: &Geography, code: &str) -> Option<Issuer> {
    geography.municipalities.iter().find(|m| m.code.as_str() == code).map(|m| Issuer {
        level: IssuerLevel::Municipality,
        name: m.name.clone(),
        code: Some(m.code.as_str().to_owned()),
    })
}

/// `Софийска област`, `област Хасково`, `Областна администрация Хасково`.
fn region_in(k: &str, geography: &Geography) -> Option<Issuer> {
    if k.contains("софийска област") || k.contains("софийска областна") {
        return geography.regions.iter().find(|r| r.code.as_str() == "SFO").map(region_issuer);
    }
    geography
        .regions
        .iter()
        .filter(|r| !r.name.contains('('))
        .find(|r| {
            let name = key(&r.name);
            k.contains(&format!("област {name}")) || k.contains(&format!("областна администрация {name}"))
        })
        .map(region_issuer)
}

fn region_issuer(r: &grizha_domain::geography::Region) -> Issuer {
    Issuer { level: IssuerLevel::Region, name: r.name.clone(), code: Some(r.code.as_str().to_owned()) }
}

/// A council decision's number and date and the body that took it.
pub fn decision_header<'a>(lines: impl Iterator<Item = &'a str>) -> Adopted {
    let mut adopted = Adopted { by: None, decision: None, date: None };
    let number = pattern!(r"(?i)решение\s*(?:№|n|no)\s*([0-9][0-9\-/]*)");
    for line in lines.take(30) {
        if adopted.decision.is_none()
            && let Some(c) = number.captures(line)
        {
            adopted.decision = Some(c[1].to_owned());
        }
        if adopted.date.is_none()
            && key(line).starts_with("от ")
            && let Some(date) = first_date(line)
        {
            adopted.date = Some(date);
        }
        if adopted.by.is_none() {
            adopted.by = council_name(line);
        }
    }
    adopted
}

/// `СТОЛИЧЕН ОБЩИНСКИ СЪВЕТ`, `Общински съвет – Хасково` → the council's name as a name
/// (`Столичен общински съвет`); a line naming it in another case (`на Столичния общински съвет`)
/// is passed over, as the letterhead names it in the nominative.
fn council_name(line: &str) -> Option<String> {
    let k = key(line);
    let at = k.find("общински съвет")?;
    if k.chars().count() > 80 {
        return None;
    }
    let before: Vec<&str> = k[..at].split_whitespace().collect();
    let name = match before.last() {
        Some(adjective) if adjective.ends_with("ен") => format!("{adjective} {}", &k[at..]),
        Some(_) => return None,
        None => k[at..].to_owned(),
    };
    let mut chars = name.chars();
    let first = chars.next()?;
    Some(first.to_uppercase().chain(chars).collect())
}

/// The first date in a text, as ISO: `31.05.2012`, `09 август 2017 г.`.
pub fn first_date(text: &str) -> Option<String> {
    let numeric = pattern!(r"(\d{1,2})\.(\d{1,2})\.(\d{4})");
    let worded = pattern!(
        r"(?i)(\d{1,2})\s+(януари|февруари|март|април|май|юни|юли|август|септември|октомври|ноември|декември)\s+(\d{4})"
    );
    let mut found: Vec<(usize, String)> = Vec::new();
    if let Some(c) = numeric.captures(text) {
        let (d, m, y) = (c[1].parse().ok()?, c[2].parse().ok()?, c[3].parse().ok()?);
        if let Some(date) = chrono::NaiveDate::from_ymd_opt(y, m, d) {
            found.push((c.get(0).map_or(0, |m| m.start()), date.to_string()));
        }
    }
    if let Some(c) = worded.captures(text) {
        let month = month_number(&c[2])?;
        let (d, y) = (c[1].parse().ok()?, c[3].parse().ok()?);
        if let Some(date) = chrono::NaiveDate::from_ymd_opt(y, month, d) {
            found.push((c.get(0).map_or(0, |m| m.start()), date.to_string()));
        }
    }
    found.into_iter().min_by_key(|(at, _)| *at).map(|(_, d)| d)
}

/// `август` → 8.
pub fn month_number(name: &str) -> Option<u32> {
    let name = name.to_lowercase();
    grizha_domain::deadline::MONTHS.iter().position(|m| *m == name).and_then(|i| u32::try_from(i + 1).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_start_documents_of_their_kind() {
        assert_eq!(title_kind("РЕШЕНИЕ № 250"), Some(DocumentKind::CouncilDecision));
        assert_eq!(title_kind("ПЛАН ЗА ДЕЙСТВИЕ ЗА 2012 Г."), Some(DocumentKind::AnnualPlan));
        assert_eq!(title_kind("Годишен план за действие за 2025 г."), Some(DocumentKind::AnnualPlan));
        assert_eq!(title_kind("ПРОТОКОЛ"), Some(DocumentKind::Protocol));
        assert_eq!(
            title_kind("Общинска стратегия за развитие на социалните услуги 2026 – 2030 г."),
            Some(DocumentKind::Strategy)
        );
        assert_eq!(title_kind("1. Стратегия за развитие на социалните услуги"), None);
        assert_eq!(title_kind("Приема Годишни планове за действие за 2012 г. по реализацията на:"), None);
    }

    #[test]
    fn periods_and_strategies_come_from_titles() {
        assert_eq!(period_in("ПЛАН ЗА ДЕЙСТВИЕ ЗА 2012 Г."), Some(Period { from: 2012, to: 2012 }));
        assert_eq!(period_in("Стратегия (2016 – 2020 г.)"), Some(Period { from: 2016, to: 2020 }));
        assert_eq!(period_in("Решение № 250 от 31.05.2012"), None);
        assert_eq!(
            strategy_title(
                "Годишен план за действие по изпълнението на Общинската стратегия за развитие на социалните услуги в община Примерово за 2025г."
            ),
            Some("Общинската стратегия за развитие на социалните услуги в община Примерово".to_owned())
        );
        assert_eq!(
            strategy_title("за осъществяване на Стратегия за развитието на услугите 2020 – 2023 година"),
            Some("Стратегия за развитието на услугите 2020 – 2023 година".to_owned())
        );
        assert_eq!(strategy_title("План за действие за 2025 г."), None);
    }

    #[test]
    fn issuers_are_matched_to_their_codes() {
        let g = Geography::bulgaria();
        let issuer = issuer_in(["ОБЩИНА СТАРА ЗАГОРА"].into_iter(), &g).unwrap();
        assert_eq!((issuer.name.as_str(), issuer.code.as_deref()), ("Стара Загора", Some("SZR31")));
        let issuer = issuer_in(["СТОЛИЧЕН ОБЩИНСКИ СЪВЕТ"].into_iter(), &g).unwrap();
        assert_eq!(issuer.code.as_deref(), Some("SOF46"));
        let issuer = issuer_in(["Областна администрация", "Софийска област"].into_iter(), &g).unwrap();
        assert_eq!((issuer.level, issuer.code.as_deref()), (IssuerLevel::Region, Some("SFO")));
        assert_eq!(issuer_in(["Някакъв текст"].into_iter(), &g), None);
    }

    #[test]
    fn a_decision_has_its_number_date_and_council() {
        let a = decision_header(
            ["СТОЛИЧЕН ОБЩИНСКИ СЪВЕТ", "РЕШЕНИЕ № 250", "на Столичния общински съвет", "от 31.05.2012 година"]
                .into_iter(),
        );
        assert_eq!(a.decision.as_deref(), Some("250"));
        assert_eq!(a.date.as_deref(), Some("2012-05-31"));
        assert_eq!(a.by.as_deref(), Some("Столичен общински съвет"));
        assert_eq!(first_date("Днес, 09 август 2017 г., от 13.00 часа"), Some("2017-08-09".to_owned()));
    }
}
