//! Tokens for the JSON API.
//!
//! A user makes a token on their account page, names it after the program that will use it, and
//! sees it once: `grizha_` and 64 hex digits. The database keeps only its SHA-256, like a session's.
//! A request with `Authorization: Bearer <token>` acts as the token's user, with that user's role
//! and area; a revoked token, or one of a disabled account, signs nobody in.

use chrono::{DateTime, Duration, Utc};
use grizha_domain::Invalid;
use grizha_domain::ids::UserId;
use grizha_domain::user::User;
use serde::Serialize;

use crate::audit::{audit, snapshot};
use crate::sessions::token_hash;
use crate::users::USER_COLUMNS_OF_U;
use crate::{Actor, Result, Store, StoreError, WritePool, on_pool, random_token};

/// What every API token starts with, so a leaked one is recognisable (and greppable).
pub const API_TOKEN_PREFIX: &str = "grizha_";

/// The last use is written at most this often, so reading through the API stays a read.
const LAST_USE_GRANULARITY: Duration = Duration::minutes(5);

/// A token as its owner sees it in the list: never the secret itself.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ApiToken {
    pub id: i64,
    pub user: UserId,
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

#[derive(sqlx::FromRow)]
struct ApiTokenRow {
    id: i64,
    user_id: i64,
    name: String,
    created_at: DateTime<Utc>,
    last_used_at: Option<DateTime<Utc>>,
    revoked_at: Option<DateTime<Utc>>,
}

impl From<ApiTokenRow> for ApiToken {
    fn from(r: ApiTokenRow) -> Self {
        ApiToken {
            id: r.id,
            user: UserId(r.user_id),
            name: r.name,
            created_at: r.created_at,
            last_used_at: r.last_used_at,
            revoked_at: r.revoked_at,
        }
    }
}

const TOKEN_COLUMNS: &str = "id, user_id, name, created_at, last_used_at, revoked_at";

#[derive(sqlx::FromRow)]
struct TokenUserRow {
    #[sqlx(flatten)]
    user: crate::users::UserRow,
    token_id: i64,
    last_used_at: Option<DateTime<Utc>>,
    revoked_at: Option<DateTime<Utc>>,
}

impl Store {
    /// Makes a token for the acting user; returns the secret (shown once) and the token's record.
    pub async fn create_api_token(&self, actor: &Actor, name: &str, now: DateTime<Utc>) -> Result<(String, ApiToken)> {
        let Actor::User(user) = actor else {
            return Err(Invalid::new("API token", "belongs to a user", "").into());
        };
        if user.disabled {
            return Err(StoreError::Forbidden { actor: user.login.to_string(), action: "make API tokens".into() });
        }
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 100 {
            return Err(Invalid::new("API token", "needs a name of 1 to 100 characters", name).into());
        }
        let secret = format!("{API_TOKEN_PREFIX}{}", random_token()?);
        let token = on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO api_tokens (user_id, name, token_hash, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
            )
            .bind(user.id.get())
            .bind(name)
            .bind(token_hash(&secret))
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
            let token = ApiToken { id, user: user.id, name: name.to_owned(), created_at: now, last_used_at: None, revoked_at: None };
            audit!(tx, actor, "api_token", id, "create", None, snapshot(&token));
            tx.commit().await?;
            token
        });
        Ok((secret, token))
    }

    /// The user's tokens, newest first, revoked ones included.
    pub async fn api_tokens_of(&self, user: UserId) -> Result<Vec<ApiToken>> {
        let rows: Vec<ApiTokenRow> = on_pool!(self, pool => sqlx::query_as(crate::sql!(
            "SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE user_id = $1 ORDER BY id DESC"
        )).bind(user.get()).fetch_all(pool).await)?;
        Ok(rows.into_iter().map(ApiToken::from).collect())
    }

    /// Revokes one of the acting user's tokens (an administrator may revoke anyone's).
    pub async fn revoke_api_token(&self, actor: &Actor, id: i64, now: DateTime<Utc>) -> Result<ApiToken> {
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let row: Option<ApiTokenRow> = sqlx::query_as(crate::sql!("SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE id = $1"))
                .bind(id).fetch_optional(&mut *tx).await?;
            let before = ApiToken::from(row.ok_or_else(|| StoreError::NotFound { entity: "API token", id: id.to_string() })?);
            let own = actor.user() == Some(before.user);
            if !own {
                actor.authorise_admin("revoke another user's API token")?;
            }
            if before.revoked_at.is_some() {
                return Ok(before);
            }
            sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE id = $2").bind(now).bind(id).execute(&mut *tx).await?;
            let after = ApiToken { revoked_at: Some(now), ..before.clone() };
            audit!(tx, actor, "api_token", id, "revoke", snapshot(&before), snapshot(&after));
            tx.commit().await?;
            Ok(after)
        })
    }

    /// The user a bearer token acts for: a token that exists, is not revoked, and whose account is
    /// enabled. Notes its use (at most every few minutes).
    pub async fn api_token_user(&self, secret: &str, now: DateTime<Utc>) -> Result<Option<User>> {
        let Some(hex) = secret.strip_prefix(API_TOKEN_PREFIX) else { return Ok(None) };
        if hex.len() != 64 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Ok(None);
        }
        let hash = token_hash(secret);
        let row: Option<TokenUserRow> = on_pool!(self, pool => sqlx::query_as(crate::sql!(
            "SELECT {USER_COLUMNS_OF_U}, t.id AS token_id, t.last_used_at, t.revoked_at \
             FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = $1"
        )).bind(&hash).fetch_optional(pool).await)?;
        let Some(row) = row else { return Ok(None) };
        let user = row.user.into_user()?;
        if user.disabled || row.revoked_at.is_some() {
            return Ok(None);
        }
        if row.last_used_at.is_none_or(|at| at + LAST_USE_GRANULARITY <= now) {
            on_pool!(self, pool => {
                let mut tx = pool.begin_write().await?;
                sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2").bind(now).bind(row.token_id).execute(&mut *tx).await?;
                tx.commit().await?;
            });
        }
        Ok(Some(user))
    }
}
