//! What a region's home page shows of each of its municipalities — plans, strategies, overdue rows,
//! services in force — read in four queries for the whole region instead of several per
//! municipality.

use std::collections::HashMap;

use chrono::NaiveDate;
use grizha_domain::geography::RegionCode;
use grizha_domain::plan::AnnualPlan;
use grizha_domain::strategy::Strategy;

use crate::plans::{PLAN_COLUMNS, PlanRow};
use crate::strategies::{STRATEGY_COLUMNS, StrategyRow};
use crate::{Result, Store, on_pool, sql};

/// The municipalities of a region at a glance, keyed by municipality code.
#[derive(Debug, Default)]
pub struct RegionOverview {
    /// Every version of every plan, newest year first (as [`Store::plans_of`]).
    pub plans: HashMap<String, Vec<AnnualPlan>>,
    /// Strategies, newest first (as [`Store::strategies_of`]).
    pub strategies: HashMap<String, Vec<Strategy>>,
    /// As [`Store::count_overdue_activities`].
    pub overdue: HashMap<String, usize>,
    /// As [`Store::count_services_in_force`].
    pub services_in_force: HashMap<String, usize>,
}

impl Store {
    pub async fn region_overview(&self, region: &RegionCode, today: NaiveDate) -> Result<RegionOverview> {
        // A municipality's code is its region's code and two digits: a range of the index on
        // `area_code` (a `LIKE` pattern would read every row — SQLite's LIKE ignores case, so it
        // cannot use the index — and made the page 10 times slower than asking per municipality).
        let (first, last) = (format!("{}00", region.as_str()), format!("{}99", region.as_str()));
        let mut overview = RegionOverview::default();
        let plans: Vec<PlanRow> = on_pool!(self, pool => sqlx::query_as(sql!(
            "SELECT {PLAN_COLUMNS} FROM annual_plans WHERE area_code BETWEEN $1 AND $2 ORDER BY area_code, year DESC, version_no"
        )).bind(&first).bind(&last).fetch_all(pool).await)?;
        for row in plans {
            let (plan, _) = row.into_domain()?;
            overview.plans.entry(plan.area.as_str().to_owned()).or_default().push(plan);
        }
        let strategies: Vec<StrategyRow> = on_pool!(self, pool => sqlx::query_as(sql!(
            "SELECT {STRATEGY_COLUMNS} FROM strategies WHERE area_code BETWEEN $1 AND $2 ORDER BY area_code, period_from DESC, id"
        )).bind(&first).bind(&last).fetch_all(pool).await)?;
        for row in strategies {
            let (strategy, _) = row.into_domain()?;
            overview.strategies.entry(strategy.area.as_str().to_owned()).or_default().push(strategy);
        }
        let overdue: Vec<(String, i64)> = on_pool!(self, pool => sqlx::query_as(
            "SELECT p.area_code, COUNT(*) FROM plan_activities a JOIN annual_plans p ON p.id = a.plan_id \
             WHERE p.area_code BETWEEN $1 AND $2 AND p.status = 'adopted' AND a.deadline_to < $3 \
             AND NOT EXISTS (SELECT 1 FROM monitoring_records m WHERE m.activity_id = a.id AND m.status IN ('done', 'cancelled')) \
             GROUP BY p.area_code"
        ).bind(&first).bind(&last).bind(today).fetch_all(pool).await)?;
        overview.overdue = overdue.into_iter().map(|(a, n)| (a, usize::try_from(n).unwrap_or(0))).collect();
        let services: Vec<(String, i64)> = on_pool!(self, pool => sqlx::query_as(
            "SELECT area_code, COUNT(*) FROM services \
             WHERE area_code BETWEEN $1 AND $2 AND opened_on <= $3 AND (closed_on IS NULL OR closed_on >= $3) GROUP BY area_code"
        ).bind(&first).bind(&last).bind(today).fetch_all(pool).await)?;
        overview.services_in_force = services.into_iter().map(|(a, n)| (a, usize::try_from(n).unwrap_or(0))).collect();
        Ok(overview)
    }
}
