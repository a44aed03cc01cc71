//! The signed-in user's own account: `/account`, linked from the name in the header.
//!
//! Two sections:
//! - the password: the current password, the new one twice. A wrong current password counts as a
//!   failed login (the same throttle), so a session left open does not let anyone guess the
//!   password at speed. After a change the account's other sessions end; this one stays;
//! - API tokens for programs that use the JSON API as this user: named, shown once when made
//!   (the page that shows it is not a redirect target, so the secret is in no URL or history),
//!   listed with when they were made and last used, revocable.

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
    Router::new()
        .route("/account", get(account_page))
        .route("/account/password", post(change_password))
        .route("/account/tokens", post(create_token))
        .route("/account/tokens/{id}/revoke", post(revoke_token))
}

/// A token in the list of the account page.
struct TokenLine {
    id: i64,
    name: String,
    created: String,
    last_used: String,
    revoked: Option<String>,
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
    tokens: Vec<TokenLine>,
    /// A token just made: its secret, shown this once.
    new_token: Option<&'a str>,
}

async fn render(
    state: &AppState,
    signed_in: &SignedIn,
    status: StatusCode,
    notice: Option<&str>,
    problem: Option<&str>,
) -> Result<Response, WebError> {
    render_with_token(state, signed_in, status, notice, problem, None).await
}

async fn render_with_token(
    state: &AppState,
    signed_in: &SignedIn,
    status: StatusCode,
    notice: Option<&str>,
    problem: Option<&str>,
    new_token: Option<&str>,
) -> Result<Response, WebError> {
    let user = &signed_in.0.user;
    let day = |at: chrono::DateTime<chrono::Utc>| at.format("%d.%m.%Y %H:%M").to_string();
    let tokens = state
        .store
        .api_tokens_of(user.id)
        .await?
        .into_iter()
        .map(|t| TokenLine {
            id: t.id,
            name: t.name,
            created: day(t.created_at),
            last_used: t.last_used_at.map_or_else(|| "не е ползван".to_owned(), day),
            revoked: t.revoked_at.map(day),
        })
        .collect();
    let html = AccountPage {
        user_name: &user.display_name,
        csrf: &signed_in.0.csrf_token,
        login: user.login.as_str(),
        role: user.role.label_bg(),
        min_password_chars: MIN_PASSWORD_CHARS,
        notice,
        problem,
        tokens,
        new_token,
    }
    .render()
    .map_err(|e| WebError::Internal(e.to_string()))?;
    Ok((status, Html(html)).into_response())
}

#[derive(Deserialize)]
struct Shown {
    #[serde(default)]
    changed: Option<String>,
    #[serde(default)]
    revoked: Option<String>,
}

async fn account_page(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Query(shown): Query<Shown>,
) -> Result<Response, PageError> {
    let notice = match (shown.changed.is_some(), shown.revoked.is_some()) {
        (true, _) => Some("Паролата е сменена. Сесиите ви на други места са прекратени."),
        (_, true) => Some("Ключът е отменен; програмите, които го ползват, вече нямат достъп."),
        _ => None,
    };
    Ok(render(&state, &signed_in, StatusCode::OK, notice, None).await?)
}

#[derive(Deserialize)]
struct TokenForm {
    csrf: String,
    name: String,
}

/// Makes an API token and shows it once.
async fn create_token(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Form(form): Form<TokenForm>,
) -> Result<Response, PageError> {
    signed_in.check_csrf(&form.csrf)?;
    let actor = Actor::User(signed_in.0.user.clone());
    match state.store.create_api_token(&actor, &form.name, chrono::Utc::now()).await {
        Ok((secret, _)) => {
            let notice = "Ключът е създаден. Копирайте го сега — няма да бъде показан отново.";
            Ok(render_with_token(&state, &signed_in, StatusCode::CREATED, Some(notice), None, Some(&secret)).await?)
        }
        Err(StoreError::Invalid(_)) => {
            let problem = "Дайте име на ключа (до 100 знака), например името на програмата, която ще го ползва.";
            Ok(render(&state, &signed_in, StatusCode::UNPROCESSABLE_ENTITY, None, Some(problem)).await?)
        }
        Err(e) => Err(e.into()),
    }
}

async fn revoke_token(
    State(state): State<AppState>,
    signed_in: SignedIn,
    axum::extract::Path(id): axum::extract::Path<i64>,
    Form(form): Form<crate::auth::CsrfForm>,
) -> Result<Response, PageError> {
    signed_in.check_csrf(&form.csrf)?;
    state.store.revoke_api_token(&Actor::User(signed_in.0.user.clone()), id, chrono::Utc::now()).await?;
    let mut response = StatusCode::SEE_OTHER.into_response();
    response.headers_mut().insert(LOCATION, "/account?revoked=1".parse().expect("a local path"));
    Ok(response)
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
        return Ok(render(&state, &signed_in, StatusCode::TOO_MANY_REQUESTS, None, Some(message)).await?);
    }
    if let Some(problem) = new_password_problem(&form) {
        return Ok(render(&state, &signed_in, StatusCode::UNPROCESSABLE_ENTITY, None, Some(&problem)).await?);
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
            Ok(render(&state, &signed_in, StatusCode::UNPROCESSABLE_ENTITY, None, Some(message)).await?)
        }
        Err(StoreError::Invalid(_)) => {
            let message = format!("Новата парола трябва да е поне {MIN_PASSWORD_CHARS} знака.");
            Ok(render(&state, &signed_in, StatusCode::UNPROCESSABLE_ENTITY, None, Some(&message)).await?)
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
