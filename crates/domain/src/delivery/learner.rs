//! Who a learner is, as the provider needs to know them (B30 ①: identity and RISS number are
//! checked against this at the start of the course).

use serde::{Deserialize, Serialize};
use time::Date;

use crate::ValidationError;
use crate::types::text::{TextKind, check_controls};
use crate::types::{RissNumber, date_ja, parse_date};

/// The longest name (漢字 or カナ) a learner may give, in characters.
pub const MAX_NAME_CHARS: usize = 100;

/// What a learner tells the provider about themselves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LearnerProfile {
    /// 氏名 (漢字), as on the identity document checked at the start.
    pub name: String,
    /// 氏名カナ: full-width katakana, names separated by one full-width space.
    pub name_kana: String,
    /// None for a learner who is not (yet) a 登録セキスペ.
    pub riss: Option<RissRegistration>,
    /// The learner agrees to their registration number appearing on certificates (D06: the
    /// number is personal data, printed only with consent).
    pub riss_on_credential: bool,
}

/// A 登録セキスペ's registration, checked against the register at the start (B30 ①).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RissRegistration {
    pub number: RissNumber,
    /// 登録日, or the last 更新日.
    pub registered_on: Date,
}

impl LearnerProfile {
    /// Reads the form. Both RISS fields empty means no registration; one without the other is
    /// an error naming the empty one. Every error names its field (`name`, `name_kana`,
    /// `riss_number`, `riss_registered_on`).
    ///
    /// Codes: `learner.name_required`, `learner.name_too_long`, `learner.kana_required`,
    /// `learner.kana_too_long`, `learner.kana_katakana`, `learner.riss_number_required`,
    /// `learner.riss_registered_on_required`, `learner.riss_registered_on_future`,
    /// `text.control_character`, `riss_number.format`, `date.*`.
    pub fn parse(
        name: &str,
        name_kana: &str,
        riss_number: &str,
        riss_registered_on: &str,
        today: Date,
    ) -> Result<Self, Vec<ValidationError>> {
        let mut errors = Vec::new();
        let name = parse_name(name).map_err(|e| errors.push(e.for_field("name")));
        let name_kana = parse_kana(name_kana).map_err(|e| errors.push(e.for_field("name_kana")));
        let riss = parse_riss(riss_number, riss_registered_on, today)
            .map_err(|(e, field)| errors.push(e.for_field(field)));
        match (name, name_kana, riss) {
            (Ok(name), Ok(name_kana), Ok(riss)) => Ok(Self {
                name,
                name_kana,
                riss,
                riss_on_credential: false,
            }),
            _ => Err(errors),
        }
    }
}

impl LearnerProfile {
    /// With the learner's choice about certificates; without a registration there is no
    /// number to print, so the choice is dropped.
    pub fn with_riss_on_credential(mut self, consent: bool) -> Self {
        self.riss_on_credential = consent && self.riss.is_some();
        self
    }
}

fn parse_name(input: &str) -> Result<String, ValidationError> {
    let name = collapse_spaces(input.trim(), " ");
    if name.is_empty() {
        return Err(ValidationError::new(
            "learner.name_required",
            "氏名を入力してください。本人確認書類と同じ表記にしてください。",
            "Please enter your name as it appears on your identity document.",
        ));
    }
    check_controls(&name, TextKind::Line)?;
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(ValidationError::new(
            "learner.name_too_long",
            format!("氏名は{MAX_NAME_CHARS}文字以内で入力してください。"),
            format!("Please keep your name to {MAX_NAME_CHARS} characters or fewer."),
        ));
    }
    Ok(name)
}

/// Full-width katakana: half-width katakana (with ﾞ and ﾟ) and hiragana are converted, runs of
/// spaces become one full-width space, as the register and the ministry's forms write kana.
fn parse_kana(input: &str) -> Result<String, ValidationError> {
    let kana = collapse_spaces(&full_width_katakana(input.trim()), "\u{3000}");
    if kana.is_empty() {
        return Err(ValidationError::new(
            "learner.kana_required",
            "氏名のフリガナを全角カタカナで入力してください（例：ヤマダ　ハナコ）。",
            "Please enter the reading of your name in full-width katakana (for example ヤマダ　ハナコ).",
        ));
    }
    if let Some(c) = kana.chars().find(|&c| c != '\u{3000}' && !is_katakana(c)) {
        return Err(ValidationError::new(
            "learner.kana_katakana",
            format!(
                "フリガナに「{c}」は使えません。全角カタカナと空白だけで入力してください（例：ヤマダ　ハナコ）。"
            ),
            format!(
                "\"{c}\" cannot be used in the reading; please use only full-width katakana and spaces (for example ヤマダ　ハナコ)."
            ),
        ));
    }
    if kana.chars().count() > MAX_NAME_CHARS {
        return Err(ValidationError::new(
            "learner.kana_too_long",
            format!("フリガナは{MAX_NAME_CHARS}文字以内で入力してください。"),
            format!("Please keep the reading to {MAX_NAME_CHARS} characters or fewer."),
        ));
    }
    Ok(kana)
}

fn parse_riss(
    number: &str,
    registered_on: &str,
    today: Date,
) -> Result<Option<RissRegistration>, (ValidationError, &'static str)> {
    let (number, registered_on) = (number.trim(), registered_on.trim());
    match (number.is_empty(), registered_on.is_empty()) {
        (true, true) => Ok(None),
        (false, true) => Err((
            ValidationError::new(
                "learner.riss_registered_on_required",
                "登録番号を入力した場合は、登録日（更新した場合は最後の更新日）も入力してください。",
                "With a registration number, please also enter the date of registration (or of the last renewal).",
            ),
            "riss_registered_on",
        )),
        (true, false) => Err((
            ValidationError::new(
                "learner.riss_number_required",
                "登録日を入力した場合は、登録番号（6桁）も入力してください。登録セキスペでない場合は両方とも空欄にしてください。",
                "With a registration date, please also enter the six-digit registration number; leave both empty if you are not registered.",
            ),
            "riss_number",
        )),
        (false, false) => {
            let number = RissNumber::parse(number).map_err(|e| (e, "riss_number"))?;
            let registered_on = parse_date(registered_on).map_err(|e| (e, "riss_registered_on"))?;
            if registered_on > today {
                return Err((
                    ValidationError::new(
                        "learner.riss_registered_on_future",
                        format!(
                            "登録日（{}）が今日より後になっています。登録証に記載の登録日または最後の更新日を入力してください。",
                            date_ja(registered_on)
                        ),
                        "The registration date is after today; please enter the date of registration or of the last renewal shown on your certificate.",
                    ),
                    "riss_registered_on",
                ));
            }
            Ok(Some(RissRegistration {
                number,
                registered_on,
            }))
        }
    }
}

/// Runs of whitespace (ASCII or U+3000) become one `sep`.
fn collapse_spaces(s: &str, sep: &str) -> String {
    s.split(|c: char| c.is_whitespace())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(sep)
}

fn is_katakana(c: char) -> bool {
    // ァ..ヺ, ・, ー, ヽ, ヾ
    matches!(c, '\u{30A1}'..='\u{30FA}' | '\u{30FB}'..='\u{30FE}')
}

/// Half-width katakana U+FF66..=U+FF9D in code order.
const HALF_WIDTH: &str = "ヲァィゥェォャュョッーアイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワン";

fn full_width_katakana(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        let mapped = match c {
            '\u{FF65}' => '・',
            '\u{FF66}'..='\u{FF9D}' => HALF_WIDTH
                .chars()
                .nth((u32::from(c) - 0xFF66) as usize)
                .unwrap_or(c),
            // Hiragana ぁ..ゖ to katakana.
            '\u{3041}'..='\u{3096}' => char::from_u32(u32::from(c) + 0x60).unwrap_or(c),
            // Voiced and semi-voiced sound marks, half-width or combining, join the kana before.
            '\u{FF9E}' | '\u{3099}' | '\u{FF9F}' | '\u{309A}' => {
                let semi = matches!(c, '\u{FF9F}' | '\u{309A}');
                let prev = out.pop();
                match prev.and_then(|p| voiced(p, semi)) {
                    Some(v) => v,
                    None => {
                        out.extend(prev);
                        c
                    }
                }
            }
            _ => c,
        };
        out.push(mapped);
    }
    out
}

/// ガ from カ (or パ from ハ when `semi`).
fn voiced(base: char, semi: bool) -> Option<char> {
    let step = |n: u32| char::from_u32(u32::from(base) + n);
    match (base, semi) {
        (_, false) if "カキクケコサシスセソタチツテトハヒフヘホ".contains(base) => {
            step(1)
        }
        (_, true) if "ハヒフヘホ".contains(base) => step(2),
        ('ウ', false) => Some('ヴ'),
        ('ワ', false) => Some('ヷ'),
        ('ヲ', false) => Some('ヺ'),
        _ => None,
    }
}

/// What the learner agrees to when enrolling: what the provider sees and why (B31, E02).
pub const CONSENT_JA: &str = "受講の申込みにあたり、講習の実施主体が次の情報を閲覧することに同意します：氏名（漢字・フリガナ）、メールアドレス、登録セキスペの登録番号と登録日（更新日）、出欠の記録、本人確認の結果。これらの情報は、本講習の実施と経済産業省への報告のためだけに使われ、講習の終了から3年間保存された後に削除されます。";

/// English version of [`CONSENT_JA`].
pub const CONSENT_EN: &str = "By enrolling, I agree that the course provider may see the following: my name (in kanji and katakana), my e-mail address, my RISS registration number and date of registration (or renewal), my attendance records and the results of my identity checks. This information is used only to deliver this course and for the reports to the Ministry of Economy, Trade and Industry, and is kept for three years after the course ends, then deleted.";

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const TODAY: Date = date!(2026 - 04 - 01);

    fn codes(r: Result<LearnerProfile, Vec<ValidationError>>) -> Vec<(&'static str, String)> {
        r.unwrap_err()
            .into_iter()
            .map(|e| (e.code, e.field.unwrap()))
            .collect()
    }

    #[test]
    fn b30_parses_a_registered_learner() {
        let p = LearnerProfile::parse(
            " 山田  花子 ",
            "ﾔﾏﾀﾞ ﾊﾅｺ",
            "０１２３４５",
            "2023/10/1",
            TODAY,
        )
        .unwrap();
        assert_eq!(p.name, "山田 花子");
        assert_eq!(p.name_kana, "ヤマダ\u{3000}ハナコ");
        let riss = p.riss.unwrap();
        assert_eq!(riss.number.digits(), "012345");
        assert_eq!(riss.registered_on, date!(2023 - 10 - 01));
    }

    #[test]
    fn b30_no_riss_is_allowed_when_both_are_empty() {
        let p = LearnerProfile::parse("佐藤 一郎", "さとう　いちろう", "", " ", TODAY).unwrap();
        assert_eq!(p.name_kana, "サトウ\u{3000}イチロウ");
        assert_eq!(p.riss, None);
    }

    #[test]
    fn kana_marks_join_and_others_fail() {
        assert_eq!(parse_kana("ｶﾞｯﾎﾟｳﾞｧ").unwrap(), "ガッポヴァ");
        assert_eq!(parse_kana("ジョン・スミス").unwrap(), "ジョン・スミス");
        assert_eq!(parse_kana("カ\u{3099}").unwrap(), "ガ");
        for bad in ["Yamada", "山田", "ﾞア", "ヤマダ1"] {
            assert_eq!(
                parse_kana(bad).unwrap_err().code,
                "learner.kana_katakana",
                "{bad}"
            );
        }
    }

    #[test]
    fn b30_refuses_missing_and_bad_fields_naming_each() {
        assert_eq!(
            codes(LearnerProfile::parse("", "", "012345", "", TODAY)),
            [
                ("learner.name_required", "name".to_owned()),
                ("learner.kana_required", "name_kana".to_owned()),
                (
                    "learner.riss_registered_on_required",
                    "riss_registered_on".to_owned()
                ),
            ]
        );
        assert_eq!(
            codes(LearnerProfile::parse(
                "山田",
                "ヤマダ",
                "",
                "2024-01-01",
                TODAY
            )),
            [("learner.riss_number_required", "riss_number".to_owned())]
        );
        assert_eq!(
            codes(LearnerProfile::parse(
                "山田",
                "ヤマダ",
                "12345",
                "2024-01-01",
                TODAY
            )),
            [("riss_number.format", "riss_number".to_owned())]
        );
        assert_eq!(
            codes(LearnerProfile::parse(
                "山田",
                "ヤマダ",
                "012345",
                "2026-04-02",
                TODAY
            )),
            [(
                "learner.riss_registered_on_future",
                "riss_registered_on".to_owned()
            )]
        );
        assert_eq!(
            codes(LearnerProfile::parse(
                &"山".repeat(101),
                "ヤマダ",
                "",
                "",
                TODAY
            )),
            [("learner.name_too_long", "name".to_owned())]
        );
        assert_eq!(
            codes(LearnerProfile::parse("山\u{0}田", "ヤマダ", "", "", TODAY)),
            [("text.control_character", "name".to_owned())]
        );
    }

    #[test]
    fn consent_names_what_is_seen_and_for_how_long() {
        for word in ["登録番号", "出欠", "本人確認", "3年間", "経済産業省"] {
            assert!(CONSENT_JA.contains(word), "{word}");
        }
        for word in [
            "registration number",
            "attendance",
            "identity",
            "three years",
        ] {
            assert!(CONSENT_EN.contains(word), "{word}");
        }
    }
}
