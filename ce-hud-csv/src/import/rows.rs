//! One file read: its header matched to HUD's by name, its rows by line,
//! short rows padded, repeated keys and deleted rows set apart.

use super::*;

/// The closest header name to `name`: the same letters in another case, or
/// one or two letters off.
pub(super) fn close_to<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    pub(super) fn distance(a: &str, b: &str) -> usize {
        let b: Vec<char> = b.chars().collect();
        let mut prev: Vec<usize> = (0..=b.len()).collect();
        for (i, ca) in a.chars().enumerate() {
            let mut row = vec![i + 1];
            for (j, cb) in b.iter().enumerate() {
                let cost = usize::from(ca != *cb);
                let best = (prev[j] + cost).min(prev[j + 1] + 1).min(row[j] + 1);
                row.push(best);
            }
            prev = row;
        }
        prev.last().copied().unwrap_or(usize::MAX)
    }
    candidates.into_iter().find(|c| {
        c.eq_ignore_ascii_case(name)
            || distance(&c.to_ascii_lowercase(), &name.to_ascii_lowercase()) <= 2
    })
}

/// Line numbers from byte offsets. The csv crate places a record that
/// follows a CRLF at the CRLF's `\n`, so its own line count is one short.
pub(super) struct LineCounter<'a> {
    pub(super) bytes: &'a [u8],
    pub(super) offset: usize,
    pub(super) newlines: u64,
}

impl<'a> LineCounter<'a> {
    pub(super) fn new(bytes: &'a [u8]) -> Self {
        Self {
            bytes,
            offset: 0,
            newlines: 0,
        }
    }

    /// The 1-based line of the first character at or after `byte`
    /// (offsets must not decrease).
    pub(super) fn line_at(&mut self, byte: u64) -> u64 {
        let mut at = usize::try_from(byte)
            .unwrap_or(usize::MAX)
            .min(self.bytes.len());
        if self.bytes.get(at) == Some(&b'\n') {
            at += 1;
        }
        let at = at.max(self.offset);
        let slice = self.bytes.get(self.offset..at).unwrap_or_default();
        self.newlines += slice.iter().filter(|&&b| b == b'\n').count() as u64;
        self.offset = at;
        self.newlines + 1
    }
}

/// The columns without which ce cannot read a file's rows; any other
/// missing column is read as empty.
pub(super) fn key_columns(file: &str) -> &'static [&'static str] {
    match file {
        f if f == ExportRow::FILE => &["ExportID"],
        f if f == OrganizationRow::FILE => &["OrganizationID", "OrganizationName"],
        f if f == ProjectRow::FILE => &["ProjectID", "ProjectType"],
        f if f == ClientRow::FILE => &["PersonalID"],
        f if f == EnrollmentRow::FILE => &["EnrollmentID", "PersonalID", "ProjectID", "EntryDate"],
        f if f == ExitRow::FILE => &["EnrollmentID", "ExitDate", "Destination"],
        f if f == AssessmentRow::FILE => &["AssessmentID", "EnrollmentID", "AssessmentDate"],
        f if f == AssessmentQuestionRow::FILE => &["AssessmentID", "AssessmentQuestion"],
        f if f == AssessmentResultRow::FILE => &["AssessmentID", "AssessmentResultType"],
        f if f == EventRow::FILE => &["EventID", "EnrollmentID", "EventDate", "Event"],
        f if f == CurrentLivingSituationRow::FILE => &[
            "CurrentLivingSitID",
            "EnrollmentID",
            "InformationDate",
            "CurrentLivingSituation",
        ],
        _ => &[],
    }
}

/// Reads one file: checks its header, then deserializes its rows by column
/// name. Returns `None` (after recording why) when the file is unusable.
pub(super) fn read_rows<T: Row, R: Read>(
    mut reader: R,
    optional: &[&str],
    issues: &mut Issues,
    report: &mut ImportReport,
    seen: &mut Seen,
) -> Option<Vec<(u64, T)>> {
    let file = T::FILE;
    let mut bytes = Vec::new();
    if let Err(e) = reader.read_to_end(&mut bytes) {
        issues.push(
            IssueKind::Error,
            file,
            None,
            None,
            format!("cannot read: {e}"),
        );
        return None;
    }
    // Not UTF-8: read as Latin-1 (ISO 8859-1), where every byte is a
    // character, rather than lose the rows with an accented name.
    if std::str::from_utf8(&bytes).is_err() {
        issues.push(
            IssueKind::Repaired,
            file,
            None,
            None,
            "not UTF-8: read as Latin-1 (ISO 8859-1); check accented names",
        );
        bytes = bytes
            .iter()
            .map(|&b| char::from(b))
            .collect::<String>()
            .into_bytes();
    }
    let mut lines = LineCounter::new(&bytes);
    let mut csv = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(bytes.as_slice());
    let headers = match csv.headers() {
        Ok(h) => h.clone(),
        Err(e) => {
            issues.push(
                IssueKind::Error,
                file,
                Some(1),
                None,
                format!("cannot read the header: {e}"),
            );
            return None;
        }
    };
    // Names match case-insensitively: a header spelled with other capitals
    // than HUD's is read under HUD's name, with a note.
    let mut renamed = Vec::new();
    let headers: csv::StringRecord = headers
        .iter()
        .map(|h| {
            let h = h.trim_start_matches('\u{feff}').trim();
            match T::HEADER.iter().find(|c| c.eq_ignore_ascii_case(h)) {
                Some(c) if *c != h => {
                    renamed.push((h.to_owned(), *c));
                    *c
                }
                Some(c) => c,
                None => h,
            }
        })
        .collect();
    for (found, column) in &renamed {
        issues.push_value(
            IssueKind::Note,
            (file, 1),
            column,
            found,
            format!("column {found:?} read as {column} (HUD's capitals)"),
        );
    }
    let present: BTreeSet<&str> = headers.iter().collect();
    let missing: Vec<&str> = T::HEADER
        .iter()
        .copied()
        .filter(|c| !present.contains(c))
        .collect();
    let unexpected: Vec<&str> = headers.iter().filter(|h| !T::HEADER.contains(h)).collect();
    let needed = key_columns(file);
    let mut unusable = false;
    for column in &missing {
        let hint = close_to(column, unexpected.iter().copied())
            .map(|found| format!(" (found {found:?})"))
            .unwrap_or_default();
        if needed.contains(column) {
            unusable = true;
            issues.push(
                IssueKind::Error,
                file,
                Some(1),
                Some(column),
                format!("missing column {column}{hint}: ce needs it to read {file}"),
            );
        } else if !optional.contains(column) {
            issues.push(
                IssueKind::Note,
                file,
                Some(1),
                Some(column),
                format!("missing column {column}{hint}: read as empty"),
            );
        }
    }
    for column in &unexpected {
        issues.push(
            IssueKind::Note,
            file,
            Some(1),
            Some(column),
            format!("column {column:?} is not an FY2024 column of {file}: ignored"),
        );
    }
    if unusable {
        return None;
    }
    // The first column is the file's key: a repeated key keeps the first row.
    let key_at = headers.iter().position(|h| Some(&h) == T::HEADER.first());
    let mut keys: HashMap<String, u64> = HashMap::new();
    let width = headers.len();
    let mut rows = Vec::new();
    let mut deleted = 0;
    let mut read = 0;
    for record in csv.records() {
        read += 1;
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                seen.unreadable.insert(file);
                let line = e.position().map(|p| p.line());
                issues.push(
                    IssueKind::Error,
                    file,
                    line,
                    None,
                    format!("unreadable row: {e}"),
                );
                continue;
            }
        };
        let line = record.position().map_or(0, |p| lines.line_at(p.byte()));
        let mut record = record;
        // Every id seen, readable row or not: a full refresh deletes only
        // what the export does not have at all.
        match key_at.and_then(|i| record.get(i)).map(str::trim) {
            Some(key) if !key.is_empty() => {
                seen.keys.entry(file).or_default().insert(key.to_owned());
            }
            _ => {
                seen.unreadable.insert(file);
            }
        }
        if record.len() > width {
            issues.push(
                IssueKind::Error,
                file,
                Some(line),
                None,
                format!("{} fields where the header has {width}", record.len()),
            );
            continue;
        }
        if record.len() < width {
            // Trailing empty fields left out: the missing ones read as empty.
            issues.push(
                IssueKind::Repaired,
                file,
                Some(line),
                None,
                format!(
                    "{} fields where the header has {width}: the last {} read as empty",
                    record.len(),
                    width - record.len()
                ),
            );
            while record.len() < width {
                record.push_field("");
            }
        }
        match record.deserialize::<T>(Some(&headers)) {
            Ok(row) if row.deleted() => {
                deleted += 1;
                let key = key_at.and_then(|i| record.get(i)).map(str::trim);
                if let Some(key) = key.filter(|k| !k.is_empty()) {
                    seen.deleted.push(DeletedRow {
                        file,
                        line,
                        id: key.to_owned(),
                        when: row.date_deleted(),
                    });
                }
            }
            Ok(row) => {
                let key = key_at.and_then(|i| record.get(i)).map(str::trim);
                if let Some(key) = key.filter(|k| !k.is_empty()) {
                    if let Some(first) = keys.get(key) {
                        issues.push_value(
                            IssueKind::Skipped,
                            (file, line),
                            T::HEADER.first().copied().unwrap_or_default(),
                            key,
                            format!("{key} repeats the key of line {first}: the first row is kept"),
                        );
                        continue;
                    }
                    keys.insert(key.to_owned(), line);
                }
                rows.push((line, row));
            }
            Err(e) => issues.push(
                IssueKind::Error,
                file,
                Some(line),
                None,
                format!("unreadable row: {e}"),
            ),
        }
    }
    report.rows.insert(file, read);
    if deleted > 0 {
        report.deleted.insert(file, deleted);
    }
    Some(rows)
}
