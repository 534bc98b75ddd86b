//! `ce export hud-csv DIR` and `ce import hud-csv DIR`: HUD HMIS CSV (FY2024).

use std::fs::File;
use std::io::{BufReader, Write};
use std::path::Path;

use ce_core::{Coalition, CommandId, EventStore};
use ce_hud_csv::{ExportOptions, HudCsvExport, HudFile, ImportOptions, ImportPlan, IssueKind};
use chrono::Utc;
use serde_json::json;

use crate::args::ExportFormat;
use crate::context::Ctx;
use crate::error::CliError;
use crate::private_file::write_private;

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
    std::fs::create_dir_all(dir).map_err(io(dir))?;
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
    ctx.out.emit(
        format!(
            "exported HUD CSV {} to {}\n{}",
            options.export_id,
            dir.display(),
            text.join("\n")
        ),
        &json!({ "dir": dir, "export_id": options.export_id, "rows": rows }),
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

/// Writes the findings as CSV (kind, file, line, column, value, reason),
/// private and atomically.
fn write_findings(path: &Path, report: &ce_hud_csv::ImportReport) -> Result<(), CliError> {
    write_private(path, |out| {
        write_findings_to(out, report).map_err(|source| CliError::Io {
            path: path.to_owned(),
            source,
        })
    })
}

/// The findings as CSV into `out`.
fn write_findings_to(out: impl Write, report: &ce_hud_csv::ImportReport) -> std::io::Result<()> {
    let mut out = csv::Writer::from_writer(out);
    out.write_record(["kind", "file", "line", "column", "value", "reason"])?;
    for issue in &report.issues {
        let kind = serde_json::to_value(issue.kind)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        out.write_record([
            kind.as_str(),
            issue.file,
            &issue.line.map(|l| l.to_string()).unwrap_or_default(),
            issue.column.as_deref().unwrap_or_default(),
            issue.value.as_deref().unwrap_or_default(),
            &issue.reason,
        ])?;
    }
    out.flush()
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
            return Err(ce_core::Error::UnknownCoalition(c.clone()).into());
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
        |name| match File::open(dir.join(name)) {
            Ok(file) => Ok(Some(BufReader::new(file))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        },
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
    let steps = if plan.report.writes {
        plan.execute_with(ctx.workflow()?, |batch| {
            ctx.store().append_batch(batch).map(|_| ())
        })?
    } else {
        0
    };
    let report = &plan.report;
    let errors = report.count(IssueKind::Error);
    let mut text: Vec<String> = report.issues.iter().map(ToString::to_string).collect();
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
    ctx.out.emit(
        text.join("\n"),
        &json!({ "report": report, "steps": steps }),
    );
    if !report.blocked.is_empty() {
        return Err(CliError::ImportBlocked(report.blocked.join(", ")));
    }
    if errors > 0 && !skip_invalid {
        return Err(CliError::ImportInvalid { errors });
    }
    Ok(())
}
