//! The marks of a quarterly timetable (`Месец 1-3 | 4-6 | 7-9 | 10-12`) and the legend that says
//! what they mean.
//!
//! # Rules
//!
//! - A [`Legend`] maps signs to the three [`Mark`]s. [`Legend::default`] is the legend of the exchange
//!   format: `+` → proposal, `//` → transform, `*` → project.
//! - [`Legend::from_text`] reads a plan's own legend from the lines near its table. A legend line is
//!   a sign followed by its meaning: an optional «Легенда:» / «Знак», the sign (one symbol, repeated
//!   or not, optionally in quotes: `//`, `„+“`, `*`, or the letter `х`), a separator (`-`, `–`, `:`,
//!   `=` or a space) and words. Several entries may share a line, separated by `;`. The meaning is
//!   mapped by the earliest of its keywords (the longer one on a tie):
//!   proposal — подготовка, кандидатстване, внасяне, подаване, проектно предложение;
//!   transform — трансформиране, преструктуриране, капацитет, разкриване, откриване, закриване;
//!   project — изпълнение, реализиране, реализация, проектни дейности, проект, договор.
//!   A sign whose meaning has none of them (a footnote `* Забележка: …`) is not a legend entry; the
//!   first entry of a sign wins. No entry at all: `None` (use the default).
//! - [`mark`]: a cell holding only signs of the legend, repeated or spaced (`//////////`, `*****`,
//!   `+ +`), is that one mark (HTML tags are dropped; `**` is two stars, not a bold marker). An empty cell, other text, or signs of different meanings in one
//!   cell (ambiguous) are `None`.

use std::sync::LazyLock;

use regex::Regex;

use crate::format::Mark;

static TAG: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"</?[A-Za-z][^<>]{0,200}>").expect("valid"));

/// The text without HTML tags. (Not [`crate::text::fold`]: it would take `**` for bold.)
fn untagged(text: &str) -> std::borrow::Cow<'_, str> {
    TAG.replace_all(text, " ")
}

/// What the signs of a timetable mean.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Legend {
    /// Each sign (one character; `//` is `/`) with its mark, in the order found.
    signs: Vec<(char, Mark)>,
}

impl Default for Legend {
    /// The legend of the exchange format: `+` proposal, `//` transform, `*` project.
    fn default() -> Self {
        Legend { signs: vec![('+', Mark::Proposal), ('/', Mark::Transform), ('*', Mark::Project)] }
    }
}

/// Keywords of the meanings, lower case.
const KEYWORDS: &[(&str, Mark)] = &[
    ("подготовка", Mark::Proposal),
    ("кандидатстване", Mark::Proposal),
    ("внасяне", Mark::Proposal),
    ("подаване", Mark::Proposal),
    ("проектно предложение", Mark::Proposal),
    ("проектни предложения", Mark::Proposal),
    ("трансформ", Mark::Transform),
    ("преструктур", Mark::Transform),
    ("капацитет", Mark::Transform),
    ("разкриване", Mark::Transform),
    ("откриване", Mark::Transform),
    ("закриване", Mark::Transform),
    ("изпълнение", Mark::Project),
    ("реализиране", Mark::Project),
    ("реализация", Mark::Project),
    ("проектни дейности", Mark::Project),
    ("проект", Mark::Project),
    ("договор", Mark::Project),
];

/// Words that may stand before the sign of a legend line.
const LEAD_WORDS: &[&str] = &["легенда", "знак", "знакът", "символ", "означение"];

fn is_quote(c: char) -> bool {
    matches!(c, '"' | '\'' | '„' | '“' | '”' | '«' | '»' | '’' | '‘' | '`')
}

fn is_sign(c: char) -> bool {
    matches!(c, 'x' | 'X' | 'х' | 'Х')
        || (!c.is_alphanumeric()
            && !c.is_whitespace()
            && !is_quote(c)
            && !matches!(
                c,
                '-' | '–' | '—' | '‑' | '−' | ':' | '.' | ',' | ';' | '(' | ')' | '[' | ']' | '{' | '}' | '='
            ))
}

/// The mark a meaning names, by its earliest keyword (the longer one on a tie).
fn meaning(text: &str) -> Option<Mark> {
    let lower = text.to_lowercase();
    KEYWORDS
        .iter()
        .filter_map(|&(word, mark)| lower.find(word).map(|at| (at, std::cmp::Reverse(word.len()), mark)))
        .min_by_key(|&(at, len, _)| (at, len))
        .map(|(_, _, mark)| mark)
}

/// One legend entry: `„//“ – трансформиране …` → (`/`, transform).
fn entry(piece: &str) -> Option<(char, Mark)> {
    let mut rest = piece.trim_start();
    // Lead words and punctuation: «Легенда:», «Знак».
    loop {
        let trimmed = rest.trim_start_matches(|c: char| c.is_whitespace() || c == ':');
        let lower = trimmed.to_lowercase();
        match LEAD_WORDS
            .iter()
            .find(|w| lower.starts_with(*w) && lower[w.len()..].chars().next().is_none_or(|c| !c.is_alphanumeric()))
        {
            Some(w) => rest = &trimmed[w.len()..],
            None => {
                rest = trimmed;
                break;
            }
        }
    }
    rest = rest.trim_start_matches(is_quote);
    let sign = rest.chars().next().filter(|&c| is_sign(c))?;
    rest = rest.trim_start_matches(sign);
    // A letter sign stands alone: `х – …`, not the start of a word.
    if sign.is_alphabetic() && rest.chars().next().is_some_and(char::is_alphanumeric) {
        return None;
    }
    rest = rest.trim_start_matches(is_quote);
    let after_sign = rest;
    rest = rest.trim_start_matches(|c: char| c.is_whitespace() || matches!(c, '-' | '–' | '—' | '‑' | '−' | ':' | '='));
    if rest.len() == after_sign.len() && !rest.is_empty() {
        return None;
    }
    rest.chars().any(char::is_alphabetic).then_some(())?;
    Some((sign, meaning(rest)?))
}

impl Legend {
    /// The plan's own legend from the lines near its timetable; `None` when no line is a legend
    /// entry. See the [module documentation](self).
    pub fn from_text(lines: &[&str]) -> Option<Legend> {
        let mut signs: Vec<(char, Mark)> = Vec::new();
        for line in lines {
            for piece in untagged(line).split(';') {
                if let Some((sign, mark)) = entry(piece)
                    && !signs.iter().any(|&(s, _)| s == sign)
                {
                    signs.push((sign, mark));
                }
            }
        }
        (!signs.is_empty()).then_some(Legend { signs })
    }

    /// The mark of a sign (`/` for `//`), if the legend has it.
    pub fn mark_of(&self, sign: char) -> Option<Mark> {
        self.signs.iter().find(|&&(s, _)| s == sign).map(|&(_, mark)| mark)
    }

    /// The signs and their marks, in the order found.
    pub fn signs(&self) -> &[(char, Mark)] {
        &self.signs
    }
}

/// The mark in a timetable cell: only signs of the legend, repeated or spaced, of one meaning.
pub fn mark(cell: &str, legend: &Legend) -> Option<Mark> {
    let mut found: Option<Mark> = None;
    for c in untagged(cell).chars().filter(|c| !c.is_whitespace()) {
        let mark = legend.mark_of(c)?;
        if found.is_some_and(|f| f != mark) {
            return None;
        }
        found = Some(mark);
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_legend_is_the_exchange_formats() {
        let legend = Legend::default();
        assert_eq!(mark("+", &legend), Some(Mark::Proposal));
        assert_eq!(mark("//", &legend), Some(Mark::Transform));
        assert_eq!(mark("*", &legend), Some(Mark::Project));
    }

    #[test]
    fn repeated_signs_are_one_mark() {
        let legend = Legend::default();
        assert_eq!(mark("//////////", &legend), Some(Mark::Transform));
        assert_eq!(mark(" ***** ", &legend), Some(Mark::Project));
        assert_eq!(mark("++", &legend), Some(Mark::Proposal));
        assert_eq!(mark("**", &legend), Some(Mark::Project));
        assert_eq!(mark("+ +", &legend), Some(Mark::Proposal));
        assert_eq!(mark("<p>/////</p>", &legend), Some(Mark::Transform));
    }

    #[test]
    fn empty_cells_other_text_and_mixed_signs_are_no_mark() {
        let legend = Legend::default();
        for cell in ["", "  ", "x", "Да", "2015", "// до м. 3", "+ *", "-"] {
            assert_eq!(mark(cell, &legend), None, "{cell:?}");
        }
    }

    #[test]
    fn a_plans_legend_is_read_from_its_lines() {
        let legend = Legend::from_text(&[
            "Легенда:",
            "Знак „+“ – време за изготвяне и подаване на проектно предложение",
            "Знак „//“ – време за преструктуриране на услуга или промяна на капацитета",
            "Знак „*“ – време за изпълнение на проекта по сключен договор",
        ])
        .expect("a legend");
        assert_eq!(legend.signs(), &[('+', Mark::Proposal), ('/', Mark::Transform), ('*', Mark::Project)]);
    }

    #[test]
    fn legend_lines_may_be_short_and_use_other_signs() {
        let legend = Legend::from_text(&[
            "// - трансформиране на услуга и разкриване на нова",
            "* - изпълнение на проект",
            "+ подготовка и внасяне на проектно предложение",
        ])
        .expect("a legend");
        for sign in ['+', '/', '*'] {
            assert_eq!(legend.mark_of(sign), Legend::default().mark_of(sign));
        }

        let legend = Legend::from_text(&["Легенда: х – изпълнение на проект; # – кандидатстване по програма"])
            .expect("a legend");
        assert_eq!(legend.signs(), &[('х', Mark::Project), ('#', Mark::Proposal)]);
        assert_eq!(mark("ххх", &legend), Some(Mark::Project));
        assert_eq!(mark("##", &legend), Some(Mark::Proposal));
        assert_eq!(mark("+", &legend), None);
    }

    #[test]
    fn lines_that_are_not_a_legend_give_none() {
        assert_eq!(Legend::from_text(&[]), None);
        assert_eq!(
            Legend::from_text(&[
                "Дата: 01.02.2013г.",
                "* Забележка: данните са към 31 декември",
                "- Доклади на ОЗД",
                "1. Подготовка на проект",
                "Хасково",
            ]),
            None
        );
    }
}
