//! The application's input form as data: sections, their fields and lists, each field with its
//! path in `koshu_domain::designation::Application` (the same paths the rules name), its label
//! in both languages and how its text becomes a value. One table drives rendering, parsing and
//! the self-check page's links, so a path cannot be shown in one place and parsed in another.

use koshu_domain::designation::application::{DisqualificationItem, OutsourcingAnswer};

/// A value's shape in the form and in the application's JSON.
#[derive(Debug, Clone, Copy)]
pub enum Kind {
    Text,
    Textarea,
    /// A list of strings, one per line.
    Lines,
    /// A whole number from 0 to `max` (minutes, counts).
    Number {
        max: u32,
    },
    /// Yen, possibly negative (▲ or −).
    Money,
    /// An amount in yen, not negative, or nothing (a fee not stated).
    Yen,
    /// A box: `true` when ticked.
    Check,
    /// A date, or nothing.
    Date,
    /// One of `options` (codes of a serde enum); `optional` adds "not chosen" (null).
    Choice {
        options: &'static [Opt],
        optional: bool,
        radio: bool,
    },
    /// Codes chosen from a group of boxes; the options come from the taxonomy or a list.
    Codes(CodeSource),
    /// Codes typed as text ("3-1, 3-8"), each checked against the syllabus.
    SyllabusCodes,
    /// A RISS registration number, or nothing.
    Riss,
    /// A fiscal year (2025 or 2025年度).
    FiscalYear,
}

/// Where the options of a group of boxes come from.
#[derive(Debug, Clone, Copy)]
pub enum CodeSource {
    /// The 9 fields of 別表1.
    Betsuhyo1Fields,
    /// The disqualification items of 3-2(8)-4.
    Disqualifications,
}

/// A choice: code, Japanese and English label.
pub type Opt = (&'static str, &'static str, &'static str);

#[derive(Debug, Clone, Copy)]
pub struct Field {
    /// Absolute for a section's own fields; relative to the row for a list's.
    pub path: &'static str,
    pub ja: &'static str,
    pub en: &'static str,
    pub kind: Kind,
    pub hint_ja: &'static str,
    pub hint_en: &'static str,
}

const fn f(path: &'static str, ja: &'static str, en: &'static str, kind: Kind) -> Field {
    Field {
        path,
        ja,
        en,
        kind,
        hint_ja: "",
        hint_en: "",
    }
}

const fn h(
    path: &'static str,
    ja: &'static str,
    en: &'static str,
    kind: Kind,
    hint_ja: &'static str,
    hint_en: &'static str,
) -> Field {
    Field {
        path,
        ja,
        en,
        kind,
        hint_ja,
        hint_en,
    }
}

/// A list of rows (curriculum items, instructors, ...).
#[derive(Debug, Clone, Copy)]
pub struct List {
    pub path: &'static str,
    pub ja: &'static str,
    pub en: &'static str,
    /// What one row is called ("項目 3").
    pub row_ja: &'static str,
    pub row_en: &'static str,
    pub fields: &'static [Field],
}

#[derive(Debug, Clone, Copy)]
pub struct Section {
    pub slug: &'static str,
    pub ja: &'static str,
    pub en: &'static str,
    /// What the section is for, from the guideline.
    pub intro_ja: &'static str,
    pub intro_en: &'static str,
    pub fields: &'static [Field],
    pub lists: &'static [List],
    /// Top-level paths of the application this section writes; the self-check links a rule's
    /// field path to the section that owns its first segment.
    pub owns: &'static [&'static str],
}

const T: Kind = Kind::Text;
const TA: Kind = Kind::Textarea;
const N: Kind = Kind::Number { max: 1_000_000 };
/// One curriculum item's minutes (issue 12 finding 8: no total can be wrapped by one row).
const MINUTES: Kind = Kind::Number {
    max: koshu_domain::designation::application::CurriculumItem::MAX_MINUTES,
};
const C: Kind = Kind::Check;
const D: Kind = Kind::Date;

const PERSONAS: &[Opt] = &[
    (
        "in_house",
        "①企業等の内部に1人は置かれるべき人材",
        "(1) the in-house person every organisation needs",
    ),
    (
        "external_specialist",
        "②企業等の外部から専門的なセキュリティ対策を実施できる人材",
        "(2) the external specialist",
    ),
];

const METHODS: &[Opt] = &[
    ("lecture", "講義（座学）", "Lecture"),
    (
        "simulated_exercise",
        "① 疑似環境を用いた実習・実技・演習",
        "(1) Exercise in a simulated environment",
    ),
    (
        "learner_presentation",
        "② 受講者による発表",
        "(2) Presentation by learners",
    ),
    (
        "discussion_group_work",
        "③ ディスカッション・グループワーク・ワークショップ",
        "(3) Discussion, group work, workshop",
    ),
];

const FORMATS: &[Opt] = &[
    ("in_person", "集合形式", "In person"),
    ("remote", "リモート形式", "Remote"),
    ("hybrid", "集合形式とリモート形式の併用", "Hybrid"),
];

const OUTSOURCING: &[Opt] = &[
    (
        "not_outsourced",
        OutsourcingAnswer::NotOutsourced.label_ja(),
        OutsourcingAnswer::NotOutsourced.label_en(),
    ),
    (
        "outsourced",
        OutsourcingAnswer::Outsourced.label_ja(),
        OutsourcingAnswer::Outsourced.label_en(),
    ),
];

const ASSESSMENTS: &[Opt] = &[
    ("test", "修了テスト", "Completion test"),
    ("presentation", "成果発表", "Presentation of results"),
];

const CERTIFICATES: &[Opt] = &[
    ("paper", "書面", "Paper"),
    ("digital_badge", "デジタルバッジ", "Digital badge"),
    (
        "other_data",
        "その他の改ざん困難なデータ",
        "Other tamper-resistant data",
    ),
];

const AFFILIATIONS: &[Opt] = &[
    (
        "employee",
        "① 実施主体に所属する者",
        "(1) Employed by the provider",
    ),
    (
        "member_of_nda_contracted_organisation",
        "② 実施主体とNDAを含む契約を締結している組織に所属する者",
        "(2) Works for an organisation under a contract with an NDA",
    ),
    (
        "nda_contractor",
        "③ 実施主体とNDAを含む契約を締結している者",
        "(3) Under a contract with an NDA themselves",
    ),
    ("other", "上記以外", "None of these"),
];

const COPYRIGHT: &[Opt] = &[
    (
        "own",
        "実施主体が著作権を有する",
        "The provider holds the copyright",
    ),
    (
        "licensed",
        "著作権者の許諾を得ている",
        "Used with the copyright holder's permission",
    ),
    (
        "commercial",
        "市販の教材（補足資料あり）",
        "Commercial material (with supplements)",
    ),
];

pub const SECTIONS: &[Section] = &[
    Section {
        slug: "course",
        ja: "講習の概要",
        en: "The course",
        intro_ja: "講習名、目指すべき人材像、別表1の分野、到達目標、修得できる知識・技能、前提知識（3-2(1)-1、(1)-3）。",
        intro_en: "Name, target persona, fields of 別表1, goals, knowledge and skills, prerequisites (3-2(1)-1, (1)-3).",
        fields: &[
            f("course.name", "講習名", "Course name", T),
            h(
                "course.purpose",
                "講習の目的",
                "Purpose of the course",
                TA,
                "講座検索の「目的」に表示されます。",
                "Shown as the purpose in the catalogue.",
            ),
            f(
                "course.target_persona",
                "目指すべき人材像",
                "Target persona",
                Kind::Choice {
                    options: PERSONAS,
                    optional: true,
                    radio: true,
                },
            ),
            h(
                "course.itss_fields",
                "対象とする分野（別表1）",
                "Fields (別表1)",
                Kind::Codes(CodeSource::Betsuhyo1Fields),
                "1つ以上選びます。選んだ分野に対応する科目の項目をカリキュラムで扱います（3-2(1)-2）。",
                "Choose one or more. The curriculum covers items of the subjects they map to (3-2(1)-2).",
            ),
            h(
                "course.level4_explanation",
                "ITSSレベル4相当である理由",
                "Why the course is ITSS level 4",
                TA,
                "審査で確認されます。",
                "A reviewer judges this.",
            ),
            f("course.goals", "到達目標", "Goals", TA),
            f(
                "course.knowledge_and_skills",
                "修得できる知識・技能",
                "Knowledge and skills gained",
                TA,
            ),
            h(
                "course.prerequisites",
                "前提知識等",
                "Prerequisites",
                TA,
                "ない場合は空欄のままにします。",
                "Leave empty when there are none.",
            ),
            f(
                "course.publication_plan",
                "公表予定内容・公表予定先",
                "Where the above is published",
                TA,
            ),
        ],
        lists: &[],
        owns: &["course"],
    },
    Section {
        slug: "curriculum",
        ja: "カリキュラム",
        en: "Curriculum",
        intro_ja: "カリキュラム項目ごとに、時間、実施方法、扱う別表2の項目、(ア)(イ)(ウ)の機会を入力します。合計6時間以上、項目数の半分以上が実習等であること（3-2(1)、(2)）。新しい項目は空欄の行に入力して保存します。",
        intro_en: "For each item: time, method, the 別表2 items covered and the opportunities (a)(b)(c) it gives. At least 6 hours in all, and at least half of the items practical (3-2(1), (2)). Add an item in the empty row and save.",
        fields: &[],
        lists: &[List {
            path: "curriculum",
            ja: "カリキュラム項目",
            en: "Curriculum items",
            row_ja: "項目",
            row_en: "Item",
            fields: &[
                f("title", "項目名", "Title", T),
                h(
                    "minutes",
                    "時間（分）",
                    "Time (minutes)",
                    MINUTES,
                    "例：90",
                    "For example 90",
                ),
                f(
                    "method",
                    "実施方法",
                    "Method",
                    Kind::Choice {
                        options: METHODS,
                        optional: false,
                        radio: false,
                    },
                ),
                h(
                    "syllabus_items",
                    "扱う別表2の項目",
                    "別表2 items covered",
                    Kind::SyllabusCodes,
                    "項目番号をカンマで区切って入力（例：3-1, 3-8）。",
                    "Item numbers separated by commas (such as 3-1, 3-8).",
                ),
                f(
                    "opportunities.learn_from_experts",
                    "(ア) 専門家から実践的な手法やノウハウを学ぶ機会",
                    "(a) Learn practice from experts",
                    C,
                ),
                f(
                    "opportunities.think_together",
                    "(イ) 受講者同士の議論等で課題を自ら考える機会",
                    "(b) Think problems through together",
                    C,
                ),
                f(
                    "opportunities.try_in_practice",
                    "(ウ) 修得した知識・技能を試行・実践する機会",
                    "(c) Try what was learned",
                    C,
                ),
            ],
        }],
        owns: &["curriculum"],
    },
    Section {
        slug: "delivery",
        ja: "形式・修了評価・アンケート",
        en: "Format, completion, survey",
        intro_ja: "講習形態（リモートの場合は学習管理の方法）、修了評価、修了証、講座評価アンケート（3-2(1)-4、(2)、(3)）。",
        intro_en: "Format (and, when remote, how learning is followed), completion assessment, certificate, course survey (3-2(1)-4, (2), (3)).",
        fields: &[
            f(
                "delivery.format",
                "講習形態",
                "Format",
                Kind::Choice {
                    options: FORMATS,
                    optional: false,
                    radio: true,
                },
            ),
            h(
                "delivery.standard_learning_time",
                "標準学習時間の設定",
                "Standard learning time",
                TA,
                "リモート形式・併用の場合に必要です（次の3項目も同じ）。",
                "Needed for remote or hybrid delivery (as are the next three).",
            ),
            f(
                "delivery.progress_tracking",
                "受講状況の確認方法",
                "How progress is followed",
                TA,
            ),
            f(
                "delivery.achievement_measurement",
                "学習到達度の把握方法",
                "How achievement is measured",
                TA,
            ),
            f(
                "delivery.stall_detection_and_follow_up",
                "つまずき・停滞のリアルタイム検知とフォローアップ",
                "Real-time detection of stalls and follow-up",
                TA,
            ),
            f(
                "assessment.kind",
                "修了評価の方法",
                "Completion assessment",
                Kind::Choice {
                    options: ASSESSMENTS,
                    optional: true,
                    radio: true,
                },
            ),
            f(
                "assessment.process",
                "評価のプロセス",
                "Assessment process",
                TA,
            ),
            f(
                "assessment.criteria",
                "修了認定の基準",
                "Completion criteria",
                TA,
            ),
            h(
                "assessment.pass_mark",
                "合格基準",
                "Pass mark",
                T,
                "例：70点以上",
                "For example 70 points or more",
            ),
            f(
                "assessment.published_at",
                "基準の公表予定内容・公表予定先",
                "Where the criteria are published",
                TA,
            ),
            f(
                "assessment.explained_before_course",
                "受講開始前に受講者へ説明する",
                "Explained to learners before the course",
                C,
            ),
            f(
                "certificate.form",
                "修了証の形式",
                "Certificate",
                Kind::Choice {
                    options: CERTIFICATES,
                    optional: true,
                    radio: true,
                },
            ),
            f(
                "certificate.description",
                "改ざん防止の方法",
                "How tampering is prevented",
                TA,
            ),
            f(
                "survey.includes_ministry_items",
                "経済産業省が指定する調査項目を含める",
                "Includes the ministry's survey items",
                C,
            ),
            h(
                "survey.provider_items",
                "独自の調査項目",
                "Own survey questions",
                Kind::Lines,
                "1行に1項目。",
                "One per line.",
            ),
            f(
                "survey.latest_results_summary",
                "直近のアンケート結果の概要",
                "Summary of the latest results",
                TA,
            ),
            f(
                "survey.latest_results_document",
                "直近のアンケート結果の資料名",
                "Document with the latest results",
                T,
            ),
            f(
                "survey.review_process",
                "検証体制・品質管理体制",
                "Who reviews the results, and how",
                TA,
            ),
            f(
                "survey.improvement_record",
                "改善の記録",
                "Improvements made",
                TA,
            ),
        ],
        lists: &[],
        owns: &["delivery", "assessment", "certificate", "survey"],
    },
    Section {
        slug: "people",
        ja: "講師・監修者・補助者",
        en: "Instructors, supervisor, assistants",
        intro_ja: "講師（代理の講師を含む）、監修者、講師補助者（3-2(4)〜(6)、(8)-1(ク)）。",
        intro_en: "Instructors (with substitutes), the supervisor, assistants (3-2(4)-(6), (8)-1(ク)).",
        fields: &[
            f(
                "substitute_arrangement",
                "代理の講師の手配方法",
                "How substitutes are arranged",
                TA,
            ),
            f("supervisor.name", "監修者の氏名", "Supervisor's name", T),
            f(
                "supervisor.practical_experience",
                "監修者の実務経験",
                "Supervisor's practical experience",
                TA,
            ),
            f(
                "supervisor.oversees.programme",
                "講習プログラムを監修する",
                "Oversees the programme",
                C,
            ),
            f(
                "supervisor.oversees.materials",
                "教材を監修する",
                "Oversees the materials",
                C,
            ),
            f(
                "supervisor.oversees.instructors",
                "講師の決定を監修する",
                "Oversees the choice of instructors",
                C,
            ),
            f(
                "supervisor.oversees.completion_assessment",
                "修了評価を監修する",
                "Oversees completion assessment",
                C,
            ),
            f(
                "supervisor.oversees.course_evaluation",
                "講座評価を監修する",
                "Oversees course evaluation",
                C,
            ),
            f(
                "supervisor.declares_not_disqualified",
                "監修者は欠格事由に該当しない",
                "The supervisor is not disqualified",
                C,
            ),
            h(
                "assistants.learners_per_assistant",
                "講師補助者1人あたりの受講者数",
                "Learners per assistant",
                N,
                "例：受講者10人に1人なら 10",
                "For one per 10 learners, 10",
            ),
            f(
                "assistants.selection_criteria",
                "講師補助者の選定基準",
                "Selection criteria for assistants",
                TA,
            ),
            f(
                "assistants.selection_process",
                "講師補助者の選定方法",
                "How assistants are selected",
                TA,
            ),
            f(
                "assistants.number_at_start",
                "開講時の講師補助者数",
                "Assistants at the start",
                N,
            ),
        ],
        lists: &[List {
            path: "instructors",
            ja: "講師",
            en: "Instructors",
            row_ja: "講師",
            row_en: "Instructor",
            fields: &[
                f("name", "氏名", "Name", T),
                h(
                    "riss_number",
                    "登録セキスペの登録番号",
                    "RISS registration number",
                    Kind::Riss,
                    "6桁の番号。ない場合は次の欄に同等の能力を記入します。",
                    "6 digits. Without one, describe the equivalent ability below.",
                ),
                f(
                    "equivalence",
                    "登録セキスペと同等の能力",
                    "Ability equivalent to a RISS",
                    TA,
                ),
                f(
                    "practical_experience",
                    "対象科目に関する実務経験",
                    "Practical experience in the subjects",
                    TA,
                ),
                h(
                    "external_learners_taught",
                    "国内の社外受講者への講義実績（人数）",
                    "External learners taught in Japan",
                    N,
                    "おおむね20名程度以上。",
                    "About 20 or more.",
                ),
                f(
                    "facilitation_record",
                    "グループディスカッションを含む講習またはコンサルテーションの実績",
                    "Facilitation or consulting record",
                    TA,
                ),
                f(
                    "affiliation",
                    "所属",
                    "Affiliation",
                    Kind::Choice {
                        options: AFFILIATIONS,
                        optional: true,
                        radio: false,
                    },
                ),
                f("is_substitute", "代理の講師", "Substitute instructor", C),
                f(
                    "declares_not_disqualified",
                    "欠格事由に該当しない",
                    "Not disqualified",
                    C,
                ),
            ],
        }],
        owns: &[
            "instructors",
            "substitute_arrangement",
            "supervisor",
            "assistants",
        ],
    },
    Section {
        slug: "materials",
        ja: "教材",
        en: "Materials",
        intro_ja: "教材ごとに著作権の根拠を示します。演習には模範解答を添えます（3-2(6)）。資料は「提出書類」で添付します。",
        intro_en: "For each material, the basis for using it. Exercises come with model answers (3-2(6)). Attach the files under Documents.",
        fields: &[],
        lists: &[List {
            path: "materials",
            ja: "教材",
            en: "Materials",
            row_ja: "教材",
            row_en: "Material",
            fields: &[
                f("title", "教材名", "Title", T),
                f(
                    "document",
                    "資料名（添付ファイル）",
                    "Document (attached file)",
                    T,
                ),
                f(
                    "copyright.kind",
                    "著作権",
                    "Copyright",
                    Kind::Choice {
                        options: COPYRIGHT,
                        optional: true,
                        radio: false,
                    },
                ),
                f(
                    "copyright.evidence_document",
                    "許諾を示す資料名",
                    "Document showing the permission",
                    T,
                ),
                f(
                    "copyright.usage",
                    "市販教材の使い方",
                    "How the commercial material is used",
                    TA,
                ),
                f(
                    "copyright.supplement",
                    "補足資料",
                    "Supplementary material",
                    TA,
                ),
                f("is_exercise", "演習の教材", "Exercise material", C),
                f(
                    "includes_model_answers",
                    "模範解答を含む",
                    "Includes model answers",
                    C,
                ),
            ],
        }],
        owns: &["materials"],
    },
    Section {
        slug: "plan",
        ja: "実施計画・運営",
        en: "Plan and operations",
        intro_ja: "講習実施計画①〜⑦、緊急時対応、開講実績、設備、外部委託、なりすまし・途中離脱の防止、報告、受講対象者、合理的配慮（3-2(7)〜(11)）。",
        intro_en: "Implementation plan (1)-(7), emergencies, track record, facilities, outsourcing, identity and leaving, reporting, enrolment, accommodation (3-2(7)-(11)).",
        fields: &[
            f(
                "plan.plan_do_check_act",
                "① 計画・実施・評価・改善（PDCA）",
                "(1) Plan, do, check, act",
                TA,
            ),
            f("plan.start", "② 開始時期", "(2) Start", TA),
            f(
                "plan.structure",
                "③ 実施体制（講師、事務局、責任分担、資源）",
                "(3) Structure",
                TA,
            ),
            f(
                "plan.method",
                "④ 実施方法（名称、目的、範囲、内容、形式、環境、日程、教材、回数、開催地、受講料）",
                "(4) Method",
                TA,
            ),
            f("plan.publications", "⑤ 公表事項", "(5) Publications", TA),
            f(
                "plan.two_way_communication",
                "⑥ 講師と受講者の双方向のコミュニケーション",
                "(6) Two-way communication",
                TA,
            ),
            f(
                "plan.attendance_history",
                "⑦ 受講履歴を記録する学習管理の仕組み",
                "(7) Learning management that records attendance",
                TA,
            ),
            f(
                "emergency.risk_document",
                "緊急時のリスクをまとめた資料名",
                "Document listing the risks",
                T,
            ),
            f(
                "emergency.procedures_document",
                "緊急時の対応手順の資料名",
                "Document with the procedures",
                T,
            ),
            f(
                "emergency.last_reviewed_on",
                "緊急時対応の最終見直し日",
                "Last reviewed on",
                D,
            ),
            f(
                "emergency.review_cycle",
                "見直しの周期",
                "How often it is reviewed",
                T,
            ),
            f(
                "track_record.last_delivered_on",
                "同じ講習の直近の開講日",
                "Last delivery of this course",
                D,
            ),
            f(
                "track_record.learners",
                "その回の受講者数",
                "Learners at that delivery",
                N,
            ),
            f(
                "track_record.evidence_document",
                "開講実績を示す資料名",
                "Document showing the delivery",
                T,
            ),
            f("facilities.venue", "会場", "Venue", TA),
            f("facilities.equipment", "設備・機器", "Equipment", TA),
            f(
                "facilities.remote_systems",
                "リモート配信・学習管理のシステム",
                "Remote delivery and learning systems",
                TA,
            ),
            f("facilities.other", "その他", "Other", TA),
            f(
                "outsourcing.answer",
                "外部委託の有無",
                "Outsourcing",
                Kind::Choice {
                    options: OUTSOURCING,
                    optional: true,
                    radio: true,
                },
            ),
            f(
                "attendance_controls.identity_and_riss_verification",
                "本人確認と登録番号の確認方法（なりすまし防止）",
                "How identity and the RISS number are checked",
                TA,
            ),
            f(
                "attendance_controls.leaving_prevention",
                "途中離脱の防止方法",
                "How leaving mid-course is detected",
                TA,
            ),
            f(
                "reporting.commits_to_monthly_and_annual_reports",
                "月次・年次の実施状況を報告する",
                "Monthly and annual reports will be made",
                C,
            ),
            f(
                "reporting.records_kept_years",
                "記録の保存年数",
                "Years records are kept",
                N,
            ),
            f(
                "reporting.responsible",
                "報告の責任者",
                "Responsible for reports",
                T,
            ),
            f(
                "enrolment.open_to_outsiders",
                "実施主体の関係者以外も受講できる",
                "Open to people outside the provider",
                C,
            ),
            f(
                "enrolment.schedule_published_at",
                "日程・会場の公表先（URL）",
                "Where the schedule is published (URL)",
                T,
            ),
            f("enrolment.how_to_apply", "申込方法", "How to apply", TA),
            f("enrolment.capacity", "定員", "Capacity", N),
            h(
                "enrolment.fee",
                "受講費用（1人あたり・税込）",
                "Fee per learner (tax included)",
                Kind::Yen,
                "例：77,000。無料は 0。講座検索に表示されます。",
                "For example 77,000; 0 when free. Shown in the catalogue.",
            ),
            f(
                "accessibility.reasonable_accommodation",
                "障害のある受講者への合理的配慮",
                "Reasonable accommodation",
                TA,
            ),
        ],
        lists: &[List {
            path: "outsourcing.tasks",
            ja: "外部委託する業務",
            en: "Outsourced tasks",
            row_ja: "委託",
            row_en: "Task",
            fields: &[
                f("task", "業務", "Task", T),
                f("contractor", "委託先", "Contractor", T),
                f(
                    "quality_assurance",
                    "品質の確保方法",
                    "How quality is assured",
                    TA,
                ),
            ],
        }],
        owns: &[
            "plan",
            "emergency",
            "track_record",
            "facilities",
            "outsourcing",
            "attendance_controls",
            "reporting",
            "enrolment",
            "accessibility",
        ],
    },
    Section {
        slug: "provider",
        ja: "事業者（様式第1号）",
        en: "The provider (様式第1号)",
        intro_ja: "事業の開始日、直近3事業年度の当期純損益、欠格事由の申告（3-2(8)）。法人名・法人番号・責任者・個人情報保護は組織の登録情報から取り込みます。",
        intro_en: "Business start, net income of the last 3 fiscal years, declarations (3-2(8)). Name, 法人番号, responsible persons and privacy come from the organisation's record.",
        fields: &[
            f(
                "provider.business_started_on",
                "事業の開始日",
                "Business started on",
                D,
            ),
            f(
                "provider.desks_published_at",
                "問合せ・苦情窓口の公表先（URL）",
                "Where the desks are published (URL)",
                T,
            ),
        ],
        lists: &[
            List {
                path: "provider.net_income",
                ja: "当期純損益（直近3事業年度）",
                en: "Net income (last 3 fiscal years)",
                row_ja: "年度",
                row_en: "Year",
                fields: &[
                    h(
                        "fiscal_year",
                        "事業年度",
                        "Fiscal year",
                        Kind::FiscalYear,
                        "例：2025",
                        "For example 2025",
                    ),
                    h(
                        "net_income",
                        "当期純損益（円）",
                        "Net income (yen)",
                        Kind::Money,
                        "損失は ▲ または − を付けます（例：▲1,200,000）。",
                        "Mark a loss with ▲ or − (such as ▲1,200,000).",
                    ),
                ],
            },
            List {
                path: "provider.declarations",
                ja: "欠格事由に該当しないことの申告（事業者・構成員ごと）",
                en: "Declarations of no disqualification (per entity)",
                row_ja: "申告",
                row_en: "Declaration",
                fields: &[
                    f("corporate_number", "法人番号", "法人番号", T),
                    h(
                        "not_applicable",
                        "該当しない事由",
                        "Does not apply",
                        Kind::Codes(CodeSource::Disqualifications),
                        "該当しないものすべてに印を付けます。",
                        "Tick every item that does not apply.",
                    ),
                ],
            },
        ],
        owns: &["provider"],
    },
];

pub fn section(slug: &str) -> Option<&'static Section> {
    SECTIONS.iter().find(|s| s.slug == slug)
}

/// The section where the input for a rule's field path is, and the element id to link to.
/// `provider.organisation…` lives on the organisation's own page (`None` here).
/// (B34's `documents` has a page of its own, linked by the self-check.)
pub fn locate(path: &str) -> Option<(&'static Section, String)> {
    let first = path.split(['.', '[']).next().filter(|s| !s.is_empty())?;
    if path.starts_with("provider.organisation") {
        return None;
    }
    let section = SECTIONS.iter().find(|s| {
        s.owns.contains(&first)
            && (first != "provider" || !path.starts_with("provider.organisation"))
    })?;
    // A path to a list itself means "add an entry": link to the list.
    let anchor = if section.lists.iter().any(|l| l.path == path) {
        format!("list-{}", path.replace('.', "-"))
    } else {
        super::super::forms::field_id(path)
    };
    Some((section, anchor))
}

/// The organisation's registered details (edited on its own page), by the start of their path
/// below `provider.organisation.`.
const ORGANISATION: &[Opt] = &[
    ("name_ja", "名称（法人名）", "Name (legal entity)"),
    ("name_en", "名称（英語）", "Name in English"),
    ("corporate_number", "法人番号", "Corporate number"),
    ("address", "所在地", "Address"),
    ("representative", "代表者の役職・氏名", "Representative"),
    (
        "responsible.course_manager",
        "講習の責任者",
        "Course manager",
    ),
    (
        "responsible.enrolment_admin",
        "受講事務の責任者",
        "Enrolment administration",
    ),
    ("responsible.inquiry_desk", "問合せ窓口", "Inquiry desk"),
    ("responsible.complaints_desk", "苦情窓口", "Complaints desk"),
    (
        "privacy",
        "個人情報の保護（プライバシーマーク等）",
        "Privacy assurance",
    ),
    ("consortium_members", "共同実施者", "Consortium members"),
];

/// What people call the input at a rule's field path, in Japanese or English: a section's
/// field (`course.goals` → 到達目標), a list (`curriculum`), or a list row's field
/// (`curriculum[2].minutes` → カリキュラム 項目3：時間（分）). `None` for a path no form shows
/// (the organisation's own details are edited on its page). Raw paths are for code, never
/// for people (issue 13 item 16).
pub fn label(path: &str, en: bool) -> Option<String> {
    let pick = |ja: &'static str, e: &'static str| if en { e } else { ja };
    if let Some(rest) = path.strip_prefix("provider.organisation.") {
        let (_, ja, e) = ORGANISATION
            .iter()
            .find(|(prefix, _, _)| rest.starts_with(prefix))?;
        return Some(format!(
            "{}：{}",
            pick("組織情報", "Organisation"),
            pick(ja, e)
        ));
    }
    for section in SECTIONS {
        if let Some(f) = section.fields.iter().find(|f| f.path == path) {
            return Some(pick(f.ja, f.en).to_owned());
        }
        for list in section.lists {
            if list.path == path {
                return Some(pick(list.ja, list.en).to_owned());
            }
            let Some(rest) = path
                .strip_prefix(list.path)
                .and_then(|r| r.strip_prefix('['))
            else {
                continue;
            };
            let Some((index, field)) = rest.split_once(']') else {
                continue;
            };
            let Ok(index) = index.parse::<usize>() else {
                continue;
            };
            let row = format!(
                "{} {}{}",
                pick(list.ja, list.en),
                pick(list.row_ja, list.row_en),
                index + 1
            );
            let field = field.strip_prefix('.').unwrap_or(field);
            if field.is_empty() {
                return Some(row);
            }
            let named = list.fields.iter().find(|f| f.path == field)?;
            return Some(format!("{row}：{}", pick(named.ja, named.en)));
        }
    }
    None
}

/// The disqualification items as box options.
pub fn disqualification_options(english: bool) -> Vec<(String, String)> {
    DisqualificationItem::ALL
        .iter()
        .map(|item| {
            let code = serde_json::to_value(item)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default();
            let label = if english {
                format!("{} {}", item.clause(), item.label_en())
            } else {
                format!("{} {}", item.clause(), item.label_ja())
            };
            (code, label)
        })
        .collect()
}
