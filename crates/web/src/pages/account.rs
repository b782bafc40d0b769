//! Signing up, signing in (with the second factor), signing out, password reset, and one's
//! own account: sessions and two-factor authentication (G02). Messages never reveal whether an
//! address has an account; failures are counted for rate limits and written to the audit log.

use super::forms::{FormField, FormPage, PasskeyStep, parse};
use crate::AppState;
use crate::auth::{
    AuthContext, ClientAddr, SESSION_COOKIE, cookie, password, random_bytes, random_token,
    session_csrf, set_cookie, token_digest,
};
use crate::error::AppError;
use crate::mail;
use crate::pages::rendered;
use crate::view::{self, PageCtx};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use koshu_domain::ValidationError;
use koshu_domain::access::rate_limit::{self, Limit};
use koshu_domain::access::session::{SessionPolicy, SessionState};
use koshu_domain::access::totp::TotpSecret;
use koshu_domain::access::{Action, Email, NewPassword, SafeNextPath};
use koshu_domain::audit::AuditEvent;
use koshu_domain::types::text::{TextKind, check_controls};
use koshu_store::accounts::{
    self as store, Attempt, NewAccount, NewToken, SessionStage, TokenPurpose,
};
use serde::Deserialize;
use time::Duration;

const ISSUER: &str = "Koshu";

/// Where to go after signing in: a path on this site only, never another host.
pub(super) fn safe_next(next: Option<&str>, page: &PageCtx) -> String {
    next.and_then(SafeNextPath::parse)
        .map_or_else(|| page.href("/account"), |n| n.as_str().to_owned())
}

/// Attempts counted and recorded together under their limits (G02); `Err` when a limit is
/// reached already, and then none is recorded.
pub(crate) async fn take_attempts(
    state: &AppState,
    attempts: &[Attempt<'_>],
) -> Result<Taken, AppError> {
    let at = state.clock.now();
    match state.store.take_attempts(attempts, at).await? {
        store::Taken::Allowed => Ok(Taken { at }),
        store::Taken::Limited(i) => Err(AppError::RateLimited {
            minutes: attempts.get(i).map_or(0, |a| a.limit.window_minutes()),
        }),
    }
}

/// Attempts recorded by [`take_attempts`] at one time.
pub(crate) struct Taken {
    at: time::OffsetDateTime,
}

impl Taken {
    /// The attempt of `kind` for `key` succeeded: it no longer counts.
    pub(super) async fn release(
        &self,
        state: &AppState,
        kind: &str,
        key: &str,
    ) -> Result<(), AppError> {
        Ok(state.store.release_attempt(kind, key, self.at).await?)
    }
}

pub(super) fn attempt<'a>(kind: &'a str, key: &'a str, limit: Limit) -> Attempt<'a> {
    Attempt { kind, key, limit }
}

pub(super) async fn audit(
    state: &AppState,
    actor: &str,
    action: &str,
    subject: &str,
) -> Result<(), AppError> {
    state
        .store
        .record_event(AuditEvent::new(state.clock.now(), actor, action, subject))
        .await?;
    Ok(())
}

/// Starts a session for `account_id` at `stage` and returns its cookie, ending the session the
/// browser had before (a new id at every sign-in and privilege change).
pub(super) async fn start_session(
    state: &AppState,
    headers: &HeaderMap,
    account_id: &str,
    stage: SessionStage,
) -> Result<axum::http::HeaderValue, AppError> {
    Ok(start_session_for_page(state, headers, account_id, stage)
        .await?
        .0)
}

/// [`start_session`] for a response that is a page: also the CSRF token its forms need, the
/// new session's.
async fn start_session_for_page(
    state: &AppState,
    headers: &HeaderMap,
    account_id: &str,
    stage: SessionStage,
) -> Result<(axum::http::HeaderValue, String), AppError> {
    if let Some(old) = cookie(headers, SESSION_COOKIE) {
        state.store.delete_session(&token_digest(old)).await?;
    }
    let token = random_token()?;
    let user_agent = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok());
    state
        .store
        .create_session(
            &token_digest(&token),
            account_id,
            stage,
            user_agent,
            state.clock.now(),
        )
        .await?;
    let cookie = set_cookie(SESSION_COOKIE, Some(&token), state.settings.secure_cookies)
        .ok_or_else(|| AppError::internal(CookieError))?;
    Ok((cookie, session_csrf(&token)))
}

#[derive(Debug, thiserror::Error)]
#[error("cookie value could not be built")]
pub(super) struct CookieError;

pub(super) fn redirect_with_cookie(to: &str, cookie: axum::http::HeaderValue) -> Response {
    let mut res = Redirect::to(to).into_response();
    res.headers_mut().append(header::SET_COOKIE, cookie);
    res
}

// Sign-up and address verification.

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SignupInput {
    display_name: String,
    email: String,
    password: String,
}

/// `path`, carrying `next` (where the person was going) when there is one.
fn with_next(path: &str, next: &str) -> String {
    if next.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?next={}", view::url_encode(next))
    }
}

fn signup_page(page: PageCtx, input: &SignupInput, next: &str) -> FormPage {
    let t = |ja: &str, en: &str| page.t(ja, en).to_owned();
    let mut form = FormPage::new(
        page.clone(),
        &t("アカウントの新規登録", "Create an account"),
        &with_next("/signup", next),
        &t("登録する", "Create account"),
    );
    form.intro = vec![t(
        "講座の申込み、修了証の確認、講座の登録や特定講習の申請には、アカウントが必要です。登録後、確認のメールをお送りします。",
        "You need an account to enrol in courses, keep your certificates, register programmes or apply for designation. We will send you a mail to confirm your address.",
    )];
    form.fields = vec![
        FormField::new("display_name", &t("氏名", "Name"), "text")
            .value(&input.display_name)
            .autocomplete("name"),
        FormField::new("email", &t("メールアドレス", "E-mail address"), "email")
            .value(&input.email)
            .autocomplete("email"),
        FormField::new("password", &t("パスワード", "Password"), "password")
            .autocomplete("new-password")
            .hint(&t(
                "10文字以上。覚えやすい長い文がおすすめです。よく使われるパスワードやメールアドレスを含むものは使えません。",
                "At least 10 characters; a long phrase is best. Common passwords and ones containing your address are refused.",
            )),
    ];
    form.links = vec![(
        t(
            "アカウントをお持ちの方はログイン",
            "Already have an account? Sign in",
        ),
        with_next(&page.href("/login"), next),
    )];
    form
}

/// Sign-up, keeping where the person was going (an invitation, issue 13 item 17) through
/// the verification mail and the sign-in after it.
pub async fn signup_form(page: PageCtx, Query(q): Query<NextQuery>) -> Result<Response, AppError> {
    let next = q.next.unwrap_or_default();
    rendered(
        StatusCode::OK,
        signup_page(page, &SignupInput::default(), &next),
    )
}

pub async fn signup(
    State(state): State<AppState>,
    page: PageCtx,
    ClientAddr(addr): ClientAddr,
    Query(q): Query<NextQuery>,
    body: Bytes,
) -> Result<Response, AppError> {
    let input: SignupInput = parse(&body)?;
    // Only a path inside Koshu is kept (the sign-in's own rule).
    let next = q
        .next
        .as_deref()
        .and_then(SafeNextPath::parse)
        .map(|n| n.as_str().to_owned())
        .unwrap_or_default();
    // Every field is checked, so that one submit reports every problem.
    let mut errors = Vec::new();
    let name = input.display_name.trim();
    let name_problem = if name.is_empty() {
        Some(ValidationError::new(
            "display_name.required",
            "氏名を入力してください。",
            "Enter your name.",
        ))
    } else if name.chars().count() > 100 {
        Some(ValidationError::new(
            "display_name.too_long",
            "氏名は100文字以内で入力してください。",
            "Your name must be at most 100 characters.",
        ))
    } else {
        check_controls(name, TextKind::Line).err()
    };
    errors.extend(name_problem.map(|e| e.for_field("display_name")));
    let email = Email::parse(&input.email).map_err(|e| e.for_field("email"));
    let password = match &email {
        Ok(e) => NewPassword::parse(&input.password, e).map(Some),
        Err(_) => NewPassword::check_without_address(&input.password).map(|()| None),
    }
    .map_err(|e| e.for_field("password"));
    let (email, password) = match (email, password) {
        (Ok(e), Ok(Some(p))) if errors.is_empty() => (e, p),
        (email, password) => {
            errors.extend(email.err());
            errors.extend(password.err());
            let form = signup_page(page, &input, &next).with_errors(&errors);
            return rendered(StatusCode::BAD_REQUEST, form);
        }
    };
    take_attempts(
        &state,
        &[attempt("signup", &addr, rate_limit::SIGNUP_PER_ADDRESS)],
    )
    .await?;
    let new = NewAccount {
        id: uuid::Uuid::now_v7().to_string(),
        email: email.clone(),
        display_name: name.to_owned(),
        password_hash: password::hash(password.expose().to_owned()).await?,
    };
    let token = random_token()?;
    let digest = token_digest(&token);
    koshu_workflow::accounts::sign_up(
        &state.workflow,
        &new,
        &verification_link(&state, &digest, &email),
        mail::verify_email(&state, email.as_str(), name, &token, &next),
        mail::already_registered(&state, email.as_str()),
    )
    .await?;
    let t = |ja: &str, en: &str| page.t(ja, en).to_owned();
    let mut done = FormPage::new(
        page.clone(),
        &t("確認メールを送りました", "Check your mail"),
        "/login",
        "",
    );
    done.notice = Some(format!(
        "{} {}",
        email,
        t(
            "宛てに確認のメールを送りました。メールのリンクを開いて登録を完了してください（24時間有効）。届かない場合は迷惑メールフォルダもご確認ください。",
            "— we sent a mail to this address. Open its link within 24 hours to finish signing up. If it does not arrive, check your spam folder.",
        )
    ));
    rendered(StatusCode::OK, MessagePage::from(done))
}

/// The record of a sign-up's verification link (its digest), valid for 24 hours.
fn verification_link<'a>(state: &AppState, digest: &'a str, email: &'a Email) -> NewToken<'a> {
    NewToken {
        token_hash: digest,
        purpose: TokenPurpose::VerifyEmail,
        email,
        organisation_id: None,
        role: None,
        expires_at: state.clock.now() + Duration::hours(24),
    }
}

async fn send_verification(
    state: &AppState,
    email: &Email,
    name: &str,
    next: &str,
) -> Result<(), AppError> {
    let token = random_token()?;
    let digest = token_digest(&token);
    koshu_workflow::accounts::send_verification(
        &state.workflow,
        &verification_link(state, &digest, email),
        mail::verify_email(state, email.as_str(), name, &token, next),
    )
    .await?;
    Ok(())
}

/// A page that only says something: a title, a message, and links.
#[derive(Template)]
#[template(path = "message.html")]
pub struct MessagePage {
    page: PageCtx,
    title: String,
    message: String,
    pub links: Vec<(String, String)>,
}

impl MessagePage {
    pub fn new(page: &PageCtx, title: &str, message: &str) -> Self {
        Self {
            page: page.clone(),
            title: title.to_owned(),
            message: message.to_owned(),
            links: Vec::new(),
        }
    }
}

impl From<FormPage> for MessagePage {
    fn from(f: FormPage) -> Self {
        Self {
            page: f.page,
            title: f.title,
            message: f.notice.unwrap_or_default(),
            links: f.links,
        }
    }
}

fn message(
    page: &PageCtx,
    title: (&str, &str),
    text: (&str, &str),
    links: Vec<(String, String)>,
) -> MessagePage {
    MessagePage {
        page: page.clone(),
        title: page.t(title.0, title.1).to_owned(),
        message: page.t(text.0, text.1).to_owned(),
        links,
    }
}

#[derive(Debug, Deserialize)]
pub struct TokenQuery {
    token: Option<String>,
    /// Where the person was going when they signed up.
    next: Option<String>,
}

pub async fn verify_email(
    State(state): State<AppState>,
    auth: AuthContext,
    page: PageCtx,
    Query(q): Query<TokenQuery>,
) -> Result<Response, AppError> {
    let verified = match q.token.as_deref() {
        Some(t) => {
            koshu_workflow::accounts::verify_email(&state.workflow, &token_digest(t)).await?
        }
        None => false,
    };
    if !verified {
        let links = vec![(
            page.t("ログイン", "Sign in").to_owned(),
            page.href("/login"),
        )];
        return rendered(
            StatusCode::BAD_REQUEST,
            message(
                &page,
                ("リンクが無効です", "This link does not work"),
                (
                    "確認のリンクが無効か、有効期限（24時間）が切れています。ログインして、アカウントページから確認メールを再送してください。",
                    "The link is not valid or has expired (after 24 hours). Sign in and send the mail again from your account page.",
                ),
                links,
            ),
        );
    }
    // The link is often opened in another browser than the one signed in (issue 13 item 17):
    // say what comes next there, and go on to where the person was going.
    let signed_in = auth.viewer.is_some();
    let next = safe_next(q.next.as_deref(), &page);
    let (text, links) = if signed_in {
        (
            (
                "ご登録ありがとうございます。すべての機能をご利用いただけます。",
                "Thank you. Everything is open to you now.",
            ),
            vec![(page.t("続ける", "Continue").to_owned(), next)],
        )
    } else {
        (
            (
                "ご登録ありがとうございます。このブラウザーではまだログインしていません。ログインすると、すべての機能をご利用いただけます。",
                "Thank you. You are not signed in in this browser yet: sign in and everything is open to you.",
            ),
            vec![(
                page.t("ログインする", "Sign in").to_owned(),
                with_next(&page.href("/login"), &next),
            )],
        )
    };
    rendered(
        StatusCode::OK,
        message(
            &page,
            ("メールアドレスを確認しました", "Your address is verified"),
            text,
            links,
        ),
    )
}

pub async fn resend_verification(
    State(state): State<AppState>,
    auth: AuthContext,
    page: PageCtx,
) -> Result<Response, AppError> {
    let me = auth.require(Action::ManageOwnAccount)?;
    if !me.account.email_verified {
        take_attempts(
            &state,
            &[attempt(
                "verify_resend",
                &me.account.id,
                rate_limit::RESET_PER_ACCOUNT,
            )],
        )
        .await?;
        send_verification(&state, &me.account.email, &me.account.display_name, "").await?;
    }
    Ok(Redirect::to(&page.href("/account?sent=verification")).into_response())
}

// Signing in.

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct LoginInput {
    email: String,
    password: String,
    next: String,
}

#[derive(Debug, Deserialize)]
pub struct NextQuery {
    pub(super) next: Option<String>,
}

fn login_page(page: PageCtx, email: &str, next: &str) -> FormPage {
    let t = |ja: &str, en: &str| page.t(ja, en).to_owned();
    let action = if next.is_empty() {
        "/login".to_owned()
    } else {
        format!("/login?next={}", view::url_encode(next))
    };
    let mut form = FormPage::new(
        page.clone(),
        &t("ログイン", "Sign in"),
        &action,
        &t("ログイン", "Sign in"),
    );
    form.fields = vec![
        FormField::new("email", &t("メールアドレス", "E-mail address"), "email")
            .value(email)
            .autocomplete("username"),
        FormField::new("password", &t("パスワード", "Password"), "password")
            .autocomplete("current-password"),
    ];
    form.links = vec![
        (
            t("パスワードをお忘れの方", "Forgot your password?"),
            page.href("/password/forgot"),
        ),
        (
            t("アカウントの新規登録", "Create an account"),
            with_next(&page.href("/signup"), next),
        ),
    ];
    form
}

pub async fn login_form(page: PageCtx, Query(q): Query<NextQuery>) -> Result<Response, AppError> {
    let next = q.next.unwrap_or_default();
    rendered(StatusCode::OK, login_page(page, "", &next))
}

pub async fn login(
    State(state): State<AppState>,
    page: PageCtx,
    headers: HeaderMap,
    ClientAddr(addr): ClientAddr,
    Query(q): Query<NextQuery>,
    body: Bytes,
) -> Result<Response, AppError> {
    let input: LoginInput = parse(&body)?;
    let next = q.next.unwrap_or(input.next);
    // The key the account is looked up by, so that no spelling of one address escapes the limit.
    let typed = Email::normalise(&input.email);
    let taken =
        match take_attempts(
            &state,
            &[
                attempt("login_account", &typed, rate_limit::LOGIN_PER_ACCOUNT),
                attempt("login_address", &addr, rate_limit::LOGIN_PER_ADDRESS),
            ],
        )
        .await
        {
            Ok(taken) => taken,
            Err(e) => {
                let body = e.body(None);
                let form = login_page(page.clone(), &input.email, &next).with_errors(&[
                    ValidationError::new("auth.rate_limited", body.message_ja, body.message_en),
                ]);
                return rendered(StatusCode::TOO_MANY_REQUESTS, form);
            }
        };
    let account = match Email::parse(&input.email) {
        Ok(email) => state.store.account_by_email(&email).await?,
        Err(_) => None,
    };
    let ok = password::verify(
        input.password.clone(),
        account.as_ref().map(|a| a.password_hash.clone()),
    )
    .await?;
    let now = state.clock.now();
    let account = match (ok, account) {
        (true, Some(a)) => a,
        (_, account) => {
            let subject =
                account.map_or_else(|| format!("email:{typed}"), |a| format!("account:{}", a.id));
            audit(
                &state,
                &format!("client:{addr}"),
                "auth.sign_in_failed",
                &subject,
            )
            .await?;
            let form =
                login_page(page.clone(), &input.email, &next).with_errors(&[ValidationError::new(
                    "auth.wrong_credentials",
                    "メールアドレスまたはパスワードが正しくありません。",
                    "The e-mail address or the password is not right.",
                )]);
            return rendered(StatusCode::UNAUTHORIZED, form);
        }
    };
    state
        .store
        .clear_attempts("login_account", &typed, now - Duration::days(1))
        .await?;
    taken.release(&state, "login_address", &addr).await?;
    let next = safe_next(
        Some(&next).filter(|n| !n.is_empty()).map(String::as_str),
        &page,
    );
    if account.has_second_factor() {
        let cookie =
            start_session(&state, &headers, &account.id, SessionStage::SecondFactor).await?;
        let to = format!(
            "{}?next={}",
            page.href("/login/second-factor"),
            view::url_encode(&next)
        );
        return Ok(redirect_with_cookie(&to, cookie));
    }
    let cookie = start_session(&state, &headers, &account.id, SessionStage::Full).await?;
    audit(
        &state,
        &format!("account:{}", account.id),
        "auth.sign_in",
        &format!("account:{}", account.id),
    )
    .await?;
    Ok(redirect_with_cookie(&next, cookie))
}

/// The half-signed-in session (password right, code pending), when it is still fresh.
pub(super) async fn pending_second_factor(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<Option<(String, koshu_store::accounts::Account)>, AppError> {
    let Some(token) = cookie(headers, SESSION_COOKIE) else {
        return Ok(None);
    };
    let hash = token_digest(token);
    let Some(session) = state.store.session(&hash).await? else {
        return Ok(None);
    };
    // Ten minutes to type the code.
    let policy = SessionPolicy {
        idle: Duration::minutes(10),
        absolute: Duration::minutes(10),
        ..SessionPolicy::default()
    };
    let live = matches!(
        policy.state(session.created_at, session.last_seen_at, state.clock.now()),
        SessionState::Live { .. }
    );
    if session.stage != SessionStage::SecondFactor || !live {
        return Ok(None);
    }
    Ok(state
        .store
        .account(&session.account_id)
        .await?
        .map(|a| (hash, a)))
}

fn second_factor_page(
    state: &AppState,
    page: PageCtx,
    next: &str,
    account: &koshu_store::accounts::Account,
) -> FormPage {
    let t = |ja: &str, en: &str| page.t(ja, en).to_owned();
    let action = format!("/login/second-factor?next={}", view::url_encode(next));
    let mut form = FormPage::new(
        page.clone(),
        &t("本人確認（二要素認証）", "Confirm it is you"),
        &action,
        &t("確認する", "Verify"),
    );
    if account.totp_enabled {
        form.intro = vec![t(
            "認証アプリに表示されている6桁の確認コードを入力してください。スマートフォンを使えない場合は、リカバリーコード（例：abcd-efgh）を入力できます。",
            "Enter the 6-digit code your authenticator app shows. If you cannot use your phone, enter one of your recovery codes (such as abcd-efgh).",
        )];
    }
    form.fields = vec![
        FormField::new("code", &t("確認コード", "Code"), "text").autocomplete("one-time-code"),
    ];
    if account.passkeys > 0 && state.settings.passkeys.is_some() {
        form.passkey = Some(PasskeyStep {
            options: page.href("/login/passkey/options"),
            finish: format!(
                "{}?next={}",
                page.href("/login/passkey"),
                view::url_encode(next)
            ),
            only: !account.totp_enabled,
        });
    }
    form
}

pub async fn second_factor_form(
    State(state): State<AppState>,
    page: PageCtx,
    headers: HeaderMap,
    Query(q): Query<NextQuery>,
) -> Result<Response, AppError> {
    let Some((_, account)) = pending_second_factor(&state, &headers).await? else {
        return Ok(Redirect::to(&page.href("/login")).into_response());
    };
    let next = safe_next(q.next.as_deref(), &page);
    rendered(
        StatusCode::OK,
        second_factor_page(&state, page, &next, &account),
    )
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CodeInput {
    code: String,
}

/// Normalises a recovery code as typed (`ABCD-EFGH`, `abcd efgh`) for hashing.
fn recovery_digest(typed: &str) -> String {
    let normal: String = typed
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    token_digest(&normal)
}

pub async fn second_factor(
    State(state): State<AppState>,
    page: PageCtx,
    headers: HeaderMap,
    Query(q): Query<NextQuery>,
    body: Bytes,
) -> Result<Response, AppError> {
    let input: CodeInput = parse(&body)?;
    let Some((_, account)) = pending_second_factor(&state, &headers).await? else {
        return Ok(Redirect::to(&page.href("/login")).into_response());
    };
    let next = safe_next(q.next.as_deref(), &page);
    let limit = rate_limit::SECOND_FACTOR_PER_ACCOUNT;
    let taken = match take_attempts(&state, &[attempt("second_factor", &account.id, limit)]).await {
        Ok(taken) => taken,
        Err(e) => {
            let body = e.body(None);
            let form = second_factor_page(&state, page, &next, &account).with_errors(&[
                ValidationError::new("auth.rate_limited", body.message_ja, body.message_en),
            ]);
            return rendered(StatusCode::TOO_MANY_REQUESTS, form);
        }
    };
    let now = state.clock.now();
    let by_code = match &account.totp_secret {
        Some(secret) if account.totp_enabled => {
            match secret.verify(&input.code, now.unix_timestamp(), account.totp_last_step) {
                Some(step) => state.store.record_totp_step(&account.id, step).await?,
                None => false,
            }
        }
        _ => false,
    };
    let ok = by_code
        || state
            .store
            .use_recovery_code(&account.id, &recovery_digest(&input.code), now)
            .await?;
    let subject = format!("account:{}", account.id);
    if !ok {
        audit(&state, &subject, "auth.second_factor_failed", &subject).await?;
        let form =
            second_factor_page(&state, page, &next, &account).with_errors(&[ValidationError::new(
                "auth.wrong_code",
                "確認コードが正しくありません。最新のコードを入力してください。",
                "The code is not right. Please enter the latest code.",
            )
            .for_field("code")]);
        return rendered(StatusCode::UNAUTHORIZED, form);
    }
    taken.release(&state, "second_factor", &account.id).await?;
    let cookie = start_session(&state, &headers, &account.id, SessionStage::Full).await?;
    audit(&state, &subject, "auth.sign_in", &subject).await?;
    Ok(redirect_with_cookie(&next, cookie))
}

pub async fn logout(
    State(state): State<AppState>,
    auth: AuthContext,
    page: PageCtx,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    if let Some(token) = cookie(&headers, SESSION_COOKIE) {
        state.store.delete_session(&token_digest(token)).await?;
    }
    if let Some(me) = &auth.viewer {
        let subject = format!("account:{}", me.account.id);
        audit(&state, &subject, "auth.sign_out", &subject).await?;
    }
    let clear = set_cookie(SESSION_COOKIE, None, state.settings.secure_cookies)
        .ok_or_else(|| AppError::internal(CookieError))?;
    Ok(redirect_with_cookie(&page.href("/"), clear))
}

// Password reset.

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ForgotInput {
    email: String,
}

fn forgot_page(page: PageCtx, email: &str) -> FormPage {
    let t = |ja: &str, en: &str| page.t(ja, en).to_owned();
    let mut form = FormPage::new(
        page.clone(),
        &t("パスワードの再設定", "Reset your password"),
        "/password/forgot",
        &t("再設定のメールを送る", "Send the reset mail"),
    );
    form.intro = vec![t(
        "登録したメールアドレスを入力してください。再設定用のリンクをお送りします。",
        "Enter the address you signed up with. We will send you a link to choose a new password.",
    )];
    form.fields = vec![
        FormField::new("email", &t("メールアドレス", "E-mail address"), "email")
            .value(email)
            .autocomplete("email"),
    ];
    form
}

pub async fn forgot_form(page: PageCtx) -> Result<Response, AppError> {
    rendered(StatusCode::OK, forgot_page(page, ""))
}

pub async fn forgot(
    State(state): State<AppState>,
    page: PageCtx,
    ClientAddr(addr): ClientAddr,
    body: Bytes,
) -> Result<Response, AppError> {
    let input: ForgotInput = parse(&body)?;
    let email = match Email::parse(&input.email) {
        Ok(e) => e,
        Err(e) => {
            let form = forgot_page(page, &input.email).with_errors(&[e.for_field("email")]);
            return rendered(StatusCode::BAD_REQUEST, form);
        }
    };
    take_attempts(
        &state,
        &[attempt(
            "reset_address",
            &addr,
            rate_limit::RESET_PER_ADDRESS,
        )],
    )
    .await?;
    let now = state.clock.now();
    // Per typed address too, so nobody can flood someone's mailbox; the page says the same.
    if let Some(account) = state.store.account_by_email(&email).await?
        && take_attempts(
            &state,
            &[attempt(
                "reset_account",
                email.as_str(),
                rate_limit::RESET_PER_ACCOUNT,
            )],
        )
        .await
        .is_ok()
    {
        let token = random_token()?;
        state
            .store
            .create_token(&NewToken {
                token_hash: &token_digest(&token),
                purpose: TokenPurpose::ResetPassword,
                email: &account.email,
                organisation_id: None,
                role: None,
                expires_at: now + Duration::hours(1),
            })
            .await?;
        mail::send(
            &state,
            mail::reset_password(&state, account.email.as_str(), &token),
        )
        .await?;
    }
    rendered(
        StatusCode::OK,
        message(
            &page,
            ("メールを確認してください", "Check your mail"),
            (
                "入力されたメールアドレスのアカウントがあれば、パスワード再設定のリンクを送りました（1時間有効）。届かない場合は、迷惑メールフォルダと入力したアドレスをご確認ください。",
                "If there is an account with this address, we sent it a link to reset the password (valid for one hour). If nothing arrives, check your spam folder and the address you typed.",
            ),
            vec![],
        ),
    )
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ResetInput {
    token: String,
    password: String,
}

fn reset_page(page: PageCtx, token: &str) -> FormPage {
    let t = |ja: &str, en: &str| page.t(ja, en).to_owned();
    let action = format!("/password/reset?token={}", view::url_encode(token));
    let mut form = FormPage::new(
        page.clone(),
        &t("新しいパスワードの設定", "Choose a new password"),
        &action,
        &t("パスワードを変更する", "Change password"),
    );
    form.intro = vec![t(
        "変更すると、すべての端末でログアウトします。新しいパスワードでログインしてください。",
        "Changing it signs you out everywhere; then sign in with the new password.",
    )];
    form.fields = vec![
        FormField::new(
            "password",
            &t("新しいパスワード", "New password"),
            "password",
        )
        .autocomplete("new-password")
        .hint(&t("10文字以上。", "At least 10 characters.")),
    ];
    form
}

pub async fn reset_form(page: PageCtx, Query(q): Query<TokenQuery>) -> Result<Response, AppError> {
    rendered(
        StatusCode::OK,
        reset_page(page, q.token.as_deref().unwrap_or("")),
    )
}

pub async fn reset(
    State(state): State<AppState>,
    page: PageCtx,
    Query(q): Query<TokenQuery>,
    body: Bytes,
) -> Result<Response, AppError> {
    let input: ResetInput = parse(&body)?;
    let token = q.token.unwrap_or(input.token);
    let now = state.clock.now();
    let hash = token_digest(&token);
    let peeked = state
        .store
        .peek_token(&hash, TokenPurpose::ResetPassword, now)
        .await?;
    let account = match peeked.and_then(|t| Email::parse(&t.email).ok()) {
        Some(email) => state.store.account_by_email(&email).await?,
        None => None,
    };
    let Some(account) = account else {
        let links = vec![(
            page.t("もう一度申し込む", "Ask again").to_owned(),
            page.href("/password/forgot"),
        )];
        return rendered(
            StatusCode::BAD_REQUEST,
            message(
                &page,
                ("リンクが無効です", "This link does not work"),
                (
                    "再設定のリンクが無効か、有効期限（1時間）が切れているか、すでに使われています。もう一度お申し込みください。",
                    "The reset link is not valid, has expired (after one hour), or was used already. Please ask again.",
                ),
                links,
            ),
        );
    };
    let password = match NewPassword::parse(&input.password, &account.email) {
        Ok(p) => p,
        Err(e) => {
            let form = reset_page(page, &token).with_errors(&[e.for_field("password")]);
            return rendered(StatusCode::BAD_REQUEST, form);
        }
    };
    let hashed = password::hash(password.expose().to_owned()).await?;
    if !koshu_workflow::accounts::reset_password(&state.workflow, &hash, &account.id, &hashed)
        .await?
    {
        return Err(AppError::NotFound);
    }
    let links = vec![(
        page.t("ログイン", "Sign in").to_owned(),
        page.href("/login"),
    )];
    rendered(
        StatusCode::OK,
        message(
            &page,
            ("パスワードを変更しました", "Your password is changed"),
            (
                "新しいパスワードでログインしてください。",
                "Please sign in with your new password.",
            ),
            links,
        ),
    )
}

// One's own account.

struct SessionView {
    started: String,
    last_seen: String,
    device: String,
    current: bool,
}

struct MembershipView {
    name: String,
    role: String,
    href: String,
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    page: PageCtx,
    name: String,
    email: String,
    verified: bool,
    verification_sent: bool,
    second_factor: bool,
    second_factor_required: bool,
    recovery_codes_left: i64,
    ministry_role: Option<String>,
    expert: bool,
    administrator: bool,
    sessions: Vec<SessionView>,
    memberships: Vec<MembershipView>,
}

#[derive(Debug, Deserialize)]
pub struct AccountQuery {
    sent: Option<String>,
}

pub async fn overview(
    State(state): State<AppState>,
    auth: AuthContext,
    page: PageCtx,
    Query(q): Query<AccountQuery>,
) -> Result<Response, AppError> {
    let me = auth.require(Action::ManageOwnAccount)?;
    let a = &me.account;
    let lang = page.lang;
    let sessions = state
        .store
        .sessions_of(&a.id)
        .await?
        .into_iter()
        .map(|s| SessionView {
            started: view::date_time(lang, s.created_at),
            last_seen: view::date_time(lang, s.last_seen_at),
            device: s.user_agent.unwrap_or_default(),
            current: s.token_hash == me.session_hash,
        })
        .collect();
    let memberships = state
        .store
        .memberships_of(&a.id)
        .await?
        .into_iter()
        .map(|m| MembershipView {
            href: page.href(&format!("/organisations/{}", m.organisation_id)),
            name: m.name_ja,
            role: m.role.label(lang.is_en()).to_owned(),
        })
        .collect();
    let ministry_role = a.ministry_role.map(|r| {
        match r {
            koshu_domain::access::MinistryRole::Reviewer => {
                page.t("審査担当（経済産業省）", "Reviewer (METI)")
            }
            koshu_domain::access::MinistryRole::Administrator => {
                page.t("管理者（経済産業省）", "Administrator (METI)")
            }
            koshu_domain::access::MinistryRole::Registrar => {
                page.t("登録事務（IPA）", "Registrar (IPA)")
            }
        }
        .to_owned()
    });
    let view = AccountPage {
        name: a.display_name.clone(),
        email: a.email.to_string(),
        verified: a.email_verified,
        verification_sent: q.sent.as_deref() == Some("verification"),
        second_factor: a.totp_enabled,
        second_factor_required: me.principal.needs_second_factor(),
        recovery_codes_left: state.store.unused_recovery_codes(&a.id).await?,
        ministry_role,
        expert: a.expert,
        administrator: a.ministry_role == Some(koshu_domain::access::MinistryRole::Administrator),
        sessions,
        memberships,
        page,
    };
    rendered(StatusCode::OK, view)
}

pub async fn end_all_sessions(
    State(state): State<AppState>,
    auth: AuthContext,
    page: PageCtx,
) -> Result<Response, AppError> {
    let me = auth.require(Action::ManageOwnAccount)?;
    state.store.delete_sessions_of(&me.account.id).await?;
    let subject = format!("account:{}", me.account.id);
    audit(&state, &subject, "auth.sign_out_everywhere", &subject).await?;
    let clear = set_cookie(SESSION_COOKIE, None, state.settings.secure_cookies)
        .ok_or_else(|| AppError::internal(CookieError))?;
    Ok(redirect_with_cookie(&page.href("/login"), clear))
}

// Two-factor authentication.

#[derive(Template)]
#[template(path = "two_factor.html")]
struct TwoFactorPage {
    page: PageCtx,
    enabled: bool,
    required: bool,
    /// Set-up: the key grouped for typing, and the otpauth URI.
    secret: String,
    uri: String,
    qr_src: String,
    fields: Vec<FormField>,
    general_errors: Vec<String>,
    /// Shown once, right after set-up.
    recovery_codes: Vec<String>,
    notice: Option<String>,
    passkeys: Vec<PasskeyRow>,
    /// WebAuthn works at this site's address.
    passkeys_available: bool,
    /// False when the role requires a second factor and this passkey is the last one.
    can_remove_passkey: bool,
}

struct PasskeyRow {
    name: String,
    created: String,
    last_used: String,
    remove_path: String,
}

impl TwoFactorPage {
    fn error_count(&self) -> usize {
        self.general_errors.len() + self.fields.iter().filter(|f| f.error.is_some()).count()
    }
}

fn code_field(page: &PageCtx, error: Option<String>) -> FormField {
    let mut f = FormField::new(
        "code",
        page.t("確認コード（6桁）", "Code (6 digits)"),
        "text",
    )
    .autocomplete("one-time-code");
    f.error = error;
    f
}

async fn two_factor_view(
    state: &AppState,
    page: PageCtx,
    me: &crate::auth::SignedIn,
    error: Option<String>,
) -> Result<TwoFactorPage, AppError> {
    let a = &me.account;
    let never = page.t("未使用", "Never").to_owned();
    let passkeys = state
        .store
        .passkeys_of(&a.id)
        .await?
        .into_iter()
        .map(|p| PasskeyRow {
            created: view::date_time(page.lang, p.created_at),
            last_used: p
                .last_used_at
                .map_or_else(|| never.clone(), |t| view::date_time(page.lang, t)),
            remove_path: format!("/account/passkeys/{}/delete", p.id),
            name: p.name,
        })
        .collect::<Vec<_>>();
    let (secret, uri) = if a.totp_enabled {
        (String::new(), String::new())
    } else {
        let secret = match &a.totp_secret {
            Some(s) => s.clone(),
            None => {
                let s = TotpSecret::from_bytes(random_bytes::<20>()?);
                state.store.set_pending_totp(&a.id, &s).await?;
                s
            }
        };
        let grouped = secret
            .base32()
            .as_bytes()
            .chunks(4)
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect::<Vec<_>>()
            .join(" ");
        (grouped, secret.otpauth_uri(ISSUER, a.email.as_str()))
    };
    Ok(TwoFactorPage {
        enabled: a.totp_enabled,
        required: me.principal.needs_second_factor(),
        can_remove_passkey: !me.principal.needs_second_factor()
            || a.totp_enabled
            || passkeys.len() > 1,
        passkeys,
        passkeys_available: state.settings.passkeys.is_some(),
        notice: None,
        secret,
        uri,
        qr_src: page.href("/account/two-factor/qr.svg"),
        fields: vec![code_field(&page, error)],
        general_errors: Vec::new(),
        recovery_codes: Vec::new(),
        page,
    })
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct TwoFactorQuery {
    /// `passkey-added` after a passkey was registered, `passkey-removed` after one was removed.
    done: String,
}

pub async fn two_factor_page(
    State(state): State<AppState>,
    auth: AuthContext,
    page: PageCtx,
    Query(q): Query<TwoFactorQuery>,
) -> Result<Response, AppError> {
    let me = auth.require(Action::ManageOwnAccount)?;
    let notice = match q.done.as_str() {
        "passkey-added" => Some(page.t("パスキーを登録しました。", "The passkey is registered.")),
        "passkey-removed" => Some(page.t("パスキーを削除しました。", "The passkey is removed.")),
        _ => None,
    }
    .map(str::to_owned);
    let mut view = two_factor_view(&state, page, me, None).await?;
    view.notice = notice;
    rendered(StatusCode::OK, view)
}

/// Ten single-use codes like `k7qm-2xpa`, from an alphabet without look-alike characters.
fn new_recovery_codes() -> Result<Vec<String>, AppError> {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let bytes = random_bytes::<80>()?;
    Ok(bytes
        .chunks(8)
        .map(|chunk| {
            let chars: String = chunk
                .iter()
                .map(|b| char::from(ALPHABET[usize::from(*b) % ALPHABET.len()]))
                .collect();
            format!("{}-{}", &chars[..4], &chars[4..])
        })
        .collect())
}

pub async fn two_factor_confirm(
    State(state): State<AppState>,
    auth: AuthContext,
    page: PageCtx,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, AppError> {
    let me = auth.require(Action::ManageOwnAccount)?;
    let input: CodeInput = parse(&body)?;
    let a = &me.account;
    let now = state.clock.now();
    let step = match (&a.totp_secret, a.totp_enabled) {
        (Some(secret), false) => secret.verify(&input.code, now.unix_timestamp(), None),
        _ => None,
    };
    let Some(step) = step else {
        let error = page
            .t(
                "確認コードが正しくありません。認証アプリに表示されている最新の6桁を入力してください。",
                "The code is not right. Enter the latest 6 digits your authenticator app shows.",
            )
            .to_owned();
        return rendered(
            StatusCode::BAD_REQUEST,
            two_factor_view(&state, page, me, Some(error)).await?,
        );
    };
    let codes = new_recovery_codes()?;
    let hashes: Vec<String> = codes.iter().map(|c| recovery_digest(c)).collect();
    state.store.enable_totp(&a.id, step, &hashes, now).await?;
    // Stronger authentication is a change of privilege: the session gets a new id.
    let (cookie, csrf) =
        start_session_for_page(&state, &headers, &a.id, SessionStage::Full).await?;
    let page = PageCtx { csrf, ..page };
    let mut view = two_factor_view(&state, page, me, None).await?;
    view.enabled = true;
    view.recovery_codes = codes;
    let mut res = rendered(StatusCode::OK, view)?;
    res.headers_mut().append(header::SET_COOKIE, cookie);
    Ok(res)
}

pub async fn two_factor_qr(auth: AuthContext) -> Result<Response, AppError> {
    let me = auth.require(Action::ManageOwnAccount)?;
    let a = &me.account;
    let secret = match (&a.totp_secret, a.totp_enabled) {
        (Some(s), false) => s,
        _ => return Err(AppError::NotFound),
    };
    let uri = secret.otpauth_uri(ISSUER, a.email.as_str());
    let code = qrcode::QrCode::new(uri.as_bytes()).map_err(AppError::internal)?;
    let svg = code
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(240, 240)
        .build();
    Ok((
        [
            (header::CONTENT_TYPE, "image/svg+xml"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        svg,
    )
        .into_response())
}

pub async fn two_factor_disable(
    State(state): State<AppState>,
    auth: AuthContext,
    page: PageCtx,
    body: Bytes,
) -> Result<Response, AppError> {
    let me = auth.require(Action::ManageOwnAccount)?;
    let input: CodeInput = parse(&body)?;
    let a = &me.account;
    if me.principal.needs_second_factor() && a.passkeys == 0 {
        return Err(AppError::Forbidden);
    }
    let now = state.clock.now();
    let ok = match (&a.totp_secret, a.totp_enabled) {
        (Some(s), true) => s
            .verify(&input.code, now.unix_timestamp(), a.totp_last_step)
            .is_some(),
        _ => false,
    };
    if !ok {
        let error = page
            .t(
                "確認コードが正しくありません。二要素認証は有効のままです。",
                "The code is not right. Two-factor authentication stays on.",
            )
            .to_owned();
        return rendered(
            StatusCode::BAD_REQUEST,
            two_factor_view(&state, page, me, Some(error)).await?,
        );
    }
    state
        .store
        .disable_totp(&a.id, &format!("account:{}", a.id), now)
        .await?;
    Ok(Redirect::to(&page.href("/account")).into_response())
}
