//! The editing stories of the web application, at the store: a user changes their password, a
//! draft plan's rows are reordered, a plan is copied as the start of the next year's, a file is
//! attached to a monitoring record as evidence, and an indicator's actual value is entered.

use chrono::{TimeZone, Utc};
use grizha_domain::user::{Login, Role};
use grizha_store::{Actor, NewUser, PasswordChange, StoreError};

use crate::{SYSTEM, area, story};

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
