//! Monitoring records, reporting obligations with their submissions, and meetings of the monitoring
//! unit with their decisions.

use std::collections::HashMap;

use chrono::{NaiveDate, Utc};
use grizha_domain::Invalid;
use grizha_domain::document::Evidence;
use grizha_domain::geography::AreaCode;
use grizha_domain::ids::{
    AnnualPlanId, MeetingDecisionId, MeetingId, MonitoringRecordId, PlanActivityId, ReportingObligationId, RowVersion,
    SubmissionId, UserId,
};
use grizha_domain::monitoring::{
    DecisionStatus, Meeting, MeetingDecision, MonitoringRecord, Progress, ReportingObligation, Submission,
    SubmissionStatus,
};
use grizha_domain::time::{DateRange, Effective};
use sqlx::types::Json;

use crate::audit::{audit, snapshot};
use crate::{Actor, Result, Store, StoreError, WritePool, check_version, on_pool, stored};

impl Store {
    /// The area whose plan holds an activity.
    async fn activity_area(&self, activity: PlanActivityId) -> Result<AreaCode> {
        let area: Option<String> = on_pool!(self, pool => sqlx::query_scalar(
            "SELECT p.area_code FROM plan_activities a JOIN annual_plans p ON p.id = a.plan_id WHERE a.id = $1"
        ).bind(activity.get()).fetch_optional(pool).await)?;
        let area = area.ok_or(StoreError::NotFound { entity: "plan activity", id: activity.to_string() })?;
        stored("plan", AreaCode::parse(&area))
    }

    /// Records what was done on an activity in a period: a new record with `based_on = None`, an
    /// edit of an existing one from the version it is at.
    pub async fn record_monitoring(
        &self,
        actor: &Actor,
        record: &MonitoringRecord,
        based_on: Option<RowVersion>,
    ) -> Result<(MonitoringRecordId, RowVersion)> {
        record.check()?;
        let area = self.activity_area(record.activity).await?;
        actor.authorise(&area, "record monitoring")?;
        let key = format!("{}:{}..{}", record.activity, record.period.start(), record.period.end());
        let result = on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let current: Option<(i64, i64)> = sqlx::query_as("SELECT id, version FROM monitoring_records WHERE activity_id = $1 AND period_start = $2 AND period_end = $3")
                .bind(record.activity.get()).bind(record.period.start()).bind(record.period.end()).fetch_optional(&mut *tx).await?;
            let result = match (based_on, current) {
                (None, None) => {
                    let id: i64 = sqlx::query_scalar(
                        "INSERT INTO monitoring_records (activity_id, period_start, period_end, status, progress, comment, evidence) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
                    )
                    .bind(record.activity.get()).bind(record.period.start()).bind(record.period.end()).bind(record.status.as_str())
                    .bind(i64::from(record.progress.percent())).bind(&record.comment).bind(Json(&record.evidence))
                    .fetch_one(&mut *tx).await?;
                    audit!(tx, actor, "monitoring_record", key, "create", None, snapshot(record));
                    (MonitoringRecordId(id), RowVersion::FIRST)
                }
                (None, Some((_, actual))) => return Err(StoreError::Conflict { entity: "monitoring record", id: key, expected: 0, actual }),
                (Some(based_on), current) => {
                    check_version("monitoring record", &key, based_on, current.map(|(_, v)| v))?;
                    let (id, _) = current.expect("checked above");
                    let old: (String, i64, Option<String>) = sqlx::query_as("SELECT status, progress, comment FROM monitoring_records WHERE id = $1")
                        .bind(id).fetch_one(&mut *tx).await?;
                    let old = serde_json::json!({"status": old.0, "progress": old.1, "comment": old.2});
                    sqlx::query("UPDATE monitoring_records SET status = $1, progress = $2, comment = $3, evidence = $4, version = version + 1 WHERE id = $5 AND version = $6")
                        .bind(record.status.as_str()).bind(i64::from(record.progress.percent())).bind(&record.comment).bind(Json(&record.evidence))
                        .bind(id).bind(based_on.0).execute(&mut *tx).await?;
                    audit!(tx, actor, "monitoring_record", key, "update", Some(old), snapshot(record));
                    (MonitoringRecordId(id), based_on.next())
                }
            };
            tx.commit().await?;
            result
        });
        Ok(result)
    }

    /// The records of an activity, in the order of their periods.
    pub async fn monitoring_records(&self, activity: PlanActivityId) -> Result<Vec<(MonitoringRecord, RowVersion)>> {
        let rows: Vec<RecordRow> = on_pool!(self, pool => sqlx::query_as(
            "SELECT activity_id, id, period_start, period_end, status, progress, comment, evidence, version FROM monitoring_records \
             WHERE activity_id = $1 ORDER BY period_start, period_end"
        ).bind(activity.get()).fetch_all(pool).await)?;
        rows.into_iter().map(record_of_row).collect()
    }

    /// The records of every activity of a plan (one query for a whole plan table), each activity's
    /// in the order [`Store::monitoring_records`] gives.
    pub async fn monitoring_records_of_plan(
        &self,
        plan: AnnualPlanId,
    ) -> Result<HashMap<PlanActivityId, Vec<(MonitoringRecord, RowVersion)>>> {
        let rows: Vec<RecordRow> = on_pool!(self, pool => sqlx::query_as(
            "SELECT m.activity_id, m.id, m.period_start, m.period_end, m.status, m.progress, m.comment, m.evidence, m.version \
             FROM monitoring_records m JOIN plan_activities a ON a.id = m.activity_id \
             WHERE a.plan_id = $1 ORDER BY m.activity_id, m.period_start, m.period_end"
        ).bind(plan.get()).fetch_all(pool).await)?;
        let mut records: HashMap<PlanActivityId, Vec<(MonitoringRecord, RowVersion)>> = HashMap::new();
        for row in rows {
            let (record, version) = record_of_row(row)?;
            records.entry(record.activity).or_default().push((record, version));
        }
        Ok(records)
    }

    /// Asks `obligation.reporter` for a report; only the region above it (or an administrator) may.
    pub async fn add_reporting_obligation(
        &self,
        actor: &Actor,
        obligation: &ReportingObligation,
    ) -> Result<ReportingObligation> {
        let asker = match &obligation.reporter {
            AreaCode::Municipality(m) => AreaCode::Region(m.region()),
            region @ AreaCode::Region(_) => region.clone(),
        };
        actor.authorise(&asker, "ask for a report")?;
        if obligation.due_on < obligation.period.start() {
            return Err(Invalid::new(
                "reporting obligation",
                "is due before the period it reports on begins",
                obligation.due_on.to_string(),
            )
            .into());
        }
        let id: i64 = on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO reporting_obligations (template_code, reporter_code, recipient, period_start, period_end, due_on, effective_from, effective_to) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
            )
            .bind(&obligation.template).bind(obligation.reporter.as_str()).bind(&obligation.recipient)
            .bind(obligation.period.start()).bind(obligation.period.end()).bind(obligation.due_on)
            .bind(obligation.effective.from()).bind(obligation.effective.to())
            .fetch_one(&mut *tx).await
            .map_err(|e| match StoreError::from(e) {
                StoreError::Database(sqlx::Error::Database(db)) if db.is_foreign_key_violation() =>
                    StoreError::Invalid(Invalid::new("reporting obligation", "names an unknown template or area", obligation.template.clone())),
                other => other,
            })?;
            sqlx::query("INSERT INTO submissions (obligation_id, status) VALUES ($1, 'not_started')").bind(id).execute(&mut *tx).await?;
            audit!(tx, actor, "reporting_obligation", id, "create", None, snapshot(obligation));
            tx.commit().await?;
            id
        });
        Ok(ReportingObligation { id: ReportingObligationId(id), ..obligation.clone() })
    }

    /// The obligations of a reporting area that are in force on `on`, with their submissions.
    pub async fn obligations_of(
        &self,
        reporter: &AreaCode,
        on: NaiveDate,
    ) -> Result<Vec<(ReportingObligation, Submission, RowVersion)>> {
        type Row = (
            i64,
            String,
            String,
            String,
            NaiveDate,
            NaiveDate,
            NaiveDate,
            NaiveDate,
            Option<NaiveDate>,
            i64,
            String,
            Option<chrono::DateTime<Utc>>,
            Option<i64>,
            Option<String>,
            i64,
        );
        let rows: Vec<Row> = on_pool!(self, pool => sqlx::query_as(
            "SELECT o.id, o.template_code, o.reporter_code, o.recipient, o.period_start, o.period_end, o.due_on, o.effective_from, o.effective_to, \
             s.id, s.status, s.submitted_at, s.submitted_by, s.review_comment, s.version \
             FROM reporting_obligations o JOIN submissions s ON s.obligation_id = o.id WHERE o.reporter_code = $1 ORDER BY o.due_on, o.id"
        ).bind(reporter.as_str()).fetch_all(pool).await)?;
        let mut out = Vec::new();
        for (id, template, reporter, recipient, start, end, due_on, from, to, sid, status, at, by, comment, version) in
            rows
        {
            let obligation = ReportingObligation {
                id: ReportingObligationId(id),
                template,
                reporter: stored("obligation", AreaCode::parse(&reporter))?,
                recipient,
                period: stored("obligation", DateRange::new(start, end))?,
                due_on,
                effective: stored("obligation", Effective::new(from, to))?,
            };
            if !obligation.is_owed_on(on) {
                continue;
            }
            let submission = Submission {
                id: SubmissionId(sid),
                obligation: obligation.id,
                status: stored("submission", status.parse())?,
                submitted_at: at,
                submitted_by: by.map(UserId),
                review_comment: comment,
            };
            out.push((obligation, submission, RowVersion(version)));
        }
        Ok(out)
    }

    /// Moves a submission on: the reporting area works on and submits it; the region above returns
    /// (with a comment) or approves it.
    pub async fn move_submission(
        &self,
        actor: &Actor,
        submission: SubmissionId,
        based_on: RowVersion,
        next: SubmissionStatus,
        comment: Option<String>,
    ) -> Result<RowVersion> {
        let row: Option<(String, String)> = on_pool!(self, pool => sqlx::query_as(
            "SELECT s.status, o.reporter_code FROM submissions s JOIN reporting_obligations o ON o.id = s.obligation_id WHERE s.id = $1"
        ).bind(submission.get()).fetch_optional(pool).await)?;
        let (status, reporter) =
            row.ok_or(StoreError::NotFound { entity: "submission", id: submission.to_string() })?;
        let status: SubmissionStatus = stored("submission", status.parse())?;
        let reporter = stored("submission", AreaCode::parse(&reporter))?;
        if !status.can_move_to(next) {
            return Err(Invalid::new("submission", "that change is not allowed", format!("{status} → {next}")).into());
        }
        let reviewing = matches!(next, SubmissionStatus::Returned | SubmissionStatus::Approved);
        let reviewer_area = match &reporter {
            AreaCode::Municipality(m) => AreaCode::Region(m.region()),
            region => region.clone(),
        };
        if reviewing {
            actor.authorise(&reviewer_area, "review the report")?;
        } else {
            actor.authorise_own(&reporter, "submit the report")?;
        }
        if next == SubmissionStatus::Returned && comment.as_deref().is_none_or(|c| c.trim().is_empty()) {
            return Err(Invalid::new("submission", "say why it is returned", "").into());
        }
        let submitted = next == SubmissionStatus::Submitted;
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let updated = sqlx::query(
                "UPDATE submissions SET status = $1, submitted_at = CASE WHEN $2 THEN $3 ELSE submitted_at END, submitted_by = CASE WHEN $2 THEN $4 ELSE submitted_by END, \
                 review_comment = CASE WHEN $5 THEN $6 ELSE review_comment END, version = version + 1 WHERE id = $7 AND version = $8",
            )
            .bind(next.as_str()).bind(submitted).bind(Utc::now()).bind(actor.user_id()).bind(reviewing).bind(&comment)
            .bind(submission.get()).bind(based_on.0)
            .execute(&mut *tx).await?;
            if updated.rows_affected() != 1 {
                let actual: Option<i64> = sqlx::query_scalar("SELECT version FROM submissions WHERE id = $1").bind(submission.get()).fetch_optional(&mut *tx).await?;
                check_version("submission", submission, based_on, actual)?;
            }
            audit!(tx, actor, "submission", submission, next.as_str(), snapshot(&serde_json::json!({"status": status})), snapshot(&serde_json::json!({"status": next, "comment": comment})));
            tx.commit().await?;
        });
        Ok(based_on.next())
    }

    pub async fn add_meeting(
        &self,
        actor: &Actor,
        meeting: &Meeting,
        decisions: &[MeetingDecision],
    ) -> Result<(Meeting, Vec<MeetingDecision>)> {
        actor.authorise(&meeting.area, "record a meeting")?;
        let (id, decision_ids) = on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO meetings (area_code, held_on, place, composition, members_present, agenda, notes) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
            )
            .bind(meeting.area.as_str()).bind(meeting.held_on).bind(&meeting.place).bind(meeting.composition.as_str())
            .bind(Json(&meeting.members_present)).bind(Json(&meeting.agenda)).bind(&meeting.notes)
            .fetch_one(&mut *tx).await?;
            let mut ids = Vec::with_capacity(decisions.len());
            for d in decisions {
                let did: i64 = sqlx::query_scalar(
                    "INSERT INTO meeting_decisions (meeting_id, number, text, responsible, due_on, status, done_on) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
                )
                .bind(id).bind(&d.number).bind(&d.text).bind(Json(&d.responsible)).bind(d.due_on).bind(d.status.as_str()).bind(d.done_on)
                .fetch_one(&mut *tx).await?;
                ids.push(did);
            }
            audit!(tx, actor, "meeting", id, "create", None, snapshot(&serde_json::json!({"meeting": meeting, "decisions": decisions})));
            tx.commit().await?;
            (id, ids)
        });
        let meeting = Meeting { id: MeetingId(id), ..meeting.clone() };
        let decisions = decisions
            .iter()
            .zip(decision_ids)
            .map(|(d, did)| MeetingDecision { id: MeetingDecisionId(did), meeting: meeting.id, ..d.clone() })
            .collect();
        Ok((meeting, decisions))
    }

    /// Open decisions of an area's meetings whose deadline passed before `today`.
    pub async fn overdue_decisions(&self, area: &AreaCode, today: NaiveDate) -> Result<Vec<MeetingDecision>> {
        type Row = (
            i64,
            i64,
            String,
            String,
            Json<Vec<grizha_domain::plan::Party>>,
            Option<NaiveDate>,
            String,
            Option<NaiveDate>,
        );
        let rows: Vec<Row> = on_pool!(self, pool => sqlx::query_as(
            "SELECT d.id, d.meeting_id, d.number, d.text, d.responsible, d.due_on, d.status, d.done_on FROM meeting_decisions d \
             JOIN meetings m ON m.id = d.meeting_id WHERE m.area_code = $1 AND d.status = 'open' AND d.due_on < $2 ORDER BY d.due_on, d.id"
        ).bind(area.as_str()).bind(today).fetch_all(pool).await)?;
        rows.into_iter()
            .map(|(id, meeting, number, text, responsible, due_on, status, done_on)| {
                let status: DecisionStatus = stored("meeting decision", status.parse())?;
                Ok(MeetingDecision {
                    id: MeetingDecisionId(id),
                    meeting: MeetingId(meeting),
                    number,
                    text,
                    responsible: responsible.0,
                    due_on,
                    status,
                    done_on,
                })
            })
            .collect()
    }
}

type RecordRow = (i64, i64, NaiveDate, NaiveDate, String, i64, Option<String>, Json<Vec<Evidence>>, i64);

fn record_of_row(
    (activity, id, start, end, status, progress, comment, evidence, version): RecordRow,
) -> Result<(MonitoringRecord, RowVersion)> {
    Ok((
        MonitoringRecord {
            id: MonitoringRecordId(id),
            activity: PlanActivityId(activity),
            period: stored("monitoring record", DateRange::new(start, end))?,
            status: stored("monitoring record", status.parse())?,
            progress: stored("monitoring record", Progress::new(u8::try_from(progress).unwrap_or(u8::MAX)))?,
            comment,
            evidence: evidence.0,
        },
        RowVersion(version),
    ))
}
