//! Table headers read by meaning: which column holds the goal, the activity, the deadline, the
//! responsible parties, … whatever their order, wording or spelling.
//!
//! A header is one to three rows at the top of a table (after caption rows that hold one text).
//! A row is a header row when at least two of its cells name a role; a row right below a header
//! row whose cells are all short sub-headings (`Месец 1-3`, `2015`, `Целеви групи`) is its second
//! line. Two header lines are combined column by column: a run of sub-headings of one sort sits
//! under one upper heading (`Капацитет` over `2015 | 2016 | 2020`, `Времеви график` over
//! `Месец 1-3 … 10-12`), the other columns take the upper headings left to right. A header row
//! repeated further down (a table broken over pages) is recognised by [`Columns::is_repeated_header`].

use grizha_docs::Table;

use crate::format::IndicatorLevel;
use crate::text::key;

/// What a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// `№`
    Number,
    /// `Цел`, `Приоритет`, `Общи цели`, `Специфични цели`.
    Goal(GoalLevel),
    /// `Дейност`, `Мерки, дейности`, `Вид дейност / услуга / мярка`.
    Activity,
    /// `Описание на дейността`, `Съдържание – основни дейности`.
    Description,
    /// `Срок`, `Период` (of a stage).
    Deadline,
    /// `Институция/Организация`, `Отговорник`, `Изпълняваща организация`, `Партньори`.
    Responsible,
    /// `Източник на финансиране`, `Финансиране`.
    Funding,
    /// `Очакван резултат`.
    Result,
    /// `Индикатори`, `Преки резултати / индикатори`, `Ключови индикатори`.
    Indicator(IndicatorLevel),
    /// `Източници на информация`.
    Sources,
    /// `Период на проверка`.
    CheckPeriod,
    /// `Местоположение`.
    Location,
    /// One quarter (1–4) of a timetable: `Месец 1-3`, `I тримесечие`.
    Quarter(u8),
    /// Places, for a year when the heading names one.
    Capacity(Option<i32>),
    /// Staff, for a year when the heading names one.
    Staff(Option<i32>),
    /// `Статус`.
    Status,
    /// `Целеви групи`, `Потребители`.
    TargetGroups,
    /// `Териториален обхват`.
    Territory,
    /// `Услуга`, `Вид на услугата`.
    Service,
    /// `Етапи` of a strategy's implementation.
    Stage,
    /// A column the extractor has no field for (`Комуникационни средства`, `Визия`).
    Other,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GoalLevel {
    Any,
    General,
    Specific,
}

/// The roles of a table's columns and how many rows the header takes.
#[derive(Debug, Clone, PartialEq)]
pub struct Columns {
    pub roles: Vec<Role>,
    /// The first data row.
    pub first_row: usize,
    /// The header rows' keyed text, to recognise the header when it repeats.
    header_keys: Vec<String>,
}

impl Columns {
    /// Reads the header of `table`; `None` when the table has none (it may continue the previous
    /// one, or not be a table of plan rows at all).
    pub fn of(table: &Table) -> Option<Columns> {
        let grid = table.grid_text();
        let mut start = None;
        for (r, row) in grid.iter().enumerate().take(4) {
            if is_header_line(row) {
                start = Some(r);
                break;
            }
        }
        let start = start?;
        let width = grid[start].len();
        let mut lines: Vec<Vec<String>> = vec![grid[start].iter().map(|s| (*s).to_owned()).collect()];
        let mut r = start + 1;
        // A header line broken in two (`Срок за` / `изпълнение`): its second half continues the cells.
        while r < grid.len() && is_continuation(&grid[r]) {
            let line = lines.last_mut().expect("the first header line");
            for (c, text) in grid[r].iter().enumerate() {
                if let Some(cell) = line.get_mut(c)
                    && !text.trim().is_empty()
                {
                    cell.push(' ');
                    cell.push_str(text.trim());
                }
            }
            r += 1;
        }
        while r < grid.len() && lines.len() < 3 && is_sub_header(&grid[r]) {
            let lower: Vec<String> = grid[r].iter().map(|s| (*s).to_owned()).collect();
            let upper = lines.pop().unwrap_or_default();
            lines.push(combine(&upper, &lower, width));
            r += 1;
        }
        let mut headings = lines.pop().unwrap_or_default();
        // Columns past the last heading are only where some rows have stray cells.
        let named = headings.iter().rposition(|h| !h.trim().is_empty()).map_or(0, |last| last + 1);
        headings.truncate(named);
        let mut roles: Vec<Role> = headings.iter().map(|h| role(h)).collect();
        resolve_goal_levels(&mut roles, &headings);
        let header_keys = (start..r).map(|i| row_key(&grid[i])).collect();
        Some(Columns { roles, first_row: r, header_keys })
    }

    /// The column holding `role`, the first when several do.
    pub fn find(&self, wanted: impl Fn(Role) -> bool) -> Option<usize> {
        self.roles.iter().position(|r| wanted(*r))
    }

    pub fn has(&self, wanted: impl Fn(Role) -> bool) -> bool {
        self.find(wanted).is_some()
    }

    /// Whether a data row is the header written again (after a page break).
    pub fn is_repeated_header(&self, row: &[&str]) -> bool {
        let k = row_key(row);
        if k.is_empty() {
            return false;
        }
        // Written again with other words: at least three short cells naming their own column's role.
        let same_roles = row
            .iter()
            .zip(&self.roles)
            .filter(|(cell, r)| cell.chars().count() <= 60 && !matches!(r, Role::Other) && role(cell) == **r)
            .count();
        self.header_keys.contains(&k) || same_roles >= 3
    }
}

fn row_key(row: &[&str]) -> String {
    row.iter().map(|c| key(c)).filter(|c| !c.is_empty()).collect::<Vec<_>>().join("|")
}

/// A header line: at least two cells name a role, and most of its cells do (a row of data may
/// hold a word like `институция` or `бюджет` here and there).
fn is_header_line(row: &[&str]) -> bool {
    let mut filled: Vec<&str> = row.iter().copied().filter(|c| !c.trim().is_empty()).collect();
    filled.dedup();
    let named = named_roles(row);
    named >= 2 && named * 10 >= filled.len() * 6
}

/// How many distinct cells of a row name a role (a cell merged over several columns counts once).
fn named_roles(row: &[&str]) -> usize {
    let mut distinct: Vec<&str> = row.to_vec();
    distinct.dedup();
    distinct.iter().filter(|c| c.chars().count() <= 120 && !matches!(role(c), Role::Other)).count()
}

/// A second header line: every non-empty cell short and a sub-heading (a role, a year, a month
/// range), at least one of them.
fn is_sub_header(row: &[&str]) -> bool {
    let mut cells: Vec<&&str> = row.iter().filter(|c| !c.trim().is_empty()).collect();
    cells.dedup();
    // One text alone is a caption, not a header line.
    cells.len() >= 2
        && cells.iter().all(|c| c.chars().count() <= 60)
        && cells.iter().all(|c| year_of(c).is_some() || !matches!(role(c), Role::Other) || c.trim() == "№")
}

/// The rest of a header line broken over two: short words, each starting in lower case.
fn is_continuation(row: &[&str]) -> bool {
    let cells: Vec<&&str> = row.iter().filter(|c| !c.trim().is_empty()).collect();
    !cells.is_empty()
        && cells.iter().all(|c| c.chars().count() <= 40 && c.trim().chars().next().is_some_and(char::is_lowercase))
}

/// What sort of sub-heading a cell is, so a run of one sort sits under one upper heading.
fn sort_of(cell: &str) -> u8 {
    if quarter_of(&key(cell)).is_some() {
        1
    } else if bare_year(cell).is_some() {
        2
    } else {
        3
    }
}

/// Two header lines made into one: each column's heading, upper and lower text joined.
fn combine(upper: &[String], lower: &[String], width: usize) -> Vec<String> {
    let uppers: Vec<&String> = upper.iter().filter(|u| !u.trim().is_empty()).collect();
    // When the upper line has a heading over every column, no grouping is needed.
    if uppers.len() >= width {
        return (0..width)
            .map(|c| format!("{} {}", upper.get(c).map_or("", |s| s), lower.get(c).map_or("", |s| s)))
            .collect();
    }
    let mut next = uppers.into_iter();
    let mut out = Vec::with_capacity(width);
    let mut group: Option<(String, u8, Vec<Role>)> = None;
    for c in 0..width {
        let below = lower.get(c).map_or("", |s| s.trim());
        if below.is_empty() {
            group = None;
            out.push(next.next().cloned().unwrap_or_default());
            continue;
        }
        let sort = sort_of(below);
        let role_below = role(below);
        let continues =
            group.as_ref().is_some_and(|(_, s, seen)| *s == sort && (sort != 3 || !seen.contains(&role_below)));
        if !continues {
            group = Some((next.next().cloned().unwrap_or_default(), sort, Vec::new()));
        }
        let (parent, _, seen) = group.as_mut().expect("a group was just started");
        seen.push(role_below);
        out.push(format!("{parent} {below}"));
    }
    out
}

/// The role a heading names.
pub fn role(heading: &str) -> Role {
    let k = key(heading);
    let k = k.as_str();
    if k.is_empty() {
        return Role::Other;
    }
    let has = |words: &[&str]| words.iter().any(|w| k.contains(w));
    if let Some(q) = quarter_of(k) {
        return Role::Quarter(q);
    }
    if k == "№" || k == "no" || k == "n" || (k.starts_with("№ ") && k.chars().count() < 12) {
        return Role::Number;
    }
    if has(&["период на проверка", "периодичност", "кога се проверява"]) {
        return Role::CheckPeriod;
    }
    if has(&["източници на информация", "източник на информация", "източници на данни", "източник на проверка"])
    {
        return Role::Sources;
    }
    if has(&["ключови индикатори"]) {
        return Role::Indicator(IndicatorLevel::SpecificGoal);
    }
    if has(&["преки резултати", "индикатори за изпълнение", "индикатор за изпълнение"])
    {
        return Role::Indicator(IndicatorLevel::Measure);
    }
    if has(&["индикатор"]) {
        return Role::Indicator(IndicatorLevel::GeneralGoal);
    }
    if has(&["очакван", "резултат"]) {
        return Role::Result;
    }
    if has(&["финансиран", "бюджет", "източник на средства"]) {
        return Role::Funding;
    }
    if has(&["срок", "времеви график", "времеви обхват", "времени график"]) {
        return Role::Deadline;
    }
    if has(&["отговорн", "институци", "организаци", "изпълнител", "партньор", "отговорник"])
    {
        return Role::Responsible;
    }
    if has(&["вид на услугата", "наименование на услугата", "услуга, вид", "вид услуга"])
    {
        return Role::Service;
    }
    if has(&["местоположение", "местополо", "нас. място", "населено място", "адрес", "място на изпълнение"])
    {
        return Role::Location;
    }
    if has(&["персонал", "щат", "служители"]) {
        return Role::Staff(year_of(heading));
    }
    if has(&["капацитет", "брой места", "места"]) {
        return Role::Capacity(year_of(heading));
    }
    if has(&["статус"]) {
        return Role::Status;
    }
    if has(&["териториален обхват"]) {
        return Role::Territory;
    }
    if has(&["целеви груп", "потребители", "целева група"]) {
        return Role::TargetGroups;
    }
    if has(&["описание", "съдържание", "какво е планирано"]) {
        return Role::Description;
    }
    if has(&["специфични цели", "специфична цел", "оперативни цели", "оперативна цел"])
    {
        return Role::Goal(GoalLevel::Specific);
    }
    if has(&["общи цели", "обща цел", "стратегически цели", "стратегическа цел"])
    {
        return Role::Goal(GoalLevel::General);
    }
    if has(&["цел", "приоритет"]) {
        return Role::Goal(GoalLevel::Any);
    }
    if has(&["етап"]) {
        return Role::Stage;
    }
    if has(&["дейност", "мярк", "мерки", "задач"]) {
        return Role::Activity;
    }
    if has(&["вид на услугата", "услуга", "услуги"]) {
        return Role::Service;
    }
    if k == "период" || k.starts_with("период ") {
        return Role::Deadline;
    }
    Role::Other
}

/// A general goal column beside a specific goal column stays general; a lone `Цел` is any.
fn resolve_goal_levels(roles: &mut [Role], _headings: &[String]) {
    let has_specific = roles.contains(&Role::Goal(GoalLevel::Specific));
    if has_specific {
        for r in roles.iter_mut() {
            if *r == Role::Goal(GoalLevel::Any) {
                *r = Role::Goal(GoalLevel::General);
            }
        }
    }
}

/// The quarter a timetable heading names: `Месец 1-3` → 1, `Месец 10-12` → 4, `II тримесечие` → 2,
/// also after an upper heading (`Времеви график за 2025 г. Месец 4-6`).
fn quarter_of(k: &str) -> Option<u8> {
    if let Some(at) = k.find("месец") {
        let rest = k[at + "месец".len()..].trim_start_matches(['и', ' ']);
        let (a, b) = rest.split_once('-')?;
        let a: u32 = a.trim().parse().ok()?;
        let b: u32 = b.trim().split(|c: char| !c.is_ascii_digit()).next()?.parse().ok()?;
        return ((1..=12).contains(&a) && (a..=12).contains(&b)).then(|| u8::try_from((a - 1) / 3 + 1).unwrap_or(4));
    }
    let at = k.find("тримесечие")?;
    let before = k[..at].trim_end().trim_end_matches("-во").trim_end_matches("-ро").trim_end_matches("-то");
    let word = before.rsplit(' ').next().unwrap_or("").replace('і', "i");
    match word.as_str() {
        "i" | "1" => Some(1),
        "ii" | "2" => Some(2),
        "iii" | "3" => Some(3),
        "iv" | "4" => Some(4),
        _ => None,
    }
}

/// A cell that is only a year (`2015`, `2015 г.`).
fn bare_year(cell: &str) -> Option<i32> {
    let k = key(cell);
    let digits = k.trim_end_matches(['г', '.', ' ']).trim_end_matches("година").trim();
    let year: i32 = digits.parse().ok()?;
    (1990..=2100).contains(&year).then_some(year)
}

/// The year a heading names — the last one, so `Период 2016-2020` is 2020.
pub fn year_of(heading: &str) -> Option<i32> {
    let mut last = None;
    let mut digits = String::new();
    for c in heading.chars().chain(std::iter::once(' ')) {
        if c.is_ascii_digit() {
            digits.push(c);
        } else {
            if digits.len() == 4
                && let Ok(y) = digits.parse::<i32>()
                && (1990..=2100).contains(&y)
            {
                last = Some(y);
            }
            digits.clear();
        }
    }
    last
}

#[cfg(test)]
mod tests {
    use super::*;
    use grizha_docs::{Cell, Row};

    fn table(rows: &[&[&str]]) -> Table {
        Table::new(rows.iter().map(|r| Row { cells: r.iter().map(|t| Cell::text(t)).collect() }).collect())
    }

    #[test]
    fn columns_are_found_by_meaning_in_any_order() {
        let t = table(&[
            &["Отговорник", "Срок", "Дейност", "Цел", "Финансиране", "Очаквани резултати"],
            &["ДСП", "2020", "Обучение", "Цел 1", "ДДД", "10 обучени"],
        ]);
        let c = Columns::of(&t).unwrap();
        assert_eq!(
            c.roles,
            [
                Role::Responsible,
                Role::Deadline,
                Role::Activity,
                Role::Goal(GoalLevel::Any),
                Role::Funding,
                Role::Result
            ]
        );
        assert_eq!(c.first_row, 1);
    }

    #[test]
    fn variants_and_misspellings_name_the_same_roles() {
        assert_eq!(role("Институция/ Организация"), Role::Responsible);
        assert_eq!(role("Изпълняваща организация, отговорник"), Role::Responsible);
        assert_eq!(role("Източник на финансиране"), Role::Funding);
        assert_eq!(role("Времени график за 2015 г."), Role::Deadline);
        assert_eq!(role("Местополо- жение"), Role::Location);
        assert_eq!(role("Описание на дейността (какво е планирано за периода)"), Role::Description);
        assert_eq!(role("Вид дейност / услуга / мярка"), Role::Activity);
        assert_eq!(role("Източници на информация"), Role::Sources);
        assert_eq!(role("Период на проверка"), Role::CheckPeriod);
        assert_eq!(role("Месец 10-12"), Role::Quarter(4));
        assert_eq!(role("II тримесечие"), Role::Quarter(2));
    }

    #[test]
    fn a_two_line_header_groups_sub_headings_under_their_heading() {
        let t = table(&[
            &["№", "Услуга", "Потребители", "Капацитет", "Статус"],
            &["", "", "Целеви групи", "Териториален обхват", "2015", "2020", ""],
            &["1", "ЦОП", "Деца", "Община", "40", "50", "Налична"],
        ]);
        let c = Columns::of(&t).unwrap();
        assert_eq!(
            c.roles,
            [
                Role::Number,
                Role::Service,
                Role::TargetGroups,
                Role::Territory,
                Role::Capacity(Some(2015)),
                Role::Capacity(Some(2020)),
                Role::Status
            ]
        );
        assert_eq!(c.first_row, 2);
    }

    #[test]
    fn capacity_and_staff_pairs_sit_under_their_years() {
        let t = table(&[
            &["Вид на услугата", "Към 2015 година", "Период 2016-2020 година"],
            &["", "Капацитет", "Зает персонал", "Планиран капацитет", "Необходим персонал"],
            &["ЦОП", "40", "8", "40", "8"],
        ]);
        let c = Columns::of(&t).unwrap();
        assert_eq!(
            c.roles,
            [
                Role::Service,
                Role::Capacity(Some(2015)),
                Role::Staff(Some(2015)),
                Role::Capacity(Some(2020)),
                Role::Staff(Some(2020))
            ]
        );
    }

    #[test]
    fn a_timetable_header_has_its_quarters() {
        let t = table(&[
            &["№", "Дейност", "Времеви график за 2025 г.", "", "", "", "Финансиране"],
            &["", "", "Месец 1-3", "Месец 4-6", "Месец 7-9", "Месец 10-12", ""],
            &["1.", "ЦОП", "//", "", "", "", "ДДД"],
        ]);
        let c = Columns::of(&t).unwrap();
        assert_eq!(
            c.roles,
            [
                Role::Number,
                Role::Activity,
                Role::Quarter(1),
                Role::Quarter(2),
                Role::Quarter(3),
                Role::Quarter(4),
                Role::Funding
            ]
        );
    }

    #[test]
    fn a_table_of_text_has_no_header_and_a_repeated_header_is_known() {
        assert_eq!(Columns::of(&table(&[&["Някакъв текст", "друг текст"], &["1", "2"]])), None);
        let t = table(&[&["Цел", "Дейност", "Срок"], &["Цел 1", "Обучение", "2020"]]);
        let c = Columns::of(&t).unwrap();
        assert!(c.is_repeated_header(&["Цел", "Дейност", "Срок"]));
        assert!(!c.is_repeated_header(&["Цел 1", "Обучение", "2020"]));
    }
}
