//! The HUD HMIS CSV FY2024 files this module reads and writes, one row type
//! per file. Each row type's fields are the file's columns, named exactly as
//! HUD names them and in HUD's order, with HUD's type of each (so that
//! serde reads columns by name and the writer knows which cells are free
//! text). Every field is held as text (`None` is an empty field): typing
//! happens in the export and import mappings.

use std::borrow::Cow;

use serde::Deserialize;

/// HUD's type of a column (the "type" of the FY2024 tables).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// S n: a string of at most n characters (free text, ids and string codes).
    Text(usize),
    /// I: an integer or a code of a HUD list.
    Int,
    /// D: a date.
    Date,
    /// T: a datetime.
    DateTime,
}

/// The types as the FY2024 tables write them, for `hud_file!`.
mod kind {
    use super::Kind;
    pub(super) const I: Kind = Kind::Int;
    pub(super) const D: Kind = Kind::Date;
    pub(super) const T: Kind = Kind::DateTime;
    pub(super) const S2: Kind = Kind::Text(2);
    pub(super) const S5: Kind = Kind::Text(5);
    pub(super) const S6: Kind = Kind::Text(6);
    pub(super) const S9: Kind = Kind::Text(9);
    pub(super) const S10: Kind = Kind::Text(10);
    pub(super) const S32: Kind = Kind::Text(32);
    pub(super) const S50: Kind = Kind::Text(50);
    pub(super) const S100: Kind = Kind::Text(100);
    pub(super) const S200: Kind = Kind::Text(200);
    pub(super) const S250: Kind = Kind::Text(250);
    pub(super) const S320: Kind = Kind::Text(320);
    pub(super) const S500: Kind = Kind::Text(500);
}

/// What a spreadsheet takes for the start of a formula when a cell begins
/// with it (OWASP's list for CSV injection).
const FORMULA_START: &[char] = &['=', '+', '-', '@', '\t', '\r'];

/// Text for a CSV cell that a spreadsheet must show, not run: a text that
/// starts with `=`, `+`, `-`, `@`, TAB or CR gets a leading `'`, as OWASP
/// advises against CSV injection. The HUD CSV export does this to every
/// string column; use it for any other CSV of text that came from users or
/// files.
///
/// ```
/// assert_eq!(ce_hud_csv::guard_formula("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
/// assert_eq!(ce_hud_csv::guard_formula("Dana"), "Dana");
/// ```
pub fn guard_formula(text: &str) -> Cow<'_, str> {
    if text.starts_with(FORMULA_START) {
        Cow::Owned(format!("'{text}"))
    } else {
        Cow::Borrowed(text)
    }
}

impl Kind {
    /// HUD's maximum length of a string column.
    pub(crate) fn max_chars(self) -> Option<usize> {
        match self {
            Kind::Text(max) => Some(max),
            _ => None,
        }
    }

    /// A cell as written: a string that a spreadsheet would run as a
    /// formula gets a leading `'` (OWASP's advice), within HUD's length.
    /// Numbers, codes and dates are never changed.
    pub(crate) fn write(self, value: Option<&str>) -> Cow<'_, str> {
        let value = value.unwrap_or_default();
        match (self, guard_formula(value)) {
            (Kind::Text(max), Cow::Owned(guarded)) => {
                Cow::Owned(guarded.chars().take(max).collect())
            }
            _ => Cow::Borrowed(value),
        }
    }

    /// A cell as read: the `'` that [`Kind::write`] put before a formula
    /// character of a string is taken off again.
    pub(crate) fn read(self, value: &str) -> &str {
        match (self, value.trim_start().strip_prefix('\'')) {
            (Kind::Text(_), Some(rest)) if rest.starts_with(FORMULA_START) => rest,
            _ => value,
        }
    }
}

/// A row of a HUD file.
pub(crate) trait Row: serde::de::DeserializeOwned {
    /// HUD's file name.
    const FILE: &'static str;
    /// HUD's header.
    const HEADER: &'static [&'static str];
    /// HUD's type of each column, in header order.
    const KINDS: &'static [Kind];
    /// The row's cells, in header order.
    fn cells(&self) -> Vec<Option<&str>>;
    /// Whether the row carries a DateDeleted (a soft-deleted record).
    fn deleted(&self) -> bool {
        false
    }
    /// The row's DateDeleted, if set.
    fn date_deleted(&self) -> Option<String> {
        None
    }
}

/// Defines one file's row type, its file name, its header and its types.
macro_rules! hud_file {
    (
        $(#[$meta:meta])*
        $name:ident, $file:literal, trailer: $trailer:tt,
        [$($col:ident: $kind:ident),+ $(,)?]
    ) => {
        hud_file!(@emit $(#[$meta])* $name, $file, $trailer, [$($col: $kind),+]);
    };
    (@emit $(#[$meta:meta])* $name:ident, $file:literal, yes, [$($col:ident: $kind:ident),+]) => {
        hud_file!(@struct $(#[$meta])* $name, $file, [$($col: $kind,)+
            DateCreated: T, DateUpdated: T, UserID: S32, DateDeleted: T, ExportID: S32,]);
        impl Row for $name {
            const FILE: &'static str = $file;
            const HEADER: &'static [&'static str] = $name::HEADER;
            const KINDS: &'static [Kind] = $name::KINDS;
            fn cells(&self) -> Vec<Option<&str>> {
                self.cells()
            }
            fn deleted(&self) -> bool {
                self.DateDeleted.as_deref().is_some_and(|d| !d.trim().is_empty())
            }
            fn date_deleted(&self) -> Option<String> {
                self.DateDeleted.as_deref().map(str::trim).filter(|d| !d.is_empty()).map(str::to_owned)
            }
        }
    };
    (@emit $(#[$meta:meta])* $name:ident, $file:literal, no, [$($col:ident: $kind:ident),+]) => {
        hud_file!(@struct $(#[$meta])* $name, $file, [$($col: $kind,)+]);
        impl Row for $name {
            const FILE: &'static str = $file;
            const HEADER: &'static [&'static str] = $name::HEADER;
            const KINDS: &'static [Kind] = $name::KINDS;
            fn cells(&self) -> Vec<Option<&str>> {
                self.cells()
            }
        }
    };
    (@struct $(#[$meta:meta])* $name:ident, $file:literal, [$($col:ident: $kind:ident,)+]) => {
        $(#[$meta])*
        #[allow(non_snake_case)]
        #[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
        #[serde(default)]
        pub(crate) struct $name {
            $(pub(crate) $col: Option<String>,)+
        }

        impl $name {
            /// HUD's file name.
            pub(crate) const FILE: &'static str = $file;
            /// HUD's header, in HUD's order.
            pub(crate) const HEADER: &'static [&'static str] = &[$(stringify!($col)),+];
            /// HUD's type of each column, in HUD's order.
            pub(crate) const KINDS: &'static [Kind] = &[$(kind::$kind),+];

            /// The cells, in HUD's order.
            fn cells(&self) -> Vec<Option<&str>> {
                vec![$(self.$col.as_deref()),+]
            }
        }
    };
}

hud_file!(
    /// Export.csv: one row describing the export.
    ExportRow, "Export.csv", trailer: no, [
    ExportID: S32, SourceType: I, SourceID: S32, SourceName: S50, SourceContactFirst: S50,
    SourceContactLast: S50, SourceContactPhone: S10, SourceContactExtension: S5,
    SourceContactEmail: S320, ExportDate: T, ExportStartDate: D, ExportEndDate: D,
    SoftwareName: S50, SoftwareVersion: S50, CSVVersion: S50, ExportPeriodType: I,
    ExportDirective: I, HashStatus: I, ImplementationID: S200,
]);

hud_file!(
    /// Organization.csv.
    OrganizationRow, "Organization.csv", trailer: yes, [
    OrganizationID: S32, OrganizationName: S200, VictimServiceProvider: I,
    OrganizationCommonName: S200,
]);

hud_file!(
    /// Project.csv.
    ProjectRow, "Project.csv", trailer: yes, [
    ProjectID: S32, OrganizationID: S32, ProjectName: S200, ProjectCommonName: S200,
    OperatingStartDate: D, OperatingEndDate: D, ContinuumProject: I, ProjectType: I,
    HousingType: I, RRHSubType: I, ResidentialAffiliation: I, TargetPopulation: I,
    HOPWAMedAssistedLivingFac: I, PITCount: I,
]);

hud_file!(
    /// ProjectCoC.csv: the CoC (and geography) a project serves.
    ProjectCoCRow, "ProjectCoC.csv", trailer: yes, [
    ProjectCoCID: S32, ProjectID: S32, CoCCode: S6, Geocode: S6, Address1: S100, Address2: S100,
    City: S50, State: S2, ZIP: S5, GeographyType: I,
]);

hud_file!(
    /// CEParticipation.csv (new in FY2024): a project's part in CE, per period.
    CEParticipationRow, "CEParticipation.csv", trailer: yes, [
    CEParticipationID: S32, ProjectID: S32, AccessPoint: I, PreventionAssessment: I,
    CrisisAssessment: I, HousingAssessment: I, DirectServices: I, ReceivesReferrals: I,
    CEParticipationStatusStartDate: D, CEParticipationStatusEndDate: D,
]);

hud_file!(
    /// Client.csv.
    ClientRow, "Client.csv", trailer: yes, [
    PersonalID: S32, FirstName: S50, MiddleName: S50, LastName: S50, NameSuffix: S50,
    NameDataQuality: I, SSN: S9, SSNDataQuality: I, DOB: D, DOBDataQuality: I, AmIndAKNative: I,
    Asian: I, BlackAfAmerican: I, HispanicLatinaeo: I, MidEastNAfrican: I, NativeHIPacific: I,
    White: I, RaceNone: I, AdditionalRaceEthnicity: S100, Woman: I, Man: I, NonBinary: I,
    CulturallySpecific: I, Transgender: I, Questioning: I, DifferentIdentity: I, GenderNone: I,
    DifferentIdentityText: S100, VeteranStatus: I, YearEnteredService: I, YearSeparated: I,
    WorldWarII: I, KoreanWar: I, VietnamWar: I, DesertStorm: I, AfghanistanOEF: I, IraqOIF: I,
    IraqOND: I, OtherTheater: I, MilitaryBranch: I, DischargeStatus: I,
]);

hud_file!(
    /// Enrollment.csv (71 columns; 3.917.2A and 2B share `LOSUnderThreshold`).
    EnrollmentRow, "Enrollment.csv", trailer: yes, [
    EnrollmentID: S32, PersonalID: S32, ProjectID: S32, EntryDate: D, HouseholdID: S32,
    RelationshipToHoH: I, EnrollmentCoC: S6, LivingSituation: I, RentalSubsidyType: I,
    LengthOfStay: I, LOSUnderThreshold: I, PreviousStreetESSH: I, DateToStreetESSH: D,
    TimesHomelessPastThreeYears: I, MonthsHomelessPastThreeYears: I, DisablingCondition: I,
    DateOfEngagement: D, MoveInDate: D, DateOfPATHStatus: D, ClientEnrolledInPATH: I,
    ReasonNotEnrolled: I, PercentAMI: I, ReferralSource: I, CountOutreachReferralApproaches: I,
    DateOfBCPStatus: D, EligibleForRHY: I, ReasonNoServices: I, RunawayYouth: I,
    SexualOrientation: I, SexualOrientationOther: S100, FormerWardChildWelfare: I,
    ChildWelfareYears: I, ChildWelfareMonths: I, FormerWardJuvenileJustice: I,
    JuvenileJusticeYears: I, JuvenileJusticeMonths: I, UnemploymentFam: I,
    MentalHealthDisorderFam: I, PhysicalDisabilityFam: I, AlcoholDrugUseDisorderFam: I,
    InsufficientIncome: I, IncarceratedParent: I, VAMCStation: S5, TargetScreenReqd: I,
    TimeToHousingLoss: I, AnnualPercentAMI: I, LiteralHomelessHistory: I, ClientLeaseholder: I,
    HOHLeaseholder: I, SubsidyAtRisk: I, EvictionHistory: I, CriminalRecord: I,
    IncarceratedAdult: I, PrisonDischarge: I, SexOffender: I, DisabledHoH: I,
    CurrentPregnant: I, SingleParent: I, DependentUnder6: I, HH5Plus: I, CoCPrioritized: I,
    HPScreeningScore: I, ThresholdScore: I, TranslationNeeded: I, PreferredLanguage: I,
    PreferredLanguageDifferent: S100,
]);

hud_file!(
    /// Exit.csv (44 columns; W5.A and W5.B share `SubsidyInformation`).
    ExitRow, "Exit.csv", trailer: yes, [
    ExitID: S32, EnrollmentID: S32, PersonalID: S32, ExitDate: D, Destination: I,
    DestinationSubsidyType: I, OtherDestination: S50, HousingAssessment: I,
    SubsidyInformation: I, ProjectCompletionStatus: I, EarlyExitReason: I, ExchangeForSex: I,
    ExchangeForSexPastThreeMonths: I, CountOfExchangeForSex: I,
    AskedOrForcedToExchangeForSex: I, AskedOrForcedToExchangeForSexPastThreeMonths: I,
    WorkplaceViolenceThreats: I, WorkplacePromiseDifference: I, CoercedToContinueWork: I,
    LaborExploitPastThreeMonths: I, CounselingReceived: I, IndividualCounseling: I,
    FamilyCounseling: I, GroupCounseling: I, SessionCountAtExit: I, PostExitCounselingPlan: I,
    SessionsInPlan: I, DestinationSafeClient: I, DestinationSafeWorker: I,
    PosAdultConnections: I, PosPeerConnections: I, PosCommunityConnections: I, AftercareDate: D,
    AftercareProvided: I, EmailSocialMedia: I, Telephone: I, InPersonIndividual: I,
    InPersonGroup: I, CMExitReason: I,
]);

hud_file!(
    /// Assessment.csv (4.19).
    AssessmentRow, "Assessment.csv", trailer: yes, [
    AssessmentID: S32, EnrollmentID: S32, PersonalID: S32, AssessmentDate: D,
    AssessmentLocation: S250, AssessmentType: I, AssessmentLevel: I, PrioritizationStatus: I,
]);

hud_file!(
    /// AssessmentQuestions.csv.
    AssessmentQuestionRow, "AssessmentQuestions.csv", trailer: yes, [
    AssessmentQuestionID: S32, AssessmentID: S32, EnrollmentID: S32, PersonalID: S32,
    AssessmentQuestionGroup: S250, AssessmentQuestionOrder: I, AssessmentQuestion: S250,
    AssessmentAnswer: S500,
]);

hud_file!(
    /// AssessmentResults.csv.
    AssessmentResultRow, "AssessmentResults.csv", trailer: yes, [
    AssessmentResultID: S32, AssessmentID: S32, EnrollmentID: S32, PersonalID: S32,
    AssessmentResultType: S250, AssessmentResult: S250,
]);

hud_file!(
    /// Event.csv (4.20).
    EventRow, "Event.csv", trailer: yes, [
    EventID: S32, EnrollmentID: S32, PersonalID: S32, EventDate: D, Event: I,
    ProbSolDivRRResult: I, ReferralCaseManageAfter: I, LocationCrisisOrPHHousing: S250,
    ReferralResult: I, ResultDate: D,
]);

hud_file!(
    /// CurrentLivingSituation.csv (4.12).
    CurrentLivingSituationRow, "CurrentLivingSituation.csv", trailer: yes, [
    CurrentLivingSitID: S32, EnrollmentID: S32, PersonalID: S32, InformationDate: D,
    CurrentLivingSituation: I, CLSSubsidyType: I, VerifiedBy: S100, LeaveSituation14Days: I,
    SubsequentResidence: I, ResourcesToObtain: I, LeaseOwn60Day: I, MovedTwoOrMore: I,
    LocationDetails: S250,
]);

/// The Client.csv columns FY2024 still lists but HUD asked to ignore (and
/// FY2026 drops): an import accepts files without them.
pub(crate) const OPTIONAL_CLIENT_COLUMNS: &[&str] = &[
    "Woman",
    "Man",
    "NonBinary",
    "CulturallySpecific",
    "Transgender",
    "Questioning",
    "DifferentIdentity",
    "GenderNone",
    "DifferentIdentityText",
];

/// One of the files of a CE export, in the order they are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum HudFile {
    /// Export.csv.
    Export,
    /// Organization.csv.
    Organization,
    /// Project.csv.
    Project,
    /// ProjectCoC.csv.
    ProjectCoC,
    /// CEParticipation.csv.
    CEParticipation,
    /// Client.csv.
    Client,
    /// Enrollment.csv.
    Enrollment,
    /// Exit.csv.
    Exit,
    /// Assessment.csv.
    Assessment,
    /// AssessmentQuestions.csv.
    AssessmentQuestions,
    /// AssessmentResults.csv.
    AssessmentResults,
    /// Event.csv.
    Event,
    /// CurrentLivingSituation.csv.
    CurrentLivingSituation,
}

impl HudFile {
    /// Every file of a CE export, in writing order.
    pub const ALL: &'static [HudFile] = &[
        HudFile::Export,
        HudFile::Organization,
        HudFile::Project,
        HudFile::ProjectCoC,
        HudFile::CEParticipation,
        HudFile::Client,
        HudFile::Enrollment,
        HudFile::Exit,
        HudFile::Assessment,
        HudFile::AssessmentQuestions,
        HudFile::AssessmentResults,
        HudFile::Event,
        HudFile::CurrentLivingSituation,
    ];

    /// HUD's file name, e.g. `Event.csv`.
    pub fn file_name(self) -> &'static str {
        match self {
            HudFile::Export => ExportRow::FILE,
            HudFile::Organization => OrganizationRow::FILE,
            HudFile::Project => ProjectRow::FILE,
            HudFile::ProjectCoC => ProjectCoCRow::FILE,
            HudFile::CEParticipation => CEParticipationRow::FILE,
            HudFile::Client => ClientRow::FILE,
            HudFile::Enrollment => EnrollmentRow::FILE,
            HudFile::Exit => ExitRow::FILE,
            HudFile::Assessment => AssessmentRow::FILE,
            HudFile::AssessmentQuestions => AssessmentQuestionRow::FILE,
            HudFile::AssessmentResults => AssessmentResultRow::FILE,
            HudFile::Event => EventRow::FILE,
            HudFile::CurrentLivingSituation => CurrentLivingSituationRow::FILE,
        }
    }

    /// HUD's header of the file, in HUD's order.
    pub fn header(self) -> &'static [&'static str] {
        match self {
            HudFile::Export => ExportRow::HEADER,
            HudFile::Organization => OrganizationRow::HEADER,
            HudFile::Project => ProjectRow::HEADER,
            HudFile::ProjectCoC => ProjectCoCRow::HEADER,
            HudFile::CEParticipation => CEParticipationRow::HEADER,
            HudFile::Client => ClientRow::HEADER,
            HudFile::Enrollment => EnrollmentRow::HEADER,
            HudFile::Exit => ExitRow::HEADER,
            HudFile::Assessment => AssessmentRow::HEADER,
            HudFile::AssessmentQuestions => AssessmentQuestionRow::HEADER,
            HudFile::AssessmentResults => AssessmentResultRow::HEADER,
            HudFile::Event => EventRow::HEADER,
            HudFile::CurrentLivingSituation => CurrentLivingSituationRow::HEADER,
        }
    }

    /// HUD's type of each column, in header order.
    pub(crate) fn kinds(self) -> &'static [Kind] {
        match self {
            HudFile::Export => ExportRow::KINDS,
            HudFile::Organization => OrganizationRow::KINDS,
            HudFile::Project => ProjectRow::KINDS,
            HudFile::ProjectCoC => ProjectCoCRow::KINDS,
            HudFile::CEParticipation => CEParticipationRow::KINDS,
            HudFile::Client => ClientRow::KINDS,
            HudFile::Enrollment => EnrollmentRow::KINDS,
            HudFile::Exit => ExitRow::KINDS,
            HudFile::Assessment => AssessmentRow::KINDS,
            HudFile::AssessmentQuestions => AssessmentQuestionRow::KINDS,
            HudFile::AssessmentResults => AssessmentResultRow::KINDS,
            HudFile::Event => EventRow::KINDS,
            HudFile::CurrentLivingSituation => CurrentLivingSituationRow::KINDS,
        }
    }
}

/// HUD's maximum length of a string column of a file, by their names.
pub(crate) fn max_chars(file: &str, column: &str) -> Option<usize> {
    let file = HudFile::ALL.iter().find(|f| f.file_name() == file)?;
    let at = file.header().iter().position(|c| *c == column)?;
    file.kinds().get(at)?.max_chars()
}

impl std::fmt::Display for HudFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.file_name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_counts_match_the_fy2024_spec() {
        let counts: Vec<usize> = HudFile::ALL.iter().map(|f| f.header().len()).collect();
        assert_eq!(counts, [19, 9, 19, 15, 15, 46, 71, 44, 13, 13, 11, 15, 18]);
        for file in HudFile::ALL {
            assert_eq!(file.kinds().len(), file.header().len(), "{file}");
        }
    }

    #[test]
    fn only_strings_that_start_a_formula_get_a_quote_and_lose_it_on_reading() {
        let name = Kind::Text(50);
        for formula in ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1"] {
            let written = name.write(Some(formula));
            assert_eq!(written, format!("'{formula}"));
            assert_eq!(name.read(&written), formula);
        }
        assert_eq!(name.write(Some("Dana")), "Dana");
        assert_eq!(name.write(None), "");
        // A quote the writer did not add stays.
        assert_eq!(name.read("'tis"), "'tis");
        // Within HUD's length, the quote included.
        let long = format!("={}", "x".repeat(60));
        assert_eq!(name.write(Some(&long)).chars().count(), 50);
        // Numbers, codes and dates are never changed.
        assert_eq!(Kind::Int.write(Some("-1")), "-1");
        assert_eq!(Kind::Date.write(Some("2025-01-01")), "2025-01-01");
        assert_eq!(Kind::Int.read("'-1"), "'-1");
    }
}
