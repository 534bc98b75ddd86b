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

/// The longest row (record) read, in bytes: a longer one is an error
/// finding, and no more than this much of it is ever held.
pub(super) const MAX_ROW_BYTES: usize = 1 << 20;

/// The most data rows read from one file: a file with more is not read.
pub(super) const MAX_ROWS: usize = 2_000_000;

/// Where the splitter is in a record, as the csv crate reads one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    StartRecord,
    StartField,
    InField,
    InQuoted,
    QuoteInQuoted,
}

impl State {
    /// The state after `byte`, or `None` when it ends the record.
    fn after(self, byte: u8) -> Option<State> {
        Some(match (self, byte) {
            (State::InQuoted, b'"') => State::QuoteInQuoted,
            (State::InQuoted, _) => State::InQuoted,
            (State::QuoteInQuoted, b'"') => State::InQuoted,
            (_, b',') => State::StartField,
            (State::StartRecord | State::StartField, b'"') => State::InQuoted,
            (_, b'\n' | b'\r') => return None,
            _ => State::InField,
        })
    }
}

/// One record of a file.
enum Split {
    /// The record's bytes (without its line end), and the line it starts on.
    Row { line: u64, bytes: Vec<u8> },
    /// A record longer than [`MAX_ROW_BYTES`]: its line and length.
    TooLong { line: u64, bytes: u64 },
}

/// Splits a CSV stream into records where the csv crate would (a quoted
/// field may hold commas and line breaks; LF, CR and CRLF end a record;
/// blank lines are skipped), one at a time and each at most
/// [`MAX_ROW_BYTES`] long, so that a file of any size reads in bounded
/// memory. A UTF-8 BOM before the header is dropped.
struct Records<R> {
    input: std::io::BufReader<R>,
    newlines: u64,
    started: bool,
}

impl<R: Read> Records<R> {
    fn new(input: R) -> Self {
        Self {
            input: std::io::BufReader::new(input),
            newlines: 0,
            started: false,
        }
    }

    fn next(&mut self) -> std::io::Result<Option<Split>> {
        use std::io::BufRead;
        if !self.started {
            self.started = true;
            if self.input.fill_buf()?.starts_with(b"\xef\xbb\xbf") {
                self.input.consume(3);
            }
        }
        let (mut bytes, mut len, mut line) = (Vec::new(), 0u64, 0u64);
        let mut state = State::StartRecord;
        loop {
            let buf = self.input.fill_buf()?;
            if buf.is_empty() {
                let done = (state != State::StartRecord).then(|| Self::split(line, bytes, len));
                return Ok(done);
            }
            let (mut used, mut ended) = (0, false);
            for &byte in buf {
                used += 1;
                let next = state.after(byte);
                if state == State::StartRecord && next.is_some() {
                    line = self.newlines.saturating_add(1);
                }
                if byte == b'\n' {
                    self.newlines = self.newlines.saturating_add(1);
                }
                match next {
                    // A line end before the record started: a blank line.
                    None if state == State::StartRecord => {}
                    None => {
                        ended = true;
                        break;
                    }
                    Some(next) => {
                        state = next;
                        len = len.saturating_add(1);
                        if bytes.len() < MAX_ROW_BYTES {
                            bytes.push(byte);
                        }
                    }
                }
            }
            self.input.consume(used);
            if ended {
                return Ok(Some(Self::split(line, bytes, len)));
            }
        }
    }

    fn split(line: u64, bytes: Vec<u8>, len: u64) -> Split {
        if len > MAX_ROW_BYTES as u64 {
            Split::TooLong { line, bytes: len }
        } else {
            Split::Row { line, bytes }
        }
    }
}

/// The bytes of one record at a time, for the one csv reader of a file.
#[derive(Default)]
struct Feed(std::io::Cursor<Vec<u8>>);

impl Read for Feed {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.0.read(buf)
    }
}

/// Reads a record's fields with the csv crate, one record at a time.
struct RecordParser(csv::Reader<Feed>);

impl RecordParser {
    fn new() -> Self {
        Self(
            csv::ReaderBuilder::new()
                .has_headers(false)
                .flexible(true)
                .from_reader(Feed::default()),
        )
    }

    /// The fields of `text`, one record without its line end.
    fn of(&mut self, text: String) -> Result<csv::StringRecord, String> {
        let mut bytes = text.into_bytes();
        bytes.push(b'\n');
        *self.0.get_mut() = Feed(std::io::Cursor::new(bytes));
        let mut record = csv::StringRecord::new();
        match self.0.read_record(&mut record) {
            Ok(true) => Ok(record),
            Ok(false) => Err("no fields".to_owned()),
            Err(e) => Err(e.to_string()),
        }
    }
}

/// A fingerprint of a row's values, to tell a repeated row from a row that
/// repeats only its key.
fn fingerprint(record: &csv::StringRecord) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    for field in record {
        field.trim().hash(&mut hasher);
    }
    hasher.finish()
}

/// Reads one file: checks its header, then deserializes its rows by column
/// name. Returns `None` (after recording why, and the file in
/// `seen.unusable`) when the file cannot be used.
pub(super) fn read_rows<T: Row, R: Read>(
    reader: R,
    optional: &[&str],
    issues: &mut Issues,
    report: &mut ImportReport,
    seen: &mut Seen,
) -> Option<Vec<(u64, T)>> {
    let rows = read_file::<T, R>(reader, optional, issues, report, seen);
    if rows.is_none() {
        seen.unusable.insert(T::FILE);
    }
    rows
}

fn read_file<T: Row, R: Read>(
    reader: R,
    optional: &[&str],
    issues: &mut Issues,
    report: &mut ImportReport,
    seen: &mut Seen,
) -> Option<Vec<(u64, T)>> {
    let file = T::FILE;
    let first_issue = issues.0.len();
    let mut records = Records::new(reader);
    let mut parser = RecordParser::new();
    let cannot_read = |issues: &mut Issues, e: std::io::Error| {
        issues.push(
            IssueKind::Error,
            file,
            None,
            None,
            format!("cannot read: {e}"),
        );
    };
    let row_error = |issues: &mut Issues, line: u64, reason: String| {
        issues.push(IssueKind::Error, file, Some(line), None, reason);
    };
    // Not UTF-8: such a row is read as Latin-1 (ISO 8859-1), where every
    // byte is a character, rather than lose the rows with an accented name.
    let mut latin_1 = false;
    let mut text = |issues: &mut Issues, line: u64, bytes: Vec<u8>| {
        String::from_utf8(bytes).unwrap_or_else(|e| {
            if !latin_1 {
                latin_1 = true;
                issues.push(
                    IssueKind::Repaired,
                    file,
                    None,
                    None,
                    format!("not UTF-8 (first at line {line}): such rows read as Latin-1 (ISO 8859-1); check accented names"),
                );
            }
            e.into_bytes().into_iter().map(char::from).collect()
        })
    };
    let headers = match records.next() {
        Err(e) => {
            cannot_read(issues, e);
            return None;
        }
        Ok(None) => csv::StringRecord::new(),
        Ok(Some(Split::TooLong { bytes, .. })) => {
            issues.push(
                IssueKind::Error,
                file,
                Some(1),
                None,
                format!("the header is {bytes} bytes long, more than 1 MiB: not a HUD CSV file"),
            );
            return None;
        }
        Ok(Some(Split::Row { line, bytes })) => match parser.of(text(issues, line, bytes)) {
            Ok(h) => h,
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
        },
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
    // HUD's type of each column found: a string the export guarded with a
    // `'` against spreadsheet formulas is read without it.
    let kinds: Vec<Option<Kind>> = headers
        .iter()
        .map(|h| {
            let at = T::HEADER.iter().position(|c| *c == h)?;
            T::KINDS.get(at).copied()
        })
        .collect();
    // The first column is the file's key: a repeated key keeps the first
    // row, deleted or not.
    let key_column = T::HEADER.first().copied().unwrap_or_default();
    let key_at = headers.iter().position(|h| h == key_column);
    let mut keys: HashMap<String, (u64, u64)> = HashMap::new();
    let width = headers.len();
    let mut rows = Vec::new();
    let mut deleted = 0;
    let mut read = 0;
    loop {
        let split = match records.next() {
            Ok(Some(split)) => split,
            Ok(None) => break,
            Err(e) => {
                cannot_read(issues, e);
                return None;
            }
        };
        read += 1;
        if read > MAX_ROWS {
            // One finding for the file, not one per row.
            issues.0.truncate(first_issue);
            seen.keys.remove(file);
            seen.deleted.retain(|d| d.file != file);
            issues.push(
                IssueKind::Error,
                file,
                None,
                None,
                format!("more than {MAX_ROWS} data rows: the file is not read (ce reads at most {MAX_ROWS} rows of a file)"),
            );
            return None;
        }
        let (line, bytes) = match split {
            Split::Row { line, bytes } => (line, bytes),
            Split::TooLong { line, bytes } => {
                seen.unreadable.insert(file);
                row_error(
                    issues,
                    line,
                    format!("the row is {bytes} bytes long, more than 1 MiB: not read"),
                );
                continue;
            }
        };
        let record = match parser.of(text(issues, line, bytes)) {
            Ok(r) => r,
            Err(e) => {
                seen.unreadable.insert(file);
                row_error(issues, line, format!("unreadable row: {e}"));
                continue;
            }
        };
        let unguard = |i: usize, v| match kinds.get(i) {
            Some(Some(kind)) => kind.read(v),
            _ => v,
        };
        let guarded = record.iter().enumerate().any(|(i, v)| unguard(i, v) != v);
        let mut record = if guarded {
            let fields = record.iter().enumerate().map(|(i, v)| unguard(i, v));
            fields.collect()
        } else {
            record
        };
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
            row_error(
                issues,
                line,
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
        let row = match record.deserialize::<T>(Some(&headers)) {
            Ok(row) => row,
            Err(e) => {
                row_error(issues, line, format!("unreadable row: {e}"));
                continue;
            }
        };
        let key = key_at
            .and_then(|i| record.get(i))
            .map(str::trim)
            .filter(|k| !k.is_empty());
        if let Some(key) = key {
            let print = fingerprint(&record);
            if let Some(&(first, first_print)) = keys.get(key) {
                let (kind, reason) = if print == first_print {
                    (
                        IssueKind::Note,
                        format!("{key} repeats line {first} exactly: read once"),
                    )
                } else if file == ClientRow::FILE {
                    // Two people, or one with two sets of facts: which is
                    // right is for the source to say.
                    (
                        IssueKind::Error,
                        format!("{key} is also on line {first}, with other values: this row is not imported, the first is"),
                    )
                } else {
                    (
                        IssueKind::Skipped,
                        format!("{key} repeats the key of line {first}: the first row is kept"),
                    )
                };
                issues.push_value(kind, (file, line), key_column, key, reason);
                continue;
            }
            keys.insert(key.to_owned(), (line, print));
        }
        if row.deleted() {
            deleted += 1;
            if let Some(key) = key {
                seen.deleted.push(DeletedRow {
                    file,
                    line,
                    id: key.to_owned(),
                    when: row.date_deleted(),
                });
            }
        } else {
            rows.push((line, row));
        }
    }
    report.rows.insert(file, read);
    if deleted > 0 {
        report.deleted.insert(file, deleted);
    }
    Some(rows)
}
