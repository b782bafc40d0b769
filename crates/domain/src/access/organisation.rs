//! Provider organisations (B21, B24, B25): a legal entity with its 法人番号, the persons
//! responsible for the course, and how it protects personal data. Parsed from a form in one go
//! so that every problem is reported at once, each naming its field.

use crate::ValidationError;
use crate::access::Email;
use crate::types::text::{TextKind, check_controls};
use crate::types::{CorporateNumber, half_width_trimmed, parse_date};
use serde::{Deserialize, Serialize};
use time::Date;

/// A named person or desk, and how to reach them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contact {
    pub name: String,
    pub email: Option<Email>,
    pub phone: Option<String>,
}

/// B24: the four responsible persons; the inquiry and complaints desks are published.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResponsiblePersons {
    pub course_manager: Contact,
    pub enrolment_admin: Contact,
    pub inquiry_desk: Contact,
    pub complaints_desk: Contact,
}

/// B25: a third-party certification, or else a published privacy policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PrivacyAssurance {
    PrivacyMark { number: String, valid_until: Date },
    Isms { number: String, valid_until: Date },
    Policy { url: String },
}

/// A member of a consortium other than the lead entity (B21, B28: each is checked).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsortiumMember {
    pub name: String,
    pub corporate_number: CorporateNumber,
}

/// A provider organisation as registered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Organisation {
    pub name_ja: String,
    pub name_en: Option<String>,
    pub corporate_number: CorporateNumber,
    pub address: String,
    pub representative: String,
    pub responsible: ResponsiblePersons,
    pub privacy: PrivacyAssurance,
    /// Empty for a single entity; otherwise this organisation is the consortium's lead.
    pub consortium_members: Vec<ConsortiumMember>,
}

/// The registration form as typed: every field a string, names as in the HTML form.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct OrganisationForm {
    pub name_ja: String,
    pub name_en: String,
    pub corporate_number: String,
    pub address: String,
    pub representative: String,
    pub course_manager_name: String,
    pub course_manager_email: String,
    pub enrolment_admin_name: String,
    pub enrolment_admin_email: String,
    pub inquiry_name: String,
    pub inquiry_email: String,
    pub inquiry_phone: String,
    pub complaints_name: String,
    pub complaints_email: String,
    pub complaints_phone: String,
    /// `privacy_mark`, `isms` or `policy`.
    pub privacy_kind: String,
    pub privacy_number: String,
    pub privacy_valid_until: String,
    pub privacy_policy_url: String,
    /// One member a line: `name, 法人番号`.
    pub consortium_members: String,
}

impl OrganisationForm {
    /// The form as it would be filled for `org` (to edit it).
    pub fn from_organisation(org: &Organisation) -> Self {
        let r = &org.responsible;
        let email = |c: &Contact| {
            c.email
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default()
        };
        let (privacy_kind, privacy_number, privacy_valid_until, privacy_policy_url) =
            match &org.privacy {
                PrivacyAssurance::PrivacyMark {
                    number,
                    valid_until,
                } => (
                    "privacy_mark",
                    number.clone(),
                    valid_until.to_string(),
                    String::new(),
                ),
                PrivacyAssurance::Isms {
                    number,
                    valid_until,
                } => (
                    "isms",
                    number.clone(),
                    valid_until.to_string(),
                    String::new(),
                ),
                PrivacyAssurance::Policy { url } => {
                    ("policy", String::new(), String::new(), url.clone())
                }
            };
        Self {
            name_ja: org.name_ja.clone(),
            name_en: org.name_en.clone().unwrap_or_default(),
            corporate_number: org.corporate_number.to_string(),
            address: org.address.clone(),
            representative: org.representative.clone(),
            course_manager_name: r.course_manager.name.clone(),
            course_manager_email: email(&r.course_manager),
            enrolment_admin_name: r.enrolment_admin.name.clone(),
            enrolment_admin_email: email(&r.enrolment_admin),
            inquiry_name: r.inquiry_desk.name.clone(),
            inquiry_email: email(&r.inquiry_desk),
            inquiry_phone: r.inquiry_desk.phone.clone().unwrap_or_default(),
            complaints_name: r.complaints_desk.name.clone(),
            complaints_email: email(&r.complaints_desk),
            complaints_phone: r.complaints_desk.phone.clone().unwrap_or_default(),
            privacy_kind: privacy_kind.to_owned(),
            privacy_number,
            privacy_valid_until,
            privacy_policy_url,
            consortium_members: org
                .consortium_members
                .iter()
                .map(|m| format!("{}, {}", m.name, m.corporate_number))
                .collect::<Vec<_>>()
                .join("\n"),
        }
    }

    /// Parses the whole form; `today` decides whether a certification is still valid.
    pub fn parse(&self, today: Date) -> Result<Organisation, Vec<ValidationError>> {
        let mut errors = Errors::default();
        let name_ja = errors.take(required(&self.name_ja, "名称", "name", 200), "name_ja");
        let name_en = errors.take(optional(&self.name_en, 200), "name_en");
        let corporate_number = errors.take(
            CorporateNumber::parse(&self.corporate_number),
            "corporate_number",
        );
        let address = errors.take(required(&self.address, "所在地", "address", 300), "address");
        let representative = errors.take(
            required(&self.representative, "代表者", "representative", 100),
            "representative",
        );
        let course_manager = errors.contact(
            "course_manager",
            &self.course_manager_name,
            &self.course_manager_email,
            None,
        );
        let enrolment_admin = errors.contact(
            "enrolment_admin",
            &self.enrolment_admin_name,
            &self.enrolment_admin_email,
            None,
        );
        let inquiry_desk = errors.contact(
            "inquiry",
            &self.inquiry_name,
            &self.inquiry_email,
            Some(&self.inquiry_phone),
        );
        let complaints_desk = errors.contact(
            "complaints",
            &self.complaints_name,
            &self.complaints_email,
            Some(&self.complaints_phone),
        );
        let privacy = errors.take(self.privacy(today), "privacy_kind");
        let consortium_members = errors.take(
            parse_members(&self.consortium_members),
            "consortium_members",
        );
        let parsed = (|| {
            Some(Organisation {
                name_ja: name_ja?,
                name_en: name_en?,
                corporate_number: corporate_number?,
                address: address?,
                representative: representative?,
                responsible: ResponsiblePersons {
                    course_manager: course_manager?,
                    enrolment_admin: enrolment_admin?,
                    inquiry_desk: inquiry_desk?,
                    complaints_desk: complaints_desk?,
                },
                privacy: privacy?,
                consortium_members: consortium_members?,
            })
        })();
        match parsed {
            Some(org) if errors.0.is_empty() => Ok(org),
            _ => Err(errors.0),
        }
    }

    fn privacy(&self, today: Date) -> Result<PrivacyAssurance, ValidationError> {
        let certified = |field: &str| -> Result<(String, Date), ValidationError> {
            let number = required(&self.privacy_number, "認証番号", "certificate number", 50)
                .map_err(|e| e.for_field("privacy_number"))?;
            let valid_until = parse_date(&self.privacy_valid_until)
                .map_err(|e| e.for_field("privacy_valid_until"))?;
            if valid_until < today {
                return Err(ValidationError::new(
                    "privacy.expired",
                    format!("{field}の有効期限が切れています。更新後の認証番号と有効期限を入力するか、プライバシーポリシーの URL を入力してください。"),
                    "This certification has expired. Enter the renewed one, or the URL of your privacy policy.",
                )
                .for_field("privacy_valid_until"));
            }
            Ok((number, valid_until))
        };
        match self.privacy_kind.as_str() {
            "privacy_mark" => certified("プライバシーマーク").map(|(number, valid_until)| {
                PrivacyAssurance::PrivacyMark {
                    number,
                    valid_until,
                }
            }),
            "isms" => certified("ISMS 認証").map(|(number, valid_until)| PrivacyAssurance::Isms {
                number,
                valid_until,
            }),
            "policy" => {
                let url = half_width_trimmed(&self.privacy_policy_url);
                if is_web_url(&url) {
                    Ok(PrivacyAssurance::Policy { url })
                } else {
                    Err(ValidationError::new(
                        "privacy.policy_url",
                        "公開しているプライバシーポリシーの URL を https:// から入力してください。",
                        "Enter the URL of your published privacy policy, starting with https://.",
                    )
                    .for_field("privacy_policy_url"))
                }
            }
            _ => Err(ValidationError::new(
                "privacy.kind",
                "個人情報の保護について、プライバシーマーク、ISMS 認証、プライバシーポリシーのいずれかを選んでください（要件 B25）。",
                "Choose how you protect personal data: Privacy Mark, ISMS certification, or a published privacy policy (requirement B25).",
            )),
        }
    }
}

/// Collects every problem of a form, each named for its field.
#[derive(Default)]
struct Errors(Vec<ValidationError>);

impl Errors {
    fn take<T>(&mut self, r: Result<T, ValidationError>, field: &str) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(e) => {
                // A rule that already knows its field (a sub-field) keeps it.
                let field = e.field.clone().unwrap_or_else(|| field.to_owned());
                self.0.push(e.for_field(field));
                None
            }
        }
    }

    /// A person or desk (B24). `phone` is asked only of public desks, which need an address or
    /// a telephone number; responsible persons need an address.
    fn contact(
        &mut self,
        prefix: &str,
        name: &str,
        email: &str,
        phone: Option<&str>,
    ) -> Option<Contact> {
        let name = self.take(
            required(name, "氏名または窓口名", "name", 100),
            &format!("{prefix}_name"),
        );
        let email = self.take(
            optional(email, 254).and_then(|e| e.map(|e| Email::parse(&e)).transpose()),
            &format!("{prefix}_email"),
        );
        let public = phone.is_some();
        let phone = match phone {
            Some(p) => self.take(optional_phone(p), &format!("{prefix}_phone"))?,
            None => None,
        };
        let email = email?;
        if email.is_none() && phone.is_none() {
            let e = if public {
                ValidationError::new(
                    "contact.missing",
                    "公開する窓口には、メールアドレスか電話番号の少なくとも一方を入力してください（要件 B24）。",
                    "A public desk needs an e-mail address or a telephone number (requirement B24).",
                )
            } else {
                ValidationError::new(
                    "contact.missing",
                    "責任者のメールアドレスを入力してください（要件 B24）。",
                    "Enter the responsible person's e-mail address (requirement B24).",
                )
            };
            self.0.push(e.for_field(format!("{prefix}_email")));
            return None;
        }
        Some(Contact {
            name: name?,
            email,
            phone,
        })
    }
}

fn required(
    input: &str,
    what_ja: &str,
    what_en: &str,
    max: usize,
) -> Result<String, ValidationError> {
    match optional(input, max)? {
        Some(s) => Ok(s),
        None => Err(ValidationError::new(
            "required",
            format!("{what_ja}を入力してください。"),
            format!("Enter the {what_en}."),
        )),
    }
}

fn optional(input: &str, max: usize) -> Result<Option<String>, ValidationError> {
    let s = input.trim();
    check_controls(s, TextKind::Line)?;
    if s.chars().count() > max {
        return Err(ValidationError::new(
            "too_long",
            format!("{max}文字以内で入力してください。"),
            format!("Use at most {max} characters."),
        ));
    }
    Ok((!s.is_empty()).then(|| s.to_owned()))
}

/// A Japanese telephone number: 10 or 11 digits, hyphens allowed (03-1234-5678, 0120-123-456).
fn optional_phone(input: &str) -> Result<Option<String>, ValidationError> {
    let s = half_width_trimmed(input).replace(['‐', '−', 'ー'], "-");
    if s.is_empty() {
        return Ok(None);
    }
    let digits = s.chars().filter(char::is_ascii_digit).count();
    if s.starts_with('0')
        && (10..=11).contains(&digits)
        && s.chars().all(|c| c.is_ascii_digit() || c == '-')
    {
        Ok(Some(s))
    } else {
        Err(ValidationError::new(
            "phone.format",
            "電話番号は0から始まる10桁または11桁の数字で入力してください（例：03-1234-5678）。",
            "A telephone number has 10 or 11 digits starting with 0 (for example 03-1234-5678).",
        ))
    }
}

fn is_web_url(s: &str) -> bool {
    let rest = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"));
    rest.is_some_and(|r| {
        let host = r.split(['/', '?', '#']).next().unwrap_or("");
        host.contains('.') && !s.chars().any(char::is_whitespace) && s.len() <= 500
    })
}

fn parse_members(text: &str) -> Result<Vec<ConsortiumMember>, ValidationError> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .enumerate()
        .map(|(i, line)| {
            let line_no = i + 1;
            let (name, number) = line.rsplit_once([',', '、', '，']).ok_or_else(|| {
                ValidationError::new(
                    "consortium.format",
                    format!("構成員の{line_no}行目は「名称, 法人番号」の形で入力してください。"),
                    format!("Write member line {line_no} as \"name, corporate number\"."),
                )
            })?;
            let corporate_number = CorporateNumber::parse(number).map_err(|e| ValidationError {
                message_ja: format!("構成員の{line_no}行目：{}", e.message_ja),
                message_en: format!("Member line {line_no}: {}", e.message_en),
                ..e
            })?;
            let name = required(name, "構成員の名称", "member's name", 200)?;
            Ok(ConsortiumMember {
                name,
                corporate_number,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const TODAY: Date = date!(2026 - 04 - 01);

    pub fn filled() -> OrganisationForm {
        OrganisationForm {
            name_ja: "株式会社サイバー研修".into(),
            name_en: "Cyber Training Co., Ltd.".into(),
            corporate_number: "5010001008846".into(),
            address: "東京都千代田区霞が関1-3-1".into(),
            representative: "代表取締役 山田太郎".into(),
            course_manager_name: "佐藤花子".into(),
            course_manager_email: "sato@example.jp".into(),
            enrolment_admin_name: "鈴木一郎".into(),
            enrolment_admin_email: "suzuki@example.jp".into(),
            inquiry_name: "研修事務局".into(),
            inquiry_email: "info@example.jp".into(),
            inquiry_phone: "".into(),
            complaints_name: "お客様相談室".into(),
            complaints_email: "".into(),
            complaints_phone: "０３－１２３４－５６７８".into(),
            privacy_kind: "privacy_mark".into(),
            privacy_number: "10820001(05)".into(),
            privacy_valid_until: "2027-03-31".into(),
            privacy_policy_url: "".into(),
            consortium_members: "".into(),
        }
    }

    #[test]
    fn a_complete_form_parses_and_round_trips() {
        let org = filled().parse(TODAY).unwrap();
        assert_eq!(org.corporate_number.as_str(), "5010001008846");
        assert_eq!(
            org.responsible.complaints_desk.phone.as_deref(),
            Some("03-1234-5678")
        );
        assert!(matches!(org.privacy, PrivacyAssurance::PrivacyMark { .. }));
        assert_eq!(
            OrganisationForm::from_organisation(&org)
                .parse(TODAY)
                .unwrap(),
            org
        );
    }

    #[test]
    fn every_problem_is_reported_with_its_field() {
        let form = OrganisationForm {
            name_ja: " ".into(),
            corporate_number: "6010001008846".into(),
            inquiry_email: "".into(),
            course_manager_email: "not-an-address".into(),
            privacy_valid_until: "2026-03-31".into(),
            ..filled()
        };
        let errors = form.parse(TODAY).unwrap_err();
        let fields: Vec<(&str, &str)> = errors
            .iter()
            .map(|e| (e.field.as_deref().unwrap_or(""), e.code))
            .collect();
        assert_eq!(
            fields,
            [
                ("name_ja", "required"),
                ("corporate_number", "corporate_number.check_digit"),
                ("course_manager_email", "email.format"),
                ("inquiry_email", "contact.missing"),
                ("privacy_valid_until", "privacy.expired"),
            ]
        );
    }

    #[test]
    fn single_line_fields_refuse_control_characters() {
        let form = OrganisationForm {
            name_ja: "株式会社\0サイバー".into(),
            inquiry_name: "研修\n事務局".into(),
            ..filled()
        };
        let errors = form.parse(TODAY).unwrap_err();
        let fields: Vec<(&str, &str)> = errors
            .iter()
            .map(|e| (e.field.as_deref().unwrap_or(""), e.code))
            .collect();
        assert_eq!(
            fields,
            [
                ("name_ja", "text.control_character"),
                ("inquiry_name", "text.control_character"),
            ]
        );
    }

    #[test]
    fn b25_a_policy_url_instead_of_a_certification() {
        let form = OrganisationForm {
            privacy_kind: "policy".into(),
            privacy_policy_url: "https://example.jp/privacy".into(),
            ..filled()
        };
        assert!(matches!(
            form.parse(TODAY).unwrap().privacy,
            PrivacyAssurance::Policy { .. }
        ));
        let form = OrganisationForm {
            privacy_policy_url: "example.jp/privacy".into(),
            ..form
        };
        assert_eq!(form.parse(TODAY).unwrap_err()[0].code, "privacy.policy_url");
        let form = OrganisationForm {
            privacy_kind: "".into(),
            ..filled()
        };
        assert_eq!(
            form.parse(TODAY).unwrap_err()[0].field.as_deref(),
            Some("privacy_kind")
        );
    }

    #[test]
    fn consortium_members_each_need_a_valid_corporate_number() {
        let form = OrganisationForm {
            consortium_members:
                "一般社団法人セキュリティ協会, 5010001008846\n\n国立大学法人○○大学、4000012090001"
                    .into(),
            ..filled()
        };
        let org = form.parse(TODAY).unwrap();
        assert_eq!(org.consortium_members.len(), 2);
        let form = OrganisationForm {
            consortium_members: "協会, 5010001008846\n大学 4000012090001".into(),
            ..filled()
        };
        let e = &form.parse(TODAY).unwrap_err()[0];
        assert_eq!(
            (e.field.as_deref(), e.code),
            (Some("consortium_members"), "consortium.format")
        );
        assert!(e.message_ja.contains("2行目"));
    }
}
