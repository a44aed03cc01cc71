//! The signed-in user's own account: `/account`, linked from the name in the header.
//!
//! Today one section, the password: the current password, the new one twice. A wrong current
//! password counts as a failed login (the same throttle), so a session left open does not let
//! anyone guess the password at speed. After a change the account's other sessions end; this one
//! stays. Further sections (API tokens) are further fields of [`AccountPage`] and further
//! `<section>`s of `account_page.html`.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::header::LOCATION;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use grizha_store::{Actor, MIN_PASSWORD_CHARS, PasswordChange, StoreError};
use serde::Deserialize;

use crate::auth::{SESSION_COOKIE, SignedIn, cookie};
use crate::pages::PageError;
use crate::{AppState, WebError};

pub fn router() -> Router<AppState> {
    Router::new().route("/account", get(account_page)).route("/account/password", post(change_password))
}

#[derive(Template)]
#[template(path = "account_page.html")]
struct AccountPage<'a> {
    user_name: &'a str,
    csrf: &'a str,
    login: &'a str,
    role: &'static str,
    min_password_chars: usize,
    /// Said at the top of the page: what was done, or why not.
    notice: Option<&'a str>,
    problem: Option<&'a str>,
}

fn render(
    signed_in: &SignedIn,
    status: StatusCode,
    notice: Option<&str>,
    problem: Option<&str>,
) -> Result<Response, WebError> {
    let user = &signed_in.0.user;
    let html = AccountPage {
        user_name: &user.display_name,
        csrf: &signed_in.0.csrf_token,
        login: user.login.as_str(),
        role: user.role.label_bg(),
        min_password_chars: MIN_PASSWORD_CHARS,
        notice,
        problem,
    }
    .render()
    .map_err(|e| WebError::Internal(e.to_string()))?;
    Ok((status, Html(html)).into_response())
}

#[derive(Deserialize)]
struct Shown {
    #[serde(default)]
    changed: Option<String>,
}

async fn account_page(signed_in: SignedIn, Query(shown): Query<Shown>) -> Result<Response, PageError> {
    let notice = shown.changed.is_some().then_some("Паролата е сменена. Сесиите ви на други места са прекратени.");
    Ok(render(&signed_in, StatusCode::OK, notice, None)?)
}

#[derive(Deserialize)]
struct PasswordForm {
    csrf: String,
    current: String,
    new: String,
    repeated: String,
}

/// Why a new password is not accepted, in the words the page uses; `None` when it is.
fn new_password_problem(form: &PasswordForm) -> Option<String> {
    if form.new.chars().count() < MIN_PASSWORD_CHARS {
        return Some(format!("Новата парола трябва да е поне {MIN_PASSWORD_CHARS} знака."));
    }
    if form.new != form.repeated {
        return Some("Новата парола и повторението ѝ не съвпадат.".to_owned());
    }
    if form.new == form.current {
        return Some("Новата парола трябва да е различна от текущата.".to_owned());
    }
    None
}

async fn change_password(
    State(state): State<AppState>,
    headers: HeaderMap,
    signed_in: SignedIn,
    Form(form): Form<PasswordForm>,
) -> Result<Response, PageError> {
    signed_in.check_csrf(&form.csrf)?;
    let login = signed_in.0.user.login.to_string();
    let now = std::time::Instant::now();
    if state.logins.blocked(&login, now) {
        let message = "Твърде много грешни пароли. Опитайте отново след 15 минути.";
        return Ok(render(&signed_in, StatusCode::TOO_MANY_REQUESTS, None, Some(message))?);
    }
    if let Some(problem) = new_password_problem(&form) {
        return Ok(render(&signed_in, StatusCode::UNPROCESSABLE_ENTITY, None, Some(&problem))?);
    }
    let token = cookie(&headers, SESSION_COOKIE).unwrap_or_default();
    let actor = Actor::User(signed_in.0.user.clone());
    match state.store.change_password(&actor, &form.current, &form.new, &token).await {
        Ok(PasswordChange::Changed { .. }) => {
            state.logins.succeeded(&login);
            let mut response = StatusCode::SEE_OTHER.into_response();
            response.headers_mut().insert(LOCATION, "/account?changed=1".parse().expect("a local path"));
            Ok(response)
        }
        Ok(PasswordChange::WrongCurrentPassword) => {
            state.logins.failed(&login, now);
            let message = "Текущата парола е грешна. Паролата не е сменена.";
            Ok(render(&signed_in, StatusCode::UNPROCESSABLE_ENTITY, None, Some(message))?)
        }
        Err(StoreError::Invalid(_)) => {
            let message = format!("Новата парола трябва да е поне {MIN_PASSWORD_CHARS} знака.");
            Ok(render(&signed_in, StatusCode::UNPROCESSABLE_ENTITY, None, Some(&message))?)
        }
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(current: &str, new: &str, repeated: &str) -> PasswordForm {
        PasswordForm { csrf: String::new(), current: current.into(), new: new.into(), repeated: repeated.into() }
    }

    #[test]
    fn a_new_password_is_long_enough_typed_twice_alike_and_not_the_old_one() {
        assert_eq!(new_password_problem(&form("стара парола", "нова парола 1", "нова парола 1")), None);
        // Ten letters of Cyrillic are ten characters, though twenty bytes.
        assert_eq!(new_password_problem(&form("стара парола", "абвгдежзий", "абвгдежзий")), None);
        assert!(
            new_password_problem(&form("стара парола", "абвгдежзи", "абвгдежзи")).unwrap().contains("поне 10 знака")
        );
        assert!(
            new_password_problem(&form("стара парола", "нова парола 1", "нова парола 2"))
                .unwrap()
                .contains("не съвпадат")
        );
        assert!(new_password_problem(&form("една и съща", "една и съща", "една и съща")).unwrap().contains("различна"));
    }
}
