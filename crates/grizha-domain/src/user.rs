//! People who use Grizha and what they may do.

use serde::{Deserialize, Serialize};

use crate::geography::AreaCode;
use crate::geography::MunicipalityCode;
use crate::ids::{OrganisationId, UserId};
use crate::validated_string;

validated_string!(
    /// A login name: 3–64 characters of Latin letters, digits, `.`, `_`, `-` or `@`.
    Login,
    "login",
    |s| {
        let ok = (3..=64).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric() || b"._-@".contains(&b));
        if ok { Ok(()) } else { Err("must be 3 to 64 Latin letters, digits or . _ - @") }
    }
);

crate::code_enum!(
    Role, "role" {
        Administrator = "administrator" / "администратор",
        RegionalMonitoring = "regional_monitoring" / "областно звено за мониторинг",
        MunicipalEditor = "municipal_editor" / "общински експерт",
        Provider = "provider" / "доставчик",
        Viewer = "viewer" / "наблюдател",
    }
);

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub id: UserId,
    pub login: Login,
    pub display_name: String,
    pub role: Role,
    /// The municipality or region the user works for; `None` for an administrator of the whole system.
    pub area: Option<AreaCode>,
    pub disabled: bool,
    /// For a provider: the organisation it works for, whose services it keeps up to date.
    #[serde(default)]
    pub organisation: Option<OrganisationId>,
}

impl User {
    /// Whether the user may change data of `area`: administrators anywhere, a regional monitoring unit
    /// in its region and its municipalities, a municipal editor in its municipality.
    pub fn may_edit(&self, area: &AreaCode) -> bool {
        if self.disabled {
            return false;
        }
        match (self.role, &self.area) {
            (Role::Administrator, _) => true,
            (Role::RegionalMonitoring, Some(AreaCode::Region(own))) => match area {
                AreaCode::Region(r) => r == own,
                AreaCode::Municipality(m) => &m.region() == own,
            },
            (Role::MunicipalEditor, Some(own @ AreaCode::Municipality(_))) => own == area,
            _ => false,
        }
    }

    /// Whether the user may change the yearly data (capacity, places, staff) of a service of
    /// `municipality` provided by `provider`: whoever may edit the municipality, and a provider
    /// working for that organisation in that municipality.
    pub fn may_edit_service(&self, municipality: &MunicipalityCode, provider: Option<OrganisationId>) -> bool {
        let area = AreaCode::Municipality(municipality.clone());
        if self.may_edit(&area) {
            return true;
        }
        self.role == Role::Provider
            && !self.disabled
            && self.area.as_ref() == Some(&area)
            && self.organisation.is_some()
            && self.organisation == provider
    }

    /// Whether the user may see data of `area`: administrators everything; a user of a region that
    /// region and its municipalities; a user of a municipality that municipality and its region.
    pub fn may_view(&self, area: &AreaCode) -> bool {
        if self.disabled {
            return false;
        }
        match (self.role, &self.area) {
            (Role::Administrator, _) => true,
            (_, Some(AreaCode::Region(own))) => match area {
                AreaCode::Region(r) => r == own,
                AreaCode::Municipality(m) => &m.region() == own,
            },
            (_, Some(own @ AreaCode::Municipality(m))) => match area {
                AreaCode::Municipality(_) => own == area,
                AreaCode::Region(r) => &m.region() == r,
            },
            (_, None) => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(role: Role, area: Option<&str>) -> User {
        User {
            id: UserId(1),
            login: Login::parse("expert").unwrap(),
            display_name: "Експерт".into(),
            role,
            area: area.map(|a| AreaCode::parse(a).unwrap()),
            disabled: false,
            organisation: None,
        }
    }

    #[test]
    fn a_provider_keeps_its_own_services_up_to_date_and_no_others() {
        let dem01 = MunicipalityCode::parse("DEM01").unwrap();
        let mut provider = user(Role::Provider, Some("DEM01"));
        assert!(!provider.may_edit_service(&dem01, Some(OrganisationId(7))), "not linked to an organisation");
        provider.organisation = Some(OrganisationId(7));
        assert!(provider.may_edit_service(&dem01, Some(OrganisationId(7))));
        assert!(!provider.may_edit_service(&dem01, Some(OrganisationId(8))), "another provider's service");
        assert!(!provider.may_edit_service(&dem01, None));
        assert!(!provider.may_edit_service(&MunicipalityCode::parse("DEM02").unwrap(), Some(OrganisationId(7))));
        assert!(!provider.may_edit(&AreaCode::Municipality(dem01.clone())), "nothing else of the municipality");
        provider.disabled = true;
        assert!(!provider.may_edit_service(&dem01, Some(OrganisationId(7))));
        assert!(user(Role::MunicipalEditor, Some("DEM01")).may_edit_service(&dem01, Some(OrganisationId(7))));
        assert!(!user(Role::Viewer, Some("DEM01")).may_edit_service(&dem01, None));
    }

    #[test]
    fn a_regional_unit_edits_its_own_municipalities_only() {
        let u = user(Role::RegionalMonitoring, Some("HKV"));
        assert!(u.may_edit(&AreaCode::parse("HKV34").unwrap()));
        assert!(!u.may_edit(&AreaCode::parse("SOF46").unwrap()));
    }

    #[test]
    fn users_see_their_own_unit_with_its_region_or_municipalities() {
        let area = |c: &str| AreaCode::parse(c).unwrap();
        let regional = user(Role::Viewer, Some("HKV"));
        assert!(regional.may_view(&area("HKV")) && regional.may_view(&area("HKV34")));
        assert!(!regional.may_view(&area("SOF46")) && !regional.may_view(&area("SOF")));
        let municipal = user(Role::Provider, Some("HKV34"));
        assert!(municipal.may_view(&area("HKV34")) && municipal.may_view(&area("HKV")));
        assert!(!municipal.may_view(&area("HKV01")));
        assert!(user(Role::Administrator, None).may_view(&area("SOF46")));
        let mut disabled = user(Role::MunicipalEditor, Some("HKV34"));
        disabled.disabled = true;
        assert!(!disabled.may_view(&area("HKV34")));
    }

    #[test]
    fn a_municipal_editor_edits_its_municipality_and_a_viewer_nothing() {
        assert!(user(Role::MunicipalEditor, Some("DEM01")).may_edit(&AreaCode::parse("DEM01").unwrap()));
        assert!(!user(Role::MunicipalEditor, Some("DEM01")).may_edit(&AreaCode::parse("DEM02").unwrap()));
        assert!(!user(Role::Viewer, Some("DEM01")).may_edit(&AreaCode::parse("DEM01").unwrap()));
        assert!(Login::parse("a b").is_err());
    }
}
