//! A strategy's logical framework: one tree of levels (priority directions → general goals →
//! specific goals → measures → activities) whose level names are set per strategy, and indicators
//! with a baseline and, per period, a target and an actual value (after the IATI results model).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::Invalid;
use crate::document::Evidence;
use crate::geography::AreaCode;
use crate::ids::{IndicatorId, SourceDocumentId, StrategyId, StrategyNodeId};
use crate::time::{DateRange, YearRange};

/// The names of the levels of one strategy's tree, top down. Strategies differ: «Направление →
/// Обща цел → Специфична цел → Мярка → Дейност» in one, «Приоритет → Цел → Мярка» in another.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "Vec<String>", into = "Vec<String>")]
pub struct LevelNames(Vec<String>);

impl LevelNames {
    pub const MAX_DEPTH: usize = 8;

    pub fn new(names: Vec<String>) -> Result<LevelNames, Invalid> {
        let names: Vec<String> = names.into_iter().map(|n| n.trim().to_owned()).collect();
        if names.is_empty() || names.len() > Self::MAX_DEPTH {
            return Err(Invalid::new("level names", "a strategy has 1 to 8 levels", names.join(" → ")));
        }
        if names.iter().any(String::is_empty) {
            return Err(Invalid::new("level names", "every level needs a name", names.join(" → ")));
        }
        Ok(LevelNames(names))
    }
    /// The usual five levels of a municipal strategy.
    pub fn usual() -> LevelNames {
        LevelNames(
            ["Приоритетно направление", "Обща цел", "Специфична цел", "Мярка", "Дейност"].map(String::from).to_vec(),
        )
    }
    pub fn depth(&self) -> usize {
        self.0.len()
    }
    /// The name of level `level` (0 = top); `None` below the last level.
    pub fn name(&self, level: usize) -> Option<&str> {
        self.0.get(level).map(String::as_str)
    }
    pub fn names(&self) -> &[String] {
        &self.0
    }
}

impl TryFrom<Vec<String>> for LevelNames {
    type Error = Invalid;
    fn try_from(v: Vec<String>) -> Result<Self, Self::Error> {
        LevelNames::new(v)
    }
}
impl From<LevelNames> for Vec<String> {
    fn from(l: LevelNames) -> Vec<String> {
        l.0
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Strategy {
    pub id: StrategyId,
    /// The municipality or region whose strategy it is.
    pub area: AreaCode,
    pub title: String,
    pub period: YearRange,
    pub vision: Option<String>,
    pub level_names: LevelNames,
    /// The council decision that adopted it, as written («Решение № 250 от 31.05.2016 г.»).
    pub adopted_by: Option<String>,
    pub source: Option<SourceDocumentId>,
}

/// One node of the tree. Its level is its depth; a child is always exactly one level below its parent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StrategyNode {
    pub id: StrategyNodeId,
    pub strategy: StrategyId,
    pub parent: Option<StrategyNodeId>,
    pub level: u8,
    /// Its number as written (`1.1.2`), normalised to no spaces.
    pub code: Option<String>,
    pub title: String,
    pub position: i32,
}

/// Checks that a new node may stand under `parent` in a strategy of `levels`.
pub fn child_level(levels: &LevelNames, parent: Option<&StrategyNode>) -> Result<u8, Invalid> {
    let level = parent.map_or(0, |p| usize::from(p.level) + 1);
    if level >= levels.depth() {
        return Err(Invalid::new(
            "strategy node",
            "the strategy has no level below this one",
            levels.names().last().cloned().unwrap_or_default(),
        ));
    }
    Ok(level as u8)
}

crate::code_enum!(
    /// Which way an indicator improves.
    Direction, "direction" {
        Increase = "increase" / "увеличение",
        Decrease = "decrease" / "намаление",
        Maintain = "maintain" / "запазване",
    }
);

crate::code_enum!(
    /// How an indicator's values combine over periods: summed (users served each year), cumulative
    /// (the value already is the running total, so the latest counts), or latest (a state, e.g. capacity).
    Aggregation, "aggregation" {
        Sum = "sum" / "сбор",
        Cumulative = "cumulative" / "натрупване",
        Latest = "latest" / "последна стойност",
    }
);

crate::code_enum!(
    /// The level of the framework an indicator measures.
    IndicatorLevel, "indicator level" {
        Strategy = "strategy" / "стратегия",
        GeneralGoal = "general_goal" / "обща цел",
        SpecificGoal = "specific_goal" / "специфична цел",
        Measure = "measure" / "мярка",
        Activity = "activity" / "дейност",
    }
);

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Indicator {
    pub id: IndicatorId,
    pub strategy: StrategyId,
    /// The node it measures; `None` for an indicator of the whole strategy.
    pub node: Option<StrategyNodeId>,
    pub level: IndicatorLevel,
    pub text: String,
    /// `%`, `брой`, `места`, `лица` …
    pub unit: Option<String>,
    pub direction: Direction,
    pub aggregation: Aggregation,
    pub sources: Vec<String>,
    /// When it is checked, as written («Годишна база», «на всеки 6 месеца»).
    pub verification: Option<String>,
    pub baseline: Option<Baseline>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Baseline {
    pub value: f64,
    /// The year or date the baseline describes.
    pub as_of: NaiveDate,
    pub comment: Option<String>,
}

/// A value with what backs it: the target set or the actual measured for a period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MeasuredValue {
    pub value: f64,
    pub comment: Option<String>,
    pub evidence: Vec<Evidence>,
}

/// One period of an indicator: its target and, once the period has begun, its actual value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IndicatorPeriod {
    pub period: DateRange,
    pub target: Option<MeasuredValue>,
    pub actual: Option<MeasuredValue>,
}

impl IndicatorPeriod {
    /// Refuses an actual value for a period that has not begun: a future period never has (or needs) one.
    pub fn check(&self, today: NaiveDate) -> Result<(), Invalid> {
        if self.actual.is_some() && !self.period.has_begun(today) {
            return Err(Invalid::new(
                "indicator value",
                "an actual value cannot be given for a period that has not begun",
                self.period.start().to_string(),
            ));
        }
        Ok(())
    }
    /// Whether an actual value is missing and due: the period is over and none was given.
    pub fn actual_is_due(&self, today: NaiveDate) -> bool {
        self.actual.is_none() && self.period.end() < today
    }
}

impl Indicator {
    /// The combined actual value over `periods` (in any order) per the indicator's aggregation;
    /// `None` when no period has an actual.
    pub fn combined_actual(&self, periods: &[IndicatorPeriod]) -> Option<f64> {
        let mut with_actual: Vec<(&DateRange, f64)> =
            periods.iter().filter_map(|p| p.actual.as_ref().map(|a| (&p.period, a.value))).collect();
        if with_actual.is_empty() {
            return None;
        }
        with_actual.sort_by_key(|(period, _)| **period);
        match self.aggregation {
            Aggregation::Sum => Some(with_actual.iter().map(|(_, v)| v).sum()),
            Aggregation::Cumulative | Aggregation::Latest => with_actual.last().map(|(_, v)| *v),
        }
    }

    /// Whether `actual` meets `target` in the indicator's direction.
    pub fn meets(&self, actual: f64, target: f64) -> bool {
        match self.direction {
            Direction::Increase => actual >= target,
            Direction::Decrease => actual <= target,
            Direction::Maintain => (actual - target).abs() < f64::EPSILON * target.abs().max(1.0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::Year;

    fn period(year: i32, actual: Option<f64>) -> IndicatorPeriod {
        IndicatorPeriod {
            period: DateRange::year(Year::new(year).unwrap()),
            target: None,
            actual: actual.map(|value| MeasuredValue { value, comment: None, evidence: vec![] }),
        }
    }

    fn indicator(aggregation: Aggregation, direction: Direction) -> Indicator {
        Indicator {
            id: IndicatorId(1),
            strategy: StrategyId(1),
            node: None,
            level: IndicatorLevel::Measure,
            text: "Деца, обхванати от ЦОП".into(),
            unit: Some("брой".into()),
            direction,
            aggregation,
            sources: vec![],
            verification: None,
            baseline: None,
        }
    }

    #[test]
    fn values_combine_as_the_indicator_says() {
        let periods = [period(2017, Some(30.0)), period(2016, Some(20.0)), period(2018, None)];
        assert_eq!(indicator(Aggregation::Sum, Direction::Increase).combined_actual(&periods), Some(50.0));
        assert_eq!(indicator(Aggregation::Latest, Direction::Increase).combined_actual(&periods), Some(30.0));
        assert_eq!(indicator(Aggregation::Cumulative, Direction::Increase).combined_actual(&periods), Some(30.0));
        assert_eq!(indicator(Aggregation::Sum, Direction::Increase).combined_actual(&[period(2016, None)]), None);
    }

    #[test]
    fn a_future_period_never_requires_an_actual_and_refuses_one() {
        let today = NaiveDate::from_ymd_opt(2017, 6, 1).unwrap();
        assert!(!period(2018, None).actual_is_due(today));
        assert!(period(2016, None).actual_is_due(today));
        assert!(period(2018, Some(3.0)).check(today).is_err());
        assert!(period(2017, Some(3.0)).check(today).is_ok());
    }

    #[test]
    fn a_decrease_target_is_met_by_a_lower_value() {
        let i = indicator(Aggregation::Latest, Direction::Decrease);
        assert!(i.meets(40.0, 50.0));
        assert!(!i.meets(60.0, 50.0));
    }

    #[test]
    fn nodes_go_one_level_at_a_time_and_not_below_the_last() {
        let levels = LevelNames::new(vec!["Цел".into(), "Мярка".into()]).unwrap();
        assert_eq!(child_level(&levels, None).unwrap(), 0);
        let measure = StrategyNode {
            id: StrategyNodeId(2),
            strategy: StrategyId(1),
            parent: Some(StrategyNodeId(1)),
            level: 1,
            code: Some("1.1".into()),
            title: "Мярка".into(),
            position: 0,
        };
        assert!(child_level(&levels, Some(&measure)).is_err());
        assert!(LevelNames::new(vec![]).is_err());
        assert!(LevelNames::new(vec![" ".into()]).is_err());
    }
}
