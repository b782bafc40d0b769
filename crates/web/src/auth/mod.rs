//! Who is asking (G01, G02): the sign-in session behind the cookie, the CSRF token, and the
//! bridge from the domain's authorization policy to responses.
//!
//! `context` runs outside error rendering for every request: it reads the two cookies, loads
//! the signed-in account (one query, only when a session cookie is present) and puts an
//! [`AuthContext`] in the request. Handlers ask [`AuthContext::require`] with an
//! [`Action`]; the answer is the account or an `AppError` that becomes a redirect to sign-in,
//! to second-factor set-up, or a 403.

pub mod csrf;
pub mod passkey;
pub mod password;

use crate::AppState;
use crate::error::AppError;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;
use koshu_domain::access::Principal;
use koshu_domain::access::policy::{Action, Decision, decide};
use koshu_domain::access::session::{SessionPolicy, SessionState};
use koshu_store::accounts::{Account, SessionStage};
use sha2::{Digest, Sha256};
use std::sync::Arc;

pub const SESSION_COOKIE: &str = "koshu_session";
pub const CSRF_COOKIE: &str = "koshu_csrf";

/// The signed-in account, its policy view, and the digest of its session token.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub account: Account,
    pub principal: Principal,
    pub session_hash: String,
}

/// Per request: who is signed in, and the CSRF token forms must carry.
#[derive(Debug, Clone)]
pub struct AuthContext {
    pub viewer: Option<Arc<SignedIn>>,
    pub csrf: String,
}

impl AuthContext {
    /// The account, when the policy allows `action`; otherwise the error that sends the person
    /// where they can proceed.
    pub fn require(&self, action: Action<'_>) -> Result<&SignedIn, AppError> {
        let principal = self.viewer.as_ref().map(|v| &v.principal);
        match (decide(principal, action), self.viewer.as_deref()) {
            (Decision::Allow, Some(v)) => Ok(v),
            (Decision::SignIn | Decision::Allow, _) => Err(AppError::SignInRequired),
            (Decision::VerifyEmail, _) => Err(AppError::EmailNotVerified),
            (Decision::SetUpSecondFactor, _) => Err(AppError::SecondFactorRequired),
            (Decision::Forbidden, _) => Err(AppError::Forbidden),
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for AuthContext {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, AppError> {
        parts
            .extensions
            .get::<AuthContext>()
            .cloned()
            .ok_or_else(|| AppError::internal(MissingContext))
    }
}

#[derive(Debug, thiserror::Error)]
#[error("the auth context middleware did not run")]
struct MissingContext;

/// A fresh random token: 32 bytes from the operating system, as lowercase hex.
pub fn random_token() -> Result<String, AppError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| AppError::internal(RandomError(e.to_string())))?;
    Ok(hex::encode(bytes))
}

/// Random bytes for a secret.
pub fn random_bytes<const N: usize>() -> Result<[u8; N], AppError> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).map_err(|e| AppError::internal(RandomError(e.to_string())))?;
    Ok(bytes)
}

#[derive(Debug, thiserror::Error)]
#[error("no randomness from the operating system: {0}")]
struct RandomError(String);

/// What the database keeps of a token: its SHA-256, so a leaked table opens no session.
pub fn token_digest(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// The value of cookie `name` in the request's `Cookie` headers.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// The CSRF token of a signed-in (or half signed-in) browser: derived from its session token,
/// so it is bound to the session and changes at every sign-in; a token from before, or a
/// cookie planted by someone else, does not pass (G02). The token shows nothing of the
/// session's, which a one-way hash keeps secret.
pub fn session_csrf(session_token: &str) -> String {
    hex::encode(Sha256::digest(
        format!("koshu-csrf\0{session_token}").as_bytes(),
    ))
}

/// The scheme of the public address, for the `Origin` check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SiteScheme(pub &'static str);

/// A `Set-Cookie` value: HttpOnly, SameSite=Lax, Secure when the site is served over TLS.
/// `None` clears the cookie.
pub fn set_cookie(name: &str, value: Option<&str>, secure: bool) -> Option<HeaderValue> {
    let secure = if secure { "; Secure" } else { "" };
    let text = match value {
        Some(v) => format!("{name}={v}; Path=/; HttpOnly; SameSite=Lax{secure}"),
        None => format!("{name}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{secure}"),
    };
    HeaderValue::from_str(&text).ok()
}

fn plausible_token(t: &str) -> bool {
    t.len() == 64 && t.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Reads the cookies, loads the signed-in account, and issues a CSRF cookie when there is none.
pub async fn context(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let existing_csrf = cookie(req.headers(), CSRF_COOKIE)
        .filter(|t| plausible_token(t))
        .map(str::to_owned);
    let session_token = cookie(req.headers(), SESSION_COOKIE)
        .filter(|t| plausible_token(t))
        .map(str::to_owned);
    let (viewer, clear_session, session_bound) = match &session_token {
        Some(token) => match load(&state, &token_digest(token)).await {
            Ok(Loaded::SignedIn(v)) => (Some(Arc::new(v)), false, Some(session_csrf(token))),
            // Half-way through sign-in: the cookie stays for the code form.
            Ok(Loaded::AwaitingSecondFactor) => (None, false, Some(session_csrf(token))),
            Ok(Loaded::Gone) => (None, true, None),
            Err(e) => {
                // The page is still served, as to a visitor; the cause goes to the log.
                tracing::error!(error = %e, "session could not be loaded");
                (None, false, None)
            }
        },
        None => (None, false, None),
    };
    let new_csrf = match &existing_csrf {
        Some(_) => None,
        None => random_token().ok(),
    };
    // Without a session, the visitor's own cookie (double submit) is the token.
    let csrf = session_bound
        .or(existing_csrf)
        .or_else(|| new_csrf.clone())
        .unwrap_or_default();
    req.extensions_mut().insert(AuthContext { viewer, csrf });
    let scheme = if state.settings.secure_cookies {
        "https"
    } else {
        "http"
    };
    req.extensions_mut().insert(SiteScheme(scheme));
    let mut res = next.run(req).await;
    let secure = state.settings.secure_cookies;
    // Only pages carry forms: API responses and static files get no cookie (caches keep them).
    let is_page = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("text/html"));
    let session_cookie_set = res
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .any(|v| v.as_bytes().starts_with(SESSION_COOKIE.as_bytes()));
    // Signing in or out also gives the visitor a new cookie token: one known from before
    // (planted, or seen) is worth nothing after.
    // A public page holds no form (`middleware::public_caching`), and a shared cache must
    // not hand one visitor's cookie to the next.
    let public = res
        .headers()
        .get(header::CACHE_CONTROL)
        .is_some_and(|v| v.as_bytes().starts_with(b"public"));
    let visitor_token = match new_csrf.filter(|_| is_page && !public) {
        Some(token) => Some(token),
        None if session_cookie_set => random_token().ok(),
        None => None,
    };
    if let Some(token) = visitor_token
        && let Some(v) = set_cookie(CSRF_COOKIE, Some(&token), secure)
    {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    if clear_session
        && !session_cookie_set
        && let Some(v) = set_cookie(SESSION_COOKIE, None, secure)
    {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res
}

enum Loaded {
    SignedIn(SignedIn),
    AwaitingSecondFactor,
    /// Unknown, expired, or its account deleted.
    Gone,
}

/// The session behind `hash`, touched when due.
async fn load(state: &AppState, hash: &str) -> Result<Loaded, koshu_store::StoreError> {
    let Some(session) = state.store.session(hash).await? else {
        return Ok(Loaded::Gone);
    };
    let now = state.clock.now();
    match SessionPolicy::default().state(session.created_at, session.last_seen_at, now) {
        SessionState::Expired => {
            state.store.delete_session(hash).await?;
            return Ok(Loaded::Gone);
        }
        SessionState::Live { touch: true } => state.store.touch_session(hash, now).await?,
        SessionState::Live { touch: false } => {}
    }
    if session.stage != SessionStage::Full {
        return Ok(Loaded::AwaitingSecondFactor);
    }
    let Some(account) = state.store.account(&session.account_id).await? else {
        return Ok(Loaded::Gone);
    };
    let principal = state.store.principal(&account).await?;
    Ok(Loaded::SignedIn(SignedIn {
        account,
        principal,
        session_hash: hash.to_owned(),
    }))
}

/// The client's address, for per-address rate limits: the peer of the TCP connection (behind
/// a proxy, the proxy's), or `unknown` where there is no connection (tests in process).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientAddr(pub String);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Self(
            parts
                .extensions
                .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
                .map_or_else(|| "unknown".to_owned(), |c| c.0.ip().to_string()),
        ))
    }
}
