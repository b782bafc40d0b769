//! The application for one course (様式第2号) together with the provider's facts (様式第1号),
//! as plain data.
//!
//! Why plain data with everything optional or empty by default: a provider fills the
//! application over days, and the rules engine must be able to say what is still missing at
//! any point. So nothing here validates on construction (the typed numbers `RissNumber` and
//! `CorporateNumber` excepted, which are parsed at the edge); the rules in
//! [`super::rules`] decide. Field names are the serde names, and the rules' field paths
//! (`curriculum[2].method`) follow them, so a UI can link a finding to its input.

use std::fmt;

use serde::{Deserialize, Serialize};
use time::Date;

use crate::access::organisation::Organisation;
use crate::types::{CorporateNumber, FiscalYear, RissNumber, Yen};

/// Everything the rules B01–B33 look at for one course application.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Application {
    /// Course description, persona, fields and goals (3-2(1)-1, (1)-3).
    pub course: Course,
    /// The curriculum items in order (3-2(1)-2, (2)).
    pub curriculum: Vec<CurriculumItem>,
    /// In person, remote or hybrid, and the remote-learning controls (3-2(2)).
    pub delivery: Delivery,
    /// 修了評価 (3-2(3)).
    pub assessment: CompletionAssessment,
    /// 修了証 (3-2(3) ポイント).
    pub certificate: Certificate,
    /// End-of-course survey and PDCA (3-2(1)-4).
    pub survey: Survey,
    /// 講師, including substitutes (3-2(4), (8)-1(ク)).
    pub instructors: Vec<Instructor>,
    /// How a substitute steps in when an instructor cannot come ((8)-1(ク)).
    pub substitute_arrangement: String,
    /// 講師補助者 (3-2(5)).
    pub assistants: AssistantPlan,
    /// 監修者 (3-2(6) ポイント).
    pub supervisor: Option<Supervisor>,
    /// 教材 (3-2(6)).
    pub materials: Vec<Material>,
    /// 講習実施計画 ①〜⑦ (3-2(7)).
    pub plan: ImplementationPlan,
    /// 緊急対応 (3-2(7) ポイント).
    pub emergency: EmergencyPlan,
    /// 開講実績 of this same course ((8)-1(イ)).
    pub track_record: TrackRecord,
    /// 技術的基礎: facilities and equipment ((8)-3).
    pub facilities: Facilities,
    /// 外部委託 ((8)-1 ポイント).
    pub outsourcing: Outsourcing,
    /// なりすまし防止 and 途中離脱防止 ((8)-1 ポイント ①②).
    pub attendance_controls: AttendanceControls,
    /// 実施状況等の報告 (3-2(9)).
    pub reporting: Reporting,
    /// 受講対象者 and publication of the schedule (3-2(10)).
    pub enrolment: Enrolment,
    /// 合理的配慮 (3-2(11)).
    pub accessibility: Accessibility,
    /// The provider (様式第1号): shared by all of its applications.
    pub provider: Provider,
}

impl Application {
    /// The curriculum's total minutes (B01), summed wide so no number of items can wrap it.
    pub fn total_minutes(&self) -> u64 {
        self.curriculum.iter().map(|i| u64::from(i.minutes)).sum()
    }
}

// --- Course ----------------------------------------------------------------------------------

/// The two persons a 特定講習 may aim at (3-2(1)-1 「登録セキスペが目指すべき人材像」).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TargetPersona {
    /// ① 企業等の内部に1人は置かれるべき人材.
    InHouse,
    /// ② 企業等の外部から専門的なセキュリティ対策を実施できる人材.
    ExternalSpecialist,
}

impl TargetPersona {
    pub const fn label_ja(self) -> &'static str {
        match self {
            Self::InHouse => "①企業等の内部に1人は置かれるべき人材",
            Self::ExternalSpecialist => "②企業等の外部から専門的なセキュリティ対策を実施できる人材",
        }
    }

    pub const fn label_en(self) -> &'static str {
        match self {
            Self::InHouse => "(1) the in-house person every organisation needs",
            Self::ExternalSpecialist => "(2) the external specialist",
        }
    }
}

/// The course as described to learners and to the ministry.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Course {
    /// 講習名.
    pub name: String,
    /// 講習目的 (3-2(7) ④): what the course is for, as the catalogue shows it.
    pub purpose: String,
    /// 目指すべき人材像 (B02).
    pub target_persona: Option<TargetPersona>,
    /// Why the course is ITSS level 4 equivalent (B02; a reviewer judges it).
    pub level4_explanation: String,
    /// ITSS+ field codes chosen from 別表1 (`sec_monitoring`, ...; B03, B04).
    pub itss_fields: Vec<String>,
    /// 到達目標 (B07).
    pub goals: String,
    /// 修得できる知識・技能 (B07).
    pub knowledge_and_skills: String,
    /// 前提知識等; empty when the course assumes nothing beyond RISS registration (B07:
    /// 「前提知識等がある場合には」).
    pub prerequisites: String,
    /// 公表予定内容、公表予定先: where goals, skills and prerequisites are published (B07).
    pub publication_plan: String,
}

// --- Curriculum ------------------------------------------------------------------------------

/// How a curriculum item is taught (3-2(2) ポイント). Every method but `Lecture` is one of the
/// practical methods ①〜③ that count for B09.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// 座学: lecture, or an exercise that merely follows fixed steps.
    #[default]
    Lecture,
    /// ① 疑似環境を用いた実習、実技、演習等.
    SimulatedExercise,
    /// ② プレゼンテーション等の受講者側からの発表.
    LearnerPresentation,
    /// ③ ディスカッション、グループワーク、ワークショップ等.
    DiscussionGroupWork,
}

impl Method {
    /// Whether the item counts as 実習等 for the half-or-more rule (B09).
    pub const fn is_practical(self) -> bool {
        !matches!(self, Self::Lecture)
    }

    pub const fn label_ja(self) -> &'static str {
        match self {
            Self::Lecture => "講義（座学）",
            Self::SimulatedExercise => "疑似環境を用いた実習・実技・演習",
            Self::LearnerPresentation => "受講者による発表",
            Self::DiscussionGroupWork => "ディスカッション・グループワーク・ワークショップ",
        }
    }

    pub const fn label_en(self) -> &'static str {
        match self {
            Self::Lecture => "lecture",
            Self::SimulatedExercise => "exercise in a simulated environment",
            Self::LearnerPresentation => "presentation by learners",
            Self::DiscussionGroupWork => "discussion, group work or workshop",
        }
    }
}

/// The three opportunities of 3-2(2) an item gives (B10).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(default)]
pub struct Opportunities {
    /// (ア) 専門家やその他の有識者から実践的な手法やノウハウ等を学ぶ機会.
    pub learn_from_experts: bool,
    /// (イ) 受講者同士のディスカッション等を通じて、課題等を自ら考える機会.
    pub think_together: bool,
    /// (ウ) 修得した知識、技術及び技能を実際に試行・実践する機会.
    pub try_in_practice: bool,
}

/// One item (カリキュラム項目) of the curriculum.
///
/// An item that mixes a short lecture with practical work is recorded under its practical
/// method: the guideline counts items that include practical work (「実習等を含む」).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CurriculumItem {
    pub title: String,
    /// Duration in minutes (items need not be whole half hours; the total counts, B01), at
    /// most [`CurriculumItem::MAX_MINUTES`].
    pub minutes: u32,
    pub method: Method,
    /// 別表2 item codes the item covers (`"3-8"`; B04–B06).
    pub syllabus_items: Vec<String>,
    pub opportunities: Opportunities,
}

impl CurriculumItem {
    /// The longest one item may be: 100 hours, more than any block of a course (a five-day
    /// exercise is 40 hours). A longer value is a typing mistake, refused where it is entered.
    pub const MAX_MINUTES: u32 = 100 * 60;
}

// --- Format ----------------------------------------------------------------------------------

/// 講習形態 (3-2(2) ポイント).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryFormat {
    /// 集合形式.
    #[default]
    InPerson,
    /// リモート形式 (e-learning, web meetings).
    Remote,
    /// Partly in person, partly remote.
    Hybrid,
}

impl DeliveryFormat {
    /// Whether the remote-learning controls of B11 apply.
    pub const fn has_remote_part(self) -> bool {
        !matches!(self, Self::InPerson)
    }

    /// Whether a venue is needed (B27).
    pub const fn has_in_person_part(self) -> bool {
        !matches!(self, Self::Remote)
    }

    pub const fn label_ja(self) -> &'static str {
        match self {
            Self::InPerson => "集合形式",
            Self::Remote => "リモート形式",
            Self::Hybrid => "集合形式とリモート形式の併用",
        }
    }

    pub const fn label_en(self) -> &'static str {
        match self {
            Self::InPerson => "in person",
            Self::Remote => "remote",
            Self::Hybrid => "hybrid",
        }
    }
}

/// The format and, for remote delivery, the controls 3-2(2) ポイント asks for (B11).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Delivery {
    pub format: DeliveryFormat,
    /// 標準学習時間の設定.
    pub standard_learning_time: String,
    /// 受講者の受講状況の確認.
    pub progress_tracking: String,
    /// 学習到達度の把握.
    pub achievement_measurement: String,
    /// つまずき・停滞のリアルタイム検知とフォローアップ.
    pub stall_detection_and_follow_up: String,
}

// --- Completion ------------------------------------------------------------------------------

/// 修了テスト or 成果発表 (3-2(3)(ア)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AssessmentKind {
    Test,
    Presentation,
}

/// 修了評価 (B12).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CompletionAssessment {
    pub kind: Option<AssessmentKind>,
    /// The process: what is measured against the goals, and how.
    pub process: String,
    /// 修了認定の基準 (objective material: scores, pass/fail of a test; attendance and
    /// attitude may be added).
    pub criteria: String,
    /// 合格基準, e.g. "70点以上" or "ルーブリック全項目B以上".
    pub pass_mark: String,
    /// 公表予定内容、公表予定先 of the criteria and process.
    pub published_at: String,
    /// The process is explained to learners before the course starts.
    pub explained_before_course: bool,
}

/// How the 修了証 is issued (B13).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CertificateForm {
    /// 書面.
    Paper,
    /// デジタルバッジ (e.g. a signed Open Badge).
    DigitalBadge,
    /// Other data claimed to be hard to tamper with.
    OtherData,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Certificate {
    pub form: Option<CertificateForm>,
    /// How tampering is prevented (signature, issuer verification page, ...).
    pub description: String,
}

// --- Survey ----------------------------------------------------------------------------------

/// End-of-course survey and the PDCA around it (B08).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Survey {
    /// The survey includes every item the ministry specifies (「経済産業省が含めるべき調査項目」).
    pub includes_ministry_items: bool,
    /// The provider's own questions (satisfaction, improvements, instructor evaluation).
    pub provider_items: Vec<String>,
    /// Summary of the latest results (満足度、スキルの修得状況、到達度、講師評価).
    pub latest_results_summary: String,
    /// Document id of the latest results submitted with the application.
    pub latest_results_document: String,
    /// 検証体制・品質管理体制: who reviews the results and how.
    pub review_process: String,
    /// Improvements made after earlier surveys.
    pub improvement_record: String,
}

// --- People ----------------------------------------------------------------------------------

/// Whom an instructor works for (3-2(4) ポイント ①〜③).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Affiliation {
    /// ① 実施主体に所属する者.
    Employee,
    /// ② 実施主体と秘密保持契約（NDA）を含む契約を締結している組織に所属する者.
    MemberOfNdaContractedOrganisation,
    /// ③ 実施主体と秘密保持契約（NDA）を含む契約を締結している者.
    NdaContractor,
    /// None of the above: not allowed.
    Other,
}

impl Affiliation {
    pub const fn is_allowed(self) -> bool {
        !matches!(self, Self::Other)
    }
}

/// 講師 (B14), or a substitute instructor (B15) when `is_substitute`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Instructor {
    pub name: String,
    /// (ア) 情報処理安全確保支援士であること.
    pub riss_number: Option<RissNumber>,
    /// (ア) …または同等の能力を有するものであること: the claim, when there is no RISS number.
    pub equivalence: String,
    /// (イ) 対象科目に関する実務経験.
    pub practical_experience: String,
    /// (ウ) おおむね20名程度の社外受講者を対象とした日本国内での講義実績: the number of external
    /// learners taught in Japan.
    pub external_learners_taught: u32,
    /// (エ) グループディスカッションを含む講習実績またはコンサルテーションの実績.
    pub facilitation_record: String,
    pub affiliation: Option<Affiliation>,
    /// A 代理の講師 ((8)-1(ク)).
    pub is_substitute: bool,
    /// The instructor declares that no disqualification of (8)-4 applies.
    pub declares_not_disqualified: bool,
}

/// What the supervisor is involved in (3-2(6) ポイント: 講習プログラム・教材・講師の決定や修了評価、
/// 講習の評価・改善).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(default)]
pub struct SupervisionScope {
    pub programme: bool,
    pub materials: bool,
    pub instructors: bool,
    pub completion_assessment: bool,
    pub course_evaluation: bool,
}

impl SupervisionScope {
    pub const ALL: Self = Self {
        programme: true,
        materials: true,
        instructors: true,
        completion_assessment: true,
        course_evaluation: true,
    };
}

/// 監修者 (B17).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Supervisor {
    pub name: String,
    /// 特定講習の対象分野・科目に関する実務経験等.
    pub practical_experience: String,
    pub oversees: SupervisionScope,
    /// The supervisor declares that no disqualification of (8)-4 applies.
    pub declares_not_disqualified: bool,
}

/// 講師補助者 (B16): 配置基準、選定条件、決定プロセス、講習開始時点で確保予定の人数.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AssistantPlan {
    /// 配置基準: one assistant for every this many learners (0 = not stated).
    pub learners_per_assistant: u32,
    /// 選定条件.
    pub selection_criteria: String,
    /// 決定プロセス.
    pub selection_process: String,
    /// 講習開始時点で確保予定の講師補助者数.
    pub number_at_start: u32,
}

// --- Materials -------------------------------------------------------------------------------

/// Why the provider may use a material (B18).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum CopyrightBasis {
    /// 実施主体が著作権を有している.
    Own,
    /// その承諾を受けている: the document showing the permission or contract.
    Licensed { evidence_document: String },
    /// 市販教材: how it is used, and the レジメ etc. that supplement it.
    Commercial { usage: String, supplement: String },
}

/// One material submitted with the application (B18).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Material {
    pub title: String,
    /// File name or document id of the submitted copy.
    pub document: String,
    pub copyright: Option<CopyrightBasis>,
    /// Describes an exercise (演習実施内容を示す資料).
    pub is_exercise: bool,
    /// Contains the exercise tasks with model answers (演習課題の内容や回答例).
    pub includes_model_answers: bool,
}

// --- Plan, emergencies, operations -----------------------------------------------------------

/// 講習実施計画 ①〜⑦ (B19), each a description.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ImplementationPlan {
    /// ① 講習の計画、実施、評価及び改善.
    pub plan_do_check_act: String,
    /// ② 開始時期.
    pub start: String,
    /// ③ 実施体制（担当講師、担当事務局、業務内容、責任、リソースとその確保）.
    pub structure: String,
    /// ④ 実施方法（講習名、目的、範囲、内容、形態、実施環境、スケジュール、使用教材、実施時期・回数、
    /// 開催都市、受講費用等）.
    pub method: String,
    /// ⑤ 公表事項、予定、公表先.
    pub publications: String,
    /// ⑥ 講師と受講者が双方向でコミュニケーションをとる仕組み.
    pub two_way_communication: String,
    /// ⑦ LMS 等により受講履歴を確認できる仕組み.
    pub attendance_history: String,
}

/// 緊急対応 (B20): ① リスク管理の記録, ② 対応手順（マニュアル等）, 定期的な見直し.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct EmergencyPlan {
    /// ① Document id of the risk record.
    pub risk_document: String,
    /// ② Document id of the procedures (manual).
    pub procedures_document: String,
    /// When the plan was last reviewed.
    pub last_reviewed_on: Option<Date>,
    /// How often it is reviewed, e.g. "毎年4月".
    pub review_cycle: String,
}

/// 開講実績 of the same course (B22).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct TrackRecord {
    pub last_delivered_on: Option<Date>,
    pub learners: u32,
    /// Document id of 「直近で開講した応募講習の開講実績を示す資料」.
    pub evidence_document: String,
}

/// 技術的基礎 (B27): (ア)〜(エ) of (8)-3.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Facilities {
    /// (ア) 会場及び机・椅子等の設備 (needed unless fully remote).
    pub venue: String,
    /// (イ) パソコン等の必要な機器.
    pub equipment: String,
    /// (ウ) リモート形式での講習の場合、使用を予定する機器及びシステム等.
    pub remote_systems: String,
    /// (エ) その他の機材.
    pub other: String,
}

/// One task done by someone else (B29).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct OutsourcedTask {
    pub task: String,
    pub contractor: String,
    /// How the same quality as the provider's own is kept (answer manual, marking guide).
    pub quality_assurance: String,
}

/// 外部委託の有無 (B29): both answers are answers; `None` in [`Outsourcing`] is "not yet".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutsourcingAnswer {
    NotOutsourced,
    Outsourced,
}

impl OutsourcingAnswer {
    pub const fn label_ja(self) -> &'static str {
        match self {
            Self::NotOutsourced => "委託しない",
            Self::Outsourced => "業務の一部を外部に委託する",
        }
    }

    pub const fn label_en(self) -> &'static str {
        match self {
            Self::NotOutsourced => "Nothing is outsourced",
            Self::Outsourced => "Part of the work is outsourced",
        }
    }
}

/// 外部委託 (B29).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, from = "StoredOutsourcing")]
pub struct Outsourcing {
    pub answer: Option<OutsourcingAnswer>,
    pub tasks: Vec<OutsourcedTask>,
}

/// [`Outsourcing`] as stored, also as applications saved before 2026-12 stored it: one box,
/// `declared`, that meant "answered" (with no task listed: nothing is outsourced).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct StoredOutsourcing {
    answer: Option<OutsourcingAnswer>,
    declared: bool,
    tasks: Vec<OutsourcedTask>,
}

impl From<StoredOutsourcing> for Outsourcing {
    fn from(s: StoredOutsourcing) -> Self {
        let answered_before = s.declared.then_some(if s.tasks.is_empty() {
            OutsourcingAnswer::NotOutsourced
        } else {
            OutsourcingAnswer::Outsourced
        });
        Self {
            answer: s.answer.or(answered_before),
            tasks: s.tasks,
        }
    }
}

/// (8)-1 ポイント ①②: identity and RISS-number checks, and no unnoticed leaving (B30).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AttendanceControls {
    /// ① 本人確認及び登録セキスペの登録番号の確認の方法.
    pub identity_and_riss_verification: String,
    /// ② 途中で講習を離脱することができないようにする対策.
    pub leaving_prevention: String,
}

/// 実施状況等の報告 (B31).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Reporting {
    /// The provider commits to the monthly and annual 実施状況報告書.
    pub commits_to_monthly_and_annual_reports: bool,
    /// Years the reported information is kept (at least 3).
    pub records_kept_years: u32,
    /// Who prepares the reports (報告する体制).
    pub responsible: String,
}

/// 受講対象者 and publication (B32); capacity is also what assistants are counted against (B16).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Enrolment {
    /// Open to people outside the provider, its affiliates and those closely related to them.
    pub open_to_outsiders: bool,
    /// Where the 開催予定、開催場所 are published (URL).
    pub schedule_published_at: String,
    /// How to apply (申込方法).
    pub how_to_apply: String,
    /// 定員 per session (0 = not stated).
    pub capacity: u32,
    /// 受講費用 (3-2(7) ④): per learner, tax included; `None` when not stated.
    pub fee: Option<Yen>,
}

/// 合理的配慮 (B33).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Accessibility {
    /// The accommodations offered and how a learner asks for them.
    pub reasonable_accommodation: String,
}

// --- The provider ----------------------------------------------------------------------------

/// A net income (当期純利益) in whole yen; negative for a loss. [`crate::types::Yen`] is
/// non-negative, so a signed amount has its own type.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct NetIncome(pub i64);

impl NetIncome {
    pub const fn is_loss(self) -> bool {
        self.0 < 0
    }
}

impl fmt::Display for NetIncome {
    /// `1,234,567円` or `▲1,234,567円` (the accounting sign for a loss).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let digits = self.0.unsigned_abs().to_string();
        let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                grouped.push(',');
            }
            grouped.push(c);
        }
        let sign = if self.0 < 0 { "▲" } else { "" };
        write!(f, "{sign}{grouped}円")
    }
}

/// The net income of one fiscal year (B26).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnnualNetIncome {
    pub fiscal_year: FiscalYear,
    pub net_income: NetIncome,
}

/// The items of 欠格事由 (3-2(8)-4), each of which the provider and every consortium member
/// declares does not apply to it (B28).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DisqualificationItem {
    /// (ア) 暴力団員等がその事業活動を支配する者、又は暴力団員等をその業務に従事させ若しくは補助者
    /// として使用するおそれのある者.
    OrganisedCrime,
    /// (イ) 破壊活動防止法第4条第1項に規定する暴力主義的破壊活動を行った者.
    SubversiveActivity,
    /// (ウ) 更生手続開始又は再生手続開始の申立てが行われている者.
    InsolvencyProceedings,
    /// (エ) 破産者で復権を得ない者.
    UndischargedBankrupt,
    /// (オ) 役員のうちに(ア)から(エ)のいずれかに該当する役員がいる者.
    DisqualifiedOfficer,
    /// (カ)① 罰金以上の刑に処せられ、その執行を終わり又は受けることがなくなった日から5年を経過しない者.
    RecentCriminalPenalty,
    /// (カ)② 税・社会保険料・労働保険料等の納付が適正に行われていない者.
    UnpaidTaxes,
    /// (カ)③ 公序良俗に反する事業や活動を行っている者.
    AgainstPublicOrder,
    /// (カ)④ 社会通念上著しく信用を失墜している者.
    LostPublicTrust,
    /// (カ)⑤ 不適正な行為等により本制度の対象から取り消され、その取消しの日から5年を経過しない者.
    RecentRevocation,
}

impl DisqualificationItem {
    /// Every item, in the guideline's order.
    pub const ALL: [Self; 10] = [
        Self::OrganisedCrime,
        Self::SubversiveActivity,
        Self::InsolvencyProceedings,
        Self::UndischargedBankrupt,
        Self::DisqualifiedOfficer,
        Self::RecentCriminalPenalty,
        Self::UnpaidTaxes,
        Self::AgainstPublicOrder,
        Self::LostPublicTrust,
        Self::RecentRevocation,
    ];

    /// The clause, e.g. `(8)-4(カ)⑤`.
    pub const fn clause(self) -> &'static str {
        match self {
            Self::OrganisedCrime => "(8)-4(ア)",
            Self::SubversiveActivity => "(8)-4(イ)",
            Self::InsolvencyProceedings => "(8)-4(ウ)",
            Self::UndischargedBankrupt => "(8)-4(エ)",
            Self::DisqualifiedOfficer => "(8)-4(オ)",
            Self::RecentCriminalPenalty => "(8)-4(カ)①",
            Self::UnpaidTaxes => "(8)-4(カ)②",
            Self::AgainstPublicOrder => "(8)-4(カ)③",
            Self::LostPublicTrust => "(8)-4(カ)④",
            Self::RecentRevocation => "(8)-4(カ)⑤",
        }
    }

    pub const fn label_ja(self) -> &'static str {
        match self {
            Self::OrganisedCrime => "暴力団員等がその事業活動を支配する者等",
            Self::SubversiveActivity => "暴力主義的破壊活動を行った者",
            Self::InsolvencyProceedings => "更生手続開始又は再生手続開始の申立てが行われている者",
            Self::UndischargedBankrupt => "破産者で復権を得ない者",
            Self::DisqualifiedOfficer => "役員のうちに(ア)から(エ)のいずれかに該当する役員がいる者",
            Self::RecentCriminalPenalty => {
                "罰金以上の刑に処せられ、その執行を終わり又は執行を受けることがなくなった日から5年を経過しない者"
            }
            Self::UnpaidTaxes => "税、社会保険料、労働保険料等の納付が適正に行われていない者",
            Self::AgainstPublicOrder => "公序良俗に反する事業や活動を行っている者",
            Self::LostPublicTrust => "社会通念上著しく信用を失墜している者",
            Self::RecentRevocation => {
                "不適正な行為等により本制度の対象から取り消され、その取消しの日から5年を経過しない者"
            }
        }
    }

    pub const fn label_en(self) -> &'static str {
        match self {
            Self::OrganisedCrime => "controlled by or employing organised-crime members",
            Self::SubversiveActivity => "has committed violent subversive activities",
            Self::InsolvencyProceedings => {
                "under a petition for corporate reorganisation or civil rehabilitation"
            }
            Self::UndischargedBankrupt => "an undischarged bankrupt",
            Self::DisqualifiedOfficer => "has an officer to whom (a)–(d) applies",
            Self::RecentCriminalPenalty => "sentenced to a fine or heavier within the last 5 years",
            Self::UnpaidTaxes => "has not properly paid taxes or social or labour insurance",
            Self::AgainstPublicOrder => "runs business against public order and morals",
            Self::LostPublicTrust => "has seriously lost public trust",
            Self::RecentRevocation => "had a course revoked for misconduct less than 5 years ago",
        }
    }
}

/// One entity's declaration that none of the 欠格事由 applies (B28).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct DisqualificationDeclaration {
    /// The 法人番号 of the declaring entity (the provider or a consortium member), as entered.
    pub corporate_number: String,
    /// The items the entity affirms do not apply to it.
    pub not_applicable: Vec<DisqualificationItem>,
}

/// The provider's facts (様式第1号), shared by all its course applications.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Provider {
    /// The registered organisation: 法人番号, consortium members (B21), responsible persons (B24),
    /// personal-data protection (B25). `None` until registered.
    pub organisation: Option<Organisation>,
    /// Where the inquiry and complaints desks are published (B24, 「公表すること」).
    pub desks_published_at: String,
    /// 講習事業を開始した日 (B23).
    pub business_started_on: Option<Date>,
    /// 当期純利益 of recent fiscal years (B26).
    pub net_income: Vec<AnnualNetIncome>,
    /// 欠格事由 declarations of the provider and each consortium member (B28).
    pub declarations: Vec<DisqualificationDeclaration>,
}

// --- Koshu's own records ---------------------------------------------------------------------

/// The reasons of 5-3 for revoking a designation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RevocationReason {
    /// (ア) 「3-1 特定講習の目的」を満たさなくなった.
    NoLongerMeetsPurpose,
    /// (イ) 廃止届があった.
    Abolished,
    /// (ウ) 変更等により目的を満たさなくなった.
    ChangedAway,
    /// (エ) 応募時に提出された書類によらないで講習が実施された.
    NotAsApplied,
    /// (オ) 不適切な行為等が判明した: bars the provider for 5 years.
    Misconduct,
}

impl RevocationReason {
    /// Every reason, in the guideline's order (ア)〜(オ).
    pub const ALL: [Self; 5] = [
        Self::NoLongerMeetsPurpose,
        Self::Abolished,
        Self::ChangedAway,
        Self::NotAsApplied,
        Self::Misconduct,
    ];

    /// The stable code, equal to the serde name (`misconduct`).
    pub const fn code(self) -> &'static str {
        match self {
            Self::NoLongerMeetsPurpose => "no_longer_meets_purpose",
            Self::Abolished => "abolished",
            Self::ChangedAway => "changed_away",
            Self::NotAsApplied => "not_as_applied",
            Self::Misconduct => "misconduct",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.code() == code)
    }

    /// The clause of the guideline: `5-3(ア)` … `5-3(オ)`.
    pub const fn clause(self) -> &'static str {
        match self {
            Self::NoLongerMeetsPurpose => "5-3(ア)",
            Self::Abolished => "5-3(イ)",
            Self::ChangedAway => "5-3(ウ)",
            Self::NotAsApplied => "5-3(エ)",
            Self::Misconduct => "5-3(オ)",
        }
    }

    /// The guideline's wording of 5-3.
    pub const fn label_ja(self) -> &'static str {
        match self {
            Self::NoLongerMeetsPurpose => "「3－1 特定講習の目的」を満たさなくなった場合",
            Self::Abolished => {
                "「5－2 変更等の届け出」に基づき、実施主体から対象となった講習の廃止届があった場合"
            }
            Self::ChangedAway => {
                "「5－2 変更等の届け出」に基づく、当該講習の実施内容の変更等により、実施主体が、「3－1 特定講習の目的」を満たさなくなったと認められる場合"
            }
            Self::NotAsApplied => "応募時に提出された書類によらないで講習が実施された場合",
            Self::Misconduct => "特定講習に関する不適切な行為等が判明した場合",
        }
    }

    pub const fn label_en(self) -> &'static str {
        match self {
            Self::NoLongerMeetsPurpose => "The course no longer meets the purpose of 3-1",
            Self::Abolished => "The provider gave notice of abolition under 5-2",
            Self::ChangedAway => {
                "A change under 5-2 means the course no longer meets the purpose of 3-1"
            }
            Self::NotAsApplied => "The course was not delivered as described in the application",
            Self::Misconduct => "Misconduct concerning the course came to light",
        }
    }

    /// Whether the provider cannot be designated for 5 years from the revocation: only (オ)
    /// (「上記(オ)に該当し…5年間は特定講習の対象となることができません」). The window itself is
    /// [`super::rules::revocation_bars`].
    pub const fn bars_new_designations(self) -> bool {
        matches!(self, Self::Misconduct)
    }
}

/// A revocation recorded by Koshu (C06), passed to the rules as data (B28).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevocationRecord {
    pub corporate_number: CorporateNumber,
    pub revoked_on: Date,
    pub reason: RevocationReason,
}
