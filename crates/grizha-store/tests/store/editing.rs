//! The editing stories of the web application, at the store: a user changes their password, a
//! draft plan's rows are reordered, a plan is copied as the start of the next year's, a file is
//! attached to a monitoring record as evidence, and an indicator's actual value is entered.

use chrono::{TimeZone, Utc};
use grizha_domain::codes::ServiceTypeCode;
use grizha_domain::deadline::{Deadline, DeadlineContext};
use grizha_domain::document::{Evidence, Sha256Hex};
use grizha_domain::ids::{MonitoringRecordId, PlanActivityId, RowVersion};
use grizha_domain::monitoring::{ActivityStatus, MonitoringRecord, Progress};
use grizha_domain::plan::{PlanActivity, PlanGeneration, PlanPart, PlanStatus, RowMove};
use grizha_domain::strategy::{Aggregation, Direction, IndicatorLevel, IndicatorPeriod, LevelNames, MeasuredValue};
use grizha_domain::time::{DateRange, Year, YearRange};
use grizha_domain::user::{Login, Role};
use grizha_store::{
    Actor, MAX_EVIDENCE_BYTES, NewActivity, NewIndicator, NewPlan, NewPlanServiceEntry, NewStrategy, NewUser,
    PasswordChange, Store, StoreError,
};

use crate::{SYSTEM, activity, adopted_decision, area, day, editor, story};

story!(a_user_changes_their_password_and_their_other_sessions_end, |db| {
    let store = &db.store;
    let user = store
        .add_user(
            &SYSTEM,
            NewUser {
                login: Login::parse("ekspert").unwrap(),
                display_name: "Експерт".into(),
                password: "старата парола 1".into(),
                role: Role::MunicipalEditor,
                area: Some(area("HKV34")),
            },
        )
        .await
        .unwrap();
    let login = user.login.clone();
    let now = Utc.with_ymd_and_hms(2026, 11, 23, 8, 0, 0).unwrap();
    let (here, _) = store.start_session(&user, now).await.unwrap();
    let (laptop, _) = store.start_session(&user, now).await.unwrap();
    let (phone, _) = store.start_session(&user, now).await.unwrap();
    let actor = Actor::User(user.clone());

    // A wrong current password changes nothing; a short new one is refused.
    assert_eq!(
        store.change_password(&actor, "не е тя", "новата дълга парола", &here).await.unwrap(),
        PasswordChange::WrongCurrentPassword
    );
    assert!(matches!(
        store.change_password(&actor, "старата парола 1", "къса", &here).await,
        Err(StoreError::Invalid(_))
    ));
    assert!(store.session(&laptop, now).await.unwrap().is_some());
    assert!(store.verify_password(&login, "старата парола 1").await.unwrap().is_some());

    let changed = store.change_password(&actor, "старата парола 1", "новата дълга парола", &here).await.unwrap();
    assert_eq!(changed, PasswordChange::Changed { other_sessions_ended: 2 });
    assert!(store.verify_password(&login, "старата парола 1").await.unwrap().is_none());
    assert!(store.verify_password(&login, "новата дълга парола").await.unwrap().is_some());
    // The session that asked stays; the others have ended.
    assert!(store.session(&here, now).await.unwrap().is_some());
    assert!(store.session(&laptop, now).await.unwrap().is_none());
    assert!(store.session(&phone, now).await.unwrap().is_none());
    // Changing it again from the old password (a tab left open) is refused.
    assert_eq!(
        store.change_password(&actor, "старата парола 1", "трета дълга парола", &here).await.unwrap(),
        PasswordChange::WrongCurrentPassword
    );
    // Audited, and no hash in the audit log.
    let history = store.history("user", &user.id.to_string()).await.unwrap();
    let change = history.iter().find(|e| e.action == "password").expect("the change is audited");
    assert_eq!(change.user_id, Some(user.id.get()));
    let logged = change.new_value.as_ref().unwrap().0.to_string();
    assert!(!logged.contains("argon2") && logged.contains("\"other_sessions_ended\":2"), "{logged}");
    // Only a user changes their own password; the system has none to give.
    assert!(matches!(
        store.change_password(&SYSTEM, "новата дълга парола", "четвърта дълга парола", &here).await,
        Err(StoreError::Forbidden { .. })
    ));
});

story!(the_rows_of_a_draft_plan_are_reordered_one_place_at_a_time, |db| {
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
    for text in ["Първа", "Втора", "Трета"] {
        store.add_plan_activity(&expert, plan.id, &activity(text, "2015")).await.unwrap();
    }
    let rows = store.plan_activities(plan.id).await.unwrap();
    let id_of = |text: &str| rows.iter().find(|(a, _)| a.text == text).map(|(a, _)| a.id).unwrap();
    let texts =
        || async { store.plan_activities(plan.id).await.unwrap().into_iter().map(|(a, _)| a.text).collect::<Vec<_>>() };
    let (_, read_at) = store.plan(plan.id).await.unwrap();

    let moved = store.move_plan_activity(&expert, plan.id, id_of("Трета"), RowMove::Up, read_at).await.unwrap();
    assert_eq!(texts().await, ["Първа", "Трета", "Втора"]);
    assert_eq!(moved, store.plan(plan.id).await.unwrap().1, "the plan's version moved on");
    // A second move from a page read before the first: a conflict, the order as the first left it.
    let stale = store.move_plan_activity(&expert, plan.id, id_of("Втора"), RowMove::Up, read_at).await;
    assert!(matches!(stale, Err(StoreError::Conflict { .. })), "{stale:?}");
    assert_eq!(texts().await, ["Първа", "Трета", "Втора"]);
    // Not past either end; not by another municipality; not a row of another plan.
    assert!(matches!(
        store.move_plan_activity(&expert, plan.id, id_of("Първа"), RowMove::Up, moved).await,
        Err(StoreError::Invalid(_))
    ));
    let other = editor(store, "SZR31", "other").await;
    assert!(matches!(
        store.move_plan_activity(&other, plan.id, id_of("Втора"), RowMove::Up, moved).await,
        Err(StoreError::Forbidden { .. })
    ));
    assert!(matches!(
        store.move_plan_activity(&expert, plan.id, PlanActivityId(999_999), RowMove::Up, moved).await,
        Err(StoreError::NotFound { .. })
    ));
    assert_eq!(store.plan(plan.id).await.unwrap().1, moved, "a refused move leaves the version");
    let moved = store.move_plan_activity(&expert, plan.id, id_of("Първа"), RowMove::Down, moved).await.unwrap();
    assert_eq!(texts().await, ["Трета", "Първа", "Втора"]);
    // A move changes no row's content: an edit form read before it still saves.
    let (first, version) = rows.iter().find(|(a, _)| a.text == "Първа").cloned().unwrap();
    let edited = NewActivity { text: "Първа, поправена".into(), ..NewActivity::from(&first) };
    store.update_plan_activity(&expert, first.id, version, &edited).await.unwrap();
    assert_eq!(texts().await, ["Трета", "Първа, поправена", "Втора"]);

    // Audited on the plan with the order before and after.
    let history = store.history("annual_plan", &plan.id.to_string()).await.unwrap();
    let reorders: Vec<_> = history.iter().filter(|e| e.action == "reorder").collect();
    assert_eq!(reorders.len(), 2);
    let ids = |order: &[&str]| order.iter().map(|t| id_of(t).get()).collect::<Vec<_>>();
    assert_eq!(
        reorders[0].old_value.as_ref().unwrap().0["order"],
        serde_json::json!(ids(&["Първа", "Втора", "Трета"]))
    );
    assert_eq!(
        reorders[0].new_value.as_ref().unwrap().0["order"],
        serde_json::json!(ids(&["Първа", "Трета", "Втора"]))
    );

    // Adopted, it is frozen.
    let decision = adopted_decision(store, "HKV34", "12").await;
    store.set_plan_status(&expert, plan.id, moved, PlanStatus::Adopted, Some(decision.id), None).await.unwrap();
    let (_, adopted) = store.plan(plan.id).await.unwrap();
    assert!(matches!(
        store.move_plan_activity(&expert, plan.id, id_of("Втора"), RowMove::Up, adopted).await,
        Err(StoreError::Invalid(_))
    ));
    assert_eq!(texts().await, ["Трета", "Първа, поправена", "Втора"]);
});

story!(a_plan_is_copied_as_the_start_of_next_years_without_its_monitoring, |db| {
    let store = &db.store;
    let expert = editor(store, "HKV34", "expert").await;
    let strategy = store
        .create_strategy(
            &expert,
            NewStrategy {
                area: area("HKV34"),
                title: "Стратегия 2024–2028".into(),
                period: YearRange::new(Year::new(2024).unwrap(), Year::new(2028).unwrap()).unwrap(),
                vision: None,
                level_names: LevelNames::new(vec!["Цел".into(), "Мярка".into()]).unwrap(),
                adopted_by: None,
                source: None,
            },
        )
        .await
        .unwrap();
    let goal = store.add_strategy_node(&expert, strategy.id, None, Some("1".into()), "Деца").await.unwrap();
    let plan = store
        .create_plan(
            &expert,
            NewPlan {
                area: area("HKV34"),
                year: Year::new(2025).unwrap(),
                title: "Годишен план за 2025 г.".into(),
                strategy: Some(strategy.id),
                generation: PlanGeneration::SocialServicesAct,
            },
        )
        .await
        .unwrap();
    let in_2025 = DeadlineContext::for_year(2025);
    for (text, deadline) in [("Първа", "31.10.2025г."), ("Втора", "Постоянен"), ("Трета", "II тримесечие")]
    {
        let row = NewActivity {
            deadline: Deadline::parse(deadline, &in_2025),
            strategy_node: Some(goal.id),
            ..activity(text, "")
        };
        store.add_plan_activity(&expert, plan.id, &row).await.unwrap();
    }
    let entry = NewPlanServiceEntry {
        part: PlanPart::NationalMap,
        service_type: ServiceTypeCode::parse("community_support_centre").unwrap(),
        name: "ЦОП Хасково".into(),
        settlement: Some("гр. Хасково".into()),
        max_users: 60,
        service: None,
        note: Some("разширение".into()),
    };
    store.add_plan_service_entry(&expert, plan.id, &entry).await.unwrap();
    let rows = store.plan_activities(plan.id).await.unwrap();
    let record = MonitoringRecord {
        id: MonitoringRecordId(0),
        activity: rows[0].0.id,
        period: DateRange::year(Year::new(2025).unwrap()),
        status: ActivityStatus::Done,
        progress: Progress::DONE,
        comment: Some("Изпълнено".into()),
        evidence: vec![],
    };
    store.record_monitoring(&expert, &record, None).await.unwrap();

    let next = store.copy_plan_to_next_year(&expert, plan.id).await.unwrap();
    assert_eq!((next.year.get(), next.status, next.version_no), (2026, PlanStatus::Draft, 1));
    assert_eq!(
        (next.area.clone(), next.strategy, next.generation),
        (plan.area.clone(), plan.strategy, plan.generation)
    );
    assert_eq!(next.title, "Годишен план за 2026 г.");
    let copied = store.plan_activities(next.id).await.unwrap();
    assert_eq!(copied.len(), 3);
    for ((old, _), (new, _)) in rows.iter().zip(&copied) {
        // Everything but the id, the plan and the deadline, which is a year later.
        let expected = PlanActivity { id: new.id, plan: next.id, deadline: old.deadline.a_year_later(), ..old.clone() };
        assert_eq!(new, &expected);
        assert!(store.monitoring_records(new.id).await.unwrap().is_empty(), "monitoring is not copied");
    }
    let deadlines: Vec<_> = copied.iter().map(|(a, _)| (a.deadline.raw().to_owned(), a.deadline.to())).collect();
    assert_eq!(
        deadlines,
        [
            ("31.10.2026г.".to_owned(), Some(day(2026, 10, 31))),
            ("Постоянен".to_owned(), None),
            ("II тримесечие".to_owned(), Some(day(2026, 6, 30)))
        ]
    );
    let entries = store.plan_service_entries(next.id).await.unwrap();
    assert_eq!(entries.iter().map(NewPlanServiceEntry::from).collect::<Vec<_>>(), [entry]);
    assert_eq!(store.monitoring_records(rows[0].0.id).await.unwrap().len(), 1, "the old plan keeps its own");
    let history = store.history("annual_plan", &next.id.to_string()).await.unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(
        (history[0].action.as_str(), &history[0].new_value.as_ref().unwrap().0["copied_from"]),
        ("copy", &serde_json::json!(plan.id))
    );

    // Once there is a plan for 2026, there is no second; nor by another municipality.
    assert!(matches!(store.copy_plan_to_next_year(&expert, plan.id).await, Err(StoreError::Duplicate { .. })));
    let other = editor(store, "SZR31", "other").await;
    assert!(matches!(store.copy_plan_to_next_year(&other, plan.id).await, Err(StoreError::Forbidden { .. })));
    assert_eq!(store.plans_of(&area("HKV34")).await.unwrap().len(), 2);
    // A superseded version is not copied: the version in force is.
    let (_, v) = store.plan(plan.id).await.unwrap();
    let decision = adopted_decision(store, "HKV34", "12").await;
    store.set_plan_status(&expert, plan.id, v, PlanStatus::Adopted, Some(decision.id), None).await.unwrap();
    let amended = store.amend_plan(&expert, plan.id).await.unwrap();
    let decision = adopted_decision(store, "HKV34", "13").await;
    store
        .set_plan_status(&expert, amended.id, RowVersion::FIRST, PlanStatus::Adopted, Some(decision.id), None)
        .await
        .unwrap();
    assert!(matches!(store.copy_plan_to_next_year(&expert, plan.id).await, Err(StoreError::Invalid(_))));
});

/// A plan of Хасково for `year` with one row and its record for the first quarter.
async fn monitored_row(store: &Store, expert: &Actor, year: i32) -> (PlanActivityId, MonitoringRecordId, RowVersion) {
    let plan = store
        .create_plan(
            expert,
            NewPlan {
                area: area("HKV34"),
                year: Year::new(year).unwrap(),
                title: format!("План {year}"),
                strategy: None,
                generation: PlanGeneration::ActivityTable,
            },
        )
        .await
        .unwrap();
    let row = store.add_plan_activity(expert, plan.id, &activity("Обучение", "Март")).await.unwrap();
    let record = MonitoringRecord {
        id: MonitoringRecordId(0),
        activity: row.id,
        period: DateRange::quarter(Year::new(year).unwrap(), 1).unwrap(),
        status: ActivityStatus::InProgress,
        progress: Progress::new(40).unwrap(),
        comment: None,
        evidence: vec![],
    };
    let (id, version) = store.record_monitoring(expert, &record, None).await.unwrap();
    (row.id, id, version)
}

story!(evidence_is_attached_to_a_monitoring_record_in_one_transaction, |db| {
    let store = &db.store;
    let expert = editor(store, "HKV34", "expert").await;
    let (row, record, version) = monitored_row(store, &expert, 2015).await;
    let protocol = "Протокол от обучението, 12.03.2015".as_bytes();

    let (document, version) =
        store.attach_evidence(&expert, record, version, "протокол.pdf", "application/pdf", protocol).await.unwrap();
    assert_eq!((document.file_name.as_str(), document.size_bytes), ("протокол.pdf", protocol.len() as i64));
    let files = store.evidence_of_activity(row).await.unwrap();
    assert_eq!(files.len(), 1);
    assert_eq!((files[0].record, files[0].added_by.as_deref()), (record, Some("Експерт HKV34")));
    let (stored, bytes) = store.evidence_content(row, document.id).await.unwrap().unwrap();
    assert_eq!((stored.media_type.as_str(), bytes.as_slice()), ("application/pdf", protocol));
    let (record_now, _) = store.monitoring_records(row).await.unwrap().remove(0);
    assert_eq!(record_now.evidence, [Evidence::Document { document: document.id, note: None }]);

    // From a page read before the first file: a conflict, and nothing of the second file is kept.
    let stale = store.attach_evidence(&expert, record, RowVersion::FIRST, "снимка.jpg", "image/jpeg", b"jpeg").await;
    assert!(matches!(stale, Err(StoreError::Conflict { .. })), "{stale:?}");
    let digest = |bytes: &[u8]| {
        use sha2::Digest;
        Sha256Hex::parse(sha2::Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect::<String>()).unwrap()
    };
    assert!(store.source_document_by_sha256(&digest(b"jpeg")).await.unwrap().is_none(), "no document left behind");
    assert!(store.source_document_by_sha256(&digest(protocol)).await.unwrap().is_some());
    assert_eq!(store.evidence_of_activity(row).await.unwrap().len(), 1);
    // Empty, too large, or by another municipality: refused.
    assert!(matches!(
        store.attach_evidence(&expert, record, version, "празен.txt", "text/plain", b"").await,
        Err(StoreError::Invalid(_))
    ));
    let huge = vec![0u8; MAX_EVIDENCE_BYTES + 1];
    assert!(matches!(
        store.attach_evidence(&expert, record, version, "голям.bin", "application/octet-stream", &huge).await,
        Err(StoreError::Invalid(_))
    ));
    let other = editor(store, "SZR31", "other").await;
    assert!(matches!(
        store.attach_evidence(&other, record, version, "чужд.txt", "text/plain", b"x").await,
        Err(StoreError::Forbidden { .. })
    ));
    // A second file; the same file again is the same document, listed once.
    let (photo, version) =
        store.attach_evidence(&expert, record, version, "снимка.jpg", "image/jpeg", b"jpeg").await.unwrap();
    let (again, _) =
        store.attach_evidence(&expert, record, version, "копие.pdf", "application/pdf", protocol).await.unwrap();
    assert_eq!(again.id, document.id);
    let names: Vec<String> =
        store.evidence_of_activity(row).await.unwrap().into_iter().map(|f| f.document.file_name).collect();
    assert_eq!(names, ["протокол.pdf", "снимка.jpg"]);
    // A file is reached only through an activity whose record names it.
    let (other_row, _, _) = monitored_row(store, &expert, 2016).await;
    assert!(store.evidence_content(other_row, photo.id).await.unwrap().is_none());
    // Audited on the record.
    let history = store.history("monitoring_record", &format!("{row}:2015-01-01..2015-03-31")).await.unwrap();
    let attached: Vec<_> = history.iter().filter(|e| e.action == "attach").collect();
    assert_eq!(attached.len(), 3);
    assert_eq!(attached[0].new_value.as_ref().unwrap().0["file_name"], "протокол.pdf");
});

story!(a_backup_carries_the_evidence_files, |db| {
    let store = &db.store;
    if db.postgres_url().is_some() && crate::which("pg_dump").is_none() {
        eprintln!("skipped: pg_dump is not installed");
        return;
    }
    let expert = editor(store, "HKV34", "expert").await;
    let (row, record, version) = monitored_row(store, &expert, 2015).await;
    let before = "Справка преди копието".as_bytes();
    let (kept, version) =
        store.attach_evidence(&expert, record, version, "справка.txt", "text/plain", before).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("grizha.backup");
    store.backup(&file, db.postgres_url()).await.unwrap();
    store.attach_evidence(&expert, record, version, "след.txt", "text/plain", b"after the backup").await.unwrap();
    store.restore(&file, db.postgres_url()).await.unwrap();
    let files = store.evidence_of_activity(row).await.unwrap();
    assert_eq!(files.iter().map(|f| f.document.file_name.as_str()).collect::<Vec<_>>(), ["справка.txt"]);
    let (_, bytes) = store.evidence_content(row, kept.id).await.unwrap().unwrap();
    assert_eq!(bytes, before);
});

story!(an_indicators_actual_value_is_entered_by_an_editor_of_its_area_only, |db| {
    let store = &db.store;
    let expert = editor(store, "HKV34", "expert").await;
    let strategy = store
        .create_strategy(
            &expert,
            NewStrategy {
                area: area("HKV34"),
                title: "Стратегия 2024–2028".into(),
                period: YearRange::new(Year::new(2024).unwrap(), Year::new(2028).unwrap()).unwrap(),
                vision: None,
                level_names: LevelNames::new(vec!["Цел".into()]).unwrap(),
                adopted_by: None,
                source: None,
            },
        )
        .await
        .unwrap();
    let indicator = store
        .add_indicator(
            &expert,
            strategy.id,
            NewIndicator {
                node: None,
                level: IndicatorLevel::Strategy,
                text: "Потребители на услуги в общността".into(),
                unit: Some("брой".into()),
                direction: Direction::Increase,
                aggregation: Aggregation::Latest,
                sources: vec![],
                verification: None,
                baseline: None,
            },
        )
        .await
        .unwrap();
    let value = |v: f64, comment: Option<&str>| {
        Some(MeasuredValue { value: v, comment: comment.map(str::to_owned), evidence: vec![] })
    };
    let year =
        IndicatorPeriod { period: DateRange::year(Year::new(2025).unwrap()), target: value(120.0, None), actual: None };
    let today = day(2026, 3, 1);
    let target_set = store.set_indicator_period(&expert, indicator.id, &year, None, today).await.unwrap();
    let with_actual = IndicatorPeriod { actual: value(131.0, Some("по данни на ДСП")), ..year.clone() };

    // A viewer of the region, or another municipality's editor, may not.
    let viewer = Actor::User(
        store
            .add_user(
                &SYSTEM,
                NewUser {
                    login: Login::parse("nabljudatel").unwrap(),
                    display_name: "Наблюдател".into(),
                    password: "дълга парола 123".into(),
                    role: Role::Viewer,
                    area: Some(area("HKV")),
                },
            )
            .await
            .unwrap(),
    );
    let other = editor(store, "SZR31", "other").await;
    for refused in [&viewer, &other] {
        assert!(matches!(
            store.set_indicator_period(refused, indicator.id, &with_actual, Some(target_set), today).await,
            Err(StoreError::Forbidden { .. })
        ));
    }
    // The region's monitoring unit may, over its municipality; then the editor's stale page conflicts.
    let region = editor(store, "HKV", "zmo").await;
    let saved = store.set_indicator_period(&region, indicator.id, &with_actual, Some(target_set), today).await.unwrap();
    let corrected = IndicatorPeriod { actual: value(129.0, None), ..year.clone() };
    assert!(matches!(
        store.set_indicator_period(&expert, indicator.id, &corrected, Some(target_set), today).await,
        Err(StoreError::Conflict { .. })
    ));
    store.set_indicator_period(&expert, indicator.id, &corrected, Some(saved), today).await.unwrap();
    let (stored, _) = store.indicator_periods(indicator.id).await.unwrap().remove(0);
    assert_eq!((stored.target.unwrap().value, stored.actual.unwrap().value), (120.0, 129.0));
    // Audited: who set what, the value before and after.
    let history = store.history("indicator_period", &format!("{}:2025-01-01..2025-12-31", indicator.id)).await.unwrap();
    let actions: Vec<(&str, &str)> = history.iter().map(|e| (e.action.as_str(), e.actor.as_str())).collect();
    assert_eq!(actions, [("create", "expert"), ("update", "zmo"), ("update", "expert")]);
    assert_eq!(history[2].old_value.as_ref().unwrap().0["actual"], 131.0);
});
