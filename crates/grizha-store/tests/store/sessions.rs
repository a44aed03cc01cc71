//! Sessions: signing in, finding the session a cookie names, expiry, idleness, logout, and an
//! account disabled while signed in.

use chrono::{Duration, TimeZone, Utc};
use grizha_domain::user::{Login, Role};
use grizha_store::{Actor, IDLE_LIMIT, NewUser, SESSION_LIFETIME, TOUCH_INTERVAL};

use crate::story;

const SYSTEM: Actor = Actor::System("test");

story!(a_session_lives_until_logout_expiry_or_idleness, |db| {
    let store = &db.store;
    let user = store
        .add_user(
            &SYSTEM,
            NewUser {
                login: Login::parse("ekspert").unwrap(),
                display_name: "Експерт".into(),
                password: "дълга парола 123".into(),
                role: Role::MunicipalEditor,
                area: Some(grizha_domain::geography::AreaCode::parse("HKV34").unwrap()),
            },
        )
        .await
        .unwrap();
    let morning = Utc.with_ymd_and_hms(2026, 11, 23, 8, 0, 0).unwrap();

    let (token, session) = store.start_session(&user, morning).await.unwrap();
    assert_eq!(session.user, user);
    assert_eq!(session.expires_at, morning + SESSION_LIFETIME);
    // The cookie's token finds the session; the stored hash, a guess or junk do not.
    let found = store.session(&token, morning + Duration::minutes(5)).await.unwrap().unwrap();
    assert_eq!((found.user.id, &found.csrf_token), (user.id, &session.csrf_token));
    assert_eq!(store.session(&"0".repeat(64), morning).await.unwrap(), None);
    assert_eq!(store.session("'; DROP TABLE sessions; --", morning).await.unwrap(), None);
    // Two sessions of one user are two tokens with two CSRF tokens.
    let (second, other) = store.start_session(&user, morning).await.unwrap();
    assert_ne!((&second, &other.csrf_token), (&token, &session.csrf_token));

    // Used within the idle limit, it lives on; unused for longer, it has ended.
    let mut now = morning;
    for _ in 0..5 {
        now += IDLE_LIMIT - Duration::minutes(1);
        assert!(store.session(&token, now).await.unwrap().is_some(), "at {now}");
    }
    assert!(store.session(&second, now).await.unwrap().is_none(), "idle since the morning");
    // At its end of life it has ended, however busy.
    assert!(store.session(&token, morning + SESSION_LIFETIME).await.unwrap().is_none());

    // Logout ends it at once; ending it again is no error.
    let (token, _) = store.start_session(&user, now).await.unwrap();
    store.end_session(&token).await.unwrap();
    store.end_session(&token).await.unwrap();
    assert!(store.session(&token, now).await.unwrap().is_none());

    // Housekeeping removes what has ended and keeps what lives.
    let (live, _) = store.start_session(&user, now).await.unwrap();
    let (_stale, _) = store.start_session(&user, now - IDLE_LIMIT - Duration::minutes(1)).await.unwrap();
    assert_eq!(store.end_expired_sessions(now).await.unwrap(), 1);
    assert!(store.session(&live, now).await.unwrap().is_some());
});

story!(reading_pages_writes_a_sessions_last_use_at_most_once_a_minute, |db| {
    let store = &db.store;
    let user = store
        .add_user(
            &SYSTEM,
            NewUser {
                login: Login::parse("chitatel").unwrap(),
                display_name: "Читател".into(),
                password: "дълга парола 123".into(),
                role: Role::MunicipalEditor,
                area: Some(grizha_domain::geography::AreaCode::parse("HKV34").unwrap()),
            },
        )
        .await
        .unwrap();
    let morning = Utc.with_ymd_and_hms(2026, 11, 23, 8, 0, 0).unwrap();
    let (quick, _) = store.start_session(&user, morning).await.unwrap();
    let (later, _) = store.start_session(&user, morning).await.unwrap();
    // Used again within the minute: not written, so its idle time still counts from 8:00.
    let soon = morning + TOUCH_INTERVAL - Duration::seconds(1);
    assert!(store.session(&quick, soon).await.unwrap().is_some());
    assert!(store.session(&quick, morning + IDLE_LIMIT).await.unwrap().is_none(), "idle since 8:00");
    // Used a minute later: written, so it lives two hours from then.
    let minute = morning + TOUCH_INTERVAL;
    assert!(store.session(&later, minute).await.unwrap().is_some());
    assert!(store.session(&later, minute + IDLE_LIMIT - Duration::seconds(1)).await.unwrap().is_some());
});

story!(a_disabled_account_signs_in_nowhere, |db| {
    let store = &db.store;
    let mut user = store
        .add_user(
            &SYSTEM,
            NewUser {
                login: Login::parse("zatvoren").unwrap(),
                display_name: "Затворен акаунт".into(),
                password: "дълга парола 123".into(),
                role: Role::Viewer,
                area: Some(grizha_domain::geography::AreaCode::parse("HKV").unwrap()),
            },
        )
        .await
        .unwrap();
    let now = Utc.with_ymd_and_hms(2026, 11, 23, 8, 0, 0).unwrap();
    user.disabled = true;
    assert!(store.start_session(&user, now).await.is_err());
});

story!(an_api_token_acts_for_its_user_until_revoked_and_only_its_owner_or_an_administrator_revokes_it, |db| {
    let store = &db.store;
    let user_of = |login: &str, role: Role, area: Option<&str>| NewUser {
        login: Login::parse(login).unwrap(),
        display_name: login.into(),
        password: "дълга парола 123".into(),
        role,
        area: area.map(|a| grizha_domain::geography::AreaCode::parse(a).unwrap()),
    };
    let expert = store.add_user(&SYSTEM, user_of("ekspert", Role::MunicipalEditor, Some("HKV34"))).await.unwrap();
    let other = store.add_user(&SYSTEM, user_of("drug", Role::MunicipalEditor, Some("SZR31"))).await.unwrap();
    let admin = store.add_user(&SYSTEM, user_of("admin", Role::Administrator, None)).await.unwrap();
    let now = Utc.with_ymd_and_hms(2026, 11, 23, 8, 0, 0).unwrap();

    let (secret, token) =
        store.create_api_token(&Actor::User(expert.clone()), "  отчетна таблица ", now).await.unwrap();
    assert!(secret.starts_with(grizha_store::API_TOKEN_PREFIX) && secret.len() == 71);
    assert_eq!(token.name, "отчетна таблица");
    assert!(store.create_api_token(&Actor::User(expert.clone()), " ", now).await.is_err(), "a token needs a name");
    assert!(store.create_api_token(&SYSTEM, "script", now).await.is_err(), "a token belongs to a user");

    // The secret finds its user and notes the use; a guess, junk or a session-like token do not.
    assert_eq!(store.api_token_user(&secret, now).await.unwrap(), Some(expert.clone()));
    assert_eq!(store.api_tokens_of(expert.id).await.unwrap()[0].last_used_at, Some(now));
    let guess = format!("{}{}", grizha_store::API_TOKEN_PREFIX, "0".repeat(64));
    assert_eq!(store.api_token_user(&guess, now).await.unwrap(), None);
    assert_eq!(store.api_token_user("'; DROP TABLE api_tokens; --", now).await.unwrap(), None);
    assert_eq!(store.api_token_user(&secret[7..], now).await.unwrap(), None);

    // Another editor cannot revoke it; its owner can, and then it signs nobody in.
    assert!(matches!(
        store.revoke_api_token(&Actor::User(other.clone()), token.id, now).await,
        Err(grizha_store::StoreError::Forbidden { .. })
    ));
    let revoked = store.revoke_api_token(&Actor::User(expert.clone()), token.id, now).await.unwrap();
    assert_eq!(revoked.revoked_at, Some(now));
    assert_eq!(store.api_token_user(&secret, now).await.unwrap(), None);

    // An administrator may revoke anyone's; the list keeps revoked tokens, newest first.
    let (_, second) = store.create_api_token(&Actor::User(expert.clone()), "втори", now).await.unwrap();
    store.revoke_api_token(&Actor::User(admin), second.id, now).await.unwrap();
    let names: Vec<_> =
        store.api_tokens_of(expert.id).await.unwrap().into_iter().map(|t| (t.name, t.revoked_at.is_some())).collect();
    assert_eq!(names, [("втори".to_owned(), true), ("отчетна таблица".to_owned(), true)]);
    assert_eq!(store.history("api_token", &token.id.to_string()).await.unwrap().len(), 2);
});
