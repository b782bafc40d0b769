//! Tests of the lifecycle: the state machine over every pair, the period (C01, C02), the
//! designation number, change notices (C03, C04) and revocation reasons (C06).

use std::sync::OnceLock;

use time::Date;
use time::macros::date;

use super::*;
use crate::designation::application::{Application, RevocationRecord};
use crate::designation::documents::DocumentKind;
use crate::designation::fixtures::{PROVIDER_CORPORATE_NUMBER, complete_application};
use crate::designation::rules::{RuleContext, revocation_bars};
use crate::taxonomy::Taxonomy;
use crate::types::CorporateNumber;

const TODAY: Date = date!(2026 - 04 - 01);

// --- State machine ---------------------------------------------------------------------------

/// One event of each kind, with data where the kind needs it.
fn sample(kind: EventKind) -> Event {
    match kind {
        EventKind::Submit => Event::Submit,
        EventKind::StartReview => Event::StartReview,
        EventKind::RequestRevision => Event::RequestRevision,
        EventKind::Designate => Event::Designate {
            period: DesignationPeriod::from_designation_date(TODAY),
        },
        EventKind::Reject => Event::Reject,
        EventKind::Abolish => Event::Abolish {
            effective_on: date!(2027 - 03 - 31),
        },
        EventKind::Revoke => Event::Revoke {
            reason: RevocationReason::Misconduct,
            on: date!(2027 - 06 - 15),
        },
        EventKind::Expire => Event::Expire,
    }
}

/// The legal transitions, written out independently of the implementation's table.
const LEGAL: [(Status, EventKind, Status); 9] = [
    (Status::Draft, EventKind::Submit, Status::Submitted),
    (
        Status::RevisionRequested,
        EventKind::Submit,
        Status::Submitted,
    ),
    (
        Status::Submitted,
        EventKind::StartReview,
        Status::UnderReview,
    ),
    (
        Status::UnderReview,
        EventKind::RequestRevision,
        Status::RevisionRequested,
    ),
    (
        Status::UnderReview,
        EventKind::Designate,
        Status::Designated,
    ),
    (Status::UnderReview, EventKind::Reject, Status::Rejected),
    (Status::Designated, EventKind::Abolish, Status::Abolished),
    (Status::Designated, EventKind::Revoke, Status::Revoked),
    (Status::Designated, EventKind::Expire, Status::Expired),
];

#[test]
fn transition_table_covers_every_status_and_event_pair() {
    let mut checked = 0;
    for from in Status::ALL {
        for kind in EventKind::ALL {
            let event = sample(kind);
            let expected = LEGAL
                .iter()
                .find(|(f, k, _)| *f == from && *k == kind)
                .map(|(_, _, to)| *to);
            let got = transition(from, &event);
            match expected {
                Some(to) => assert_eq!(got, Ok(to), "{from:?} --{}--> {to:?}", kind.name()),
                None => assert_eq!(
                    got,
                    Err(IllegalTransition {
                        from,
                        event: kind.name()
                    }),
                    "{from:?} --{}--> must be illegal",
                    kind.name()
                ),
            }
            checked += 1;
        }
    }
    assert_eq!(checked, 9 * 8);
}

#[test]
fn designating_a_draft_is_illegal() {
    let err = transition(Status::Draft, &sample(EventKind::Designate)).unwrap_err();
    assert_eq!(err.from, Status::Draft);
    assert_eq!(err.event, "designate");
}

#[test]
fn revoking_a_rejected_application_is_illegal() {
    let err = transition(Status::Rejected, &sample(EventKind::Revoke)).unwrap_err();
    assert_eq!((err.from, err.event), (Status::Rejected, "revoke"));
}

#[test]
fn submitting_a_designated_course_is_illegal() {
    let err = transition(Status::Designated, &Event::Submit).unwrap_err();
    assert_eq!((err.from, err.event), (Status::Designated, "submit"));
}

#[test]
fn nothing_leaves_a_final_status() {
    for from in Status::ALL.into_iter().filter(|s| s.is_final()) {
        assert!(from.possible_events().is_empty(), "{from:?}");
        for kind in EventKind::ALL {
            assert!(
                transition(from, &sample(kind)).is_err(),
                "{from:?} {kind:?}"
            );
        }
    }
}

#[test]
fn final_statuses_are_rejected_abolished_revoked_expired() {
    let finals: Vec<Status> = Status::ALL.into_iter().filter(|s| s.is_final()).collect();
    assert_eq!(
        finals,
        [
            Status::Rejected,
            Status::Abolished,
            Status::Revoked,
            Status::Expired
        ]
    );
}

#[test]
fn resubmission_after_revision_request_goes_back_to_submitted() {
    let mut s = Status::Draft;
    for e in [
        Event::Submit,
        Event::StartReview,
        Event::RequestRevision,
        Event::Submit,
        Event::StartReview,
        sample(EventKind::Designate),
        Event::Expire,
    ] {
        s = transition(s, &e).unwrap();
    }
    assert_eq!(s, Status::Expired);
}

#[test]
fn possible_events_agree_with_transition() {
    for from in Status::ALL {
        for kind in EventKind::ALL {
            assert_eq!(
                from.possible_events().contains(&kind),
                transition(from, &sample(kind)).is_ok(),
                "{from:?} {kind:?}"
            );
        }
    }
}

#[test]
fn status_codes_round_trip_and_match_serde() {
    for s in Status::ALL {
        assert_eq!(Status::from_code(s.code()), Some(s));
        let json = serde_name(&s);
        assert_eq!(json, s.code());
    }
    assert_eq!(Status::from_code("approved"), None);
}

#[test]
fn event_names_match_kinds_and_serde() {
    for kind in EventKind::ALL {
        assert_eq!(sample(kind).name(), kind.name());
        assert_eq!(sample(kind).kind(), kind);
        assert_eq!(EventKind::from_name(kind.name()), Some(kind));
        assert_eq!(serde_name(&kind), kind.name());
    }
    assert_eq!(Event::StartReview.name(), "start_review");
    assert_eq!(Event::RequestRevision.name(), "request_revision");
}

/// The serde name of a unit variant. Through `toml::Value` because the domain has no JSON
/// crate; a unit variant becomes a plain string either way.
fn serde_name<T: Serialize + serde::de::DeserializeOwned + PartialEq + fmt::Debug>(
    value: &T,
) -> String {
    let v = toml::Value::try_from(value).unwrap();
    let back: T = v.clone().try_into().unwrap();
    assert_eq!(&back, value);
    v.as_str().unwrap().to_owned()
}

#[test]
fn illegal_transition_error_names_status_and_action() {
    let err = transition(Status::Draft, &sample(EventKind::Designate)).unwrap_err();
    let v = err.to_validation_error();
    assert_eq!(v.code, "lifecycle.illegal_transition");
    assert!(v.message_ja.contains("下書き"), "{}", v.message_ja);
    assert!(
        v.message_ja.contains("特定講習の対象とすること"),
        "{}",
        v.message_ja
    );
    assert!(v.message_en.contains("draft"), "{}", v.message_en);
    assert!(v.message_en.contains("designate"), "{}", v.message_en);
    assert_eq!(err.to_string(), v.message_en);
    let as_error: &dyn std::error::Error = &err;
    assert!(as_error.source().is_none());
}

// --- Period and number -----------------------------------------------------------------------

#[test]
fn c01_designated_1_april_2026_runs_to_31_march_2029() {
    let p = DesignationPeriod::from_designation_date(date!(2026 - 04 - 01));
    assert_eq!(p.starts_on, date!(2026 - 04 - 01));
    assert_eq!(p.ends_on, date!(2029 - 03 - 31));
    assert!(p.contains(date!(2026 - 04 - 01)));
    assert!(p.contains(date!(2029 - 03 - 31)));
    assert!(!p.contains(date!(2026 - 03 - 31)));
    assert!(!p.contains(date!(2029 - 04 - 01)));
}

#[test]
fn c01_designated_29_february_ends_on_last_day_of_february() {
    let p = DesignationPeriod::from_designation_date(date!(2028 - 02 - 29));
    // 2031 has no 29 February: the third anniversary is 1 March, the period ends the day before.
    assert_eq!(p.ends_on, date!(2031 - 02 - 28));
    assert_eq!(p.final_year_starts_on(), date!(2030 - 03 - 01));
    assert!(p.in_final_year(date!(2031 - 02 - 28)));
    assert!(!p.in_final_year(date!(2030 - 02 - 28)));
}

#[test]
fn c02_final_year_boundaries() {
    let p = DesignationPeriod::from_designation_date(date!(2026 - 04 - 01));
    assert_eq!(p.final_year_starts_on(), date!(2028 - 04 - 01));
    assert!(!p.in_final_year(date!(2028 - 03 - 31)));
    assert!(p.in_final_year(date!(2028 - 04 - 01)));
    assert!(p.in_final_year(date!(2029 - 03 - 31)));
    assert!(!p.in_final_year(date!(2029 - 04 - 01)));
}

#[test]
fn designation_number_is_tokko_fiscal_year_and_three_digits() {
    assert_eq!(
        designation_number(date!(2026 - 04 - 01), 1).unwrap(),
        "特講2026-001"
    );
    assert_eq!(
        designation_number(date!(2026 - 04 - 01), 42).unwrap(),
        "特講2026-042"
    );
    assert_eq!(
        designation_number(date!(2026 - 04 - 01), 999).unwrap(),
        "特講2026-999"
    );
}

#[test]
fn designation_number_uses_the_fiscal_year_of_the_date() {
    assert_eq!(
        designation_number(date!(2027 - 03 - 31), 7).unwrap(),
        "特講2026-007"
    );
    assert_eq!(
        designation_number(date!(2027 - 04 - 01), 7).unwrap(),
        "特講2027-007"
    );
}

#[test]
fn designation_number_rejects_sequence_out_of_range() {
    for seq in [0, 1000] {
        let e = designation_number(TODAY, seq).unwrap_err();
        assert_eq!(e.code, "designation_number.sequence", "{seq}");
    }
    let e = designation_number(date!(1980 - 04 - 01), 1).unwrap_err();
    assert_eq!(e.code, "fiscal_year.range");
}

// --- Change notices --------------------------------------------------------------------------

fn taxonomy() -> &'static Taxonomy {
    static TAX: OnceLock<Taxonomy> = OnceLock::new();
    TAX.get_or_init(|| Taxonomy::embedded().unwrap())
}

fn assess(current: &Application, proposed: &Application) -> ChangeVerdict {
    let ctx = RuleContext {
        taxonomy: taxonomy(),
        today: TODAY,
        revocations: &[],
        documents: &DocumentKind::ALL,
    };
    assess_change(current, proposed, &ctx)
}

fn designated() -> Application {
    complete_application(TODAY)
}

fn finding(v: ChangeVerdict) -> crate::designation::Finding {
    match v {
        ChangeVerdict::NewApplicationNeeded(f) => f,
        other => panic!("expected NewApplicationNeeded, got {other:?}"),
    }
}

#[test]
fn c03_name_change_only_is_acceptable_and_must_be_notified() {
    let current = designated();
    let mut proposed = current.clone();
    proposed.course.name = "実践インシデントレスポンス演習".to_owned();
    let v = assess(&current, &proposed);
    assert_eq!(
        v,
        ChangeVerdict::Acceptable {
            items: vec![ChangeItem::CourseName]
        }
    );
    assert!(ChangeItem::CourseName.must_notify());
}

#[test]
fn c04_curriculum_below_six_hours_needs_new_application() {
    let current = designated();
    let mut proposed = current.clone();
    // The fixture totals 6 h 15 min: 30 minutes less is below the 6 hours of B01.
    proposed.curriculum[1].minutes -= 30;
    let f = finding(assess(&current, &proposed));
    assert!(f.message_ja.contains("B01"), "{}", f.message_ja);
    assert!(f.message_ja.contains("3-2(1)-1"), "{}", f.message_ja);
    assert!(f.message_en.contains("B01"), "{}", f.message_en);
    assert!(
        f.fields().contains(&"curriculum[1].minutes"),
        "{:?}",
        f.fields()
    );
}

#[test]
fn c04_changed_itss_field_needs_new_application() {
    let current = designated();
    let mut proposed = current.clone();
    proposed.course.itss_fields[1] = "sec_audit".to_owned();
    let f = finding(assess(&current, &proposed));
    assert!(
        f.fields().contains(&"course.itss_fields"),
        "{:?}",
        f.fields()
    );
    assert!(f.message_ja.contains("3-2(1)-1"), "{}", f.message_ja);
    assert!(f.message_ja.contains("sec_audit"), "{}", f.message_ja);
}

#[test]
fn c04_changed_target_persona_needs_new_application() {
    let current = designated();
    let mut proposed = current.clone();
    proposed.course.target_persona = Some(crate::designation::application::TargetPersona::InHouse);
    let f = finding(assess(&current, &proposed));
    assert_eq!(f.fields(), ["course.target_persona"]);
}

#[test]
fn c04_reordered_fields_are_not_a_change_of_field() {
    let current = designated();
    let mut proposed = current.clone();
    proposed.course.itss_fields.reverse();
    assert_eq!(
        assess(&current, &proposed),
        ChangeVerdict::Acceptable {
            items: vec![ChangeItem::Other]
        }
    );
}

#[test]
fn c04_curriculum_change_that_keeps_every_rule_is_acceptable() {
    let current = designated();
    let mut proposed = current.clone();
    proposed.curriculum[1].minutes += 30;
    proposed.curriculum[1].title = "SIEM を用いたログ分析演習（拡充版）".to_owned();
    assert_eq!(
        assess(&current, &proposed),
        ChangeVerdict::Acceptable {
            items: vec![ChangeItem::Curriculum]
        }
    );
    assert!(!ChangeItem::Curriculum.must_notify());
}

#[test]
fn c04_a_rule_failing_before_the_change_does_not_count() {
    let mut current = designated();
    current.curriculum[1].minutes -= 30; // already short of 6 hours (B01 fails before)
    let mut proposed = current.clone();
    proposed.curriculum[1].minutes -= 15;
    assert_eq!(
        assess(&current, &proposed),
        ChangeVerdict::Acceptable {
            items: vec![ChangeItem::Curriculum]
        }
    );
}

#[test]
fn identical_application_is_acceptable_with_no_items() {
    let current = designated();
    assert_eq!(
        assess(&current, &current.clone()),
        ChangeVerdict::Acceptable { items: vec![] }
    );
}

#[test]
fn changed_items_maps_fields_in_all_order() {
    let current = designated();
    let mut p = current.clone();
    p.delivery.format = crate::designation::application::DeliveryFormat::InPerson;
    p.delivery.stall_detection_and_follow_up = String::new();
    p.instructors[0].name = "別の講師".to_owned();
    p.materials.clear();
    p.assistants.number_at_start += 1;
    p.plan.structure = "新しい実施体制".to_owned();
    p.course.level4_explanation = "改訂した説明".to_owned();
    if let Some(org) = p.provider.organisation.as_mut() {
        org.name_ja = "株式会社サイバー研修ホールディングス".to_owned();
        org.address = "東京都港区1-1-1".to_owned();
        org.responsible.inquiry_desk.name = "新窓口".to_owned();
    }
    assert_eq!(
        changed_items(&current, &p),
        [
            ChangeItem::CorporateName,
            ChangeItem::Address,
            ChangeItem::Contact,
            ChangeItem::Structure,
            ChangeItem::Format,
            ChangeItem::Instructors,
            ChangeItem::Level,
            ChangeItem::Materials,
            ChangeItem::Other,
        ]
    );
}

#[test]
fn change_items_codes_round_trip_and_must_notify_follows_5_2() {
    for item in ChangeItem::ALL {
        assert_eq!(ChangeItem::from_code(item.code()), Some(item));
        assert_eq!(serde_name(&item), item.code());
    }
    let must: Vec<ChangeItem> = ChangeItem::ALL
        .into_iter()
        .filter(|i| i.must_notify())
        .collect();
    assert_eq!(
        must,
        [
            ChangeItem::CorporateName,
            ChangeItem::Address,
            ChangeItem::Contact,
            ChangeItem::Structure,
            ChangeItem::CourseName,
            ChangeItem::Format,
            ChangeItem::Instructors,
        ]
    );
}

// --- Revocation ------------------------------------------------------------------------------

#[test]
fn c06_revocation_reason_codes_round_trip() {
    let clauses: Vec<&str> = RevocationReason::ALL.iter().map(|r| r.clause()).collect();
    assert_eq!(
        clauses,
        ["5-3(ア)", "5-3(イ)", "5-3(ウ)", "5-3(エ)", "5-3(オ)"]
    );
    for r in RevocationReason::ALL {
        assert_eq!(RevocationReason::from_code(r.code()), Some(r));
        assert_eq!(serde_name(&r), r.code());
        assert!(!r.label_ja().is_empty() && !r.label_en().is_empty());
    }
    assert_eq!(RevocationReason::from_code("fraud"), None);
}

#[test]
fn c06_only_misconduct_bars_new_designations_consistently_with_b28() {
    let barring: Vec<RevocationReason> = RevocationReason::ALL
        .into_iter()
        .filter(|r| r.bars_new_designations())
        .collect();
    assert_eq!(barring, [RevocationReason::Misconduct]);
    let corporate_number = CorporateNumber::parse(PROVIDER_CORPORATE_NUMBER).unwrap();
    for reason in RevocationReason::ALL {
        let record = RevocationRecord {
            corporate_number: corporate_number.clone(),
            revoked_on: TODAY,
            reason,
        };
        assert_eq!(
            revocation_bars(&record, TODAY),
            reason.bars_new_designations(),
            "{reason:?}"
        );
    }
}

#[test]
fn events_round_trip_through_serde_with_their_data() {
    for kind in EventKind::ALL {
        let event = sample(kind);
        let value = toml::Value::try_from(&event).unwrap();
        assert_eq!(
            value.get("event").and_then(|v| v.as_str()),
            Some(kind.name())
        );
        let back: Event = value.try_into().unwrap();
        assert_eq!(back, event);
    }
}

#[test]
fn designation_end_codes_round_trip() {
    use super::DesignationEnd;
    let mut ends = vec![DesignationEnd::Abolished];
    ends.extend(
        RevocationReason::ALL
            .into_iter()
            .map(DesignationEnd::Revoked),
    );
    for end in ends {
        assert_eq!(DesignationEnd::from_code(&end.code()), Some(end));
    }
    for bad in [
        "",
        "revoked",
        "revoked:",
        "revoked:zz",
        "abolished:x",
        "expired",
    ] {
        assert_eq!(DesignationEnd::from_code(bad), None, "{bad}");
    }
}

#[test]
fn a_move_is_what_transition_allows() {
    let m = Move::of(Status::Submitted, &Event::StartReview).unwrap();
    assert_eq!(
        (m.from, m.to, m.event),
        (
            Status::Submitted,
            Status::UnderReview,
            EventKind::StartReview
        )
    );
    assert!(Move::of(Status::Draft, &Event::Reject).is_err());
}

#[test]
fn designation_sequence_reads_back_the_number_of_its_fiscal_year() {
    let fy2026 = crate::types::FiscalYear::of(date!(2026 - 06 - 01)).unwrap();
    let number = designation_number(date!(2026 - 06 - 01), 7).unwrap();
    assert_eq!(designation_sequence(&number, fy2026), Some(7));
    assert_eq!(designation_sequence("特講2027-007", fy2026), None);
    assert_eq!(designation_sequence("特講2026-07", fy2026), None);
    assert_eq!(designation_sequence("2026-007", fy2026), None);
}

#[test]
fn outcome_codes_round_trip() {
    for o in Outcome::ALL {
        assert_eq!(Outcome::from_code(o.code()), Some(o));
    }
    assert_eq!(Outcome::from_code("designated"), None);
}
