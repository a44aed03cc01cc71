//! Signing in and out, and the signed-in user of a request.
//!
//! - The session lives in the store (`grizha_store::Session`); the browser holds its token in the
//!   cookie `grizha_session` (`HttpOnly`, `SameSite=Lax`, path `/`).
//! - CSRF: every form of a session carries the session's CSRF token and a write without it is
//!   refused (403). The login form, before any session, uses a double-submit token: a random value
//!   in the cookie `grizha_login` and the same in the form.
//! - A login that fails five times within fifteen minutes is refused for the rest of that window
//!   (429), whatever the password, so passwords cannot be guessed at speed; the message never says
//!   whether the login exists.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use askama::Template;
use axum::extract::{FromRequestParts, State};
use axum::http::header::{COOKIE, LOCATION, SET_COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use grizha_domain::user::Login;
use grizha_store::Session;
use serde::Deserialize;

use crate::{AppState, WebError};

pub const SESSION_COOKIE: &str = "grizha_session";
pub const LOGIN_COOKIE: &str = "grizha_login";

/// Failed logins allowed per login name within [`THROTTLE_WINDOW`].
pub const MAX_FAILED_LOGINS: usize = 5;
pub const THROTTLE_WINDOW: Duration = Duration::from_secs(15 * 60);

pub fn router() -> Router<AppState> {
    Router::new().route("/login", get(login_form).post(login)).route("/logout", post(logout))
}

/// The value of cookie `name` in a request's `Cookie` headers.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

fn set_cookie(name: &str, value: &str, max_age_seconds: i64) -> HeaderValue {
    HeaderValue::from_str(&format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_seconds}"))
        .expect("cookie names and hex tokens are valid header text")
}

/// Compares two tokens in time that does not depend on where they differ.
fn same_token(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A 303 to `to`, with extra headers.
fn see_other(to: &str, cookies: &[HeaderValue]) -> Response {
    let mut response = StatusCode::SEE_OTHER.into_response();
    response.headers_mut().insert(LOCATION, HeaderValue::from_str(to).expect("a local path"));
    for c in cookies {
        response.headers_mut().append(SET_COOKIE, c.clone());
    }
    response
}

/// The signed-in user of a request. A page that needs one sends a visitor without a live session
/// to the login page.
pub struct SignedIn(pub Session);

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let Some(token) = cookie(&parts.headers, SESSION_COOKIE) else {
            return Err(see_other("/login", &[]));
        };
        match state.store.session(&token, chrono::Utc::now()).await {
            Ok(Some(session)) => Ok(SignedIn(session)),
            Ok(None) => Err(see_other("/login", &[set_cookie(SESSION_COOKIE, "", 0)])),
            Err(e) => Err(WebError::from(e).into_response()),
        }
    }
}

impl SignedIn {
    /// Refuses a form whose CSRF token is not this session's.
    pub fn check_csrf(&self, sent: &str) -> Result<(), WebError> {
        if same_token(sent, &self.0.csrf_token) {
            Ok(())
        } else {
            Err(WebError::Forbidden("the form is stale or was not sent from Grizha; reload the page".into()))
        }
    }
}

/// Failed logins per login name, to slow down guessing.
#[derive(Clone, Default)]
pub struct LoginThrottle {
    failures: Arc<Mutex<HashMap<String, Vec<Instant>>>>,
}

impl LoginThrottle {
    pub(crate) fn blocked(&self, login: &str, now: Instant) -> bool {
        let mut failures = self.failures.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let recent = failures.entry(login.to_lowercase()).or_default();
        recent.retain(|at| now.duration_since(*at) < THROTTLE_WINDOW);
        recent.len() >= MAX_FAILED_LOGINS
    }
    pub(crate) fn failed(&self, login: &str, now: Instant) {
        let mut failures = self.failures.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        failures.entry(login.to_lowercase()).or_default().push(now);
        // Forget names with no failure in the window, so the map stays small.
        failures.retain(|_, at| at.iter().any(|t| now.duration_since(*t) < THROTTLE_WINDOW));
    }
    pub(crate) fn succeeded(&self, login: &str) {
        self.failures.lock().unwrap_or_else(std::sync::PoisonError::into_inner).remove(&login.to_lowercase());
    }
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage<'a> {
    csrf: &'a str,
    login: &'a str,
    problem: Option<&'a str>,
}

fn login_page(status: StatusCode, login: &str, problem: Option<&str>) -> Result<Response, WebError> {
    let csrf = grizha_store::random_token()?;
    let html = LoginPage { csrf: &csrf, login, problem }.render().map_err(|e| WebError::Internal(e.to_string()))?;
    let mut response = (status, Html(html)).into_response();
    response.headers_mut().append(SET_COOKIE, set_cookie(LOGIN_COOKIE, &csrf, 3600));
    Ok(response)
}

async fn login_form(headers: HeaderMap, State(state): State<AppState>) -> Result<Response, WebError> {
    // Already signed in: straight home.
    if let Some(token) = cookie(&headers, SESSION_COOKIE)
        && state.store.session(&token, chrono::Utc::now()).await?.is_some()
    {
        return Ok(see_other("/", &[]));
    }
    login_page(StatusCode::OK, "", None)
}

#[derive(Deserialize)]
struct LoginForm {
    csrf: String,
    login: String,
    password: String,
}

async fn login(
    headers: HeaderMap,
    State(state): State<AppState>,
    Form(form): Form<LoginForm>,
) -> Result<Response, WebError> {
    let expected = cookie(&headers, LOGIN_COOKIE).unwrap_or_default();
    if expected.is_empty() || !same_token(&form.csrf, &expected) {
        return login_page(StatusCode::FORBIDDEN, &form.login, Some("Формулярът е остарял. Опитайте отново."));
    }
    let now = Instant::now();
    let name = form.login.trim();
    if state.logins.blocked(name, now) {
        return login_page(
            StatusCode::TOO_MANY_REQUESTS,
            name,
            Some("Твърде много неуспешни опити. Опитайте отново след 15 минути."),
        );
    }
    let user = match Login::parse(name) {
        Ok(login) => state.store.verify_password(&login, &form.password).await?,
        Err(_) => None,
    };
    let Some(user) = user else {
        state.logins.failed(name, now);
        tracing::info!(login = %name, "failed login");
        return login_page(StatusCode::UNAUTHORIZED, name, Some("Грешно потребителско име или парола."));
    };
    state.logins.succeeded(name);
    let (token, session) = state.store.start_session(&user, chrono::Utc::now()).await?;
    let max_age = (session.expires_at - chrono::Utc::now()).num_seconds().max(0);
    Ok(see_other("/", &[set_cookie(SESSION_COOKIE, &token, max_age), set_cookie(LOGIN_COOKIE, "", 0)]))
}

#[derive(Deserialize)]
pub struct CsrfForm {
    pub csrf: String,
}

async fn logout(
    headers: HeaderMap,
    State(state): State<AppState>,
    signed_in: SignedIn,
    Form(form): Form<CsrfForm>,
) -> Result<Response, WebError> {
    signed_in.check_csrf(&form.csrf)?;
    if let Some(token) = cookie(&headers, SESSION_COOKIE) {
        state.store.end_session(&token).await?;
    }
    Ok(see_other("/login", &[set_cookie(SESSION_COOKIE, "", 0)]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_are_found_among_others() {
        let mut headers = HeaderMap::new();
        headers.append(COOKIE, HeaderValue::from_static("a=1; grizha_session=abc ; b=2"));
        assert_eq!(cookie(&headers, SESSION_COOKIE).as_deref(), Some("abc"));
        assert_eq!(cookie(&headers, "c"), None);
    }

    #[test]
    fn the_throttle_blocks_after_five_failures_in_the_window_and_forgets_after_it() {
        let throttle = LoginThrottle::default();
        let start = Instant::now();
        for _ in 0..MAX_FAILED_LOGINS {
            assert!(!throttle.blocked("Ivan", start));
            throttle.failed("ivan", start);
        }
        assert!(throttle.blocked("IVAN", start));
        assert!(!throttle.blocked("maria", start));
        assert!(!throttle.blocked("ivan", start + THROTTLE_WINDOW));
    }

    #[test]
    fn tokens_compare_whole() {
        assert!(same_token("abc", "abc"));
        assert!(!same_token("abc", "abd"));
        assert!(!same_token("abc", "ab"));
    }
}
