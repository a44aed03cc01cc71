//! Capacity, staff, changes and status of a service, from the cells and phrases of plans.
//!
//! # Rules
//!
//! - [`count`] reads a number cell of a capacity or staff table: one number (`62`, `.40`, `40 места`,
//!   `1 200`); numbers joined by `+` are added (`15 + 15` is 30); numbers each followed by a
//!   programme or source starting with a capital (`25 – НП АХУ 92 – ОП РЧР`) are added (117).
//!   Bracketed remarks are ignored. Anything else — no number (`-`, `МД`, `n/a`), a fraction, a
//!   range, two numbers without `+` or labels — is `None`: a count is never guessed.
//! - [`capacity`] finds a capacity statement: «капацитет(ът)» followed by an optional `:`, `–`, `е`,
//!   `от`, `съответно`, `по`, `общо`, `около` and a number (or numbers joined by `+`, added), with
//!   or without a unit (`места`, `потребители`, `лица`, `деца`, `души`, `бр.`). In a text that
//!   speaks of no change of capacity, a bare «N места» is a statement too. A statement that is part
//!   of a change («капацитета от 80 на 100 места») or follows a change verb («намаляне капацитета с
//!   30 места») is not one, nor is a year. The first statement gives one value, dated with the year
//!   the caller gives (the plan's year); without a year there is nothing to date it with: `[]`.
//! - [`staff`] does the same for «персонал», «щат», «щатни бройки», «зает персонал»,
//!   «служители» (`Персонал – 14 бр.`, `щат 8 души`, `12 щатни бройки`).
//! - [`changes`] finds the written changes, in text order:
//!   - `capacity` with both numbers: «от N на|до M места» (the unit optional) after «капацитет» or
//!     a change verb (увеличаване, разширяване, намаляване, редуциране), or followed by a unit;
//!     without numbers,
//!     a change verb before «капацитет(а)» / «местата», or an expansion of the service itself
//!     («планирано разширение от 2016г.», «за разширяване при финансиране», not «разширяване с
//!     нови дейности») — `from`/`to` are `null` then, for the caller to fill from a capacity table.
//!   - `open`: «разкриване», «откриване», «създаване», «изграждане» whose object (the words after
//!     «на» up to the first preposition or comma, at most five) holds a service noun (център, дом,
//!     жилище, звено, услуга, трапезария, патронаж, клуб, приют, хоспис) or an upper-case
//!     abbreviation such as ЦНСТ — so neither «изграждане на умения» nor «изграждане на връзки между
//!     домовете» is an opening;
//!     «старт(иране)»; the status word «нова»/«нов» (not «нови дейности»); «чрез трансформиране»
//!     when the text also says the service is new (it opens by transformation); and, in a text
//!     with no word of an existing service, «да се реализира» / «при възможност за финансиране»
//!     (a service still to be set up).
//!   - `close`: «закриване», «закрива», «закрие».
//!   - `transform`: «трансформиране», «трансформация», «преструктуриране».
//!
//!   Changes of one kind other than `capacity` are merged into one (the first date written wins).
//! - The **date** of a change is read with [`Deadline::parse`] from the phrase after its words, up to
//!   the next comma, semicolon, full stop or change: «от 01.01.2015г.» is 2015-01-01, «старт 2018г.»
//!   2018-01-01. A condition or «after» («при възможност …», «след 2016г») ends the phrase: it gives
//!   no start date. **Decision:** the date is the *first* day the wording allows (`Deadline::from`), so
//!   «закриване II-ро полугодие на 2015г.» is 2015-07-01 — the day from which the change may happen;
//!   the deadline itself keeps the last day. A wording without a year takes the plan's year from
//!   the context.
//! - [`status`] weighs the words and the changes, strongest first: closed («закрита») > closing
//!   (closing words, a `close` change, capacity down to 0) > new (an `open` change, «нова»,
//!   «новоизградени», «старт») > transforming > reducing > expanding > existing («налична»,
//!   «съществуваща», «продължаване на дейността», «функционира», «предоставяне») > new by plans
//!   only («при възможност за финансиране», «да се реализира», «предстои»). An expansion of
//!   activities alone («разширяване с нови дейности») is not an expansion of the service, nor is the
//!   adjective «разширен» («разширен състав»). Words are
//!   matched on the text with spaces removed, so «продължа ване» and «разши ряване» count. `None`
//!   when nothing says.

use std::sync::LazyLock;

use grizha_domain::deadline::{Deadline, DeadlineContext};
use grizha_domain::service::ServiceStatus;
use regex::Regex;

use super::service_type::Prepared;
use crate::format::{Change, ChangeKind, YearValue};
use crate::text::fold;

// ---------------------------------------------------------------------------------------------
// count
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Number {
        value: u64,
        fraction: bool,
    },
    Plus,
    /// A word of letters; `capital` when it starts with an upper-case letter.
    Word {
        capital: bool,
    },
    Other,
}

fn tokens(text: &str) -> Vec<Token> {
    let chars: Vec<char> = text.chars().collect();
    let digits_at = |i: usize| {
        let mut j = i;
        while j < chars.len() && chars[j].is_ascii_digit() {
            j += 1;
        }
        j - i
    };
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_ascii_digit() {
            let n = digits_at(i);
            let mut digits: String = chars[i..i + n].iter().collect();
            let mut fraction = false;
            i += n;
            // Thousands (`1 200`, `1.200`) and fractions (`2,5`, `2.5`).
            loop {
                let sep = chars.get(i).copied();
                let after = if sep.is_some() { digits_at(i + 1) } else { 0 };
                match sep {
                    Some(' ' | '.')
                        if after == 3 && chars.get(i + 4).is_none_or(|c| !c.is_ascii_digit()) && digits.len() <= 3 =>
                    {
                        digits.extend(&chars[i + 1..i + 4]);
                        i += 4;
                    }
                    Some(',' | '.') if after > 0 => {
                        fraction = true;
                        i += 1 + after;
                        break;
                    }
                    _ => break,
                }
            }
            out.push(Token::Number { value: digits.parse().unwrap_or(u64::MAX), fraction });
        } else if c.is_alphabetic() {
            out.push(Token::Word { capital: c.is_uppercase() });
            while i < chars.len() && chars[i].is_alphabetic() {
                i += 1;
            }
        } else {
            if c == '+' {
                out.push(Token::Plus);
            } else if !c.is_whitespace() {
                out.push(Token::Other);
            }
            i += 1;
        }
    }
    out
}

static BRACKETS: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\([^)]*\)|/[^/\d]*/").expect("valid"));

/// A number cell of a capacity or staff table: `62`, `.40`, `15 + 15` (30), `25 – НП АХУ 92 – ОП РЧР`
/// (117); `None` for `-`, `МД`, `n/a` and anything unclear. See the [module documentation](self).
pub fn count(cell: &str) -> Option<u32> {
    let text = fold(cell);
    let text = BRACKETS.replace_all(&text, " ");
    let tokens = tokens(&text);
    let numbers: Vec<(usize, u64)> = tokens
        .iter()
        .enumerate()
        .filter_map(|(i, t)| match t {
            Token::Number { value, .. } => Some((i, *value)),
            _ => None,
        })
        .collect();
    if numbers.is_empty() || tokens.iter().any(|t| matches!(t, Token::Number { fraction: true, .. })) {
        return None;
    }
    let total = || u32::try_from(numbers.iter().map(|&(_, v)| v).sum::<u64>()).ok();
    if numbers.len() == 1 {
        return u32::try_from(numbers[0].1).ok();
    }
    // Between consecutive numbers: only `+`.
    if numbers.windows(2).all(|w| tokens[w[0].0 + 1..w[1].0] == [Token::Plus]) {
        return total();
    }
    // Each number followed by a label that starts with a capital (a programme or a source).
    let labelled = numbers.iter().enumerate().all(|(k, &(i, _))| {
        let end = numbers.get(k + 1).map_or(tokens.len(), |&(j, _)| j);
        let between = &tokens[i + 1..end];
        let first_word = between.iter().find(|t| matches!(t, Token::Word { .. }));
        matches!(first_word, Some(Token::Word { capital: true }))
            && !between.contains(&Token::Plus)
            && between.iter().take_while(|t| !matches!(t, Token::Word { .. })).all(|t| *t == Token::Other)
    });
    if labelled { total() } else { None }
}

// ---------------------------------------------------------------------------------------------
// capacity and staff
// ---------------------------------------------------------------------------------------------

const UNIT: &str = r"(?:места|място|потребител\w*|лица|деца|души|бр\.?|човека)";
const CHANGE_VERB: &str = r"(?:увелич|намал[яе]|разшир|редуц|промян|промен)\w*";

static CAPACITY_STATEMENT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"\bкапацитет(?:а|ът|ите)?\s*(?:е\s+)?(?:[:-]\s*)?(?:(?:от|е|съответно|по|общо|около)\s+)*(\d+(?:\s*\+\s*\d+)*)\s*(г\b|{UNIT})?"
    ))
    .expect("valid")
});
static BARE_PLACES: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?:^|[^\d.,])(\d+)\s*(?:места|място)\b").expect("valid"));
static STAFF_STATEMENT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"\b(?:(?:зает|щатен)\s+)?(?:персонал(?:ът|а)?|щат(?:ът|а)?|щатни\s+бройки|служители)\s*(?:е\s+)?(?:[:-]\s*)?(?:(?:от|общо|около)\s+)?(\d+)\b",
    )
    .expect("valid")
});
static STAFF_AFTER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b(\d+)\s*(?:щатни\s+бройки|щ\.\s*бр\.?|души\s+персонал|служители)").expect("valid"));
static CHANGE_VERB_RE: LazyLock<Regex> = LazyLock::new(|| Regex::new(&format!(r"\b{CHANGE_VERB}")).expect("valid"));

fn sum_of(numbers: &str) -> Option<u32> {
    numbers.split('+').map(|n| n.trim().parse::<u32>().ok()).sum()
}

fn is_year(value: u32) -> bool {
    (1990..=2100).contains(&value)
}

/// The capacity a text states («Капацитет – 36 места», «с капацитет 15 места»), as one value for
/// `year`; `[]` without a year or a statement. See the [module documentation](self).
pub fn capacity(text: &str, year: Option<i32>) -> Vec<YearValue> {
    let Some(year) = year else { return Vec::new() };
    let prepared = Prepared::new(text);
    let lower = &prepared.lower;
    let changes: Vec<(usize, usize)> = CAPACITY_FROM_TO.find_iter(lower).map(|m| (m.start(), m.end())).collect();
    for caps in CAPACITY_STATEMENT.captures_iter(lower) {
        let (Some(all), Some(number)) = (caps.get(0), caps.get(1)) else { continue };
        if changes.iter().any(|&(s, e)| all.start() < e && s < all.end()) {
            continue;
        }
        let before = &lower[..all.start()];
        let recent: String = before.split_whitespace().rev().take(3).collect::<Vec<_>>().join(" ");
        if CHANGE_VERB_RE.is_match(&recent) {
            continue;
        }
        let Some(value) = sum_of(number.as_str()) else { continue };
        if caps.get(2).is_some_and(|u| u.as_str() == "г") || (is_year(value) && caps.get(2).is_none()) {
            continue;
        }
        return vec![YearValue { year, value }];
    }
    if !CHANGE_VERB_RE.is_match(lower) && changes.is_empty() {
        for caps in BARE_PLACES.captures_iter(lower) {
            if let Some(value) = caps.get(1).and_then(|n| n.as_str().parse().ok()) {
                return vec![YearValue { year, value }];
            }
        }
    }
    Vec::new()
}

/// The staff a text states («Персонал – 14 бр.», «щат 8 души»), as one value for `year`; `[]`
/// without a year or a statement.
pub fn staff(text: &str, year: Option<i32>) -> Vec<YearValue> {
    let Some(year) = year else { return Vec::new() };
    let prepared = Prepared::new(text);
    let lower = &prepared.lower;
    let found = [&*STAFF_STATEMENT, &*STAFF_AFTER]
        .into_iter()
        .filter_map(|re| re.captures(lower).and_then(|c| c.get(1)).map(|n| (n.start(), n.as_str())))
        .min_by_key(|&(at, _)| at);
    match found.and_then(|(_, n)| n.parse::<u32>().ok()) {
        Some(value) if !is_year(value) => vec![YearValue { year, value }],
        _ => Vec::new(),
    }
}

// ---------------------------------------------------------------------------------------------
// changes
// ---------------------------------------------------------------------------------------------

static CAPACITY_FROM_TO: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(r"\bот\s+(\d+)\s*(?:{UNIT}\s+)?(?:на|до)\s+(\d+)(?:\s*({UNIT}|г\b))?")).expect("valid")
});
static CAPACITY_WITHOUT_NUMBERS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(r"\b{CHANGE_VERB}\s+(?:на\s+)?(?:капацитет\w*|местата|броя\s+на\s+местата)")).expect("valid")
});
static OPEN_VERB: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(?:разкрива\w*|разкрие|открива\w*|откриване|създава\w*|създаване|изгражда\w*|изграждане)\b")
        .expect("valid")
});
static START: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\bстарт(?:иране|ирането|ира)?\b").expect("valid"));
static NEW_WORD: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b(?:нов|нова|ново|новата|новия|новият)\b(\s+дейност)?").expect("valid"));
static CLOSE_VERB: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\bзакри(?:ване|ва|ват|е|ят|ем)\b").expect("valid"));
static TRANSFORM_VERB: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b(?:трансформ|преструктур)\w*").expect("valid"));

/// Nouns that make «разкриване на …» the opening of a service.
const SERVICE_NOUNS: &[&str] =
    &["цент", "дом", "жилищ", "звен", "услуг", "трапезари", "патронаж", "клуб", "приют", "хоспис", "общностн"];

/// Prepositions that end the object of «разкриване на …».
const PREPOSITIONS: &[&str] =
    &["за", "с", "със", "от", "в", "във", "към", "между", "чрез", "при", "по", "до", "на", "и"];

/// Whether the object after char `end` («разкриване [на] …», up to the first preposition, at most
/// five words) holds a service noun or an upper-case abbreviation.
fn names_a_service_after(text: &Prepared, end: usize) -> bool {
    let words = text.words();
    let mut object = words.iter().filter(|&&(s, _)| s >= end).peekable();
    if object.peek().is_some_and(|&&(s, e)| text.chars[s..e].iter().collect::<String>().to_lowercase() == "на") {
        object.next();
    }
    let mut last = end;
    for &(s, e) in object.take(5) {
        let between: String = text.chars[last..s].iter().collect();
        if between.contains([',', ';', '.', ':', '(']) {
            break;
        }
        last = e;
        let word: String = text.chars[s..e].iter().collect();
        let lower = word.to_lowercase();
        if PREPOSITIONS.contains(&lower.as_str()) {
            break;
        }
        if SERVICE_NOUNS.iter().any(|n| lower.starts_with(n))
            || ((2..=7).contains(&word.chars().count()) && word.chars().all(|c| c.is_uppercase()))
        {
            return true;
        }
    }
    false
}

/// A change found at a byte offset of the lower-cased text, before its date is read.
struct Found {
    at: usize,
    end: usize,
    kind: ChangeKind,
    from: Option<u32>,
    to: Option<u32>,
}

fn find_changes(text: &Prepared) -> Vec<Found> {
    let lower = &text.lower;
    let mut found: Vec<Found> = Vec::new();
    for caps in CAPACITY_FROM_TO.captures_iter(lower) {
        let (Some(all), Some(a), Some(b)) = (caps.get(0), caps.get(1), caps.get(2)) else { continue };
        let (Ok(from), Ok(to)) = (a.as_str().parse::<u32>(), b.as_str().parse::<u32>()) else { continue };
        let unit = caps.get(3).map(|u| u.as_str());
        if unit == Some("г") || is_year(from) || is_year(to) {
            continue;
        }
        let window_start = lower[..all.start()].char_indices().rev().nth(59).map_or(0, |(i, _)| i);
        let before = &lower[window_start..all.start()];
        if unit.is_some() || before.contains("капацитет") || CHANGE_VERB_RE.is_match(before) {
            found.push(Found {
                at: all.start(),
                end: all.end(),
                kind: ChangeKind::Capacity,
                from: Some(from),
                to: Some(to),
            });
        }
    }
    let numbered = !found.is_empty();
    for m in CAPACITY_WITHOUT_NUMBERS.find_iter(lower) {
        let numbered_soon =
            found.iter().any(|f| f.kind == ChangeKind::Capacity && f.at >= m.start() && f.at <= m.end() + 40);
        if !numbered_soon {
            found.push(Found { at: m.start(), end: m.end(), kind: ChangeKind::Capacity, from: None, to: None });
        }
    }
    // «планирано разширение», «за разширяване при финансиране»: a change of capacity whose
    // numbers the text does not give.
    if !numbered && found.is_empty() {
        for (start, end) in expansions(text).into_iter().take(1) {
            let (at, end) = (text.lower_byte(start), text.lower_byte(end));
            let end = lower[end..].find(|c: char| !c.is_alphanumeric()).map_or(lower.len(), |i| end + i);
            found.push(Found { at, end, kind: ChangeKind::Capacity, from: None, to: None });
        }
    }
    let is_new = is_new_by_words(text);
    for m in OPEN_VERB.find_iter(lower) {
        if names_a_service_after(text, text.lower_char(m.end())) {
            found.push(Found { at: m.start(), end: m.end(), kind: ChangeKind::Open, from: None, to: None });
        }
    }
    for m in START.find_iter(lower) {
        found.push(Found { at: m.start(), end: m.end(), kind: ChangeKind::Open, from: None, to: None });
    }
    for caps in NEW_WORD.captures_iter(lower) {
        if let (Some(m), None) = (caps.get(0), caps.get(1)) {
            found.push(Found { at: m.start(), end: m.end(), kind: ChangeKind::Open, from: None, to: None });
        }
    }
    // «да се реализира», «при възможност за финансиране» of a service not yet there: it is to open.
    if !EXISTING.any(text)
        && !found.iter().any(|f| f.kind == ChangeKind::Open)
        && let Some(&(start, end)) = NEW_BY_PLANS.find(text).iter().min()
    {
        let (at, end) = (text.lower_byte(start), text.lower_byte(end));
        found.push(Found { at, end, kind: ChangeKind::Open, from: None, to: None });
    }
    for m in CLOSE_VERB.find_iter(lower) {
        found.push(Found { at: m.start(), end: m.end(), kind: ChangeKind::Close, from: None, to: None });
    }
    for m in TRANSFORM_VERB.find_iter(lower) {
        let means = lower[..m.start()].split_whitespace().next_back() == Some("чрез");
        let kind = if means && (is_new || found.iter().any(|f| f.kind == ChangeKind::Open)) {
            ChangeKind::Open
        } else {
            ChangeKind::Transform
        };
        found.push(Found { at: m.start(), end: m.end(), kind, from: None, to: None });
    }
    found.sort_by_key(|f| f.at);
    found
}

static CONDITION: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\b(?:след|при)\b").expect("valid"));

/// The phrase after a change's words: up to a comma, semicolon, full stop or the next change.
fn phrase_after(lower: &str, end: usize, next: usize) -> &str {
    let rest = &lower[end..next.max(end)];
    let rest = rest.trim_start_matches(|c: char| c.is_whitespace() || matches!(c, ',' | ':' | '-' | ';'));
    // «след 2016г» (after) and «при …» (a condition) give no start date.
    let rest = match CONDITION.find(rest) {
        Some(m) => &rest[..m.start()],
        None => rest,
    };
    let mut stop = rest.len();
    let bytes = rest.as_bytes();
    for (i, c) in rest.char_indices() {
        let full_stop = c == '.' && bytes.get(i + 1).is_none_or(|b| b.is_ascii_whitespace());
        if matches!(c, ',' | ';') || full_stop {
            stop = if full_stop { i + 1 } else { i };
            break;
        }
    }
    &rest[..stop]
}

/// The written changes of a service in `text`, in text order, dated with [`Deadline::parse`] in
/// `context`. See the [module documentation](self).
pub fn changes(text: &str, context: &DeadlineContext) -> Vec<Change> {
    let prepared = Prepared::new(text);
    let found = find_changes(&prepared);
    let mut out: Vec<Change> = Vec::new();
    for (k, f) in found.iter().enumerate() {
        let next = found.get(k + 1).map_or(prepared.lower.len(), |n| n.at);
        let phrase = phrase_after(&prepared.lower, f.end, next);
        let date = Deadline::parse(phrase, context).from().map(|d| d.to_string());
        let change = Change { kind: f.kind, from: f.from, to: f.to, date };
        if change.kind == ChangeKind::Capacity {
            if !out.contains(&change) {
                out.push(change);
            }
        } else if let Some(same) = out.iter_mut().find(|c| c.kind == change.kind) {
            if same.date.is_none() {
                same.date = change.date;
            }
        } else {
            out.push(change);
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// status
// ---------------------------------------------------------------------------------------------

/// Stems matched on the text without spaces (see [`Prepared::find_loose`]): (pattern, word end).
struct Stems(Vec<(Regex, bool)>);

impl Stems {
    fn new(patterns: &[(&str, bool)]) -> Stems {
        Stems(patterns.iter().map(|&(p, end)| (Regex::new(p).expect("a valid stem"), end)).collect())
    }
    fn find(&self, text: &Prepared) -> Vec<(usize, usize)> {
        self.0.iter().flat_map(|(re, end)| text.find_loose(re, *end)).collect()
    }
    fn any(&self, text: &Prepared) -> bool {
        !self.find(text).is_empty()
    }
}

static CLOSED: LazyLock<Stems> = LazyLock::new(|| Stems::new(&[("закри(?:та|то|ти|т)", true)]));
static CLOSING: LazyLock<Stems> = LazyLock::new(|| Stems::new(&[("закри(?:ване|ват|ва|ят|ем|е)", true)]));
static NEW: LazyLock<Stems> = LazyLock::new(|| {
    Stems::new(&[("ново(?:изград|създад|разкри|откри)", false), ("старт(?:ирането|иране|ира)?", true)])
});
static TRANSFORMING: LazyLock<Stems> = LazyLock::new(|| Stems::new(&[("трансформ", false), ("преструктур", false)]));
static REDUCING: LazyLock<Stems> = LazyLock::new(|| Stems::new(&[("намал[яе]", false), ("редуц", false)]));
static EXPANDING: LazyLock<Stems> = LazyLock::new(|| {
    Stems::new(&[("разширяв", false), ("разширени(?:ето|е)", true), ("разшир(?:ят|и|им)", true), ("увелич", false)])
});
static EXISTING: LazyLock<Stems> = LazyLock::new(|| {
    Stems::new(&[
        ("налич(?:ната|ният|ния|на|ен|но|ни)", true),
        ("съществуващ", false),
        ("продълж(?:ав|ен)", false),
        ("функционир", false),
        ("действащ", false),
        ("предоставян", false),
    ])
});
static NEW_BY_PLANS: LazyLock<Stems> = LazyLock::new(|| {
    Stems::new(&[("дасереализира", false), ("привъзможностзафинансиране", false), ("предстои", false)])
});
static ACTIVITIES_ONLY: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\W*(?:\w+\W+){0,3}?(?:нови\s+)?дейност").expect("valid"));

fn is_new_by_words(text: &Prepared) -> bool {
    NEW.any(text)
        || NEW_WORD.captures_iter(&text.lower).any(|c| c.get(1).is_none())
        || OPEN_VERB.find_iter(&text.lower).any(|m| names_a_service_after(text, text.lower_char(m.end())))
}

/// The expansion words (char ranges) that are about the service, not only about its activities.
fn expansions(text: &Prepared) -> Vec<(usize, usize)> {
    let about_places = ["капацитет", "мест", "потребител"].iter().any(|w| text.lower.contains(w));
    EXPANDING
        .find(text)
        .into_iter()
        .filter(|&(_, end)| {
            let rest: String = text.chars[end..].iter().flat_map(|c| c.to_lowercase()).collect();
            about_places || !ACTIVITIES_ONLY.is_match(&rest)
        })
        .collect()
}

fn expands(text: &Prepared) -> bool {
    !expansions(text).is_empty()
}

/// The status a text and its changes give a service; `None` when nothing says. See the
/// [module documentation](self) for the order.
pub fn status(text: &str, changes: &[Change]) -> Option<ServiceStatus> {
    let text = Prepared::new(text);
    let has = |kind: ChangeKind| changes.iter().any(|c| c.kind == kind);
    let capacity = |up: bool| {
        changes.iter().any(|c| match (c.kind, c.from, c.to) {
            (ChangeKind::Capacity, Some(from), Some(to)) => to != 0 && if up { to > from } else { to < from },
            _ => false,
        })
    };
    let to_zero = changes.iter().any(|c| c.kind == ChangeKind::Capacity && c.to == Some(0) && c.from != Some(0));
    let status = if CLOSED.any(&text) {
        ServiceStatus::Closed
    } else if CLOSING.any(&text) || has(ChangeKind::Close) || to_zero {
        ServiceStatus::Closing
    } else if has(ChangeKind::Open) || is_new_by_words(&text) {
        ServiceStatus::New
    } else if has(ChangeKind::Transform) || TRANSFORMING.any(&text) {
        ServiceStatus::Transforming
    } else if capacity(false) || REDUCING.any(&text) {
        ServiceStatus::Reducing
    } else if capacity(true) || expands(&text) {
        ServiceStatus::Expanding
    } else if EXISTING.any(&text) {
        ServiceStatus::Existing
    } else if NEW_BY_PLANS.any(&text) {
        ServiceStatus::New
    } else {
        return None;
    };
    Some(status)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(kind: ChangeKind, from: Option<u32>, to: Option<u32>, date: Option<&str>) -> Change {
        Change { kind, from, to, date: date.map(str::to_owned) }
    }

    fn year(value: u32) -> Vec<YearValue> {
        vec![YearValue { year: 2015, value }]
    }

    #[test]
    fn a_count_cell_is_one_number_a_sum_or_nothing() {
        assert_eq!(count("62"), Some(62));
        assert_eq!(count(" .40"), Some(40));
        assert_eq!(count("40 места"), Some(40));
        assert_eq!(count("62 (ДДД)"), Some(62));
        assert_eq!(count("1 200"), Some(1200));
        assert_eq!(count("0 + 0"), Some(0));
        assert_eq!(count("15 + 15"), Some(30));
        assert_eq!(count("25 – НП АХУ 92 – ОП РЧР"), Some(117));
        assert_eq!(count("30- НП АХУ 100 – ОП РЧР"), Some(130));
        for nothing in ["-", "", "МД", "n/a", "—", "2,5", "10-15", "14 / 12", "20 деца и 10 възрастни"]
        {
            assert_eq!(count(nothing), None, "{nothing}");
        }
    }

    #[test]
    fn capacity_statements_give_one_value_for_the_year() {
        assert_eq!(capacity("Капацитет – 36 места", Some(2015)), year(36));
        assert_eq!(capacity("Разкриване на ЦОП с капацитет 15 места", Some(2015)), year(15));
        assert_eq!(capacity("капацитет: 20 потребители", Some(2015)), year(20));
        assert_eq!(capacity("Капацитетът е 25", Some(2015)), year(25));
        assert_eq!(capacity("две къщи (с капацитет съответно по 12 места)", Some(2015)), year(12));
        assert_eq!(capacity("Старт през 2018 г. с капацитет 10+12 места", Some(2015)), year(22));
        assert_eq!(capacity("Продължаване на дейността с 48 места", Some(2015)), year(48));
        assert_eq!(capacity("Капацитет – 36 места", None), vec![]);
    }

    #[test]
    fn a_change_of_capacity_is_not_a_statement() {
        assert_eq!(capacity("Увеличаване на капацитета от 60 на 70 места", Some(2015)), vec![]);
        assert_eq!(capacity("намаляне на капацитета 2019г. с 12 места", Some(2015)), vec![]);
        assert_eq!(capacity("Увеличаване с 20 места", Some(2015)), vec![]);
        assert_eq!(capacity("Без капацитет", Some(2015)), vec![]);
    }

    #[test]
    fn staff_statements_give_one_value_for_the_year() {
        assert_eq!(staff("Персонал – 14 бр.", Some(2015)), year(14));
        assert_eq!(staff("щат 8 души", Some(2015)), year(8));
        assert_eq!(staff("Зает персонал: 25", Some(2015)), year(25));
        assert_eq!(staff("12 щатни бройки", Some(2015)), year(12));
        assert_eq!(staff("Персонал – 14 бр.", None), vec![]);
        assert_eq!(staff("Капацитет 30 места", Some(2015)), vec![]);
    }

    #[test]
    fn capacity_changes_carry_both_numbers_and_the_date_if_written() {
        let ctx = DeadlineContext::for_year(2015);
        assert_eq!(
            changes("Консултации. Увеличаване на капацитета от 60 на 75 места от 01.01.2015г.", &ctx),
            vec![change(ChangeKind::Capacity, Some(60), Some(75), Some("2015-01-01"))]
        );
        assert_eq!(
            changes("Увеличение на капацитета от 20 на 35 места", &ctx),
            vec![change(ChangeKind::Capacity, Some(20), Some(35), None)]
        );
        assert_eq!(
            changes("намаляване на капацитета от 90 на 40 места", &DeadlineContext::NONE),
            vec![change(ChangeKind::Capacity, Some(90), Some(40), None)]
        );
        assert_eq!(
            changes("Намаляне на капацитета през 2019 г. с 12 места.", &ctx),
            vec![change(ChangeKind::Capacity, None, None, Some("2019-01-01"))]
        );
        // Years are not a capacity.
        assert_eq!(changes("от 2016 до 2020 г.", &ctx), vec![]);
        // An expansion of the service without numbers; «след» gives no date.
        assert_eq!(
            changes("Налична, предвижда се разширение от 2017г.", &ctx),
            vec![change(ChangeKind::Capacity, None, None, Some("2017-01-01"))]
        );
        assert_eq!(
            changes("Налична, за разширяване при финансиране след 2016г", &ctx),
            vec![change(ChangeKind::Capacity, None, None, None)]
        );
        assert_eq!(changes("Налична, разширяване с още дейности", &ctx), vec![]);
        assert_eq!(changes("Заседание на разширения състав", &ctx), vec![]);
    }

    #[test]
    fn a_closing_is_dated_with_the_first_day_its_wording_allows() {
        let ctx = DeadlineContext::for_year(2015);
        assert_eq!(
            changes(
                "Извеждане на децата; намаляване на капацитета от 70 на 30 места от 01.03.2015г. и закриване през II полугодие на 2015 г.",
                &ctx
            ),
            vec![
                change(ChangeKind::Capacity, Some(70), Some(30), Some("2015-03-01")),
                change(ChangeKind::Close, None, None, Some("2015-07-01")),
            ]
        );
        assert_eq!(
            changes("Закриване през IV тримесечие", &ctx),
            vec![change(ChangeKind::Close, None, None, Some("2015-10-01"))]
        );
    }

    #[test]
    fn openings_need_a_service_after_the_verb() {
        let ctx = DeadlineContext::for_year(2015);
        assert_eq!(
            changes("Разкриване на Център за временно настаняване", &ctx),
            vec![change(ChangeKind::Open, None, None, None)]
        );
        assert_eq!(
            changes("Откриване на центъра като общинска дейност с капацитет 20 места от 01.04.2015г.", &ctx),
            vec![change(ChangeKind::Open, None, None, Some("2015-04-01"))]
        );
        assert_eq!(changes("Изграждане на 3 ЦНСТ", &ctx), vec![change(ChangeKind::Open, None, None, None)]);
        assert_eq!(
            changes("Подготовка през 2019г., старт 2020г. с капацитет 12+8 места", &ctx),
            vec![change(ChangeKind::Open, None, None, Some("2020-01-01"))]
        );
        assert_eq!(changes("Изграждане на умения за живот в общността", &ctx), vec![]);
        assert_eq!(changes("Създаване на условия за работа", &ctx), vec![]);
        assert_eq!(changes("Изграждане на връзки между домовете", &ctx), vec![]);
        assert_eq!(changes("Разкриване на специален телефон за насочване към услуга", &ctx), vec![]);
    }

    #[test]
    fn transformations_are_changes_unless_they_are_how_a_new_service_opens() {
        let ctx = DeadlineContext::for_year(2016);
        assert_eq!(
            changes("Налична; предвидена трансформация през 2016 г. в ЦНСТ", &ctx),
            vec![change(ChangeKind::Transform, None, None, Some("2016-01-01"))]
        );
        assert_eq!(
            changes("Нова, възниква чрез трансформация през 2017 г. в ЦНСТ", &ctx),
            vec![change(ChangeKind::Open, None, None, Some("2017-01-01"))]
        );
        assert_eq!(
            changes("Трансформиране по споразумение с МЗ", &ctx),
            vec![change(ChangeKind::Transform, None, None, None)]
        );
        assert_eq!(changes("Преструктуриране на дома", &ctx), vec![change(ChangeKind::Transform, None, None, None)]);
        // A service still to be set up opens.
        assert_eq!(
            changes("При възможност за финансиране след 2018г. да се реализира от НПО", &ctx),
            vec![change(ChangeKind::Open, None, None, None)]
        );
        assert_eq!(
            changes("Налична, за разширяване; да се реализира от НПО", &ctx),
            vec![change(ChangeKind::Capacity, None, None, None)]
        );
    }

    fn status_of(text: &str) -> Option<ServiceStatus> {
        status(text, &changes(text, &DeadlineContext::for_year(2015)))
    }

    #[test]
    fn status_follows_the_strongest_word_or_change() {
        use ServiceStatus::*;
        for (text, expected) in [
            ("Налична", Some(Existing)),
            ("Налична, продължава работа с 60 места", Some(Existing)),
            ("съществуваща услуга", Some(Existing)),
            ("Налична, предвижда се разширение от 2017г.", Some(Expanding)),
            ("Налична, предвижда се разши ряване при наличие на средства", Some(Expanding)),
            ("Налична, разширяване с още дейности", Some(Existing)),
            ("Налична, с нови дейности по желание", Some(Existing)),
            ("Налична - разширяване на дейностите и капацитета", Some(Expanding)),
            ("Увеличаване на капацитета от 60 на 75 места", Some(Expanding)),
            ("Налична, продължа ва, но с намаляне на капацитета", Some(Reducing)),
            ("Нова, чрез трансформация на дом през 2016 г.", Some(New)),
            ("Налична, предстои трансформация през 2016 г.", Some(Transforming)),
            ("Разкриване на Кризисен център", Some(New)),
            ("Издръжка на новоизградените 3 къщи", Some(New)),
            ("Старт на услугата през 2021 г.", Some(New)),
            ("При възможност за финансиране от програма", Some(New)),
            ("Намаляване на местата от 70 на 30 и закриване през 2016 г.", Some(Closing)),
            ("Закрита през 2014 г.", Some(Closed)),
            ("Изграждане на умения за живот в общността", None),
            ("Консултиране и терапия", None),
        ] {
            assert_eq!(status_of(text), expected, "{text}");
        }
    }

    #[test]
    fn status_can_come_from_the_changes_alone() {
        let up = [change(ChangeKind::Capacity, Some(10), Some(20), None)];
        let down = [change(ChangeKind::Capacity, Some(20), Some(10), None)];
        let gone = [change(ChangeKind::Capacity, Some(20), Some(0), None)];
        assert_eq!(status("", &up), Some(ServiceStatus::Expanding));
        assert_eq!(status("", &down), Some(ServiceStatus::Reducing));
        assert_eq!(status("", &gone), Some(ServiceStatus::Closing));
        assert_eq!(status("", &[change(ChangeKind::Open, None, None, None)]), Some(ServiceStatus::New));
        assert_eq!(status("", &[change(ChangeKind::Transform, None, None, None)]), Some(ServiceStatus::Transforming));
        assert_eq!(status("", &[]), None);
    }
}
