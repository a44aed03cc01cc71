//! The exchange format `grizha.extract/1` (`../shared/spec/extract-format.md`): what the extractor
//! prints and what the importer, the review screen and the scoring test read. Fields may be added;
//! none may be renamed or change meaning. Unknown values are `null` or `[]`, never invented.

use grizha_domain::deadline::Deadline;
use serde::{Deserialize, Serialize};

pub const FORMAT: &str = "grizha.extract/1";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Extraction {
    pub format: String,
    pub source: Source,
    pub documents: Vec<ExtractedDocument>,
    pub warnings: Vec<Warning>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Source {
    pub file: String,
    pub sha256: String,
    pub media_type: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentKind {
    AnnualPlan,
    Strategy,
    MonitoringReport,
    Protocol,
    CouncilDecision,
    NeedsAnalysis,
    Other,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExtractedDocument {
    pub kind: DocumentKind,
    pub title: String,
    pub issuer: Option<Issuer>,
    pub period: Option<Period>,
    pub strategy_title: Option<String>,
    pub adopted: Option<Adopted>,
    pub activities: Vec<Activity>,
    pub services: Vec<Service>,
    pub indicators: Vec<Indicator>,
    pub decisions: Vec<Decision>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IssuerLevel {
    Municipality,
    Region,
    National,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Issuer {
    pub level: IssuerLevel,
    pub name: String,
    /// The code of the municipality or region (`SOF46`, `HKV`), where known.
    pub code: Option<String>,
}

/// Years, inclusive; an annual plan has `from == to`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Period {
    pub from: i32,
    pub to: i32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Adopted {
    pub by: Option<String>,
    pub decision: Option<String>,
    /// ISO date.
    pub date: Option<String>,
}

/// One planned activity, measure or task.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Activity {
    pub code: Option<String>,
    pub section: Option<String>,
    pub goal: Option<String>,
    pub text: String,
    /// Added field: the description column of a plan that has both a name column ("Вид дейност /
    /// услуга / мярка") and a description column ("Описание на дейността"); `text` is the name.
    pub description: Option<String>,
    pub service_type: Option<String>,
    pub deadline: Deadline,
    pub responsible: Vec<Party>,
    pub funding: Vec<Funding>,
    pub expected_results: Vec<String>,
    pub location: Option<String>,
    pub schedule: Vec<ScheduleMark>,
    pub at: Provenance,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Party {
    pub raw: String,
    /// The canonical code from `institutions.tsv`, `None` when none fits.
    pub code: Option<String>,
    /// The institution's name from the code table, or the words as written when there is no code.
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Funding {
    pub raw: String,
    /// A kind from `funding.tsv`.
    pub kind: String,
    /// A named operational or national programme: `ОПРЧР`, `ОПРР`, `ОПХ`, `НП АХУ`, …
    pub programme: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mark {
    /// `+`: preparing and filing a project proposal.
    Proposal,
    /// `//`: transforming a service, changing capacity, opening a new one.
    Transform,
    /// `*`: carrying out a contracted project.
    Project,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScheduleMark {
    pub quarter: u8,
    pub mark: Mark,
}

/// One social service.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Service {
    pub name: String,
    #[serde(rename = "type")]
    pub service_type: Option<String>,
    pub target_groups: Vec<String>,
    pub location: Option<String>,
    pub provider: Option<String>,
    pub funding: Vec<Funding>,
    pub capacity: Vec<YearValue>,
    pub staff: Vec<YearValue>,
    pub status: Option<grizha_domain::service::ServiceStatus>,
    pub changes: Vec<Change>,
    pub at: Provenance,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct YearValue {
    pub year: i32,
    pub value: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    Capacity,
    Open,
    Close,
    Transform,
}

/// A written change of a service: «Увеличаване на капацитета от 80 на 100 места от 01.01.2015г.»
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    pub kind: ChangeKind,
    pub from: Option<u32>,
    pub to: Option<u32>,
    /// ISO date.
    pub date: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IndicatorLevel {
    GeneralGoal,
    SpecificGoal,
    Measure,
    Activity,
    Strategy,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Indicator {
    pub level: IndicatorLevel,
    #[serde(rename = "ref")]
    pub reference: Option<String>,
    pub text: String,
    pub baseline: Option<Target>,
    pub target: Option<Target>,
    pub sources: Vec<String>,
    pub period: Option<String>,
    pub at: Provenance,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Increase,
    Decrease,
    Reach,
}

/// A number an indicator aims at: «Намаление с 50% на …» is 50 %, decrease.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Target {
    /// Written as an integer when it is one (`50`, not `50.0`).
    #[serde(serialize_with = "whole_or_fraction")]
    pub value: f64,
    pub unit: Option<String>,
    pub direction: Direction,
}

/// A decision of a council, a protocol or an order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    pub number: Option<String>,
    /// ISO date.
    pub date: Option<String>,
    pub body: Option<String>,
    pub text: String,
    pub deadlines: Vec<DecisionDeadline>,
    pub at: Provenance,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecisionDeadline {
    /// ISO date.
    pub date: String,
    pub what: String,
}

/// Zero-based indexes into the document model `grizha read FILE --json` prints for the same file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct Provenance {
    pub table: Option<usize>,
    pub row: Option<usize>,
    pub paragraph: Option<usize>,
    pub page: Option<u32>,
}

impl Provenance {
    pub fn row(table: usize, row: usize, page: Option<u32>) -> Provenance {
        Provenance { table: Some(table), row: Some(row), paragraph: None, page }
    }
    pub fn paragraph(paragraph: usize, page: Option<u32>) -> Provenance {
        Provenance { table: None, row: None, paragraph: Some(paragraph), page }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Warning {
    pub message: String,
    pub at: Provenance,
}

/// A number as JSON shows it when a person writes it: `50` for a whole number, `12.5` otherwise.
fn whole_or_fraction<S: serde::Serializer>(value: &f64, serializer: S) -> Result<S::Ok, S::Error> {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        #[allow(clippy::cast_possible_truncation, reason = "a whole number below 1e15 fits an i64 exactly")]
        serializer.serialize_i64(*value as i64)
    } else {
        serializer.serialize_f64(*value)
    }
}
