//! Command-line arguments (clap derive).

use std::path::PathBuf;

use ce_core::{ListHouseholdType, ProgramType, Role};
use chrono::NaiveDate;
use clap::{Args, Parser, Subcommand, ValueEnum};

/// Coordinated Entry for the WI Balance of State CoC, on an embedded store.
#[derive(Debug, Parser)]
#[command(name = "ce", version, about, after_help = crate::error::EXIT_CODES)]
pub struct Cli {
    /// Store directory (created on first use).
    #[arg(long, global = true, env = "CE_STORE", default_value = "./ce-data")]
    pub store: PathBuf,
    /// The master key file that wraps the store's client keys (default:
    /// `<store>.master-key` beside a store directory, `ce-master.key` for
    /// PostgreSQL; `CE_MASTER_KEY` gives the key itself).
    #[arg(long, global = true, env = "CE_MASTER_KEY_FILE")]
    pub master_key: Option<PathBuf>,
    /// Acting HMIS user.
    #[arg(long, global = true, env = "CE_USER", default_value = "ce-cli")]
    pub user: String,
    /// Acting agency.
    #[arg(long, global = true, env = "CE_AGENCY", default_value = "BoS CE")]
    pub agency: String,
    /// Acting role: access, provider or lead.
    #[arg(long, global = true, env = "CE_ROLE", default_value = "lead")]
    pub role: Role,
    /// Print one JSON document on stdout instead of text.
    #[arg(long, global = true)]
    pub json: bool,
    /// What to do.
    #[command(subcommand)]
    pub command: CliCommand,
}

/// `ce keys ...`.
#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// The master key's fingerprint and how many subject keys there are.
    Status,
    /// Write every subject key, as kept (wrapped by the master key), to
    /// FILE (0600): what the store's own backups leave out.
    Backup {
        /// Where to write them.
        file: PathBuf,
    },
    /// Put back the keys of a `keys backup` that the store lacks (after a
    /// restore from a JSON Lines backup, or a move to PostgreSQL).
    Restore {
        /// The key backup.
        file: PathBuf,
    },
    /// Make a new master key in FILE (or use the one there, to finish a
    /// rotation cut off part way) and wrap every subject key with it; then
    /// point `--master-key` at FILE.
    Rotate {
        /// Where the new master key goes.
        #[arg(long)]
        to: PathBuf,
    },
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum CliCommand {
    /// Fill the store with a synthetic BoS caseload and print a PSH list.
    Demo(DemoArgs),
    /// Create the store, optionally with a policy file.
    Init {
        /// Policy JSON (default: the WI BoS policy).
        #[arg(long)]
        policy: Option<PathBuf>,
    },
    /// Policy commands.
    Policy {
        /// What to do with the policy.
        #[command(subcommand)]
        command: PolicyCommand,
    },
    /// Enroll a household from a JSON file; prints the household id.
    Enroll {
        /// The enrollment (see docs/cli.md).
        #[arg(long)]
        file: PathBuf,
    },
    /// Record a CE assessment (4.19) from a JSON file.
    Assess {
        /// The household.
        household: String,
        /// The assessment (see docs/cli.md).
        #[arg(long)]
        file: PathBuf,
    },
    /// Change household membership.
    Members {
        /// The household.
        household: String,
        /// The change.
        #[command(subcommand)]
        change: MembersCommand,
    },
    /// Exit a household from CE.
    Exit {
        /// The household.
        household: String,
        /// Exit date (default: today).
        #[arg(long)]
        date: Option<NaiveDate>,
        /// 3.12 destination code.
        #[arg(long)]
        destination: u16,
        /// 3.12.A DestinationSubsidyType, required with destination 435.
        #[arg(long, required_if_eq("destination", "435"))]
        subsidy: Option<u16>,
        /// Why.
        #[arg(long)]
        reason: String,
    },
    /// Erase a client (CE lead): their names, birth date and ids in
    /// another HMIS, and their households' notes, read `[erased]` from now
    /// on, in the store and every backup; ranks and dates stay.
    Erase {
        /// The client (PersonalID).
        #[arg(long)]
        client: String,
        /// Why: client-request, retention or entered-in-error.
        #[arg(long)]
        reason: ce_core::ErasureReason,
        /// The erasure's date (default: today).
        #[arg(long)]
        date: Option<NaiveDate>,
    },
    /// Record a member's release of information (ROI): given, refused or
    /// revoked. Without one in force, only the CE lead and the household's
    /// own agency see the member's names.
    Consent {
        /// The household.
        household: String,
        /// The member (PersonalID).
        #[arg(long)]
        client: String,
        /// given, refused or revoked.
        #[arg(long)]
        decision: ConsentDecisionArg,
        /// Whom it covers: coc (every partner agency) or referrals (the
        /// agencies the household is referred to).
        #[arg(long, default_value = "coc")]
        scope: ConsentScopeArg,
        /// The last day a given release holds.
        #[arg(long)]
        expires: Option<NaiveDate>,
        /// The day the client answered (default: today).
        #[arg(long)]
        date: Option<NaiveDate>,
    },
    /// Mark a household restricted (fleeing domestic violence): its names
    /// are shown to the CE lead and the owning agency only. The lead's or
    /// the owning agency's.
    Restrict {
        /// The household.
        household: String,
        /// Lift the restriction instead.
        #[arg(long)]
        lift: bool,
        /// The effective date (default: today).
        #[arg(long)]
        date: Option<NaiveDate>,
    },
    /// Record the names and birth dates of a household enrolled without
    /// personal data, from a JSON file of its members: it keeps its list
    /// date and rank, and from now on is written to HUD CSV.
    Identify {
        /// The household.
        household: String,
        /// The members (see docs/cli.md).
        #[arg(long)]
        file: PathBuf,
        /// The effective date (default: today).
        #[arg(long)]
        date: Option<NaiveDate>,
    },
    /// Erase the clients with no activity for N years (CE lead): the
    /// policy's `retention_years`, or `--years`. Off unless one is given.
    Retention {
        /// Years without activity (default: the policy's).
        #[arg(long)]
        years: Option<u32>,
        /// The day the years are counted back from (default: today).
        #[arg(long)]
        as_of: Option<NaiveDate>,
        /// List who is due, erase no one.
        #[arg(long)]
        dry_run: bool,
    },
    /// Record a follow-up, with or without contact.
    Followup(FollowupArgs),
    /// Record a HUD 4.20 event on a household: an access event (1-4), a
    /// referral to services (5-9, 16) or a referral made in another system
    /// (10-15, 17, 18). Referrals to ce's own openings use `ce refer`.
    Event(EventArgs),
    /// Opening commands.
    Opening {
        /// What to do.
        #[command(subcommand)]
        command: OpeningCommand,
    },
    /// List openings.
    Openings,
    /// Refer the top eligible household (or a named one, with a bypass reason) to an opening.
    Refer {
        /// The opening.
        opening: String,
        /// A specific household.
        #[arg(long)]
        household: Option<String>,
        /// Why higher-ranked households are passed over.
        #[arg(long)]
        bypass_reason: Option<String>,
        /// Referral date (default: today).
        #[arg(long)]
        date: Option<NaiveDate>,
    },
    /// Acknowledge, accept or decline a referral.
    Referral {
        /// What to do.
        #[arg(value_enum)]
        action: ReferralAction,
        /// The referral.
        referral: String,
        /// Date (default: today).
        #[arg(long)]
        date: Option<NaiveDate>,
        /// Decline reason code from the policy.
        #[arg(long)]
        reason: Option<String>,
        /// Decline explanation.
        #[arg(long)]
        text: Option<String>,
    },
    /// List referrals, oldest first (newest last).
    Referrals(ReferralsArgs),
    /// Mark inactive the households whose last contact is the policy's
    /// inactivity days (90) or more before --as-of; housed, exited and
    /// inactive ones are left alone.
    Sweep {
        /// As-of date.
        #[arg(long)]
        as_of: NaiveDate,
    },
    /// Expire the live referrals offered the policy's overdue days (10) or
    /// more before --as-of, still without a result.
    Expire {
        /// As-of date.
        #[arg(long)]
        as_of: NaiveDate,
    },
    /// Print priority lists (the BoS Priority List Report).
    List(ListArgs),
    /// Show one household: state, lists, live referrals, last contact.
    Show {
        /// The household.
        household: String,
        /// Time axis.
        #[command(flatten)]
        when: When,
    },
    /// A household's whole history: every event, who entered it, what changed.
    History {
        /// The household.
        household: String,
    },
    /// Why a household has its rank (or is on no list).
    Explain {
        /// The household.
        household: String,
        /// Only this program type's list.
        #[arg(long)]
        program: Option<ProgramType>,
        /// Time axis.
        #[command(flatten)]
        when: When,
    },
    /// Correct a data-entry mistake in an earlier enrollment, assessment or
    /// follow-up (the original stays in the log).
    Correct {
        /// The household.
        household: String,
        /// The event to correct (see `ce history`).
        event: String,
        /// JSON merge patch of the event's data, e.g. '{"assessment":{"score":12}}'.
        #[arg(long)]
        patch: String,
        /// Why.
        #[arg(long)]
        reason: String,
    },
    /// Export the log.
    Export {
        /// Format.
        #[command(subcommand)]
        format: ExportFormat,
    },
    /// Import a log into an empty store (jsonl), or another system's HUD CSV export (hud-csv).
    Import {
        /// Format.
        #[command(subcommand)]
        format: ExportFormat,
    },
    /// HUD reports: the CE APR and timeliness.
    Report {
        /// Which report.
        #[command(subcommand)]
        report: ReportCommand,
    },
    /// Drop the projections and rebuild them from the log.
    Rebuild,
    /// Undo an import that did not finish (killed, disk full): the store
    /// returns to how it was before the import began.
    RollbackImport,
    /// Replay the log, check every invariant and the projections.
    Verify,
    /// The audit trail of reading: who was shown a household's data.
    Audit {
        /// What to show.
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// The keys that seal names, birth dates and notes (CE lead).
    Keys {
        /// What to do with them.
        #[command(subcommand)]
        command: KeysCommand,
    },
    /// Serve the workflow in a browser and over a JSON API (see
    /// docs/server.md). The first run creates an `admin` account and
    /// prints its password once.
    Serve(ServeArgs),
    /// Manage the accounts `ce serve` signs in (the file in --state-dir).
    User {
        /// Where the accounts live.
        #[arg(long, env = "CE_SERVE_STATE_DIR", default_value = "./ce-serve")]
        state_dir: PathBuf,
        /// What to do.
        #[command(subcommand)]
        command: UserCommand,
    },
}

/// `ce audit` subcommands.
#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Who was shown the household's personal data, when and by what
    /// (a CE lead only).
    Views {
        /// The household.
        #[arg(long)]
        household: String,
    },
    /// Write the whole view log to FILE (JSON Lines, 0600): a backup of the
    /// log does not carry it (a CE lead only).
    Export {
        /// Where to write it.
        file: PathBuf,
    },
    /// Record the views of an `audit export` into a store that has none
    /// yet (after a restore, or a move to PostgreSQL; a CE lead only).
    Import {
        /// The view log export.
        file: PathBuf,
    },
}

/// `ce serve` options (each overrides the --config file and the
/// `CE_SERVE_*` environment).
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// A TOML configuration file (see docs/server.md).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Address and port to listen on (default 127.0.0.1:8080).
    #[arg(long)]
    pub listen: Option<std::net::SocketAddr>,
    /// Where accounts and the view log live (default ./ce-serve).
    #[arg(long)]
    pub state_dir: Option<PathBuf>,
    /// Mark the session cookie Secure (behind a TLS reverse proxy).
    #[arg(long)]
    pub secure_cookies: bool,
}

/// `ce user` subcommands.
#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create an account; its password is read from stdin with
    /// --password-stdin, else generated and printed once.
    Add {
        /// Sign-in name.
        name: String,
        /// access, provider, lead or admin.
        #[arg(value_name = "ROLE")]
        account_role: ce_server::AccountRole,
        /// The account's agency (a provider's openings are its agency's).
        agency: String,
        /// Read the password from the first line of stdin.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Set a new password (read from stdin with --password-stdin, else
    /// generated and printed once); the account's sessions end.
    Passwd {
        /// Sign-in name.
        name: String,
        /// Read the password from the first line of stdin.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Disable an account: it cannot sign in, its sessions end.
    Disable {
        /// Sign-in name.
        name: String,
    },
    /// Enable a disabled account.
    Enable {
        /// Sign-in name.
        name: String,
    },
    /// Issue an API token for an account (printed once).
    Token {
        /// Sign-in name.
        name: String,
    },
    /// List the accounts and the log of changes.
    List,
}

/// `ce demo` options.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Households to enroll.
    #[arg(long, default_value_t = 300)]
    pub households: u32,
    /// Seed: the same seed gives the same caseload.
    #[arg(long, default_value_t = 2025)]
    pub seed: u64,
}

/// `ce policy` subcommands.
#[derive(Debug, Subcommand)]
pub enum PolicyCommand {
    /// Print the store's policy as JSON.
    Show,
}

/// `ce members` subcommands.
#[derive(Debug, Subcommand)]
pub enum MembersCommand {
    /// Add a member from a JSON file.
    Add {
        /// The member (see docs/cli.md).
        #[arg(long)]
        file: PathBuf,
        /// Date (default: today).
        #[arg(long)]
        date: Option<NaiveDate>,
    },
    /// Remove a member (not the head of household).
    Remove {
        /// The client.
        client: String,
        /// Date (default: today).
        #[arg(long)]
        date: Option<NaiveDate>,
    },
    /// Make another member the head of household.
    Head {
        /// The new head.
        client: String,
        /// 3.15 code of the former head's relationship to the new head.
        #[arg(long)]
        former_relationship: u16,
        /// Date (default: today).
        #[arg(long)]
        date: Option<NaiveDate>,
    },
}

/// How a no-contact attempt was made.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Method {
    /// Phone call.
    Phone,
    /// Email.
    Email,
    /// Text message.
    Text,
    /// In person.
    InPerson,
    /// Other.
    Other,
}

/// `ce followup` options.
#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("outcome").required(true).args(["contact", "no_contact"]))]
pub struct FollowupArgs {
    /// The household.
    pub household: String,
    /// Date (default: today).
    #[arg(long)]
    pub date: Option<NaiveDate>,
    /// Staff reached the household: needs --residence, --months-homeless, --living-situation.
    #[arg(long)]
    pub contact: bool,
    /// Staff could not reach the household: needs --method.
    #[arg(long)]
    pub no_contact: bool,
    /// 3.917 residence code (with --contact).
    #[arg(long, required_if_eq("contact", "true"), conflicts_with = "no_contact")]
    pub residence: Option<u16>,
    /// 3.917 months homeless code, 101–113 or 8/9/99 (with --contact).
    #[arg(long, required_if_eq("contact", "true"), conflicts_with = "no_contact")]
    pub months_homeless: Option<u16>,
    /// 4.12 current living situation code (with --contact).
    #[arg(long, required_if_eq("contact", "true"), conflicts_with = "no_contact")]
    pub living_situation: Option<u16>,
    /// Rental subsidy type, with living situation 435.
    #[arg(long, conflicts_with = "no_contact")]
    pub subsidy: Option<u16>,
    /// How staff tried (with --no-contact).
    #[arg(
        long,
        value_enum,
        required_if_eq("no_contact", "true"),
        conflicts_with = "contact"
    )]
    pub method: Option<Method>,
    /// A message was left (with --no-contact).
    #[arg(long, conflicts_with = "contact")]
    pub left_message: bool,
    /// CE note: one or two sentences.
    #[arg(long)]
    pub note: String,
}

/// `ce event` options.
#[derive(Debug, clap::Args)]
pub struct EventArgs {
    /// The household.
    pub household: String,
    /// 4.20 EventDate (default: today).
    #[arg(long)]
    pub date: Option<NaiveDate>,
    /// 4.20 Event code, 1-18.
    #[arg(long)]
    pub code: u16,
    /// ProbSolDivRRResult with event 2: housed in a safe alternative (0 no, 1 yes, 99).
    #[arg(long)]
    pub diversion_result: Option<u16>,
    /// ReferralCaseManageAfter with event 5: enrolled in aftercare (0 no, 1 yes, 99).
    #[arg(long)]
    pub aftercare: Option<u16>,
    /// LocationCrisisOrPHHousing with events 10-15, 17, 18: the project or resource.
    #[arg(long)]
    pub location: Option<String>,
    /// ReferralResult with events 10-15, 17, 18 (1 accepted, 2 client rejected, 3 provider rejected).
    #[arg(long, requires = "result_date")]
    pub result: Option<u16>,
    /// ResultDate, with --result.
    #[arg(long, requires = "result")]
    pub result_date: Option<NaiveDate>,
}

/// `ce opening` subcommands.
#[derive(Debug, Subcommand)]
pub enum OpeningCommand {
    /// Post an opening for the acting agency; prints the opening id.
    Post {
        /// Receiving program's name.
        #[arg(long)]
        program: String,
        /// Program type.
        #[arg(long = "type")]
        program_type: ProgramType,
        /// Coalition.
        #[arg(long)]
        coalition: String,
        /// Household types served (comma-separated).
        #[arg(
            long,
            value_delimiter = ',',
            default_value = "adults-only,with-children,youth"
        )]
        household_types: Vec<ListHouseholdType>,
        /// Units.
        #[arg(long, default_value_t = 1)]
        units: u32,
        /// Chronically homeless households only.
        #[arg(long)]
        chronic_only: bool,
        /// Households with a veteran only.
        #[arg(long)]
        veterans_only: bool,
        /// Date (default: today).
        #[arg(long)]
        date: Option<NaiveDate>,
    },
    /// Withdraw an opening.
    Withdraw {
        /// The opening.
        opening: String,
        /// Why.
        #[arg(long, default_value = "Withdrawn by the provider")]
        reason: String,
        /// Date (default: today).
        #[arg(long)]
        date: Option<NaiveDate>,
    },
}

/// What to do with a referral.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReferralAction {
    /// The provider acknowledges it.
    Ack,
    /// The household enrolls in the program (result 1).
    Accept,
    /// Client (2) or provider (3) declines, per the reason code.
    Decline,
}

/// `ce referrals` options.
#[derive(Debug, Args)]
pub struct ReferralsArgs {
    /// Only live (offered or acknowledged) referrals.
    #[arg(long)]
    pub open: bool,
    /// Only live referrals without a result on their due day or later (the
    /// policy's referral_overdue_days after the offer): the ones `ce expire`
    /// would end.
    #[arg(long)]
    pub overdue: bool,
    /// Only referrals in this state.
    #[arg(long, value_enum)]
    pub status: Option<ReferralState>,
    /// Only this household's referrals.
    #[arg(long)]
    pub household: Option<String>,
    /// Only this opening's referrals.
    #[arg(long)]
    pub opening: Option<String>,
    /// The date days open and overdue are counted to (default: today).
    #[arg(long)]
    pub as_of: Option<NaiveDate>,
}

/// A referral's state, for `ce referrals --status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReferralState {
    /// Offered, not yet acknowledged.
    Offered,
    /// Acknowledged by the provider, no result yet.
    Acknowledged,
    /// Offered or acknowledged: waiting for a result.
    Live,
    /// Accepted (HUD result 1).
    Accepted,
    /// Declined by the client (result 2) or the provider (result 3).
    Declined,
    /// Ended without a result (opening withdrawn, household exited, inactive or housed elsewhere).
    Cancelled,
    /// Expired without a result.
    Expired,
}

/// `ce list` options.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Only this coalition.
    #[arg(long)]
    pub coalition: Option<String>,
    /// Only this program type.
    #[arg(long)]
    pub program: Option<ProgramType>,
    /// Only this household type.
    #[arg(long)]
    pub household_type: Option<ListHouseholdType>,
    /// At most this many rows per list.
    #[arg(long)]
    pub limit: Option<usize>,
    /// Leave the head of household's name out (client ids stay): for a
    /// list that leaves the room.
    #[arg(long)]
    pub no_names: bool,
    /// Time axis.
    #[command(flatten)]
    pub when: When,
}

/// Which moment to look at: now (default), as of a date by everything known
/// now, or as the system showed it at a past time.
#[derive(Debug, Args)]
#[group(multiple = false)]
pub struct When {
    /// What was true on this date, by everything known now.
    #[arg(long)]
    pub as_of: Option<NaiveDate>,
    /// What the system showed at this time (RFC 3339, e.g. 2025-06-01T17:00:00Z).
    #[arg(long)]
    pub as_known_at: Option<chrono::DateTime<chrono::Utc>>,
}

impl When {
    /// Neither option: now, by everything known now.
    pub fn is_now(&self) -> bool {
        self.as_of.is_none() && self.as_known_at.is_none()
    }
}

/// Backup formats.
#[derive(Debug, Subcommand)]
pub enum ExportFormat {
    /// JSON Lines: one event envelope per line, in log order.
    Jsonl {
        /// The file.
        file: PathBuf,
        /// Import: take a backup that has no checksum line (one written
        /// before backups had one). A checksum that is there must match.
        #[arg(long)]
        without_checksum: bool,
    },
    /// HUD HMIS CSV (FY2024): the CE files of a directory (see docs/hud-csv.md).
    HudCsv {
        /// The directory (created by export).
        dir: PathBuf,
        /// Export: first day of the reporting period (default: the earliest date in the log).
        #[arg(long)]
        from: Option<NaiveDate>,
        /// Export: last day of the reporting period (default: today).
        #[arg(long)]
        to: Option<NaiveDate>,
        /// Import: the coalition whose lists imported households join when the
        /// coalition map names none (HUD files name none).
        #[arg(long)]
        coalition: Option<String>,
        /// Import: a CSV file `source,coalition` mapping a source ProjectID,
        /// ProjectCoC Geocode or CoC code to a coalition.
        #[arg(long)]
        coalition_map: Option<std::path::PathBuf>,
        /// Import: only enrollments in this CoC (EnrollmentCoC, else ProjectCoC), e.g. WI-500.
        #[arg(long)]
        coc: Option<String>,
        /// Import: accepted for compatibility; importing the readable rows and
        /// reporting the others is the default (see --strict).
        #[arg(long, hide = true)]
        skip_invalid: bool,
        /// Import: all or nothing: write nothing when any row has an error.
        #[arg(long)]
        strict: bool,
        /// Import: write every finding (file, line, column, what was done, why)
        /// to this CSV file, created private (0600).
        #[arg(long)]
        findings: Option<std::path::PathBuf>,
    },
}

/// `ce report` subcommands.
#[derive(Debug, Subcommand)]
pub enum ReportCommand {
    /// The CE APR: Q9a–Q9d and Q10, by household type.
    CeApr {
        /// First day.
        #[arg(long)]
        from: NaiveDate,
        /// Last day.
        #[arg(long)]
        to: NaiveDate,
    },
    /// Median and 90th percentile days: assessment to first referral,
    /// referral to result, and days on the list of households housed.
    Timeliness {
        /// First day.
        #[arg(long)]
        from: NaiveDate,
        /// Last day.
        #[arg(long)]
        to: NaiveDate,
    },
    /// Households that accepted a referral (here or in another system) at
    /// least --days ago and have not exited CE: their CE exit is missing.
    HousedNotExited {
        /// Only households housed at least this many days before --as-of.
        #[arg(long, default_value_t = 30)]
        days: u32,
        /// The report date (default: today).
        #[arg(long)]
        as_of: Option<NaiveDate>,
        /// Leave the head of household's name out.
        #[arg(long)]
        no_names: bool,
    },
    /// Releases of information in force that end within --expiring days:
    /// the members to ask for a new one before their names are withheld.
    Consent {
        /// Days ahead.
        #[arg(long, default_value_t = 30)]
        expiring: u32,
        /// The report date (default: today).
        #[arg(long)]
        as_of: Option<NaiveDate>,
    },
}

/// `--decision` of `ce consent`.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ConsentDecisionArg {
    /// The client signed the release.
    Given,
    /// The client declined to sign it.
    Refused,
    /// The client withdrew it.
    Revoked,
}

impl From<ConsentDecisionArg> for ce_core::ConsentDecision {
    fn from(arg: ConsentDecisionArg) -> Self {
        match arg {
            ConsentDecisionArg::Given => ce_core::ConsentDecision::Given,
            ConsentDecisionArg::Refused => ce_core::ConsentDecision::Refused,
            ConsentDecisionArg::Revoked => ce_core::ConsentDecision::Revoked,
        }
    }
}

/// `--scope` of `ce consent`.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ConsentScopeArg {
    /// Every partner agency of the CoC.
    Coc,
    /// The agencies the household is referred to.
    Referrals,
}

impl From<ConsentScopeArg> for ce_core::ConsentScope {
    fn from(arg: ConsentScopeArg) -> Self {
        match arg {
            ConsentScopeArg::Coc => ce_core::ConsentScope::Coc,
            ConsentScopeArg::Referrals => ce_core::ConsentScope::Referrals,
        }
    }
}
