//! Provider organisations (B21, B24, B25): registration with the 法人番号, the responsible
//! persons and the personal-data assurance; the organisation's own page; staff invitations by
//! mail with a role. Every handler asks the policy first (G01).

use super::account::{MessagePage, redirect_with_cookie, start_session};
use super::forms::{FormField, FormPage, attach_errors, parse};
use crate::AppState;
use crate::auth::{AuthContext, random_token, token_digest};
use crate::error::AppError;
use crate::mail;
use crate::pages::rendered;
use crate::view::{self, PageCtx};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use koshu_domain::ValidationError;
use koshu_domain::access::organisation::{
    Contact, Organisation, OrganisationForm, PrivacyAssurance,
};
use koshu_domain::access::policy::TokenScope;
use koshu_domain::access::{Action, Email, OrgRole};
use koshu_store::accounts::{NewToken, SessionStage, TokenPurpose};
use koshu_store::organisations::Registration;
use serde::Deserialize;
use time::Duration;

fn org_fields(page: &PageCtx, f: &OrganisationForm, registering: bool) -> Vec<FormField> {
    let t = |ja: &str, en: &str| page.t(ja, en).to_owned();
    let mut fields = vec![
        FormField::new("name_ja", &t("名称（法人名）", "Name (legal entity)"), "text")
            .value(&f.name_ja)
            .autocomplete("organization")
            .heading(&t("法人（要件 B21）", "Legal entity (requirement B21)")),
        FormField::new("name_en", &t("英語名称", "Name in English"), "text")
            .value(&f.name_en)
            .optional(),
        FormField::new("corporate_number", &t("法人番号（13桁）", "Corporate number (13 digits)"), "text")
            .value(&f.corporate_number)
            .hint(&t(
                "国税庁の法人番号公表サイトで確認できます。個人事業主は申請できません。",
                "Find it on the National Tax Agency's corporate number site. Individuals cannot apply.",
            )),
        FormField::new("address", &t("所在地", "Address"), "text")
            .value(&f.address)
            .autocomplete("street-address"),
        FormField::new("representative", &t("代表者の役職・氏名", "Representative (title and name)"), "text")
            .value(&f.representative)
            .hint(&t("例：代表取締役 山田太郎", "For example: President Taro Yamada")),
        FormField::new("course_manager_name", &t("講習の責任者 氏名", "Course manager: name"), "text")
            .value(&f.course_manager_name)
            .heading(&t("責任者と窓口（要件 B24）", "Responsible persons and desks (requirement B24)")),
        FormField::new("course_manager_email", &t("講習の責任者 メールアドレス", "Course manager: e-mail"), "email")
            .value(&f.course_manager_email),
        FormField::new("enrolment_admin_name", &t("受講事務の責任者 氏名", "Enrolment administration: name"), "text")
            .value(&f.enrolment_admin_name),
        FormField::new("enrolment_admin_email", &t("受講事務の責任者 メールアドレス", "Enrolment administration: e-mail"), "email")
            .value(&f.enrolment_admin_email),
        FormField::new("inquiry_name", &t("問合せ窓口の名称（公開）", "Inquiry desk: name (published)"), "text")
            .value(&f.inquiry_name),
        FormField::new("inquiry_email", &t("問合せ窓口 メールアドレス（公開）", "Inquiry desk: e-mail (published)"), "email")
            .value(&f.inquiry_email)
            .optional()
            .hint(&t("メールアドレスか電話番号の少なくとも一方が必要です。", "An e-mail address or a telephone number is needed.")),
        FormField::new("inquiry_phone", &t("問合せ窓口 電話番号（公開）", "Inquiry desk: telephone (published)"), "tel")
            .value(&f.inquiry_phone)
            .optional(),
        FormField::new("complaints_name", &t("苦情窓口の名称（公開）", "Complaints desk: name (published)"), "text")
            .value(&f.complaints_name),
        FormField::new("complaints_email", &t("苦情窓口 メールアドレス（公開）", "Complaints desk: e-mail (published)"), "email")
            .value(&f.complaints_email)
            .optional()
            .hint(&t("メールアドレスか電話番号の少なくとも一方が必要です。", "An e-mail address or a telephone number is needed.")),
        FormField::new("complaints_phone", &t("苦情窓口 電話番号（公開）", "Complaints desk: telephone (published)"), "tel")
            .value(&f.complaints_phone)
            .optional(),
        FormField::new("privacy_kind", &t("個人情報の保護", "Protection of personal data"), "radio")
            .value(&f.privacy_kind)
            .heading(&t("個人情報の取扱い（要件 B25）", "Personal data (requirement B25)"))
            .options(vec![
                ("privacy_mark".into(), t("プライバシーマークを取得している", "Privacy Mark")),
                ("isms".into(), t("ISMS（ISO/IEC 27001）認証を取得している", "ISMS (ISO/IEC 27001) certification")),
                ("policy".into(), t("プライバシーポリシーを公開している", "A published privacy policy")),
            ]),
        FormField::new("privacy_number", &t("認証番号（認証を取得している場合）", "Certificate number (if certified)"), "text")
            .value(&f.privacy_number)
            .optional(),
        FormField::new("privacy_valid_until", &t("認証の有効期限（例：2027-03-31）", "Certification valid until (e.g. 2027-03-31)"), "date")
            .value(&f.privacy_valid_until)
            .optional(),
        FormField::new("privacy_policy_url", &t("プライバシーポリシーの URL（公開している場合）", "Privacy policy URL (if published)"), "url")
            .value(&f.privacy_policy_url)
            .optional(),
        FormField::new("consortium_members", &t("コンソーシアムの構成員（代表法人以外）", "Consortium members (other than the lead)"), "textarea")
            .value(&f.consortium_members)
            .optional()
            .heading(&t("コンソーシアム", "Consortium"))
            .hint(&t(
                "コンソーシアムで申請する場合、この組織を代表法人とし、他の構成員を1行に1法人ずつ「名称, 法人番号」の形で入力してください。単独の法人なら空欄のままにします。",
                "When applying as a consortium, this organisation is the lead; list each other member on its own line as \"name, corporate number\". Leave empty for a single entity.",
            )),
    ];
    if !registering {
        fields.retain(|f| f.name != "corporate_number");
    }
    fields
}

fn org_form_page(page: PageCtx, form: &OrganisationForm, id: Option<&str>) -> FormPage {
    let t = |ja: &str, en: &str| page.t(ja, en).to_owned();
    let (title, action, submit) = match id {
        None => (
            t(
                "講座提供者（法人）の登録",
                "Register a provider organisation",
            ),
            "/organisations/new".to_owned(),
            t("登録する", "Register"),
        ),
        Some(id) => (
            t("組織情報の変更", "Edit organisation details"),
            format!("/organisations/{id}/edit"),
            t("変更を保存する", "Save changes"),
        ),
    };
    let mut f = FormPage::new(page.clone(), &title, &action, &submit);
    f.intro = vec![t(
        "講座を登録し、特定講習を申請する法人の情報です。問合せ窓口と苦情窓口は講座ページで公開されます。",
        "The details of the legal entity that registers programmes and applies for designation. The inquiry and complaints desks are published on programme pages.",
    )];
    f.fields = org_fields(&page, form, id.is_none());
    f
}

pub async fn new_form(auth: AuthContext, page: PageCtx) -> Result<Response, AppError> {
    auth.require(Action::RegisterOrganisation)?;
    rendered(
        StatusCode::OK,
        org_form_page(page, &OrganisationForm::default(), None),
    )
}

pub async fn register(
    State(state): State<AppState>,
    auth: AuthContext,
    page: PageCtx,
    body: Bytes,
) -> Result<Response, AppError> {
    let me = auth.require(Action::RegisterOrganisation)?;
    let form: OrganisationForm = parse(&body)?;
    let org = match form.parse(view::today(&state)) {
        Ok(org) => org,
        Err(errors) => {
            return rendered(
                StatusCode::BAD_REQUEST,
                org_form_page(page, &form, None).with_errors(&errors),
            );
        }
    };
    let (id, registration) =
        koshu_workflow::organisations::register(&state.workflow, &org, &me.account.id).await?;
    match registration {
        Registration::Created => {
            Ok(Redirect::to(&page.href(&format!("/organisations/{id}"))).into_response())
        }
        Registration::CorporateNumberTaken => {
            let e = ValidationError::new(
                "organisation.corporate_number_taken",
                "この法人番号の組織はすでに登録されています。組織の管理者に、担当者としての招待を依頼してください。",
                "An organisation with this corporate number is registered already. Ask its owner to invite you as staff.",
            )
            .for_field("corporate_number");
            rendered(
                StatusCode::CONFLICT,
                org_form_page(page, &form, None).with_errors(&[e]),
            )
        }
    }
}

struct ContactView {
    role: String,
    name: String,
    reach: String,
}

#[derive(Template)]
#[template(path = "organisation.html")]
struct OrganisationPage {
    page: PageCtx,
    id: String,
    org: Organisation,
    contacts: Vec<ContactView>,
    privacy: String,
    registered: String,
    /// A member of its staff (of any role): sees its applications.
    is_staff: bool,
    can_edit: bool,
}

fn reach(c: &Contact) -> String {
    [c.email.as_ref().map(ToString::to_string), c.phone.clone()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" / ")
}

pub async fn show(
    State(state): State<AppState>,
    auth: AuthContext,
    page: PageCtx,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let me = auth.require(Action::ViewOrganisation(&id))?;
    let record = state
        .store
        .organisation(&id)
        .await?
        .ok_or(AppError::NotFound)?;
    let t = |ja: &str, en: &str| page.t(ja, en).to_owned();
    let r = &record.organisation.responsible;
    let contacts = [
        (t("講習の責任者", "Course manager"), &r.course_manager),
        (
            t("受講事務の責任者", "Enrolment administration"),
            &r.enrolment_admin,
        ),
        (
            t("問合せ窓口（公開）", "Inquiry desk (published)"),
            &r.inquiry_desk,
        ),
        (
            t("苦情窓口（公開）", "Complaints desk (published)"),
            &r.complaints_desk,
        ),
    ]
    .into_iter()
    .map(|(role, c)| ContactView {
        role,
        name: c.name.clone(),
        reach: reach(c),
    })
    .collect();
    let privacy = match &record.organisation.privacy {
        PrivacyAssurance::PrivacyMark {
            number,
            valid_until,
        } => format!(
            "{} {number}（{} {}）",
            t("プライバシーマーク", "Privacy Mark"),
            view::date(page.lang, *valid_until),
            t("まで有効", "valid until")
        ),
        PrivacyAssurance::Isms {
            number,
            valid_until,
        } => format!(
            "{} {number}（{} {}）",
            t("ISMS 認証", "ISMS certification"),
            view::date(page.lang, *valid_until),
            t("まで有効", "valid until")
        ),
        PrivacyAssurance::Policy { url } => {
            format!("{} {url}", t("プライバシーポリシー", "Privacy policy"))
        }
    };
    let view = OrganisationPage {
        can_edit: me.principal.role_in(&id) == Some(OrgRole::Owner),
        is_staff: me.principal.role_in(&id).is_some(),
        registered: view::date(page.lang, record.created_at.to_offset(view::JST).date()),
        id: record.id,
        org: record.organisation,
        contacts,
        privacy,
        page,
    };
    rendered(StatusCode::OK, view)
}

pub async fn edit_form(
    State(state): State<AppState>,
    auth: AuthContext,
    page: PageCtx,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    auth.require(Action::EditOrganisation(&id))?;
    let record = state
        .store
        .organisation(&id)
        .await?
        .ok_or(AppError::NotFound)?;
    let form = OrganisationForm::from_organisation(&record.organisation);
    rendered(StatusCode::OK, org_form_page(page, &form, Some(&id)))
}

pub async fn update(
    State(state): State<AppState>,
    auth: AuthContext,
    page: PageCtx,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, AppError> {
    let me = auth.require(Action::EditOrganisation(&id))?;
    let record = state
        .store
        .organisation(&id)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut form: OrganisationForm = parse(&body)?;
    // The 法人番号 identifies the entity and is not edited.
    form.corporate_number = record.organisation.corporate_number.to_string();
    let org = match form.parse(view::today(&state)) {
        Ok(org) => org,
        Err(errors) => {
            return rendered(
                StatusCode::BAD_REQUEST,
                org_form_page(page, &form, Some(&id)).with_errors(&errors),
            );
        }
    };
    koshu_workflow::organisations::update(
        &state.workflow,
        &id,
        &org,
        &koshu_workflow::account_actor(&me.account.id),
    )
    .await?;
    Ok(Redirect::to(&page.href(&format!("/organisations/{id}"))).into_response())
}

// Staff.

struct StaffView {
    name: String,
    email: String,
    role: String,
    /// The member's role code, and where an owner changes it.
    role_code: &'static str,
    role_action: String,
}

/// An invitation not yet accepted, with where an owner resends or withdraws it.
struct InvitationView {
    email: String,
    role: String,
    expires: String,
    resend: String,
    withdraw: String,
}

#[derive(Template)]
#[template(path = "staff.html")]
struct StaffPage {
    page: PageCtx,
    org_name: String,
    org_href: String,
    staff: Vec<StaffView>,
    invitations: Vec<InvitationView>,
    role_options: Vec<(String, String)>,
    can_invite: bool,
    action: String,
    fields: Vec<FormField>,
    general_errors: Vec<String>,
    notice: Option<String>,
}

impl StaffPage {
    fn error_count(&self) -> usize {
        self.general_errors.len() + self.fields.iter().filter(|f| f.error.is_some()).count()
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct InviteInput {
    email: String,
    role: String,
}

/// A staff role from the form's `role` field.
fn role_of(code: &str) -> Result<OrgRole, ValidationError> {
    OrgRole::from_code(code).ok_or_else(|| {
        ValidationError::new("role.unknown", "役割を選んでください。", "Choose a role.")
            .for_field("role")
    })
}

fn role_options(page: &PageCtx) -> Vec<(String, String)> {
    [OrgRole::Editor, OrgRole::Viewer, OrgRole::Owner]
        .into_iter()
        .map(|r| (r.code().to_owned(), r.label(page.lang.is_en()).to_owned()))
        .collect()
}

async fn staff_page(
    state: &AppState,
    auth: &AuthContext,
    page: PageCtx,
    id: &str,
    input: &InviteInput,
) -> Result<StaffPage, AppError> {
    let me = auth.require(Action::ViewOrganisation(id))?;
    let record = state
        .store
        .organisation(id)
        .await?
        .ok_or(AppError::NotFound)?;
    let lang = page.lang;
    let staff = state
        .store
        .staff_of(id)
        .await?
        .into_iter()
        .map(|s| StaffView {
            role_action: page.href(&format!("/organisations/{id}/staff/{}/role", s.account_id)),
            name: s.display_name,
            email: s.email.to_string(),
            role: s.role.label(lang.is_en()).to_owned(),
            role_code: s.role.code(),
        })
        .collect();
    let invitations = state
        .store
        .pending_invitations(id, state.clock.now())
        .await?
        .into_iter()
        .map(|i| {
            let base = page.href(&format!("/organisations/{id}/invitations/{}", i.id));
            InvitationView {
                email: i.email,
                role: i.role.label(lang.is_en()).to_owned(),
                expires: view::date_time(lang, i.expires_at),
                resend: format!("{base}/resend"),
                withdraw: format!("{base}/withdraw"),
            }
        })
        .collect();
    let t = |ja: &str, en: &str| page.t(ja, en).to_owned();
    let role = if input.role.is_empty() {
        "editor"
    } else {
        input.role.as_str()
    };
    Ok(StaffPage {
        org_name: record.organisation.name_ja,
        org_href: page.href(&format!("/organisations/{id}")),
        staff,
        invitations,
        role_options: role_options(&page),
        can_invite: me.principal.role_in(id) == Some(OrgRole::Owner),
        action: page.href(&format!("/organisations/{id}/staff")),
        fields: vec![
            FormField::new("email", &t("招待する人のメールアドレス", "E-mail address of the person to invite"), "email")
                .value(&input.email),
            FormField::new("role", &t("役割", "Role"), "radio")
                .value(role)
                .options(role_options(&page))
                .hint(&t(
                    "閲覧者は組織の記録を見られます。編集者は講座と申請も編集できます。管理者は組織情報と担当者も管理できます。",
                    "Viewers read the organisation's records; editors also edit programmes and applications; owners also manage the organisation and its staff.",
                )),
        ],
        general_errors: Vec::new(),
        notice: None,
        page,
    })
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct StaffQuery {
    done: String,
}

pub async fn staff(
    State(state): State<AppState>,
    auth: AuthContext,
    page: PageCtx,
    Path(id): Path<String>,
    Query(q): Query<StaffQuery>,
) -> Result<Response, AppError> {
    let mut view = staff_page(&state, &auth, page, &id, &InviteInput::default()).await?;
    view.notice = match q.done.as_str() {
        "resent" => Some(view.page.t(
            "招待のメールを送り直しました。前のリンクは使えなくなりました（新しいリンクは7日間有効）。",
            "The invitation was sent again; the previous link no longer works (the new one is valid for 7 days).",
        )),
        "withdrawn" => Some(view.page.t(
            "招待を取り消しました。招待のリンクは使えなくなりました。",
            "The invitation was withdrawn; its link no longer works.",
        )),
        "role_changed" => Some(view.page.t("役割を変更しました。", "The role was changed.")),
        _ => None,
    }
    .map(str::to_owned);
    rendered(StatusCode::OK, view)
}

/// A new invitation link for `email`, recorded and mailed in one unit; replacing `old` (a
/// resend) in the same unit.
async fn send_invitation(
    state: &AppState,
    id: &str,
    org_name: &str,
    email: &Email,
    role: OrgRole,
    old: Option<&str>,
    me: &crate::auth::SignedIn,
) -> Result<(), AppError> {
    let token = random_token()?;
    let hash = token_digest(&token);
    let mail = mail::invitation(
        state,
        email.as_str(),
        org_name,
        role.label(false),
        role.label(true),
        &token,
    );
    koshu_workflow::organisations::invite(
        &state.workflow,
        &NewToken {
            token_hash: &hash,
            purpose: TokenPurpose::Invitation,
            email,
            organisation_id: Some(id),
            role: Some(role),
            expires_at: state.clock.now() + Duration::days(7),
        },
        mail,
        old,
        &koshu_workflow::account_actor(&me.account.id),
    )
    .await?;
    Ok(())
}

fn back_to_staff(page: &PageCtx, id: &str, done: &str) -> Response {
    Redirect::to(&format!(
        "{}?done={done}",
        page.href(&format!("/organisations/{id}/staff"))
    ))
    .into_response()
}

/// A new link for an invitation not yet accepted (the old link stops working).
pub async fn resend_invitation(
    State(state): State<AppState>,
    auth: AuthContext,
    page: PageCtx,
    Path((id, invitation)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let me = auth.require(Action::ManageStaff(&id))?;
    let record = state
        .store
        .organisation(&id)
        .await?
        .ok_or(AppError::NotFound)?;
    let pending = state
        .store
        .pending_invitations(&id, state.clock.now())
        .await?
        .into_iter()
        .find(|i| i.id == invitation)
        .ok_or(AppError::NotFound)?;
    let email = Email::parse(&pending.email)?;
    send_invitation(
        &state,
        &id,
        &record.organisation.name_ja,
        &email,
        pending.role,
        Some(&invitation),
        me,
    )
    .await?;
    Ok(back_to_staff(&page, &id, "resent"))
}

pub async fn withdraw_invitation(
    State(state): State<AppState>,
    auth: AuthContext,
    page: PageCtx,
    Path((id, invitation)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let me = auth.require(Action::ManageStaff(&id))?;
    koshu_workflow::organisations::withdraw_invitation(
        &state.workflow,
        &id,
        &invitation,
        &koshu_workflow::account_actor(&me.account.id),
    )
    .await?;
    Ok(back_to_staff(&page, &id, "withdrawn"))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RoleInput {
    role: String,
}

/// An owner changes a member's role; the last owner stays one.
pub async fn change_role(
    State(state): State<AppState>,
    auth: AuthContext,
    page: PageCtx,
    Path((id, account)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, AppError> {
    let me = auth.require(Action::ManageStaff(&id))?;
    let input: RoleInput = parse(&body)?;
    let role = role_of(&input.role)?;
    koshu_workflow::organisations::change_role(
        &state.workflow,
        &id,
        &account,
        role,
        &koshu_workflow::account_actor(&me.account.id),
    )
    .await?;
    Ok(back_to_staff(&page, &id, "role_changed"))
}

pub async fn invite(
    State(state): State<AppState>,
    auth: AuthContext,
    page: PageCtx,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, AppError> {
    let me = auth.require(Action::ManageStaff(&id))?;
    let input: InviteInput = parse(&body)?;
    let email = Email::parse(&input.email).map_err(|e| e.for_field("email"));
    let role = role_of(&input.role);
    let (email, role) = match (email, role) {
        (Ok(e), Ok(r)) => (e, r),
        (e, r) => {
            let errors: Vec<ValidationError> = e.err().into_iter().chain(r.err()).collect();
            let mut view = staff_page(&state, &auth, page, &id, &input).await?;
            view.general_errors = attach_errors(&mut view.fields, &view.page, &errors);
            return rendered(StatusCode::BAD_REQUEST, view);
        }
    };
    let record = state
        .store
        .organisation(&id)
        .await?
        .ok_or(AppError::NotFound)?;
    send_invitation(
        &state,
        &id,
        &record.organisation.name_ja,
        &email,
        role,
        None,
        me,
    )
    .await?;
    let mut view = staff_page(&state, &auth, page, &id, &InviteInput::default()).await?;
    view.notice = Some(format!(
        "{} {}",
        email,
        view.page.t(
            "宛てに招待のメールを送りました（7日間有効）。",
            "— we sent an invitation to this address (valid for 7 days)."
        )
    ));
    rendered(StatusCode::OK, view)
}

#[derive(Debug, Deserialize)]
pub struct TokenQuery {
    token: Option<String>,
}

#[derive(Template)]
#[template(path = "invitation.html")]
struct InvitationPage {
    page: PageCtx,
    org_name: String,
    role: String,
    action: String,
}

fn invalid_invitation(page: &PageCtx) -> Result<Response, AppError> {
    rendered(
        StatusCode::BAD_REQUEST,
        MessagePage::new(
            page,
            page.t("招待が無効です", "This invitation does not work"),
            page.t(
                "招待のリンクが無効か、期限（7日間）が切れているか、すでに使われています。また、招待されたメールアドレスのアカウントでログインしている必要があります。組織の管理者に再送を依頼してください。",
                "The invitation is not valid, has expired (after 7 days), or was used already; and you must be signed in with the invited address. Ask the organisation's owner to invite you again.",
            ),
        ),
    )
}

pub async fn invitation(
    State(state): State<AppState>,
    auth: AuthContext,
    page: PageCtx,
    Query(q): Query<TokenQuery>,
) -> Result<Response, AppError> {
    let me = auth.require(Action::ManageOwnAccount)?;
    let token = q.token.unwrap_or_default();
    let peeked = state
        .store
        .peek_token(
            &token_digest(&token),
            TokenPurpose::Invitation,
            state.clock.now(),
        )
        .await?;
    let Some(invite) = peeked.filter(|t| t.email == me.account.email.as_str()) else {
        return invalid_invitation(&page);
    };
    let (Some(org_id), Some(role)) = (invite.organisation_id, invite.role) else {
        return invalid_invitation(&page);
    };
    let record = state
        .store
        .organisation(&org_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let view = InvitationPage {
        org_name: record.organisation.name_ja,
        role: role.label(page.lang.is_en()).to_owned(),
        action: format!(
            "{}?token={}",
            page.href("/invitations/accept"),
            view::url_encode(&token)
        ),
        page,
    };
    rendered(StatusCode::OK, view)
}

pub async fn accept_invitation(
    State(state): State<AppState>,
    auth: AuthContext,
    page: PageCtx,
    headers: HeaderMap,
    Query(q): Query<TokenQuery>,
) -> Result<Response, AppError> {
    let me = auth.require(Action::ManageOwnAccount)?;
    let hash = token_digest(&q.token.unwrap_or_default());
    let Some(org_id) = koshu_workflow::organisations::accept_invitation(
        &state.workflow,
        &hash,
        &me.account.id,
        me.account.email.as_str(),
    )
    .await?
    else {
        return invalid_invitation(&page);
    };
    // A new role is a change of privilege: the session gets a new id.
    let cookie = start_session(&state, &headers, &me.account.id, SessionStage::Full).await?;
    Ok(redirect_with_cookie(
        &page.href(&format!("/organisations/{org_id}")),
        cookie,
    ))
}

// API tokens (issue 14 item 3): an owner creates them for the organisation's own systems.

struct TokenRow {
    name: String,
    scope: String,
    hint: String,
    created: String,
    expires: String,
    last_used: String,
    live: bool,
    state: String,
    revoke: String,
}

#[derive(Template)]
#[template(path = "api_tokens.html")]
struct TokensPage {
    page: PageCtx,
    org_name: String,
    org_href: String,
    action: String,
    fields: Vec<FormField>,
    general_errors: Vec<String>,
    rows: Vec<TokenRow>,
    /// The token just created: its secret is shown this once.
    created: Option<CreatedToken>,
    api_href: String,
}

impl TokensPage {
    fn error_count(&self) -> usize {
        self.general_errors.len() + self.fields.iter().filter(|f| f.error.is_some()).count()
    }
}

/// A token just created, as the page shows it once.
struct CreatedToken {
    secret: String,
    /// For an LRS client: the endpoint and the Basic auth user name (the token's id).
    lrs: Option<(String, String)>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct TokenForm {
    name: String,
    scope: String,
    days: String,
}

/// How long a new token may live, in days: the choices of the form.
const TOKEN_DAYS: [i64; 3] = [30, 90, 365];

async fn tokens_page(
    state: &AppState,
    page: PageCtx,
    id: &str,
    form: &TokenForm,
    errors: &[ValidationError],
    created: Option<CreatedToken>,
) -> Result<TokensPage, AppError> {
    let record = state
        .store
        .organisation(id)
        .await?
        .ok_or(AppError::NotFound)?;
    let now = state.clock.now();
    let t = |ja: &str, en: &str| page.t(ja, en).to_owned();
    let rows = state
        .store
        .api_tokens_of(id)
        .await?
        .into_iter()
        .map(|k| {
            let live = k.revoked_at.is_none() && k.expires_at > now;
            TokenRow {
                state: match (k.revoked_at, live) {
                    (Some(at), _) => format!(
                        "{}（{}）",
                        t("失効", "Revoked"),
                        view::date_time(page.lang, at)
                    ),
                    (None, true) => t("有効", "Active"),
                    (None, false) => t("期限切れ", "Expired"),
                },
                name: k.name,
                scope: match TokenScope::from_code(&k.scope) {
                    Some(TokenScope::Write) => t("読み書き", "Read and write"),
                    Some(TokenScope::Xapi) => {
                        t("学習記録の送信（xAPI）", "Learning records (xAPI)")
                    }
                    _ => t("読み取りのみ", "Read only"),
                },
                hint: format!("{}…", k.hint),
                created: view::date_time(page.lang, k.created_at),
                expires: view::date(
                    page.lang,
                    k.expires_at.to_offset(koshu_workflow::JST).date(),
                ),
                last_used: k
                    .last_used_at
                    .map_or_else(|| t("未使用", "Never"), |at| view::date_time(page.lang, at)),
                live,
                revoke: page.href(&format!("/organisations/{id}/tokens/{}/revoke", k.id)),
            }
        })
        .collect();
    let mut fields = vec![
        FormField::new(
            "name",
            &t(
                "名前（どのシステムで使うか）",
                "Name (the system that uses it)",
            ),
            "text",
        )
        .value(&form.name),
        FormField::new("scope", &t("できること", "What it may do"), "radio")
            .value(if form.scope.is_empty() {
                "read"
            } else {
                &form.scope
            })
            .options(vec![
                (
                    "read".into(),
                    t(
                        "読み取りのみ（講座と開催回の取得）",
                        "Read only (get programmes and sessions)",
                    ),
                ),
                (
                    "write".into(),
                    t(
                        "読み書き（登録・更新・公開・掲載終了も）",
                        "Read and write (also list, update, publish, withdraw)",
                    ),
                ),
                (
                    "xapi".into(),
                    t(
                        "学習記録の送信（自組織の LMS から xAPI の LRS へ。Basic 認証）",
                        "Learning records (your LMS sends xAPI statements to the LRS; Basic auth)",
                    ),
                ),
            ]),
        FormField::new("days", &t("有効期間", "Valid for"), "select")
            .value(if form.days.is_empty() {
                "90"
            } else {
                &form.days
            })
            .options(
                TOKEN_DAYS
                    .iter()
                    .map(|d| (d.to_string(), format!("{d}{}", t("日", " days"))))
                    .collect(),
            ),
    ];
    let general = attach_errors(&mut fields, &page, errors);
    Ok(TokensPage {
        org_name: record.organisation.name_ja,
        org_href: page.href(&format!("/organisations/{id}")),
        action: page.href(&format!("/organisations/{id}/tokens")),
        api_href: page.href("/api"),
        fields,
        general_errors: general,
        rows,
        created,
        page,
    })
}

pub async fn tokens(
    State(state): State<AppState>,
    auth: AuthContext,
    page: PageCtx,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    auth.require(Action::ManageStaff(&id))?;
    let view = tokens_page(&state, page, &id, &TokenForm::default(), &[], None).await?;
    rendered(StatusCode::OK, view)
}

pub async fn create_token(
    State(state): State<AppState>,
    auth: AuthContext,
    page: PageCtx,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, AppError> {
    let me = auth.require(Action::ManageStaff(&id))?;
    let form: TokenForm = parse(&body)?;
    let mut errors = Vec::new();
    let name = form.name.trim();
    if name.is_empty() {
        errors.push(
            ValidationError::new(
                "token.name",
                "トークンの名前を入力してください。",
                "Give the token a name.",
            )
            .for_field("name"),
        );
    }
    let scope = TokenScope::from_code(&form.scope);
    if scope.is_none() {
        errors.push(
            ValidationError::new(
                "token.scope",
                "できること（読み取りのみ・読み書き・学習記録の送信）を選んでください。",
                "Choose what it may do (read only, read and write, or learning records).",
            )
            .for_field("scope"),
        );
    }
    let days = form
        .days
        .parse::<i64>()
        .ok()
        .filter(|d| TOKEN_DAYS.contains(d));
    if days.is_none() {
        errors.push(
            ValidationError::new(
                "token.days",
                "有効期間を選んでください。",
                "Choose how long it is valid.",
            )
            .for_field("days"),
        );
    }
    let (Some(scope), Some(days), true) = (scope, days, errors.is_empty()) else {
        let view = tokens_page(&state, page, &id, &form, &errors, None).await?;
        return rendered(StatusCode::BAD_REQUEST, view);
    };
    let issued = koshu_workflow::api_tokens::create(
        &state.workflow,
        &id,
        name,
        scope,
        Duration::days(days),
        &koshu_workflow::account_actor(&me.account.id),
    )
    .await?;
    let lrs = (scope == TokenScope::Xapi)
        .then(|| (format!("{}/xapi/", state.settings.public_url), issued.id));
    let created = CreatedToken {
        secret: issued.secret,
        lrs,
    };
    let view = tokens_page(&state, page, &id, &TokenForm::default(), &[], Some(created)).await?;
    rendered(StatusCode::CREATED, view)
}

pub async fn revoke_token(
    State(state): State<AppState>,
    auth: AuthContext,
    page: PageCtx,
    Path((id, token)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let me = auth.require(Action::ManageStaff(&id))?;
    koshu_workflow::api_tokens::revoke(
        &state.workflow,
        &id,
        &token,
        &koshu_workflow::account_actor(&me.account.id),
    )
    .await?;
    Ok(Redirect::to(&page.href(&format!("/organisations/{id}/tokens"))).into_response())
}
