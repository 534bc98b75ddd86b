//! The page frame and the pieces every page's forms use: the layout with
//! its navigation by role, form fields that keep what the user typed and
//! show the rule's message beside the field it is about, and HUD code
//! selects labelled in HUD's words.

use std::collections::HashMap;

use maud::{html, Markup, DOCTYPE};

use crate::accounts::AccountRole;
use crate::app::{Failure, Who};

/// What a form was sent with, and what went wrong with it, to show it
/// again.
#[derive(Debug, Default, Clone)]
pub struct FormState {
    /// Which form on the page (its `form` field).
    pub form: String,
    /// The values as typed.
    pub values: HashMap<String, String>,
    /// The message of the field it is about, or of the form.
    pub errors: HashMap<String, String>,
}

impl FormState {
    /// The state of `form` sent with `fields`, failed with `failure`.
    pub fn failed(form: &str, fields: &Fields, failure: &Failure) -> Self {
        // A form repeated on each row of a table carries its row: only that
        // row's form shows the message and what was typed.
        let form = match fields.opt("row") {
            Some(row) => format!("{form}@{row}"),
            None => form.to_owned(),
        };
        let mut errors = HashMap::new();
        errors.insert(
            failure.field_name().unwrap_or_else(|| "_form".to_owned()),
            failure.detail(),
        );
        Self {
            form,
            values: fields.0.iter().cloned().collect(),
            errors,
        }
    }
}

/// The fields of a form as sent.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(transparent)]
pub struct Fields(pub Vec<(String, String)>);

impl Fields {
    /// The value of `name` (trimmed; empty if absent).
    pub fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.trim())
    }

    /// The value of `name`, `None` when absent or empty.
    pub fn opt(&self, name: &str) -> Option<&str> {
        Some(self.get(name)).filter(|v| !v.is_empty())
    }

    /// A required value.
    pub fn required(&self, name: &str, label: &str) -> Result<&str, Failure> {
        self.opt(name)
            .ok_or_else(|| Failure::field(name, format!("{label} is required")))
    }

    /// A date (YYYY-MM-DD).
    pub fn date(&self, name: &str, label: &str) -> Result<chrono::NaiveDate, Failure> {
        let value = self.required(name, label)?;
        value.parse().map_err(|_| {
            Failure::field(
                name,
                format!("{label} {value:?} is not a date (YYYY-MM-DD)"),
            )
        })
    }

    /// An optional date.
    pub fn opt_date(&self, name: &str, label: &str) -> Result<Option<chrono::NaiveDate>, Failure> {
        match self.opt(name) {
            None => Ok(None),
            Some(_) => self.date(name, label).map(Some),
        }
    }

    /// A HUD code of type `T`.
    pub fn code<T: TryFrom<u16>>(&self, name: &str, label: &str) -> Result<T, Failure>
    where
        T::Error: std::fmt::Display,
    {
        let value = self.required(name, label)?;
        let code: u16 = value
            .parse()
            .map_err(|_| Failure::field(name, format!("{label} {value:?} is not a HUD code")))?;
        T::try_from(code).map_err(|e| Failure::field(name, e.to_string()))
    }

    /// An optional HUD code.
    pub fn opt_code<T: TryFrom<u16>>(&self, name: &str, label: &str) -> Result<Option<T>, Failure>
    where
        T::Error: std::fmt::Display,
    {
        match self.opt(name) {
            None => Ok(None),
            Some(_) => self.code(name, label).map(Some),
        }
    }

    /// A value parsed with `FromStr`.
    pub fn parse<T: std::str::FromStr>(&self, name: &str, label: &str) -> Result<T, Failure> {
        let value = self.required(name, label)?;
        value
            .parse()
            .map_err(|_| Failure::field(name, format!("{label} {value:?} is not valid here")))
    }

    /// A checkbox.
    pub fn checked(&self, name: &str) -> bool {
        matches!(self.get(name), "on" | "true" | "1" | "yes")
    }
}

/// The stylesheet (one file, no build chain).
pub const STYLE: &str = r#"
:root { font-family: system-ui, sans-serif; color: #1b1b1b; }
body { margin: 0; }
header { background: #1f3a5f; color: #fff; padding: .6rem 1rem; display: flex; gap: 1rem; align-items: center; flex-wrap: wrap; }
header a, header button { color: #fff; }
header nav a { margin-right: .8rem; }
header .who { margin-left: auto; }
header form { display: inline; }
header button { background: none; border: 1px solid #fff; border-radius: 3px; cursor: pointer; }
main { padding: 1rem; max-width: 72rem; }
table { border-collapse: collapse; margin: .5rem 0 1.5rem; }
th, td { border: 1px solid #ccc; padding: .25rem .5rem; text-align: left; vertical-align: top; }
th { background: #eef2f7; }
fieldset { border: 1px solid #ccc; margin: 1rem 0; padding: .5rem 1rem; max-width: 46rem; }
legend { font-weight: bold; }
label { display: block; margin: .4rem 0 .1rem; }
input[type=text], input[type=date], input[type=number], input[type=password], select, textarea { width: 100%; max-width: 40rem; box-sizing: border-box; }
textarea { height: 4rem; }
.error { color: #a00; font-weight: bold; }
.notice { background: #e7f5e7; border: 1px solid #7a7; padding: .4rem .8rem; }
.alert { background: #fdecea; border: 1px solid #c66; padding: .4rem .8rem; }
.inline { display: inline; }
.muted { color: #555; }
"#;

/// A whole page: the frame, the navigation for `who`'s role, a notice
/// (after a command succeeded) and the body.
pub fn page(title: &str, who: Option<&Who>, notice: Option<&str>, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " — ce" }
                link rel="stylesheet" href="/style.css";
                // No icon: the browser would otherwise ask for /favicon.ico.
                link rel="icon" href="data:,";
            }
            body {
                header {
                    strong { "WI BoS Coordinated Entry" }
                    @if let Some(who) = who {
                        nav {
                            @match who.role() {
                                AccountRole::Access => {
                                    a href="/lists" { "Priority lists" }
                                    a href="/enroll" { "Enroll a household" }
                                }
                                AccountRole::Provider => {
                                    a href="/openings" { "Our openings" }
                                    a href="/referrals" { "Referral inbox" }
                                }
                                AccountRole::Lead => {
                                    a href="/lists" { "Priority lists" }
                                    a href="/enroll" { "Enroll a household" }
                                    a href="/openings" { "Openings" }
                                    a href="/referrals" { "Referrals" }
                                    a href="/lead" { "Lead tools" }
                                }
                                AccountRole::Admin => {
                                    a href="/admin/users" { "Accounts" }
                                }
                            }
                        }
                        span.who {
                            (who.account.name) " (" (who.role().as_str()) ", " (who.account.agency) ") "
                            form method="post" action="/logout" {
                                (csrf_field(who))
                                button type="submit" { "Sign out" }
                            }
                        }
                    }
                }
                main {
                    h1 { (title) }
                    @if let Some(notice) = notice {
                        p.notice role="status" { (notice) }
                    }
                    (body)
                }
            }
        }
    }
}

/// The hidden CSRF field of `who`'s session.
pub fn csrf_field(who: &Who) -> Markup {
    html! { input type="hidden" name="csrf" value=(who.csrf.as_deref().unwrap_or("")); }
}

/// The hidden fields every workflow form carries: which form it is, the
/// CSRF token, and a fresh command id (a resubmitted form is recognised
/// and not recorded twice).
pub fn form_head(who: &Who, form: &str, state: Option<&FormState>) -> Markup {
    let command_id = state
        .filter(|s| s.form == form)
        .and_then(|s| s.values.get("command_id").cloned())
        .unwrap_or_else(|| ce_core::CommandId::random().to_string());
    // `name@row`: a form repeated on each row of a table.
    let (name, row) = match form.split_once('@') {
        Some((name, row)) => (name, Some(row)),
        None => (form, None),
    };
    html! {
        (csrf_field(who))
        input type="hidden" name="form" value=(name);
        @if let Some(row) = row { input type="hidden" name="row" value=(row); }
        input type="hidden" name="command_id" value=(command_id);
        @if let Some(error) = state.filter(|s| s.form == form).and_then(|s| s.errors.get("_form")) {
            p.error role="alert" { (error) }
        }
    }
}

/// The summary at the top of a page whose form was refused: what was not
/// recorded and why (the same message stands beside the field, when the
/// form is still on the page).
pub fn form_alert(state: Option<&FormState>) -> Markup {
    let Some(state) = state else {
        return html! {};
    };
    html! {
        div.alert role="alert" {
            "Not recorded: "
            @for message in state.errors.values() { (message) " " }
        }
    }
}

/// The element id of field `name` of `form` (unique per row).
pub fn field_id(form: &str, name: &str) -> String {
    format!("{}-{name}", form.replace('@', "-"))
}

/// What `state` says `name` of `form` was typed as, else `default`.
/// A control character typed (which the workflow refuses, and which has
/// no place in a page) comes back as U+FFFD, where it was.
pub fn typed(state: Option<&FormState>, form: &str, name: &str, default: &str) -> String {
    state
        .filter(|s| s.form == form)
        .and_then(|s| s.values.get(name))
        .map(|typed| {
            typed
                .chars()
                .map(|c| match c {
                    '\n' | '\r' | '\t' => c,
                    c if c.is_control() => '\u{FFFD}',
                    c => c,
                })
                .collect()
        })
        .unwrap_or_else(|| default.to_owned())
}

/// The error `state` has for `name` of `form`.
pub fn field_error(state: Option<&FormState>, form: &str, name: &str) -> Markup {
    match state
        .filter(|s| s.form == form)
        .and_then(|s| s.errors.get(name))
    {
        Some(error) => {
            html! { span.error role="alert" id=(format!("{form}-{name}-error")) { (error) } }
        }
        None => html! {},
    }
}

/// A labelled input of `type_`.
pub fn input(
    state: Option<&FormState>,
    form: &str,
    name: &str,
    label: &str,
    type_: &str,
    default: &str,
) -> Markup {
    let id = field_id(form, name);
    html! {
        label for=(id) { (label) }
        input type=(type_) id=(id) name=(name) value=(typed(state, form, name, default));
        (field_error(state, form, name))
    }
}

/// A labelled textarea.
pub fn textarea(state: Option<&FormState>, form: &str, name: &str, label: &str) -> Markup {
    let id = field_id(form, name);
    html! {
        label for=(id) { (label) }
        textarea id=(id) name=(name) { (typed(state, form, name, "")) }
        (field_error(state, form, name))
    }
}

/// A labelled select of `(value, label)` options; `blank` adds an empty
/// first option.
pub fn select(
    state: Option<&FormState>,
    form: &str,
    name: &str,
    label: &str,
    options: &[(String, String)],
    default: &str,
    blank: bool,
) -> Markup {
    let id = field_id(form, name);
    let chosen = typed(state, form, name, default);
    html! {
        label for=(id) { (label) }
        select id=(id) name=(name) {
            @if blank { option value="" { "—" } }
            @for (value, text) in options {
                option value=(value) selected[*value == chosen] { (text) }
            }
        }
        (field_error(state, form, name))
    }
}

/// `(code, "code — label")` options of a HUD code list.
pub fn codes<T: Copy>(
    all: &[T],
    code: impl Fn(T) -> u16,
    label: impl Fn(T) -> &'static str,
) -> Vec<(String, String)> {
    all.iter()
        .map(|&t| (code(t).to_string(), format!("{} — {}", code(t), label(t))))
        .collect()
}

/// A page that says what went wrong.
pub fn failure_page(who: Option<&Who>, failure: &Failure) -> Markup {
    page(
        "Cannot do that",
        who,
        None,
        html! {
            p.alert role="alert" { (failure.message()) }
            @if matches!(failure, Failure::SignIn) {
                p { a href="/login" { "Sign in" } }
            } @else {
                p { a href="/" { "Home" } }
            }
        },
    )
}
