//! The target of an indicator: the number a measurable result aims at.
//!
//! # Rules
//!
//! - The target is the **first number in the text that counts something**, written in digits
//!   (`50`, `2,5`, `10 000`) or as a word from one to ten (`едно`/`един`/`една`, `две`/`два`, `три`,
//!   … `десет`).
//! - Not a target: years (1990–2100, `2016`, `2016г.`, `2014-2020`) unless a unit follows;
//!   ages and durations (`до 18 г.`, `0 до 3 г.`, `3 години`, `6 месеца`, `24 часа`); numbers joined
//!   to a word by a hyphen (`5-годишна`, `24-часово`, `2-ри`); section numbers and dates (`1.2.`,
//!   `1.1.1`, `01.01.2015`, `9 август`), a list number or code at the start (`3. …`, `Д.1.`);
//!   references (`№ 5`, `чл. 19`,
//!   `Цел 2`, `Мярка 3`); «един от» (one of), «от една страна».
//! - A range (`10-20`, `30 -35 %`, `от 10 до 20 деца`) gives its **lower bound**, with the unit
//!   written after the upper one. «от N на M» (a change of level) gives M.
//! - **Unit**: `%` for `%`, `процента`, `на сто`; otherwise the counted noun as written, only when it
//!   comes right after the number and is unit-like (места, потребители, деца, лица, души,
//!   семейства, хора, младежи, ученици, специалисти, служители, услуги, бр. …); anything else
//!   («2 модулни обучения», «10 самотно живеещи») has no unit.
//! - **Direction**: `decrease` or `increase` when the number is «с N» (by N, also «с поне N») and a
//!   word of decrease (намаляване, редуциране, спад) or increase (увеличаване, повишаване,
//!   нарастване, ръст) comes before it; otherwise `reach` («поне 3», «не по-малко от 10 деца»,
//!   «за 50% от случаите», «до 10%»).
//! - No number: `None`.

use grizha_domain::deadline::MONTHS;
use std::sync::LazyLock;

use regex::Regex;

use super::service_type::Prepared;
use crate::format::{Direction, Target};

/// The target `text` states, or `None`. See the [module documentation](self).
pub fn target(text: &str) -> Option<Target> {
    let prepared = Prepared::new(text);
    let tokens = tokenise(&prepared.lower);
    let lower = &prepared.lower;
    let mut k = 0;
    while k < tokens.len() {
        let found = match &tokens[k].kind {
            Kind::Number(value) => number_target(&tokens, k, *value),
            Kind::Word(word) => word_target(&tokens, k, word),
            _ => Step::Next,
        };
        match found {
            Step::Found(value, unit_at) => {
                let unit = unit_at.and_then(|at| unit(&tokens, at));
                let direction = direction(&tokens, k, lower);
                return Some(Target { value, unit, direction });
            }
            Step::Skip(to) => k = to.max(k + 1),
            Step::Next => k += 1,
        }
    }
    None
}

#[derive(Debug, Clone, PartialEq)]
enum Kind {
    Number(f64),
    /// Dotted numbers: a section number or a date.
    Dotted,
    Word(String),
    Punct(char),
}

#[derive(Debug, Clone)]
struct Token {
    kind: Kind,
    /// Byte offsets into the lower-cased text.
    start: usize,
    end: usize,
    space_before: bool,
}

static NUMBER: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^\d+(?:[.,]\d+)*").expect("valid"));

fn tokenise(lower: &str) -> Vec<Token> {
    let mut tokens: Vec<Token> = Vec::new();
    let mut space_before = true;
    let mut i = 0;
    while i < lower.len() {
        let rest = &lower[i..];
        let c = rest.chars().next().unwrap_or(' ');
        if c.is_whitespace() {
            space_before = true;
            i += c.len_utf8();
            continue;
        }
        let (kind, len) = if c.is_ascii_digit() {
            let m = NUMBER.find(rest).map_or(1, |m| m.end());
            let digits = &rest[..m];
            let separators = digits.matches(['.', ',']).count();
            let trailing_dot = rest[m..].starts_with('.') && rest[m + 1..].starts_with(|c: char| c.is_ascii_digit());
            let percent_after = rest[m..].trim_start().starts_with('%');
            let kind = if separators >= 2 || trailing_dot || (digits.contains('.') && !percent_after) {
                Kind::Dotted
            } else {
                digits.replace(',', ".").parse().map_or(Kind::Dotted, Kind::Number)
            };
            (kind, m)
        } else if c.is_alphabetic() {
            let len = rest.find(|c: char| !c.is_alphanumeric()).unwrap_or(rest.len());
            (Kind::Word(rest[..len].to_owned()), len)
        } else {
            (Kind::Punct(c), c.len_utf8())
        };
        tokens.push(Token { kind, start: i, end: i + len, space_before });
        space_before = false;
        i += len;
    }
    join_thousands(tokens)
}

/// `10 000` is one number: a number of up to three digits followed, after a space, by groups of
/// exactly three.
fn join_thousands(tokens: Vec<Token>) -> Vec<Token> {
    let mut out: Vec<Token> = Vec::with_capacity(tokens.len());
    for t in tokens {
        if let (Some(last), Kind::Number(v)) = (out.last_mut(), &t.kind)
            && let Kind::Number(prev) = last.kind
            && t.space_before
            && t.end - t.start == 3
            && prev.fract() == 0.0
            && prev < 1000.0
            && last.end - last.start <= 3
        {
            last.kind = Kind::Number(prev * 1000.0 + v);
            last.end = t.end;
            continue;
        }
        out.push(t);
    }
    out
}

enum Step {
    /// A target of this value; the unit, if any, is read at that token.
    Found(f64, Option<usize>),
    /// Not a target; go on from that token.
    Skip(usize),
    Next,
}

/// Words after which a number is a reference, not a count.
const REFERENCES: &[&str] = &[
    "чл",
    "ал",
    "т",
    "цел",
    "мярка",
    "дейност",
    "направление",
    "приоритет",
    "етап",
    "точка",
    "раздел",
    "приложение",
    "ет",
    "стр",
    "изх",
    "бл",
    "вх",
    "ап",
];
/// Words after a number that make it an age or a duration.
const TIME_UNITS: &[&str] = &[
    "г",
    "год",
    "години",
    "година",
    "месеца",
    "месец",
    "м",
    "мес",
    "дни",
    "дена",
    "ден",
    "часа",
    "ч",
    "седмици",
    "седмица",
    "мин",
];
const UNITS: &[&str] = &[
    "места",
    "място",
    "потребители",
    "потребителя",
    "потребител",
    "деца",
    "дете",
    "лица",
    "лице",
    "души",
    "човека",
    "човек",
    "хора",
    "семейства",
    "семейство",
    "младежи",
    "ученици",
    "жени",
    "специалисти",
    "служители",
    "бр",
    "броя",
    "брой",
    "услуги",
    "услуга",
];
const NUMBER_WORDS: &[(&str, f64)] = &[
    ("едно", 1.0),
    ("един", 1.0),
    ("една", 1.0),
    ("две", 2.0),
    ("два", 2.0),
    ("три", 3.0),
    ("четири", 4.0),
    ("пет", 5.0),
    ("шест", 6.0),
    ("седем", 7.0),
    ("осем", 8.0),
    ("девет", 9.0),
    ("десет", 10.0),
];

fn word_at(tokens: &[Token], k: usize) -> Option<&str> {
    match tokens.get(k).map(|t| &t.kind) {
        Some(Kind::Word(w)) => Some(w),
        _ => None,
    }
}

fn is_year(value: f64) -> bool {
    value.fract() == 0.0 && (1990.0..=2100.0).contains(&value)
}

fn is_time_unit(tokens: &[Token], k: usize) -> bool {
    word_at(tokens, k).is_some_and(|w| TIME_UNITS.contains(&w))
}

fn is_unit(tokens: &[Token], k: usize) -> bool {
    tokens.get(k).is_some_and(|t| t.kind == Kind::Punct('%'))
        || word_at(tokens, k).is_some_and(|w| UNITS.contains(&w) || w.starts_with("процент"))
}

fn number_target(tokens: &[Token], k: usize, value: f64) -> Step {
    // A list number at the very start: `3. …`, `3) …`.
    if k == 0 && matches!(tokens.get(1).map(|t| &t.kind), Some(Kind::Punct('.' | ')'))) {
        return Step::Next;
    }
    if k > 0 {
        let previous = &tokens[k - 1];
        if previous.kind == Kind::Punct('№')
            || word_at(tokens, k - 1).is_some_and(|w| REFERENCES.contains(&w))
            || (previous.kind == Kind::Punct('.')
                && word_at(tokens, k.wrapping_sub(2)).is_some_and(|w| REFERENCES.contains(&w)))
        {
            return Step::Next;
        }
    }
    // A code such as `Д.1.`: a letter, a dot and the number, without spaces.
    if k >= 2
        && !tokens[k].space_before
        && tokens[k - 1].kind == Kind::Punct('.')
        && !tokens[k - 1].space_before
        && matches!(tokens[k - 2].kind, Kind::Word(_))
    {
        return Step::Next;
    }
    // A day of a month: `9 август`.
    if word_at(tokens, k + 1).is_some_and(|w| MONTHS.contains(&w)) {
        return Step::Skip(k + 2);
    }
    let next = tokens.get(k + 1);
    // Joined to a word by a hyphen: `5-годишна`, `2-ри`.
    if let (Some(dash), Some(word)) = (next, tokens.get(k + 2))
        && dash.kind == Kind::Punct('-')
        && !dash.space_before
        && !word.space_before
        && matches!(word.kind, Kind::Word(_))
    {
        return Step::Skip(k + 3);
    }
    // A range: `10-20`, `10 - 20`, `от 10 до 20`, or a change of level `от 10 на 20`.
    let joined = match next.map(|t| &t.kind) {
        Some(Kind::Punct('-')) => Some(false),
        Some(Kind::Word(w)) if w == "до" => Some(false),
        Some(Kind::Word(w)) if w == "на" && word_at(tokens, k.wrapping_sub(1)) == Some("от") => Some(true),
        _ => None,
    };
    if let Some(to_level) = joined
        && let Some(Kind::Number(high)) = tokens.get(k + 2).map(|t| &t.kind)
    {
        let high = *high;
        if is_time_unit(tokens, k + 3) || (is_year(value) && is_year(high)) {
            return Step::Skip(k + 3);
        }
        return Step::Found(if to_level { high } else { value }, Some(k + 3));
    }
    if is_time_unit(tokens, k + 1) {
        return Step::Skip(k + 2);
    }
    if is_year(value) && !is_unit(tokens, k + 1) {
        return Step::Next;
    }
    Step::Found(value, Some(k + 1))
}

fn word_target(tokens: &[Token], k: usize, word: &str) -> Step {
    let Some(&(_, value)) = NUMBER_WORDS.iter().find(|(w, _)| *w == word) else { return Step::Next };
    let next = word_at(tokens, k + 1);
    // «един от» (one of), «от една страна» (on the one hand).
    if (value == 1.0 && matches!(next, Some("от" | "страна"))) || is_time_unit(tokens, k + 1) {
        return Step::Next;
    }
    Step::Found(value, Some(k + 1))
}

/// The unit at token `k`: `%`, or a unit-like noun as written.
fn unit(tokens: &[Token], k: usize) -> Option<String> {
    let token = tokens.get(k)?;
    match &token.kind {
        Kind::Punct('%') => Some("%".to_owned()),
        Kind::Word(w) if w.starts_with("процент") => Some("%".to_owned()),
        Kind::Word(w) if w == "на" && word_at(tokens, k + 1) == Some("сто") => Some("%".to_owned()),
        Kind::Word(w) if UNITS.contains(&w.as_str()) => {
            let dotted = w == "бр" && tokens.get(k + 1).is_some_and(|t| t.kind == Kind::Punct('.') && !t.space_before);
            Some(if dotted { "бр.".to_owned() } else { w.clone() })
        }
        _ => None,
    }
}

const DECREASE: &[&str] = &["намал", "редуц", "спад", "снижав", "снижен"];
const INCREASE: &[&str] = &["увелич", "повиш", "нараств", "ръст", "разшир"];
/// Words that may stand between «с» and the number.
const QUALIFIERS: &[&str] = &["поне", "около", "над", "най", "малко", "не", "по", "до"];

fn direction(tokens: &[Token], k: usize, lower: &str) -> Direction {
    let mut j = k;
    while j > 0 {
        j -= 1;
        match &tokens[j].kind {
            Kind::Word(w) if QUALIFIERS.contains(&w.as_str()) => continue,
            Kind::Punct('-') => continue,
            Kind::Word(w) if w == "с" || w == "със" => {
                let before = &lower[..tokens[j].start];
                let last = |stems: &[&str]| {
                    before
                        .split(|c: char| !c.is_alphanumeric())
                        .enumerate()
                        .filter(|(_, w)| stems.iter().any(|s| w.starts_with(s)))
                        .map(|(i, _)| i)
                        .last()
                };
                return match (last(DECREASE), last(INCREASE)) {
                    (Some(d), Some(i)) if i > d => Direction::Increase,
                    (Some(_), _) => Direction::Decrease,
                    (None, Some(_)) => Direction::Increase,
                    (None, None) => Direction::Reach,
                };
            }
            _ => break,
        }
    }
    Direction::Reach
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(value: f64, unit: Option<&str>, direction: Direction) -> Option<Target> {
        Some(Target { value, unit: unit.map(str::to_owned), direction })
    }

    #[test]
    fn a_change_by_a_percentage_has_a_direction() {
        assert_eq!(target("Намаление с 40% на безработните младежи"), t(40.0, Some("%"), Direction::Decrease));
        assert_eq!(target("Увеличаване с 15% на обхванатите деца"), t(15.0, Some("%"), Direction::Increase));
        assert_eq!(target("Повишаване с 10 % на дела на учениците"), t(10.0, Some("%"), Direction::Increase));
        assert_eq!(
            target("Намаляване на броя на настанените деца с 30 % годишно"),
            t(30.0, Some("%"), Direction::Decrease)
        );
        assert_eq!(
            target("Увеличаване на броя на приемните семейства в общината с 25%"),
            t(25.0, Some("%"), Direction::Increase)
        );
        assert_eq!(target("Намаляване с поне 5 процента"), t(5.0, Some("%"), Direction::Decrease));
    }

    #[test]
    fn a_level_to_reach_has_its_unit_only_when_a_unit_word_follows() {
        assert_eq!(target("Създадени поне 4 нови услуги"), t(4.0, None, Direction::Reach));
        assert_eq!(target("Обхванати не по-малко от 12 деца"), t(12.0, Some("деца"), Direction::Reach));
        assert_eq!(target("Подкрепа за поне 35% от семействата"), t(35.0, Some("%"), Direction::Reach));
        assert_eq!(target("Разкрит център с капацитет 12 потребителя"), t(12.0, Some("потребителя"), Direction::Reach));
        assert_eq!(target("Обучени 8 бр. екипи"), t(8.0, Some("бр."), Direction::Reach));
        assert_eq!(target("Повишен капацитет на 60% от служителите"), t(60.0, Some("%"), Direction::Reach));
        assert_eq!(target("Дял 2,5 % от бюджета"), t(2.5, Some("%"), Direction::Reach));
        assert_eq!(target("Обхванати 1 500 лица"), t(1500.0, Some("лица"), Direction::Reach));
    }

    #[test]
    fn number_words_up_to_ten_count() {
        assert_eq!(target("Проведени три обучения"), t(3.0, None, Direction::Reach));
        assert_eq!(target("Организирани две ежегодни срещи"), t(2.0, None, Direction::Reach));
        assert_eq!(target("Открит един център"), t(1.0, None, Direction::Reach));
        assert_eq!(target("Десет семейства"), t(10.0, Some("семейства"), Direction::Reach));
        // «един от» is "one of"; a duration is not a count.
        assert_eq!(target("Един от приоритетите е подкрепата"), None);
        assert_eq!(target("Партньорство между услугите, от една страна, и училищата"), None);
        assert_eq!(target("Работа в продължение на три години"), None);
    }

    #[test]
    fn a_range_gives_its_lower_bound() {
        assert_eq!(target("Обхванати 15-25 младежи"), t(15.0, Some("младежи"), Direction::Reach));
        assert_eq!(target("Поне 40 -45 % от лицата"), t(40.0, Some("%"), Direction::Reach));
        assert_eq!(target("най-малко 6-12 самотни хора"), t(6.0, None, Direction::Reach));
        assert_eq!(target("Капацитет от 20 на 30 места"), t(30.0, Some("места"), Direction::Reach));
    }

    #[test]
    fn years_ages_durations_sections_and_references_are_not_targets() {
        for text in [
            "Повече потребители през 2019 г. спрямо 2017 г.",
            "Стратегия 2016-2020",
            "Програма 2014г.-2020г.",
            "Услуги за деца от 0 до 3 г.",
            "Младежи до 18 г.",
            "Записване от 6-годишна възраст",
            "24-часово обгрижване",
            "1.2. Подкрепа на семействата",
            "Мярка 1.1.1 Развитие на услугите",
            "Специфична цел 2 Подкрепа",
            "Решение № 250 от 31.05.2012",
            "Заседание на 9 август 2017 г.",
            "Д.4. Провеждане на обучения",
            "гр. София, ет. 5",
            "Инвестирани средства (% от бюджета)",
            "Осигурена подкрепа на семействата",
            "",
        ] {
            assert_eq!(target(text), None, "{text}");
        }
        // A year followed by a unit is a count.
        assert_eq!(target("Обхванати 2000 лица"), t(2000.0, Some("лица"), Direction::Reach));
        // The list number at the start is skipped, the count after it is not.
        assert_eq!(target("3. Обучени 20 специалисти"), t(20.0, Some("специалисти"), Direction::Reach));
    }
}
