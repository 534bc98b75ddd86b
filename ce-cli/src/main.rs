//! `ce`: the WI Balance of State Coordinated Entry workflow from a terminal.
//! Thin: parses (clap), calls ce-core and ce-store-sled, prints.

mod admin;
mod args;
mod audit;
mod context;
mod demo;
mod error;
mod household;
mod hudcsv;
mod keys;
mod lists;
mod openings;
mod output;
mod private_file;
mod privacy;
mod report;
mod serve;
mod store;

use std::process::ExitCode;

use clap::Parser;

use args::{Cli, CliCommand, ExportFormat, PolicyCommand};
use context::Ctx;
use error::CliError;

fn main() -> ExitCode {
    // A panic (a bug, or one inside a dependency the library turns into an
    // error) is one line, not a backtrace in front of the user.
    std::panic::set_hook(Box::new(|info| {
        let what = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_default();
        let at = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        output::to_stderr(&format!("note: internal panic{at}: {what}"));
    }));
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => return parse_error(&error),
    };
    let result = run(&cli);
    // Output that could not be written fails the command (exit 5), and
    // what it said goes to stderr: a command that stored something must
    // not lose the id it printed.
    if let Some((error, text)) = output::failed() {
        output::to_stderr(&format!("error: cannot write the output: {error}"));
        let read_only = context::store_use(&cli.command) == context::StoreUse::Read;
        match &result {
            Ok(()) if read_only => {}
            Ok(()) => output::to_stderr(&format!(
                "the command itself succeeded; its output was:\n{text}"
            )),
            Err(e) => output::to_stderr(&format!("error: {e}")),
        }
        return ExitCode::from(5);
    }
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            output::to_stderr(&format!("error: {e}"));
            ExitCode::from(e.exit_code())
        }
    }
}

/// A command line the parser did not take. `--help` and `--version` print
/// as clap prints them (stdout, exit 0). An error keeps clap's text and
/// exit code (2), but its first line says all that is wrong, as every `ce`
/// error does: clap puts the missing arguments on the lines under it, and
/// for a missing command prints the help alone.
fn parse_error(error: &clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    let code = ExitCode::from(u8::try_from(error.exit_code()).unwrap_or(2));
    let kind = error.kind();
    if matches!(kind, ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) {
        let _ = error.print();
        return code;
    }
    let text = error.render().to_string();
    let text = if kind == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
        format!("{}\n\n{text}", missing_command())
    } else {
        whole_first_line(&text)
    };
    output::to_stderr(text.trim_end());
    code
}

/// The first line of the error clap gives for the command line when a
/// missing command is an error rather than a reason to print the help.
fn missing_command() -> String {
    use clap::CommandFactory;
    fn strict(cmd: clap::Command) -> clap::Command {
        cmd.arg_required_else_help(false).mut_subcommands(strict)
    }
    let command = strict(Cli::command());
    let first = match command.try_get_matches_from(std::env::args_os()) {
        Err(error) => whole_first_line(&error.render().to_string()),
        Ok(_) => String::new(),
    };
    match first.lines().next() {
        Some(line) if line.starts_with("error: ") => line.to_owned(),
        _ => "error: a command is missing".to_owned(),
    }
}

/// clap's error text with the indented lines right under its first line
/// (the missing arguments, the valid commands) joined onto it.
fn whole_first_line(text: &str) -> String {
    let mut lines = text.lines().peekable();
    let mut first = lines.next().unwrap_or_default().to_owned();
    let indented = |l: &&str| l.starts_with(' ') && !l.trim().is_empty();
    let mut items = Vec::new();
    while let Some(line) = lines.next_if(indented) {
        items.push(line.trim());
    }
    if !items.is_empty() {
        let separator = if first.ends_with(':') { ", " } else { " " };
        first = format!("{first} {}", items.join(separator));
    }
    if !first.starts_with("error: ") {
        first = format!("error: {first}");
    }
    std::iter::once(first.as_str())
        .chain(lines)
        .collect::<Vec<_>>()
        .join("\n")
}

fn run(cli: &Cli) -> Result<(), CliError> {
    if let CliCommand::Init { policy } = &cli.command {
        return admin::init(cli, policy.as_deref());
    }
    if let CliCommand::RollbackImport = &cli.command {
        return admin::rollback_import(cli);
    }
    if let CliCommand::User { state_dir, command } = &cli.command {
        return serve::user(&output::Output { json: cli.json }, state_dir, command);
    }
    let ctx = Ctx::open(cli)?;
    match &cli.command {
        CliCommand::Init { .. } | CliCommand::RollbackImport | CliCommand::User { .. } => Ok(()),
        CliCommand::Serve(args) => serve::serve(&ctx, args),
        CliCommand::Audit {
            command: args::AuditCommand::Views { household },
        } => audit::views(&ctx, household),
        CliCommand::Audit {
            command: args::AuditCommand::Export { file },
        } => audit::export_views(&ctx, file),
        CliCommand::Audit {
            command: args::AuditCommand::Import { file },
        } => audit::import_views(&ctx, file),
        CliCommand::Keys { command } => keys::run(&ctx, command),
        CliCommand::Demo(args) => demo::run(&ctx, args),
        CliCommand::Policy {
            command: PolicyCommand::Show,
        } => admin::policy_show(&ctx),
        CliCommand::Enroll { file } => household::enroll(&ctx, file),
        CliCommand::Assess { household, file } => household::assess(&ctx, household, file),
        CliCommand::Members { household, change } => household::members(&ctx, household, change),
        CliCommand::Exit {
            household,
            date,
            destination,
            subsidy,
            reason,
        } => household::exit(&ctx, household, *date, (*destination, *subsidy), reason),
        CliCommand::Followup(args) => household::followup(&ctx, args),
        CliCommand::Retention {
            years,
            as_of,
            dry_run,
        } => household::retention(&ctx, *years, *as_of, *dry_run),
        CliCommand::Erase {
            client,
            reason,
            date,
        } => household::erase(&ctx, client, *reason, *date),
        CliCommand::Event(args) => household::event(&ctx, args),
        CliCommand::Consent {
            household,
            client,
            decision,
            scope,
            expires,
            date,
        } => privacy::consent(
            &ctx,
            household,
            client,
            (*decision).into(),
            (*scope).into(),
            *expires,
            *date,
        ),
        CliCommand::Restrict {
            household,
            lift,
            date,
        } => privacy::restrict(&ctx, household, !*lift, *date),
        CliCommand::Identify {
            household,
            file,
            date,
        } => privacy::identify(&ctx, household, file, *date),
        CliCommand::Opening { command } => openings::opening(&ctx, command),
        CliCommand::Openings => openings::openings(&ctx),
        CliCommand::Refer {
            opening,
            household,
            bypass_reason,
            date,
        } => openings::refer(
            &ctx,
            opening,
            household.as_deref(),
            bypass_reason.as_deref(),
            *date,
        ),
        CliCommand::Referral {
            action,
            referral,
            date,
            reason,
            text,
        } => openings::referral(
            &ctx,
            *action,
            referral,
            *date,
            reason.as_deref(),
            text.as_deref(),
        ),
        CliCommand::Referrals(args) => openings::referrals(&ctx, args),
        CliCommand::Sweep { as_of } => openings::sweep(&ctx, *as_of),
        CliCommand::Expire { as_of } => openings::expire(&ctx, *as_of),
        CliCommand::List(args) => lists::list(&ctx, args),
        CliCommand::Show { household, when } => lists::show(&ctx, household, when),
        CliCommand::History { household } => audit::history(&ctx, household),
        CliCommand::Explain {
            household,
            program,
            when,
        } => audit::explain(&ctx, household, *program, when),
        CliCommand::Correct {
            household,
            event,
            patch,
            reason,
        } => audit::correct(&ctx, household, event, patch, reason),
        CliCommand::Export {
            format:
                ExportFormat::Jsonl {
                    file,
                    without_checksum,
                },
        } => {
            if *without_checksum {
                return Err(CliError::Usage(
                    "--without-checksum is an option of `ce import jsonl`",
                ));
            }
            admin::export(&ctx, file)
        }
        CliCommand::Import {
            format:
                ExportFormat::Jsonl {
                    file,
                    without_checksum,
                },
        } => admin::import(&ctx, file, *without_checksum),
        CliCommand::Export {
            format: format @ ExportFormat::HudCsv { .. },
        } => hudcsv::export(&ctx, format),
        CliCommand::Import {
            format: format @ ExportFormat::HudCsv { .. },
        } => hudcsv::import(&ctx, format),
        CliCommand::Report { report } => report::report(&ctx, report),
        CliCommand::Rebuild => admin::rebuild(&ctx),
        CliCommand::Verify => admin::verify(&ctx),
    }
}
