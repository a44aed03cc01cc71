//! Strategies: the list of an area, one strategy's logical framework with its indicators and their
//! values by year, and entering an indicator's actual value for a year.

use axum::Json;
use axum::extract::State;
use chrono::NaiveDate;
use grizha_domain::ids::{IndicatorId, RowVersion, StrategyId};
use grizha_domain::strategy::{IndicatorPeriod, MeasuredValue, Strategy};
use grizha_domain::time::{DateRange, Year};
use grizha_domain::user::User;
use grizha_store::{Actor, StrategyTree};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{ApiUser, Body, ErrorBody, Ids, PageQuery, Paged, Params};
use crate::api::plans::area_asked;
use crate::{AppState, WebError};

#[derive(Serialize, ToSchema)]
pub struct StrategySummary {
    pub id: i64,
    pub area: String,
    pub title: String,
    pub from_year: i32,
    pub to_year: i32,
    /// The names of the levels of its logical framework, top down.
    pub level_names: Vec<String>,
}

impl StrategySummary {
    fn of(s: Strategy) -> StrategySummary {
        StrategySummary {
            id: s.id.get(),
            area: s.area.as_str().to_owned(),
            title: s.title,
            from_year: s.period.from().get(),
            to_year: s.period.to().get(),
            level_names: s.level_names.into(),
        }
    }
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StrategyFilter {
    /// The municipality or region (default: the user's own).
    pub area: Option<String>,
}

/// The strategies of a municipality or region.
#[utoipa::path(get, path = "/strategies", tag = "strategies", params(StrategyFilter, PageQuery),
    responses((status = 200, body = Paged<StrategySummary>), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Params(filter): Params<StrategyFilter>,
    Params(page): Params<PageQuery>,
) -> Result<Json<Paged<StrategySummary>>, WebError> {
    let area = area_asked(&user, filter.area.as_deref())?;
    let strategies = state.store.strategies_of(&area).await?;
    let views = strategies.into_iter().map(StrategySummary::of).collect();
    Ok(Json(page.of(views)?))
}

/// A node of the logical framework: a direction, goal, specific goal, measure or activity.
#[derive(Serialize, ToSchema)]
pub struct NodeView {
    pub id: i64,
    pub parent: Option<i64>,
    /// 0 for the top level; the name of each level is in the strategy's `level_names`.
    pub level: u8,
    pub code: Option<String>,
    pub title: String,
}

/// A value of an indicator for a period.
#[derive(Serialize, ToSchema)]
pub struct IndicatorValueView {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub target: Option<f64>,
    pub actual: Option<f64>,
    pub actual_comment: Option<String>,
    /// The version to name when entering the actual value.
    pub version: i64,
}

#[derive(Serialize, ToSchema)]
pub struct IndicatorView {
    pub id: i64,
    /// The node the indicator measures, if any.
    pub node: Option<i64>,
    pub text: String,
    pub unit: Option<String>,
    pub baseline: Option<f64>,
    pub baseline_as_of: Option<NaiveDate>,
    pub sources: Vec<String>,
    pub values: Vec<IndicatorValueView>,
}

#[derive(Serialize, ToSchema)]
pub struct StrategyView {
    #[serde(flatten)]
    pub strategy: StrategySummary,
    pub vision: Option<String>,
    pub nodes: Vec<NodeView>,
    pub indicators: Vec<IndicatorView>,
}

/// The strategy `id`, if `user` may see it.
async fn visible_strategy(state: &AppState, user: &User, id: i64) -> Result<StrategyTree, WebError> {
    let tree = state.store.strategy_tree(StrategyId(id)).await?;
    if !user.may_view(&tree.strategy.area) {
        return Err(WebError::Forbidden(format!("strategy {id}")));
    }
    Ok(tree)
}

/// A strategy's logical framework (nodes, parents first) and its indicators with their values.
#[utoipa::path(get, path = "/strategies/{id}", tag = "strategies",
    params(("id" = i64, Path, description = "The strategy")),
    responses((status = 200, body = StrategyView), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn one(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Ids(id): Ids<i64>,
) -> Result<Json<StrategyView>, WebError> {
    let tree = visible_strategy(&state, &user, id).await?;
    let mut indicators = Vec::new();
    for indicator in state.store.indicators_of(tree.strategy.id).await? {
        let values = state
            .store
            .indicator_periods(indicator.id)
            .await?
            .into_iter()
            .map(|(p, version)| IndicatorValueView {
                from: p.period.start(),
                to: p.period.end(),
                target: p.target.map(|t| t.value),
                actual: p.actual.as_ref().map(|a| a.value),
                actual_comment: p.actual.and_then(|a| a.comment),
                version: version.0,
            })
            .collect();
        indicators.push(IndicatorView {
            id: indicator.id.get(),
            node: indicator.node.map(|n| n.get()),
            text: indicator.text,
            unit: indicator.unit,
            baseline: indicator.baseline.as_ref().map(|b| b.value),
            baseline_as_of: indicator.baseline.map(|b| b.as_of),
            sources: indicator.sources,
            values,
        });
    }
    let vision = tree.strategy.vision.clone();
    Ok(Json(StrategyView {
        strategy: StrategySummary::of(tree.strategy),
        vision,
        nodes: tree
            .nodes
            .into_iter()
            .map(|(n, _)| NodeView {
                id: n.id.get(),
                parent: n.parent.map(|p| p.get()),
                level: n.level,
                code: n.code,
                title: n.title,
            })
            .collect(),
        indicators,
    }))
}

/// The actual value of an indicator for a year.
#[derive(Deserialize, ToSchema)]
pub struct ActualValueInput {
    /// The version of the year's value as read; leave out when the year has no value yet.
    pub version: Option<i64>,
    pub value: f64,
    pub comment: Option<String>,
}

/// Enters (or corrects) the actual value of an indicator for a calendar year; its target stays.
#[utoipa::path(put, path = "/strategies/{id}/indicators/{indicator}/years/{year}", tag = "strategies",
    params(("id" = i64, Path, description = "The strategy"), ("indicator" = i64, Path, description = "The indicator"),
        ("year" = i32, Path, description = "The calendar year")),
    request_body = ActualValueInput,
    responses((status = 200, body = IndicatorValueView), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn set_indicator_value(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Ids((id, indicator, year)): Ids<(i64, i64, i32)>,
    Body(input): Body<ActualValueInput>,
) -> Result<Json<IndicatorValueView>, WebError> {
    let tree = visible_strategy(&state, &user, id).await?;
    let indicator = IndicatorId(indicator);
    if !state.store.indicators_of(tree.strategy.id).await?.iter().any(|i| i.id == indicator) {
        return Err(WebError::NotFound(format!("indicator {} of strategy {id}", indicator.get())));
    }
    if !input.value.is_finite() {
        return Err(WebError::Invalid("value: must be a number".into()));
    }
    let period = DateRange::year(Year::new(year).map_err(|e| WebError::Invalid(e.to_string()))?);
    let existing = state.store.indicator_periods(indicator).await?.into_iter().find(|(p, _)| p.period == period);
    let comment = input.comment.map(|c| c.trim().to_owned()).filter(|c| !c.is_empty());
    let actual = Some(MeasuredValue { value: input.value, comment, evidence: Vec::new() });
    let target = existing.as_ref().and_then(|(p, _)| p.target.clone());
    let changed = IndicatorPeriod { period, target, actual };
    let based_on = input.version.map(RowVersion);
    let today = chrono::Utc::now().date_naive();
    let version = state.store.set_indicator_period(&Actor::User(user), indicator, &changed, based_on, today).await?;
    Ok(Json(IndicatorValueView {
        from: period.start(),
        to: period.end(),
        target: changed.target.map(|t| t.value),
        actual: changed.actual.as_ref().map(|a| a.value),
        actual_comment: changed.actual.and_then(|a| a.comment),
        version: version.0,
    }))
}
