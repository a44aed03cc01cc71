//! The demonstration data: a fictional region «Демонстрационна област» (`DEM`) with three
//! municipalities, each with a strategy, two annual plans, a services registry, monitoring and a
//! report owed to the region, plus an account for every role.
//!
//! Everything is written through the public [`Store`] API as [`Actor::System`], so it is validated
//! and audited like any user's work. [`load_demo`] is idempotent: when the region is already there
//! it reads the summary back instead of writing anything.

mod content;

use chrono::NaiveDate;
use grizha_domain::Invalid;
use grizha_domain::geography::{AreaCode, MunicipalityCode, RegionCode};
use grizha_domain::plan::PlanStatus;
use grizha_domain::user::{Login, Role};
use grizha_store::{Actor, Store, StoreError};

/// The code of the demo region.
pub const REGION: &str = "DEM";

const DEMO: Actor = Actor::System("demo");

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the demo data does not validate: {0}")]
    Invalid(#[from] Invalid),
    #[error(
        "the region DEM exists but the demo data in it is incomplete (an earlier load stopped part-way); \
         load the demo into a fresh database"
    )]
    Incomplete,
}

/// A demo account, with its password (public: the demo is for trying Grizha out).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoCredential {
    pub login: String,
    pub password: String,
    pub role: Role,
    pub area: Option<AreaCode>,
    pub display_name: String,
}

/// What one demo municipality holds, read back from the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MunicipalitySummary {
    pub code: MunicipalityCode,
    pub name: String,
    pub strategies: usize,
    pub strategy_nodes: usize,
    pub indicators: usize,
    pub indicator_values: usize,
    /// `(year, status)` of every plan, newest year first.
    pub plans: Vec<(i32, PlanStatus)>,
    pub plan_activities: usize,
    pub plan_service_entries: usize,
    pub services: usize,
    pub services_in_force: usize,
    pub service_events: usize,
    pub monitoring_records: usize,
    pub overdue_activities: usize,
    pub reporting_obligations: usize,
}

/// What the demo holds and how to sign in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoSummary {
    pub region: RegionCode,
    pub region_name: String,
    /// `false` when the demo was already in the database and nothing was written.
    pub loaded_now: bool,
    pub municipalities: Vec<MunicipalitySummary>,
    pub credentials: Vec<DemoCredential>,
}

impl std::fmt::Display for DemoSummary {
    /// The text `grizha demo` prints: what is there, then the accounts.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let verb = if self.loaded_now { "Loaded" } else { "Already loaded" };
        writeln!(f, "{verb}: the demo region {} «{}».", self.region, self.region_name)?;
        for m in &self.municipalities {
            let plans: Vec<String> = m.plans.iter().map(|(y, s)| format!("{y} {}", s.label_bg())).collect();
            writeln!(
                f,
                "  {} «{}»: {} strategy ({} nodes, {} indicators, {} values); plans {} ({} activities, {} service entries); \
                 {} services ({} in force, {} changes); {} monitoring records ({} overdue); {} report(s) owed",
                m.code,
                m.name,
                m.strategies,
                m.strategy_nodes,
                m.indicators,
                m.indicator_values,
                plans.join(", "),
                m.plan_activities,
                m.plan_service_entries,
                m.services,
                m.services_in_force,
                m.service_events,
                m.monitoring_records,
                m.overdue_activities,
                m.reporting_obligations,
            )?;
        }
        writeln!(f, "Demo accounts (public passwords — for trying Grizha out only):")?;
        for c in &self.credentials {
            writeln!(
                f,
                "  {:<16} {:<22} {}{} — {}",
                c.login,
                c.password,
                c.role.label_bg(),
                c.area.as_ref().map(|a| format!(", {}", a.as_str())).unwrap_or_default(),
                c.display_name
            )?;
        }
        Ok(())
    }
}

/// Loads the demo region into `store` (already migrated), or, when it is there, reads back what it
/// holds. `today` decides what has happened: actual values of indicators and monitoring records
/// are written only for periods that ended before it.
pub async fn load_demo(store: &Store, today: NaiveDate) -> Result<DemoSummary, DemoError> {
    let region = RegionCode::parse(REGION)?;
    let region_area = AreaCode::Region(region.clone());
    let loaded_now = if store.area_name(&region_area).await?.is_some() {
        // The last account is written last: without it an earlier load did not finish.
        let last = content::credentials().pop().expect("the demo has accounts");
        if store.user_by_login(&Login::parse(&last.login)?).await?.is_none() {
            return Err(DemoError::Incomplete);
        }
        false
    } else {
        content::load(store, &DEMO, today).await?;
        true
    };
    summarise(store, &region, loaded_now, today).await
}

async fn summarise(
    store: &Store,
    region: &RegionCode,
    loaded_now: bool,
    today: NaiveDate,
) -> Result<DemoSummary, DemoError> {
    let region_name = store.area_name(&AreaCode::Region(region.clone())).await?.unwrap_or_default();
    let mut municipalities = Vec::new();
    for municipality in store.municipalities(Some(region)).await? {
        let area = AreaCode::Municipality(municipality.code.clone());
        let mut s = MunicipalitySummary {
            code: municipality.code.clone(),
            name: municipality.name.clone(),
            strategies: 0,
            strategy_nodes: 0,
            indicators: 0,
            indicator_values: 0,
            plans: Vec::new(),
            plan_activities: 0,
            plan_service_entries: 0,
            services: 0,
            services_in_force: 0,
            service_events: 0,
            monitoring_records: 0,
            overdue_activities: store.overdue_activities(&area, today).await?.len(),
            reporting_obligations: store.obligations_of(&area, today).await?.len(),
        };
        for strategy in store.strategies_of(&area).await? {
            s.strategies += 1;
            s.strategy_nodes += store.strategy_tree(strategy.id).await?.nodes.len();
            for indicator in store.indicators_of(strategy.id).await? {
                s.indicators += 1;
                s.indicator_values += store.indicator_periods(indicator.id).await?.len();
            }
        }
        for plan in store.plans_of(&area).await? {
            s.plans.push((plan.year.get(), plan.status));
            s.plan_service_entries += store.plan_service_entries(plan.id).await?.len();
            for (activity, _) in store.plan_activities(plan.id).await? {
                s.plan_activities += 1;
                s.monitoring_records += store.monitoring_records(activity.id).await?.len();
            }
        }
        for service in store.services_of(&municipality.code, None).await? {
            s.services += 1;
            s.services_in_force += usize::from(service.effective.is_in_force_on(today));
            s.service_events += store.service_events(service.id).await?.len();
        }
        municipalities.push(s);
    }
    Ok(DemoSummary {
        region: region.clone(),
        region_name,
        loaded_now,
        municipalities,
        credentials: content::credentials(),
    })
}
