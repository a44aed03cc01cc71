//! The registry of social services: providers, services, capacity and staff per year, dated changes.

use chrono::NaiveDate;
use grizha_domain::Invalid;
use grizha_domain::codes::ServiceTypeCode;
use grizha_domain::geography::{AreaCode, MunicipalityCode};
use grizha_domain::ids::{LocationId, OrganisationId, RowVersion, ServiceEventId, ServiceId};
use grizha_domain::plan::Funding;
use grizha_domain::service::{
    Location, Organisation, ServiceEvent, ServiceEventKind, ServiceStatus, ServiceYear, SocialService,
};
use grizha_domain::time::{Effective, Year};
use grizha_domain::user::Role;
use sqlx::types::Json;

use crate::audit::{audit, snapshot};
use crate::sql;
use crate::{Actor, Result, Store, StoreError, WritePool, check_version, on_pool, stored};

#[derive(Debug, Clone)]
pub struct NewService {
    pub municipality: MunicipalityCode,
    pub provider: Option<OrganisationId>,
    pub service_type: ServiceTypeCode,
    pub name: String,
    pub description: Option<String>,
    pub target_groups: Vec<String>,
    pub funding: Vec<Funding>,
    pub status: ServiceStatus,
    pub opened_on: NaiveDate,
}

#[derive(sqlx::FromRow)]
struct ServiceRow {
    id: i64,
    area_code: String,
    provider_id: Option<i64>,
    service_type: String,
    name: String,
    description: Option<String>,
    target_groups: Json<Vec<String>>,
    funding: Json<Vec<Funding>>,
    status: String,
    opened_on: NaiveDate,
    closed_on: Option<NaiveDate>,
    version: i64,
}

impl ServiceRow {
    fn into_domain(self) -> Result<(SocialService, RowVersion)> {
        Ok((
            SocialService {
                id: ServiceId(self.id),
                municipality: stored("service", MunicipalityCode::parse(&self.area_code))?,
                provider: self.provider_id.map(OrganisationId),
                service_type: stored("service", ServiceTypeCode::parse(&self.service_type))?,
                name: self.name,
                description: self.description,
                target_groups: self.target_groups.0,
                funding: self.funding.0,
                status: stored("service", self.status.parse())?,
                effective: stored("service", Effective::new(self.opened_on, self.closed_on))?,
                locations: Vec::new(),
            },
            RowVersion(self.version),
        ))
    }
}

const SERVICE_COLUMNS: &str = "id, area_code, provider_id, service_type, name, description, target_groups, funding, status, opened_on, closed_on, version";

/// Registers a service inside the caller's transaction, with an `opened` event on its opening date;
/// evaluates to its row. An unknown type or provider is refused as invalid.
macro_rules! insert_service {
    ($tx:expr, $new:expr) => {{
        let new: &NewService = &$new;
        let area = AreaCode::Municipality(new.municipality.clone());
        let row: ServiceRow = sqlx::query_as(sql!(
            "INSERT INTO services (area_code, provider_id, service_type, name, description, target_groups, funding, status, opened_on) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING {SERVICE_COLUMNS}"
        ))
        .bind(area.as_str()).bind(new.provider.map(|p| p.get())).bind(new.service_type.as_str()).bind(new.name.trim()).bind(&new.description)
        .bind(Json(&new.target_groups)).bind(Json(&new.funding)).bind(new.status.as_str()).bind(new.opened_on)
        .fetch_one(&mut *$tx).await
        .map_err(|e| match StoreError::from(e) {
            StoreError::Database(sqlx::Error::Database(db)) if db.is_foreign_key_violation() =>
                StoreError::Invalid(Invalid::new("service", "names an unknown service type or provider", new.service_type.as_str())),
            other => other,
        })?;
        sqlx::query("INSERT INTO service_events (service_id, kind, effective_on) VALUES ($1, 'opened', $2)").bind(row.id).bind(new.opened_on).execute(&mut *$tx).await?;
        row
    }};
}

impl Store {
    pub async fn add_organisation(&self, actor: &Actor, organisation: &Organisation) -> Result<Organisation> {
        if let Actor::User(u) = actor
            && !matches!(u.role, Role::Administrator | Role::RegionalMonitoring | Role::MunicipalEditor)
        {
            return Err(StoreError::Forbidden { actor: u.login.to_string(), action: "add a provider".into() });
        }
        if organisation.name.trim().is_empty() {
            return Err(Invalid::new("provider", "needs a name", "").into());
        }
        let id: i64 = on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let id: i64 = sqlx::query_scalar("INSERT INTO organisations (name, kind, licence_number, licence_valid_until) VALUES ($1, $2, $3, $4) RETURNING id")
                .bind(organisation.name.trim()).bind(organisation.kind.as_str())
                .bind(organisation.licence.as_ref().map(|l| l.number.clone())).bind(organisation.licence.as_ref().and_then(|l| l.valid_until))
                .fetch_one(&mut *tx).await?;
            audit!(tx, actor, "organisation", id, "create", None, snapshot(organisation));
            tx.commit().await?;
            id
        });
        Ok(Organisation { id: OrganisationId(id), ..organisation.clone() })
    }

    /// Adds a place where services are delivered, in a municipality.
    pub async fn add_location(&self, actor: &Actor, location: &Location) -> Result<Location> {
        actor.authorise(&AreaCode::Municipality(location.municipality.clone()), "add a location")?;
        if location.name.trim().is_empty() {
            return Err(Invalid::new("location", "needs a name", "").into());
        }
        let id: i64 = on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO locations (name, address, municipality_code, settlement_ekatte) VALUES ($1, $2, $3, $4) RETURNING id",
            )
            .bind(location.name.trim()).bind(&location.address).bind(location.municipality.as_str())
            .bind(location.settlement.as_ref().map(|s| s.as_str()))
            .fetch_one(&mut *tx).await?;
            audit!(tx, actor, "location", id, "create", None, snapshot(location));
            tx.commit().await?;
            id
        });
        Ok(Location { id: LocationId(id), ..location.clone() })
    }

    /// Says that a service is delivered at a location (HSDS service_at_location).
    pub async fn link_service_location(&self, actor: &Actor, service: ServiceId, location: LocationId) -> Result<()> {
        let (s, _) = self.service(service).await?;
        actor.authorise(&AreaCode::Municipality(s.municipality.clone()), "change where the service is delivered")?;
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            sqlx::query("INSERT INTO service_locations (service_id, location_id) VALUES ($1, $2)")
                .bind(service.get()).bind(location.get()).execute(&mut *tx).await
                .map_err(|e| match StoreError::from(e) {
                    StoreError::Database(sqlx::Error::Database(db)) if db.is_foreign_key_violation() =>
                        StoreError::NotFound { entity: "location", id: location.to_string() },
                    other => other,
                })?;
            audit!(tx, actor, "service", service, "locate", None, snapshot(&serde_json::json!({"location": location})));
            tx.commit().await?;
        });
        Ok(())
    }

    /// Fills in where each service of `municipality` is delivered.
    async fn fill_locations(&self, municipality: &MunicipalityCode, services: &mut [SocialService]) -> Result<()> {
        if services.is_empty() {
            return Ok(());
        }
        let links: Vec<(i64, i64)> = on_pool!(self, pool => sqlx::query_as(
            "SELECT l.service_id, l.location_id FROM service_locations l JOIN services s ON s.id = l.service_id \
             WHERE s.area_code = $1 ORDER BY l.location_id"
        ).bind(municipality.as_str()).fetch_all(pool).await)?;
        for service in services.iter_mut() {
            service.locations =
                links.iter().filter(|(s, _)| *s == service.id.get()).map(|(_, l)| LocationId(*l)).collect();
        }
        Ok(())
    }

    /// How many services of a municipality are in force on `day` (opened, and not closed before it).
    pub async fn count_services_in_force(&self, municipality: &MunicipalityCode, day: NaiveDate) -> Result<usize> {
        let count: i64 = on_pool!(self, pool => sqlx::query_scalar(
            "SELECT COUNT(*) FROM services WHERE area_code = $1 AND opened_on <= $2 AND (closed_on IS NULL OR closed_on >= $2)"
        ).bind(municipality.as_str()).bind(day).fetch_one(pool).await)?;
        Ok(usize::try_from(count).unwrap_or(0))
    }

    /// Registers a service in a municipality's registry, with an `opened` event on its opening date.
    pub async fn add_service(&self, actor: &Actor, new: NewService) -> Result<SocialService> {
        let area = AreaCode::Municipality(new.municipality.clone());
        actor.authorise(&area, "register a service")?;
        if new.name.trim().is_empty() {
            return Err(Invalid::new("service", "needs a name", "").into());
        }
        let row: ServiceRow = on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let row = insert_service!(tx, new);
            audit!(tx, actor, "service", row.id, "create", None, snapshot(&serde_json::json!({"name": new.name, "type": new.service_type, "municipality": new.municipality})));
            tx.commit().await?;
            row
        });
        Ok(row.into_domain()?.0)
    }

    /// Registers the services read from an imported document, each with its figures by year, and
    /// records the source file — all in one transaction: a failure leaves nothing behind, and a file
    /// recorded before (same SHA-256) is refused as a duplicate.
    pub async fn import_services(
        &self,
        actor: &Actor,
        services: &[(NewService, Vec<ServiceYear>)],
        source: &crate::NewSourceDocument,
    ) -> Result<Vec<ServiceId>> {
        for (new, years) in services {
            actor.authorise(&AreaCode::Municipality(new.municipality.clone()), "register a service")?;
            if new.name.trim().is_empty() {
                return Err(Invalid::new("service", "needs a name", "").into());
            }
            years.iter().try_for_each(ServiceYear::check)?;
        }
        let n = |v: Option<u32>| v.map(i64::from);
        let ids = on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let mut ids = Vec::new();
            for (new, years) in services {
                let id = insert_service!(tx, new).id;
                audit!(tx, actor, "service", id, "create", None, snapshot(&serde_json::json!({"name": new.name, "type": new.service_type, "municipality": new.municipality, "imported_from": source.file_name})));
                for year in years {
                    sqlx::query("INSERT INTO service_years (service_id, year, max_users, funded_places, occupied_places, staff) VALUES ($1, $2, $3, $4, $5, $6)")
                        .bind(id).bind(i64::from(year.year.get())).bind(n(year.max_users)).bind(n(year.funded_places)).bind(n(year.occupied_places)).bind(n(year.staff))
                        .execute(&mut *tx).await?;
                    audit!(tx, actor, "service_year", format!("{id}:{}", year.year), "create", None, snapshot(year));
                }
                ids.push(ServiceId(id));
            }
            crate::documents::insert_source_document!(tx, actor, source);
            tx.commit().await?;
            ids
        });
        Ok(ids)
    }

    pub async fn service(&self, id: ServiceId) -> Result<(SocialService, RowVersion)> {
        let row: Option<ServiceRow> = on_pool!(self, pool => sqlx::query_as(sql!("SELECT {SERVICE_COLUMNS} FROM services WHERE id = $1")).bind(id.get()).fetch_optional(pool).await)?;
        let (service, version) =
            row.ok_or(StoreError::NotFound { entity: "service", id: id.to_string() })?.into_domain()?;
        let mut services = [service];
        let municipality = services[0].municipality.clone();
        self.fill_locations(&municipality, &mut services).await?;
        let [service] = services;
        Ok((service, version))
    }

    /// The registry of a municipality: services in force on `on` (or all, with `None`).
    pub async fn services_of(
        &self,
        municipality: &MunicipalityCode,
        on: Option<NaiveDate>,
    ) -> Result<Vec<SocialService>> {
        let rows: Vec<ServiceRow> = on_pool!(self, pool => sqlx::query_as(sql!(
            "SELECT {SERVICE_COLUMNS} FROM services WHERE area_code = $1 ORDER BY service_type, name, id"
        )).bind(municipality.as_str()).fetch_all(pool).await)?;
        let mut services: Vec<SocialService> = rows
            .into_iter()
            .map(|r| r.into_domain().map(|(s, _)| s))
            .filter(|s| s.as_ref().map_or(true, |s| on.is_none_or(|day| s.effective.is_in_force_on(day))))
            .collect::<Result<_>>()?;
        self.fill_locations(municipality, &mut services).await?;
        Ok(services)
    }

    /// Sets a service's capacity and staff for a year; a new year with `based_on = None`.
    pub async fn set_service_year(
        &self,
        actor: &Actor,
        service: ServiceId,
        year: &ServiceYear,
        based_on: Option<RowVersion>,
    ) -> Result<RowVersion> {
        year.check()?;
        let (s, _) = self.service(service).await?;
        actor.authorise_service(&s.municipality, s.provider, "change the service's capacity")?;
        let key = format!("{service}:{}", year.year);
        let n = |v: Option<u32>| v.map(i64::from);
        let version = on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let current: Option<i64> = sqlx::query_scalar("SELECT version FROM service_years WHERE service_id = $1 AND year = $2")
                .bind(service.get()).bind(i64::from(year.year.get())).fetch_optional(&mut *tx).await?;
            let version = match (based_on, current) {
                (None, None) => {
                    sqlx::query("INSERT INTO service_years (service_id, year, max_users, funded_places, occupied_places, staff) VALUES ($1, $2, $3, $4, $5, $6)")
                        .bind(service.get()).bind(i64::from(year.year.get())).bind(n(year.max_users)).bind(n(year.funded_places)).bind(n(year.occupied_places)).bind(n(year.staff))
                        .execute(&mut *tx).await?;
                    audit!(tx, actor, "service_year", key, "create", None, snapshot(year));
                    RowVersion::FIRST
                }
                (None, Some(actual)) => return Err(StoreError::Conflict { entity: "service year", id: key, expected: 0, actual }),
                (Some(based_on), current) => {
                    check_version("service year", &key, based_on, current)?;
                    let old: (Option<i64>, Option<i64>, Option<i64>, Option<i64>) = sqlx::query_as(
                        "SELECT max_users, funded_places, occupied_places, staff FROM service_years WHERE service_id = $1 AND year = $2",
                    )
                    .bind(service.get()).bind(i64::from(year.year.get())).fetch_one(&mut *tx).await?;
                    let old = serde_json::json!({"year": year.year, "max_users": old.0, "funded_places": old.1, "occupied_places": old.2, "staff": old.3});
                    sqlx::query("UPDATE service_years SET max_users = $1, funded_places = $2, occupied_places = $3, staff = $4, version = version + 1 WHERE service_id = $5 AND year = $6 AND version = $7")
                        .bind(n(year.max_users)).bind(n(year.funded_places)).bind(n(year.occupied_places)).bind(n(year.staff))
                        .bind(service.get()).bind(i64::from(year.year.get())).bind(based_on.0)
                        .execute(&mut *tx).await?;
                    audit!(tx, actor, "service_year", key, "update", Some(old), snapshot(year));
                    based_on.next()
                }
            };
            tx.commit().await?;
            version
        });
        Ok(version)
    }

    /// One year of a service with its version, if recorded.
    pub async fn service_year(&self, service: ServiceId, year: Year) -> Result<Option<(ServiceYear, RowVersion)>> {
        Ok(self.versioned_service_years(service).await?.into_iter().find(|(y, _)| y.year == year))
    }

    pub async fn service_years(&self, service: ServiceId) -> Result<Vec<ServiceYear>> {
        Ok(self.versioned_service_years(service).await?.into_iter().map(|(y, _)| y).collect())
    }

    /// A service's years in order, each with the version an edit of it names.
    pub async fn versioned_service_years(&self, service: ServiceId) -> Result<Vec<(ServiceYear, RowVersion)>> {
        type YearRow = (i64, Option<i64>, Option<i64>, Option<i64>, Option<i64>, i64);
        let rows: Vec<YearRow> = on_pool!(self, pool => sqlx::query_as(
            "SELECT year, max_users, funded_places, occupied_places, staff, version FROM service_years WHERE service_id = $1 ORDER BY year"
        ).bind(service.get()).fetch_all(pool).await)?;
        let n = |v: Option<i64>| v.and_then(|v| u32::try_from(v).ok());
        rows.into_iter()
            .map(|(year, max, funded, occupied, staff, version)| {
                let year = ServiceYear {
                    year: stored("service year", Year::new(i32::try_from(year).unwrap_or(i32::MAX)))?,
                    max_users: n(max),
                    funded_places: n(funded),
                    occupied_places: n(occupied),
                    staff: n(staff),
                };
                Ok((year, RowVersion(version)))
            })
            .collect()
    }

    /// Records a dated change; a closing, merging or transforming event closes the service on that
    /// date, and every event sets the status that follows from it.
    pub async fn record_service_event(
        &self,
        actor: &Actor,
        event: &ServiceEvent,
        based_on: RowVersion,
    ) -> Result<ServiceEvent> {
        event.check()?;
        let (service, _) = self.service(event.service).await?;
        actor.authorise(&AreaCode::Municipality(service.municipality.clone()), "record a change of the service")?;
        let closes =
            matches!(event.kind, ServiceEventKind::Closed | ServiceEventKind::Merged | ServiceEventKind::Transformed);
        let effective = if closes { service.effective.closed_on(event.effective_on)? } else { service.effective };
        let n = |v: Option<u32>| v.map(i64::from);
        let id: i64 = on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let updated = sqlx::query("UPDATE services SET status = $1, closed_on = $2, version = version + 1 WHERE id = $3 AND version = $4")
                .bind(event.resulting_status().as_str()).bind(effective.to()).bind(event.service.get()).bind(based_on.0)
                .execute(&mut *tx).await?;
            if updated.rows_affected() != 1 {
                let actual: Option<i64> = sqlx::query_scalar("SELECT version FROM services WHERE id = $1").bind(event.service.get()).fetch_optional(&mut *tx).await?;
                check_version("service", event.service, based_on, actual)?;
            }
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO service_events (service_id, kind, effective_on, capacity_from, capacity_to, successor_id, note) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
            )
            .bind(event.service.get()).bind(event.kind.as_str()).bind(event.effective_on).bind(n(event.capacity_from)).bind(n(event.capacity_to))
            .bind(event.successor.map(|s| s.get())).bind(&event.note)
            .fetch_one(&mut *tx).await?;
            audit!(tx, actor, "service", event.service, event.kind.as_str(), snapshot(&service), snapshot(event));
            tx.commit().await?;
            id
        });
        Ok(ServiceEvent { id: ServiceEventId(id), ..event.clone() })
    }

    pub async fn service_events(&self, service: ServiceId) -> Result<Vec<ServiceEvent>> {
        type EventRow = (i64, String, NaiveDate, Option<i64>, Option<i64>, Option<i64>, Option<String>);
        let rows: Vec<EventRow> = on_pool!(self, pool => sqlx::query_as(
            "SELECT id, kind, effective_on, capacity_from, capacity_to, successor_id, note FROM service_events WHERE service_id = $1 ORDER BY effective_on, id"
        ).bind(service.get()).fetch_all(pool).await)?;
        let n = |v: Option<i64>| v.and_then(|v| u32::try_from(v).ok());
        rows.into_iter()
            .map(|(id, kind, effective_on, from, to, successor, note)| {
                Ok(ServiceEvent {
                    id: ServiceEventId(id),
                    service,
                    kind: stored("service event", kind.parse())?,
                    effective_on,
                    capacity_from: n(from),
                    capacity_to: n(to),
                    successor: successor.map(ServiceId),
                    note,
                })
            })
            .collect()
    }
}
