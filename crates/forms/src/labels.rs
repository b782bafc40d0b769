//! The Japanese labels under which enums appear in the forms, and how they are read back.
//!
//! Why one table per enum, shared by exporter and importer: a label the exporter writes must be
//! one the importer reads, so both look in the same place. The importer also accepts the serde
//! code (`simulated_exercise`), because scripts and other tools produce those.

use koshu_domain::designation::application::{
    Affiliation, AssessmentKind, CertificateForm, DeliveryFormat, Method, OutsourcingAnswer,
    TargetPersona,
};

/// One choice: the value, its serde code and its label in the form.
pub(crate) type Choice<T> = (T, &'static str, &'static str);

pub(crate) const PERSONAS: &[Choice<TargetPersona>] = &[
    (
        TargetPersona::InHouse,
        "in_house",
        TargetPersona::InHouse.label_ja(),
    ),
    (
        TargetPersona::ExternalSpecialist,
        "external_specialist",
        TargetPersona::ExternalSpecialist.label_ja(),
    ),
];

pub(crate) const METHODS: &[Choice<Method>] = &[
    (Method::Lecture, "lecture", Method::Lecture.label_ja()),
    (
        Method::SimulatedExercise,
        "simulated_exercise",
        Method::SimulatedExercise.label_ja(),
    ),
    (
        Method::LearnerPresentation,
        "learner_presentation",
        Method::LearnerPresentation.label_ja(),
    ),
    (
        Method::DiscussionGroupWork,
        "discussion_group_work",
        Method::DiscussionGroupWork.label_ja(),
    ),
];

pub(crate) const FORMATS: &[Choice<DeliveryFormat>] = &[
    (
        DeliveryFormat::InPerson,
        "in_person",
        DeliveryFormat::InPerson.label_ja(),
    ),
    (
        DeliveryFormat::Remote,
        "remote",
        DeliveryFormat::Remote.label_ja(),
    ),
    (
        DeliveryFormat::Hybrid,
        "hybrid",
        DeliveryFormat::Hybrid.label_ja(),
    ),
];

pub(crate) const OUTSOURCING: &[Choice<OutsourcingAnswer>] = &[
    (
        OutsourcingAnswer::NotOutsourced,
        "not_outsourced",
        OutsourcingAnswer::NotOutsourced.label_ja(),
    ),
    (
        OutsourcingAnswer::Outsourced,
        "outsourced",
        OutsourcingAnswer::Outsourced.label_ja(),
    ),
];

pub(crate) const ASSESSMENTS: &[Choice<AssessmentKind>] = &[
    (AssessmentKind::Test, "test", "修了テスト"),
    (AssessmentKind::Presentation, "presentation", "成果発表"),
];

pub(crate) const CERTIFICATES: &[Choice<CertificateForm>] = &[
    (CertificateForm::Paper, "paper", "書面"),
    (
        CertificateForm::DigitalBadge,
        "digital_badge",
        "デジタルバッジ",
    ),
    (
        CertificateForm::OtherData,
        "other_data",
        "その他の改竄が困難なデータ",
    ),
];

pub(crate) const AFFILIATIONS: &[Choice<Affiliation>] = &[
    (Affiliation::Employee, "employee", "①実施主体に所属する者"),
    (
        Affiliation::MemberOfNdaContractedOrganisation,
        "member_of_nda_contracted_organisation",
        "②実施主体とNDAを含む契約を締結している組織に所属する者",
    ),
    (
        Affiliation::NdaContractor,
        "nda_contractor",
        "③実施主体とNDAを含む契約を締結している者",
    ),
    (Affiliation::Other, "other", "その他"),
];

/// The kind of a `CopyrightBasis` (the enum itself carries data).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CopyrightKind {
    Own,
    Licensed,
    Commercial,
}

pub(crate) const COPYRIGHTS: &[Choice<CopyrightKind>] = &[
    (CopyrightKind::Own, "own", "実施主体が著作権を有する"),
    (
        CopyrightKind::Licensed,
        "licensed",
        "著作権者の承諾を受けている",
    ),
    (CopyrightKind::Commercial, "commercial", "市販教材"),
];

/// The kind of a `PrivacyAssurance` (the enum itself carries data).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PrivacyKind {
    PrivacyMark,
    Isms,
    Policy,
}

pub(crate) const PRIVACY: &[Choice<PrivacyKind>] = &[
    (
        PrivacyKind::PrivacyMark,
        "privacy_mark",
        "プライバシーマーク",
    ),
    (PrivacyKind::Isms, "isms", "ISMS認証"),
    (PrivacyKind::Policy, "policy", "プライバシーポリシーの公表"),
];

/// Whether a row of 「講師・監修者」 is an instructor, a substitute or the supervisor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    Instructor,
    Substitute,
    Supervisor,
}

pub(crate) const ROLES: &[Choice<Role>] = &[
    (Role::Instructor, "instructor", "講師"),
    (Role::Substitute, "substitute", "代理の講師"),
    (Role::Supervisor, "supervisor", "監修者"),
];

/// The label of `value`, or "" if the table lacks it (it never does: the tables are complete).
pub(crate) fn label<T: PartialEq + Copy>(table: &[Choice<T>], value: T) -> &'static str {
    table
        .iter()
        .find(|(v, _, _)| *v == value)
        .map_or("", |(_, _, l)| l)
}

/// The value whose label or code is `input` (surrounding whitespace ignored).
pub(crate) fn parse<T: Copy>(table: &[Choice<T>], input: &str) -> Option<T> {
    let s = input.trim();
    table
        .iter()
        .find(|(_, code, label)| *label == s || *code == s)
        .map(|(v, _, _)| *v)
}

/// Every label, in order (drop-down lists).
pub(crate) fn all<T>(table: &[Choice<T>]) -> Vec<&'static str> {
    table.iter().map(|(_, _, l)| *l).collect()
}

/// The labels, for messages and the notes column: 「a／b／c」.
pub(crate) fn options<T>(table: &[Choice<T>]) -> String {
    all(table).join("／")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_label_and_code_parses_back() {
        for (v, code, label) in METHODS {
            assert_eq!(parse(METHODS, label), Some(*v));
            assert_eq!(parse(METHODS, code), Some(*v));
        }
        assert_eq!(parse(AFFILIATIONS, " その他 "), Some(Affiliation::Other));
        assert_eq!(parse(ROLES, "講師補助者"), None);
    }
}
