//! The code tables: service types, funding kinds, institutions, and the activities of чл. 15 of the
//! Закон за социалните услуги. The built-in rows are embedded from `data/`; the store copies them into
//! its tables, where an administrator can add more. Codes are validated newtypes so an extension
//! cannot break the exchange format.

use serde::{Deserialize, Serialize};

use crate::Invalid;
use crate::geography::{cell, tsv_rows};
use crate::validated_string;

fn snake_case_code(s: &str) -> Result<(), &'static str> {
    let ok = !s.is_empty()
        && s.len() <= 64
        && s.bytes().next().is_some_and(|b| b.is_ascii_lowercase())
        && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if ok { Ok(()) } else { Err("must be lower-case Latin letters, digits and _, e.g. crisis_centre") }
}

validated_string!(
    /// A service type code (`community_support_centre`, `crisis_centre`, …).
    ServiceTypeCode,
    "service type code",
    snake_case_code
);
validated_string!(
    /// A funding kind code (`state_delegated`, `municipal_budget`, …).
    FundingKindCode,
    "funding kind code",
    snake_case_code
);
validated_string!(
    /// A law activity code (`day_care`, `residential_care`, …).
    LawActivityCode,
    "activity code",
    snake_case_code
);
validated_string!(
    /// An institution code as the documents abbreviate it (`ДСП`, `ОЗД`, `РУО`).
    InstitutionCode,
    "institution code",
    |s| {
        if !s.is_empty() && s.chars().count() <= 16 && s.chars().all(char::is_alphanumeric) {
            Ok(())
        } else {
            Err("must be 1 to 16 letters or digits, e.g. ДСП")
        }
    }
);

/// One of the activities social services are built from (чл. 15 ЗСУ), or the integrated
/// health-social service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LawActivity {
    pub code: LawActivityCode,
    pub name: String,
    /// Where the law names it (`чл. 15, т. 7`).
    pub article: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceType {
    pub code: ServiceTypeCode,
    /// The abbreviation the documents use (`ЦОП`); `None` where there is none.
    pub abbr: Option<String>,
    pub name: String,
    /// Whom it is for, as the code table says.
    pub target: String,
    /// The activities of чл. 15 ЗСУ an old-law service of this type maps to; empty when it is not a
    /// social service under the new law (see `law_note`).
    pub law_activities: Vec<LawActivityCode>,
    pub law_note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FundingKind {
    pub code: FundingKindCode,
    pub meaning: String,
    /// The ways documents write it, for recognition.
    pub written_as: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Institution {
    pub code: InstitutionCode,
    pub name: String,
    pub written_as: Vec<String>,
}

/// All code tables together, as shipped or as extended in storage.
#[derive(Debug, Clone)]
pub struct CodeTables {
    pub law_activities: Vec<LawActivity>,
    pub service_types: Vec<ServiceType>,
    pub funding_kinds: Vec<FundingKind>,
    pub institutions: Vec<Institution>,
}

fn list(cell: &str) -> Vec<String> {
    cell.split(';').map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect()
}

fn optional(cell: &str) -> Option<String> {
    let cell = cell.trim();
    (!cell.is_empty() && cell != "—").then(|| cell.to_owned())
}

impl CodeTables {
    /// The tables shipped with Grizha.
    pub fn builtin() -> CodeTables {
        CodeTables::from_tsv(&BuiltinTsv::default()).expect("the shipped code tables are valid")
    }

    pub fn from_tsv(tsv: &BuiltinTsv) -> Result<CodeTables, Invalid> {
        let law_activities = tsv_rows(tsv.law_activities)
            .map(|c| {
                Ok(LawActivity {
                    code: LawActivityCode::parse(cell(&c, 0))?,
                    name: cell(&c, 1).to_owned(),
                    article: cell(&c, 2).to_owned(),
                })
            })
            .collect::<Result<Vec<_>, Invalid>>()?;
        let mapping: Vec<Vec<&str>> = tsv_rows(tsv.service_type_activities).collect();
        let law_activities_order: Vec<LawActivityCode> = law_activities.iter().map(|a| a.code.clone()).collect();
        let service_types = tsv_rows(tsv.service_types)
            .map(|c| {
                let code = ServiceTypeCode::parse(cell(&c, 0))?;
                let row = mapping.iter().find(|m| cell(m, 0) == code.as_str()).ok_or_else(|| {
                    Invalid::new("service type", "has no mapping to the activities of чл. 15", code.as_str())
                })?;
                let mut law_activities = cell(row, 1)
                    .split(',')
                    .filter(|s| !s.trim().is_empty())
                    .map(|a| {
                        let a = LawActivityCode::parse(a)?;
                        if law_activities.iter().any(|l| l.code == a) {
                            Ok(a)
                        } else {
                            Err(Invalid::new("service type mapping", "names an unknown activity", a.as_str()))
                        }
                    })
                    .collect::<Result<Vec<_>, Invalid>>()?;
                // In the order the law lists them, whatever order the mapping wrote them in.
                law_activities.sort_by_key(|a| law_activities_order.iter().position(|l| l == a));
                Ok(ServiceType {
                    abbr: optional(cell(&c, 1)),
                    name: cell(&c, 2).to_owned(),
                    target: cell(&c, 3).to_owned(),
                    law_note: optional(cell(row, 2)),
                    law_activities,
                    code,
                })
            })
            .collect::<Result<Vec<_>, Invalid>>()?;
        let funding_kinds = tsv_rows(tsv.funding)
            .map(|c| {
                Ok(FundingKind {
                    code: FundingKindCode::parse(cell(&c, 0))?,
                    meaning: cell(&c, 1).to_owned(),
                    written_as: list(cell(&c, 2)),
                })
            })
            .collect::<Result<Vec<_>, Invalid>>()?;
        let institutions = tsv_rows(tsv.institutions)
            .map(|c| {
                Ok(Institution {
                    code: InstitutionCode::parse(cell(&c, 0))?,
                    name: cell(&c, 1).to_owned(),
                    written_as: list(cell(&c, 2)),
                })
            })
            .collect::<Result<Vec<_>, Invalid>>()?;
        Ok(CodeTables { law_activities, service_types, funding_kinds, institutions })
    }

    pub fn service_type(&self, code: &str) -> Option<&ServiceType> {
        self.service_types.iter().find(|t| t.code.as_str() == code)
    }
    pub fn service_type_by_abbr(&self, abbr: &str) -> Option<&ServiceType> {
        self.service_types.iter().find(|t| t.abbr.as_deref() == Some(abbr))
    }
    pub fn funding_kind(&self, code: &str) -> Option<&FundingKind> {
        self.funding_kinds.iter().find(|f| f.code.as_str() == code)
    }
    pub fn institution(&self, code: &str) -> Option<&Institution> {
        self.institutions.iter().find(|i| i.code.as_str() == code)
    }
}

/// The text of the shipped tables (`data/*.tsv`).
#[derive(Debug, Clone, Copy)]
pub struct BuiltinTsv {
    pub law_activities: &'static str,
    pub service_types: &'static str,
    pub service_type_activities: &'static str,
    pub funding: &'static str,
    pub institutions: &'static str,
}

impl Default for BuiltinTsv {
    fn default() -> Self {
        BuiltinTsv {
            law_activities: include_str!("../data/law-activities.tsv"),
            service_types: include_str!("../data/service-types.tsv"),
            service_type_activities: include_str!("../data/service-type-activities.tsv"),
            funding: include_str!("../data/funding.tsv"),
            institutions: include_str!("../data/institutions.tsv"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shipped_service_type_is_mapped_to_the_new_law_or_says_why_not() {
        let t = CodeTables::builtin();
        assert_eq!(t.law_activities.len(), 11);
        assert!(t.service_types.len() >= 39);
        for st in &t.service_types {
            assert!(
                !st.law_activities.is_empty() || st.law_note.is_some() || st.code.as_str() == "other",
                "{} maps to nothing and says nothing",
                st.code
            );
        }
        let cop = t.service_type_by_abbr("ЦОП").unwrap();
        assert_eq!(cop.code.as_str(), "community_support_centre");
        assert!(cop.law_activities.iter().any(|a| a.as_str() == "information_consulting"));
        let cnst = t.service_type("family_type_centre").unwrap();
        assert_eq!(cnst.law_activities.iter().map(|a| a.as_str()).collect::<Vec<_>>(), ["residential_care"]);
    }

    #[test]
    fn funding_kinds_and_institutions_keep_their_written_forms() {
        let t = CodeTables::builtin();
        assert_eq!(t.funding_kinds.len(), 11);
        assert!(t.funding_kind("state_delegated").unwrap().written_as.iter().any(|w| w == "ДДД"));
        assert!(t.funding_kind("other").unwrap().written_as.is_empty());
        let dsd = t.institution("ДСД").unwrap();
        assert!(dsd.written_as.iter().any(|w| w == "Д „СД“"));
        assert!(t.institution("ДСП").is_some());
    }

    #[test]
    fn a_mapping_to_an_unknown_activity_is_refused() {
        let tsv = BuiltinTsv {
            service_type_activities: "service_type\tactivities\tnote\ncommunity_support_centre\tflying\t\n",
            service_types: "code\tabbr\tname\tfor\ncommunity_support_centre\tЦОП\tЦентър\tall\n",
            ..BuiltinTsv::default()
        };
        assert!(CodeTables::from_tsv(&tsv).is_err());
    }

    #[test]
    fn codes_reject_what_would_break_the_exchange_format() {
        assert!(ServiceTypeCode::parse("Crisis Centre").is_err());
        assert!(ServiceTypeCode::parse("crisis_centre").is_ok());
        assert!(InstitutionCode::parse("Д „СД“").is_err());
        assert!(InstitutionCode::parse("МКБППМН").is_ok());
    }
}
