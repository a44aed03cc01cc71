//! Years, periods and effective dates.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::Invalid;

/// A calendar year in the range the system plans for (1990–2100).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "i32", into = "i32")]
pub struct Year(i32);

impl Year {
    pub const MIN: i32 = 1990;
    pub const MAX: i32 = 2100;

    pub fn new(year: i32) -> Result<Year, Invalid> {
        if (Self::MIN..=Self::MAX).contains(&year) {
            Ok(Year(year))
        } else {
            Err(Invalid::new("year", "must be between 1990 and 2100", year.to_string()))
        }
    }
    pub fn get(self) -> i32 {
        self.0
    }
    pub fn of(date: NaiveDate) -> Result<Year, Invalid> {
        Year::new(date.year())
    }
    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.0, 1, 1).expect("Year holds a valid year")
    }
    pub fn last_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.0, 12, 31).expect("Year holds a valid year")
    }
}

impl TryFrom<i32> for Year {
    type Error = Invalid;
    fn try_from(value: i32) -> Result<Self, Self::Error> {
        Year::new(value)
    }
}
impl From<Year> for i32 {
    fn from(value: Year) -> i32 {
        value.0
    }
}
impl std::fmt::Display for Year {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// Years from `from` to `to`, inclusive (a strategy's 2016–2020; an annual plan's 2015–2015).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "YearRangeWire", into = "YearRangeWire")]
pub struct YearRange {
    from: Year,
    to: Year,
}

#[derive(Serialize, Deserialize)]
struct YearRangeWire {
    from: Year,
    to: Year,
}

impl YearRange {
    pub fn new(from: Year, to: Year) -> Result<YearRange, Invalid> {
        if from <= to {
            Ok(YearRange { from, to })
        } else {
            Err(Invalid::new("period", "starts after it ends", format!("{from}-{to}")))
        }
    }
    pub fn single(year: Year) -> YearRange {
        YearRange { from: year, to: year }
    }
    pub fn from(self) -> Year {
        self.from
    }
    pub fn to(self) -> Year {
        self.to
    }
    pub fn contains(self, year: Year) -> bool {
        self.from <= year && year <= self.to
    }
    pub fn years(self) -> impl Iterator<Item = Year> {
        (self.from.0..=self.to.0).map(Year)
    }
}

impl TryFrom<YearRangeWire> for YearRange {
    type Error = Invalid;
    fn try_from(w: YearRangeWire) -> Result<Self, Self::Error> {
        YearRange::new(w.from, w.to)
    }
}
impl From<YearRange> for YearRangeWire {
    fn from(r: YearRange) -> Self {
        YearRangeWire { from: r.from, to: r.to }
    }
}

/// A span of days, both ends inclusive: a reporting period (01.01.2016–30.06.2017), a quarter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "DateRangeWire", into = "DateRangeWire")]
pub struct DateRange {
    start: NaiveDate,
    end: NaiveDate,
}

#[derive(Serialize, Deserialize)]
struct DateRangeWire {
    start: NaiveDate,
    end: NaiveDate,
}

impl DateRange {
    pub fn new(start: NaiveDate, end: NaiveDate) -> Result<DateRange, Invalid> {
        if start <= end {
            Ok(DateRange { start, end })
        } else {
            Err(Invalid::new("period", "starts after it ends", format!("{start}..{end}")))
        }
    }
    pub fn year(year: Year) -> DateRange {
        DateRange { start: year.first_day(), end: year.last_day() }
    }
    /// Quarter 1–4 of a year.
    pub fn quarter(year: Year, quarter: u8) -> Result<DateRange, Invalid> {
        if !(1..=4).contains(&quarter) {
            return Err(Invalid::new("quarter", "must be 1 to 4", quarter.to_string()));
        }
        let first_month = u32::from(quarter - 1) * 3 + 1;
        let start = NaiveDate::from_ymd_opt(year.get(), first_month, 1).expect("valid quarter start");
        let next = if quarter == 4 {
            NaiveDate::from_ymd_opt(year.get() + 1, 1, 1)
        } else {
            NaiveDate::from_ymd_opt(year.get(), first_month + 3, 1)
        }
        .expect("valid quarter end");
        Ok(DateRange { start, end: next.pred_opt().expect("a day before a quarter start") })
    }
    pub fn start(self) -> NaiveDate {
        self.start
    }
    pub fn end(self) -> NaiveDate {
        self.end
    }
    pub fn contains(self, day: NaiveDate) -> bool {
        self.start <= day && day <= self.end
    }
    /// Whether the period has begun on `today`: a period that has not begun never needs an actual value.
    pub fn has_begun(self, today: NaiveDate) -> bool {
        self.start <= today
    }
    pub fn overlaps(self, other: DateRange) -> bool {
        self.start <= other.end && other.start <= self.end
    }
}

impl TryFrom<DateRangeWire> for DateRange {
    type Error = Invalid;
    fn try_from(w: DateRangeWire) -> Result<Self, Self::Error> {
        DateRange::new(w.start, w.end)
    }
}
impl From<DateRange> for DateRangeWire {
    fn from(r: DateRange) -> Self {
        DateRangeWire { start: r.start, end: r.end }
    }
}

/// When something is in force: opened on `from`, closed after `to` (open-ended while `None`).
/// Organisation units, services and reporting obligations carry one, so history stays right when
/// things change mid-year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "EffectiveWire", into = "EffectiveWire")]
pub struct Effective {
    from: NaiveDate,
    to: Option<NaiveDate>,
}

#[derive(Serialize, Deserialize)]
struct EffectiveWire {
    from: NaiveDate,
    to: Option<NaiveDate>,
}

impl Effective {
    pub fn new(from: NaiveDate, to: Option<NaiveDate>) -> Result<Effective, Invalid> {
        match to {
            Some(to) if to < from => {
                Err(Invalid::new("effective dates", "closes before it opens", format!("{from}..{to}")))
            }
            _ => Ok(Effective { from, to }),
        }
    }
    pub fn since(from: NaiveDate) -> Effective {
        Effective { from, to: None }
    }
    pub fn from(self) -> NaiveDate {
        self.from
    }
    pub fn to(self) -> Option<NaiveDate> {
        self.to
    }
    pub fn is_in_force_on(self, day: NaiveDate) -> bool {
        self.from <= day && self.to.is_none_or(|to| day <= to)
    }
    /// Whether it was in force at any day of `period`.
    pub fn overlaps(self, period: DateRange) -> bool {
        self.from <= period.end() && self.to.is_none_or(|to| period.start() <= to)
    }
    /// Closes on `day`; refused when that is before it opened.
    pub fn closed_on(self, day: NaiveDate) -> Result<Effective, Invalid> {
        Effective::new(self.from, Some(day))
    }
}

impl TryFrom<EffectiveWire> for Effective {
    type Error = Invalid;
    fn try_from(w: EffectiveWire) -> Result<Self, Self::Error> {
        Effective::new(w.from, w.to)
    }
}
impl From<Effective> for EffectiveWire {
    fn from(e: Effective) -> Self {
        EffectiveWire { from: e.from, to: e.to }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn years_outside_the_planning_range_are_refused() {
        assert!(Year::new(1989).is_err());
        assert!(Year::new(2101).is_err());
        assert_eq!(Year::new(2016).unwrap().get(), 2016);
    }

    #[test]
    fn a_period_that_ends_before_it_starts_cannot_be_built() {
        let y = |n| Year::new(n).unwrap();
        assert!(YearRange::new(y(2020), y(2016)).is_err());
        assert_eq!(YearRange::new(y(2016), y(2020)).unwrap().years().count(), 5);
        assert!(serde_json::from_str::<YearRange>(r#"{"from":2020,"to":2016}"#).is_err());
    }

    #[test]
    fn quarters_cover_their_three_months() {
        let q4 = DateRange::quarter(Year::new(2015).unwrap(), 4).unwrap();
        assert_eq!((q4.start(), q4.end()), (d(2015, 10, 1), d(2015, 12, 31)));
        let q1 = DateRange::quarter(Year::new(2016).unwrap(), 1).unwrap();
        assert_eq!(q1.end(), d(2016, 3, 31));
        assert!(DateRange::quarter(Year::new(2016).unwrap(), 5).is_err());
    }

    #[test]
    fn a_service_closed_mid_year_is_in_force_only_until_it_closes() {
        let e = Effective::since(d(2010, 1, 1)).closed_on(d(2015, 6, 30)).unwrap();
        assert!(e.is_in_force_on(d(2015, 6, 30)));
        assert!(!e.is_in_force_on(d(2015, 7, 1)));
        assert!(e.overlaps(DateRange::year(Year::new(2015).unwrap())));
        assert!(!e.overlaps(DateRange::year(Year::new(2016).unwrap())));
        assert!(Effective::since(d(2015, 1, 1)).closed_on(d(2014, 1, 1)).is_err());
    }
}
