//! Deadlines (`Срок`) of the activities in annual plans.
//!
//! The deadline column of a plan holds free text typed by hand in municipal offices:
//! `Постоянен`, `31.10.2013г.`, `Декември 2020г.`, `II-ро полугодие 2015`,
//! `От 01.10.2020г. до 30.04.2021г.`, `2012 - постоянен`, `<p>Периодично</p>`, `-----------`, …
//! [`Deadline::parse`] turns such a cell into a [`Deadline`]: the text exactly as written, a
//! [`DeadlineKind`], and the first and the last day the wording allows.
//!
//! # How the parser works
//!
//! The wordings are regular enough for a small hand-written parser in four steps:
//!
//! 1. **Normalise**: lower-case; fold the look-alikes the documents mix (Cyrillic `І` for the
//!    Latin `I` of Roman numerals, en and em dashes and minus signs for `-`, no-break spaces for
//!    ` `); drop HTML tags (`<p>`) and invisible characters (soft hyphens, zero-width spaces).
//! 2. **Tokenise**: split the normalised text into numbers, words and punctuation (`.`, `-`, `/`,
//!    `,`), remembering whether whitespace came before each token.
//! 3. **Recognise parts**: walk the tokens from left to right and at each position try the known
//!    wordings: a date, a month, a quarter, a half-year, a year, a range (`X - Y`,
//!    `от X до Y`), an open start (`от X`), a keyword (`постоянен`, `ежемесечно`,
//!    `на тримесечие`). What matches becomes a part; a token that starts nothing known is noise
//!    and is skipped. Every wording has a bounded length, so the walk is linear in the length of
//!    the text.
//! 4. **Combine**: give the parts without a year a year, turn them into dates, and combine them:
//!    no part gives `unspecified`, parts of one kind keep that kind, parts of different kinds
//!    give `multiple`. The dates are the earliest start and the latest end among the parts.
//!
//! # Decisions
//!
//! - Years outside 1990–2100 are not years (so the numbers in `№ 250` or `100 места` are
//!   noise). A two-digit year in a numeric date is 2000–2089 or 1990–1999 (`31.10.13` is
//!   2013-10-31).
//! - An impossible date (`31.02.2015`) is not recognised; the whole wording is skipped. So is
//!   the tail of a section number (`2.1.4`).
//! - A wording without a year (`Март`, `II-ро тримесечие`, `до 15 март`) takes the year of the
//!   nearest wording in the same cell that has one, looking forwards first (`Март - Юни 2015`,
//!   `Март, Юни 2015`), else the first year of the plan's period. With neither it cannot be
//!   placed in time and is **not recognised**: `Март` alone without a context is `unspecified`
//!   (its text stays in [`Deadline::raw`]).
//! - In a range whose start has no year, the start takes the end's year, or the year before when
//!   it would otherwise begin after the end (`ноември - февруари 2016` starts on 2015-11-01);
//!   likewise for an end without a year.
//! - `от X` with no end runs from X to the end of the plan's period (kind `range`); without a
//!   context, or when the period ends within X, it is just X.
//! - Words that name no time (`по график`, `при необходимост`, `n/a`) are noise.

use std::fmt;
use std::ops::RangeInclusive;
use std::str::FromStr;

use chrono::{Datelike, Months, NaiveDate};
use serde::{Deserialize, Serialize};

/// The years the parser accepts as years.
const YEARS: RangeInclusive<i32> = 1990..=2100;

// ---------------------------------------------------------------------------------------------
// Kinds
// ---------------------------------------------------------------------------------------------

/// What kind of time a deadline names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeadlineKind {
    /// All the time, for the whole period of the plan (`Постоянен`, `текущо`); no dates.
    Ongoing,
    /// Recurring (`Периодично`, `ежемесечно`, `на тримесечие`); no dates.
    Periodic,
    /// One day (`31.10.2013г.`, `до 30.04.2021`).
    Date,
    /// A calendar month (`Декември 2020г.`, `11.2012`).
    Month,
    /// A quarter (`I тримесечие 2015`, `Q2`).
    Quarter,
    /// A half-year (`II-ро полугодие 2015`, `I-во шестмесечие`).
    Half,
    /// A calendar year (`2012 г.`).
    Year,
    /// From a start to an end (`2016-2020`, `От 01.10.2020г. до 30.04.2021г.`).
    Range,
    /// Wordings of different kinds in one cell (`31.10.2013г. Постоянен`).
    Multiple,
    /// No recognisable time (an empty cell, `-`, `по график`).
    Unspecified,
}

/// Which dates a deadline of a kind has.
enum Dates {
    Never,
    Always,
    /// Both or neither.
    Either,
}

impl DeadlineKind {
    /// Every kind, in the order of the declaration.
    pub const ALL: [DeadlineKind; 10] = [
        DeadlineKind::Ongoing,
        DeadlineKind::Periodic,
        DeadlineKind::Date,
        DeadlineKind::Month,
        DeadlineKind::Quarter,
        DeadlineKind::Half,
        DeadlineKind::Year,
        DeadlineKind::Range,
        DeadlineKind::Multiple,
        DeadlineKind::Unspecified,
    ];

    /// The name in the exchange format (`"ongoing"`, `"month"`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            DeadlineKind::Ongoing => "ongoing",
            DeadlineKind::Periodic => "periodic",
            DeadlineKind::Date => "date",
            DeadlineKind::Month => "month",
            DeadlineKind::Quarter => "quarter",
            DeadlineKind::Half => "half",
            DeadlineKind::Year => "year",
            DeadlineKind::Range => "range",
            DeadlineKind::Multiple => "multiple",
            DeadlineKind::Unspecified => "unspecified",
        }
    }

    /// The Bulgarian label shown to users.
    pub fn label_bg(self) -> &'static str {
        match self {
            DeadlineKind::Ongoing => "постоянен",
            DeadlineKind::Periodic => "периодичен",
            DeadlineKind::Date => "дата",
            DeadlineKind::Month => "месец",
            DeadlineKind::Quarter => "тримесечие",
            DeadlineKind::Half => "полугодие",
            DeadlineKind::Year => "година",
            DeadlineKind::Range => "период",
            DeadlineKind::Multiple => "няколко срока",
            DeadlineKind::Unspecified => "неуточнен",
        }
    }

    fn dates(self) -> Dates {
        match self {
            DeadlineKind::Ongoing | DeadlineKind::Periodic | DeadlineKind::Unspecified => Dates::Never,
            DeadlineKind::Date
            | DeadlineKind::Month
            | DeadlineKind::Quarter
            | DeadlineKind::Half
            | DeadlineKind::Year
            | DeadlineKind::Range => Dates::Always,
            DeadlineKind::Multiple => Dates::Either,
        }
    }
}

impl fmt::Display for DeadlineKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A name that is not one of the [`DeadlineKind`]s.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown deadline kind `{name}`")]
pub struct UnknownDeadlineKind {
    name: String,
}

impl UnknownDeadlineKind {
    /// The name that was not recognised.
    pub fn name(&self) -> &str {
        &self.name
    }
}

impl FromStr for DeadlineKind {
    type Err = UnknownDeadlineKind;

    /// Reads the name in the exchange format (`"ongoing"`, `"month"`, …), as
    /// [`DeadlineKind::as_str`] writes it.
    fn from_str(name: &str) -> Result<Self, Self::Err> {
        DeadlineKind::ALL
            .into_iter()
            .find(|kind| kind.as_str() == name)
            .ok_or_else(|| UnknownDeadlineKind { name: name.to_owned() })
    }
}

// ---------------------------------------------------------------------------------------------
// Context, deadline, errors
// ---------------------------------------------------------------------------------------------

/// Years a plan covers; used to fill a missing year. `from <= to`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DeadlineContext {
    pub period: Option<(i32, i32)>,
}

impl DeadlineContext {
    /// No plan period known: wordings without a year cannot be placed.
    pub const NONE: DeadlineContext = DeadlineContext { period: None };

    /// A plan for the years `from` to `to`, inclusive (given in either order).
    pub fn for_years(from: i32, to: i32) -> DeadlineContext {
        DeadlineContext { period: Some((from.min(to), from.max(to))) }
    }

    /// An annual plan.
    pub fn for_year(year: i32) -> DeadlineContext {
        DeadlineContext::for_years(year, year)
    }

    /// The year a wording without one takes (tolerates a period written the wrong way round).
    fn first_year(&self) -> Option<i32> {
        self.period.map(|(from, to)| from.min(to))
    }

    fn last_year(&self) -> Option<i32> {
        self.period.map(|(from, to)| from.max(to))
    }
}

/// Why a [`Deadline`] cannot be built from its parts.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeadlineError {
    #[error("a deadline of kind `{kind}` has no dates, but dates were given")]
    DatesNotAllowed { kind: DeadlineKind },
    #[error("a deadline of kind `{kind}` needs both a start and an end date")]
    DatesRequired { kind: DeadlineKind },
    #[error("a deadline of several kinds has either both a start and an end date or neither")]
    UnpairedDate,
    #[error("the deadline starts on {from}, after it ends on {to}")]
    FromAfterTo { from: NaiveDate, to: NaiveDate },
}

/// A deadline as written in a plan, with what it means.
///
/// Invariants: `ongoing`, `periodic` and `unspecified` have no dates; `date`, `month`, `quarter`,
/// `half`, `year` and `range` have both; `multiple` has both or neither; `from <= to`.
///
/// In JSON: `{"raw": "Декември 2020г.", "kind": "month", "from": "2020-12-01",
/// "to": "2020-12-31"}`, with `null` for missing dates. Deserialising checks the invariants.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "DeadlineWire", into = "DeadlineWire")]
pub struct Deadline {
    raw: String,
    kind: DeadlineKind,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
}

impl Deadline {
    /// Reads a deadline cell. Never fails: what cannot be read is `unspecified`, and `raw` is
    /// always the text exactly as given. See the [module documentation](self) for the rules.
    pub fn parse(raw: &str, context: &DeadlineContext) -> Deadline {
        let text = normalise(raw);
        let tokens = tokenise(&text);
        let parts = Recogniser::recognise(&tokens);
        let (kind, dates) = combine(&resolve(&parts, context));
        Deadline { raw: raw.to_owned(), kind, from: dates.map(|(from, _)| from), to: dates.map(|(_, to)| to) }
    }

    /// Builds a deadline from its parts, checking the invariants.
    ///
    /// # Errors
    ///
    /// [`DeadlineError::DatesNotAllowed`] for dates on `ongoing`, `periodic` or `unspecified`;
    /// [`DeadlineError::DatesRequired`] for a missing date on `date`, `month`, `quarter`, `half`,
    /// `year` or `range`; [`DeadlineError::UnpairedDate`] for only one date on `multiple`;
    /// [`DeadlineError::FromAfterTo`] when `from` is after `to`.
    pub fn new(
        raw: impl Into<String>,
        kind: DeadlineKind,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
    ) -> Result<Deadline, DeadlineError> {
        match (kind.dates(), from.is_some(), to.is_some()) {
            (Dates::Never | Dates::Either, false, false) | (Dates::Always | Dates::Either, true, true) => {}
            (Dates::Never, _, _) => return Err(DeadlineError::DatesNotAllowed { kind }),
            (Dates::Always, _, _) => return Err(DeadlineError::DatesRequired { kind }),
            (Dates::Either, _, _) => return Err(DeadlineError::UnpairedDate),
        }
        if let (Some(from), Some(to)) = (from, to)
            && from > to
        {
            return Err(DeadlineError::FromAfterTo { from, to });
        }
        Ok(Deadline { raw: raw.into(), kind, from, to })
    }

    /// An empty cell.
    pub fn unspecified() -> Deadline {
        Deadline { raw: String::new(), kind: DeadlineKind::Unspecified, from: None, to: None }
    }

    /// The text as written in the plan.
    pub fn raw(&self) -> &str {
        &self.raw
    }

    pub fn kind(&self) -> DeadlineKind {
        self.kind
    }

    /// The first day the wording allows.
    pub fn from(&self) -> Option<NaiveDate> {
        self.from
    }

    /// The last day the wording allows.
    pub fn to(&self) -> Option<NaiveDate> {
        self.to
    }

    /// Whether work with this deadline is late on `today`: its last day is before `today`.
    /// `ongoing`, `periodic` and `unspecified` deadlines (and `multiple` ones without dates) never
    /// are.
    pub fn is_past(&self, today: NaiveDate) -> bool {
        self.to.is_some_and(|to| to < today)
    }

    /// The same deadline a year later, for a plan copied as the start of the next year's.
    ///
    /// A deadline without dates (`Постоянен`, `ежемесечно`, an empty cell) stays as it is. One with
    /// dates moves both a year on, and its text writes every year one later — four-digit years
    /// (`Декември 2025г.` → `Декември 2026г.`, `2024-2028` → `2025-2029`) and the two-digit year
    /// of a numeric date (`31.10.25` → `31.10.26`); a wording without a year (`Март`) keeps its
    /// text and moves with the plan year. The last day of a month stays the last day of its month
    /// (`Февруари 2023` ends on 29 February 2024 a year later), except for a deadline that is one
    /// day: 29 February becomes 28 February, though its text still says `29.02`.
    pub fn a_year_later(&self) -> Deadline {
        let (Some(from), Some(to)) = (self.from, self.to) else {
            return self.clone();
        };
        let keep_month_end = self.kind != DeadlineKind::Date;
        Deadline {
            raw: years_one_later(&self.raw),
            kind: self.kind,
            from: Some(day_a_year_later(from, false)),
            to: Some(day_a_year_later(to, keep_month_end)),
        }
    }
}

impl Default for Deadline {
    fn default() -> Self {
        Deadline::unspecified()
    }
}

/// The same day of the year a year later (29 February becomes 28 February); with
/// `keep_month_end`, the last day of a month becomes the last day of that month.
fn day_a_year_later(day: NaiveDate, keep_month_end: bool) -> NaiveDate {
    let later = day.checked_add_months(Months::new(12)).unwrap_or(day);
    let last_of_month = |d: NaiveDate| d.succ_opt().is_none_or(|next| next.month() != d.month());
    if keep_month_end && last_of_month(day) {
        let mut end = later;
        while let Some(next) = end.succ_opt().filter(|n| n.month() == later.month()) {
            end = next;
        }
        end
    } else {
        later
    }
}

/// `raw` with every year it writes one later: the four-digit years of [`YEARS`], and the two-digit
/// year closing a numeric date (`31.10.25`: day, month, year glued by `.` or `/`).
fn years_one_later(raw: &str) -> String {
    let mut runs: Vec<(usize, usize)> = Vec::new();
    let mut start = None;
    for (i, c) in raw.char_indices().chain(std::iter::once((raw.len(), ' '))) {
        match (c.is_ascii_digit(), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                runs.push((s, i));
                start = None;
            }
            _ => {}
        }
    }
    let glued = |a: (usize, usize), b: (usize, usize)| matches!(&raw[a.1..b.0], "." | "/");
    let short_date_part = |r: (usize, usize)| (1..=2).contains(&(r.1 - r.0));
    let mut out = String::with_capacity(raw.len());
    let mut copied = 0;
    for (i, &(start, end)) in runs.iter().enumerate() {
        let Ok(value) = raw[start..end].parse::<i32>() else { continue };
        let later = match end - start {
            4 if YEARS.contains(&value) && YEARS.contains(&(value + 1)) => (value + 1).to_string(),
            2 if i >= 2
                && value != 89
                && short_date_part(runs[i - 2])
                && short_date_part(runs[i - 1])
                && glued(runs[i - 2], runs[i - 1])
                && glued(runs[i - 1], runs[i]) =>
            {
                format!("{:02}", (value + 1) % 100)
            }
            _ => continue,
        };
        out.push_str(&raw[copied..start]);
        out.push_str(&later);
        copied = end;
    }
    out.push_str(&raw[copied..]);
    out
}

/// The JSON shape of a [`Deadline`], checked on the way in.
#[derive(Serialize, Deserialize)]
struct DeadlineWire {
    raw: String,
    kind: DeadlineKind,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
}

impl TryFrom<DeadlineWire> for Deadline {
    type Error = DeadlineError;

    fn try_from(wire: DeadlineWire) -> Result<Self, Self::Error> {
        Deadline::new(wire.raw, wire.kind, wire.from, wire.to)
    }
}

impl From<Deadline> for DeadlineWire {
    fn from(deadline: Deadline) -> Self {
        DeadlineWire { raw: deadline.raw, kind: deadline.kind, from: deadline.from, to: deadline.to }
    }
}

// ---------------------------------------------------------------------------------------------
// Step 1: normalise
// ---------------------------------------------------------------------------------------------

/// The longest HTML tag that is dropped (`<p>`, `</p>`, `<br />`, `<span class="x">`).
const MAX_TAG_LEN: usize = 40;

/// Lower-cases `raw`, folds look-alike characters and drops HTML tags and invisible characters.
fn normalise(raw: &str) -> String {
    let mut text = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(c) = rest.chars().next() {
        if c == '<'
            && let Some(len) = html_tag_len(rest)
        {
            text.push(' ');
            rest = &rest[len..];
            continue;
        }
        rest = &rest[c.len_utf8()..];
        match c {
            // Soft hyphen, zero-width space/joiners, word joiner, byte-order mark.
            '\u{AD}' | '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}' => {}
            // Cyrillic І, typed for the Latin I of Roman numerals.
            'І' | 'і' => text.push('i'),
            // Hyphens, dashes, minus signs.
            '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{FE58}' | '\u{FE63}' | '\u{FF0D}' => {
                text.push('-');
            }
            c if c.is_whitespace() => text.push(' '),
            c => text.extend(c.to_lowercase()),
        }
    }
    text
}

/// The length in bytes of the HTML tag `text` starts with, if it starts with one.
fn html_tag_len(text: &str) -> Option<usize> {
    let mut chars = text.char_indices().skip(1);
    let (_, first) = chars.next()?;
    if !(first.is_ascii_alphabetic() || first == '/') {
        return None;
    }
    for (i, c) in chars.take(MAX_TAG_LEN) {
        match c {
            '>' => return Some(i + 1),
            c if c.is_ascii_alphanumeric() || matches!(c, '/' | ' ' | '=' | '"' | '\'' | '-' | '_') => {}
            _ => return None,
        }
    }
    None
}

// ---------------------------------------------------------------------------------------------
// Step 2: tokenise
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tok<'a> {
    /// A run of ASCII digits; `value` saturates, `digits` counts them all (`2012` has 4).
    Num {
        value: u32,
        digits: usize,
    },
    /// A run of letters, lower-cased.
    Word(&'a str),
    Dot,
    Dash,
    Slash,
    /// `,` or `;`.
    Comma,
    /// Any other symbol: it separates, and it starts nothing.
    Other,
}

#[derive(Debug, Clone, Copy)]
struct Token<'a> {
    tok: Tok<'a>,
    /// Whether whitespace came before the token.
    spaced: bool,
}

fn tokenise(text: &str) -> Vec<Token<'_>> {
    let mut tokens = Vec::new();
    let mut spaced = false;
    let mut chars = text.char_indices().peekable();
    while let Some((start, c)) = chars.next() {
        let tok = if c == ' ' {
            spaced = true;
            continue;
        } else if let Some(digit) = c.to_digit(10) {
            // `to_digit` takes ASCII digits only.
            let (mut value, mut digits) = (digit, 1);
            while let Some(digit) = chars.peek().and_then(|&(_, d)| d.to_digit(10)) {
                value = value.saturating_mul(10).saturating_add(digit);
                digits += 1;
                chars.next();
            }
            Tok::Num { value, digits }
        } else if c.is_alphabetic() {
            let mut end = start + c.len_utf8();
            while let Some(&(i, d)) = chars.peek()
                && d.is_alphabetic()
            {
                end = i + d.len_utf8();
                chars.next();
            }
            Tok::Word(&text[start..end])
        } else {
            match c {
                '.' => Tok::Dot,
                '-' => Tok::Dash,
                '/' | '\\' => Tok::Slash,
                ',' | ';' => Tok::Comma,
                _ => Tok::Other,
            }
        };
        tokens.push(Token { tok, spaced });
        spaced = false;
    }
    tokens
}

// ---------------------------------------------------------------------------------------------
// Step 3: recognise parts
// ---------------------------------------------------------------------------------------------

/// The months' names in Bulgarian, lower case, January first.
pub const MONTHS: [&str; 12] = [
    "януари",
    "февруари",
    "март",
    "април",
    "май",
    "юни",
    "юли",
    "август",
    "септември",
    "октомври",
    "ноември",
    "декември",
];

/// Words for "month": `м. март`, `Месец 1-3`.
const MONTH_WORDS: &[&str] = &["м", "мес", "месец", "месеци"];
/// Words that may follow a year: `2012 г.`, `2012 година`.
const YEAR_SUFFIXES: &[&str] = &["г", "гг", "год", "година", "години"];
/// Endings of ordinals: `II-ро`, `I-во`, `4-то`.
const ORDINAL_SUFFIXES: &[&str] = &["ро", "во", "то", "ри", "ви", "ти", "ра", "ва", "та"];
const QUARTER_WORDS: &[&str] = &["тримесечие", "тримесечия", "тримесечието", "трим"];
const HALF_WORDS: &[&str] = &["полугодие", "полугодия", "полугодието", "шестмесечие", "шестмесечия", "шестмесечието"];
/// Units of `на тримесечие`, `всяка година` (periodic).
const RECURRING_UNITS: &[&str] = &["седмица", "месец", "тримесечие", "полугодие", "шестмесечие", "година"];
/// Starts of words meaning "all the time".
const ONGOING_STEMS: &[&str] = &["постоян", "текущ", "целогодиш", "ежеднев", "непрекъснат", "перманент"];
/// Starts of words meaning "recurring".
const PERIODIC_STEMS: &[&str] = &[
    "периодич",
    "ежегод",
    "ежемесеч",
    "ежеседмич",
    "ежетримесеч",
    "тримесечн",
    "тримесечен",
    "шестмесечн",
    "шестмесечен",
    "полугодиш",
    "регуляр",
    "редов",
];
/// Whole words meaning "recurring".
const PERIODIC_WORDS: &[&str] = &["годишно", "месечно", "седмично"];

/// The month a word names: a full name or an abbreviation of at least three letters (`септ`).
/// Two letters are too few: `ма` could be март or май.
fn month_of(word: &str) -> Option<u32> {
    let long_enough = word.chars().nth(2).is_some();
    (1..).zip(MONTHS).find(|(_, name)| long_enough && name.starts_with(word)).map(|(number, _)| number)
}

/// The number of an ordinal word: a Roman numeral (`ii`, `iiро`) or `първо` … `четвърто`.
fn ordinal_word(word: &str) -> Option<u32> {
    const STEMS: [(&str, u32); 4] = [("първ", 1), ("втор", 2), ("трет", 3), ("четвърт", 4)];
    if let Some(&(_, number)) = STEMS.iter().find(|(stem, _)| word.starts_with(stem)) {
        return Some(number);
    }
    let numeral_len = word.find(|c| c != 'i' && c != 'v').unwrap_or(word.len());
    let (numeral, suffix) = word.split_at(numeral_len);
    if !suffix.is_empty() && !ORDINAL_SUFFIXES.contains(&suffix) {
        return None;
    }
    match numeral {
        "i" => Some(1),
        "ii" => Some(2),
        "iii" => Some(3),
        "iv" => Some(4),
        _ => None,
    }
}

/// A year written with `digits` digits, if it is one.
fn year_of(value: u32, digits: usize) -> Option<i32> {
    let year = match (digits, i32::try_from(value).ok()?) {
        (4, year) => year,
        (2, short) if short < 90 => 2000 + short,
        (2, short) => 1900 + short,
        _ => return None,
    };
    YEARS.contains(&year).then_some(year)
}

/// A stretch of a calendar year, as written; the year comes separately.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Unit {
    Day { day: u32, month: u32 },
    Month(u32),
    Quarter(u32),
    Half(u32),
    Year,
}

impl Unit {
    fn kind(self) -> DeadlineKind {
        match self {
            Unit::Day { .. } => DeadlineKind::Date,
            Unit::Month(_) => DeadlineKind::Month,
            Unit::Quarter(_) => DeadlineKind::Quarter,
            Unit::Half(_) => DeadlineKind::Half,
            Unit::Year => DeadlineKind::Year,
        }
    }

    /// The first and the last month.
    fn months(self) -> (u32, u32) {
        match self {
            Unit::Day { month, .. } | Unit::Month(month) => (month, month),
            Unit::Quarter(quarter) => (quarter.saturating_mul(3).saturating_sub(2), quarter.saturating_mul(3)),
            Unit::Half(half) => (half.saturating_mul(6).saturating_sub(5), half.saturating_mul(6)),
            Unit::Year => (1, 12),
        }
    }

    /// (month, day) of the first day, for ordering within a year.
    fn first_point(self) -> (u32, u32) {
        match self {
            Unit::Day { day, month } => (month, day),
            _ => (self.months().0, 1),
        }
    }

    /// (month, day) of the last day, for ordering within a year.
    fn last_point(self) -> (u32, u32) {
        match self {
            Unit::Day { day, month } => (month, day),
            _ => (self.months().1, 31),
        }
    }

    /// The first and the last day in `year`; `None` when there is no such day (`31.02`).
    fn dates(self, year: i32) -> Option<(NaiveDate, NaiveDate)> {
        if !YEARS.contains(&year) {
            return None;
        }
        if let Unit::Day { day, month } = self {
            let date = NaiveDate::from_ymd_opt(year, month, day)?;
            return Some((date, date));
        }
        let (first, last) = self.months();
        let from = NaiveDate::from_ymd_opt(year, first, 1)?;
        let to = if last == 12 {
            NaiveDate::from_ymd_opt(year, 12, 31)?
        } else {
            NaiveDate::from_ymd_opt(year, last.checked_add(1)?, 1)?.pred_opt()?
        };
        Some((from, to))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stamp {
    unit: Unit,
    year: Option<i32>,
}

impl Stamp {
    /// The month of a day.
    fn month(self) -> Option<u32> {
        match self.unit {
            Unit::Day { month, .. } => Some(month),
            _ => None,
        }
    }
}

/// How the two ends of a [`Span`] relate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// One wording: `start == end`.
    Point,
    /// Several of one unit: `I и II тримесечие`.
    List,
    /// `2016-2020`, `от март до юни`.
    Range,
    /// `от 2016 г.` with no end.
    OpenFrom,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Span {
    start: Stamp,
    end: Stamp,
    shape: Shape,
}

impl Span {
    fn point(unit: Unit, year: Option<i32>) -> Span {
        let stamp = Stamp { unit, year };
        Span { start: stamp, end: stamp, shape: Shape::Point }
    }

    fn stated_year(&self) -> Option<i32> {
        self.start.year.or(self.end.year)
    }
}

/// A recognised wording.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    Ongoing,
    Periodic,
    Span(Span),
}

/// A quarter or a half-year, named after an ordinal.
#[derive(Debug, Clone, Copy)]
enum PeriodUnit {
    Quarter,
    Half,
}

impl PeriodUnit {
    fn nth(self, number: u32) -> Option<Unit> {
        match self {
            PeriodUnit::Quarter => (1..=4).contains(&number).then_some(Unit::Quarter(number)),
            PeriodUnit::Half => (1..=2).contains(&number).then_some(Unit::Half(number)),
        }
    }
}

/// Walks the tokens and recognises the wordings. Each pattern method either recognises a wording
/// and leaves `pos` after it, or returns `None`; [`Recogniser::attempt`] then puts `pos` back.
struct Recogniser<'t, 'a> {
    tokens: &'t [Token<'a>],
    pos: usize,
}

impl<'a> Recogniser<'_, 'a> {
    fn recognise(tokens: &[Token<'a>]) -> Vec<Part> {
        let mut recogniser = Recogniser { tokens, pos: 0 };
        let mut parts = Vec::new();
        while recogniser.pos < tokens.len() {
            if let Some(span) = recogniser.attempt(Recogniser::span) {
                parts.push(Part::Span(span));
            } else if let Some(part) = recogniser.attempt(Recogniser::keyword) {
                parts.push(part);
            } else {
                recogniser.pos += 1;
            }
        }
        parts
    }

    /// Runs `pattern`; when it fails, puts the position back where it was.
    fn attempt<T>(&mut self, pattern: impl FnOnce(&mut Self) -> Option<T>) -> Option<T> {
        let start = self.pos;
        let result = pattern(self);
        if result.is_none() {
            self.pos = start;
        }
        result
    }

    fn peek(&self) -> Option<Token<'a>> {
        self.tokens.get(self.pos).copied()
    }

    fn next(&mut self) -> Option<Token<'a>> {
        let token = self.peek()?;
        self.pos += 1;
        Some(token)
    }

    fn next_word(&mut self) -> Option<&'a str> {
        self.attempt(|r| match r.next()?.tok {
            Tok::Word(word) => Some(word),
            _ => None,
        })
    }

    /// The value and the number of digits of the next number.
    fn next_num(&mut self) -> Option<(u32, usize)> {
        self.attempt(|r| match r.next()?.tok {
            Tok::Num { value, digits } => Some((value, digits)),
            _ => None,
        })
    }

    fn eat(&mut self, tok: Tok<'a>) -> bool {
        self.attempt(|r| (r.next()?.tok == tok).then_some(())).is_some()
    }

    fn eat_word_in(&mut self, words: &[&str]) -> bool {
        self.attempt(|r| r.next_word().filter(|word| words.contains(word))).is_some()
    }

    /// A `.` or `/` written right after the previous token, as inside `31.10.2013`.
    fn eat_date_separator(&mut self) -> bool {
        self.attempt(|r| {
            let token = r.next()?;
            (!token.spaced && matches!(token.tok, Tok::Dot | Tok::Slash)).then_some(())
        })
        .is_some()
    }

    /// Whether the token at the position is glued to a number before it by `.` or `/`, as the
    /// `1` in `2.1.4`.
    fn continues_a_number(&self) -> bool {
        let before = self.tokens.get(self.pos.saturating_sub(2)..self.pos);
        match (before, self.peek()) {
            (Some([number, separator]), Some(this)) => {
                matches!(number.tok, Tok::Num { .. })
                    && matches!(separator.tok, Tok::Dot | Tok::Slash)
                    && !separator.spaced
                    && !this.spaced
            }
            _ => false,
        }
    }

    /// Skips `г.`, `година` after a year.
    fn year_suffix(&mut self) {
        if self.eat_word_in(YEAR_SUFFIXES) {
            self.eat(Tok::Dot);
        }
    }

    /// A year after a month, a quarter, …: `Март 2012 г.`, `второ полугодие на 2015г.`,
    /// `I тримесечие, 2015`, `Q4/2015`.
    fn opt_year(&mut self) -> Option<i32> {
        self.attempt(|r| {
            if !r.eat(Tok::Comma) && !r.eat(Tok::Slash) {
                r.eat_word_in(&["на"]);
            }
            let year = match r.next_num()? {
                (value, 4) => year_of(value, 4)?,
                _ => return None,
            };
            r.year_suffix();
            Some(year)
        })
    }

    /// A time, possibly a range (`X - Y`, `X до Y`, `от X до Y`) or open-ended (`от X`).
    fn span(&mut self) -> Option<Span> {
        let open = self.eat_word_in(&["от"]);
        let first = self.time(true)?;
        if let Some(last) = self.attempt(|r| {
            r.range_connector().then_some(())?;
            r.time(true).or_else(|| r.short_end_year(&first))
        }) {
            return Some(Span { start: first.start, end: last.end, shape: Shape::Range });
        }
        Some(if open && first.shape == Shape::Point { Span { shape: Shape::OpenFrom, ..first } } else { first })
    }

    /// The `20` of `2016-20`: a two-digit year after a year, in its century.
    fn short_end_year(&mut self, start: &Span) -> Option<Span> {
        let (Unit::Year, Some(start_year), Shape::Point) = (start.start.unit, start.start.year, start.shape) else {
            return None;
        };
        let end_year = match self.next_num()? {
            (short, 2) => start_year - start_year % 100 + i32::try_from(short).ok()?,
            _ => return None,
        };
        if end_year <= start_year || !YEARS.contains(&end_year) {
            return None;
        }
        self.year_suffix();
        Some(Span::point(Unit::Year, Some(end_year)))
    }

    /// `-` or `до` (`до края на`) between the two ends of a range.
    fn range_connector(&mut self) -> bool {
        if self.eat(Tok::Dash) {
            return true;
        }
        if self.eat_word_in(&["до"]) {
            self.eat_word_in(&["края"]);
            self.eat_word_in(&["на"]);
            return true;
        }
        false
    }

    /// One time: a date, a month, a quarter, a half-year or a year. With `merge_year`, a year
    /// followed by a time without one gives it its year (`2015 г. I тримесечие`).
    fn time(&mut self, merge_year: bool) -> Option<Span> {
        match self.peek()?.tok {
            Tok::Num { .. } => {
                self.attempt(Recogniser::ordinal_period).or_else(|| self.attempt(|r| r.numeric(merge_year)))
            }
            Tok::Word(_) => self
                .attempt(Recogniser::ordinal_period)
                .or_else(|| self.attempt(Recogniser::month_period))
                .or_else(|| self.attempt(Recogniser::numbered_month))
                .or_else(|| self.attempt(Recogniser::q_or_h))
                .or_else(|| self.attempt(Recogniser::this_year)),
            _ => None,
        }
    }

    /// Wordings starting with a number: `31.10.2013г.`, `31.10.13`, `15.03.`, `11.2012`,
    /// `15 март 2015`, `2012 г.`, `2013-10-31`.
    fn numeric(&mut self, merge_year: bool) -> Option<Span> {
        let continues_a_number = self.continues_a_number();
        let (first, digits) = self.next_num()?;
        match digits {
            // The tail of a section number (`1.4.` in `Мярка 2.1.4.`) is not a date.
            1 | 2 if continues_a_number => None,
            1 | 2 => self
                .attempt(|r| r.numeric_date(first))
                .or_else(|| self.attempt(|r| r.day_and_month_name(first)))
                .or_else(|| self.attempt(|r| r.days_of_month_name(first))),
            4 => {
                let year = year_of(first, digits)?;
                if let Some(date) = self.attempt(|r| r.iso_date(year)) {
                    return Some(date);
                }
                self.year_suffix();
                if merge_year
                    && let Some(span) = self.attempt(|r| r.time(false).filter(|span| span.stated_year().is_none()))
                {
                    let start = Stamp { year: Some(year), ..span.start };
                    let end = Stamp { year: Some(year), ..span.end };
                    return Some(Span { start, end, ..span });
                }
                Some(Span::point(Unit::Year, Some(year)))
            }
            _ => None,
        }
    }

    /// The rest of `31.10.2013`, `31.10.13`, `15.03.` or `11.2012` after the first number.
    fn numeric_date(&mut self, first: u32) -> Option<Span> {
        if !self.eat_date_separator() {
            return None;
        }
        let (second, digits) = self.next_num()?;
        match digits {
            4 => {
                let year = year_of(second, digits)?;
                self.year_suffix();
                Some(Span::point(Unit::Month(first), Some(year)))
            }
            1 | 2 => {
                let day = Unit::Day { day: first, month: second };
                if !self.eat_date_separator() {
                    return Some(Span::point(day, None));
                }
                match self.next_num() {
                    None => Some(Span::point(day, None)),
                    Some((third, digits)) => {
                        let year = year_of(third, digits)?;
                        self.year_suffix();
                        Some(Span::point(day, Some(year)))
                    }
                }
            }
            _ => None,
        }
    }

    /// The rest of `2013-10-31` after the year.
    fn iso_date(&mut self, year: i32) -> Option<Span> {
        let mut tight_two_digits = || {
            let dash = self.next()?;
            let number = self.next()?;
            match (dash.tok, number.tok) {
                (Tok::Dash, Tok::Num { value, digits: 2 }) if !dash.spaced && !number.spaced => Some(value),
                _ => None,
            }
        };
        let month = tight_two_digits()?;
        let day = tight_two_digits()?;
        Some(Span::point(Unit::Day { day, month }, Some(year)))
    }

    /// The rest of `15 март 2015` after the day.
    fn day_and_month_name(&mut self, day: u32) -> Option<Span> {
        self.eat(Tok::Dot);
        let month = self.month_name()?;
        let year = self.opt_year();
        Some(Span::point(Unit::Day { day, month }, year))
    }

    /// The rest of `1-15 март 2015` after the first day.
    fn days_of_month_name(&mut self, first: u32) -> Option<Span> {
        if !self.eat(Tok::Dash) {
            return None;
        }
        let last = match self.next_num()? {
            (last, 1 | 2) => last,
            _ => return None,
        };
        let Span { end, .. } = self.day_and_month_name(last)?;
        let start = Stamp { unit: Unit::Day { day: first, month: end.month()? }, year: end.year };
        Some(Span { start, end, shape: Shape::Range })
    }

    /// `март`, `септ.`
    fn month_name(&mut self) -> Option<u32> {
        let month = self.attempt(|r| r.next_word().and_then(month_of))?;
        self.eat(Tok::Dot);
        Some(month)
    }

    /// `Декември 2020г.`, `Март`, `м. март`
    fn month_period(&mut self) -> Option<Span> {
        if self.eat_word_in(MONTH_WORDS) {
            self.eat(Tok::Dot);
        }
        let month = self.month_name()?;
        let year = self.opt_year();
        Some(Span::point(Unit::Month(month), year))
    }

    /// `месец 3`, `Месец 1-3`, `м. 11` (but not `м. 11.2012`, which is a month anyway).
    fn numbered_month(&mut self) -> Option<Span> {
        if !self.eat_word_in(MONTH_WORDS) {
            return None;
        }
        self.eat(Tok::Dot);
        let first = self.month_number()?;
        let last = self.attempt(|r| {
            r.eat(Tok::Dash).then_some(())?;
            r.month_number()
        });
        let year = self.opt_year();
        let start = Stamp { unit: Unit::Month(first), year };
        Some(match last {
            Some(last) => Span { start, end: Stamp { unit: Unit::Month(last), year }, shape: Shape::Range },
            None => Span { start, end: start, shape: Shape::Point },
        })
    }

    fn month_number(&mut self) -> Option<u32> {
        self.attempt(|r| {
            let (number, digits) = r.next_num()?;
            let date_follows = r.peek().is_some_and(|t| !t.spaced && matches!(t.tok, Tok::Dot | Tok::Slash));
            (digits <= 2 && (1..=12).contains(&number) && !date_follows).then_some(number)
        })
    }

    /// `Q2`, `Q2 2015`, `H1`
    fn q_or_h(&mut self) -> Option<Span> {
        let letter = self.next_word()?;
        let (number, digits) = self.next_num()?;
        if digits != 1 {
            return None;
        }
        let unit = match letter {
            "q" => PeriodUnit::Quarter.nth(number)?,
            "h" => PeriodUnit::Half.nth(number)?,
            _ => return None,
        };
        let year = self.opt_year();
        Some(Span::point(unit, year))
    }

    /// `годината`, `текущата година`: the plan's year.
    fn this_year(&mut self) -> Option<Span> {
        let word = self.next_word()?;
        let this_year = word == "годината"
            || ((matches!(word, "тази" | "същата" | "настоящата") || word.starts_with("текущ"))
                && self.eat_word_in(&["година", "годината"]));
        this_year.then(|| Span::point(Unit::Year, None))
    }

    /// Quarters and half-years after ordinals: `I тримесечие 2015`, `II-ро полугодие`,
    /// `4-то тримесечие`, `първо тримесечие`, `I-II тримесечие`, `I и II тримесечие`.
    fn ordinal_period(&mut self) -> Option<Span> {
        /// At most this many more ordinals before the unit: `I, II, III и IV тримесечие`.
        const MORE_ORDINALS: usize = 3;
        let first = self.ordinal()?;
        let (mut last, mut shape) = (first, Shape::Point);
        for _ in 0..MORE_ORDINALS {
            let Some((number, is_range)) = self.attempt(|r| {
                let is_range = if r.eat(Tok::Dash) {
                    true
                } else if r.eat(Tok::Comma) || r.eat_word_in(&["и"]) {
                    false
                } else {
                    return None;
                };
                Some((r.ordinal()?, is_range))
            }) else {
                break;
            };
            last = number;
            shape = if is_range || shape == Shape::Range { Shape::Range } else { Shape::List };
        }
        let unit = self.period_unit()?;
        let (start, end) = (unit.nth(first)?, unit.nth(last)?);
        let year = self.opt_year();
        Some(Span { start: Stamp { unit: start, year }, end: Stamp { unit: end, year }, shape })
    }

    /// `I`, `ІІ-ро`, `4-то`, `2`, `първо`
    fn ordinal(&mut self) -> Option<u32> {
        let number = match self.next()?.tok {
            Tok::Num { value, digits: 1 } if (1..=4).contains(&value) => value,
            Tok::Word(word) => ordinal_word(word)?,
            _ => return None,
        };
        self.attempt(|r| {
            r.eat(Tok::Dash);
            r.next_word().filter(|word| ORDINAL_SUFFIXES.contains(word))
        });
        Some(number)
    }

    fn period_unit(&mut self) -> Option<PeriodUnit> {
        let word = self.next_word()?;
        if QUARTER_WORDS.contains(&word) {
            self.eat(Tok::Dot);
            Some(PeriodUnit::Quarter)
        } else if HALF_WORDS.contains(&word) {
            Some(PeriodUnit::Half)
        } else {
            None
        }
    }

    /// Wordings without dates: `постоянен`, `през целия период`, `ежемесечно`, `на тримесечие`,
    /// `всяка година`.
    fn keyword(&mut self) -> Option<Part> {
        let word = self.next_word()?;
        if ONGOING_STEMS.iter().any(|stem| word.starts_with(stem)) {
            return Some(Part::Ongoing);
        }
        if PERIODIC_STEMS.iter().any(|stem| word.starts_with(stem)) || PERIODIC_WORDS.contains(&word) {
            return Some(Part::Periodic);
        }
        match word {
            "целия" | "целият" | "цялата" | "цялото" => {
                self.eat_word_in(&["период", "година", "срок", "време"]).then_some(Part::Ongoing)
            }
            "на" => self.eat_word_in(RECURRING_UNITS).then_some(Part::Periodic),
            // `всяка година`, `всяка учебна година`, `всеки работен ден`
            "всеки" | "всяка" | "всяко" => {
                let unit = |r: &mut Self| r.next_word().filter(|word| *word == "ден" || RECURRING_UNITS.contains(word));
                let unit = self.attempt(unit).or_else(|| {
                    self.attempt(|r| {
                        r.next_word()?;
                        unit(r)
                    })
                })?;
                Some(if unit == "ден" { Part::Ongoing } else { Part::Periodic })
            }
            _ => None,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Step 4: combine
// ---------------------------------------------------------------------------------------------

/// A part placed in time.
#[derive(Debug, Clone, Copy)]
struct Resolved {
    kind: DeadlineKind,
    dates: Option<(NaiveDate, NaiveDate)>,
}

impl Resolved {
    fn undated(kind: DeadlineKind) -> Resolved {
        Resolved { kind, dates: None }
    }
}

/// Places the parts in time, dropping those that cannot be placed (no year anywhere, no such day).
fn resolve(parts: &[Part], context: &DeadlineContext) -> Vec<Resolved> {
    let stated = |part: &Part| match part {
        Part::Span(span) => span.stated_year(),
        Part::Ongoing | Part::Periodic => None,
    };
    // The year stated by the nearest later part, for each part.
    let mut later_years = vec![None; parts.len()];
    let mut later = None;
    for (part, later_year) in parts.iter().zip(&mut later_years).rev() {
        *later_year = later;
        later = stated(part).or(later);
    }
    let mut earlier = None;
    let mut resolved = Vec::with_capacity(parts.len());
    for (part, later_year) in parts.iter().zip(later_years) {
        let dated = match part {
            Part::Ongoing => Some(Resolved::undated(DeadlineKind::Ongoing)),
            Part::Periodic => Some(Resolved::undated(DeadlineKind::Periodic)),
            Part::Span(span) => {
                let fallback = later_year.or(earlier).or(context.first_year());
                resolve_span(span, fallback, context)
            }
        };
        resolved.extend(dated);
        earlier = stated(part).or(earlier);
    }
    resolved
}

/// Places a span in time; `fallback` is the year for ends that state none.
fn resolve_span(span: &Span, fallback: Option<i32>, context: &DeadlineContext) -> Option<Resolved> {
    let (start, end) = (span.start.unit, span.end.unit);
    // Whether a range ends earlier in a year than it starts, as `ноември - февруари` does.
    let wraps = span.shape == Shape::Range && start.first_point() > end.last_point();
    // `year` moved `by` years when the span wraps.
    let across = |year: i32, by: i32| {
        if wraps { year.checked_add(by) } else { Some(year) }
    };
    let (start_year, end_year) = match (span.start.year, span.end.year) {
        (Some(start_year), Some(end_year)) => (start_year, end_year),
        (None, Some(end_year)) => (across(end_year, -1)?, end_year),
        (Some(start_year), None) => (start_year, across(start_year, 1)?),
        (None, None) => {
            let year = fallback?;
            (year, across(year, 1)?)
        }
    };
    let (start_from, start_to) = start.dates(start_year)?;
    let (end_from, end_to) = end.dates(end_year)?;
    let (from, mut to) = (start_from.min(end_from), start_to.max(end_to));
    let kind = match span.shape {
        Shape::Point | Shape::List => start.kind(),
        Shape::Range if start == end && start_year == end_year => start.kind(),
        Shape::Range => DeadlineKind::Range,
        Shape::OpenFrom => match context.last_year().and_then(|year| Unit::Year.dates(year)) {
            Some((_, period_end)) if period_end > to => {
                to = period_end;
                DeadlineKind::Range
            }
            _ => start.kind(),
        },
    };
    Some(Resolved { kind, dates: Some((from, to)) })
}

/// One kind for all the parts, and the earliest start and the latest end among them.
fn combine(parts: &[Resolved]) -> (DeadlineKind, Option<(NaiveDate, NaiveDate)>) {
    let Some(first) = parts.first() else {
        return (DeadlineKind::Unspecified, None);
    };
    let kind = if parts.iter().all(|part| part.kind == first.kind) { first.kind } else { DeadlineKind::Multiple };
    let dates = parts
        .iter()
        .filter_map(|part| part.dates)
        .reduce(|(from, to), (other_from, other_to)| (from.min(other_from), to.max(other_to)));
    (kind, dates)
}

#[cfg(test)]
mod tests {
    use super::*;
    use DeadlineKind::*;

    const NO_CONTEXT: DeadlineContext = DeadlineContext::NONE;

    fn date(iso: &str) -> NaiveDate {
        iso.parse().expect("a valid test date")
    }

    /// Parses `raw` and checks the kind and the dates (`None` for no dates).
    #[track_caller]
    fn check(raw: &str, context: &DeadlineContext, kind: DeadlineKind, dates: Option<(&str, &str)>) {
        let deadline = Deadline::parse(raw, context);
        let expected = (kind, dates.map(|(from, _)| date(from)), dates.map(|(_, to)| date(to)));
        assert_eq!((deadline.kind(), deadline.from(), deadline.to()), expected, "parsing {raw:?}");
        assert_eq!(deadline.raw(), raw);
    }

    #[track_caller]
    fn check_all(cases: &[(&str, Option<(&str, &str)>)], context: &DeadlineContext, kind: DeadlineKind) {
        for &(raw, dates) in cases {
            check(raw, context, kind, dates);
        }
    }

    // --- kinds --------------------------------------------------------------------------------

    #[test]
    fn every_kind_reads_back_from_its_name() {
        for kind in DeadlineKind::ALL {
            assert_eq!(kind.as_str().parse::<DeadlineKind>(), Ok(kind));
            assert_eq!(kind.to_string(), kind.as_str());
        }
    }

    #[test]
    fn kind_names_in_json_are_the_snake_case_names() {
        for kind in DeadlineKind::ALL {
            let json = serde_json::to_string(&kind).expect("a kind serialises");
            assert_eq!(json, format!("\"{}\"", kind.as_str()));
        }
    }

    #[test]
    fn an_unknown_kind_name_is_an_error() {
        let error = "Ongoing".parse::<DeadlineKind>().expect_err("names are lower case");
        assert_eq!(error.name(), "Ongoing");
        assert_eq!(error.to_string(), "unknown deadline kind `Ongoing`");
    }

    #[test]
    fn kinds_have_bulgarian_labels() {
        let labels: Vec<_> = DeadlineKind::ALL.into_iter().map(DeadlineKind::label_bg).collect();
        assert_eq!(
            labels,
            [
                "постоянен",
                "периодичен",
                "дата",
                "месец",
                "тримесечие",
                "полугодие",
                "година",
                "период",
                "няколко срока",
                "неуточнен"
            ]
        );
    }

    // --- new and invariants -------------------------------------------------------------------

    #[test]
    fn new_accepts_the_allowed_combinations() {
        let (from, to) = (Some(date("2020-12-01")), Some(date("2020-12-31")));
        for kind in [Ongoing, Periodic, Unspecified, Multiple] {
            assert!(Deadline::new("x", kind, None, None).is_ok(), "{kind}");
        }
        for kind in [Date, Month, Quarter, Half, Year, Range, Multiple] {
            assert!(Deadline::new("x", kind, from, to).is_ok(), "{kind}");
        }
        let same_day = Deadline::new("31.10.2013г.", Date, Some(date("2013-10-31")), Some(date("2013-10-31")));
        assert_eq!(same_day.map(|d| d.raw().to_owned()), Ok("31.10.2013г.".to_owned()));
    }

    #[test]
    fn new_rejects_dates_on_kinds_without_dates() {
        let day = Some(date("2020-12-01"));
        for kind in [Ongoing, Periodic, Unspecified] {
            assert_eq!(Deadline::new("x", kind, day, day), Err(DeadlineError::DatesNotAllowed { kind }));
            assert_eq!(Deadline::new("x", kind, day, None), Err(DeadlineError::DatesNotAllowed { kind }));
        }
    }

    #[test]
    fn new_rejects_missing_dates_on_kinds_with_dates() {
        let day = Some(date("2020-12-01"));
        for kind in [Date, Month, Quarter, Half, Year, Range] {
            assert_eq!(Deadline::new("x", kind, None, None), Err(DeadlineError::DatesRequired { kind }));
            assert_eq!(Deadline::new("x", kind, day, None), Err(DeadlineError::DatesRequired { kind }));
            assert_eq!(Deadline::new("x", kind, None, day), Err(DeadlineError::DatesRequired { kind }));
        }
    }

    #[test]
    fn new_rejects_a_multiple_deadline_with_only_one_date() {
        let day = Some(date("2020-12-01"));
        assert_eq!(Deadline::new("x", Multiple, day, None), Err(DeadlineError::UnpairedDate));
        assert_eq!(Deadline::new("x", Multiple, None, day), Err(DeadlineError::UnpairedDate));
    }

    #[test]
    fn new_rejects_a_start_after_the_end() {
        let (from, to) = (date("2021-01-01"), date("2020-12-31"));
        assert_eq!(Deadline::new("x", Range, Some(from), Some(to)), Err(DeadlineError::FromAfterTo { from, to }));
    }

    #[test]
    fn the_unspecified_deadline_is_empty_and_the_default() {
        let deadline = Deadline::unspecified();
        assert_eq!((deadline.raw(), deadline.kind(), deadline.from(), deadline.to()), ("", Unspecified, None, None));
        assert_eq!(Deadline::default(), deadline);
    }

    // --- JSON ---------------------------------------------------------------------------------

    #[test]
    fn a_deadline_round_trips_through_json_in_the_exchange_shape() {
        let deadline = Deadline::parse("Декември 2020г.", &NO_CONTEXT);
        let json = serde_json::to_string(&deadline).expect("a deadline serialises");
        assert_eq!(json, r#"{"raw":"Декември 2020г.","kind":"month","from":"2020-12-01","to":"2020-12-31"}"#);
        let back: Deadline = serde_json::from_str(&json).expect("and deserialises");
        assert_eq!(back, deadline);
    }

    #[test]
    fn a_deadline_without_dates_has_null_dates_in_json() {
        let deadline = Deadline::parse("Постоянен", &NO_CONTEXT);
        let json = serde_json::to_string(&deadline).expect("a deadline serialises");
        assert_eq!(json, r#"{"raw":"Постоянен","kind":"ongoing","from":null,"to":null}"#);
        assert_eq!(serde_json::from_str::<Deadline>(&json).expect("and deserialises"), deadline);
    }

    #[test]
    fn deserialising_an_invalid_combination_fails() {
        let invalid = [
            r#"{"raw":"Постоянен","kind":"ongoing","from":"2020-12-01","to":"2020-12-31"}"#,
            r#"{"raw":"2020","kind":"year","from":null,"to":null}"#,
            r#"{"raw":"x","kind":"range","from":"2021-01-01","to":"2020-12-31"}"#,
            r#"{"raw":"x","kind":"multiple","from":"2020-01-01","to":null}"#,
            r#"{"raw":"x","kind":"sometime","from":null,"to":null}"#,
            r#"{"raw":"x","kind":"date","from":"2020-02-30","to":"2020-02-30"}"#,
        ];
        for json in invalid {
            assert!(serde_json::from_str::<Deadline>(json).is_err(), "{json}");
        }
        let error = serde_json::from_str::<Deadline>(invalid[0]).expect_err("ongoing with dates");
        assert!(error.to_string().contains("kind `ongoing` has no dates"), "{error}");
    }

    // --- ongoing and periodic -----------------------------------------------------------------

    #[test]
    fn ongoing_wordings_have_no_dates() {
        let cases = [
            "Постоянен",
            "постоянно",
            "Постоянно",
            "ПОСТОЯНЕН",
            "текущ",
            "Текущо",
            "целогодишно",
            "през целия период",
            "Текущо през целия период на действие на Стратегията",
            "ежедневно",
            "всеки ден",
            "всеки работен ден",
            "Постоянен Постоянен Постоянен",
            "<p>Постоянен</p>",
            "  Постоянен\u{A0}",
        ];
        for raw in cases {
            check(raw, &DeadlineContext::for_year(2015), Ongoing, None);
        }
    }

    #[test]
    fn periodic_wordings_have_no_dates() {
        let cases = [
            "Периодично",
            "<p>Периодично</p>",
            "ежегодно",
            "ежемесечно",
            "Ежемесечен / На тримесечие",
            "на тримесечие",
            "всяка година",
            "всяка учебна година",
            "ежеседмично",
            "тримесечно",
            "веднъж годишно",
        ];
        for raw in cases {
            check(raw, &DeadlineContext::for_year(2015), Periodic, None);
        }
    }

    // --- dates --------------------------------------------------------------------------------

    #[test]
    fn numeric_dates_are_single_days() {
        let cases = [
            ("31.10.2013г.", Some(("2013-10-31", "2013-10-31"))),
            ("31.10.2013 г.", Some(("2013-10-31", "2013-10-31"))),
            ("до 30.04.2021", Some(("2021-04-30", "2021-04-30"))),
            ("30.04.2021 г", Some(("2021-04-30", "2021-04-30"))),
            ("1.3.2015", Some(("2015-03-01", "2015-03-01"))),
            ("31/10/2013", Some(("2013-10-31", "2013-10-31"))),
            ("31. 10. 2013", Some(("2013-10-31", "2013-10-31"))),
            ("2013-10-31", Some(("2013-10-31", "2013-10-31"))),
            ("29.02.2016", Some(("2016-02-29", "2016-02-29"))),
        ];
        check_all(&cases, &NO_CONTEXT, Date);
    }

    #[test]
    fn a_two_digit_year_is_in_this_century_or_the_nineties() {
        check("31.10.13", &NO_CONTEXT, Date, Some(("2013-10-31", "2013-10-31")));
        check("01.06.98", &NO_CONTEXT, Date, Some(("1998-06-01", "1998-06-01")));
    }

    #[test]
    fn dates_with_a_month_name_are_single_days() {
        check("15 март 2015 г.", &NO_CONTEXT, Date, Some(("2015-03-15", "2015-03-15")));
        check("до 31 декември 2015г.", &NO_CONTEXT, Date, Some(("2015-12-31", "2015-12-31")));
        check("до 15 март", &DeadlineContext::for_year(2015), Date, Some(("2015-03-15", "2015-03-15")));
        check("до 30.04.", &DeadlineContext::for_year(2021), Date, Some(("2021-04-30", "2021-04-30")));
    }

    #[test]
    fn an_impossible_date_is_not_recognised() {
        for raw in ["31.02.2015", "30.02.2016 г.", "29.02.2015", "45.10.2013", "10.13.2013", "00.10.2013"] {
            check(raw, &NO_CONTEXT, Unspecified, None);
        }
        check("31.02.2015 постоянно", &NO_CONTEXT, Ongoing, None);
    }

    // --- months -------------------------------------------------------------------------------

    #[test]
    fn month_wordings_cover_the_whole_month() {
        let cases = [
            ("Март 2012 г.", Some(("2012-03-01", "2012-03-31"))),
            ("Декември 2020г.", Some(("2020-12-01", "2020-12-31"))),
            ("Декември 2012", Some(("2012-12-01", "2012-12-31"))),
            ("м. март 2015", Some(("2015-03-01", "2015-03-31"))),
            ("11.2012", Some(("2012-11-01", "2012-11-30"))),
            ("11.2012г.", Some(("2012-11-01", "2012-11-30"))),
            ("м. 11.2012", Some(("2012-11-01", "2012-11-30"))),
            ("02/2016", Some(("2016-02-01", "2016-02-29"))),
            ("Февруари 2015", Some(("2015-02-01", "2015-02-28"))),
            ("яну. 2015", Some(("2015-01-01", "2015-01-31"))),
            ("фев. 2015", Some(("2015-02-01", "2015-02-28"))),
            ("септ. 2015", Some(("2015-09-01", "2015-09-30"))),
            ("окт. 2015", Some(("2015-10-01", "2015-10-31"))),
            ("до края на юни 2016 г.", Some(("2016-06-01", "2016-06-30"))),
        ];
        check_all(&cases, &NO_CONTEXT, Month);
    }

    #[test]
    fn every_month_name_is_recognised() {
        let names = [
            "януари",
            "февруари",
            "март",
            "април",
            "май",
            "юни",
            "юли",
            "август",
            "септември",
            "октомври",
            "ноември",
            "декември",
        ];
        for (number, name) in (1..).zip(names) {
            let deadline = Deadline::parse(&format!("{name} 2015"), &NO_CONTEXT);
            assert_eq!(deadline.kind(), Month, "{name}");
            assert_eq!(deadline.from(), NaiveDate::from_ymd_opt(2015, number, 1), "{name}");
        }
    }

    #[test]
    fn a_month_without_a_year_takes_the_plan_year() {
        check("Март", &DeadlineContext::for_year(2015), Month, Some(("2015-03-01", "2015-03-31")));
        check("месец 3", &DeadlineContext::for_year(2015), Month, Some(("2015-03-01", "2015-03-31")));
    }

    #[test]
    fn a_wording_without_a_year_takes_the_first_year_of_a_longer_plan() {
        check("Март", &DeadlineContext::for_years(2016, 2020), Month, Some(("2016-03-01", "2016-03-31")));
    }

    #[test]
    fn a_wording_without_a_year_and_without_a_context_is_unspecified() {
        for raw in ["Март", "II-ро тримесечие", "I-во шестмесечие", "до 15 март", "Q2", "годината"]
        {
            check(raw, &NO_CONTEXT, Unspecified, None);
        }
        check("Март, постоянно", &NO_CONTEXT, Ongoing, None);
    }

    #[test]
    fn a_wording_without_a_year_takes_the_year_of_its_neighbour_before_the_context() {
        let context = DeadlineContext::for_year(2010);
        check("Март, Юни 2015", &context, Month, Some(("2015-03-01", "2015-06-30")));
        check("Март 2015, Септември", &context, Month, Some(("2015-03-01", "2015-09-30")));
    }

    // --- quarters and halves ------------------------------------------------------------------

    #[test]
    fn quarter_wordings_cover_the_whole_quarter() {
        let context = DeadlineContext::for_year(2015);
        let cases = [
            ("I тримесечие 2015", Some(("2015-01-01", "2015-03-31"))),
            ("II-ро тримесечие", Some(("2015-04-01", "2015-06-30"))),
            ("ІІІ тримесечие 2015 г.", Some(("2015-07-01", "2015-09-30"))),
            ("IV тримесечие на 2016 г.", Some(("2016-10-01", "2016-12-31"))),
            ("Q2", Some(("2015-04-01", "2015-06-30"))),
            ("Q2 2016", Some(("2016-04-01", "2016-06-30"))),
            ("Q4/2016", Some(("2016-10-01", "2016-12-31"))),
            ("4-то тримесечие", Some(("2015-10-01", "2015-12-31"))),
            ("3 тримесечие", Some(("2015-07-01", "2015-09-30"))),
            ("първо тримесечие", Some(("2015-01-01", "2015-03-31"))),
            ("трето тримесечие на 2014", Some(("2014-07-01", "2014-09-30"))),
            ("до края на I тримесечие", Some(("2015-01-01", "2015-03-31"))),
            ("2016 г. I тримесечие", Some(("2016-01-01", "2016-03-31"))),
            ("I и II тримесечие 2016", Some(("2016-01-01", "2016-06-30"))),
        ];
        check_all(&cases, &context, Quarter);
    }

    #[test]
    fn cyrillic_and_latin_roman_numerals_are_the_same() {
        let context = DeadlineContext::for_year(2015);
        for raw in ["III тримесечие", "ІІІ тримесечие", "IІI тримесечие", "ііі тримесечие"]
        {
            check(raw, &context, Quarter, Some(("2015-07-01", "2015-09-30")));
        }
    }

    #[test]
    fn half_year_wordings_cover_the_whole_half() {
        let context = DeadlineContext::for_year(2015);
        let cases = [
            ("II-ро полугодие 2015", Some(("2015-07-01", "2015-12-31"))),
            ("I-во шестмесечие", Some(("2015-01-01", "2015-06-30"))),
            ("второ полугодие на 2016г.", Some(("2016-07-01", "2016-12-31"))),
            ("II полугодие", Some(("2015-07-01", "2015-12-31"))),
            ("1-во полугодие", Some(("2015-01-01", "2015-06-30"))),
            ("H2 2016", Some(("2016-07-01", "2016-12-31"))),
        ];
        check_all(&cases, &context, Half);
    }

    #[test]
    fn a_fifth_quarter_or_a_third_half_is_not_recognised() {
        let context = DeadlineContext::for_year(2015);
        for raw in ["V тримесечие", "III полугодие", "Q5", "5-то тримесечие"] {
            check(raw, &context, Unspecified, None);
        }
    }

    // --- years --------------------------------------------------------------------------------

    #[test]
    fn year_wordings_cover_the_whole_year() {
        let cases = [
            ("2012 г.", Some(("2012-01-01", "2012-12-31"))),
            ("2012", Some(("2012-01-01", "2012-12-31"))),
            ("2012г", Some(("2012-01-01", "2012-12-31"))),
            ("2012 година", Some(("2012-01-01", "2012-12-31"))),
            ("През 2016 г.", Some(("2016-01-01", "2016-12-31"))),
            ("до края на 2015 г.", Some(("2015-01-01", "2015-12-31"))),
            ("2015 и 2016", Some(("2015-01-01", "2016-12-31"))),
            ("2015/2016", Some(("2015-01-01", "2016-12-31"))),
        ];
        check_all(&cases, &NO_CONTEXT, Year);
    }

    #[test]
    fn the_current_year_is_the_plan_year() {
        let context = DeadlineContext::for_year(2015);
        for raw in ["до края на годината", "през текущата година", "тази година"]
        {
            check(raw, &context, Year, Some(("2015-01-01", "2015-12-31")));
        }
    }

    #[test]
    fn numbers_outside_1990_to_2100_are_not_years() {
        for raw in ["№ 250", "100 места", "1850", "2101 г.", "20120", "99999999999999999999"] {
            check(raw, &NO_CONTEXT, Unspecified, None);
        }
        check("1990", &NO_CONTEXT, Year, Some(("1990-01-01", "1990-12-31")));
        check("2100", &NO_CONTEXT, Year, Some(("2100-01-01", "2100-12-31")));
    }

    // --- ranges -------------------------------------------------------------------------------

    #[test]
    fn range_wordings_run_from_the_start_to_the_end() {
        let context = DeadlineContext::for_year(2015);
        let cases = [
            ("От 01.10.2020г. до 30.04.2021г.", Some(("2020-10-01", "2021-04-30"))),
            ("2016-2020", Some(("2016-01-01", "2020-12-31"))),
            ("2016 – 2020 г.", Some(("2016-01-01", "2020-12-31"))),
            ("2016 — 2020", Some(("2016-01-01", "2020-12-31"))),
            ("2017г.-2018г.", Some(("2017-01-01", "2018-12-31"))),
            ("01.01.2015 - 31.12.2015", Some(("2015-01-01", "2015-12-31"))),
            ("Март - Юни 2015", Some(("2015-03-01", "2015-06-30"))),
            ("I-II тримесечие 2016", Some(("2016-01-01", "2016-06-30"))),
            ("юни 2015 - декември 2016", Some(("2015-06-01", "2016-12-31"))),
            ("от 2016 до 2020 г.", Some(("2016-01-01", "2020-12-31"))),
            ("от март до юни", Some(("2015-03-01", "2015-06-30"))),
            ("Месец 1-3", Some(("2015-01-01", "2015-03-31"))),
            ("2020-2016", Some(("2016-01-01", "2020-12-31"))),
            ("2016-20 г.", Some(("2016-01-01", "2020-12-31"))),
            ("м. Март – м. Май 2015 г.", Some(("2015-03-01", "2015-05-31"))),
            ("1-15 март 2016", Some(("2016-03-01", "2016-03-15"))),
            ("15 - 30 юни", Some(("2015-06-15", "2015-06-30"))),
        ];
        check_all(&cases, &context, Range);
    }

    #[test]
    fn a_range_whose_end_is_earlier_in_the_year_crosses_the_new_year() {
        check("ноември - февруари 2016", &NO_CONTEXT, Range, Some(("2015-11-01", "2016-02-29")));
        check("декември 2015 - март", &NO_CONTEXT, Range, Some(("2015-12-01", "2016-03-31")));
        check("ноември - февруари", &DeadlineContext::for_year(2015), Range, Some(("2015-11-01", "2016-02-29")));
    }

    #[test]
    fn an_open_start_runs_to_the_end_of_the_plan() {
        let strategy = DeadlineContext::for_years(2016, 2020);
        check("от 2016 г.", &strategy, Range, Some(("2016-01-01", "2020-12-31")));
        check("от 01.10.2017", &strategy, Range, Some(("2017-10-01", "2020-12-31")));
        check("от март", &DeadlineContext::for_year(2015), Range, Some(("2015-03-01", "2015-12-31")));
    }

    #[test]
    fn an_open_start_without_a_later_plan_end_is_the_start_itself() {
        check("от 2016 г.", &NO_CONTEXT, Year, Some(("2016-01-01", "2016-12-31")));
        check("от 2020 г.", &DeadlineContext::for_years(2016, 2020), Year, Some(("2020-01-01", "2020-12-31")));
        check("от 01.10.2017", &NO_CONTEXT, Date, Some(("2017-10-01", "2017-10-01")));
    }

    // --- combinations -------------------------------------------------------------------------

    #[test]
    fn wordings_of_different_kinds_are_multiple() {
        let context = DeadlineContext::for_year(2013);
        check("31.10.2013г. Постоянен", &context, Multiple, Some(("2013-10-31", "2013-10-31")));
        check("2012 - постоянен", &context, Multiple, Some(("2012-01-01", "2012-12-31")));
        check("Март 2013, 2014", &context, Multiple, Some(("2013-03-01", "2014-12-31")));
        check("ежегодно до 31 март", &context, Multiple, Some(("2013-03-31", "2013-03-31")));
        check("постоянно, ежемесечни отчети", &context, Multiple, None);
    }

    #[test]
    fn several_wordings_of_one_kind_keep_that_kind() {
        check("Март 2015, Септември 2015", &NO_CONTEXT, Month, Some(("2015-03-01", "2015-09-30")));
        check("31.03.2015 и 30.09.2015", &NO_CONTEXT, Date, Some(("2015-03-31", "2015-09-30")));
        check("постоянно; текущо", &NO_CONTEXT, Ongoing, None);
    }

    // --- nothing recognisable -----------------------------------------------------------------

    #[test]
    fn cells_without_a_recognisable_time_are_unspecified() {
        let cases = [
            "",
            "   ",
            "\t\n",
            "-",
            "—",
            "-----------",
            "n/a",
            "по график",
            "при необходимост",
            "Срок",
            "Д „СД“ НПО",
            "<p></p>",
            "тримесечие",
            "I",
            "12",
        ];
        for raw in cases {
            check(raw, &DeadlineContext::for_year(2015), Unspecified, None);
        }
    }

    #[test]
    fn section_numbers_are_not_dates() {
        let context = DeadlineContext::for_year(2015);
        for raw in ["2.2.2.1. Деца с увреждания", "Мярка 2.1.4.", "1.1.3.2"] {
            check(raw, &context, Unspecified, None);
        }
    }

    #[test]
    fn a_schedule_word_does_not_hide_a_time() {
        check("по график, 2015", &NO_CONTEXT, Year, Some(("2015-01-01", "2015-12-31")));
    }

    #[test]
    fn the_raw_text_is_kept_exactly() {
        let raw = "  <p>Декември\u{A0}2012</p>\t";
        let deadline = Deadline::parse(raw, &NO_CONTEXT);
        assert_eq!(deadline.raw(), raw);
        assert_eq!(deadline.kind(), Month);
    }

    // --- is_past ------------------------------------------------------------------------------

    // --- a year later ---------------------------------------------------------------------

    #[test]
    fn a_year_later_writes_every_year_one_later_and_reads_as_the_new_text_would() {
        let cases = [
            ("31.10.2025г.", "31.10.2026г."),
            ("31.10.25", "31.10.26"),
            ("Декември 2025г.", "Декември 2026г."),
            ("II-ро полугодие 2025", "II-ро полугодие 2026"),
            ("I тримесечие 2025 г.", "I тримесечие 2026 г."),
            ("От 01.10.2025г. до 30.04.2026г.", "От 01.10.2026г. до 30.04.2027г."),
            ("2024 - 2028", "2025 - 2029"),
            ("2025-06-30", "2026-06-30"),
            ("ноември - февруари 2026", "ноември - февруари 2027"),
            ("Март", "Март"),
            ("до 15 март", "до 15 март"),
            ("от 01.10.2025", "от 01.10.2026"),
            ("31.10.2025г. Постоянен", "31.10.2026г. Постоянен"),
            ("Мярка 2.1.4, до 30.06.2025", "Мярка 2.1.4, до 30.06.2026"),
        ];
        let (this_year, next_year) = (DeadlineContext::for_year(2025), DeadlineContext::for_year(2026));
        for (raw, later_raw) in cases {
            let later = Deadline::parse(raw, &this_year).a_year_later();
            assert_eq!(later.raw(), later_raw);
            // The same as writing the new text in next year's plan.
            assert_eq!(later, Deadline::parse(later_raw, &next_year), "{raw}");
            assert_ne!(later.to(), Deadline::parse(raw, &this_year).to(), "{raw} moved");
        }
    }

    #[test]
    fn deadlines_without_dates_stay_as_they_are_a_year_later() {
        for raw in ["Постоянен", "ежемесечно", "", "-----", "при необходимост", "Март"]
        {
            let deadline = Deadline::parse(raw, &NO_CONTEXT);
            assert_eq!(deadline.a_year_later(), deadline, "{raw}");
        }
    }

    #[test]
    fn numbers_that_are_not_years_are_left_alone() {
        let deadline = Deadline::parse("до 30.06.2025, по решение № 250 за 100 места", &NO_CONTEXT);
        assert_eq!(deadline.a_year_later().raw(), "до 30.06.2026, по решение № 250 за 100 места");
    }

    #[test]
    fn the_end_of_february_stays_the_end_of_february() {
        let month = Deadline::parse("Февруари 2023", &NO_CONTEXT).a_year_later();
        assert_eq!((month.from(), month.to()), (Some(date("2024-02-01")), Some(date("2024-02-29"))));
        let month = Deadline::parse("Февруари 2024", &NO_CONTEXT).a_year_later();
        assert_eq!(month.to(), Some(date("2025-02-28")));
        // One day: the 29th becomes the 28th, the 28th stays the 28th.
        let leap_day = Deadline::parse("29.02.2024", &NO_CONTEXT).a_year_later();
        assert_eq!((leap_day.kind(), leap_day.to()), (Date, Some(date("2025-02-28"))));
        assert_eq!(Deadline::parse("28.02.2023", &NO_CONTEXT).a_year_later().to(), Some(date("2024-02-28")));
    }

    #[test]
    fn a_deadline_is_past_only_after_its_last_day() {
        let deadline = Deadline::parse("Декември 2020г.", &NO_CONTEXT);
        assert!(!deadline.is_past(date("2020-12-01")));
        assert!(!deadline.is_past(date("2020-12-31")));
        assert!(deadline.is_past(date("2021-01-01")));
    }

    #[test]
    fn ongoing_periodic_and_unspecified_deadlines_are_never_past() {
        for raw in ["Постоянен", "Периодично", "по график"] {
            assert!(!Deadline::parse(raw, &DeadlineContext::for_year(2012)).is_past(date("2100-12-31")), "{raw}");
        }
    }

    #[test]
    fn a_multiple_deadline_is_past_after_its_latest_day() {
        let deadline = Deadline::parse("31.10.2013г. Постоянен", &NO_CONTEXT);
        assert!(!deadline.is_past(date("2013-10-31")));
        assert!(deadline.is_past(date("2013-11-01")));
    }

    // --- context ------------------------------------------------------------------------------

    #[test]
    fn a_context_given_the_wrong_way_round_is_read_in_order() {
        assert_eq!(DeadlineContext::for_years(2020, 2016), DeadlineContext::for_years(2016, 2020));
        let backwards = DeadlineContext { period: Some((2020, 2016)) };
        check("Март", &backwards, Month, Some(("2016-03-01", "2016-03-31")));
        check("от 2017", &backwards, Range, Some(("2017-01-01", "2020-12-31")));
    }

    #[test]
    fn a_context_outside_the_supported_years_places_nothing() {
        for context in
            [DeadlineContext::for_year(i32::MAX), DeadlineContext::for_year(i32::MIN), DeadlineContext::for_year(3000)]
        {
            check("Март", &context, Unspecified, None);
            check("ноември - февруари", &context, Unspecified, None);
            check("от 2016", &context, Year, Some(("2016-01-01", "2016-12-31")));
        }
    }

    // --- robustness ---------------------------------------------------------------------------

    /// A small linear congruential generator, so the test needs no extra crate.
    struct Lcg(u64);

    impl Lcg {
        fn next(&mut self) -> u32 {
            self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            (self.0 >> 33) as u32
        }

        fn below(&mut self, n: usize) -> usize {
            self.next() as usize % n
        }
    }

    /// Checks what every parse result must satisfy.
    #[track_caller]
    fn assert_well_formed(deadline: &Deadline, raw: &str) {
        assert_eq!(deadline.raw(), raw);
        let rebuilt = Deadline::new(deadline.raw(), deadline.kind(), deadline.from(), deadline.to());
        assert_eq!(rebuilt.as_ref(), Ok(deadline), "parsing {raw:?}");
        for day in [deadline.from(), deadline.to()].into_iter().flatten() {
            assert!(YEARS.contains(&chrono::Datelike::year(&day)), "parsing {raw:?} gave {day}");
        }
    }

    #[test]
    fn parsing_random_text_never_panics_and_keeps_the_invariants() {
        /// Pieces of wordings, separated by `|`, to glue together at random.
        const FRAGMENTS: &str = "31|.|10|2013|г| |-|–|март|Q|2|II|І|-ро|тримесечие|полугодие|от|до|\
            края|постоянен|на|и|,|/|<p>|</p>|<|>|99|0|1990|2100|2101|4294967296|месец|годината|\
            текущата година|всяка|\u{301}|İ|ß|\u{FEFF}|\u{AD}|ноември|02|29|13|м|1|20|H|iv|ден|15";
        let fragments: Vec<&str> = FRAGMENTS.split('|').collect();
        let contexts = [
            DeadlineContext::NONE,
            DeadlineContext::for_year(2015),
            DeadlineContext::for_years(2016, 2020),
            DeadlineContext { period: Some((2020, 2016)) },
            DeadlineContext { period: Some((i32::MIN, i32::MAX)) },
            DeadlineContext::for_year(i32::MAX),
            DeadlineContext::for_year(2100),
        ];
        let mut rng = Lcg(0x5EED);
        let mut raw = String::new();
        for round in 0..4000 {
            raw.clear();
            for _ in 0..rng.below(24) {
                if rng.below(4) == 0 {
                    raw.push(char::from_u32(rng.next() % 0x11_0000).unwrap_or('\u{FFFD}'));
                } else {
                    raw.push_str(fragments[rng.below(fragments.len())]);
                }
            }
            let context = &contexts[round % contexts.len()];
            let deadline = Deadline::parse(&raw, context);
            assert_well_formed(&deadline, &raw);
            let _ = deadline.is_past(date("2015-06-01"));
        }
    }

    #[test]
    fn very_long_cells_are_parsed_in_linear_time_without_overflowing_the_stack() {
        let context = DeadlineContext::for_year(2015);
        for unit in ["2015 ", "31.10.2013г. Постоянен ", "I, ", "от ", "- ", "<p", "март - ", "ІІ-ро "]
        {
            let raw = unit.repeat(20_000);
            assert_well_formed(&Deadline::parse(&raw, &context), &raw);
        }
        let raw = "2015 ".repeat(20_000);
        check(&raw, &context, Year, Some(("2015-01-01", "2015-12-31")));
    }
}
