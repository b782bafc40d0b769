//! The life of an application and of the designated course (requirements B35, C01–C07;
//! guideline sections 4 and 5).
//!
//! [`Status`] says where an application or designated course stands, [`Event`] what happens
//! to it, and [`transition`] is the one place that says which event is allowed from which
//! status. The caller writes every transition to the audit log (C07); dates are parameters
//! because the domain has no clock.
//!
//! | from | event | to |
//! |---|---|---|
//! | Draft, RevisionRequested | submit | Submitted |
//! | Submitted | start_review | UnderReview |
//! | UnderReview | request_revision / designate / reject | RevisionRequested / Designated / Rejected |
//! | Designated | abolish / revoke / expire | Abolished / Revoked / Expired |
//!
//! Anything else, and anything from a final status, is an [`IllegalTransition`].
//!
//! [`DesignationPeriod`] is the 3-year 対象期間 (5-1), [`designation_number`] names a
//! designation, and [`assess_change`] decides whether a change notice (様式第3号, 5-2) may be
//! accepted or the course needs a new application.

mod change;
mod period;

pub use change::{ChangeItem, ChangeVerdict, SAME_COURSE_RULES, assess_change, changed_items};
pub use period::{DesignationPeriod, designation_number, designation_sequence};

use std::fmt;

use serde::{Deserialize, Serialize};
use time::Date;

use super::application::RevocationReason;
use crate::error::ValidationError;

/// Where an application / designated course stands. Serialised snake_case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Being written by the provider.
    Draft,
    /// Sent to the ministry; waiting for review (4-1).
    Submitted,
    /// The ministry and its external experts are reviewing it (4-1(1), B35).
    UnderReview,
    /// The reviewers asked for changes; the provider revises and resubmits.
    RevisionRequested,
    /// A 特定講習 within its 対象期間 (5-1).
    Designated,
    /// Not designated.
    Rejected,
    /// The provider abolished the course (廃止届, 様式第4号).
    Abolished,
    /// Revoked under 5-3 (ア)〜(オ).
    Revoked,
    /// The 対象期間 ended (a renewal is a new application, 5-1 留意点②).
    Expired,
}

impl Status {
    /// Every status, in the order an application moves through them.
    pub const ALL: [Self; 9] = [
        Self::Draft,
        Self::Submitted,
        Self::UnderReview,
        Self::RevisionRequested,
        Self::Designated,
        Self::Rejected,
        Self::Abolished,
        Self::Revoked,
        Self::Expired,
    ];

    /// The stable code, equal to the serde name (`under_review`).
    pub const fn code(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Submitted => "submitted",
            Self::UnderReview => "under_review",
            Self::RevisionRequested => "revision_requested",
            Self::Designated => "designated",
            Self::Rejected => "rejected",
            Self::Abolished => "abolished",
            Self::Revoked => "revoked",
            Self::Expired => "expired",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    pub const fn label_ja(self) -> &'static str {
        match self {
            Self::Draft => "下書き",
            Self::Submitted => "応募済み",
            Self::UnderReview => "審査中",
            Self::RevisionRequested => "修正依頼中",
            Self::Designated => "特定講習（対象期間中）",
            Self::Rejected => "不採択",
            Self::Abolished => "廃止",
            Self::Revoked => "対象から取消し",
            Self::Expired => "対象期間終了",
        }
    }

    pub const fn label_en(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Submitted => "submitted",
            Self::UnderReview => "under review",
            Self::RevisionRequested => "revision requested",
            Self::Designated => "designated",
            Self::Rejected => "rejected",
            Self::Abolished => "abolished",
            Self::Revoked => "revoked",
            Self::Expired => "expired",
        }
    }

    /// Whether nothing can happen any more: a course that comes back does so as a new
    /// application (5-1 留意点②③).
    pub const fn is_final(self) -> bool {
        matches!(
            self,
            Self::Rejected | Self::Abolished | Self::Revoked | Self::Expired
        )
    }

    /// The kinds of event [`transition`] accepts from this status, for offering actions.
    pub fn possible_events(self) -> Vec<EventKind> {
        EventKind::ALL
            .into_iter()
            .filter(|k| target(self, *k).is_some())
            .collect()
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// What happens to an application or designated course. (Dates are parameters: no clock.)
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    /// Draft → Submitted; RevisionRequested → Submitted (a resubmission).
    Submit,
    /// Submitted → UnderReview.
    StartReview,
    /// UnderReview → RevisionRequested.
    RequestRevision,
    /// UnderReview → Designated.
    Designate { period: DesignationPeriod },
    /// UnderReview → Rejected.
    Reject,
    /// Designated → Abolished. The caller applies it on its effective date: until then the
    /// course stays designated so learners in progress can finish (5-2 留意点③).
    Abolish { effective_on: Date },
    /// Designated → Revoked (5-3).
    Revoke { reason: RevocationReason, on: Date },
    /// Designated → Expired (the period ended).
    Expire,
}

impl Event {
    /// `"submit"`, `"start_review"`, …: the [`EventKind`] code, for the audit log.
    pub const fn name(&self) -> &'static str {
        self.kind().name()
    }

    /// The event without its data.
    pub const fn kind(&self) -> EventKind {
        match self {
            Self::Submit => EventKind::Submit,
            Self::StartReview => EventKind::StartReview,
            Self::RequestRevision => EventKind::RequestRevision,
            Self::Designate { .. } => EventKind::Designate,
            Self::Reject => EventKind::Reject,
            Self::Abolish { .. } => EventKind::Abolish,
            Self::Revoke { .. } => EventKind::Revoke,
            Self::Expire => EventKind::Expire,
        }
    }
}

/// The kinds of [`Event`], without their data: what a UI offers and an audit entry names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    Submit,
    StartReview,
    RequestRevision,
    Designate,
    Reject,
    Abolish,
    Revoke,
    Expire,
}

impl EventKind {
    pub const ALL: [Self; 8] = [
        Self::Submit,
        Self::StartReview,
        Self::RequestRevision,
        Self::Designate,
        Self::Reject,
        Self::Abolish,
        Self::Revoke,
        Self::Expire,
    ];

    /// The stable code, equal to the serde name and to [`Event::name`].
    pub const fn name(self) -> &'static str {
        match self {
            Self::Submit => "submit",
            Self::StartReview => "start_review",
            Self::RequestRevision => "request_revision",
            Self::Designate => "designate",
            Self::Reject => "reject",
            Self::Abolish => "abolish",
            Self::Revoke => "revoke",
            Self::Expire => "expire",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.name() == name)
    }

    pub const fn label_ja(self) -> &'static str {
        match self {
            Self::Submit => "応募書類の提出",
            Self::StartReview => "審査の開始",
            Self::RequestRevision => "修正の依頼",
            Self::Designate => "特定講習の対象とすること",
            Self::Reject => "不採択",
            Self::Abolish => "廃止",
            Self::Revoke => "対象からの取消し",
            Self::Expire => "対象期間の終了",
        }
    }

    pub const fn label_en(self) -> &'static str {
        match self {
            Self::Submit => "submit",
            Self::StartReview => "start the review",
            Self::RequestRevision => "request a revision",
            Self::Designate => "designate",
            Self::Reject => "reject",
            Self::Abolish => "abolish",
            Self::Revoke => "revoke",
            Self::Expire => "end the designation period",
        }
    }
}

/// The state machine as a table, so [`transition`] and [`Status::possible_events`] agree.
const fn target(from: Status, kind: EventKind) -> Option<Status> {
    use EventKind as E;
    use Status as S;
    match (from, kind) {
        (S::Draft | S::RevisionRequested, E::Submit) => Some(S::Submitted),
        (S::Submitted, E::StartReview) => Some(S::UnderReview),
        (S::UnderReview, E::RequestRevision) => Some(S::RevisionRequested),
        (S::UnderReview, E::Designate) => Some(S::Designated),
        (S::UnderReview, E::Reject) => Some(S::Rejected),
        (S::Designated, E::Abolish) => Some(S::Abolished),
        (S::Designated, E::Revoke) => Some(S::Revoked),
        (S::Designated, E::Expire) => Some(S::Expired),
        _ => None,
    }
}

/// The one transition function (C07: the caller writes every transition to the audit log).
///
/// Only the statuses are checked here; the event's dates and period are the caller's to
/// apply (an abolition on its effective date, an expiry after `ends_on`).
pub fn transition(from: Status, event: &Event) -> Result<Status, IllegalTransition> {
    target(from, event.kind()).ok_or(IllegalTransition {
        from,
        event: event.name(),
    })
}

/// What the ministry decided, or what ended a designation, as recorded with its reasons.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Revise,
    Designate,
    Reject,
    Revoke,
    Abolish,
}

impl Outcome {
    pub const ALL: [Self; 5] = [
        Self::Revise,
        Self::Designate,
        Self::Reject,
        Self::Revoke,
        Self::Abolish,
    ];

    pub const fn code(self) -> &'static str {
        match self {
            Self::Revise => "revise",
            Self::Designate => "designate",
            Self::Reject => "reject",
            Self::Revoke => "revoke",
            Self::Abolish => "abolish",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|o| o.code() == code)
    }

    pub const fn label_ja(self) -> &'static str {
        match self {
            Self::Revise => "修正依頼",
            Self::Designate => "指定",
            Self::Reject => "不指定",
            Self::Revoke => "取消し",
            Self::Abolish => "廃止",
        }
    }

    pub const fn label_en(self) -> &'static str {
        match self {
            Self::Revise => "Revision requested",
            Self::Designate => "Designated",
            Self::Reject => "Rejected",
            Self::Revoke => "Revoked",
            Self::Abolish => "Abolished",
        }
    }
}

/// Why a designation ended before its period was over (C05, C06). Stored as `abolished` or
/// `revoked:<reason code>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DesignationEnd {
    Abolished,
    Revoked(RevocationReason),
}

impl DesignationEnd {
    pub fn code(self) -> String {
        match self {
            Self::Abolished => "abolished".to_owned(),
            Self::Revoked(reason) => format!("revoked:{}", reason.code()),
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        match code.split_once(':') {
            None if code == "abolished" => Some(Self::Abolished),
            Some(("revoked", reason)) => RevocationReason::from_code(reason).map(Self::Revoked),
            _ => None,
        }
    }
}

/// A status change as [`transition`] allows it: what the store writes, guarded by `from`,
/// and audits as `application.<event>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Move {
    pub from: Status,
    pub to: Status,
    pub event: EventKind,
}

impl Move {
    /// The move `event` makes from `from`, or why it is not allowed.
    pub fn of(from: Status, event: &Event) -> Result<Self, IllegalTransition> {
        Ok(Self {
            from,
            to: transition(from, event)?,
            event: event.kind(),
        })
    }
}

/// An event that is not allowed from the current status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IllegalTransition {
    pub from: Status,
    /// [`Event::name`] of the attempted event.
    pub event: &'static str,
}

impl IllegalTransition {
    fn action_labels(&self) -> (&'static str, &'static str) {
        // `event` always comes from `Event::name`; the raw name is the fallback for a value
        // built by hand.
        EventKind::from_name(self.event)
            .map_or((self.event, self.event), |k| (k.label_ja(), k.label_en()))
    }

    /// Code `lifecycle.illegal_transition`, naming the current status and the action.
    pub fn to_validation_error(&self) -> ValidationError {
        let (ja, en) = self.action_labels();
        ValidationError::new(
            "lifecycle.illegal_transition",
            format!(
                "現在の状態は「{}」のため、「{ja}」はできません。",
                self.from.label_ja()
            ),
            self.message_en(en),
        )
    }

    fn message_en(&self, action: &str) -> String {
        format!(
            "Cannot {action}: the application is {}.",
            self.from.label_en()
        )
    }
}

impl fmt::Display for IllegalTransition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (_, en) = self.action_labels();
        f.write_str(&self.message_en(en))
    }
}

impl std::error::Error for IllegalTransition {}

#[cfg(test)]
mod tests;
