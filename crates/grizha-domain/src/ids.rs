//! Typed identifiers, declared once: a `PlanId` cannot be passed where a `ServiceId` is expected.

macro_rules! decl_id {
    ($($(#[$meta:meta])* $name:ident),+ $(,)?) => {$(
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl $name {
            pub fn get(self) -> i64 {
                self.0
            }
        }
        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }
        impl std::str::FromStr for $name {
            type Err = std::num::ParseIntError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                s.parse().map($name)
            }
        }
    )+};
}

decl_id!(
    OrgUnitId,
    UserId,
    SourceDocumentId,
    StrategyId,
    StrategyNodeId,
    IndicatorId,
    IndicatorPeriodId,
    CouncilDecisionId,
    AnnualPlanId,
    PlanActivityId,
    PlanServiceEntryId,
    OrganisationId,
    LocationId,
    ServiceId,
    ServiceEventId,
    MonitoringRecordId,
    ReportingObligationId,
    SubmissionId,
    MeetingId,
    MeetingDecisionId,
);

/// The optimistic-concurrency version of a stored record. An edit names the version it was based on;
/// the store refuses it when the record has moved on since.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct RowVersion(pub i64);

impl RowVersion {
    pub const FIRST: RowVersion = RowVersion(1);
    pub fn next(self) -> RowVersion {
        RowVersion(self.0 + 1)
    }
}
