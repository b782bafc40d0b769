//! Story tests: the whole application in process, against a fresh database per test, told once
//! and run on both backends (SQLite, and a throwaway PostgreSQL started from the installed
//! binaries). Requests go through the real router with `tower::ServiceExt::oneshot`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

/// Runs `$body` (a write through `$unit`) in one unit of work of `$app`'s store, committed when
/// it succeeded; evaluates to the body's result.
macro_rules! write_unit {
    ($app:expr, $unit:ident => $body:expr) => {{
        let mut $unit = $app.store.write().await.unwrap();
        let result = $body;
        if result.is_ok() {
            $unit.commit().await.unwrap();
        }
        result
    }};
}

mod accounts;
mod api;
mod app;
mod applications;
mod board;
mod catalogue;
mod completion;
mod course;
mod credentials;
mod delivery;
mod designated;
mod designation;
mod foundation;
mod hardening;
mod holder;
#[allow(
    dead_code,
    reason = "the certificate story uses part of the independent verifiers' helper"
)]
#[path = "../independent/mod.rs"]
mod independent;
mod jobs;
mod journeys;
mod listings;
mod lrs;
mod mail;
mod matrix;
mod passkeys;
mod process_mail;
mod progress;
mod registry;
mod reports;
mod retention;
mod survey;
mod vc_api;
mod workflow;

/// Generates one test per story and backend: `sqlite::<story>` and `postgres::<story>`.
macro_rules! stories {
    ($($module:ident :: $story:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $story() {
                    crate::$module::$story(crate::app::TestApp::sqlite().await).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test]
                #[cfg_attr(not(koshu_postgres), ignore = "PostgreSQL server binaries not found: apt-get install postgresql")]
                async fn $story() {
                    crate::$module::$story(crate::app::TestApp::postgres().await).await;
                }
            )*
        }
    };
}

stories!(
    lrs::an_lms_sends_statements_and_reads_back_only_its_own,
    lrs::documents_follow_their_etags_and_activities_merge_their_definitions,
    lrs::a_batch_is_kept_whole_or_not_at_all_at_every_step,
    lrs::statements_from_an_lms_show_up_as_progress_of_the_learner,
    holder::a_holder_links_completes_a_designated_course_and_is_reminded_until_done,
    holder::a_pasted_credential_is_verified_only_when_it_names_the_holder,
    holder::linking_and_reminding_are_all_or_nothing_at_every_step,
    holder::a_provider_sees_a_riss_number_only_for_its_own_enrolments,
    credentials::a_completed_learner_takes_a_certificate_anyone_verifies,
    credentials::a_certificate_expires_on_its_valid_until,
    credentials::confirming_issues_the_certificate_all_or_nothing,
    credentials::status_changes_and_rotations_are_all_or_nothing,
    completion::a_learner_completes_against_published_criteria_and_the_decision_stands,
    completion::reassessment_is_allowed_only_where_the_criteria_say_so,
    delivery::the_public_enrols_waits_and_is_promoted_and_attendance_is_recorded_and_sealed,
    delivery::fifty_at_once_for_ten_seats_never_oversell,
    delivery::meeting_reports_give_merged_stays_and_list_whom_they_do_not_know,
    delivery::enrolment_promotion_lapse_and_import_are_all_or_nothing_at_every_step,
    delivery::the_demo_delivers_a_sample_course_anyone_can_try,
    progress::stalled_learners_are_listed_live_and_leave_the_list_when_followed_up,
    course::a_learner_goes_from_enrolment_to_completion_with_progress_a_score_and_the_survey,
    board::staff_announce_learners_ask_anonymously_staff_answer_and_hide_with_a_reason,
    board::an_announcement_and_its_mails_are_all_or_nothing_at_every_step,
    board::the_demo_board_shows_each_kind_of_post,
    survey::the_survey_is_answered_once_and_shown_only_from_five_answers,
    survey::the_stored_answers_name_no_learner_and_keep_no_time_or_order,
    survey::an_answer_is_all_or_nothing_at_every_step,
    survey::the_administrator_keeps_versions_of_the_ministry_items,
    foundation::demo_catalogue_is_served_in_japanese_and_english,
    foundation::demo_load_is_idempotent,
    foundation::the_demo_adds_sample_sessions_dated_from_today,
    foundation::audit_log_names_the_first_tampered_entry,
    foundation::files_keep_their_name_and_bytes,
    foundation::errors_are_pages_or_json_with_stable_codes,
    foundation::health_readiness_and_security_headers,
    foundation::programme_page_shows_sessions_with_japanese_dates,
    catalogue::japanese_search_finds_the_expected_programmes,
    catalogue::facet_counts_are_right,
    catalogue::nothing_found_says_which_filter_to_drop,
    catalogue::an_invalid_filter_is_a_400_naming_the_parameter,
    catalogue::open_sessions_depend_on_today,
    catalogue::the_index_follows_writes_and_reindex_requests,
    catalogue::sessions_view_groups_by_month_and_filters_by_prefecture,
    catalogue::provider_page_lists_its_programmes,
    catalogue::programme_page_carries_course_json_ld,
    catalogue::search_understands_levels_synonyms_and_latin_words,
    catalogue::the_level_facet_counts_each_level,
    catalogue::public_pages_carry_no_internal_notes,
    catalogue::the_designated_label_waits_for_the_designation_period,
    catalogue::designated_courses_link_the_public_list_and_explain_the_obligation,
    catalogue::english_pages_show_english_text,
    api::api_responses_validate_against_the_openapi_document,
    api::an_invalid_api_filter_is_a_400_naming_the_parameter,
    api::csv_export_opens_in_excel_with_a_japanese_header,
    api::jsonl_export_has_one_programme_per_line,
    api::sessions_api_filters_by_prefecture_and_programme,
    api::api_reference_page_renders_in_japanese_and_english,
    accounts::sign_up_verify_and_sign_in,
    passkeys::a_passkey_is_a_second_factor,
    applications::a_provider_writes_checks_submits_and_compares_an_application,
    applications::every_section_form_sent_back_as_drawn_is_complete,
    applications::the_worked_example_imports_as_a_draft_that_can_be_submitted,
    listings::a_provider_lists_publishes_and_keeps_a_programme_up_to_date,
    listings::a_designated_courses_sessions_are_edited_and_its_facts_stay_locked,
    listings::a_programme_left_alone_for_a_year_says_so_and_its_provider_is_reminded_once,
    listings::a_providers_system_publishes_through_the_api_with_a_token,
    listings::a_spreadsheet_is_checked_then_applied_all_at_once,
    listings::a_reported_programme_is_hidden_by_the_ministry_with_a_reason,
    listings::a_provider_already_in_the_catalogue_publishes_under_its_listed_name,
    designation::an_application_is_reviewed_revised_and_designated,
    designated::an_abolished_course_leaves_the_catalogue_on_its_date,
    designated::a_designation_is_renewed_in_its_final_year_and_expires_after_three,
    designation::reviewers_and_declared_experts_open_the_submitted_documents,
    process_mail::each_party_is_mailed_at_each_step_of_a_designation,
    journeys::each_role_finds_its_work_in_the_header,
    journeys::no_page_of_an_application_shows_a_raw_field_path,
    journeys::a_draft_is_deleted_and_a_submitted_application_is_not,
    journeys::an_owner_manages_invitations_and_roles,
    journeys::an_invitation_keeps_its_place_through_sign_up,
    accounts::bad_sign_up_input_names_each_field,
    accounts::the_sixth_wrong_password_is_rate_limited_until_the_window_passes,
    accounts::a_reviewer_needs_two_factor_and_a_code_from_the_otpauth_uri_signs_in,
    accounts::a_recovery_code_works_once,
    accounts::cross_site_posts_are_refused_and_the_sites_own_form_works,
    accounts::password_reset_by_mail_signs_out_everywhere,
    accounts::a_provider_registers_and_invites_staff,
    accounts::an_administrator_resets_a_lost_second_factor,
    matrix::every_route_answers_every_role_as_the_table_says,
    registry::the_registry_counts_holders_by_outlook_and_cohort_and_completions_by_month,
    reports::a_month_of_delivery_is_reported_from_the_records_and_submitted_as_versions,
    retention::personal_data_is_purged_three_years_after_its_fiscal_year_and_the_reports_remain,
    jobs::jobs_for_tomorrow_run_once_when_their_time_comes,
    jobs::jobs_claimed_by_two_workers_at_once_go_to_one_each,
    jobs::jobs_that_fail_are_retried_with_backoff_then_given_up,
    jobs::jobs_without_a_handler_fail_with_a_clear_error,
    jobs::jobs_whose_lease_expired_are_claimable_again,
    jobs::jobs_keep_one_pending_job_per_dedupe_key,
    workflow::designation_and_revocation_are_all_or_nothing_at_every_step,
    workflow::notice_and_expiry_jobs_are_all_or_nothing_and_finish_on_retry,
    workflow::expiry_is_all_or_nothing_and_finishes_on_retry,
    workflow::designations_at_once_get_consecutive_numbers_per_fiscal_year,
    workflow::a_decision_on_an_outdated_page_is_a_409,
    workflow::revision_resubmission_and_notice_are_all_or_nothing_at_every_step,
    workflow::resending_an_invitation_is_all_or_nothing_at_every_step,
    workflow::a_password_reset_is_all_or_nothing_at_every_step,
    workflow::a_sign_up_is_all_or_nothing_at_every_step,
    workflow::verification_and_invitation_are_all_or_nothing_at_every_step,
    workflow::publishing_and_uploading_are_all_or_nothing_at_every_step,
    hardening::sign_in_goes_only_to_paths_on_this_site,
    hardening::every_spelling_of_an_address_shares_its_sign_in_limit,
    hardening::parallel_wrong_passwords_and_codes_are_each_counted,
    hardening::control_characters_in_text_fields_are_refused_naming_the_field,
    hardening::personal_pages_are_not_cached_and_https_is_strict,
    hardening::public_pages_carry_strong_validators_and_personal_ones_never_do,
    hardening::rendered_pages_are_kept_until_the_change_feed_moves,
    hardening::paths_that_do_not_decode_are_error_pages,
    hardening::query_parameters_are_accepted_as_the_document_says,
    hardening::metrics_are_scraped_with_the_token_and_count_routes,
    hardening::requests_beyond_the_bound_are_told_to_retry,
    hardening::bodies_are_bounded_by_their_route,
    vc_api::a_providers_system_issues_and_anyone_verifies_through_the_vc_api,
    vc_api::koshu_certificates_verify_through_the_vc_api_with_status_and_dates,
    vc_api::issuing_is_all_or_nothing_at_every_step,
);

/// Needs aiosmtpd (a real SMTP server); the same on both backends, so run once.
#[tokio::test]
#[cfg_attr(not(koshu_smtp), ignore = "aiosmtpd not found: pip install aiosmtpd")]
async fn a_reset_mail_arrives_at_a_real_smtp_server() {
    mail::a_reset_mail_arrives_at_a_real_smtp_server(app::TestApp::sqlite().await).await;
}

/// Needs aiosmtpd, as above.
#[tokio::test]
#[cfg_attr(not(koshu_smtp), ignore = "aiosmtpd not found: pip install aiosmtpd")]
async fn an_enrolment_mail_arrives_with_its_calendar_file() {
    mail::an_enrolment_mail_arrives_with_its_calendar_file(app::TestApp::sqlite().await).await;
}
