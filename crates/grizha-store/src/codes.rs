//! The code tables as stored: the shipped rows plus what administrators added.

use grizha_domain::Invalid;
use grizha_domain::codes::{
    FundingKind, FundingKindCode, Institution, InstitutionCode, LawActivityCode, ServiceType, ServiceTypeCode,
};
use sqlx::types::Json;

use crate::audit::{audit, snapshot};
use crate::{Actor, Result, Store, StoreError, WritePool, on_pool, stored};

#[derive(sqlx::FromRow)]
struct ServiceTypeRow {
    code: String,
    abbr: Option<String>,
    name: String,
    target: String,
    law_note: Option<String>,
}

impl Store {
    pub async fn service_types(&self) -> Result<Vec<ServiceType>> {
        let (rows, links): (Vec<ServiceTypeRow>, Vec<(String, String)>) = on_pool!(self, pool => {
            let rows = sqlx::query_as("SELECT code, abbr, name, target, law_note FROM service_types ORDER BY builtin DESC, code").fetch_all(pool).await?;
            let links = sqlx::query_as("SELECT t.service_type, t.activity FROM service_type_activities t JOIN law_activities a ON a.code = t.activity ORDER BY t.service_type, a.position").fetch_all(pool).await?;
            (rows, links)
        });
        rows.into_iter()
            .map(|r| {
                let law_activities = links
                    .iter()
                    .filter(|(t, _)| *t == r.code)
                    .map(|(_, a)| stored("service type", LawActivityCode::parse(a)))
                    .collect::<Result<Vec<_>>>()?;
                Ok(ServiceType {
                    code: stored("service type", ServiceTypeCode::parse(&r.code))?,
                    abbr: r.abbr,
                    name: r.name,
                    target: r.target,
                    law_activities,
                    law_note: r.law_note,
                })
            })
            .collect()
    }

    /// Adds a service type to the code table (administrators only), mapped to the activities of чл. 15.
    pub async fn add_service_type(&self, actor: &Actor, new: &ServiceType) -> Result<()> {
        actor.authorise_admin("extend the code tables")?;
        if new.name.trim().is_empty() {
            return Err(Invalid::new("service type", "needs a name", new.code.as_str()).into());
        }
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            sqlx::query("INSERT INTO service_types (code, abbr, name, target, law_note, builtin) VALUES ($1, $2, $3, $4, $5, FALSE)")
                .bind(new.code.as_str()).bind(&new.abbr).bind(new.name.trim()).bind(&new.target).bind(&new.law_note)
                .execute(&mut *tx).await
                .map_err(|e| match StoreError::from(e) {
                    StoreError::Duplicate { .. } => StoreError::Duplicate { what: "service type", key: new.code.to_string() },
                    other => other,
                })?;
            for activity in &new.law_activities {
                sqlx::query("INSERT INTO service_type_activities (service_type, activity) VALUES ($1, $2)")
                    .bind(new.code.as_str()).bind(activity.as_str()).execute(&mut *tx).await
                    .map_err(|e| match StoreError::from(e) {
                        StoreError::Database(sqlx::Error::Database(db)) if db.is_foreign_key_violation() =>
                            StoreError::Invalid(Invalid::new("service type", "names an unknown activity of чл. 15", activity.as_str())),
                        other => other,
                    })?;
            }
            audit!(tx, actor, "service_type", new.code, "create", None, snapshot(new));
            tx.commit().await?;
        });
        Ok(())
    }

    pub async fn funding_kinds(&self) -> Result<Vec<FundingKind>> {
        let rows: Vec<(String, String, Json<Vec<String>>)> = on_pool!(self, pool => sqlx::query_as("SELECT code, meaning, written_as FROM funding_kinds ORDER BY builtin DESC, code").fetch_all(pool).await)?;
        rows.into_iter()
            .map(|(code, meaning, written_as)| {
                Ok(FundingKind {
                    code: stored("funding kind", FundingKindCode::parse(&code))?,
                    meaning,
                    written_as: written_as.0,
                })
            })
            .collect()
    }

    /// Adds a funding kind (administrators only), with the ways documents write it.
    pub async fn add_funding_kind(&self, actor: &Actor, new: &FundingKind) -> Result<()> {
        actor.authorise_admin("extend the code tables")?;
        if new.meaning.trim().is_empty() {
            return Err(Invalid::new("funding kind", "needs a meaning", new.code.as_str()).into());
        }
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            sqlx::query("INSERT INTO funding_kinds (code, meaning, written_as, builtin) VALUES ($1, $2, $3, FALSE)")
                .bind(new.code.as_str()).bind(new.meaning.trim()).bind(Json(&new.written_as))
                .execute(&mut *tx).await
                .map_err(|e| match StoreError::from(e) {
                    StoreError::Duplicate { .. } => StoreError::Duplicate { what: "funding kind", key: new.code.to_string() },
                    other => other,
                })?;
            audit!(tx, actor, "funding_kind", new.code, "create", None, snapshot(new));
            tx.commit().await?;
        });
        Ok(())
    }

    pub async fn institutions(&self) -> Result<Vec<Institution>> {
        let rows: Vec<(String, String, Json<Vec<String>>)> = on_pool!(self, pool => sqlx::query_as("SELECT code, name, written_as FROM institutions ORDER BY builtin DESC, code").fetch_all(pool).await)?;
        rows.into_iter()
            .map(|(code, name, written_as)| {
                Ok(Institution {
                    code: stored("institution", InstitutionCode::parse(&code))?,
                    name,
                    written_as: written_as.0,
                })
            })
            .collect()
    }

    /// Adds an institution (administrators only), with the ways documents write it.
    pub async fn add_institution(&self, actor: &Actor, new: &Institution) -> Result<()> {
        actor.authorise_admin("extend the code tables")?;
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            sqlx::query("INSERT INTO institutions (code, name, written_as, builtin) VALUES ($1, $2, $3, FALSE)")
                .bind(new.code.as_str()).bind(&new.name).bind(Json(&new.written_as))
                .execute(&mut *tx).await
                .map_err(|e| match StoreError::from(e) {
                    StoreError::Duplicate { .. } => StoreError::Duplicate { what: "institution", key: new.code.to_string() },
                    other => other,
                })?;
            audit!(tx, actor, "institution", new.code, "create", None, snapshot(new));
            tx.commit().await?;
        });
        Ok(())
    }
}
