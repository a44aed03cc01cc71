//! Monitoring: per activity and period, a status and progress; how progress rolls up from activities
//! to measures and goals; reporting obligations and their submissions; meetings of the monitoring unit
//! and their decisions.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::Invalid;
use crate::document::Evidence;
use crate::geography::AreaCode;
use crate::ids::{
    MeetingDecisionId, MeetingId, MonitoringRecordId, PlanActivityId, ReportingObligationId, SubmissionId, UserId,
};
use crate::plan::Party;
use crate::time::{DateRange, Effective};

crate::code_enum!(
    ActivityStatus, "activity status" {
        NotStarted = "not_started" / "незапочната",
        InProgress = "in_progress" / "в изпълнение",
        Done = "done" / "изпълнена",
        Delayed = "delayed" / "забавена",
        Cancelled = "cancelled" / "отменена",
    }
);

/// Progress in whole per cent, 0–100.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub struct Progress(u8);

impl Progress {
    pub const NONE: Progress = Progress(0);
    pub const DONE: Progress = Progress(100);
    pub fn new(percent: u8) -> Result<Progress, Invalid> {
        if percent <= 100 {
            Ok(Progress(percent))
        } else {
            Err(Invalid::new("progress", "must be 0 to 100 per cent", percent.to_string()))
        }
    }
    pub fn percent(self) -> u8 {
        self.0
    }
}
impl TryFrom<u8> for Progress {
    type Error = Invalid;
    fn try_from(v: u8) -> Result<Self, Self::Error> {
        Progress::new(v)
    }
}
impl From<Progress> for u8 {
    fn from(p: Progress) -> u8 {
        p.0
    }
}

/// What the monitoring unit recorded for one activity in one period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MonitoringRecord {
    pub id: MonitoringRecordId,
    pub activity: PlanActivityId,
    pub period: DateRange,
    pub status: ActivityStatus,
    pub progress: Progress,
    pub comment: Option<String>,
    pub evidence: Vec<Evidence>,
}

impl MonitoringRecord {
    /// A done activity is at 100%; one not started at 0%.
    pub fn check(&self) -> Result<(), Invalid> {
        match self.status {
            ActivityStatus::Done if self.progress != Progress::DONE => {
                Err(Invalid::new("monitoring record", "a done activity is at 100%", self.progress.0.to_string()))
            }
            ActivityStatus::NotStarted if self.progress != Progress::NONE => {
                Err(Invalid::new("monitoring record", "an activity not started is at 0%", self.progress.0.to_string()))
            }
            _ => Ok(()),
        }
    }
}

/// One input of a roll-up: a child's own result, or that it does not count.
#[derive(Debug, Clone, PartialEq)]
pub enum RollupInput {
    Measured {
        status: ActivityStatus,
        progress: Progress,
    },
    /// Not applicable in this period (e.g. planned for a later year): left out of the mean.
    NotApplicable,
}

/// A manual value that replaces the computed one, with the reason it does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProgressOverride {
    pub progress: Progress,
    pub reason: String,
    pub by: UserId,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rollup {
    /// `None` when nothing below counts (all not applicable or cancelled).
    pub progress: Option<Progress>,
    pub status: Option<ActivityStatus>,
    /// How many inputs counted.
    pub counted: usize,
    pub overridden: Option<ProgressOverride>,
}

/// **The roll-up rule.** A measure's (goal's, direction's) progress is the unweighted mean of its
/// children's progress, rounded to the nearest per cent, leaving out children that are not applicable
/// in the period and cancelled activities. Its status is: delayed if any counted child is delayed;
/// done if all are done; not started if none has started; otherwise in progress. An override, which
/// must give a reason, replaces the computed progress and is reported as such.
pub fn roll_up(inputs: &[RollupInput], over: Option<ProgressOverride>) -> Result<Rollup, Invalid> {
    if let Some(o) = &over
        && o.reason.trim().is_empty()
    {
        return Err(Invalid::new("progress override", "needs a reason", ""));
    }
    let counted: Vec<(ActivityStatus, Progress)> = inputs
        .iter()
        .filter_map(|i| match i {
            RollupInput::Measured { status, progress } if *status != ActivityStatus::Cancelled => {
                Some((*status, *progress))
            }
            _ => None,
        })
        .collect();
    let computed = (!counted.is_empty()).then(|| {
        let sum: u32 = counted.iter().map(|(_, p)| u32::from(p.0)).sum();
        let n = counted.len() as u32;
        Progress(((sum + n / 2) / n) as u8)
    });
    let status = (!counted.is_empty()).then(|| {
        if counted.iter().any(|(s, _)| *s == ActivityStatus::Delayed) {
            ActivityStatus::Delayed
        } else if counted.iter().all(|(s, _)| *s == ActivityStatus::Done) {
            ActivityStatus::Done
        } else if counted.iter().all(|(s, _)| *s == ActivityStatus::NotStarted) {
            ActivityStatus::NotStarted
        } else {
            ActivityStatus::InProgress
        }
    });
    Ok(Rollup {
        progress: over.as_ref().map(|o| o.progress).or(computed),
        status,
        counted: counted.len(),
        overridden: over,
    })
}

/// An activity is at risk when its deadline is within `horizon_days` and it is not done.
pub fn is_at_risk(status: ActivityStatus, due: Option<NaiveDate>, today: NaiveDate, horizon_days: i64) -> bool {
    let open = matches!(status, ActivityStatus::NotStarted | ActivityStatus::InProgress | ActivityStatus::Delayed);
    open && due.is_some_and(|d| d >= today && (d - today).num_days() <= horizon_days)
}

/// A reporting obligation: a template × a reporting unit × a period × a deadline, in force for a time
/// (a municipality that merges mid-year stops owing reports from then on).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportingObligation {
    pub id: ReportingObligationId,
    /// The template asked for (`aksu_annual_analysis`, `service_card_adults`, …).
    pub template: String,
    /// Who reports.
    pub reporter: AreaCode,
    /// To whom (the region, the АКСУ as a named recipient).
    pub recipient: String,
    pub period: DateRange,
    pub due_on: NaiveDate,
    pub effective: Effective,
}

impl ReportingObligation {
    pub fn is_owed_on(&self, today: NaiveDate) -> bool {
        self.effective.is_in_force_on(today)
    }
}

crate::code_enum!(
    SubmissionStatus, "submission status" {
        NotStarted = "not_started" / "незапочнат",
        InProgress = "in_progress" / "в процес",
        Submitted = "submitted" / "подаден",
        Returned = "returned" / "върнат",
        Approved = "approved" / "одобрен",
    }
);

impl SubmissionStatus {
    pub fn can_move_to(self, next: SubmissionStatus) -> bool {
        use SubmissionStatus::*;
        matches!(
            (self, next),
            (NotStarted, InProgress)
                | (NotStarted, Submitted)
                | (InProgress, Submitted)
                | (Submitted, Returned)
                | (Submitted, Approved)
                | (Returned, InProgress)
                | (Returned, Submitted)
        )
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Submission {
    pub id: SubmissionId,
    pub obligation: ReportingObligationId,
    pub status: SubmissionStatus,
    pub submitted_at: Option<DateTime<Utc>>,
    pub submitted_by: Option<UserId>,
    /// The reviewer's comment when returned.
    pub review_comment: Option<String>,
}

impl Submission {
    /// On time when submitted by the end of the due day (in UTC).
    pub fn is_on_time(&self, due_on: NaiveDate) -> Option<bool> {
        self.submitted_at.map(|at| at.date_naive() <= due_on)
    }
}

crate::code_enum!(
    /// A regional monitoring unit meets in its basic or its extended composition.
    Composition, "composition" {
        Basic = "basic" / "основен състав",
        Extended = "extended" / "разширен състав",
    }
);

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Meeting {
    pub id: MeetingId,
    /// The unit whose monitoring body met.
    pub area: AreaCode,
    pub held_on: NaiveDate,
    pub place: Option<String>,
    pub composition: Composition,
    pub members_present: Vec<String>,
    pub agenda: Vec<String>,
    pub notes: Option<String>,
}

crate::code_enum!(
    DecisionStatus, "decision status" {
        Open = "open" / "за изпълнение",
        Done = "done" / "изпълнено",
        Cancelled = "cancelled" / "отменено",
    }
);

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MeetingDecision {
    pub id: MeetingDecisionId,
    pub meeting: MeetingId,
    pub number: String,
    pub text: String,
    pub responsible: Vec<Party>,
    pub due_on: Option<NaiveDate>,
    pub status: DecisionStatus,
    pub done_on: Option<NaiveDate>,
}

impl MeetingDecision {
    pub fn is_overdue(&self, today: NaiveDate) -> bool {
        self.status == DecisionStatus::Open && self.due_on.is_some_and(|d| d < today)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(status: ActivityStatus, p: u8) -> RollupInput {
        RollupInput::Measured { status, progress: Progress::new(p).unwrap() }
    }

    #[test]
    fn a_measure_is_the_mean_of_its_activities_leaving_out_what_does_not_apply() {
        let r = roll_up(
            &[
                m(ActivityStatus::Done, 100),
                m(ActivityStatus::InProgress, 50),
                RollupInput::NotApplicable,
                m(ActivityStatus::Cancelled, 0),
            ],
            None,
        )
        .unwrap();
        assert_eq!(r.progress, Some(Progress::new(75).unwrap()));
        assert_eq!(r.status, Some(ActivityStatus::InProgress));
        assert_eq!(r.counted, 2);
    }

    #[test]
    fn one_delayed_activity_makes_the_measure_delayed() {
        let r = roll_up(&[m(ActivityStatus::Done, 100), m(ActivityStatus::Delayed, 20)], None).unwrap();
        assert_eq!(r.status, Some(ActivityStatus::Delayed));
    }

    #[test]
    fn nothing_applicable_gives_no_progress_rather_than_zero() {
        let r = roll_up(&[RollupInput::NotApplicable], None).unwrap();
        assert_eq!((r.progress, r.status), (None, None));
    }

    #[test]
    fn an_override_needs_a_reason_and_wins() {
        let by = UserId(1);
        assert!(roll_up(&[], Some(ProgressOverride { progress: Progress::DONE, reason: " ".into(), by })).is_err());
        let r = roll_up(
            &[m(ActivityStatus::InProgress, 10)],
            Some(ProgressOverride {
                progress: Progress::new(60).unwrap(), reason: "Данни от ДСП".into(), by
            }),
        )
        .unwrap();
        assert_eq!(r.progress, Some(Progress::new(60).unwrap()));
        assert!(r.overridden.is_some());
    }

    #[test]
    fn a_done_activity_is_at_a_hundred_per_cent() {
        let rec = MonitoringRecord {
            id: MonitoringRecordId(1),
            activity: PlanActivityId(1),
            period: DateRange::quarter(crate::time::Year::new(2025).unwrap(), 1).unwrap(),
            status: ActivityStatus::Done,
            progress: Progress::new(90).unwrap(),
            comment: None,
            evidence: vec![],
        };
        assert!(rec.check().is_err());
        assert!(Progress::new(101).is_err());
    }

    #[test]
    fn a_returned_submission_goes_back_to_work_not_to_approved() {
        assert!(SubmissionStatus::Returned.can_move_to(SubmissionStatus::InProgress));
        assert!(!SubmissionStatus::Returned.can_move_to(SubmissionStatus::Approved));
        assert!(!SubmissionStatus::Approved.can_move_to(SubmissionStatus::Returned));
    }

    #[test]
    fn at_risk_means_open_and_due_soon() {
        let d = |day| NaiveDate::from_ymd_opt(2025, 3, day).unwrap();
        assert!(is_at_risk(ActivityStatus::InProgress, Some(d(20)), d(1), 30));
        assert!(!is_at_risk(ActivityStatus::Done, Some(d(20)), d(1), 30));
        assert!(!is_at_risk(ActivityStatus::InProgress, None, d(1), 30));
    }
}
