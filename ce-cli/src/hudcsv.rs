//! `ce export hud-csv DIR` and `ce import hud-csv DIR`: HUD HMIS CSV (FY2024).

use std::fs::File;
use std::io::{BufReader, BufWriter};
use std::path::Path;

use ce_core::{Coalition, CommandId, EventStore};
use ce_hud_csv::{ExportOptions, HudCsvExport, HudFile, ImportOptions, ImportPlan, IssueKind};
use chrono::Utc;
use serde_json::json;

use crate::args::ExportFormat;
use crate::context::Ctx;
use crate::error::CliError;

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
        skip_invalid,
    } = format
    else {
        return Err(CliError::Usage("not a hud-csv export"));
    };
    let (dir, from, to) = (dir.as_path(), *from, *to);
    if coalition.is_some() || *skip_invalid {
        return Err(CliError::Usage(
            "--coalition and --skip-invalid are options of `ce import hud-csv`",
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
    let export = HudCsvExport::build(&log, &options);
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let mut rows = serde_json::Map::new();
    let mut text = Vec::new();
    for &file in HudFile::ALL {
        let path = dir.join(file.file_name());
        let out = File::create(&path).map_err(io(&path))?;
        export.write(file, BufWriter::new(out))?;
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

/// `ce import hud-csv DIR --coalition C [--skip-invalid]`: checks every
/// file first; writes nothing when a row has an error unless
/// `--skip-invalid`.
pub fn import(ctx: &Ctx, format: &ExportFormat) -> Result<(), CliError> {
    let ExportFormat::HudCsv {
        dir,
        from,
        to,
        coalition,
        skip_invalid,
    } = format
    else {
        return Err(CliError::Usage("not a hud-csv import"));
    };
    let (dir, skip_invalid) = (dir.as_path(), *skip_invalid);
    if from.is_some() || to.is_some() {
        return Err(CliError::Usage(
            "--from and --to are options of `ce export hud-csv`",
        ));
    }
    let coalition = Coalition::new(coalition.as_deref().ok_or(CliError::Usage(
        "import hud-csv needs --coalition: HUD files do not say whose lists a household joins",
    ))?);
    if !ctx.policy().knows_coalition(&coalition) {
        return Err(ce_core::Error::UnknownCoalition(coalition).into());
    }
    if !dir.is_dir() {
        return Err(CliError::Io {
            path: dir.to_owned(),
            source: std::io::Error::new(std::io::ErrorKind::NotFound, "no such directory"),
        });
    }
    let options = ImportOptions {
        coalition,
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
        &caseload,
        ctx.policy(),
        &options,
    )
    .map_err(io(dir))?;
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
        "export {}: {} household(s), {steps} write(s); {errors} error(s), {} skipped, {deleted} deleted row(s) skipped",
        report.export_id.as_deref().unwrap_or("?"),
        report.households,
        report.count(IssueKind::Skipped),
    ));
    ctx.out.emit(
        text.join("\n"),
        &json!({ "report": report, "steps": steps }),
    );
    if errors > 0 && !skip_invalid {
        return Err(CliError::ImportInvalid { errors });
    }
    Ok(())
}
