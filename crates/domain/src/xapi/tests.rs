//! The rules of the xAPI module, each with a statement that keeps it and one that breaks it.

#![allow(clippy::unwrap_used)]

use super::syntax::{is_mailto, is_sha1_hex, truncate_duration};
use super::*;
use serde_json::{Value, json};

const BOTH: [XapiVersion; 2] = [XapiVersion::V1_0_3, XapiVersion::V2_0_0];

fn statement() -> Value {
    json!({
        "actor": {"objectType": "Agent", "name": "xAPI mbox", "mbox": "mailto:xapi@adlnet.gov"},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/attended", "display": {"en-GB": "attended", "en-US": "attended"}},
        "object": {"objectType": "Activity", "id": "http://www.example.com/meetings/occurances/34534"}
    })
}

/// The statement with `value` at the JSON pointer `at` (parents created as objects).
fn with(at: &str, value: Value) -> Value {
    let mut s = statement();
    set(&mut s, at, value);
    s
}

fn set(target: &mut Value, at: &str, value: Value) {
    let mut node = target;
    let parts: Vec<&str> = at.trim_start_matches('/').split('/').collect();
    for (i, part) in parts.iter().enumerate() {
        let last = i + 1 == parts.len();
        node = match node {
            Value::Array(items) => {
                let index: usize = part.parse().unwrap();
                if last {
                    items[index] = value;
                    return;
                }
                &mut items[index]
            }
            other => {
                if !other.is_object() {
                    *other = json!({});
                }
                let map = other.as_object_mut().unwrap();
                if last {
                    map.insert((*part).to_owned(), value);
                    return;
                }
                map.entry((*part).to_owned()).or_insert_with(|| json!({}))
            }
        };
    }
}

fn without(at: &str) -> Value {
    let mut s = statement();
    let (parent, key) = at.rsplit_once('/').unwrap();
    s.pointer_mut(parent)
        .unwrap()
        .as_object_mut()
        .unwrap()
        .remove(key);
    s
}

#[track_caller]
fn accepted(s: &Value) {
    for version in BOTH {
        if let Err(e) = validate_statement(s, version) {
            panic!("{version:?} refused {s}: {e}");
        }
    }
}

/// Refused under both versions, with this code and field.
#[track_caller]
fn refused(s: &Value, code: &str, field: &str) {
    for version in BOTH {
        refused_in(s, version, code, field);
    }
}

#[track_caller]
fn refused_in(s: &Value, version: XapiVersion, code: &str, field: &str) {
    match validate_statement(s, version) {
        Ok(()) => panic!("{version:?} accepted {s}"),
        Err(e) => {
            assert_eq!((e.code, e.field.as_deref()), (code, Some(field)), "{s}");
            assert!(!e.message_en.is_empty() && !e.message_ja.is_empty());
        }
    }
}

// --- versions ---------------------------------------------------------------------------

#[test]
fn version_header_is_read_and_answered() {
    assert_eq!(XapiVersion::from_header("1.0.3"), Some(XapiVersion::V1_0_3));
    assert_eq!(XapiVersion::from_header("1.0"), Some(XapiVersion::V1_0_3));
    assert_eq!(XapiVersion::from_header("2.0.0"), Some(XapiVersion::V2_0_0));
    assert_eq!(XapiVersion::from_header("0.95"), None);
    assert_eq!(XapiVersion::from_header("1.0.x"), None);
    assert_eq!(XapiVersion::V2_0_0.header_value(), "2.0.0");
}

// --- value formats ----------------------------------------------------------------------

#[test]
fn uuids_are_hyphenated_hex_of_any_version() {
    assert!(is_uuid("8f87ccde-bb56-4c2e-ab83-44982ef22df0"));
    assert!(is_uuid("AA97B177-9383-4934-8543-0F91A7A02836"));
    assert!(!is_uuid("AA97B177-9383-4934-8543-0F91A7A028368"));
    assert!(!is_uuid("MA97B177-9383-4934-8543-0F91A7A02836"));
    assert!(!is_uuid("8f87ccdebb564c2eab8344982ef22df0"));
}

#[test]
fn iris_need_a_scheme() {
    assert!(is_iri("http://example.com/x"));
    assert!(is_iri("urn:uuid:8f87ccde-bb56-4c2e-ab83-44982ef22df0"));
    assert!(is_iri("http://例え.jp/パス"));
    assert!(!is_iri("example.com/extension/wrong"));
    assert!(!is_iri("ab=c://should.fail.com"));
    assert!(!is_iri("http://a b"));
    assert!(!is_iri("http:"));
}

#[test]
fn mbox_is_a_mailto_address() {
    assert!(is_mailto("mailto:xapi@adlnet.gov"));
    assert!(!is_mailto("mailto:should.fail.com"));
    assert!(!is_mailto("http://should.fail.com"));
    assert!(!is_mailto("mailto:@adlnet.gov"));
    assert!(is_sha1_hex("cd9b00a5611f94eaa7b1661edab976068e364975"));
    assert!(!is_sha1_hex("cd9b00a5611f94eaa7b1661edab976068e36497"));
    assert!(!is_sha1_hex("zd9b00a5611f94eaa7b1661edab976068e364975"));
}

#[test]
fn language_tags_follow_rfc_5646() {
    for tag in [
        "en",
        "en-US",
        "tlh",
        "zh-Hant-TW",
        "zh-yue-HK",
        "de-CH-1901",
        "es-419",
        "en-a-bbb-x-ccc",
        "x-private",
        "i-klingon",
        "sgn-BE-FR",
    ] {
        assert!(is_language_tag(tag), "{tag}");
    }
    for tag in [
        "a12345678",
        "",
        "en-",
        "en_US",
        "1en",
        "e",
        "en-a",
        "x",
        "en-US-x",
    ] {
        assert!(!is_language_tag(tag), "{tag}");
    }
}

#[test]
fn timestamps_are_iso_8601_date_times() {
    let utc = parse_timestamp("2023-05-04T17:00:00.000Z").unwrap();
    assert_eq!(parse_timestamp("2023-05-04T12:00:00-05:00"), Some(utc));
    assert_eq!(parse_timestamp("2023-05-04T12:00:00-0500"), Some(utc));
    assert_eq!(parse_timestamp("20230504T170000Z"), Some(utc));
    assert_eq!(parse_timestamp("2023-05-04T17:00:00"), Some(utc));
    assert_eq!(parse_timestamp("2023-05-04t17:00z"), Some(utc));
    assert_eq!(parse_timestamp("2023-05-04T17:00:00+00"), Some(utc));
    let precise = parse_timestamp("2008-09-15T15:53:00.601234567+00:00").unwrap();
    assert_eq!(precise.nanosecond(), 601_234_567);
    for bad in [
        "should fail",
        "01/011/2015",
        "2008-09-15T15:53:00.601-00",
        "2008-09-15T15:53:00.601-0000",
        "2008-09-15T15:53:00.601-00:00",
        "2023-02-30T00:00:00Z",
        "2023-05-04",
        "2023-05-04T25:00:00Z",
        "2023-05-04T17:00:00.Z",
        "2023-05-04T17:00:00Z junk",
    ] {
        assert_eq!(parse_timestamp(bad), None, "{bad}");
    }
}

#[test]
fn durations_are_iso_8601_durations() {
    for good in [
        "PT1H0M0.1S",
        "PT4H35M59.14S",
        "PT16559.14S",
        "P3Y1M29DT4H35M59.14S",
        "P3Y",
        "P4W",
        "P1DT12H36M0.12567S",
        "PT0,5H",
    ] {
        assert!(is_duration(good), "{good}");
    }
    for bad in [
        "P4W1D",
        "PA1H0M0S",
        "P",
        "PT",
        "P1H",
        "PT1M1H",
        "P0003-01-29T04:35:59",
        "PT1.5H30M",
        "should fail",
        "1H",
    ] {
        assert!(!is_duration(bad), "{bad}");
    }
}

#[test]
fn durations_count_milliseconds() {
    assert_eq!(parse_duration("PT1H30M"), Some(5_400_000));
    assert_eq!(parse_duration("PT0.12567S"), Some(125));
    assert_eq!(parse_duration("P1DT1S"), Some(86_401_000));
    assert_eq!(parse_duration("P4W"), Some(28 * 86_400_000));
    assert_eq!(parse_duration("P1Y2M"), Some((365 + 60) * 86_400_000));
    assert_eq!(parse_duration("PT0.5H"), Some(1_800_000));
    assert_eq!(parse_duration("P4W1D"), None);
    assert_eq!(parse_duration("P99999999999999999999Y"), None);
}

#[test]
fn durations_are_cut_to_hundredths() {
    assert_eq!(truncate_duration("P1DT12H36M0.12567S"), "P1DT12H36M0.12S");
    assert_eq!(truncate_duration("PT1.1S"), "PT1.1S");
    assert_eq!(truncate_duration("P3Y"), "P3Y");
    assert_eq!(truncate_duration("nonsense.12345S"), "nonsense.12345S");
}

// --- statement shape --------------------------------------------------------------------

#[test]
fn a_minimal_statement_is_accepted() {
    accepted(&statement());
    accepted(&without("/object/objectType"));
}

#[test]
fn a_statement_is_an_object() {
    refused(&json!([statement()]), code::STATEMENT, "");
}

#[test]
fn actor_verb_and_object_are_required() {
    refused(&without("/actor"), code::STATEMENT, "actor");
    refused(&without("/verb"), code::STATEMENT, "verb");
    refused(&without("/object"), code::STATEMENT, "object");
}

#[test]
fn unknown_properties_are_refused() {
    refused(&with("/dummy", json!("dummy")), code::STATEMENT, "dummy");
    refused(
        &with("/objectType", json!("SubStatement")),
        code::STATEMENT,
        "objectType",
    );
    refused(&with("/conText", json!({})), code::STATEMENT, "conText");
}

#[test]
fn null_is_refused_except_in_extensions() {
    refused(
        &with("/actor/name", Value::Null),
        code::STATEMENT,
        "actor.name",
    );
    refused(
        &with("/verb/display/en-US", Value::Null),
        code::STATEMENT,
        "verb.display.en-US",
    );
    refused(
        &with("/timestamp", Value::Null),
        code::STATEMENT,
        "timestamp",
    );
    accepted(&with(
        "/result/extensions",
        json!({"http://example.com/ex": null, "http://example.com/ey": {"inner": null}}),
    ));
}

#[test]
fn the_id_is_a_uuid() {
    accepted(&with("/id", json!("8f87ccde-bb56-4c2e-ab83-44982ef22df0")));
    refused(
        &with("/id", json!("AA97B177-9383-4934-8543-0F91A7A028368")),
        code::ID,
        "id",
    );
    refused(&with("/id", json!(12345)), code::ID, "id");
}

// --- agents and groups ------------------------------------------------------------------

#[test]
fn an_actor_is_an_agent_or_group_by_case_sensitive_object_type() {
    accepted(&without("/actor/objectType"));
    refused(
        &with("/actor/objectType", json!("agent")),
        code::ACTOR,
        "actor.objectType",
    );
    refused(
        &with("/actor/objectType", json!(123)),
        code::ACTOR,
        "actor.objectType",
    );
}

#[test]
fn an_agent_has_exactly_one_identifier() {
    refused(&without("/actor/mbox"), code::ACTOR, "actor");
    refused(
        &with("/actor/openid", json!("http://openid.example.org/12345")),
        code::ACTOR,
        "actor",
    );
    accepted(&with(
        "/actor",
        json!({"openid": "http://openid.example.org/12345"}),
    ));
    accepted(&with(
        "/actor",
        json!({"mbox_sha1sum": "cd9b00a5611f94eaa7b1661edab976068e364975"}),
    ));
}

#[test]
fn agent_properties_have_their_types() {
    refused(&with("/actor/name", json!(123)), code::ACTOR, "actor.name");
    refused(
        &with("/actor/mbox", json!("mailto:should.fail.com")),
        code::ACTOR,
        "actor.mbox",
    );
    refused(
        &with("/actor/mbox", json!("http://should.fail.com")),
        code::ACTOR,
        "actor.mbox",
    );
    refused(
        &with("/actor", json!({"mbox_sha1sum": "not a hash"})),
        code::ACTOR,
        "actor.mbox_sha1sum",
    );
    refused(
        &with("/actor", json!({"openid": "open.id.com/testUser"})),
        code::ACTOR,
        "actor.openid",
    );
    refused(
        &with("/actor/email", json!("x@example.com")),
        code::ACTOR,
        "actor.email",
    );
}

#[test]
fn an_account_has_a_home_page_irl_and_a_name() {
    let account = |a: Value| with("/actor", json!({"objectType": "Agent", "account": a}));
    accepted(&account(
        json!({"homePage": "http://www.example.com", "name": "xAPI account name"}),
    ));
    refused(
        &account(json!({"name": "xAPI account name"})),
        code::ACTOR,
        "actor.account.homePage",
    );
    refused(
        &account(json!({"homePage": "http://www.example.com"})),
        code::ACTOR,
        "actor.account.name",
    );
    refused(
        &account(json!({"homePage": "homePage.com/testUser", "name": "123456"})),
        code::ACTOR,
        "actor.account.homePage",
    );
    refused(
        &account(json!({"homePage": "http://www.example.com", "name": 123456})),
        code::ACTOR,
        "actor.account.name",
    );
}

#[test]
fn an_anonymous_group_lists_its_members() {
    let group = |g: Value| with("/actor", g);
    accepted(&group(
        json!({"objectType": "Group", "member": [{"mbox": "mailto:a@example.com"}]}),
    ));
    refused(
        &group(json!({"objectType": "Group", "name": "anonymous"})),
        code::ACTOR,
        "actor.member",
    );
    refused(
        &group(json!({"objectType": "Group", "member": []})),
        code::ACTOR,
        "actor.member",
    );
    refused(
        &group(json!({"objectType": "Group", "member": {"mbox": "mailto:a@example.com"}})),
        code::ACTOR,
        "actor.member",
    );
}

#[test]
fn an_identified_group_may_omit_members_but_has_one_identifier() {
    let group = |g: Value| with("/actor", g);
    accepted(&group(
        json!({"objectType": "Group", "mbox": "mailto:team@example.com"}),
    ));
    refused(
        &group(
            json!({"objectType": "Group", "mbox": "mailto:team@example.com", "openid": "http://openid.example.org/1"}),
        ),
        code::ACTOR,
        "actor",
    );
}

#[test]
fn group_members_are_valid_agents_not_groups() {
    let group = |m: Value| with("/actor", json!({"objectType": "Group", "member": [m]}));
    accepted(&group(
        json!({"objectType": "Agent", "mbox": "mailto:a@example.com"}),
    ));
    refused(
        &group(json!({"objectType": "Group", "mbox": "mailto:team@example.com"})),
        code::ACTOR,
        "actor.member[0].objectType",
    );
    refused(
        &group(json!({"name": "nobody"})),
        code::ACTOR,
        "actor.member[0]",
    );
}

// --- verb -------------------------------------------------------------------------------

#[test]
fn a_verb_has_an_iri_id_and_a_language_map_display() {
    accepted(&without("/verb/display"));
    refused(&without("/verb/id"), code::VERB, "verb.id");
    refused(
        &with("/verb/id", json!("ab=c://should.fail.com")),
        code::IRI,
        "verb.id",
    );
    refused(
        &with("/verb/display", json!("a12345 attended")),
        code::LANGUAGE_MAP,
        "verb.display",
    );
    refused(
        &with("/verb/display", json!({"a12345678": "should error"})),
        code::LANGUAGE_MAP,
        "verb.display.a12345678",
    );
    refused(
        &with("/verb/display", json!({"en-US": 12345})),
        code::LANGUAGE_MAP,
        "verb.display.en-US",
    );
}

#[test]
fn a_voiding_statement_targets_a_statement_ref() {
    let mut voiding = with("/verb/id", json!(VOIDED));
    refused(&voiding, code::OBJECT, "object");
    set(
        &mut voiding,
        "/object",
        json!({"objectType": "StatementRef", "id": "8f87ccde-bb56-4c2e-ab83-44982ef22df0"}),
    );
    accepted(&voiding);
}

// --- object -----------------------------------------------------------------------------

#[test]
fn an_object_type_is_one_of_five_case_sensitive_values() {
    refused(
        &with("/object/objectType", json!("activity")),
        code::OBJECT,
        "object.objectType",
    );
    refused(
        &with("/object/objectType", json!(7)),
        code::OBJECT,
        "object.objectType",
    );
}

#[test]
fn an_agent_or_group_object_states_its_object_type() {
    accepted(&with(
        "/object",
        json!({"objectType": "Agent", "mbox": "mailto:a@example.com"}),
    ));
    accepted(&with(
        "/object",
        json!({"objectType": "Group", "member": [{"mbox": "mailto:a@example.com"}]}),
    ));
    refused(
        &with("/object", json!({"mbox": "mailto:a@example.com"})),
        code::OBJECT,
        "object.objectType",
    );
    refused(
        &with(
            "/object",
            json!({"member": [{"mbox": "mailto:a@example.com"}]}),
        ),
        code::OBJECT,
        "object.objectType",
    );
}

#[test]
fn an_activity_has_an_iri_id() {
    refused(&without("/object/id"), code::ACTIVITY, "object.id");
    refused(
        &with(
            "/object/id",
            json!("www.example.com/meetings/occurances/34534"),
        ),
        code::IRI,
        "object.id",
    );
    refused(
        &with("/object/definitions", json!({})),
        code::ACTIVITY,
        "object.definitions",
    );
}

fn choice_definition() -> Value {
    json!({
        "name": {"en-US": "Question"},
        "description": {"en-US": "Which?"},
        "type": "http://adlnet.gov/expapi/activities/cmi.interaction",
        "moreInfo": "http://virtualmeeting.example.com/345256",
        "interactionType": "choice",
        "correctResponsesPattern": ["golf[,]tetris"],
        "choices": [
            {"id": "golf", "description": {"en-US": "Golf Example"}},
            {"id": "tetris", "description": {"en-US": "Tetris Example"}}
        ],
        "extensions": {"http://example.com/profiles/meetings/extension/location": "X:\\meetings"}
    })
}

#[test]
fn an_activity_definition_follows_its_rules() {
    let definition = |at: &str, v: Value| {
        let mut s = with("/object/definition", choice_definition());
        set(&mut s, &format!("/object/definition{at}"), v);
        s
    };
    accepted(&with("/object/definition", choice_definition()));
    accepted(&with("/object/definition", json!({})));
    refused(
        &definition("/name", json!({"a12345678": "x"})),
        code::LANGUAGE_MAP,
        "object.definition.name.a12345678",
    );
    refused(
        &definition("/description", json!("plain")),
        code::LANGUAGE_MAP,
        "object.definition.description",
    );
    refused(
        &definition(
            "/type",
            json!("adlnet.gov/expapi/activities/cmi.interaction"),
        ),
        code::IRI,
        "object.definition.type",
    );
    refused(
        &definition("/moreInfo", json!("virtualmeeting.example.com/345256")),
        code::IRI,
        "object.definition.moreInfo",
    );
    refused(
        &definition("/extensions", json!({"not.valid.com/extension": 1234})),
        code::EXTENSIONS,
        "object.definition.extensions.not.valid.com/extension",
    );
}

#[test]
fn an_interaction_type_is_a_known_value_and_needed_by_components() {
    let mut s = with("/object/definition", choice_definition());
    set(
        &mut s,
        "/object/definition/interactionType",
        json!("Choice"),
    );
    refused(&s, code::ACTIVITY, "object.definition.interactionType");
    for list in [
        "correctResponsesPattern",
        "choices",
        "scale",
        "source",
        "target",
        "steps",
    ] {
        let mut s = with("/object/definition", json!({"name": {"en-US": "Q"}}));
        let value = if list == "correctResponsesPattern" {
            json!(["a"])
        } else {
            json!([{"id": "a"}])
        };
        set(&mut s, &format!("/object/definition/{list}"), value);
        refused(&s, code::ACTIVITY, "object.definition.interactionType");
        set(&mut s, "/object/definition/interactionType", json!("other"));
        accepted(&s);
    }
}

#[test]
fn interaction_components_and_patterns_have_their_shapes() {
    let definition = |at: &str, v: Value| {
        let mut s = with("/object/definition", choice_definition());
        set(&mut s, &format!("/object/definition{at}"), v);
        s
    };
    refused(
        &definition("/correctResponsesPattern", json!("golf")),
        code::ACTIVITY,
        "object.definition.correctResponsesPattern",
    );
    refused(
        &definition("/correctResponsesPattern", json!([1])),
        code::ACTIVITY,
        "object.definition.correctResponsesPattern",
    );
    refused(
        &definition("/choices/1/id", json!("golf")),
        code::ACTIVITY,
        "object.definition.choices[1].id",
    );
    refused(
        &definition("/choices/0", json!({"description": {"en-US": "x"}})),
        code::ACTIVITY,
        "object.definition.choices[0].id",
    );
    refused(
        &definition("/choices/0/description", json!({"en-US": 1})),
        code::LANGUAGE_MAP,
        "object.definition.choices[0].description.en-US",
    );
}

#[test]
fn a_statement_ref_has_a_uuid_id() {
    let reference = |r: Value| with("/object", r);
    accepted(&reference(
        json!({"objectType": "StatementRef", "id": "8f87ccde-bb56-4c2e-ab83-44982ef22df0"}),
    ));
    refused(
        &reference(json!({"objectType": "StatementRef"})),
        code::OBJECT,
        "object.id",
    );
    refused(
        &reference(
            json!({"objectType": "StatementRef", "id": "MA97B177-9383-4934-8543-0F91A7A02836"}),
        ),
        code::UUID,
        "object.id",
    );
}

fn substatement() -> Value {
    json!({
        "objectType": "SubStatement",
        "actor": {"objectType": "Agent", "mbox": "mailto:sub@example.com"},
        "verb": {"id": "http://example.com/verbs/will-visit", "display": {"en-US": "will visit"}},
        "object": {"id": "http://example.com/website"},
        "timestamp": "2023-05-04T12:00:00Z"
    })
}

#[test]
fn a_substatement_follows_the_statement_rules_without_lrs_properties() {
    let sub = |at: &str, v: Value| {
        let mut s = with("/object", substatement());
        set(&mut s, &format!("/object{at}"), v);
        s
    };
    accepted(&with("/object", substatement()));
    for banned in ["id", "stored", "version", "authority"] {
        refused(
            &sub(&format!("/{banned}"), json!("x")),
            code::OBJECT,
            &format!("object.{banned}"),
        );
    }
    refused(
        &sub("/object", substatement()),
        code::OBJECT,
        "object.object.objectType",
    );
    refused(
        &sub("/verb/id", json!("not an iri")),
        code::IRI,
        "object.verb.id",
    );
    let mut no_verb = with("/object", substatement());
    no_verb["object"].as_object_mut().unwrap().remove("verb");
    refused(&no_verb, code::STATEMENT, "object.verb");
}

// --- result -----------------------------------------------------------------------------

#[test]
fn a_score_is_scaled_within_minus_one_and_one() {
    accepted(&with("/result/score", json!({"scaled": -1.0})));
    accepted(&with("/result/score", json!({"scaled": 1})));
    refused(
        &with("/result/score", json!({"scaled": 1.01})),
        code::RESULT,
        "result.score.scaled",
    );
    refused(
        &with("/result/score", json!({"scaled": "0.5"})),
        code::RESULT,
        "result.score.scaled",
    );
}

#[test]
fn a_raw_score_lies_between_min_and_max() {
    accepted(&with(
        "/result/score",
        json!({"raw": 12.125, "min": 0.12123434, "max": 45.45}),
    ));
    refused(
        &with("/result/score", json!({"raw": 101, "min": 0, "max": 100})),
        code::RESULT,
        "result.score.raw",
    );
    refused(
        &with("/result/score", json!({"raw": -1, "min": 0})),
        code::RESULT,
        "result.score.raw",
    );
    refused(
        &with("/result/score", json!({"min": 10, "max": 5})),
        code::RESULT,
        "result.score.min",
    );
}

#[test]
fn result_properties_have_their_types() {
    accepted(&with(
        "/result",
        json!({"success": true, "completion": false, "response": "We agreed", "duration": "PT1H0M0S"}),
    ));
    refused(
        &with("/result/success", json!("true")),
        code::RESULT,
        "result.success",
    );
    refused(
        &with("/result/completion", json!(1)),
        code::RESULT,
        "result.completion",
    );
    refused(
        &with("/result/response", json!(1)),
        code::RESULT,
        "result.response",
    );
    refused(
        &with("/result/duration", json!("P4W1D")),
        code::RESULT,
        "result.duration",
    );
    refused(
        &with("/result/score", json!(95)),
        code::RESULT,
        "result.score",
    );
    refused(
        &with("/result/grade", json!("A")),
        code::RESULT,
        "result.grade",
    );
    refused(
        &with(
            "/result/extensions",
            json!({"example.com/extension/wrong": 1234}),
        ),
        code::EXTENSIONS,
        "result.extensions.example.com/extension/wrong",
    );
}

// --- context ----------------------------------------------------------------------------

#[test]
fn context_registration_is_a_uuid() {
    accepted(&with(
        "/context/registration",
        json!("ec531277-b57b-4c15-8d91-d292c5b2b8f7"),
    ));
    refused(
        &with("/context/registration", json!("ec531277")),
        code::UUID,
        "context.registration",
    );
}

#[test]
fn an_instructor_is_an_agent_or_group_and_a_team_a_group() {
    let agent = json!({"objectType": "Agent", "mbox": "mailto:pri@adlnet.gov"});
    let group = json!({"objectType": "Group", "mbox": "mailto:team@adlnet.gov"});
    accepted(&with("/context/instructor", agent.clone()));
    accepted(&with("/context/instructor", group.clone()));
    accepted(&with("/context/team", group));
    refused(
        &with("/context/team", agent),
        code::CONTEXT,
        "context.team.objectType",
    );
    refused(
        &with("/context/instructor", json!({"objectType": "Agent"})),
        code::ACTOR,
        "context.instructor",
    );
}

#[test]
fn context_activities_are_activities_singly_or_in_arrays() {
    let activity = json!({"id": "http://www.example.com/meetings/categories/teammeeting"});
    accepted(&with("/context/contextActivities/parent", activity.clone()));
    accepted(&with(
        "/context/contextActivities",
        json!({"parent": [activity.clone()], "grouping": [], "category": activity.clone(), "other": [activity.clone(), activity]}),
    ));
    refused(
        &with("/context/contextActivities/related", json!([])),
        code::CONTEXT,
        "context.contextActivities.related",
    );
    refused(
        &with(
            "/context/contextActivities/parent",
            json!([{"objectType": "Activity"}]),
        ),
        code::ACTIVITY,
        "context.contextActivities.parent[0].id",
    );
    refused(
        &with(
            "/context/contextActivities/other",
            json!({"objectType": "Agent", "mbox": "mailto:a@example.com"}),
        ),
        code::CONTEXT,
        "context.contextActivities.other.objectType",
    );
}

#[test]
fn revision_and_platform_are_only_for_activity_objects() {
    let agent_object = json!({"objectType": "Agent", "mbox": "mailto:a@example.com"});
    for key in ["revision", "platform"] {
        accepted(&with(&format!("/context/{key}"), json!("rev_10_3_2")));
        let mut s = with(&format!("/context/{key}"), json!("rev_10_3_2"));
        set(&mut s, "/object", agent_object.clone());
        refused(&s, code::CONTEXT, &format!("context.{key}"));
        refused(
            &with(&format!("/context/{key}"), json!(10)),
            code::CONTEXT,
            &format!("context.{key}"),
        );
    }
}

#[test]
fn context_language_statement_and_extensions_have_their_forms() {
    accepted(&with("/context/language", json!("tlh")));
    refused(
        &with("/context/language", json!("a12345678")),
        code::CONTEXT,
        "context.language",
    );
    accepted(&with(
        "/context/statement",
        json!({"objectType": "StatementRef", "id": "6690e6c9-3ef0-4ed3-8b37-7f3964730bee"}),
    ));
    refused(
        &with(
            "/context/statement",
            json!({"id": "6690e6c9-3ef0-4ed3-8b37-7f3964730bee"}),
        ),
        code::OBJECT,
        "context.statement.objectType",
    );
    accepted(&with("/context/extensions", json!({})));
    refused(
        &with(
            "/context/extensions",
            json!({"example.com/extension/wrong": 1234}),
        ),
        code::EXTENSIONS,
        "context.extensions.example.com/extension/wrong",
    );
    refused(
        &with("/context/mood", json!("good")),
        code::CONTEXT,
        "context.mood",
    );
}

#[test]
fn context_agents_are_2_0_only_and_well_formed() {
    let entry = json!({
        "objectType": "contextAgent",
        "agent": {"objectType": "Agent", "mbox": "mailto:player-1@example.com"},
        "relevantTypes": ["https://example.com/xapi/activity-types/player"]
    });
    let s = with("/context/contextAgents", json!([entry.clone()]));
    assert_eq!(validate_statement(&s, XapiVersion::V2_0_0), Ok(()));
    refused_in(
        &s,
        XapiVersion::V1_0_3,
        code::CONTEXT,
        "context.contextAgents",
    );
    let v2 = XapiVersion::V2_0_0;
    let broken = |at: &str, v: Value| {
        let mut s = with("/context/contextAgents", json!([entry.clone()]));
        set(&mut s, &format!("/context/contextAgents/0{at}"), v);
        s
    };
    refused_in(
        &broken("/objectType", json!("Should fail")),
        v2,
        code::CONTEXT,
        "context.contextAgents[0].objectType",
    );
    refused_in(
        &broken("/agent", json!({"key": "Should fail"})),
        v2,
        code::ACTOR,
        "context.contextAgents[0].agent.key",
    );
    refused_in(
        &broken(
            "/agent",
            json!({"objectType": "Group", "mbox": "mailto:t@example.com"}),
        ),
        v2,
        code::CONTEXT,
        "context.contextAgents[0].agent.objectType",
    );
    refused_in(
        &broken("/relevantTypes", json!([])),
        v2,
        code::CONTEXT,
        "context.contextAgents[0].relevantTypes",
    );
    refused_in(
        &broken("/relevantTypes", json!(["abc"])),
        v2,
        code::IRI,
        "context.contextAgents[0].relevantTypes[0]",
    );
    refused_in(
        &with("/context/contextAgents", entry),
        v2,
        code::CONTEXT,
        "context.contextAgents",
    );
}

#[test]
fn context_groups_are_2_0_only_and_hold_groups() {
    let entry = json!({
        "objectType": "contextGroup",
        "group": {"objectType": "Group", "mbox": "mailto:team-1@example.com", "member": [{"mbox": "mailto:player-1@example.com"}]},
        "relevantTypes": ["https://example.com/xapi/activity-types/team/a"]
    });
    let s = with("/context/contextGroups", json!([entry.clone()]));
    assert_eq!(validate_statement(&s, XapiVersion::V2_0_0), Ok(()));
    refused_in(
        &s,
        XapiVersion::V1_0_3,
        code::CONTEXT,
        "context.contextGroups",
    );
    let mut agent_in_group = s.clone();
    set(
        &mut agent_in_group,
        "/context/contextGroups/0/group",
        json!({"objectType": "Agent", "mbox": "mailto:a@example.com"}),
    );
    refused_in(
        &agent_in_group,
        XapiVersion::V2_0_0,
        code::CONTEXT,
        "context.contextGroups[0].group.objectType",
    );
    let mut wrong_type = s;
    set(
        &mut wrong_type,
        "/context/contextGroups/0/objectType",
        json!("contextAgent"),
    );
    refused_in(
        &wrong_type,
        XapiVersion::V2_0_0,
        code::CONTEXT,
        "context.contextGroups[0].objectType",
    );
}

// --- timestamp, stored, authority, version ----------------------------------------------

#[test]
fn timestamp_and_stored_are_iso_8601() {
    accepted(&with("/timestamp", json!("2008-09-15T15:53:00.601+00:00")));
    accepted(&with("/timestamp", json!("2999-01-01T00:00:00Z")));
    accepted(&with("/stored", json!("2008-09-15T15:53:00.601Z")));
    refused(
        &with("/timestamp", json!("2008-09-15T15:53:00.601-00:00")),
        code::TIMESTAMP,
        "timestamp",
    );
    refused(
        &with("/timestamp", json!("01/011/2015")),
        code::TIMESTAMP,
        "timestamp",
    );
    refused(&with("/stored", json!(20080915)), code::TIMESTAMP, "stored");
}

#[test]
fn an_authority_is_an_agent_or_an_anonymous_pair() {
    let pair = json!({"objectType": "Group", "member": [
        {"account": {"homePage": "http://example.com/xAPI/OAuth/Token", "name": "oauth_consumer_x75db"}},
        {"mbox": "mailto:bob@example.com"}
    ]});
    accepted(&with(
        "/authority",
        json!({"mbox": "mailto:lrs@example.com"}),
    ));
    accepted(&with("/authority", pair.clone()));
    let mut identified = pair.clone();
    set(&mut identified, "/mbox", json!("mailto:bob@example.com"));
    refused(
        &with("/authority", identified),
        code::AUTHORITY,
        "authority",
    );
    let mut three = pair;
    three["member"]
        .as_array_mut()
        .unwrap()
        .push(json!({"mbox": "mailto:james@example.com"}));
    refused(&with("/authority", three), code::AUTHORITY, "authority");
    refused(
        &with(
            "/authority",
            json!({"objectType": "agent", "mbox": "mailto:lrs@example.com"}),
        ),
        code::AUTHORITY,
        "authority.objectType",
    );
}

#[test]
fn the_version_is_1_0_x_or_under_2_0_also_2_0_x() {
    for good in ["1.0", "1.0.0", "1.0.3", "1.0.9"] {
        accepted(&with("/version", json!(good)));
    }
    let v2 = with("/version", json!("2.0.0"));
    assert_eq!(validate_statement(&v2, XapiVersion::V2_0_0), Ok(()));
    refused_in(&v2, XapiVersion::V1_0_3, code::VERSION, "version");
    for bad in ["should fail", "0.9.9", "1.1.0", "1.0.", "1.0.3.1"] {
        refused(&with("/version", json!(bad)), code::VERSION, "version");
    }
    refused(&with("/version", json!(1.0)), code::VERSION, "version");
}

// --- attachments ------------------------------------------------------------------------

fn attachment() -> Value {
    json!({
        "usageType": "http://example.com/attachment-usage/test",
        "display": {"en-US": "A test attachment"},
        "description": {"en-US": "A test attachment (description)"},
        "contentType": "text/plain; charset=ascii",
        "length": 27,
        "sha2": "495395e777cd98da653df9615d09c0fd6bb2f8d4788394cd53c56a3bfdcd848a",
        "fileUrl": "http://over.there.com/file.txt"
    })
}

#[test]
fn attachments_follow_their_rules() {
    let mut s = statement();
    set(&mut s, "/attachments", json!([attachment()]));
    accepted(&s);
    let with_attachment = |at: &str, v: Value| {
        let mut s = statement();
        set(&mut s, "/attachments", json!([attachment()]));
        set(&mut s, &format!("/attachments/0{at}"), v);
        s
    };
    refused(
        &with_attachment("/usageType", json!("example.com/attachment-usage/test")),
        code::IRI,
        "attachments[0].usageType",
    );
    refused(
        &with_attachment("/display", json!({"a12345678": "x"})),
        code::LANGUAGE_MAP,
        "attachments[0].display.a12345678",
    );
    refused(
        &with_attachment("/contentType", json!("plain text")),
        code::ATTACHMENT,
        "attachments[0].contentType",
    );
    refused(
        &with_attachment("/length", json!(-1)),
        code::ATTACHMENT,
        "attachments[0].length",
    );
    refused(
        &with_attachment("/length", json!(2.5)),
        code::ATTACHMENT,
        "attachments[0].length",
    );
    refused(
        &with_attachment("/sha2", json!("not hex")),
        code::ATTACHMENT,
        "attachments[0].sha2",
    );
    refused(
        &with_attachment("/fileUrl", json!("over.there.com/file.txt")),
        code::IRI,
        "attachments[0].fileUrl",
    );
    let mut no_display = s.clone();
    no_display["attachments"][0]
        .as_object_mut()
        .unwrap()
        .remove("display");
    refused(&no_display, code::ATTACHMENT, "attachments[0].display");
    refused(
        &with("/attachments", attachment()),
        code::ATTACHMENT,
        "attachments",
    );
}

#[test]
fn a_signature_attachment_is_an_octet_stream() {
    let signature = |content_type: &str| {
        let mut a = attachment();
        set(&mut a, "/usageType", json!(SIGNATURE_USAGE));
        set(&mut a, "/contentType", json!(content_type));
        with("/attachments", json!([a]))
    };
    accepted(&signature("application/octet-stream"));
    refused(
        &signature("text/plain; charset=ascii"),
        code::ATTACHMENT,
        "attachments[0].contentType",
    );
}

// --- agent parameter and identifiers ----------------------------------------------------

#[test]
fn an_agent_parameter_names_one_agent_or_identified_group() {
    assert_eq!(
        validate_agent_param(&json!({"objectType": "Agent", "mbox": "mailto:a@example.com"})),
        Ok(())
    );
    assert_eq!(
        validate_agent_param(&json!({"objectType": "Group", "mbox": "mailto:t@example.com"})),
        Ok(())
    );
    for bad in [
        json!("wrong"),
        json!({"objectType": "Agent", "name": "no identifier"}),
        json!({"mbox": "mailto:a@example.com", "openid": "http://openid.example.org/1"}),
        json!({"objectType": "Group", "member": [{"mbox": "mailto:a@example.com"}]}),
        json!({"mbox": "a@example.com"}),
    ] {
        let e = validate_agent_param(&bad).unwrap_err();
        assert_eq!(e.code, code::ACTOR, "{bad}");
        assert!(e.field.unwrap().starts_with("agent"));
    }
}

#[test]
fn an_identifier_reads_the_email_domain_and_hash_case_insensitively() {
    assert_eq!(
        agent_ifi(&json!({"mbox": "mailto:Bob@Example.COM"})).as_deref(),
        Some("mbox:mailto:Bob@example.com")
    );
    assert_eq!(
        agent_ifi(&json!({"mbox_sha1sum": "CD9B00A5611F94EAA7B1661EDAB976068E364975"})).as_deref(),
        Some("mbox_sha1sum:cd9b00a5611f94eaa7b1661edab976068e364975")
    );
    assert_eq!(
        agent_ifi(&json!({"account": {"homePage": "http://example.com", "name": "n"}})).as_deref(),
        Some("account:http://example.com|n")
    );
    assert_eq!(
        agent_ifi(&json!({"objectType": "Group", "member": []})),
        None
    );
}

// --- stored form ------------------------------------------------------------------------

#[test]
fn normalizing_makes_context_activities_arrays() {
    let activity = json!({"id": "http://example.com/a"});
    let mut s = with("/context/contextActivities/parent", activity.clone());
    set(
        &mut s,
        "/context/contextActivities/grouping",
        json!([activity.clone()]),
    );
    let mut sub = substatement();
    set(
        &mut sub,
        "/context/contextActivities/category",
        activity.clone(),
    );
    set(&mut s, "/object", sub);
    normalize_statement(&mut s);
    assert_eq!(
        s["context"]["contextActivities"]["parent"],
        json!([activity.clone()])
    );
    assert_eq!(
        s["context"]["contextActivities"]["grouping"],
        json!([activity.clone()])
    );
    assert_eq!(
        s["object"]["context"]["contextActivities"]["category"],
        json!([activity])
    );
}

#[test]
fn normalizing_writes_timestamps_in_utc() {
    let mut s = with("/timestamp", json!("2023-05-04T12:00:00.123-05:00"));
    normalize_statement(&mut s);
    assert_eq!(s["timestamp"], json!("2023-05-04T17:00:00.123Z"));
    let mut whole = with("/timestamp", json!("2023-05-04T12:00:00+09:00"));
    normalize_statement(&mut whole);
    assert_eq!(whole["timestamp"], json!("2023-05-04T03:00:00Z"));
}

// --- index ------------------------------------------------------------------------------

#[test]
fn the_index_finds_every_agent_and_activity() {
    let s = json!({
        "actor": {"objectType": "Group", "mbox": "mailto:team@example.com", "member": [{"mbox": "mailto:a@example.com"}]},
        "verb": {"id": "http://example.com/verbs/met"},
        "object": {
            "objectType": "SubStatement",
            "actor": {"mbox": "mailto:sub@example.com"},
            "verb": {"id": "http://example.com/verbs/will-visit"},
            "object": {"id": "http://example.com/sub-activity"},
            "context": {
                "instructor": {"mbox": "mailto:sub-instructor@example.com"},
                "contextActivities": {"parent": {"id": "http://example.com/sub-parent"}}
            }
        },
        "authority": {"mbox": "mailto:lrs@example.com"},
        "context": {
            "registration": "ec531277-b57b-4c15-8d91-d292c5b2b8f7",
            "instructor": {"mbox": "mailto:instructor@example.com"},
            "team": {"objectType": "Group", "member": [{"mbox": "mailto:b@example.com"}]},
            "contextActivities": {
                "parent": {"id": "http://example.com/parent"},
                "grouping": [{"id": "http://example.com/grouping"}],
                "category": [{"id": "http://example.com/category"}],
                "other": [{"id": "http://example.com/other"}]
            },
            "contextAgents": [{"objectType": "contextAgent", "agent": {"mbox": "mailto:ca@example.com"}}],
            "contextGroups": [{"objectType": "contextGroup", "group": {"objectType": "Group", "openid": "http://openid.example.org/g"}}]
        }
    });
    let index = statement_index(&s);
    assert_eq!(index.actor.as_deref(), Some("mbox:mailto:team@example.com"));
    assert_eq!(index.actor_members, vec!["mbox:mailto:a@example.com"]);
    assert_eq!(index.activity, None);
    assert_eq!(
        index.registration.as_deref(),
        Some("ec531277-b57b-4c15-8d91-d292c5b2b8f7")
    );
    let agents: Vec<&str> = index.related_agents.iter().map(String::as_str).collect();
    assert_eq!(
        agents,
        [
            "mbox:mailto:team@example.com",
            "mbox:mailto:a@example.com",
            "mbox:mailto:lrs@example.com",
            "mbox:mailto:instructor@example.com",
            "mbox:mailto:b@example.com",
            "mbox:mailto:ca@example.com",
            "openid:http://openid.example.org/g",
            "mbox:mailto:sub@example.com",
            "mbox:mailto:sub-instructor@example.com",
        ]
    );
    let activities: Vec<&str> = index
        .related_activities
        .iter()
        .map(String::as_str)
        .collect();
    assert_eq!(
        activities,
        [
            "http://example.com/parent",
            "http://example.com/grouping",
            "http://example.com/category",
            "http://example.com/other",
            "http://example.com/sub-activity",
            "http://example.com/sub-parent",
        ]
    );
}

#[test]
fn the_index_reads_the_object_and_what_a_voiding_statement_voids() {
    let target = "8f87ccde-bb56-4c2e-ab83-44982ef22df0";
    let reference = json!({"objectType": "StatementRef", "id": target});
    let mut voiding = with("/verb/id", json!(VOIDED));
    set(&mut voiding, "/object", reference.clone());
    let index = statement_index(&voiding);
    assert_eq!(index.voids.as_deref(), Some(target));
    assert_eq!(index.statement_ref.as_deref(), Some(target));
    let plain = statement_index(&with("/object", reference));
    assert_eq!(plain.voids, None);
    assert_eq!(plain.statement_ref.as_deref(), Some(target));

    let activity = statement_index(&statement());
    assert_eq!(
        activity.activity.as_deref(),
        Some("http://www.example.com/meetings/occurances/34534")
    );
    assert_eq!(activity.related_activities.len(), 1);
    assert_eq!(activity.verb, "http://adlnet.gov/expapi/verbs/attended");

    let agent = statement_index(&with(
        "/object",
        json!({"objectType": "Group", "mbox": "mailto:t@example.com", "member": [{"mbox": "mailto:m@example.com"}]}),
    ));
    assert_eq!(
        agent.object_agent.as_deref(),
        Some("mbox:mailto:t@example.com")
    );
    assert_eq!(agent.object_members, vec!["mbox:mailto:m@example.com"]);
    assert_eq!(agent.activity, None);
    assert!(agent.related_activities.is_empty());
}

// --- comparison -------------------------------------------------------------------------

#[test]
fn statements_compare_without_what_the_lrs_sets() {
    let a = with("/id", json!("8f87ccde-bb56-4c2e-ab83-44982ef22df0"));
    let mut b = with("/id", json!("8F87CCDE-BB56-4C2E-AB83-44982EF22DF0"));
    set(&mut b, "/stored", json!("2024-01-01T00:00:00Z"));
    set(
        &mut b,
        "/authority",
        json!({"mbox": "mailto:lrs@example.com"}),
    );
    set(&mut b, "/version", json!("1.0.3"));
    set(&mut b, "/timestamp", json!("2024-01-01T00:00:00Z"));
    assert!(same_statement(&a, &b));
    let other_id = with("/id", json!("9f87ccde-bb56-4c2e-ab83-44982ef22df0"));
    assert!(!same_statement(&a, &other_id));
}

#[test]
fn timestamps_compare_as_instants() {
    let a = with("/timestamp", json!("2023-05-04T12:00:00-05:00"));
    let b = with("/timestamp", json!("2023-05-04T17:00:00.000Z"));
    let c = with("/timestamp", json!("2023-05-04T17:00:01Z"));
    assert!(same_statement(&a, &b));
    assert!(!same_statement(&a, &c));
}

#[test]
fn statements_compare_past_serialization_the_spec_lets_vary() {
    let group = |members: Value| {
        let mut s = with("/actor", json!({"objectType": "Group", "member": members}));
        set(&mut s, "/result/score/raw", json!(95));
        s
    };
    let a = group(json!([{"mbox": "mailto:a@example.com"}, {"mbox": "mailto:b@Example.com"}]));
    let mut b = group(
        json!([{"objectType": "Agent", "mbox": "mailto:b@example.com"}, {"mbox": "mailto:a@example.com"}]),
    );
    set(&mut b, "/verb/display", json!({"fr": "a assisté"}));
    set(
        &mut b,
        "/object/definition",
        json!({"name": {"en-US": "a newer definition"}}),
    );
    set(&mut b, "/result/score/raw", json!(95.0));
    set(&mut b, "/attachments", json!([attachment()]));
    assert!(same_statement(&a, &b));
    let other_member =
        group(json!([{"mbox": "mailto:a@example.com"}, {"mbox": "mailto:c@example.com"}]));
    assert!(!same_statement(&a, &other_member));
    let local_case =
        group(json!([{"mbox": "mailto:A@example.com"}, {"mbox": "mailto:b@example.com"}]));
    assert!(!same_statement(&a, &local_case));
}

#[test]
fn context_activities_and_durations_compare_as_the_spec_says() {
    let activity = json!({"id": "http://example.com/a"});
    let single = with("/context/contextActivities/parent", activity.clone());
    let array = with("/context/contextActivities/parent", json!([activity]));
    assert!(same_statement(&single, &array));
    let precise = with("/result/duration", json!("P1DT12H36M0.1237S"));
    let short = with("/result/duration", json!("P1DT12H36M0.12S"));
    let longer = with("/result/duration", json!("P1DT12H36M0.13S"));
    let other_form = with("/result/duration", json!("PT36H36M0.12S"));
    assert!(same_statement(&precise, &short));
    assert!(!same_statement(&short, &longer));
    assert!(!same_statement(&short, &other_form));
    assert!(!same_statement(
        &statement(),
        &with("/result/success", json!(true))
    ));
}

// --- formats ----------------------------------------------------------------------------

fn format_test_statement() -> Value {
    json!({
        "actor": {"objectType": "Agent", "name": "xAPI mbox", "mbox": "mailto:agent@adlnet.gov"},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/attended", "display": {"en-GB": "attended", "en-US": "attended"}},
        "object": {
            "objectType": "SubStatement",
            "actor": {"objectType": "Group", "name": "a group", "mbox": "mailto:group@adlnet.gov", "member": [{"name": "m", "mbox": "mailto:m@adlnet.gov"}]},
            "verb": {"id": "http://adlnet.gov/expapi/verbs/attended", "display": {"en-GB": "attended", "en-US": "attended", "ja-JP": "出席した"}},
            "object": {
                "objectType": "Activity",
                "id": "http://www.example.com/unicode",
                "definition": {
                    "name": {"en": "Other", "en-GB": "attended", "en-US": "attended"},
                    "description": {"en-US": "On this map", "en-GB": "On this map"},
                    "interactionType": "choice",
                    "choices": [{"id": "a", "description": {"en-US": "A", "ja-JP": "エー"}}]
                }
            }
        },
        "context": {
            "instructor": {"objectType": "Group", "member": [{"name": "n", "mbox": "mailto:n@adlnet.gov"}]},
            "contextActivities": {"category": [{"id": "http://example.com/c", "definition": {"name": {"en-US": "c", "en-GB": "c"}}}]}
        }
    })
}

#[test]
fn format_ids_keeps_only_identifiers() {
    let mut s = format_test_statement();
    format_ids(&mut s);
    assert_eq!(
        s["actor"],
        json!({"objectType": "Agent", "mbox": "mailto:agent@adlnet.gov"})
    );
    assert_eq!(
        s["verb"],
        json!({"id": "http://adlnet.gov/expapi/verbs/attended"})
    );
    assert_eq!(s["object"]["objectType"], json!("SubStatement"));
    assert_eq!(
        s["object"]["actor"],
        json!({"objectType": "Group", "mbox": "mailto:group@adlnet.gov"})
    );
    assert_eq!(
        s["object"]["verb"],
        json!({"id": "http://adlnet.gov/expapi/verbs/attended"})
    );
    assert_eq!(
        s["object"]["object"],
        json!({"id": "http://www.example.com/unicode"})
    );
    assert_eq!(
        s["context"]["instructor"],
        json!({"objectType": "Group", "member": [{"mbox": "mailto:n@adlnet.gov"}]})
    );
    assert_eq!(
        s["context"]["contextActivities"]["category"],
        json!([{"id": "http://example.com/c"}])
    );
}

#[test]
fn format_canonical_keeps_the_preferred_language() {
    let mut s = format_test_statement();
    format_canonical(&mut s, &["en-GB".to_owned()]);
    assert_eq!(s["verb"]["display"], json!({"en-GB": "attended"}));
    assert_eq!(s["object"]["verb"]["display"], json!({"en-GB": "attended"}));
    let definition = &s["object"]["object"]["definition"];
    assert_eq!(definition["name"], json!({"en-GB": "attended"}));
    assert_eq!(definition["description"], json!({"en-GB": "On this map"}));
    assert_eq!(
        definition["choices"][0]["description"],
        json!({"en-US": "A"})
    );
    assert_eq!(
        s["context"]["contextActivities"]["category"][0]["definition"]["name"],
        json!({"en-GB": "c"})
    );
    assert_eq!(s["actor"]["name"], json!("xAPI mbox"));
    assert_eq!(s["object"]["actor"]["name"], json!("a group"));
}

#[test]
fn format_canonical_matches_language_ranges() {
    let canonical = |display: Value, languages: &[&str]| {
        let mut s = with("/verb/display", display);
        let languages: Vec<String> = languages.iter().map(|l| (*l).to_owned()).collect();
        format_canonical(&mut s, &languages);
        s["verb"]["display"].clone()
    };
    let display = json!({"en-US": "attended", "ja-JP": "出席した", "fr": "a assisté"});
    assert_eq!(
        canonical(display.clone(), &["ja"]),
        json!({"ja-JP": "出席した"})
    );
    assert_eq!(
        canonical(display.clone(), &["fr-CA"]),
        json!({"fr": "a assisté"})
    );
    assert_eq!(
        canonical(display.clone(), &["de", "ja-jp;q=0.8"]),
        json!({"ja-JP": "出席した"})
    );
    assert_eq!(
        canonical(display.clone(), &["de"]),
        json!({"en-US": "attended"})
    );
    assert_eq!(canonical(display, &["*"]), json!({"en-US": "attended"}));
}

#[test]
fn attachment_data_matches_the_digest_its_statement_names() {
    let sha256 = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824";
    assert!(attachment_matches(sha256, b"hello"));
    assert!(attachment_matches(&sha256.to_uppercase(), b"hello"));
    assert!(!attachment_matches(sha256, b"hello!"));
    assert!(!attachment_matches("abc", b"hello"));
}
