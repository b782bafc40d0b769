//! What the LRS does with a valid statement: the stored form, the index for the filters, the
//! comparison of two statements, and the `ids` and `canonical` formats of `GET statements`.

use super::syntax::{format_utc, fraction_digits, parse_timestamp, truncate_duration};
use super::{StatementIndex, VOIDED, agent_ifi};
use serde_json::{Map, Value};

const CONTEXT_ACTIVITY_KINDS: [&str; 4] = ["parent", "grouping", "category", "other"];
const IFIS: [&str; 4] = ["mbox", "mbox_sha1sum", "openid", "account"];

fn object_type(value: &Value) -> Option<&str> {
    value.get("objectType").and_then(Value::as_str)
}

/// The object's kind, with the spec's default (Activity) when objectType is absent.
fn object_kind(object: &Value) -> &str {
    object_type(object).unwrap_or("Activity")
}

/// The statement and, when its object is a SubStatement, that SubStatement: the two levels
/// at which actor, verb, object and context occur.
fn levels_mut(statement: &mut Value, mut each: impl FnMut(&mut Value)) {
    each(statement);
    if let Some(object) = statement.get_mut("object")
        && object_type(object) == Some("SubStatement")
    {
        each(object);
    }
}

fn levels(statement: &Value) -> Vec<&Value> {
    let mut all = vec![statement];
    if let Some(object) = statement.get("object")
        && object_type(object) == Some("SubStatement")
    {
        all.push(object);
    }
    all
}

pub(super) fn normalize(statement: &mut Value) {
    levels_mut(statement, |level| {
        if let Some(activities) = level
            .pointer_mut("/context/contextActivities")
            .and_then(Value::as_object_mut)
        {
            for value in activities.values_mut() {
                if !value.is_array() {
                    *value = Value::Array(vec![value.take()]);
                }
            }
        }
        if let Some(stamp) = level.get_mut("timestamp")
            && let Some(text) = stamp.as_str()
            && let Some(at) = parse_timestamp(text)
        {
            *stamp = Value::String(format_utc(at, fraction_digits(text)));
        }
    });
}

fn push_unique(list: &mut Vec<String>, item: String) {
    if !list.contains(&item) {
        list.push(item);
    }
}

fn member_ifis(group: &Value) -> Vec<String> {
    let mut out = Vec::new();
    for member in group
        .get("member")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if let Some(ifi) = agent_ifi(member) {
            push_unique(&mut out, ifi);
        }
    }
    out
}

/// An agent's or group's identifier and its members' into `list`.
fn collect_agent(agent: Option<&Value>, list: &mut Vec<String>) {
    let Some(agent) = agent else { return };
    if let Some(ifi) = agent_ifi(agent) {
        push_unique(list, ifi);
    }
    for ifi in member_ifis(agent) {
        push_unique(list, ifi);
    }
}

/// The context activities of one kind, given as one object or an array.
fn context_activity_list(activities: &Value) -> Vec<&Value> {
    match activities {
        Value::Array(items) => items.iter().collect(),
        other => vec![other],
    }
}

pub(super) fn index(statement: &Value) -> StatementIndex {
    let actor_value = statement.get("actor");
    let verb = statement
        .pointer("/verb/id")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let object = statement.get("object");
    let kind = object.map(object_kind);
    let object_id = || {
        object
            .and_then(|o| o.get("id"))
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    let activity = (kind == Some("Activity")).then(object_id).flatten();
    let statement_ref = (kind == Some("StatementRef")).then(object_id).flatten();
    let voids = (verb == VOIDED).then(|| statement_ref.clone()).flatten();
    let agent_object = matches!(kind, Some("Agent" | "Group"));

    let mut related_agents = Vec::new();
    let mut related_activities = Vec::new();
    for level in levels(statement) {
        collect_agent(level.get("actor"), &mut related_agents);
        if let Some(object) = level.get("object") {
            match object_kind(object) {
                "Agent" | "Group" => collect_agent(Some(object), &mut related_agents),
                "Activity" => {
                    if let Some(id) = object.get("id").and_then(Value::as_str) {
                        push_unique(&mut related_activities, id.to_owned());
                    }
                }
                _ => {}
            }
        }
        collect_agent(level.get("authority"), &mut related_agents);
        if let Some(context) = level.get("context") {
            collect_agent(context.get("instructor"), &mut related_agents);
            collect_agent(context.get("team"), &mut related_agents);
            for entry in context
                .get("contextAgents")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                collect_agent(entry.get("agent"), &mut related_agents);
            }
            for entry in context
                .get("contextGroups")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                collect_agent(entry.get("group"), &mut related_agents);
            }
            if let Some(activities) = context.get("contextActivities").and_then(Value::as_object) {
                for kind in CONTEXT_ACTIVITY_KINDS {
                    for activity in activities
                        .get(kind)
                        .map(context_activity_list)
                        .unwrap_or_default()
                    {
                        if let Some(id) = activity.get("id").and_then(Value::as_str) {
                            push_unique(&mut related_activities, id.to_owned());
                        }
                    }
                }
            }
        }
    }
    StatementIndex {
        actor: actor_value.and_then(agent_ifi),
        actor_members: actor_value.map(member_ifis).unwrap_or_default(),
        object_agent: object.filter(|_| agent_object).and_then(agent_ifi),
        object_members: object
            .filter(|_| agent_object)
            .map(member_ifis)
            .unwrap_or_default(),
        registration: statement
            .pointer("/context/registration")
            .and_then(Value::as_str)
            .map(str::to_owned),
        verb,
        activity,
        voids,
        statement_ref,
        related_agents,
        related_activities,
    }
}

/// A copy of the statement with what the comparison ignores taken out and what it reads
/// loosely made uniform.
fn comparable(statement: &Value) -> Value {
    let mut copy = statement.clone();
    normalize(&mut copy);
    if let Some(map) = copy.as_object_mut() {
        for key in ["authority", "stored", "version", "id", "timestamp"] {
            map.remove(key);
        }
    }
    levels_mut(&mut copy, |level| {
        let Some(map) = level.as_object_mut() else {
            return;
        };
        map.remove("attachments");
        if let Some(level_timestamp) = map.get("timestamp").cloned()
            && map.contains_key("objectType")
        {
            // A SubStatement's timestamp is compared as an instant, like the statement's.
            if let Some(at) = level_timestamp.as_str().and_then(parse_timestamp) {
                map.insert("timestamp".to_owned(), Value::String(format_utc(at, 9)));
            }
        }
        if let Some(verb) = map.get_mut("verb").and_then(Value::as_object_mut) {
            verb.remove("display");
        }
        for key in ["actor", "object"] {
            if let Some(agent) = map.get_mut(key) {
                uniform_agent(agent);
            }
        }
        if let Some(object) = map.get_mut("object")
            && object_kind(object) == "Activity"
            && let Some(activity) = object.as_object_mut()
        {
            activity.remove("definition");
            activity.remove("objectType");
        }
        if let Some(duration) = map.get_mut("result").and_then(|r| r.get_mut("duration"))
            && let Some(text) = duration.as_str()
        {
            *duration = Value::String(truncate_duration(text));
        }
        if let Some(context) = map.get_mut("context").and_then(Value::as_object_mut) {
            for key in ["instructor", "team"] {
                if let Some(agent) = context.get_mut(key) {
                    uniform_agent(agent);
                }
            }
            for (list, key) in [("contextAgents", "agent"), ("contextGroups", "group")] {
                for entry in context
                    .get_mut(list)
                    .and_then(Value::as_array_mut)
                    .into_iter()
                    .flatten()
                {
                    if let Some(agent) = entry.get_mut(key) {
                        uniform_agent(agent);
                    }
                }
            }
            if let Some(activities) = context
                .get_mut("contextActivities")
                .and_then(Value::as_object_mut)
            {
                for list in activities.values_mut().filter_map(Value::as_array_mut) {
                    for activity in list.iter_mut().filter_map(Value::as_object_mut) {
                        activity.remove("definition");
                        activity.remove("objectType");
                    }
                }
            }
        }
    });
    copy
}

/// An agent or group with its e-mail domain in lower case and its members in one order.
fn uniform_agent(agent: &mut Value) {
    let Some(map) = agent.as_object_mut() else {
        return;
    };
    if map.get("objectType").and_then(Value::as_str) == Some("Agent") {
        map.remove("objectType");
    }
    if let Some(Value::String(mbox)) = map.get_mut("mbox")
        && let Some((local, domain)) = mbox.rsplit_once('@')
    {
        *mbox = format!("{local}@{}", domain.to_ascii_lowercase());
    }
    if let Some(Value::String(sum)) = map.get_mut("mbox_sha1sum") {
        *sum = sum.to_ascii_lowercase();
    }
    if let Some(members) = map.get_mut("member").and_then(Value::as_array_mut) {
        members.iter_mut().for_each(uniform_agent);
        members.sort_by_cached_key(Value::to_string);
    }
}

/// Deep equality in which numbers compare by value (`1` equals `1.0`).
fn equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => match (x.as_f64(), y.as_f64()) {
            (Some(x), Some(y)) => x == y,
            _ => x == y,
        },
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| equal(x, y))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(key, value)| y.get(key).is_some_and(|other| equal(value, other)))
        }
        _ => a == b,
    }
}

pub(super) fn same(a: &Value, b: &Value) -> bool {
    let optional_equal =
        |key: &str, eq: &dyn Fn(&Value, &Value) -> bool| match (a.get(key), b.get(key)) {
            (Some(x), Some(y)) => eq(x, y),
            _ => true,
        };
    let same_id = |x: &Value, y: &Value| match (x.as_str(), y.as_str()) {
        (Some(x), Some(y)) => x.eq_ignore_ascii_case(y),
        _ => x == y,
    };
    let same_instant = |x: &Value, y: &Value| match (
        x.as_str().and_then(parse_timestamp),
        y.as_str().and_then(parse_timestamp),
    ) {
        (Some(x), Some(y)) => x == y,
        _ => x == y,
    };
    optional_equal("id", &same_id)
        && optional_equal("timestamp", &same_instant)
        && equal(&comparable(a), &comparable(b))
}

/// An Agent or Group reduced to what identifies it.
fn agent_ids(agent: &mut Value) {
    let Some(map) = agent.as_object_mut() else {
        return;
    };
    let mut reduced = Map::new();
    if let Some(t) = map.get("objectType") {
        reduced.insert("objectType".to_owned(), t.clone());
    }
    if let Some(key) = IFIS.iter().find(|k| map.contains_key(**k))
        && let Some(ifi) = map.get(*key)
    {
        reduced.insert((*key).to_owned(), ifi.clone());
    } else if let Some(members) = map.get_mut("member") {
        if let Some(list) = members.as_array_mut() {
            list.iter_mut().for_each(agent_ids);
        }
        reduced.insert("member".to_owned(), members.take());
    }
    *map = reduced;
}

fn activity_ids(activity: &mut Value) {
    if let Some(map) = activity.as_object_mut()
        && let Some(id) = map.get("id").cloned()
    {
        map.clear();
        map.insert("id".to_owned(), id);
    }
}

/// Each activity of a context's contextActivities, given singly or as an array.
fn each_context_activity(level: &mut Value, mut each: impl FnMut(&mut Value)) {
    if let Some(activities) = level
        .pointer_mut("/context/contextActivities")
        .and_then(Value::as_object_mut)
    {
        for value in activities.values_mut() {
            match value {
                Value::Array(items) => items.iter_mut().for_each(&mut each),
                other => each(other),
            }
        }
    }
}

pub(super) fn ids(statement: &mut Value) {
    levels_mut(statement, |level| {
        for key in ["actor", "authority"] {
            if let Some(agent) = level.get_mut(key) {
                agent_ids(agent);
            }
        }
        if let Some(verb) = level.get_mut("verb") {
            activity_ids(verb);
        }
        if let Some(object) = level.get_mut("object") {
            match object_kind(object) {
                "Activity" => activity_ids(object),
                "Agent" | "Group" => agent_ids(object),
                _ => {}
            }
        }
        if let Some(context) = level.get_mut("context") {
            for key in ["instructor", "team"] {
                if let Some(agent) = context.get_mut(key) {
                    agent_ids(agent);
                }
            }
            for (list, key) in [("contextAgents", "agent"), ("contextGroups", "group")] {
                for entry in context
                    .get_mut(list)
                    .and_then(Value::as_array_mut)
                    .into_iter()
                    .flatten()
                {
                    if let Some(agent) = entry.get_mut(key) {
                        agent_ids(agent);
                    }
                }
            }
        }
        each_context_activity(level, activity_ids);
    });
}

/// The key of the language map entry the reader prefers.
fn preferred_language(map: &Map<String, Value>, languages: &[String]) -> Option<String> {
    for wanted in languages {
        let wanted = wanted.split(';').next().unwrap_or_default().trim();
        if wanted.is_empty() {
            continue;
        }
        if wanted == "*" {
            return map.keys().next().cloned();
        }
        let prefix_of = |longer: &str, shorter: &str| {
            longer.len() > shorter.len()
                && longer.as_bytes()[shorter.len()] == b'-'
                && longer[..shorter.len()].eq_ignore_ascii_case(shorter)
        };
        let found = map
            .keys()
            .find(|k| k.eq_ignore_ascii_case(wanted))
            .or_else(|| map.keys().find(|k| prefix_of(k, wanted)))
            .or_else(|| map.keys().find(|k| prefix_of(wanted, k)))
            .or_else(|| {
                // The same language in another region or script (`en-GB` takes `en-US`).
                let primary = wanted.split('-').next().unwrap_or_default();
                map.keys().find(|k| {
                    k.split('-')
                        .next()
                        .is_some_and(|p| p.eq_ignore_ascii_case(primary))
                })
            });
        if let Some(key) = found {
            return Some(key.clone());
        }
    }
    map.keys().next().cloned()
}

fn one_language(value: &mut Value, languages: &[String]) {
    let Some(map) = value.as_object_mut() else {
        return;
    };
    if let Some(key) = preferred_language(map, languages) {
        map.retain(|k, _| *k == key);
    }
}

fn canonical_activity(activity: &mut Value, languages: &[String]) {
    let Some(definition) = activity.get_mut("definition") else {
        return;
    };
    for key in ["name", "description"] {
        if let Some(map) = definition.get_mut(key) {
            one_language(map, languages);
        }
    }
    for list in ["choices", "scale", "source", "target", "steps"] {
        for component in definition
            .get_mut(list)
            .and_then(Value::as_array_mut)
            .into_iter()
            .flatten()
        {
            if let Some(description) = component.get_mut("description") {
                one_language(description, languages);
            }
        }
    }
}

pub(super) fn canonical(statement: &mut Value, languages: &[String]) {
    levels_mut(statement, |level| {
        if let Some(display) = level.get_mut("verb").and_then(|v| v.get_mut("display")) {
            one_language(display, languages);
        }
        if let Some(object) = level.get_mut("object")
            && object_kind(object) == "Activity"
        {
            canonical_activity(object, languages);
        }
        each_context_activity(level, |activity| canonical_activity(activity, languages));
    });
}
