//! The catalog of personal data: every text and date field an event
//! records, by event type and path in the event's `data`, with how
//! personal it is. One place says which fields name or describe a person,
//! so that what protects them (encryption per client, erasure, the view
//! log) and what must stay readable (what the policy ranks by) can be told
//! apart field by field. A test walks every event type's stored shape and
//! fails on a text or date field the catalog does not classify.

use serde_json::Value;

use crate::event::EventType;

mod seal;

pub use seal::{
    is_sealed, KeyError, KeyStore, Keyring, MasterKey, MemoryKeys, SealError, Subject, CACHED_KEYS,
    ERASED,
};

/// How personal a field is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Sensitivity {
    /// Identifies a person on its own or with little else: a name, a date
    /// of birth, a person's record id in another HMIS.
    Identifying,
    /// Free text or a place staff wrote about a person: it may name them,
    /// where they sleep, their health or what they told a caseworker.
    Sensitive,
    /// Not about a person: ce's random ids, codes, service dates the
    /// policy ranks and reports by, agency and program names, the policy.
    NotPersonal,
}

impl Sensitivity {
    /// Whether the field is personal data (identifying or sensitive).
    pub fn is_personal(self) -> bool {
        self != Sensitivity::NotPersonal
    }
}

/// One field of the catalog.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field {
    /// The event type that records it.
    pub event: EventType,
    /// Its path in the event's `data`: keys joined by `.`, `[]` for every
    /// element of a list; a path ending in `.*` covers everything below.
    pub path: &'static str,
    /// How personal it is.
    pub sensitivity: Sensitivity,
    /// What it is, in a few words.
    pub what: &'static str,
}

const fn field(
    event: EventType,
    path: &'static str,
    sensitivity: Sensitivity,
    what: &'static str,
) -> Field {
    Field {
        event,
        path,
        sensitivity,
        what,
    }
}

use EventType as E;
use Sensitivity::{Identifying as ID, NotPersonal as NO, Sensitive as SE};

/// Every text and date field of every event type.
#[rustfmt::skip]
pub const CATALOG: &[Field] = &[
    // Part 1: the household.
    field(E::HouseholdEnrolled, "household", NO, "ce's household id"),
    field(E::HouseholdEnrolled, "coalition", NO, "local coalition"),
    field(E::HouseholdEnrolled, "members[].client", NO, "ce's random client id"),
    field(E::HouseholdEnrolled, "members[].first_name", ID, "3.01 first name"),
    field(E::HouseholdEnrolled, "members[].last_name", ID, "3.01 last name"),
    field(E::HouseholdEnrolled, "members[].birth_date", ID, "3.03 date of birth"),
    field(E::HouseholdEnrolled, "members[].age_band", NO, "HUD age band at project start, a rank input"),
    field(E::HouseholdEnrolled, "members[].sealed", ID, "names and date of birth, sealed"),
    field(E::HouseholdEnrolled, "prior.episode_start", NO, "3.917 DateToStreetESSH, a chronic-status input"),
    field(E::HouseholdEnrolled, "current.verified_by", NO, "4.12 verifying agency"),
    field(E::HouseholdEnrolled, "current.location_details", SE, "4.12 where the household stays"),
    field(E::HouseholdEnrolled, "agency", NO, "the enrolling agency"),
    field(E::HouseholdEnrolled, "referred_by.agency", NO, "the referring agency"),
    field(E::HouseholdEnrolled, "referred_by.reference", SE, "the referring agency's reference number"),
    field(E::HouseholdEnrolled, "referred_by.contact", NO, "how to reach the referring agency's staff"),
    field(E::AssessmentRecorded, "assessment.assessment_id", NO, "ce's assessment id"),
    field(E::AssessmentRecorded, "assessment.location", SE, "4.19 where the assessment took place"),
    field(E::AssessmentRecorded, "assessment.answers[].question", NO, "a local assessment question"),
    field(E::AssessmentRecorded, "assessment.answers[].answer", SE, "what the client answered"),
    field(E::AssessmentRecorded, "assessment.results[].result_type", NO, "a local result's name"),
    field(E::AssessmentRecorded, "assessment.results[].result", SE, "a local result's value"),
    field(E::ContactMade, "current.verified_by", NO, "4.12 verifying agency"),
    field(E::ContactMade, "current.location_details", SE, "4.12 where the household stays"),
    field(E::ContactMade, "note", SE, "CE note of the contact"),
    field(E::ContactAttempted, "method", NO, "how staff tried"),
    field(E::ContactAttempted, "note", SE, "CE note of the attempt"),
    field(E::CeEventRecorded, "location", SE, "4.20 location of crisis or housing, e.g. a shelter"),
    field(E::CeEventRecorded, "result_date", NO, "4.20 result date"),
    field(E::MemberAdded, "member.client", NO, "ce's random client id"),
    field(E::MemberAdded, "member.first_name", ID, "3.01 first name"),
    field(E::MemberAdded, "member.last_name", ID, "3.01 last name"),
    field(E::MemberAdded, "member.birth_date", ID, "3.03 date of birth"),
    field(E::MemberAdded, "member.age_band", NO, "HUD age band at project start, a rank input"),
    field(E::MemberAdded, "member.sealed", ID, "names and date of birth, sealed"),
    field(E::MemberRemoved, "client", NO, "ce's random client id"),
    field(E::HeadOfHouseholdChanged, "head", NO, "ce's random client id"),
    field(E::HouseholdExited, "member_destinations[].client", NO, "ce's random client id"),
    field(E::HouseholdExited, "reason", SE, "why the household exited, as staff wrote it"),
    field(E::HouseholdInactivated, "last_contact", NO, "the last contact's date"),
    field(E::ClientEnrollmentOpened, "household", NO, "ce's household id"),
    field(E::ClientEnrollmentClosed, "household", NO, "ce's household id"),
    // Part 2: openings and referrals.
    field(E::OpeningPosted, "opening", NO, "ce's opening id"),
    field(E::OpeningPosted, "agency", NO, "the provider"),
    field(E::OpeningPosted, "program", NO, "the program's name"),
    field(E::OpeningPosted, "program_type", NO, "program type"),
    field(E::OpeningPosted, "coalition", NO, "local coalition"),
    field(E::OpeningPosted, "household_types[]", NO, "household types served"),
    field(
        E::OpeningWithdrawn,
        "reason",
        NO,
        "why the opening was withdrawn (about the unit)",
    ),
    field(E::ReferralOffered, "referral", NO, "ce's referral id"),
    field(E::ReferralOffered, "opening", NO, "ce's opening id"),
    field(E::ReferralOffered, "household", NO, "ce's household id"),
    field(E::ReferralOffered, "program_type", NO, "program type"),
    field(E::ReferralOffered, "location", NO, "4.20 the program referred to"),
    field(E::ReferralOffered, "list.*", NO, "the priority list"),
    field(E::ReferralOffered, "policy_id", NO, "the policy ranked by"),
    field(E::ReferralOffered, "inputs.placed_on", NO, "date placed on the list, a rank input"),
    field(E::ReferralOffered, "inputs.household", NO, "ce's household id"),
    field(E::ReferralOffered, "bypass.reason", SE, "why higher-ranked households were passed over"),
    field(E::ReferralOffered, "bypass.passed_over[]", NO, "ce's household ids"),
    field(E::ReferralAcknowledged, "referral", NO, "ce's referral id"),
    field(E::ReferralAcknowledged, "opening", NO, "ce's opening id"),
    field(E::ReferralAcknowledged, "household", NO, "ce's household id"),
    field(E::ReferralAccepted, "referral", NO, "ce's referral id"),
    field(E::ReferralAccepted, "opening", NO, "ce's opening id"),
    field(E::ReferralAccepted, "household", NO, "ce's household id"),
    field(E::ReferralDeclined, "referral", NO, "ce's referral id"),
    field(E::ReferralDeclined, "opening", NO, "ce's opening id"),
    field(E::ReferralDeclined, "household", NO, "ce's household id"),
    field(E::ReferralDeclined, "reason", NO, "the policy's decline reason code"),
    field(E::ReferralDeclined, "text", SE, "the decline explained, as staff wrote it"),
    field(E::ReferralDeclined, "consequence.*", NO, "what the policy does after it"),
    field(E::ReferralCancelled, "referral", NO, "ce's referral id"),
    field(E::ReferralCancelled, "opening", NO, "ce's opening id"),
    field(E::ReferralCancelled, "household", NO, "ce's household id"),
    field(E::ReferralCancelled, "cause", NO, "why ce cancelled it"),
    field(E::ReferralExpired, "referral", NO, "ce's referral id"),
    field(E::ReferralExpired, "opening", NO, "ce's opening id"),
    field(E::ReferralExpired, "household", NO, "ce's household id"),
    // Corrections: `corrected.data` is classified as the corrected event's.
    field(E::EventCorrected, "corrects", NO, "the corrected event's id"),
    field(E::EventCorrected, "fields[]", NO, "names of the corrected fields"),
    field(E::EventCorrected, "reason", SE, "why, as staff wrote it"),
    field(E::EventCorrected, "corrected.type", NO, "the corrected event's type"),
    // Imports from another HMIS.
    field(E::HmisRecordsLinked, "source", NO, "the source HMIS"),
    field(E::HmisRecordsLinked, "export_id", NO, "the source export's id"),
    field(E::HmisRecordsLinked, "household_id", ID, "the household's id in the source HMIS"),
    field(E::HmisRecordsLinked, "links[].file", NO, "the source CSV file"),
    field(
        E::HmisRecordsLinked,
        "links[].id",
        ID,
        "a record's id in the source HMIS (a PersonalID leads to the person there)",
    ),
    field(E::HmisRecordsLinked, "links[].event", NO, "the ce event it became"),
    field(E::HmisRecordsLinked, "links[].client", NO, "ce's random client id"),
    field(E::HmisRecordsLinked, "links[].updated", NO, "when the source last changed it"),
    field(E::HmisRecordDeleted, "deletes", NO, "the ce event it deletes"),
    field(E::HmisRecordDeleted, "file", NO, "the source CSV file"),
    field(E::HmisRecordDeleted, "id", ID, "the record's id in the source HMIS"),
    field(E::HmisRecordDeleted, "reason", NO, "the source's deletion stamp"),
    // Consent, restriction, identification.
    field(E::ConsentRecorded, "client", NO, "ce's random client id"),
    field(E::ConsentRecorded, "decision", NO, "given, refused or revoked"),
    field(E::ConsentRecorded, "scope", NO, "whom the release covers"),
    field(E::ConsentRecorded, "expires", NO, "the release's last day"),
    field(E::HouseholdIdentified, "members[].client", NO, "ce's random client id"),
    field(E::HouseholdIdentified, "members[].first_name", ID, "3.01 first name"),
    field(E::HouseholdIdentified, "members[].last_name", ID, "3.01 last name"),
    field(E::HouseholdIdentified, "members[].birth_date", ID, "3.03 date of birth"),
    field(E::HouseholdIdentified, "members[].age_band", NO, "HUD age band at project start, a rank input"),
    field(E::HouseholdIdentified, "members[].sealed", ID, "names and date of birth, sealed"),
    // Erasure.
    field(E::ClientErased, "client", NO, "ce's random client id"),
    field(E::ClientErased, "reason", NO, "why, as a code"),
    field(E::ClientErased, "households[]", NO, "ce's household ids"),
    // The policy.
    field(E::PolicyAdopted, "policy.*", NO, "the adopted policy"),
    field(E::PolicyAdopted, "replaces.*", NO, "the policy it replaced"),
];

/// Whether events of type `event` can hold personal data (a correction
/// can: it holds a corrected event).
pub fn has_personal(event: EventType) -> bool {
    event == EventType::EventCorrected
        || CATALOG
            .iter()
            .any(|f| f.event == event && f.sensitivity.is_personal())
}

/// How personal the field at `path` of a `event` event's data is, or
/// `None` when the catalog does not classify it. Paths name list
/// elements `[]`, as the catalog does.
pub fn sensitivity(event: EventType, path: &str) -> Option<Sensitivity> {
    CATALOG
        .iter()
        .filter(|f| f.event == event)
        .find(|f| match f.path.strip_suffix(".*") {
            Some(prefix) => path
                .strip_prefix(prefix)
                .is_some_and(|rest| rest.starts_with(['.', '['])),
            None => f.path == path,
        })
        .map(|f| f.sensitivity)
}

/// Every text field (a JSON string: text, a date, an id, a code word) of
/// an event's `data`, by path (see [`sensitivity`]), with its value.
pub fn text_fields(data: &Value) -> Vec<(String, &str)> {
    fn walk<'v>(value: &'v Value, path: String, out: &mut Vec<(String, &'v str)>) {
        match value {
            Value::String(text) => out.push((path, text)),
            Value::Array(items) => {
                for item in items {
                    walk(item, format!("{path}[]"), out);
                }
            }
            Value::Object(map) => {
                for (key, item) in map {
                    let sub = if path.is_empty() {
                        key.clone()
                    } else {
                        format!("{path}.{key}")
                    };
                    walk(item, sub, out);
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(data, String::new(), &mut out);
    out
}

/// Each text field of an event's `data` with how personal it is; `None`
/// for a field the catalog does not classify. A correction's
/// `corrected.data` is classified as the corrected event type's data.
pub fn classify(event: EventType, data: &Value) -> Vec<(String, Option<Sensitivity>)> {
    let corrected = (event == EventType::EventCorrected)
        .then(|| data.pointer("/corrected/type").cloned())
        .flatten()
        .and_then(|t| serde_json::from_value::<EventType>(t).ok());
    text_fields(data)
        .into_iter()
        .map(|(path, _)| {
            let class = class_at(event, corrected, &path);
            (path, class)
        })
        .collect()
}

/// How personal the field at `path` of an `event` event's data is, where a
/// correction's `corrected.data` is the `corrected` event type's data.
pub(crate) fn class_at(
    event: EventType,
    corrected: Option<EventType>,
    path: &str,
) -> Option<Sensitivity> {
    match (corrected, path.strip_prefix("corrected.data.")) {
        (Some(inner), Some(rest)) => sensitivity(inner, rest),
        _ => sensitivity(event, path),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn each_field_is_listed_once() {
        for (i, a) in CATALOG.iter().enumerate() {
            for b in &CATALOG[i + 1..] {
                assert!(
                    !(a.event == b.event && a.path == b.path),
                    "{:?} {} is listed twice",
                    a.event,
                    a.path
                );
            }
        }
    }

    #[test]
    fn names_and_birth_dates_are_identifying_and_notes_sensitive() {
        let enrolled = json!({
            "household": "h", "members": [{"client": "c", "first_name": "Dana",
            "birth_date": "1990-04-12"}], "current": {"location_details": "bridge"}
        });
        let classes = classify(EventType::HouseholdEnrolled, &enrolled);
        let class = |p: &str| classes.iter().find(|(q, _)| q == p).and_then(|(_, c)| *c);
        assert_eq!(
            class("members[].first_name"),
            Some(Sensitivity::Identifying)
        );
        assert_eq!(
            class("members[].birth_date"),
            Some(Sensitivity::Identifying)
        );
        assert_eq!(
            class("current.location_details"),
            Some(Sensitivity::Sensitive)
        );
        assert_eq!(class("household"), Some(Sensitivity::NotPersonal));
        // Below a `.*` entry, at any depth; not a sibling that shares the prefix.
        assert_eq!(
            sensitivity(EventType::PolicyAdopted, "policy.programs[].order[]"),
            Some(Sensitivity::NotPersonal)
        );
        assert_eq!(sensitivity(EventType::PolicyAdopted, "policyholder"), None);
        // A correction's data is the corrected event's.
        let corrected = json!({"corrects": "e", "reason": "typo", "corrected": {
            "type": "MemberAdded", "data": {"member": {"first_name": "Ash"}}}});
        let classes = classify(EventType::EventCorrected, &corrected);
        assert!(classes.contains(&(
            "corrected.data.member.first_name".to_owned(),
            Some(Sensitivity::Identifying)
        )));
        assert!(classes.contains(&("corrected.type".to_owned(), Some(Sensitivity::NotPersonal))));
    }
}
