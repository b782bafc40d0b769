//! xAPI statements (IEEE 9274.1.1 xAPI 2.0.0, and 1.0.3): the rules a Learning Record Store
//! checks before it keeps a statement (issue 20), and what the store indexes of one. Pure:
//! JSON in, a verdict out.

mod activity;
pub mod evidence;
mod format;
mod signature;
mod syntax;
#[cfg(test)]
mod tests;
mod validate;

use crate::ValidationError;
use serde_json::Value;

pub use activity::merge_definition;
pub use signature::check_signature;
pub use syntax::{is_duration, is_iri, is_language_tag, is_uuid, parse_duration, parse_timestamp};
pub use validate::code;

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

/// Checks one statement against the MUST rules of the version's data model (properties,
/// their types and formats, Agents and Groups, activity definitions, results, contexts,
/// attachments, timestamps, versions). The error's code names the family of rule (see
/// [`code`]) and its field is the JSON path of the property at fault, such as `actor.mbox` or
/// `context.contextActivities.parent[0].id`.
pub fn validate_statement(statement: &Value, version: XapiVersion) -> Result<(), ValidationError> {
    validate::Validator { version }.statement(statement)
}

/// The statement made ready to keep, in the forms the LRS returns: each context activity
/// given as a single object becomes an array of one (the statement's and a SubStatement's),
/// and `timestamp` is written in UTC (xAPI 2.0 4.2.7: the LRS converts a timestamp to UTC; 1.0.3
/// lets it), keeping the fraction digits it was given. Call it on a statement that passed
/// [`validate_statement`].
pub fn normalize_statement(statement: &mut Value) {
    format::normalize(statement);
}

/// An agent's (or identified group's) one identifier as a string the store matches on:
/// `mbox:mailto:…` (the domain of the address in lower case, since it is case-insensitive),
/// `mbox_sha1sum:…` (lower-case hex), `openid:…` or `account:homePage|name`; `None` without one.
pub fn agent_ifi(agent: &Value) -> Option<String> {
    let agent = agent.as_object()?;
    if let Some(mbox) = agent.get("mbox").and_then(Value::as_str) {
        let mbox = match mbox.rsplit_once('@') {
            Some((local, domain)) => format!("{local}@{}", domain.to_ascii_lowercase()),
            None => mbox.to_owned(),
        };
        return Some(format!("mbox:{mbox}"));
    }
    if let Some(sum) = agent.get("mbox_sha1sum").and_then(Value::as_str) {
        return Some(format!("mbox_sha1sum:{}", sum.to_ascii_lowercase()));
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

/// Checks an `agent` query parameter: an Agent (or an identified Group) that follows the
/// Agent rules and has exactly one identifier.
pub fn validate_agent_param(agent: &Value) -> Result<(), ValidationError> {
    validate::Validator {
        version: XapiVersion::V2_0_0,
    }
    .agent_param(agent)
}

/// What a store indexes of a statement for the filters of `GET statements`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct StatementIndex {
    /// The actor's identifier: an Agent's, or an identified Group's own (`None` for an
    /// anonymous group).
    pub actor: Option<String>,
    pub verb: String,
    /// The object's activity id when the object is an activity.
    pub activity: Option<String>,
    pub registration: Option<String>,
    /// The statement id a voiding statement voids.
    pub voids: Option<String>,
    /// Every agent identifier anywhere in the statement (`related_agents=true`): actor, object,
    /// authority, instructor, team, 2.0's contextAgents and contextGroups, the members of each
    /// group, and the same places inside a SubStatement.
    pub related_agents: Vec<String>,
    /// Every activity id anywhere in the statement (`related_activities=true`): the object,
    /// every kind of context activity, and the same inside a SubStatement.
    pub related_activities: Vec<String>,
    /// The identifiers of a group actor's members (the `agent` filter matches a group
    /// actor by its own identifier or by one of its members').
    pub actor_members: Vec<String>,
    /// The object's identifier when the object is an Agent or an identified Group (the `agent`
    /// filter matches the actor or the object).
    pub object_agent: Option<String>,
    /// The identifiers of a group object's members.
    pub object_members: Vec<String>,
    /// The statement id a StatementRef object points at (voiding or not).
    pub statement_ref: Option<String>,
}

/// The index of a statement already checked by [`validate_statement`].
pub fn statement_index(statement: &Value) -> StatementIndex {
    format::index(statement)
}

/// Whether an attachment's raw data has the SHA-2 digest its statement names (SHA-256, -384
/// or -512, told apart by the digest's length).
pub fn attachment_matches(sha2: &str, content: &[u8]) -> bool {
    use sha2::{Digest, Sha256, Sha384, Sha512};
    let actual = match sha2.len() {
        64 => hex::encode(Sha256::digest(content)),
        96 => hex::encode(Sha384::digest(content)),
        128 => hex::encode(Sha512::digest(content)),
        _ => return false,
    };
    actual.eq_ignore_ascii_case(sha2)
}

/// The verb that voids a statement.
pub const VOIDED: &str = "http://adlnet.gov/expapi/verbs/voided";

/// The usage type of a statement signature attachment (a JWS, `application/octet-stream`).
pub const SIGNATURE_USAGE: &str = "http://adlnet.gov/expapi/attachments/signature";

/// Whether two statements say the same thing, by the spec's "Statement comparison
/// requirements": differences the LRS may itself cause are ignored (`id`, `authority`,
/// `stored`, `timestamp` and `version` when one side lacks them or, for `timestamp`, when both
/// name the same instant; a verb's `display` and an activity's `definition`; the order of a
/// group's members; a single context activity against an array of one; attachments; the case
/// of an e-mail domain), and `result.duration` is compared as a string with its seconds cut
/// to hundredths. Everything else, including the case of other strings, must match.
pub fn same_statement(a: &Value, b: &Value) -> bool {
    format::same(a, b)
}

/// `format=ids`: Agents and identified Groups reduced to their identifier (and objectType),
/// anonymous Groups to their objectType and members' identifiers, activities to their id,
/// verbs to their id.
pub fn format_ids(statement: &mut Value) {
    format::ids(statement);
}

/// `format=canonical`: each language map of a verb and of an activity definition (name,
/// description, interaction components) reduced to the one language the reader prefers
/// (`Accept-Language`, most preferred first; a tag also matches its more specific tags, `en`
/// matching `en-US`; `*` or no match takes the first the map has).
pub fn format_canonical(statement: &mut Value, languages: &[String]) {
    format::canonical(statement, languages);
}
