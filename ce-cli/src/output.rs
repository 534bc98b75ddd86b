//! Printing: text for people, one JSON document for scripts (`--json`).

use std::fmt::Display;
use std::sync::Mutex;

use serde::Serialize;

/// The first output that could not be written, and what it said: `main`
/// turns it into exit code 5 after the command, printing the lost text on
/// stderr (a command that stored something must not lose the id it printed).
static FAILED: Mutex<Option<(String, String)>> = Mutex::new(None);

/// What [`Output::emit`] could not write: the error and the lost text.
pub fn failed() -> Option<(String, String)> {
    FAILED.lock().unwrap_or_else(|p| p.into_inner()).take()
}

/// Where results go.
#[derive(Debug, Clone, Copy)]
pub struct Output {
    /// Print JSON instead of text.
    pub json: bool,
}

impl Output {
    /// Prints `text` for people, or `value` as JSON for scripts.
    ///
    /// Text has its control characters escaped (but line breaks): names,
    /// programs and notes come from users and files, and an escape
    /// sequence among them would rewrite the reader's terminal. JSON
    /// escapes them itself. A write that fails (a full disk, a closed
    /// file) is kept for `main`, which exits 5 and prints the text on
    /// stderr; a closed pipe (`ce list | head`) is the reader's choice.
    pub fn emit(&self, text: impl Display, value: &impl Serialize) {
        let text = text.to_string();
        let printed = if self.json {
            serde_json::to_string_pretty(value)
                .map_err(std::io::Error::from)
                .and_then(print_line)
        } else {
            print_line(escape_controls(&text))
        };
        if let Err(e) = printed {
            if e.kind() != std::io::ErrorKind::BrokenPipe {
                let mut failed = FAILED.lock().unwrap_or_else(|p| p.into_inner());
                failed.get_or_insert((e.to_string(), text));
            }
        }
    }
}

/// Writes a line to stderr, control characters escaped; a stderr that
/// cannot be written is ignored (`eprintln!` would panic).
pub fn to_stderr(line: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr().lock(), "{}", escape_controls(line));
}

/// `text` with every control character but a line break shown as an
/// escape (`\u{1b}`), so that what users typed cannot drive the terminal.
pub fn escape_controls(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(|c| c.is_control() && c != '\n') {
        return text.into();
    }
    text.chars()
        .map(|c| {
            if c.is_control() && c != '\n' {
                c.escape_unicode().to_string()
            } else {
                c.to_string()
            }
        })
        .collect::<String>()
        .into()
}

fn print_line(text: impl Display) -> std::io::Result<()> {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{text}")?;
    stdout.flush()
}

/// Columns separated by spaces, the header underlined: easy to read and to
/// copy ids from.
const PLAIN: comfy_table::TableStyle = comfy_table::TableStyle::new()
    .header_separator(comfy_table::LineStyle::none().fill('-').junction(' '));

/// An aligned table for people.
pub fn table<R, C>(header: &[&str], rows: R) -> String
where
    R: IntoIterator<Item = C>,
    C: IntoIterator<Item = String>,
{
    let mut table = comfy_table::Table::new();
    table.load_style(PLAIN).set_header(header.iter().copied());
    for row in rows {
        table.add_row(row);
    }
    table.to_string()
}

/// A priority list report as an aligned table (the BoS Priority List Report's columns).
pub fn report_table(report: &ce_core::report::PriorityListReport) -> String {
    let opt = |v: Option<String>| v.unwrap_or_else(|| "-".to_owned());
    let rows = report.rows.iter().map(|row| {
        vec![
            row.rank.to_string(),
            opt(row.head_name.clone()),
            opt(row
                .head_source_id
                .clone()
                .or_else(|| row.head.map(|c| c.to_string()))),
            row.household.to_string(),
            row.household_type.to_string(),
            if row.chronic { "yes" } else { "no" }.to_owned(),
            opt(row.score.map(|s| s.to_string())),
            row.months_homeless.count_text(),
            row.placed_on.to_string(),
            row.days_on_list.to_string(),
            row.last_contact.to_string(),
            row.days_since_contact.to_string(),
            opt(row.live_referral.map(|r| r.to_string())),
        ]
    });
    format!(
        "{} as of {} ({} households)\n{}",
        report.key,
        report.as_of,
        report.rows.len(),
        table(
            &[
                "rank",
                "head of household",
                "client id",
                "household",
                "household type",
                "chronic",
                "score",
                "months homeless",
                "placed",
                "days on list",
                "last contact",
                "days since contact",
                "live referral",
            ],
            rows,
        )
    )
}

/// A progress bar on stderr when it is a terminal and output is for people;
/// otherwise a hidden one, so scripts see nothing extra.
pub fn progress(out: Output, total: u64, what: &str) -> indicatif::ProgressBar {
    use std::io::IsTerminal;
    if out.json || !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(total);
    if let Ok(style) =
        indicatif::ProgressStyle::with_template("{msg:10} [{bar:40}] {pos}/{len} {elapsed}")
    {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_message(what.to_owned());
    bar
}
