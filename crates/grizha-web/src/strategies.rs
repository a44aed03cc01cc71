//! A strategy's logical framework as a tree — directions, goals, specific goals, measures — with each
//! node's indicators: baseline, and target and actual value for every year of the strategy.
//!
//! An editor of the strategy's area enters an indicator's actual value (and a comment) for each
//! year that has begun; the form carries the version of that year's values, so a stale save is
//! answered with the conflict page, and the year's target stays as it was.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::http::header::LOCATION;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use chrono::Datelike;
use grizha_domain::ids::{IndicatorId, RowVersion, StrategyId, StrategyNodeId};
use grizha_domain::strategy::{Indicator, IndicatorPeriod, MeasuredValue, StrategyNode};
use grizha_domain::time::{DateRange, Year};
use grizha_store::Actor;
use serde::Deserialize;

use crate::auth::SignedIn;
use crate::pages::PageError;
use crate::{AppState, WebError};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/strategies/{id}", get(strategy_page))
        .route("/strategies/{id}/indicators/{indicator}/actual", post(set_actual))
}

/// The actual value of one year as its form shows it.
struct ActualForm {
    year: i32,
    /// The version of the year's values, 0 when none are recorded yet.
    version: i64,
    value: String,
    comment: String,
}

struct IndicatorView {
    id: i64,
    text: String,
    unit: String,
    baseline: String,
    /// Per year of the strategy: `target / actual`.
    cells: Vec<String>,
    /// For an editor: a form per year that has begun.
    actuals: Vec<ActualForm>,
}

struct NodeView {
    indent: usize,
    level_name: String,
    code: String,
    title: String,
    indicators: Vec<IndicatorView>,
}

#[derive(Template)]
#[template(path = "strategy.html")]
struct StrategyPage {
    user_name: String,
    csrf: String,
    id: i64,
    /// Whether the user may enter actual values (an editor of the strategy's area).
    editable: bool,
    area_name: String,
    title: String,
    period: String,
    adopted: Option<String>,
    vision: Option<String>,
    levels: String,
    years: Vec<i32>,
    nodes: Vec<NodeView>,
}

fn number(value: f64) -> String {
    if value.fract() == 0.0 { format!("{value:.0}") } else { format!("{value:.1}") }
}

/// The values of an indicator for one calendar year, if recorded.
fn of_year(periods: &[(IndicatorPeriod, RowVersion)], year: i32) -> Option<&(IndicatorPeriod, RowVersion)> {
    periods.iter().find(|(p, _)| p.period.start().year() == year && p.period.end().year() == year)
}

/// `target / actual` of one year; `—` for what is not there.
fn year_cell(periods: &[(IndicatorPeriod, RowVersion)], year: i32) -> String {
    let found = of_year(periods, year);
    let show = |v: Option<f64>| v.map_or_else(|| "—".to_owned(), number);
    match found {
        Some((p, _)) => {
            format!("{} / {}", show(p.target.as_ref().map(|t| t.value)), show(p.actual.as_ref().map(|a| a.value)))
        }
        None => "— / —".to_owned(),
    }
}

/// The nodes in tree order (each followed by its children), with their depth.
fn tree_order(nodes: &[StrategyNode]) -> Vec<&StrategyNode> {
    fn walk<'a>(nodes: &'a [StrategyNode], parent: Option<StrategyNodeId>, out: &mut Vec<&'a StrategyNode>) {
        let mut children: Vec<&StrategyNode> = nodes.iter().filter(|n| n.parent == parent).collect();
        children.sort_by_key(|n| n.position);
        for child in children {
            out.push(child);
            walk(nodes, Some(child.id), out);
        }
    }
    let mut out = Vec::with_capacity(nodes.len());
    walk(nodes, None, &mut out);
    out
}

async fn strategy_page(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    Path(id): Path<i64>,
) -> Result<Html<String>, PageError> {
    let store = &state.store;
    let tree = store.strategy_tree(StrategyId(id)).await?;
    let strategy = &tree.strategy;
    if !session.user.may_view(&strategy.area) {
        return Err(WebError::Forbidden(format!("strategy {id}")).into());
    }
    let years: Vec<i32> = (strategy.period.from().get()..=strategy.period.to().get()).collect();
    let indicators: Vec<Indicator> = store.indicators_of(strategy.id).await?;
    let mut periods = std::collections::HashMap::new();
    for indicator in &indicators {
        periods.insert(indicator.id, store.indicator_periods(indicator.id).await?);
    }
    let nodes: Vec<StrategyNode> = tree.nodes.iter().map(|(n, _)| n.clone()).collect();
    let editable = session.user.may_edit(&strategy.area);
    let today = chrono::Utc::now().date_naive();
    let begun: Vec<i32> = years.iter().copied().filter(|y| *y <= today.year()).collect();
    let view = |indicator: &Indicator| IndicatorView {
        id: indicator.id.get(),
        actuals: if editable {
            begun
                .iter()
                .map(|year| {
                    let found = of_year(periods.get(&indicator.id).map_or(&[][..], Vec::as_slice), *year);
                    let actual = found.and_then(|(p, _)| p.actual.as_ref());
                    ActualForm {
                        year: *year,
                        version: found.map_or(0, |(_, v)| v.0),
                        // In full (the table rounds), so saving the form unchanged changes nothing.
                        value: actual.map(|a| a.value.to_string().replace('.', ",")).unwrap_or_default(),
                        comment: actual.and_then(|a| a.comment.clone()).unwrap_or_default(),
                    }
                })
                .collect()
        } else {
            Vec::new()
        },
        text: indicator.text.clone(),
        unit: indicator.unit.clone().unwrap_or_default(),
        baseline: indicator
            .baseline
            .as_ref()
            .map_or_else(|| "—".to_owned(), |b| format!("{} ({})", number(b.value), b.as_of.format("%Y"))),
        cells: years.iter().map(|y| year_cell(periods.get(&indicator.id).map_or(&[][..], Vec::as_slice), *y)).collect(),
    };
    let nodes = tree_order(&nodes)
        .into_iter()
        .map(|n| NodeView {
            indent: usize::from(n.level) * 2,
            level_name: strategy.level_names.name(usize::from(n.level)).unwrap_or("").to_owned(),
            code: n.code.clone().unwrap_or_default(),
            title: n.title.clone(),
            indicators: indicators.iter().filter(|i| i.node == Some(n.id)).map(view).collect(),
        })
        .collect();
    let page = StrategyPage {
        user_name: session.user.display_name.clone(),
        csrf: session.csrf_token.clone(),
        id,
        editable,
        area_name: store.area_name(&strategy.area).await?.unwrap_or_else(|| strategy.area.as_str().to_owned()),
        title: strategy.title.clone(),
        period: format!("{}–{}", strategy.period.from().get(), strategy.period.to().get()),
        adopted: strategy.adopted_by.clone(),
        vision: strategy.vision.clone(),
        levels: strategy.level_names.names().join(" → "),
        years,
        nodes,
    };
    Ok(Html(page.render().map_err(|e| WebError::Internal(e.to_string()))?))
}

#[derive(Deserialize)]
struct ActualInput {
    csrf: String,
    year: i32,
    version: i64,
    value: String,
    #[serde(default)]
    comment: String,
}

/// A number as people type it: `12`, `12,5`, `1 200`; `None` for an empty field.
fn typed_number(text: &str) -> Result<Option<f64>, WebError> {
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).map(|c| if c == ',' { '.' } else { c }).collect();
    if compact.is_empty() {
        return Ok(None);
    }
    match compact.parse::<f64>() {
        Ok(value) if value.is_finite() => Ok(Some(value)),
        _ => Err(WebError::Invalid(format!("„{}“ не е число; пишете например 12 или 12,5.", text.trim()))),
    }
}

/// Sets (or clears, with an empty value) an indicator's actual value for a year; the year's target
/// stays as it is.
async fn set_actual(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path((id, indicator)): Path<(i64, i64)>,
    Form(input): Form<ActualInput>,
) -> Result<Response, PageError> {
    signed_in.check_csrf(&input.csrf)?;
    let session = &signed_in.0;
    let store = &state.store;
    let tree = store.strategy_tree(StrategyId(id)).await?;
    if !session.user.may_view(&tree.strategy.area) {
        return Err(WebError::Forbidden(format!("strategy {id}")).into());
    }
    let indicator = IndicatorId(indicator);
    if !store.indicators_of(tree.strategy.id).await?.iter().any(|i| i.id == indicator) {
        return Err(WebError::NotFound(format!("indicator {indicator}")).into());
    }
    let year = Year::new(input.year)
        .ok()
        .filter(|y| tree.strategy.period.contains(*y))
        .ok_or_else(|| WebError::Invalid(format!("{} г. не е година на стратегията.", input.year)))?;
    let today = chrono::Utc::now().date_naive();
    if today.year() < year.get() {
        return Err(WebError::Invalid(format!("Фактът за {year} г. се въвежда от началото на годината.")).into());
    }
    let value = typed_number(&input.value)?;
    let comment = Some(input.comment.trim().to_owned()).filter(|c| !c.is_empty());
    if value.is_none() && comment.is_some() {
        return Err(WebError::Invalid("Въведете стойността, за която е коментарът.".into()).into());
    }
    let periods = store.indicator_periods(indicator).await?;
    let current = of_year(&periods, year.get());
    let period = IndicatorPeriod {
        period: current.map_or_else(|| DateRange::year(year), |(p, _)| p.period),
        target: current.and_then(|(p, _)| p.target.clone()),
        actual: value.map(|value| MeasuredValue {
            value,
            comment,
            evidence: current.and_then(|(p, _)| p.actual.as_ref()).map(|a| a.evidence.clone()).unwrap_or_default(),
        }),
    };
    let based_on = (input.version > 0).then_some(RowVersion(input.version));
    store.set_indicator_period(&Actor::User(session.user.clone()), indicator, &period, based_on, today).await?;
    let mut response = StatusCode::SEE_OTHER.into_response();
    let to = format!("/strategies/{id}#indicator-{}", indicator.get());
    response.headers_mut().insert(LOCATION, to.parse().expect("a local path"));
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_read_as_people_type_them() {
        assert_eq!(typed_number("12").unwrap(), Some(12.0));
        assert_eq!(typed_number(" 12,5 ").unwrap(), Some(12.5));
        assert_eq!(typed_number("1 200").unwrap(), Some(1200.0));
        assert_eq!(typed_number("").unwrap(), None);
        assert!(typed_number("много").is_err());
        assert!(typed_number("inf").is_err());
    }
}
