//! Enrolment (D01, D02): the window, seats and the waiting list.

use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

use super::plan::{DeliveryPlan, SESSION_OFFSET};
use crate::ValidationError;
use crate::types::date_ja;

/// Where a learner stands for a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EnrolmentStatus {
    Enrolled,
    Waiting,
    /// Promoted from the waiting list, with a seat held until they confirm.
    Offered,
    Cancelled,
    /// An offer not confirmed in time.
    Lapsed,
}

impl EnrolmentStatus {
    pub const ALL: [Self; 5] = [
        Self::Enrolled,
        Self::Waiting,
        Self::Offered,
        Self::Cancelled,
        Self::Lapsed,
    ];

    /// The stable code, equal to the serde name.
    pub const fn code(self) -> &'static str {
        match self {
            Self::Enrolled => "enrolled",
            Self::Waiting => "waiting",
            Self::Offered => "offered",
            Self::Cancelled => "cancelled",
            Self::Lapsed => "lapsed",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    pub const fn label_ja(self) -> &'static str {
        match self {
            Self::Enrolled => "受講確定",
            Self::Waiting => "キャンセル待ち",
            Self::Offered => "繰り上げ確認待ち",
            Self::Cancelled => "取消",
            Self::Lapsed => "期限切れ",
        }
    }

    pub const fn label_en(self) -> &'static str {
        match self {
            Self::Enrolled => "Enrolled",
            Self::Waiting => "On the waiting list",
            Self::Offered => "Offered a seat",
            Self::Cancelled => "Cancelled",
            Self::Lapsed => "Offer lapsed",
        }
    }

    /// Whether the learner counts against the capacity: an offered seat is held for them.
    pub const fn holds_seat(self) -> bool {
        matches!(self, Self::Enrolled | Self::Offered)
    }
}

/// Who cancelled an enrolment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CancelledBy {
    Learner,
    Provider,
}

impl CancelledBy {
    pub const ALL: [Self; 2] = [Self::Learner, Self::Provider];

    /// The stable code, equal to the serde name.
    pub const fn code(self) -> &'static str {
        match self {
            Self::Learner => "learner",
            Self::Provider => "provider",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.code() == code)
    }
}

/// D02: enrolment is taken from `opens_at` until, not including, `closes_at`.
///
/// Codes: `enrolment.not_open`, `enrolment.closed`.
pub fn d02_enrolment_window(
    plan: &DeliveryPlan,
    now: OffsetDateTime,
) -> Result<(), ValidationError> {
    if now < plan.opens_at {
        let (ja, en) = moment(plan.opens_at);
        return Err(ValidationError::new(
            "enrolment.not_open",
            format!("申込受付は{ja}からです。受付開始後にもう一度お申し込みください。"),
            format!("Enrolment opens on {en}; please apply again once it has opened."),
        ));
    }
    if now >= plan.closes_at {
        let (ja, en) = moment(plan.closes_at);
        return Err(ValidationError::new(
            "enrolment.closed",
            format!("申込受付は{ja}に締め切りました。ほかの開催回をお探しください。"),
            format!("Enrolment closed on {en}; please look for another session."),
        ));
    }
    Ok(())
}

/// `2026年5月1日 09:00` and `2026-05-01 09:00 JST`.
fn moment(at: OffsetDateTime) -> (String, String) {
    let at = at.to_offset(SESSION_OFFSET);
    let hm = format!("{:02}:{:02}", at.hour(), at.minute());
    (
        format!("{} {hm}", date_ja(at.date())),
        format!("{} {hm} JST", at.date()),
    )
}

/// D01: a learner takes a free seat, or joins the waiting list when every seat is held.
pub fn d01_place(capacity: u32, seats_held: u32) -> EnrolmentStatus {
    if seats_held < capacity {
        EnrolmentStatus::Enrolled
    } else {
        EnrolmentStatus::Waiting
    }
}

/// Offers are settled this long before the first block, so the roster and the identity
/// checks can be prepared.
pub const OFFER_CLOSES_BEFORE_START: Duration = Duration::hours(1);
/// An offer shorter than this could not reasonably be answered (the mail may not even have
/// been read); the learner gets the seat instead.
pub const MIN_OFFER: Duration = Duration::hours(1);

/// What a learner at the head of the waiting list gets when a seat frees up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Promotion {
    /// The seat is held for them until `until`; unconfirmed, it lapses and goes to the next.
    Offer { until: OffsetDateTime },
    /// Too close to the start to ask: they are enrolled straight away (and may cancel).
    Seat,
}

/// D01: `now + offer_hours`, but no later than [`OFFER_CLOSES_BEFORE_START`] before the first
/// block (timetable read in [`SESSION_OFFSET`]). When that leaves less than [`MIN_OFFER`],
/// the deadline is `now`: there is no time to confirm.
pub fn d01_offer_deadline(plan: &DeliveryPlan, now: OffsetDateTime) -> OffsetDateTime {
    let mut until = now.saturating_add(Duration::hours(i64::from(plan.offer_hours)));
    if let Some(first) = plan.first_start(SESSION_OFFSET) {
        until = until.min(first.saturating_sub(OFFER_CLOSES_BEFORE_START));
    }
    if until - now < MIN_OFFER { now } else { until }
}

/// D01: an offer until [`d01_offer_deadline`], or the seat itself when the deadline is `now`.
pub fn d01_promotion(plan: &DeliveryPlan, now: OffsetDateTime) -> Promotion {
    let until = d01_offer_deadline(plan, now);
    if until <= now {
        Promotion::Seat
    } else {
        Promotion::Offer { until }
    }
}

/// D01: only a live enrolment (enrolled, waiting or offered) can be cancelled.
/// Code: `enrolment.not_cancellable`.
pub fn d01_may_cancel(status: EnrolmentStatus) -> Result<(), ValidationError> {
    match status {
        EnrolmentStatus::Enrolled | EnrolmentStatus::Waiting | EnrolmentStatus::Offered => Ok(()),
        EnrolmentStatus::Cancelled | EnrolmentStatus::Lapsed => Err(ValidationError::new(
            "enrolment.not_cancellable",
            format!(
                "この申込みはすでに「{}」のため、取り消せません。受講を希望する場合は、改めてお申し込みください。",
                status.label_ja()
            ),
            format!(
                "This enrolment ({}) can no longer be cancelled; please apply again if you wish to attend.",
                status.label_en()
            ),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::super::plan::tests::plan;
    use super::*;
    use time::macros::datetime;

    #[test]
    fn d02_enrolment_window_is_open_between_its_ends() {
        let p = plan();
        assert!(d02_enrolment_window(&p, p.opens_at).is_ok());
        assert!(d02_enrolment_window(&p, datetime!(2026-05-31 16:59 +9)).is_ok());
    }

    #[test]
    fn d02_enrolment_window_refuses_before_and_after() {
        let p = plan();
        let e = d02_enrolment_window(&p, datetime!(2026-04-30 23:59 UTC)).unwrap_err();
        assert_eq!(e.code, "enrolment.not_open");
        assert!(
            e.message_ja.contains("2026年5月1日 09:00"),
            "{}",
            e.message_ja
        );
        let e = d02_enrolment_window(&p, p.closes_at).unwrap_err();
        assert_eq!(e.code, "enrolment.closed");
        assert!(
            e.message_en.contains("2026-05-31 17:00 JST"),
            "{}",
            e.message_en
        );
    }

    #[test]
    fn d01_place_takes_a_free_seat_or_waits() {
        assert_eq!(d01_place(20, 19), EnrolmentStatus::Enrolled);
        assert_eq!(d01_place(20, 20), EnrolmentStatus::Waiting);
        assert_eq!(d01_place(20, 25), EnrolmentStatus::Waiting);
    }

    #[test]
    fn d01_promotion_offers_far_from_the_start() {
        let p = plan(); // first block 2026-06-01 10:00 JST
        let now = datetime!(2026-05-20 10:00 +9);
        assert_eq!(
            d01_promotion(&p, now),
            Promotion::Offer {
                until: datetime!(2026-05-22 10:00 +9)
            }
        );
        // Cut to an hour before the start.
        let now = datetime!(2026-05-31 10:00 +9);
        assert_eq!(d01_offer_deadline(&p, now), datetime!(2026-06-01 09:00 +9));
    }

    #[test]
    fn d01_promotion_gives_the_seat_close_to_the_start() {
        let p = plan();
        let now = datetime!(2026-06-01 08:01 +9);
        assert_eq!(d01_offer_deadline(&p, now), now);
        assert_eq!(d01_promotion(&p, now), Promotion::Seat);
        assert_eq!(
            d01_promotion(&p, datetime!(2026-06-01 11:00 +9)),
            Promotion::Seat
        );
        let mut p = plan();
        p.offer_hours = 0;
        assert_eq!(
            d01_promotion(&p, datetime!(2026-05-20 10:00 +9)),
            Promotion::Seat
        );
    }

    #[test]
    fn d01_may_cancel_passes_and_fails() {
        for s in EnrolmentStatus::ALL {
            assert_eq!(
                d01_may_cancel(s).is_ok(),
                matches!(
                    s,
                    EnrolmentStatus::Enrolled | EnrolmentStatus::Waiting | EnrolmentStatus::Offered
                ),
                "{s:?}"
            );
        }
        let e = d01_may_cancel(EnrolmentStatus::Lapsed).unwrap_err();
        assert_eq!(e.code, "enrolment.not_cancellable");
        assert!(e.message_ja.contains("期限切れ"));
    }

    #[test]
    fn codes_round_trip_and_seats_are_held() {
        for s in EnrolmentStatus::ALL {
            assert_eq!(EnrolmentStatus::from_code(s.code()), Some(s));
        }
        let held: Vec<_> = EnrolmentStatus::ALL
            .into_iter()
            .filter(|s| s.holds_seat())
            .collect();
        assert_eq!(held, [EnrolmentStatus::Enrolled, EnrolmentStatus::Offered]);
        for c in CancelledBy::ALL {
            assert_eq!(CancelledBy::from_code(c.code()), Some(c));
        }
        assert_eq!(EnrolmentStatus::from_code("done"), None);
    }
}
