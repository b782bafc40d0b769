//! The documents an application carries besides its forms (4-2 応募書類; B34): what each is
//! for, and which the application needs.

use super::application::{Application, CopyrightBasis};
use crate::ValidationError;
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
    /// （任意）講師の経歴書: the instructors' records behind B14–B16, where the forms' summary
    /// is not enough for the reviewer.
    InstructorProfiles,
}

impl DocumentKind {
    pub const ALL: [Self; 10] = [
        Self::FinancialStatements,
        Self::BusinessPlan,
        Self::CopyrightPermission,
        Self::Materials,
        Self::PracticalContent,
        Self::SurveyResults,
        Self::DeliveryRecord,
        Self::EmergencyResponse,
        Self::PublicRelations,
        Self::InstructorProfiles,
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
            Self::InstructorProfiles => "instructor_profiles",
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
            Self::InstructorProfiles => "講師の経歴書（任意）",
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
            Self::InstructorProfiles => "Instructors' CVs (optional)",
        }
    }

    /// Whether `app` must carry a document of this kind. The business plan is written in
    /// 様式第1号 here (the implementation plan), so a separate one is optional; permission
    /// is needed only when some material is used with the holder's permission.
    pub fn required_for(self, app: &Application) -> bool {
        match self {
            Self::BusinessPlan | Self::PublicRelations | Self::InstructorProfiles => false,
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

/// What a file is, told from its first bytes: the name alone says nothing (issue 13 item 15:
/// an 8-byte `malware.exe` was accepted as 教材).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileType {
    Pdf,
    /// Word, Excel, PowerPoint (2007 and later) and OpenDocument: ZIP containers.
    OfficeOpen,
    /// Word, Excel and PowerPoint 97–2003: OLE compound files.
    OfficeLegacy,
    Png,
    Jpeg,
    /// Text without control characters other than tab and line breaks (CSV, TXT), in UTF-8
    /// or Shift_JIS (as Excel in Japan saves CSV).
    Text,
}

impl FileType {
    /// The type of `bytes`, if it is one Koshu accepts at all.
    pub fn of(bytes: &[u8]) -> Option<Self> {
        const OLE: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
        if bytes.starts_with(b"%PDF-") {
            Some(Self::Pdf)
        } else if bytes.starts_with(b"PK\x03\x04") {
            Some(Self::OfficeOpen)
        } else if bytes.starts_with(&OLE) {
            Some(Self::OfficeLegacy)
        } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(Self::Png)
        } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(Self::Jpeg)
        } else if bytes
            .iter()
            .all(|b| (*b >= 0x20 && *b != 0x7F) || matches!(b, b'\t' | b'\n' | b'\r'))
        {
            Some(Self::Text)
        } else {
            None
        }
    }

    /// The file name endings a file of this type has.
    pub const fn extensions(self) -> &'static [&'static str] {
        match self {
            Self::Pdf => &["pdf"],
            Self::OfficeOpen => &["docx", "xlsx", "pptx", "odt", "ods", "odp"],
            Self::OfficeLegacy => &["doc", "xls", "ppt"],
            Self::Png => &["png"],
            Self::Jpeg => &["jpg", "jpeg"],
            Self::Text => &["txt", "csv"],
        }
    }

    /// The media type a file of this type with this (accepted, lower-case) ending is
    /// served as: what the content is, never what the uploading browser said.
    fn media_type(extension: &str) -> &'static str {
        match extension {
            "pdf" => "application/pdf",
            "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "pptx" => "application/vnd.openxmlformats-officedocument.presentationml.presentation",
            "odt" => "application/vnd.oasis.opendocument.text",
            "ods" => "application/vnd.oasis.opendocument.spreadsheet",
            "odp" => "application/vnd.oasis.opendocument.presentation",
            "doc" => "application/msword",
            "xls" => "application/vnd.ms-excel",
            "ppt" => "application/vnd.ms-powerpoint",
            "png" => "image/png",
            "jpg" | "jpeg" => "image/jpeg",
            "csv" => "text/csv",
            "txt" => "text/plain",
            _ => "application/octet-stream",
        }
    }

    pub const fn label_ja(self) -> &'static str {
        match self {
            Self::Pdf => "PDF",
            Self::OfficeOpen | Self::OfficeLegacy => "Word・Excel・PowerPoint",
            Self::Png | Self::Jpeg => "画像（PNG・JPEG）",
            Self::Text => "テキスト（CSV・TXT）",
        }
    }

    pub const fn label_en(self) -> &'static str {
        match self {
            Self::Pdf => "PDF",
            Self::OfficeOpen | Self::OfficeLegacy => "Word, Excel, PowerPoint",
            Self::Png | Self::Jpeg => "images (PNG, JPEG)",
            Self::Text => "text (CSV, TXT)",
        }
    }
}

impl DocumentKind {
    /// The file types a document of this kind may be: documents and spreadsheets for all;
    /// scans and screenshots where the document is often one; tables of results as CSV.
    pub const fn accepted_types(self) -> &'static [FileType] {
        use FileType::{Jpeg, OfficeLegacy, OfficeOpen, Pdf, Png, Text};
        match self {
            Self::FinancialStatements
            | Self::BusinessPlan
            | Self::EmergencyResponse
            | Self::InstructorProfiles => &[Pdf, OfficeOpen, OfficeLegacy],
            Self::CopyrightPermission | Self::PublicRelations => {
                &[Pdf, OfficeOpen, OfficeLegacy, Png, Jpeg]
            }
            Self::SurveyResults => &[Pdf, OfficeOpen, OfficeLegacy, Text],
            Self::Materials | Self::PracticalContent | Self::DeliveryRecord => {
                &[Pdf, OfficeOpen, OfficeLegacy, Png, Jpeg, Text]
            }
        }
    }
}

/// B34: a file attached as `kind` is, by its content, one of the kind's accepted types, and
/// its name ends as files of that type do (a PDF named `.xlsx` would open in the wrong
/// program for the reviewer).
pub fn b34_file_is_of_an_accepted_type(
    kind: DocumentKind,
    name: &str,
    bytes: &[u8],
) -> Result<AcceptedFile, ValidationError> {
    let accepted = kind.accepted_types();
    let list = |label: fn(FileType) -> &'static str, sep: &str| {
        let mut labels: Vec<&str> = accepted.iter().map(|t| label(*t)).collect();
        labels.dedup();
        labels.join(sep)
    };
    let found = FileType::of(bytes).filter(|t| accepted.contains(t));
    let Some(found) = found else {
        return Err(ValidationError::new(
            "upload.file_type",
            format!(
                "「{}」として添付できるのは {} のファイルです。「{name}」の中身はそのどれでもありません。",
                kind.label_ja(),
                list(FileType::label_ja, "、")
            ),
            format!(
                "A {} can be {}. The content of \"{name}\" is none of these.",
                kind.label_en(),
                list(FileType::label_en, ", ")
            ),
        )
        .for_field("file"));
    };
    let extension = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    if !found.extensions().contains(&extension.as_str()) {
        let expected = found.extensions().join("、.");
        return Err(ValidationError::new(
            "upload.file_name",
            format!(
                "「{name}」の中身は{}ですが、ファイル名の拡張子が合っていません（.{expected} にしてください）。",
                found.label_ja()
            ),
            format!(
                "\"{name}\" is a {} file but its name does not end as one (use .{}).",
                found.label_en(),
                found.extensions().join(", .")
            ),
        )
        .for_field("file"));
    }
    Ok(AcceptedFile {
        file_type: found,
        media_type: FileType::media_type(&extension),
    })
}

/// A file [`b34_file_is_of_an_accepted_type`] accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AcceptedFile {
    pub file_type: FileType,
    /// What it is served as.
    pub media_type: &'static str,
}

#[cfg(test)]
mod tests {
    use super::*;

    const PDF: &[u8] = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj";

    #[test]
    fn b34_accepts_a_pdf_as_materials() {
        assert_eq!(
            b34_file_is_of_an_accepted_type(DocumentKind::Materials, "教材.PDF", PDF)
                .map(|f| f.media_type),
            Ok("application/pdf")
        );
        assert_eq!(
            b34_file_is_of_an_accepted_type(
                DocumentKind::SurveyResults,
                "結果.csv",
                "設問,回答\n1,満足\n".as_bytes()
            )
            .map(|f| f.file_type),
            Ok(FileType::Text)
        );
        let shift_jis = b"\x90\xdd\x96\xe2,\x89\xf1\x93\x9a\r\n";
        assert_eq!(
            b34_file_is_of_an_accepted_type(DocumentKind::SurveyResults, "結果.csv", shift_jis)
                .map(|f| f.file_type),
            Ok(FileType::Text)
        );
    }

    #[test]
    fn b34_refuses_an_executable_whatever_its_name() {
        let exe = b"MZ\x90\x00\x03\x00\x00\x00";
        for name in ["malware.exe", "教材.pdf"] {
            let e =
                b34_file_is_of_an_accepted_type(DocumentKind::Materials, name, exe).unwrap_err();
            assert_eq!(e.code, "upload.file_type");
            assert_eq!(e.field.as_deref(), Some("file"));
            assert!(e.message_ja.contains("PDF"), "{}", e.message_ja);
        }
    }

    #[test]
    fn b34_refuses_a_type_the_kind_does_not_take_and_a_name_that_lies() {
        let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
        let e = b34_file_is_of_an_accepted_type(DocumentKind::FinancialStatements, "bs.png", png)
            .unwrap_err();
        assert_eq!(e.code, "upload.file_type");
        let e =
            b34_file_is_of_an_accepted_type(DocumentKind::Materials, "教材.xlsx", PDF).unwrap_err();
        assert_eq!(e.code, "upload.file_name");
        assert!(e.message_ja.contains(".pdf"));
    }
}
