//! The MUST rules of the xAPI data model (1.0.3 "Experience API Data" and IEEE 9274.1.1 xAPI
//! 2.0.0 section 4.2) that a Learning Record Store checks before it keeps a statement. Every
//! failure names the JSON path of the property at fault.

use super::VOIDED;
use super::XapiVersion;
use super::syntax::{
    is_duration, is_iri, is_irl, is_language_tag, is_mailto, is_sha1_hex, is_uuid, parse_timestamp,
};
use crate::ValidationError;
use serde_json::{Map, Value};

type Check = Result<(), ValidationError>;

/// The stable codes, one per family of rules.
pub mod code {
    /// The statement's shape: an object, required and unknown properties, `null` values.
    pub const STATEMENT: &str = "xapi.statement";
    pub const ID: &str = "xapi.statement.id";
    /// Agents and Groups wherever they appear (actor, object, instructor, team, members).
    pub const ACTOR: &str = "xapi.statement.actor";
    pub const VERB: &str = "xapi.statement.verb";
    pub const OBJECT: &str = "xapi.statement.object";
    pub const ACTIVITY: &str = "xapi.statement.activity";
    pub const RESULT: &str = "xapi.statement.result";
    pub const CONTEXT: &str = "xapi.statement.context";
    pub const TIMESTAMP: &str = "xapi.statement.timestamp";
    pub const AUTHORITY: &str = "xapi.statement.authority";
    pub const VERSION: &str = "xapi.statement.version";
    pub const ATTACHMENT: &str = "xapi.statement.attachment";
    pub const LANGUAGE_MAP: &str = "xapi.statement.language_map";
    pub const EXTENSIONS: &str = "xapi.statement.extensions";
    pub const IRI: &str = "xapi.statement.iri";
    pub const UUID: &str = "xapi.statement.uuid";
}

fn fail(
    code: &'static str,
    path: &str,
    en: impl Into<String>,
    ja: impl Into<String>,
) -> ValidationError {
    ValidationError::new(code, ja, en).for_field(path)
}

fn join(base: &str, key: &str) -> String {
    if base.is_empty() {
        key.to_owned()
    } else {
        format!("{base}.{key}")
    }
}

fn nth(base: &str, i: usize) -> String {
    format!("{base}[{i}]")
}

fn object<'a>(
    value: &'a Value,
    path: &str,
    code: &'static str,
    what_en: &str,
    what_ja: &str,
) -> Result<&'a Map<String, Value>, ValidationError> {
    value.as_object().ok_or_else(|| {
        fail(
            code,
            path,
            format!("{what_en} is a JSON object."),
            format!("{what_ja}は JSON オブジェクトです。"),
        )
    })
}

/// Refuses any property not in `allowed` (the spec defines every property a statement may
/// carry; extensions are the place for anything else).
fn only(map: &Map<String, Value>, allowed: &[&str], path: &str, code: &'static str) -> Check {
    match map.keys().find(|k| !allowed.contains(&k.as_str())) {
        Some(key) => Err(fail(
            code,
            &join(path, key),
            format!("\"{key}\" is not a property defined here; use extensions for anything else."),
            format!(
                "\"{key}\" はここで定義された項目ではありません。それ以外の情報は extensions に入れます。"
            ),
        )),
        None => Ok(()),
    }
}

fn required<'a>(
    map: &'a Map<String, Value>,
    key: &str,
    path: &str,
    code: &'static str,
) -> Result<&'a Value, ValidationError> {
    map.get(key).ok_or_else(|| {
        fail(
            code,
            &join(path, key),
            format!("\"{key}\" is required here."),
            format!("\"{key}\" はここで必須です。"),
        )
    })
}

fn string<'a>(
    value: &'a Value,
    path: &str,
    code: &'static str,
) -> Result<&'a str, ValidationError> {
    value.as_str().ok_or_else(|| {
        fail(
            code,
            path,
            "This property is a string.",
            "この項目は文字列です。",
        )
    })
}

fn iri(value: &Value, path: &str) -> Check {
    let s = string(value, path, code::IRI)?;
    if is_iri(s) {
        Ok(())
    } else {
        Err(fail(
            code::IRI,
            path,
            "This property is an absolute IRI with a scheme (such as http://…).",
            "この項目はスキームを持つ絶対 IRI（http://… など）です。",
        ))
    }
}

fn irl(value: &Value, path: &str) -> Check {
    let s = string(value, path, code::IRI)?;
    if is_irl(s) {
        Ok(())
    } else {
        Err(fail(
            code::IRI,
            path,
            "This property is an IRL: an absolute IRI with a scheme that locates a resource.",
            "この項目は IRL（資源の所在を示す、スキームを持つ絶対 IRI）です。",
        ))
    }
}

fn uuid(value: &Value, path: &str) -> Check {
    let s = string(value, path, code::UUID)?;
    if is_uuid(s) {
        Ok(())
    } else {
        Err(fail(
            code::UUID,
            path,
            "This property is a UUID in its hyphenated form (RFC 4122).",
            "この項目はハイフン区切りの UUID（RFC 4122）です。",
        ))
    }
}

fn language_map(value: &Value, path: &str) -> Check {
    let map = object(
        value,
        path,
        code::LANGUAGE_MAP,
        "A language map",
        "言語マップ",
    )?;
    for (tag, text) in map {
        let at = join(path, tag);
        if !is_language_tag(tag) {
            return Err(fail(
                code::LANGUAGE_MAP,
                &at,
                format!("\"{tag}\" is not a language tag (RFC 5646)."),
                format!("\"{tag}\" は言語タグ（RFC 5646）ではありません。"),
            ));
        }
        if !text.is_string() {
            return Err(fail(
                code::LANGUAGE_MAP,
                &at,
                "Each value of a language map is a string.",
                "言語マップの値はそれぞれ文字列です。",
            ));
        }
    }
    Ok(())
}

fn extensions(value: &Value, path: &str) -> Check {
    let map = object(value, path, code::EXTENSIONS, "Extensions", "extensions")?;
    for key in map.keys() {
        if !is_iri(key) {
            return Err(fail(
                code::EXTENSIONS,
                &join(path, key),
                format!("The extension key \"{key}\" is not an absolute IRI."),
                format!("拡張のキー \"{key}\" は絶対 IRI ではありません。"),
            ));
        }
    }
    Ok(())
}

fn timestamp(value: &Value, path: &str) -> Check {
    let s = string(value, path, code::TIMESTAMP)?;
    if parse_timestamp(s).is_some() {
        Ok(())
    } else {
        Err(fail(
            code::TIMESTAMP,
            path,
            "A timestamp is an ISO 8601 date and time (such as 2024-05-04T12:00:00.000Z); the offsets -00, -0000 and -00:00 are not allowed.",
            "タイムスタンプは ISO 8601 の日時（2024-05-04T12:00:00.000Z など）です。オフセット -00、-0000、-00:00 は使えません。",
        ))
    }
}

/// Refuses `null` anywhere but inside an extensions object (XAPI-00001).
fn no_nulls(value: &Value, path: &str) -> Check {
    match value {
        Value::Null => Err(fail(
            code::STATEMENT,
            path,
            "A property may not be null (only extension values may).",
            "項目の値に null は使えません（使えるのは拡張の値だけです）。",
        )),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .try_for_each(|(i, item)| no_nulls(item, &nth(path, i))),
        Value::Object(map) => map.iter().try_for_each(|(key, item)| {
            if key == "extensions" && item.is_object() {
                Ok(())
            } else {
                no_nulls(item, &join(path, key))
            }
        }),
        _ => Ok(()),
    }
}

const IFIS: [&str; 4] = ["mbox", "mbox_sha1sum", "openid", "account"];

/// Which of an Agent or Group an actor-like object is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Agent,
    Group,
}

pub(super) struct Validator {
    pub(super) version: XapiVersion,
}

impl Validator {
    pub(super) fn statement(&self, value: &Value) -> Check {
        no_nulls(value, "")?;
        self.statement_at(value, "", false)
    }

    fn statement_at(&self, value: &Value, path: &str, sub: bool) -> Check {
        let (what_en, what_ja) = if sub {
            ("A SubStatement", "サブステートメント")
        } else {
            ("A statement", "ステートメント")
        };
        let map = object(value, path, code::STATEMENT, what_en, what_ja)?;
        if sub {
            for banned in ["id", "stored", "version", "authority"] {
                if map.contains_key(banned) {
                    return Err(fail(
                        code::OBJECT,
                        &join(path, banned),
                        format!("A SubStatement does not have \"{banned}\"."),
                        format!("サブステートメントは \"{banned}\" を持ちません。"),
                    ));
                }
            }
            only(
                map,
                &[
                    "objectType",
                    "actor",
                    "verb",
                    "object",
                    "result",
                    "context",
                    "timestamp",
                    "attachments",
                ],
                path,
                code::STATEMENT,
            )?;
        } else {
            only(
                map,
                &[
                    "id",
                    "actor",
                    "verb",
                    "object",
                    "result",
                    "context",
                    "timestamp",
                    "stored",
                    "authority",
                    "version",
                    "attachments",
                ],
                path,
                code::STATEMENT,
            )?;
        }
        let actor = required(map, "actor", path, code::STATEMENT)?;
        let verb = required(map, "verb", path, code::STATEMENT)?;
        let object_value = required(map, "object", path, code::STATEMENT)?;
        if let Some(id) = map.get("id") {
            uuid(id, &join(path, "id")).map_err(|e| ValidationError {
                code: code::ID,
                ..e
            })?;
        }
        self.actor(actor, &join(path, "actor"))?;
        self.verb(verb, &join(path, "verb"))?;
        self.object(object_value, &join(path, "object"), sub)?;
        if map
            .get("verb")
            .and_then(|v| v.get("id"))
            .and_then(Value::as_str)
            == Some(VOIDED)
            && !sub
            && object_value.get("objectType").and_then(Value::as_str) != Some("StatementRef")
        {
            return Err(fail(
                code::OBJECT,
                &join(path, "object"),
                "A voiding statement's object is a StatementRef to the statement it voids.",
                "取り消し（voided）のステートメントの目的語は、取り消す文を指す StatementRef です。",
            ));
        }
        if let Some(result) = map.get("result") {
            self.result(result, &join(path, "result"))?;
        }
        if let Some(context) = map.get("context") {
            let object_is_activity = object_value
                .get("objectType")
                .and_then(Value::as_str)
                .is_none_or(|t| t == "Activity");
            self.context(context, &join(path, "context"), object_is_activity)?;
        }
        if let Some(at) = map.get("timestamp") {
            timestamp(at, &join(path, "timestamp"))?;
        }
        if let Some(at) = map.get("stored") {
            timestamp(at, &join(path, "stored"))?;
        }
        if let Some(authority) = map.get("authority") {
            self.authority(authority, &join(path, "authority"))?;
        }
        if let Some(version) = map.get("version") {
            self.statement_version(version, &join(path, "version"))?;
        }
        if let Some(attachments) = map.get("attachments") {
            self.attachments(attachments, &join(path, "attachments"))?;
        }
        Ok(())
    }

    /// An actor: an Agent (the default) or a Group.
    fn actor(&self, value: &Value, path: &str) -> Check {
        let map = object(
            value,
            path,
            code::ACTOR,
            "An Agent or Group",
            "エージェントまたはグループ",
        )?;
        match map.get("objectType") {
            None => self.agent(map, path),
            Some(Value::String(t)) if t == "Agent" => self.agent(map, path),
            Some(Value::String(t)) if t == "Group" => self.group(map, path).map(|_| ()),
            Some(_) => Err(fail(
                code::ACTOR,
                &join(path, "objectType"),
                "An actor's objectType is \"Agent\" or \"Group\" (case-sensitive).",
                "アクターの objectType は \"Agent\" か \"Group\" です（大文字小文字を区別します）。",
            )),
        }
    }

    /// Checks the identifiers present and returns how many there are.
    fn ifis(&self, map: &Map<String, Value>, path: &str) -> Result<usize, ValidationError> {
        let mut count = 0;
        if let Some(mbox) = map.get("mbox") {
            let at = join(path, "mbox");
            if !string(mbox, &at, code::ACTOR).is_ok_and(is_mailto) {
                return Err(fail(
                    code::ACTOR,
                    &at,
                    "An mbox is a mailto: IRI with one e-mail address (mailto:name@example.com).",
                    "mbox はメールアドレスを一つ持つ mailto: IRI（mailto:name@example.com）です。",
                ));
            }
            count += 1;
        }
        if let Some(sum) = map.get("mbox_sha1sum") {
            let at = join(path, "mbox_sha1sum");
            if !string(sum, &at, code::ACTOR).is_ok_and(is_sha1_hex) {
                return Err(fail(
                    code::ACTOR,
                    &at,
                    "An mbox_sha1sum is the SHA-1 of a mailto: IRI in 40 hexadecimal digits.",
                    "mbox_sha1sum は mailto: IRI の SHA-1 を 16 進 40 桁で書いたものです。",
                ));
            }
            count += 1;
        }
        if let Some(openid) = map.get("openid") {
            let at = join(path, "openid");
            if !string(openid, &at, code::ACTOR).is_ok_and(is_iri) {
                return Err(fail(
                    code::ACTOR,
                    &at,
                    "An openid is an absolute URI.",
                    "openid は絶対 URI です。",
                ));
            }
            count += 1;
        }
        if let Some(account) = map.get("account") {
            let at = join(path, "account");
            let account = object(account, &at, code::ACTOR, "An account", "アカウント")?;
            only(account, &["homePage", "name"], &at, code::ACTOR)?;
            let home = required(account, "homePage", &at, code::ACTOR)?;
            irl(home, &join(&at, "homePage")).map_err(|e| ValidationError {
                code: code::ACTOR,
                ..e
            })?;
            let name = required(account, "name", &at, code::ACTOR)?;
            string(name, &join(&at, "name"), code::ACTOR)?;
            count += 1;
        }
        Ok(count)
    }

    fn name(map: &Map<String, Value>, path: &str) -> Check {
        if let Some(name) = map.get("name") {
            string(name, &join(path, "name"), code::ACTOR)?;
        }
        Ok(())
    }

    fn agent(&self, map: &Map<String, Value>, path: &str) -> Check {
        only(
            map,
            &[
                "objectType",
                "name",
                "mbox",
                "mbox_sha1sum",
                "openid",
                "account",
            ],
            path,
            code::ACTOR,
        )?;
        Self::name(map, path)?;
        if self.ifis(map, path)? != 1 {
            return Err(fail(
                code::ACTOR,
                path,
                "An Agent has exactly one identifier: mbox, mbox_sha1sum, openid or account.",
                "エージェントの識別子（mbox、mbox_sha1sum、openid、account）はちょうど一つです。",
            ));
        }
        Ok(())
    }

    /// A Group; returns how many identifiers it has (0 for an anonymous group).
    fn group(&self, map: &Map<String, Value>, path: &str) -> Result<usize, ValidationError> {
        only(
            map,
            &[
                "objectType",
                "name",
                "member",
                "mbox",
                "mbox_sha1sum",
                "openid",
                "account",
            ],
            path,
            code::ACTOR,
        )?;
        Self::name(map, path)?;
        let identifiers = self.ifis(map, path)?;
        if identifiers > 1 {
            return Err(fail(
                code::ACTOR,
                path,
                "An identified Group has exactly one identifier: mbox, mbox_sha1sum, openid or account.",
                "識別されたグループの識別子（mbox、mbox_sha1sum、openid、account）はちょうど一つです。",
            ));
        }
        match map.get("member") {
            None if identifiers == 0 => {
                return Err(fail(
                    code::ACTOR,
                    &join(path, "member"),
                    "An anonymous Group (one without an identifier) lists its members in \"member\".",
                    "匿名グループ（識別子のないグループ）は \"member\" に構成員を列挙します。",
                ));
            }
            None => {}
            Some(members) => {
                let at = join(path, "member");
                let Some(members) = members.as_array() else {
                    return Err(fail(
                        code::ACTOR,
                        &at,
                        "A Group's \"member\" is an array of Agents.",
                        "グループの \"member\" はエージェントの配列です。",
                    ));
                };
                if members.is_empty() && identifiers == 0 {
                    return Err(fail(
                        code::ACTOR,
                        &at,
                        "An anonymous Group has at least one member.",
                        "匿名グループには構成員が一人以上います。",
                    ));
                }
                for (i, member) in members.iter().enumerate() {
                    let at = nth(&at, i);
                    let member_map = object(member, &at, code::ACTOR, "A member", "構成員")?;
                    match member_map.get("objectType") {
                        None => {}
                        Some(Value::String(t)) if t == "Agent" => {}
                        Some(_) => {
                            return Err(fail(
                                code::ACTOR,
                                &join(&at, "objectType"),
                                "A Group's members are Agents, not Groups.",
                                "グループの構成員はエージェントです（グループは入れられません）。",
                            ));
                        }
                    }
                    self.agent(member_map, &at)?;
                }
            }
        }
        Ok(identifiers)
    }

    fn verb(&self, value: &Value, path: &str) -> Check {
        let map = object(value, path, code::VERB, "A verb", "動詞")?;
        only(map, &["id", "display"], path, code::VERB)?;
        let id = required(map, "id", path, code::VERB)?;
        iri(id, &join(path, "id"))?;
        if let Some(display) = map.get("display") {
            language_map(display, &join(path, "display"))?;
        }
        Ok(())
    }

    fn object(&self, value: &Value, path: &str, in_sub: bool) -> Check {
        let map = object(value, path, code::OBJECT, "A statement's object", "目的語")?;
        match map.get("objectType") {
            None => {
                if map
                    .keys()
                    .any(|k| IFIS.contains(&k.as_str()) || k == "member")
                {
                    return Err(fail(
                        code::OBJECT,
                        &join(path, "objectType"),
                        "An Agent or Group used as an object states its objectType.",
                        "目的語に使うエージェントやグループは objectType を明示します。",
                    ));
                }
                self.activity(map, path)
            }
            Some(Value::String(t)) => match t.as_str() {
                "Activity" => self.activity(map, path),
                "Agent" => self.agent(map, path),
                "Group" => self.group(map, path).map(|_| ()),
                "StatementRef" => self.statement_ref(map, path),
                "SubStatement" if !in_sub => self.statement_at(value, path, true),
                "SubStatement" => Err(fail(
                    code::OBJECT,
                    &join(path, "objectType"),
                    "A SubStatement does not contain another SubStatement.",
                    "サブステートメントの中に別のサブステートメントは入れられません。",
                )),
                _ => Err(Self::bad_object_type(path)),
            },
            Some(_) => Err(Self::bad_object_type(path)),
        }
    }

    fn bad_object_type(path: &str) -> ValidationError {
        fail(
            code::OBJECT,
            &join(path, "objectType"),
            "An object's objectType is Activity, Agent, Group, StatementRef or SubStatement (case-sensitive).",
            "目的語の objectType は Activity、Agent、Group、StatementRef、SubStatement のいずれかです（大文字小文字を区別します）。",
        )
    }

    fn statement_ref(&self, map: &Map<String, Value>, path: &str) -> Check {
        only(map, &["objectType", "id"], path, code::OBJECT)?;
        if map.get("objectType").and_then(Value::as_str) != Some("StatementRef") {
            return Err(fail(
                code::OBJECT,
                &join(path, "objectType"),
                "A Statement Reference has objectType \"StatementRef\".",
                "ステートメント参照の objectType は \"StatementRef\" です。",
            ));
        }
        let id = required(map, "id", path, code::OBJECT)?;
        uuid(id, &join(path, "id"))
    }

    fn activity(&self, map: &Map<String, Value>, path: &str) -> Check {
        only(
            map,
            &["objectType", "id", "definition"],
            path,
            code::ACTIVITY,
        )?;
        let id = required(map, "id", path, code::ACTIVITY)?;
        iri(id, &join(path, "id"))?;
        if let Some(definition) = map.get("definition") {
            self.definition(definition, &join(path, "definition"))?;
        }
        Ok(())
    }

    fn definition(&self, value: &Value, path: &str) -> Check {
        const INTERACTION_TYPES: [&str; 10] = [
            "true-false",
            "choice",
            "fill-in",
            "long-fill-in",
            "matching",
            "performance",
            "sequencing",
            "likert",
            "numeric",
            "other",
        ];
        const COMPONENT_LISTS: [&str; 5] = ["choices", "scale", "source", "target", "steps"];
        let map = object(
            value,
            path,
            code::ACTIVITY,
            "An activity definition",
            "アクティビティ定義",
        )?;
        only(
            map,
            &[
                "name",
                "description",
                "type",
                "moreInfo",
                "interactionType",
                "correctResponsesPattern",
                "choices",
                "scale",
                "source",
                "target",
                "steps",
                "extensions",
            ],
            path,
            code::ACTIVITY,
        )?;
        for key in ["name", "description"] {
            if let Some(map_value) = map.get(key) {
                language_map(map_value, &join(path, key))?;
            }
        }
        if let Some(t) = map.get("type") {
            iri(t, &join(path, "type"))?;
        }
        if let Some(more) = map.get("moreInfo") {
            irl(more, &join(path, "moreInfo"))?;
        }
        if let Some(ext) = map.get("extensions") {
            extensions(ext, &join(path, "extensions"))?;
        }
        match map.get("interactionType") {
            Some(t) => {
                let at = join(path, "interactionType");
                if !string(t, &at, code::ACTIVITY).is_ok_and(|t| INTERACTION_TYPES.contains(&t)) {
                    return Err(fail(
                        code::ACTIVITY,
                        &at,
                        "interactionType is one of true-false, choice, fill-in, long-fill-in, matching, performance, sequencing, likert, numeric or other.",
                        "interactionType は true-false、choice、fill-in、long-fill-in、matching、performance、sequencing、likert、numeric、other のいずれかです。",
                    ));
                }
            }
            None => {
                if let Some(key) = std::iter::once("correctResponsesPattern")
                    .chain(COMPONENT_LISTS)
                    .find(|k| map.contains_key(*k))
                {
                    return Err(fail(
                        code::ACTIVITY,
                        &join(path, "interactionType"),
                        format!(
                            "An activity definition with \"{key}\" states its interactionType."
                        ),
                        format!(
                            "\"{key}\" を持つアクティビティ定義は interactionType を明示します。"
                        ),
                    ));
                }
            }
        }
        if let Some(pattern) = map.get("correctResponsesPattern") {
            let at = join(path, "correctResponsesPattern");
            let all_strings = pattern
                .as_array()
                .is_some_and(|items| items.iter().all(Value::is_string));
            if !all_strings {
                return Err(fail(
                    code::ACTIVITY,
                    &at,
                    "correctResponsesPattern is an array of strings.",
                    "correctResponsesPattern は文字列の配列です。",
                ));
            }
        }
        for list in COMPONENT_LISTS {
            if let Some(components) = map.get(list) {
                self.components(components, &join(path, list))?;
            }
        }
        Ok(())
    }

    /// An array of interaction components: each has a string `id` (distinct within the
    /// array) and optionally a `description` language map.
    fn components(&self, value: &Value, path: &str) -> Check {
        let Some(items) = value.as_array() else {
            return Err(fail(
                code::ACTIVITY,
                path,
                "An interaction component list is an array.",
                "インタラクション構成要素の一覧は配列です。",
            ));
        };
        let mut seen: Vec<&str> = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            let at = nth(path, i);
            let map = object(
                item,
                &at,
                code::ACTIVITY,
                "An interaction component",
                "インタラクション構成要素",
            )?;
            only(map, &["id", "description"], &at, code::ACTIVITY)?;
            let id = string(
                required(map, "id", &at, code::ACTIVITY)?,
                &join(&at, "id"),
                code::ACTIVITY,
            )?;
            if seen.contains(&id) {
                return Err(fail(
                    code::ACTIVITY,
                    &join(&at, "id"),
                    "The ids of the interaction components in one list are distinct.",
                    "一つの一覧の中でインタラクション構成要素の id は重複しません。",
                ));
            }
            seen.push(id);
            if let Some(description) = map.get("description") {
                language_map(description, &join(&at, "description"))?;
            }
        }
        Ok(())
    }

    fn result(&self, value: &Value, path: &str) -> Check {
        let map = object(value, path, code::RESULT, "A result", "結果")?;
        only(
            map,
            &[
                "score",
                "success",
                "completion",
                "response",
                "duration",
                "extensions",
            ],
            path,
            code::RESULT,
        )?;
        if let Some(score) = map.get("score") {
            Self::score(score, &join(path, "score"))?;
        }
        for key in ["success", "completion"] {
            if let Some(flag) = map.get(key)
                && !flag.is_boolean()
            {
                return Err(fail(
                    code::RESULT,
                    &join(path, key),
                    format!("\"{key}\" is true or false."),
                    format!("\"{key}\" は true か false です。"),
                ));
            }
        }
        if let Some(response) = map.get("response") {
            string(response, &join(path, "response"), code::RESULT)?;
        }
        if let Some(duration) = map.get("duration") {
            let at = join(path, "duration");
            if !string(duration, &at, code::RESULT).is_ok_and(is_duration) {
                return Err(fail(
                    code::RESULT,
                    &at,
                    "A duration is an ISO 8601 duration such as PT1H30M or P4W.",
                    "duration は PT1H30M や P4W のような ISO 8601 の期間です。",
                ));
            }
        }
        if let Some(ext) = map.get("extensions") {
            extensions(ext, &join(path, "extensions"))?;
        }
        Ok(())
    }

    fn score(value: &Value, path: &str) -> Check {
        let map = object(value, path, code::RESULT, "A score", "スコア")?;
        only(map, &["scaled", "raw", "min", "max"], path, code::RESULT)?;
        let mut numbers = [None; 4];
        for (slot, key) in numbers.iter_mut().zip(["scaled", "raw", "min", "max"]) {
            if let Some(n) = map.get(key) {
                *slot = Some(n.as_f64().ok_or_else(|| {
                    fail(
                        code::RESULT,
                        &join(path, key),
                        format!("The score's \"{key}\" is a number."),
                        format!("スコアの \"{key}\" は数値です。"),
                    )
                })?);
            }
        }
        let [scaled, raw, min, max] = numbers;
        if let Some(scaled) = scaled
            && !(-1.0..=1.0).contains(&scaled)
        {
            return Err(fail(
                code::RESULT,
                &join(path, "scaled"),
                "A scaled score is between -1 and 1.",
                "scaled のスコアは -1 以上 1 以下です。",
            ));
        }
        if let (Some(min), Some(max)) = (min, max)
            && min > max
        {
            return Err(fail(
                code::RESULT,
                &join(path, "min"),
                "A score's min is not greater than its max.",
                "スコアの min は max 以下です。",
            ));
        }
        if let Some(raw) = raw {
            if min.is_some_and(|min| raw < min) {
                return Err(fail(
                    code::RESULT,
                    &join(path, "raw"),
                    "A raw score is not below the min.",
                    "raw のスコアは min 以上です。",
                ));
            }
            if max.is_some_and(|max| raw > max) {
                return Err(fail(
                    code::RESULT,
                    &join(path, "raw"),
                    "A raw score is not above the max.",
                    "raw のスコアは max 以下です。",
                ));
            }
        }
        Ok(())
    }

    fn context(&self, value: &Value, path: &str, object_is_activity: bool) -> Check {
        let map = object(value, path, code::CONTEXT, "A context", "コンテキスト")?;
        let mut allowed = vec![
            "registration",
            "instructor",
            "team",
            "contextActivities",
            "revision",
            "platform",
            "language",
            "statement",
            "extensions",
        ];
        if self.version >= XapiVersion::V2_0_0 {
            allowed.extend(["contextAgents", "contextGroups"]);
        }
        only(map, &allowed, path, code::CONTEXT)?;
        if let Some(registration) = map.get("registration") {
            uuid(registration, &join(path, "registration"))?;
        }
        if let Some(instructor) = map.get("instructor") {
            self.actor(instructor, &join(path, "instructor"))?;
        }
        if let Some(team) = map.get("team") {
            let at = join(path, "team");
            let team = object(team, &at, code::CONTEXT, "A team", "チーム")?;
            if team.get("objectType").and_then(Value::as_str) != Some("Group") {
                return Err(fail(
                    code::CONTEXT,
                    &join(&at, "objectType"),
                    "A context's team is a Group (objectType \"Group\").",
                    "コンテキストの team はグループ（objectType \"Group\"）です。",
                ));
            }
            self.group(team, &at)?;
        }
        if let Some(activities) = map.get("contextActivities") {
            self.context_activities(activities, &join(path, "contextActivities"))?;
        }
        for key in ["revision", "platform"] {
            if let Some(text) = map.get(key) {
                let at = join(path, key);
                string(text, &at, code::CONTEXT)?;
                if !object_is_activity {
                    return Err(fail(
                        code::CONTEXT,
                        &at,
                        format!(
                            "A context's \"{key}\" is only used when the statement's object is an Activity."
                        ),
                        format!(
                            "コンテキストの \"{key}\" は目的語がアクティビティのときだけ使えます。"
                        ),
                    ));
                }
            }
        }
        if let Some(language) = map.get("language") {
            let at = join(path, "language");
            if !string(language, &at, code::CONTEXT).is_ok_and(is_language_tag) {
                return Err(fail(
                    code::CONTEXT,
                    &at,
                    "A context's language is a language tag (RFC 5646).",
                    "コンテキストの language は言語タグ（RFC 5646）です。",
                ));
            }
        }
        if let Some(statement) = map.get("statement") {
            let at = join(path, "statement");
            let reference = object(
                statement,
                &at,
                code::CONTEXT,
                "A context's statement",
                "コンテキストの statement",
            )?;
            self.statement_ref(reference, &at)?;
        }
        if let Some(ext) = map.get("extensions") {
            extensions(ext, &join(path, "extensions"))?;
        }
        if let Some(agents) = map.get("contextAgents") {
            self.context_agents(agents, &join(path, "contextAgents"), Kind::Agent)?;
        }
        if let Some(groups) = map.get("contextGroups") {
            self.context_agents(groups, &join(path, "contextGroups"), Kind::Group)?;
        }
        Ok(())
    }

    fn context_activities(&self, value: &Value, path: &str) -> Check {
        let map = object(
            value,
            path,
            code::CONTEXT,
            "contextActivities",
            "contextActivities",
        )?;
        only(
            map,
            &["parent", "grouping", "category", "other"],
            path,
            code::CONTEXT,
        )?;
        for (key, activities) in map {
            let at = join(path, key);
            let check = |activity: &Value, at: &str| -> Check {
                let activity = object(
                    activity,
                    at,
                    code::CONTEXT,
                    "A context activity",
                    "コンテキストのアクティビティ",
                )?;
                if let Some(t) = activity.get("objectType")
                    && t.as_str() != Some("Activity")
                {
                    return Err(fail(
                        code::CONTEXT,
                        &join(at, "objectType"),
                        "A context activity is an Activity.",
                        "コンテキストのアクティビティはアクティビティです。",
                    ));
                }
                self.activity(activity, at)
            };
            match activities {
                Value::Array(items) => {
                    for (i, item) in items.iter().enumerate() {
                        check(item, &nth(&at, i))?;
                    }
                }
                other => check(other, &at)?,
            }
        }
        Ok(())
    }

    /// xAPI 2.0 `contextAgents` / `contextGroups`: arrays of `{objectType, agent|group,
    /// relevantTypes}`.
    fn context_agents(&self, value: &Value, path: &str, kind: Kind) -> Check {
        let (object_type, member_key) = match kind {
            Kind::Agent => ("contextAgent", "agent"),
            Kind::Group => ("contextGroup", "group"),
        };
        let Some(items) = value.as_array() else {
            return Err(fail(
                code::CONTEXT,
                path,
                format!("This property is an array of {object_type} objects."),
                format!("この項目は {object_type} オブジェクトの配列です。"),
            ));
        };
        for (i, item) in items.iter().enumerate() {
            let at = nth(path, i);
            let map = object(item, &at, code::CONTEXT, object_type, object_type)?;
            only(
                map,
                &["objectType", member_key, "relevantTypes"],
                &at,
                code::CONTEXT,
            )?;
            if map.get("objectType").and_then(Value::as_str) != Some(object_type) {
                return Err(fail(
                    code::CONTEXT,
                    &join(&at, "objectType"),
                    format!("Its objectType is \"{object_type}\"."),
                    format!("objectType は \"{object_type}\" です。"),
                ));
            }
            let member_at = join(&at, member_key);
            let member = required(map, member_key, &at, code::CONTEXT)?;
            let member_map = object(
                member,
                &member_at,
                code::ACTOR,
                "An Agent or Group",
                "エージェントまたはグループ",
            )?;
            let member_type = member_map.get("objectType").and_then(Value::as_str);
            match kind {
                Kind::Agent => {
                    if member_type.is_some_and(|t| t != "Agent") {
                        return Err(fail(
                            code::CONTEXT,
                            &join(&member_at, "objectType"),
                            "A contextAgent's agent is an Agent.",
                            "contextAgent の agent はエージェントです。",
                        ));
                    }
                    self.agent(member_map, &member_at)?;
                }
                Kind::Group => {
                    if member_type != Some("Group") {
                        return Err(fail(
                            code::CONTEXT,
                            &join(&member_at, "objectType"),
                            "A contextGroup's group is a Group (objectType \"Group\").",
                            "contextGroup の group はグループ（objectType \"Group\"）です。",
                        ));
                    }
                    self.group(member_map, &member_at)?;
                }
            }
            if let Some(types) = map.get("relevantTypes") {
                let types_at = join(&at, "relevantTypes");
                let Some(types) = types.as_array().filter(|t| !t.is_empty()) else {
                    return Err(fail(
                        code::CONTEXT,
                        &types_at,
                        "relevantTypes is a non-empty array of IRIs.",
                        "relevantTypes は空でない IRI の配列です。",
                    ));
                };
                for (j, t) in types.iter().enumerate() {
                    iri(t, &nth(&types_at, j))?;
                }
            }
        }
        Ok(())
    }

    /// The authority: an Agent, or for three-legged OAuth an anonymous Group of exactly two
    /// Agents.
    fn authority(&self, value: &Value, path: &str) -> Check {
        self.actor(value, path).map_err(|e| ValidationError {
            code: code::AUTHORITY,
            ..e
        })?;
        if value.get("objectType").and_then(Value::as_str) == Some("Group") {
            let identified = IFIS.iter().any(|k| value.get(*k).is_some());
            let members = value
                .get("member")
                .and_then(Value::as_array)
                .map_or(0, Vec::len);
            if identified || members != 2 {
                return Err(fail(
                    code::AUTHORITY,
                    path,
                    "A Group as authority is an anonymous Group of exactly two Agents (OAuth consumer and user).",
                    "authority にするグループは、ちょうど二人のエージェント（OAuth のコンシューマーと利用者）からなる匿名グループです。",
                ));
            }
        }
        Ok(())
    }

    /// `version`: "1.0" or "1.0.x"; under 2.0 also "2.0" or "2.0.x".
    fn statement_version(&self, value: &Value, path: &str) -> Check {
        let s = string(value, path, code::VERSION)?;
        let mut parts = s.split('.');
        let (major, minor, patch) = (parts.next(), parts.next(), parts.next());
        let numeric = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
        let shape_ok = parts.next().is_none() && patch.is_none_or(numeric);
        let known = match (major, minor) {
            (Some("1"), Some("0")) => true,
            (Some("2"), Some("0")) => self.version >= XapiVersion::V2_0_0,
            _ => false,
        };
        if shape_ok && known {
            Ok(())
        } else {
            let (en, ja) = match self.version {
                XapiVersion::V1_0_3 => (
                    "A statement's version is \"1.0\" or \"1.0.x\".",
                    "ステートメントの version は \"1.0\" か \"1.0.x\" です。",
                ),
                XapiVersion::V2_0_0 => (
                    "A statement's version is \"1.0\", \"1.0.x\", \"2.0\" or \"2.0.x\".",
                    "ステートメントの version は \"1.0\"、\"1.0.x\"、\"2.0\"、\"2.0.x\" のいずれかです。",
                ),
            };
            Err(fail(code::VERSION, path, en, ja))
        }
    }

    fn attachments(&self, value: &Value, path: &str) -> Check {
        let Some(items) = value.as_array() else {
            return Err(fail(
                code::ATTACHMENT,
                path,
                "attachments is an array of attachment objects.",
                "attachments は添付オブジェクトの配列です。",
            ));
        };
        for (i, item) in items.iter().enumerate() {
            let at = nth(path, i);
            let map = object(item, &at, code::ATTACHMENT, "An attachment", "添付")?;
            only(
                map,
                &[
                    "usageType",
                    "display",
                    "description",
                    "contentType",
                    "length",
                    "sha2",
                    "fileUrl",
                ],
                &at,
                code::ATTACHMENT,
            )?;
            let usage = required(map, "usageType", &at, code::ATTACHMENT)?;
            iri(usage, &join(&at, "usageType"))?;
            language_map(
                required(map, "display", &at, code::ATTACHMENT)?,
                &join(&at, "display"),
            )?;
            if let Some(description) = map.get("description") {
                language_map(description, &join(&at, "description"))?;
            }
            let content_type_at = join(&at, "contentType");
            let content_type = string(
                required(map, "contentType", &at, code::ATTACHMENT)?,
                &content_type_at,
                code::ATTACHMENT,
            )?;
            let media_type = content_type.split(';').next().unwrap_or_default().trim();
            let well_formed = media_type.split_once('/').is_some_and(|(t, s)| {
                !t.is_empty() && !s.is_empty() && !media_type.contains(char::is_whitespace)
            });
            if !well_formed {
                return Err(fail(
                    code::ATTACHMENT,
                    &content_type_at,
                    "An attachment's contentType is an Internet media type (such as text/plain).",
                    "添付の contentType はインターネットメディアタイプ（text/plain など）です。",
                ));
            }
            if usage.as_str() == Some(super::SIGNATURE_USAGE)
                && !media_type.eq_ignore_ascii_case("application/octet-stream")
            {
                return Err(fail(
                    code::ATTACHMENT,
                    &content_type_at,
                    "A signature attachment's contentType is application/octet-stream.",
                    "署名の添付の contentType は application/octet-stream です。",
                ));
            }
            let length_at = join(&at, "length");
            if !required(map, "length", &at, code::ATTACHMENT)?.is_u64() {
                return Err(fail(
                    code::ATTACHMENT,
                    &length_at,
                    "An attachment's length is a whole number of octets.",
                    "添付の length はオクテット数（0 以上の整数）です。",
                ));
            }
            let sha2_at = join(&at, "sha2");
            let sha2 = string(
                required(map, "sha2", &at, code::ATTACHMENT)?,
                &sha2_at,
                code::ATTACHMENT,
            )?;
            if sha2.is_empty() || !sha2.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(fail(
                    code::ATTACHMENT,
                    &sha2_at,
                    "An attachment's sha2 is the SHA-2 hash of its data in hexadecimal.",
                    "添付の sha2 はデータの SHA-2 ハッシュを 16 進で書いたものです。",
                ));
            }
            if let Some(url) = map.get("fileUrl") {
                irl(url, &join(&at, "fileUrl"))?;
            }
        }
        Ok(())
    }

    /// An `agent` parameter: an Agent, or an identified Group, with exactly one identifier.
    pub(super) fn agent_param(&self, value: &Value) -> Check {
        no_nulls(value, "agent")?;
        let map = object(
            value,
            "agent",
            code::ACTOR,
            "The agent parameter",
            "agent パラメータ",
        )?;
        match map.get("objectType") {
            Some(Value::String(t)) if t == "Group" => {
                if self.group(map, "agent")? != 1 {
                    return Err(fail(
                        code::ACTOR,
                        "agent",
                        "The agent parameter names one Agent or identified Group: exactly one of mbox, mbox_sha1sum, openid or account.",
                        "agent パラメータはエージェントか識別されたグループを一つ指します。mbox、mbox_sha1sum、openid、account のどれか一つだけを持ちます。",
                    ));
                }
                Ok(())
            }
            _ => self.actor(value, "agent"),
        }
    }
}
