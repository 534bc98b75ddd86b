//! `ce export hud-csv DIR` and `ce import hud-csv DIR`: HUD HMIS CSV (FY2024).

use std::fs::File;
use std::io::{BufReader, Read, Write};
use std::path::Path;

use ce_core::{Coalition, CommandId, EventStore};
use ce_hud_csv::{
    guard_formula, ExportOptions, HudCsvExport, HudFile, ImportOptions, ImportPlan, IssueKind,
};
use chrono::Utc;
use serde_json::json;

use crate::args::ExportFormat;
use crate::context::Ctx;
use crate::error::CliError;
use crate::private_file::{create_private_dir, write_private};
use crate::store::CliStore;

fn io(path: &Path) -> impl Fn(std::io::Error) -> CliError + '_ {
    move |source| CliError::Io {
        path: path.to_owned(),
        source,
    }
}

/// `ce export hud-csv DIR [--from D] [--to D]`: every CE file, with its
/// header even when it has no rows.
pub fn export(ctx: &Ctx, format: &ExportFormat) -> Result<(), CliError> {
    let ExportFormat::HudCsv {
        dir,
        from,
        to,
        coalition,
        coalition_map,
        coc,
        skip_invalid,
        strict,
        findings,
    } = format
    else {
        return Err(CliError::Usage("not a hud-csv export"));
    };
    let (dir, from, to) = (dir.as_path(), *from, *to);
    let import_only = coalition.is_some()
        || coalition_map.is_some()
        || coc.is_some()
        || *skip_invalid
        || *strict
        || findings.is_some();
    if import_only {
        return Err(CliError::Usage(
            "--coalition, --coalition-map, --coc, --strict and --findings are options of `ce import hud-csv`",
        ));
    }
    if let (Some(from), Some(to)) = (from, to) {
        if from > to {
            return Err(CliError::Usage("--from must not be after --to"));
        }
    }
    // HUD CSV carries every client's names, whatever their release of
    // information: HMIS gets it from the CE lead only.
    ctx.require_lead(ce_core::Operation::ExportHudCsv)?;
    let log = ctx.store().read_from(0, usize::MAX)?;
    // The first event's id never changes: it names this store in every export.
    let implementation = log.first().map_or_else(
        || "ce".to_owned(),
        |e| format!("ce-{}", e.event_id.hmis_id()),
    );
    let mut options = ExportOptions::new(CommandId::random().hmis_id(), Utc::now(), implementation);
    options.from = from;
    options.to = to;
    options.score_result_types = ctx.policy().score_result_types.clone();
    let export = HudCsvExport::build(&log, &options);
    let shown: Vec<_> = ctx.caseload()?.households().keys().copied().collect();
    ctx.record_shown(shown, "ce export hud-csv")?;
    create_private_dir(dir)?;
    let mut rows = serde_json::Map::new();
    let mut text = Vec::new();
    for &file in HudFile::ALL {
        let path = dir.join(file.file_name());
        write_private(&path, |out| Ok(export.write(file, out)?))?;
        rows.insert(file.file_name().to_owned(), json!(export.rows(file)));
        text.push(format!(
            "{:<28} {:>6} rows",
            file.file_name(),
            export.rows(file)
        ));
    }
    if export.left_out() > 0 {
        text.push(format!(
            "left out {} household(s) enrolled without personal data: their referring agencies hold their records",
            export.left_out()
        ));
    }
    ctx.out.emit(
        format!(
            "exported HUD CSV {} to {}\n{}",
            options.export_id,
            dir.display(),
            text.join("\n")
        ),
        &json!({
            "dir": dir,
            "export_id": options.export_id,
            "rows": rows,
            "left_out_without_personal_data": export.left_out(),
        }),
    );
    Ok(())
}

/// Reads a coalition map: a CSV file with the header `source,coalition`,
/// one row per source ProjectID, ProjectCoC Geocode or CoC code.
fn read_coalition_map(
    path: &Path,
    policy: &ce_core::Policy,
) -> Result<std::collections::BTreeMap<String, Coalition>, CliError> {
    let bad = |line: u64, reason: String| CliError::CoalitionMap {
        path: path.to_owned(),
        line,
        reason,
    };
    // Asked before opening: opening a FIFO waits for a writer.
    let metadata = std::fs::metadata(path).map_err(io(path))?;
    if let Some(why) = not_regular(metadata.file_type()) {
        return Err(CliError::Input {
            path: path.to_owned(),
            reason: why,
        });
    }
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_path(path)
        .map_err(|e| bad(1, e.to_string()))?;
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| bad(1, e.to_string()))?
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').trim().to_ascii_lowercase())
        .collect();
    if header != ["source", "coalition"] {
        return Err(bad(
            1,
            format!("the header must be `source,coalition`, not {header:?}"),
        ));
    }
    let mut map = std::collections::BTreeMap::new();
    for (i, record) in reader.records().enumerate() {
        let line = i as u64 + 2;
        let record = record.map_err(|e| bad(line, e.to_string()))?;
        let (Some(source), Some(coalition)) = (record.get(0), record.get(1)) else {
            return Err(bad(line, "needs two fields: source,coalition".to_owned()));
        };
        let (source, coalition) = (source.trim(), Coalition::new(coalition.trim()));
        if source.is_empty() {
            return Err(bad(line, "empty source".to_owned()));
        }
        if !policy.knows_coalition(&coalition) {
            return Err(bad(line, format!("unknown coalition {:?}", coalition.0)));
        }
        if let Some(before) = map.insert(source.to_owned(), coalition.clone()) {
            if before != coalition {
                return Err(bad(line, format!("{source} is mapped twice")));
            }
        }
    }
    Ok(map)
}

/// The most findings printed: the others are counted, and are in the
/// `--findings` file.
const FINDINGS_SHOWN: usize = 100;

/// The most findings written to the `--findings` file; a last row says how
/// many more there were.
const FINDINGS_WRITTEN: usize = 1_000_000;

/// Writes the findings as CSV (kind, file, line, column, value, reason),
/// private and atomically.
fn write_findings(path: &Path, report: &ce_hud_csv::ImportReport) -> Result<(), CliError> {
    write_private(path, |out| {
        write_findings_to(out, &report.issues, FINDINGS_WRITTEN).map_err(|source| CliError::Io {
            path: path.to_owned(),
            source,
        })
    })
}

/// At most `max` findings as CSV into `out`, then a row saying how many
/// were left out.
fn write_findings_to(
    out: impl Write,
    issues: &[ce_hud_csv::ImportIssue],
    max: usize,
) -> std::io::Result<()> {
    let mut out = csv::Writer::from_writer(out);
    out.write_record(["kind", "file", "line", "column", "value", "reason"])?;
    for issue in issues.iter().take(max) {
        let kind = serde_json::to_value(issue.kind)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        out.write_record([
            kind.as_str(),
            issue.file,
            &issue.line.map(|l| l.to_string()).unwrap_or_default(),
            // Column names, values and reasons come from the file read:
            // a spreadsheet must show them, not run them.
            &guard_formula(issue.column.as_deref().unwrap_or_default()),
            &guard_formula(issue.value.as_deref().unwrap_or_default()),
            &guard_formula(&issue.reason),
        ])?;
    }
    if let Some(left) = issues.len().checked_sub(max).filter(|n| *n > 0) {
        let reason = format!("... and {left} more findings, not written (at most {max} are)");
        out.write_record(["note", "", "", "", "", reason.as_str()])?;
    }
    out.flush()
}

/// What `open` gives the import for a file: the file, or why it is not read.
enum HudInput {
    File(BufReader<File>),
    /// Not a regular file (a FIFO, a socket, a device, a directory): reading
    /// it could wait forever or never end, so it is refused unread.
    Refused(String),
}

impl Read for HudInput {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match self {
            HudInput::File(file) => file.read(buf),
            HudInput::Refused(why) => Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                why.clone(),
            )),
        }
    }
}

/// What a file that is not a regular file is, for the finding.
fn not_regular(file_type: std::fs::FileType) -> Option<String> {
    if file_type.is_file() {
        return None;
    }
    let what = if file_type.is_dir() {
        "a directory"
    } else {
        special_file(file_type)
    };
    Some(format!("not a regular file ({what})"))
}

#[cfg(unix)]
fn special_file(file_type: std::fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if file_type.is_fifo() {
        "a FIFO"
    } else if file_type.is_socket() {
        "a socket"
    } else if file_type.is_block_device() || file_type.is_char_device() {
        "a device"
    } else {
        "not a file"
    }
}

#[cfg(not(unix))]
fn special_file(_: std::fs::FileType) -> &'static str {
    "not a file"
}

/// Opens a HUD file of the import directory: `None` when there is none. A
/// symlink is followed; what it leads to must be a regular file, checked
/// before opening (opening a FIFO waits for a writer) and again after.
fn open_hud_file(path: &Path) -> std::io::Result<Option<HudInput>> {
    let metadata = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    let refused = |why| Ok(Some(HudInput::Refused(format!("{why}: refused unread"))));
    if let Some(why) = not_regular(metadata.file_type()) {
        return refused(why);
    }
    let file = File::open(path)?;
    if let Some(why) = not_regular(file.metadata()?.file_type()) {
        return refused(why);
    }
    Ok(Some(HudInput::File(BufReader::new(file))))
}

/// `ce import hud-csv DIR (--coalition C | --coalition-map F) [--coc C]
/// [--findings F] [--strict]`: checks every file first, then imports every
/// CE row it can read and reports the others; with `--strict`, writes
/// nothing when a row has an error.
pub fn import(ctx: &Ctx, format: &ExportFormat) -> Result<(), CliError> {
    let ExportFormat::HudCsv {
        dir,
        from,
        to,
        coalition,
        coalition_map,
        coc,
        skip_invalid: _,
        strict,
        findings,
    } = format
    else {
        return Err(CliError::Usage("not a hud-csv import"));
    };
    let (dir, skip_invalid) = (dir.as_path(), !*strict);
    if from.is_some() || to.is_some() {
        return Err(CliError::Usage(
            "--from and --to are options of `ce export hud-csv`",
        ));
    }
    if coalition.is_none() && coalition_map.is_none() {
        return Err(CliError::Usage(
            "import hud-csv needs --coalition or --coalition-map: HUD files do not say whose lists a household joins",
        ));
    }
    let coalition = coalition.as_deref().map(Coalition::new);
    if let Some(c) = &coalition {
        if !ctx.policy().knows_coalition(c) {
            return Err(
                ce_core::Error::from(ce_core::Rejection::UnknownCoalition(c.clone())).into(),
            );
        }
    }
    let coalition_map = match coalition_map {
        Some(path) => read_coalition_map(path, ctx.policy())?,
        None => Default::default(),
    };
    if !dir.is_dir() {
        return Err(CliError::Io {
            path: dir.to_owned(),
            source: std::io::Error::new(std::io::ErrorKind::NotFound, "no such directory"),
        });
    }
    let options = ImportOptions {
        coalition,
        coalition_map,
        coc: coc.clone(),
        skip_invalid,
        user: ctx.actor.user.clone(),
        now: Utc::now(),
    };
    let caseload = ctx.workflow()?.caught_up()?.clone();
    let plan = ImportPlan::read(
        |name| open_hud_file(&dir.join(name)),
        ctx.store(),
        &caseload,
        ctx.policy(),
        &options,
    )
    .map_err(io(dir))?;
    // The findings are written first: if they cannot be, nothing is
    // imported, and the user is not left with an import they cannot review.
    if let Some(path) = findings {
        write_findings(path, &plan.report)?;
    }
    // The import appends to the store beneath the sealing itself (in one
    // transaction, or under sled's import mark): each request is sealed
    // first.
    let sealed = ctx.store();
    let steps = match ctx.raw_store() {
        _ if !plan.report.writes => 0,
        CliStore::Postgres { store, .. } => {
            // All or nothing: one transaction, which the server rolls back if
            // the command dies midway.
            let batch = store.batch()?;
            let steps = plan.execute_with(ctx.workflow()?, |requests| {
                requests
                    .into_iter()
                    .try_for_each(|request| store.append(sealed.seal_request(request)?).map(|_| ()))
            })?;
            batch.commit()?;
            steps
        }
        CliStore::Sled(store) => {
            // All or nothing: the mark makes a store cut off midway (a kill, a
            // full disk) refuse to open until `ce rollback-import`, and an
            // append that fails here is rolled back at once.
            store.begin_import(&format!("HUD CSV export in {}", dir.display()))?;
            let written = plan.execute_with(ctx.workflow()?, |batch| {
                let batch = batch
                    .into_iter()
                    .map(|request| sealed.seal_request(request))
                    .collect::<Result<Vec<_>, _>>()?;
                store.append_batch(batch).map(|_| ())
            });
            match written {
                Ok(steps) => {
                    store.end_import()?;
                    steps
                }
                Err(e) => {
                    return Err(match store.roll_back_import() {
                        Ok(_) => e.into(),
                        // A full disk stops the rollback too: the mark stays,
                        // and the store refuses to open until it is rolled back.
                        Err(rollback) => CliError::ImportInterrupted {
                            cause: e.to_string(),
                            rollback: rollback.to_string(),
                        },
                    });
                }
            }
        }
    };
    let mut report = plan.report;
    let errors = report.count(IssueKind::Error);
    // The first findings only: a file of garbage must not print a million
    // lines. The --findings file has them all.
    let mut text: Vec<String> = report
        .issues
        .iter()
        .take(FINDINGS_SHOWN)
        .map(ToString::to_string)
        .collect();
    let left_out = report.issues.len().saturating_sub(FINDINGS_SHOWN);
    if left_out > 0 {
        text.push(match findings {
            Some(path) => format!(
                "... and {left_out} more (see --findings {})",
                path.display()
            ),
            None => format!("... and {left_out} more (write them all with --findings FILE)"),
        });
    }
    let deleted: usize = report.deleted.values().sum();
    text.push(format!(
        "{:<28} {:>6} {:>9} {:>9} {:>8} {:>8}",
        "file", "read", "imported", "repaired", "skipped", "deleted"
    ));
    for file in report.files() {
        text.push(format!(
            "{:<28} {:>6} {:>9} {:>9} {:>8} {:>8}",
            file.file, file.read, file.imported, file.repaired, file.skipped, file.deleted
        ));
    }
    text.push(format!(
        "export {}: {} household(s), {steps} write(s), {} row(s) already imported and unchanged; {errors} row(s) with errors, {} skipped, {} repaired, {deleted} deleted row(s){}",
        report.export_id.as_deref().unwrap_or("?"),
        report.households,
        report.unchanged,
        report.count(IssueKind::Skipped),
        report.count(IssueKind::Repaired),
        if errors > 0 && skip_invalid {
            " (rows with errors were not imported; --strict imports nothing then)"
        } else {
            ""
        },
    ));
    // --json too: the findings file is where scripts find them all.
    report.issues.truncate(FINDINGS_SHOWN);
    ctx.out.emit(
        text.join("\n"),
        &json!({ "report": report, "issues_left_out": left_out, "steps": steps }),
    );
    if !report.blocked.is_empty() {
        return Err(CliError::ImportBlocked(report.blocked.join(", ")));
    }
    if errors > 0 && !skip_invalid {
        return Err(CliError::ImportInvalid { errors });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn issue(n: u64) -> ce_hud_csv::ImportIssue {
        ce_hud_csv::ImportIssue {
            kind: IssueKind::Error,
            file: "Event.csv",
            line: Some(n),
            column: None,
            value: None,
            reason: "unreadable".to_owned(),
        }
    }

    #[test]
    fn the_findings_file_holds_at_most_its_limit_and_says_how_many_more() {
        let issues: Vec<_> = (2..12).map(issue).collect();
        let mut out = Vec::new();
        write_findings_to(&mut out, &issues, 4).unwrap_or_else(|e| panic!("{e}"));
        let text = String::from_utf8(out).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 6, "{text}");
        assert_eq!(lines[4], "error,Event.csv,5,,,unreadable");
        assert!(lines[5].contains("... and 6 more findings"), "{text}");
        let mut out = Vec::new();
        write_findings_to(&mut out, &issues, 10).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            String::from_utf8(out).unwrap_or_default().lines().count(),
            11
        );
    }

    #[test]
    fn a_value_from_the_file_cannot_start_a_formula_in_the_findings_file() {
        let mut bad = issue(2);
        bad.column = Some("=cmd".to_owned());
        bad.value = Some("@SUM(A1)".to_owned());
        bad.reason = "-1 repeats the key of line 2".to_owned();
        let mut out = Vec::new();
        write_findings_to(&mut out, &[bad], 10).unwrap_or_else(|e| panic!("{e}"));
        let text = String::from_utf8(out).unwrap_or_default();
        assert_eq!(
            text.lines().nth(1),
            Some("error,Event.csv,2,'=cmd,'@SUM(A1),'-1 repeats the key of line 2")
        );
    }
}
