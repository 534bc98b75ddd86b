//! Findings and the parsing of one row's fields, recording every bad one.

use super::*;

/// Collects findings.
#[derive(Debug, Default)]
pub(super) struct Issues(pub(super) Vec<ImportIssue>);

impl Issues {
    pub(super) fn push(
        &mut self,
        kind: IssueKind,
        file: &'static str,
        line: Option<u64>,
        column: Option<&str>,
        reason: impl Into<String>,
    ) {
        self.0.push(ImportIssue {
            kind,
            file,
            line,
            column: column.map(str::to_owned),
            value: None,
            reason: reason.into(),
        });
    }

    /// A finding about one value of one row.
    pub(super) fn push_value(
        &mut self,
        kind: IssueKind,
        (file, line): (&'static str, u64),
        column: &str,
        value: &str,
        reason: impl Into<String>,
    ) {
        self.0.push(ImportIssue {
            kind,
            file,
            line: Some(line),
            column: Some(column.to_owned()),
            value: Some(value.to_owned()),
            reason: reason.into(),
        });
    }
}

/// Parses one row's fields, recording every bad one.
pub(super) struct Fields<'a> {
    pub(super) issues: &'a mut Issues,
    pub(super) file: &'static str,
    pub(super) line: u64,
    pub(super) bad: bool,
}

/// A HUD code of list `T`, or why `value` is not one.
fn parse_code<T: TryFrom<u16, Error = InvalidCode>>(value: &str) -> Result<T, String> {
    value
        .parse::<u16>()
        .map_err(|_| format!("{value:?} is not a code"))
        .and_then(|c| T::try_from(c).map_err(|e| e.to_string()))
}

impl Fields<'_> {
    pub(super) fn skip(&mut self, reason: impl Into<String>) {
        self.bad = true;
        self.issues
            .push(IssueKind::Skipped, self.file, Some(self.line), None, reason);
    }

    /// An error about the value found in `column`.
    pub(super) fn error_value(&mut self, column: &str, value: &str, reason: impl Into<String>) {
        self.bad = true;
        self.issues.push_value(
            IssueKind::Error,
            (self.file, self.line),
            column,
            value,
            reason,
        );
    }

    pub(super) fn error(&mut self, column: &str, reason: impl Into<String>) {
        self.bad = true;
        self.issues.push(
            IssueKind::Error,
            self.file,
            Some(self.line),
            Some(column),
            reason,
        );
    }

    pub(super) fn required<'v>(&mut self, column: &str, v: &'v Option<String>) -> Option<&'v str> {
        let value = cell(v);
        if value.is_none() {
            self.error(column, "required value is empty");
        }
        value
    }

    pub(super) fn text(&mut self, column: &str, v: &Option<String>) -> Option<String> {
        self.required(column, v).map(str::to_owned)
    }

    pub(super) fn date(&mut self, column: &str, v: &Option<String>) -> Option<NaiveDate> {
        let value = self.required(column, v)?;
        let parsed = parse_date(value);
        if parsed.is_none() {
            self.error_value(
                column,
                value,
                format!("{value:?} is not a date (YYYY-MM-DD)"),
            );
        }
        parsed
    }

    /// A trailer datetime: when unreadable, the import's time is used.
    pub(super) fn lenient_datetime(
        &mut self,
        column: &str,
        v: &Option<String>,
    ) -> Option<DateTime<Utc>> {
        self.lenient(
            column,
            v,
            parse_datetime,
            "is not a datetime (YYYY-MM-DD hh:mm:ss): the import's time is used",
        )
    }

    pub(super) fn opt_code<T: TryFrom<u16, Error = InvalidCode>>(
        &mut self,
        column: &str,
        v: &Option<String>,
    ) -> Option<T> {
        let value = cell(v)?;
        let parsed = parse_code::<T>(value);
        match parsed {
            Ok(code) => Some(code),
            Err(reason) => {
                self.error_value(column, value, reason);
                None
            }
        }
    }

    /// An optional code that, when invalid, is dropped with a finding
    /// instead of failing the row.
    pub(super) fn lenient_code<T: TryFrom<u16, Error = InvalidCode>>(
        &mut self,
        column: &str,
        v: &Option<String>,
        instead: &str,
    ) -> Option<T> {
        let value = cell(v)?;
        let parsed = parse_code::<T>(value);
        match parsed {
            Ok(code) => Some(code),
            Err(reason) => {
                self.issues.push_value(
                    IssueKind::Repaired,
                    (self.file, self.line),
                    column,
                    value,
                    format!("{reason}: {instead}"),
                );
                None
            }
        }
    }

    /// Optional free text, cut to HUD's length of the column with a
    /// finding when longer.
    pub(super) fn text_at_most(&mut self, column: &str, v: &Option<String>) -> Option<String> {
        let value = cell(v)?;
        Some(self.cut(column, value))
    }

    /// Text cut to HUD's length of the column (`S50`, `S100`, ...), with a
    /// finding when longer.
    pub(super) fn cut(&mut self, column: &str, value: &str) -> String {
        let Some(max) = max_chars(self.file, column) else {
            return value.to_owned();
        };
        let chars = value.chars().count();
        if chars <= max {
            return value.to_owned();
        }
        self.issues.push(
            IssueKind::Repaired,
            self.file,
            Some(self.line),
            Some(column),
            format!("{chars} characters, more than HUD's {max}: cut to {max}"),
        );
        value.chars().take(max).collect()
    }

    /// An optional date that, when unreadable, is dropped with a finding.
    pub(super) fn lenient_date(&mut self, column: &str, v: &Option<String>) -> Option<NaiveDate> {
        self.lenient(
            column,
            v,
            parse_date,
            "is not a date (YYYY-MM-DD): left empty",
        )
    }

    /// An optional value that, when `parse` cannot read it, is dropped
    /// with a repaired finding: "`value` `failed`".
    fn lenient<T>(
        &mut self,
        column: &str,
        v: &Option<String>,
        parse: fn(&str) -> Option<T>,
        failed: &str,
    ) -> Option<T> {
        let value = cell(v)?;
        let parsed = parse(value);
        if parsed.is_none() {
            self.issues.push_value(
                IssueKind::Repaired,
                (self.file, self.line),
                column,
                value,
                format!("{value:?} {failed}"),
            );
        }
        parsed
    }

    pub(super) fn code<T: TryFrom<u16, Error = InvalidCode>>(
        &mut self,
        column: &str,
        v: &Option<String>,
    ) -> Option<T> {
        self.required(column, v)?;
        self.opt_code(column, v)
    }
}

/// The trailer of a row, as used by the import.
#[derive(Debug, Clone, Default)]
pub(super) struct Source {
    pub(super) line: u64,
    pub(super) created: Option<DateTime<Utc>>,
    pub(super) updated: Option<DateTime<Utc>>,
    pub(super) user: Option<String>,
}

/// The times a row's DateCreated and DateUpdated may take: not before
/// HMIS data start, nor after the export was made.
#[derive(Debug, Clone, Copy)]
pub(super) struct Stamps {
    /// The latest plausible time: a day after the later of ExportDate and
    /// the end of ExportEndDate.
    pub(super) until: Option<DateTime<Utc>>,
    /// What a row's time is read as when neither of its own is plausible:
    /// the export's date.
    pub(super) export_date: Option<DateTime<Utc>>,
}

impl Stamps {
    /// Why `t` cannot be when a row was created or updated, if it cannot.
    fn implausible(&self, t: DateTime<Utc>) -> Option<String> {
        if t.date_naive() < EARLIEST_DATE {
            return Some(format!("before {EARLIEST_DATE}, when HMIS data start"));
        }
        let until = self.until?;
        (t > until).then(|| format!("after the export was made ({until} at the latest)"))
    }
}

pub(super) fn source(
    f: &mut Fields<'_>,
    stamps: Stamps,
    created: &Option<String>,
    updated: &Option<String>,
    user: &Option<String>,
) -> Source {
    const COLUMNS: [&str; 2] = ["DateCreated", "DateUpdated"];
    let raw = [created, updated];
    let read = [
        f.lenient_datetime(COLUMNS[0], created),
        f.lenient_datetime(COLUMNS[1], updated),
    ];
    let plausible = |t: Option<DateTime<Utc>>| t.filter(|t| stamps.implausible(*t).is_none());
    let mut times = read;
    for (i, (column, other)) in COLUMNS.iter().zip(COLUMNS.iter().rev()).enumerate() {
        let Some(why) = read[i].and_then(|t| stamps.implausible(t)) else {
            continue;
        };
        // The row's other time, else the export's date, else the import's.
        let (instead, what) = match (plausible(read[1 - i]), plausible(stamps.export_date)) {
            (Some(t), _) => (Some(t), format!("{other} {t} used")),
            (None, Some(t)) => (Some(t), format!("the export's date {t} used")),
            (None, None) => (None, "the import's time used".to_owned()),
        };
        times[i] = instead;
        let value = cell(raw[i]).unwrap_or_default();
        f.issues.push_value(
            IssueKind::Repaired,
            (f.file, f.line),
            column,
            value,
            format!("{value:?} is {why}: {what}"),
        );
    }
    let [created, updated] = times;
    Source {
        line: f.line,
        created,
        updated,
        user: cell(user).map(|u| f.cut("UserID", u)),
    }
}
