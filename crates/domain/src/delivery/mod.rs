//! Delivering a session (issue 15): the plan (D01), enrolment and its waiting list (D01, D02,
//! B32), who the learner is (B30 ①), attendance from check-ins, heartbeats and meeting reports
//! (B30 ②, D03), the seal that keeps its history tamper-evident (B19), and the end-of-course
//! survey whose answers are kept apart from who gave them (B08, D07).
//!
//! Pure like the rest of the domain: the time, the secrets and the recorded events come in as
//! parameters; the workflow stores the events and recomputes attendance from them.

pub mod attendance;
pub mod code;
pub mod enrolment;
pub mod learner;
pub mod plan;
pub mod seal;
pub mod survey;
pub mod ticket;
pub mod timetable;

pub use attendance::{
    BlockAttendance, Evidence, HEARTBEAT_PERIOD, Interval, Presence, Thresholds, Verdict,
    d03_block_attendance, d03_currently_present, merge_intervals, thresholds_are_sound,
};
pub use code::{CODE_PERIOD_SECONDS, RotatingCode, check_code, rotating_code};
pub use enrolment::{
    CancelledBy, EnrolmentStatus, MIN_OFFER, OFFER_CLOSES_BEFORE_START, Promotion, d01_may_cancel,
    d01_offer_deadline, d01_place, d01_promotion, d02_enrolment_window,
};
pub use learner::{CONSENT_EN, CONSENT_JA, LearnerProfile, MAX_NAME_CHARS, RissRegistration};
pub use plan::{
    Audience, Block, DEFAULT_OFFER_HOURS, DeliveryPlan, SESSION_OFFSET, b32_enrolment_is_open,
    d01_capacity_is_positive, d01_plan_is_sound, d01_room_is_given, d01_timetable_is_not_empty,
    d01_timetable_is_sound, d01_window_is_before_start,
};
pub use seal::seal_digest;
pub use ticket::{Ticket, issue_ticket, ticket_session, verify_ticket};
pub use timetable::{parse_timetable, timetable_text};
