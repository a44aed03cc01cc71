//! The audit log: who changed what, when, with the record before and after.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::types::Json;

use crate::{Result, Store, on_pool};

/// Appends one change to the audit log inside the caller's transaction.
/// `$old` and `$new` are `Option<serde_json::Value>`.
macro_rules! audit {
    ($tx:expr, $actor:expr, $entity:expr, $id:expr, $action:expr, $old:expr, $new:expr) => {
        sqlx::query(
            "INSERT INTO audit_log (at, user_id, actor, entity, entity_id, action, old_value, new_value) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(chrono::Utc::now())
        .bind($actor.user_id())
        .bind($actor.label())
        .bind($entity)
        .bind($id.to_string())
        .bind($action)
        .bind(Option::<serde_json::Value>::map($old, sqlx::types::Json))
        .bind(Option::<serde_json::Value>::map($new, sqlx::types::Json))
        .execute(&mut *$tx)
        .await?
    };
}
pub(crate) use audit;

/// A record as JSON for the audit log.
pub(crate) fn snapshot<T: Serialize>(value: &T) -> Option<serde_json::Value> {
    Some(serde_json::to_value(value).expect("domain records serialise to JSON"))
}

#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct AuditEntry {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub user_id: Option<i64>,
    pub actor: String,
    pub entity: String,
    pub entity_id: String,
    pub action: String,
    pub old_value: Option<Json<serde_json::Value>>,
    pub new_value: Option<Json<serde_json::Value>>,
}

impl Store {
    /// Every change to one record, oldest first.
    pub async fn history(&self, entity: &str, entity_id: &str) -> Result<Vec<AuditEntry>> {
        Ok(on_pool!(self, pool => sqlx::query_as::<_, AuditEntry>(
            "SELECT id, at, user_id, actor, entity, entity_id, action, old_value, new_value \
             FROM audit_log WHERE entity = $1 AND entity_id = $2 ORDER BY id"
        ).bind(entity).bind(entity_id).fetch_all(pool).await)?)
    }
}
