//! The role × route matrix (G01): every route of the application, for every kind of person,
//! answers exactly as this table says. The table must list every route the router serves, so a
//! new route cannot be added without deciding who may use it.

use crate::accounts::{Browser, register_organisation, set_up_two_factor, sign_up, signed_in};
use crate::app::{TestApp, TestResponse};
use axum::http::{StatusCode, header};
use koshu_domain::access::{MinistryRole, OrgRole};
use std::collections::BTreeSet;

/// What a person gets: the page or action, the policy's redirect to sign in (which brings
/// them back after), to set up a second factor, or a refusal. `Broken` (a 5xx) is never
/// right; nor is a page (GET) that answers 400, or 404 for a thing that exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Ok,
    Login,
    TwoFactor,
    Denied,
    Broken,
    /// 401 without an API token or LRS credential: a provider's system, not a person (cookies
    /// do not count).
    NoToken,
}
use Outcome::{Denied as D, Login as L, NoToken as U, Ok as A, TwoFactor as T};

fn outcome(res: &TestResponse) -> Outcome {
    let location = res
        .headers
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    match res.status {
        s if s.is_server_error() => Outcome::Broken,
        StatusCode::FORBIDDEN => D,
        StatusCode::UNAUTHORIZED
            if res.body.contains("\"code\":\"auth.token\"")
                || res.body.contains("\"code\":\"auth.lrs\"") =>
        {
            U
        }
        StatusCode::SEE_OTHER if location.starts_with("/login?next=") => L,
        StatusCode::SEE_OTHER if location == "/account/two-factor" => T,
        _ => A,
    }
}

/// Pages (GET) that answer 400 or 404 in this fixture by design, and why; any other page
/// that does is a failure.
const NOT_A_PAGE_HERE: &[(&str, &str)] = &[
    (
        "/verify-email",
        "the link's token is missing: the page says the link is invalid",
    ),
    ("/invitations/accept", "the invitation's token is missing"),
    (
        "/account/two-factor/qr.svg",
        "only while setting up, and these people have set up",
    ),
    (
        "/applications/{id}/decision.pdf",
        "the draft has no decision",
    ),
    (
        "/applications/{id}/notices/{notice}/form.pdf",
        "the draft is not designated and has no notice",
    ),
    (
        "/applications/{id}/notices/{notice}/form.xlsx",
        "the draft is not designated and has no notice",
    ),
    (
        "/applications/{id}/versions/{version}",
        "the draft was never submitted",
    ),
    (
        "/applications/{id}/compare",
        "which versions to compare is not given",
    ),
    ("/ministry/reviews/{id}", "a draft is not under review"),
    (
        "/sessions/{session}/check-in",
        "only a learner with a place in the session checks in: others are not found",
    ),
    (
        "/learning/{enrolment}",
        "another person's enrolment is not found (only the learner's own opens)",
    ),
    (
        "/learning/{enrolment}/calendar.ics",
        "another person's enrolment is not found; the learner's own, once cancelled, has no dates",
    ),
    (
        "/learning/{enrolment}/items/{item}",
        "another person's enrolment is not found; the learner's own session has no on-demand item (item 1 is its first block)",
    ),
    (
        "/learning/{enrolment}/board",
        "another person's enrolment is not found (only the learner's own board opens)",
    ),
    (
        "/learning/{enrolment}/survey",
        "another person's enrolment is not found (only the learner's own survey opens)",
    ),
    (
        "/holder/courses/{id}/evidence",
        "no such course in this person's ledger",
    ),
    (
        "/holder/deadlines.ics",
        "nobody here has linked a registration",
    ),
    (
        "/holder/export.json",
        "nobody here has linked a registration",
    ),
    (
        "/holder/export.csv",
        "nobody here has linked a registration",
    ),
    ("/holder/calendar/{file}", "no feed has this secret address"),
    (
        "/ministry/course-reports/{programme}/{month}/report.xlsx",
        "the fixture's programme is not a designated course: only a 特定講習 reports",
    ),
    (
        "/organisations/{id}/reports/{programme}/{month}/report.xlsx",
        "the fixture's programme is not a designated course: only a 特定講習 reports",
    ),
    (
        "/ministry/course-reports/{programme}/{month}/report.pdf",
        "the fixture's programme is not a designated course: only a 特定講習 reports",
    ),
    (
        "/organisations/{id}/reports/{programme}/{month}/report.pdf",
        "the fixture's programme is not a designated course: only a 特定講習 reports",
    ),
    (
        "/ministry/course-reports/{programme}/{month}/report.csv",
        "the fixture's programme is not a designated course: only a 特定講習 reports",
    ),
    (
        "/organisations/{id}/reports/{programme}/{month}/report.csv",
        "the fixture's programme is not a designated course: only a 特定講習 reports",
    ),
    (
        "/ministry/course-reports/{programme}/{month}",
        "the fixture's programme is not a designated course: only a 特定講習 reports",
    ),
    (
        "/organisations/{id}/reports/{programme}/{month}",
        "the fixture's programme is not a designated course: only a 特定講習 reports",
    ),
];

/// The people, in the order of the table's columns, then the registrar (see [`REGISTRAR`]).
const PEOPLE: [&str; 11] = [
    "anonymous",
    "learner",
    "viewer of A",
    "editor of A",
    "owner of A",
    "member of B",
    "reviewer",
    "reviewer without 2FA",
    "expert",
    "administrator",
    "registrar",
];

/// IPA's registrar (issue 18 item 6), with a second factor, answers every route as the plain
/// learner's column says (no organisation, no review work; another's enrolment is not found),
/// except these.
const REGISTRAR: &[(&str, &str, Outcome)] = &[
    ("POST", "/account/two-factor/disable", D),
    ("GET", "/registry/holders", A),
    ("GET", "/registry/holders.csv", A),
    ("GET", "/registry/holders.xlsx", A),
];

/// What the registrar gets on a row of the table.
fn registrar_outcome(method: &str, route: &str, row: &[Outcome; 10]) -> Outcome {
    REGISTRAR
        .iter()
        .find(|(m, r, _)| *m == method && *r == route)
        .map_or(row[1], |(_, _, o)| *o)
}

/// Method, route as registered, and the outcome for each person above.
#[rustfmt::skip]
const TABLE: &[(&str, &str, [Outcome; 10])] = &[
    ("GET", "/", [A, A, A, A, A, A, A, A, A, A]),
    ("GET", "/search", [A, A, A, A, A, A, A, A, A, A]),
    ("GET", "/sessions", [A, A, A, A, A, A, A, A, A, A]),
    ("GET", "/providers/{id}", [A, A, A, A, A, A, A, A, A, A]),
    ("GET", "/programmes/{id}", [A, A, A, A, A, A, A, A, A, A]),
    ("GET", "/accessibility", [A, A, A, A, A, A, A, A, A, A]),
    ("GET", "/designations", [A, A, A, A, A, A, A, A, A, A]),
    ("GET", "/static/{file}", [A, A, A, A, A, A, A, A, A, A]),
    // Certificates (issue 17): verifiers and anyone with a certificate, never a sign-in.
    ("GET", "/issuers/{id}/did.json", [A, A, A, A, A, A, A, A, A, A]),
    ("GET", "/status/{id}/{number}", [A, A, A, A, A, A, A, A, A, A]),
    ("GET", "/verify/{id}", [A, A, A, A, A, A, A, A, A, A]),
    ("GET", "/verify/{id}/verdict.json", [A, A, A, A, A, A, A, A, A, A]),
    ("GET", "/verify", [A, A, A, A, A, A, A, A, A, A]),
    ("POST", "/verify", [A, A, A, A, A, A, A, A, A, A]),
    ("GET", "/healthz", [A, A, A, A, A, A, A, A, A, A]),
    ("GET", "/readyz", [A, A, A, A, A, A, A, A, A, A]),
    // 401 for everyone: a scraper with the metrics token reads it, not a person.
    ("GET", "/metrics", [A, A, A, A, A, A, A, A, A, A]),
    ("GET", "/signup", [A, A, A, A, A, A, A, A, A, A]),
    ("POST", "/signup", [A, A, A, A, A, A, A, A, A, A]),
    ("GET", "/verify-email", [A, A, A, A, A, A, A, A, A, A]),
    ("GET", "/login", [A, A, A, A, A, A, A, A, A, A]),
    ("POST", "/login", [A, A, A, A, A, A, A, A, A, A]),
    // Without a sign-in half-way through (password given), the code form sends to sign-in.
    ("GET", "/login/second-factor", [A, A, A, A, A, A, A, A, A, A]),
    ("POST", "/login/second-factor", [A, A, A, A, A, A, A, A, A, A]),
    // The passkey step belongs to a sign-in half-way through: without one, sign in first.
    ("POST", "/login/passkey/options", [L, L, L, L, L, L, L, L, L, L]),
    ("POST", "/login/passkey", [L, L, L, L, L, L, L, L, L, L]),
    ("POST", "/logout", [A, A, A, A, A, A, A, A, A, A]),
    ("GET", "/password/forgot", [A, A, A, A, A, A, A, A, A, A]),
    ("POST", "/password/forgot", [A, A, A, A, A, A, A, A, A, A]),
    ("GET", "/password/reset", [A, A, A, A, A, A, A, A, A, A]),
    ("POST", "/password/reset", [A, A, A, A, A, A, A, A, A, A]),
    ("GET", "/account", [L, A, A, A, A, A, A, A, A, A]),
    ("POST", "/account/sessions/end-all", [L, A, A, A, A, A, A, A, A, A]),
    ("POST", "/account/verification-mail", [L, A, A, A, A, A, A, A, A, A]),
    ("GET", "/account/two-factor", [L, A, A, A, A, A, A, A, A, A]),
    ("POST", "/account/two-factor", [L, A, A, A, A, A, A, A, A, A]),
    ("GET", "/account/two-factor/qr.svg", [L, A, A, A, A, A, A, A, A, A]),
    // Roles that require a second factor cannot turn it off.
    ("POST", "/account/two-factor/disable", [L, A, A, A, A, A, D, D, D, D]),
    ("POST", "/account/passkeys/options", [L, A, A, A, A, A, A, A, A, A]),
    ("POST", "/account/passkeys", [L, A, A, A, A, A, A, A, A, A]),
    // ... nor remove their last one.
    ("POST", "/account/passkeys/{id}/delete", [L, A, A, A, A, A, A, D, A, A]),
    ("GET", "/organisations/new", [L, A, A, A, A, A, A, T, A, A]),
    ("POST", "/organisations/new", [L, A, A, A, A, A, A, T, A, A]),
    ("GET", "/organisations/{id}", [L, D, A, A, A, D, A, T, D, A]),
    ("GET", "/organisations/{id}/edit", [L, D, D, D, A, D, D, T, D, D]),
    ("POST", "/organisations/{id}/edit", [L, D, D, D, A, D, D, T, D, D]),
    ("GET", "/organisations/{id}/staff", [L, D, A, A, A, D, A, T, D, A]),
    ("POST", "/organisations/{id}/staff", [L, D, D, D, A, D, D, T, D, D]),
    ("POST", "/organisations/{id}/staff/{account}/role", [L, D, D, D, A, D, D, T, D, D]),
    ("POST", "/organisations/{id}/invitations/{invitation}/resend", [L, D, D, D, A, D, D, T, D, D]),
    ("POST", "/organisations/{id}/invitations/{invitation}/withdraw", [L, D, D, D, A, D, D, T, D, D]),
    ("GET", "/invitations/accept", [L, A, A, A, A, A, A, A, A, A]),
    ("POST", "/invitations/accept", [L, A, A, A, A, A, A, A, A, A]),
    // A's own catalogue listing, a draft with one session (issue 14): its staff see it,
    // its editors and owners write it; nobody else, the ministry included.
    // Anyone reports a problem with a listed programme (here none is listed: 404 as a page).
    ("GET", "/programmes/{id}/report", [A, A, A, A, A, A, A, A, A, A]),
    ("POST", "/programmes/{id}/report", [A, A, A, A, A, A, A, A, A, A]),
    // The ministry reads the reports and hides programmes.
    ("GET", "/ministry/reports", [L, D, D, D, D, D, A, T, D, A]),
    ("GET", "/ministry/course-reports", [L, D, D, D, D, D, A, T, D, A]),
    ("GET", "/ministry/course-reports.csv", [L, D, D, D, D, D, A, T, D, A]),
    ("GET", "/ministry/course-reports.xlsx", [L, D, D, D, D, D, A, T, D, A]),
    ("GET", "/ministry/course-reports.pdf", [L, D, D, D, D, D, A, T, D, A]),
    ("GET", "/ministry/course-reports/{programme}/{month}", [L, D, D, D, D, D, A, T, D, A]),
    ("GET", "/ministry/course-reports/{programme}/{month}/report.xlsx", [L, D, D, D, D, D, A, T, D, A]),
    ("GET", "/ministry/course-reports/{programme}/{month}/report.pdf", [L, D, D, D, D, D, A, T, D, A]),
    ("GET", "/ministry/course-reports/{programme}/{month}/report.csv", [L, D, D, D, D, D, A, T, D, A]),
    ("POST", "/ministry/course-reports/{programme}/{month}/chase", [L, D, D, D, D, D, A, T, D, A]),
    ("POST", "/ministry/reports/{report}/close", [L, D, D, D, D, D, A, T, D, A]),
    ("POST", "/ministry/programmes/{id}/hide", [L, D, D, D, D, D, A, T, D, A]),
    ("POST", "/ministry/programmes/{id}/unhide", [L, D, D, D, D, D, A, T, D, A]),
    ("GET", "/organisations/{id}/programmes", [L, D, A, A, A, D, D, T, D, D]),
    ("POST", "/organisations/{id}/programmes", [L, D, D, A, A, D, D, T, D, D]),
    ("GET", "/organisations/{id}/programmes/new", [L, D, D, A, A, D, D, T, D, D]),
    ("GET", "/organisations/{id}/programmes/upload", [L, D, D, A, A, D, D, T, D, D]),
    ("POST", "/organisations/{id}/programmes/upload", [L, D, D, A, A, D, D, T, D, D]),
    ("GET", "/organisations/{id}/programmes/upload/template.xlsx", [L, D, D, A, A, D, D, T, D, D]),
    ("GET", "/organisations/{id}/programmes/upload/template.csv", [L, D, D, A, A, D, D, T, D, D]),
    ("POST", "/organisations/{id}/programmes/upload/apply", [L, D, D, A, A, D, D, T, D, D]),
    ("GET", "/organisations/{id}/programmes/{programme}", [L, D, A, A, A, D, D, T, D, D]),
    ("GET", "/organisations/{id}/programmes/{programme}/edit", [L, D, D, A, A, D, D, T, D, D]),
    ("POST", "/organisations/{id}/programmes/{programme}/edit", [L, D, D, A, A, D, D, T, D, D]),
    ("GET", "/organisations/{id}/programmes/{programme}/preview", [L, D, A, A, A, D, D, T, D, D]),
    ("POST", "/organisations/{id}/programmes/{programme}/publish", [L, D, D, A, A, D, D, T, D, D]),
    ("POST", "/organisations/{id}/programmes/{programme}/unpublish", [L, D, D, A, A, D, D, T, D, D]),
    ("POST", "/organisations/{id}/programmes/{programme}/withdraw", [L, D, D, A, A, D, D, T, D, D]),
    ("GET", "/organisations/{id}/programmes/{programme}/sessions/new", [L, D, D, A, A, D, D, T, D, D]),
    ("POST", "/organisations/{id}/programmes/{programme}/sessions/new", [L, D, D, A, A, D, D, T, D, D]),
    ("GET", "/organisations/{id}/programmes/{programme}/sessions/{session}", [L, D, D, A, A, D, D, T, D, D]),
    ("POST", "/organisations/{id}/programmes/{programme}/sessions/{session}", [L, D, D, A, A, D, D, T, D, D]),
    ("POST", "/organisations/{id}/programmes/{programme}/sessions/{session}/cancel", [L, D, D, A, A, D, D, T, D, D]),
    // API tokens of A: its owners only.
    ("GET", "/organisations/{id}/tokens", [L, D, D, D, A, D, D, T, D, D]),
    ("POST", "/organisations/{id}/tokens", [L, D, D, D, A, D, D, T, D, D]),
    ("POST", "/organisations/{id}/tokens/{token}/revoke", [L, D, D, D, A, D, D, T, D, D]),
    // The providers' API answers a token, never a cookie: everybody here gets a 401.
    ("GET", "/api/v1/providers/{organisation}/programmes", [U; 10]),
    ("POST", "/api/v1/providers/{organisation}/programmes", [U; 10]),
    ("GET", "/api/v1/providers/{organisation}/programmes/{programme}", [U; 10]),
    ("PUT", "/api/v1/providers/{organisation}/programmes/{programme}", [U; 10]),
    ("POST", "/api/v1/providers/{organisation}/programmes/{programme}/{action}", [U; 10]),
    ("POST", "/api/v1/providers/{organisation}/programmes/{programme}/sessions", [U; 10]),
    ("PUT", "/api/v1/providers/{organisation}/programmes/{programme}/sessions/{session}", [U; 10]),
    ("POST", "/api/v1/providers/{organisation}/programmes/{programme}/sessions/{session}/cancel", [U; 10]),
    // The W3C VC-API (issue 17): issuing takes an API token, never a cookie; anyone verifies
    // (sent empty, the body is refused as bad input).
    ("POST", "/credentials/issue", [U; 10]),
    ("POST", "/credentials/verify", [A; 10]),
    ("POST", "/presentations/verify", [A; 10]),
    // The xAPI LRS (issue 20) answers an LMS's LRS credential (Basic), never a cookie; its
    // About resource is open to anyone.
    ("GET", "/xapi/statements", [U; 10]),
    ("POST", "/xapi/statements", [U; 10]),
    ("PUT", "/xapi/statements", [U; 10]),
    ("GET", "/xapi/activities/state", [U; 10]),
    ("POST", "/xapi/activities/state", [U; 10]),
    ("PUT", "/xapi/activities/state", [U; 10]),
    ("DELETE", "/xapi/activities/state", [U; 10]),
    ("GET", "/xapi/activities/profile", [U; 10]),
    ("POST", "/xapi/activities/profile", [U; 10]),
    ("PUT", "/xapi/activities/profile", [U; 10]),
    ("DELETE", "/xapi/activities/profile", [U; 10]),
    ("GET", "/xapi/agents/profile", [U; 10]),
    ("POST", "/xapi/agents/profile", [U; 10]),
    ("PUT", "/xapi/agents/profile", [U; 10]),
    ("DELETE", "/xapi/agents/profile", [U; 10]),
    ("GET", "/xapi/activities", [U; 10]),
    ("GET", "/xapi/agents", [U; 10]),
    ("GET", "/xapi/about", [A; 10]),
    // A draft application of A: the provider's own, not the ministry's (until submitted).
    ("GET", "/organisations/{id}/applications", [L, D, A, A, A, D, D, T, D, D]),
    ("POST", "/organisations/{id}/applications", [L, D, D, A, A, D, D, T, D, D]),
    ("GET", "/applications/{id}", [L, D, A, A, A, D, D, T, D, D]),
    ("GET", "/applications/{id}/edit/{section}", [L, D, D, A, A, D, D, T, D, D]),
    ("POST", "/applications/{id}/edit/{section}", [L, D, D, A, A, D, D, T, D, D]),
    ("GET", "/applications/{id}/forms.xlsx", [L, D, A, A, A, D, D, T, D, D]),
    ("GET", "/applications/{id}/forms.pdf", [L, D, A, A, A, D, D, T, D, D]),
    ("GET", "/applications/{id}/decision.pdf", [L, D, A, A, A, D, A, T, D, A]),
    ("GET", "/applications/{id}/notices/{notice}/form.pdf", [L, D, A, A, A, D, A, T, D, A]),
    ("GET", "/applications/{id}/notices/{notice}/form.xlsx", [L, D, A, A, A, D, A, T, D, A]),
    ("GET", "/applications/{id}/example.xlsx", [L, D, D, A, A, D, D, T, D, D]),
    ("GET", "/applications/{id}/import", [L, D, D, A, A, D, D, T, D, D]),
    ("POST", "/applications/{id}/import", [L, D, D, A, A, D, D, T, D, D]),
    ("POST", "/applications/{id}/submit", [L, D, D, D, A, D, D, T, D, D]),
    ("POST", "/applications/{id}/delete", [L, D, D, A, A, D, D, T, D, D]),
    ("POST", "/applications/{id}/changes", [L, D, D, D, A, D, D, T, D, D]),
    ("POST", "/applications/{id}/abolition", [L, D, D, D, A, D, D, T, D, D]),
    ("POST", "/applications/{id}/renewal", [L, D, D, A, A, D, D, T, D, D]),
    ("GET", "/applications/{id}/documents", [L, D, A, A, A, D, D, T, D, D]),
    ("POST", "/applications/{id}/documents", [L, D, D, A, A, D, D, T, D, D]),
    ("GET", "/applications/{id}/documents/{file}", [L, D, A, A, A, D, D, T, D, D]),
    ("POST", "/applications/{id}/documents/{file}/remove", [L, D, D, A, A, D, D, T, D, D]),
    // Submitted versions: the provider's staff and the ministry that reviews them.
    ("GET", "/applications/{id}/versions/{version}", [L, D, A, A, A, D, A, T, D, A]),
    ("GET", "/applications/{id}/versions/{version}/documents/{file}", [L, D, A, A, A, D, A, T, D, A]),
    ("GET", "/applications/{id}/compare", [L, D, A, A, A, D, A, T, D, A]),
    // Review: the ministry's queue and workspace; experts only where assigned, after declaring.
    ("GET", "/ministry/reviews", [L, D, D, D, D, D, A, T, D, A]),
    ("GET", "/ministry/reviews/{id}", [L, D, D, D, D, D, A, T, D, A]),
    ("POST", "/ministry/reviews/{id}/assign", [L, D, D, D, D, D, A, T, D, A]),
    ("POST", "/ministry/reviews/{id}/findings", [L, D, D, D, D, D, A, T, D, A]),
    ("POST", "/ministry/reviews/{id}/revision", [L, D, D, D, D, D, A, T, D, A]),
    ("POST", "/ministry/reviews/{id}/designate", [L, D, D, D, D, D, A, T, D, A]),
    ("POST", "/ministry/reviews/{id}/reject", [L, D, D, D, D, D, A, T, D, A]),
    ("POST", "/ministry/reviews/{id}/revoke", [L, D, D, D, D, D, A, T, D, A]),
    ("GET", "/reviews", [L, D, D, D, D, D, D, D, A, D]),
    ("GET", "/reviews/{id}", [L, D, D, D, D, D, D, T, D, D]),
    ("POST", "/reviews/{id}/declaration", [L, D, D, D, D, D, D, T, D, D]),
    ("POST", "/reviews/{id}/opinion", [L, D, D, D, D, D, D, T, D, D]),
    ("GET", "/ministry/organisations", [L, D, D, D, D, D, A, T, D, A]),
    ("GET", "/admin/accounts", [L, D, D, D, D, D, D, T, D, A]),
    ("POST", "/admin/accounts/{id}/roles", [L, D, D, D, D, D, D, T, D, A]),
    ("POST", "/admin/accounts/{id}/two-factor/reset", [L, D, D, D, D, D, D, T, D, A]),
    ("GET", "/admin/outbox", [L, D, D, D, D, D, D, T, D, A]),
    // The ministry's survey items, kept by administrators (issue 16).
    ("GET", "/admin/survey-items", [L, D, D, D, D, D, D, T, D, A]),
    ("POST", "/admin/survey-items", [L, D, D, D, D, D, D, T, D, A]),
    // Delivery (issue 15). Anyone signed in applies and sees their own courses; another's
    // enrolment is not found (404, an A here). The provider's staff see their sessions' rosters
    // and attendance; editors and owners run them; nobody else, the ministry included.
    ("GET", "/account/learner", [L, A, A, A, A, A, A, T, A, A]),
    ("POST", "/account/learner", [L, A, A, A, A, A, A, T, A, A]),
    ("GET", "/sessions/{session}/enrol", [L, A, A, A, A, A, A, T, A, A]),
    ("POST", "/sessions/{session}/enrol", [L, A, A, A, A, A, A, T, A, A]),
    ("GET", "/sessions/{session}/check-in", [L, A, A, A, A, A, A, T, A, A]),
    ("GET", "/learning", [L, A, A, A, A, A, A, T, A, A]),
    // The RISS holder's own ledger (issue 18): anyone signed in, for themselves only; nobody
    // here has linked a registration, so the files are not found. The feed's secret address
    // is its permission.
    ("GET", "/holder", [L, A, A, A, A, A, A, T, A, A]),
    ("GET", "/holder/link", [L, A, A, A, A, A, A, T, A, A]),
    ("POST", "/holder/link", [L, A, A, A, A, A, A, T, A, A]),
    ("POST", "/holder/unlink", [L, A, A, A, A, A, A, T, A, A]),
    ("GET", "/holder/courses/new", [L, A, A, A, A, A, A, T, A, A]),
    ("POST", "/holder/courses/new", [L, A, A, A, A, A, A, T, A, A]),
    ("POST", "/holder/courses/{id}/remove", [L, A, A, A, A, A, A, T, A, A]),
    ("GET", "/holder/courses/{id}/evidence", [L, A, A, A, A, A, A, T, A, A]),
    ("GET", "/holder/deadlines.ics", [L, A, A, A, A, A, A, T, A, A]),
    ("POST", "/holder/calendar", [L, A, A, A, A, A, A, T, A, A]),
    ("GET", "/holder/calendar/{file}", [A, A, A, A, A, A, A, A, A, A]),
    ("GET", "/holder/export.json", [L, A, A, A, A, A, A, T, A, A]),
    ("GET", "/holder/export.csv", [L, A, A, A, A, A, A, T, A, A]),
    // A learner's own certificate and its files; another's is not found.
    ("GET", "/learning/credentials/{id}", [L, A, A, A, A, A, A, T, A, A]),
    ("GET", "/learning/credentials/{id}/credential.json", [L, A, A, A, A, A, A, T, A, A]),
    ("GET", "/learning/credentials/{id}/certificate.pdf", [L, A, A, A, A, A, A, T, A, A]),
    ("GET", "/learning/credentials/{id}/badge.png", [L, A, A, A, A, A, A, T, A, A]),
    ("GET", "/learning/credentials/{id}/badge.svg", [L, A, A, A, A, A, A, T, A, A]),
    ("GET", "/learning/{enrolment}", [L, A, A, A, A, A, A, T, A, A]),
    ("POST", "/learning/{enrolment}/confirm", [L, A, A, A, A, A, A, T, A, A]),
    ("GET", "/learning/{enrolment}/calendar.ics", [L, A, A, A, A, A, A, T, A, A]),
    ("POST", "/learning/{enrolment}/check-in", [L, A, A, A, A, A, A, T, A, A]),
    // The end-of-course survey (issue 16): the learner's own (here not open yet: the page
    // says from when, an answer is refused as a 400); another's enrolment is not found.
    ("GET", "/learning/{enrolment}/survey", [L, A, A, A, A, A, A, T, A, A]),
    ("POST", "/learning/{enrolment}/survey", [L, A, A, A, A, A, A, T, A, A]),
    // A beat carries its ticket, not a cookie: refused (400) for anyone without one.
    ("POST", "/heartbeat", [A, A, A, A, A, A, A, A, A, A]),
    ("GET", "/organisations/{id}/deliveries", [L, D, A, A, A, D, D, T, D, D]),
    // Implementation reports (issue 19): staff read, editors and owners submit.
    ("GET", "/organisations/{id}/reports", [L, D, A, A, A, D, D, T, D, D]),
    ("GET", "/organisations/{id}/reports/{programme}/{month}", [L, D, A, A, A, D, D, T, D, D]),
    ("GET", "/organisations/{id}/reports/{programme}/{month}/report.xlsx", [L, D, A, A, A, D, D, T, D, D]),
    ("GET", "/organisations/{id}/reports/{programme}/{month}/report.pdf", [L, D, A, A, A, D, D, T, D, D]),
    ("GET", "/organisations/{id}/reports/{programme}/{month}/report.csv", [L, D, A, A, A, D, D, T, D, D]),
    ("POST", "/organisations/{id}/reports/{programme}/{month}", [L, D, D, A, A, D, D, T, D, D]),
    ("GET", "/organisations/{id}/sessions/{session}/delivery", [L, D, D, A, A, D, D, T, D, D]),
    ("POST", "/organisations/{id}/sessions/{session}/delivery", [L, D, D, A, A, D, D, T, D, D]),
    ("GET", "/organisations/{id}/sessions/{session}/roster", [L, D, A, A, A, D, D, T, D, D]),
    ("GET", "/organisations/{id}/sessions/{session}/roster.csv", [L, D, A, A, A, D, D, T, D, D]),
    ("GET", "/organisations/{id}/sessions/{session}/roster.xlsx", [L, D, A, A, A, D, D, T, D, D]),
    ("GET", "/organisations/{id}/sessions/{session}/check-in", [L, D, D, A, A, D, D, T, D, D]),
    ("POST", "/organisations/{id}/sessions/{session}/check-in", [L, D, D, A, A, D, D, T, D, D]),
    ("GET", "/organisations/{id}/sessions/{session}/blocks/{block}/code", [L, D, D, A, A, D, D, T, D, D]),
    ("GET", "/organisations/{id}/sessions/{session}/attendance", [L, D, A, A, A, D, D, T, D, D]),
    ("GET", "/organisations/{id}/sessions/{session}/attendance/events", [L, D, A, A, A, D, D, T, D, D]),
    ("POST", "/organisations/{id}/sessions/{session}/marks", [L, D, D, A, A, D, D, T, D, D]),
    ("POST", "/organisations/{id}/sessions/{session}/days/{day}/seal", [L, D, D, A, A, D, D, T, D, D]),
    ("GET", "/organisations/{id}/sessions/{session}/reports", [L, D, D, A, A, D, D, T, D, D]),
    ("POST", "/organisations/{id}/sessions/{session}/reports", [L, D, D, A, A, D, D, T, D, D]),
    ("POST", "/organisations/{id}/sessions/{session}/reports/{report}/match", [L, D, D, A, A, D, D, T, D, D]),
    // Progress and follow-up (issue 16): the learner's own item pages; staff see progress and
    // the 要フォロー list, editors and owners record follow-ups.
    ("GET", "/learning/{enrolment}/items/{item}", [L, A, A, A, A, A, A, T, A, A]),
    ("POST", "/learning/{enrolment}/items/{item}", [L, A, A, A, A, A, A, T, A, A]),
    ("GET", "/organisations/{id}/sessions/{session}/progress", [L, D, A, A, A, D, D, T, D, D]),
    ("GET", "/organisations/{id}/sessions/{session}/progress.csv", [L, D, A, A, A, D, D, T, D, D]),
    ("GET", "/organisations/{id}/sessions/{session}/follow-up", [L, D, A, A, A, D, D, T, D, D]),
    ("POST", "/organisations/{id}/sessions/{session}/follow-up", [L, D, D, A, A, D, D, T, D, D]),
    ("GET", "/organisations/{id}/sessions/{session}/follow-up/events", [L, D, A, A, A, D, D, T, D, D]),
    // The session's board (issue 16, D08): the learner's own (another's is not found), and the
    // staff's, which viewers read and editors and owners write on; no post here is named.
    ("GET", "/learning/{enrolment}/board", [L, A, A, A, A, A, A, T, A, A]),
    ("POST", "/learning/{enrolment}/board", [L, A, A, A, A, A, A, T, A, A]),
    ("GET", "/organisations/{id}/sessions/{session}/board", [L, D, A, A, A, D, D, T, D, D]),
    ("POST", "/organisations/{id}/sessions/{session}/board", [L, D, D, A, A, D, D, T, D, D]),
    ("GET", "/organisations/{id}/sessions/{session}/board/posts/{post}/answer", [L, D, D, A, A, D, D, T, D, D]),
    ("POST", "/organisations/{id}/sessions/{session}/board/posts/{post}/answer", [L, D, D, A, A, D, D, T, D, D]),
    ("GET", "/organisations/{id}/sessions/{session}/board/posts/{post}/hide", [L, D, D, A, A, D, D, T, D, D]),
    ("POST", "/organisations/{id}/sessions/{session}/board/posts/{post}/hide", [L, D, D, A, A, D, D, T, D, D]),
    // Completion (issue 16): the provider's staff see the decisions; editors and owners set the
    // criteria, record results, issue and correct decisions. Sent empty, the writes are refused
    // as bad input (the criteria form and the assessment form name their fields).
    // Certificates issued in the session: staff see them; editors and owners suspend,
    // reinstate and revoke.
    ("GET", "/organisations/{id}/sessions/{session}/credentials", [L, D, A, A, A, D, D, T, D, D]),
    ("POST", "/organisations/{id}/sessions/{session}/credentials/{credential}/status", [L, D, D, A, A, D, D, T, D, D]),
    ("GET", "/organisations/{id}/sessions/{session}/completion", [L, D, A, A, A, D, D, T, D, D]),
    ("GET", "/organisations/{id}/sessions/{session}/completion.csv", [L, D, A, A, A, D, D, T, D, D]),
    ("GET", "/organisations/{id}/sessions/{session}/completion/criteria", [L, D, D, A, A, D, D, T, D, D]),
    ("POST", "/organisations/{id}/sessions/{session}/completion/criteria", [L, D, D, A, A, D, D, T, D, D]),
    ("GET", "/organisations/{id}/sessions/{session}/completion/enrolments/{enrolment}", [L, D, D, A, A, D, D, T, D, D]),
    ("POST", "/organisations/{id}/sessions/{session}/completion/enrolments/{enrolment}", [L, D, D, A, A, D, D, T, D, D]),
    ("POST", "/organisations/{id}/sessions/{session}/completion/enrolments/{enrolment}/confirm", [L, D, D, A, A, D, D, T, D, D]),
    ("POST", "/organisations/{id}/sessions/{session}/completion/enrolments/{enrolment}/correct", [L, D, D, A, A, D, D, T, D, D]),
    // Its results (totals only, from five answers) for the provider's staff; its own items
    // and improvements by editors and owners.
    ("GET", "/organisations/{id}/sessions/{session}/survey", [L, D, A, A, A, D, D, T, D, D]),
    ("GET", "/organisations/{id}/sessions/{session}/survey.csv", [L, D, A, A, A, D, D, T, D, D]),
    ("GET", "/organisations/{id}/sessions/{session}/survey/items", [L, D, D, A, A, D, D, T, D, D]),
    ("POST", "/organisations/{id}/sessions/{session}/survey/items", [L, D, D, A, A, D, D, T, D, D]),
    ("POST", "/organisations/{id}/sessions/{session}/survey/improvements", [L, D, D, A, A, D, D, T, D, D]),
    // Last, as they cancel the learner's place: the learner, then the provider.
    ("POST", "/learning/{enrolment}/cancel", [L, A, A, A, A, A, A, T, A, A]),
    ("POST", "/organisations/{id}/sessions/{session}/enrolments/{enrolment}/cancel", [L, D, D, A, A, D, D, T, D, D]),
    ("GET", "/api", [A, A, A, A, A, A, A, A, A, A]),
    ("GET", "/api/openapi.json", [A, A, A, A, A, A, A, A, A, A]),
    ("GET", "/api/v1/programmes", [A, A, A, A, A, A, A, A, A, A]),
    ("GET", "/api/v1/programmes/{id}", [A, A, A, A, A, A, A, A, A, A]),
    ("GET", "/api/v1/sessions", [A, A, A, A, A, A, A, A, A, A]),
    ("GET", "/api/v1/taxonomy", [A, A, A, A, A, A, A, A, A, A]),
    ("GET", "/api/v1/export/programmes.csv", [A, A, A, A, A, A, A, A, A, A]),
    ("GET", "/api/v1/export/programmes.jsonl", [A, A, A, A, A, A, A, A, A, A]),
    // The registry's counts of holders (issue 18 item 6): registrars (last column, see
    // REGISTRAR) and administrators.
    ("GET", "/registry/holders", [L, D, D, D, D, D, D, T, D, A]),
    ("GET", "/registry/holders.csv", [L, D, D, D, D, D, D, T, D, A]),
    ("GET", "/registry/holders.xlsx", [L, D, D, D, D, D, D, T, D, A]),
];

pub async fn every_route_answers_every_role_as_the_table_says(app: TestApp) {
    let table: BTreeSet<(&str, &str)> = TABLE.iter().map(|(m, p, _)| (*m, *p)).collect();
    let served: BTreeSet<(&str, &str)> = koshu_web::route_table().into_iter().collect();
    assert_eq!(
        served.difference(&table).collect::<Vec<_>>(),
        Vec::<&(&str, &str)>::new(),
        "routes without a row in the table"
    );
    assert_eq!(
        table.difference(&served).collect::<Vec<_>>(),
        Vec::<&(&str, &str)>::new(),
        "rows for routes that do not exist"
    );
    assert_eq!(TABLE.len(), table.len(), "one row per route");
    for (method, route, _) in REGISTRAR {
        assert!(
            table.contains(&(*method, *route)),
            "the registrar's {method} {route} is a route"
        );
    }

    // The people. Accounts are made through the pages; roles as an administrator grants them.
    let learner = sign_up(&app, "受講 者", "learner@example.jp").await;
    let owner_a = sign_up(&app, "管理 A", "owner@a.example.jp").await;
    let owner_b = sign_up(&app, "管理 B", "owner@b.example.jp").await;
    let viewer_a = sign_up(&app, "閲覧 A", "viewer@a.example.jp").await;
    let editor_a = sign_up(&app, "編集 A", "editor@a.example.jp").await;
    let reviewer = sign_up(&app, "審査 担当", "reviewer@meti.example.jp").await;
    let reviewer_no2fa = sign_up(&app, "審査 未設定", "new-reviewer@meti.example.jp").await;
    let expert = sign_up(&app, "外部 有識者", "expert@univ.example.jp").await;
    let admin = sign_up(&app, "管理 者", "admin@meti.example.jp").await;
    let registrar = sign_up(&app, "登録 事務", "registrar@ipa.example.jp").await;
    let org_a = register_organisation(&mut signed_in(&app, &owner_a).await, "5010001008846").await;
    register_organisation(&mut signed_in(&app, &owner_b).await, "4000012090001").await;
    for (id, role) in [(&viewer_a, OrgRole::Viewer), (&editor_a, OrgRole::Editor)] {
        write_unit!(app, unit => unit.grant_membership(&org_a, id, role, "test", app.clock_now()).await)
            .unwrap();
    }
    for (id, role, is_expert) in [
        (&reviewer, Some(MinistryRole::Reviewer), false),
        (&reviewer_no2fa, Some(MinistryRole::Reviewer), false),
        (&expert, None, true),
        (&admin, Some(MinistryRole::Administrator), false),
        (&registrar, Some(MinistryRole::Registrar), false),
    ] {
        app.store
            .set_ministry_roles(id, role, is_expert, "test", app.clock_now())
            .await
            .unwrap();
        if id != &reviewer_no2fa {
            set_up_two_factor(&mut signed_in(&app, id).await).await;
        }
    }
    let application = "01900000-0000-7000-8000-00000000a001";
    write_unit!(app, unit => unit.create_application(
            application,
            &org_a,
            &koshu_domain::designation::Application::default(),
            "test",
            app.clock_now(),
        ).await)
    .unwrap();
    let (programme, session) =
        crate::listings::a_draft_with_a_session(&app, &org_a, &owner_a).await;
    // Published and set up for delivery, with the learner enrolled (issue 15).
    crate::delivery::publish_and_deliver(&app, &org_a, &owner_a, &programme, &session, "10").await;
    let enrolled = signed_in(&app, &learner)
        .await
        .post(
            &format!("/sessions/{session}/enrol"),
            &crate::delivery::profile("受講 者", "ジュコウ シャ", ""),
        )
        .await;
    assert_eq!(enrolled.status, StatusCode::SEE_OTHER, "{}", enrolled.body);
    let enrolment = app
        .store
        .enrolment_of(&session, &learner)
        .await
        .unwrap()
        .unwrap()
        .id;
    let accounts: [Option<&String>; 11] = [
        None,
        Some(&learner),
        Some(&viewer_a),
        Some(&editor_a),
        Some(&owner_a),
        Some(&owner_b),
        Some(&reviewer),
        Some(&reviewer_no2fa),
        Some(&expert),
        Some(&admin),
        Some(&registrar),
    ];

    let mut wrong = Vec::new();
    for (method, route, expected) in TABLE {
        let path = route
            .replace("/organisations/{id}", &format!("/organisations/{org_a}"))
            .replace(
                "/applications/{id}",
                &format!("/applications/{application}"),
            )
            .replace("/reviews/{id}", &format!("/reviews/{application}"))
            .replace("{organisation}", &org_a)
            .replace("{action}", "publish")
            .replace("{token}", "no-such-token")
            .replace("{report}", "no-such-report")
            .replace("{post}", "no-such-post")
            .replace("{credential}", "no-such-credential")
            .replace("{number}", "1")
            .replace("{enrolment}", &enrolment)
            .replace("{block}", "1")
            .replace("{item}", "1")
            .replace("{day}", "2026-06-10")
            .replace("{month}", "2026-06")
            .replace("{programme}", &programme)
            .replace("{session}", &session)
            .replace("{section}", "course")
            .replace("{version}", "1")
            .replace("{notice}", "no-such-notice")
            .replace("{account}", "no-such-account")
            .replace("{invitation}", "no-such-invitation")
            .replace("/documents/{file}", "/documents/no-such-file")
            .replace(
                "/admin/accounts/{id}",
                &format!("/admin/accounts/{learner}"),
            )
            .replace("{id}", "no-such-id")
            .replace("{file}", "koshu.css");
        for (who, account) in accounts.iter().enumerate() {
            // A fresh session per request, so that sign-outs in one row touch no other.
            let mut browser = match account {
                Some(id) => signed_in(&app, id).await,
                None => Browser::new(&app),
            };
            let res = match *method {
                "GET" if path.ends_with("/events") => browser.first_chunk(&path).await,
                "GET" => browser.get(&path).await,
                "PUT" => browser.put(&path).await,
                "DELETE" => browser.send_empty(axum::http::Method::DELETE, &path).await,
                _ => browser.post(&path, &[]).await,
            };
            let got = outcome(&res);
            let expected = expected
                .get(who)
                .copied()
                .unwrap_or_else(|| registrar_outcome(method, route, expected));
            // An empty POST may be refused as bad input; a page must open, unless the path
            // names something that does not exist or the route is listed above.
            let page_missing = *method == "GET"
                && got == A
                && matches!(res.status, StatusCode::BAD_REQUEST | StatusCode::NOT_FOUND)
                && !path.contains("no-such")
                && !NOT_A_PAGE_HERE.iter().any(|(r, _)| r == route);
            if got != expected || page_missing {
                wrong.push(format!(
                    "{method} {path} as {}: expected {:?}, got {:?} ({})",
                    PEOPLE[who], expected, got, res.status
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
