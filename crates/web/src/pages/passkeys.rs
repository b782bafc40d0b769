//! Passkeys (WebAuthn) as a second factor beside authenticator-app codes (G02): registering
//! and removing them on the two-factor page, and using one for the second step of signing in.
//!
//! Each ceremony is two JSON requests from `static/passkey.js`: the first stores the challenge
//! state on the server, bound to the browser's session; the second takes it (once, within
//! five minutes) and verifies the authenticator's answer.

use super::account::{
    NextQuery, attempt, audit, pending_second_factor, safe_next, start_session, take_attempts,
};
use crate::AppState;
use crate::auth::AuthContext;
use crate::error::AppError;
use crate::view::PageCtx;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use koshu_domain::ValidationError;
use koshu_domain::access::Action;
use koshu_domain::access::rate_limit;
use koshu_domain::types::text::{TextKind, check_controls};
use koshu_store::StoreError;
use koshu_store::accounts::SessionStage;
use koshu_store::passkeys::{Ceremony, StoredPasskey};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use time::Duration;
use webauthn_rs::Webauthn;
use webauthn_rs::prelude::{
    Passkey, PasskeyAuthentication, PasskeyRegistration, PublicKeyCredential,
    RegisterPublicKeyCredential, Uuid,
};

/// How long a challenge may be answered.
const CEREMONY_WINDOW: Duration = Duration::minutes(5);
const NAME_MAX_CHARS: usize = 50;

fn relying_party(state: &AppState) -> Result<&Webauthn, AppError> {
    state.settings.passkeys.as_deref().ok_or(AppError::NotFound)
}

/// A JSON answer that no cache keeps (challenges, redirects with a new session).
fn no_store_json(value: &impl serde::Serialize) -> Response {
    ([(header::CACHE_CONTROL, "no-store")], Json(value)).into_response()
}

fn parse_json<T: DeserializeOwned>(body: &Bytes) -> Result<T, AppError> {
    serde_json::from_slice(body).map_err(|_| {
        ValidationError::new(
            "passkey.malformed",
            "パスキーの応答を読み取れませんでした。ページを再読み込みしてもう一度お試しください。",
            "The passkey's answer could not be read. Please reload the page and try again.",
        )
        .for_field("credential")
        .into()
    })
}

fn expired() -> AppError {
    ValidationError::new(
        "passkey.expired",
        "パスキーの確認の有効期限（5分）が切れました。もう一度お試しください。",
        "The passkey request expired (5 minutes). Please try again.",
    )
    .for_field("credential")
    .into()
}

fn already_registered() -> AppError {
    ValidationError::new(
        "passkey.already_registered",
        "この認証器のパスキーはすでに登録されています。",
        "A passkey on this authenticator is already registered.",
    )
    .for_field("credential")
    .into()
}

fn state_json(value: &impl serde::Serialize) -> Result<String, AppError> {
    serde_json::to_string(value).map_err(AppError::internal)
}

fn stored_state<T: DeserializeOwned>(text: &str) -> Result<T, AppError> {
    serde_json::from_str(text).map_err(AppError::internal)
}

/// The account id is a UUID: WebAuthn's user handle, never the address.
fn user_handle(account_id: &str) -> Result<Uuid, AppError> {
    Uuid::parse_str(account_id).map_err(AppError::internal)
}

fn name_of(typed: &str) -> Result<String, AppError> {
    let name = typed.trim();
    if name.is_empty() || name.chars().count() > NAME_MAX_CHARS {
        return Err(ValidationError::new(
            "passkey.name",
            "パスキーの名前を50文字以内で入力してください。",
            "Enter a name for the passkey (at most 50 characters).",
        )
        .for_field("name")
        .into());
    }
    check_controls(name, TextKind::Line).map_err(|e| e.for_field("name"))?;
    Ok(name.to_owned())
}

// Registering and removing.

pub async fn registration_options(
    State(state): State<AppState>,
    auth: AuthContext,
) -> Result<Response, AppError> {
    let me = auth.require(Action::ManageOwnAccount)?;
    let rp = relying_party(&state)?;
    let a = &me.account;
    let registered = state.store.passkeys_of(&a.id).await?;
    let exclude = registered
        .iter()
        .filter_map(|p| hex::decode(&p.credential_id).ok())
        .collect();
    let (options, registration) = rp
        .start_passkey_registration(
            user_handle(&a.id)?,
            a.email.as_str(),
            &a.display_name,
            Some(exclude),
        )
        .map_err(AppError::internal)?;
    state
        .store
        .put_ceremony(
            &me.session_hash,
            Ceremony::Register,
            &state_json(&registration)?,
            state.clock.now(),
        )
        .await?;
    Ok(no_store_json(&options))
}

#[derive(Debug, Deserialize)]
pub struct Registration {
    #[serde(default)]
    name: String,
    credential: RegisterPublicKeyCredential,
}

pub async fn register(
    State(state): State<AppState>,
    auth: AuthContext,
    page: PageCtx,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, AppError> {
    let me = auth.require(Action::ManageOwnAccount)?;
    let rp = relying_party(&state)?;
    let input: Registration = parse_json(&body)?;
    let name = name_of(&input.name)?;
    let now = state.clock.now();
    let registration: PasskeyRegistration = match state
        .store
        .take_ceremony(&me.session_hash, Ceremony::Register, now - CEREMONY_WINDOW)
        .await?
    {
        Some(text) => stored_state(&text)?,
        None => return Err(expired()),
    };
    // Answered before verification: the library reports an excluded credential as a
    // different error.
    let credential_id = hex::encode(&input.credential.raw_id);
    let registered = state.store.passkeys_of(&me.account.id).await?;
    if registered.iter().any(|p| p.credential_id == credential_id) {
        return Err(already_registered());
    }
    let passkey = rp
        .finish_passkey_registration(&input.credential, &registration)
        .map_err(|e| {
            tracing::info!(error = %e, "passkey registration refused");
            AppError::from(
                ValidationError::new(
                    "passkey.registration_refused",
                    "パスキーを登録できませんでした。もう一度お試しください。",
                    "The passkey could not be registered. Please try again.",
                )
                .for_field("credential"),
            )
        })?;
    let stored = StoredPasskey {
        id: Uuid::now_v7().to_string(),
        account_id: me.account.id.clone(),
        credential_id: hex::encode(passkey.cred_id()),
        name,
        credential: state_json(&passkey)?,
        created_at: now,
        last_used_at: None,
    };
    match state.store.add_passkey(&stored).await {
        Err(StoreError::Conflict(_)) => return Err(already_registered()),
        other => other?,
    }
    // A new factor is a change of privilege: the session gets a new id.
    let cookie = start_session(&state, &headers, &me.account.id, SessionStage::Full).await?;
    let redirect = format!("{}?done=passkey-added", page.href("/account/two-factor"));
    let mut res = no_store_json(&serde_json::json!({ "redirect": redirect }));
    res.headers_mut().append(header::SET_COOKIE, cookie);
    Ok(res)
}

pub async fn remove(
    State(state): State<AppState>,
    auth: AuthContext,
    page: PageCtx,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let me = auth.require(Action::ManageOwnAccount)?;
    let a = &me.account;
    // Where the role requires a second factor, the last one stays.
    if me.principal.needs_second_factor() && !a.totp_enabled && a.passkeys <= 1 {
        return Err(AppError::Forbidden);
    }
    state
        .store
        .remove_passkey(&a.id, &id, state.clock.now())
        .await?;
    let to = format!("{}?done=passkey-removed", page.href("/account/two-factor"));
    Ok(axum::response::Redirect::to(&to).into_response())
}

// Signing in.

async fn passkeys_of(
    state: &AppState,
    account_id: &str,
) -> Result<Vec<(StoredPasskey, Passkey)>, AppError> {
    state
        .store
        .passkeys_of(account_id)
        .await?
        .into_iter()
        .map(|p| {
            let key = stored_state(&p.credential)?;
            Ok((p, key))
        })
        .collect()
}

pub async fn sign_in_options(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let Some((session_hash, account)) = pending_second_factor(&state, &headers).await? else {
        return Err(AppError::SignInRequired);
    };
    let rp = relying_party(&state)?;
    let keys: Vec<Passkey> = passkeys_of(&state, &account.id)
        .await?
        .into_iter()
        .map(|(_, key)| key)
        .collect();
    if keys.is_empty() {
        return Err(AppError::NotFound);
    }
    let (options, authentication) = rp
        .start_passkey_authentication(&keys)
        .map_err(AppError::internal)?;
    state
        .store
        .put_ceremony(
            &session_hash,
            Ceremony::Authenticate,
            &state_json(&authentication)?,
            state.clock.now(),
        )
        .await?;
    Ok(no_store_json(&options))
}

pub async fn sign_in(
    State(state): State<AppState>,
    page: PageCtx,
    headers: HeaderMap,
    Query(q): Query<NextQuery>,
    body: Bytes,
) -> Result<Response, AppError> {
    let Some((session_hash, account)) = pending_second_factor(&state, &headers).await? else {
        return Err(AppError::SignInRequired);
    };
    let rp = relying_party(&state)?;
    let credential: PublicKeyCredential = parse_json(&body)?;
    let now = state.clock.now();
    let authentication: PasskeyAuthentication = match state
        .store
        .take_ceremony(&session_hash, Ceremony::Authenticate, now - CEREMONY_WINDOW)
        .await?
    {
        Some(text) => stored_state(&text)?,
        None => return Err(expired()),
    };
    let limit = rate_limit::SECOND_FACTOR_PER_ACCOUNT;
    let taken = take_attempts(&state, &[attempt("second_factor", &account.id, limit)]).await?;
    let subject = format!("account:{}", account.id);
    let verified = rp.finish_passkey_authentication(&credential, &authentication);
    let keys = passkeys_of(&state, &account.id).await?;
    let used = verified.as_ref().ok().and_then(|result| {
        let id = hex::encode(result.cred_id());
        keys.into_iter()
            .find(|(stored, _)| stored.credential_id == id)
            .map(|(stored, mut key)| {
                key.update_credential(result);
                (stored, key)
            })
    });
    let Some((stored, key)) = used else {
        if let Err(e) = &verified {
            tracing::info!(error = %e, "passkey sign-in refused");
        }
        audit(&state, &subject, "auth.second_factor_failed", &subject).await?;
        return Err(ValidationError::new(
            "passkey.refused",
            "パスキーで確認できませんでした。登録したパスキーでもう一度お試しください。",
            "The passkey was not accepted. Please try again with a passkey you registered.",
        )
        .for_field("credential")
        .into());
    };
    state
        .store
        .passkey_used(&stored.id, &state_json(&key)?, now)
        .await?;
    taken.release(&state, "second_factor", &account.id).await?;
    let cookie = start_session(&state, &headers, &account.id, SessionStage::Full).await?;
    audit(&state, &subject, "auth.sign_in", &subject).await?;
    let next = safe_next(q.next.as_deref(), &page);
    let mut res = no_store_json(&serde_json::json!({ "redirect": next }));
    res.headers_mut().append(header::SET_COOKIE, cookie);
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_passkey_name_is_one_line_without_control_characters() {
        assert_eq!(name_of(" ノートPC ").ok().as_deref(), Some("ノートPC"));
        for bad in ["", "a\0b", "a\nb", "\u{1b}[2J"] {
            assert!(
                matches!(name_of(bad), Err(AppError::Invalid(e)) if e.field.as_deref() == Some("name")),
                "{bad:?}"
            );
        }
    }
}
