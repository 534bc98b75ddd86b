//! What every command needs: the open store, the workflow, the actor, the
//! clock (the CLI, unlike ce-core, may read it) and the output.

use std::cell::OnceCell;
use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;

use ce_core::{Actor, Command, CommandId, CommandMeta, Executed, Policy, Workflow};
use ce_store_sled::SledStore;
use chrono::{NaiveDate, Utc};
use serde::de::DeserializeOwned;

use crate::args::Cli;
use crate::error::CliError;
use crate::output::Output;

/// The workflow the CLI runs commands through.
pub type CliWorkflow = Workflow<Arc<SledStore>>;

/// An open store and who is acting.
pub struct Ctx {
    store: Arc<SledStore>,
    /// The workflow over the store, made on first use: its snapshot loads
    /// every household, which commands that read only the projections
    /// (today's lists, a household, the openings) do without.
    workflow: OnceCell<CliWorkflow>,
    /// Who acts.
    pub actor: Actor,
    /// How to print.
    pub out: Output,
}

impl Ctx {
    /// Opens (or creates) the store named on the command line.
    pub fn open(cli: &Cli) -> Result<Self, CliError> {
        Ok(Self {
            store: Arc::new(SledStore::open(&cli.store)?),
            workflow: OnceCell::new(),
            actor: Actor::new(cli.user.clone(), cli.agency.clone(), cli.role),
            out: Output { json: cli.json },
        })
    }

    /// The store.
    pub fn store(&self) -> &SledStore {
        &self.store
    }

    /// The store's policy.
    pub fn policy(&self) -> &Policy {
        self.store.policy()
    }

    /// The workflow over the store (made, from the store's snapshot, on
    /// first use).
    pub fn workflow(&self) -> Result<&CliWorkflow, CliError> {
        if let Some(workflow) = self.workflow.get() {
            return Ok(workflow);
        }
        let workflow = Workflow::new(Arc::clone(&self.store), self.policy().clone())?;
        Ok(self.workflow.get_or_init(|| workflow))
    }

    /// Runs one command, recorded now by the acting user.
    pub fn execute(&self, command: impl Into<Command>) -> Result<Executed, CliError> {
        let meta = CommandMeta {
            command_id: CommandId::random(),
            actor: self.actor.clone(),
            recorded_at: Utc::now(),
        };
        Ok(self.workflow()?.execute(&meta, &command.into())?)
    }
}

/// Today's date (UTC, the same clock recorded-at times use).
pub fn today() -> NaiveDate {
    Utc::now().date_naive()
}

/// A date argument, or today.
pub fn date_or_today(date: Option<NaiveDate>) -> NaiveDate {
    date.unwrap_or_else(today)
}

/// Parses an id argument.
pub fn parse_id<T: FromStr>(what: &'static str, value: &str) -> Result<T, CliError> {
    value.parse().map_err(|_| CliError::BadId {
        what,
        value: value.to_owned(),
    })
}

/// Reads a JSON file into `T`, naming the file and the field on error.
pub fn read_json<T: DeserializeOwned>(path: &Path) -> Result<T, CliError> {
    let text = std::fs::read_to_string(path).map_err(|source| CliError::Io {
        path: path.to_owned(),
        source,
    })?;
    serde_json::from_str(&text).map_err(|source| CliError::Json {
        path: path.to_owned(),
        source,
    })
}

/// Reads a JSON object file and adds what the command line supplies:
/// `fixed` fields always take the command line's value (a file naming
/// another household is refused), `defaults` only fill what the file lacks.
pub fn read_json_with<T: DeserializeOwned>(
    path: &Path,
    fixed: &[(&'static str, serde_json::Value)],
    defaults: &[(&str, serde_json::Value)],
) -> Result<T, CliError> {
    let mut value: serde_json::Value = read_json(path)?;
    if let Some(object) = value.as_object_mut() {
        for (key, v) in fixed {
            match object.get(*key) {
                Some(given) if given != v => {
                    return Err(CliError::Mismatch {
                        path: path.to_owned(),
                        field: key,
                    })
                }
                _ => {
                    object.insert((*key).to_owned(), v.clone());
                }
            }
        }
        for (key, v) in defaults {
            object.entry(*key).or_insert_with(|| v.clone());
        }
    }
    serde_json::from_value(value).map_err(|source| CliError::Json {
        path: path.to_owned(),
        source,
    })
}

/// Parses a HUD code given with `flag`, naming the flag, the code, its HUD
/// label (when the code means something in another field) and the field.
pub fn code<T>(flag: &'static str, value: u16) -> Result<T, CliError>
where
    T: TryFrom<u16, Error = ce_core::hud::InvalidCode>,
{
    use ce_core::hud::{LivingSituation, MonthsHomeless, RelationshipToHoH, RentalSubsidyType};
    T::try_from(value).map_err(|e| {
        let label = LivingSituation::try_from(value)
            .map(LivingSituation::label)
            .or_else(|_| MonthsHomeless::try_from(value).map(MonthsHomeless::label))
            .or_else(|_| RelationshipToHoH::try_from(value).map(RelationshipToHoH::label))
            .or_else(|_| RentalSubsidyType::try_from(value).map(RentalSubsidyType::label))
            .map(|l| format!(" ({l})"))
            .unwrap_or_default();
        CliError::BadCode {
            flag,
            code: value,
            label,
            field: e.field,
        }
    })
}

/// The caseload and date a `When` selects.
pub fn caseload_when(
    ctx: &Ctx,
    when: &crate::args::When,
) -> Result<(ce_core::Caseload, NaiveDate), CliError> {
    Ok(match (when.as_of, when.as_known_at) {
        (Some(date), _) => (ctx.workflow()?.as_of(date)?, date),
        (None, Some(at)) => (ctx.workflow()?.as_known_at(at)?, at.date_naive()),
        (None, None) => (ctx.workflow()?.caught_up()?.clone(), today()),
    })
}
