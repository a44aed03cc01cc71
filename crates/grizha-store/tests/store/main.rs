//! The storage story, told once and run on SQLite and on PostgreSQL.

mod common;
mod editing;
mod processes;
mod sessions;

use chrono::NaiveDate;
use grizha_domain::codes::{CodeTables, LawActivityCode, ServiceType, ServiceTypeCode};
use grizha_domain::deadline::{Deadline, DeadlineContext, DeadlineKind};
use grizha_domain::document::Sha256Hex;
use grizha_domain::geography::{AreaCode, MunicipalityCode, RegionCode, SettlementCode};
use grizha_domain::ids::{LocationId, RowVersion, UserId};
use grizha_domain::monitoring::{
    ActivityStatus, Composition, DecisionStatus, Meeting, MeetingDecision, MonitoringRecord, Progress,
    ReportingObligation, SubmissionStatus,
};
use grizha_domain::plan::{CouncilDecision, Funding, Party, PlanGeneration, PlanPart, PlanStatus};
use grizha_domain::service::{
    Location, Organisation, OrganisationKind, ServiceEvent, ServiceEventKind, ServiceStatus, ServiceYear,
};
use grizha_domain::strategy::{Aggregation, Direction, IndicatorLevel, IndicatorPeriod, LevelNames, MeasuredValue};
use grizha_domain::time::{DateRange, Effective, Year, YearRange};
use grizha_domain::user::{Login, Role, User};
use grizha_store::{
    Actor, NewActivity, NewIndicator, NewPlan, NewPlanServiceEntry, NewService, NewStrategy, NewUser, Store, StoreError,
};

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn area(code: &str) -> AreaCode {
    AreaCode::parse(code).unwrap()
}

const SYSTEM: Actor = Actor::System("test");

fn editor_of(code: &str) -> Actor {
    Actor::User(User {
        id: UserId(0),
        login: Login::parse("editor").unwrap(),
        display_name: "Експерт".into(),
        role: Role::MunicipalEditor,
        area: Some(area(code)),
        disabled: false,
        organisation: None,
    })
}

async fn editor(store: &Store, code: &str, login: &str) -> Actor {
    let role = if code.len() == 3 { Role::RegionalMonitoring } else { Role::MunicipalEditor };
    let user = store
        .add_user(
            &SYSTEM,
            NewUser {
                login: Login::parse(login).unwrap(),
                display_name: format!("Експерт {code}"),
                password: "дълга парола 123".into(),
                role,
                area: Some(area(code)),
            },
        )
        .await
        .unwrap();
    Actor::User(user)
}

fn activity(text: &str, deadline: &str) -> NewActivity {
    NewActivity {
        code: Some("1. 2".into()),
        section: Some("Социални услуги".into()),
        goal: Some("Превенция на изоставянето".into()),
        text: text.into(),
        deadline: Deadline::parse(deadline, &DeadlineContext::for_year(2015)),
        responsible: vec![Party {
            raw: "Д „СД“".into(),
            code: Some("ДСД".parse().unwrap()),
            name: Some("Дирекция „Социални дейности“".into()),
        }],
        funding: vec![Funding { raw: "ДДД".into(), kind: "state_delegated".parse().unwrap(), programme: None }],
        expected_results: vec!["Обхванати 100 деца".into()],
        location: Some("гр. Хасково".into()),
        schedule: vec![],
        service_type: Some(ServiceTypeCode::parse("community_support_centre").unwrap()),
        service: None,
        strategy_node: None,
    }
}

async fn adopted_decision(store: &Store, code: &str, number: &str) -> CouncilDecision {
    store
        .add_council_decision(
            &SYSTEM,
            &CouncilDecision {
                id: grizha_domain::ids::CouncilDecisionId(0),
                area: area(code),
                body: "Общински съвет".into(),
                number: number.into(),
                date: day(2015, 2, 26),
                protocol: Some("5".into()),
                item: Some("12".into()),
                text: None,
            },
        )
        .await
        .unwrap()
}

story!(the_first_migration_loads_bulgaria, |db| {
    let store = &db.store;
    assert_eq!(store.regions().await.unwrap().len(), 28);
    let all = store.municipalities(None).await.unwrap();
    assert_eq!(all.len(), 265);
    let haskovo = store.municipality(&MunicipalityCode::parse("HKV34").unwrap()).await.unwrap().unwrap();
    assert_eq!((haskovo.name.as_str(), haskovo.region.as_str()), ("Хасково", "HKV"));
    assert_eq!(store.municipality(&MunicipalityCode::parse("SOF46").unwrap()).await.unwrap().unwrap().name, "Столична");
    assert_eq!(store.municipalities(Some(&RegionCode::parse("HKV").unwrap())).await.unwrap().len(), 11);
    assert_eq!(store.area_name(&area("SFO")).await.unwrap().as_deref(), Some("София (област)"));
});

story!(migrating_again_changes_nothing, |db| {
    let store = &db.store;
    assert_eq!(store.applied_migrations().await.unwrap(), vec![1, 2, 3, 4, 5, 7, 8]);
    store.migrate().await.unwrap();
    assert_eq!(store.applied_migrations().await.unwrap(), vec![1, 2, 3, 4, 5, 7, 8]);
    assert_eq!(store.regions().await.unwrap().len(), 28);
    // A second pool on the same database sees the same data.
    let again = Store::open(&db.location).await.unwrap();
    assert_eq!(again.municipalities(None).await.unwrap().len(), 265);
    again.close().await;
});

story!(the_code_tables_are_the_shipped_ones_and_an_administrator_extends_them, |db| {
    let store = &db.store;
    let shipped = CodeTables::builtin();
    let types = store.service_types().await.unwrap();
    assert_eq!(types.len(), shipped.service_types.len());
    let cop = types.iter().find(|t| t.abbr.as_deref() == Some("ЦОП")).unwrap();
    assert_eq!(cop.law_activities, shipped.service_type("community_support_centre").unwrap().law_activities);
    assert_eq!(store.funding_kinds().await.unwrap().len(), 11);
    assert!(
        store
            .institutions()
            .await
            .unwrap()
            .iter()
            .any(|i| i.code.as_str() == "ОЗД" && i.written_as.iter().any(|w| w == "Отдел „Закрила на детето“"))
    );

    let new_type = ServiceType {
        code: ServiceTypeCode::parse("respite_care").unwrap(),
        abbr: Some("ЗГ".into()),
        name: "Заместваща грижа".into(),
        target: "деца с увреждания".into(),
        law_activities: vec![LawActivityCode::parse("residential_care").unwrap()],
        law_note: None,
    };
    let refused = store.add_service_type(&editor_of("HKV34"), &new_type).await;
    assert!(matches!(refused, Err(StoreError::Forbidden { .. })), "{refused:?}");
    store.add_service_type(&SYSTEM, &new_type).await.unwrap();
    assert!(
        store
            .service_types()
            .await
            .unwrap()
            .iter()
            .any(|t| t.code == new_type.code && t.law_activities == new_type.law_activities)
    );
    assert!(matches!(store.add_service_type(&SYSTEM, &new_type).await, Err(StoreError::Duplicate { .. })));
    let unknown_activity = ServiceType {
        code: ServiceTypeCode::parse("flying_service").unwrap(),
        law_activities: vec![LawActivityCode::parse("flying").unwrap()],
        ..new_type
    };
    assert!(matches!(store.add_service_type(&SYSTEM, &unknown_activity).await, Err(StoreError::Invalid(_))));
    assert!(
        !store.service_types().await.unwrap().iter().any(|t| t.code.as_str() == "flying_service"),
        "a refused type leaves nothing behind"
    );
});

story!(users_sign_in_with_their_password_only, |db| {
    let store = &db.store;
    let login = Login::parse("admin").unwrap();
    let new = |password: &str| NewUser {
        login: login.clone(),
        display_name: "Администратор".into(),
        password: password.into(),
        role: Role::Administrator,
        area: None,
    };
    assert!(matches!(store.add_user(&SYSTEM, new("short")).await, Err(StoreError::Invalid(_))));
    let admin = store.add_user(&SYSTEM, new("правилна парола")).await.unwrap();
    assert_eq!(store.verify_password(&login, "правилна парола").await.unwrap(), Some(admin.clone()));
    assert_eq!(store.verify_password(&login, "грешна парола").await.unwrap(), None);
    assert_eq!(store.verify_password(&Login::parse("nobody").unwrap(), "правилна парола").await.unwrap(), None);
    assert!(matches!(
        store.add_user(&SYSTEM, new("друга дълга парола")).await,
        Err(StoreError::Duplicate { what: "login", .. })
    ));
    let viewer = NewUser {
        login: Login::parse("viewer").unwrap(),
        display_name: "Наблюдател".into(),
        password: "дълга парола 123".into(),
        role: Role::Viewer,
        area: None,
    };
    assert!(
        matches!(store.add_user(&SYSTEM, viewer).await, Err(StoreError::Invalid(_))),
        "a viewer works for some area"
    );
    assert!(matches!(
        store.add_user(&editor_of("HKV34"), new("трета дълга парола")).await,
        Err(StoreError::Forbidden { .. })
    ));
    assert_eq!(store.count_users().await.unwrap(), 1);
    assert_eq!(store.history("user", &admin.id.to_string()).await.unwrap()[0].action, "create");
});

story!(an_annual_plan_is_drafted_edited_adopted_frozen_and_amended, |db| {
    let store = &db.store;
    let expert = editor(store, "HKV34", "expert.haskovo").await;
    let plan = store
        .create_plan(
            &expert,
            NewPlan {
                area: area("HKV34"),
                year: Year::new(2015).unwrap(),
                title: "Годишен план 2015".into(),
                strategy: None,
                generation: PlanGeneration::ActivityTable,
            },
        )
        .await
        .unwrap();
    assert_eq!((plan.status, plan.version_no), (PlanStatus::Draft, 1));
    let first = store
        .add_plan_activity(&expert, plan.id, &activity("Подкрепа на семейства в риск", "Март 2015 г."))
        .await
        .unwrap();
    store.add_plan_activity(&expert, plan.id, &activity("Обучение на приемни родители", "Постоянен")).await.unwrap();
    assert_eq!(first.code.as_deref(), Some("1.2"), "codes are stored without spaces");
    assert_eq!(first.deadline.kind(), DeadlineKind::Month);
    assert_eq!(first.deadline.to(), Some(day(2015, 3, 31)));

    // Two people edit the same row from version 1: the second edit is refused, not lost.
    let v2 = store
        .update_plan_activity(
            &expert,
            first.id,
            RowVersion::FIRST,
            &activity("Подкрепа на 40 семейства в риск", "Март 2015 г."),
        )
        .await
        .unwrap();
    assert_eq!(v2, RowVersion(2));
    let stale =
        store.update_plan_activity(&expert, first.id, RowVersion::FIRST, &activity("Друга промяна", "2015")).await;
    match stale {
        Err(StoreError::Conflict { expected: 1, actual: 2, .. }) => {}
        other => panic!("expected a conflict, got {other:?}"),
    }
    let rows = store.plan_activities(plan.id).await.unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!((rows[0].0.text.as_str(), rows[0].1), ("Подкрепа на 40 семейства в риск", RowVersion(2)));

    // Another municipality's expert may not touch it.
    let other = editor(store, "SOF46", "expert.sofia").await;
    assert!(matches!(
        store.add_plan_activity(&other, plan.id, &activity("x", "2015")).await,
        Err(StoreError::Forbidden { .. })
    ));

    // Consultation needs 30 days; adoption needs the council decision.
    let (_, v) = store.plan(plan.id).await.unwrap();
    let short = DateRange::new(day(2015, 1, 5), day(2015, 1, 20)).unwrap();
    assert!(matches!(
        store.set_plan_status(&expert, plan.id, v, PlanStatus::PublicConsultation, None, Some(short)).await,
        Err(StoreError::Invalid(_))
    ));
    let month = DateRange::new(day(2015, 1, 5), day(2015, 2, 5)).unwrap();
    let v =
        store.set_plan_status(&expert, plan.id, v, PlanStatus::PublicConsultation, None, Some(month)).await.unwrap();
    assert!(matches!(
        store.set_plan_status(&expert, plan.id, v, PlanStatus::Adopted, None, None).await,
        Err(StoreError::Invalid(_))
    ));
    let decision = adopted_decision(store, "HKV34", "250").await;
    store.set_plan_status(&expert, plan.id, v, PlanStatus::Adopted, Some(decision.id), None).await.unwrap();
    let (adopted, _) = store.plan(plan.id).await.unwrap();
    assert_eq!(
        (adopted.status, adopted.adopted_by, adopted.consultation),
        (PlanStatus::Adopted, Some(decision.id), Some(month))
    );

    // Frozen: rows cannot change.
    assert!(matches!(
        store.add_plan_activity(&expert, plan.id, &activity("Късна добавка", "2015")).await,
        Err(StoreError::Invalid(_))
    ));
    assert!(matches!(
        store.update_plan_activity(&expert, first.id, RowVersion(2), &activity("Промяна след приемане", "2015")).await,
        Err(StoreError::Invalid(_))
    ));

    // An amendment is a new version with the same rows; adopting it supersedes the first.
    let amendment = store.amend_plan(&expert, plan.id).await.unwrap();
    assert_eq!((amendment.version_no, amendment.amends, amendment.status), (2, Some(plan.id), PlanStatus::Draft));
    let copied = store.plan_activities(amendment.id).await.unwrap();
    assert_eq!(
        copied.iter().map(|(a, _)| a.text.clone()).collect::<Vec<_>>(),
        rows.iter().map(|(a, _)| a.text.clone()).collect::<Vec<_>>()
    );
    store.add_plan_activity(&expert, amendment.id, &activity("Нова дейност", "II-ро полугодие 2015")).await.unwrap();
    let second_decision = adopted_decision(store, "HKV34", "311").await;
    let (_, v) = store.plan(amendment.id).await.unwrap();
    store.set_plan_status(&expert, amendment.id, v, PlanStatus::Adopted, Some(second_decision.id), None).await.unwrap();
    assert_eq!(store.plan(plan.id).await.unwrap().0.status, PlanStatus::Superseded);
    let versions = store.plans_of(&area("HKV34")).await.unwrap();
    assert_eq!(
        versions.iter().map(|p| (p.version_no, p.status)).collect::<Vec<_>>(),
        [(1, PlanStatus::Superseded), (2, PlanStatus::Adopted)]
    );

    // The history tells who changed the row, from what to what.
    let history = store.history("plan_activity", &first.id.to_string()).await.unwrap();
    assert_eq!(history.iter().map(|h| h.action.as_str()).collect::<Vec<_>>(), ["create", "update"]);
    assert_eq!(history[1].actor, "expert.haskovo");
    assert_eq!(history[1].old_value.as_ref().unwrap().0["text"], "Подкрепа на семейства в риск");
    assert_eq!(history[1].new_value.as_ref().unwrap().0["text"], "Подкрепа на 40 семейства в риск");
});

story!(a_strategy_holds_its_logical_framework_and_indicator_values_per_period, |db| {
    let store = &db.store;
    let expert = editor(store, "HKV34", "expert").await;
    let levels = LevelNames::new(vec!["Направление".into(), "Специфична цел".into(), "Мярка".into()]).unwrap();
    let strategy = store
        .create_strategy(
            &expert,
            NewStrategy {
                area: area("HKV34"),
                title: "Общинска стратегия за развитие на социалните услуги 2016–2020".into(),
                period: YearRange::new(Year::new(2016).unwrap(), Year::new(2020).unwrap()).unwrap(),
                vision: Some("Достъпни услуги в общността".into()),
                level_names: levels,
                adopted_by: None,
                source: None,
            },
        )
        .await
        .unwrap();
    let direction =
        store.add_strategy_node(&expert, strategy.id, None, Some("1".into()), "Деца и семейства").await.unwrap();
    let goal = store
        .add_strategy_node(&expert, strategy.id, Some(direction.id), Some("1. 1".into()), "Превенция на изоставянето")
        .await
        .unwrap();
    let measure = store
        .add_strategy_node(&expert, strategy.id, Some(goal.id), Some("1.1.1".into()), "Развитие на ЦОП")
        .await
        .unwrap();
    let second = store.add_strategy_node(&expert, strategy.id, None, Some("2".into()), "Възрастни хора").await.unwrap();
    assert!(matches!(
        store.add_strategy_node(&expert, strategy.id, Some(measure.id), None, "Твърде дълбоко").await,
        Err(StoreError::Invalid(_))
    ));
    let tree = store.strategy_tree(strategy.id).await.unwrap();
    assert_eq!(tree.nodes.iter().map(|(n, _)| n.code.clone().unwrap()).collect::<Vec<_>>(), ["1", "1.1", "1.1.1", "2"]);
    assert_eq!((goal.level, measure.level, second.position), (1, 2, 1));

    let v = store
        .update_strategy_node(
            &expert,
            goal.id,
            RowVersion::FIRST,
            Some("1.1".into()),
            "Превенция на изоставянето на деца",
        )
        .await
        .unwrap();
    assert!(matches!(
        store.update_strategy_node(&expert, goal.id, RowVersion::FIRST, None, "Стара версия").await,
        Err(StoreError::Conflict { .. })
    ));
    assert_eq!(v, RowVersion(2));

    let indicator = store
        .add_indicator(
            &expert,
            strategy.id,
            NewIndicator {
                node: Some(measure.id),
                level: IndicatorLevel::Measure,
                text: "Деца, обхванати от ЦОП".into(),
                unit: Some("брой".into()),
                direction: Direction::Increase,
                aggregation: Aggregation::Sum,
                sources: vec!["Доклади на ЦОП".into()],
                verification: Some("Годишна база".into()),
                baseline: None,
            },
        )
        .await
        .unwrap();
    let value = |v: f64| Some(MeasuredValue { value: v, comment: None, evidence: vec![] });
    let today = day(2017, 6, 1);
    let y2016 =
        IndicatorPeriod { period: DateRange::year(Year::new(2016).unwrap()), target: value(80.0), actual: value(85.0) };
    let y2018 =
        IndicatorPeriod { period: DateRange::year(Year::new(2018).unwrap()), target: value(100.0), actual: None };
    store.set_indicator_period(&expert, indicator.id, &y2016, None, today).await.unwrap();
    store.set_indicator_period(&expert, indicator.id, &y2018, None, today).await.unwrap();
    let future_actual = IndicatorPeriod { actual: value(3.0), ..y2018.clone() };
    assert!(matches!(
        store.set_indicator_period(&expert, indicator.id, &future_actual, Some(RowVersion::FIRST), today).await,
        Err(StoreError::Invalid(_))
    ));
    assert!(matches!(
        store.set_indicator_period(&expert, indicator.id, &y2016, None, today).await,
        Err(StoreError::Conflict { .. })
    ));
    let corrected = IndicatorPeriod { actual: value(90.0), ..y2016.clone() };
    assert_eq!(
        store.set_indicator_period(&expert, indicator.id, &corrected, Some(RowVersion::FIRST), today).await.unwrap(),
        RowVersion(2)
    );
    let periods = store.indicator_periods(indicator.id).await.unwrap();
    assert_eq!(periods.len(), 2);
    assert_eq!(periods[0].0.actual.as_ref().unwrap().value, 90.0);
    assert!(periods[1].0.actual.is_none(), "a future period has no actual");
    let all: Vec<IndicatorPeriod> = periods.into_iter().map(|(p, _)| p).collect();
    assert_eq!(indicator.combined_actual(&all), Some(90.0));
});

story!(a_provider_keeps_the_figures_of_its_own_services_only, |db| {
    let store = &db.store;
    let expert = editor(store, "HKV34", "expert").await;
    let organisation = |name: &str| Organisation {
        id: grizha_domain::ids::OrganisationId(0),
        name: name.into(),
        kind: OrganisationKind::Ngo,
        licence: None,
    };
    let ngo = store.add_organisation(&expert, &organisation("СНЦ „Самаряни“")).await.unwrap();
    let other_ngo = store.add_organisation(&expert, &organisation("Фондация „Друга“")).await.unwrap();
    let service = |provider: grizha_domain::ids::OrganisationId, name: &str| NewService {
        municipality: MunicipalityCode::parse("HKV34").unwrap(),
        provider: Some(provider),
        service_type: ServiceTypeCode::parse("community_support_centre").unwrap(),
        name: name.into(),
        description: None,
        target_groups: vec![],
        funding: vec![],
        status: ServiceStatus::Existing,
        opened_on: day(2010, 1, 1),
    };
    let own = store.add_service(&expert, service(ngo.id, "ЦОП")).await.unwrap();
    let theirs = store.add_service(&expert, service(other_ngo.id, "Дневен център")).await.unwrap();
    let account = store
        .add_user(
            &SYSTEM,
            NewUser {
                login: Login::parse("samaryani").unwrap(),
                display_name: "Доставчик".into(),
                password: "дълга парола 123".into(),
                role: Role::Provider,
                area: Some(area("HKV34")),
            },
        )
        .await
        .unwrap();
    // Only an administrator links an account to its organisation.
    assert!(matches!(
        store.set_user_organisation(&expert, account.id, Some(ngo.id)).await,
        Err(StoreError::Forbidden { .. })
    ));
    let figures = ServiceYear {
        year: Year::new(2026).unwrap(),
        max_users: Some(30),
        funded_places: Some(30),
        occupied_places: Some(25),
        staff: Some(8),
    };
    let unlinked = Actor::User(store.user_by_login(&account.login).await.unwrap().unwrap());
    assert!(matches!(
        store.set_service_year(&unlinked, own.id, &figures, None).await,
        Err(StoreError::Forbidden { .. })
    ));
    store.set_user_organisation(&SYSTEM, account.id, Some(ngo.id)).await.unwrap();
    let linked = store.user_by_login(&account.login).await.unwrap().unwrap();
    assert_eq!(linked.organisation, Some(ngo.id));
    let provider = Actor::User(linked);
    store.set_service_year(&provider, own.id, &figures, None).await.unwrap();
    assert_eq!(
        store.service_year(own.id, figures.year).await.unwrap().map(|(y, v)| (y.occupied_places, v)),
        Some((Some(25), RowVersion::FIRST))
    );
    assert!(matches!(
        store.set_service_year(&provider, theirs.id, &figures, None).await,
        Err(StoreError::Forbidden { .. })
    ));
    // Nothing else of the municipality is the provider's to change.
    assert!(matches!(store.add_service(&provider, service(ngo.id, "Нова")).await, Err(StoreError::Forbidden { .. })));
    assert_eq!(store.history("service_year", &format!("{}:2026", own.id)).await.unwrap()[0].actor, "samaryani");
});

story!(a_service_is_registered_expanded_and_closed_with_dates, |db| {
    let store = &db.store;
    let expert = editor(store, "HKV34", "expert").await;
    let provider = store
        .add_organisation(
            &expert,
            &Organisation {
                id: grizha_domain::ids::OrganisationId(0),
                name: "СНЦ „Самаряни“".into(),
                kind: OrganisationKind::Ngo,
                licence: None,
            },
        )
        .await
        .unwrap();
    let service = store
        .add_service(
            &expert,
            NewService {
                municipality: MunicipalityCode::parse("HKV34").unwrap(),
                provider: Some(provider.id),
                service_type: ServiceTypeCode::parse("community_support_centre").unwrap(),
                name: "ЦОП Хасково".into(),
                description: None,
                target_groups: vec!["деца в риск".into(), "семейства".into()],
                funding: vec![Funding {
                    raw: "ДДД".into(), kind: "state_delegated".parse().unwrap(), programme: None
                }],
                status: ServiceStatus::Existing,
                opened_on: day(2010, 1, 1),
            },
        )
        .await
        .unwrap();
    let y = |year, funded, occupied, staff| ServiceYear {
        year: Year::new(year).unwrap(),
        max_users: None,
        funded_places: Some(funded),
        occupied_places: Some(occupied),
        staff: Some(staff),
    };
    store.set_service_year(&expert, service.id, &y(2015, 80, 78, 12), None).await.unwrap();
    store.set_service_year(&expert, service.id, &y(2016, 100, 91, 14), None).await.unwrap();
    assert!(matches!(
        store.set_service_year(&expert, service.id, &y(2016, 100, 120, 14), Some(RowVersion::FIRST)).await,
        Err(StoreError::Invalid(_))
    ));
    assert_eq!(
        store.service_years(service.id).await.unwrap().iter().map(|y| y.funded_places).collect::<Vec<_>>(),
        [Some(80), Some(100)]
    );

    let (_, v) = store.service(service.id).await.unwrap();
    let expand = ServiceEvent {
        id: grizha_domain::ids::ServiceEventId(0),
        service: service.id,
        kind: ServiceEventKind::Expanded,
        effective_on: day(2016, 1, 1),
        capacity_from: Some(80),
        capacity_to: Some(100),
        successor: None,
        note: None,
    };
    store.record_service_event(&expert, &expand, v).await.unwrap();
    assert!(
        matches!(store.record_service_event(&expert, &expand, v).await, Err(StoreError::Conflict { .. })),
        "stale version"
    );
    let (_, v) = store.service(service.id).await.unwrap();
    let close = ServiceEvent {
        kind: ServiceEventKind::Closed,
        effective_on: day(2019, 6, 30),
        capacity_from: None,
        capacity_to: None,
        ..expand
    };
    store.record_service_event(&expert, &close, v).await.unwrap();
    let (closed, _) = store.service(service.id).await.unwrap();
    assert_eq!(
        (closed.status, closed.effective),
        (ServiceStatus::Closed, Effective::new(day(2010, 1, 1), Some(day(2019, 6, 30))).unwrap())
    );
    let municipality = MunicipalityCode::parse("HKV34").unwrap();
    assert_eq!(store.services_of(&municipality, Some(day(2019, 6, 30))).await.unwrap().len(), 1);
    assert_eq!(store.count_services_in_force(&municipality, day(2019, 6, 30)).await.unwrap(), 1, "its last day");
    assert_eq!(store.count_services_in_force(&municipality, day(2019, 7, 1)).await.unwrap(), 0);
    let hkv = RegionCode::parse("HKV").unwrap();
    assert_eq!(store.region_overview(&hkv, day(2019, 6, 30)).await.unwrap().services_in_force.get("HKV34"), Some(&1));
    assert_eq!(store.region_overview(&hkv, day(2019, 7, 1)).await.unwrap().services_in_force.get("HKV34"), None);
    assert_eq!(store.count_services_in_force(&municipality, day(2009, 12, 31)).await.unwrap(), 0, "before it opened");
    assert_eq!(
        store.services_of(&municipality, Some(day(2019, 7, 1))).await.unwrap().len(),
        0,
        "closed mid-year, gone from the registry after"
    );
    assert_eq!(
        store.service_events(service.id).await.unwrap().iter().map(|e| e.kind).collect::<Vec<_>>(),
        [ServiceEventKind::Opened, ServiceEventKind::Expanded, ServiceEventKind::Closed]
    );
    let other = editor(store, "SOF46", "sofia").await;
    assert!(matches!(
        store.set_service_year(&other, service.id, &y(2017, 1, 1, 1), None).await,
        Err(StoreError::Forbidden { .. })
    ));
});

story!(monitoring_tracks_activities_and_finds_the_overdue, |db| {
    let store = &db.store;
    let expert = editor(store, "HKV34", "expert").await;
    let plan = store
        .create_plan(
            &expert,
            NewPlan {
                area: area("HKV34"),
                year: Year::new(2015).unwrap(),
                title: "План 2015".into(),
                strategy: None,
                generation: PlanGeneration::ActivityTable,
            },
        )
        .await
        .unwrap();
    let march = store.add_plan_activity(&expert, plan.id, &activity("До март", "31.03.2015г.")).await.unwrap();
    let june = store.add_plan_activity(&expert, plan.id, &activity("До юни", "Юни 2015")).await.unwrap();
    store.add_plan_activity(&expert, plan.id, &activity("Постоянно", "Постоянен")).await.unwrap();
    let decision = adopted_decision(store, "HKV34", "12").await;
    let (_, v) = store.plan(plan.id).await.unwrap();
    store.set_plan_status(&expert, plan.id, v, PlanStatus::Adopted, Some(decision.id), None).await.unwrap();

    let q1 = DateRange::quarter(Year::new(2015).unwrap(), 1).unwrap();
    let record = MonitoringRecord {
        id: grizha_domain::ids::MonitoringRecordId(0),
        activity: march.id,
        period: q1,
        status: ActivityStatus::InProgress,
        progress: Progress::new(50).unwrap(),
        comment: Some("Започнато".into()),
        evidence: vec![],
    };
    let (_, v) = store.record_monitoring(&expert, &record, None).await.unwrap();
    let today = day(2015, 7, 15);
    let overdue: Vec<String> =
        store.overdue_activities(&area("HKV34"), today).await.unwrap().into_iter().map(|a| a.text).collect();
    assert_eq!(overdue, ["До март", "До юни"]);
    assert_eq!(
        store.count_overdue_activities(&area("HKV34"), today).await.unwrap(),
        2,
        "the count the home page shows"
    );

    let done = MonitoringRecord { status: ActivityStatus::Done, progress: Progress::DONE, ..record.clone() };
    assert!(matches!(store.record_monitoring(&expert, &done, None).await, Err(StoreError::Conflict { .. })));
    store.record_monitoring(&expert, &done, Some(v)).await.unwrap();
    let overdue: Vec<String> =
        store.overdue_activities(&area("HKV34"), today).await.unwrap().into_iter().map(|a| a.text).collect();
    assert_eq!(overdue, ["До юни"]);
    assert_eq!(store.count_overdue_activities(&area("HKV34"), today).await.unwrap(), 1);
    // The region's overview says the same of HKV34, and names its plans in the same order.
    let overview = store.region_overview(&RegionCode::parse("HKV").unwrap(), today).await.unwrap();
    assert_eq!(overview.overdue.get("HKV34"), Some(&1));
    assert_eq!(overview.plans.get("HKV34").map(Vec::len), Some(store.plans_of(&area("HKV34")).await.unwrap().len()));
    assert!(overview.overdue.keys().all(|code| code.starts_with("HKV")));
    assert_eq!(store.monitoring_records(march.id).await.unwrap()[0].0.status, ActivityStatus::Done);
    let history = store.history("monitoring_record", &format!("{}:2015-01-01..2015-03-31", march.id)).await.unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!(history[1].old_value.as_ref().unwrap().0["status"], "in_progress", "the audit keeps the value before");
    assert_eq!(history[1].new_value.as_ref().unwrap().0["status"], "done");

    // The plan table reads all its rows' records at once: the same records, in period order (the
    // year after its first quarter), and nothing for a row without any.
    let year = MonitoringRecord { period: DateRange::year(Year::new(2015).unwrap()), ..done.clone() };
    store.record_monitoring(&expert, &year, None).await.unwrap();
    let of_plan = store.monitoring_records_of_plan(plan.id).await.unwrap();
    assert_eq!(of_plan[&march.id], store.monitoring_records(march.id).await.unwrap());
    assert_eq!(of_plan[&march.id].iter().map(|(r, _)| r.period).collect::<Vec<_>>(), [q1, year.period]);
    assert!(!of_plan.contains_key(&june.id));
});

story!(a_region_asks_for_reports_and_reviews_them, |db| {
    let store = &db.store;
    let region = editor(store, "HKV", "zmo.haskovo").await;
    let municipality = editor(store, "HKV34", "expert").await;
    let obligation = ReportingObligation {
        id: grizha_domain::ids::ReportingObligationId(0),
        template: "municipal_monitoring_report".into(),
        reporter: area("HKV34"),
        recipient: "Областна администрация Хасково".into(),
        period: DateRange::new(day(2016, 1, 1), day(2017, 6, 30)).unwrap(),
        due_on: day(2017, 10, 10),
        effective: Effective::since(day(2017, 8, 9)),
    };
    assert!(matches!(
        store.add_reporting_obligation(&municipality, &obligation).await,
        Err(StoreError::Forbidden { .. })
    ));
    store.add_reporting_obligation(&region, &obligation).await.unwrap();
    let owed = store.obligations_of(&area("HKV34"), day(2017, 9, 1)).await.unwrap();
    assert_eq!(owed.len(), 1);
    let (_, submission, v) = owed.into_iter().next().unwrap();
    assert_eq!(submission.status, SubmissionStatus::NotStarted);
    assert!(matches!(
        store.move_submission(&region, submission.id, v, SubmissionStatus::Submitted, None).await,
        Err(StoreError::Forbidden { .. })
    ));
    let v = store.move_submission(&municipality, submission.id, v, SubmissionStatus::Submitted, None).await.unwrap();
    assert!(
        matches!(
            store.move_submission(&region, submission.id, v, SubmissionStatus::Returned, None).await,
            Err(StoreError::Invalid(_))
        ),
        "a return says why"
    );
    let v = store
        .move_submission(&region, submission.id, v, SubmissionStatus::Returned, Some("Липсват данни за ЦНСТ".into()))
        .await
        .unwrap();
    let (_, returned, _) =
        store.obligations_of(&area("HKV34"), day(2017, 9, 2)).await.unwrap().into_iter().next().unwrap();
    assert_eq!(
        (returned.status, returned.review_comment.as_deref()),
        (SubmissionStatus::Returned, Some("Липсват данни за ЦНСТ"))
    );
    let v = store.move_submission(&municipality, submission.id, v, SubmissionStatus::Submitted, None).await.unwrap();
    store.move_submission(&region, submission.id, v, SubmissionStatus::Approved, None).await.unwrap();
    let (_, submission, _) =
        store.obligations_of(&area("HKV34"), day(2017, 11, 1)).await.unwrap().into_iter().next().unwrap();
    assert_eq!(submission.status, SubmissionStatus::Approved);
    assert!(submission.is_on_time(day(2030, 1, 1)).unwrap());

    let meeting = Meeting {
        id: grizha_domain::ids::MeetingId(0),
        area: area("HKV"),
        held_on: day(2017, 8, 9),
        place: Some("Областна администрация".into()),
        composition: Composition::Extended,
        members_present: vec!["Председател".into(), "Секретар".into()],
        agenda: vec!["Срокове за докладите".into()],
        notes: None,
    };
    let decision = |number: &str, due| MeetingDecision {
        id: grizha_domain::ids::MeetingDecisionId(0),
        meeting: meeting.id,
        number: number.into(),
        text: "Общините да представят проектите на доклади".into(),
        responsible: vec![],
        due_on: Some(due),
        status: DecisionStatus::Open,
        done_on: None,
    };
    let (_, decisions) = store
        .add_meeting(&region, &meeting, &[decision("1", day(2017, 10, 10)), decision("2", day(2017, 12, 31))])
        .await
        .unwrap();
    assert_eq!(decisions.len(), 2);
    let overdue = store.overdue_decisions(&area("HKV"), day(2017, 11, 1)).await.unwrap();
    assert_eq!(overdue.iter().map(|d| d.number.as_str()).collect::<Vec<_>>(), ["1"]);
});

story!(a_file_imported_twice_is_recorded_once, |db| {
    let store = &db.store;
    let sha = Sha256Hex::parse("a".repeat(64)).unwrap();
    let (first, new) = store
        .record_source_document(
            &SYSTEM,
            "plan-2015.docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            &sha,
            1234,
        )
        .await
        .unwrap();
    assert!(new);
    let (again, new) = store
        .record_source_document(
            &SYSTEM,
            "копие.docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            &sha,
            1234,
        )
        .await
        .unwrap();
    assert!(!new);
    assert_eq!((again.id, again.file_name.as_str()), (first.id, "plan-2015.docx"));
});

story!(an_imported_plan_is_saved_whole_or_not_at_all, |db| {
    let store = &db.store;
    let actor = editor(store, "HKV34", "ekspert").await;
    let source = |sha: &str| grizha_store::NewSourceDocument {
        file_name: "план-2026.docx".into(),
        media_type: "application/vnd.openxmlformats-officedocument.wordprocessingml.document".into(),
        sha256: Sha256Hex::parse(sha.repeat(64)).unwrap(),
        size_bytes: 2048,
    };
    let plan = |year: i32| NewPlan {
        area: area("HKV34"),
        year: Year::new(year).unwrap(),
        title: format!("Годишен план {year}"),
        strategy: None,
        generation: PlanGeneration::ActivityTable,
    };
    let rows = [activity("Консултиране на родители", "постоянен"), activity("Информационна кампания", "II тримесечие")];
    let imported = store.import_plan(&actor, plan(2026), &rows, &source("b")).await.unwrap();
    let saved = store.plan_activities(imported.id).await.unwrap();
    assert_eq!(
        saved.iter().map(|(a, _)| a.text.as_str()).collect::<Vec<_>>(),
        ["Консултиране на родители", "Информационна кампания"]
    );
    assert!(store.source_document_by_sha256(&Sha256Hex::parse("b".repeat(64)).unwrap()).await.unwrap().is_some());

    // The same file again: refused, and no second plan is left behind.
    let again = store.import_plan(&actor, plan(2027), &rows, &source("b")).await;
    assert!(matches!(again, Err(StoreError::Duplicate { what: "imported file", .. })), "{again:?}");
    // A bad row: refused before anything is written.
    let bad = [activity("", "2027")];
    assert!(store.import_plan(&actor, plan(2027), &bad, &source("c")).await.is_err());
    assert_eq!(store.plans_of(&area("HKV34")).await.unwrap().len(), 1);
    // Another municipality's editor cannot import into HKV34.
    let other = editor(store, "SZR31", "drug").await;
    assert!(matches!(
        store.import_plan(&other, plan(2028), &rows, &source("d")).await,
        Err(StoreError::Forbidden { .. })
    ));
});

story!(imported_services_are_registered_whole_or_not_at_all, |db| {
    let store = &db.store;
    let actor = editor(store, "HKV34", "ekspert").await;
    let source = |sha: &str| grizha_store::NewSourceDocument {
        file_name: "услуги.docx".into(),
        media_type: "application/vnd.openxmlformats-officedocument.wordprocessingml.document".into(),
        sha256: Sha256Hex::parse(sha.repeat(64)).unwrap(),
        size_bytes: 1024,
    };
    let service = |name: &str, kind: &str| NewService {
        municipality: MunicipalityCode::parse("HKV34").unwrap(),
        provider: None,
        service_type: ServiceTypeCode::parse(kind).unwrap(),
        name: name.into(),
        description: None,
        target_groups: vec![],
        funding: vec![],
        status: ServiceStatus::Existing,
        opened_on: day(2026, 1, 1),
    };
    let year = ServiceYear {
        year: Year::new(2026).unwrap(),
        max_users: Some(40),
        funded_places: None,
        occupied_places: None,
        staff: Some(8),
    };
    let hkv34 = MunicipalityCode::parse("HKV34").unwrap();
    let ids = store
        .import_services(&actor, &[(service("ЦОП", "community_support_centre"), vec![year])], &source("e"))
        .await
        .unwrap();
    assert_eq!(store.service_years(ids[0]).await.unwrap(), vec![year]);
    // An unknown type in the second service: nothing of the first is kept either.
    let bad = [(service("Дневен център", "day_centre_elderly"), vec![]), (service("Друго", "no_such_type"), vec![])];
    assert!(matches!(store.import_services(&actor, &bad, &source("f")).await, Err(StoreError::Invalid(_))));
    assert_eq!(store.services_of(&hkv34, None).await.unwrap().len(), 1);
    assert!(store.source_document_by_sha256(&Sha256Hex::parse("f".repeat(64)).unwrap()).await.unwrap().is_none());
    // The same file again; another municipality's editor.
    let again = [(service("Дневен център", "day_centre_elderly"), vec![])];
    assert!(matches!(store.import_services(&actor, &again, &source("e")).await, Err(StoreError::Duplicate { .. })));
    let other = editor(store, "SZR31", "drug").await;
    assert!(matches!(store.import_services(&other, &again, &source("a")).await, Err(StoreError::Forbidden { .. })));
    assert_eq!(store.services_of(&hkv34, None).await.unwrap().len(), 1);
});

story!(the_database_size_grows_with_what_is_written, |db| {
    let store = &db.store;
    let before = store.database_size().await.unwrap();
    assert!(before > 100_000, "the reference data alone takes more than 100 kB: {before}");
    for n in 0..300 {
        let text = format!("{n:04} ").repeat(360);
        let mut decision = adopted_decision(store, "HKV34", &format!("size-{n}")).await;
        decision.number = format!("text-{n}");
        decision.text = Some(text);
        store.add_council_decision(&SYSTEM, &decision).await.unwrap();
    }
    let after = store.database_size().await.unwrap();
    assert!(after >= before + 500_000, "300 records of 1.8 kB grew the database from {before} to {after} bytes");
});

story!(a_backup_taken_while_running_restores_what_was_committed, |db| {
    let store = &db.store;
    if db.postgres_url().is_some() && which("pg_dump").is_none() {
        eprintln!("skipped: pg_dump is not installed");
        return;
    }
    let expert = editor(store, "HKV34", "expert").await;
    let plan = store
        .create_plan(
            &expert,
            NewPlan {
                area: area("HKV34"),
                year: Year::new(2016).unwrap(),
                title: "План 2016".into(),
                strategy: None,
                generation: PlanGeneration::ActivityTable,
            },
        )
        .await
        .unwrap();
    store.add_plan_activity(&expert, plan.id, &activity("Преди копието", "2016")).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("grizha.backup");
    let summary = store.backup(&file, db.postgres_url()).await.unwrap();
    assert!(summary.bytes > 0);
    assert!(store.backup(&file, db.postgres_url()).await.is_err(), "never overwrites a file");
    store.add_plan_activity(&expert, plan.id, &activity("След копието", "2016")).await.unwrap();
    assert_eq!(store.plan_activities(plan.id).await.unwrap().len(), 2);
    store.restore(&file, db.postgres_url()).await.unwrap();
    let texts: Vec<String> = store.plan_activities(plan.id).await.unwrap().into_iter().map(|(a, _)| a.text).collect();
    assert_eq!(texts, ["Преди копието"]);
    assert_eq!(store.municipalities(None).await.unwrap().len(), 265);
    let junk = dir.path().join("junk");
    std::fs::write(&junk, b"not a backup").unwrap();
    let refused = store.restore(&junk, db.postgres_url()).await.unwrap_err().to_string();
    assert!(refused.contains("not a"), "{refused}");
    assert_eq!(store.plan_activities(plan.id).await.unwrap().len(), 1, "a refused restore changes nothing");
});

fn which(tool: &str) -> Option<std::path::PathBuf> {
    std::env::var_os("PATH").and_then(|paths| std::env::split_paths(&paths).map(|p| p.join(tool)).find(|p| p.is_file()))
}

story!(a_plan_under_the_social_services_act_has_two_parts_that_an_amendment_keeps, |db| {
    let store = &db.store;
    let expert = editor(store, "HKV34", "expert").await;
    let new_plan = |generation| NewPlan {
        area: area("HKV34"),
        year: Year::new(2025).unwrap(),
        title: "План 2025".into(),
        strategy: None,
        generation,
    };
    let plan = store.create_plan(&expert, new_plan(PlanGeneration::SocialServicesAct)).await.unwrap();
    let entry = |part, name: &str, max_users| NewPlanServiceEntry {
        part,
        service_type: ServiceTypeCode::parse("day_centre_elderly").unwrap(),
        name: name.into(),
        settlement: Some("гр. Хасково".into()),
        max_users,
        service: None,
        note: None,
    };
    store
        .add_plan_service_entry(&expert, plan.id, &entry(PlanPart::MunicipalBudget, "Клуб в кв. Орфей", 20))
        .await
        .unwrap();
    store
        .add_plan_service_entry(&expert, plan.id, &entry(PlanPart::NationalMap, "Дневен център за възрастни хора", 40))
        .await
        .unwrap();
    store.add_plan_service_entry(&expert, plan.id, &entry(PlanPart::NationalMap, "Център за грижа", 15)).await.unwrap();
    let parts: Vec<(PlanPart, u32)> =
        store.plan_service_entries(plan.id).await.unwrap().iter().map(|e| (e.part, e.max_users)).collect();
    assert_eq!(parts, [(PlanPart::NationalMap, 40), (PlanPart::NationalMap, 15), (PlanPart::MunicipalBudget, 20)]);
    assert!(matches!(
        store.add_plan_service_entry(&expert, plan.id, &entry(PlanPart::NationalMap, " ", 1)).await,
        Err(StoreError::Invalid(_))
    ));

    let old = store
        .create_plan(&expert, NewPlan { year: Year::new(2015).unwrap(), ..new_plan(PlanGeneration::ActivityTable) })
        .await
        .unwrap();
    assert!(
        matches!(
            store.add_plan_service_entry(&expert, old.id, &entry(PlanPart::NationalMap, "Х", 1)).await,
            Err(StoreError::Invalid(_))
        ),
        "an old-law plan has no parts"
    );

    let decision = adopted_decision(store, "HKV34", "77").await;
    let (_, v) = store.plan(plan.id).await.unwrap();
    store.set_plan_status(&expert, plan.id, v, PlanStatus::Adopted, Some(decision.id), None).await.unwrap();
    let amendment = store.amend_plan(&expert, plan.id).await.unwrap();
    let copied: Vec<(PlanPart, u32)> =
        store.plan_service_entries(amendment.id).await.unwrap().iter().map(|e| (e.part, e.max_users)).collect();
    assert_eq!(copied, parts);
});

story!(a_service_is_delivered_at_its_locations, |db| {
    let store = &db.store;
    let expert = editor(store, "HKV34", "expert").await;
    let haskovo = MunicipalityCode::parse("HKV34").unwrap();
    let service = store
        .add_service(
            &expert,
            NewService {
                municipality: haskovo.clone(),
                provider: None,
                service_type: ServiceTypeCode::parse("family_type_centre").unwrap(),
                name: "ЦНСТ „Слънце“".into(),
                description: None,
                target_groups: vec![],
                funding: vec![],
                status: ServiceStatus::Existing,
                opened_on: day(2014, 3, 1),
            },
        )
        .await
        .unwrap();
    let location = Location {
        id: LocationId(0),
        name: "Сграда 1".into(),
        address: Some("ул. Първа 1".into()),
        municipality: haskovo.clone(),
        settlement: Some(SettlementCode::parse("77195").unwrap()),
    };
    let location = store.add_location(&expert, &location).await.unwrap();
    store.link_service_location(&expert, service.id, location.id).await.unwrap();
    assert!(matches!(
        store.link_service_location(&expert, service.id, location.id).await,
        Err(StoreError::Duplicate { .. })
    ));
    assert!(matches!(
        store.link_service_location(&expert, service.id, LocationId(999_999)).await,
        Err(StoreError::NotFound { .. })
    ));
    assert_eq!(store.service(service.id).await.unwrap().0.locations, [location.id]);
    assert_eq!(store.services_of(&haskovo, None).await.unwrap()[0].locations, [location.id]);
    let elsewhere = Location { municipality: MunicipalityCode::parse("SOF46").unwrap(), ..location };
    assert!(matches!(store.add_location(&expert, &elsewhere).await, Err(StoreError::Forbidden { .. })));
});

story!(progress_rolls_up_from_plan_rows_to_measures_and_goals, |db| {
    let store = &db.store;
    let expert = editor(store, "HKV34", "expert").await;
    let strategy = store
        .create_strategy(
            &expert,
            NewStrategy {
                area: area("HKV34"),
                title: "Стратегия 2016–2020".into(),
                period: YearRange::new(Year::new(2016).unwrap(), Year::new(2020).unwrap()).unwrap(),
                vision: None,
                level_names: LevelNames::new(vec!["Цел".into(), "Мярка".into()]).unwrap(),
                adopted_by: None,
                source: None,
            },
        )
        .await
        .unwrap();
    let goal = store.add_strategy_node(&expert, strategy.id, None, Some("1".into()), "Цел").await.unwrap();
    let measure_a =
        store.add_strategy_node(&expert, strategy.id, Some(goal.id), Some("1.1".into()), "Мярка А").await.unwrap();
    let measure_b =
        store.add_strategy_node(&expert, strategy.id, Some(goal.id), Some("1.2".into()), "Мярка Б").await.unwrap();
    let plan = store
        .create_plan(
            &expert,
            NewPlan {
                area: area("HKV34"),
                year: Year::new(2016).unwrap(),
                title: "План 2016".into(),
                strategy: Some(strategy.id),
                generation: PlanGeneration::ActivityTable,
            },
        )
        .await
        .unwrap();
    let linked = |text: &str, node| NewActivity { strategy_node: Some(node), ..activity(text, "2016") };
    let a1 = store.add_plan_activity(&expert, plan.id, &linked("А1", measure_a.id)).await.unwrap();
    let a2 = store.add_plan_activity(&expert, plan.id, &linked("А2", measure_a.id)).await.unwrap();
    store.add_plan_activity(&expert, plan.id, &linked("Б1", measure_b.id)).await.unwrap();
    let decision = adopted_decision(store, "HKV34", "5").await;
    let (_, v) = store.plan(plan.id).await.unwrap();
    store.set_plan_status(&expert, plan.id, v, PlanStatus::Adopted, Some(decision.id), None).await.unwrap();

    let year = DateRange::year(Year::new(2016).unwrap());
    let record = |activity, status, progress| MonitoringRecord {
        id: grizha_domain::ids::MonitoringRecordId(0),
        activity,
        period: year,
        status,
        progress: Progress::new(progress).unwrap(),
        comment: None,
        evidence: vec![],
    };
    store.record_monitoring(&expert, &record(a1.id, ActivityStatus::Done, 100), None).await.unwrap();
    store.record_monitoring(&expert, &record(a2.id, ActivityStatus::InProgress, 50), None).await.unwrap();

    let a = store.node_progress(measure_a.id, year).await.unwrap();
    assert_eq!((a.progress, a.status), (Some(Progress::new(75).unwrap()), Some(ActivityStatus::InProgress)));
    let b = store.node_progress(measure_b.id, year).await.unwrap();
    assert_eq!(
        (b.progress, b.status),
        (Some(Progress::NONE), Some(ActivityStatus::NotStarted)),
        "a row without a record has not started"
    );
    let g = store.node_progress(goal.id, year).await.unwrap();
    assert_eq!(g.progress, Some(Progress::new(38).unwrap()), "the mean of 75 and 0, rounded");
    let later = store.node_progress(goal.id, DateRange::year(Year::new(2018).unwrap())).await.unwrap();
    assert_eq!(later.progress, None, "2016's rows do not apply to 2018");

    let person = editor(store, "HKV34", "reviewer").await;
    assert!(matches!(
        store.set_progress_override(&person, measure_b.id, year, Progress::new(60).unwrap(), " ").await,
        Err(StoreError::Invalid(_))
    ));
    store
        .set_progress_override(
            &person,
            measure_b.id,
            year,
            Progress::new(60).unwrap(),
            "Дейността е изпълнена от партньор",
        )
        .await
        .unwrap();
    let b = store.node_progress(measure_b.id, year).await.unwrap();
    assert_eq!(b.progress, Some(Progress::new(60).unwrap()));
    assert_eq!(b.overridden.unwrap().reason, "Дейността е изпълнена от партньор");
    assert_eq!(store.node_progress(goal.id, year).await.unwrap().progress, Some(Progress::new(68).unwrap()));
});

story!(an_area_closed_by_a_merger_keeps_its_history, |db| {
    let store = &db.store;
    let expert = editor(store, "HKV34", "expert").await;
    let merged = area("HKV34");
    assert!(matches!(
        store.close_area(&expert, &merged, day(2025, 6, 30), Some(&area("HKV09"))).await,
        Err(StoreError::Forbidden { .. })
    ));
    assert!(
        matches!(store.close_area(&SYSTEM, &merged, day(1980, 1, 1), None).await, Err(StoreError::Invalid(_))),
        "closes before it opened"
    );
    store.close_area(&SYSTEM, &merged, day(2025, 6, 30), Some(&area("HKV09"))).await.unwrap();
    let effective = store.area_effective(&merged).await.unwrap().unwrap();
    assert!(effective.is_in_force_on(day(2025, 6, 30)));
    assert!(!effective.is_in_force_on(day(2025, 7, 1)));
    assert_eq!(store.history("area", "HKV34").await.unwrap()[0].action, "close");
    assert!(matches!(
        store.close_area(&SYSTEM, &area("HKV01"), day(2025, 1, 1), Some(&area("XXX99"))).await,
        Err(StoreError::NotFound { .. })
    ));

    let kind = grizha_domain::codes::FundingKind {
        code: "crowdfunding".parse().unwrap(),
        meaning: "Дарителска кампания".into(),
        written_as: vec!["кампания".into()],
    };
    store.add_funding_kind(&SYSTEM, &kind).await.unwrap();
    assert!(store.funding_kinds().await.unwrap().contains(&kind));
    assert!(matches!(store.add_funding_kind(&expert, &kind).await, Err(StoreError::Forbidden { .. })));
});

story!(an_administrator_adds_a_region_and_its_municipalities, |db| {
    let store = &db.store;
    let region = grizha_domain::geography::Region {
        code: RegionCode::parse("DEM").unwrap(),
        name: "  Демонстрационна   област ".into(),
        nuts3: "BG000".into(),
    };
    let expert = editor(store, "HKV", "regional").await;
    assert!(matches!(store.add_region(&expert, &region, day(2024, 1, 1)).await, Err(StoreError::Forbidden { .. })));
    let added = store.add_region(&SYSTEM, &region, day(2024, 1, 1)).await.unwrap();
    assert_eq!(added.name, "Демонстрационна област");
    assert!(matches!(
        store.add_region(&SYSTEM, &region, day(2024, 1, 1)).await,
        Err(StoreError::Duplicate { what: "region", .. })
    ));
    let municipality = grizha_domain::geography::Municipality {
        code: MunicipalityCode::parse("DEM01").unwrap(),
        name: "Демо-Изток".into(),
        region: region.code.clone(),
        centre: SettlementCode::parse("99001").unwrap(),
    };
    let wrong_region = grizha_domain::geography::Municipality {
        code: MunicipalityCode::parse("DEM02").unwrap(),
        region: RegionCode::parse("HKV").unwrap(),
        ..municipality.clone()
    };
    assert!(matches!(
        store.add_municipality(&SYSTEM, &wrong_region, day(2024, 1, 1)).await,
        Err(StoreError::Invalid(_))
    ));
    let orphan = grizha_domain::geography::Municipality {
        code: MunicipalityCode::parse("ZZZ01").unwrap(),
        region: RegionCode::parse("ZZZ").unwrap(),
        ..municipality.clone()
    };
    assert!(matches!(
        store.add_municipality(&SYSTEM, &orphan, day(2024, 1, 1)).await,
        Err(StoreError::NotFound { entity: "region", .. })
    ));
    assert!(matches!(
        store.add_municipality(&expert, &municipality, day(2024, 1, 1)).await,
        Err(StoreError::Forbidden { .. })
    ));
    store.add_municipality(&SYSTEM, &municipality, day(2024, 1, 1)).await.unwrap();
    assert!(matches!(
        store.add_municipality(&SYSTEM, &municipality, day(2024, 1, 1)).await,
        Err(StoreError::Duplicate { what: "municipality", .. })
    ));

    assert!(store.regions().await.unwrap().contains(&added));
    assert_eq!(store.municipalities(Some(&region.code)).await.unwrap(), vec![municipality.clone()]);
    assert_eq!(store.area_name(&area("DEM01")).await.unwrap().as_deref(), Some("Демо-Изток"));
    assert!(store.area_effective(&area("DEM")).await.unwrap().unwrap().is_in_force_on(day(2024, 1, 1)));
    assert_eq!(store.history("area", "DEM").await.unwrap()[0].action, "create");
    assert_eq!(store.history("area", "DEM01").await.unwrap().len(), 1, "refused attempts leave no trace");
    // The new municipality is a planning area like any other.
    let dem_editor = editor(store, "DEM01", "dem-editor").await;
    let strategy = store
        .create_strategy(
            &dem_editor,
            NewStrategy {
                area: area("DEM01"),
                title: "Стратегия".into(),
                period: YearRange::new(Year::new(2024).unwrap(), Year::new(2028).unwrap()).unwrap(),
                vision: None,
                level_names: LevelNames::usual(),
                adopted_by: None,
                source: None,
            },
        )
        .await
        .unwrap();
    let indicator = store
        .add_indicator(
            &dem_editor,
            strategy.id,
            NewIndicator {
                node: None,
                level: IndicatorLevel::Strategy,
                text: "Брой социални услуги".into(),
                unit: Some("брой".into()),
                direction: Direction::Increase,
                aggregation: Aggregation::Latest,
                sources: vec!["Регистър на услугите".into()],
                verification: None,
                baseline: Some(grizha_domain::strategy::Baseline {
                    value: 8.0,
                    as_of: day(2023, 12, 31),
                    comment: None,
                }),
            },
        )
        .await
        .unwrap();
    assert_eq!(store.indicators_of(strategy.id).await.unwrap(), vec![indicator]);
});
