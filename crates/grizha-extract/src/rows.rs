//! Table rows made into activities, services and indicators, by the roles of their columns.
//!
//! Three sorts of table are told apart by their columns: a **plan table** (an activity column),
//! a **services table** (a service, capacity or status column, no activity column), and a
//! **logical framework** (an indicator column). Rows are read as a person reads them:
//! - a row with one text in its first cell is a caption: the section of the rows below;
//! - a goal cell left blank (or merged over several rows) applies to the rows below it;
//! - a row shifted against its header (a stray empty cell, as text renderings of merged cells
//!   leave) is realigned when that makes its cells fit their columns better (a deadline in the
//!   deadline column, a numbered activity in the activity column);
//! - a row with text only beyond the header's last column holds results of the next rows that
//!   lack them;
//! - several numbered activities packed in one cell become one activity each, sharing or
//!   splitting the neighbouring cells (split when those have one paragraph per activity);
//! - a totals row (`Общо`) and a repeated header are skipped.

use grizha_docs::Table;
use grizha_domain::codes::CodeTables;
use grizha_domain::deadline::{Deadline, DeadlineContext, DeadlineKind};
use grizha_domain::service::ServiceStatus;

use crate::columns::{Columns, GoalLevel, Role};
use crate::format::{
    Activity, ChangeKind, Indicator, IndicatorLevel, Provenance, ScheduleMark, Service, Warning, YearValue,
};
use crate::normalise::schedule::{Legend, mark};
use crate::normalise::{capacity, funding, indicator, party, service_type};
use crate::text::{fold, key};

/// What the rows of a document share while its tables are read.
pub struct Reading<'a> {
    pub codes: &'a CodeTables,
    pub deadlines: DeadlineContext,
    /// The plan's first year, for capacities stated without one.
    pub year: Option<i32>,
    pub legend: Legend,
    /// The caption or heading the next rows stand under.
    pub section: Option<String>,
    /// The goal of the last row read, for a goal cell left blank.
    pub goal: Option<String>,
    /// The columns of the last table with a header, for a table that continues it without one.
    pub columns: Option<Columns>,
    pub activities: Vec<Activity>,
    pub services: Vec<Service>,
    pub indicators: Vec<Indicator>,
    pub warnings: Vec<Warning>,
    /// Rows read but yielding no record, with why: headers, captions, totals, empty rows.
    pub skipped: Vec<(Provenance, &'static str)>,
}

/// One cell of a row as the columns see it: its text and paragraphs.
#[derive(Debug, Clone, Default)]
struct Slot {
    text: String,
    paragraphs: Vec<String>,
}

impl Slot {
    fn is_empty(&self) -> bool {
        self.text.trim().is_empty()
    }
}

impl<'a> Reading<'a> {
    pub fn new(codes: &'a CodeTables, deadlines: DeadlineContext, year: Option<i32>, legend: Legend) -> Reading<'a> {
        Reading {
            codes,
            deadlines,
            year,
            legend,
            section: None,
            goal: None,
            columns: None,
            activities: Vec::new(),
            services: Vec::new(),
            indicators: Vec::new(),
            warnings: Vec::new(),
            skipped: Vec::new(),
        }
    }

    /// Reads one top-level table, numbered `index` in the file.
    pub fn table(&mut self, table: &Table, index: usize, page: Option<u32>) {
        let own = Columns::of(table);
        let columns = match (&own, &self.columns) {
            (Some(c), _) => c.clone(),
            // No header: it continues the previous table when it is as wide.
            (None, Some(previous)) if width_fits(table, previous.roles.len()) => {
                let mut c = previous.clone();
                c.first_row = 0;
                c
            }
            _ => {
                if table.rows.len() >= 2 {
                    self.warnings.push(Warning {
                        message: "a table whose columns were not recognised was left out".into(),
                        at: Provenance { table: Some(index), row: None, paragraph: None, page },
                    });
                }
                return;
            }
        };
        if own.is_some() {
            // Captions above the header name the section of the rows below.
            let grid = table.grid_text();
            for (r, row) in grid.iter().enumerate().take(columns.first_row) {
                if let Some(caption) = caption(row) {
                    self.section = Some(caption);
                    self.goal = None;
                }
                self.skipped.push((Provenance::row(index, r, page), "header or caption above it"));
            }
            self.columns = Some(columns.clone());
        }
        let framework = columns.has(|r| matches!(r, Role::Indicator(_)));
        let plan = columns.has(|r| r == Role::Activity);
        let services =
            !plan && columns.has(|r| matches!(r, Role::Service | Role::Capacity(_) | Role::Status | Role::Staff(_)));
        let rows = slots(table);
        let mut pending_results: Vec<Vec<String>> = Vec::new();
        for (r, row) in rows.iter().enumerate().skip(columns.first_row) {
            let at = Provenance::row(index, r, page);
            let texts: Vec<&str> = row.iter().map(|s| s.text.as_str()).collect();
            if texts.iter().all(|t| t.trim().is_empty()) {
                self.skipped.push((at, "empty"));
                continue;
            }
            if columns.is_repeated_header(&texts) {
                self.skipped.push((at, "the header repeated"));
                continue;
            }
            if let Some(caption) = caption(&texts) {
                self.section = Some(caption);
                self.goal = None;
                self.skipped.push((at, "a caption"));
                continue;
            }
            let width = columns.roles.len();
            if row.iter().take(width).all(Slot::is_empty) {
                // Text only beyond the header's last column: results of the rows below.
                pending_results.push(row.iter().skip(width).flat_map(|s| s.paragraphs.clone()).collect());
                self.skipped.push((at, "results of the rows below"));
                continue;
            }
            if is_total(&texts) {
                self.skipped.push((at, "totals"));
                continue;
            }
            let mut row = align(row.clone(), &columns, self.codes, &self.deadlines);
            let extra: Vec<String> =
                row.iter().skip(width).filter(|s| !s.is_empty()).flat_map(|s| s.paragraphs.clone()).collect();
            row.truncate(width);
            row.resize(width, Slot::default());
            if framework {
                self.framework_row(&columns, &row, at);
            } else if plan {
                let result_column = columns.find(|r| r == Role::Result);
                if let Some(c) = result_column
                    && row[c].is_empty()
                {
                    let results =
                        if extra.is_empty() && !pending_results.is_empty() { pending_results.remove(0) } else { extra };
                    row[c] = Slot { text: results.join("\n"), paragraphs: results };
                }
                self.plan_row(&columns, &row, at);
            } else if services {
                self.service_row(&columns, &row, at);
            }
        }
    }

    fn cell<'r>(&self, columns: &Columns, row: &'r [Slot], wanted: impl Fn(Role) -> bool) -> Option<&'r Slot> {
        columns.find(wanted).map(|c| &row[c]).filter(|s| !s.is_empty())
    }

    /// A row of a plan table: one activity, or one per activity packed in its activity cell; and a
    /// service when the row is about one.
    fn plan_row(&mut self, columns: &Columns, row: &[Slot], at: Provenance) {
        let Some(activity_column) = columns.find(|r| r == Role::Activity) else { return };
        if let Some(stage) = self.cell(columns, row, |r| r == Role::Stage) {
            self.section = Some(fold(&stage.text));
        }
        match self.cell(columns, row, |r| matches!(r, Role::Goal(_))) {
            Some(goal) => {
                let goal = fold(&goal.text);
                match &self.goal {
                    // One word left in the goal cell below a goal that does not end: the rest of that
                    // goal, broken off at a page break. It is joined to it, also for the rows above.
                    Some(previous) if !goal.contains(' ') && !previous.ends_with(['.', ';', ':', '!', '?']) => {
                        let joined = format!("{previous} {goal}");
                        for activity in self.activities.iter_mut().rev().take_while(|a| a.at.table == at.table) {
                            if activity.goal.as_deref() == Some(previous.as_str()) {
                                activity.goal = Some(joined.clone());
                            }
                        }
                        self.goal = Some(joined);
                    }
                    _ => self.goal = Some(goal),
                }
            }
            None if !columns.has(|r| matches!(r, Role::Goal(_))) => self.goal = None,
            None => {}
        }
        let activity_cell = &row[activity_column];
        if activity_cell.is_empty() {
            self.warnings
                .push(Warning { message: "a row of a plan table without an activity was left out".into(), at });
            return;
        }
        let number = self.cell(columns, row, |r| r == Role::Number).map(|s| code_of_number(&s.text));
        let items = packed(&activity_cell.text);
        let n = items.len();
        // A plan with a name column and a description column names a service in each row
        // about one (`Вид дейност / услуга / мярка`).
        let names_services = columns.has(|r| r == Role::Description);
        for (i, (code, text)) in items.into_iter().enumerate() {
            let share = |role: fn(Role) -> bool| -> String {
                self.cell(columns, row, role).map(|s| part(s, i, n)).unwrap_or_default()
            };
            let deadline_raw = share(|r| r == Role::Deadline);
            let deadline = Deadline::parse(&fold(&deadline_raw), &self.deadlines);
            let deadline = Deadline::new(fold(&deadline_raw), deadline.kind(), deadline.from(), deadline.to())
                .unwrap_or_else(|_| Deadline::unspecified());
            let responsible = party::parties(&share(|r| r == Role::Responsible), self.codes);
            let funding = funding::funding(&share(|r| r == Role::Funding), self.codes);
            let results_text = share(|r| r == Role::Result);
            let expected_results: Vec<String> = results_text.split('\n').map(fold).filter(|s| !s.is_empty()).collect();
            let description = self.cell(columns, row, |r| r == Role::Description).map(|s| fold(&s.text));
            let location = self.cell(columns, row, |r| r == Role::Location).map(|s| fold(&s.text));
            let schedule: Vec<ScheduleMark> = columns
                .roles
                .iter()
                .enumerate()
                .filter_map(|(c, role)| match role {
                    Role::Quarter(q) => mark(&row[c].text, &self.legend).map(|m| ScheduleMark { quarter: *q, mark: m }),
                    _ => None,
                })
                .collect();
            let code = code.or_else(|| number.clone().flatten());
            let under_services = self.section.as_deref().is_some_and(|s| key(s).contains("социални услуги"));
            // In a plan naming a service in each row, a row under `Социални услуги` is a service
            // even when its type is none of the table's.
            let service_type = service_type::service_type(&text, self.codes)
                .or_else(|| (names_services && under_services).then(|| "other".to_owned()));
            let about = format!("{text} {}", description.as_deref().unwrap_or(""));
            let changes = capacity::changes(&about, &self.deadlines);
            let status = capacity::status(&about, &changes);
            let is_service = service_type.is_some()
                && (names_services
                    || !changes.is_empty()
                    || matches!(status, Some(ServiceStatus::New | ServiceStatus::Closing | ServiceStatus::Expanding)));
            if is_service {
                let provider = self.cell(columns, row, |r| r == Role::Responsible).map(|s| fold(&part(s, i, n)));
                // The name is the cell's first paragraph; what follows describes it.
                let name = match activity_cell.paragraphs.as_slice() {
                    [first, _, ..] if n == 1 => code_and_text(first).1,
                    _ => text.clone(),
                };
                self.services.push(Service {
                    name: service_name(&name),
                    service_type: service_type.clone(),
                    target_groups: Vec::new(),
                    location: location.clone(),
                    provider: provider.filter(|p| !p.is_empty()),
                    funding: funding.clone(),
                    capacity: capacity::capacity(&about, self.year),
                    staff: capacity::staff(&about, self.year),
                    status: status.or(Some(ServiceStatus::Existing)),
                    changes,
                    at,
                });
            }
            self.activities.push(Activity {
                code,
                section: self.section.clone(),
                goal: self.goal.clone(),
                text,
                description: description.clone(),
                service_type,
                deadline,
                responsible,
                funding,
                expected_results,
                location: location.clone(),
                schedule,
                at,
            });
        }
    }

    /// A row of a services table.
    fn service_row(&mut self, columns: &Columns, row: &[Slot], at: Provenance) {
        let Some(name_cell) = self.cell(columns, row, |r| r == Role::Service) else {
            self.warnings
                .push(Warning { message: "a row of a services table without a service name was left out".into(), at });
            return;
        };
        let mut name = fold(&name_cell.text);
        let mut location = self.cell(columns, row, |r| r == Role::Location).map(|s| fold(&s.text));
        if location.is_none()
            && let Some((before, place)) = split_settlement(&name)
        {
            location = Some(place);
            name = before;
        }
        let status_text = self.cell(columns, row, |r| r == Role::Status).map(|s| fold(&s.text)).unwrap_or_default();
        let description =
            self.cell(columns, row, |r| r == Role::Description).map(|s| fold(&s.text)).unwrap_or_default();
        let per_year = |wanted: fn(Role) -> Option<Option<i32>>| -> Vec<YearValue> {
            columns
                .roles
                .iter()
                .enumerate()
                .filter_map(|(c, role)| {
                    let year = wanted(*role)??;
                    capacity::count(&row[c].text).map(|value| YearValue { year, value })
                })
                .collect()
        };
        let places = per_year(|r| if let Role::Capacity(y) = r { Some(y) } else { None });
        let staff = per_year(|r| if let Role::Staff(y) = r { Some(y) } else { None });
        let mut changes = capacity::changes(&status_text, &self.deadlines);
        // A change of capacity the text names without numbers takes them from the capacity columns.
        if let (Some(first), Some(last)) = (places.first(), places.last())
            && places.len() >= 2
        {
            for change in
                changes.iter_mut().filter(|c| c.kind == ChangeKind::Capacity && c.from.is_none() && c.to.is_none())
            {
                change.from = Some(first.value);
                change.to = Some(last.value);
            }
        }
        let status = if columns.has(|r| r == Role::Status) {
            capacity::status(&status_text, &changes)
        } else {
            status_from_numbers(columns, row)
        };
        let target_groups =
            self.cell(columns, row, |r| r == Role::TargetGroups).map(|s| groups(&s.paragraphs)).unwrap_or_default();
        let funding_text = self.cell(columns, row, |r| r == Role::Funding).map(|s| s.text.clone()).unwrap_or_default();
        self.services.push(Service {
            // A row of a services table is a service, of a type the table of types may not have.
            service_type: service_type::service_type(&name, self.codes)
                .or_else(|| service_type::service_type(&description, self.codes))
                .or_else(|| Some("other".to_owned())),
            name,
            target_groups,
            location,
            provider: self.cell(columns, row, |r| r == Role::Responsible).map(|s| fold(&s.text)),
            funding: funding::funding(&funding_text, self.codes),
            capacity: places,
            staff,
            status,
            changes,
            at,
        });
    }

    /// A row of a logical framework: its indicators, and its measures as activities.
    fn framework_row(&mut self, columns: &Columns, row: &[Slot], at: Provenance) {
        let goal_column = columns.find(|r| matches!(r, Role::Goal(_)));
        let goal_level = goal_column.map(|c| columns.roles[c]);
        let mut goal_text = goal_column.map(|c| fold(&row[c].text)).unwrap_or_default();
        // `Направление №1 Обща цел 1` in the goal column, the goal itself in the unnamed column
        // beside it.
        let label = goal_text.clone();
        if let Some(c) = goal_column
            && columns.roles.get(c + 1) == Some(&Role::Other)
            && !row[c + 1].is_empty()
        {
            goal_text = fold(&row[c + 1].text);
        }
        let goal_ref = goal_reference(&label);
        if !goal_text.is_empty() {
            self.goal = Some(goal_text.clone());
        }
        let sources: Vec<String> = self
            .cell(columns, row, |r| r == Role::Sources)
            .map(|s| {
                s.paragraphs
                    .iter()
                    .map(|p| fold(p.trim_start_matches(['-', '–', ' '])))
                    .filter(|p| !p.is_empty())
                    .collect()
            })
            .unwrap_or_default();
        let period = self.cell(columns, row, |r| r == Role::CheckPeriod).map(|s| fold(&s.text));
        let measures: Vec<(Option<String>, String)> =
            self.cell(columns, row, |r| r == Role::Activity).map(|s| measures(&s.text)).unwrap_or_default();
        for (code, text) in &measures {
            self.activities.push(Activity {
                code: code.clone(),
                section: self.section.clone(),
                goal: self.goal.clone(),
                text: text.clone(),
                description: None,
                service_type: service_type::service_type(text, self.codes),
                deadline: Deadline::unspecified(),
                responsible: Vec::new(),
                funding: Vec::new(),
                expected_results: Vec::new(),
                location: None,
                schedule: Vec::new(),
                at,
            });
        }
        for (c, role) in columns.roles.iter().enumerate() {
            let Role::Indicator(level) = role else { continue };
            let level = match (level, goal_level) {
                (IndicatorLevel::GeneralGoal, Some(Role::Goal(GoalLevel::Specific))) => IndicatorLevel::SpecificGoal,
                (level, _) => *level,
            };
            let reference = match level {
                IndicatorLevel::Measure if measures.len() == 1 => measures[0].0.clone(),
                _ => goal_ref.clone(),
            };
            for text in joined_sentences(&row[c].paragraphs) {
                self.indicators.push(Indicator {
                    level,
                    reference: reference.clone(),
                    target: indicator::target(&text),
                    text,
                    baseline: None,
                    sources: sources.clone(),
                    period: period.clone(),
                    at,
                });
            }
        }
    }
}

/// Each grid slot's cell text and paragraphs, row by row.
fn slots(table: &Table) -> Vec<Vec<Slot>> {
    table
        .grid()
        .into_iter()
        .map(|row| {
            row.into_iter()
                .map(|slot| match slot {
                    Some(s) => {
                        let cell = &table.rows[s.row].cells[s.cell];
                        Slot { text: cell.text.clone(), paragraphs: cell.paragraphs.clone() }
                    }
                    None => Slot::default(),
                })
                .collect()
        })
        .collect()
}

fn width_fits(table: &Table, width: usize) -> bool {
    let w = table.width();
    w + 1 >= width && w <= width + 4
}

/// A row with one text, in its first cell: a caption.
fn caption(row: &[&str]) -> Option<String> {
    let filled: Vec<&&str> = row.iter().filter(|t| !t.trim().is_empty()).collect();
    let first = row.first()?;
    let all_same = filled.iter().all(|t| **t == *first);
    (!first.trim().is_empty() && all_same && first.chars().count() <= 400).then(|| fold(first))
}

/// A totals row: `Общо`, `Общо – за всички услуги`.
fn is_total(row: &[&str]) -> bool {
    row.iter().find(|t| !t.trim().is_empty()).is_some_and(|t| key(t).starts_with("общо"))
}

/// How well a row's cells fit their columns.
/// How well one cell fits the column role it would stand under (`None`: past the last column).
fn cell_fit(role: Option<Role>, slot: &Slot, codes: &CodeTables, deadlines: &DeadlineContext) -> i32 {
    let text = fold(&slot.text);
    if text.is_empty() {
        // A row of a plan has its activity.
        return if role == Some(Role::Activity) { -3 } else { 0 };
    }
    let is_deadline =
        Deadline::parse(&text, deadlines).kind() != DeadlineKind::Unspecified && text.chars().count() < 80;
    let has_code = code_and_text(&text).0.is_some();
    match role {
        Some(Role::Deadline) => {
            if is_deadline {
                3
            } else {
                -1
            }
        }
        Some(Role::Activity) => {
            // Numbered items and unnumbered text in one activity cell: two cells run together.
            let coded = slot.paragraphs.iter().filter(|p| code_and_text(p).0.is_some()).count();
            let run_together = coded > 0 && coded < slot.paragraphs.len();
            i32::from(has_code) * 2 - i32::from(run_together) * 2
        }
        Some(Role::Goal(_)) => {
            if has_code {
                -2
            } else {
                1
            }
        }
        Some(Role::Responsible) => {
            if is_deadline {
                -3
            } else {
                i32::from(party::parties(&text, codes).iter().any(|p| p.code.is_some()))
            }
        }
        Some(Role::Funding) => i32::from(funding::funding(&text, codes).iter().any(|f| f.kind != "other")),
        Some(Role::Sources) => {
            let k = key(&text);
            let listed = text.starts_with(['-', '–'])
                || ["доклад", "данни", "проучван", "справк", "статисти", "анкет"].iter().any(|w| k.contains(w));
            i32::from(listed) * 2
        }
        Some(Role::CheckPeriod) => {
            let k = key(&text);
            let when = k.contains("годишн")
                || k.contains("година")
                || crate::columns::year_of(&text).is_some()
                || k.contains("месечн");
            if when { 2 } else { -1 }
        }
        Some(_) => 0,
        None => -2,
    }
}

/// How well a row's cells fit their columns; each cell under each role is weighed once.
fn fit(row: &[Slot], columns: &Columns, fits: &mut CellFits<'_>) -> i32 {
    row.iter().enumerate().map(|(c, slot)| fits.get(columns.roles.get(c).copied(), slot)).sum()
}

/// [`cell_fit`] remembered, since realigning a row weighs the same cells under the same roles again.
struct CellFits<'a> {
    codes: &'a CodeTables,
    deadlines: &'a DeadlineContext,
    known: std::collections::HashMap<(Option<Role>, String), i32>,
}

impl CellFits<'_> {
    fn get(&mut self, role: Option<Role>, slot: &Slot) -> i32 {
        if let Some(fit) = self.known.get(&(role, slot.text.clone())) {
            return *fit;
        }
        let fit = cell_fit(role, slot, self.codes, self.deadlines);
        self.known.insert((role, slot.text.clone()), fit);
        fit
    }
}

/// The row as it fits its columns best: as it is, without some of its empty cells, or — when it
/// has more cells than the header — with two neighbouring cells taken as one (a cell the rendering
/// split in two). Each step must make the fit better; a row as wide as its header must gain more
/// than a little to be changed.
fn align(row: Vec<Slot>, columns: &Columns, codes: &CodeTables, deadlines: &DeadlineContext) -> Vec<Slot> {
    let width = columns.roles.len();
    let mut fits = CellFits { codes, deadlines, known: std::collections::HashMap::new() };
    let mut best_score = fit(&row, columns, &mut fits);
    let mut best = row;
    for _ in 0..3 {
        let too_wide = best.len() > width;
        let mut step: Option<(i32, Vec<Slot>)> = None;
        let mut consider = |candidate: Vec<Slot>| {
            let score = fit(&candidate, columns, &mut fits);
            if step.as_ref().is_none_or(|(s, _)| score > *s) {
                step = Some((score, candidate));
            }
        };
        for i in 0..best.len() {
            if best[i].is_empty() {
                let mut candidate = best.clone();
                candidate.remove(i);
                consider(candidate);
            }
        }
        if too_wide {
            for i in 1..best.len().saturating_sub(1) {
                let mut candidate = best.clone();
                let next = candidate.remove(i + 1);
                let cell = &mut candidate[i];
                cell.text = format!("{}\n{}", cell.text, next.text);
                cell.paragraphs.extend(next.paragraphs);
                consider(candidate);
            }
        }
        let margin = if too_wide { 0 } else { 1 };
        match step {
            Some((score, candidate)) if score > best_score + margin => {
                best_score = score;
                best = candidate;
            }
            _ => break,
        }
    }
    best
}

/// The activities packed in one cell: `(code, text)` for each numbered item; one item when the
/// cell holds one activity.
fn packed(text: &str) -> Vec<(Option<String>, String)> {
    let folded = fold(text);
    let starts: Vec<usize> = item_starts(&folded);
    if starts.len() < 2 || starts[0] != 0 {
        let (code, rest) = code_and_text(&folded);
        return vec![(code, rest)];
    }
    let mut items = Vec::new();
    for (i, &start) in starts.iter().enumerate() {
        let end = starts.get(i + 1).copied().unwrap_or(folded.len());
        let (code, rest) = code_and_text(folded[start..end].trim());
        items.push((code, rest));
    }
    items
}

/// Where numbered items begin in a cell's text: codes of one shape (`3.А.1.`, `3.А.2.`), or
/// `1.`, `2.` in sequence.
fn item_starts(text: &str) -> Vec<usize> {
    let re = pattern!(
        r"(?:^|\s)(\d{1,2}\s?\.\s?[А-Я]\s?\.\s?\d{1,2}\.?|\d{1,2}\s?\.\s?\d{1,2}\s?\.\s?\d{1,2}\.?|\d{1,2}\.)\s"
    );
    let mut starts = Vec::new();
    let mut expected_plain = 1;
    for m in re.captures_iter(text) {
        let Some(code) = m.get(1) else { continue };
        let token: String = code.as_str().chars().filter(|c| !c.is_whitespace()).collect();
        let plain = token.trim_end_matches('.').parse::<u32>().ok();
        if let Some(n) = plain {
            if n != expected_plain {
                continue;
            }
            expected_plain += 1;
        }
        starts.push(code.start());
    }
    // Plain numbers and multi-level codes are not mixed in one list.
    let multi: Vec<usize> =
        starts.iter().copied().filter(|&s| text[s..].chars().take(8).filter(|c| *c == '.').count() >= 2).collect();
    if multi.len() >= 2 { multi } else { starts }
}

/// The code an activity's text starts with, normalised (`1. А.1.` → `1.А.1`), and the text
/// after it.
pub fn code_and_text(text: &str) -> (Option<String>, String) {
    let text = fold(text);
    let stripped = ["Мярка", "мярка", "Дейност", "Задача"]
        .iter()
        .find_map(|w| text.strip_prefix(w).map(str::trim_start))
        .unwrap_or(&text);
    let chars: Vec<char> = stripped.chars().collect();
    let mut i = 0;
    let mut code = String::new();
    let mut dots = 0;
    let mut last_end = 0;
    loop {
        let start = i;
        while i < chars.len() && chars[i].is_ascii_digit() {
            i += 1;
        }
        let digits = i - start;
        let token_ok = if digits > 0 {
            digits <= 2
        } else if code.is_empty() {
            false
        } else if i < chars.len() && ('А'..='Я').contains(&chars[i]) {
            i += 1;
            true
        } else {
            false
        };
        if !token_ok {
            break;
        }
        code.extend(&chars[start..i]);
        let mut j = i;
        while j < chars.len() && chars[j] == ' ' {
            j += 1;
        }
        if j < chars.len() && chars[j] == '.' {
            dots += 1;
            i = j + 1;
            last_end = i;
            while i < chars.len() && chars[i] == ' ' {
                i += 1;
            }
            // A code goes on only with another number or letter right after the dot.
            if i < chars.len()
                && (chars[i].is_ascii_digit()
                    || (('А'..='Я').contains(&chars[i])
                        && chars.get(i + 1).is_some_and(|c| *c == '.' || *c == ' ' && chars.get(i + 2) == Some(&'.'))))
            {
                code.push('.');
                continue;
            }
            break;
        }
        // A code ends without a dot only before a letter (`2.А.1.Предоставяне`, `1.1 Мярка`).
        last_end = i;
        if dots == 0 {
            return (None, text);
        }
        break;
    }
    let rest: String = chars[last_end.min(chars.len())..].iter().collect();
    let rest = fold(&rest);
    if dots == 0
        || code.is_empty()
        || rest.is_empty()
        || !rest.chars().next().is_some_and(|c| c.is_alphabetic() || c == '„' || c == '"' || c == '(')
    {
        return (None, text);
    }
    (Some(code), rest)
}

/// A `№` cell: `1.` → `1`.
fn code_of_number(text: &str) -> Option<String> {
    let code: String = fold(text).chars().filter(|c| !c.is_whitespace()).collect();
    let code = code.trim_end_matches('.').to_owned();
    (!code.is_empty() && code.chars().all(|c| c.is_ascii_digit() || c == '.')).then_some(code)
}

/// The `i`-th of `n` activities' share of a neighbouring cell: its own paragraph when the cell
/// has one per activity, the same word when the cell repeats it once per activity, else the whole
/// cell.
fn part(slot: &Slot, i: usize, n: usize) -> String {
    if n <= 1 {
        return slot.text.clone();
    }
    if slot.paragraphs.len() == n {
        return slot.paragraphs[i].clone();
    }
    let words: Vec<&str> = slot.text.split_whitespace().collect();
    if words.len() == n && words.iter().all(|w| *w == words[0]) {
        return words[i].to_owned();
    }
    slot.text.clone()
}

/// The service an activity is about: `Разкриване на Център …` → `Център …`, without the count
/// and capacity written after the name (`– 1 бр.`, `(капацитет 50 места)`).
fn service_name(text: &str) -> String {
    let folded = fold(text);
    let folded = pattern!(r"\s*(?:[–-]\s*\d+\s*бр\.?.*|\((?:с\s+)?капацитет[^)]*\)\s*|\s+с\s+капацитет\s+(?:от\s+)?\d+\s+места|\s+в\s+(?:град|гр\.|село|с\.)\s+\S+(?:\s+[А-Я]\S*)?)$")
        .replace(&folded, "")
        .into_owned();
    let lower = folded.to_lowercase();
    for verb in
        ["разкриване на ", "откриване на ", "създаване на ", "изграждане на ", "закриване на ", "трансформиране на "]
    {
        if lower.starts_with(verb) {
            return folded[verb.len()..].trim().to_owned();
        }
    }
    folded
}

/// `Наблюдавано жилище гр. Хасково` → (`Наблюдавано жилище`, `гр. Хасково`).
fn split_settlement(name: &str) -> Option<(String, String)> {
    for marker in [" гр. ", " с. ", " гр."] {
        if let Some(at) = name.rfind(marker) {
            let place = name[at + 1..].trim().to_owned();
            let before = name[..at].trim().to_owned();
            if !before.is_empty() && place.chars().count() <= 30 {
                return Some((before, place));
            }
        }
    }
    None
}

/// A services table without a status column: the status the capacities tell (the same →
/// existing, none → some: new, up: expanding, down: reducing, to nothing: closing).
fn status_from_numbers(columns: &Columns, row: &[Slot]) -> Option<ServiceStatus> {
    let values: Vec<Option<u32>> = columns
        .roles
        .iter()
        .enumerate()
        .filter(|(_, r)| matches!(r, Role::Capacity(Some(_))))
        .map(|(c, _)| capacity::count(&row[c].text))
        .collect();
    let (first, last) = (values.first()?, values.last()?);
    if values.len() < 2 {
        return None;
    }
    Some(match (first, last) {
        (None | Some(0), Some(n)) if *n > 0 => ServiceStatus::New,
        (Some(a), Some(0)) if *a > 0 => ServiceStatus::Closing,
        (Some(a), Some(b)) if b > a => ServiceStatus::Expanding,
        (Some(a), Some(b)) if b < a => ServiceStatus::Reducing,
        (Some(_), Some(_)) => ServiceStatus::Existing,
        _ => return None,
    })
}

/// The target groups of a cell: one per paragraph or `;`-separated item, a list of `- …` items
/// kept with the line that introduces it (`Уязвими групи: - деца - бременни`).
fn groups(paragraphs: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for item in paragraphs.iter().flat_map(|p| p.split(';')).map(fold).filter(|g| !g.is_empty()) {
        match out.last_mut() {
            Some(previous) if item.starts_with(['-', '–']) && previous.contains(':') => {
                previous.push(' ');
                previous.push_str(&item);
            }
            _ => out.push(item),
        }
    }
    out
}

/// `Направление №1 Обща цел 2` → `1.2`; `Специфична цел 1.1. …` → `1.1`.
fn goal_reference(label: &str) -> Option<String> {
    let k = key(label).replace("-", "");
    let direction = pattern!(r"направление\s*№?\s*(\d+)");
    let general = pattern!(r"обща\s+цел\s*№?\s*(\d+)");
    let specific = pattern!(r"(?:специфична|оперативна)\s+цел\s*№?\s*(\d+(?:\.\d+)*)");
    if let Some(c) = specific.captures(&k) {
        return Some(c[1].to_owned());
    }
    match (direction.captures(&k), general.captures(&k)) {
        (Some(d), Some(g)) => Some(format!("{}.{}", &d[1], &g[1])),
        (Some(d), None) => Some(d[1].to_owned()),
        (None, Some(g)) => Some(g[1].to_owned()),
        _ => None,
    }
}

/// The measures of a framework cell: `Мярка 1.1.1. Развитие …`, each with its code.
fn measures(text: &str) -> Vec<(Option<String>, String)> {
    let folded = fold(text);
    let re = pattern!(r"(?i)мярка\s*\d");
    let starts: Vec<usize> = re.find_iter(&folded).map(|m| m.start()).collect();
    if starts.is_empty() {
        return if folded.is_empty() { Vec::new() } else { vec![code_and_text(&folded)] };
    }
    let mut out = Vec::new();
    if starts[0] > 0 {
        let before = folded[..starts[0]].trim();
        if !before.is_empty() {
            out.push(code_and_text(before));
        }
    }
    for (i, &start) in starts.iter().enumerate() {
        let end = starts.get(i + 1).copied().unwrap_or(folded.len());
        out.push(code_and_text(folded[start..end].trim()));
    }
    out
}

/// A cell's paragraphs with a sentence broken over two paragraphs joined again (the second
/// begins in lower case or with a number and the first does not end a sentence).
fn joined_sentences(paragraphs: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for p in paragraphs.iter().map(|p| fold(p)).filter(|p| !p.is_empty()) {
        let continues = out.last().is_some_and(|prev: &String| {
            !prev.ends_with(['.', ';', ':', '!', '?'])
                && p.chars().next().is_some_and(|c| c.is_lowercase() || c.is_ascii_digit() || c == '/' || c == '(')
        });
        if continues {
            let last = out.last_mut().expect("checked above");
            last.push(' ');
            last.push_str(&p);
        } else {
            out.push(p);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_read_and_normalised() {
        assert_eq!(code_and_text("1. А.1. Работа на терен"), (Some("1.А.1".into()), "Работа на терен".into()));
        assert_eq!(code_and_text("1.В. 6. Изграждане"), (Some("1.В.6".into()), "Изграждане".into()));
        assert_eq!(
            code_and_text("2.А.1.Предоставяне на услуги"),
            (Some("2.А.1".into()), "Предоставяне на услуги".into())
        );
        assert_eq!(code_and_text("1. Осигуряване"), (Some("1".into()), "Осигуряване".into()));
        assert_eq!(code_and_text("Мярка 1.1.1. Развитие"), (Some("1.1.1".into()), "Развитие".into()));
        assert_eq!(code_and_text("Б. Повишаване на знанията"), (None, "Б. Повишаване на знанията".into()));
        assert_eq!(code_and_text("2012 г. обучения"), (None, "2012 г. обучения".into()));
        assert_eq!(code_and_text("Обучение на 20 души"), (None, "Обучение на 20 души".into()));
    }

    #[test]
    fn packed_activities_are_split_at_their_codes() {
        let items = packed("3.А.1. Първа дейност 3.А.2. Втора дейност 3.А.3 Трета");
        assert_eq!(
            items,
            [
                (Some("3.А.1".into()), "Първа дейност".into()),
                (Some("3.А.2".into()), "Втора дейност".into()),
                (Some("3.А.3".into()), "Трета".into())
            ]
        );
        let items = packed("1. Едно нещо за 2 дни. 2. Друго нещо");
        assert_eq!(items.len(), 2, "{items:?}");
        assert_eq!(packed("1.1. Една дейност с 2. в текста").len(), 1);
    }

    #[test]
    fn goal_references_come_from_labels() {
        assert_eq!(goal_reference("Направле-ние №1 Обща цел 2"), Some("1.2".into()));
        assert_eq!(goal_reference("Специфична цел 2.3. Да се …"), Some("2.3".into()));
    }

    #[test]
    fn a_sentence_broken_over_paragraphs_is_joined() {
        let p = |s: &[&str]| s.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        assert_eq!(
            joined_sentences(&p(&["Обхванати около", "20% от децата", "Второ."])),
            ["Обхванати около 20% от децата", "Второ."]
        );
    }
}
