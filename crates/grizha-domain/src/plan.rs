//! The annual plan: a year's rows of what will be done, adopted by the municipal council after public
//! consultation. Two generations: the activity tables of the plans before 2020, and the two parts of
//! a plan under the Закон за социалните услуги (services under the national map with their maximum
//! number of users; services paid from the municipal budget). An adopted plan is a frozen version tied
//! to its council decision; an amendment is a new version.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::Invalid;
use crate::codes::{FundingKindCode, InstitutionCode, ServiceTypeCode};
use crate::deadline::Deadline;
use crate::geography::AreaCode;
use crate::ids::{
    AnnualPlanId, CouncilDecisionId, PlanActivityId, PlanServiceEntryId, ServiceId, StrategyId, StrategyNodeId,
};
use crate::time::{DateRange, Year};

crate::code_enum!(
    /// Where a plan stands: draft → public consultation → adopted. An adopted version is frozen;
    /// when a later version is adopted it becomes superseded.
    PlanStatus, "plan status" {
        Draft = "draft" / "проект",
        PublicConsultation = "public_consultation" / "обществено обсъждане",
        Adopted = "adopted" / "приет",
        Superseded = "superseded" / "заменен",
    }
);

impl PlanStatus {
    /// The moves a plan may make. Consultation may go back to draft (to rework after comments);
    /// a draft may be adopted directly (old plans imported already adopted); nothing leaves adopted
    /// except by a newer version superseding it.
    pub fn can_move_to(self, next: PlanStatus) -> bool {
        use PlanStatus::*;
        matches!(
            (self, next),
            (Draft, PublicConsultation)
                | (PublicConsultation, Draft)
                | (PublicConsultation, Adopted)
                | (Draft, Adopted)
                | (Adopted, Superseded)
        )
    }
    /// Whether rows may still change.
    pub fn is_editable(self) -> bool {
        matches!(self, PlanStatus::Draft | PlanStatus::PublicConsultation)
    }
}

crate::code_enum!(
    /// Which generation of plan layout.
    PlanGeneration, "plan generation" {
        /// Rows of activities (Цел, Дейност, Срок, Отговорник …), the plans before 2020.
        ActivityTable = "activity_table" / "план с дейности",
        /// The two parts under the Закон за социалните услуги (from 2020).
        SocialServicesAct = "social_services_act" / "план по Закона за социалните услуги",
    }
);

crate::code_enum!(
    /// The part of a plan under the Закон за социалните услуги a service entry stands in.
    PlanPart, "plan part" {
        NationalMap = "national_map" / "услуги от Националната карта",
        MunicipalBudget = "municipal_budget" / "услуги от общинския бюджет",
    }
);

/// A numbered decision of a municipal council (or an order), e.g. «Решение № 250 по Протокол № 17,
/// точка 12 от 31.05.2012 г.».
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CouncilDecision {
    pub id: CouncilDecisionId,
    pub area: AreaCode,
    /// «Столичен общински съвет».
    pub body: String,
    pub number: String,
    pub date: NaiveDate,
    pub protocol: Option<String>,
    pub item: Option<String>,
    pub text: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnnualPlan {
    pub id: AnnualPlanId,
    pub area: AreaCode,
    pub year: Year,
    pub title: String,
    pub strategy: Option<StrategyId>,
    pub generation: PlanGeneration,
    pub status: PlanStatus,
    /// 1 for the first adopted text, 2 for the first amendment …
    pub version_no: i32,
    /// The version this one amends.
    pub amends: Option<AnnualPlanId>,
    pub adopted_by: Option<CouncilDecisionId>,
    pub consultation: Option<DateRange>,
}

impl AnnualPlan {
    /// The law asks that a draft be open for public discussion at least 30 days.
    pub const MIN_CONSULTATION_DAYS: i64 = 30;

    pub fn check_consultation(period: DateRange) -> Result<(), Invalid> {
        let days = (period.end() - period.start()).num_days() + 1;
        if days < Self::MIN_CONSULTATION_DAYS {
            return Err(Invalid::new("public consultation", "must last at least 30 days", format!("{days} days")));
        }
        Ok(())
    }

    /// The title of the plan for the year after this one: the plan's year written one later where
    /// the title names it (`… за 2025 г.` → `… за 2026 г.`; other numbers, such as the years of a
    /// strategy `2024–2028`, stay), or else the next year added in brackets.
    pub fn title_for_next_year(&self) -> String {
        let (year, next) = (self.year.get().to_string(), (self.year.get() + 1).to_string());
        let mut title = String::with_capacity(self.title.len() + 8);
        let mut named = false;
        let mut rest = self.title.as_str();
        while let Some(at) = rest.find(&year) {
            let digit_before = rest[..at].chars().next_back().is_some_and(|c| c.is_ascii_digit());
            let digit_after = rest[at + year.len()..].chars().next().is_some_and(|c| c.is_ascii_digit());
            title.push_str(&rest[..at]);
            if digit_before || digit_after {
                title.push_str(&year);
            } else {
                title.push_str(&next);
                named = true;
            }
            rest = &rest[at + year.len()..];
        }
        title.push_str(rest);
        if named { title } else { format!("{} ({next})", self.title.trim_end()) }
    }

    /// Checks a status change, given the decision that adopts it where the change is to adopted.
    pub fn check_transition(&self, next: PlanStatus, decision: Option<CouncilDecisionId>) -> Result<(), Invalid> {
        if !self.status.can_move_to(next) {
            return Err(Invalid::new(
                "plan status",
                "that change is not allowed",
                format!("{} → {}", self.status, next),
            ));
        }
        if next == PlanStatus::Adopted && decision.is_none() {
            return Err(Invalid::new(
                "plan status",
                "an adopted plan needs the council decision that adopted it",
                next.as_str(),
            ));
        }
        Ok(())
    }
}

/// A party named as responsible: the words as written and, where one fits, the canonical code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Party {
    pub raw: String,
    pub code: Option<InstitutionCode>,
    pub name: Option<String>,
}

/// A funding source as written, with its kind and the programme where one is named.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Funding {
    pub raw: String,
    pub kind: FundingKindCode,
    pub programme: Option<String>,
}

crate::code_enum!(
    /// A mark in a plan's quarterly timetable, per the plan's legend (`+`, `//`, `*`).
    ScheduleMarkKind, "schedule mark" {
        Proposal = "proposal" / "подготовка на проектно предложение",
        Transform = "transform" / "трансформиране, промяна на капацитета, разкриване",
        Project = "project" / "изпълнение на договорен проект",
    }
);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "ScheduleMarkWire", into = "ScheduleMarkWire")]
pub struct ScheduleMark {
    quarter: u8,
    pub mark: ScheduleMarkKind,
}

#[derive(Serialize, Deserialize)]
struct ScheduleMarkWire {
    quarter: u8,
    mark: ScheduleMarkKind,
}

impl ScheduleMark {
    pub fn new(quarter: u8, mark: ScheduleMarkKind) -> Result<ScheduleMark, Invalid> {
        if (1..=4).contains(&quarter) {
            Ok(ScheduleMark { quarter, mark })
        } else {
            Err(Invalid::new("schedule quarter", "must be 1 to 4", quarter.to_string()))
        }
    }
    pub fn quarter(self) -> u8 {
        self.quarter
    }
}
impl TryFrom<ScheduleMarkWire> for ScheduleMark {
    type Error = Invalid;
    fn try_from(w: ScheduleMarkWire) -> Result<Self, Self::Error> {
        ScheduleMark::new(w.quarter, w.mark)
    }
}
impl From<ScheduleMark> for ScheduleMarkWire {
    fn from(m: ScheduleMark) -> Self {
        ScheduleMarkWire { quarter: m.quarter, mark: m.mark }
    }
}

/// One row of a plan: an activity, measure or task.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanActivity {
    pub id: PlanActivityId,
    pub plan: AnnualPlanId,
    pub position: i32,
    /// Its number as written (`1.А.1`), normalised to no spaces.
    pub code: Option<String>,
    /// The heading or caption it stands under.
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
    /// The registered service it concerns.
    pub service: Option<ServiceId>,
    /// The strategy node (measure, activity) it carries out.
    pub strategy_node: Option<StrategyNodeId>,
}

crate::code_enum!(
    /// Which way a row of a plan moves: one place up or one place down among its plan's rows.
    RowMove, "row move" {
        Up = "up" / "нагоре",
        Down = "down" / "надолу",
    }
);

/// The rows of a plan in their new order after `moving` goes one place `direction`; `order` is
/// their order now.
///
/// # Errors
///
/// When `moving` is not among the rows, or is the first row moving up or the last moving down.
pub fn reordered(
    order: &[PlanActivityId],
    moving: PlanActivityId,
    direction: RowMove,
) -> Result<Vec<PlanActivityId>, Invalid> {
    let at = order
        .iter()
        .position(|id| *id == moving)
        .ok_or_else(|| Invalid::new("row move", "the row is not in this plan", moving.to_string()))?;
    let other = match direction {
        RowMove::Up => at.checked_sub(1),
        RowMove::Down => Some(at + 1).filter(|i| *i < order.len()),
    }
    .ok_or_else(|| Invalid::new("row move", "the row is already at that end of the plan", direction.as_str()))?;
    let mut new = order.to_vec();
    new.swap(at, other);
    Ok(new)
}

/// A service entry of a plan under the Закон за социалните услуги.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanServiceEntry {
    pub id: PlanServiceEntryId,
    pub plan: AnnualPlanId,
    pub part: PlanPart,
    pub position: i32,
    pub service_type: ServiceTypeCode,
    pub name: String,
    pub settlement: Option<String>,
    /// The maximum number of users under the national map (part one), or the places funded from the
    /// municipal budget (part two).
    pub max_users: u32,
    pub service: Option<ServiceId>,
    pub note: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_years_title_names_the_next_year_where_this_one_was_named() {
        let titled = |title: &str| AnnualPlan { title: title.into(), ..plan(PlanStatus::Adopted) };
        assert_eq!(
            titled("Годишен план за развитие на социалните услуги за 2025 г.").title_for_next_year(),
            "Годишен план за развитие на социалните услуги за 2026 г."
        );
        // The strategy's years and other numbers stay.
        assert_eq!(
            titled("План 2025 към стратегия 2024–2028, № 12025").title_for_next_year(),
            "План 2026 към стратегия 2024–2028, № 12025"
        );
        assert_eq!(titled("План за действие").title_for_next_year(), "План за действие (2026)");
    }

    #[test]
    fn a_row_moves_one_place_and_not_past_either_end() {
        let ids = |n: &[i64]| n.iter().copied().map(PlanActivityId).collect::<Vec<_>>();
        let order = ids(&[7, 3, 9]);
        assert_eq!(reordered(&order, PlanActivityId(3), RowMove::Up).unwrap(), ids(&[3, 7, 9]));
        assert_eq!(reordered(&order, PlanActivityId(3), RowMove::Down).unwrap(), ids(&[7, 9, 3]));
        assert_eq!(reordered(&order, PlanActivityId(9), RowMove::Up).unwrap(), ids(&[7, 9, 3]));
        assert!(reordered(&order, PlanActivityId(7), RowMove::Up).is_err());
        assert!(reordered(&order, PlanActivityId(9), RowMove::Down).is_err());
        assert!(reordered(&order, PlanActivityId(4), RowMove::Up).is_err(), "not a row of the plan");
        assert_eq!("down".parse::<RowMove>().unwrap(), RowMove::Down);
        assert!("sideways".parse::<RowMove>().is_err());
    }

    fn plan(status: PlanStatus) -> AnnualPlan {
        AnnualPlan {
            id: AnnualPlanId(1),
            area: AreaCode::parse("DEM01").unwrap(),
            year: Year::new(2025).unwrap(),
            title: "Годишен план".into(),
            strategy: None,
            generation: PlanGeneration::SocialServicesAct,
            status,
            version_no: 1,
            amends: None,
            adopted_by: None,
            consultation: None,
        }
    }

    #[test]
    fn a_plan_is_adopted_only_with_its_council_decision() {
        let p = plan(PlanStatus::PublicConsultation);
        assert!(p.check_transition(PlanStatus::Adopted, None).is_err());
        assert!(p.check_transition(PlanStatus::Adopted, Some(CouncilDecisionId(7))).is_ok());
    }

    #[test]
    fn an_adopted_plan_is_frozen() {
        let p = plan(PlanStatus::Adopted);
        assert!(!p.status.is_editable());
        assert!(p.check_transition(PlanStatus::Draft, None).is_err());
        assert!(p.check_transition(PlanStatus::Superseded, None).is_ok());
    }

    #[test]
    fn consultation_lasts_at_least_thirty_days() {
        let d = |m, day| NaiveDate::from_ymd_opt(2025, m, day).unwrap();
        assert!(AnnualPlan::check_consultation(DateRange::new(d(6, 1), d(6, 29)).unwrap()).is_err());
        assert!(AnnualPlan::check_consultation(DateRange::new(d(6, 1), d(6, 30)).unwrap()).is_ok());
    }

    #[test]
    fn schedule_marks_name_a_real_quarter() {
        assert!(ScheduleMark::new(0, ScheduleMarkKind::Project).is_err());
        let json = serde_json::to_string(&ScheduleMark::new(1, ScheduleMarkKind::Transform).unwrap()).unwrap();
        assert_eq!(json, r#"{"quarter":1,"mark":"transform"}"#);
        assert!(serde_json::from_str::<ScheduleMark>(r#"{"quarter":5,"mark":"transform"}"#).is_err());
    }
}
