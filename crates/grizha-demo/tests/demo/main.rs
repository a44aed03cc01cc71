//! The demo, loaded on SQLite and on PostgreSQL.

mod common;

use std::collections::BTreeSet;

use chrono::NaiveDate;
use grizha_demo::{DemoError, load_demo};
use grizha_domain::deadline::DeadlineKind;
use grizha_domain::geography::{AreaCode, MunicipalityCode, Region, RegionCode};
use grizha_domain::monitoring::{ActivityStatus, SubmissionStatus};
use grizha_domain::plan::PlanStatus;
use grizha_domain::user::{Login, Role};
use grizha_store::Actor;

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

const TODAY: (i32, u32, u32) = (2026, 11, 23);

fn today() -> NaiveDate {
    day(TODAY.0, TODAY.1, TODAY.2)
}

story!(the_demo_loads_a_region_whose_three_municipalities_plan_serve_and_monitor, |db| {
    let store = &db.store;
    let summary = load_demo(store, today()).await.unwrap();
    assert!(summary.loaded_now);
    assert_eq!(summary.region.as_str(), "DEM");
    assert_eq!(summary.region_name, "Демонстрационна област");
    let codes: Vec<&str> = summary.municipalities.iter().map(|m| m.code.as_str()).collect();
    assert_eq!(codes, ["DEM01", "DEM02", "DEM03"]);
    for m in &summary.municipalities {
        assert_eq!(m.strategies, 1, "{}", m.code);
        assert_eq!(m.strategy_nodes, 19, "directions → general goals → specific goals → measures");
        assert_eq!(m.indicators, 8);
        assert_eq!(m.indicator_values, 8 * 5, "a target for each year 2024–2028");
        assert_eq!(m.plans.len(), 2, "{}", m.code);
        assert_eq!(m.plans[1], (2025, PlanStatus::Adopted));
        assert_eq!(m.plans[0].0, 2026);
        assert!(matches!(m.plans[0].1, PlanStatus::Draft | PlanStatus::PublicConsultation));
        assert_eq!(m.plan_activities, 13 + 11);
        assert!(m.plan_service_entries >= 10, "{}: {}", m.code, m.plan_service_entries);
        assert!(m.services >= 7 && m.services_in_force >= 7, "{}: {} services", m.code, m.services);
        assert!(m.service_events > m.services, "every service opened, some changed since");
        assert_eq!(m.monitoring_records, 13 * 2, "the first half and the whole of 2025");
        assert!(m.overdue_activities > 0, "{}: some activities are late", m.code);
        assert_eq!(m.reporting_obligations, 1);
    }
    assert_eq!(summary.municipalities[1].plans[0].1, PlanStatus::PublicConsultation);

    // The registry covers the common types of service.
    let mut types = BTreeSet::new();
    let mut statuses = BTreeSet::new();
    for m in &summary.municipalities {
        for service in store.services_of(&m.code, None).await.unwrap() {
            types.insert(service.service_type.as_str().to_owned());
            assert!(!store.service_years(service.id).await.unwrap().is_empty(), "{}", service.name);
        }
        let area = AreaCode::Municipality(m.code.clone());
        let plans = store.plans_of(&area).await.unwrap();
        let adopted = plans.iter().find(|p| p.status == PlanStatus::Adopted).unwrap();
        assert!(adopted.adopted_by.is_some(), "adopted with a council decision");
        for (activity, _) in
            [store.plan_activities(plans[0].id).await.unwrap(), store.plan_activities(plans[1].id).await.unwrap()]
                .concat()
        {
            assert_ne!(activity.deadline.kind(), DeadlineKind::Unspecified, "{}", activity.deadline.raw());
            assert!(!activity.responsible.is_empty() && !activity.funding.is_empty());
            assert!(!activity.expected_results.is_empty());
            for (record, _) in store.monitoring_records(activity.id).await.unwrap() {
                statuses.insert(record.status.as_str());
            }
        }
    }
    for wanted in [
        "community_support_centre",
        "family_type_centre",
        "day_centre_adults_disabilities",
        "crisis_centre",
        "home_social_patronage",
        "personal_assistant",
        "protected_housing",
    ] {
        assert!(types.contains(wanted), "no {wanted} in {types:?}");
    }
    for wanted in [ActivityStatus::Done, ActivityStatus::InProgress, ActivityStatus::Delayed, ActivityStatus::Cancelled]
    {
        assert!(statuses.contains(wanted.as_str()), "no {wanted} in {statuses:?}");
    }

    // The region has the reports it asked for in several states.
    let dem01 = AreaCode::parse("DEM01").unwrap();
    let owed = store.obligations_of(&dem01, today()).await.unwrap();
    assert_eq!(owed[0].1.status, SubmissionStatus::Approved);

    // Every account signs in with its printed password, and every role is there.
    let roles: BTreeSet<&str> = summary.credentials.iter().map(|c| c.role.as_str()).collect();
    assert_eq!(roles.len(), Role::ALL.len());
    for c in &summary.credentials {
        let user = store.verify_password(&Login::parse(&c.login).unwrap(), &c.password).await.unwrap();
        let user = user.unwrap_or_else(|| panic!("{} signs in", c.login));
        assert_eq!((user.role, user.area.as_ref()), (c.role, c.area.as_ref()));
    }
    let printed = summary.to_string();
    assert!(printed.contains("demo-admin") && printed.contains("Демо-Север"), "{printed}");

    // All of it went through the audited store.
    assert_eq!(store.history("area", "DEM").await.unwrap()[0].actor, "system:demo");
    assert!(!store.history("area", "DEM02").await.unwrap().is_empty());
});

story!(loading_the_demo_twice_writes_nothing_the_second_time, |db| {
    let store = &db.store;
    let first = load_demo(store, today()).await.unwrap();
    let users = store.count_users().await.unwrap();
    let second = load_demo(store, today()).await.unwrap();
    assert!(!second.loaded_now);
    assert_eq!(second.municipalities, first.municipalities);
    assert_eq!(second.credentials, first.credentials);
    assert_eq!(store.count_users().await.unwrap(), users);
    let region = RegionCode::parse("DEM").unwrap();
    assert_eq!(store.municipalities(Some(&region)).await.unwrap().len(), 3);
    let dem03 = MunicipalityCode::parse("DEM03").unwrap();
    assert_eq!(store.plans_of(&AreaCode::Municipality(dem03)).await.unwrap().len(), 2);
});

story!(a_demo_load_that_stopped_part_way_is_reported_not_repeated, |db| {
    let store = &db.store;
    let region = Region {
        code: RegionCode::parse("DEM").unwrap(),
        name: "Демонстрационна област".into(),
        nuts3: "BG000".into(),
    };
    store.add_region(&Actor::System("test"), &region, day(2024, 1, 1)).await.unwrap();
    assert!(matches!(load_demo(store, today()).await, Err(DemoError::Incomplete)));
});

story!(the_demo_writes_only_what_has_happened_by_today, |db| {
    let store = &db.store;
    let summary = load_demo(store, day(2025, 8, 1)).await.unwrap();
    for m in &summary.municipalities {
        assert_eq!(m.monitoring_records, 13, "only the first half of 2025 has ended");
        assert_eq!(m.indicator_values, 8 * 5);
        assert_eq!(m.plans[1], (2025, PlanStatus::Adopted));
    }
});
