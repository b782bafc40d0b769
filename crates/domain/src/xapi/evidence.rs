//! From statements to delivery evidence (issue 20 item 3; B11, B19 ⑦, D03, D04): a provider's
//! LMS is told an activity IRI for each Koshu session and each of its curriculum items; a
//! statement about one of them, by a learner Koshu can name, is progress on that item, as the
//! item page's own reports are.

use super::{agent_ifi, parse_timestamp};
use crate::delivery::ActivityKind;
use serde_json::Value;
use time::OffsetDateTime;

/// The activity IRI of a session (the course, as cmi5 groups its content).
pub fn session_activity(public_url: &str, session_id: &str) -> String {
    format!("{public_url}/xapi/activities/sessions/{session_id}")
}

/// The activity IRI of a session's curriculum item.
pub fn item_activity(public_url: &str, session_id: &str, item_no: u32) -> String {
    format!(
        "{}/items/{item_no}",
        session_activity(public_url, session_id)
    )
}

/// A Koshu activity a statement is about: its session and, for an item, the item's number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KoshuActivity {
    pub session_id: String,
    pub item_no: Option<u32>,
}

/// The Koshu activity an IRI names, if it is one of this site's.
pub fn koshu_activity(public_url: &str, iri: &str) -> Option<KoshuActivity> {
    let rest = iri
        .strip_prefix(public_url)?
        .strip_prefix("/xapi/activities/sessions/")?;
    let (session_id, item) = match rest.split_once("/items/") {
        Some((session, item)) => (session, Some(item.parse().ok()?)),
        None => (rest, None),
    };
    let plain = !session_id.is_empty()
        && session_id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    plain.then(|| KoshuActivity {
        session_id: session_id.to_owned(),
        item_no: item,
    })
}

/// Who a statement's actor is, as Koshu may find them: by e-mail address (`mbox`), or by the
/// Koshu account an LMS signs its learners in with (`account` on this site's home page).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Learner {
    Email(String),
    Account(String),
}

/// What a statement says of progress: launched, initialized, attempted or resumed start an
/// item; completed or passed finish it; anything else (progressed, failed, terminated,
/// abandoned, answered…) is use of it, which is what stall detection watches.
pub fn activity_kind_of(verb: &str) -> ActivityKind {
    let name = verb.rsplit('/').next().unwrap_or_default();
    match name {
        "launched" | "initialized" | "attempted" | "resumed" => ActivityKind::Start,
        "completed" | "passed" => ActivityKind::Finish,
        _ => ActivityKind::Active,
    }
}

/// The evidence a kept statement gives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evidence {
    pub activity: KoshuActivity,
    pub learner: Option<Learner>,
    /// The actor's identifier as sent, for the list of actors staff could not match.
    pub actor: String,
    pub kind: ActivityKind,
    /// When it happened: the statement's timestamp, never later than it was stored.
    pub at: OffsetDateTime,
    /// The use it reports (`result.duration`, as cmi5's terminated and completed carry),
    /// ending at `at`.
    pub duration: Option<time::Duration>,
}

/// The Koshu activity of a statement: its object, else a context activity (cmi5 puts the
/// course in `grouping`, an LMS often the module in `parent`).
fn activity_of(statement: &Value, public_url: &str) -> Option<KoshuActivity> {
    let object = statement
        .get("object")
        .filter(|o| {
            o.get("objectType")
                .and_then(Value::as_str)
                .is_none_or(|t| t == "Activity")
        })
        .and_then(|o| o.get("id"))
        .and_then(Value::as_str);
    let context = ["parent", "grouping", "other", "category"]
        .into_iter()
        .filter_map(|kind| statement.pointer(&format!("/context/contextActivities/{kind}")))
        .filter_map(Value::as_array)
        .flatten()
        .filter_map(|a| a.get("id").and_then(Value::as_str));
    object
        .into_iter()
        .chain(context)
        .filter_map(|iri| koshu_activity(public_url, iri))
        .max_by_key(|a| a.item_no.is_some())
}

/// The evidence of a statement (as kept, `stored` set), if it is about a Koshu activity.
/// Voiding statements give none.
pub fn evidence_of(
    statement: &Value,
    public_url: &str,
    stored: OffsetDateTime,
) -> Option<Evidence> {
    let verb = statement.pointer("/verb/id").and_then(Value::as_str)?;
    if verb == super::VOIDED {
        return None;
    }
    let activity = activity_of(statement, public_url)?;
    let actor = statement.get("actor")?;
    let learner = match (
        actor.get("mbox").and_then(Value::as_str),
        actor.get("account"),
    ) {
        (Some(mbox), _) => mbox
            .strip_prefix("mailto:")
            .map(|e| Learner::Email(e.to_owned())),
        (None, Some(account))
            if account.get("homePage").and_then(Value::as_str) == Some(public_url) =>
        {
            account
                .get("name")
                .and_then(Value::as_str)
                .map(|id| Learner::Account(id.to_owned()))
        }
        _ => None,
    };
    let at = statement
        .get("timestamp")
        .and_then(Value::as_str)
        .and_then(parse_timestamp)
        .map_or(stored, |t| t.min(stored));
    let duration = statement
        .pointer("/result/duration")
        .and_then(Value::as_str)
        .and_then(super::parse_duration)
        .and_then(|ms| i64::try_from(ms).ok())
        .map(time::Duration::milliseconds);
    Some(Evidence {
        activity,
        learner,
        actor: agent_ifi(actor).unwrap_or_default(),
        kind: activity_kind_of(verb),
        at,
        duration,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use time::macros::datetime;

    const SITE: &str = "https://koshu.example.jp";

    #[test]
    fn the_iris_name_the_session_and_item_they_were_made_for() {
        let item = item_activity(SITE, "s-1", 3);
        assert_eq!(
            koshu_activity(SITE, &item),
            Some(KoshuActivity {
                session_id: "s-1".into(),
                item_no: Some(3)
            })
        );
        assert_eq!(
            koshu_activity(SITE, &session_activity(SITE, "s-1")),
            Some(KoshuActivity {
                session_id: "s-1".into(),
                item_no: None
            })
        );
    }

    #[test]
    fn another_site_or_a_malformed_iri_names_no_activity() {
        assert_eq!(
            koshu_activity(SITE, "https://lms.example.jp/xapi/activities/sessions/s-1"),
            None
        );
        assert_eq!(
            koshu_activity(
                SITE,
                &format!("{SITE}/xapi/activities/sessions/s-1/items/x")
            ),
            None
        );
        assert_eq!(
            koshu_activity(SITE, &format!("{SITE}/xapi/activities/sessions/a/../b")),
            None
        );
    }

    #[test]
    fn cmi5_verbs_start_finish_or_use_an_item() {
        assert_eq!(
            activity_kind_of("http://adlnet.gov/expapi/verbs/launched"),
            ActivityKind::Start
        );
        assert_eq!(
            activity_kind_of("http://adlnet.gov/expapi/verbs/initialized"),
            ActivityKind::Start
        );
        assert_eq!(
            activity_kind_of("http://adlnet.gov/expapi/verbs/passed"),
            ActivityKind::Finish
        );
        assert_eq!(
            activity_kind_of("http://adlnet.gov/expapi/verbs/completed"),
            ActivityKind::Finish
        );
        assert_eq!(
            activity_kind_of("http://adlnet.gov/expapi/verbs/failed"),
            ActivityKind::Active
        );
        assert_eq!(
            activity_kind_of("https://w3id.org/xapi/adl/verbs/abandoned"),
            ActivityKind::Active
        );
    }

    #[test]
    fn a_statement_about_an_item_by_mbox_is_evidence_at_its_timestamp() {
        let stored = datetime!(2026-12-04 10:00 UTC);
        let statement = json!({
            "actor": {"mbox": "mailto:learner@example.jp"},
            "verb": {"id": "http://adlnet.gov/expapi/verbs/completed"},
            "object": {"id": "https://lms.example.jp/au/1"},
            "context": {"contextActivities": {"parent": [{"id": item_activity(SITE, "s-1", 2)}]}},
            "result": {"duration": "PT25M"},
            "timestamp": "2026-12-04T09:30:00Z"
        });
        let evidence = evidence_of(&statement, SITE, stored).unwrap();
        assert_eq!(evidence.duration, Some(time::Duration::minutes(25)));
        assert_eq!(evidence.activity.item_no, Some(2));
        assert_eq!(
            evidence.learner,
            Some(Learner::Email("learner@example.jp".into()))
        );
        assert_eq!(evidence.kind, ActivityKind::Finish);
        assert_eq!(evidence.at, datetime!(2026-12-04 09:30 UTC));
    }

    #[test]
    fn a_timestamp_in_the_future_counts_as_when_it_was_stored() {
        let stored = datetime!(2026-12-04 10:00 UTC);
        let statement = json!({
            "actor": {"account": {"homePage": SITE, "name": "acct-1"}},
            "verb": {"id": "http://adlnet.gov/expapi/verbs/progressed"},
            "object": {"id": item_activity(SITE, "s-1", 1)},
            "timestamp": "2027-01-01T00:00:00Z"
        });
        let evidence = evidence_of(&statement, SITE, stored).unwrap();
        assert_eq!(evidence.at, stored);
        assert_eq!(evidence.learner, Some(Learner::Account("acct-1".into())));
    }

    #[test]
    fn a_statement_about_something_else_or_a_voiding_gives_no_evidence() {
        let stored = datetime!(2026-12-04 10:00 UTC);
        let elsewhere = json!({
            "actor": {"mbox": "mailto:learner@example.jp"},
            "verb": {"id": "http://adlnet.gov/expapi/verbs/completed"},
            "object": {"id": "https://lms.example.jp/au/1"}
        });
        assert_eq!(evidence_of(&elsewhere, SITE, stored), None);
        let voiding = json!({
            "actor": {"mbox": "mailto:learner@example.jp"},
            "verb": {"id": super::super::VOIDED},
            "object": {"objectType": "StatementRef", "id": "x"}
        });
        assert_eq!(evidence_of(&voiding, SITE, stored), None);
    }
}
