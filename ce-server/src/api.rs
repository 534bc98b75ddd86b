//! The JSON API: the pages' operations with the same checks, for tools.
//! Authenticated by an API token (`Authorization: Bearer ...`, issued by
//! `ce user token`) or by the browser session, which must then send its
//! CSRF token in `X-CSRF-Token` on every POST. Errors are
//! `{"error": "...", "field": "..."}` with the HTTP status.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::Json;
use ce_core::{Command, CommandId, HouseholdId, ReferralStatus};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::accounts::AccountRole;
use crate::app::{blocking, same_token, App, Failure, Who};

type AppState = State<Arc<App>>;

/// One route of the API, for its reference (docs/api.md is generated
/// from this table by a test, so the two cannot drift apart).
#[derive(Debug, Clone, Copy)]
pub struct RouteDoc {
    /// HTTP method.
    pub method: &'static str,
    /// Path.
    pub path: &'static str,
    /// Who may call it.
    pub roles: &'static str,
    /// What it does.
    pub what: &'static str,
}

/// Declares the API's routes once: the router serves them and [`ROUTES`]
/// documents them, so docs/api.md (generated from [`ROUTES`] by a test)
/// names exactly the routes the server answers.
macro_rules! api_routes {
    ($($verb:literal $method:ident $path:literal $query:literal $handler:ident, $roles:literal, $what:literal;)*) => {
        /// Every API route.
        pub const ROUTES: &[RouteDoc] = &[$(RouteDoc {
            method: $verb,
            path: concat!($path, $query),
            roles: $roles,
            what: $what,
        }),*];

        /// Adds the API's routes to `router`.
        pub(crate) fn routes(router: axum::Router<Arc<App>>) -> axum::Router<Arc<App>> {
            router$(.route($path, axum::routing::$method($handler)))*
        }
    };
}

#[rustfmt::skip]
api_routes! {
    "GET" get "/api/me" "" me,
        "any",
        "The signed-in account: name, role, agency, and the session's CSRF token (null for a token).";
    "GET" get "/api/lists" "?coalition=&program=&household_type=&as_of=" lists,
        "lead",
        "The priority lists (all filters optional; as_of defaults to today). A download: every household on them is recorded in the view log.";
    "GET" get "/api/households/{id}" "?as_of=" household,
        "access, lead; provider for households referred to its agency",
        "The household as it stands and why it ranks where it does. Recorded in the view log.";
    "GET" get "/api/households/{id}/history" "" history,
        "as above",
        "Every event of the household, with what it changed. Recorded in the view log.";
    "GET" get "/api/households/{id}/views" "" views,
        "lead",
        "Who viewed the household, when, and through what.";
    "GET" get "/api/openings" "" openings,
        "provider (its agency's), lead (all)",
        "Openings.";
    "GET" get "/api/referrals" "" referrals,
        "provider (to its agency's openings), lead (all)",
        "Referrals, with whether each is overdue.";
    "GET" get "/api/data-quality" "" data_quality,
        "lead",
        "The lead's data-quality lists as of today: households due for inactivity (with their last contact), housed 30 or more days ago and not exited, and overdue referrals. Recorded in the view log for the households housed but not exited (their heads' names).";
    "POST" post "/api/commands" "" command,
        "access, provider, lead (the workflow checks each command's role and agency)",
        "Runs one workflow command, a JSON object with \"command\" naming it (enroll, assess, follow_up, attempt_contact, record_ce_event, add_member, remove_member, change_head, exit, post_opening, withdraw_opening, refer, acknowledge_referral, accept_referral, decline_referral, sweep, expire_referrals, correct, record_consent, restrict, identify) and its fields; \"command_id\" (a UUID) makes a retry safe. Answers the outcome and the stored events.";
}

fn require(who: &Who, roles: &[AccountRole]) -> Result<(), Failure> {
    if roles.contains(&who.role()) {
        Ok(())
    } else {
        Err(Failure::Forbidden(format!(
            "an account with the {} role may not do this",
            who.role().as_str()
        )))
    }
}

fn household_id(id: &str) -> Result<HouseholdId, Failure> {
    id.parse()
        .map_err(|_| Failure::field("id", format!("{id:?} is not a household id")))
}

pub(crate) async fn me(State(app): AppState, headers: HeaderMap) -> Result<Json<Value>, Failure> {
    let who = app.who(&headers)?;
    Ok(Json(json!({
        "name": who.account.name,
        "role": who.account.role,
        "agency": who.account.agency,
        "csrf": who.csrf,
    })))
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct ListQuery {
    coalition: Option<String>,
    program: Option<String>,
    household_type: Option<String>,
    as_of: Option<String>,
}

pub(crate) async fn lists(
    State(app): AppState,
    headers: HeaderMap,
    Query(q): Query<ListQuery>,
) -> Result<Json<Value>, Failure> {
    let who = app.who(&headers)?;
    require(&who, &[AccountRole::Lead])?;
    blocking(move || {
        let (reports, as_of) = crate::pages::list_reports_for(
            &app,
            &who,
            q.coalition,
            q.program,
            q.household_type,
            q.as_of,
        )?;
        app.record_shown(&who, crate::pages::named_rows(&reports), "api lists")?;
        Ok(Json(json!({ "as_of": as_of, "lists": reports })))
    })
    .await
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct AsOf {
    as_of: Option<String>,
}

pub(crate) async fn household(
    State(app): AppState,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(q): Query<AsOf>,
) -> Result<Json<Value>, Failure> {
    let who = app.who(&headers)?;
    let id = household_id(&id)?;
    let as_of = match q.as_of.as_deref().filter(|s| !s.is_empty()) {
        None => chrono::Utc::now().date_naive(),
        Some(s) => s
            .parse()
            .map_err(|_| Failure::field("as_of", format!("{s:?} is not a date (YYYY-MM-DD)")))?,
    };
    blocking(move || {
        let seen = app.household_for(&who, id, as_of)?;
        app.record_shown(&who, [id], "api household")?;
        Ok(Json(json!({
            "household": seen.household,
            "chronic": seen.household.is_chronic(),
            "explanation": seen.explanation,
        })))
    })
    .await
}

pub(crate) async fn history(
    State(app): AppState,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Json<Value>, Failure> {
    let who = app.who(&headers)?;
    let id = household_id(&id)?;
    blocking(move || {
        let caseload = app.workflow.caught_up()?;
        let seen = who.may_see(&caseload, id);
        drop(caseload);
        if !seen {
            return Err(Failure::unseen(id));
        }
        let history = app.history_for(&who, id)?;
        app.record_shown(&who, [id], "api history")?;
        let entries: Vec<Value> = history
            .iter()
            .map(|e| {
                json!({
                    "position": e.position,
                    "effective": e.effective,
                    "recorded_at": e.recorded_at,
                    "actor": e.actor,
                    "event_type": e.event_type,
                    "hud_element": e.hud_element,
                    "changes": e.changes_line(),
                    "event": e.event,
                })
            })
            .collect();
        Ok(Json(Value::Array(entries)))
    })
    .await
}

pub(crate) async fn views(
    State(app): AppState,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Json<Value>, Failure> {
    let who = app.who(&headers)?;
    require(&who, &[AccountRole::Lead])?;
    let id = household_id(&id)?;
    blocking(move || Ok(Json(json!(app.workflow.store().views_of(id)?)))).await
}

pub(crate) async fn openings(
    State(app): AppState,
    headers: HeaderMap,
) -> Result<Json<Value>, Failure> {
    let who = app.who(&headers)?;
    require(&who, &[AccountRole::Provider, AccountRole::Lead])?;
    blocking(move || {
        let caseload = app.workflow.caught_up()?;
        let openings: Vec<&ce_core::Opening> = caseload
            .openings
            .values()
            .filter(|o| who.role() == AccountRole::Lead || o.agency.0 == who.account.agency)
            .collect();
        Ok(Json(json!(openings)))
    })
    .await
}

pub(crate) async fn referrals(
    State(app): AppState,
    headers: HeaderMap,
) -> Result<Json<Value>, Failure> {
    let who = app.who(&headers)?;
    require(&who, &[AccountRole::Provider, AccountRole::Lead])?;
    blocking(move || {
        let caseload = app.workflow.caught_up()?;
        let today = chrono::Utc::now().date_naive();
        let policy = app.workflow.policy();
        let referrals: Vec<Value> = caseload
            .referrals
            .values()
            .filter(|r| {
                who.role() == AccountRole::Lead
                    || caseload
                        .openings
                        .get(&r.opening)
                        .is_some_and(|o| o.agency.0 == who.account.agency)
            })
            .map(|r| {
                let live = matches!(
                    r.status,
                    ReferralStatus::Offered | ReferralStatus::Acknowledged
                );
                json!({
                    "referral": r,
                    "due": policy.referral_due_on(r.offered_on),
                    "overdue": live && today >= policy.referral_due_on(r.offered_on),
                })
            })
            .collect();
        Ok(Json(Value::Array(referrals)))
    })
    .await
}

/// `POST /api/commands`: the body is a workflow command.
pub(crate) async fn data_quality(
    State(app): AppState,
    headers: HeaderMap,
) -> Result<Json<Value>, Failure> {
    let who = app.who(&headers)?;
    require(&who, &[AccountRole::Lead])?;
    blocking(move || {
        let quality = app.data_quality(chrono::Utc::now().date_naive())?;
        app.record_shown(
            &who,
            quality.housed_not_exited.iter().map(|r| r.household),
            "api data quality",
        )?;
        Ok(Json(json!(quality)))
    })
    .await
}

pub(crate) async fn command(
    State(app): AppState,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, Failure> {
    let who = app.who(&headers)?;
    if let Some(csrf) = &who.csrf {
        let sent = headers
            .get("x-csrf-token")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        if !same_token(csrf, sent) {
            return Err(Failure::Forbidden(
                "a session's API call must send its CSRF token in X-CSRF-Token".to_owned(),
            ));
        }
    }
    let mut value: Value = parse(&body)?;
    let command_id = match value.as_object_mut().and_then(|o| o.remove("command_id")) {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(
            s.parse::<CommandId>()
                .map_err(|_| Failure::field("command_id", "not a UUID"))?,
        ),
        Some(_) => return Err(Failure::field("command_id", "not a UUID string")),
    };
    let command = decode(value)?;
    let executed = blocking(move || app.execute(&who, command_id, command)).await?;
    Ok(Json(json!({
        "outcome": executed.outcome,
        "events": executed.events,
    }))
    .into_response())
}

/// The command a JSON object names in its `command` field, each field
/// checked by the command's own type, so that an error names its field
/// (`members[0].birth_date`).
fn decode(mut value: Value) -> Result<Command, Failure> {
    fn typed<T: serde::de::DeserializeOwned + Into<Command>>(
        value: Value,
    ) -> Result<Command, Failure> {
        serde_path_to_error::deserialize::<_, T>(value)
            .map(Into::into)
            .map_err(|e| {
                let path = e.path().to_string();
                Failure::Bad {
                    field: (path != ".").then_some(path),
                    message: e.into_inner().to_string(),
                }
            })
    }
    let Some(object) = value.as_object_mut() else {
        return Err(Failure::field("command", "the body is not a JSON object"));
    };
    let name = match object.remove("command") {
        Some(Value::String(name)) => name,
        _ => {
            return Err(Failure::field(
                "command",
                "name the command, e.g. \"command\": \"follow_up\"",
            ))
        }
    };
    match name.as_str() {
        "enroll" => typed::<ce_core::Enroll>(value),
        "assess" => typed::<ce_core::Assess>(value),
        "follow_up" => typed::<ce_core::FollowUp>(value),
        "attempt_contact" => typed::<ce_core::AttemptContact>(value),
        "record_ce_event" => typed::<ce_core::RecordCeEvent>(value),
        "add_member" => typed::<ce_core::AddMember>(value),
        "remove_member" => typed::<ce_core::RemoveMember>(value),
        "change_head" => typed::<ce_core::ChangeHead>(value),
        "exit" => typed::<ce_core::Exit>(value),
        "post_opening" => typed::<ce_core::PostOpening>(value),
        "withdraw_opening" => typed::<ce_core::WithdrawOpening>(value),
        "refer" => typed::<ce_core::Refer>(value),
        "acknowledge_referral" => typed::<ce_core::AcknowledgeReferral>(value),
        "accept_referral" => typed::<ce_core::AcceptReferral>(value),
        "decline_referral" => typed::<ce_core::DeclineReferral>(value),
        "sweep" => typed::<ce_core::Sweep>(value),
        "expire_referrals" => typed::<ce_core::ExpireReferrals>(value),
        "correct" => typed::<ce_core::Correct>(value),
        "record_consent" => typed::<ce_core::RecordConsent>(value),
        "restrict" => typed::<ce_core::Restrict>(value),
        "identify" => typed::<ce_core::Identify>(value),
        other => Err(Failure::field(
            "command",
            format!("{other:?} is not a command (see docs/api.md)"),
        )),
    }
}

/// Parses a JSON body, naming the line and column of a syntax error.
fn parse(body: &[u8]) -> Result<Value, Failure> {
    serde_json::from_slice(body).map_err(|e| Failure::Bad {
        field: None,
        message: format!("the body is not JSON: {e}"),
    })
}
