//! Delivering a session (issue 15): the plan (D01), enrolment and its waiting list (D01, D02,
//! B32), who the learner is (B30 ①), attendance from check-ins, heartbeats and meeting reports
//! (B30 ②, D03) and the seal that keeps its history tamper-evident (B19); progress against the
//! standard learning time and stalled learners (issue 16; B11, D04), the board where staff and
//! learners talk both ways (D08, B19 ⑥), completion against published criteria (B12, D05), and
//! the end-of-course survey whose answers are kept apart from who gave them (B08, D07).
//!
//! Pure like the rest of the domain: the time, the secrets and the recorded events come in as
//! parameters; the workflow stores the events and recomputes attendance from them.

pub mod attendance;
pub mod board;
pub mod code;
pub mod completion;
pub mod curriculum;
pub mod enrolment;
pub mod learner;
pub mod plan;
pub mod progress;
pub mod seal;
pub mod survey;
pub mod ticket;
pub mod timetable;

pub use attendance::{
    BlockAttendance, Evidence, HEARTBEAT_PERIOD, Interval, Presence, Thresholds, Verdict,
    d03_block_attendance, d03_currently_present, merge_intervals, thresholds_are_sound,
};
pub use board::{
    ANONYMOUS_EN, ANONYMOUS_JA, AuthorShown, Authorship, PostKind, Viewer, d08_author_shown,
    d08_body_is_within_limits, d08_may_answer, d08_reason_is_given,
};
pub use code::{CODE_PERIOD_SECONDS, RotatingCode, check_code, rotating_code};
pub use curriculum::{curriculum_text, parse_curriculum};
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
pub use progress::{
    ACTIVITY_PERIOD, Activity, ActivityKind, ContactMethod, FollowUpMark, FollowUpOutcome,
    ItemMode, ItemProgress, ItemStatus, Pace, PlanItem, Stall, StallReason, StallSubject,
    d04_beats_of_reported_use, d04_behind_on_demand, d04_curriculum_is_sound, d04_idle_in_block,
    d04_live_progress, d04_needs_follow_up, d04_on_demand_progress, d04_pace_is_sound,
    d04_time_on_task, effective_curriculum,
};
pub use seal::seal_digest;
pub use ticket::{Ticket, issue_ticket, ticket_session, verify_ticket};
pub use timetable::{parse_timetable, timetable_text};
