//! Who changed what and when: the audit trail of a plan and of each of its rows, with the fields a
//! change touched, old value → new value.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::Html;
use axum::routing::get;
use grizha_store::AuditEntry;
use serde_json::Value;

use crate::auth::SignedIn;
use crate::pages::PageError;
use crate::{AppState, WebError};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/plans/{plan}/history", get(plan_history))
        .route("/plans/{plan}/activities/{id}/history", get(activity_history))
}

struct ChangeView {
    at: String,
    who: String,
    action: &'static str,
    changes: Vec<String>,
}

#[derive(Template)]
#[template(path = "history.html")]
struct HistoryPage {
    user_name: String,
    csrf: String,
    subject: String,
    back: String,
    back_label: String,
    entries: Vec<ChangeView>,
}

fn action_label(action: &str) -> &'static str {
    match action {
        "create" => "създаване",
        "update" => "промяна",
        "status" => "смяна на статуса",
        "amend" => "изменение",
        "supersede" => "заменен с нова версия",
        "reorder" => "пренареждане",
        "attach" => "прикачен файл",
        "copy" => "създаден като копие на плана за предходната година",
        _ => "друго",
    }
}

/// A value as a short text: strings as they are, anything else as compact JSON.
fn shown(value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => "—".to_owned(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => {
            let text = other.to_string();
            if text.chars().count() > 200 { format!("{}…", text.chars().take(200).collect::<String>()) } else { text }
        }
    }
}

/// The fields a change touched: for an update, those whose value differs; else all it wrote.
pub(crate) fn changes(entry: &AuditEntry) -> Vec<String> {
    let old = entry.old_value.as_ref().map(|j| &j.0);
    let new = entry.new_value.as_ref().map(|j| &j.0);
    let keys: Vec<String> =
        [old, new].iter().flatten().filter_map(|v| v.as_object()).flat_map(|o| o.keys().cloned()).fold(
            Vec::new(),
            |mut keys, k| {
                if !keys.contains(&k) {
                    keys.push(k);
                }
                keys
            },
        );
    keys.into_iter()
        .filter_map(|k| {
            let (before, after) = (old.and_then(|o| o.get(&k)), new.and_then(|n| n.get(&k)));
            match (old, before == after) {
                (Some(_), true) => None,
                (Some(_), false) => Some(format!("{k}: {} → {}", shown(before), shown(after))),
                (None, _) => Some(format!("{k}: {}", shown(after))),
            }
        })
        .collect()
}

fn views(entries: Vec<AuditEntry>) -> Vec<ChangeView> {
    entries
        .into_iter()
        .map(|e| ChangeView {
            at: e.at.format("%d.%m.%Y %H:%M").to_string(),
            who: e.actor.clone(),
            action: action_label(&e.action),
            changes: changes(&e),
        })
        .collect()
}

async fn plan_history(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    Path(plan): Path<i64>,
) -> Result<Html<String>, PageError> {
    let (plan, _) = crate::pages::visible_plan(&state, &session.user, plan).await?;
    let entries = views(state.store.history("annual_plan", &plan.id.get().to_string()).await?);
    let page = HistoryPage {
        user_name: session.user.display_name.clone(),
        csrf: session.csrf_token.clone(),
        subject: plan.title.clone(),
        back: format!("/plans/{}", plan.id.get()),
        back_label: plan.title.clone(),
        entries,
    };
    Ok(Html(page.render().map_err(|e| WebError::Internal(e.to_string()))?))
}

async fn activity_history(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path((plan, id)): Path<(i64, i64)>,
) -> Result<Html<String>, PageError> {
    let (plan, activity, _) = crate::activities::load(&state, &signed_in.0.user, plan, id).await?;
    let entries = views(state.store.history("plan_activity", &activity.id.get().to_string()).await?);
    let page = HistoryPage {
        user_name: signed_in.0.user.display_name.clone(),
        csrf: signed_in.0.csrf_token.clone(),
        subject: format!("{} {}", activity.code.clone().unwrap_or_default(), activity.text),
        back: format!("/plans/{}", plan.id.get()),
        back_label: plan.title.clone(),
        entries,
    };
    Ok(Html(page.render().map_err(|e| WebError::Internal(e.to_string()))?))
}
