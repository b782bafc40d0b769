//! The application laid out as forms: sheets of labelled rows and tables, independent of the
//! file format.
//!
//! Why an intermediate layout: the workbook and the PDF must carry the same content in the same
//! order, so both render this one description rather than each walking the application.
//! Every row carries its key (the field path, or a list name), which the workbook writes into
//! its hidden column A and the importer reads back (see the crate documentation).

use koshu_domain::access::organisation::{Contact, Organisation, PrivacyAssurance};
use koshu_domain::designation::application::{
    Application, CopyrightBasis, DisqualificationItem, Instructor, NetIncome, Supervisor,
};
use koshu_domain::designation::{Rule, Verdict};
use koshu_domain::taxonomy::Taxonomy;
use koshu_domain::types::date_ja;
use time::Date;

use crate::labels::{self, CopyrightKind, PrivacyKind, Role};

pub(crate) const SHEET_SUMMARY: &str = "様式第1号（総括票）";
pub(crate) const SHEET_COURSE: &str = "様式第2号（個票）";
pub(crate) const SHEET_CURRICULUM: &str = "カリキュラム";
pub(crate) const SHEET_PEOPLE: &str = "講師・監修者";
pub(crate) const SHEET_MATERIALS: &str = "教材";
pub(crate) const SHEET_CHECK_SUMMARY: &str = "チェックリスト（総括表）";
pub(crate) const SHEET_CHECK_COURSE: &str = "チェックリスト（個票）";

/// Rules whose facts are the provider's (様式第1号): they go on the 総括表 checklist, every other
/// rule on the 個票. Why not by clause (3-2(8)…): B15, B27, B29 and B30 sit under 3-2(8) but read
/// facts that differ from course to course, which the 個票 holds.
pub(crate) const PROVIDER_RULES: [&str; 7] = ["B21", "B22", "B23", "B24", "B25", "B26", "B28"];

/// One cell's content.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    Text(String),
    Count(u32),
    /// Whole yen, possibly negative.
    Money(i64),
    /// A yes/no answer in a labelled row: はい／いいえ.
    YesNo(bool),
    /// A tick in a table: ○ or blank.
    Tick(bool),
    Date(Option<Date>),
}

impl Value {
    fn text(s: impl Into<String>) -> Self {
        Self::Text(s.into())
    }

    fn blank() -> Self {
        Self::Text(String::new())
    }

    /// How the value reads to a person (the PDF, and text cells).
    pub(crate) fn display(&self) -> String {
        match self {
            Self::Text(s) => s.clone(),
            Self::Count(n) => n.to_string(),
            Self::Money(n) => NetIncome(*n).to_string(),
            Self::YesNo(b) => if *b { "はい" } else { "いいえ" }.to_owned(),
            Self::Tick(b) => if *b { "○" } else { "" }.to_owned(),
            Self::Date(d) => d.map(date_ja).unwrap_or_default(),
        }
    }
}

/// A labelled value (label column + value column), keyed by its field path.
#[derive(Debug, Clone)]
pub(crate) struct Field {
    pub key: &'static str,
    pub label: &'static str,
    pub value: Value,
    /// What a code in the value means (labels of ITSS+ fields): shown beside the codes in the
    /// workbook and instead of them in the PDF, never read back.
    pub note: String,
    /// How to fill the value (the choices): shown in the workbook only, never read back.
    pub hint: String,
}

/// A table column: `field` is the field name inside the list entry; empty for a column that is
/// only shown (the importer ignores it).
#[derive(Debug, Clone)]
pub(crate) struct Column {
    pub field: &'static str,
    pub header: String,
    /// Width in Excel character units; the PDF uses it as a relative weight.
    pub width: f64,
}

#[derive(Debug, Clone)]
pub(crate) struct Table {
    /// The list's field path (`curriculum`), written into the hidden field-name row.
    pub list: &'static str,
    pub columns: Vec<Column>,
    /// Each entry's key (`curriculum[0]`) and its cells, one per column.
    pub rows: Vec<(String, Vec<Value>)>,
}

#[derive(Debug, Clone)]
pub(crate) enum Row {
    Section(String),
    Field(Field),
    Table(Table),
}

#[derive(Debug, Clone)]
pub(crate) enum Body {
    /// Labelled rows with tables among them (様式第1号, 様式第2号).
    Form(Vec<Row>),
    /// One table filling the sheet.
    List(Table),
}

#[derive(Debug, Clone)]
pub(crate) struct Sheet {
    pub name: &'static str,
    pub title: String,
    pub body: Body,
}

/// The seven sheets, in order.
pub(crate) fn sheets(
    app: &Application,
    checks: &[(&'static Rule, Verdict)],
    taxonomy: &Taxonomy,
) -> Vec<Sheet> {
    let (provider_checks, course_checks): (Vec<_>, Vec<_>) = checks
        .iter()
        .partition(|(rule, _)| PROVIDER_RULES.contains(&rule.id));
    let mut sheets = vec![
        Sheet {
            name: SHEET_SUMMARY,
            title: "情報処理安全確保支援士制度 特定講習の応募様式（総括票）".to_owned(),
            body: Body::Form(summary(app)),
        },
        Sheet {
            name: SHEET_COURSE,
            title: "情報処理安全確保支援士制度 特定講習の応募様式（個票）".to_owned(),
            body: Body::Form(course(app, taxonomy)),
        },
        Sheet {
            name: SHEET_CURRICULUM,
            title: curriculum_title(app),
            body: Body::List(curriculum(app, taxonomy)),
        },
        Sheet {
            name: SHEET_PEOPLE,
            title: "講師・監修者 経歴書".to_owned(),
            body: Body::List(people(app)),
        },
        Sheet {
            name: SHEET_MATERIALS,
            title: "使用する教材".to_owned(),
            body: Body::List(materials(app)),
        },
    ];
    // The checklists name each field as the sheets above label it (issue 13 item 16).
    let names = FieldNames::of(&sheets);
    sheets.push(Sheet {
        name: SHEET_CHECK_SUMMARY,
        title: "応募時提出物一覧・チェックリスト（総括表）".to_owned(),
        body: Body::List(checklist(&provider_checks, &names)),
    });
    sheets.push(Sheet {
        name: SHEET_CHECK_COURSE,
        title: "応募時提出物一覧・チェックリスト（個票）".to_owned(),
        body: Body::List(checklist(&course_checks, &names)),
    });
    sheets
}

/// The label of each field path in the form's sheets: a labelled row's, or a table's column
/// with the entry's number.
struct FieldNames {
    rows: Vec<(&'static str, &'static str)>,
    tables: Vec<NamedTable>,
}

/// A list as the forms show it: its path, what it is called, its columns (field, header).
struct NamedTable {
    list: &'static str,
    called: String,
    columns: Vec<(&'static str, String)>,
}

impl FieldNames {
    fn of(sheets: &[Sheet]) -> Self {
        let mut names = Self {
            rows: Vec::new(),
            tables: Vec::new(),
        };
        let mut add_table = |t: &Table, called: String| {
            let columns = t
                .columns
                .iter()
                .map(|c| (c.field, c.header.clone()))
                .collect();
            names.tables.push(NamedTable {
                list: t.list,
                called,
                columns,
            });
        };
        let mut rows = Vec::new();
        for sheet in sheets {
            match &sheet.body {
                Body::List(t) => add_table(t, sheet.name.to_owned()),
                Body::Form(form) => {
                    let mut section = String::new();
                    for row in form {
                        match row {
                            Row::Section(s) => section.clone_from(s),
                            Row::Field(f) => rows.push((f.key, f.label)),
                            Row::Table(t) => add_table(t, section.clone()),
                        }
                    }
                }
            }
        }
        names.rows = rows;
        names
    }

    /// `course.goals` → 到達目標; `curriculum[2].minutes` → カリキュラム 3件目：時間（分）.
    fn name(&self, path: &str) -> String {
        if path == "documents" {
            return "提出書類".to_owned();
        }
        if let Some((_, label)) = self.rows.iter().find(|(key, _)| *key == path) {
            return (*label).to_owned();
        }
        for NamedTable {
            list,
            called,
            columns,
        } in &self.tables
        {
            if path == *list {
                return called.clone();
            }
            let Some((index, field)) = path
                .strip_prefix(*list)
                .and_then(|r| r.strip_prefix('['))
                .and_then(|r| r.split_once(']'))
            else {
                continue;
            };
            let Ok(index) = index.parse::<usize>() else {
                continue;
            };
            let entry = format!("{called} {}件目", index + 1);
            let field = field.strip_prefix('.').unwrap_or(field);
            return match columns.iter().find(|(f, _)| *f == field) {
                Some((_, header)) => format!("{entry}：{header}"),
                None => entry,
            };
        }
        // Not a field of the forms (yet): the path is all there is to say where.
        path.to_owned()
    }
}

fn field(key: &'static str, label: &'static str, value: Value) -> Row {
    Row::Field(Field {
        key,
        label,
        value,
        note: String::new(),
        hint: String::new(),
    })
}

/// A row of codes: the workbook holds the codes (read back) with their meaning beside them
/// and how to write them; the PDF, read by people, prints the meaning only.
fn noted(key: &'static str, label: &'static str, value: Value, note: String, hint: &str) -> Row {
    Row::Field(Field {
        key,
        label,
        value,
        note,
        hint: hint.to_owned(),
    })
}

fn hinted(key: &'static str, label: &'static str, value: Value, hint: impl Into<String>) -> Row {
    Row::Field(Field {
        key,
        label,
        value,
        note: String::new(),
        hint: hint.into(),
    })
}

fn text(key: &'static str, label: &'static str, s: &str) -> Row {
    field(key, label, Value::text(s))
}

fn section(title: &str) -> Row {
    Row::Section(title.to_owned())
}

fn col(field: &'static str, header: impl Into<String>, width: f64) -> Column {
    Column {
        field,
        header: header.into(),
        width,
    }
}

fn choice_note<T>(table: &[labels::Choice<T>]) -> String {
    format!("選択肢：{}", labels::options(table))
}

fn yes_no_note() -> String {
    "はい／いいえ".to_owned()
}

// --- 様式第1号 -----------------------------------------------------------------------------------

fn summary(app: &Application) -> Vec<Row> {
    let p = &app.provider;
    let org = p.organisation.as_ref();
    let s = |f: fn(&Organisation) -> String| Value::Text(org.map(f).unwrap_or_default());
    let mut rows = vec![
        section("実施主体（B21）"),
        field(
            "provider.organisation.name_ja",
            "法人名",
            s(|o| o.name_ja.clone()),
        ),
        field(
            "provider.organisation.name_en",
            "法人名（英語）",
            s(|o| o.name_en.clone().unwrap_or_default()),
        ),
        hinted(
            "provider.organisation.corporate_number",
            "法人番号",
            s(|o| o.corporate_number.to_string()),
            "13桁の数字",
        ),
        field(
            "provider.organisation.address",
            "所在地",
            s(|o| o.address.clone()),
        ),
        field(
            "provider.organisation.representative",
            "代表者",
            s(|o| o.representative.clone()),
        ),
        section("コンソーシアムの構成員（代表以外。単独の場合は空欄）"),
        Row::Table(Table {
            list: "provider.organisation.consortium_members",
            columns: vec![
                col("name", "名称", 36.0),
                col("corporate_number", "法人番号", 60.0),
            ],
            rows: org
                .map(|o| o.consortium_members.as_slice())
                .unwrap_or_default()
                .iter()
                .enumerate()
                .map(|(i, m)| {
                    (
                        format!("provider.organisation.consortium_members[{i}]"),
                        vec![
                            Value::text(&m.name),
                            Value::text(m.corporate_number.as_str()),
                        ],
                    )
                })
                .collect(),
        }),
        section("責任者・窓口（B24）"),
    ];
    for (i, (keys, labels)) in CONTACT_KEYS.iter().zip(CONTACT_LABELS).enumerate() {
        let c = org.map(|o| contact(o, i));
        rows.push(field(
            keys[0],
            labels[0],
            Value::Text(c.map(|c| c.name.clone()).unwrap_or_default()),
        ));
        rows.push(field(
            keys[1],
            labels[1],
            Value::Text(
                c.and_then(|c| c.email.as_ref())
                    .map(ToString::to_string)
                    .unwrap_or_default(),
            ),
        ));
        rows.push(field(
            keys[2],
            labels[2],
            Value::Text(c.and_then(|c| c.phone.clone()).unwrap_or_default()),
        ));
    }
    rows.push(text(
        "provider.desks_published_at",
        "窓口の公表先",
        &p.desks_published_at,
    ));
    let privacy = org.map(|o| &o.privacy);
    let (kind, number, valid_until, url) = match privacy {
        Some(PrivacyAssurance::PrivacyMark {
            number,
            valid_until,
        }) => (
            Some(PrivacyKind::PrivacyMark),
            number.as_str(),
            Some(*valid_until),
            "",
        ),
        Some(PrivacyAssurance::Isms {
            number,
            valid_until,
        }) => (
            Some(PrivacyKind::Isms),
            number.as_str(),
            Some(*valid_until),
            "",
        ),
        Some(PrivacyAssurance::Policy { url }) => {
            (Some(PrivacyKind::Policy), "", None, url.as_str())
        }
        None => (None, "", None, ""),
    };
    rows.extend([
        section("個人情報の保護（B25）"),
        hinted(
            "provider.organisation.privacy.kind",
            "保護の方式",
            Value::text(kind.map_or("", |k| labels::label(labels::PRIVACY, k))),
            choice_note(labels::PRIVACY),
        ),
        text(
            "provider.organisation.privacy.number",
            "認証番号（プライバシーマーク・ISMS）",
            number,
        ),
        field(
            "provider.organisation.privacy.valid_until",
            "有効期限（プライバシーマーク・ISMS）",
            Value::Date(valid_until),
        ),
        text(
            "provider.organisation.privacy.url",
            "プライバシーポリシーのURL",
            url,
        ),
        section("講習事業の開始・経理的基礎（B23、B26）"),
        field(
            "provider.business_started_on",
            "講習事業を開始した日",
            Value::Date(p.business_started_on),
        ),
        Row::Table(Table {
            list: "provider.net_income",
            columns: vec![
                col("fiscal_year", "年度", 36.0),
                col("net_income", "当期純利益（円、損失は負の数）", 60.0),
            ],
            rows: p
                .net_income
                .iter()
                .enumerate()
                .map(|(i, n)| {
                    (
                        format!("provider.net_income[{i}]"),
                        vec![
                            Value::Text(n.fiscal_year.to_string()),
                            Value::Money(n.net_income.0),
                        ],
                    )
                })
                .collect(),
        }),
        section("応募講習の開講実績（B22）"),
        field(
            "track_record.last_delivered_on",
            "直近で開講した日",
            Value::Date(app.track_record.last_delivered_on),
        ),
        field(
            "track_record.learners",
            "その際の受講者数",
            Value::Count(app.track_record.learners),
        ),
        text(
            "track_record.evidence_document",
            "開講実績を示す資料",
            &app.track_record.evidence_document,
        ),
        section("欠格事由に該当しない旨の申立て（B28）：該当しない事項に○"),
        Row::Table(declarations(app)),
    ]);
    rows
}

/// The i-th contact of B24, in the order of [`CONTACT_KEYS`].
pub(crate) fn contact(o: &Organisation, i: usize) -> &Contact {
    let r = &o.responsible;
    match i {
        0 => &r.course_manager,
        1 => &r.enrolment_admin,
        2 => &r.inquiry_desk,
        _ => &r.complaints_desk,
    }
}

pub(crate) const CONTACT_KEYS: [[&str; 3]; 4] = [
    [
        "provider.organisation.responsible.course_manager.name",
        "provider.organisation.responsible.course_manager.email",
        "provider.organisation.responsible.course_manager.phone",
    ],
    [
        "provider.organisation.responsible.enrolment_admin.name",
        "provider.organisation.responsible.enrolment_admin.email",
        "provider.organisation.responsible.enrolment_admin.phone",
    ],
    [
        "provider.organisation.responsible.inquiry_desk.name",
        "provider.organisation.responsible.inquiry_desk.email",
        "provider.organisation.responsible.inquiry_desk.phone",
    ],
    [
        "provider.organisation.responsible.complaints_desk.name",
        "provider.organisation.responsible.complaints_desk.email",
        "provider.organisation.responsible.complaints_desk.phone",
    ],
];

const CONTACT_LABELS: [[&str; 3]; 4] = [
    [
        "講習責任者 氏名",
        "講習責任者 メールアドレス",
        "講習責任者 電話番号",
    ],
    [
        "受講者管理責任者 氏名",
        "受講者管理責任者 メールアドレス",
        "受講者管理責任者 電話番号",
    ],
    [
        "問い合わせ窓口 名称",
        "問い合わせ窓口 メールアドレス",
        "問い合わせ窓口 電話番号",
    ],
    [
        "苦情受付窓口 名称",
        "苦情受付窓口 メールアドレス",
        "苦情受付窓口 電話番号",
    ],
];

/// The column's field name for a 欠格事由 item: `not_applicable.organised_crime`.
pub(crate) fn declaration_field(item: DisqualificationItem) -> &'static str {
    DECLARATION_FIELDS
        .iter()
        .find(|(i, _)| *i == item)
        .map_or("", |(_, f)| f)
}

const DECLARATION_FIELDS: [(DisqualificationItem, &str); 10] = [
    (
        DisqualificationItem::OrganisedCrime,
        "not_applicable.organised_crime",
    ),
    (
        DisqualificationItem::SubversiveActivity,
        "not_applicable.subversive_activity",
    ),
    (
        DisqualificationItem::InsolvencyProceedings,
        "not_applicable.insolvency_proceedings",
    ),
    (
        DisqualificationItem::UndischargedBankrupt,
        "not_applicable.undischarged_bankrupt",
    ),
    (
        DisqualificationItem::DisqualifiedOfficer,
        "not_applicable.disqualified_officer",
    ),
    (
        DisqualificationItem::RecentCriminalPenalty,
        "not_applicable.recent_criminal_penalty",
    ),
    (
        DisqualificationItem::UnpaidTaxes,
        "not_applicable.unpaid_taxes",
    ),
    (
        DisqualificationItem::AgainstPublicOrder,
        "not_applicable.against_public_order",
    ),
    (
        DisqualificationItem::LostPublicTrust,
        "not_applicable.lost_public_trust",
    ),
    (
        DisqualificationItem::RecentRevocation,
        "not_applicable.recent_revocation",
    ),
];

fn declarations(app: &Application) -> Table {
    let mut columns = vec![col("corporate_number", "申し立てる者の法人番号", 36.0)];
    columns.extend(DisqualificationItem::ALL.iter().map(|item| {
        col(
            declaration_field(*item),
            format!("{} {}", item.clause(), item.label_ja()),
            14.0,
        )
    }));
    Table {
        list: "provider.declarations",
        columns,
        rows: app
            .provider
            .declarations
            .iter()
            .enumerate()
            .map(|(i, d)| {
                let mut cells = vec![Value::text(&d.corporate_number)];
                cells.extend(
                    DisqualificationItem::ALL
                        .iter()
                        .map(|item| Value::Tick(d.not_applicable.contains(item))),
                );
                (format!("provider.declarations[{i}]"), cells)
            })
            .collect(),
    }
}

// --- 様式第2号 -----------------------------------------------------------------------------------

fn course(app: &Application, taxonomy: &Taxonomy) -> Vec<Row> {
    let c = &app.course;
    let field_labels = c
        .itss_fields
        .iter()
        .map(|code| {
            // Line by line beside the codes in the workbook; alone in the PDF.
            taxonomy
                .itss_field(code)
                .map_or_else(|| format!("{code}（不明なコード）"), |f| f.label.ja.clone())
        })
        .collect::<Vec<_>>()
        .join("\n");
    let d = &app.delivery;
    let a = &app.assessment;
    let sv = &app.survey;
    let asst = &app.assistants;
    let pl = &app.plan;
    let em = &app.emergency;
    let fa = &app.facilities;
    let ac = &app.attendance_controls;
    let rp = &app.reporting;
    let en = &app.enrolment;
    vec![
        section("講習の概要（3-2(1)）"),
        text("course.name", "講習名", &c.name),
        text("course.purpose", "講習の目的", &c.purpose),
        hinted(
            "course.target_persona",
            "目指すべき人材像",
            Value::text(
                c.target_persona
                    .map_or("", |v| labels::label(labels::PERSONAS, v)),
            ),
            choice_note(labels::PERSONAS),
        ),
        text(
            "course.level4_explanation",
            "ITスキル標準レベル4相当である理由",
            &c.level4_explanation,
        ),
        noted(
            "course.itss_fields",
            "対象分野（別表1、ITSS+）",
            Value::Text(c.itss_fields.join("\n")),
            field_labels,
            "コードを1行に1つ（例：sec_monitoring）",
        ),
        text("course.goals", "到達目標", &c.goals),
        text(
            "course.knowledge_and_skills",
            "修得できる知識・技能",
            &c.knowledge_and_skills,
        ),
        text("course.prerequisites", "前提知識等", &c.prerequisites),
        text(
            "course.publication_plan",
            "公表予定内容・公表予定先",
            &c.publication_plan,
        ),
        section("講習形態（3-2(2)）"),
        hinted(
            "delivery.format",
            "講習形態",
            Value::text(labels::label(labels::FORMATS, d.format)),
            choice_note(labels::FORMATS),
        ),
        text(
            "delivery.standard_learning_time",
            "標準学習時間の設定",
            &d.standard_learning_time,
        ),
        text(
            "delivery.progress_tracking",
            "受講状況の確認",
            &d.progress_tracking,
        ),
        text(
            "delivery.achievement_measurement",
            "学習到達度の把握",
            &d.achievement_measurement,
        ),
        text(
            "delivery.stall_detection_and_follow_up",
            "つまずき・停滞の検知とフォローアップ",
            &d.stall_detection_and_follow_up,
        ),
        section("修了評価・修了証（3-2(3)）"),
        hinted(
            "assessment.kind",
            "修了評価の方法",
            Value::text(a.kind.map_or("", |v| labels::label(labels::ASSESSMENTS, v))),
            choice_note(labels::ASSESSMENTS),
        ),
        text("assessment.process", "評価のプロセス", &a.process),
        text("assessment.criteria", "修了認定の基準", &a.criteria),
        text("assessment.pass_mark", "合格基準", &a.pass_mark),
        text(
            "assessment.published_at",
            "基準・プロセスの公表予定内容・公表予定先",
            &a.published_at,
        ),
        hinted(
            "assessment.explained_before_course",
            "受講開始前に受講者へ説明する",
            Value::YesNo(a.explained_before_course),
            yes_no_note(),
        ),
        hinted(
            "certificate.form",
            "修了証の交付方式",
            Value::text(
                app.certificate
                    .form
                    .map_or("", |v| labels::label(labels::CERTIFICATES, v)),
            ),
            choice_note(labels::CERTIFICATES),
        ),
        text(
            "certificate.description",
            "改竄を防ぐ方法",
            &app.certificate.description,
        ),
        section("修了時アンケート（3-2(1)-4）"),
        hinted(
            "survey.includes_ministry_items",
            "経済産業省が定める調査項目を含む",
            Value::YesNo(sv.includes_ministry_items),
            yes_no_note(),
        ),
        text(
            "survey.provider_items",
            "独自の調査項目（1行に1項目）",
            &sv.provider_items.join("\n"),
        ),
        text(
            "survey.latest_results_summary",
            "直近の結果の概要",
            &sv.latest_results_summary,
        ),
        text(
            "survey.latest_results_document",
            "アンケート結果等を示す資料",
            &sv.latest_results_document,
        ),
        text(
            "survey.review_process",
            "検証体制・品質管理体制",
            &sv.review_process,
        ),
        text(
            "survey.improvement_record",
            "結果を踏まえた改善の実績",
            &sv.improvement_record,
        ),
        section("講師・講師補助者（3-2(4)(5)、(8)-1(ク)）：経歴はシート「講師・監修者」"),
        text(
            "substitute_arrangement",
            "代理の講師が対応する体制",
            &app.substitute_arrangement,
        ),
        hinted(
            "assistants.learners_per_assistant",
            "講師補助者の配置基準（受講者何名につき1名）",
            Value::Count(asst.learners_per_assistant),
            "0＝未記入",
        ),
        text(
            "assistants.selection_criteria",
            "講師補助者の選定条件",
            &asst.selection_criteria,
        ),
        text(
            "assistants.selection_process",
            "講師補助者の決定プロセス",
            &asst.selection_process,
        ),
        field(
            "assistants.number_at_start",
            "講習開始時点で確保予定の講師補助者数",
            Value::Count(asst.number_at_start),
        ),
        section("講習実施計画（3-2(7)）"),
        text(
            "plan.plan_do_check_act",
            "① 講習の計画、実施、評価及び改善",
            &pl.plan_do_check_act,
        ),
        text("plan.start", "② 開始時期", &pl.start),
        text("plan.structure", "③ 実施体制", &pl.structure),
        text("plan.method", "④ 実施方法", &pl.method),
        text(
            "plan.publications",
            "⑤ 公表事項、予定、公表先",
            &pl.publications,
        ),
        text(
            "plan.two_way_communication",
            "⑥ 講師と受講者が双方向でコミュニケーションをとる仕組み",
            &pl.two_way_communication,
        ),
        text(
            "plan.attendance_history",
            "⑦ 受講履歴を確認できる仕組み",
            &pl.attendance_history,
        ),
        section("緊急対応（3-2(7) ポイント）"),
        text(
            "emergency.risk_document",
            "① リスク管理の記録（資料）",
            &em.risk_document,
        ),
        text(
            "emergency.procedures_document",
            "② 対応手順（マニュアル等）",
            &em.procedures_document,
        ),
        field(
            "emergency.last_reviewed_on",
            "最後に見直した日",
            Value::Date(em.last_reviewed_on),
        ),
        text("emergency.review_cycle", "見直しの周期", &em.review_cycle),
        section("技術的基礎（3-2(8)-3）"),
        text(
            "facilities.venue",
            "(ア) 会場及び机・椅子等の設備",
            &fa.venue,
        ),
        text(
            "facilities.equipment",
            "(イ) パソコン等の必要な機器",
            &fa.equipment,
        ),
        text(
            "facilities.remote_systems",
            "(ウ) リモート形式で使用する機器及びシステム等",
            &fa.remote_systems,
        ),
        text("facilities.other", "(エ) その他の機材", &fa.other),
        section("外部委託（3-2(8)-1 ポイント）"),
        hinted(
            "outsourcing.answer",
            "外部委託の有無",
            Value::text(
                app.outsourcing
                    .answer
                    .map_or("", |v| labels::label(labels::OUTSOURCING, v)),
            ),
            choice_note(labels::OUTSOURCING),
        ),
        Row::Table(Table {
            list: "outsourcing.tasks",
            columns: vec![
                col("task", "委託する業務", 36.0),
                col("contractor", "委託先", 60.0),
                col("quality_assurance", "品質を確保する方法", 40.0),
            ],
            rows: app
                .outsourcing
                .tasks
                .iter()
                .enumerate()
                .map(|(i, t)| {
                    (
                        format!("outsourcing.tasks[{i}]"),
                        vec![
                            Value::text(&t.task),
                            Value::text(&t.contractor),
                            Value::text(&t.quality_assurance),
                        ],
                    )
                })
                .collect(),
        }),
        section("受講管理（3-2(8)-1 ポイント①②）"),
        text(
            "attendance_controls.identity_and_riss_verification",
            "① 本人確認及び登録番号の確認の方法",
            &ac.identity_and_riss_verification,
        ),
        text(
            "attendance_controls.leaving_prevention",
            "② 途中離脱を防ぐ対策",
            &ac.leaving_prevention,
        ),
        section("実施状況等の報告（3-2(9)）"),
        hinted(
            "reporting.commits_to_monthly_and_annual_reports",
            "月次・年度の実施状況報告書を提出する",
            Value::YesNo(rp.commits_to_monthly_and_annual_reports),
            yes_no_note(),
        ),
        field(
            "reporting.records_kept_years",
            "報告した情報の保存年数",
            Value::Count(rp.records_kept_years),
        ),
        text("reporting.responsible", "報告する体制", &rp.responsible),
        section("受講対象者（3-2(10)）"),
        hinted(
            "enrolment.open_to_outsiders",
            "実施主体・関係者以外の者を受講対象に含む",
            Value::YesNo(en.open_to_outsiders),
            yes_no_note(),
        ),
        text(
            "enrolment.schedule_published_at",
            "開催予定・開催場所の公表先",
            &en.schedule_published_at,
        ),
        text("enrolment.how_to_apply", "申込方法", &en.how_to_apply),
        hinted(
            "enrolment.capacity",
            "定員（1回あたり）",
            Value::Count(en.capacity),
            "0＝未記入",
        ),
        hinted(
            "enrolment.fee",
            "受講費用（1人あたり・税込）",
            en.fee.map_or_else(
                || Value::text(""),
                |y| Value::Money(i64::try_from(y.amount()).unwrap_or(i64::MAX)),
            ),
            "円。無料は 0、未定は空欄",
        ),
        section("合理的配慮（3-2(11)）"),
        text(
            "accessibility.reasonable_accommodation",
            "合理的配慮の内容と申出の方法",
            &app.accessibility.reasonable_accommodation,
        ),
    ]
}

// --- Lists ---------------------------------------------------------------------------------------

fn curriculum_title(app: &Application) -> String {
    let total: u64 = app.curriculum.iter().map(|i| u64::from(i.minutes)).sum();
    format!(
        "カリキュラム（合計 {total}分＝{}時間{}分）",
        total / 60,
        total % 60
    )
}

fn curriculum(app: &Application, taxonomy: &Taxonomy) -> Table {
    Table {
        list: "curriculum",
        columns: vec![
            col("", "No.", 5.0),
            col("title", "項目名", 36.0),
            col("minutes", "時間（分）", 9.0),
            col("method", "実施方法", 22.0),
            col("syllabus_items", "別表2の項目コード（1行に1つ）", 14.0),
            col("", "別表2の項目名", 36.0),
            col(
                "opportunities.learn_from_experts",
                "(ア) 有識者から学ぶ機会",
                10.0,
            ),
            col("opportunities.think_together", "(イ) 自ら考える機会", 10.0),
            col(
                "opportunities.try_in_practice",
                "(ウ) 試行・実践する機会",
                10.0,
            ),
        ],
        rows: app
            .curriculum
            .iter()
            .enumerate()
            .map(|(i, item)| {
                let names = item
                    .syllabus_items
                    .iter()
                    .map(|code| {
                        taxonomy.syllabus_item(code).map_or_else(
                            || format!("{code}：（不明なコード）"),
                            |s| format!("{code}：{}", s.label.ja),
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n");
                (
                    format!("curriculum[{i}]"),
                    vec![
                        Value::Text((i + 1).to_string()),
                        Value::text(&item.title),
                        Value::Count(item.minutes),
                        Value::text(labels::label(labels::METHODS, item.method)),
                        Value::Text(item.syllabus_items.join("\n")),
                        Value::Text(names),
                        Value::Tick(item.opportunities.learn_from_experts),
                        Value::Tick(item.opportunities.think_together),
                        Value::Tick(item.opportunities.try_in_practice),
                    ],
                )
            })
            .collect(),
    }
}

fn people(app: &Application) -> Table {
    let mut rows: Vec<(String, Vec<Value>)> = app
        .instructors
        .iter()
        .enumerate()
        .map(|(i, ins)| (format!("instructors[{i}]"), instructor_cells(ins)))
        .collect();
    if let Some(s) = &app.supervisor {
        rows.push(("supervisor".to_owned(), supervisor_cells(s)));
    }
    Table {
        list: "instructors",
        columns: vec![
            col("role", "区分", 12.0),
            col("name", "氏名", 16.0),
            col("riss_number", "登録番号（登録セキスペ）", 14.0),
            col("equivalence", "同等の能力（登録番号がない場合）", 30.0),
            col("practical_experience", "実務経験", 36.0),
            col(
                "external_learners_taught",
                "社外受講者への講義実績（人数）",
                12.0,
            ),
            col(
                "facilitation_record",
                "グループ討議を含む講習・コンサルテーションの実績",
                30.0,
            ),
            col("affiliation", "所属", 24.0),
            col(
                "declares_not_disqualified",
                "欠格事由に該当しない旨の申立て",
                10.0,
            ),
            col("oversees.programme", "監修：講習プログラム", 10.0),
            col("oversees.materials", "監修：教材", 10.0),
            col("oversees.instructors", "監修：講師の決定", 10.0),
            col("oversees.completion_assessment", "監修：修了評価", 10.0),
            col("oversees.course_evaluation", "監修：講習の評価・改善", 10.0),
        ],
        rows,
    }
}

fn instructor_cells(i: &Instructor) -> Vec<Value> {
    let role = if i.is_substitute {
        Role::Substitute
    } else {
        Role::Instructor
    };
    let mut cells = vec![
        Value::text(labels::label(labels::ROLES, role)),
        Value::text(&i.name),
        Value::Text(
            i.riss_number
                .as_ref()
                .map(|n| n.digits().to_owned())
                .unwrap_or_default(),
        ),
        Value::text(&i.equivalence),
        Value::text(&i.practical_experience),
        Value::Count(i.external_learners_taught),
        Value::text(&i.facilitation_record),
        Value::text(
            i.affiliation
                .map_or("", |a| labels::label(labels::AFFILIATIONS, a)),
        ),
        Value::Tick(i.declares_not_disqualified),
    ];
    cells.extend((0..5).map(|_| Value::blank()));
    cells
}

fn supervisor_cells(s: &Supervisor) -> Vec<Value> {
    let o = s.oversees;
    vec![
        Value::text(labels::label(labels::ROLES, Role::Supervisor)),
        Value::text(&s.name),
        Value::blank(),
        Value::blank(),
        Value::text(&s.practical_experience),
        Value::blank(),
        Value::blank(),
        Value::blank(),
        Value::Tick(s.declares_not_disqualified),
        Value::Tick(o.programme),
        Value::Tick(o.materials),
        Value::Tick(o.instructors),
        Value::Tick(o.completion_assessment),
        Value::Tick(o.course_evaluation),
    ]
}

fn materials(app: &Application) -> Table {
    Table {
        list: "materials",
        columns: vec![
            col("title", "教材名", 30.0),
            col("document", "提出する資料（ファイル名）", 20.0),
            col("copyright.kind", "著作権の扱い", 20.0),
            col("copyright.evidence_document", "承諾を示す資料", 20.0),
            col("copyright.usage", "市販教材の使い方", 24.0),
            col("copyright.supplement", "市販教材を補うレジメ等", 24.0),
            col("is_exercise", "演習の内容を示す資料", 10.0),
            col("includes_model_answers", "演習課題と回答例を含む", 10.0),
        ],
        rows: app
            .materials
            .iter()
            .enumerate()
            .map(|(i, m)| {
                let (kind, evidence, usage, supplement) = match &m.copyright {
                    None => (None, "", "", ""),
                    Some(CopyrightBasis::Own) => (Some(CopyrightKind::Own), "", "", ""),
                    Some(CopyrightBasis::Licensed { evidence_document }) => (
                        Some(CopyrightKind::Licensed),
                        evidence_document.as_str(),
                        "",
                        "",
                    ),
                    Some(CopyrightBasis::Commercial { usage, supplement }) => (
                        Some(CopyrightKind::Commercial),
                        "",
                        usage.as_str(),
                        supplement.as_str(),
                    ),
                };
                (
                    format!("materials[{i}]"),
                    vec![
                        Value::text(&m.title),
                        Value::text(&m.document),
                        Value::text(kind.map_or("", |k| labels::label(labels::COPYRIGHTS, k))),
                        Value::text(evidence),
                        Value::text(usage),
                        Value::text(supplement),
                        Value::Tick(m.is_exercise),
                        Value::Tick(m.includes_model_answers),
                    ],
                )
            })
            .collect(),
    }
}

// --- Checklists ----------------------------------------------------------------------------------

/// Longest evidence value quoted in a checklist cell; the full text is on the form sheets.
const EVIDENCE_CHARS: usize = 200;

/// Longest checklist cell: Excel holds 32,767 characters a cell, and a verdict over a very
/// long application can quote more.
const CHECK_CELL_CHARS: usize = 32_000;

fn clip(s: String) -> String {
    if s.chars().count() <= CHECK_CELL_CHARS {
        return s;
    }
    let mut out: String = s.chars().take(CHECK_CELL_CHARS).collect();
    out.push_str("…（以下省略）");
    out
}

pub(crate) fn verdict_label(v: &Verdict) -> &'static str {
    match v {
        Verdict::Pass => "適合",
        Verdict::Fail(_) => "不適合",
        Verdict::NeedsReview(_) => "要審査",
    }
}

fn checklist(checks: &[&(&'static Rule, Verdict)], names: &FieldNames) -> Table {
    Table {
        list: "checks",
        columns: vec![
            col("id", "ID", 9.0),
            col("clause", "条項", 14.0),
            col("title", "要件", 34.0),
            col("kind", "判定の種類", 10.0),
            col("verdict", "自動判定", 10.0),
            col("detail", "指摘・確認事項", 58.0),
            col("fields", "該当欄", 28.0),
        ],
        rows: checks
            .iter()
            .map(|(rule, verdict)| {
                let (detail, fields) = match verdict {
                    Verdict::Pass => (String::new(), Vec::new()),
                    Verdict::Fail(f) => {
                        let mut lines = vec![f.message_ja.clone()];
                        lines.extend(f.problems.iter().map(|p| format!("・{}", p.message_ja)));
                        (lines.join("\n"), f.fields())
                    }
                    Verdict::NeedsReview(e) => {
                        let mut lines = vec![e.message_ja.clone()];
                        lines.extend(e.items.iter().map(|i| {
                            let value: String = i.value.chars().take(EVIDENCE_CHARS).collect();
                            let more = if i.value.chars().count() > EVIDENCE_CHARS {
                                "…"
                            } else {
                                ""
                            };
                            format!("・{}：{value}{more}", names.name(&i.field))
                        }));
                        (lines.join("\n"), e.fields())
                    }
                };
                let kind = match rule.kind {
                    koshu_domain::designation::RuleKind::DataDecided => "データで判定",
                    koshu_domain::designation::RuleKind::Judgement => "審査で判断",
                };
                (
                    rule.id.to_owned(),
                    vec![
                        Value::text(rule.id),
                        Value::text(rule.clause),
                        Value::text(rule.title_ja),
                        Value::text(kind),
                        Value::text(verdict_label(verdict)),
                        Value::Text(clip(detail)),
                        Value::Text(clip(
                            fields
                                .iter()
                                .map(|f| names.name(f))
                                .collect::<Vec<_>>()
                                .join("\n"),
                        )),
                    ],
                )
            })
            .collect(),
    }
}
