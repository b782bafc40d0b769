//! The documents an application carries besides its forms (4-2 応募書類; B34): what each is
//! for, and which the application needs.

use super::application::{Application, CopyrightBasis};
use serde::{Deserialize, Serialize};

/// What an attached file is, in the words of 4-2.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentKind {
    /// 直近2期の財務諸表.
    FinancialStatements,
    /// 事業計画書 (when not written in 様式第1号).
    BusinessPlan,
    /// 講習の内容の著作権について、承諾を得ていることが分かる資料.
    CopyrightPermission,
    /// 応募講習で使用する教材.
    Materials,
    /// 応募講習で実施する実践的な内容を示す資料.
    PracticalContent,
    /// 直近で実施した応募講習のアンケート結果等を示す資料.
    SurveyResults,
    /// 直近で開講した応募講習の開講実績を示す資料.
    DeliveryRecord,
    /// 講習運営における緊急対応に関する資料.
    EmergencyResponse,
    /// （任意）その他講習の内容等に関するPR資料.
    PublicRelations,
}

impl DocumentKind {
    pub const ALL: [Self; 9] = [
        Self::FinancialStatements,
        Self::BusinessPlan,
        Self::CopyrightPermission,
        Self::Materials,
        Self::PracticalContent,
        Self::SurveyResults,
        Self::DeliveryRecord,
        Self::EmergencyResponse,
        Self::PublicRelations,
    ];

    pub const fn code(self) -> &'static str {
        match self {
            Self::FinancialStatements => "financial_statements",
            Self::BusinessPlan => "business_plan",
            Self::CopyrightPermission => "copyright_permission",
            Self::Materials => "materials",
            Self::PracticalContent => "practical_content",
            Self::SurveyResults => "survey_results",
            Self::DeliveryRecord => "delivery_record",
            Self::EmergencyResponse => "emergency_response",
            Self::PublicRelations => "public_relations",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }

    pub const fn label_ja(self) -> &'static str {
        match self {
            Self::FinancialStatements => "直近2期の財務諸表",
            Self::BusinessPlan => "事業計画書",
            Self::CopyrightPermission => "著作権の承諾を示す資料",
            Self::Materials => "講習で使用する教材",
            Self::PracticalContent => "実践的な内容を示す資料",
            Self::SurveyResults => "直近のアンケート結果",
            Self::DeliveryRecord => "直近の開講実績",
            Self::EmergencyResponse => "緊急対応に関する資料",
            Self::PublicRelations => "PR資料（任意）",
        }
    }

    pub const fn label_en(self) -> &'static str {
        match self {
            Self::FinancialStatements => "Financial statements of the last 2 periods",
            Self::BusinessPlan => "Business plan",
            Self::CopyrightPermission => "Copyright permission",
            Self::Materials => "Course materials",
            Self::PracticalContent => "Practical content",
            Self::SurveyResults => "Latest survey results",
            Self::DeliveryRecord => "Latest delivery record",
            Self::EmergencyResponse => "Emergency response",
            Self::PublicRelations => "PR material (optional)",
        }
    }

    /// Whether `app` must carry a document of this kind. The business plan is written in
    /// 様式第1号 here (the implementation plan), so a separate one is optional; permission
    /// is needed only when some material is used with the holder's permission.
    pub fn required_for(self, app: &Application) -> bool {
        match self {
            Self::BusinessPlan | Self::PublicRelations => false,
            Self::CopyrightPermission => app
                .materials
                .iter()
                .any(|m| matches!(m.copyright, Some(CopyrightBasis::Licensed { .. }))),
            Self::FinancialStatements
            | Self::Materials
            | Self::PracticalContent
            | Self::SurveyResults
            | Self::DeliveryRecord
            | Self::EmergencyResponse => true,
        }
    }
}
