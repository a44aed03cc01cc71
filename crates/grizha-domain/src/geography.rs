//! The administrative geography: the country, its 28 regions (области) and 265 municipalities
//! (общини), keyed by their EKATTE codes. The lists are facts from the national classifier, shipped
//! in `data/` and embedded at compile time; the first migration loads the same rows into storage.

use serde::{Deserialize, Serialize};

use crate::{Invalid, validated_string};

validated_string!(
    /// The EKATTE code of a region: three capital Latin letters (`HKV`, `SOF`, `DEM`).
    RegionCode,
    "region code",
    |s| {
        if s.len() == 3 && s.bytes().all(|b| b.is_ascii_uppercase()) {
            Ok(())
        } else {
            Err("must be three capital Latin letters, e.g. HKV")
        }
    }
);

validated_string!(
    /// The EKATTE code of a municipality: its region's code and two digits (`HKV34` Хасково,
    /// `SOF46` Столична).
    MunicipalityCode,
    "municipality code",
    |s| {
        let b = s.as_bytes();
        if b.len() == 5 && b[..3].iter().all(u8::is_ascii_uppercase) && b[3..].iter().all(u8::is_ascii_digit) {
            Ok(())
        } else {
            Err("must be three capital Latin letters and two digits, e.g. HKV34")
        }
    }
);

validated_string!(
    /// The EKATTE code of a settlement: five digits (`77195` гр. Хасково).
    SettlementCode,
    "settlement EKATTE code",
    |s| {
        if s.len() == 5 && s.bytes().all(|b| b.is_ascii_digit()) {
            Ok(())
        } else {
            Err("must be five digits, e.g. 77195")
        }
    }
);

impl MunicipalityCode {
    /// The region a municipality belongs to is written in its code.
    pub fn region(&self) -> RegionCode {
        RegionCode(self.0[..3].to_owned())
    }
}

/// An area that plans social services: a municipality or a region. Codes of the two kinds never
/// collide (3 letters vs 3 letters + 2 digits), so one parse tells them apart.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "level", content = "code", rename_all = "snake_case")]
pub enum AreaCode {
    Region(RegionCode),
    Municipality(MunicipalityCode),
}

impl AreaCode {
    pub fn parse(input: &str) -> Result<AreaCode, Invalid> {
        match input.trim().len() {
            3 => RegionCode::parse(input).map(AreaCode::Region),
            _ => MunicipalityCode::parse(input).map(AreaCode::Municipality),
        }
    }
    pub fn as_str(&self) -> &str {
        match self {
            AreaCode::Region(c) => c.as_str(),
            AreaCode::Municipality(c) => c.as_str(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Region {
    pub code: RegionCode,
    pub name: String,
    /// The NUTS3 statistical code (`BG422`).
    pub nuts3: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Municipality {
    pub code: MunicipalityCode,
    pub name: String,
    pub region: RegionCode,
    /// The EKATTE code of the administrative centre; not unique across municipalities, never a key.
    pub centre: SettlementCode,
}

/// The regions and municipalities of Bulgaria.
#[derive(Debug, Clone)]
pub struct Geography {
    pub regions: Vec<Region>,
    pub municipalities: Vec<Municipality>,
}

const REGIONS_TSV: &str = include_str!("../data/regions.tsv");
const MUNICIPALITIES_TSV: &str = include_str!("../data/municipalities.tsv");

impl Geography {
    /// The geography shipped with Grizha (NSI classifier, May 2018).
    pub fn bulgaria() -> Geography {
        Geography::from_tsv(REGIONS_TSV, MUNICIPALITIES_TSV).expect("the shipped geography is valid")
    }

    /// Reads the two tables (`code name nuts3 …` and `code name region centre_ekatte`), checking
    /// every code and that each municipality's region exists and matches its code.
    pub fn from_tsv(regions: &str, municipalities: &str) -> Result<Geography, Invalid> {
        let regions = tsv_rows(regions)
            .map(|cells| {
                Ok(Region {
                    code: RegionCode::parse(cell(&cells, 0))?,
                    name: cell(&cells, 1).to_owned(),
                    nuts3: cell(&cells, 2).to_owned(),
                })
            })
            .collect::<Result<Vec<_>, Invalid>>()?;
        let municipalities = tsv_rows(municipalities)
            .map(|cells| {
                let code = MunicipalityCode::parse(cell(&cells, 0))?;
                let region = RegionCode::parse(cell(&cells, 2))?;
                if code.region() != region {
                    return Err(Invalid::new("municipality", "code does not match its region", code.as_str()));
                }
                if !regions.iter().any(|r| r.code == region) {
                    return Err(Invalid::new("municipality", "names an unknown region", region.as_str()));
                }
                Ok(Municipality {
                    code,
                    name: cell(&cells, 1).to_owned(),
                    region,
                    centre: SettlementCode::parse(cell(&cells, 3))?,
                })
            })
            .collect::<Result<Vec<_>, Invalid>>()?;
        Ok(Geography { regions, municipalities })
    }

    pub fn region(&self, code: &RegionCode) -> Option<&Region> {
        self.regions.iter().find(|r| &r.code == code)
    }
    pub fn municipality(&self, code: &MunicipalityCode) -> Option<&Municipality> {
        self.municipalities.iter().find(|m| &m.code == code)
    }
    pub fn municipalities_of<'a>(&'a self, region: &'a RegionCode) -> impl Iterator<Item = &'a Municipality> + 'a {
        self.municipalities.iter().filter(move |m| &m.region == region)
    }
}

/// Rows of a tab-separated table with a header line; blank lines skipped.
pub(crate) fn tsv_rows(text: &str) -> impl Iterator<Item = Vec<&str>> {
    text.lines().skip(1).filter(|l| !l.trim().is_empty()).map(|l| l.split('\t').map(str::trim).collect())
}

pub(crate) fn cell<'a>(cells: &[&'a str], i: usize) -> &'a str {
    cells.get(i).copied().unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bulgaria_has_28_regions_and_265_municipalities() {
        let g = Geography::bulgaria();
        assert_eq!(g.regions.len(), 28);
        assert_eq!(g.municipalities.len(), 265);
        let haskovo = g.municipality(&MunicipalityCode::parse("HKV34").unwrap()).unwrap();
        assert_eq!(haskovo.name, "Хасково");
        assert_eq!(haskovo.region.as_str(), "HKV");
        assert_eq!(g.municipality(&MunicipalityCode::parse("SOF46").unwrap()).unwrap().name, "Столична");
    }

    #[test]
    fn each_region_has_the_number_of_municipalities_the_classifier_gives() {
        let g = Geography::bulgaria();
        for row in tsv_rows(REGIONS_TSV) {
            let code = RegionCode::parse(row[0]).unwrap();
            let expected: usize = row[3].parse().unwrap();
            assert_eq!(g.municipalities_of(&code).count(), expected, "region {code}");
        }
    }

    #[test]
    fn codes_are_checked_at_the_edge() {
        assert!(MunicipalityCode::parse("HKV3").is_err());
        assert!(MunicipalityCode::parse("hkv34").is_err());
        assert!(RegionCode::parse("ХКВ").is_err());
        assert_eq!(
            AreaCode::parse("DEM01").unwrap(),
            AreaCode::Municipality(MunicipalityCode::parse("DEM01").unwrap())
        );
        assert_eq!(AreaCode::parse("DEM").unwrap().as_str(), "DEM");
        assert!(serde_json::from_str::<MunicipalityCode>("\"X\"").is_err());
    }

    #[test]
    fn a_municipality_whose_code_names_another_region_is_refused() {
        let regions = "code\tname\tnuts3\tmunicipalities\nHKV\tХасково\tBG422\t1\n";
        let munis = "code\tname\tregion\tcentre_ekatte\nSOF46\tСтолична\tHKV\t68134\n";
        assert!(Geography::from_tsv(regions, munis).is_err());
    }
}
