//! The pages: server-rendered HTML, one handler per route. Every handler
//! asks the session who is signing in, checks the CSRF token of a form,
//! runs the library on the blocking pool and renders the result; a form
//! the workflow refuses comes back with what was typed and the rule's
//! message beside its field.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use ce_core::hud::{
    AssessmentLevel, AssessmentType, CeEventType, CurrentSituation, Destination, LivingSituation,
    MonthsHomeless, NoYesReasons, PriorSituation, PrioritizationStatus, ReferralResult,
    RelationshipToHoH, TimesHomeless,
};
use ce_core::report::PriorityListReport;
use ce_core::{
    HouseholdId, ListHouseholdType, OpeningId, OpeningStatus, ProgramType, ReferralId,
    ReferralStatus,
};
use chrono::NaiveDate;
use maud::{html, Markup};
use serde::Deserialize;

use crate::accounts::AccountRole;
use crate::app::{blocking, same_token, App, Failure, SeenHousehold, Who, SESSION_COOKIE};
use crate::forms;
use crate::html::{
    codes, failure_page, field_error, form_alert, form_head, input, page, select, textarea, typed,
    Fields, FormState,
};

type AppState = State<Arc<App>>;

/// Today's date on the server's clock (the default "as of").
fn today() -> NaiveDate {
    chrono::Utc::now().date_naive()
}

/// A failure as a page: a GET without a session goes to sign-in.
fn fail(who: Option<&Who>, failure: Failure, get: bool) -> Response {
    if get && matches!(failure, Failure::SignIn) {
        return Redirect::to("/login").into_response();
    }
    failure.log();
    (failure.status(), failure_page(who, &failure)).into_response()
}

/// The session's account, or a failure page.
fn signed_in(app: &App, headers: &HeaderMap, get: bool) -> Result<Who, Box<Response>> {
    app.who(headers).map_err(|f| Box::new(fail(None, f, get)))
}

/// Refuses a form whose CSRF token is not the session's.
fn check_csrf(who: &Who, fields: &Fields) -> Result<(), Failure> {
    match &who.csrf {
        Some(csrf) if same_token(csrf, fields.get("csrf")) => Ok(()),
        _ => Err(Failure::Forbidden(
            "the form's security token is missing or out of date: reload the page and send it again"
                .to_owned(),
        )),
    }
}

fn require(who: &Who, roles: &[AccountRole], what: &str) -> Result<(), Failure> {
    if roles.contains(&who.role()) {
        Ok(())
    } else {
        Err(Failure::Forbidden(format!(
            "a {} account may not {what}",
            who.role().as_str()
        )))
    }
}

fn command_id(fields: &Fields) -> Option<ce_core::CommandId> {
    fields.opt("command_id").and_then(|s| s.parse().ok())
}

const ACCESS_LEAD: &[AccountRole] = &[AccountRole::Access, AccountRole::Lead];
const PROVIDER_LEAD: &[AccountRole] = &[AccountRole::Provider, AccountRole::Lead];
const LEAD: &[AccountRole] = &[AccountRole::Lead];
const ADMIN: &[AccountRole] = &[AccountRole::Admin];

/// The signed-in account of a request if its role is one of `roles`, or
/// the page that says why not (`get`: a page, which sends a request
/// without a session to sign-in).
fn gate(
    app: &App,
    headers: &HeaderMap,
    get: bool,
    roles: &[AccountRole],
    what: &str,
) -> Result<Who, Box<Response>> {
    let who = signed_in(app, headers, get)?;
    require(&who, roles, what).map_err(|f| Box::new(fail(Some(&who), f, get)))?;
    Ok(who)
}

/// The page for an id in a path that is not one: for the signed-in only.
fn no_such(app: &App, headers: &HeaderMap, what: &str, id: &str, get: bool) -> Response {
    match app.who(headers) {
        Ok(who) => fail(
            Some(&who),
            Failure::NotFound(format!("{id:?} is not a {what} id")),
            get,
        ),
        Err(f) => fail(None, f, get),
    }
}

/// A page that holds workflow forms: where a form goes back to, with what
/// was typed, when the workflow refuses it.
#[derive(Debug, Clone, Copy)]
enum FormPage {
    Household(HouseholdId),
    Enroll,
    Openings,
    Referrals,
    Lead,
}

impl FormPage {
    fn path(self) -> String {
        match self {
            FormPage::Household(id) => format!("/households/{id}"),
            FormPage::Enroll => "/enroll".to_owned(),
            FormPage::Openings => "/openings".to_owned(),
            FormPage::Referrals => "/referrals".to_owned(),
            FormPage::Lead => "/lead".to_owned(),
        }
    }

    /// The page, with a notice after a command or a refused form's state.
    async fn show(
        self,
        app: &Arc<App>,
        who: Who,
        notice: Option<&str>,
        state: Option<FormState>,
    ) -> Response {
        match self {
            FormPage::Household(id) => {
                household_response(app, who, id, today(), notice, state).await
            }
            FormPage::Enroll => (
                if state.is_some() {
                    StatusCode::UNPROCESSABLE_ENTITY
                } else {
                    StatusCode::OK
                },
                page(
                    "Enroll a household",
                    Some(&who),
                    notice,
                    enroll_form(app, &who, state.as_ref()),
                ),
            )
                .into_response(),
            FormPage::Openings => openings_response(app, &who, notice, state).await,
            FormPage::Referrals => referrals_response(app, &who, notice, state).await,
            FormPage::Lead => lead_response(app, &who, notice, state).await,
        }
    }
}

/// A GET of a page of workflow forms for `roles`.
async fn show_page(
    app: Arc<App>,
    headers: &HeaderMap,
    roles: &[AccountRole],
    what: &str,
    target: FormPage,
    notice: &Notice,
) -> Response {
    match gate(&app, headers, true, roles, what) {
        Ok(who) => {
            target
                .show(&app, who, notice_of(&notice.done).as_deref(), None)
                .await
        }
        Err(response) => *response,
    }
}

/// Runs the workflow command a form on `target` asks for (`build` makes
/// it from the form's code and fields) as the signed-in account: then
/// back to the page with a notice, or the page again with what was typed
/// and the rule's message beside its field.
async fn run_form(
    app: Arc<App>,
    headers: &HeaderMap,
    fields: Fields,
    roles: &[AccountRole],
    what: &str,
    target: FormPage,
    build: impl FnOnce(&str, &Fields) -> Result<ce_core::Command, Failure> + Send + 'static,
) -> Response {
    let who = match gate(&app, headers, false, roles, what) {
        Ok(who) => who,
        Err(response) => return *response,
    };
    if let Err(f) = check_csrf(&who, &fields) {
        return fail(Some(&who), f, false);
    }
    let form = fields.get("form").to_owned();
    let (a, actor, sent, code) = (Arc::clone(&app), who.clone(), fields.clone(), form.clone());
    let result = blocking(move || {
        let command = build(&code, &sent)?;
        a.execute(&actor, command_id(&sent), command)
    })
    .await;
    match result {
        Ok(executed) => match executed.outcome {
            ce_core::Outcome::Enrolled { household } => {
                done(&format!("/households/{household}"), "enrolled")
            }
            _ => done(&target.path(), &form),
        },
        Err(f) if matches!(f.status(), StatusCode::FORBIDDEN | StatusCode::NOT_FOUND) => {
            fail(Some(&who), f, false)
        }
        Err(f) => {
            let state = FormState::failed(&form, &fields, &f);
            target.show(&app, who, None, Some(state)).await
        }
    }
}

/// The "done" notice carried by a redirect after a command.
#[derive(Debug, Default, Deserialize)]
pub struct Notice {
    done: Option<String>,
    as_of: Option<String>,
}

impl Notice {
    fn as_of(&self) -> Result<NaiveDate, Failure> {
        match self.as_of.as_deref().filter(|s| !s.is_empty()) {
            None => Ok(today()),
            Some(s) => s
                .parse()
                .map_err(|_| Failure::field("as_of", format!("{s:?} is not a date (YYYY-MM-DD)"))),
        }
    }
}

/// The notice a `done` code (set by [`done`] after a command) shows: only
/// the server's own words, never text from the link.
fn notice_of(code: &Option<String>) -> Option<String> {
    match code.as_deref()? {
        "enrolled" => Some("Household enrolled".to_owned()),
        "account" => Some("Account changed".to_owned()),
        form => match form_name(form) {
            "Change" => None,
            name => Some(format!("{name} recorded")),
        },
    }
}

/// Redirects to `path` with the notice of `what` (a form's code).
fn done(path: &str, what: &str) -> Response {
    Redirect::to(&format!("{path}?done={}", url_encode(what))).into_response()
}

// ---------------------------------------------------------------- sign-in

/// The login CSRF cookie (double submit: the form repeats it).
const LOGIN_COOKIE: &str = "ce_login";

pub async fn login_page(State(app): AppState, headers: HeaderMap) -> Response {
    if app.who(&headers).is_ok() {
        return Redirect::to("/").into_response();
    }
    login_form(&app, None, "", StatusCode::OK)
}

fn login_form(app: &App, error: Option<&str>, name: &str, status: StatusCode) -> Response {
    let Ok(token) = crate::random_token() else {
        return (StatusCode::INTERNAL_SERVER_ERROR, "no random source").into_response();
    };
    let body = html! {
        form method="post" action="/login" {
            input type="hidden" name="login_csrf" value=(token);
            @if let Some(error) = error { p.error role="alert" { (error) } }
            label for="name" { "User name" }
            input type="text" id="name" name="name" value=(name) autocomplete="username" autofocus;
            label for="password" { "Password" }
            input type="password" id="password" name="password" autocomplete="current-password";
            p { button type="submit" { "Sign in" } }
        }
    };
    let cookie = format!(
        "{LOGIN_COOKIE}={token}; Path=/login; HttpOnly; SameSite=Strict{}",
        if app.config.secure_cookies {
            "; Secure"
        } else {
            ""
        }
    );
    (
        status,
        [(header::SET_COOKIE, cookie)],
        page("Sign in", None, None, body),
    )
        .into_response()
}

pub async fn login(
    State(app): AppState,
    headers: HeaderMap,
    Form(fields): Form<Fields>,
) -> Response {
    let name = fields.get("name").to_owned();
    let sent = fields.get("login_csrf");
    let expected = crate::app::cookie(&headers, LOGIN_COOKIE).unwrap_or("");
    if expected.is_empty() || !same_token(expected, sent) {
        return login_form(
            &app,
            Some("the sign-in form was out of date: try again"),
            &name,
            StatusCode::FORBIDDEN,
        );
    }
    if app.sessions.locked(&name) {
        return login_form(
            &app,
            Some("too many failed sign-ins: this account is locked for a while; ask an admin if it lasts"),
            &name,
            StatusCode::TOO_MANY_REQUESTS,
        );
    }
    let password = fields.get("password").to_owned();
    let checking = Arc::clone(&app);
    let who = name.clone();
    let account = blocking(move || Ok(checking.accounts.verify(&who, &password)?)).await;
    match account {
        Ok(Some(account)) => {
            app.sessions.succeeded(&name);
            let Ok((token, _)) = app.sessions.start(&account.name, account.generation()) else {
                return (StatusCode::INTERNAL_SERVER_ERROR, "no random source").into_response();
            };
            tracing::info!(user = %account.name, "signed in");
            let cookie = format!(
                "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict{}",
                if app.config.secure_cookies {
                    "; Secure"
                } else {
                    ""
                }
            );
            (
                StatusCode::SEE_OTHER,
                [
                    (header::SET_COOKIE, cookie),
                    (header::LOCATION, "/".to_owned()),
                ],
            )
                .into_response()
        }
        Ok(None) => {
            app.sessions.failed(&name);
            tracing::info!(user = %name, "failed sign-in");
            login_form(
                &app,
                Some("the user name or password is not right, or the account is disabled"),
                &name,
                StatusCode::UNAUTHORIZED,
            )
        }
        Err(failure) => fail(None, failure, false),
    }
}

pub async fn logout(
    State(app): AppState,
    headers: HeaderMap,
    Form(fields): Form<Fields>,
) -> Response {
    let who = match signed_in(&app, &headers, false) {
        Ok(who) => who,
        Err(response) => return *response,
    };
    if let Err(failure) = check_csrf(&who, &fields) {
        return fail(Some(&who), failure, false);
    }
    if let Some(token) = &who.session {
        app.sessions.end(token);
    }
    (
        StatusCode::SEE_OTHER,
        [
            (
                header::SET_COOKIE,
                format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0"),
            ),
            (header::LOCATION, "/login".to_owned()),
        ],
    )
        .into_response()
}

pub async fn home(State(app): AppState, headers: HeaderMap) -> Response {
    let who = match signed_in(&app, &headers, true) {
        Ok(who) => who,
        Err(response) => return *response,
    };
    let target = match who.role() {
        AccountRole::Access | AccountRole::Lead => "/lists",
        AccountRole::Provider => "/referrals",
        AccountRole::Admin => "/admin/users",
    };
    Redirect::to(target).into_response()
}

// ---------------------------------------------------------------- lists

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    coalition: Option<String>,
    program: Option<String>,
    household_type: Option<String>,
    as_of: Option<String>,
    done: Option<String>,
}

/// The lists a query selects, as reports, and its date.
fn list_reports(
    app: &App,
    who: &Who,
    q: &ListQuery,
) -> Result<(Vec<PriorityListReport>, NaiveDate), Failure> {
    let as_of = Notice {
        done: None,
        as_of: q.as_of.clone(),
    }
    .as_of()?;
    let policy = app.workflow.policy();
    let coalition = match q.coalition.as_deref().filter(|s| !s.is_empty()) {
        None => None,
        Some(name) => Some(policy.coalition_named(name).cloned().ok_or_else(|| {
            Failure::field("coalition", format!("the policy has no coalition {name:?}"))
        })?),
    };
    let program: Option<ProgramType> = match q.program.as_deref().filter(|s| !s.is_empty()) {
        None => None,
        Some(p) => Some(
            p.parse()
                .map_err(|_| Failure::field("program", format!("{p:?} is not a program type")))?,
        ),
    };
    let household_type: Option<ListHouseholdType> =
        match q.household_type.as_deref().filter(|s| !s.is_empty()) {
            None => None,
            Some(t) => Some(t.parse().map_err(|_| {
                Failure::field("household_type", format!("{t:?} is not a household type"))
            })?),
        };
    let reports = |caseload: &ce_core::Caseload| -> Vec<PriorityListReport> {
        caseload
            .lists(policy, as_of)
            .into_values()
            .filter(|l| {
                coalition.as_ref().is_none_or(|c| &l.key.coalition == c)
                    && program.is_none_or(|p| l.key.program == p)
                    && household_type.is_none_or(|t| l.key.household_type == t)
            })
            .map(|l| PriorityListReport::new(caseload, &l, as_of))
            .collect()
    };
    // Today's lists from the live fold (read under its lock, not copied);
    // another date's from a fold of the log up to it.
    let reports = if as_of == today() {
        reports(&*app.workflow.caught_up()?)
    } else {
        reports(&app.workflow.as_of(as_of)?)
    };
    // Names the account may not see today read [withheld]; the household
    // keeps its row and rank.
    let mut reports = reports;
    let caseload = app.workflow.caught_up()?;
    let names = who.names(&caseload);
    for row in reports.iter_mut().flat_map(|r| r.rows.iter_mut()) {
        if !names.shows_row(row.household, row.head) {
            row.withhold_names();
        }
    }
    Ok((reports, as_of))
}

/// The households whose head's name `reports` show (not withheld).
pub fn named_rows(reports: &[PriorityListReport]) -> Vec<HouseholdId> {
    reports
        .iter()
        .flat_map(|r| r.rows.iter())
        .filter(|row| ce_core::report::shows_name(row.head_name.as_deref()))
        .map(|row| row.household)
        .collect()
}

pub async fn lists(
    State(app): AppState,
    headers: HeaderMap,
    Query(q): Query<ListQuery>,
) -> Response {
    let who = match gate(&app, &headers, true, ACCESS_LEAD, "see the priority lists") {
        Ok(who) => who,
        Err(response) => return *response,
    };
    let a = Arc::clone(&app);
    let query = ListQuery {
        coalition: q.coalition.clone(),
        program: q.program.clone(),
        household_type: q.household_type.clone(),
        as_of: q.as_of.clone(),
        done: None,
    };
    let viewer = who.clone();
    let (reports, as_of) = match blocking(move || {
        let (reports, as_of) = list_reports(&a, &viewer, &query)?;
        // The page shows the heads' names: each household named is a view.
        a.record_shown(&viewer, named_rows(&reports), "priority lists page")?;
        Ok((reports, as_of))
    })
    .await
    {
        Ok(r) => r,
        Err(f) => return fail(Some(&who), f, true),
    };
    let policy = app.workflow.policy();
    let coalitions: Vec<(String, String)> = policy
        .coalitions
        .iter()
        .map(|c| (c.0.clone(), c.0.clone()))
        .collect();
    let programs: Vec<(String, String)> = policy
        .programs
        .iter()
        .map(|r| (r.program.to_string(), r.program.label().to_owned()))
        .collect();
    let types: Vec<(String, String)> = ListHouseholdType::ALL
        .iter()
        .map(|t| (t.to_string(), t.label().to_owned()))
        .collect();
    let values = |v: &Option<String>| v.clone().unwrap_or_default();
    let state = FormState {
        form: "filter".to_owned(),
        values: [
            ("coalition".to_owned(), values(&q.coalition)),
            ("program".to_owned(), values(&q.program)),
            ("household_type".to_owned(), values(&q.household_type)),
            ("as_of".to_owned(), as_of.to_string()),
        ]
        .into_iter()
        .collect(),
        errors: Default::default(),
    };
    let s = Some(&state);
    let query_string = format!(
        "coalition={}&program={}&household_type={}&as_of={as_of}",
        url_encode(&values(&q.coalition)),
        url_encode(&values(&q.program)),
        url_encode(&values(&q.household_type)),
    );
    let body = html! {
        p.muted { "Lists are viewed here, not downloaded (the list-holder rule): only the CE lead downloads a list, and every download is recorded." }
        form method="get" action="/lists" {
            fieldset {
                legend { "Which lists" }
                (select(s, "filter", "coalition", "Coalition", &coalitions, "", true))
                (select(s, "filter", "program", "Program type", &programs, "", true))
                (select(s, "filter", "household_type", "Household type", &types, "", true))
                (input(s, "filter", "as_of", "As of", "date", ""))
                p { button type="submit" { "Show" } }
            }
        }
        @if who.role() == AccountRole::Lead {
            p { a href=(format!("/lists/download?{query_string}")) { "Download these lists (CSV; recorded)" } }
        }
        @if reports.is_empty() {
            p { "No household is on a matching list on " (as_of) "." }
        }
        @for report in &reports {
            h2 { (report.key.coalition) " — " (report.key.program.label()) " — " (report.key.household_type.label()) }
            table {
                thead { tr {
                    th { "Rank" } th { "Head of household" } th { "Client id" } th { "Chronic" }
                    th { "Score" } th { "Months homeless (3.917)" } th { "On list since" }
                    th { "Last contact" } th { "Live referral" } th { "Why" }
                } }
                tbody {
                    @for row in &report.rows {
                        tr {
                            td { (row.rank) }
                            td { a href=(format!("/households/{}", row.household)) { (row.head_name.as_deref().unwrap_or("(no name recorded)")) } }
                            td { (row.head.map(|c| c.to_string()).unwrap_or_default()) }
                            td { (if row.chronic { "yes" } else { "no" }) }
                            td { (row.score.map(|s| s.to_string()).unwrap_or_else(|| "—".to_owned())) }
                            td { (row.months_homeless.label()) }
                            td { (row.placed_on) " (" (row.days_on_list) " days)" }
                            td { (row.last_contact) " (" (row.days_since_contact) " days ago)" }
                            td { (row.live_referral.map(|r| r.to_string()).unwrap_or_else(|| "—".to_owned())) }
                            td { a href=(format!("/households/{}?as_of={as_of}#why", row.household)) { "why" } }
                        }
                    }
                }
            }
        }
    };
    page(
        "Priority lists",
        Some(&who),
        notice_of(&q.done).as_deref(),
        body,
    )
    .into_response()
}

fn url_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A CSV field with a leading formula character defused (a spreadsheet
/// would run `=...` typed as a name).
fn defused(text: String) -> String {
    if text.starts_with(['=', '+', '-', '@']) {
        format!("'{text}")
    } else {
        text
    }
}

pub async fn download_lists(
    State(app): AppState,
    headers: HeaderMap,
    Query(q): Query<ListQuery>,
) -> Response {
    let who = match gate(&app, &headers, true, LEAD, "download a priority list") {
        Ok(who) => who,
        Err(response) => return *response,
    };
    let a = Arc::clone(&app);
    let viewer = who.clone();
    let result = blocking(move || {
        let (reports, as_of) = list_reports(&a, &viewer, &q)?;
        a.record_shown(&viewer, named_rows(&reports), "list download")?;
        Ok((reports, as_of))
    })
    .await;
    let (reports, as_of) = match result {
        Ok(r) => r,
        Err(f) => return fail(Some(&who), f, true),
    };
    let mut csv = csv::WriterBuilder::new()
        .quote_style(csv::QuoteStyle::Always)
        .from_writer(Vec::new());
    let header = [
        "coalition",
        "program",
        "household_type",
        "rank",
        "household",
        "head_client_id",
        "head_name",
        "chronic",
        "score",
        "months_homeless",
        "placed_on",
        "last_contact",
    ];
    let mut rows = 0usize;
    let mut written = csv.write_record(header);
    for report in &reports {
        for row in &report.rows {
            let fields = [
                report.key.coalition.0.clone(),
                report.key.program.to_string(),
                report.key.household_type.to_string(),
                row.rank.to_string(),
                row.household.to_string(),
                row.head.map(|c| c.to_string()).unwrap_or_default(),
                row.head_name.clone().unwrap_or_default(),
                row.chronic.to_string(),
                row.score.map(|s| s.to_string()).unwrap_or_default(),
                row.months_homeless.code().to_string(),
                row.placed_on.to_string(),
                row.last_contact.to_string(),
            ];
            written = written.and_then(|()| csv.write_record(fields.map(defused)));
            rows = rows.saturating_add(1);
        }
    }
    let csv = match written.and_then(|()| csv.into_inner().map_err(|e| e.into_error().into())) {
        Ok(bytes) => bytes,
        Err(e) => return fail(Some(&who), Failure::Internal(e.to_string()), true),
    };
    tracing::info!(user = %who.account.name, rows, "list download");
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"priority-lists-{as_of}.csv\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        csv,
    )
        .into_response()
}

// ---------------------------------------------------------------- a household

/// Everything the household page shows, read on the blocking pool.
struct HouseholdView {
    seen: SeenHousehold,
    history: Vec<ce_core::audit::HistoryEntry>,
    as_of: NaiveDate,
}

fn load_household(
    app: &App,
    who: &Who,
    id: HouseholdId,
    as_of: NaiveDate,
    what: &str,
) -> Result<HouseholdView, Failure> {
    let seen = app.household_for(who, id, as_of)?;
    let history = app.history_for(who, id)?;
    // Recorded before the page is sent.
    app.record_shown(who, [id], what)?;
    Ok(HouseholdView {
        seen,
        history,
        as_of,
    })
}

pub async fn household(
    State(app): AppState,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(notice): Query<Notice>,
) -> Response {
    let who = match signed_in(&app, &headers, true) {
        Ok(who) => who,
        Err(response) => return *response,
    };
    let Ok(id) = id.parse::<HouseholdId>() else {
        return no_such(&app, &headers, "household", &id, true);
    };
    let as_of = match notice.as_of() {
        Ok(d) => d,
        Err(f) => return fail(Some(&who), f, true),
    };
    household_response(
        &app,
        who,
        id,
        as_of,
        notice_of(&notice.done).as_deref(),
        None,
    )
    .await
}

async fn household_response(
    app: &Arc<App>,
    who: Who,
    id: HouseholdId,
    as_of: NaiveDate,
    notice: Option<&str>,
    state: Option<FormState>,
) -> Response {
    let a = Arc::clone(app);
    let viewer = who.clone();
    let view =
        match blocking(move || load_household(&a, &viewer, id, as_of, "household page")).await {
            Ok(v) => v,
            Err(f) => return fail(Some(&who), f, true),
        };
    let status = if state.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let title = format!(
        "Household of {}",
        view.seen
            .household
            .head()
            .and_then(ce_core::report::member_name)
            .unwrap_or_else(|| "(no name recorded)".to_owned())
    );
    (
        status,
        page(
            &title,
            Some(&who),
            notice,
            household_body(app, &who, &view, state.as_ref()),
        ),
    )
        .into_response()
}

fn household_body(app: &App, who: &Who, view: &HouseholdView, s: Option<&FormState>) -> Markup {
    let h = &view.seen.household;
    let policy = app.workflow.policy();
    let today = today().to_string();
    let id = h.id;
    let may_record = matches!(who.role(), AccountRole::Access | AccountRole::Lead);
    let prior_options = codes(
        PriorSituation::ALL,
        |c| c.code(),
        |c| LivingSituation::from(c).label(),
    );
    let current_options = codes(
        CurrentSituation::ALL,
        |c| c.code(),
        |c| LivingSituation::from(c).label(),
    );
    let months_options = codes(MonthsHomeless::ALL, |c| c.code(), MonthsHomeless::label);
    let action = format!("/households/{id}");
    let destinations = codes(
        Destination::ALL,
        |c| c.code(),
        |c| LivingSituation::from(c).label(),
    );
    // Members other than the head, by name (or client id).
    let others: Vec<(String, String)> = h
        .members
        .iter()
        .filter(|m| m.relationship != RelationshipToHoH::SelfHeadOfHousehold)
        .map(|m| {
            let name = ce_core::report::member_name(m).unwrap_or_else(|| m.client.to_string());
            (m.client.to_string(), name)
        })
        .collect();
    let all_members: Vec<(String, String)> = h
        .members
        .iter()
        .map(|m| {
            let name = ce_core::report::member_name(m).unwrap_or_else(|| m.client.to_string());
            (m.client.to_string(), name)
        })
        .collect();
    html! {
        (form_alert(s))
        section {
            h2 { "State" }
            table {
                tr { th { "Household id" } td { (id) } }
                tr { th { "Coalition" } td { (h.coalition) } }
                tr { th { "Project start" } td { (h.project_start) } }
                tr { th { "Status" } td { (h.status) } }
                tr { th { "Household type (lists)" } td { (ListHouseholdType::of(h, policy).label()) } }
                tr { th { "Chronically homeless" } td { (if h.is_chronic() { "yes" } else { "no" }) } }
                tr { th { "Score" } td { (h.score().map(|s| s.to_string()).unwrap_or_else(|| "—".to_owned())) } }
                tr { th { "Residence (Status Update)" } td { (LivingSituation::from(h.residence).label()) } }
                tr { th { "Months homeless (3.917)" } td { (h.months_homeless.label()) } }
                tr { th { "Current living situation (4.12)" } td { (LivingSituation::from(h.current.1.living_situation).label()) " on " (h.current.0) } }
                tr { th { "Last contact" } td { (h.last_contact) " (" (h.days_since_contact(view.as_of)) " days before " (view.as_of) ")" } }
                tr { th { "Owning agency" } td { (h.owner().map(|a| a.0.clone()).unwrap_or_else(|| "not recorded".to_owned())) } }
                @if let Some(via) = &h.referred_by {
                    tr { th { "Without personal data" } td { "Reach through " (via.agency) " (ref " (via.reference) "): " (via.contact) ". Referrals go through this agency; HMIS gets none of its records." } }
                }
                tr { th { "Restricted" } td { (if h.restricted { "yes: names only for the CE lead and the owning agency" } else { "no" }) } }
            }
            h3 { "Members" }
            table {
                thead { tr { th { "Client id" } th { "Name" } th { "Relationship (3.15)" } th { "Date of birth" } th { "Age band at project start" } th { "Release of information" } } }
                tbody {
                    @for m in &h.members {
                        tr {
                            td { (m.client) }
                            td { (ce_core::report::member_name(m).unwrap_or_else(|| "(no name recorded)".to_owned())) }
                            td { (m.relationship.label()) }
                            td { (m.birth_date.map(|d| d.to_string()).unwrap_or_default()) }
                            td { (h.age_band(m).map(|b| b.to_string()).unwrap_or_else(|| "—".to_owned())) }
                            td { (consent_text(h, m.client)) }
                        }
                    }
                }
            }
        }
        section id="why" {
            h2 { "Lists and why (as of " (view.as_of) ")" }
            @match &view.seen.explanation {
                None => p { "Not known on " (view.as_of) "." }
                Some(e) => {
                    @if e.lists.is_empty() { p { "On no list." } }
                    @for l in &e.lists {
                        h3 { (list_label(&l.list)) ": rank " (l.rank) " of " (l.of) }
                        ul {
                            @for (key, value) in &l.keys { li { (key) ": " (value) } }
                        }
                        p {
                            @match (&l.above, &l.separated_by) {
                                (Some(above), Some((Some(key), theirs, ours))) => { "Directly above: household " (above) ", put first by " (key) " (" (theirs) " against " (ours) ")." }
                                (Some(above), _) => { "Directly above: household " (above) ", equal on every key; the household id breaks the tie." }
                                _ => { "Top of the list." }
                            }
                        }
                    }
                    @for (program, reason) in &e.off_lists {
                        p { "Off the " (program.label()) " lists: " (reason) }
                    }
                }
            }
        }
        section {
            h2 { "Referrals" }
            @if view.seen.referrals.is_empty() { p { "None." } }
            @else {
                table {
                    thead { tr { th { "Referral" } th { "Program" } th { "Agency" } th { "Offered" } th { "Status" } } }
                    tbody {
                        @for (r, opening) in &view.seen.referrals {
                            tr {
                                td { (r.id) }
                                td { (opening.as_ref().map(|o| o.program.clone()).unwrap_or_default()) " (" (r.program_type.label()) ")" }
                                td { (opening.as_ref().map(|o| o.agency.0.clone()).unwrap_or_default()) }
                                td { (r.offered_on) }
                                td { (referral_status(&r.status)) }
                            }
                        }
                    }
                }
            }
        }
        @if may_record && !h.is_exited() {
            section {
                h2 { "Record" }
                form method="post" action=(action) {
                    fieldset {
                        legend { "Follow-up with contact" }
                        (form_head(who, "follow-up", s))
                        (input(s, "follow-up", "date", "Contact date", "date", &today))
                        (select(s, "follow-up", "residence", "Residence (Status Update)", &prior_options, &LivingSituation::from(h.residence).code().to_string(), false))
                        (select(s, "follow-up", "months_homeless", "Months homeless in the past three years", &months_options, &h.months_homeless.code().to_string(), false))
                        (select(s, "follow-up", "living_situation", "Current living situation (4.12)", &current_options, &LivingSituation::from(h.current.1.living_situation).code().to_string(), false))
                        (input(s, "follow-up", "location_details", "Location details (optional)", "text", ""))
                        (textarea(s, "follow-up", "note", "CE note (one or two sentences)"))
                        p { button type="submit" { "Record follow-up" } }
                    }
                }
                form method="post" action=(action) {
                    fieldset {
                        legend { "Attempt without contact" }
                        (form_head(who, "attempt", s))
                        (input(s, "attempt", "date", "Attempt date", "date", &today))
                        (select(s, "attempt", "method", "How staff tried", &[
                            ("phone".to_owned(), "Phone".to_owned()),
                            ("text".to_owned(), "Text message".to_owned()),
                            ("email".to_owned(), "Email".to_owned()),
                            ("in-person".to_owned(), "In person".to_owned()),
                            ("other".to_owned(), "Other".to_owned()),
                        ], "phone", false))
                        label { input type="checkbox" name="left_message" checked[typed(s, "attempt", "left_message", "") == "on"]; " Left a message" }
                        (textarea(s, "attempt", "note", "CE note about the attempt"))
                        p { button type="submit" { "Record attempt" } }
                    }
                }
                form method="post" action=(action) {
                    fieldset {
                        legend { "Assessment (4.19)" }
                        (form_head(who, "assess", s))
                        (input(s, "assess", "date", "Assessment date", "date", &today))
                        (input(s, "assess", "location", "Assessment location", "text", ""))
                        (select(s, "assess", "assessment_type", "Assessment type", &codes(AssessmentType::ALL, |c| c.code(), AssessmentType::label), "", false))
                        (select(s, "assess", "level", "Assessment level", &codes(AssessmentLevel::ALL, |c| c.code(), AssessmentLevel::label), "", false))
                        (input(s, "assess", "score", "Prioritization score (optional)", "number", ""))
                        (select(s, "assess", "prioritization", "Prioritization status", &codes(PrioritizationStatus::ALL, |c| c.code(), PrioritizationStatus::label), "", false))
                        p { button type="submit" { "Record assessment" } }
                    }
                }
                form method="post" action=(action) {
                    fieldset {
                        legend { "4.20 Coordinated Entry event" }
                        (form_head(who, "ce-event", s))
                        (input(s, "ce-event", "date", "Event date", "date", &today))
                        (select(s, "ce-event", "event", "Event", &codes(CeEventType::ALL, |c| c.code(), CeEventType::label), "", false))
                        (input(s, "ce-event", "location", "Location of crisis or PH housing (referral events)", "text", ""))
                        (select(s, "ce-event", "result", "Referral result (optional)", &codes(ReferralResult::ALL, |c| c.code(), ReferralResult::label), "", true))
                        (input(s, "ce-event", "result_date", "Result date (optional)", "date", ""))
                        p { button type="submit" { "Record event" } }
                    }
                }
                form method="post" action=(action) {
                    fieldset {
                        legend { "Add a member" }
                        (form_head(who, "add-member", s))
                        (input(s, "add-member", "date", "Date joined", "date", &today))
                        (input(s, "add-member", "first_name", "First name", "text", ""))
                        (input(s, "add-member", "last_name", "Last name", "text", ""))
                        (input(s, "add-member", "birth_date", "Date of birth", "date", ""))
                        (select(s, "add-member", "relationship", "Relationship to head of household (3.15)", &codes(RelationshipToHoH::ALL, |c| c.code(), RelationshipToHoH::label), "", false))
                        (select(s, "add-member", "veteran", "Veteran status (3.07)", &codes(NoYesReasons::ALL, |c| c.code(), NoYesReasons::label), "99", false))
                        (select(s, "add-member", "disabling_condition", "Disabling condition (3.08)", &codes(NoYesReasons::ALL, |c| c.code(), NoYesReasons::label), "99", false))
                        p { button type="submit" { "Add member" } }
                    }
                }
                @if !others.is_empty() {
                    form method="post" action=(action) {
                        fieldset {
                            legend { "A member leaves" }
                            (form_head(who, "remove-member", s))
                            (input(s, "remove-member", "date", "Date left", "date", &today))
                            (select(s, "remove-member", "client", "Member", &others, "", false))
                            (select(s, "remove-member", "destination", "Destination (3.12, optional)", &destinations, "", true))
                            p { button type="submit" { "Record leaving" } }
                        }
                    }
                    form method="post" action=(action) {
                        fieldset {
                            legend { "Change the head of household" }
                            (form_head(who, "change-head", s))
                            (input(s, "change-head", "date", "Date", "date", &today))
                            (select(s, "change-head", "head", "New head of household", &others, "", false))
                            (select(s, "change-head", "former_head_relationship", "The former head's relationship to the new head (3.15)", &codes(RelationshipToHoH::ALL, |c| c.code(), RelationshipToHoH::label), "", false))
                            p { button type="submit" { "Change head" } }
                        }
                    }
                }
                form method="post" action=(action) {
                    fieldset {
                        legend { "Release of information" }
                        (form_head(who, "consent", s))
                        (select(s, "consent", "client", "Member", &all_members, "", false))
                        (input(s, "consent", "date", "Date answered", "date", &today))
                        (select(s, "consent", "decision", "Answer", &[
                            ("given".to_owned(), "Given: signed the release".to_owned()),
                            ("refused".to_owned(), "Refused to sign".to_owned()),
                            ("revoked".to_owned(), "Revoked a release given before".to_owned()),
                        ], "given", false))
                        (select(s, "consent", "scope", "Who may see the names", &[
                            ("coc".to_owned(), "Every partner agency of the CoC".to_owned()),
                            ("referrals".to_owned(), "Only the agencies the household is referred to".to_owned()),
                        ], "coc", false))
                        (input(s, "consent", "expires", "Last day (optional, a given release only)", "date", ""))
                        p { button type="submit" { "Record the answer" } }
                    }
                }
                form method="post" action=(action) {
                    fieldset {
                        legend { "Restriction" }
                        (form_head(who, "restrict", s))
                        (input(s, "restrict", "date", "Date", "date", &today))
                        (checkbox(s, "restrict", "restricted", "Restricted (fleeing domestic violence): names only for the CE lead and the owning agency", h.restricted))
                        p { button type="submit" { "Set" } }
                    }
                }
                form method="post" action=(action) {
                    fieldset {
                        legend { "Exit from CE" }
                        (form_head(who, "exit", s))
                        (input(s, "exit", "date", "Exit date", "date", &today))
                        (select(s, "exit", "destination", "Destination (3.12)", &destinations, "", false))
                        (input(s, "exit", "reason", "Reason", "text", ""))
                        p { button type="submit" { "Exit household" } }
                    }
                }
            }
        }
        section {
            h2 { "History" }
            table {
                thead { tr { th { "Effective" } th { "Recorded" } th { "By" } th { "What" } th { "Details" } th { "Changed" } } }
                tbody {
                    @for e in &view.history {
                        tr {
                            td { (e.effective) }
                            td { (e.recorded_at.format("%Y-%m-%d %H:%M UTC")) }
                            td { (e.actor.user) " (" (e.actor.role) ", " (e.actor.agency) ")" }
                            td { (e.event.label()) @if let Some(el) = e.hud_element { " (HUD " (el) ")" } }
                            td { (event_details(&e.event)) }
                            td { (changes_text(&e.changes)) }
                        }
                    }
                }
            }
        }
        @if who.role() == AccountRole::Lead {
            p { a href=(format!("/households/{id}/views")) { "Who viewed this household" } }
        }
    }
}

/// A member's release of information in words.
fn consent_text(h: &ce_core::Household, client: ce_core::ClientId) -> String {
    let Some(c) = h.consents.iter().find(|c| c.client == client) else {
        return "none recorded".to_owned();
    };
    let scope = match c.scope {
        ce_core::ConsentScope::Referrals => "the agencies referred to",
        _ => "every CoC partner agency",
    };
    let until = c
        .expires
        .map(|d| format!(" through {d}"))
        .unwrap_or_default();
    match c.decision {
        ce_core::ConsentDecision::Given => format!("given on {} for {scope}{until}", c.date),
        ce_core::ConsentDecision::Refused => format!("refused on {}", c.date),
        _ => format!("revoked on {}", c.date),
    }
}

fn referral_status(status: &ReferralStatus) -> String {
    match status {
        ReferralStatus::Acknowledged => "acknowledged by the provider".to_owned(),
        other => other.to_string(),
    }
}

/// A list in the policy's words: "Coulee: Permanent supportive housing,
/// adults only".
fn list_label(key: &ce_core::ListKey) -> String {
    format!(
        "{}: {}, {}",
        key.coalition,
        key.program.label(),
        key.household_type.label()
    )
}

/// What an event changed, lists named in the policy's words.
fn changes_text(changes: &[ce_core::audit::Change]) -> String {
    use ce_core::audit::Change;
    changes
        .iter()
        .map(|c| match c {
            Change::PlacedOn(key) => format!("placed on {}", list_label(key)),
            Change::RemovedFrom(key) => format!("removed from {}", list_label(key)),
            other => other.to_string(),
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// What staff wrote or chose on an event, in words: notes, reasons,
/// locations, the release of information. Escaped by the template.
fn event_details(event: &ce_core::Event) -> String {
    use ce_core::Event as E;
    let names = |members: &[ce_core::Member]| {
        members
            .iter()
            .map(|m| ce_core::report::member_name(m).unwrap_or_else(|| m.client.to_string()))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let situation = |c: &ce_core::CurrentLivingSituation| {
        let mut text = LivingSituation::from(c.living_situation).label().to_owned();
        if let Some(details) = &c.location_details {
            text.push_str(&format!(" ({details})"));
        }
        text
    };
    match event {
        E::HouseholdEnrolled(e) => {
            let mut text = format!("{}; {}", names(&e.members), situation(&e.current));
            if let Some(via) = &e.referred_by {
                text.push_str(&format!(
                    "; referred by {} (ref {})",
                    via.agency, via.reference
                ));
            }
            text
        }
        E::AssessmentRecorded(e) => {
            let a = &e.assessment;
            let score = a.score.map(|s| format!("score {s}; ")).unwrap_or_default();
            format!("{score}{}; at {}", a.prioritization.label(), a.location)
        }
        E::ContactMade(e) => format!("{}; note: {}", situation(&e.current), e.note.0),
        E::ContactAttempted(e) => format!(
            "{}{}; note: {}",
            e.method,
            if e.left_message {
                ", left a message"
            } else {
                ""
            },
            e.note.0
        ),
        E::CeEventRecorded(e) => {
            let mut text = e.event.label().to_owned();
            if let Some(location) = &e.location {
                text.push_str(&format!(" at {location}"));
            }
            if let Some(result) = e.result {
                text.push_str(&format!("; result: {}", result.label()));
            }
            text
        }
        E::MemberAdded(e) => names(std::slice::from_ref(&e.member)),
        E::HouseholdIdentified(e) => names(&e.members),
        E::HouseholdExited(e) => format!(
            "to {}; reason: {}",
            LivingSituation::from(e.destination).label(),
            e.reason
        ),
        E::ReferralOffered(e) => match &e.bypass {
            Some(bypass) => format!("{}; bypass reason: {}", e.location, bypass.reason),
            None => e.location.clone(),
        },
        E::ReferralDeclined(e) => match &e.text {
            Some(text) => format!("reason {}: {text}", e.reason),
            None => format!("reason {}", e.reason),
        },
        E::OpeningWithdrawn(e) => e.reason.clone(),
        E::EventCorrected(e) => format!("{}: {}", e.fields.join(", "), e.reason),
        E::ConsentRecorded(e) => {
            let until = e
                .expires
                .map(|d| format!(" through {d}"))
                .unwrap_or_default();
            format!("client {}: {} for {}{until}", e.client, e.decision, e.scope)
        }
        E::HouseholdRestricted(e) => if e.restricted {
            "restricted"
        } else {
            "no longer restricted"
        }
        .to_owned(),
        _ => String::new(),
    }
}

pub async fn household_post(
    State(app): AppState,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(fields): Form<Fields>,
) -> Response {
    let Ok(id) = id.parse::<HouseholdId>() else {
        return no_such(&app, &headers, "household", &id, false);
    };
    run_form(
        app,
        &headers,
        fields,
        ACCESS_LEAD,
        "record on a household",
        FormPage::Household(id),
        move |form, f| forms::household_command(id, form, f),
    )
    .await
}

fn form_name(form: &str) -> &'static str {
    match form {
        "follow-up" => "Follow-up",
        "attempt" => "Contact attempt",
        "assess" => "Assessment",
        "exit" => "Exit",
        "ce-event" => "4.20 event",
        "add-member" => "New member",
        "remove-member" => "Member leaving",
        "change-head" => "Change of head",
        "post" => "Opening",
        "withdraw" => "Withdrawal",
        "refer" => "Referral",
        "acknowledge" => "Acknowledgement",
        "accept" => "Acceptance",
        "decline" => "Decline",
        "sweep" => "Sweep",
        "expire" => "Expiry",
        _ => "Change",
    }
}

pub async fn household_views(
    State(app): AppState,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let who = match gate(&app, &headers, true, LEAD, "see who viewed a household") {
        Ok(who) => who,
        Err(response) => return *response,
    };
    let Ok(id) = id.parse::<HouseholdId>() else {
        return no_such(&app, &headers, "household", &id, true);
    };
    let a = Arc::clone(&app);
    let views = match blocking(move || Ok(a.workflow.store().views_of(id)?)).await {
        Ok(v) => v,
        Err(f) => return fail(Some(&who), f, true),
    };
    let body = html! {
        p { a href=(format!("/households/{id}")) { "Back to the household" } }
        table {
            thead { tr { th { "When (UTC)" } th { "User" } th { "Role" } th { "Agency" } th { "What" } } }
            tbody {
                @for v in &views {
                    tr { td { (v.at.format("%Y-%m-%d %H:%M:%S")) } td { (v.actor.user) } td { (v.actor.role) } td { (v.actor.agency) } td { (v.purpose) } }
                }
            }
        }
    };
    page(
        &format!("Who viewed household {id}"),
        Some(&who),
        None,
        body,
    )
    .into_response()
}

// ---------------------------------------------------------------- enroll

pub async fn enroll_page(
    State(app): AppState,
    headers: HeaderMap,
    Query(n): Query<Notice>,
) -> Response {
    show_page(
        app,
        &headers,
        ACCESS_LEAD,
        "enroll households",
        FormPage::Enroll,
        &n,
    )
    .await
}

/// `(band, band)` options of HUD's age bands.
fn age_bands() -> Vec<(String, String)> {
    ce_core::AgeBand::ALL
        .iter()
        .map(|b| (b.to_string(), b.to_string()))
        .collect()
}

/// A labelled checkbox that keeps what the user ticked.
fn checkbox(s: Option<&FormState>, form: &str, name: &str, label: &str, on: bool) -> Markup {
    let id = crate::html::field_id(form, name);
    // A refused form comes back as it was sent: an unticked box sends
    // nothing, so it is unticked, whatever the default.
    let sent = s.filter(|s| s.form == form);
    let ticked = match sent {
        Some(state) => state
            .values
            .get(name)
            .is_some_and(|v| matches!(v.as_str(), "on" | "true" | "1" | "yes")),
        None => on,
    };
    html! {
        p {
            input type="checkbox" id=(id) name=(name) checked[ticked];
            " "
            label for=(id) { (label) }
        }
        (field_error(s, form, name))
    }
}

fn enroll_form(app: &App, who: &Who, s: Option<&FormState>) -> Markup {
    let f = "enroll";
    let today = today().to_string();
    let coalitions: Vec<(String, String)> = app
        .workflow
        .policy()
        .coalitions
        .iter()
        .map(|c| (c.0.clone(), c.0.clone()))
        .collect();
    html! {
        (form_alert(s))
        form method="post" action="/enroll" {
            (form_head(who, f, s))
            fieldset {
                legend { "Enrollment" }
                (select(s, f, "coalition", "Local coalition", &coalitions, "", false))
                (input(s, f, "project_start", "Project start date", "date", &today))
            }
            fieldset {
                legend { "Head of household" }
                (input(s, f, "first_name", "First name", "text", ""))
                (input(s, f, "last_name", "Last name", "text", ""))
                (input(s, f, "birth_date", "Date of birth (3.03)", "date", ""))
                (select(s, f, "age_band", "Age band at project start (without a date of birth)", &age_bands(), "", true))
                (select(s, f, "veteran", "Veteran status (3.07)", &codes(NoYesReasons::ALL, |c| c.code(), NoYesReasons::label), "99", false))
                (select(s, f, "disabling_condition", "Disabling condition (3.08)", &codes(NoYesReasons::ALL, |c| c.code(), NoYesReasons::label), "99", false))
            }
            fieldset {
                legend { "Prior living situation (3.917)" }
                (select(s, f, "prior_situation", "Living situation", &codes(PriorSituation::ALL, |c| c.code(), |c| LivingSituation::from(c).label()), "116", false))
                (input(s, f, "episode_start", "Date homelessness started (optional)", "date", ""))
                (select(s, f, "times_homeless", "Times homeless in the past three years", &codes(TimesHomeless::ALL, |c| c.code(), TimesHomeless::label), "99", false))
                (select(s, f, "months_homeless", "Months homeless in the past three years", &codes(MonthsHomeless::ALL, |c| c.code(), MonthsHomeless::label), "99", false))
            }
            fieldset {
                legend { "Current living situation (4.12)" }
                (select(s, f, "living_situation", "Living situation", &codes(CurrentSituation::ALL, |c| c.code(), |c| LivingSituation::from(c).label()), "116", false))
                (input(s, f, "location_details", "Location details (optional)", "text", ""))
            }
            fieldset {
                legend { "Referred without personal data (optional)" }
                p.muted { "For a survivor referred by a victim service provider, or a referral from outside HMIS: leave the names, date of birth and location details empty, give the age band, and say how to reach the household through the referring agency. Its referrals go to that agency, and it is never written to HMIS." }
                (input(s, f, "referring_agency", "Referring agency", "text", ""))
                (input(s, f, "reference", "The agency's reference number", "text", ""))
                (input(s, f, "agency_contact", "How to reach the agency's staff", "text", ""))
            }
            fieldset {
                legend { "Restriction" }
                (checkbox(s, f, "restricted", "Restricted (fleeing domestic violence): names only for the CE lead and this agency", false))
            }
            p { button type="submit" { "Enroll" } }
        }
    }
}

pub async fn enroll(
    State(app): AppState,
    headers: HeaderMap,
    Form(fields): Form<Fields>,
) -> Response {
    run_form(
        app,
        &headers,
        fields,
        ACCESS_LEAD,
        "enroll households",
        FormPage::Enroll,
        |_, f| forms::enroll(f),
    )
    .await
}

// ---------------------------------------------------------------- openings

pub async fn openings(
    State(app): AppState,
    headers: HeaderMap,
    Query(n): Query<Notice>,
) -> Response {
    show_page(
        app,
        &headers,
        PROVIDER_LEAD,
        "see openings",
        FormPage::Openings,
        &n,
    )
    .await
}

async fn openings_response(
    app: &Arc<App>,
    who: &Who,
    notice: Option<&str>,
    s: Option<FormState>,
) -> Response {
    let (a, viewer) = (Arc::clone(app), who.clone());
    let mine = match blocking(move || {
        let caseload = a.workflow.caught_up()?;
        Ok(caseload
            .openings
            .values()
            .filter(|o| viewer.role() == AccountRole::Lead || o.agency.0 == viewer.account.agency)
            .cloned()
            .collect::<Vec<ce_core::Opening>>())
    })
    .await
    {
        Ok(c) => c,
        Err(f) => return fail(Some(who), f, true),
    };
    let s = s.as_ref();
    let today = today().to_string();
    let policy = app.workflow.policy();
    let coalitions: Vec<(String, String)> = policy
        .coalitions
        .iter()
        .map(|c| (c.0.clone(), c.0.clone()))
        .collect();
    let programs: Vec<(String, String)> = ProgramType::ALL
        .iter()
        .map(|p| (p.to_string(), p.label().to_owned()))
        .collect();
    let body = html! {
        (form_alert(s))
        table {
            thead { tr { th { "Opening" } th { "Agency" } th { "Program" } th { "Type" } th { "Coalition" } th { "Serves" } th { "Units (filled)" } th { "Status" } th { "Actions" } } }
            tbody {
                @for o in &mine {
                    @let refer = format!("refer@{}", o.id);
                    @let withdraw = format!("withdraw@{}", o.id);
                    tr {
                        td { (o.id) }
                        td { (o.agency.0) }
                        td { (o.program) }
                        td { (o.program_type.label()) }
                        td { (o.coalition) }
                        td { (o.household_types.iter().map(|t| t.label()).collect::<Vec<_>>().join("; ")) @if o.chronic_only { " (chronic only)" } @if o.veterans_only { " (veterans only)" } }
                        td { (o.units) " (" (o.filled) ")" }
                        td { (o.status) @if let Some(r) = o.live_referral { ", live referral " (r) } @if let Some(why) = &o.withdrawn_reason { ": " (why) } }
                        td {
                            @if o.status == OpeningStatus::Open {
                                @if who.role() == AccountRole::Lead && o.live_referral.is_none() {
                                    form method="post" action=(format!("/openings/{}", o.id)) {
                                        (form_head(who, &refer, s))
                                        (input(s, &refer, "date", "Referral date", "date", &today))
                                        (input(s, &refer, "household", "Household (blank: the top eligible one)", "text", ""))
                                        (input(s, &refer, "bypass_reason", "Bypass reason (when naming a household ranked lower)", "text", ""))
                                        button type="submit" { "Refer" }
                                    }
                                }
                                form method="post" action=(format!("/openings/{}", o.id)) {
                                    (form_head(who, &withdraw, s))
                                    (input(s, &withdraw, "date", "Date", "date", &today))
                                    (input(s, &withdraw, "reason", "Why withdrawn", "text", ""))
                                    button type="submit" { "Withdraw" }
                                }
                            }
                        }
                    }
                }
            }
        }
        form method="post" action="/openings" {
            fieldset {
                legend { "Post an opening" }
                (form_head(who, "post", s))
                (input(s, "post", "date", "Date posted", "date", &today))
                (input(s, "post", "program", "Program name", "text", ""))
                (select(s, "post", "program_type", "Program type", &programs, "rrh", false))
                (select(s, "post", "coalition", "Coalition", &coalitions, "", false))
                p { "Household types served:" }
                @for t in ListHouseholdType::ALL {
                    label { input type="checkbox" name=(format!("type_{t}")) checked[typed(s, "post", &format!("type_{t}"), "") == "on"]; " " (t.label()) }
                }
                (field_error(s, "post", "household_types"))
                label { input type="checkbox" name="chronic_only" checked[typed(s, "post", "chronic_only", "") == "on"]; " Chronically homeless only" }
                label { input type="checkbox" name="veterans_only" checked[typed(s, "post", "veterans_only", "") == "on"]; " Veterans only" }
                (input(s, "post", "units", "Units", "number", "1"))
                p { button type="submit" { "Post opening" } }
            }
        }
    };
    let status = if s.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    (status, page("Openings", Some(who), notice, body)).into_response()
}

pub async fn post_opening(
    State(app): AppState,
    headers: HeaderMap,
    Form(fields): Form<Fields>,
) -> Response {
    run_form(
        app,
        &headers,
        fields,
        PROVIDER_LEAD,
        "change openings",
        FormPage::Openings,
        |_, f| forms::post_opening(f),
    )
    .await
}

pub async fn opening_action(
    State(app): AppState,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(fields): Form<Fields>,
) -> Response {
    let Ok(opening) = id.parse::<OpeningId>() else {
        return no_such(&app, &headers, "opening", &id, false);
    };
    run_form(
        app,
        &headers,
        fields,
        PROVIDER_LEAD,
        "change openings",
        FormPage::Openings,
        move |form, f| forms::opening_command(opening, form, f),
    )
    .await
}

// ---------------------------------------------------------------- referrals

pub async fn referrals(
    State(app): AppState,
    headers: HeaderMap,
    Query(n): Query<Notice>,
) -> Response {
    show_page(
        app,
        &headers,
        PROVIDER_LEAD,
        "see referrals",
        FormPage::Referrals,
        &n,
    )
    .await
}

async fn referrals_response(
    app: &Arc<App>,
    who: &Who,
    notice: Option<&str>,
    s: Option<FormState>,
) -> Response {
    let (a, viewer) = (Arc::clone(app), who.clone());
    // Only the referrals this account sees, their openings and households.
    let caseload = match blocking(move || {
        let all = a.workflow.caught_up()?;
        let mut slim = ce_core::Caseload::default();
        for r in all.referrals.values() {
            let opening = all.openings.get(&r.opening);
            if viewer.role() == AccountRole::Lead
                || opening.is_some_and(|o| o.agency.0 == viewer.account.agency)
            {
                slim.referrals.insert(r.id, r.clone());
                if let Some(o) = opening {
                    slim.openings.insert(o.id, o.clone());
                }
                if let Some(h) = all.households().get(&r.household) {
                    slim.insert_household(h.clone());
                }
            }
        }
        drop(all);
        // The page shows the heads' names: each household is a view.
        a.record_shown(&viewer, slim.households().keys().copied(), "referrals page")?;
        Ok(slim)
    })
    .await
    {
        Ok(c) => c,
        Err(f) => return fail(Some(who), f, true),
    };
    // The slim caseload holds every referral this account sees: enough to
    // tell which households were referred to its agency.
    let names = who.names(&caseload);
    let s = s.as_ref();
    let policy = app.workflow.policy();
    let today_date = today();
    let today = today_date.to_string();
    let reasons: Vec<(String, String)> = policy
        .decline_reasons
        .iter()
        .map(|r| {
            (
                r.code.to_string(),
                format!(
                    "{} (by the {})",
                    r.label,
                    if r.result == ReferralResult::UnsuccessfulClientRejected {
                        "client"
                    } else {
                        "provider"
                    }
                ),
            )
        })
        .collect();
    let mut rows: BTreeMap<
        (NaiveDate, ReferralId),
        (&ce_core::Referral, Option<&ce_core::Opening>),
    > = BTreeMap::new();
    for r in caseload.referrals.values() {
        let opening = caseload.openings.get(&r.opening);
        let ours = who.role() == AccountRole::Lead
            || opening.is_some_and(|o| o.agency.0 == who.account.agency);
        if ours {
            rows.insert((r.offered_on, r.id), (r, opening));
        }
    }
    let live = |r: &ce_core::Referral| {
        matches!(
            r.status,
            ReferralStatus::Offered | ReferralStatus::Acknowledged
        )
    };
    let body = html! {
        (form_alert(s))
        @if who.role() == AccountRole::Provider {
            p.muted { "Households referred to your agency's openings. You see these households, not the whole caseload." }
        }
        table {
            thead { tr { th { "Referral" } th { "Household" } th { "Opening" } th { "Offered" } th { "Due" } th { "Status" } th { "Actions" } } }
            tbody {
                @for (r, opening) in rows.values().rev() {
                    @let due = policy.referral_due_on(r.offered_on);
                    @let head = caseload.households().get(&r.household).map(|h| names.household(h)).and_then(|h| h.head().and_then(ce_core::report::member_name));
                    @let via = caseload.households().get(&r.household).and_then(|h| h.referred_by.clone());
                    tr {
                        td { (r.id) }
                        td {
                            a href=(format!("/households/{}", r.household)) { (head.unwrap_or_else(|| r.household.to_string())) }
                            @if let Some(via) = &via {
                                br; small.muted { "Reach through " (via.agency) " (ref " (via.reference) "): " (via.contact) }
                            }
                        }
                        td { (opening.map(|o| format!("{} ({}, {})", o.program, o.program_type.label(), o.agency.0)).unwrap_or_default()) }
                        td { (r.offered_on) }
                        td { (due) @if live(r) && today_date >= due { strong.error { " overdue" } } }
                        td { (referral_status(&r.status)) }
                        td {
                            @if live(r) {
                                @let action = format!("/referrals/{}", r.id);
                                @let decline = format!("decline@{}", r.id);
                                @if r.status == ReferralStatus::Offered {
                                    form.inline method="post" action=(action) {
                                        (form_head(who, &format!("acknowledge@{}", r.id), s))
                                        input type="hidden" name="date" value=(today);
                                        button type="submit" { "Acknowledge" }
                                    }
                                }
                                form.inline method="post" action=(action) {
                                    (form_head(who, &format!("accept@{}", r.id), s))
                                    input type="hidden" name="date" value=(today);
                                    button type="submit" { "Accept" }
                                }
                                form method="post" action=(action) {
                                    (form_head(who, &decline, s))
                                    input type="hidden" name="date" value=(today);
                                    (select(s, &decline, "reason", "Decline reason", &reasons, "", false))
                                    (input(s, &decline, "text", "Explanation (optional)", "text", ""))
                                    button type="submit" { "Decline" }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    let status = if s.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let title = if who.role() == AccountRole::Provider {
        "Referral inbox"
    } else {
        "Referrals"
    };
    (status, page(title, Some(who), notice, body)).into_response()
}

pub async fn referral_action(
    State(app): AppState,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(fields): Form<Fields>,
) -> Response {
    let Ok(referral) = id.parse::<ReferralId>() else {
        return no_such(&app, &headers, "referral", &id, false);
    };
    run_form(
        app,
        &headers,
        fields,
        PROVIDER_LEAD,
        "answer referrals",
        FormPage::Referrals,
        move |form, f| forms::referral_command(referral, form, f),
    )
    .await
}

// ---------------------------------------------------------------- lead tools

pub async fn lead(State(app): AppState, headers: HeaderMap, Query(n): Query<Notice>) -> Response {
    show_page(
        app,
        &headers,
        LEAD,
        "use the lead tools",
        FormPage::Lead,
        &n,
    )
    .await
}

async fn lead_response(
    app: &Arc<App>,
    who: &Who,
    notice: Option<&str>,
    s: Option<FormState>,
) -> Response {
    let a = Arc::clone(app);
    let today_date = today();
    let today = today_date.to_string();
    // The lists this page shows, made under the fold's lock.
    let (due, housed, overdue) = match blocking(move || a.data_quality(today_date)).await {
        Ok(q) => (
            q.due_for_inactivity,
            q.housed_not_exited,
            q.overdue_referrals,
        ),
        Err(f) => return fail(Some(who), f, true),
    };
    let s = s.as_ref();
    let policy = app.workflow.policy();
    let body = html! {
        (form_alert(s))
        form method="post" action="/lead" {
            fieldset {
                legend { "Inactivity sweep" }
                p { "Households with no contact for " (policy.inactivity_days) " days or more become inactive and leave the lists." }
                (form_head(who, "sweep", s))
                (input(s, "sweep", "as_of", "As of", "date", &today))
                button type="submit" { "Sweep" }
            }
        }
        form method="post" action="/lead" {
            fieldset {
                legend { "Expire overdue referrals" }
                (form_head(who, "expire", s))
                (input(s, "expire", "as_of", "As of", "date", &today))
                button type="submit" { "Expire" }
            }
        }
        h2 { "Overdue referrals (" (overdue.len()) ")" }
        ul {
            @for r in &overdue {
                li { a href=(format!("/households/{}", r.household)) { "Household " (r.household) } ": referral " (r.id) " offered " (r.offered_on) ", due " (policy.referral_due_on(r.offered_on)) }
            }
        }
        h2 { "Data quality" }
        h3 { "Due for inactivity (" (due.len()) ")" }
        ul {
            @for (id, last_contact) in &due {
                li { a href=(format!("/households/{id}")) { "Household " (id) } ": last contact " (last_contact) }
            }
        }
        h3 { "Housed but not exited after 30 days (" (housed.len()) ")" }
        ul {
            @for row in &housed {
                li { a href=(format!("/households/{}", row.household)) { "Household " (row.household) } }
            }
        }
    };
    let status = if s.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    (status, page("Lead tools", Some(who), notice, body)).into_response()
}

pub async fn lead_post(
    State(app): AppState,
    headers: HeaderMap,
    Form(fields): Form<Fields>,
) -> Response {
    run_form(
        app,
        &headers,
        fields,
        LEAD,
        "sweep or expire",
        FormPage::Lead,
        forms::lead_command,
    )
    .await
}

// ---------------------------------------------------------------- accounts

pub async fn users(State(app): AppState, headers: HeaderMap, Query(n): Query<Notice>) -> Response {
    let who = match gate(&app, &headers, true, ADMIN, "manage accounts") {
        Ok(who) => who,
        Err(response) => return *response,
    };
    users_response(&app, &who, notice_of(&n.done).as_deref(), None).await
}

async fn users_response(
    app: &Arc<App>,
    who: &Who,
    notice: Option<&str>,
    s: Option<FormState>,
) -> Response {
    let a = Arc::clone(app);
    let (accounts, log) = match blocking(move || Ok((a.accounts.all()?, a.accounts.log()?))).await {
        Ok(x) => x,
        Err(f) => return fail(Some(who), f, true),
    };
    let s = s.as_ref();
    let roles: Vec<(String, String)> = AccountRole::ALL
        .iter()
        .map(|r| (r.as_str().to_owned(), r.as_str().to_owned()))
        .collect();
    let body = html! {
        (form_alert(s))
        table {
            thead { tr { th { "User" } th { "Role" } th { "Agency" } th { "State" } th { "Actions" } } }
            tbody {
                @for a in &accounts {
                    tr {
                        td { (a.name) } td { (a.role) } td { (a.agency) }
                        td { (if a.disabled { "disabled" } else { "enabled" }) }
                        td {
                            form.inline method="post" action="/admin/users" {
                                (form_head(who, if a.disabled { "enable" } else { "disable" }, s))
                                input type="hidden" name="name" value=(a.name);
                                button type="submit" { (if a.disabled { "Enable" } else { "Disable" }) }
                            }
                        }
                    }
                }
            }
        }
        form method="post" action="/admin/users" {
            fieldset {
                legend { "Add an account" }
                (form_head(who, "add", s))
                (input(s, "add", "name", "User name", "text", ""))
                (select(s, "add", "role", "Role", &roles, "access", false))
                (input(s, "add", "agency", "Agency", "text", ""))
                label for="add-password" { "Password (at least 12 characters)" }
                input type="password" id="add-password" name="password" autocomplete="new-password";
                p { button type="submit" { "Add account" } }
            }
        }
        form method="post" action="/admin/users" {
            fieldset {
                legend { "Set a password" }
                (form_head(who, "password", s))
                (input(s, "password", "name", "User name", "text", ""))
                label for="password-password" { "New password" }
                input type="password" id="password-password" name="password" autocomplete="new-password";
                p { button type="submit" { "Set password" } }
            }
        }
        h2 { "Changes" }
        table {
            thead { tr { th { "When (UTC)" } th { "By" } th { "Change" } } }
            tbody {
                @for r in log.iter().rev() {
                    tr {
                        td { (r.at.format("%Y-%m-%d %H:%M:%S")) } td { (r.by) }
                        td { (match &r.change {
                            crate::accounts::Change::Added { user, role, agency, .. } => format!("added {user} ({role}, {agency})"),
                            crate::accounts::Change::PasswordSet { user, .. } => format!("set the password of {user}"),
                            crate::accounts::Change::Disabled { user } => format!("disabled {user}"),
                            crate::accounts::Change::Enabled { user } => format!("enabled {user}"),
                            crate::accounts::Change::TokenIssued { user, .. } => format!("issued an API token to {user}"),
                        }) }
                    }
                }
            }
        }
    };
    let status = if s.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    (status, page("Accounts", Some(who), notice, body)).into_response()
}

pub async fn users_post(
    State(app): AppState,
    headers: HeaderMap,
    Form(fields): Form<Fields>,
) -> Response {
    let who = match gate(&app, &headers, false, ADMIN, "manage accounts") {
        Ok(who) => who,
        Err(response) => return *response,
    };
    if let Err(f) = check_csrf(&who, &fields) {
        return fail(Some(&who), f, false);
    }
    let form = fields.get("form").to_owned();
    let a = Arc::clone(&app);
    let (by, sent, f2) = (who.account.name.clone(), fields.clone(), form.clone());
    let result = blocking(move || {
        let now = chrono::Utc::now();
        let name = sent.required("name", "User name")?;
        match f2.as_str() {
            "add" => {
                let role: AccountRole = sent.parse("role", "Role")?;
                a.accounts.add(
                    &by,
                    now,
                    name,
                    role,
                    sent.get("agency"),
                    sent.get("password"),
                )?;
            }
            "password" => {
                a.accounts
                    .set_password(&by, now, name, sent.get("password"))?;
                a.sessions.end_all_of(name);
            }
            "disable" => {
                a.accounts.set_disabled(&by, now, name, true)?;
                a.sessions.end_all_of(name);
            }
            "enable" => a.accounts.set_disabled(&by, now, name, false)?,
            other => {
                return Err(Failure::field(
                    "form",
                    format!("no accounts form {other:?}"),
                ))
            }
        }
        tracing::info!(by = %by, user = %name, change = %f2, "account changed");
        Ok(())
    })
    .await;
    match result {
        Ok(()) => done("/admin/users", "account"),
        Err(f) => {
            let state = FormState::failed(&form, &fields, &f);
            users_response(&app, &who, None, Some(state)).await
        }
    }
}

pub async fn style() -> Response {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
        crate::html::STYLE,
    )
        .into_response()
}

/// The page for a route that does not exist.
pub async fn not_found(State(app): AppState, headers: HeaderMap) -> Response {
    let who = app.who(&headers).ok();
    let failure = Failure::NotFound("no such page".to_owned());
    (StatusCode::NOT_FOUND, failure_page(who.as_ref(), &failure)).into_response()
}

/// The lists the API's query selects (see [`lists`]).
pub fn list_reports_for(
    app: &App,
    who: &Who,
    coalition: Option<String>,
    program: Option<String>,
    household_type: Option<String>,
    as_of: Option<String>,
) -> Result<(Vec<PriorityListReport>, NaiveDate), Failure> {
    list_reports(
        app,
        who,
        &ListQuery {
            coalition,
            program,
            household_type,
            as_of,
            done: None,
        },
    )
}
