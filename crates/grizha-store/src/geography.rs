//! Regions, municipalities and planning areas.

use grizha_domain::geography::{AreaCode, Municipality, MunicipalityCode, Region, RegionCode, SettlementCode};

use chrono::NaiveDate;
use grizha_domain::Invalid;
use grizha_domain::time::Effective;

use crate::audit::{audit, snapshot};
use crate::{Actor, Result, Store, StoreError, WritePool, on_pool, stored};

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
    /// Adds a region (a new unit, or a fictional one for demonstration), in force from `opened_on`;
    /// only an administrator may. The region and its planning area are written in one transaction.
    pub async fn add_region(&self, actor: &Actor, region: &Region, opened_on: NaiveDate) -> Result<Region> {
        actor.authorise_admin("add a region")?;
        let name = region.name.split_whitespace().collect::<Vec<_>>().join(" ");
        if name.is_empty() {
            return Err(Invalid::new("region", "needs a name", region.code.as_str()).into());
        }
        let region = Region { name, ..region.clone() };
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            sqlx::query("INSERT INTO regions (code, name, nuts3) VALUES ($1, $2, $3)")
                .bind(region.code.as_str()).bind(&region.name).bind(&region.nuts3)
                .execute(&mut *tx).await
                .map_err(|e| match StoreError::from(e) {
                    StoreError::Duplicate { .. } => StoreError::Duplicate { what: "region", key: region.code.to_string() },
                    other => other,
                })?;
            sqlx::query("INSERT INTO areas (code, level, name, region_code, opened_on) VALUES ($1, 'region', $2, $1, $3)")
                .bind(region.code.as_str()).bind(&region.name).bind(opened_on)
                .execute(&mut *tx).await?;
            audit!(tx, actor, "area", region.code.as_str(), "create", None, snapshot(&serde_json::json!({"region": region, "opened_on": opened_on})));
            tx.commit().await?;
        });
        Ok(region)
    }

    /// Adds a municipality to an existing region (its code begins with the region's), in force from
    /// `opened_on`; only an administrator may.
    pub async fn add_municipality(
        &self,
        actor: &Actor,
        municipality: &Municipality,
        opened_on: NaiveDate,
    ) -> Result<Municipality> {
        actor.authorise_admin("add a municipality")?;
        if municipality.code.region() != municipality.region {
            return Err(Invalid::new(
                "municipality",
                "its code must begin with its region's code",
                format!("{} in {}", municipality.code, municipality.region),
            )
            .into());
        }
        let name = municipality.name.split_whitespace().collect::<Vec<_>>().join(" ");
        if name.is_empty() {
            return Err(Invalid::new("municipality", "needs a name", municipality.code.as_str()).into());
        }
        let municipality = Municipality { name, ..municipality.clone() };
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            sqlx::query("INSERT INTO municipalities (code, name, region_code, centre_ekatte) VALUES ($1, $2, $3, $4)")
                .bind(municipality.code.as_str()).bind(&municipality.name).bind(municipality.region.as_str()).bind(municipality.centre.as_str())
                .execute(&mut *tx).await
                .map_err(|e| match StoreError::from(e) {
                    StoreError::Duplicate { .. } => StoreError::Duplicate { what: "municipality", key: municipality.code.to_string() },
                    StoreError::Database(sqlx::Error::Database(db)) if db.is_foreign_key_violation() =>
                        StoreError::NotFound { entity: "region", id: municipality.region.to_string() },
                    other => other,
                })?;
            sqlx::query("INSERT INTO areas (code, level, name, region_code, opened_on) VALUES ($1, 'municipality', $2, $3, $4)")
                .bind(municipality.code.as_str()).bind(&municipality.name).bind(municipality.region.as_str()).bind(opened_on)
                .execute(&mut *tx).await?;
            audit!(tx, actor, "area", municipality.code.as_str(), "create", None, snapshot(&serde_json::json!({"municipality": municipality, "opened_on": opened_on})));
            tx.commit().await?;
        });
        Ok(municipality)
    }

    /// Closes a municipality or region on `closed_on`, optionally merged into another; only an
    /// administrator may. History before the date stays as it was.
    pub async fn close_area(
        &self,
        actor: &Actor,
        area: &AreaCode,
        closed_on: NaiveDate,
        merged_into: Option<&AreaCode>,
    ) -> Result<()> {
        actor.authorise_admin("close a municipality or region")?;
        let effective = self
            .area_effective(area)
            .await?
            .ok_or(StoreError::NotFound { entity: "area", id: area.as_str().to_owned() })?;
        let closed = effective.closed_on(closed_on)?;
        if merged_into == Some(area) {
            return Err(Invalid::new("merger", "an area cannot merge into itself", area.as_str()).into());
        }
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            sqlx::query("UPDATE areas SET closed_on = $1, merged_into = $2 WHERE code = $3")
                .bind(closed.to()).bind(merged_into.map(|m| m.as_str())).bind(area.as_str())
                .execute(&mut *tx).await
                .map_err(|e| match StoreError::from(e) {
                    StoreError::Database(sqlx::Error::Database(db)) if db.is_foreign_key_violation() =>
                        StoreError::NotFound { entity: "area", id: merged_into.map(|m| m.as_str().to_owned()).unwrap_or_default() },
                    other => other,
                })?;
            audit!(tx, actor, "area", area.as_str(), "close", snapshot(&effective), snapshot(&serde_json::json!({"closed_on": closed_on, "merged_into": merged_into})));
            tx.commit().await?;
        });
        Ok(())
    }

    /// When an area is in force.
    pub async fn area_effective(&self, area: &AreaCode) -> Result<Option<Effective>> {
        let row: Option<(NaiveDate, Option<NaiveDate>)> = on_pool!(self, pool => sqlx::query_as(
            "SELECT opened_on, closed_on FROM areas WHERE code = $1"
        ).bind(area.as_str()).fetch_optional(pool).await)?;
        row.map(|(from, to)| stored("area", Effective::new(from, to))).transpose()
    }

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
