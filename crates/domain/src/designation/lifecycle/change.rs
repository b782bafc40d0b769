//! Change notices (変更届, 様式第3号; 5-2, C03, C04): what changed, and whether it is still
//! the same course.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::designation::application::{Application, TargetPersona};
use crate::designation::rules::{RuleContext, rule_by_id};
use crate::designation::verdict::{Finding, Problem, Verdict};

/// What a change notice changes, in the terms of 5-2 (様式第3号).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeItem {
    /// 法人名.
    CorporateName,
    /// 所在地.
    Address,
    /// 担当者及び連絡先.
    Contact,
    /// 実施体制.
    Structure,
    /// 講習の名称.
    CourseName,
    /// 講習形態.
    Format,
    /// 担当講師.
    Instructors,
    /// 目標とするレベル (the target persona and its level-4 explanation).
    Level,
    /// 対象分野 (ITSS+ fields).
    Fields,
    /// 教材.
    Materials,
    /// カリキュラム.
    Curriculum,
    /// Anything else in the application.
    Other,
}

impl ChangeItem {
    /// Every item, in the order of 5-2 and then the contents of the course.
    pub const ALL: [Self; 12] = [
        Self::CorporateName,
        Self::Address,
        Self::Contact,
        Self::Structure,
        Self::CourseName,
        Self::Format,
        Self::Instructors,
        Self::Level,
        Self::Fields,
        Self::Materials,
        Self::Curriculum,
        Self::Other,
    ];

    /// The stable code, equal to the serde name (`course_name`).
    pub const fn code(self) -> &'static str {
        match self {
            Self::CorporateName => "corporate_name",
            Self::Address => "address",
            Self::Contact => "contact",
            Self::Structure => "structure",
            Self::CourseName => "course_name",
            Self::Format => "format",
            Self::Instructors => "instructors",
            Self::Level => "level",
            Self::Fields => "fields",
            Self::Materials => "materials",
            Self::Curriculum => "curriculum",
            Self::Other => "other",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|i| i.code() == code)
    }

    pub const fn label_ja(self) -> &'static str {
        match self {
            Self::CorporateName => "法人名",
            Self::Address => "所在地",
            Self::Contact => "担当者及び連絡先",
            Self::Structure => "実施体制",
            Self::CourseName => "講習の名称",
            Self::Format => "講習形態",
            Self::Instructors => "担当講師",
            Self::Level => "目標とするレベル",
            Self::Fields => "対象分野",
            Self::Materials => "教材",
            Self::Curriculum => "カリキュラム",
            Self::Other => "その他",
        }
    }

    pub const fn label_en(self) -> &'static str {
        match self {
            Self::CorporateName => "corporate name",
            Self::Address => "address",
            Self::Contact => "persons in charge and contacts",
            Self::Structure => "delivery structure",
            Self::CourseName => "course name",
            Self::Format => "delivery format",
            Self::Instructors => "instructors",
            Self::Level => "target level",
            Self::Fields => "fields",
            Self::Materials => "materials",
            Self::Curriculum => "curriculum",
            Self::Other => "other",
        }
    }

    /// C03: 「次に示す項目の変更については、必ず届け出ることが必要です」 — corporate name,
    /// address, contact, structure, course name, format, instructors. (Other changes are
    /// notified unless minor; whether one is minor is the ministry's call.)
    pub const fn must_notify(self) -> bool {
        matches!(
            self,
            Self::CorporateName
                | Self::Address
                | Self::Contact
                | Self::Structure
                | Self::CourseName
                | Self::Format
                | Self::Instructors
        )
    }
}

/// What [`assess_change`] says about a change notice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "verdict", rename_all = "snake_case")]
pub enum ChangeVerdict {
    /// The change may be notified; `items` are what changed (each with must_notify()).
    Acceptable { items: Vec<ChangeItem> },
    /// C04: the course would no longer be the same course: a new application is needed. The
    /// finding names the rules (clause) and fields.
    NewApplicationNeeded(Finding),
}

impl ChangeVerdict {
    pub const fn is_acceptable(&self) -> bool {
        matches!(self, Self::Acceptable { .. })
    }
}

/// The data-decided rules of 3-2(1) and (2) — the parts against which 5-1 留意点③ asks
/// whether the course is still the same — that [`assess_change`] re-runs.
pub const SAME_COURSE_RULES: [&str; 8] = ["B01", "B03", "B04", "B05", "B06", "B09", "B10", "B11"];

fn field_set(app: &Application) -> BTreeSet<&str> {
    app.course.itss_fields.iter().map(String::as_str).collect()
}

/// What differs between two versions of an application, in [`ChangeItem::ALL`] order.
///
/// Every field not mapped to a named item counts as `Other`: the comparison copies the
/// mapped fields across and compares what is left, so a field added to [`Application`]
/// later is never silently ignored.
pub fn changed_items(current: &Application, proposed: &Application) -> Vec<ChangeItem> {
    let (c, p) = (current, proposed);
    let mut items = BTreeSet::new();
    let mut rest = p.clone();

    if c.course.name != p.course.name {
        items.insert(ChangeItem::CourseName);
    }
    rest.course.name.clone_from(&c.course.name);
    if c.course.target_persona != p.course.target_persona
        || c.course.level4_explanation != p.course.level4_explanation
    {
        items.insert(ChangeItem::Level);
    }
    rest.course.target_persona = c.course.target_persona;
    rest.course
        .level4_explanation
        .clone_from(&c.course.level4_explanation);
    // Fields are a set: reordering them is not a change of field (it still shows as Other).
    if field_set(c) != field_set(p) {
        items.insert(ChangeItem::Fields);
        rest.course.itss_fields.clone_from(&c.course.itss_fields);
    }
    if c.delivery.format != p.delivery.format {
        items.insert(ChangeItem::Format);
    }
    rest.delivery.format = c.delivery.format;
    if c.instructors != p.instructors {
        items.insert(ChangeItem::Instructors);
    }
    rest.instructors.clone_from(&c.instructors);
    if c.curriculum != p.curriculum {
        items.insert(ChangeItem::Curriculum);
    }
    rest.curriculum.clone_from(&c.curriculum);
    if c.materials != p.materials {
        items.insert(ChangeItem::Materials);
    }
    rest.materials.clone_from(&c.materials);
    if c.assistants != p.assistants
        || c.supervisor != p.supervisor
        || c.plan.structure != p.plan.structure
    {
        items.insert(ChangeItem::Structure);
    }
    rest.assistants.clone_from(&c.assistants);
    rest.supervisor.clone_from(&c.supervisor);
    rest.plan.structure.clone_from(&c.plan.structure);

    match (&c.provider.organisation, &mut rest.provider.organisation) {
        (Some(co), Some(ro)) => {
            if co.name_ja != ro.name_ja || co.name_en != ro.name_en {
                items.insert(ChangeItem::CorporateName);
            }
            if co.address != ro.address {
                items.insert(ChangeItem::Address);
            }
            if co.responsible != ro.responsible {
                items.insert(ChangeItem::Contact);
            }
            ro.name_ja.clone_from(&co.name_ja);
            ro.name_en.clone_from(&co.name_en);
            ro.address.clone_from(&co.address);
            ro.responsible.clone_from(&co.responsible);
        }
        (None, None) => {}
        // Registered on one side only: every organisation fact changed (the rest, such as
        // the 法人番号, shows as Other).
        _ => {
            items.extend([
                ChangeItem::CorporateName,
                ChangeItem::Address,
                ChangeItem::Contact,
            ]);
        }
    }

    if &rest != c {
        items.insert(ChangeItem::Other);
    }
    items.into_iter().collect()
}

fn persona_ja(p: Option<TargetPersona>) -> &'static str {
    p.map_or("未選択", TargetPersona::label_ja)
}

fn persona_en(p: Option<TargetPersona>) -> &'static str {
    p.map_or("not chosen", TargetPersona::label_en)
}

fn list_or_none(items: &[&str], none: &str) -> String {
    if items.is_empty() {
        none.to_owned()
    } else {
        items.join(", ")
    }
}

/// Compares the designated application with the proposed one (C03, C04; 5-1 留意点③, 5-2).
///
/// A change of target persona (the level) or of the ITSS+ fields is always
/// `NewApplicationNeeded` (3-2(1)-1): 「目標とするレベル、対象分野…の変更などにより…変更前後の
/// 講習が同一であると認められない変更は、原則として、認められません」. Any other change is
/// `NewApplicationNeeded` when a rule of [`SAME_COURSE_RULES`] that passes for `current`
/// fails for `proposed` (evaluated with `ctx`); a rule `current` already failed does not
/// count, since the change did not cause it. Otherwise `Acceptable` with the
/// [`changed_items`]; no change at all gives `Acceptable { items: [] }`.
///
/// A rewording of the level-4 explanation alone is `Acceptable` with `Level`: the target
/// level is unchanged, and the ministry reviews the notice.
pub fn assess_change(
    current: &Application,
    proposed: &Application,
    ctx: &RuleContext<'_>,
) -> ChangeVerdict {
    let items = changed_items(current, proposed);
    if items.is_empty() {
        return ChangeVerdict::Acceptable { items };
    }
    let mut problems = Vec::new();

    let (before, after) = (
        current.course.target_persona,
        proposed.course.target_persona,
    );
    if before != after {
        problems.push(Problem::new(
            format!(
                "目指すべき人材像（目標とするレベル、3-2(1)-1）が「{}」から「{}」に変わるため、変更前後の講習は同一と認められません。",
                persona_ja(before),
                persona_ja(after)
            ),
            format!(
                "The target persona (the level, 3-2(1)-1) changes from \"{}\" to \"{}\", so it is no longer the same course.",
                persona_en(before),
                persona_en(after)
            ),
            ["course.target_persona"],
        ));
    }

    let (before, after) = (field_set(current), field_set(proposed));
    if before != after {
        let added: Vec<&str> = after.difference(&before).copied().collect();
        let removed: Vec<&str> = before.difference(&after).copied().collect();
        problems.push(Problem::new(
            format!(
                "ITSS+（セキュリティ領域）の対象分野（3-2(1)-1）が変わるため（追加：{}、削除：{}）、変更前後の講習は同一と認められません。",
                list_or_none(&added, "なし"),
                list_or_none(&removed, "なし")
            ),
            format!(
                "The ITSS+ fields (3-2(1)-1) change (added: {}; removed: {}), so it is no longer the same course.",
                list_or_none(&added, "none"),
                list_or_none(&removed, "none")
            ),
            ["course.itss_fields"],
        ));
    }

    for rule in SAME_COURSE_RULES.iter().filter_map(|id| rule_by_id(id)) {
        if !(rule.check)(current, ctx).is_pass() {
            continue;
        }
        if let Verdict::Fail(finding) = (rule.check)(proposed, ctx) {
            problems.push(Problem::new(
                format!(
                    "変更後は次の要件を満たさなくなります：{}",
                    finding.message_ja
                ),
                format!(
                    "After the change the course no longer meets: {}",
                    finding.message_en
                ),
                finding.fields(),
            ));
        }
    }

    if problems.is_empty() {
        return ChangeVerdict::Acceptable { items };
    }
    let ja = problems
        .iter()
        .map(|p| p.message_ja.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    let en = problems
        .iter()
        .map(|p| p.message_en.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    ChangeVerdict::NewApplicationNeeded(Finding {
        message_ja: format!(
            "この変更は変更届（様式第3号）では認められません。改めて特定講習の応募が必要です（5-1 留意点③、5-2）。{ja}"
        ),
        message_en: format!(
            "This change cannot be notified as a change (form 3): the course needs a new application (5-1 note 3, 5-2). {en}"
        ),
        problems,
    })
}
