//! Sessions of signed-in users.
//!
//! Signing in gives the browser a random token (32 bytes from the operating system, hex) in a
//! cookie; the database keeps only the token's SHA-256, so a copy of the database signs nobody in.
//! Each session carries its own CSRF token, which every form of that session must send back.
//! A session ends at logout, when it expires, when it has not been used for [`IDLE_LIMIT`], and at
//! once when its account is disabled (the lookup checks the account every time).

use chrono::{DateTime, Duration, Utc};
use grizha_domain::user::User;
use sha2::{Digest, Sha256};

use crate::users::USER_COLUMNS_OF_U;
use crate::{Result, Store, StoreError, WritePool, on_pool};

/// How long a session lasts at most.
pub const SESSION_LIFETIME: Duration = Duration::hours(12);
/// A session unused for this long has ended.
pub const IDLE_LIMIT: Duration = Duration::hours(2);
/// A session's last use is written at most this often: reading pages does not write to the
/// database on every request (on SQLite every write waits for the disk and for the one writer),
/// and against an idle limit of two hours a minute's imprecision does not matter.
pub const TOUCH_INTERVAL: Duration = Duration::minutes(1);

/// A signed-in user's session, as a request finds it.
#[derive(Debug, Clone, PartialEq)]
pub struct Session {
    pub user: User,
    /// The token every form of this session carries (`<input type="hidden" name="csrf">`).
    pub csrf_token: String,
    pub expires_at: DateTime<Utc>,
}

/// 32 random bytes from the operating system, as 64 hex digits (session tokens, CSRF tokens).
pub fn random_token() -> Result<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| StoreError::Io(format!("no randomness from the system: {e}")))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

pub(crate) fn token_hash(token: &str) -> String {
    Sha256::digest(token.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

impl Store {
    /// Starts a session for `user` (who has just proved who they are); returns the token for the
    /// browser's cookie and the session.
    pub async fn start_session(&self, user: &User, now: DateTime<Utc>) -> Result<(String, Session)> {
        if user.disabled {
            return Err(StoreError::Forbidden { actor: user.login.to_string(), action: "sign in (disabled)".into() });
        }
        let token = random_token()?;
        let csrf_token = random_token()?;
        let expires_at = now + SESSION_LIFETIME;
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            sqlx::query(
                "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, last_seen_at, expires_at) \
                 VALUES ($1, $2, $3, $4, $4, $5)",
            )
            .bind(token_hash(&token))
            .bind(user.id.get())
            .bind(&csrf_token)
            .bind(now)
            .bind(expires_at)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
        });
        tracing::info!(login = %user.login, "signed in");
        Ok((token, Session { user: user.clone(), csrf_token, expires_at }))
    }

    /// The live session a cookie token names: not expired, not idle too long, its account enabled.
    /// Marks it used at `now` when its last use was written [`TOUCH_INTERVAL`] or more ago.
    pub async fn session(&self, token: &str, now: DateTime<Utc>) -> Result<Option<Session>> {
        if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Ok(None);
        }
        let hash = token_hash(token);
        let row: Option<SessionRow> = on_pool!(self, pool => sqlx::query_as(crate::sql!(
            "SELECT {USER_COLUMNS_OF_U}, s.csrf_token, s.expires_at, s.last_seen_at \
             FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1"
        ))
        .bind(&hash)
        .fetch_optional(pool)
        .await)?;
        let Some(row) = row else { return Ok(None) };
        let (user, csrf_token, expires_at, last_seen_at) = row.into_parts()?;
        if user.disabled || expires_at <= now || last_seen_at + IDLE_LIMIT <= now {
            self.end_session(token).await?;
            return Ok(None);
        }
        if now - last_seen_at >= TOUCH_INTERVAL {
            on_pool!(self, pool => {
                let mut tx = pool.begin_write().await?;
                sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2").bind(now).bind(&hash).execute(&mut *tx).await?;
                tx.commit().await?;
            });
        }
        Ok(Some(Session { user, csrf_token, expires_at }))
    }

    /// Ends the session a cookie token names (logout); ending an unknown session is not an error.
    pub async fn end_session(&self, token: &str) -> Result<()> {
        let hash = token_hash(token);
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            sqlx::query("DELETE FROM sessions WHERE token_hash = $1").bind(&hash).execute(&mut *tx).await?;
            tx.commit().await?;
        });
        Ok(())
    }

    /// Removes the sessions that have ended by `now`; returns how many. (Compared here, not in
    /// SQL: SQLite keeps times as text.)
    pub async fn end_expired_sessions(&self, now: DateTime<Utc>) -> Result<u64> {
        let sessions: Vec<(String, DateTime<Utc>, DateTime<Utc>)> = on_pool!(self, pool => sqlx::query_as(
            "SELECT token_hash, expires_at, last_seen_at FROM sessions"
        )
        .fetch_all(pool)
        .await)?;
        let ended: Vec<String> = sessions
            .into_iter()
            .filter(|(_, expires_at, last_seen_at)| *expires_at <= now || *last_seen_at + IDLE_LIMIT <= now)
            .map(|(hash, _, _)| hash)
            .collect();
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            for hash in &ended {
                sqlx::query("DELETE FROM sessions WHERE token_hash = $1").bind(hash).execute(&mut *tx).await?;
            }
            tx.commit().await?;
        });
        Ok(ended.len() as u64)
    }
}

#[derive(sqlx::FromRow)]
struct SessionRow {
    #[sqlx(flatten)]
    user: crate::users::UserRow,
    csrf_token: String,
    expires_at: DateTime<Utc>,
    last_seen_at: DateTime<Utc>,
}

impl SessionRow {
    fn into_parts(self) -> Result<(User, String, DateTime<Utc>, DateTime<Utc>)> {
        Ok((self.user.into_user()?, self.csrf_token, self.expires_at, self.last_seen_at))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_hex_and_only_their_hash_is_kept() {
        let a = random_token().unwrap();
        let b = random_token().unwrap();
        assert_ne!(a, b);
        assert_eq!(a.len(), 64);
        assert!(a.bytes().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(token_hash(&a), a);
        assert_eq!(token_hash(&a), token_hash(&a));
    }
}
