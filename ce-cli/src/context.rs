//! What every command needs: the open store, the workflow, the actor, the
//! clock (the CLI, unlike ce-core, may read it) and the output.

use std::cell::OnceCell;
use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;

use std::collections::BTreeMap;

use ce_core::{
    Actor, Caseload, Coalition, Command, CommandId, CommandMeta, Executed, Household, HouseholdId,
    ListKey, Opening, OpeningId, Policy, Referral, ReferralId, Sealed, Workflow,
};
use ce_store_sled::SledStore;
use chrono::{NaiveDate, Utc};
use serde::de::DeserializeOwned;

use crate::args::{Cli, CliCommand};
use crate::error::CliError;
use crate::output::Output;
use crate::store::{is_postgres, CliStore};

/// The store with its personal data sealed.
pub type SealedStore = Sealed<CliStore>;

/// The workflow the CLI runs commands through.
pub type CliWorkflow = Workflow<Arc<SealedStore>>;

/// An open store and who is acting.
pub struct Ctx {
    store: Arc<SealedStore>,
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
    /// Opens the store named on the command line: created only by the
    /// commands that put the first data in one, required by the others (a
    /// mistyped path is an error, not an empty store); read commands fall
    /// back to a private copy when the store's disk is full or read-only.
    pub fn open(cli: &Cli) -> Result<Self, CliError> {
        let usage = store_use(&cli.command);
        let store = if is_postgres(&cli.store) {
            CliStore::postgres(&cli.store.to_string_lossy())?
        } else {
            CliStore::Sled(Box::new(match usage {
                StoreUse::Create => SledStore::open(&cli.store)?,
                StoreUse::Change => SledStore::open_existing(&cli.store)?,
                StoreUse::Read => open_for_reading(&cli.store)?,
            }))
        };
        // A master key is made for a store that writes its first data; the
        // key commands only ever use the one given.
        let keys = crate::keys::keyring(
            &cli.store,
            &store,
            cli.master_key.as_deref(),
            usage != StoreUse::Read && !matches!(cli.command, CliCommand::Keys { .. }),
        )?;
        Ok(Self {
            store: Arc::new(Sealed::new(store, keys)),
            workflow: OnceCell::new(),
            actor: Actor::new(cli.user.clone(), cli.agency.clone(), cli.role),
            out: Output { json: cli.json },
        })
    }

    /// The store, to share with a server.
    pub fn shared_store(&self) -> Arc<SealedStore> {
        Arc::clone(&self.store)
    }

    /// The store: what it gives is opened, what it is given sealed.
    pub fn store(&self) -> &SealedStore {
        &self.store
    }

    /// The store beneath the sealing: its own operations (backups,
    /// imports, rebuilds), which see only sealed data.
    pub fn raw_store(&self) -> &CliStore {
        self.store.inner()
    }

    /// The store's policy.
    pub fn policy(&self) -> &Policy {
        self.store.inner().policy()
    }

    /// The workflow over the store (made, from the store's snapshot, on
    /// first use).
    pub fn workflow(&self) -> Result<&CliWorkflow, CliError> {
        if let Some(workflow) = self.workflow.get() {
            return Ok(workflow);
        }
        let workflow = Workflow::open(Arc::clone(&self.store))?;
        Ok(self.workflow.get_or_init(|| workflow))
    }

    /// The caseload as it stands: the sled store's projections, or the
    /// workflow's fold of a PostgreSQL log (made once per process).
    pub fn caseload(&self) -> Result<Caseload, CliError> {
        match self.raw_store() {
            CliStore::Sled(store) => Ok(self.store.open_caseload(store.caseload()?)?),
            CliStore::Postgres { .. } => Ok(self.workflow()?.caught_up()?.clone()),
        }
    }

    /// One household as it stands (see [`caseload`](Self::caseload)).
    pub fn household(&self, id: HouseholdId) -> Result<Option<Household>, CliError> {
        match self.raw_store() {
            CliStore::Sled(store) => Ok(store
                .household(id)?
                .map(|h| self.store.open_household(h))
                .transpose()?),
            CliStore::Postgres { .. } => {
                Ok(self.workflow()?.caught_up()?.households().get(&id).cloned())
            }
        }
    }

    /// Every opening as it stands.
    pub fn openings(&self) -> Result<BTreeMap<OpeningId, Opening>, CliError> {
        match self.raw_store() {
            CliStore::Sled(store) => Ok(store.openings()?),
            CliStore::Postgres { .. } => Ok(self.workflow()?.caught_up()?.openings.clone()),
        }
    }

    /// Every referral as it stands.
    pub fn referrals(&self) -> Result<BTreeMap<ReferralId, Referral>, CliError> {
        match self.raw_store() {
            CliStore::Sled(store) => Ok(store.referrals()?),
            CliStore::Postgres { .. } => Ok(self.workflow()?.caught_up()?.referrals.clone()),
        }
    }

    /// The keys of the lists with households on them today.
    pub fn list_keys(&self) -> Result<Vec<ListKey>, CliError> {
        match self.raw_store() {
            CliStore::Sled(store) => Ok(store.list_keys()?),
            CliStore::Postgres { .. } => Ok(self
                .workflow()?
                .caught_up()?
                .lists(self.policy(), today())
                .into_keys()
                .collect()),
        }
    }

    /// Records that the acting user is shown `households` (personal data:
    /// names, notes) by `what`, before it is printed: a record that cannot
    /// be kept stops the command, and nothing is shown.
    pub fn record_shown(
        &self,
        households: impl IntoIterator<Item = HouseholdId>,
        what: &str,
    ) -> Result<(), CliError> {
        let at = Utc::now();
        // One record per household, however often the output shows it.
        let mut seen = std::collections::HashSet::new();
        let views: Vec<ce_core::View> = households
            .into_iter()
            .filter(|h| seen.insert(*h))
            .map(|household| ce_core::View {
                at,
                actor: self.actor.clone(),
                household,
                purpose: what.to_owned(),
            })
            .collect();
        if let CliStore::Sled(store) = self.raw_store() {
            if store.is_private_copy() {
                crate::output::to_stderr(&format!(
                    "note: the store cannot be written, so this read of {} household(s) is not in its view log; note it by hand",
                    views.len()
                ));
                return Ok(());
            }
        }
        Ok(ce_core::ViewLog::record_views(self.store.as_ref(), &views)?)
    }

    /// Refuses (exit 3) an actor who is not a CE lead what only a lead
    /// does outside the workflow's commands (views, keys, retention).
    pub fn require_lead(&self, action: ce_core::Operation) -> Result<(), CliError> {
        if self.actor.role == ce_core::Role::Lead {
            return Ok(());
        }
        Err(ce_core::Error::from(ce_core::Rejection::Forbidden {
            role: self.actor.role,
            action,
        })
        .into())
    }

    /// Runs one command, recorded now by the acting user.
    pub fn execute(&self, command: impl Into<Command>) -> Result<Executed, CliError> {
        let meta = CommandMeta {
            command_id: CommandId::random(),
            actor: self.actor.clone(),
            recorded_at: Utc::now(),
        };
        Ok(self.workflow()?.execute(&meta, command)?)
    }
}

/// What a command does with the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoreUse {
    /// Puts the first data in a store: creates it if missing.
    Create,
    /// Changes an existing store.
    Change,
    /// Only reads.
    Read,
}

pub fn store_use(command: &CliCommand) -> StoreUse {
    match command {
        CliCommand::Init { .. }
        | CliCommand::Demo(_)
        | CliCommand::Enroll { .. }
        | CliCommand::Import { .. } => StoreUse::Create,
        CliCommand::Policy { .. }
        | CliCommand::Openings
        | CliCommand::Referrals(_)
        | CliCommand::List(_)
        | CliCommand::Show { .. }
        | CliCommand::History { .. }
        | CliCommand::Explain { .. }
        | CliCommand::Export { .. }
        | CliCommand::Report { .. }
        | CliCommand::Verify
        | CliCommand::Audit {
            command:
                crate::args::AuditCommand::Views { .. } | crate::args::AuditCommand::Export { .. },
        } => StoreUse::Read,
        _ => StoreUse::Change,
    }
}

/// Opens an existing store for a read command; when the store cannot be
/// opened because its disk is full or not writable (sled writes as it
/// opens), opens a private copy in the temporary directory instead.
fn open_for_reading(path: &Path) -> Result<SledStore, CliError> {
    let unwritable = |e: &std::io::Error| {
        matches!(
            e.kind(),
            std::io::ErrorKind::StorageFull
                | std::io::ErrorKind::ReadOnlyFilesystem
                | std::io::ErrorKind::PermissionDenied
                | std::io::ErrorKind::QuotaExceeded
        )
    };
    let copy = |cause: String| {
        let tmp = std::env::temp_dir();
        crate::output::to_stderr(&format!(
            "note: the store at {} cannot be written ({cause}); reading a copy in {}",
            path.display(),
            tmp.display()
        ));
        SledStore::open_snapshot(path, &tmp).map_err(|copy| match copy {
            // The copy opened and said what is wrong with the store itself.
            ce_store_sled::SledStoreError::IncompleteImport { .. }
            | ce_store_sled::SledStoreError::Damaged { .. }
            | ce_store_sled::SledStoreError::UnknownFormatVersion { .. } => copy.into(),
            _ => CliError::StoreUnwritable {
                path: path.to_owned(),
                cause,
                copy: copy.to_string(),
            },
        })
    };
    if !SledStore::has_room_to_open(path) {
        return copy("its disk is full".to_owned());
    }
    match SledStore::open_existing(path) {
        Err(e) if e.io_error().is_some_and(unwritable) => copy(e.to_string()),
        other => Ok(other?),
    }
}

/// Today's date (UTC, the same clock recorded-at times use).
pub fn today() -> NaiveDate {
    Utc::now().date_naive()
}

/// The policy's coalition a command-line name means (case and surrounding
/// spaces aside), or an error naming the coalitions there are and the
/// closest one.
pub fn coalition_arg(policy: &Policy, name: &str) -> Result<Coalition, CliError> {
    if let Some(coalition) = policy.coalition_named(name) {
        return Ok(coalition.clone());
    }
    let typed = name.trim().to_lowercase();
    let closest = policy
        .coalitions
        .iter()
        .map(|c| (strsim::damerau_levenshtein(&typed, &c.0.to_lowercase()), c))
        .min_by_key(|(distance, _)| *distance)
        .filter(|(distance, _)| *distance <= 2);
    Err(CliError::UnknownCoalition {
        given: name.to_owned(),
        hint: closest.map_or_else(String::new, |(_, c)| format!(" (did you mean {c}?)")),
        known: policy
            .coalitions
            .iter()
            .map(|c| c.0.as_str())
            .collect::<Vec<_>>()
            .join(", "),
    })
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

/// The largest JSON input file `ce` reads (an enrollment of the largest
/// household is a few KiB).
pub const MAX_JSON_BYTES: u64 = 1 << 20;

/// The deepest nesting of a JSON input file (the deepest ce input nests
/// four levels).
const MAX_JSON_DEPTH: usize = 32;

/// Reads a JSON file into `T`, naming the file and the field on error: at
/// most [`MAX_JSON_BYTES`], UTF-8 (a byte-order mark is skipped), no
/// deeper than [`MAX_JSON_DEPTH`], and no field `T` does not have (a
/// misspelt field would otherwise be dropped without a word).
pub fn read_json<T: DeserializeOwned + serde::Serialize>(path: &Path) -> Result<T, CliError> {
    let (text, value) = read_json_text(path)?;
    // Parsed from the text, so that an error names its line.
    let parsed = serde_json::from_str::<T>(&text).map_err(|source| CliError::Json {
        path: path.to_owned(),
        source,
    })?;
    reject_unknown(path, &value, &parsed)?;
    Ok(parsed)
}

/// Reads a JSON file as text and as a value, with the limits of
/// [`read_json`].
fn read_json_text(path: &Path) -> Result<(String, serde_json::Value), CliError> {
    let text = read_text_file(path, MAX_JSON_BYTES)?;
    if nesting(&text) > MAX_JSON_DEPTH {
        return Err(CliError::Input {
            path: path.to_owned(),
            reason: format!("nests deeper than {MAX_JSON_DEPTH} levels: not a ce input file"),
        });
    }
    let value = serde_json::from_str(&text).map_err(|source| CliError::Json {
        path: path.to_owned(),
        source,
    })?;
    Ok((text, value))
}

/// Reads an input file as UTF-8 text (a byte-order mark dropped): a
/// regular file (a FIFO would wait for a writer) of at most `max_bytes`.
pub fn read_text_file(path: &Path, max_bytes: u64) -> Result<String, CliError> {
    use std::io::Read;
    let io = |source| CliError::Io {
        path: path.to_owned(),
        source,
    };
    // Asked before opening: opening a FIFO waits for a writer.
    if !std::fs::metadata(path).map_err(io)?.is_file() {
        return Err(CliError::Input {
            path: path.to_owned(),
            reason: "is not a regular file".to_owned(),
        });
    }
    let file = std::fs::File::open(path).map_err(io)?;
    let mut bytes = Vec::new();
    file.take(max_bytes.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(io)?;
    if bytes.len() as u64 > max_bytes {
        return Err(CliError::Input {
            path: path.to_owned(),
            reason: format!("is larger than {max_bytes} bytes: not a ce input file"),
        });
    }
    let text = String::from_utf8(bytes).map_err(|e| CliError::Input {
        path: path.to_owned(),
        reason: format!(
            "is not UTF-8 text (invalid byte at offset {}): save it as UTF-8",
            e.utf8_error().valid_up_to()
        ),
    })?;
    Ok(match text.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_owned(),
        None => text,
    })
}

/// How deeply `json` nests objects and arrays (brackets in strings aside).
fn nesting(json: &str) -> usize {
    let (mut depth, mut max, mut in_string, mut escaped) = (0usize, 0usize, false, false);
    for c in json.chars() {
        if in_string {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => in_string = true,
            '{' | '[' => {
                depth = depth.saturating_add(1);
                max = max.max(depth);
            }
            '}' | ']' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    max
}

/// Deserializes `value` into `T`, refusing fields `T` does not have (but
/// the `fixed` ones the command line supplied, which `T` may not have:
/// they were there to be checked).
fn from_value<T: DeserializeOwned + serde::Serialize>(
    path: &Path,
    value: serde_json::Value,
    fixed: &[(&'static str, serde_json::Value)],
) -> Result<T, CliError> {
    let mut without = value.clone();
    if let Some(object) = without.as_object_mut() {
        for (key, _) in fixed {
            object.remove(*key);
        }
    }
    let parsed: T = serde_json::from_value(value)
        .or_else(|e| {
            if fixed.is_empty() {
                Err(e)
            } else {
                serde_json::from_value(without.clone()).map_err(|_| e)
            }
        })
        .map_err(|source| CliError::Json {
            path: path.to_owned(),
            source,
        })?;
    reject_unknown(path, &without, &parsed)?;
    Ok(parsed)
}

/// Refuses a field of `given` that `parsed` (what was read from it) does
/// not have: a misspelt field would otherwise be dropped without a word.
fn reject_unknown<T: serde::Serialize>(
    path: &Path,
    given: &serde_json::Value,
    parsed: &T,
) -> Result<(), CliError> {
    let known = serde_json::to_value(parsed).map_err(|source| CliError::Json {
        path: path.to_owned(),
        source,
    })?;
    match unknown_field("", given, &known) {
        Some(field) => Err(CliError::Input {
            path: path.to_owned(),
            reason: format!(
                "has a field {field:?} that a ce input file does not have here (misspelt?)"
            ),
        }),
        None => Ok(()),
    }
}

/// The first field (as a path) in `given` that `known` (what was read
/// from it, written back) does not have; null fields are the absent ones.
fn unknown_field(
    path: &str,
    given: &serde_json::Value,
    known: &serde_json::Value,
) -> Option<String> {
    use serde_json::Value;
    match (given, known) {
        (Value::Object(given), Value::Object(known)) => given.iter().find_map(|(key, value)| {
            let sub = if path.is_empty() {
                key.clone()
            } else {
                format!("{path}.{key}")
            };
            match known.get(key) {
                Some(inner) => unknown_field(&sub, value, inner),
                None if value.is_null() => None,
                None => Some(sub),
            }
        }),
        (Value::Array(given), Value::Array(known)) => given
            .iter()
            .zip(known)
            .enumerate()
            .find_map(|(i, (g, k))| unknown_field(&format!("{path}[{i}]"), g, k)),
        _ => None,
    }
}

/// Reads a JSON object file and adds what the command line supplies:
/// `fixed` fields always take the command line's value (a file naming
/// another household is refused), `defaults` only fill what the file lacks.
pub fn read_json_with<T: DeserializeOwned + serde::Serialize>(
    path: &Path,
    fixed: &[(&'static str, serde_json::Value)],
    defaults: &[(&str, serde_json::Value)],
) -> Result<T, CliError> {
    let (text, mut value) = read_json_text(path)?;
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
    from_value(path, value, fixed).map_err(|e| match (&e, serde_json::from_str::<T>(&text)) {
        // The text alone fails too: its error names the line.
        (CliError::Json { .. }, Err(source)) if !source.to_string().contains("missing field") => {
            CliError::Json {
                path: path.to_owned(),
                source,
            }
        }
        _ => e,
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
