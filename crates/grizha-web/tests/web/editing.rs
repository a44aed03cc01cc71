//! The editing stories: a user changes their password, reorders the rows of a draft plan, copies a
//! plan as the start of next year's, attaches evidence to monitoring, and enters the actual values
//! of a strategy's indicators.

use super::*;

#[tokio::test]
async fn a_user_changes_their_password_and_is_signed_out_everywhere_else() {
    let app = app().await;
    let here = app.session("ekspert", PASSWORD).await;
    let elsewhere = app.session("ekspert", PASSWORD).await;
    // The name in the header leads to the account page.
    let home = app.get("/", &here).await;
    assert!(home.body.contains("<a href=\"/account\""), "{}", home.body);
    let page = app.get("/account", &here).await;
    assert_eq!(page.status, StatusCode::OK);
    for label in ["Текуща парола", "Нова парола", "Новата парола още веднъж"]
    {
        assert!(page.body.contains(label), "{label}");
    }
    let csrf = page.csrf();
    let change = |current: &'static str, new: &'static str, repeated: &'static str, csrf: String| {
        let app = &app;
        let here = here.clone();
        async move {
            app.post(
                "/account/password",
                &here,
                &[("csrf", &csrf), ("current", current), ("new", new), ("repeated", repeated)],
            )
            .await
        }
    };

    // Too short, typed differently, or the wrong current password: said, and nothing changes.
    let short = change(PASSWORD, "кратка", "кратка", csrf.clone()).await;
    assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(short.body.contains("поне 10 знака"), "{}", short.body);
    let mismatch = change(PASSWORD, "нова дълга парола", "нова дълга парола!", csrf.clone()).await;
    assert!(mismatch.body.contains("не съвпадат"), "{}", mismatch.body);
    let wrong = change("не е паролата", "нова дълга парола", "нова дълга парола", csrf.clone()).await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong.body.contains("Текущата парола е грешна"), "{}", wrong.body);
    // A form without the session's token is refused.
    let forged = change(PASSWORD, "нова дълга парола", "нова дълга парола", "0".repeat(64)).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert_eq!(app.get("/", &elsewhere).await.status, StatusCode::OK, "nothing has changed yet");

    let changed = change(PASSWORD, "нова дълга парола", "нова дълга парола", csrf.clone()).await;
    assert_eq!((changed.status, changed.location.as_deref()), (StatusCode::SEE_OTHER, Some("/account?changed=1")));
    let after = app.get("/account?changed=1", &here).await;
    assert!(after.body.contains("Паролата е сменена"), "{}", after.body);
    // This session stays; the other one has ended.
    assert_eq!(app.get("/", &here).await.status, StatusCode::OK);
    assert_eq!(app.get("/", &elsewhere).await.location.as_deref(), Some("/login"));
    // The old password no longer signs in; the new one does.
    assert_eq!(app.sign_in("ekspert", PASSWORD).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(app.sign_in("ekspert", "нова дълга парола").await.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn guessing_the_current_password_on_the_account_page_is_throttled_like_a_login() {
    let app = app().await;
    let session = app.session("ekspert", PASSWORD).await;
    let csrf = app.get("/account", &session).await.csrf();
    let attempt = |current: &'static str| {
        let (app, session, csrf) = (&app, session.clone(), csrf.clone());
        async move {
            app.post(
                "/account/password",
                &session,
                &[
                    ("csrf", &csrf),
                    ("current", current),
                    ("new", "нова дълга парола"),
                    ("repeated", "нова дълга парола"),
                ],
            )
            .await
        }
    };
    for _ in 0..5 {
        assert_eq!(attempt("грешна парола").await.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let blocked = attempt(PASSWORD).await;
    assert_eq!(blocked.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(blocked.body.contains("Твърде много грешни пароли"), "{}", blocked.body);
    // Signing in is blocked too (the same count), and the password has not changed.
    assert_eq!(app.sign_in("ekspert", PASSWORD).await.status, StatusCode::TOO_MANY_REQUESTS);
    let login = Login::parse("ekspert").unwrap();
    assert!(app.state.store.verify_password(&login, PASSWORD).await.unwrap().is_some());
}
