//! Accounts: argon2-hashed passwords, a role and the area the user works for.

use argon2::{Argon2, PasswordHasher, PasswordVerifier};
use grizha_domain::Invalid;
use grizha_domain::geography::AreaCode;
use grizha_domain::ids::UserId;
use grizha_domain::user::{Login, Role, User};

use crate::audit::{audit, snapshot};
use crate::sessions::token_hash;
use crate::sql;
use crate::{Actor, Result, Store, StoreError, WritePool, on_pool, stored};

pub struct NewUser {
    pub login: Login,
    pub display_name: String,
    pub password: String,
    pub role: Role,
    pub area: Option<AreaCode>,
}

impl std::fmt::Debug for NewUser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewUser")
            .field("login", &self.login)
            .field("role", &self.role)
            .field("area", &self.area)
            .finish_non_exhaustive()
    }
}

pub const MIN_PASSWORD_CHARS: usize = 10;

/// What became of a request to change one's password.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordChange {
    /// The new password is in force; the account's other sessions (this many) have ended.
    Changed { other_sessions_ended: u64 },
    /// The current password given was not the account's: nothing changed.
    WrongCurrentPassword,
}

fn hash_password(password: &str) -> Result<String> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(Invalid::new("password", "must be at least 10 characters", "").into());
    }
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| StoreError::Io(format!("cannot hash the password: {e}")))
}

#[derive(sqlx::FromRow)]
pub(crate) struct UserRow {
    id: i64,
    login: String,
    display_name: String,
    role: String,
    area_code: Option<String>,
    disabled: bool,
    organisation_id: Option<i64>,
}

impl UserRow {
    pub(crate) fn into_user(self) -> Result<User> {
        Ok(User {
            id: UserId(self.id),
            login: stored("user", Login::parse(&self.login))?,
            display_name: self.display_name,
            role: stored("user", self.role.parse())?,
            area: self.area_code.map(|a| stored("user", AreaCode::parse(&a))).transpose()?,
            disabled: self.disabled,
            organisation: self.organisation_id.map(grizha_domain::ids::OrganisationId),
        })
    }
}

const USER_COLUMNS: &str = "id, login, display_name, role, area_code, disabled, organisation_id";
/// The same columns from `users u`, for joins.
pub(crate) const USER_COLUMNS_OF_U: &str =
    "u.id, u.login, u.display_name, u.role, u.area_code, u.disabled, u.organisation_id";

impl Store {
    /// Adds an account. Only an administrator (or the operator, as the system) may.
    pub async fn add_user(&self, actor: &Actor, new: NewUser) -> Result<User> {
        actor.authorise_admin("add users")?;
        if new.role != Role::Administrator && new.area.is_none() {
            return Err(Invalid::new(
                "user",
                "every role but administrator works for a municipality or region",
                new.role.as_str(),
            )
            .into());
        }
        if new.display_name.trim().is_empty() {
            return Err(Invalid::new("user", "needs a name", "").into());
        }
        let hash = hash_password(&new.password)?;
        let area = new.area.as_ref().map(|a| a.as_str().to_owned());
        let user = on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO users (login, display_name, password_hash, role, area_code, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            )
            .bind(new.login.as_str())
            .bind(new.display_name.trim())
            .bind(&hash)
            .bind(new.role.as_str())
            .bind(&area)
            .bind(chrono::Utc::now())
            .fetch_one(&mut *tx)
            .await
            .map_err(|e| match StoreError::from(e) {
                StoreError::Duplicate { .. } => StoreError::Duplicate { what: "login", key: new.login.to_string() },
                other => other,
            })?;
            let user = User { id: UserId(id), login: new.login.clone(), display_name: new.display_name.trim().to_owned(), role: new.role, area: new.area.clone(), disabled: false, organisation: None };
            audit!(tx, actor, "user", id, "create", None, snapshot(&user));
            tx.commit().await?;
            user
        });
        Ok(user)
    }

    pub async fn user_by_login(&self, login: &Login) -> Result<Option<User>> {
        let row: Option<UserRow> = on_pool!(self, pool => sqlx::query_as(sql!("SELECT {USER_COLUMNS} FROM users WHERE login = $1")).bind(login.as_str()).fetch_optional(pool).await)?;
        row.map(UserRow::into_user).transpose()
    }

    /// The user whose login and password match, if the account is enabled. Runs a hash check even
    /// for an unknown login, so the answer's timing does not tell which logins exist.
    pub async fn verify_password(&self, login: &Login, password: &str) -> Result<Option<User>> {
        let row: Option<(String, i64)> = on_pool!(self, pool => sqlx::query_as("SELECT password_hash, id FROM users WHERE login = $1").bind(login.as_str()).fetch_optional(pool).await)?;
        const DUMMY: &str =
            "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$G6ZqgIlU3OXqvBSO0cJbDr0ZEFxvakdvBTGwhFqVsgY";
        let hash = row.as_ref().map_or(DUMMY, |(h, _)| h.as_str());
        let ok = Argon2::default().verify_password(password.as_bytes(), hash).is_ok();
        if !ok || row.is_none() {
            return Ok(None);
        }
        Ok(self.user_by_login(login).await?.filter(|u| !u.disabled))
    }

    /// A signed-in user changes their own password: `current` must be the password in force, `new`
    /// at least [`MIN_PASSWORD_CHARS`] characters. In one transaction the hash is replaced (only if
    /// it is still the one `current` was checked against), every session of the account but
    /// `keep_session` (the cookie token of the session asking) ends, and the change is audited —
    /// without any hash.
    pub async fn change_password(
        &self,
        actor: &Actor,
        current: &str,
        new: &str,
        keep_session: &str,
    ) -> Result<PasswordChange> {
        let Actor::User(user) = actor else {
            return Err(StoreError::Forbidden {
                actor: actor.label(),
                action: "change a password (only the account's own user does)".into(),
            });
        };
        let hash: Option<String> = on_pool!(self, pool => sqlx::query_scalar("SELECT password_hash FROM users WHERE id = $1 AND NOT disabled")
            .bind(user.id.get()).fetch_optional(pool).await)?;
        let Some(old_hash) = hash else {
            return Err(StoreError::Forbidden {
                actor: actor.label(),
                action: "change the password of a disabled account".into(),
            });
        };
        // Checked outside the transaction: hashing takes a while and must not hold the write lock.
        if Argon2::default().verify_password(current.as_bytes(), old_hash.as_str()).is_err() {
            return Ok(PasswordChange::WrongCurrentPassword);
        }
        let new_hash = hash_password(new)?;
        let keep = token_hash(keep_session);
        let change = on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let updated = sqlx::query("UPDATE users SET password_hash = $1, version = version + 1 WHERE id = $2 AND password_hash = $3")
                .bind(&new_hash).bind(user.id.get()).bind(&old_hash).execute(&mut *tx).await?;
            if updated.rows_affected() != 1 {
                // Changed meanwhile (another tab): `current` is no longer the password in force.
                return Ok(PasswordChange::WrongCurrentPassword);
            }
            let ended = sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2")
                .bind(user.id.get()).bind(&keep).execute(&mut *tx).await?.rows_affected();
            audit!(tx, actor, "user", user.id.get(), "password", None, snapshot(&serde_json::json!({"password": "changed", "other_sessions_ended": ended})));
            tx.commit().await?;
            PasswordChange::Changed { other_sessions_ended: ended }
        });
        tracing::info!(login = %user.login, "password changed");
        Ok(change)
    }

    /// Links a provider's account to the organisation it works for (or unlinks it). Only an
    /// administrator (or the operator) may.
    pub async fn set_user_organisation(
        &self,
        actor: &Actor,
        user: UserId,
        organisation: Option<grizha_domain::ids::OrganisationId>,
    ) -> Result<()> {
        actor.authorise_admin("link accounts to organisations")?;
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let old: Option<Option<i64>> = sqlx::query_scalar("SELECT organisation_id FROM users WHERE id = $1")
                .bind(user.get()).fetch_optional(&mut *tx).await?;
            let old = old.ok_or(StoreError::NotFound { entity: "user", id: user.to_string() })?;
            sqlx::query("UPDATE users SET organisation_id = $1 WHERE id = $2")
                .bind(organisation.map(|o| o.get())).bind(user.get()).execute(&mut *tx).await?;
            audit!(tx, actor, "user", user.get(), "update", snapshot(&serde_json::json!({"organisation": old})), snapshot(&serde_json::json!({"organisation": organisation})));
            tx.commit().await?;
        });
        Ok(())
    }

    pub async fn count_users(&self) -> Result<i64> {
        Ok(on_pool!(self, pool => sqlx::query_scalar("SELECT COUNT(*) FROM users").fetch_one(pool).await)?)
    }
}
