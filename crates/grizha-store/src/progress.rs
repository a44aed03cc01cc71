//! Progress of a strategy's nodes in a period, rolled up from the monitoring of the plan rows that
//! carry them out, by the rule in `grizha_domain::monitoring::roll_up`.

use std::collections::HashMap;

use chrono::NaiveDate;
use grizha_domain::geography::AreaCode;
use grizha_domain::ids::{StrategyNodeId, UserId};
use grizha_domain::monitoring::{ActivityStatus, Progress, ProgressOverride, Rollup, RollupInput, roll_up};
use grizha_domain::time::DateRange;

use crate::audit::{audit, snapshot};
use crate::{Actor, Result, Store, StoreError, WritePool, on_pool, stored};

impl Store {
    /// Sets (or replaces) a manual progress for a node in a period; the reason is required.
    pub async fn set_progress_override(
        &self,
        actor: &Actor,
        node: StrategyNodeId,
        period: DateRange,
        progress: Progress,
        reason: &str,
    ) -> Result<()> {
        let area = self.node_area(node).await?;
        actor.authorise(&area, "override progress")?;
        let by = actor.user().ok_or_else(|| StoreError::Forbidden {
            actor: "the system".into(),
            action: "override progress without a person to answer for it".into(),
        })?;
        let over = ProgressOverride { progress, reason: reason.trim().to_owned(), by };
        roll_up(&[], Some(over.clone()))?; // checks the reason
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let old: Option<(i64, String)> = sqlx::query_as("SELECT progress, reason FROM progress_overrides WHERE strategy_node_id = $1 AND period_start = $2 AND period_end = $3")
                .bind(node.get()).bind(period.start()).bind(period.end()).fetch_optional(&mut *tx).await?;
            let old = old.map(|(progress, reason)| serde_json::json!({"progress": progress, "reason": reason}));
            sqlx::query("DELETE FROM progress_overrides WHERE strategy_node_id = $1 AND period_start = $2 AND period_end = $3")
                .bind(node.get()).bind(period.start()).bind(period.end()).execute(&mut *tx).await?;
            sqlx::query("INSERT INTO progress_overrides (strategy_node_id, period_start, period_end, progress, reason, set_by) VALUES ($1, $2, $3, $4, $5, $6)")
                .bind(node.get()).bind(period.start()).bind(period.end()).bind(i64::from(progress.percent())).bind(&over.reason).bind(by.get())
                .execute(&mut *tx).await?;
            audit!(tx, actor, "progress_override", format!("{node}:{}..{}", period.start(), period.end()), "set", old, snapshot(&over));
            tx.commit().await?;
        });
        Ok(())
    }

    async fn node_area(&self, node: StrategyNodeId) -> Result<AreaCode> {
        let area: Option<String> = on_pool!(self, pool => sqlx::query_scalar(
            "SELECT s.area_code FROM strategy_nodes n JOIN strategies s ON s.id = n.strategy_id WHERE n.id = $1"
        ).bind(node.get()).fetch_optional(pool).await)?;
        stored(
            "strategy",
            AreaCode::parse(&area.ok_or(StoreError::NotFound { entity: "strategy node", id: node.to_string() })?),
        )
    }

    /// The progress of `node` in `period`: the plan rows linked to it or to any node below it,
    /// each with its latest monitoring record inside the period. A row of an adopted plan whose year
    /// overlaps the period but has no record counts as not started; rows of other years do not apply.
    pub async fn node_progress(&self, node: StrategyNodeId, period: DateRange) -> Result<Rollup> {
        type NodeRow = (i64, Option<i64>);
        type ActivityRow = (i64, i64, i64, Option<String>, Option<i64>);
        type OverrideRow = (i64, i64, String, i64);
        let strategy: Option<i64> = on_pool!(self, pool => sqlx::query_scalar("SELECT strategy_id FROM strategy_nodes WHERE id = $1").bind(node.get()).fetch_optional(pool).await)?;
        let strategy = strategy.ok_or(StoreError::NotFound { entity: "strategy node", id: node.to_string() })?;
        let (nodes, activities, overrides): (Vec<NodeRow>, Vec<ActivityRow>, Vec<OverrideRow>) = on_pool!(self, pool => {
            let nodes = sqlx::query_as("SELECT id, parent_id FROM strategy_nodes WHERE strategy_id = $1").bind(strategy).fetch_all(pool).await?;
            // For each linked row of an adopted plan: its node, its plan year, and the latest record in the period.
            let activities = sqlx::query_as(
                "SELECT a.id, a.strategy_node_id, p.year, \
                 (SELECT m.status FROM monitoring_records m WHERE m.activity_id = a.id AND m.period_start >= $2 AND m.period_end <= $3 ORDER BY m.period_end DESC, m.id DESC LIMIT 1), \
                 (SELECT m.progress FROM monitoring_records m WHERE m.activity_id = a.id AND m.period_start >= $2 AND m.period_end <= $3 ORDER BY m.period_end DESC, m.id DESC LIMIT 1) \
                 FROM plan_activities a JOIN annual_plans p ON p.id = a.plan_id JOIN strategy_nodes n ON n.id = a.strategy_node_id \
                 WHERE n.strategy_id = $1 AND p.status = 'adopted'"
            ).bind(strategy).bind(period.start()).bind(period.end()).fetch_all(pool).await?;
            let overrides = sqlx::query_as(
                "SELECT o.strategy_node_id, o.progress, o.reason, o.set_by FROM progress_overrides o JOIN strategy_nodes n ON n.id = o.strategy_node_id \
                 WHERE n.strategy_id = $1 AND o.period_start = $2 AND o.period_end = $3"
            ).bind(strategy).bind(period.start()).bind(period.end()).fetch_all(pool).await?;
            (nodes, activities, overrides)
        });
        let mut children: HashMap<i64, Vec<i64>> = HashMap::new();
        for (id, parent) in &nodes {
            if let Some(parent) = parent {
                children.entry(*parent).or_default().push(*id);
            }
        }
        let mut linked: HashMap<i64, Vec<RollupInput>> = HashMap::new();
        for (_, node_id, year, status, progress) in activities {
            let year = i32::try_from(year).unwrap_or(i32::MAX);
            let overlaps = NaiveDate::from_ymd_opt(year, 1, 1)
                .zip(NaiveDate::from_ymd_opt(year, 12, 31))
                .is_some_and(|(s, e)| s <= period.end() && period.start() <= e);
            let input = match (status, progress) {
                (Some(status), Some(progress)) => RollupInput::Measured {
                    status: stored("monitoring record", status.parse())?,
                    progress: stored("monitoring record", Progress::new(u8::try_from(progress).unwrap_or(u8::MAX)))?,
                },
                _ if overlaps => RollupInput::Measured { status: ActivityStatus::NotStarted, progress: Progress::NONE },
                _ => RollupInput::NotApplicable,
            };
            linked.entry(node_id).or_default().push(input);
        }
        let mut overridden: HashMap<i64, ProgressOverride> = HashMap::new();
        for (node_id, progress, reason, by) in overrides {
            overridden.insert(
                node_id,
                ProgressOverride {
                    progress: stored("progress override", Progress::new(u8::try_from(progress).unwrap_or(u8::MAX)))?,
                    reason,
                    by: UserId(by),
                },
            );
        }
        rollup_node(node.get(), &children, &mut linked, &overridden, 0)
    }
}

fn rollup_node(
    node: i64,
    children: &HashMap<i64, Vec<i64>>,
    linked: &mut HashMap<i64, Vec<RollupInput>>,
    overridden: &HashMap<i64, ProgressOverride>,
    depth: usize,
) -> Result<Rollup> {
    if depth > 64 {
        return Err(StoreError::Io(format!("strategy node {node} is nested in a cycle")));
    }
    let mut inputs = linked.remove(&node).unwrap_or_default();
    for child in children.get(&node).map(Vec::as_slice).unwrap_or_default() {
        let r = rollup_node(*child, children, linked, overridden, depth + 1)?;
        inputs.push(match (r.progress, r.status) {
            (Some(progress), Some(status)) => RollupInput::Measured { status, progress },
            (Some(progress), None) => RollupInput::Measured { status: ActivityStatus::InProgress, progress },
            _ => RollupInput::NotApplicable,
        });
    }
    Ok(roll_up(&inputs, overridden.get(&node).cloned())?)
}
