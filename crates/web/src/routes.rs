//! The route table, recorded as it is built: [`crate::route_table`] lists exactly what the
//! router serves, which is what the role × route test walks.

use crate::auth::csrf;
use crate::{AppState, api, pages};
use axum::Router;
use axum::handler::Handler;
use axum::routing::{MethodRouter, get, post};

/// A router and the (method, path) of every route it holds.
pub struct Routes {
    pub router: Router<AppState>,
    pub table: Vec<(&'static str, &'static str)>,
}

impl Routes {
    pub fn new() -> Self {
        Self {
            router: Router::new(),
            table: Vec::new(),
        }
    }

    pub fn get<H: Handler<T, AppState>, T: 'static>(mut self, path: &'static str, h: H) -> Self {
        self.table.push(("GET", path));
        self.router = self.router.route(path, get(h));
        self
    }

    /// A state-changing route: CSRF-checked, as every `POST` is.
    pub fn post<H: Handler<T, AppState>, T: 'static>(mut self, path: &'static str, h: H) -> Self {
        self.table.push(("POST", path));
        self.router = self.router.route(path, checked_post(h));
        self
    }

    /// A `POST` that carries its own unforgeable capability (a heartbeat ticket) and no
    /// cookie, so no CSRF token: another site cannot know the ticket.
    pub fn ticketed<H: Handler<T, AppState>, T: 'static>(
        mut self,
        path: &'static str,
        h: H,
    ) -> Self {
        self.table.push(("POST", path));
        self.router = self.router.route(path, post(h));
        self
    }

    /// A form page whose `POST` uploads a file (multipart, up to `MAX_UPLOAD_BYTES`).
    pub fn upload<G, TG, P, TP>(mut self, path: &'static str, show: G, submit: P) -> Self
    where
        G: Handler<TG, AppState>,
        P: Handler<TP, AppState>,
        TG: 'static,
        TP: 'static,
    {
        self.table.push(("GET", path));
        self.table.push(("POST", path));
        self.router = self.router.route(path, get(show)).route(
            path,
            checked_post(submit)
                .layer::<_, std::convert::Infallible>(axum::Extension(csrf::UploadRoute))
                .layer(axum::extract::DefaultBodyLimit::max(csrf::MAX_UPLOAD_BYTES)),
        );
        self
    }

    /// A form page: `GET` shows it, `POST` submits it.
    pub fn form<G, TG, P, TP>(mut self, path: &'static str, show: G, submit: P) -> Self
    where
        G: Handler<TG, AppState>,
        P: Handler<TP, AppState>,
        TG: 'static,
        TP: 'static,
    {
        self.table.push(("GET", path));
        self.table.push(("POST", path));
        self.router = self
            .router
            .route(path, get(show))
            .route(path, checked_post(submit));
        self
    }

    /// A state-changing API route for providers' systems: authenticated by an API token in
    /// `Authorization`, never by a cookie, so a browser cannot be made to send it from another
    /// site and no CSRF token applies. Bodies are bounded like forms.
    pub fn token_write(
        mut self,
        method: &'static str,
        path: &'static str,
        route: MethodRouter<AppState>,
    ) -> Self {
        self.table.push((method, path));
        self.router = self.router.route(
            path,
            route.layer(axum::extract::DefaultBodyLimit::max(csrf::MAX_FORM_BYTES)),
        );
        self
    }

    /// An LRS resource (xAPI) answering `methods`: authenticated by an LRS credential in
    /// `Authorization` (Basic), never by a cookie, so no CSRF token applies. The route
    /// carries its own body bound.
    pub fn lrs(
        mut self,
        methods: &[&'static str],
        path: &'static str,
        route: MethodRouter<AppState>,
    ) -> Self {
        self.table.extend(methods.iter().map(|m| (*m, path)));
        self.router = self.router.route(path, route);
        self
    }

    /// A `POST` that changes nothing and needs nobody signed in (a verification, from any
    /// site or program): no cookie counts, so there is nothing to forge and no CSRF token.
    /// Bodies are bounded like forms.
    pub fn open_post<H: Handler<T, AppState>, T: 'static>(
        mut self,
        path: &'static str,
        h: H,
    ) -> Self {
        self.table.push(("POST", path));
        self.router = self.router.route(
            path,
            post(h).layer(axum::extract::DefaultBodyLimit::max(csrf::MAX_FORM_BYTES)),
        );
        self
    }

    /// Adds `other`'s routes, with whatever layers its router carries.
    pub fn merge(mut self, other: Routes) -> Self {
        self.table.extend(other.table);
        self.router = self.router.merge(other.router);
        self
    }
}

fn checked_post<H: Handler<T, AppState>, T: 'static>(h: H) -> MethodRouter<AppState> {
    post(h).layer(axum::middleware::from_fn(csrf::check))
}

pub fn all() -> Routes {
    use pages::{
        account, admin, applications, board, completion, credentials, delivery, learning, listings,
        notices, organisations, passkeys, progress, reports, reviews, survey,
    };
    Routes::new()
        // Public catalogue.
        .get("/", pages::home)
        .get("/search", pages::search::search)
        .get("/sessions", pages::sessions::sessions)
        .get("/providers/{id}", pages::provider::provider)
        .get("/programmes/{id}", pages::programme)
        .form(
            "/programmes/{id}/report",
            pages::moderation::report_form,
            pages::moderation::report,
        )
        .get("/accessibility", pages::accessibility)
        .get("/designations", reviews::designations)
        // Certificates anyone verifies (issue 17): no sign-in, ever.
        .get("/issuers/{id}/did.json", credentials::did_document)
        .get("/status/{id}/{number}", credentials::status_list)
        .get("/verify/{id}", credentials::verify_issued)
        .get("/verify/{id}/verdict.json", credentials::verify_issued_json)
        .upload(
            "/verify",
            credentials::verify_form,
            credentials::verify_submit,
        )
        .get("/static/{file}", pages::static_file)
        .get("/healthz", crate::health)
        .get("/readyz", crate::ready)
        .get("/metrics", crate::metrics::scrape)
        // Signing up and in.
        .form("/signup", account::signup_form, account::signup)
        .get("/verify-email", account::verify_email)
        .form("/login", account::login_form, account::login)
        .form(
            "/login/second-factor",
            account::second_factor_form,
            account::second_factor,
        )
        .post("/login/passkey/options", passkeys::sign_in_options)
        .post("/login/passkey", passkeys::sign_in)
        .post("/logout", account::logout)
        .form("/password/forgot", account::forgot_form, account::forgot)
        .form("/password/reset", account::reset_form, account::reset)
        // One's own account.
        .get("/account", account::overview)
        .post("/account/sessions/end-all", account::end_all_sessions)
        .post("/account/verification-mail", account::resend_verification)
        .form(
            "/account/two-factor",
            account::two_factor_page,
            account::two_factor_confirm,
        )
        .get("/account/two-factor/qr.svg", account::two_factor_qr)
        .post("/account/two-factor/disable", account::two_factor_disable)
        .post("/account/passkeys/options", passkeys::registration_options)
        .post("/account/passkeys", passkeys::register)
        .post("/account/passkeys/{id}/delete", passkeys::remove)
        // Provider organisations.
        .form(
            "/organisations/new",
            organisations::new_form,
            organisations::register,
        )
        .get("/organisations/{id}", organisations::show)
        .form(
            "/organisations/{id}/edit",
            organisations::edit_form,
            organisations::update,
        )
        .form(
            "/organisations/{id}/staff",
            organisations::staff,
            organisations::invite,
        )
        .post(
            "/organisations/{id}/staff/{account}/role",
            organisations::change_role,
        )
        .post(
            "/organisations/{id}/invitations/{invitation}/resend",
            organisations::resend_invitation,
        )
        .post(
            "/organisations/{id}/invitations/{invitation}/withdraw",
            organisations::withdraw_invitation,
        )
        .form(
            "/organisations/{id}/tokens",
            organisations::tokens,
            organisations::create_token,
        )
        .post(
            "/organisations/{id}/tokens/{token}/revoke",
            organisations::revoke_token,
        )
        .form(
            "/invitations/accept",
            organisations::invitation,
            organisations::accept_invitation,
        )
        // Moderation (issue 14 item 5).
        .get("/ministry/reports", pages::moderation::reports)
        .post(
            "/ministry/reports/{report}/close",
            pages::moderation::close_report,
        )
        .post("/ministry/programmes/{id}/hide", pages::moderation::hide)
        .post(
            "/ministry/programmes/{id}/unhide",
            pages::moderation::unhide,
        )
        // The organisation's own catalogue listings (issue 14).
        .form(
            "/organisations/{id}/programmes",
            listings::list,
            listings::create,
        )
        .get("/organisations/{id}/programmes/new", listings::new_form)
        .upload(
            "/organisations/{id}/programmes/upload",
            listings::upload_form,
            listings::upload,
        )
        .get(
            "/organisations/{id}/programmes/upload/template.xlsx",
            listings::template_xlsx,
        )
        .get(
            "/organisations/{id}/programmes/upload/template.csv",
            listings::template_csv,
        )
        .post(
            "/organisations/{id}/programmes/upload/apply",
            listings::apply_upload,
        )
        .get("/organisations/{id}/programmes/{programme}", listings::show)
        .form(
            "/organisations/{id}/programmes/{programme}/edit",
            listings::edit_form,
            listings::update,
        )
        .get(
            "/organisations/{id}/programmes/{programme}/preview",
            listings::preview,
        )
        .post(
            "/organisations/{id}/programmes/{programme}/publish",
            listings::publish,
        )
        .post(
            "/organisations/{id}/programmes/{programme}/unpublish",
            listings::unpublish,
        )
        .post(
            "/organisations/{id}/programmes/{programme}/withdraw",
            listings::withdraw,
        )
        .form(
            "/organisations/{id}/programmes/{programme}/sessions/new",
            listings::new_session_form,
            listings::add_session,
        )
        .form(
            "/organisations/{id}/programmes/{programme}/sessions/{session}",
            listings::edit_session_form,
            listings::edit_session,
        )
        .post(
            "/organisations/{id}/programmes/{programme}/sessions/{session}/cancel",
            listings::cancel_session,
        )
        // Delivery: learners (issue 15).
        .form(
            "/account/learner",
            learning::profile_form,
            learning::save_profile,
        )
        .form(
            "/sessions/{session}/enrol",
            learning::enrol_form,
            learning::enrol,
        )
        .get("/sessions/{session}/check-in", delivery::scanned)
        .get("/learning", learning::list)
        // The RISS holder's ledger (issue 18).
        .get("/holder", pages::holder::dashboard)
        .form(
            "/holder/link",
            pages::holder::link_form,
            pages::holder::link,
        )
        .post("/holder/unlink", pages::holder::unlink)
        .upload(
            "/holder/courses/new",
            pages::holder::new_course_form,
            pages::holder::add_course,
        )
        .post("/holder/courses/{id}/remove", pages::holder::remove_course)
        .get("/holder/courses/{id}/evidence", pages::holder::evidence)
        .get("/holder/deadlines.ics", pages::holder::deadlines_ics)
        .post("/holder/calendar", pages::holder::new_feed)
        .get("/holder/calendar/{file}", pages::holder::feed)
        .get("/holder/export.json", pages::holder::export_json)
        .get("/holder/export.csv", pages::holder::export_csv)
        .get("/learning/credentials/{id}", credentials::learner_page)
        .get(
            "/learning/credentials/{id}/credential.json",
            credentials::learner_json,
        )
        .get(
            "/learning/credentials/{id}/certificate.pdf",
            credentials::learner_pdf,
        )
        .get(
            "/learning/credentials/{id}/badge.png",
            credentials::learner_png,
        )
        .get(
            "/learning/credentials/{id}/badge.svg",
            credentials::learner_svg,
        )
        .get("/learning/{enrolment}", learning::show)
        .post("/learning/{enrolment}/cancel", learning::cancel)
        .post("/learning/{enrolment}/confirm", learning::confirm)
        .get("/learning/{enrolment}/calendar.ics", learning::calendar)
        .post("/learning/{enrolment}/check-in", learning::check_in)
        .form(
            "/learning/{enrolment}/survey",
            survey::learner_form,
            survey::answer,
        )
        .ticketed("/heartbeat", learning::heartbeat)
        // The session's board (issue 16): the learner's, and the staff's.
        .form(
            "/learning/{enrolment}/board",
            board::learner_board,
            board::ask,
        )
        .form(
            "/organisations/{id}/sessions/{session}/board",
            board::staff_board,
            board::announce,
        )
        .form(
            "/organisations/{id}/sessions/{session}/board/posts/{post}/answer",
            board::answer_form,
            board::answer,
        )
        .form(
            "/organisations/{id}/sessions/{session}/board/posts/{post}/hide",
            board::hide_form,
            board::hide,
        )
        // Delivery: the provider's staff (issue 15).
        .get("/organisations/{id}/deliveries", delivery::list)
        // Implementation reports (issue 19).
        .get("/organisations/{id}/reports", reports::list)
        .get(
            "/organisations/{id}/reports/{programme}/{month}/report.xlsx",
            reports::provider_file,
        )
        .get(
            "/organisations/{id}/reports/{programme}/{month}/report.pdf",
            reports::provider_file,
        )
        .get(
            "/organisations/{id}/reports/{programme}/{month}/report.csv",
            reports::provider_file,
        )
        .form(
            "/organisations/{id}/reports/{programme}/{month}",
            reports::show,
            reports::submit,
        )
        .form(
            "/organisations/{id}/sessions/{session}/delivery",
            delivery::plan_form,
            delivery::save_plan,
        )
        .get(
            "/organisations/{id}/sessions/{session}/roster",
            delivery::roster,
        )
        .get(
            "/organisations/{id}/sessions/{session}/roster.csv",
            delivery::roster_csv,
        )
        .get(
            "/organisations/{id}/sessions/{session}/roster.xlsx",
            delivery::roster_xlsx,
        )
        .post(
            "/organisations/{id}/sessions/{session}/enrolments/{enrolment}/cancel",
            delivery::cancel_enrolment,
        )
        .form(
            "/organisations/{id}/sessions/{session}/check-in",
            delivery::check_in_page,
            delivery::check_identity,
        )
        .get(
            "/organisations/{id}/sessions/{session}/blocks/{block}/code",
            delivery::code,
        )
        .get(
            "/organisations/{id}/sessions/{session}/attendance",
            delivery::attendance,
        )
        .get(
            "/organisations/{id}/sessions/{session}/attendance/events",
            delivery::attendance_events,
        )
        .post(
            "/organisations/{id}/sessions/{session}/marks",
            delivery::mark,
        )
        .post(
            "/organisations/{id}/sessions/{session}/days/{day}/seal",
            delivery::seal,
        )
        .upload(
            "/organisations/{id}/sessions/{session}/reports",
            delivery::reports,
            delivery::import_report,
        )
        .post(
            "/organisations/{id}/sessions/{session}/reports/{report}/match",
            delivery::match_row,
        )
        // Progress and follow-up (issue 16; B11, D04).
        .get(
            "/organisations/{id}/sessions/{session}/progress",
            progress::page,
        )
        .get(
            "/organisations/{id}/sessions/{session}/progress.csv",
            progress::csv,
        )
        .form(
            "/organisations/{id}/sessions/{session}/follow-up",
            progress::follow_up,
            progress::record_follow_up,
        )
        .get(
            "/organisations/{id}/sessions/{session}/follow-up/events",
            progress::follow_up_events,
        )
        .form(
            "/learning/{enrolment}/items/{item}",
            progress::item,
            progress::record_activity,
        )
        // Completion (issue 16 item 3): criteria, results, decisions.
        .get(
            "/organisations/{id}/sessions/{session}/credentials",
            credentials::staff_list,
        )
        .post(
            "/organisations/{id}/sessions/{session}/credentials/{credential}/status",
            credentials::change_status,
        )
        .get(
            "/organisations/{id}/sessions/{session}/completion",
            completion::page,
        )
        .get(
            "/organisations/{id}/sessions/{session}/completion.csv",
            completion::csv,
        )
        .form(
            "/organisations/{id}/sessions/{session}/completion/criteria",
            completion::criteria_form,
            completion::save_criteria,
        )
        .form(
            "/organisations/{id}/sessions/{session}/completion/enrolments/{enrolment}",
            completion::learner,
            completion::record,
        )
        .post(
            "/organisations/{id}/sessions/{session}/completion/enrolments/{enrolment}/confirm",
            completion::confirm,
        )
        .post(
            "/organisations/{id}/sessions/{session}/completion/enrolments/{enrolment}/correct",
            completion::correct,
        )
        // The end-of-course survey (issue 16): results, own items, improvements.
        .get(
            "/organisations/{id}/sessions/{session}/survey",
            survey::results,
        )
        .get(
            "/organisations/{id}/sessions/{session}/survey.csv",
            survey::results_csv,
        )
        .form(
            "/organisations/{id}/sessions/{session}/survey/items",
            survey::items_form,
            survey::save_items,
        )
        .post(
            "/organisations/{id}/sessions/{session}/survey/improvements",
            survey::record_improvement,
        )
        // 特定講習 applications.
        .form(
            "/organisations/{id}/applications",
            applications::list,
            applications::create,
        )
        .get("/applications/{id}", applications::show)
        .form(
            "/applications/{id}/edit/{section}",
            applications::edit_section,
            applications::save_section,
        )
        .upload(
            "/applications/{id}/documents",
            applications::documents::list,
            applications::documents::upload,
        )
        .get(
            "/applications/{id}/documents/{file}",
            applications::documents::download,
        )
        .post(
            "/applications/{id}/documents/{file}/remove",
            applications::documents::remove,
        )
        .get(
            "/applications/{id}/forms.xlsx",
            applications::forms::workbook,
        )
        .get("/applications/{id}/forms.pdf", applications::forms::pdf)
        .get(
            "/applications/{id}/example.xlsx",
            applications::forms::example_workbook,
        )
        .get(
            "/applications/{id}/decision.pdf",
            applications::forms::decision_letter,
        )
        .upload(
            "/applications/{id}/import",
            applications::forms::import_form,
            applications::forms::import,
        )
        .post("/applications/{id}/submit", applications::submit)
        .post("/applications/{id}/delete", applications::delete)
        .post("/applications/{id}/changes", notices::file_change)
        .get(
            "/applications/{id}/notices/{notice}/form.pdf",
            applications::forms::notice_pdf,
        )
        .get(
            "/applications/{id}/notices/{notice}/form.xlsx",
            applications::forms::notice_workbook,
        )
        .post("/applications/{id}/abolition", notices::file_abolition)
        .post("/applications/{id}/renewal", notices::renew)
        .get(
            "/applications/{id}/versions/{version}",
            applications::version,
        )
        .get(
            "/applications/{id}/versions/{version}/documents/{file}",
            applications::documents::version_document,
        )
        .get("/applications/{id}/compare", applications::compare)
        // Review and designation (the ministry, and external experts).
        .get("/ministry/course-reports", reports::ministry)
        .get("/ministry/course-reports.csv", reports::ministry_export)
        .get("/ministry/course-reports.xlsx", reports::ministry_export)
        .get("/ministry/course-reports.pdf", reports::ministry_export)
        .get(
            "/ministry/course-reports/{programme}/{month}/report.xlsx",
            reports::ministry_file,
        )
        .get(
            "/ministry/course-reports/{programme}/{month}/report.pdf",
            reports::ministry_file,
        )
        .get(
            "/ministry/course-reports/{programme}/{month}/report.csv",
            reports::ministry_file,
        )
        .get(
            "/ministry/course-reports/{programme}/{month}",
            reports::ministry_report,
        )
        .post(
            "/ministry/course-reports/{programme}/{month}/chase",
            reports::chase,
        )
        .get("/ministry/reviews", reviews::queue)
        .get("/ministry/reviews/{id}", reviews::workspace)
        .post("/ministry/reviews/{id}/assign", reviews::assign)
        .post("/ministry/reviews/{id}/findings", reviews::save_findings)
        .post("/ministry/reviews/{id}/revision", reviews::request_revision)
        .post("/ministry/reviews/{id}/designate", reviews::designate)
        .post("/ministry/reviews/{id}/reject", reviews::reject)
        .post("/ministry/reviews/{id}/revoke", reviews::revoke)
        .get("/reviews", reviews::expert_list)
        .get("/reviews/{id}", reviews::expert_review)
        .post("/reviews/{id}/declaration", reviews::declare)
        .post("/reviews/{id}/opinion", reviews::give_opinion)
        // The ministry.
        .get("/ministry/organisations", admin::organisations)
        .get("/admin/accounts", admin::accounts)
        .post("/admin/accounts/{id}/roles", admin::set_roles)
        .post(
            "/admin/accounts/{id}/two-factor/reset",
            admin::reset_two_factor,
        )
        .get("/admin/outbox", admin::outbox)
        .form(
            "/admin/survey-items",
            survey::admin_items,
            survey::add_admin_items,
        )
        // The registry's view of the holders (issue 18 item 6): IPA's registrars.
        .get("/registry/holders", pages::registry::holders)
        .get("/registry/holders.csv", pages::registry::holders_csv)
        .get("/registry/holders.xlsx", pages::registry::holders_xlsx)
        .merge(api::routes())
        // The W3C VC-API (issue 17 item 6): issuing with an organisation's API token,
        // verifying credentials and presentations for anyone.
        .merge(pages::vc_api::routes())
        // The xAPI LRS (issue 20): providers' LMSs, with an LRS credential.
        .merge(crate::xapi::routes())
}
