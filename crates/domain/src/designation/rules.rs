//! The rules B01–B33 of `docs/requirements.md`, one function each, named for its ID, and the
//! registry [`rules`] that gives each its clause of the guideline (3-2) and its kind.
//!
//! Messages quote the guideline's wording in Japanese and say what to change; each problem
//! carries the field paths of the inputs that fix it (see [`super::application`]).

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use time::{Date, Month};

use super::application::{
    Application, CertificateForm, CopyrightBasis, CurriculumItem, DisqualificationItem, Method,
    OutsourcingAnswer, RevocationReason, RevocationRecord,
};
use super::documents::DocumentKind;
use super::verdict::{Evidence, EvidenceItem, Finding, Problem, RuleKind, Verdict};
use crate::access::organisation::{Contact, PrivacyAssurance};
use crate::taxonomy::Taxonomy;
use crate::types::{CorporateNumber, FiscalYear};

/// What the rules need besides the application. Time is a parameter: there is no clock.
#[derive(Debug, Clone, Copy)]
pub struct RuleContext<'a> {
    /// Reference data: 別表1 and 別表2.
    pub taxonomy: &'a Taxonomy,
    /// The day of evaluation (the guideline asks that (8)-1〜(8)-3 hold 「応募時点で」).
    pub today: Date,
    /// Koshu's record of revoked designations, for the 5-year bar of 5-3(オ) (B28).
    pub revocations: &'a [RevocationRecord],
    /// The kinds of the documents attached to the application (B34).
    pub documents: &'a [DocumentKind],
}

/// The signature every rule has.
pub type Check = fn(&Application, &RuleContext<'_>) -> Verdict;

/// One rule of the registry.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Rule {
    /// `"B01"`.
    pub id: &'static str,
    /// Where the guideline states it: `"3-2(1)-1"`.
    pub clause: &'static str,
    pub title_ja: &'static str,
    pub title_en: &'static str,
    pub kind: RuleKind,
    #[serde(skip)]
    pub check: Check,
}

const fn rule(
    id: &'static str,
    clause: &'static str,
    kind: RuleKind,
    title_ja: &'static str,
    title_en: &'static str,
    check: Check,
) -> Rule {
    Rule {
        id,
        clause,
        title_ja,
        title_en,
        kind,
        check,
    }
}

use RuleKind::{DataDecided, Judgement};

static RULES: [Rule; 34] = [
    rule(
        "B01",
        "3-2(1)-1",
        DataDecided,
        "講習の総時間数は六時間以上とすること",
        "The total hours are at least six",
        b01_total_hours,
    ),
    rule(
        "B02",
        "3-2(1)-1",
        Judgement,
        "ITスキル標準レベル4相当とし、目指すべき人材像を示すこと",
        "ITSS level 4 equivalent, for a stated target persona",
        b02_level_and_persona,
    ),
    rule(
        "B03",
        "3-2(1)-1",
        DataDecided,
        "別表1のITSS+（セキュリティ領域）分野から該当する分野を選択すること",
        "At least one field is chosen from the 9 fields of Table 1",
        b03_fields_from_betsuhyo1,
    ),
    rule(
        "B04",
        "3-2(1)-2",
        DataDecided,
        "選択した分野に関連する科目（別表1）を含むこと",
        "The course covers the subjects Table 1 maps its fields to",
        b04_subjects_of_fields,
    ),
    rule(
        "B05",
        "3-2(1)-2",
        DataDecided,
        "1科目のみの講習は、その科目の中の複数項目を含むこと",
        "A single-subject course covers several of its items",
        b05_single_subject_several_items,
    ),
    rule(
        "B06",
        "3-2(1)-2",
        DataDecided,
        "（※1）の項目は同科目の中の他の項目と組み合わせて実施すること",
        "Items marked *1 are combined with another item of the same subject",
        b06_combine_only_items,
    ),
    rule(
        "B07",
        "3-2(1)-3",
        Judgement,
        "到達目標、修得できる知識・技能、前提知識等を公表すること",
        "Goals, knowledge and skills gained, and prerequisites are stated and published",
        b07_goals_published,
    ),
    rule(
        "B08",
        "3-2(1)-4",
        Judgement,
        "修了時のアンケート調査を実施し、結果を踏まえて検証・改善を行うこと",
        "End-of-course survey, with results reviewed and improvements made",
        b08_course_evaluation,
    ),
    rule(
        "B09",
        "3-2(2)",
        DataDecided,
        "半分以上の内容を実習、実技、演習又は発表その他実践的な方法により行うこと",
        "At least half of the curriculum items use practical methods",
        b09_practical_half,
    ),
    rule(
        "B10",
        "3-2(2)(ア)〜(ウ)",
        DataDecided,
        "有識者から学ぶ機会、自ら考える機会、試行・実践する機会を設けること",
        "The three opportunities: learn from experts, think together, try it out",
        b10_three_opportunities,
    ),
    rule(
        "B11",
        "3-2(2) ポイント",
        DataDecided,
        "リモート形式では標準学習時間、受講状況の確認、学習到達度の把握、つまずき・停滞の検知とフォローアップを行うこと",
        "Remote delivery has standard learning time, progress tracking, achievement measurement and stall detection with follow-up",
        b11_remote_controls,
    ),
    rule(
        "B12",
        "3-2(3)",
        DataDecided,
        "修了テストや成果発表による修了評価を行い、基準を公表し受講開始前に説明すること",
        "A completion test or presentation with published criteria, explained before the course",
        b12_completion_assessment,
    ),
    rule(
        "B13",
        "3-2(3) ポイント",
        Judgement,
        "修了証は書面又はデジタルバッジなど改竄が困難な方式によるデータによって交付すること",
        "The certificate is on paper or hard-to-tamper data such as a digital badge",
        b13_certificate,
    ),
    rule(
        "B14",
        "3-2(4)",
        DataDecided,
        "講師は科目について効果的に指導できる知識、技能及び経験を有する者であること",
        "Instructors have the knowledge, skills and experience to teach the subjects",
        b14_instructors,
    ),
    rule(
        "B15",
        "3-2(8)-1(ク)",
        Judgement,
        "代理の講師を選定し、対応できる体制を有すること",
        "Substitute instructors are arranged",
        b15_substitute_instructors,
    ),
    rule(
        "B16",
        "3-2(5)",
        DataDecided,
        "受講人数に応じて講師補助者を配置すること",
        "Assistants are placed according to the number of learners",
        b16_assistants,
    ),
    rule(
        "B17",
        "3-2(6) ポイント",
        DataDecided,
        "監修者が講習の監修等に関与すること",
        "A supervisor with practical experience oversees the course",
        b17_supervisor,
    ),
    rule(
        "B18",
        "3-2(6) ポイント",
        Judgement,
        "科目に応じた適切な教材を用い、著作権を有すること又は承諾を示し、教材のすべてを提出すること",
        "Appropriate materials, with copyright or permission, all submitted",
        b18_materials,
    ),
    rule(
        "B19",
        "3-2(7)",
        Judgement,
        "講習実施計画に①〜⑦の事項を記述すること",
        "The implementation plan covers items 1 to 7",
        b19_implementation_plan,
    ),
    rule(
        "B20",
        "3-2(7) ポイント",
        Judgement,
        "講習運営における緊急対応が定められ、定期的に見直されていること",
        "Emergency response is defined and reviewed periodically",
        b20_emergency_response,
    ),
    rule(
        "B21",
        "3-2(8)-1(ア)",
        DataDecided,
        "法人格を有すること（個人としての応募は不可）",
        "The provider is a legal entity (no individuals)",
        b21_legal_entity,
    ),
    rule(
        "B22",
        "3-2(8)-1(イ)",
        Judgement,
        "同じ課程の講習が、原則として、最近の年度において実施されたことがあること",
        "The same course was delivered in a recent fiscal year",
        b22_recent_delivery,
    ),
    rule(
        "B23",
        "3-2(8)-1(ウ)",
        DataDecided,
        "1営業年度以上の事業実績を有すること",
        "At least one full business year of operation",
        b23_one_business_year,
    ),
    rule(
        "B24",
        "3-2(8)-1(オ)",
        DataDecided,
        "責任者及び組織・担当者が置かれ、問い合わせ窓口が公表されていること",
        "Responsible persons are named and the desks are published",
        b24_responsible_persons,
    ),
    rule(
        "B25",
        "3-2(8)-1(カ)",
        DataDecided,
        "個人情報を適正に取り扱う能力及び体制を有すること",
        "Personal data: Privacy Mark or ISMS, else a published privacy policy",
        b25_personal_data,
    ),
    rule(
        "B26",
        "3-2(8)-2(ア)",
        DataDecided,
        "直近事業年度3年間のうち、当期純利益が連続して赤字となる事業年度がないこと",
        "No two consecutive net losses in the latest three fiscal years",
        b26_no_consecutive_losses,
    ),
    rule(
        "B27",
        "3-2(8)-3",
        Judgement,
        "講習を適切に行うための設備を備えていること",
        "Facilities and equipment for the delivery format",
        b27_facilities,
    ),
    rule(
        "B28",
        "3-2(8)-4, 5-3",
        DataDecided,
        "欠格事由に該当しないこと",
        "No disqualification, including a revocation under 5-3(e) within 5 years",
        b28_not_disqualified,
    ),
    rule(
        "B29",
        "3-2(8)-1 ポイント",
        Judgement,
        "主体的な講習運営実施者とみなせる範囲を超えて外部委託しないこと",
        "Core operations are not outsourced beyond the allowed range",
        b29_outsourcing,
    ),
    rule(
        "B30",
        "3-2(8)-1 ポイント①②",
        Judgement,
        "本人確認及び登録番号の確認を行い、途中で離脱できないよう対策をとること",
        "Identity and registration number are verified; leaving mid-course is prevented",
        b30_identity_and_leaving,
    ),
    rule(
        "B31",
        "3-2(9)",
        Judgement,
        "実施状況を報告する体制を有すること",
        "Monthly and annual reports; records kept 3 years",
        b31_reporting,
    ),
    rule(
        "B32",
        "3-2(10)",
        DataDecided,
        "関係者以外の者を受講対象に含め、開催予定・開催場所を公表し申込ができるようにすること",
        "Open to outsiders; schedule and venue published with a way to apply",
        b32_open_enrolment,
    ),
    rule(
        "B33",
        "3-2(11)",
        Judgement,
        "障害のある人への合理的配慮の提供のため、講習の環境等を整備すること",
        "Reasonable accommodation for people with disabilities",
        b33_reasonable_accommodation,
    ),
    rule(
        "B34",
        "4-2",
        DataDecided,
        "応募書類（財務諸表、教材、実践的な内容、アンケート結果、開講実績、緊急対応等）を提出すること",
        "The application carries the documents of 4-2",
        b34_documents,
    ),
];

/// Every rule, B01 to B34 in order.
pub fn rules() -> &'static [Rule] {
    &RULES
}

/// The rule with this ID (`"B09"`).
pub fn rule_by_id(id: &str) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.id == id)
}

/// Runs every rule, in order.
pub fn evaluate(app: &Application, ctx: &RuleContext<'_>) -> Vec<(&'static Rule, Verdict)> {
    RULES.iter().map(|r| (r, (r.check)(app, ctx))).collect()
}

// --- Building verdicts -----------------------------------------------------------------------

/// `Pass` when there are no problems, else a finding that names the rule and lists them.
fn verdict(id: &str, problems: Vec<Problem>) -> Verdict {
    if problems.is_empty() {
        return Verdict::Pass;
    }
    let (clause, title_ja, title_en) =
        rule_by_id(id).map_or(("", "", ""), |r| (r.clause, r.title_ja, r.title_en));
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
    Verdict::Fail(Finding {
        message_ja: format!("{id}（{clause}）「{title_ja}」を満たしていません。{ja}"),
        message_en: format!("{id} ({clause}) \"{title_en}\" is not met. {en}"),
        problems,
    })
}

/// For a judgement rule: a finding if something is missing, else evidence for a reviewer.
fn judge(
    id: &str,
    problems: Vec<Problem>,
    ask_ja: &str,
    ask_en: &str,
    items: Vec<EvidenceItem>,
) -> Verdict {
    if !problems.is_empty() {
        return verdict(id, problems);
    }
    review(id, ask_ja, ask_en, items)
}

fn review(id: &str, ask_ja: &str, ask_en: &str, items: Vec<EvidenceItem>) -> Verdict {
    let clause = rule_by_id(id).map_or("", |r| r.clause);
    Verdict::NeedsReview(Evidence {
        message_ja: format!("{id}（{clause}）審査者の判断が必要です：{ask_ja}"),
        message_en: format!("{id} ({clause}) needs a reviewer's judgement: {ask_en}"),
        items,
    })
}

fn blank(s: &str) -> bool {
    s.trim().is_empty()
}

/// A problem for a required text left empty.
fn required(problems: &mut Vec<Problem>, value: &str, field: &str, what_ja: &str, what_en: &str) {
    if blank(value) {
        problems.push(Problem::new(
            format!("{what_ja}を記入してください。"),
            format!("Enter {what_en}."),
            [field],
        ));
    }
}

fn ev(field: impl Into<String>, value: impl Into<String>) -> EvidenceItem {
    EvidenceItem::new(field, value)
}

fn yes_no(b: bool) -> &'static str {
    if b { "はい / yes" } else { "いいえ / no" }
}

/// An http(s) address with a host that has a dot and no spaces.
fn is_web_url(s: &str) -> bool {
    let s = s.trim();
    let rest = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"));
    rest.is_some_and(|r| {
        let host = r.split(['/', '?', '#']).next().unwrap_or("");
        host.contains('.') && !s.chars().any(char::is_whitespace)
    })
}

/// `5時間30分`, `6時間`, `45分`.
fn duration_ja(minutes: u64) -> String {
    match (minutes / 60, minutes % 60) {
        (0, m) => format!("{m}分"),
        (h, 0) => format!("{h}時間"),
        (h, m) => format!("{h}時間{m}分"),
    }
}

/// `5 h 30 min`, `6 h`, `45 min`.
fn duration_en(minutes: u64) -> String {
    match (minutes / 60, minutes % 60) {
        (0, m) => format!("{m} min"),
        (h, 0) => format!("{h} h"),
        (h, m) => format!("{h} h {m} min"),
    }
}

/// The same day `years` later; a 29 February without a counterpart becomes 1 March.
///
/// This is where a period 「…の日から起算して N 年」 ends: it runs up to and including the day
/// before the counterpart day (民法第143条第2項; 応当日がなければその月の末日に満了し、翌日から
/// 外れる), so the returned day is the first day outside the period.
pub fn anniversary(day: Date, years: i32) -> Date {
    let year = day.year().saturating_add(years);
    Date::from_calendar_date(year, day.month(), day.day())
        .or_else(|_| Date::from_calendar_date(year, Month::March, 1))
        .unwrap_or(Date::MAX)
}

// --- 3-2(1) Content and hours ----------------------------------------------------------------

/// The minimum total: 「総時間数は六時間以上」.
pub const MIN_TOTAL_MINUTES: u64 = 6 * 60;

/// B01: the curriculum adds up to at least 6 hours (規則第34条第2項第1号; 3-2(1)-1).
pub fn b01_total_hours(app: &Application, _ctx: &RuleContext<'_>) -> Verdict {
    let total = app.total_minutes();
    let mut problems = Vec::new();
    if total < MIN_TOTAL_MINUTES {
        let short = MIN_TOTAL_MINUTES - total;
        let fields: Vec<String> = if app.curriculum.is_empty() {
            vec!["curriculum".to_owned()]
        } else {
            (0..app.curriculum.len())
                .map(|i| format!("curriculum[{i}].minutes"))
                .collect()
        };
        problems.push(Problem::new(
            format!(
                "カリキュラムの合計は{}で、6時間に{}足りません。講習の総時間として6時間以上実施する内容にしてください。",
                duration_ja(total),
                duration_ja(short)
            ),
            format!(
                "The curriculum totals {}, {} short of 6 hours. Extend the items to at least 6 hours in total.",
                duration_en(total),
                duration_en(short)
            ),
            fields,
        ));
    }
    verdict("B01", problems)
}

/// B02: level 4 and the target persona (3-2(1)-1). Judgement: whether the course really is
/// 「ITスキル標準レベル4相当」 is for a reviewer; a missing persona or explanation fails.
pub fn b02_level_and_persona(app: &Application, _ctx: &RuleContext<'_>) -> Verdict {
    let c = &app.course;
    let mut problems = Vec::new();
    if c.target_persona.is_none() {
        problems.push(Problem::new(
            "目指すべき人材像（①企業等の内部に1人は置かれるべき人材、②企業等の外部から専門的なセキュリティ対策を実施できる人材）のいずれかを選んでください。",
            "Choose the target persona: (1) the in-house person every organisation needs, or (2) the external specialist.",
            ["course.target_persona"],
        ));
    }
    required(
        &mut problems,
        &c.level4_explanation,
        "course.level4_explanation",
        "「ITスキル標準レベル4相当」となっていることの説明（シラバスや教材等を用いて明らかに示すこと）",
        "why the course is ITSS level 4 equivalent (shown with the syllabus and materials)",
    );
    judge(
        "B02",
        problems,
        "講習が「ITスキル標準レベル4相当」（独力で業務上の課題の発見と解決をリードし、後進育成にも貢献できるレベル）であり、選択した人材像を目指すものか確認してください。",
        "Confirm the course is ITSS level 4 (leads the discovery and solution of problems independently and helps develop others) and serves the chosen persona.",
        vec![
            ev(
                "course.target_persona",
                c.target_persona.map_or("", |p| p.label_ja()),
            ),
            ev("course.level4_explanation", c.level4_explanation.clone()),
            ev("course.goals", c.goals.clone()),
        ],
    )
}

/// B03: at least one field, each from the 9 fields of 別表1 (3-2(1)-1).
pub fn b03_fields_from_betsuhyo1(app: &Application, ctx: &RuleContext<'_>) -> Verdict {
    let allowed: Vec<&str> = ctx
        .taxonomy
        .betsuhyo1_fields()
        .map(|f| f.code.as_str())
        .collect();
    let allowed_ja = ctx
        .taxonomy
        .betsuhyo1_fields()
        .map(|f| f.label.ja.as_str())
        .collect::<Vec<_>>()
        .join("、");
    let mut problems = Vec::new();
    if app.course.itss_fields.is_empty() {
        problems.push(Problem::new(
            format!("別表1のITSS+（セキュリティ領域）分野から該当する分野を1つ以上選択してください（{allowed_ja}）。"),
            "Choose at least one field from the 9 ITSS+ fields of Table 1.",
            ["course.itss_fields"],
        ));
    }
    for (i, code) in app.course.itss_fields.iter().enumerate() {
        if !allowed.contains(&code.as_str()) {
            let label = ctx
                .taxonomy
                .itss_field(code)
                .map_or(code.as_str(), |f| f.label.ja.as_str());
            problems.push(Problem::new(
                format!("「{label}」は別表1の分野ではありません。別表1の9分野（{allowed_ja}）から選択してください。"),
                format!("\"{code}\" is not one of the 9 fields of Table 1. Choose from those fields."),
                [format!("course.itss_fields[{i}]")],
            ));
        }
    }
    verdict("B03", problems)
}

/// Known syllabus codes covered by the curriculum, with the items that cover each.
fn covered_items<'a>(
    curriculum: &'a [CurriculumItem],
    taxonomy: &Taxonomy,
) -> BTreeMap<&'a str, Vec<usize>> {
    let mut covered: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, item) in curriculum.iter().enumerate() {
        for code in &item.syllabus_items {
            if taxonomy.syllabus_item(code).is_some() {
                let at = covered.entry(code.as_str()).or_default();
                if !at.contains(&i) {
                    at.push(i);
                }
            }
        }
    }
    covered
}

fn syllabus_fields(at: &[usize]) -> Vec<String> {
    at.iter()
        .map(|i| format!("curriculum[{i}].syllabus_items"))
        .collect()
}

/// B04: for each chosen 別表1 field, the curriculum covers an item of a subject 別表1 maps it
/// to; other subjects may be added (3-2(1)-2). Unknown 別表2 codes also fail here.
pub fn b04_subjects_of_fields(app: &Application, ctx: &RuleContext<'_>) -> Verdict {
    let tax = ctx.taxonomy;
    let mut problems = Vec::new();
    for (i, item) in app.curriculum.iter().enumerate() {
        for (j, code) in item.syllabus_items.iter().enumerate() {
            if tax.syllabus_item(code).is_none() {
                problems.push(Problem::new(
                    format!("「{code}」は別表2（情報処理安全確保支援士試験シラバス）の項目ではありません。「3-4」のように項目番号で示してください。"),
                    format!("\"{code}\" is not an item of Table 2 (the RISS syllabus). Use item numbers such as 3-4."),
                    [format!("curriculum[{i}].syllabus_items[{j}]")],
                ));
            }
        }
    }
    let covered = covered_items(&app.curriculum, tax);
    let covered_subjects: BTreeSet<&str> = covered
        .keys()
        .filter_map(|c| tax.syllabus_item(c))
        .map(|i| i.subject.as_str())
        .collect();
    let mut any_field = false;
    for (i, field) in app.course.itss_fields.iter().enumerate() {
        let subjects: Vec<&str> = tax.subjects_for_field(field).collect();
        if subjects.is_empty() {
            continue; // not a 別表1 field: B03 says so
        }
        any_field = true;
        if !subjects.iter().any(|s| covered_subjects.contains(s)) {
            let field_ja = tax
                .itss_field(field)
                .map_or(field.as_str(), |f| f.label.ja.as_str());
            let subject_ja = subjects
                .iter()
                .map(|s| {
                    tax.subject(s)
                        .map_or_else(|| (*s).to_owned(), |x| format!("{s}. {}", x.label.ja))
                })
                .collect::<Vec<_>>()
                .join("、");
            let mut fields = vec![format!("course.itss_fields[{i}]")];
            fields.extend(
                (0..app.curriculum.len()).map(|k| format!("curriculum[{k}].syllabus_items")),
            );
            problems.push(Problem::new(
                format!("分野「{field_ja}」に関連する科目（{subject_ja}）の項目がカリキュラムに含まれていません。別表1の対応する科目の項目を含めてください。"),
                format!("The curriculum covers no item of subject {} which Table 1 maps the field \"{field}\" to. Include items of that subject.", subjects.join(", ")),
                fields,
            ));
        }
    }
    if !any_field {
        problems.push(Problem::new(
            "別表1の分野が選択されていないため、対象科目を確認できません。先に分野を選択してください（B03）。",
            "No field of Table 1 is chosen, so the subjects cannot be checked. Choose a field first (B03).",
            ["course.itss_fields"],
        ));
    }
    verdict("B04", problems)
}

/// B05: 「各科目の中の複数項目を含む内容であれば、1科目のみの講習でも可」: a course whose
/// syllabus items all belong to one subject covers at least two distinct items of it; a
/// curriculum mapped to no item fails too (「カリキュラムと別表2との対応を示すこと」).
pub fn b05_single_subject_several_items(app: &Application, ctx: &RuleContext<'_>) -> Verdict {
    let tax = ctx.taxonomy;
    let covered = covered_items(&app.curriculum, tax);
    let subjects: BTreeSet<&str> = covered
        .keys()
        .filter_map(|c| tax.syllabus_item(c))
        .map(|i| i.subject.as_str())
        .collect();
    let all_fields = || {
        if app.curriculum.is_empty() {
            vec!["curriculum".to_owned()]
        } else {
            (0..app.curriculum.len())
                .map(|i| format!("curriculum[{i}].syllabus_items"))
                .collect()
        }
    };
    let mut problems = Vec::new();
    if covered.is_empty() {
        problems.push(Problem::new(
            "カリキュラムと別表2との対応が示されていません。各項目が扱う別表2の項目（例：3-4）を示してください。",
            "The curriculum is not mapped to Table 2. Give the Table 2 items (e.g. 3-4) each curriculum item covers.",
            all_fields(),
        ));
    } else if subjects.len() == 1 && covered.len() < 2 {
        let only = covered.keys().next().copied().unwrap_or("");
        problems.push(Problem::new(
            format!("1科目のみの講習は、その科目の中の複数項目を含む内容である必要があります。現在は項目{only}のみです。同じ科目の他の項目を加えてください。"),
            format!("A course of a single subject must cover several of its items; it covers only {only}. Add another item of the same subject."),
            all_fields(),
        ));
    }
    verdict("B05", problems)
}

/// B06: each ※1 item (1-7, 3-3, 3-7, 3-8, 3-9, 3-11) the course covers is combined with
/// another item of the same subject somewhere in the course.
///
/// Read literally: 「同科目の中の他の項目と組み合わせて実施すること」 asks for another item of the
/// subject, which may itself be a ※1 item (3-8 with 3-9 passes). Codes unknown to 別表2 are
/// ignored here; B04 reports them.
pub fn b06_combine_only_items(app: &Application, ctx: &RuleContext<'_>) -> Verdict {
    let tax = ctx.taxonomy;
    let covered = covered_items(&app.curriculum, tax);
    let mut problems = Vec::new();
    for (code, at) in &covered {
        let Some(item) = tax.syllabus_item(code) else {
            continue;
        };
        if !item.combine_only {
            continue;
        }
        let partner = covered.keys().any(|other| {
            other != code
                && tax
                    .syllabus_item(other)
                    .is_some_and(|o| o.subject == item.subject)
        });
        if !partner {
            problems.push(Problem::new(
                format!("項目{code}（{}）は（※1）の項目のため、同科目（科目{}）の中の他の項目と組み合わせて実施してください。", item.label.ja, item.subject),
                format!("Item {code} ({}) is marked *1: combine it with another item of subject {}.", item.label.en, item.subject),
                syllabus_fields(at),
            ));
        }
    }
    verdict("B06", problems)
}

/// B07: goals, knowledge and skills, prerequisites and where they are published
/// (3-2(1)-3). Judgement: 「具体的かつ明確に設定」 is for a reviewer. Prerequisites may be
/// empty (「前提知識等がある場合には」).
pub fn b07_goals_published(app: &Application, _ctx: &RuleContext<'_>) -> Verdict {
    let c = &app.course;
    let mut problems = Vec::new();
    required(
        &mut problems,
        &c.goals,
        "course.goals",
        "講習の到達目標",
        "the course's goals",
    );
    required(
        &mut problems,
        &c.knowledge_and_skills,
        "course.knowledge_and_skills",
        "受講者が修了時に修得できる知識・技能",
        "the knowledge and skills learners gain",
    );
    required(
        &mut problems,
        &c.publication_plan,
        "course.publication_plan",
        "目的・修得できる知識・技能・前提知識等の公表予定内容、公表予定先（ホームページやパンフレット等）",
        "what is published about goals, skills and prerequisites, and where (web site, brochure)",
    );
    judge(
        "B07",
        problems,
        "到達目標と修得できる知識・技能が具体的かつ明確に設定され、前提知識等とあわせて受講者に分かりやすい形で公表されるか確認してください。",
        "Confirm the goals and skills are concrete and clear, and are published with any prerequisites in a form learners understand.",
        vec![
            ev("course.goals", c.goals.clone()),
            ev(
                "course.knowledge_and_skills",
                c.knowledge_and_skills.clone(),
            ),
            ev(
                "course.prerequisites",
                if blank(&c.prerequisites) {
                    "（なし / none）".to_owned()
                } else {
                    c.prerequisites.clone()
                },
            ),
            ev("course.publication_plan", c.publication_plan.clone()),
        ],
    )
}

/// B08: end-of-course survey with the ministry's items, the latest results, and a PDCA
/// (3-2(1)-4 (ア)(イ)). Judgement on the results and the review process.
pub fn b08_course_evaluation(app: &Application, _ctx: &RuleContext<'_>) -> Verdict {
    let s = &app.survey;
    let mut problems = Vec::new();
    if !s.includes_ministry_items {
        problems.push(Problem::new(
            "アンケート調査等の調査項目には、経済産業省が示した含めるべき調査項目を含めてください。",
            "Include the items the ministry specifies in the survey.",
            ["survey.includes_ministry_items"],
        ));
    }
    if s.provider_items.iter().all(|q| blank(q)) {
        problems.push(Problem::new(
            "修了時のアンケート調査の項目（満足度や改善点に関するもの）を記入してください。",
            "List the end-of-course survey's questions (satisfaction and improvements).",
            ["survey.provider_items"],
        ));
    }
    required(
        &mut problems,
        &s.latest_results_summary,
        "survey.latest_results_summary",
        "直近のアンケート結果の概要（満足度、スキルの修得状況、到達度、講師に対する評価等）",
        "a summary of the latest survey results",
    );
    required(
        &mut problems,
        &s.latest_results_document,
        "survey.latest_results_document",
        "直近で実施した応募講習のアンケート結果等を示す資料",
        "the document with the latest survey results",
    );
    required(
        &mut problems,
        &s.review_process,
        "survey.review_process",
        "調査結果を踏まえて検証し改善を行う検証体制や品質管理体制",
        "who reviews the results and how improvements are decided",
    );
    required(
        &mut problems,
        &s.improvement_record,
        "survey.improvement_record",
        "これまでに行った改善の記録",
        "the improvements made so far",
    );
    judge(
        "B08",
        problems,
        "アンケート結果から講習の満足度や講師に対する評価が分かり、結果を踏まえて検証・改善を行うPDCAサイクルが機能しているか確認してください。",
        "Confirm the results show satisfaction and instructor evaluation, and that a PDCA cycle reviews and improves the course.",
        vec![
            ev(
                "survey.includes_ministry_items",
                yes_no(s.includes_ministry_items),
            ),
            ev("survey.provider_items", s.provider_items.join(" / ")),
            ev(
                "survey.latest_results_summary",
                s.latest_results_summary.clone(),
            ),
            ev(
                "survey.latest_results_document",
                s.latest_results_document.clone(),
            ),
            ev("survey.review_process", s.review_process.clone()),
            ev("survey.improvement_record", s.improvement_record.clone()),
        ],
    )
}

// --- 3-2(2) Format ---------------------------------------------------------------------------

/// B09: at least half of the curriculum items, counted as items and not hours, use a
/// practical method ①〜③ (3-2(2) ポイント: 「カリキュラムの項目数が、半分以上」).
pub fn b09_practical_half(app: &Application, _ctx: &RuleContext<'_>) -> Verdict {
    let total = app.curriculum.len();
    let practical = app
        .curriculum
        .iter()
        .filter(|i| i.method.is_practical())
        .count();
    let mut problems = Vec::new();
    if total == 0 {
        problems.push(Problem::new(
            "カリキュラムの項目がありません。項目と実施方法を記入してください。",
            "The curriculum has no items. Add the items and their methods.",
            ["curriculum"],
        ));
    } else if practical * 2 < total {
        let needed = total.div_ceil(2);
        let lectures: Vec<String> = app
            .curriculum
            .iter()
            .enumerate()
            .filter(|(_, i)| !i.method.is_practical())
            .map(|(k, _)| format!("curriculum[{k}].method"))
            .collect();
        problems.push(Problem::new(
            format!("実習、実技、演習又は発表その他実践的な方法による項目は{total}項目中{practical}項目です。半分以上（{needed}項目以上）を、疑似環境を用いた実習・演習、受講者による発表、ディスカッション・グループワーク等にしてください。"),
            format!("{practical} of {total} items use practical methods; at least half ({needed}) must be exercises in a simulated environment, presentations by learners, or discussion and group work."),
            lectures,
        ));
    }
    verdict("B09", problems)
}

/// B10: each opportunity (ア)(イ)(ウ) of 3-2(2) is given by at least one item.
pub fn b10_three_opportunities(app: &Application, _ctx: &RuleContext<'_>) -> Verdict {
    let fields = |flag: &str| -> Vec<String> {
        if app.curriculum.is_empty() {
            vec!["curriculum".to_owned()]
        } else {
            (0..app.curriculum.len())
                .map(|i| format!("curriculum[{i}].opportunities.{flag}"))
                .collect()
        }
    };
    let mut problems = Vec::new();
    let checks: [(bool, &str, &str, &str); 3] = [
        (
            app.curriculum
                .iter()
                .any(|i| i.opportunities.learn_from_experts),
            "learn_from_experts",
            "(ア) セキュリティ領域の専門家やその他の有識者から実践的な手法やノウハウ等を学ぶ機会",
            "(a) learning practical methods and know-how from experts",
        ),
        (
            app.curriculum
                .iter()
                .any(|i| i.opportunities.think_together),
            "think_together",
            "(イ) 受講者同士のディスカッション等を通じて、課題等を自ら考える機会",
            "(b) learners thinking through problems together in discussion",
        ),
        (
            app.curriculum
                .iter()
                .any(|i| i.opportunities.try_in_practice),
            "try_in_practice",
            "(ウ) 受講者が、修得した知識、技術及び技能を実際に試行・実践する機会",
            "(c) learners trying out what they learned",
        ),
    ];
    for (given, flag, ja, en) in checks {
        if !given {
            problems.push(Problem::new(
                format!("{ja}を設けている項目がありません。いずれかの項目で設けてください。"),
                format!("No item gives {en}. Provide it in at least one item."),
                fields(flag),
            ));
        }
    }
    verdict("B10", problems)
}

/// B11: remote or hybrid delivery states the four controls of 3-2(2) ポイント; in person
/// passes.
pub fn b11_remote_controls(app: &Application, _ctx: &RuleContext<'_>) -> Verdict {
    let d = &app.delivery;
    let mut problems = Vec::new();
    if d.format.has_remote_part() {
        required(
            &mut problems,
            &d.standard_learning_time,
            "delivery.standard_learning_time",
            "リモート形式での講習の標準学習時間の設定",
            "the standard learning time for remote delivery",
        );
        required(
            &mut problems,
            &d.progress_tracking,
            "delivery.progress_tracking",
            "受講者の受講状況の確認方法",
            "how learners' progress is tracked",
        );
        required(
            &mut problems,
            &d.achievement_measurement,
            "delivery.achievement_measurement",
            "学習到達度の把握方法",
            "how achievement is measured",
        );
        required(
            &mut problems,
            &d.stall_detection_and_follow_up,
            "delivery.stall_detection_and_follow_up",
            "受講のつまずき・停滞をリアルタイムで検知し、フォローアップする方法",
            "how stalled learners are detected in real time and followed up",
        );
    }
    verdict("B11", problems)
}

// --- 3-2(3) Completion -----------------------------------------------------------------------

/// B12: a completion test or presentation with a process, objective criteria and a pass
/// mark, published, and explained to learners before the course (3-2(3) (ア)〜(ウ), ポイント).
///
/// Data-decided on presence: whether the criteria are objective and 「社会通念上の常識的範囲を
/// 逸脱しない」 is read by the reviewer with the whole application (B35), not here.
pub fn b12_completion_assessment(app: &Application, _ctx: &RuleContext<'_>) -> Verdict {
    let a = &app.assessment;
    let mut problems = Vec::new();
    if a.kind.is_none() {
        problems.push(Problem::new(
            "修了テストや成果発表など、各受講者に対する講習の効果を把握する方法を選んでください。",
            "Choose how each learner is assessed: a completion test or a presentation.",
            ["assessment.kind"],
        ));
    }
    required(
        &mut problems,
        &a.process,
        "assessment.process",
        "修了評価のプロセス（目標に対する到達度や知識及び技能の伸長の程度を把握する方法）",
        "the assessment process (how progress against the goals is measured)",
    );
    required(
        &mut problems,
        &a.criteria,
        "assessment.criteria",
        "客観的な材料に基づく修了認定の基準",
        "the objective completion criteria",
    );
    required(
        &mut problems,
        &a.pass_mark,
        "assessment.pass_mark",
        "修了判定・試験の合格基準",
        "the pass mark",
    );
    required(
        &mut problems,
        &a.published_at,
        "assessment.published_at",
        "修了評価の認定基準やプロセスの公表予定内容、公表予定先",
        "where the criteria and process are published",
    );
    if !a.explained_before_course {
        problems.push(Problem::new(
            "修了評価のプロセス等については、受講開始前に受講者に対して十分な説明を行ってください。",
            "Explain the assessment process to learners before the course starts.",
            ["assessment.explained_before_course"],
        ));
    }
    verdict("B12", problems)
}

/// B13: the certificate's form (3-2(3) ポイント). Judgement: whether data is 「改竄が困難」.
pub fn b13_certificate(app: &Application, _ctx: &RuleContext<'_>) -> Verdict {
    let c = &app.certificate;
    let mut problems = Vec::new();
    match c.form {
        None => problems.push(Problem::new(
            "修了証の交付方法（書面、デジタルバッジ等）を選んでください。",
            "Choose how the certificate is issued (paper, digital badge, ...).",
            ["certificate.form"],
        )),
        Some(CertificateForm::DigitalBadge | CertificateForm::OtherData) => required(
            &mut problems,
            &c.description,
            "certificate.description",
            "データによる修了証の改竄を防ぐ方式（署名、検証ページ等）",
            "how the data certificate is protected against tampering (signature, verification page)",
        ),
        Some(CertificateForm::Paper) => {}
    }
    let form = match c.form {
        Some(CertificateForm::Paper) => "書面 / paper",
        Some(CertificateForm::DigitalBadge) => "デジタルバッジ / digital badge",
        Some(CertificateForm::OtherData) => "その他のデータ / other data",
        None => "",
    };
    judge(
        "B13",
        problems,
        "修了証が書面又はデジタルバッジなど改竄が困難な方式によるデータで交付されるか確認してください。",
        "Confirm the certificate is on paper or tamper-resistant data such as a digital badge.",
        vec![
            ev("certificate.form", form),
            ev("certificate.description", c.description.clone()),
        ],
    )
}

// --- 3-2(4)〜(6) People and materials --------------------------------------------------------

/// 「おおむね 20 名程度の社外受講者を対象とした日本国内での講義実績」, taken as at least 20.
pub const MIN_EXTERNAL_LEARNERS: u32 = 20;

/// B14: instructors (3-2(4) (ア)〜(エ), ポイント ①〜③).
///
/// Data-decided for what the data can show: at least one regular (non-substitute)
/// instructor, and for every instructor (substitutes teach too) a RISS number or an
/// equivalence claim, practical experience, at least 20 external learners taught, a
/// facilitation record, an allowed affiliation, and a declaration of no disqualification.
/// When all that is present but an instructor has no RISS number, 「同等の能力を有する」 is
/// a claim only a person can accept, so the rule returns `NeedsReview` with the claims.
pub fn b14_instructors(app: &Application, _ctx: &RuleContext<'_>) -> Verdict {
    let mut problems = Vec::new();
    if !app.instructors.iter().any(|i| !i.is_substitute) {
        problems.push(Problem::new(
            "講師（代理の講師以外）を1名以上登録してください。",
            "Add at least one instructor who is not a substitute.",
            ["instructors"],
        ));
    }
    for (k, i) in app.instructors.iter().enumerate() {
        let p = format!("instructors[{k}]");
        let who_ja = if blank(&i.name) {
            format!("{}人目の講師", k + 1)
        } else {
            format!("講師「{}」", i.name)
        };
        let who_en = if blank(&i.name) {
            format!("Instructor {}", k + 1)
        } else {
            format!("Instructor {}", i.name)
        };
        required(
            &mut problems,
            &i.name,
            &format!("{p}.name"),
            &format!("{}人目の講師の氏名", k + 1),
            &format!("the name of instructor {}", k + 1),
        );
        if i.riss_number.is_none() && blank(&i.equivalence) {
            problems.push(Problem::new(
                format!("{who_ja}の情報処理安全確保支援士の登録番号、または同等の能力を有することの説明を記入してください。"),
                format!("{who_en}: enter the RISS registration number, or explain the equivalent ability."),
                [format!("{p}.riss_number"), format!("{p}.equivalence")],
            ));
        }
        required(
            &mut problems,
            &i.practical_experience,
            &format!("{p}.practical_experience"),
            &format!("{who_ja}の特定講習の対象科目に関する実務経験"),
            &format!("{who_en}'s practical experience in the subjects"),
        );
        if i.external_learners_taught < MIN_EXTERNAL_LEARNERS {
            problems.push(Problem::new(
                format!("{who_ja}の社外受講者を対象とした日本国内での講義実績は{}名です。おおむね20名程度の実績が必要です。", i.external_learners_taught),
                format!("{who_en} has taught {} external learners in Japan; about 20 are required.", i.external_learners_taught),
                [format!("{p}.external_learners_taught")],
            ));
        }
        required(
            &mut problems,
            &i.facilitation_record,
            &format!("{p}.facilitation_record"),
            &format!(
                "{who_ja}のグループディスカッションを含む講習実績またはコンサルテーションの実績"
            ),
            &format!("{who_en}'s record of courses with group discussion or of consulting"),
        );
        match i.affiliation {
            None => problems.push(Problem::new(
                format!("{who_ja}の所属（実施主体に所属、NDAを含む契約を締結している組織に所属、NDAを含む契約を締結している者）を選んでください。"),
                format!("{who_en}: choose the affiliation (employee, member of an organisation under an NDA contract, or individual under an NDA contract)."),
                [format!("{p}.affiliation")],
            )),
            Some(a) if !a.is_allowed() => problems.push(Problem::new(
                format!("{who_ja}は、実施主体に所属する者、又は実施主体と秘密保持契約（NDA）を含む契約を締結している組織に所属する者若しくは締結している者である必要があります。"),
                format!("{who_en} must be employed by the provider, or belong to an organisation, or be a person, under a contract with the provider that includes an NDA."),
                [format!("{p}.affiliation")],
            )),
            Some(_) => {}
        }
        if !i.declares_not_disqualified {
            problems.push(Problem::new(
                format!(
                    "{who_ja}が(8)-4に示す欠格事由のいずれにも該当しないことを確認してください。"
                ),
                format!("{who_en}: confirm none of the disqualifications of (8)-4 applies."),
                [format!("{p}.declares_not_disqualified")],
            ));
        }
    }
    if !problems.is_empty() {
        return verdict("B14", problems);
    }
    let claims: Vec<EvidenceItem> = app
        .instructors
        .iter()
        .enumerate()
        .filter(|(_, i)| i.riss_number.is_none())
        .flat_map(|(k, i)| {
            [
                ev(format!("instructors[{k}].name"), i.name.clone()),
                ev(
                    format!("instructors[{k}].equivalence"),
                    i.equivalence.clone(),
                ),
                ev(
                    format!("instructors[{k}].practical_experience"),
                    i.practical_experience.clone(),
                ),
            ]
        })
        .collect();
    if claims.is_empty() {
        return Verdict::Pass;
    }
    review(
        "B14",
        "登録番号のない講師について、情報処理安全確保支援士と同等の能力を有するか確認してください。",
        "Confirm that the instructors without a RISS number have equivalent ability.",
        claims,
    )
}

/// B15: a substitute instructor is chosen and the arrangement described ((8)-1(ク)).
/// Judgement: whether the arrangement works.
pub fn b15_substitute_instructors(app: &Application, _ctx: &RuleContext<'_>) -> Verdict {
    let mut problems = Vec::new();
    let substitutes: Vec<(usize, &str)> = app
        .instructors
        .iter()
        .enumerate()
        .filter(|(_, i)| i.is_substitute)
        .map(|(k, i)| (k, i.name.as_str()))
        .collect();
    if substitutes.is_empty() {
        problems.push(Problem::new(
            "やむを得ない事情により予定された講師が出講できなくなる場合に備え、代理の講師を選定し登録してください。",
            "Choose and add a substitute instructor in case a scheduled instructor cannot come.",
            ["instructors"],
        ));
    }
    required(
        &mut problems,
        &app.substitute_arrangement,
        "substitute_arrangement",
        "代理の講師が対応する体制（連絡、引継ぎ等）",
        "how a substitute steps in (contact, handover)",
    );
    let mut items: Vec<EvidenceItem> = substitutes
        .iter()
        .map(|(k, name)| ev(format!("instructors[{k}].name"), *name))
        .collect();
    items.push(ev(
        "substitute_arrangement",
        app.substitute_arrangement.clone(),
    ));
    judge(
        "B15",
        problems,
        "代理の講師が選定され、講師が出講できない場合に対応できる体制か確認してください。",
        "Confirm a substitute is chosen and the arrangement can cover an absent instructor.",
        items,
    )
}

/// B16: assistants (3-2(5) ポイント): 配置基準 (one per N learners), 選定条件, 決定プロセス
/// and the number at the start, which covers the capacity at that rate.
pub fn b16_assistants(app: &Application, _ctx: &RuleContext<'_>) -> Verdict {
    let a = &app.assistants;
    let capacity = app.enrolment.capacity;
    let mut problems = Vec::new();
    if a.learners_per_assistant == 0 {
        problems.push(Problem::new(
            "講師補助者の配置基準（受講者何名につき1名）を記入してください。",
            "State the placement rule: one assistant for every how many learners.",
            ["assistants.learners_per_assistant"],
        ));
    }
    required(
        &mut problems,
        &a.selection_criteria,
        "assistants.selection_criteria",
        "講師補助者の選定条件",
        "the assistants' selection criteria",
    );
    required(
        &mut problems,
        &a.selection_process,
        "assistants.selection_process",
        "講師補助者決定プロセス",
        "how assistants are chosen",
    );
    if a.number_at_start == 0 {
        problems.push(Problem::new(
            "講習開始時点で確保予定の講師補助者数を記入してください。",
            "State how many assistants will be secured at the start.",
            ["assistants.number_at_start"],
        ));
    }
    if capacity == 0 {
        problems.push(Problem::new(
            "受講人数に応じて補助者を配置するため、1回あたりの定員を記入してください。",
            "State the capacity per session, against which assistants are placed.",
            ["enrolment.capacity"],
        ));
    }
    if capacity > 0 && a.learners_per_assistant > 0 && a.number_at_start > 0 {
        let needed = capacity.div_ceil(a.learners_per_assistant);
        if a.number_at_start < needed {
            problems.push(Problem::new(
                format!("定員{capacity}名に受講者{}名につき1名の配置基準では{needed}名の講師補助者が必要ですが、確保予定は{}名です。", a.learners_per_assistant, a.number_at_start),
                format!("A capacity of {capacity} at one assistant per {} learners needs {needed} assistants; {} are planned.", a.learners_per_assistant, a.number_at_start),
                [
                    "assistants.number_at_start",
                    "assistants.learners_per_assistant",
                    "enrolment.capacity",
                ],
            ));
        }
    }
    verdict("B16", problems)
}

/// B17: a supervisor with practical experience, involved in programme, materials,
/// instructors, completion assessment and course evaluation, not disqualified (3-2(6)).
pub fn b17_supervisor(app: &Application, _ctx: &RuleContext<'_>) -> Verdict {
    let mut problems = Vec::new();
    let Some(s) = &app.supervisor else {
        problems.push(Problem::new(
            "特定講習の対象分野・科目に関する実務経験等を有する監修者を登録してください。",
            "Add a supervisor with practical experience in the course's fields and subjects.",
            ["supervisor"],
        ));
        return verdict("B17", problems);
    };
    required(
        &mut problems,
        &s.name,
        "supervisor.name",
        "監修者の氏名",
        "the supervisor's name",
    );
    required(
        &mut problems,
        &s.practical_experience,
        "supervisor.practical_experience",
        "監修者の対象分野・科目に関する実務経験",
        "the supervisor's practical experience",
    );
    let scope = [
        (
            s.oversees.programme,
            "programme",
            "講習プログラムの決定",
            "the programme",
        ),
        (
            s.oversees.materials,
            "materials",
            "教材の決定",
            "the materials",
        ),
        (
            s.oversees.instructors,
            "instructors",
            "講師の決定",
            "the choice of instructors",
        ),
        (
            s.oversees.completion_assessment,
            "completion_assessment",
            "修了評価",
            "the completion assessment",
        ),
        (
            s.oversees.course_evaluation,
            "course_evaluation",
            "講習の評価・改善",
            "course evaluation and improvement",
        ),
    ];
    for (done, key, ja, en) in scope {
        if !done {
            problems.push(Problem::new(
                format!("監修者が{ja}に関与するようにしてください。"),
                format!("The supervisor must oversee {en}."),
                [format!("supervisor.oversees.{key}")],
            ));
        }
    }
    if !s.declares_not_disqualified {
        problems.push(Problem::new(
            "監修者が(8)-4に示す欠格事由のいずれにも該当しないことを確認してください。",
            "Confirm none of the disqualifications of (8)-4 applies to the supervisor.",
            ["supervisor.declares_not_disqualified"],
        ));
    }
    verdict("B17", problems)
}

/// B18: materials (3-2(6) ポイント): every material submitted with its copyright basis;
/// licensed ones with the permission, commercial ones with how they are used and
/// supplemented; exercises with tasks and model answers. Judgement: 「適切な内容」.
pub fn b18_materials(app: &Application, _ctx: &RuleContext<'_>) -> Verdict {
    let mut problems = Vec::new();
    if app.materials.is_empty() {
        problems.push(Problem::new(
            "講習で使用する教材及び演習実施内容を示す資料等のすべてを登録してください。",
            "Add every material and exercise document the course uses.",
            ["materials"],
        ));
    }
    for (k, m) in app.materials.iter().enumerate() {
        let p = format!("materials[{k}]");
        required(
            &mut problems,
            &m.title,
            &format!("{p}.title"),
            &format!("{}番目の教材の名称", k + 1),
            &format!("the title of material {}", k + 1),
        );
        required(
            &mut problems,
            &m.document,
            &format!("{p}.document"),
            &format!("{}番目の教材の提出ファイル", k + 1),
            &format!("the submitted file of material {}", k + 1),
        );
        match &m.copyright {
            None => problems.push(Problem::new(
                format!("{}番目の教材について、実施主体が著作権を有しているか、その承諾を受けているか、市販教材かを選んでください。", k + 1),
                format!("Material {}: state whether the provider owns the copyright, has permission, or uses a commercial material.", k + 1),
                [format!("{p}.copyright")],
            )),
            Some(CopyrightBasis::Own) => {}
            Some(CopyrightBasis::Licensed { evidence_document }) => required(
                &mut problems,
                evidence_document,
                &format!("{p}.copyright.evidence_document"),
                &format!("{}番目の教材の著作権について承諾を得ていることが分かる資料（契約内容等）", k + 1),
                &format!("the document showing permission for material {}", k + 1),
            ),
            Some(CopyrightBasis::Commercial { usage, supplement }) => {
                required(
                    &mut problems,
                    usage,
                    &format!("{p}.copyright.usage"),
                    &format!("{}番目の市販教材の具体的な活用方法", k + 1),
                    &format!("how commercial material {} is used", k + 1),
                );
                required(
                    &mut problems,
                    supplement,
                    &format!("{p}.copyright.supplement"),
                    &format!("{}番目の市販教材で不足する内容を補うレジメ等の資料", k + 1),
                    &format!("the notes that supplement commercial material {}", k + 1),
                );
            }
        }
        if m.is_exercise && !m.includes_model_answers {
            problems.push(Problem::new(
                format!(
                    "{}番目の教材は演習の資料です。演習課題の内容や回答例を示してください。",
                    k + 1
                ),
                format!(
                    "Material {} describes an exercise: include the tasks and model answers.",
                    k + 1
                ),
                [format!("{p}.includes_model_answers")],
            ));
        }
    }
    let has_exercise_item = app
        .curriculum
        .iter()
        .any(|i| i.method == Method::SimulatedExercise);
    if has_exercise_item && !app.materials.iter().any(|m| m.is_exercise) {
        problems.push(Problem::new(
            "疑似環境を用いた演習がありますが、演習実施内容を示す資料（演習課題の内容や回答例）が登録されていません。",
            "The course has exercises in a simulated environment but no exercise document with tasks and model answers.",
            ["materials"],
        ));
    }
    let items = app
        .materials
        .iter()
        .enumerate()
        .flat_map(|(k, m)| {
            let basis = match &m.copyright {
                Some(CopyrightBasis::Own) => "自社著作 / own".to_owned(),
                Some(CopyrightBasis::Licensed { evidence_document }) => {
                    format!("承諾 / licensed: {evidence_document}")
                }
                Some(CopyrightBasis::Commercial { usage, supplement }) => {
                    format!("市販 / commercial: {usage}; {supplement}")
                }
                None => String::new(),
            };
            [
                ev(
                    format!("materials[{k}].document"),
                    format!("{} ({})", m.title, m.document),
                ),
                ev(format!("materials[{k}].copyright"), basis),
            ]
        })
        .collect();
    judge(
        "B18",
        problems,
        "教材が対象分野・科目と到達目標に応じた適切な内容であり、市販教材は不足する内容が補われているか確認してください。",
        "Confirm the materials suit the fields, subjects and goals, and commercial materials are supplemented.",
        items,
    )
}

// --- 3-2(7) Implementation plan --------------------------------------------------------------

/// B19: the plan describes ①〜⑦ of 3-2(7) ポイント. Judgement: whether it is 「適正かつ確実」.
pub fn b19_implementation_plan(app: &Application, _ctx: &RuleContext<'_>) -> Verdict {
    let p = &app.plan;
    let parts: [(&str, &str, &str, &str); 7] = [
        (
            &p.plan_do_check_act,
            "plan.plan_do_check_act",
            "① 講習の計画、実施、評価及び改善",
            "(1) plan, delivery, evaluation and improvement",
        ),
        (
            &p.start,
            "plan.start",
            "② 講習の開始時期",
            "(2) the start date",
        ),
        (
            &p.structure,
            "plan.structure",
            "③ 実施体制（担当講師、担当事務局、業務内容及び各担当者の責任、必要なリソースとその確保）",
            "(3) the structure: instructors, secretariat, duties, responsibilities, resources",
        ),
        (
            &p.method,
            "plan.method",
            "④ 実施方法（講習名、目的、範囲、内容、形態、実施環境、スケジュール、使用教材、実施時期・実施回数及び開催都市、受講費用等）",
            "(4) the method: name, purpose, scope, content, format, environment, schedule, materials, dates, frequency, cities, fees",
        ),
        (
            &p.publications,
            "plan.publications",
            "⑤ 当該講習に関する公表事項、予定、公表先",
            "(5) what is published, when and where",
        ),
        (
            &p.two_way_communication,
            "plan.two_way_communication",
            "⑥ 講師と受講者が双方向でコミュニケーションをとる仕組み",
            "(6) two-way communication between instructor and learners",
        ),
        (
            &p.attendance_history,
            "plan.attendance_history",
            "⑦ LMS等により受講履歴を確認できる仕組み",
            "(7) an LMS or similar that records attendance history",
        ),
    ];
    let mut problems = Vec::new();
    for (value, field, ja, en) in parts {
        required(
            &mut problems,
            value,
            field,
            &format!("講習実施計画の{ja}"),
            &format!("the plan's {en}"),
        );
    }
    judge(
        "B19",
        problems,
        "講習実施計画が講習の適正かつ確実な実施のために適切なものか確認してください。",
        "Confirm the implementation plan is adequate for proper and reliable delivery.",
        parts.iter().map(|(v, f, _, _)| ev(*f, *v)).collect(),
    )
}

/// B20: emergency response (3-2(7) ポイント ①②): a risk record, procedures, and a review
/// that has happened (not in the future) on a stated cycle. Judgement: whether they are
/// adequate and the review recent enough.
pub fn b20_emergency_response(app: &Application, ctx: &RuleContext<'_>) -> Verdict {
    let e = &app.emergency;
    let mut problems = Vec::new();
    required(
        &mut problems,
        &e.risk_document,
        "emergency.risk_document",
        "① 講習の提供に関するリスク管理を文書により記録した資料",
        "(1) the document recording risk management",
    );
    required(
        &mut problems,
        &e.procedures_document,
        "emergency.procedures_document",
        "② 各リスクに対応する手順を定めたマニュアル等",
        "(2) the manual of procedures for each risk",
    );
    required(
        &mut problems,
        &e.review_cycle,
        "emergency.review_cycle",
        "緊急対応の定期的な見直しの頻度",
        "how often the plan is reviewed",
    );
    match e.last_reviewed_on {
        None => problems.push(Problem::new(
            "緊急対応を最後に見直した日を記入してください（定期的に見直されていることが必要です）。",
            "Enter when the emergency plan was last reviewed (it must be reviewed periodically).",
            ["emergency.last_reviewed_on"],
        )),
        Some(d) if d > ctx.today => problems.push(Problem::new(
            format!("緊急対応の最終見直し日（{d}）が未来の日付です。実際に見直した日を記入してください。"),
            format!("The last review date ({d}) is in the future. Enter the date of the actual review."),
            ["emergency.last_reviewed_on"],
        )),
        Some(_) => {}
    }
    let age = e
        .last_reviewed_on
        .map(|d| format!("{d}（{}日前 / days ago）", (ctx.today - d).whole_days()))
        .unwrap_or_default();
    judge(
        "B20",
        problems,
        "自然災害、停電・火災・システムトラブル・感染症の流行、公共交通機関の遅延等への緊急対応が定められ、定期的に見直されているか確認してください。",
        "Confirm the response to disasters, outages, fire, system trouble, epidemics and transport delays is defined and reviewed periodically.",
        vec![
            ev("emergency.risk_document", e.risk_document.clone()),
            ev(
                "emergency.procedures_document",
                e.procedures_document.clone(),
            ),
            ev("emergency.last_reviewed_on", age),
            ev("emergency.review_cycle", e.review_cycle.clone()),
        ],
    )
}

// --- 3-2(8) The provider ---------------------------------------------------------------------

fn no_organisation() -> Problem {
    Problem::new(
        "実施主体の法人情報（法人番号、責任者、個人情報の取扱い）を登録してください。",
        "Register the provider's organisation (corporate number, responsible persons, personal data).",
        ["provider.organisation"],
    )
}

/// B21: a legal entity (3-2(8)-1(ア)).
///
/// Holding an `Organisation` means a 法人番号 whose check digit is valid (the type parses
/// it), for the provider and every consortium member; an individual has no 法人番号. In a
/// consortium the registered organisation is the lead (中心的な役割と責任を担う法人), so the
/// lead is named by construction; each member needs a name and a number distinct from the
/// lead's and from the other members'.
pub fn b21_legal_entity(app: &Application, _ctx: &RuleContext<'_>) -> Verdict {
    let Some(org) = &app.provider.organisation else {
        return verdict("B21", vec![no_organisation()]);
    };
    let mut problems = Vec::new();
    let mut seen: Vec<&CorporateNumber> = vec![&org.corporate_number];
    for (k, m) in org.consortium_members.iter().enumerate() {
        let p = format!("provider.organisation.consortium_members[{k}]");
        required(
            &mut problems,
            &m.name,
            &format!("{p}.name"),
            &format!("構成員{}の名称", k + 1),
            &format!("the name of member {}", k + 1),
        );
        if seen.contains(&&m.corporate_number) {
            problems.push(Problem::new(
                format!("構成員{}の法人番号{}は、代表法人または他の構成員と重複しています。構成員ごとの法人番号を記入してください。", k + 1, m.corporate_number),
                format!("Member {}'s corporate number {} repeats the lead's or another member's. Enter each member's own number.", k + 1, m.corporate_number),
                [format!("{p}.corporate_number")],
            ));
        } else {
            seen.push(&m.corporate_number);
        }
    }
    verdict("B21", problems)
}

/// B22: the same course was delivered, normally in a recent fiscal year ((8)-1(イ)).
/// Judgement (「原則として」「最近の年度」): the record and its evidence must be there.
pub fn b22_recent_delivery(app: &Application, ctx: &RuleContext<'_>) -> Verdict {
    let t = &app.track_record;
    let mut problems = Vec::new();
    match t.last_delivered_on {
        None => problems.push(Problem::new(
            "応募する講習と同じ課程の講習を直近で実施した日を記入してください。",
            "Enter when the same course was last delivered.",
            ["track_record.last_delivered_on"],
        )),
        Some(d) if d > ctx.today => problems.push(Problem::new(
            format!("直近の実施日（{d}）が未来の日付です。実際に実施した日を記入してください。"),
            format!("The last delivery date ({d}) is in the future. Enter a date on which the course was delivered."),
            ["track_record.last_delivered_on"],
        )),
        Some(_) => {}
    }
    if t.learners == 0 {
        problems.push(Problem::new(
            "直近で開講した際の受講者数を記入してください。",
            "Enter the number of learners of the last delivery.",
            ["track_record.learners"],
        ));
    }
    required(
        &mut problems,
        &t.evidence_document,
        "track_record.evidence_document",
        "直近で開講した応募講習の開講実績を示す資料",
        "the document showing the last delivery",
    );
    let when = t
        .last_delivered_on
        .map(|d| {
            let years_ago = match (FiscalYear::of(d), FiscalYear::of(ctx.today)) {
                (Ok(then), Ok(now)) => format!(
                    "{then}（{}年度前 / fiscal years ago）",
                    now.year() - then.year()
                ),
                _ => String::new(),
            };
            format!("{d} {years_ago}")
        })
        .unwrap_or_default();
    judge(
        "B22",
        problems,
        "同じ課程の講習が、原則として、最近の年度において実施されたか確認してください。",
        "Confirm the same course was delivered in a recent fiscal year.",
        vec![
            ev("track_record.last_delivered_on", when),
            ev("track_record.learners", t.learners.to_string()),
            ev(
                "track_record.evidence_document",
                t.evidence_document.clone(),
            ),
        ],
    )
}

/// B23: at least one full business year by the day of evaluation ((8)-1(ウ)): the business
/// start date plus one year is on or before `today`. A business year per the articles of
/// incorporation may differ; this is the calendar reading of 「1営業年度以上」.
pub fn b23_one_business_year(app: &Application, ctx: &RuleContext<'_>) -> Verdict {
    let mut problems = Vec::new();
    match app.provider.business_started_on {
        None => problems.push(Problem::new(
            "講習事業を開始した日を記入してください。",
            "Enter the date the training business started.",
            ["provider.business_started_on"],
        )),
        Some(start) => {
            let year_done = anniversary(start, 1);
            if year_done > ctx.today {
                problems.push(Problem::new(
                    format!("講習事業の開始日は{start}で、応募の日までに1営業年度以上の事業実績がありません（{year_done}以降に満たします）。"),
                    format!("The business started on {start}: it has no full business year yet (it will from {year_done})."),
                    ["provider.business_started_on"],
                ));
            }
        }
    }
    verdict("B23", problems)
}

fn contact_named(problems: &mut Vec<Problem>, c: &Contact, path: &str, ja: &str, en: &str) {
    required(
        problems,
        &c.name,
        &format!("{path}.name"),
        &format!("{ja}の氏名又は組織名"),
        &format!("the name of the {en}"),
    );
}

/// B24: the four responsible persons or desks of (8)-1(オ) i〜iv, the inquiry and
/// complaints desks reachable by mail or telephone and published (「公表すること」).
pub fn b24_responsible_persons(app: &Application, _ctx: &RuleContext<'_>) -> Verdict {
    let Some(org) = &app.provider.organisation else {
        return verdict("B24", vec![no_organisation()]);
    };
    let r = &org.responsible;
    let base = "provider.organisation.responsible";
    let mut problems = Vec::new();
    contact_named(
        &mut problems,
        &r.course_manager,
        &format!("{base}.course_manager"),
        "i 講習の適正な実施の管理に関する責任者",
        "course manager",
    );
    contact_named(
        &mut problems,
        &r.enrolment_admin,
        &format!("{base}.enrolment_admin"),
        "ii 受講申込管理の事務等を実施する組織・担当者",
        "enrolment administration",
    );
    contact_named(
        &mut problems,
        &r.inquiry_desk,
        &format!("{base}.inquiry_desk"),
        "iii 問い合わせ等に対応する組織・担当者",
        "inquiry desk",
    );
    contact_named(
        &mut problems,
        &r.complaints_desk,
        &format!("{base}.complaints_desk"),
        "iv 苦情の処理に関する業務を実施する組織・担当者",
        "complaints desk",
    );
    for (c, key, ja, en) in [
        (
            &r.inquiry_desk,
            "inquiry_desk",
            "問い合わせ窓口",
            "inquiry desk",
        ),
        (
            &r.complaints_desk,
            "complaints_desk",
            "苦情窓口",
            "complaints desk",
        ),
    ] {
        let phone = c.phone.as_deref().is_some_and(|p| !blank(p));
        if c.email.is_none() && !phone {
            problems.push(Problem::new(
                format!("{ja}の公表する連絡先（メールアドレスまたは電話番号）を記入してください。"),
                format!("Give the {en}'s public contact: an e-mail address or a telephone number."),
                [format!("{base}.{key}.email"), format!("{base}.{key}.phone")],
            ));
        }
    }
    if !is_web_url(&app.provider.desks_published_at) {
        problems.push(Problem::new(
            "問い合わせ窓口及び苦情窓口を公表しているページのURL（https://…）を記入してください。",
            "Enter the URL (https://…) of the page that publishes the inquiry and complaints desks.",
            ["provider.desks_published_at"],
        ));
    }
    verdict("B24", problems)
}

/// B25: personal data ((8)-1(カ)): a Privacy Mark or ISMS certification with its number,
/// valid on `today`; else a published privacy policy.
pub fn b25_personal_data(app: &Application, ctx: &RuleContext<'_>) -> Verdict {
    let Some(org) = &app.provider.organisation else {
        return verdict("B25", vec![no_organisation()]);
    };
    let mut problems = Vec::new();
    let mut certified = |what: &str, number: &str, valid_until: Date| {
        required(
            &mut problems,
            number,
            "provider.organisation.privacy.number",
            &format!("{what}の登録番号"),
            "the certificate number",
        );
        if valid_until < ctx.today {
            problems.push(Problem::new(
                format!("{what}の有効期限（{valid_until}）が切れています。更新後の有効期限を記入するか、公開しているプライバシーポリシーのURLを記入してください。"),
                format!("The certification expired on {valid_until}. Enter the renewed validity, or the URL of a published privacy policy."),
                ["provider.organisation.privacy.valid_until"],
            ));
        }
    };
    match &org.privacy {
        PrivacyAssurance::PrivacyMark {
            number,
            valid_until,
        } => certified("プライバシーマーク", number, *valid_until),
        PrivacyAssurance::Isms {
            number,
            valid_until,
        } => certified("ISMS認証", number, *valid_until),
        PrivacyAssurance::Policy { url } => {
            if !is_web_url(url) {
                problems.push(Problem::new(
                    "プライバシーマーク又はISMS認証を取得していない場合、個人情報保護方針（プライバシーポリシー）を定め、一般に公開しているページのURLを記入してください。",
                    "Without a Privacy Mark or ISMS certification, enter the URL of your published privacy policy.",
                    ["provider.organisation.privacy.url"],
                ));
            }
        }
    }
    verdict("B25", problems)
}

/// B26: no two consecutive net losses in the latest three fiscal years ((8)-2(ア)).
///
/// The three years are the fiscal years before the one containing `today` (in FY2025:
/// FY2022, FY2023, FY2024). A year that ended before the business started is not asked for;
/// any other missing year fails, as does a year entered twice. The guideline says
/// 「原則として」: a failure here is the principle, which the ministry may waive.
pub fn b26_no_consecutive_losses(app: &Application, ctx: &RuleContext<'_>) -> Verdict {
    let p = &app.provider;
    let mut problems = Vec::new();
    let Ok(current) = FiscalYear::of(ctx.today) else {
        problems.push(Problem::new(
            "評価日が対応する年度の範囲外のため、直近事業年度を判定できません。",
            "The evaluation date is outside the supported fiscal years.",
            ["provider.net_income"],
        ));
        return verdict("B26", problems);
    };
    let years: Vec<FiscalYear> = (1..=3)
        .rev()
        .filter_map(|back| FiscalYear::new(current.year() - back).ok())
        .filter(|fy| p.business_started_on.is_none_or(|start| fy.end() >= start))
        .collect();
    let mut index: BTreeMap<FiscalYear, usize> = BTreeMap::new();
    for (k, row) in p.net_income.iter().enumerate() {
        if index.insert(row.fiscal_year, k).is_some() {
            problems.push(Problem::new(
                format!(
                    "{}の当期純利益が重複して記入されています。1年度につき1つにしてください。",
                    row.fiscal_year
                ),
                format!(
                    "{} is entered more than once. Enter one net income per fiscal year.",
                    row.fiscal_year.en()
                ),
                [format!("provider.net_income[{k}].fiscal_year")],
            ));
        }
    }
    for fy in &years {
        if !index.contains_key(fy) {
            problems.push(Problem::new(
                format!("{fy}の当期純利益を記入してください（直近事業年度3年間の当期純利益が必要です）。"),
                format!("Enter the net income of {} (the latest three fiscal years are needed).", fy.en()),
                ["provider.net_income"],
            ));
        }
    }
    for pair in years.windows(2) {
        let [a, b] = pair else { continue };
        if let (Some(&ia), Some(&ib)) = (index.get(a), index.get(b)) {
            let (Some(ra), Some(rb)) = (p.net_income.get(ia), p.net_income.get(ib)) else {
                continue;
            };
            if ra.net_income.is_loss() && rb.net_income.is_loss() {
                problems.push(Problem::new(
                    format!("{a}（{}）と{b}（{}）の当期純利益が連続して赤字です。直近事業年度3年間のうち、原則として、当期純利益が連続して赤字となる事業年度がないことが必要です。", ra.net_income, rb.net_income),
                    format!("Net losses in both {} and {}: in principle, the latest three fiscal years may not include two consecutive net losses.", a.en(), b.en()),
                    [
                        format!("provider.net_income[{ia}].net_income"),
                        format!("provider.net_income[{ib}].net_income"),
                    ],
                ));
            }
        }
    }
    verdict("B26", problems)
}

/// B27: facilities for the format ((8)-3 (ア)〜(エ)): a venue unless fully remote, equipment,
/// and the remote systems when any part is remote. Judgement: whether they suffice.
pub fn b27_facilities(app: &Application, _ctx: &RuleContext<'_>) -> Verdict {
    let f = &app.facilities;
    let format = app.delivery.format;
    let mut problems = Vec::new();
    if format.has_in_person_part() {
        required(
            &mut problems,
            &f.venue,
            "facilities.venue",
            "(ア) 講習を実施するために必要な会場及び机・椅子等の設備",
            "(a) the venue, desks and chairs",
        );
    }
    required(
        &mut problems,
        &f.equipment,
        "facilities.equipment",
        "(イ) パソコン等の必要な機器",
        "(b) the PCs and other equipment",
    );
    if format.has_remote_part() {
        required(
            &mut problems,
            &f.remote_systems,
            "facilities.remote_systems",
            "(ウ) リモート形式での講習で使用を予定する機器及びシステム等",
            "(c) the devices and systems for remote delivery",
        );
    }
    judge(
        "B27",
        problems,
        "講習形態に応じて、講習を適切に行うための会場、機器、システム等の設備を備えているか確認してください。",
        "Confirm the venue, equipment and systems suit the delivery format.",
        vec![
            ev("facilities.venue", f.venue.clone()),
            ev("facilities.equipment", f.equipment.clone()),
            ev("facilities.remote_systems", f.remote_systems.clone()),
            ev("facilities.other", f.other.clone()),
        ],
    )
}

/// Whether a revocation under 5-3(オ) still bars its entity on `today`: 「当該取消しの日から
/// 起算して5年間は特定講習の対象となることができません」. Counting from the revocation day,
/// the bar covers up to the day before the fifth anniversary; on the anniversary the entity
/// is eligible again (revoked 2021-06-15: barred until 2026-06-14, eligible 2026-06-15).
pub fn revocation_bars(record: &RevocationRecord, today: Date) -> bool {
    record.reason == RevocationReason::Misconduct && today < anniversary(record.revoked_on, 5)
}

/// B28: no disqualification ((8)-4); for a consortium, every member (ポイント).
///
/// Data-decided: the provider and each member declare every item of
/// [`DisqualificationItem::ALL`] not applicable, and Koshu's own records show no revocation
/// under 5-3(オ) of any of them that still bars it (see [`revocation_bars`]). A record wins
/// over a declaration.
pub fn b28_not_disqualified(app: &Application, ctx: &RuleContext<'_>) -> Verdict {
    let Some(org) = &app.provider.organisation else {
        return verdict("B28", vec![no_organisation()]);
    };
    let mut entities: Vec<(&str, &CorporateNumber, String)> = vec![(
        org.name_ja.as_str(),
        &org.corporate_number,
        "provider.organisation.corporate_number".to_owned(),
    )];
    entities.extend(org.consortium_members.iter().enumerate().map(|(k, m)| {
        (
            m.name.as_str(),
            &m.corporate_number,
            format!("provider.organisation.consortium_members[{k}].corporate_number"),
        )
    }));
    let mut problems = Vec::new();
    for (k, d) in app.provider.declarations.iter().enumerate() {
        if let Err(e) = CorporateNumber::parse(&d.corporate_number) {
            problems.push(Problem::new(
                format!(
                    "申告{}の法人番号が正しくありません：{}",
                    k + 1,
                    e.message_ja
                ),
                format!(
                    "Declaration {}'s corporate number is invalid: {}",
                    k + 1,
                    e.message_en
                ),
                [format!("provider.declarations[{k}].corporate_number")],
            ));
        }
    }
    for (name, number, path) in &entities {
        let declared = app.provider.declarations.iter().enumerate().find(|(_, d)| {
            CorporateNumber::parse(&d.corporate_number).is_ok_and(|n| &n == *number)
        });
        match declared {
            None => problems.push(Problem::new(
                format!("{name}（法人番号{number}）の欠格事由に該当しないことの申告がありません。(8)-4の各事由について申告してください。"),
                format!("{name} ({number}) has made no declaration on the disqualifications of (8)-4. Declare each item."),
                ["provider.declarations".to_owned(), path.clone()],
            )),
            Some((k, d)) => {
                let missing: Vec<DisqualificationItem> = DisqualificationItem::ALL
                    .into_iter()
                    .filter(|item| !d.not_applicable.contains(item))
                    .collect();
                if !missing.is_empty() {
                    let ja = missing
                        .iter()
                        .map(|i| format!("{}「{}」", i.clause(), i.label_ja()))
                        .collect::<Vec<_>>()
                        .join("、");
                    let en = missing
                        .iter()
                        .map(|i| format!("{} {}", i.clause(), i.label_en()))
                        .collect::<Vec<_>>()
                        .join("; ");
                    problems.push(Problem::new(
                        format!("{name}（法人番号{number}）について、次の欠格事由に該当しないことが申告されていません：{ja}。"),
                        format!("{name} ({number}) has not declared that these do not apply: {en}."),
                        [format!("provider.declarations[{k}].not_applicable")],
                    ));
                }
            }
        }
        for r in ctx
            .revocations
            .iter()
            .filter(|r| &&r.corporate_number == number)
        {
            if revocation_bars(r, ctx.today) {
                let until = anniversary(r.revoked_on, 5)
                    .previous_day()
                    .unwrap_or(r.revoked_on);
                problems.push(Problem::new(
                    format!("{name}（法人番号{number}）は{}に5-3(オ)により特定講習の対象から取り消されており、取消しの日から起算して5年間（{until}まで）は特定講習の対象となることができません。", r.revoked_on),
                    format!("{name} ({number}) had a designation revoked under 5-3(e) on {}; it cannot be designated for 5 years from that day (until {until}).", r.revoked_on),
                    [path.clone()],
                ));
            }
        }
    }
    verdict("B28", problems)
}

/// B29: outsourcing ((8)-1 ポイント): stated, and each outsourced task with how the same
/// quality is kept. Judgement: whether the provider remains the 主体的な講習運営実施者.
pub fn b29_outsourcing(app: &Application, _ctx: &RuleContext<'_>) -> Verdict {
    let o = &app.outsourcing;
    let mut problems = Vec::new();
    match (o.answer, o.tasks.is_empty()) {
        (None, _) => problems.push(Problem::new(
            "外部委託の有無（委託しない／業務の一部を外部に委託する）を選んでください。",
            "Say whether any of the work is outsourced (nothing / part of the work).",
            ["outsourcing.answer"],
        )),
        (Some(OutsourcingAnswer::Outsourced), true) => problems.push(Problem::new(
            "委託する業務（問い合わせ対応、添削指導等）を、委託先と品質の確保方法とともに1件以上記入してください。",
            "List each outsourced task (inquiries, marking, ...) with its contractor and how quality is kept.",
            ["outsourcing.tasks"],
        )),
        (Some(OutsourcingAnswer::NotOutsourced), false) => problems.push(Problem::new(
            "「委託しない」を選んでいますが、委託する業務が記入されています。どちらかに直してください。",
            "\"Nothing is outsourced\" is chosen, but outsourced tasks are listed: correct one or the other.",
            ["outsourcing.answer", "outsourcing.tasks"],
        )),
        _ => {}
    }
    for (k, t) in o.tasks.iter().enumerate() {
        let p = format!("outsourcing.tasks[{k}]");
        required(
            &mut problems,
            &t.task,
            &format!("{p}.task"),
            &format!("委託{}の業務内容", k + 1),
            &format!("outsourced task {}", k + 1),
        );
        required(
            &mut problems,
            &t.contractor,
            &format!("{p}.contractor"),
            &format!("委託{}の委託先", k + 1),
            &format!("the contractor of task {}", k + 1),
        );
        required(
            &mut problems,
            &t.quality_assurance,
            &format!("{p}.quality_assurance"),
            &format!(
                "委託{}で講習運営実施者が行う場合と同程度の質を確保する方法（回答マニュアル等）",
                k + 1
            ),
            &format!(
                "how task {} keeps the provider's own quality (answer manual, ...)",
                k + 1
            ),
        );
    }
    let answered = o.answer.map_or("未回答", OutsourcingAnswer::label_ja);
    let mut items: Vec<EvidenceItem> = vec![ev("outsourcing.answer", answered)];
    items.extend(o.tasks.iter().enumerate().map(|(k, t)| {
        ev(
            format!("outsourcing.tasks[{k}]"),
            format!("{} → {}: {}", t.task, t.contractor, t.quality_assurance),
        )
    }));
    judge(
        "B29",
        problems,
        "外部委託が、実施主体を主体的な講習運営実施者とみなせる範囲（定型的な問い合わせ対応、マニュアルで一義的に対応可能な添削等）にとどまるか確認してください。",
        "Confirm outsourcing stays within what leaves the provider in charge (routine inquiries, marking fully defined by a manual).",
        items,
    )
}

/// B30: identity and RISS-number checks, and no unnoticed leaving ((8)-1 ポイント ①②).
/// Judgement: whether the measures work for the format.
pub fn b30_identity_and_leaving(app: &Application, _ctx: &RuleContext<'_>) -> Verdict {
    let a = &app.attendance_controls;
    let mut problems = Vec::new();
    required(
        &mut problems,
        &a.identity_and_riss_verification,
        "attendance_controls.identity_and_riss_verification",
        "① 講習実施時の受講者の本人確認及び登録セキスペの登録番号の確認の方法（なりすまし防止）",
        "(1) how identity and RISS number are verified at the course",
    );
    required(
        &mut problems,
        &a.leaving_prevention,
        "attendance_controls.leaving_prevention",
        "② 受講者が途中で講習を離脱することができないようにする対策",
        "(2) how learners are prevented from leaving mid-course",
    );
    judge(
        "B30",
        problems,
        "講習形態に応じて、なりすまし防止と途中離脱防止の対策が適切か確認してください。",
        "Confirm identity checks and the prevention of leaving suit the format.",
        vec![
            ev(
                "attendance_controls.identity_and_riss_verification",
                a.identity_and_riss_verification.clone(),
            ),
            ev(
                "attendance_controls.leaving_prevention",
                a.leaving_prevention.clone(),
            ),
            ev(
                "delivery.format",
                format!(
                    "{} / {}",
                    app.delivery.format.label_ja(),
                    app.delivery.format.label_en()
                ),
            ),
        ],
    )
}

/// 「3年間情報の保管を行うこと」.
pub const MIN_RECORD_YEARS: u32 = 3;

/// B31: monthly and annual reports, records kept 3 years (3-2(9)). Judgement: the 体制.
pub fn b31_reporting(app: &Application, _ctx: &RuleContext<'_>) -> Verdict {
    let r = &app.reporting;
    let mut problems = Vec::new();
    if !r.commits_to_monthly_and_annual_reports {
        problems.push(Problem::new(
            "定期的（月次、及び年度終了後）に実施状況報告書を提出することを確認してください。",
            "Commit to submitting the monthly and annual implementation reports.",
            ["reporting.commits_to_monthly_and_annual_reports"],
        ));
    }
    if r.records_kept_years < MIN_RECORD_YEARS {
        problems.push(Problem::new(
            format!("報告事項についての問い合わせに応じられるよう、3年間情報を保管してください（現在{}年）。", r.records_kept_years),
            format!("Keep the reported information for 3 years to answer inquiries (now {}).", r.records_kept_years),
            ["reporting.records_kept_years"],
        ));
    }
    required(
        &mut problems,
        &r.responsible,
        "reporting.responsible",
        "実施状況を報告する担当者・体制",
        "who prepares the reports",
    );
    judge(
        "B31",
        problems,
        "実施状況を経済産業大臣（又は機構）に報告する体制を有しているか確認してください。",
        "Confirm the provider can report its delivery to the ministry (or IPA).",
        vec![
            ev(
                "reporting.commits_to_monthly_and_annual_reports",
                yes_no(r.commits_to_monthly_and_annual_reports),
            ),
            ev(
                "reporting.records_kept_years",
                r.records_kept_years.to_string(),
            ),
            ev("reporting.responsible", r.responsible.clone()),
        ],
    )
}

/// B32: open to people outside the provider and its related parties; the schedule and
/// venue published on the web with a way to apply (3-2(10)).
pub fn b32_open_enrolment(app: &Application, _ctx: &RuleContext<'_>) -> Verdict {
    let e = &app.enrolment;
    let mut problems = Vec::new();
    if !e.open_to_outsiders {
        problems.push(Problem::new(
            "当該講習を実施する者、その関係者が雇用する者又は密接な関係を有する者に限定して募集することはできません。それ以外の者も受講対象に含めてください。",
            "Enrolment may not be limited to the provider's and its related parties' people. Open it to others.",
            ["enrolment.open_to_outsiders"],
        ));
    }
    if !is_web_url(&e.schedule_published_at) {
        problems.push(Problem::new(
            "開催予定、開催場所等を公表しているホームページ等のURL（https://…）を記入してください。",
            "Enter the URL (https://…) where the schedule and venue are published.",
            ["enrolment.schedule_published_at"],
        ));
    }
    required(
        &mut problems,
        &e.how_to_apply,
        "enrolment.how_to_apply",
        "受講の申込方法",
        "how to apply",
    );
    verdict("B32", problems)
}

/// B33: reasonable accommodation (3-2(11), 障害者差別解消法). Judgement: adequacy.
pub fn b33_reasonable_accommodation(app: &Application, _ctx: &RuleContext<'_>) -> Verdict {
    let a = &app.accessibility;
    let mut problems = Vec::new();
    required(
        &mut problems,
        &a.reasonable_accommodation,
        "accessibility.reasonable_accommodation",
        "障害のある人への合理的配慮の提供の内容と申出の方法",
        "the reasonable accommodations offered and how to ask for them",
    );
    judge(
        "B33",
        problems,
        "障害のある人への合理的配慮の提供のため、講習の環境等が整備されているか確認してください。",
        "Confirm the course environment provides reasonable accommodation for people with disabilities.",
        vec![ev(
            "accessibility.reasonable_accommodation",
            a.reasonable_accommodation.clone(),
        )],
    )
}

/// B34: the documents of 4-2 are attached (the forms and checklists Koshu makes itself).
pub fn b34_documents(app: &Application, ctx: &RuleContext<'_>) -> Verdict {
    let problems = DocumentKind::ALL
        .into_iter()
        .filter(|kind| kind.required_for(app) && !ctx.documents.contains(kind))
        .map(|kind| {
            Problem::new(
                format!("「{}」を添付してください。", kind.label_ja()),
                format!("Attach the {}.", kind.label_en().to_lowercase()),
                ["documents"],
            )
        })
        .collect();
    verdict("B34", problems)
}
