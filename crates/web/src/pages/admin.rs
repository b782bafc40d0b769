//! The ministry's pages: registered providers (reviewers and administrators), accounts and
//! their roles, and the outbox of every mail sent (administrators). All need a second factor.

use super::forms::parse;
use crate::AppState;
use crate::auth::AuthContext;
use crate::error::AppError;
use crate::view::{self, PageCtx};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use koshu_domain::ValidationError;
use koshu_domain::access::organisation::PrivacyAssurance;
use koshu_domain::access::{Action, MinistryRole};
use serde::Deserialize;

struct ProviderRow {
    name: String,
    corporate_number: String,
    registered: String,
    privacy: String,
    href: String,
}

#[derive(Template)]
#[template(path = "ministry_organisations.html")]
struct OrganisationsPage {
    page: PageCtx,
    rows: Vec<ProviderRow>,
}

pub async fn organisations(
    State(state): State<AppState>,
    auth: AuthContext,
    page: PageCtx,
) -> Result<Response, AppError> {
    auth.require(Action::ReviewApplications)?;
    let rows = state
        .store
        .organisations()
        .await?
        .into_iter()
        .map(|r| ProviderRow {
            href: page.href(&format!("/organisations/{}", r.id)),
            name: r.organisation.name_ja,
            corporate_number: r.organisation.corporate_number.to_string(),
            registered: view::date(page.lang, r.created_at.to_offset(view::JST).date()),
            privacy: match r.organisation.privacy {
                PrivacyAssurance::PrivacyMark { .. } => {
                    page.t("プライバシーマーク", "Privacy Mark")
                }
                PrivacyAssurance::Isms { .. } => page.t("ISMS 認証", "ISMS"),
                PrivacyAssurance::Policy { .. } => page.t("プライバシーポリシー", "Privacy policy"),
            }
            .to_owned(),
        })
        .collect();
    Ok(Html(OrganisationsPage { page, rows }.render()?).into_response())
}

struct AccountRow {
    id: String,
    name: String,
    email: String,
    verified: bool,
    second_factor: bool,
    role: String,
    expert: bool,
    action: String,
    reset_action: String,
}

#[derive(Template)]
#[template(path = "admin_accounts.html")]
struct AccountsPage {
    page: PageCtx,
    rows: Vec<AccountRow>,
    role_options: Vec<(String, String)>,
}

pub async fn accounts(
    State(state): State<AppState>,
    auth: AuthContext,
    page: PageCtx,
) -> Result<Response, AppError> {
    auth.require(Action::Administer)?;
    let rows = state
        .store
        .accounts()
        .await?
        .into_iter()
        .map(|a| AccountRow {
            action: page.href(&format!("/admin/accounts/{}/roles", a.id)),
            reset_action: page.href(&format!("/admin/accounts/{}/two-factor/reset", a.id)),
            id: a.id,
            name: a.display_name,
            email: a.email.to_string(),
            verified: a.email_verified,
            second_factor: a.totp_enabled,
            role: a
                .ministry_role
                .map(MinistryRole::code)
                .unwrap_or("")
                .to_owned(),
            expert: a.expert,
        })
        .collect();
    let role_options = vec![
        (String::new(), page.t("なし", "None").to_owned()),
        (
            "reviewer".to_owned(),
            page.t("審査担当", "Reviewer").to_owned(),
        ),
        (
            "administrator".to_owned(),
            page.t("管理者", "Administrator").to_owned(),
        ),
        (
            "registrar".to_owned(),
            page.t("登録事務（IPA）", "Registrar (IPA)").to_owned(),
        ),
    ];
    Ok(Html(
        AccountsPage {
            page,
            rows,
            role_options,
        }
        .render()?,
    )
    .into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RolesInput {
    ministry_role: String,
    expert: Option<String>,
}

pub async fn set_roles(
    State(state): State<AppState>,
    auth: AuthContext,
    page: PageCtx,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, AppError> {
    let me = auth.require(Action::Administer)?;
    let input: RolesInput = parse(&body)?;
    let role = match input.ministry_role.as_str() {
        "" => None,
        code => Some(MinistryRole::from_code(code).ok_or_else(|| {
            ValidationError::new(
                "role.unknown",
                "役割は「なし」「審査担当」「管理者」「登録事務（IPA）」から選んでください。",
                "Choose None, Reviewer, Administrator or Registrar (IPA).",
            )
            .for_field("ministry_role")
        })?),
    };
    if id == me.account.id && role != Some(MinistryRole::Administrator) {
        // Nobody removes their own administration right: another administrator must.
        return Err(ValidationError::new(
            "role.self_demotion",
            "自分の管理者権限は外せません。別の管理者に依頼してください。",
            "You cannot remove your own administrator role; ask another administrator.",
        )
        .for_field("ministry_role")
        .into());
    }
    state
        .store
        .set_ministry_roles(
            &id,
            role,
            input.expert.is_some(),
            &format!("account:{}", me.account.id),
            state.clock.now(),
        )
        .await?;
    Ok(Redirect::to(&page.href("/admin/accounts")).into_response())
}

/// Turns off someone's second factor (a lost phone): they set it up again at their next
/// sign-in, which their role requires. Their sessions end.
pub async fn reset_two_factor(
    State(state): State<AppState>,
    auth: AuthContext,
    page: PageCtx,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let me = auth.require(Action::Administer)?;
    if id == me.account.id {
        return Err(ValidationError::new(
            "two_factor.self_reset",
            "自分の二要素認証は、別の管理者にリセットを依頼してください。",
            "Ask another administrator to reset your own two-factor authentication.",
        )
        .into());
    }
    let account = state.store.account(&id).await?.ok_or(AppError::NotFound)?;
    let now = state.clock.now();
    state
        .store
        .disable_totp(&account.id, &format!("account:{}", me.account.id), now)
        .await?;
    state.store.delete_sessions_of(&account.id).await?;
    Ok(Redirect::to(&page.href("/admin/accounts")).into_response())
}

struct MailRow {
    at: String,
    to: String,
    subject: String,
    status: String,
    body: String,
}

#[derive(Template)]
#[template(path = "admin_outbox.html")]
struct OutboxPage {
    page: PageCtx,
    rows: Vec<MailRow>,
    total: i64,
    paging: view::Paging,
}

const MAILS_PER_PAGE: i64 = 50;

#[derive(Debug, Deserialize)]
pub struct PageQuery {
    page: Option<i64>,
}

pub async fn outbox(
    State(state): State<AppState>,
    auth: AuthContext,
    page: PageCtx,
    Query(q): Query<PageQuery>,
) -> Result<Response, AppError> {
    auth.require(Action::Administer)?;
    let total = state.store.outbox_count().await?;
    let pages = ((total + MAILS_PER_PAGE - 1) / MAILS_PER_PAGE).max(1);
    let current = q.page.unwrap_or(1);
    if !(1..=pages).contains(&current) {
        return Err(ValidationError::new(
            "page.range",
            format!("ページ番号（page）は 1〜{pages} の整数です。"),
            format!("The page number (page) is a whole number from 1 to {pages}."),
        )
        .for_field("page")
        .into());
    }
    let lang = page.lang;
    let rows = state
        .store
        .outbox(MAILS_PER_PAGE, (current - 1) * MAILS_PER_PAGE)
        .await?
        .into_iter()
        .map(|m| MailRow {
            at: view::date_time(lang, m.created_at),
            status: match (&m.sent_at, &m.last_error) {
                (Some(_), _) => lang.pick("送信済み", "Sent"),
                (None, Some(_)) => lang.pick("送信失敗", "Failed"),
                (None, None) => lang.pick("送信箱に保存", "In the outbox"),
            }
            .to_owned(),
            to: m.to_address,
            subject: m.subject,
            body: m.body,
        })
        .collect();
    let link = |n: i64| page.href(&format!("/admin/outbox?page={n}"));
    let view = OutboxPage {
        paging: view::Paging::new(current, pages, link),
        rows,
        total,
        page,
    };
    Ok(Html(view.render()?).into_response())
}
