//! A strategy's logical framework as a tree — directions, goals, specific goals, measures — with each
//! node's indicators: baseline, and target and actual value for every year of the strategy.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::Html;
use axum::routing::get;
use grizha_domain::ids::{StrategyId, StrategyNodeId};
use grizha_domain::strategy::{Indicator, IndicatorPeriod, StrategyNode};

use crate::auth::SignedIn;
use crate::pages::PageError;
use crate::{AppState, WebError};

pub fn router() -> Router<AppState> {
    Router::new().route("/strategies/{id}", get(strategy_page))
}

struct IndicatorView {
    text: String,
    unit: String,
    baseline: String,
    /// Per year of the strategy: `target / actual`.
    cells: Vec<String>,
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

/// `target / actual` of one year; `—` for what is not there.
fn year_cell(periods: &[(IndicatorPeriod, grizha_domain::ids::RowVersion)], year: i32) -> String {
    let found = periods.iter().find(|(p, _)| {
        chrono::Datelike::year(&p.period.start()) == year && chrono::Datelike::year(&p.period.end()) == year
    });
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
    let view = |indicator: &Indicator| IndicatorView {
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
