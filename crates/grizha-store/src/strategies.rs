//! Strategies: the tree of the logical framework and its indicators with per-period values.

use chrono::NaiveDate;
use grizha_domain::Invalid;
use grizha_domain::document::Evidence;
use grizha_domain::geography::AreaCode;
use grizha_domain::ids::{IndicatorId, RowVersion, SourceDocumentId, StrategyId, StrategyNodeId};
use grizha_domain::strategy::{
    Aggregation, Baseline, Direction, Indicator, IndicatorLevel, IndicatorPeriod, LevelNames, MeasuredValue, Strategy,
    StrategyNode, child_level,
};
use grizha_domain::time::{DateRange, Year, YearRange};
use sqlx::types::Json;

use crate::audit::{audit, snapshot};
use crate::sql;
use crate::{Actor, Result, Store, StoreError, WritePool, check_version, on_pool, stored};

#[derive(Debug, Clone)]
pub struct NewStrategy {
    pub area: AreaCode,
    pub title: String,
    pub period: YearRange,
    pub vision: Option<String>,
    pub level_names: LevelNames,
    pub adopted_by: Option<String>,
    pub source: Option<SourceDocumentId>,
}

#[derive(Debug, Clone)]
pub struct NewIndicator {
    pub node: Option<StrategyNodeId>,
    pub level: IndicatorLevel,
    pub text: String,
    pub unit: Option<String>,
    pub direction: Direction,
    pub aggregation: Aggregation,
    pub sources: Vec<String>,
    pub verification: Option<String>,
    pub baseline: Option<Baseline>,
}

/// A strategy with all its nodes in tree order (each parent before its children, siblings by position).
#[derive(Debug, Clone)]
pub struct StrategyTree {
    pub strategy: Strategy,
    pub version: RowVersion,
    pub nodes: Vec<(StrategyNode, RowVersion)>,
}

impl StrategyTree {
    pub fn children(&self, parent: Option<StrategyNodeId>) -> impl Iterator<Item = &StrategyNode> {
        self.nodes.iter().map(|(n, _)| n).filter(move |n| n.parent == parent)
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct StrategyRow {
    id: i64,
    area_code: String,
    title: String,
    period_from: i64,
    period_to: i64,
    vision: Option<String>,
    level_names: Json<Vec<String>>,
    adopted_by: Option<String>,
    source_document_id: Option<i64>,
    version: i64,
}

impl StrategyRow {
    pub(crate) fn into_domain(self) -> Result<(Strategy, RowVersion)> {
        let year = |y: i64| stored("strategy", Year::new(i32::try_from(y).unwrap_or(i32::MAX)));
        Ok((
            Strategy {
                id: StrategyId(self.id),
                area: stored("strategy", AreaCode::parse(&self.area_code))?,
                title: self.title,
                period: stored("strategy", YearRange::new(year(self.period_from)?, year(self.period_to)?))?,
                vision: self.vision,
                level_names: stored("strategy", LevelNames::new(self.level_names.0))?,
                adopted_by: self.adopted_by,
                source: self.source_document_id.map(SourceDocumentId),
            },
            RowVersion(self.version),
        ))
    }
}

#[derive(sqlx::FromRow)]
struct NodeRow {
    id: i64,
    strategy_id: i64,
    parent_id: Option<i64>,
    level: i64,
    code: Option<String>,
    title: String,
    position: i64,
    version: i64,
}

impl NodeRow {
    fn into_domain(self) -> (StrategyNode, RowVersion) {
        (
            StrategyNode {
                id: StrategyNodeId(self.id),
                strategy: StrategyId(self.strategy_id),
                parent: self.parent_id.map(StrategyNodeId),
                level: u8::try_from(self.level).unwrap_or(u8::MAX),
                code: self.code,
                title: self.title,
                position: i32::try_from(self.position).unwrap_or(i32::MAX),
            },
            RowVersion(self.version),
        )
    }
}

pub(crate) const STRATEGY_COLUMNS: &str =
    "id, area_code, title, period_from, period_to, vision, level_names, adopted_by, source_document_id, version";
const NODE_COLUMNS: &str = "id, strategy_id, parent_id, level, code, title, position, version";

fn normalise_code(code: Option<String>) -> Option<String> {
    code.map(|c| c.chars().filter(|ch| !ch.is_whitespace()).collect::<String>()).filter(|c| !c.is_empty())
}

fn required_text(what: &'static str, text: &str) -> Result<String> {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.is_empty() { Err(Invalid::new(what, "cannot be empty", "").into()) } else { Ok(text) }
}

impl Store {
    pub async fn create_strategy(&self, actor: &Actor, new: NewStrategy) -> Result<Strategy> {
        actor.authorise(&new.area, "create a strategy")?;
        let title = required_text("strategy title", &new.title)?;
        let row: StrategyRow = on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let row: StrategyRow = sqlx::query_as(sql!(
                "INSERT INTO strategies (area_code, title, period_from, period_to, vision, level_names, adopted_by, source_document_id) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING {STRATEGY_COLUMNS}"
            ))
            .bind(new.area.as_str()).bind(&title)
            .bind(i64::from(new.period.from().get())).bind(i64::from(new.period.to().get()))
            .bind(&new.vision).bind(Json(new.level_names.names())).bind(&new.adopted_by).bind(new.source.map(|s| s.get()))
            .fetch_one(&mut *tx).await?;
            audit!(tx, actor, "strategy", row.id, "create", None, snapshot(&serde_json::json!({"title": title, "area": new.area, "period": new.period})));
            tx.commit().await?;
            row
        });
        Ok(row.into_domain()?.0)
    }

    pub async fn strategies_of(&self, area: &AreaCode) -> Result<Vec<Strategy>> {
        let rows: Vec<StrategyRow> = on_pool!(self, pool => sqlx::query_as(sql!(
            "SELECT {STRATEGY_COLUMNS} FROM strategies WHERE area_code = $1 ORDER BY period_from DESC, id"
        )).bind(area.as_str()).fetch_all(pool).await)?;
        rows.into_iter().map(|r| r.into_domain().map(|(s, _)| s)).collect()
    }

    pub async fn strategy_tree(&self, id: StrategyId) -> Result<StrategyTree> {
        let (row, nodes): (Option<StrategyRow>, Vec<NodeRow>) = on_pool!(self, pool => {
            let row = sqlx::query_as(sql!("SELECT {STRATEGY_COLUMNS} FROM strategies WHERE id = $1")).bind(id.get()).fetch_optional(pool).await?;
            let nodes = sqlx::query_as(sql!("SELECT {NODE_COLUMNS} FROM strategy_nodes WHERE strategy_id = $1 ORDER BY level, position, id"))
                .bind(id.get()).fetch_all(pool).await?;
            (row, nodes)
        });
        let (strategy, version) =
            row.ok_or(StoreError::NotFound { entity: "strategy", id: id.to_string() })?.into_domain()?;
        // Depth-first order: each parent before its children.
        let all: Vec<(StrategyNode, RowVersion)> = nodes.into_iter().map(NodeRow::into_domain).collect();
        let mut ordered = Vec::with_capacity(all.len());
        let mut stack: Vec<Option<StrategyNodeId>> = vec![None];
        let mut pending: Vec<&(StrategyNode, RowVersion)> = Vec::new();
        while let Some(parent) = stack.pop() {
            pending.clear();
            pending.extend(all.iter().filter(|(n, _)| n.parent == parent));
            if let Some(p) = parent
                && let Some(node) = all.iter().find(|(n, _)| n.id == p)
            {
                ordered.push(node.clone());
            }
            for child in pending.iter().rev() {
                stack.push(Some(child.0.id));
            }
        }
        Ok(StrategyTree { strategy, version, nodes: ordered })
    }

    /// Adds a node under `parent` (or at the top), one level below it and after its siblings.
    pub async fn add_strategy_node(
        &self,
        actor: &Actor,
        strategy: StrategyId,
        parent: Option<StrategyNodeId>,
        code: Option<String>,
        title: &str,
    ) -> Result<StrategyNode> {
        let tree = self.strategy_tree(strategy).await?;
        actor.authorise(&tree.strategy.area, "edit the strategy")?;
        let parent_node = match parent {
            Some(p) => Some(
                tree.nodes
                    .iter()
                    .map(|(n, _)| n)
                    .find(|n| n.id == p)
                    .ok_or(StoreError::NotFound { entity: "strategy node", id: p.to_string() })?,
            ),
            None => None,
        };
        let level = child_level(&tree.strategy.level_names, parent_node)?;
        let position = tree.children(parent).map(|n| n.position + 1).max().unwrap_or(0);
        let title = required_text("node title", title)?;
        let node = on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let row: NodeRow = sqlx::query_as(sql!(
                "INSERT INTO strategy_nodes (strategy_id, parent_id, level, code, title, position) VALUES ($1, $2, $3, $4, $5, $6) RETURNING {NODE_COLUMNS}"
            ))
            .bind(strategy.get()).bind(parent.map(|p| p.get())).bind(i64::from(level)).bind(normalise_code(code)).bind(&title).bind(i64::from(position))
            .fetch_one(&mut *tx).await?;
            let (node, _) = row.into_domain();
            audit!(tx, actor, "strategy_node", node.id, "create", None, snapshot(&node));
            tx.commit().await?;
            node
        });
        Ok(node)
    }

    /// Renames a node; refused with a conflict when the node changed since `based_on`.
    pub async fn update_strategy_node(
        &self,
        actor: &Actor,
        id: StrategyNodeId,
        based_on: RowVersion,
        code: Option<String>,
        title: &str,
    ) -> Result<RowVersion> {
        let title = required_text("node title", title)?;
        let code = normalise_code(code);
        let version = on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let old: Option<NodeRow> = sqlx::query_as(sql!("SELECT {NODE_COLUMNS} FROM strategy_nodes WHERE id = $1")).bind(id.get()).fetch_optional(&mut *tx).await?;
            check_version("strategy node", id, based_on, old.as_ref().map(|o| o.version))?;
            let old = old.expect("checked above").into_domain().0;
            let area: String = sqlx::query_scalar("SELECT area_code FROM strategies WHERE id = $1").bind(old.strategy.get()).fetch_one(&mut *tx).await?;
            actor.authorise(&stored("strategy", AreaCode::parse(&area))?, "edit the strategy")?;
            let updated = sqlx::query("UPDATE strategy_nodes SET code = $1, title = $2, version = version + 1 WHERE id = $3 AND version = $4")
                .bind(&code).bind(&title).bind(id.get()).bind(based_on.0).execute(&mut *tx).await?;
            check_version("strategy node", id, based_on, (updated.rows_affected() == 1).then_some(based_on.0))?;
            let new = StrategyNode { code: code.clone(), title: title.clone(), ..old.clone() };
            audit!(tx, actor, "strategy_node", id, "update", snapshot(&old), snapshot(&new));
            tx.commit().await?;
            based_on.next()
        });
        Ok(version)
    }

    pub async fn add_indicator(&self, actor: &Actor, strategy: StrategyId, new: NewIndicator) -> Result<Indicator> {
        let tree = self.strategy_tree(strategy).await?;
        actor.authorise(&tree.strategy.area, "edit the strategy")?;
        if let Some(node) = new.node
            && !tree.nodes.iter().any(|(n, _)| n.id == node)
        {
            return Err(StoreError::NotFound { entity: "strategy node", id: node.to_string() });
        }
        let text = required_text("indicator text", &new.text)?;
        let baseline = new.baseline.clone();
        let id: i64 = on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO indicators (strategy_id, node_id, level, text, unit, direction, aggregation, sources, verification, baseline_value, baseline_as_of, baseline_comment) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
            )
            .bind(strategy.get()).bind(new.node.map(|n| n.get())).bind(new.level.as_str()).bind(&text).bind(&new.unit)
            .bind(new.direction.as_str()).bind(new.aggregation.as_str()).bind(Json(&new.sources)).bind(&new.verification)
            .bind(baseline.as_ref().map(|b| b.value)).bind(baseline.as_ref().map(|b| b.as_of)).bind(baseline.as_ref().and_then(|b| b.comment.clone()))
            .fetch_one(&mut *tx).await?;
            audit!(tx, actor, "indicator", id, "create", None, snapshot(&serde_json::json!({"text": text, "strategy": strategy})));
            tx.commit().await?;
            id
        });
        Ok(Indicator {
            id: IndicatorId(id),
            strategy,
            node: new.node,
            level: new.level,
            text,
            unit: new.unit,
            direction: new.direction,
            aggregation: new.aggregation,
            sources: new.sources,
            verification: new.verification,
            baseline,
        })
    }

    /// Sets one period's target and actual value. A new period is created with `based_on = None`;
    /// an existing one is edited only from the version it is at. An actual value for a period that
    /// has not begun on `today` is refused.
    pub async fn set_indicator_period(
        &self,
        actor: &Actor,
        indicator: IndicatorId,
        period: &IndicatorPeriod,
        based_on: Option<RowVersion>,
        today: NaiveDate,
    ) -> Result<RowVersion> {
        period.check(today)?;
        let area: Option<String> = on_pool!(self, pool => sqlx::query_scalar(
            "SELECT s.area_code FROM indicators i JOIN strategies s ON s.id = i.strategy_id WHERE i.id = $1"
        ).bind(indicator.get()).fetch_optional(pool).await)?;
        let area = area.ok_or(StoreError::NotFound { entity: "indicator", id: indicator.to_string() })?;
        actor.authorise(&stored("strategy", AreaCode::parse(&area))?, "record indicator values")?;
        let key = format!("{indicator}:{}..{}", period.period.start(), period.period.end());
        let target = period.target.as_ref();
        let actual = period.actual.as_ref();
        let no_evidence: Vec<Evidence> = Vec::new();
        let version = on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let current: Option<i64> = sqlx::query_scalar("SELECT version FROM indicator_periods WHERE indicator_id = $1 AND period_start = $2 AND period_end = $3")
                .bind(indicator.get()).bind(period.period.start()).bind(period.period.end()).fetch_optional(&mut *tx).await?;
            let version = match (based_on, current) {
                (None, None) => {
                    sqlx::query(
                        "INSERT INTO indicator_periods (indicator_id, period_start, period_end, target_value, target_comment, target_evidence, actual_value, actual_comment, actual_evidence) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                    )
                    .bind(indicator.get()).bind(period.period.start()).bind(period.period.end())
                    .bind(target.map(|t| t.value)).bind(target.and_then(|t| t.comment.clone())).bind(Json(target.map_or(&no_evidence, |t| &t.evidence)))
                    .bind(actual.map(|a| a.value)).bind(actual.and_then(|a| a.comment.clone())).bind(Json(actual.map_or(&no_evidence, |a| &a.evidence)))
                    .execute(&mut *tx).await?;
                    audit!(tx, actor, "indicator_period", key, "create", None, snapshot(period));
                    RowVersion::FIRST
                }
                (None, Some(actual_version)) => return Err(StoreError::Conflict { entity: "indicator period", id: key, expected: 0, actual: actual_version }),
                (Some(based_on), current) => {
                    check_version("indicator period", &key, based_on, current)?;
                    let old: (Option<f64>, Option<String>, Option<f64>, Option<String>) = sqlx::query_as(
                        "SELECT target_value, target_comment, actual_value, actual_comment FROM indicator_periods \
                         WHERE indicator_id = $1 AND period_start = $2 AND period_end = $3",
                    )
                    .bind(indicator.get()).bind(period.period.start()).bind(period.period.end()).fetch_one(&mut *tx).await?;
                    let old = serde_json::json!({"period": period.period, "target": old.0, "target_comment": old.1, "actual": old.2, "actual_comment": old.3});
                    sqlx::query(
                        "UPDATE indicator_periods SET target_value = $1, target_comment = $2, target_evidence = $3, actual_value = $4, actual_comment = $5, actual_evidence = $6, version = version + 1 \
                         WHERE indicator_id = $7 AND period_start = $8 AND period_end = $9 AND version = $10",
                    )
                    .bind(target.map(|t| t.value)).bind(target.and_then(|t| t.comment.clone())).bind(Json(target.map_or(&no_evidence, |t| &t.evidence)))
                    .bind(actual.map(|a| a.value)).bind(actual.and_then(|a| a.comment.clone())).bind(Json(actual.map_or(&no_evidence, |a| &a.evidence)))
                    .bind(indicator.get()).bind(period.period.start()).bind(period.period.end()).bind(based_on.0)
                    .execute(&mut *tx).await?;
                    audit!(tx, actor, "indicator_period", key, "update", Some(old), snapshot(period));
                    based_on.next()
                }
            };
            tx.commit().await?;
            version
        });
        Ok(version)
    }

    /// The indicators of a strategy, in the order they were added.
    pub async fn indicators_of(&self, strategy: StrategyId) -> Result<Vec<Indicator>> {
        type IndicatorRow = (
            i64,
            Option<i64>,
            String,
            String,
            Option<String>,
            String,
            String,
            Json<Vec<String>>,
            Option<String>,
            Option<f64>,
            Option<NaiveDate>,
            Option<String>,
        );
        let rows: Vec<IndicatorRow> = on_pool!(self, pool => sqlx::query_as(
            "SELECT id, node_id, level, text, unit, direction, aggregation, sources, verification, baseline_value, baseline_as_of, baseline_comment \
             FROM indicators WHERE strategy_id = $1 ORDER BY id"
        ).bind(strategy.get()).fetch_all(pool).await)?;
        rows.into_iter()
            .map(
                |(
                    id,
                    node,
                    level,
                    text,
                    unit,
                    direction,
                    aggregation,
                    sources,
                    verification,
                    value,
                    as_of,
                    comment,
                )| {
                    Ok(Indicator {
                        id: IndicatorId(id),
                        strategy,
                        node: node.map(StrategyNodeId),
                        level: stored("indicator", level.parse())?,
                        text,
                        unit,
                        direction: stored("indicator", direction.parse())?,
                        aggregation: stored("indicator", aggregation.parse())?,
                        sources: sources.0,
                        verification,
                        baseline: match (value, as_of) {
                            (Some(value), Some(as_of)) => Some(Baseline { value, as_of, comment }),
                            _ => None,
                        },
                    })
                },
            )
            .collect()
    }

    pub async fn indicator_periods(&self, indicator: IndicatorId) -> Result<Vec<(IndicatorPeriod, RowVersion)>> {
        type PeriodRow = (
            NaiveDate,
            NaiveDate,
            Option<f64>,
            Option<String>,
            Json<Vec<Evidence>>,
            Option<f64>,
            Option<String>,
            Json<Vec<Evidence>>,
            i64,
        );
        let rows: Vec<PeriodRow> = on_pool!(self, pool => sqlx::query_as(
            "SELECT period_start, period_end, target_value, target_comment, target_evidence, actual_value, actual_comment, actual_evidence, version \
             FROM indicator_periods WHERE indicator_id = $1 ORDER BY period_start"
        ).bind(indicator.get()).fetch_all(pool).await)?;
        rows.into_iter()
            .map(|(start, end, tv, tc, te, av, ac, ae, version)| {
                Ok((
                    IndicatorPeriod {
                        period: stored("indicator period", DateRange::new(start, end))?,
                        target: tv.map(|value| MeasuredValue { value, comment: tc, evidence: te.0 }),
                        actual: av.map(|value| MeasuredValue { value, comment: ac, evidence: ae.0 }),
                    },
                    RowVersion(version),
                ))
            })
            .collect()
    }
}
