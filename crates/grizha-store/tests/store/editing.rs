//! The editing stories of the web application, at the store: a user changes their password, a
//! draft plan's rows are reordered, a plan is copied as the start of the next year's, a file is
//! attached to a monitoring record as evidence, and an indicator's actual value is entered.

use chrono::{TimeZone, Utc};
use grizha_domain::ids::PlanActivityId;
use grizha_domain::plan::{PlanGeneration, PlanStatus, RowMove};
use grizha_domain::time::Year;
use grizha_domain::user::{Login, Role};
use grizha_store::{Actor, NewActivity, NewPlan, NewUser, PasswordChange, StoreError};

use crate::{SYSTEM, activity, adopted_decision, area, editor, story};

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
