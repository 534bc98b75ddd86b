//! HUD's text forms: dates, datetimes, codes, ids and free text, both ways.

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, Utc};
use uuid::Uuid;

use ce_core::UserId;

/// HUD's date format (type D).
pub(crate) const DATE: &str = "%Y-%m-%d";
/// HUD's datetime format (type T): 24-hour, no zone, no fraction.
pub(crate) const DATETIME: &str = "%Y-%m-%d %H:%M:%S";

/// The namespace of every id this module derives (UUID v5).
const NAMESPACE: Uuid = Uuid::from_u128(0x6c1f_4f55_2a2e_4d4b_9a4e_68d5_c5a1_2024);

/// A date field.
pub(crate) fn date(d: NaiveDate) -> Option<String> {
    Some(d.format(DATE).to_string())
}

/// A datetime field, in UTC (ce keeps recorded-at times in UTC).
pub(crate) fn datetime(t: DateTime<Utc>) -> Option<String> {
    Some(t.format(DATETIME).to_string())
}

/// An integer code field.
pub(crate) fn code(c: impl Into<u16>) -> Option<String> {
    Some(c.into().to_string())
}

/// A fixed value.
pub(crate) fn lit(s: &str) -> Option<String> {
    Some(s.to_owned())
}

/// A 32-hex-digit id field.
pub(crate) fn id(u: Uuid) -> Option<String> {
    Some(u.simple().to_string())
}

/// A free-text field as FY2024 wants it: `< > [ ] { }` and control
/// characters stripped, line breaks as spaces, at most `max` characters;
/// `None` when nothing is left.
pub(crate) fn text(s: &str, max: usize) -> Option<String> {
    let cleaned: String = s
        .chars()
        .filter_map(|c| match c {
            '\r' | '\n' | '\t' => Some(' '),
            '<' | '>' | '[' | ']' | '{' | '}' => None,
            c if c.is_control() => None,
            c => Some(c),
        })
        .take(max)
        .collect();
    let trimmed = cleaned.trim();
    (!trimmed.is_empty()).then(|| trimmed.to_owned())
}

/// The UserID column: the acting user when it fits HUD's 32 characters,
/// otherwise an id derived from it.
pub(crate) fn user(u: &UserId) -> Option<String> {
    if !u.0.is_empty() && u.0.chars().count() <= 32 {
        text(&u.0, 32)
    } else {
        id(derive(&[b"user", u.0.as_bytes()]))
    }
}

/// A deterministic id from its parts.
pub(crate) fn derive(parts: &[&[u8]]) -> Uuid {
    let mut name = Vec::new();
    for part in parts {
        name.extend_from_slice(&(part.len() as u64).to_be_bytes());
        name.extend_from_slice(part);
    }
    Uuid::new_v5(&NAMESPACE, &name)
}

/// A deterministic id derived from another id and a purpose.
pub(crate) fn derive_from(base: &Uuid, purpose: &str, index: u64) -> Uuid {
    derive(&[base.as_bytes(), purpose.as_bytes(), &index.to_be_bytes()])
}

/// A cell's value: trimmed, `None` when empty.
pub(crate) fn cell(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// Parses a date leniently: HUD's form, and the forms spreadsheets rewrite
/// it into.
pub(crate) fn parse_date(s: &str) -> Option<NaiveDate> {
    // HUD's form, spreadsheets' rewrites, and the day-month-year of some
    // databases' default output (`08-MAY-1967`, `08-MAY-67`: a two-digit
    // year is read as chrono reads %y, 1969-2068; see `years_before`).
    // Two-digit years first: `%Y` would take "67" as the year 67.
    const FORMS: &[&str] = &[
        DATE, "%m/%d/%y", "%m/%d/%Y", "%Y/%m/%d", "%d-%b-%y", "%d-%b-%Y",
    ];
    let s = s.trim();
    let date_part = s.split([' ', 'T']).next().unwrap_or(s);
    FORMS
        .iter()
        .find_map(|f| NaiveDate::parse_from_str(date_part, f).ok())
}

/// Whether `raw` spelled the year of `date` with two digits only.
pub(crate) fn two_digit_year(raw: &str, date: NaiveDate) -> bool {
    !raw.contains(&format!("{:04}", date.year()))
}

/// Parses a datetime leniently (taken as UTC); a bare date is midnight.
pub(crate) fn parse_datetime(s: &str) -> Option<DateTime<Utc>> {
    const FORMS: &[&str] = &[
        DATETIME,
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M",
        "%m/%d/%Y %H:%M:%S",
        "%m/%d/%Y %H:%M",
    ];
    let s = s.trim();
    FORMS
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(s, f).ok())
        .or_else(|| {
            NaiveDate::parse_from_str(s, DATE)
                .ok()
                .and_then(|d| d.and_hms_opt(0, 0, 0))
        })
        .map(|t| t.and_utc())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_strips_what_fy2024_forbids() {
        assert_eq!(text("a <b> [c]\n{d}\u{7}", 250).as_deref(), Some("a b c d"));
        assert_eq!(text("  ", 10), None);
        assert_eq!(text("abcdef", 3).as_deref(), Some("abc"));
    }

    #[test]
    fn dates_are_read_leniently() {
        let d = NaiveDate::from_ymd_opt(2025, 3, 4);
        assert_eq!(parse_date("2025-03-04"), d);
        assert_eq!(parse_date("03/04/2025"), d);
        assert_eq!(parse_date("03/04/25"), d);
        assert_eq!(parse_date("2025-03-04 00:00:00"), d);
        assert_eq!(parse_date("2025-13-04"), None);
        let may = NaiveDate::from_ymd_opt(1967, 5, 8);
        assert_eq!(parse_date("08-MAY-1967"), may);
        assert_eq!(parse_date("08-may-1967"), may);
        let may67 = parse_date("08-MAY-67");
        assert_eq!(may67, NaiveDate::from_ymd_opt(2067, 5, 8));
        assert!(may67.is_some_and(|d| two_digit_year("08-MAY-67", d)));
        assert!(may.is_some_and(|d| !two_digit_year("08-MAY-1967", d)));
        let t = parse_datetime("2025-03-04 05:06:07");
        assert_eq!(
            t.map(|t| t.format(DATETIME).to_string()).as_deref(),
            Some("2025-03-04 05:06:07")
        );
        assert!(parse_datetime("03/04/2025 05:06").is_some());
        assert!(parse_datetime("soon").is_none());
    }

    #[test]
    fn long_user_names_become_ids() {
        assert_eq!(user(&UserId("jdoe".into())).as_deref(), Some("jdoe"));
        let long = UserId("x".repeat(40));
        assert_eq!(user(&long).map(|u| u.len()), Some(32));
    }
}
