//! The server's state and what every route needs: who is asking (from the
//! session cookie or an API token, never from the request's fields), what
//! they may see, and running the library's blocking calls off the async
//! threads.

use std::sync::Arc;

use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use ce_core::{
    Actor, Caseload, Command, CommandId, CommandMeta, Executed, HouseholdId, Snapshots, View,
    ViewLog, Workflow,
};
use chrono::Utc;

use crate::accounts::{Account, AccountRole, Accounts};
use crate::config::Config;
use crate::sessions::Sessions;

/// What a server needs of a store: the event log (with the store's own
/// fold, if it keeps one) and the log of who saw whom.
pub trait ServerStore: Snapshots + ViewLog {}

impl<S: Snapshots + ViewLog + ?Sized> ServerStore for S {}

/// The store a server runs on: either kind, behind the store traits.
pub type Store = Arc<dyn ServerStore>;

/// The name of the session cookie.
pub const SESSION_COOKIE: &str = "ce_session";

/// Everything the routes share.
pub struct App {
    /// The workflow over the store (one fold for every user).
    pub workflow: Workflow<Store>,
    /// The accounts.
    pub accounts: Accounts,
    /// The signed-in sessions.
    pub sessions: Sessions,
    /// How the server runs.
    pub config: Config,
}

impl std::fmt::Debug for App {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("App").field("config", &self.config).finish()
    }
}

/// The signed-in account of a request.
#[derive(Debug, Clone)]
pub struct Who {
    /// The account.
    pub account: Account,
    /// The session's CSRF token (`None` for an API token).
    pub csrf: Option<String>,
    /// The session cookie's token, for sign-out.
    pub session: Option<String>,
}

impl Who {
    /// The workflow actor (none for an admin).
    pub fn actor(&self) -> Option<Actor> {
        self.account
            .role
            .workflow_role()
            .map(|role| Actor::new(&self.account.name, &self.account.agency, role))
    }

    /// The account's role.
    pub fn role(&self) -> AccountRole {
        self.account.role
    }

    /// Whether the account may see household `id` in `caseload`: access
    /// staff and the lead see every household; a provider only those
    /// referred to its agency's openings; an admin none.
    pub fn may_see(&self, caseload: &Caseload, id: HouseholdId) -> bool {
        match self.role() {
            AccountRole::Access | AccountRole::Lead => true,
            AccountRole::Admin => false,
            AccountRole::Provider => caseload.referrals.values().any(|r| {
                r.household == id
                    && caseload
                        .openings
                        .get(&r.opening)
                        .is_some_and(|o| o.agency.0 == self.account.agency)
            }),
        }
    }

    /// Whose names the account sees today, by `caseload` (today's): an
    /// admin, who takes no part in the workflow, sees none.
    pub fn names<'c>(&self, caseload: &'c Caseload) -> ce_core::audit::Names<&'c Caseload> {
        ce_core::audit::Names::new(caseload, self.actor(), Utc::now().date_naive())
    }

    /// A view record of household `id`, shown by `what`.
    pub fn view(&self, id: HouseholdId, what: &str) -> View {
        View {
            at: Utc::now(),
            actor: Actor::new(
                &self.account.name,
                &self.account.agency,
                self.role_for_views(),
            ),
            household: id,
            purpose: what.to_owned(),
        }
    }

    /// The role a view is recorded under (an admin sees no household).
    fn role_for_views(&self) -> ce_core::Role {
        self.account
            .role
            .workflow_role()
            .unwrap_or(ce_core::Role::Lead)
    }
}

/// The CE lead's data-quality lists (the lead page and `/api/data-quality`).
#[derive(Debug, Clone, serde::Serialize)]
pub struct DataQuality {
    /// Active households the next sweep makes inactive, with their last
    /// contact.
    pub due_for_inactivity: Vec<(HouseholdId, chrono::NaiveDate)>,
    /// Households housed 30 or more days ago with no CE exit.
    pub housed_not_exited: Vec<ce_core::report::HousedNotExited>,
    /// Live referrals past their due day.
    pub overdue_referrals: Vec<ce_core::Referral>,
}

/// A household as an account may see it (see [`App::household_for`]).
#[derive(Debug, Clone)]
pub struct SeenHousehold {
    /// Its state.
    pub household: ce_core::Household,
    /// Why it ranks where it does (none when it is on no list that day).
    pub explanation: Option<ce_core::audit::Explanation>,
    /// Its referrals and their openings.
    pub referrals: Vec<(ce_core::Referral, Option<ce_core::Opening>)>,
}

/// What a route could not do.
#[derive(Debug)]
#[non_exhaustive]
pub enum Failure {
    /// Not signed in (or the session ended).
    SignIn,
    /// Signed in, but the role or agency may not.
    Forbidden(String),
    /// No such thing (or not one this account may see).
    NotFound(String),
    /// The request itself is wrong: which field, what is wrong.
    Bad {
        /// The field, if one.
        field: Option<String>,
        /// What is wrong.
        message: String,
    },
    /// The workflow refused the command (its rule's message).
    Rejected(ce_core::Error),
    /// Something on the server failed (the store, a file).
    Internal(String),
}

impl Failure {
    /// A bad field.
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        Failure::Bad {
            field: Some(field.to_owned()),
            message: message.into(),
        }
    }

    /// A household that does not exist or that the account may not see
    /// (the same answer, so that a provider learns nothing of others').
    pub fn unseen(id: HouseholdId) -> Self {
        Failure::NotFound(format!("no household {id} that this account may see"))
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        match self {
            Failure::SignIn => StatusCode::UNAUTHORIZED,
            Failure::Forbidden(_) => StatusCode::FORBIDDEN,
            Failure::NotFound(_) => StatusCode::NOT_FOUND,
            Failure::Bad { .. } => StatusCode::BAD_REQUEST,
            Failure::Rejected(e) if e.is_conflict() => StatusCode::CONFLICT,
            Failure::Rejected(e) => match e.rejection() {
                Some(
                    ce_core::Rejection::Forbidden { .. }
                    | ce_core::Rejection::NotYourOpening { .. },
                ) => StatusCode::FORBIDDEN,
                Some(_) => StatusCode::UNPROCESSABLE_ENTITY,
                None => StatusCode::INTERNAL_SERVER_ERROR,
            },
            Failure::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The message a user reads.
    pub fn message(&self) -> String {
        match self {
            Failure::SignIn => "sign in first (or again: the session ended)".to_owned(),
            Failure::Forbidden(why) | Failure::NotFound(why) => why.clone(),
            Failure::Bad { field, message } => match field {
                Some(field) => format!("{field}: {message}"),
                None => message.clone(),
            },
            Failure::Rejected(e) => e.to_string(),
            Failure::Internal(_) => {
                "the server could not do it; the reason is in the server's log".to_owned()
            }
        }
    }

    /// Writes a server failure's reason to the server's log (the user
    /// reads only that there was one).
    pub fn log(&self) {
        if let Failure::Internal(why) = self {
            tracing::error!(error = %why, "request failed");
        }
    }

    /// The message without the field's name (shown beside the field).
    pub fn detail(&self) -> String {
        match self {
            Failure::Bad { message, .. } => message.clone(),
            other => other.message(),
        }
    }

    /// The form field the failure is about, if any.
    pub fn field_name(&self) -> Option<String> {
        match self {
            Failure::Bad { field, .. } => field.clone(),
            Failure::Rejected(e) => e.rejection().and_then(rejection_field).map(str::to_owned),
            _ => None,
        }
    }
}

/// The form field a workflow rejection names.
fn rejection_field(rejection: &ce_core::Rejection) -> Option<&'static str> {
    use ce_core::Field as F;
    let field = match rejection {
        ce_core::Rejection::TooLong { field, .. }
        | ce_core::Rejection::ControlCharacter { field, .. }
        | ce_core::Rejection::ImplausibleDate { field, .. }
        | ce_core::Rejection::BeforeProjectStart { field, .. } => *field,
        ce_core::Rejection::Required(field) => *field,
        ce_core::Rejection::EmptyNote => F::CeNote,
        ce_core::Rejection::AgeBandDisagrees { .. } => F::BirthDate,
        ce_core::Rejection::PersonalDataRefused { field } => *field,
        ce_core::Rejection::ConsentExpiry { field, .. } => *field,
        ce_core::Rejection::HeadTooYoung { .. } => F::AgeBand,
        ce_core::Rejection::BeforeLastActivity { .. }
        | ce_core::Rejection::EffectiveAfterRecorded { .. } => F::EffectiveDate,
        _ => return None,
    };
    Some(match field {
        F::FirstName => "first_name",
        F::LastName => "last_name",
        F::BirthDate => "birth_date",
        F::CeNote => "note",
        F::LocationDetails => "location_details",
        F::AssessmentLocation | F::CeEventLocation => "location",
        F::ExitReason | F::WithdrawalReason | F::CorrectionReason => "reason",
        F::BypassReason => "bypass_reason",
        F::DeclineText => "text",
        F::OpeningProgram => "program",
        F::ResultDate => "result_date",
        F::AgeBand => "age_band",
        F::ReferringAgency => "referring_agency",
        F::ReferenceNumber => "reference",
        F::AgencyContact => "agency_contact",
        F::ConsentExpires => "expires",
        _ => "date",
    })
}

impl From<ce_core::StoreError> for Failure {
    fn from(e: ce_core::StoreError) -> Self {
        Failure::Internal(e.to_string())
    }
}

impl From<ce_core::Error> for Failure {
    fn from(e: ce_core::Error) -> Self {
        match e {
            ce_core::Error::Store(ref store) if !e.is_conflict() => {
                Failure::Internal(store.to_string())
            }
            e => Failure::Rejected(e),
        }
    }
}

impl From<crate::accounts::AccountError> for Failure {
    fn from(e: crate::accounts::AccountError) -> Self {
        match e {
            crate::accounts::AccountError::Invalid(why) => Failure::Bad {
                field: None,
                message: why,
            },
            crate::accounts::AccountError::Unknown(_) => Failure::NotFound(e.to_string()),
            e => Failure::Internal(e.to_string()),
        }
    }
}

impl From<std::io::Error> for Failure {
    fn from(e: std::io::Error) -> Self {
        Failure::Internal(e.to_string())
    }
}

/// The JSON body of a failure: `{"error": ..., "field": ...}`.
impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        self.log();
        let body = serde_json::json!({
            "error": self.message(),
            "field": self.field_name(),
        });
        (self.status(), axum::Json(body)).into_response()
    }
}

/// Runs a blocking call (the store, argon2, files) on tokio's blocking
/// pool.
pub async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, Failure> + Send + 'static,
) -> Result<T, Failure> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| Failure::Internal(format!("a worker stopped: {e}")))?
}

impl App {
    /// The account a request is signed in as: by its session cookie, or
    /// by `Authorization: Bearer TOKEN` (an API token).
    pub fn who(&self, headers: &HeaderMap) -> Result<Who, Failure> {
        if let Some(token) = bearer(headers) {
            let account = self
                .accounts
                .by_token(token)
                .map_err(Failure::from)?
                .ok_or(Failure::SignIn)?;
            return Ok(Who {
                account,
                csrf: None,
                session: None,
            });
        }
        let token = cookie(headers, SESSION_COOKIE).ok_or(Failure::SignIn)?;
        let session = self.sessions.get(token).ok_or(Failure::SignIn)?;
        let account = match self.accounts.get(&session.user)? {
            Some(a) if !a.disabled && a.generation() == session.generation => a,
            // Signed in under a password set again since (by an admin, or
            // `ce user passwd` beside the server): this session has ended.
            Some(a) if !a.disabled => {
                self.sessions.end(token);
                return Err(Failure::SignIn);
            }
            _ => {
                self.sessions.end_all_of(&session.user);
                return Err(Failure::SignIn);
            }
        };
        Ok(Who {
            account,
            csrf: Some(session.csrf),
            session: Some(token.to_owned()),
        })
    }

    /// Household `id` as it stands, why it ranks where it does as of
    /// `as_of`, and its referrals with their openings, if `who` may see it
    /// (a not-found failure otherwise, the same answer as for no such
    /// household). Read under the fold's lock, copying only this
    /// household's part; another date's explanation folds the log up to it.
    pub fn household_for(
        &self,
        who: &Who,
        id: HouseholdId,
        as_of: chrono::NaiveDate,
    ) -> Result<SeenHousehold, Failure> {
        let policy = self.workflow.policy();
        let today = as_of == Utc::now().date_naive();
        let mut seen = {
            let caseload = self.workflow.caught_up()?;
            if !who.may_see(&caseload, id) {
                return Err(Failure::unseen(id));
            }
            let household = caseload
                .households()
                .get(&id)
                .map(|h| who.names(&caseload).household(h))
                .ok_or_else(|| Failure::unseen(id))?;
            SeenHousehold {
                household,
                explanation: today
                    .then(|| ce_core::audit::explain(&caseload, policy, id, as_of, None))
                    .flatten(),
                referrals: caseload
                    .referrals
                    .values()
                    .filter(|r| r.household == id)
                    .map(|r| (r.clone(), caseload.openings.get(&r.opening).cloned()))
                    .collect(),
            }
        };
        if !today {
            seen.explanation =
                ce_core::audit::explain(&self.workflow.as_of(as_of)?, policy, id, as_of, None);
        }
        Ok(seen)
    }

    /// Household `id`'s history, with the names `who` may not see today
    /// withheld from the events that record them.
    pub fn history_for(
        &self,
        who: &Who,
        id: HouseholdId,
    ) -> Result<Vec<ce_core::audit::HistoryEntry>, Failure> {
        let mut history = self.workflow.history(id)?;
        let caseload = self.workflow.caught_up()?;
        let names = who.names(&caseload);
        for entry in &mut history {
            names.entry(id, entry);
        }
        Ok(history)
    }

    /// The CE lead's data-quality lists as of `today`.
    pub fn data_quality(&self, today: chrono::NaiveDate) -> Result<DataQuality, Failure> {
        let caseload = self.workflow.caught_up()?;
        let policy = self.workflow.policy();
        let due_for_inactivity = caseload
            .households()
            .values()
            .filter(|h| !h.is_exited() && h.is_due_for_inactivity(policy.inactivity_days, today))
            .map(|h| (h.id, h.last_contact))
            .collect();
        let housed_not_exited = ce_core::report::housed_not_exited(
            caseload.households().values(),
            |r| caseload.referrals.get(&r).cloned(),
            today,
            30,
        );
        let overdue_referrals = caseload
            .referrals
            .values()
            .filter(|r| r.is_overdue(policy, today))
            .cloned()
            .collect();
        Ok(DataQuality {
            due_for_inactivity,
            housed_not_exited,
            overdue_referrals,
        })
    }

    /// Records that `who` was shown `households` through `what`; returns
    /// once the records are on disk.
    pub fn record_shown(
        &self,
        who: &Who,
        households: impl IntoIterator<Item = HouseholdId>,
        what: &str,
    ) -> Result<(), Failure> {
        // One record per household, however often the answer shows it.
        let mut seen = std::collections::HashSet::new();
        let views: Vec<View> = households
            .into_iter()
            .filter(|h| seen.insert(*h))
            .map(|h| who.view(h, what))
            .collect();
        Ok(self.workflow.store().record_views(&views)?)
    }

    /// Runs one workflow command as `who`, entered now; `command_id` (a
    /// form's hidden field) makes a resubmission harmless.
    pub fn execute(
        &self,
        who: &Who,
        command_id: Option<CommandId>,
        command: Command,
    ) -> Result<Executed, Failure> {
        let actor = who.actor().ok_or_else(|| {
            Failure::Forbidden(
                "an admin account manages accounts; it takes no part in the workflow".to_owned(),
            )
        })?;
        let mut meta = CommandMeta::new(actor, Utc::now());
        if let Some(id) = command_id {
            meta = meta.with_id(id);
        }
        // Ids and codes only: the log of a server holds no personal data.
        let kind = command_kind(&command);
        match self.workflow.execute(&meta, command) {
            Ok(executed) => {
                tracing::info!(
                    user = %who.account.name,
                    command = kind,
                    command_id = %meta.command_id,
                    events = executed.events.len(),
                    "recorded"
                );
                Ok(executed)
            }
            Err(e) => {
                let failure = Failure::from(e);
                if failure.status().is_server_error() {
                    tracing::error!(user = %who.account.name, command = kind, error = %failure.detail(), "command failed");
                } else {
                    tracing::info!(user = %who.account.name, command = kind, status = %failure.status(), "refused");
                }
                Err(failure)
            }
        }
    }
}

/// A command's name as the API spells it, for the server's log.
fn command_kind(command: &Command) -> String {
    serde_json::to_value(command)
        .ok()
        .and_then(|v| v.get("command").and_then(|c| c.as_str()).map(str::to_owned))
        .unwrap_or_else(|| "unknown".to_owned())
}

/// The bearer token of a request, if any.
fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
}

/// The value of cookie `name`, if sent.
pub fn cookie<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// Compares two tokens in time independent of where they differ.
pub fn same_token(a: &str, b: &str) -> bool {
    subtle::ConstantTimeEq::ct_eq(a.as_bytes(), b.as_bytes()).into()
}
