//! The service type of a text: which one social service a service name or an activity is about,
//! as a code of the service-type table (`service-types.tsv`).
//!
//! # How a text is read
//!
//! The text is folded ([`fold`]); Latin look-alike letters inside Cyrillic words become Cyrillic
//! (`HЖ` is `НЖ`), dashes become `-`, quotes `"`. Two kinds of **mentions** are then looked for:
//!
//! - **Names**, on the text lower-cased with everything but letters and digits removed, so that
//!   words broken by a stray space (`наста няване`, `Продължа ване`) and hyphenation still match.
//!   A name must begin where a word begins. Each name is a stem with its inflections
//!   (`Център`/`Центъра`/`Центрове` за обществена подкрепа, `Защитено`/`Защитени жилища`,
//!   `Домашния социален патронаж`, `приемни семейства`, `общностни центрове`). A *дневен център* is
//!   classified by the words that follow it: children (`за деца и младежи с увреждания`), adults with
//!   disabilities (`за възрастни с …`, `за хора с увреждания`), old people (`за стари хора`), or
//!   both children and adults (the mixed `day_centre`).
//! - **Abbreviations**, as upper-case words: `ЦОП`, `ЦНСТ` and its variants (`ЦНСТДМУ`, `МГД`),
//!   `ЦСРИ`, `ДЦДУ`/`ДЦДМУ`, `ДЦПЛУ`, `ДЦСХ`, `КЦ`, `ЗЖ`, `НЖ`, `ПЖ`, `ЗМБ`, `ДСХ`, `ДВХФУ`…,
//!   `ДДЛРГ`, `ДДУИ`, `ДМСГД` (also the slip `ДМСДГ`), `ЦВН`, `ОЦ`, `ЦРИ`, `ЛА`, and every other
//!   abbreviation of the table. The ambiguous ones (`ОТ`, `ТО`, `П`, `СА`, `ДП`, `АП`, `КП`, `ПГ`
//!   are also ordinary words or other institutions; `ЦДГ` is mostly a kindergarten) count only in a
//!   list of abbreviations («ДП, СА и ЛА»).
//!
//! Overlapping mentions keep the one that starts first (the longer at the same start), so
//! «Консултативен център за социална рехабилитация» is a counselling centre, not a ЦСРИ.
//! Service types an administrator adds to the table are found by their abbreviation and by their
//! name up to the first `(` or `,`.
//!
//! # Decisions
//!
//! - `ДСП` is almost always the Дирекция „Социално подпомагане“; it is the Домашен социален патронаж
//!   only as the first word of the text (a service name such as «ДСП с. Х»).
//! - [`mentioned_service_types`] lists every type named, in the order of first mention.
//!   [`service_type`] looks for the one the text is *about* and leaves out mentions that are not
//!   its subject: those after «извършва се от» / «изпълнява се от» (who carries it out), those right
//!   after «към» or «при» (the host: «Дневен център … към ДМСГД»), the source of a transformation
//!   («трансформиране на Наблюдавано жилище в ЦНСТ» is about the ЦНСТ), and an apposition after a
//!   dash («ДМСГД - Медико-социална услуга» is the ДМСГД). One type left gives that type; several
//!   («ЦОП и ЦСРИ», «13 ЦНСТ и 3 Защитени жилища») give `None`.
//! - A text whose first words are about a training, a campaign, a seminar, a course, a conference,
//!   a forum or supervision is not about a service: `None`.
//! - A text that names no known type but opens or provides one service («Разкриване на мобилна
//!   услуга за …», «Предоставяне на социалната услуга „…“») is `other`. A bare service name of no
//!   known type («Междупоколенческа къща») is `None` here; a caller that knows the row is a service
//!   writes `other`.
//! - Descriptions alone («дневна грижа», «кризисно настаняване») name no type.

use std::sync::LazyLock;

use grizha_domain::codes::CodeTables;
use regex::Regex;

use crate::text::fold;

/// The service-type code of the one social service `text` is about; `None` when it names none,
/// several different ones, or is not about a service. See the [module documentation](self).
pub fn service_type(text: &str, codes: &CodeTables) -> Option<String> {
    let text = Prepared::new(text);
    if is_not_about_a_service(&text) {
        return None;
    }
    let kinds = distinct(&subjects(&text, mentions(&text, codes)));
    match kinds.as_slice() {
        [kind] => Some(kind.clone()),
        [] => (codes.service_type(OTHER).is_some() && OPENS_A_SERVICE.is_match(&text.lower)).then(|| OTHER.to_owned()),
        _ => None,
    }
}

/// Every distinct service-type code `text` names, in the order of first mention.
pub fn mentioned_service_types(text: &str, codes: &CodeTables) -> Vec<String> {
    let text = Prepared::new(text);
    distinct(&mentions(&text, codes))
}

const OTHER: &str = "other";

/// A type named at `start..end` (char indexes into [`Prepared::chars`]).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Mention {
    code: String,
    start: usize,
    end: usize,
}

fn distinct(mentions: &[Mention]) -> Vec<String> {
    let mut codes: Vec<String> = Vec::new();
    for m in mentions {
        if !codes.contains(&m.code) {
            codes.push(m.code.clone());
        }
    }
    codes
}

// ---------------------------------------------------------------------------------------------
// The prepared text
// ---------------------------------------------------------------------------------------------

/// A text prepared for matching: folded, look-alikes mapped, with a lower-case copy and a
/// "squashed" copy (lower-case letters and digits only) whose matches map back to the text.
pub(super) struct Prepared {
    /// The folded text, case kept.
    pub(super) chars: Vec<char>,
    /// `chars` lower-cased, char for char.
    pub(super) lower: String,
    /// For each byte of `lower` that starts a char: the index of that char.
    lower_at: Vec<usize>,
    squashed: String,
    /// For each byte of `squashed` that starts a char: the index into `chars`.
    squashed_at: Vec<usize>,
}

fn is_cyrillic(c: char) -> bool {
    ('\u{0400}'..='\u{04FF}').contains(&c)
}

/// The Cyrillic letter a Latin letter looks like.
fn cyrillic_look_alike(c: char) -> Option<char> {
    Some(match c {
        'A' => 'А',
        'B' => 'В',
        'C' => 'С',
        'E' => 'Е',
        'H' => 'Н',
        'K' => 'К',
        'M' => 'М',
        'O' => 'О',
        'P' => 'Р',
        'T' => 'Т',
        'X' => 'Х',
        'Y' => 'У',
        'a' => 'а',
        'c' => 'с',
        'e' => 'е',
        'k' => 'к',
        'o' => 'о',
        'p' => 'р',
        'x' => 'х',
        'y' => 'у',
        _ => return None,
    })
}

impl Prepared {
    pub(super) fn new(text: &str) -> Prepared {
        let mut chars: Vec<char> = fold(text)
            .chars()
            .filter(|c| !matches!(c, '\u{ad}' | '\u{200b}' | '\u{200c}' | '\u{200d}' | '\u{feff}'))
            .map(|c| match c {
                '–' | '—' | '‑' | '−' | '‒' => '-',
                '„' | '“' | '”' | '«' | '»' | '‟' | '″' => '"',
                '\u{a0}' => ' ',
                c => c,
            })
            .collect();
        // Latin look-alikes inside words that have Cyrillic letters.
        let mut i = 0;
        while i < chars.len() {
            if !chars[i].is_alphanumeric() {
                i += 1;
                continue;
            }
            let start = i;
            while i < chars.len() && chars[i].is_alphanumeric() {
                i += 1;
            }
            if chars[start..i].iter().any(|&c| is_cyrillic(c)) {
                for c in &mut chars[start..i] {
                    if let Some(cyrillic) = cyrillic_look_alike(*c) {
                        *c = cyrillic;
                    }
                }
            }
        }
        let mut lower = String::with_capacity(text.len());
        let mut lower_at = Vec::with_capacity(text.len());
        let mut squashed = String::with_capacity(text.len());
        let mut squashed_at = Vec::with_capacity(text.len());
        for (index, &c) in chars.iter().enumerate() {
            let l = c.to_lowercase().next().unwrap_or(c);
            lower.push(l);
            lower_at.resize(lower.len(), index);
            if l.is_alphanumeric() {
                squashed.push(l);
                squashed_at.resize(squashed.len(), index);
            }
        }
        Prepared { chars, lower, lower_at, squashed, squashed_at }
    }

    pub(super) fn is_word_start(&self, i: usize) -> bool {
        self.chars.get(i).is_some_and(|c| c.is_alphanumeric()) && (i == 0 || !self.chars[i - 1].is_alphanumeric())
    }

    pub(super) fn is_word_end(&self, i: usize) -> bool {
        self.chars.get(i).is_some_and(|c| c.is_alphanumeric())
            && self.chars.get(i + 1).is_none_or(|c| !c.is_alphanumeric())
    }

    /// The char index of a byte offset into `lower` (its length maps to the end).
    pub(super) fn lower_char(&self, byte: usize) -> usize {
        self.lower_at.get(byte).copied().unwrap_or(self.chars.len())
    }

    /// The byte offset in `lower` of char `index` (the length for the end).
    pub(super) fn lower_byte(&self, index: usize) -> usize {
        self.lower.char_indices().nth(index).map_or(self.lower.len(), |(b, _)| b)
    }

    /// Matches of `re` on the squashed text that begin where a word begins (and, with `word_end`,
    /// end where a word ends), as char ranges of the text.
    pub(super) fn find_loose(&self, re: &Regex, word_end: bool) -> Vec<(usize, usize)> {
        let mut found = Vec::new();
        let mut at = 0;
        while at <= self.squashed.len() {
            let Some(m) = re.find_at(&self.squashed, at) else { break };
            let start = self.squashed_at[m.start()];
            let last_byte = self.squashed[..m.end()].char_indices().next_back().map_or(m.start(), |(b, _)| b);
            let last = self.squashed_at[last_byte];
            if !m.is_empty() && self.is_word_start(start) && (!word_end || self.is_word_end(last)) {
                found.push((start, last + 1));
                at = m.end();
            } else {
                at = m.start() + self.squashed[m.start()..].chars().next().map_or(1, char::len_utf8);
            }
        }
        found
    }

    /// The words of the text (runs of letters and digits) as char ranges.
    pub(super) fn words(&self) -> Vec<(usize, usize)> {
        let mut words = Vec::new();
        let mut i = 0;
        while i < self.chars.len() {
            if self.chars[i].is_alphanumeric() {
                let start = i;
                while i < self.chars.len() && self.chars[i].is_alphanumeric() {
                    i += 1;
                }
                words.push((start, i));
            } else {
                i += 1;
            }
        }
        words
    }

    fn slice(&self, start: usize, end: usize) -> String {
        self.chars[start..end].iter().collect()
    }

    /// The word that ends right before char `i` (skipping spaces), lower-cased.
    fn word_before(&self, i: usize) -> String {
        let mut end = i;
        while end > 0 && self.chars[end - 1].is_whitespace() {
            end -= 1;
        }
        let mut start = end;
        while start > 0 && self.chars[start - 1].is_alphanumeric() {
            start -= 1;
        }
        self.slice(start, end).to_lowercase()
    }
}

// ---------------------------------------------------------------------------------------------
// Mentions
// ---------------------------------------------------------------------------------------------

/// Marks the day centre, which is classified by the words after it.
const DAY_CENTRE: &str = "@day_centre";

/// Names, on the squashed text: (code, pattern, must end at a word end). `{C}` is «център» in its
/// forms, `{H}` «дом», `{S}` «с»/«със».
const NAMES: &[(&str, &str, bool)] = &[
    ("community_support_centre", "{C}заобщественаподкрепа", false),
    ("family_type_centre", "{C}занастаняване(?:то)?отсемеентип", false),
    ("family_type_centre", "мал(?:ък|кия|кият|ки|ките)групов(?:ия|ият|и|ите)?дом", false),
    ("rehab_integration_centre", "{C}засоциалнарехабилитация", false),
    (DAY_CENTRE, "днев(?:ен|ния|ният|ни|ните){C}", false),
    ("day_care_centre", "{C}задневнагрижа", false),
    ("crisis_centre", "кризис(?:ен|ния|ният|ни|ните){C}", false),
    ("protected_housing", "защитен(?:о|и|ото|ите)жилищ", false),
    ("supervised_housing", "наблюдаван(?:о|и|ото|ите)жилищ", false),
    ("transitional_housing", "преходн(?:о|и|ото|ите)жилищ", false),
    ("mother_baby_unit", "майкаибебе", false),
    ("foster_care", "приемн(?:а|ата)грижа", false),
    ("foster_care", "прием(?:н|ан)(?:и|о|ото|ите|а|ата)(?:семейств|родител)", false),
    ("home_social_patronage", "домаш(?:ен|ния|ният)социал(?:ен|ния|ният)патронаж", false),
    ("home_social_patronage", "патронаж", false),
    ("personal_assistant", "лич(?:ен|ни|ния|ният|ните)асистент", false),
    ("social_assistant", "социал(?:ен|ни|ния|ният|ните)асистент", false),
    ("home_helper", "домаш(?:ен|ни|ния|ният|ните)помощни", false),
    ("assistant_support", "асистентска(?:та)?подкрепа", false),
    ("public_canteen", "обществен(?:а|и|ата|ите)трапезари", false),
    ("hot_meal", "(?:топъл|топлия|топлият)обяд", false),
    ("pensioners_club", "клуб(?:а|ът|ове|овете)?на(?:пенсионер|инвалид|хора)", false),
    ("pensioners_club", "пенсионерск(?:и|ия|ият|ите)клуб", false),
    ("elderly_home", "{H}за(?:стари|възрастни)хора", false),
    ("elderly_home", "институци(?:я|ята|и|ите)застарихора", false),
    ("home_adults_physical", "{H}завъзрастни(?:хора|лица)?{S}физическиувреждания", false),
    ("home_adults_mental", "{H}завъзрастни(?:хора|лица)?{S}психични", false),
    ("home_adults_intellectual", "{H}завъзрастни(?:хора|лица)?{S}(?:умственаизостаналост|интелектуални)", false),
    ("home_adults_sensory", "{H}завъзрастни(?:хора|лица)?{S}сетивни", false),
    ("home_adults_dementia", "{H}завъзрастни(?:хора|лица)?{S}деменция", false),
    ("children_home", "{H}задецалишениотродителска", false),
    (
        "children_home_disabilities",
        "{H}задеца(?:имладежи)?{S}(?:умственаизостаналост|физическиувреждания|увреждания|интелектуални)",
        false,
    ),
    ("medico_social_home_children", "{H}замедикосоциалнигрижизадеца", false),
    ("temporary_accommodation", "{C}завременнонастаняване", false),
    ("shelter", "приют(?:ите|ът|а|и)?", true),
    ("community_centre", "общност(?:ен|ния|ният|ни|ните){C}", false),
    ("early_intervention", "(?:{C}за)?ранна(?:та)?(?:медикосоциална)?интервенци", false),
    ("counselling_centre", "консултатив(?:ен|ния|ният|ни|ните){C}", false),
    ("integrated_health_social", "хоспис", false),
    ("integrated_health_social", "интегриран(?:а|и|ата|ите)здравносоциалн", false),
    ("integrated_health_social", "медикосоциалн(?:а|и|ата|ите)услуг", false),
    ("health_mediator", "здрав(?:ен|ни|ния|ният|ните)медиатор", false),
    (OTHER, "асистент(?:и)?занезависимживот", false),
];

/// Abbreviations and their variants, matched against whole upper-case words, first match wins.
const ABBREVIATIONS: &[(&str, &str)] = &[
    ("family_type_centre", "ЦНСТ[А-Я]*|МГД"),
    ("day_centre", "ДЦДВ[А-Я]*|ДЦ"),
    ("day_centre_children_disabilities", "ДЦД[А-Я]*"),
    ("day_centre_elderly", "ДЦСХ|ДЦВХ"),
    ("day_centre_adults_disabilities", "ДЦ(?:ПЛ|ВЛ|ВХ|В|Л)[А-Я]*"),
    ("protected_housing", "ЗЖ[А-Я]*"),
    ("home_adults_physical", "ДВ[ХЛ]?ФУ"),
    ("home_adults_mental", "ДВ[ХЛ]?П[РУ]"),
    ("home_adults_intellectual", "ДВ[ХЛ]?УИ"),
    ("home_adults_sensory", "ДВ[ХЛ]?С[НУ]"),
    ("home_adults_dementia", "ДВ[ХЛ]?Д"),
    ("children_home", "ДДЛРГ"),
    ("children_home_disabilities", "ДД[УФМ][А-Я]*"),
    ("medico_social_home_children", "ДМС(?:ГД|ДГ)"),
    ("early_intervention", "ЦРИ|ЦРМСИ"),
];

/// Abbreviations of the table that are also ordinary words or name other things.
const AMBIGUOUS_ABBREVIATIONS: &[&str] = &["ОТ", "ТО", "П", "СА", "ДП", "АП", "КП", "ПГ", "ЦДГ", "ДСП", "—"];

static NAME_RULES: LazyLock<Vec<(&'static str, Regex, bool)>> = LazyLock::new(|| {
    NAMES
        .iter()
        .map(|&(code, pattern, word_end)| {
            let pattern = pattern
                .replace("{C}", "цент(?:ър|ъра|ърът|рове|ровете)")
                .replace("{H}", "дом(?:а|ът|ове|овете)?")
                .replace("{S}", "(?:с|със)");
            (code, Regex::new(&pattern).expect("a valid name pattern"), word_end)
        })
        .collect()
});

static ABBREVIATION_RULES: LazyLock<Vec<(&'static str, Regex)>> = LazyLock::new(|| {
    ABBREVIATIONS
        .iter()
        .map(|&(code, pattern)| (code, Regex::new(&format!("^(?:{pattern})$")).expect("a valid abbreviation pattern")))
        .collect()
});

/// The codes the built-in rules know; other codes of the table are matched by name and abbreviation.
fn has_builtin_rules(code: &str) -> bool {
    code == "day_centre_children_disabilities"
        || code == "day_centre_adults_disabilities"
        || code == "day_centre_elderly"
        || code == "day_centre"
        || NAMES.iter().any(|&(c, _, _)| c == code)
        || ABBREVIATIONS.iter().any(|&(c, _)| c == code)
}

fn mentions(text: &Prepared, codes: &CodeTables) -> Vec<Mention> {
    let known = |code: &str| codes.service_type(code).is_some();
    let mut found: Vec<Mention> = Vec::new();
    for (code, re, word_end) in NAME_RULES.iter() {
        for (start, end) in text.find_loose(re, *word_end) {
            let code = if *code == DAY_CENTRE { day_centre_kind(text, end) } else { code };
            if known(code) {
                found.push(Mention { code: code.to_owned(), start, end });
            }
        }
    }
    // Types added to the table: their name up to the first `(` or `,`.
    for kind in codes.service_types.iter().filter(|t| !has_builtin_rules(t.code.as_str())) {
        let name: String = kind
            .name
            .split(['(', ','])
            .next()
            .unwrap_or_default()
            .chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect();
        if name.chars().count() >= 4
            && let Ok(re) = Regex::new(&regex::escape(&name))
        {
            for (start, end) in text.find_loose(&re, false) {
                found.push(Mention { code: kind.code.as_str().to_owned(), start, end });
            }
        }
    }
    let words = text.words();
    let abbreviation =
        |word: &str| -> Option<&str> {
            ABBREVIATION_RULES.iter().find(|(_, re)| re.is_match(word)).map(|&(code, _)| code).or_else(|| {
                codes.service_types.iter().find(|t| t.abbr.as_deref() == Some(word)).map(|t| t.code.as_str())
            })
        };
    for (index, &(start, end)) in words.iter().enumerate() {
        let word = text.slice(start, end);
        let code = if word == "ДСП" {
            (index == 0).then_some("home_social_patronage")
        } else if AMBIGUOUS_ABBREVIATIONS.contains(&word.as_str()) {
            // «ДП, СА и ЛА»: in a list of abbreviations they are the services.
            let listed = [index.checked_sub(1), Some(index + 1)].into_iter().flatten().any(|j| {
                words.get(j).is_some_and(|&(s, e)| {
                    let (from, to) = if j < index { (e, start) } else { (end, s) };
                    let between = text.slice(from, to);
                    let neighbour = text.slice(s, e);
                    neighbour != "ДСП"
                        && abbreviation(&neighbour).is_some()
                        && between.chars().all(|c| c.is_whitespace() || matches!(c, ',' | '/' | '(' | ')'))
                })
            }) || [index.checked_sub(2), Some(index + 2)].into_iter().flatten().any(|j| {
                // … or with «и» / «или» between.
                let conj = if j < index { index - 1 } else { index + 1 };
                words.get(j).is_some_and(|&(s, e)| {
                    let neighbour = text.slice(s, e);
                    let (cs, ce) = words[conj];
                    matches!(text.slice(cs, ce).as_str(), "и" | "или")
                        && neighbour != "ДСП"
                        && abbreviation(&neighbour).is_some()
                })
            });
            if listed { abbreviation(&word) } else { None }
        } else if word.chars().all(|c| c.is_uppercase() || c.is_ascii_digit())
            || codes.service_types.iter().any(|t| t.abbr.as_deref() == Some(word.as_str()))
        {
            abbreviation(&word)
        } else {
            None
        };
        if let Some(code) = code.filter(|&c| known(c)) {
            found.push(Mention { code: code.to_owned(), start, end });
        }
    }
    // Overlapping mentions: the earlier start wins, then the longer.
    found.sort_by(|a, b| a.start.cmp(&b.start).then(b.end.cmp(&a.end)));
    let mut kept: Vec<Mention> = Vec::new();
    for m in found {
        if kept.last().is_none_or(|last| m.start >= last.end) {
            kept.push(m);
        }
    }
    kept
}

/// The kind of a «дневен център» by the words after it (up to a bracket, quote, comma, full stop
/// or a dash between spaces).
fn day_centre_kind(text: &Prepared, end: usize) -> &'static str {
    let mut stop = end;
    while stop < text.chars.len() && stop < end + 80 {
        let c = text.chars[stop];
        if matches!(c, '(' | '"' | ',' | ';' | '.' | ':')
            || (c == '-' && text.chars.get(stop + 1).is_some_and(|c| c.is_whitespace()))
        {
            break;
        }
        stop += 1;
    }
    let words: String = text.chars[end..stop].iter().flat_map(|c| c.to_lowercase()).collect();
    let has = |stems: &[&str]| stems.iter().any(|s| words.contains(s));
    let children = has(&["деца", "дете", "детск"]);
    let adults = has(&["възрастн", "пълнолетн", "лица", "хора"]);
    let disabled = has(&["увреждан", "разстройств", "деменц", "аутизъм", "психичн", "ментал", "умствен", "инвалид"]);
    if children && adults {
        "day_centre"
    } else if children {
        "day_centre_children_disabilities"
    } else if has(&["стари"]) || (has(&["възрастни хора"]) && !disabled) {
        "day_centre_elderly"
    } else if adults && disabled {
        "day_centre_adults_disabilities"
    } else {
        "day_centre"
    }
}

// ---------------------------------------------------------------------------------------------
// The subject
// ---------------------------------------------------------------------------------------------

static PERFORMER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?:извършва|изпълнява|осъществява|предоставя)\s+се\s+от\b").expect("valid"));
static TRANSFORM: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\b(?:трансформ|преструктур)\w*").expect("valid"));
/// A text that opens or provides one service of no named type.
static OPENS_A_SERVICE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"\b(?:разкриване|откриване|създаване|предоставяне|функциониране|изграждане)\s+на\s+(?:[^\s,;.]+\s+){0,2}?(?:услуга|услугата)\b",
    )
    .expect("valid")
});
/// First words of a text about something other than a service.
const NOT_A_SERVICE: &[&str] =
    &["обучени", "семинар", "кампани", "курс", "конференци", "форум", "супервизи", "квалификаци", "тренинг"];

fn is_not_about_a_service(text: &Prepared) -> bool {
    text.lower
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(4)
        .any(|w| NOT_A_SERVICE.iter().any(|stem| w.starts_with(stem)))
}

/// The mentions that are the subject of the text (see the module documentation).
fn subjects(text: &Prepared, mentions: Vec<Mention>) -> Vec<Mention> {
    let performer = PERFORMER.find(&text.lower).map_or(usize::MAX, |m| text.lower_char(m.start()));
    let transforms: Vec<usize> = TRANSFORM.find_iter(&text.lower).map(|m| text.lower_char(m.end())).collect();
    let mut kept: Vec<Mention> = Vec::new();
    for m in mentions {
        if m.start >= performer {
            break;
        }
        let before = text.word_before(m.start);
        if before == "към" || before == "при" {
            continue;
        }
        if (before == "в" || before == "във")
            && let Some(&keyword) = transforms.iter().rev().find(|&&t| t <= m.start)
        {
            // The transformation's source, between the keyword and this mention, is not the subject.
            kept.retain(|k| k.start < keyword);
        }
        if let Some(last) = kept.last()
            && last.code != m.code
            && text.slice(last.end, m.start).trim() == "-"
        {
            continue;
        }
        kept.push(m);
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes() -> CodeTables {
        CodeTables::builtin()
    }

    fn kind(text: &str) -> Option<String> {
        service_type(text, &codes())
    }

    fn is(text: &str, code: &str) {
        assert_eq!(kind(text).as_deref(), Some(code), "{text}");
    }

    #[test]
    fn full_names_with_their_inflections_name_a_type() {
        is("Откриване на Център за обществена подкрепа в кв. Изток", "community_support_centre");
        is("Работа с децата от Центровете за обществена подкрепа", "community_support_centre");
        is("Звено „Майка и бебе“ към болницата", "mother_baby_unit");
        is("Два Центъра за настаняване от семеен тип за младежи", "family_type_centre");
        is("Центрове за настаняване от семеен тип за деца без увреждания", "family_type_centre");
        is("Кризисен център за жени, преживели насилие", "crisis_centre");
        is("Защитени жилища за лица с психични разстройства – 3 бр.", "protected_housing");
        is("Наблюдавано жилище за младежи", "supervised_housing");
        is("Преходно жилище", "transitional_housing");
        is("Приемна грижа", "foster_care");
        is("Подкрепа и консултиране на приемни семейства", "foster_care");
        is("Личен асистент", "personal_assistant");
        is("Социален асистент - по национална програма", "social_assistant");
        is("Домашен помощник", "home_helper");
        is("Обществена трапезария в селата", "public_canteen");
        is("Домашен социален патронаж", "home_social_patronage");
        is("Подкрепа за дейностите на Домашния социален патронаж", "home_social_patronage");
        is("Здравни медиатори в ромските квартали", "health_mediator");
        is("Клубове на пенсионера в общината", "pensioners_club");
        is("Дом за стари хора в с. Горно", "elderly_home");
        is("Дом за възрастни хора с физически увреждания", "home_adults_physical");
        is("Дом за възрастни с психични разстройства", "home_adults_mental");
        is("Дом за възрастни хора със сетивни нарушения", "home_adults_sensory");
        is("Дом за деца, лишени от родителска грижа", "children_home");
        is("Дом за медико-социални грижи за деца", "medico_social_home_children");
        is("Център за временно настаняване на бездомни", "temporary_accommodation");
        is("Общностни центрове за деца и семейства", "community_centre");
        is("Център за ранна интервенция на уврежданията", "early_intervention");
        is("Хоспис за тежко болни", "integrated_health_social");
        is("Проект „Топъл обяд“ в училищата", "hot_meal");
    }

    #[test]
    fn words_broken_by_a_space_and_look_alike_letters_still_match() {
        is("Центъра за наста няване от семеен тип за младежи", "family_type_centre");
        is("Продължа ване на работата на ЦОП-Слънце", "community_support_centre");
        // A Latin H in the abbreviation.
        is("Трансформиране на HЖ", "supervised_housing");
    }

    #[test]
    fn abbreviations_and_their_variants_name_a_type() {
        for (text, code) in [
            ("ЦОП", "community_support_centre"),
            ("ЦНСТ „Слънце“ – 5 бр.", "family_type_centre"),
            ("Подкрепа на ЦНСТДМУ в града", "family_type_centre"),
            ("ЦСРИ за деца", "rehab_integration_centre"),
            ("ДЦДУ", "day_centre_children_disabilities"),
            ("ДЦДМУ гр. Х", "day_centre_children_disabilities"),
            ("ДЦПЛУ", "day_centre_adults_disabilities"),
            ("ДЦСХ", "day_centre_elderly"),
            ("Подкрепа за КЦ", "crisis_centre"),
            ("ЗЖ за лица с умствена изостаналост", "protected_housing"),
            ("НЖ", "supervised_housing"),
            ("ПЖ", "transitional_housing"),
            ("ЗМБ", "mother_baby_unit"),
            ("ДСП с. Долно", "home_social_patronage"),
            ("ДСХ „Здраве“", "elderly_home"),
            ("ДДЛРГ „Слънце“", "children_home"),
            ("ДДУИ с. Горно", "children_home_disabilities"),
            ("ДМСГД", "medico_social_home_children"),
            ("Трансформиране на ДМСДГ до 2020 г.", "medico_social_home_children"),
            ("ЦВН", "temporary_accommodation"),
            ("ОЦ за деца", "community_centre"),
            ("ЦРИ", "early_intervention"),
            ("ДВХФУ", "home_adults_physical"),
            ("ДВПР с. Горно", "home_adults_mental"),
            ("Дом за възрастни със сетивни увреждания /ДВСУ/", "home_adults_sensory"),
        ] {
            is(text, code);
        }
    }

    #[test]
    fn a_day_centre_is_classified_by_whom_it_serves() {
        is("Дневен център за деца и младежи с увреждания – ДЦДМУ „Слънце“", "day_centre_children_disabilities");
        is("Дневен център за деца с увреждания към болницата", "day_centre_children_disabilities");
        is("Дневен център за възрастни с психични увреждания", "day_centre_adults_disabilities");
        is("Дневен център за хора с увреждания", "day_centre_adults_disabilities");
        is("Дневен център за стари хора (ДЦСХ)", "day_centre_elderly");
        is("Дневен център за деца и възрастни с увреждания", "day_centre");
        is("Дневен център „Надежда“", "day_centre");
    }

    #[test]
    fn dsp_is_the_patronage_only_as_the_first_word() {
        is("ДСП", "home_social_patronage");
        assert_eq!(kind("Съвместна работа с ДСП и ОЗД"), None);
        is("Насочване на деца от ДСП в ЦОП", "community_support_centre");
    }

    #[test]
    fn several_different_types_give_none() {
        assert_eq!(kind("ЦОП и ЦСРИ"), None);
        assert_eq!(kind("Изграждане на 4 Центъра за настаняване от семеен тип и 2 Защитени жилища"), None);
        assert_eq!(kind("Услуги в домашна среда (личен асистент, домашен помощник)"), None);
        // Ambiguous abbreviations count in a list of abbreviations.
        assert_eq!(kind("Увеличаване на потребителите на ДП, СА и ЛА"), None);
        assert_eq!(
            mentioned_service_types("услугите (ДП, СА, ЛА)", &codes()),
            vec!["home_helper".to_owned(), "social_assistant".to_owned(), "personal_assistant".to_owned()]
        );
        assert_eq!(
            mentioned_service_types("ЦОП и ЦСРИ, после пак ЦОП", &codes()),
            vec!["community_support_centre".to_owned(), "rehab_integration_centre".to_owned()]
        );
    }

    #[test]
    fn the_subject_wins_over_a_host_a_performer_a_source_and_an_apposition() {
        is("Център за ранна интервенция към ДМСГД гр. Х", "early_intervention");
        is("ДМСГД – медико-социална услуга за деца", "medico_social_home_children");
        is("Трансформиране на Наблюдавано жилище в ЦНСТ за младежи", "family_type_centre");
        is("Развитие на ЦНСТ и трансформиране на НЖ в ЦНСТ", "family_type_centre");
        assert_eq!(kind("Родителски групи – извършва се от ЦОП"), None);
        is("Консултативен център за социална рехабилитация на жертви", "counselling_centre");
        // All the mentions are still listed.
        assert_eq!(
            mentioned_service_types("ДМСГД – медико-социална услуга за деца", &codes()),
            vec!["medico_social_home_children".to_owned(), "integrated_health_social".to_owned()]
        );
    }

    #[test]
    fn texts_about_no_service_give_none() {
        assert_eq!(kind("Провеждане на обучения на персонала на ЦОП"), None);
        assert_eq!(kind("Информационна кампания за приемна грижа"), None);
        assert_eq!(kind("Спешно кризисно настаняване на жени"), None);
        assert_eq!(kind("Развитие на услуги, предоставящи дневна грижа"), None);
        assert_eq!(kind("Изграждане на умения за живот в общността"), None);
        assert_eq!(kind(""), None);
        // ОТ, СА, П are words here, not abbreviations.
        assert_eq!(kind("ОТ ОБЩИНАТА СА ПОЛУЧЕНИ П"), None);
        assert_eq!(kind("Повече потребители на ДП"), None);
    }

    #[test]
    fn opening_or_providing_one_unnamed_service_is_other() {
        is("Разкриване на мобилна услуга за бездомни", "other");
        is("Предоставяне на социалната услуга „Приятел“", "other");
        is("Предоставяне на услугата „Асистент за независим живот“", "other");
        assert_eq!(kind("Предоставяне на социални услуги в общността"), None);
        assert_eq!(kind("Включване на потребители в оценката на ползваната услуга"), None);
    }

    #[test]
    fn a_type_added_to_the_table_is_found_by_name_and_abbreviation() {
        let mut codes = codes();
        let mut added = codes.service_types[0].clone();
        added.code = grizha_domain::codes::ServiceTypeCode::parse("respite_centre").expect("a valid code");
        added.abbr = Some("ЦПГ".to_owned());
        added.name = "Център за почасова грижа (за деца)".to_owned();
        codes.service_types.push(added);
        assert_eq!(service_type("Разкриване на Център за почасова грижа", &codes).as_deref(), Some("respite_centre"));
        assert_eq!(service_type("ЦПГ гр. Х", &codes).as_deref(), Some("respite_centre"));
    }
}
