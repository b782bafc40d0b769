//! A complete application for tests and demo data: it passes every data-decided rule and
//! fails no judgement rule on the given day.
//!
//! Why a normal `pub fn` and not test-only code: other crates' tests and the demo database
//! need the same realistic application, and building it by hand in each place would drift.
//! Dates are relative to `today` so the fixture stays valid whatever day it is used.

use time::{Date, Duration};

use super::application::{
    Accessibility, Affiliation, AnnualNetIncome, Application, AssessmentKind, AssistantPlan,
    AttendanceControls, Certificate, CertificateForm, CompletionAssessment, CopyrightBasis, Course,
    CurriculumItem, Delivery, DeliveryFormat, DisqualificationDeclaration, DisqualificationItem,
    EmergencyPlan, Enrolment, Facilities, ImplementationPlan, Instructor, Material, Method,
    NetIncome, Opportunities, OutsourcedTask, Outsourcing, OutsourcingAnswer, Provider, Reporting,
    SupervisionScope, Supervisor, Survey, TargetPersona, TrackRecord,
};
use super::rules::anniversary;
use crate::access::Email;
use crate::access::organisation::{
    ConsortiumMember, Contact, Organisation, PrivacyAssurance, ResponsiblePersons,
};
use crate::types::{CorporateNumber, FiscalYear, RissNumber, Yen};

/// 法人番号 of the fixture's provider (the lead entity).
pub const PROVIDER_CORPORATE_NUMBER: &str = "5010001008846";
/// 法人番号 of the fixture's one consortium member.
pub const MEMBER_CORPORATE_NUMBER: &str = "4000012090001";

fn s(text: &str) -> String {
    text.to_owned()
}

fn item(
    title: &str,
    minutes: u32,
    method: Method,
    syllabus: &[&str],
    opportunities: Opportunities,
) -> CurriculumItem {
    CurriculumItem {
        title: s(title),
        minutes,
        method,
        syllabus_items: syllabus.iter().map(|c| s(c)).collect(),
        opportunities,
    }
}

const EXPERTS: Opportunities = Opportunities {
    learn_from_experts: true,
    think_together: false,
    try_in_practice: false,
};
const TOGETHER: Opportunities = Opportunities {
    learn_from_experts: false,
    think_together: true,
    try_in_practice: false,
};
const TRY: Opportunities = Opportunities {
    learn_from_experts: false,
    think_together: false,
    try_in_practice: true,
};

fn contact(name: &str, email: &str, phone: Option<&str>) -> Contact {
    Contact {
        name: s(name),
        email: Email::parse(email).ok(),
        phone: phone.map(s),
    }
}

/// A hybrid, 6 h 15 min course on security monitoring and incident response (別表1 fields
/// セキュリティ監視・運用 and セキュリティ調査分析・研究開発; subjects 3 and 4) by a two-member
/// consortium, complete in every part.
pub fn complete_application(today: Date) -> Application {
    let days_ago = |n: i64| today.saturating_sub(Duration::days(n));
    let current_fy = FiscalYear::of(today).ok();
    let net_income = [(3, 12_500_000), (2, -3_200_000), (1, 8_750_000)]
        .into_iter()
        .filter_map(|(back, amount)| {
            let fy = FiscalYear::new(current_fy?.year() - back).ok()?;
            Some(AnnualNetIncome {
                fiscal_year: fy,
                net_income: NetIncome(amount),
            })
        })
        .collect();
    let members: Vec<ConsortiumMember> = CorporateNumber::parse(MEMBER_CORPORATE_NUMBER)
        .ok()
        .map(|corporate_number| ConsortiumMember {
            name: s("国立大学法人サイバー大学"),
            corporate_number,
        })
        .into_iter()
        .collect();
    let organisation =
        CorporateNumber::parse(PROVIDER_CORPORATE_NUMBER)
            .ok()
            .map(|corporate_number| Organisation {
                name_ja: s("株式会社サイバー研修"),
                name_en: Some(s("Cyber Training Co., Ltd.")),
                corporate_number,
                address: s("東京都千代田区霞が関1-3-1"),
                representative: s("代表取締役 山田太郎"),
                responsible: ResponsiblePersons {
                    course_manager: contact("佐藤花子", "sato@example.jp", None),
                    enrolment_admin: contact("鈴木一郎", "suzuki@example.jp", None),
                    inquiry_desk: contact("研修事務局", "info@example.jp", Some("03-1234-5678")),
                    complaints_desk: contact("お客様相談室", "soudan@example.jp", None),
                },
                privacy: PrivacyAssurance::PrivacyMark {
                    number: s("10820001(05)"),
                    valid_until: today.saturating_add(Duration::days(400)),
                },
                consortium_members: members,
            });
    let declarations = [PROVIDER_CORPORATE_NUMBER, MEMBER_CORPORATE_NUMBER]
        .into_iter()
        .map(|n| DisqualificationDeclaration {
            corporate_number: s(n),
            not_applicable: DisqualificationItem::ALL.to_vec(),
        })
        .collect();

    Application {
        course: Course {
            name: s("実践セキュリティ監視・インシデント対応演習"),
            purpose: s(
                "組織のセキュリティ監視とインシデント対応を、現場で主導できる登録セキスペを育てる。",
            ),
            target_persona: Some(TargetPersona::ExternalSpecialist),
            level4_explanation: s(
                "受講者が独力でログから攻撃の兆候を発見し、対応方針を立案・主導できることを到達目標とし、後進への指導方法も演習で扱う。シラバス対応表と演習課題で示す。",
            ),
            itss_fields: vec![s("sec_monitoring"), s("sec_research")],
            goals: s("SIEM のログから攻撃を検知し、影響を評価し、証拠を保全して対応を主導できる。"),
            knowledge_and_skills: s(
                "ログ分析、マルウェア感染の判別、インシデントの評価と対応、証拠の収集及び分析。",
            ),
            prerequisites: s("TCP/IP と Windows/Linux のログの基礎知識。"),
            publication_plan: s(
                "講習の目的・修得できる知識・技能・前提知識を自社ホームページ（https://example.jp/course）とパンフレットで公表する。",
            ),
        },
        curriculum: vec![
            item(
                "セキュリティ監視とログ分析の実務（講義）",
                60,
                Method::Lecture,
                &["3-4", "3-8"],
                EXPERTS,
            ),
            item(
                "SIEM を用いたログ分析演習",
                90,
                Method::SimulatedExercise,
                &["3-4", "3-2"],
                TRY,
            ),
            item(
                "インシデント管理体制（講義）",
                45,
                Method::Lecture,
                &["4-1", "4-2"],
                EXPERTS,
            ),
            item(
                "事象の評価：グループ討議",
                60,
                Method::DiscussionGroupWork,
                &["4-2"],
                TOGETHER,
            ),
            item(
                "フォレンジック演習",
                75,
                Method::SimulatedExercise,
                &["4-4"],
                TRY,
            ),
            item(
                "対応方針の発表と講評",
                45,
                Method::LearnerPresentation,
                &["4-3"],
                TOGETHER,
            ),
        ],
        delivery: Delivery {
            format: DeliveryFormat::Hybrid,
            standard_learning_time: s("各項目に標準学習時間を設定（合計6時間15分）。"),
            progress_tracking: s("LMS で項目ごとの受講状況を記録し、講師補助者が確認する。"),
            achievement_measurement: s("各演習の提出物を採点し、到達度を記録する。"),
            stall_detection_and_follow_up: s(
                "演習の進捗が標準の半分に満たない受講者を LMS が即時に通知し、講師補助者がチャットで支援する。",
            ),
        },
        assessment: CompletionAssessment {
            kind: Some(AssessmentKind::Presentation),
            process: s("最終演習で各受講者が対応方針を発表し、講師がルーブリックで評価する。"),
            criteria: s("ルーブリック（検知、評価、対応、報告の4観点）の評価と出席状況。"),
            pass_mark: s("4観点すべてB以上、かつ全項目に出席"),
            published_at: s("講習案内ページ（https://example.jp/course）と申込時の案内メール"),
            explained_before_course: true,
        },
        certificate: Certificate {
            form: Some(CertificateForm::DigitalBadge),
            description: s("署名付き Open Badges 3.0 で交付し、検証ページで真正性を確認できる。"),
        },
        survey: Survey {
            includes_ministry_items: true,
            provider_items: vec![
                s("講習全体の満足度"),
                s("講師の説明の分かりやすさ"),
                s("改善してほしい点"),
            ],
            latest_results_summary: s("満足度4.5/5、到達目標に達したと答えた受講者92%。"),
            latest_results_document: s("survey-2025.pdf"),
            review_process: s(
                "講習終了後2週間以内に監修者と講師が結果を検証し、改善案を品質管理会議で決定する。",
            ),
            improvement_record: s(
                "演習時間が短いとの意見を受け、フォレンジック演習を15分延長した。",
            ),
        },
        instructors: vec![
            Instructor {
                name: s("高橋誠"),
                riss_number: RissNumber::parse("012345").ok(),
                equivalence: String::new(),
                practical_experience: s("SOC アナリストとして10年、インシデント対応50件以上。"),
                external_learners_taught: 240,
                facilitation_record: s("グループ討議を含む社外向け研修を年6回実施。"),
                affiliation: Some(Affiliation::Employee),
                is_substitute: false,
                declares_not_disqualified: true,
            },
            Instructor {
                name: s("伊藤彩"),
                riss_number: RissNumber::parse("023456").ok(),
                equivalence: String::new(),
                practical_experience: s("フォレンジック調査8年。"),
                external_learners_taught: 60,
                facilitation_record: s("インシデント対応のコンサルテーション実績多数。"),
                affiliation: Some(Affiliation::NdaContractor),
                is_substitute: true,
                declares_not_disqualified: true,
            },
        ],
        substitute_arrangement: s(
            "講師が出講できない場合は前日までに代理の講師へ引き継ぎ、教材と進行表を共有する。",
        ),
        assistants: AssistantPlan {
            learners_per_assistant: 10,
            selection_criteria: s("情報処理安全確保支援士で、当該演習の受講経験がある者。"),
            selection_process: s("講師が推薦し、監修者が決定する。"),
            number_at_start: 2,
        },
        supervisor: Some(Supervisor {
            name: s("中村健"),
            practical_experience: s("CSIRT 責任者として15年。"),
            oversees: SupervisionScope::ALL,
            declares_not_disqualified: true,
        }),
        materials: vec![
            Material {
                title: s("講義スライド"),
                document: s("slides-v3.pdf"),
                copyright: Some(CopyrightBasis::Own),
                is_exercise: false,
                includes_model_answers: false,
            },
            Material {
                title: s("ログ分析・フォレンジック演習課題と回答例"),
                document: s("exercises-v3.pdf"),
                copyright: Some(CopyrightBasis::Own),
                is_exercise: true,
                includes_model_answers: true,
            },
            Material {
                title: s("市販書籍『インシデント対応入門』"),
                document: s("book-usage.pdf"),
                copyright: Some(CopyrightBasis::Commercial {
                    usage: s("第3章を事前学習に使う。"),
                    supplement: s("最新の攻撃事例をレジメで補う。"),
                }),
                is_exercise: false,
                includes_model_answers: false,
            },
        ],
        plan: ImplementationPlan {
            plan_do_check_act: s(
                "年度計画を立て、実施後にアンケートと修了評価の結果で検証し、次回に反映する。",
            ),
            start: s("対象となった年度の5月"),
            structure: s(
                "担当講師2名、事務局2名。講習責任者が全体を管理し、事務局が申込と会場を担当する。",
            ),
            method: s(
                "講習名、目的、範囲、内容、形態（ハイブリッド）、演習環境、スケジュール、教材、年4回（東京・大阪）、受講費用77,000円。",
            ),
            publications: s("開催予定と申込方法を自社ホームページで開講2か月前に公表する。"),
            two_way_communication: s(
                "オンライン参加者もチャットと音声で講師に質問でき、演習中は講師補助者が個別に対応する。",
            ),
            attendance_history: s("LMS で入退室と項目ごとの受講履歴を記録する。"),
        },
        emergency: EmergencyPlan {
            risk_document: s("risk-register.xlsx"),
            procedures_document: s("emergency-manual.pdf"),
            last_reviewed_on: Some(days_ago(60)),
            review_cycle: s("毎年4月と重大な事象の後"),
        },
        track_record: TrackRecord {
            last_delivered_on: Some(days_ago(180)),
            learners: 18,
            evidence_document: s("delivery-record.pdf"),
        },
        facilities: Facilities {
            venue: s("本社研修室（40席、机・椅子）"),
            equipment: s("受講者用ノートPC 40台、プロジェクタ"),
            remote_systems: s("Web会議システムと演習用仮想環境"),
            other: s("予備の回線"),
        },
        outsourcing: Outsourcing {
            answer: Some(OutsourcingAnswer::Outsourced),
            tasks: vec![OutsourcedTask {
                task: s("定型的な問い合わせへの一次回答"),
                contractor: s("株式会社コールセンター"),
                quality_assurance: s("回答マニュアルを作成し、それ以外は事務局が回答する。"),
            }],
        },
        attendance_controls: AttendanceControls {
            identity_and_riss_verification: s(
                "受付で写真付き身分証と登録セキスペ証を確認し、オンライン参加者はカメラで照合する。",
            ),
            leaving_prevention: s(
                "会場では入退室を記録し、オンラインでは定期的な応答確認で離脱を検知する。",
            ),
        },
        reporting: Reporting {
            commits_to_monthly_and_annual_reports: true,
            records_kept_years: 3,
            responsible: s("研修事務局長"),
        },
        enrolment: Enrolment {
            open_to_outsiders: true,
            schedule_published_at: s("https://example.jp/course/schedule"),
            how_to_apply: s("ホームページの申込フォームから申し込む。"),
            capacity: 20,
            fee: Some(Yen::new(77_000)),
        },
        accessibility: Accessibility {
            reasonable_accommodation: s(
                "申込時に配慮の希望を受け付け、字幕、資料の事前配布、座席の配慮等を提供する。",
            ),
        },
        provider: Provider {
            organisation,
            desks_published_at: s("https://example.jp/contact"),
            business_started_on: Some(anniversary(today, -10)),
            net_income,
            declarations,
        },
    }
}
