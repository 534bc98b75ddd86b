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

    /// Optional free text, cut to `max` characters (HUD's length) with a
    /// finding when longer.
    pub(super) fn text_at_most(
        &mut self,
        column: &str,
        v: &Option<String>,
        max: usize,
    ) -> Option<String> {
        let value = cell(v)?;
        Some(self.cut(column, value, max))
    }

    /// Text cut to `max` characters (HUD's length), with a finding when
    /// longer.
    pub(super) fn cut(&mut self, column: &str, value: &str, max: usize) -> String {
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

pub(super) fn source(
    f: &mut Fields<'_>,
    created: &Option<String>,
    updated: &Option<String>,
    user: &Option<String>,
) -> Source {
    Source {
        line: f.line,
        created: f.lenient_datetime("DateCreated", created),
        updated: f.lenient_datetime("DateUpdated", updated),
        user: cell(user).map(str::to_owned),
    }
}
