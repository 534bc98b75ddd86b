//! The HUD HMIS CSV FY2024 files this module reads and writes, one row type
//! per file. Each row type's fields are the file's columns, named exactly as
//! HUD names them and in HUD's order, so serde writes HUD's header and reads
//! columns by name. Every field is text (`None` is an empty field): typing
//! happens in the export and import mappings.

use serde::{Deserialize, Serialize};

/// A row of a HUD file, as read.
pub(crate) trait Row: serde::de::DeserializeOwned {
    /// HUD's file name.
    const FILE: &'static str;
    /// HUD's header.
    const HEADER: &'static [&'static str];
    /// Whether the row carries a DateDeleted (a soft-deleted record).
    fn deleted(&self) -> bool {
        false
    }
    /// The row's DateDeleted, if set.
    fn date_deleted(&self) -> Option<String> {
        None
    }
}

/// Defines one file's row type, its file name and its header.
macro_rules! hud_file {
    (
        $(#[$meta:meta])*
        $name:ident, $file:literal, trailer: $trailer:tt, [$($col:ident),+ $(,)?]
    ) => {
        hud_file!(@emit $(#[$meta])* $name, $file, $trailer, [$($col),+]);
    };
    (@emit $(#[$meta:meta])* $name:ident, $file:literal, yes, [$($col:ident),+]) => {
        hud_file!(@struct $(#[$meta])* $name, $file,
            [$($col,)+ DateCreated, DateUpdated, UserID, DateDeleted, ExportID,]);
        impl Row for $name {
            const FILE: &'static str = $file;
            const HEADER: &'static [&'static str] = $name::HEADER;
            fn deleted(&self) -> bool {
                self.DateDeleted.as_deref().is_some_and(|d| !d.trim().is_empty())
            }
            fn date_deleted(&self) -> Option<String> {
                self.DateDeleted.as_deref().map(str::trim).filter(|d| !d.is_empty()).map(str::to_owned)
            }
        }
    };
    (@emit $(#[$meta:meta])* $name:ident, $file:literal, no, [$($col:ident),+]) => {
        hud_file!(@struct $(#[$meta])* $name, $file, [$($col,)+]);
        impl Row for $name {
            const FILE: &'static str = $file;
            const HEADER: &'static [&'static str] = $name::HEADER;
        }
    };
    (@struct $(#[$meta:meta])* $name:ident, $file:literal, [$($col:ident,)+]) => {
        $(#[$meta])*
        #[allow(non_snake_case)]
        #[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
        #[serde(default)]
        pub(crate) struct $name {
            $(pub(crate) $col: Option<String>,)+
        }

        impl $name {
            /// HUD's file name.
            pub(crate) const FILE: &'static str = $file;
            /// HUD's header, in HUD's order.
            pub(crate) const HEADER: &'static [&'static str] = &[$(stringify!($col)),+];
        }
    };
}

hud_file!(
    /// Export.csv: one row describing the export.
    ExportRow, "Export.csv", trailer: no, [
    ExportID, SourceType, SourceID, SourceName, SourceContactFirst, SourceContactLast,
    SourceContactPhone, SourceContactExtension, SourceContactEmail, ExportDate,
    ExportStartDate, ExportEndDate, SoftwareName, SoftwareVersion, CSVVersion,
    ExportPeriodType, ExportDirective, HashStatus, ImplementationID,
]);

hud_file!(
    /// Organization.csv.
    OrganizationRow, "Organization.csv", trailer: yes, [
    OrganizationID, OrganizationName, VictimServiceProvider, OrganizationCommonName,
]);

hud_file!(
    /// Project.csv.
    ProjectRow, "Project.csv", trailer: yes, [
    ProjectID, OrganizationID, ProjectName, ProjectCommonName, OperatingStartDate,
    OperatingEndDate, ContinuumProject, ProjectType, HousingType, RRHSubType,
    ResidentialAffiliation, TargetPopulation, HOPWAMedAssistedLivingFac, PITCount,
]);

hud_file!(
    /// ProjectCoC.csv: the CoC (and geography) a project serves.
    ProjectCoCRow, "ProjectCoC.csv", trailer: yes, [
    ProjectCoCID, ProjectID, CoCCode, Geocode, Address1, Address2, City, State, ZIP,
    GeographyType,
]);

hud_file!(
    /// CEParticipation.csv (new in FY2024): a project's part in CE, per period.
    CEParticipationRow, "CEParticipation.csv", trailer: yes, [
    CEParticipationID, ProjectID, AccessPoint, PreventionAssessment, CrisisAssessment,
    HousingAssessment, DirectServices, ReceivesReferrals, CEParticipationStatusStartDate,
    CEParticipationStatusEndDate,
]);

hud_file!(
    /// Client.csv.
    ClientRow, "Client.csv", trailer: yes, [
    PersonalID, FirstName, MiddleName, LastName, NameSuffix, NameDataQuality, SSN,
    SSNDataQuality, DOB, DOBDataQuality, AmIndAKNative, Asian, BlackAfAmerican,
    HispanicLatinaeo, MidEastNAfrican, NativeHIPacific, White, RaceNone,
    AdditionalRaceEthnicity, Woman, Man, NonBinary, CulturallySpecific, Transgender,
    Questioning, DifferentIdentity, GenderNone, DifferentIdentityText, VeteranStatus,
    YearEnteredService, YearSeparated, WorldWarII, KoreanWar, VietnamWar, DesertStorm,
    AfghanistanOEF, IraqOIF, IraqOND, OtherTheater, MilitaryBranch, DischargeStatus,
]);

hud_file!(
    /// Enrollment.csv (71 columns; 3.917.2A and 2B share `LOSUnderThreshold`).
    EnrollmentRow, "Enrollment.csv", trailer: yes, [
    EnrollmentID, PersonalID, ProjectID, EntryDate, HouseholdID, RelationshipToHoH,
    EnrollmentCoC, LivingSituation, RentalSubsidyType, LengthOfStay, LOSUnderThreshold,
    PreviousStreetESSH, DateToStreetESSH, TimesHomelessPastThreeYears,
    MonthsHomelessPastThreeYears, DisablingCondition, DateOfEngagement, MoveInDate,
    DateOfPATHStatus, ClientEnrolledInPATH, ReasonNotEnrolled, PercentAMI, ReferralSource,
    CountOutreachReferralApproaches, DateOfBCPStatus, EligibleForRHY, ReasonNoServices,
    RunawayYouth, SexualOrientation, SexualOrientationOther, FormerWardChildWelfare,
    ChildWelfareYears, ChildWelfareMonths, FormerWardJuvenileJustice, JuvenileJusticeYears,
    JuvenileJusticeMonths, UnemploymentFam, MentalHealthDisorderFam, PhysicalDisabilityFam,
    AlcoholDrugUseDisorderFam, InsufficientIncome, IncarceratedParent, VAMCStation,
    TargetScreenReqd, TimeToHousingLoss, AnnualPercentAMI, LiteralHomelessHistory,
    ClientLeaseholder, HOHLeaseholder, SubsidyAtRisk, EvictionHistory, CriminalRecord,
    IncarceratedAdult, PrisonDischarge, SexOffender, DisabledHoH, CurrentPregnant,
    SingleParent, DependentUnder6, HH5Plus, CoCPrioritized, HPScreeningScore,
    ThresholdScore, TranslationNeeded, PreferredLanguage, PreferredLanguageDifferent,
]);

hud_file!(
    /// Exit.csv (44 columns; W5.A and W5.B share `SubsidyInformation`).
    ExitRow, "Exit.csv", trailer: yes, [
    ExitID, EnrollmentID, PersonalID, ExitDate, Destination, DestinationSubsidyType,
    OtherDestination, HousingAssessment, SubsidyInformation, ProjectCompletionStatus,
    EarlyExitReason, ExchangeForSex, ExchangeForSexPastThreeMonths, CountOfExchangeForSex,
    AskedOrForcedToExchangeForSex, AskedOrForcedToExchangeForSexPastThreeMonths,
    WorkplaceViolenceThreats, WorkplacePromiseDifference, CoercedToContinueWork,
    LaborExploitPastThreeMonths, CounselingReceived, IndividualCounseling, FamilyCounseling,
    GroupCounseling, SessionCountAtExit, PostExitCounselingPlan, SessionsInPlan,
    DestinationSafeClient, DestinationSafeWorker, PosAdultConnections, PosPeerConnections,
    PosCommunityConnections, AftercareDate, AftercareProvided, EmailSocialMedia, Telephone,
    InPersonIndividual, InPersonGroup, CMExitReason,
]);

hud_file!(
    /// Assessment.csv (4.19).
    AssessmentRow, "Assessment.csv", trailer: yes, [
    AssessmentID, EnrollmentID, PersonalID, AssessmentDate, AssessmentLocation,
    AssessmentType, AssessmentLevel, PrioritizationStatus,
]);

hud_file!(
    /// AssessmentQuestions.csv.
    AssessmentQuestionRow, "AssessmentQuestions.csv", trailer: yes, [
    AssessmentQuestionID, AssessmentID, EnrollmentID, PersonalID, AssessmentQuestionGroup,
    AssessmentQuestionOrder, AssessmentQuestion, AssessmentAnswer,
]);

hud_file!(
    /// AssessmentResults.csv.
    AssessmentResultRow, "AssessmentResults.csv", trailer: yes, [
    AssessmentResultID, AssessmentID, EnrollmentID, PersonalID, AssessmentResultType,
    AssessmentResult,
]);

hud_file!(
    /// Event.csv (4.20).
    EventRow, "Event.csv", trailer: yes, [
    EventID, EnrollmentID, PersonalID, EventDate, Event, ProbSolDivRRResult,
    ReferralCaseManageAfter, LocationCrisisOrPHHousing, ReferralResult, ResultDate,
]);

hud_file!(
    /// CurrentLivingSituation.csv (4.12).
    CurrentLivingSituationRow, "CurrentLivingSituation.csv", trailer: yes, [
    CurrentLivingSitID, EnrollmentID, PersonalID, InformationDate, CurrentLivingSituation,
    CLSSubsidyType, VerifiedBy, LeaveSituation14Days, SubsequentResidence, ResourcesToObtain,
    LeaseOwn60Day, MovedTwoOrMore, LocationDetails,
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
    }
}
