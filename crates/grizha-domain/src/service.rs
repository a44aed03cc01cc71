//! Social services, shaped after the Open Referral HSDS model (organisation → service → location →
//! service at location) with Grizha's extension: type, target groups, funding, capacity and staff per
//! year, the provider's licence, and a lifecycle of dated events.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::Invalid;
use crate::codes::{FundingKindCode, ServiceTypeCode};
use crate::geography::{MunicipalityCode, SettlementCode};
use crate::ids::{LocationId, OrganisationId, ServiceEventId, ServiceId};
use crate::plan::Funding;
use crate::time::{Effective, Year};

crate::code_enum!(
    /// What kind of body provides a service.
    OrganisationKind, "organisation kind" {
        Municipality = "municipality" / "община",
        MunicipalEntity = "municipal_entity" / "общинско юридическо лице",
        Ngo = "ngo" / "НПО",
        Company = "company" / "търговско дружество",
        State = "state" / "държавна институция",
        Other = "other" / "друг",
    }
);

/// A provider (HSDS organisation).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Organisation {
    pub id: OrganisationId,
    pub name: String,
    pub kind: OrganisationKind,
    /// The АКСУ licence a private provider or municipal entity holds, if any.
    pub licence: Option<Licence>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Licence {
    pub number: String,
    pub valid_until: Option<NaiveDate>,
}

/// A place a service is delivered (HSDS location).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Location {
    pub id: LocationId,
    pub name: String,
    pub address: Option<String>,
    pub municipality: MunicipalityCode,
    pub settlement: Option<SettlementCode>,
}

crate::code_enum!(
    /// A service's status in a plan or registry.
    ServiceStatus, "service status" {
        Existing = "existing" / "съществуваща",
        New = "new" / "нова",
        Expanding = "expanding" / "разширяване",
        Reducing = "reducing" / "намаляване",
        Transforming = "transforming" / "трансформиране",
        Closing = "closing" / "закриване",
        Closed = "closed" / "закрита",
    }
);

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SocialService {
    pub id: ServiceId,
    /// The municipality whose registry holds it.
    pub municipality: MunicipalityCode,
    pub provider: Option<OrganisationId>,
    pub service_type: ServiceTypeCode,
    pub name: String,
    pub description: Option<String>,
    pub target_groups: Vec<String>,
    pub funding: Vec<Funding>,
    pub status: ServiceStatus,
    pub effective: Effective,
    pub locations: Vec<LocationId>,
}

impl SocialService {
    /// The main funding kind (the first given), for grouping.
    pub fn main_funding(&self) -> Option<&FundingKindCode> {
        self.funding.first().map(|f| &f.kind)
    }
}

/// Capacity and staff of a service in one year. Capacity has three meanings the documents keep
/// apart: the maximum under the national map, the places funded, and the places occupied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceYear {
    pub year: Year,
    pub max_users: Option<u32>,
    pub funded_places: Option<u32>,
    pub occupied_places: Option<u32>,
    pub staff: Option<u32>,
}

impl ServiceYear {
    /// Occupied places cannot exceed places funded, nor funded the map's maximum.
    pub fn check(&self) -> Result<(), Invalid> {
        if let (Some(occupied), Some(funded)) = (self.occupied_places, self.funded_places)
            && occupied > funded
        {
            return Err(Invalid::new("capacity", "more places occupied than funded", format!("{occupied} > {funded}")));
        }
        if let (Some(funded), Some(max)) = (self.funded_places, self.max_users)
            && funded > max
        {
            return Err(Invalid::new(
                "capacity",
                "more places funded than the national map allows",
                format!("{funded} > {max}"),
            ));
        }
        Ok(())
    }
}

crate::code_enum!(
    /// What happened to a service, on a date.
    ServiceEventKind, "service event" {
        Opened = "opened" / "разкриване",
        Expanded = "expanded" / "увеличаване на капацитета",
        Reduced = "reduced" / "намаляване на капацитета",
        Transformed = "transformed" / "трансформиране",
        Merged = "merged" / "сливане",
        Closed = "closed" / "закриване",
    }
);

/// A dated change in a service's life: «Увеличаване на капацитета от 80 на 100 места от 01.01.2015г.».
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceEvent {
    pub id: ServiceEventId,
    pub service: ServiceId,
    pub kind: ServiceEventKind,
    pub effective_on: NaiveDate,
    pub capacity_from: Option<u32>,
    pub capacity_to: Option<u32>,
    /// For a transformation or merger: the service it became.
    pub successor: Option<ServiceId>,
    pub note: Option<String>,
}

impl ServiceEvent {
    /// The capacity figures must agree with the kind of change.
    pub fn check(&self) -> Result<(), Invalid> {
        match (self.kind, self.capacity_from, self.capacity_to) {
            (ServiceEventKind::Expanded, Some(from), Some(to)) if to <= from => {
                Err(Invalid::new("service event", "an expansion must raise the capacity", format!("{from} → {to}")))
            }
            (ServiceEventKind::Reduced, Some(from), Some(to)) if to >= from => {
                Err(Invalid::new("service event", "a reduction must lower the capacity", format!("{from} → {to}")))
            }
            (ServiceEventKind::Merged | ServiceEventKind::Transformed, _, _)
                if self.successor.is_none() && self.note.is_none() =>
            {
                Err(Invalid::new(
                    "service event",
                    "say what the service became (a successor or a note)",
                    self.kind.as_str(),
                ))
            }
            _ => Ok(()),
        }
    }

    /// The status a service has after this event.
    pub fn resulting_status(&self) -> ServiceStatus {
        match self.kind {
            ServiceEventKind::Opened | ServiceEventKind::Expanded | ServiceEventKind::Reduced => {
                ServiceStatus::Existing
            }
            ServiceEventKind::Transformed | ServiceEventKind::Merged | ServiceEventKind::Closed => {
                ServiceStatus::Closed
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(kind: ServiceEventKind, from: Option<u32>, to: Option<u32>) -> ServiceEvent {
        ServiceEvent {
            id: ServiceEventId(1),
            service: ServiceId(1),
            kind,
            effective_on: NaiveDate::from_ymd_opt(2015, 1, 1).unwrap(),
            capacity_from: from,
            capacity_to: to,
            successor: None,
            note: None,
        }
    }

    #[test]
    fn an_expansion_from_80_to_100_places_is_an_expansion() {
        assert!(event(ServiceEventKind::Expanded, Some(80), Some(100)).check().is_ok());
        assert!(event(ServiceEventKind::Expanded, Some(100), Some(80)).check().is_err());
        assert!(event(ServiceEventKind::Reduced, Some(82), Some(35)).check().is_ok());
    }

    #[test]
    fn a_transformation_says_what_the_service_became() {
        assert!(event(ServiceEventKind::Transformed, None, None).check().is_err());
        let mut e = event(ServiceEventKind::Transformed, None, None);
        e.successor = Some(ServiceId(2));
        assert!(e.check().is_ok());
        assert_eq!(e.resulting_status(), ServiceStatus::Closed);
    }

    #[test]
    fn more_occupied_than_funded_places_is_refused() {
        let y = ServiceYear {
            year: Year::new(2016).unwrap(),
            max_users: Some(40),
            funded_places: Some(36),
            occupied_places: Some(37),
            staff: Some(14),
        };
        assert!(y.check().is_err());
        assert!(ServiceYear { occupied_places: Some(30), ..y }.check().is_ok());
        assert!(ServiceYear { funded_places: Some(41), occupied_places: None, ..y }.check().is_err());
    }
}
