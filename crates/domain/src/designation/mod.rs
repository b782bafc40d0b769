//! Designation of 特定講習 (requirements B01–B34): the application as data, and one rule per
//! requirement that says what the application still lacks.
//!
//! # The model
//!
//! [`Application`] holds one course application (様式第2号) with its provider's facts
//! (様式第1号) as plain serde data. Everything defaults to empty, so a half-filled draft is a
//! valid value and the rules can report what is missing; nothing is checked when the value
//! is built.
//!
//! # Rules and verdicts
//!
//! [`rules()`] lists B01–B34 in order, each with its clause of the guideline (`3-2(1)-1`),
//! its title in Japanese and English, its [`RuleKind`] and its function
//! (`rules::b01_total_hours`, …). [`evaluate`] runs them all against a [`RuleContext`]: the
//! [`Taxonomy`](crate::taxonomy::Taxonomy) (別表1, 別表2), the day of evaluation (`today`; there
//! is no clock) and Koshu's record of revocations.
//!
//! Each rule returns a [`Verdict`]:
//! - `Pass`;
//! - `Fail(Finding)`: the rule is not met; the finding names the rule and lists each
//!   [`Problem`] with a message in Japanese (the guideline's wording) and English, and the
//!   field paths that fix it;
//! - `NeedsReview(Evidence)`: a person must judge; the evidence says what to judge and
//!   quotes the values, each with its field path.
//!
//! A **data-decided** rule (B01, B03–B06, B09–B12, B14, B16, B17, B21, B23–B26, B28, B32,
//! B34: the documents of 4-2, whose kinds the context lists)
//! passes or fails from the data alone. The one exception is B14, which asks for review when
//! everything is present but an instructor claims ability equivalent to a RISS instead of a
//! registration number. A **judgement** rule (B02, B07, B08, B13, B15, B18–B20, B22, B27,
//! B29–B31, B33) fails when something it needs is missing — missing evidence is a data fact
//! — and otherwise asks for review; it never passes on its own, because the guideline asks a
//! person (「適切な」「明確に」「原則として」).
//!
//! # Field paths
//!
//! Paths follow the serde names of [`Application`], with indexes for lists:
//! `curriculum[2].method`, `instructors[0].riss_number`,
//! `provider.organisation.consortium_members[1].corporate_number`. A path to a list
//! (`curriculum`) means "add an entry".
//!
//! [`fixtures::complete_application`] builds an application that passes every
//! data-decided rule and fails no judgement rule, for tests and demo data.

pub mod application;
pub mod documents;
pub mod fixtures;
pub mod lifecycle;
pub mod publish;
pub mod review;
pub mod rules;
pub mod verdict;

pub use application::Application;
pub use documents::DocumentKind;
pub use lifecycle::{
    ChangeItem, ChangeVerdict, DesignationPeriod, Event, EventKind, IllegalTransition, Status,
    assess_change, designation_number, transition,
};
pub use rules::{Rule, RuleContext, evaluate, rule_by_id, rules};
pub use verdict::{Evidence, EvidenceItem, Finding, Problem, RuleKind, Verdict};

#[cfg(test)]
mod tests;
