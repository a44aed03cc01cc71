//! Annual plans and their rows. An adopted plan is frozen; an amendment is a new version that copies
//! the rows, and adopting it supersedes the version before.

use chrono::NaiveDate;
use grizha_domain::Invalid;
use grizha_domain::codes::ServiceTypeCode;
use grizha_domain::deadline::{Deadline, DeadlineKind};
use grizha_domain::geography::AreaCode;
use grizha_domain::ids::{
    AnnualPlanId, CouncilDecisionId, PlanActivityId, PlanServiceEntryId, RowVersion, ServiceId, StrategyId,
    StrategyNodeId,
};
use grizha_domain::plan::{
    AnnualPlan, CouncilDecision, Funding, Party, PlanActivity, PlanGeneration, PlanPart, PlanServiceEntry, PlanStatus,
    RowMove, ScheduleMark, reordered,
};
use grizha_domain::time::{DateRange, Year};
use sqlx::types::Json;

use crate::audit::{audit, snapshot};
use crate::sql;
use crate::{Actor, Result, Store, StoreError, WritePool, check_version, on_pool, stored};

#[derive(Debug, Clone)]
pub struct NewPlan {
    pub area: AreaCode,
    pub year: Year,
    pub title: String,
    pub strategy: Option<StrategyId>,
    pub generation: PlanGeneration,
}

/// The content of a plan row, as entered or imported; the store assigns id and position.
#[derive(Debug, Clone, PartialEq)]
pub struct NewActivity {
    pub code: Option<String>,
    pub section: Option<String>,
    pub goal: Option<String>,
    pub text: String,
    pub deadline: Deadline,
    pub responsible: Vec<Party>,
    pub funding: Vec<Funding>,
    pub expected_results: Vec<String>,
    pub location: Option<String>,
    pub schedule: Vec<ScheduleMark>,
    pub service_type: Option<ServiceTypeCode>,
    pub service: Option<ServiceId>,
    pub strategy_node: Option<StrategyNodeId>,
}

impl From<&PlanActivity> for NewActivity {
    fn from(a: &PlanActivity) -> Self {
        NewActivity {
            code: a.code.clone(),
            section: a.section.clone(),
            goal: a.goal.clone(),
            text: a.text.clone(),
            deadline: a.deadline.clone(),
            responsible: a.responsible.clone(),
            funding: a.funding.clone(),
            expected_results: a.expected_results.clone(),
            location: a.location.clone(),
            schedule: a.schedule.clone(),
            service_type: a.service_type.clone(),
            service: a.service,
            strategy_node: a.strategy_node,
        }
    }
}

/// A service entry of a plan under the Закон за социалните услуги, as entered or imported.
#[derive(Debug, Clone, PartialEq)]
pub struct NewPlanServiceEntry {
    pub part: PlanPart,
    pub service_type: ServiceTypeCode,
    pub name: String,
    pub settlement: Option<String>,
    pub max_users: u32,
    pub service: Option<ServiceId>,
    pub note: Option<String>,
}

impl From<&PlanServiceEntry> for NewPlanServiceEntry {
    fn from(e: &PlanServiceEntry) -> Self {
        NewPlanServiceEntry {
            part: e.part,
            service_type: e.service_type.clone(),
            name: e.name.clone(),
            settlement: e.settlement.clone(),
            max_users: e.max_users,
            service: e.service,
            note: e.note.clone(),
        }
    }
}

#[derive(sqlx::FromRow)]
struct ServiceEntryRow {
    id: i64,
    plan_id: i64,
    part: String,
    position: i64,
    service_type: String,
    name: String,
    settlement: Option<String>,
    max_users: i64,
    service_id: Option<i64>,
    note: Option<String>,
}

impl ServiceEntryRow {
    fn into_domain(self) -> Result<PlanServiceEntry> {
        Ok(PlanServiceEntry {
            id: PlanServiceEntryId(self.id),
            plan: AnnualPlanId(self.plan_id),
            part: stored("plan service", self.part.parse())?,
            position: i32::try_from(self.position).unwrap_or(i32::MAX),
            service_type: stored("plan service", ServiceTypeCode::parse(&self.service_type))?,
            name: self.name,
            settlement: self.settlement,
            max_users: u32::try_from(self.max_users).unwrap_or(u32::MAX),
            service: self.service_id.map(ServiceId),
            note: self.note,
        })
    }
}

const SERVICE_ENTRY_COLUMNS: &str =
    "id, plan_id, part, position, service_type, name, settlement, max_users, service_id, note";

/// Inserts a service entry inside a transaction; `$tx`, `$plan`, `$position`, `$e: &NewPlanServiceEntry`.
macro_rules! insert_service_entry {
    ($tx:expr, $plan:expr, $position:expr, $e:expr) => {{
        let e: &NewPlanServiceEntry = $e;
        let row: ServiceEntryRow = sqlx::query_as(sql!(
            "INSERT INTO plan_service_entries (plan_id, part, position, service_type, name, settlement, max_users, service_id, note) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING {SERVICE_ENTRY_COLUMNS}"
        ))
        .bind($plan.get())
        .bind(e.part.as_str())
        .bind(i64::from($position))
        .bind(e.service_type.as_str())
        .bind(e.name.trim())
        .bind(&e.settlement)
        .bind(i64::from(e.max_users))
        .bind(e.service.map(|s| s.get()))
        .bind(&e.note)
        .fetch_one(&mut *$tx)
        .await?;
        row
    }};
}

#[derive(sqlx::FromRow)]
pub(crate) struct PlanRow {
    id: i64,
    area_code: String,
    year: i64,
    title: String,
    strategy_id: Option<i64>,
    generation: String,
    status: String,
    version_no: i64,
    amends_id: Option<i64>,
    adopted_decision_id: Option<i64>,
    consultation_start: Option<NaiveDate>,
    consultation_end: Option<NaiveDate>,
    version: i64,
}

impl PlanRow {
    pub(crate) fn into_domain(self) -> Result<(AnnualPlan, RowVersion)> {
        let consultation = match (self.consultation_start, self.consultation_end) {
            (Some(s), Some(e)) => Some(stored("plan", DateRange::new(s, e))?),
            _ => None,
        };
        Ok((
            AnnualPlan {
                id: AnnualPlanId(self.id),
                area: stored("plan", AreaCode::parse(&self.area_code))?,
                year: stored("plan", Year::new(i32::try_from(self.year).unwrap_or(i32::MAX)))?,
                title: self.title,
                strategy: self.strategy_id.map(StrategyId),
                generation: stored("plan", self.generation.parse())?,
                status: stored("plan", self.status.parse())?,
                version_no: i32::try_from(self.version_no).unwrap_or(i32::MAX),
                amends: self.amends_id.map(AnnualPlanId),
                adopted_by: self.adopted_decision_id.map(CouncilDecisionId),
                consultation,
            },
            RowVersion(self.version),
        ))
    }
}

#[derive(sqlx::FromRow)]
struct ActivityRow {
    id: i64,
    plan_id: i64,
    position: i64,
    code: Option<String>,
    section: Option<String>,
    goal: Option<String>,
    text: String,
    deadline_raw: String,
    deadline_kind: String,
    deadline_from: Option<NaiveDate>,
    deadline_to: Option<NaiveDate>,
    responsible: Json<Vec<Party>>,
    funding: Json<Vec<Funding>>,
    expected_results: Json<Vec<String>>,
    location: Option<String>,
    schedule: Json<Vec<ScheduleMark>>,
    service_type: Option<String>,
    service_id: Option<i64>,
    strategy_node_id: Option<i64>,
    version: i64,
}

impl ActivityRow {
    fn into_domain(self) -> Result<(PlanActivity, RowVersion)> {
        let kind: DeadlineKind = stored(
            "plan activity",
            self.deadline_kind
                .parse::<DeadlineKind>()
                .map_err(|_| Invalid::new("deadline kind", "unknown", &self.deadline_kind)),
        )?;
        let deadline = Deadline::new(self.deadline_raw, kind, self.deadline_from, self.deadline_to)
            .map_err(|e| StoreError::Io(format!("stored plan activity {} has an invalid deadline: {e}", self.id)))?;
        Ok((
            PlanActivity {
                id: PlanActivityId(self.id),
                plan: AnnualPlanId(self.plan_id),
                position: i32::try_from(self.position).unwrap_or(i32::MAX),
                code: self.code,
                section: self.section,
                goal: self.goal,
                text: self.text,
                deadline,
                responsible: self.responsible.0,
                funding: self.funding.0,
                expected_results: self.expected_results.0,
                location: self.location,
                schedule: self.schedule.0,
                service_type: self
                    .service_type
                    .map(|t| stored("plan activity", ServiceTypeCode::parse(&t)))
                    .transpose()?,
                service: self.service_id.map(ServiceId),
                strategy_node: self.strategy_node_id.map(StrategyNodeId),
            },
            RowVersion(self.version),
        ))
    }
}

pub(crate) const PLAN_COLUMNS: &str = "id, area_code, year, title, strategy_id, generation, status, version_no, amends_id, adopted_decision_id, consultation_start, consultation_end, version";
const ACTIVITY_COLUMNS: &str = "id, plan_id, position, code, section, goal, text, deadline_raw, deadline_kind, deadline_from, deadline_to, \
     responsible, funding, expected_results, location, schedule, service_type, service_id, strategy_node_id, version";

fn check_activity(a: &NewActivity) -> Result<()> {
    if a.text.trim().is_empty() {
        return Err(Invalid::new("plan activity", "the activity text cannot be empty", "").into());
    }
    Ok(())
}

/// Inserts a plan row inside a transaction; `$tx`, `$plan`, `$position`, `$a: &NewActivity`.
/// Inserts a new draft plan (version 1) inside the caller's transaction; evaluates to its row. A
/// second plan of the same area and year is refused as a duplicate.
macro_rules! insert_plan {
    ($tx:expr, $new:expr) => {{
        let new: &NewPlan = &$new;
        let row: PlanRow = sqlx::query_as(sql!(
            "INSERT INTO annual_plans (area_code, year, title, strategy_id, generation, status, version_no) VALUES ($1, $2, $3, $4, $5, 'draft', 1) RETURNING {PLAN_COLUMNS}"
        ))
        .bind(new.area.as_str()).bind(i64::from(new.year.get())).bind(new.title.trim()).bind(new.strategy.map(|s| s.get())).bind(new.generation.as_str())
        .fetch_one(&mut *$tx).await
        .map_err(|e| match StoreError::from(e) {
            StoreError::Duplicate { .. } => StoreError::Duplicate { what: "plan", key: format!("{} {}", new.area.as_str(), new.year) },
            other => other,
        })?;
        row
    }};
}

macro_rules! insert_activity {
    ($tx:expr, $plan:expr, $position:expr, $a:expr) => {{
        let a: &NewActivity = $a;
        let code = a.code.as_ref().map(|c| c.chars().filter(|ch| !ch.is_whitespace()).collect::<String>());
        let row: ActivityRow = sqlx::query_as(sql!(
            "INSERT INTO plan_activities (plan_id, position, code, section, goal, text, deadline_raw, deadline_kind, deadline_from, deadline_to, \
             responsible, funding, expected_results, location, schedule, service_type, service_id, strategy_node_id) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18) RETURNING {ACTIVITY_COLUMNS}"
        ))
        .bind($plan.get())
        .bind(i64::from($position))
        .bind(code)
        .bind(&a.section)
        .bind(&a.goal)
        .bind(a.text.trim())
        .bind(a.deadline.raw())
        .bind(a.deadline.kind().as_str())
        .bind(a.deadline.from())
        .bind(a.deadline.to())
        .bind(Json(&a.responsible))
        .bind(Json(&a.funding))
        .bind(Json(&a.expected_results))
        .bind(&a.location)
        .bind(Json(&a.schedule))
        .bind(a.service_type.as_ref().map(|t| t.as_str()))
        .bind(a.service.map(|s| s.get()))
        .bind(a.strategy_node.map(|n| n.get()))
        .fetch_one(&mut *$tx)
        .await?;
        row
    }};
}

impl Store {
    pub async fn add_council_decision(&self, actor: &Actor, decision: &CouncilDecision) -> Result<CouncilDecision> {
        actor.authorise(&decision.area, "record a council decision")?;
        let id: i64 = on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO council_decisions (area_code, body, number, decided_on, protocol, item, text) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
            )
            .bind(decision.area.as_str()).bind(&decision.body).bind(&decision.number).bind(decision.date).bind(&decision.protocol).bind(&decision.item).bind(&decision.text)
            .fetch_one(&mut *tx).await
            .map_err(|e| match StoreError::from(e) {
                StoreError::Duplicate { .. } => StoreError::Duplicate { what: "council decision", key: format!("№ {} от {}", decision.number, decision.date) },
                other => other,
            })?;
            audit!(tx, actor, "council_decision", id, "create", None, snapshot(decision));
            tx.commit().await?;
            id
        });
        Ok(CouncilDecision { id: CouncilDecisionId(id), ..decision.clone() })
    }

    /// The decisions recorded for an area, oldest first.
    pub async fn council_decisions(&self, area: &AreaCode) -> Result<Vec<CouncilDecision>> {
        type Row = (i64, String, String, NaiveDate, Option<String>, Option<String>, Option<String>);
        let rows: Vec<Row> = on_pool!(self, pool => sqlx::query_as(
            "SELECT id, body, number, decided_on, protocol, item, text FROM council_decisions WHERE area_code = $1 ORDER BY decided_on, id"
        ).bind(area.as_str()).fetch_all(pool).await)?;
        Ok(rows
            .into_iter()
            .map(|(id, body, number, date, protocol, item, text)| CouncilDecision {
                id: CouncilDecisionId(id),
                area: area.clone(),
                body,
                number,
                date,
                protocol,
                item,
                text,
            })
            .collect())
    }

    /// Starts a new plan (version 1, a draft).
    pub async fn create_plan(&self, actor: &Actor, new: NewPlan) -> Result<AnnualPlan> {
        actor.authorise(&new.area, "create a plan")?;
        if new.title.trim().is_empty() {
            return Err(Invalid::new("plan", "needs a title", "").into());
        }
        let row: PlanRow = on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let row = insert_plan!(tx, new);
            audit!(tx, actor, "annual_plan", row.id, "create", None, snapshot(&serde_json::json!({"area": new.area, "year": new.year, "title": new.title})));
            tx.commit().await?;
            row
        });
        Ok(row.into_domain()?.0)
    }

    /// Saves an imported document as a new draft plan with its rows and records the source file,
    /// all in one transaction: a failure leaves no half-made plan, and a file recorded before
    /// (same SHA-256) is refused as a duplicate.
    pub async fn import_plan(
        &self,
        actor: &Actor,
        new: NewPlan,
        activities: &[NewActivity],
        source: &crate::NewSourceDocument,
    ) -> Result<AnnualPlan> {
        actor.authorise(&new.area, "import a plan")?;
        if new.title.trim().is_empty() {
            return Err(Invalid::new("plan", "needs a title", "").into());
        }
        activities.iter().try_for_each(check_activity)?;
        let row: PlanRow = on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let row = insert_plan!(tx, new);
            let plan = AnnualPlanId(row.id);
            audit!(tx, actor, "annual_plan", row.id, "create", None, snapshot(&serde_json::json!({"area": new.area, "year": new.year, "title": new.title, "imported_from": source.file_name})));
            for (position, activity) in activities.iter().enumerate() {
                let position = i64::try_from(position).unwrap_or(i64::MAX);
                let added = insert_activity!(tx, plan, position, activity);
                audit!(tx, actor, "plan_activity", added.id, "create", None, snapshot(&serde_json::json!({"plan": plan, "text": activity.text, "deadline": activity.deadline})));
            }
            crate::documents::insert_source_document!(tx, actor, source);
            tx.commit().await?;
            row
        });
        Ok(row.into_domain()?.0)
    }

    pub async fn plan(&self, id: AnnualPlanId) -> Result<(AnnualPlan, RowVersion)> {
        let row: Option<PlanRow> = on_pool!(self, pool => sqlx::query_as(sql!("SELECT {PLAN_COLUMNS} FROM annual_plans WHERE id = $1")).bind(id.get()).fetch_optional(pool).await)?;
        row.ok_or(StoreError::NotFound { entity: "plan", id: id.to_string() })?.into_domain()
    }

    /// Every version of every plan of an area, newest year first, versions in order.
    pub async fn plans_of(&self, area: &AreaCode) -> Result<Vec<AnnualPlan>> {
        Ok(self.versioned_plans_of(area).await?.into_iter().map(|(p, _)| p).collect())
    }

    /// As [`Store::plans_of`], each plan with the version a change of its status names.
    pub async fn versioned_plans_of(&self, area: &AreaCode) -> Result<Vec<(AnnualPlan, RowVersion)>> {
        let rows: Vec<PlanRow> = on_pool!(self, pool => sqlx::query_as(sql!(
            "SELECT {PLAN_COLUMNS} FROM annual_plans WHERE area_code = $1 ORDER BY year DESC, version_no"
        )).bind(area.as_str()).fetch_all(pool).await)?;
        rows.into_iter().map(PlanRow::into_domain).collect()
    }

    /// The rows of any plan that concern `service`, newest plan first.
    pub async fn service_activities(&self, service: grizha_domain::ids::ServiceId) -> Result<Vec<PlanActivity>> {
        let rows: Vec<ActivityRow> = on_pool!(self, pool => sqlx::query_as(sql!(
            "SELECT {ACTIVITY_COLUMNS} FROM plan_activities WHERE service_id = $1 ORDER BY plan_id DESC, position"
        )).bind(service.get()).fetch_all(pool).await)?;
        rows.into_iter().map(|r| r.into_domain().map(|(a, _)| a)).collect()
    }

    pub async fn plan_activities(&self, plan: AnnualPlanId) -> Result<Vec<(PlanActivity, RowVersion)>> {
        let rows: Vec<ActivityRow> = on_pool!(self, pool => sqlx::query_as(sql!(
            "SELECT {ACTIVITY_COLUMNS} FROM plan_activities WHERE plan_id = $1 ORDER BY position, id"
        )).bind(plan.get()).fetch_all(pool).await)?;
        rows.into_iter().map(ActivityRow::into_domain).collect()
    }

    /// Loads a plan for a change of its rows: it must exist, the actor may edit its area, and it is
    /// still a draft or in consultation.
    async fn editable_plan(&self, actor: &Actor, plan: AnnualPlanId) -> Result<AnnualPlan> {
        let (plan, _) = self.plan(plan).await?;
        actor.authorise(&plan.area, "edit the plan")?;
        if !plan.status.is_editable() {
            return Err(Invalid::new(
                "plan",
                "an adopted plan is frozen; amend it to make a new version",
                plan.status.as_str(),
            )
            .into());
        }
        Ok(plan)
    }

    /// Appends a row to a plan that is still editable.
    pub async fn add_plan_activity(
        &self,
        actor: &Actor,
        plan: AnnualPlanId,
        activity: &NewActivity,
    ) -> Result<PlanActivity> {
        self.editable_plan(actor, plan).await?;
        check_activity(activity)?;
        let row = on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let position: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(position) + 1, 0) FROM plan_activities WHERE plan_id = $1").bind(plan.get()).fetch_one(&mut *tx).await?;
            let row = insert_activity!(tx, plan, position, activity);
            audit!(tx, actor, "plan_activity", row.id, "create", None, snapshot(&serde_json::json!({"plan": plan, "text": activity.text, "deadline": activity.deadline})));
            tx.commit().await?;
            row
        });
        Ok(row.into_domain()?.0)
    }

    /// Adds a service to part one (national map) or part two (municipal budget) of a plan under the
    /// Закон за социалните услуги.
    pub async fn add_plan_service_entry(
        &self,
        actor: &Actor,
        plan: AnnualPlanId,
        entry: &NewPlanServiceEntry,
    ) -> Result<PlanServiceEntry> {
        let current = self.editable_plan(actor, plan).await?;
        if current.generation != PlanGeneration::SocialServicesAct {
            return Err(Invalid::new(
                "plan",
                "only a plan under the Закон за социалните услуги has service parts",
                current.generation.as_str(),
            )
            .into());
        }
        if entry.name.trim().is_empty() {
            return Err(Invalid::new("plan service", "needs a name", "").into());
        }
        let row = on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let position: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(position) + 1, 0) FROM plan_service_entries WHERE plan_id = $1 AND part = $2")
                .bind(plan.get()).bind(entry.part.as_str()).fetch_one(&mut *tx).await?;
            let row = insert_service_entry!(tx, plan, position, entry);
            audit!(tx, actor, "plan_service_entry", row.id, "create", None, snapshot(&serde_json::json!({"plan": plan, "part": entry.part, "name": entry.name, "max_users": entry.max_users})));
            tx.commit().await?;
            row
        });
        row.into_domain()
    }

    /// The service entries of a plan, part one first, each part in order.
    pub async fn plan_service_entries(&self, plan: AnnualPlanId) -> Result<Vec<PlanServiceEntry>> {
        let rows: Vec<ServiceEntryRow> = on_pool!(self, pool => sqlx::query_as(sql!(
            "SELECT {SERVICE_ENTRY_COLUMNS} FROM plan_service_entries WHERE plan_id = $1 ORDER BY part = 'municipal_budget', position, id"
        )).bind(plan.get()).fetch_all(pool).await)?;
        rows.into_iter().map(ServiceEntryRow::into_domain).collect()
    }

    /// Changes a row, refusing the change when the row moved on since `based_on` or the plan is frozen.
    pub async fn update_plan_activity(
        &self,
        actor: &Actor,
        id: PlanActivityId,
        based_on: RowVersion,
        activity: &NewActivity,
    ) -> Result<RowVersion> {
        check_activity(activity)?;
        let old: Option<ActivityRow> = on_pool!(self, pool => sqlx::query_as(sql!("SELECT {ACTIVITY_COLUMNS} FROM plan_activities WHERE id = $1")).bind(id.get()).fetch_optional(pool).await)?;
        let (old, _) =
            old.ok_or(StoreError::NotFound { entity: "plan activity", id: id.to_string() })?.into_domain()?;
        self.editable_plan(actor, old.plan).await?;
        let code = activity.code.as_ref().map(|c| c.chars().filter(|ch| !ch.is_whitespace()).collect::<String>());
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let updated = sqlx::query(
                "UPDATE plan_activities SET code = $1, section = $2, goal = $3, text = $4, deadline_raw = $5, deadline_kind = $6, deadline_from = $7, deadline_to = $8, \
                 responsible = $9, funding = $10, expected_results = $11, location = $12, schedule = $13, service_type = $14, service_id = $15, strategy_node_id = $16, \
                 version = version + 1 WHERE id = $17 AND version = $18",
            )
            .bind(&code).bind(&activity.section).bind(&activity.goal).bind(activity.text.trim())
            .bind(activity.deadline.raw()).bind(activity.deadline.kind().as_str()).bind(activity.deadline.from()).bind(activity.deadline.to())
            .bind(Json(&activity.responsible)).bind(Json(&activity.funding)).bind(Json(&activity.expected_results)).bind(&activity.location)
            .bind(Json(&activity.schedule)).bind(activity.service_type.as_ref().map(|t| t.as_str())).bind(activity.service.map(|s| s.get()))
            .bind(activity.strategy_node.map(|n| n.get())).bind(id.get()).bind(based_on.0)
            .execute(&mut *tx).await?;
            if updated.rows_affected() != 1 {
                let actual: Option<i64> = sqlx::query_scalar("SELECT version FROM plan_activities WHERE id = $1").bind(id.get()).fetch_optional(&mut *tx).await?;
                check_version("plan activity", id, based_on, actual)?;
            }
            let new = PlanActivity { code: code.clone(), section: activity.section.clone(), goal: activity.goal.clone(), text: activity.text.trim().to_owned(),
                deadline: activity.deadline.clone(), responsible: activity.responsible.clone(), funding: activity.funding.clone(),
                expected_results: activity.expected_results.clone(), location: activity.location.clone(), schedule: activity.schedule.clone(),
                service_type: activity.service_type.clone(), service: activity.service, strategy_node: activity.strategy_node, ..old.clone() };
            audit!(tx, actor, "plan_activity", id, "update", snapshot(&old), snapshot(&new));
            tx.commit().await?;
        });
        Ok(based_on.next())
    }

    /// Moves a row of an editable plan one place up or down. The plan's version is the one the
    /// page was read at and moves on, so two reorders from pages read at the same time conflict
    /// instead of interleaving. In one transaction the rows are numbered afresh in their new order
    /// (positions need not have been distinct or contiguous before) and the move is audited on the
    /// plan with the order before and after. The rows keep their own versions: a move changes no
    /// row's content, so a row's edit form stays valid.
    pub async fn move_plan_activity(
        &self,
        actor: &Actor,
        plan: AnnualPlanId,
        activity: PlanActivityId,
        direction: RowMove,
        based_on: RowVersion,
    ) -> Result<RowVersion> {
        self.editable_plan(actor, plan).await?;
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let updated = sqlx::query(
                "UPDATE annual_plans SET version = version + 1 WHERE id = $1 AND version = $2 AND status IN ('draft', 'public_consultation')",
            )
            .bind(plan.get()).bind(based_on.0).execute(&mut *tx).await?;
            if updated.rows_affected() != 1 {
                let actual: Option<i64> = sqlx::query_scalar("SELECT version FROM annual_plans WHERE id = $1").bind(plan.get()).fetch_optional(&mut *tx).await?;
                check_version("plan", plan, based_on, actual)?;
                return Err(Invalid::new("plan", "an adopted plan is frozen; amend it to make a new version", "").into());
            }
            let rows: Vec<(i64, i64)> = sqlx::query_as("SELECT id, position FROM plan_activities WHERE plan_id = $1 ORDER BY position, id")
                .bind(plan.get()).fetch_all(&mut *tx).await?;
            let before: Vec<PlanActivityId> = rows.iter().map(|(id, _)| PlanActivityId(*id)).collect();
            if !before.contains(&activity) {
                return Err(StoreError::NotFound { entity: "plan activity", id: activity.to_string() });
            }
            let after = reordered(&before, activity, direction)?;
            for (position, id) in after.iter().enumerate() {
                let position = i64::try_from(position).unwrap_or(i64::MAX);
                if rows.iter().any(|(row, at)| *row == id.get() && *at != position) {
                    sqlx::query("UPDATE plan_activities SET position = $1 WHERE id = $2").bind(position).bind(id.get()).execute(&mut *tx).await?;
                }
            }
            audit!(tx, actor, "annual_plan", plan, "reorder", snapshot(&serde_json::json!({"order": before})),
                snapshot(&serde_json::json!({"order": after, "moved": activity, "direction": direction})));
            tx.commit().await?;
        });
        Ok(based_on.next())
    }

    /// Moves a plan to public consultation (with its period, at least 30 days), back to draft, or to
    /// adopted (with the council decision). Adopting a version supersedes the version it amends.
    pub async fn set_plan_status(
        &self,
        actor: &Actor,
        id: AnnualPlanId,
        based_on: RowVersion,
        next: PlanStatus,
        decision: Option<CouncilDecisionId>,
        consultation: Option<DateRange>,
    ) -> Result<RowVersion> {
        let (plan, _) = self.plan(id).await?;
        actor.authorise(&plan.area, "change the plan's status")?;
        plan.check_transition(next, decision)?;
        if next == PlanStatus::PublicConsultation {
            let period =
                consultation.ok_or_else(|| Invalid::new("public consultation", "needs its start and end dates", ""))?;
            AnnualPlan::check_consultation(period)?;
        }
        let consultation = consultation.or(plan.consultation);
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let updated = sqlx::query(
                "UPDATE annual_plans SET status = $1, adopted_decision_id = COALESCE($2, adopted_decision_id), consultation_start = $3, consultation_end = $4, version = version + 1 \
                 WHERE id = $5 AND version = $6",
            )
            .bind(next.as_str()).bind(decision.map(|d| d.get())).bind(consultation.map(|c| c.start())).bind(consultation.map(|c| c.end()))
            .bind(id.get()).bind(based_on.0)
            .execute(&mut *tx).await?;
            if updated.rows_affected() != 1 {
                let actual: Option<i64> = sqlx::query_scalar("SELECT version FROM annual_plans WHERE id = $1").bind(id.get()).fetch_optional(&mut *tx).await?;
                check_version("plan", id, based_on, actual)?;
            }
            if next == PlanStatus::Adopted
                && let Some(previous) = plan.amends
            {
                sqlx::query("UPDATE annual_plans SET status = 'superseded', version = version + 1 WHERE id = $1 AND status = 'adopted'")
                    .bind(previous.get()).execute(&mut *tx).await?;
                audit!(tx, actor, "annual_plan", previous, "supersede", None, snapshot(&serde_json::json!({"superseded_by": id})));
            }
            audit!(tx, actor, "annual_plan", id, "status", snapshot(&serde_json::json!({"status": plan.status})),
                snapshot(&serde_json::json!({"status": next, "decision": decision, "consultation": consultation})));
            tx.commit().await?;
        });
        Ok(based_on.next())
    }

    /// Starts an amendment of an adopted plan: a new draft version with the same rows.
    pub async fn amend_plan(&self, actor: &Actor, adopted: AnnualPlanId) -> Result<AnnualPlan> {
        let (plan, _) = self.plan(adopted).await?;
        actor.authorise(&plan.area, "amend the plan")?;
        if plan.status != PlanStatus::Adopted {
            return Err(Invalid::new("plan", "only the adopted version can be amended", plan.status.as_str()).into());
        }
        let activities = self.plan_activities(adopted).await?;
        let entries = self.plan_service_entries(adopted).await?;
        let row: PlanRow = on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let version_no: i64 = sqlx::query_scalar("SELECT MAX(version_no) + 1 FROM annual_plans WHERE area_code = $1 AND year = $2")
                .bind(plan.area.as_str()).bind(i64::from(plan.year.get())).fetch_one(&mut *tx).await?;
            let row: PlanRow = sqlx::query_as(sql!(
                "INSERT INTO annual_plans (area_code, year, title, strategy_id, generation, status, version_no, amends_id) \
                 VALUES ($1, $2, $3, $4, $5, 'draft', $6, $7) RETURNING {PLAN_COLUMNS}"
            ))
            .bind(plan.area.as_str()).bind(i64::from(plan.year.get())).bind(&plan.title).bind(plan.strategy.map(|s| s.get()))
            .bind(plan.generation.as_str()).bind(version_no).bind(adopted.get())
            .fetch_one(&mut *tx).await?;
            let new_id = AnnualPlanId(row.id);
            for (activity, _) in &activities {
                insert_activity!(tx, new_id, activity.position, &NewActivity::from(activity));
            }
            for entry in &entries {
                insert_service_entry!(tx, new_id, entry.position, &NewPlanServiceEntry::from(entry));
            }
            audit!(tx, actor, "annual_plan", row.id, "amend", None, snapshot(&serde_json::json!({"amends": adopted, "version_no": version_no})));
            tx.commit().await?;
            row
        });
        Ok(row.into_domain()?.0)
    }

    /// Starts next year's plan from this one: a new draft (version 1) for the year after, in the
    /// same area, with the same strategy and generation, every row (sections, goals, activities,
    /// parties, funding, expected results, service and strategy links, in the same order) with its
    /// deadline a year later ([`Deadline::a_year_later`]), and the service entries of both parts.
    /// Monitoring is not copied: the new rows have none. Refused when the area has a plan for that
    /// year already (any version), and for a superseded version (copy the one in force). One
    /// transaction, audited on the new plan with where it was copied from.
    pub async fn copy_plan_to_next_year(&self, actor: &Actor, from: AnnualPlanId) -> Result<AnnualPlan> {
        let (plan, _) = self.plan(from).await?;
        actor.authorise(&plan.area, "start next year's plan")?;
        if plan.status == PlanStatus::Superseded {
            return Err(Invalid::new(
                "plan",
                "a superseded version is not copied; copy the version in force",
                plan.status.as_str(),
            )
            .into());
        }
        let year = Year::new(plan.year.get() + 1)?;
        let title = plan.title_for_next_year();
        let activities = self.plan_activities(from).await?;
        let entries = self.plan_service_entries(from).await?;
        let taken = || StoreError::Duplicate { what: "plan", key: format!("{} {year}", plan.area.as_str()) };
        let row: PlanRow = on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let existing: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM annual_plans WHERE area_code = $1 AND year = $2")
                .bind(plan.area.as_str()).bind(i64::from(year.get())).fetch_one(&mut *tx).await?;
            if existing > 0 {
                return Err(taken());
            }
            let row: PlanRow = sqlx::query_as(sql!(
                "INSERT INTO annual_plans (area_code, year, title, strategy_id, generation, status, version_no) \
                 VALUES ($1, $2, $3, $4, $5, 'draft', 1) RETURNING {PLAN_COLUMNS}"
            ))
            .bind(plan.area.as_str()).bind(i64::from(year.get())).bind(&title).bind(plan.strategy.map(|s| s.get()))
            .bind(plan.generation.as_str())
            .fetch_one(&mut *tx).await
            .map_err(|e| match StoreError::from(e) {
                StoreError::Duplicate { .. } => taken(),
                other => other,
            })?;
            let new_id = AnnualPlanId(row.id);
            for (activity, _) in &activities {
                let next = NewActivity { deadline: activity.deadline.a_year_later(), ..NewActivity::from(activity) };
                insert_activity!(tx, new_id, activity.position, &next);
            }
            for entry in &entries {
                insert_service_entry!(tx, new_id, entry.position, &NewPlanServiceEntry::from(entry));
            }
            audit!(tx, actor, "annual_plan", row.id, "copy", None, snapshot(&serde_json::json!({
                "copied_from": from, "area": plan.area, "year": year, "title": title,
                "activities": activities.len(), "service_entries": entries.len(),
            })));
            tx.commit().await?;
            row
        });
        Ok(row.into_domain()?.0)
    }

    /// Rows of an area's plans whose deadline passed before `today` and that are not recorded as done
    /// or cancelled in any monitoring record.
    /// How many rows [`Store::overdue_activities`] would list, counted by the database (the home
    /// page of a region shows this for each of its municipalities).
    pub async fn count_overdue_activities(&self, area: &AreaCode, today: NaiveDate) -> Result<usize> {
        let count: i64 = on_pool!(self, pool => sqlx::query_scalar(
            "SELECT COUNT(*) FROM plan_activities a JOIN annual_plans p ON p.id = a.plan_id \
             WHERE p.area_code = $1 AND p.status = 'adopted' AND a.deadline_to < $2 \
             AND NOT EXISTS (SELECT 1 FROM monitoring_records m WHERE m.activity_id = a.id AND m.status IN ('done', 'cancelled'))"
        ).bind(area.as_str()).bind(today).fetch_one(pool).await)?;
        Ok(usize::try_from(count).unwrap_or(0))
    }

    pub async fn overdue_activities(&self, area: &AreaCode, today: NaiveDate) -> Result<Vec<PlanActivity>> {
        let rows: Vec<ActivityRow> = on_pool!(self, pool => sqlx::query_as(sql!(
            "SELECT {} FROM plan_activities a JOIN annual_plans p ON p.id = a.plan_id \
             WHERE p.area_code = $1 AND p.status = 'adopted' AND a.deadline_to < $2 \
             AND NOT EXISTS (SELECT 1 FROM monitoring_records m WHERE m.activity_id = a.id AND m.status IN ('done', 'cancelled')) \
             ORDER BY a.deadline_to, a.id",
            ACTIVITY_COLUMNS.split(", ").map(|c| format!("a.{}", c.trim())).collect::<Vec<_>>().join(", ")
        )).bind(area.as_str()).bind(today).fetch_all(pool).await)?;
        rows.into_iter().map(|r| r.into_domain().map(|(a, _)| a)).collect()
    }
}
