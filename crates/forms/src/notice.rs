//! 様式第3号 (変更届) and 様式第4号 (廃止届): what a provider files about a designated course
//! (C03–C05), as the ministry files them: a workbook ([`crate::export::notice`]) and a PDF
//! ([`crate::pdf::notice`]) with the same content.

/// Which form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoticeKind {
    /// 様式第3号 変更届.
    Change,
    /// 様式第4号 廃止届.
    Abolition,
}

impl NoticeKind {
    pub const fn form(self) -> &'static str {
        match self {
            Self::Change => "様式第3号",
            Self::Abolition => "様式第4号",
        }
    }

    pub const fn title(self) -> &'static str {
        match self {
            Self::Change => "情報処理安全確保支援士制度 特定講習 変更届",
            Self::Abolition => "情報処理安全確保支援士制度 特定講習 廃止届",
        }
    }
}

/// One filed notice, every value as the form prints it (dates as 2026年4月1日).
#[derive(Debug, Clone)]
pub struct Notice<'a> {
    pub kind: NoticeKind,
    pub filed_on: &'a str,
    pub provider: &'a str,
    pub address: &'a str,
    pub representative: &'a str,
    pub number: &'a str,
    pub course: &'a str,
    /// 変更予定日 / 廃止予定日: when it takes effect.
    pub effective_on: &'a str,
    /// The changed items (a change), as labels.
    pub items: &'a [String],
    /// Each changed field: its label, before, after (a change).
    pub changes: &'a [(String, String, String)],
    pub reason: &'a str,
    /// 受講者への代替措置 (an abolition).
    pub measures: &'a str,
}

impl Notice<'_> {
    /// The labelled rows both renderings print under 「記」, in order.
    pub(crate) fn rows(&self) -> Vec<(&'static str, String)> {
        let mut rows = vec![
            ("指定番号", self.number.to_owned()),
            ("講習名", self.course.to_owned()),
        ];
        match self.kind {
            NoticeKind::Change => {
                rows.push(("変更予定日", self.effective_on.to_owned()));
                rows.push(("変更の事項", self.items.join("、")));
                rows.push(("変更の理由", self.reason.to_owned()));
            }
            NoticeKind::Abolition => {
                rows.push(("廃止予定日", self.effective_on.to_owned()));
                rows.push(("廃止の理由", self.reason.to_owned()));
                rows.push(("受講中の受講者への代替措置", self.measures.to_owned()));
            }
        }
        rows
    }

    /// The sentence above 「記」.
    pub(crate) fn lead(&self) -> &'static str {
        match self.kind {
            NoticeKind::Change => {
                "特定講習の対象となった下記の講習について、次のとおり変更したいので届け出ます。"
            }
            NoticeKind::Abolition => {
                "特定講習の対象となった下記の講習について、次のとおり廃止したいので届け出ます。"
            }
        }
    }
}
