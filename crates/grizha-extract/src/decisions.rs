//! Decisions: the numbered items a council decides (`РЕШИ: 1. … 2. …`) and the decisions a
//! protocol records (`РЕШЕНИЕ №1` and the paragraph after it), with the deadlines they set
//! (`… до 10 октомври 2017 г.`).

use crate::documents::first_date;
use crate::format::{Decision, DecisionDeadline, Provenance};
use crate::text::{fold, key};

/// The items of a council decision: the numbered paragraphs after `РЕШИ:`.
pub fn council_items(paragraphs: &[(usize, &str)], date: Option<&str>, body: Option<&str>) -> Vec<Decision> {
    let Some(resolves) = paragraphs.iter().position(|(_, t)| key(t).contains("реши:") || key(t).trim() == "реши")
    else {
        return Vec::new();
    };
    let number = pattern!(r"^\s*(\d{1,2})\s*[.)]\s+(.+)$");
    let mut items = Vec::new();
    for (paragraph, text) in &paragraphs[resolves + 1..] {
        let folded = fold(text);
        match number.captures(&folded) {
            Some(c) => items.push(Decision {
                number: Some(c[1].to_owned()),
                date: date.map(str::to_owned),
                body: body.map(str::to_owned),
                text: c[2].trim().to_owned(),
                deadlines: deadlines(&c[2]),
                at: Provenance::paragraph(*paragraph, None),
            }),
            // The closing formula (`Настоящото решение е прието …`) ends the items.
            None if !items.is_empty() && key(&folded).starts_with("настоящ") => break,
            None => {}
        }
    }
    items
}

/// The decisions a protocol records: a `РЕШЕНИЕ №N` line and the text after it. The body is the
/// one the text names first from the institutions it knows, else the one that met.
pub fn protocol_decisions(paragraphs: &[(usize, &str)], date: Option<&str>) -> Vec<Decision> {
    let heading = pattern!(r"(?i)^\s*решение\s*(?:№|n|no)?\s*(\d+)\s*:?\s*$");
    let mut out: Vec<Decision> = Vec::new();
    let mut i = 0;
    while i < paragraphs.len() {
        let (_, line) = paragraphs[i];
        if let Some(c) = heading.captures(&fold(line)) {
            let number = c[1].to_owned();
            if let Some((paragraph, text)) = paragraphs.get(i + 1) {
                let text = fold(text);
                // The same decision written twice (in the point's discussion and in the summary) is one.
                if !out.iter().any(|d| d.number.as_deref() == Some(number.as_str()) && d.text == text) {
                    out.push(Decision {
                        number: Some(number),
                        date: date.map(str::to_owned),
                        body: body_of(&text),
                        deadlines: deadlines(&text),
                        text,
                        at: Provenance::paragraph(*paragraph, None),
                    });
                }
                i += 1;
            }
        }
        i += 1;
    }
    out
}

/// The body a decision's text starts with: `Звеното за мониторинг и оценка …` → `Звено за
/// мониторинг и оценка`; `Общинският съвет …` → `Общински съвет`.
fn body_of(text: &str) -> Option<String> {
    let k = key(text);
    [
        ("звеното за мониторинг и оценка", "Звено за мониторинг и оценка"),
        ("звено за мониторинг и оценка", "Звено за мониторинг и оценка"),
        ("комисията за мониторинг и оценка", "Комисия за мониторинг и оценка"),
        ("общинският съвет", "Общински съвет"),
        ("общински съвет", "Общински съвет"),
        ("областният управител", "Областен управител"),
        ("кметът", "Кмет"),
    ]
    .iter()
    .find(|(written, _)| k.starts_with(written))
    .map(|(_, name)| (*name).to_owned())
}

/// The deadlines a decision sets: each `до <date>` with what is due by then — the words before it
/// in the same clause, after `срок за предоставяне на` and the like.
pub fn deadlines(text: &str) -> Vec<DecisionDeadline> {
    let folded = fold(text);
    let re = pattern!(
        r"(?i)\bдо\s+(\d{1,2}\.\d{1,2}\.\d{4}|\d{1,2}\s+(?:януари|февруари|март|април|май|юни|юли|август|септември|октомври|ноември|декември)\s+\d{4})\s*(?:г\.|година)?"
    );
    let mut out = Vec::new();
    let mut clause_start = 0;
    for m in re.captures_iter(&folded) {
        let whole = m.get(0).expect("a match");
        let Some(date) = first_date(&m[1]) else { continue };
        let before = &folded[clause_start..whole.start()];
        out.push(DecisionDeadline { date, what: what_is_due(before) });
        clause_start = whole.end();
    }
    out
}

/// `… определя срок за предоставяне на проектите на доклади` → `проектите на доклади`;
/// `, а решенията за тяхното приемане` → `решенията за тяхното приемане`.
fn what_is_due(before: &str) -> String {
    let mut what = before.trim();
    let lower = what.to_lowercase();
    for marker in [
        "срок за предоставяне на ",
        "срок за внасяне на ",
        "срок за изпращане на ",
        "срок за изготвяне на ",
        "срок за ",
        ", а ",
        "; ",
        ". ",
    ] {
        if let Some(at) = lower.rfind(marker) {
            what = &what[at + marker.len()..];
            break;
        }
    }
    fold(what.trim_start_matches([',', ' ']).trim_start_matches("а ").trim_end_matches([',', ' ']))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_council_decides_numbered_items() {
        let paragraphs = [
            (0, "РЕШЕНИЕ № 7"),
            (1, "ОБЩИНСКИЯТ СЪВЕТ РЕШИ:"),
            (2, "1. Приема годишния план за 2025 г."),
            (3, "2. Възлага на кмета да внесе отчет до 31.03.2026 г."),
            (4, "Настоящото решение е прието на заседание"),
            (5, "3. Не е точка от решението"),
        ];
        let items = council_items(&paragraphs, Some("2025-02-27"), Some("Общински съвет"));
        assert_eq!(items.len(), 2);
        assert_eq!(items[0].number.as_deref(), Some("1"));
        assert_eq!(items[0].text, "Приема годишния план за 2025 г.");
        assert_eq!(
            items[1].deadlines,
            [DecisionDeadline {
                date: "2026-03-31".into(), what: "Възлага на кмета да внесе отчет".into()
            }]
        );
        assert_eq!(items[1].at, Provenance::paragraph(3, None));
    }

    #[test]
    fn a_protocol_records_its_decisions_with_their_deadlines() {
        let paragraphs = [
            (10, "След дискусия се взе следното:"),
            (11, "РЕШЕНИЕ №1"),
            (
                12,
                "Звеното за мониторинг и оценка определя срок за предоставяне на отчетите на общините до 15 март 2026 г., а становищата на дирекциите до 31 март 2026 г.",
            ),
            (13, "РЕШЕНИЕ №1"),
            (
                14,
                "Звеното за мониторинг и оценка определя срок за предоставяне на отчетите на общините до 15 март 2026 г., а становищата на дирекциите до 31 март 2026 г.",
            ),
        ];
        let decisions = protocol_decisions(&paragraphs, Some("2026-02-01"));
        assert_eq!(decisions.len(), 1);
        let d = &decisions[0];
        assert_eq!(d.body.as_deref(), Some("Звено за мониторинг и оценка"));
        assert_eq!(
            d.deadlines,
            [
                DecisionDeadline { date: "2026-03-15".into(), what: "отчетите на общините".into() },
                DecisionDeadline {
                    date: "2026-03-31".into(), what: "становищата на дирекциите".into()
                },
            ]
        );
    }
}
