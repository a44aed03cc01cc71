//! Regions, municipalities and planning areas.

use grizha_domain::geography::{AreaCode, Municipality, MunicipalityCode, Region, RegionCode, SettlementCode};

use crate::{Result, Store, on_pool, stored};

#[derive(sqlx::FromRow)]
struct MunicipalityRow {
    code: String,
    name: String,
    region_code: String,
    centre_ekatte: String,
}

impl MunicipalityRow {
    fn into_domain(self) -> Result<Municipality> {
        Ok(Municipality {
            code: stored("municipality", MunicipalityCode::parse(&self.code))?,
            name: self.name,
            region: stored("municipality", RegionCode::parse(&self.region_code))?,
            centre: stored("municipality", SettlementCode::parse(&self.centre_ekatte))?,
        })
    }
}

impl Store {
    pub async fn regions(&self) -> Result<Vec<Region>> {
        let rows: Vec<(String, String, String)> = on_pool!(self, pool => sqlx::query_as("SELECT code, name, nuts3 FROM regions ORDER BY code").fetch_all(pool).await)?;
        rows.into_iter()
            .map(|(code, name, nuts3)| Ok(Region { code: stored("region", RegionCode::parse(&code))?, name, nuts3 }))
            .collect()
    }

    /// Municipalities, all of them or those of one region, by code.
    pub async fn municipalities(&self, region: Option<&RegionCode>) -> Result<Vec<Municipality>> {
        let rows: Vec<MunicipalityRow> = on_pool!(self, pool => sqlx::query_as(
            "SELECT code, name, region_code, centre_ekatte FROM municipalities \
             WHERE $1 IS NULL OR region_code = $1 ORDER BY code"
        ).bind(region.map(|r| r.as_str())).fetch_all(pool).await)?;
        rows.into_iter().map(MunicipalityRow::into_domain).collect()
    }

    pub async fn municipality(&self, code: &MunicipalityCode) -> Result<Option<Municipality>> {
        let row: Option<MunicipalityRow> = on_pool!(self, pool => sqlx::query_as(
            "SELECT code, name, region_code, centre_ekatte FROM municipalities WHERE code = $1"
        ).bind(code.as_str()).fetch_optional(pool).await)?;
        row.map(MunicipalityRow::into_domain).transpose()
    }

    /// The name of a planning area (region or municipality), if it exists.
    pub async fn area_name(&self, area: &AreaCode) -> Result<Option<String>> {
        Ok(
            on_pool!(self, pool => sqlx::query_scalar("SELECT name FROM areas WHERE code = $1").bind(area.as_str()).fetch_optional(pool).await)?,
        )
    }
}
