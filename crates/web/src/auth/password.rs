//! Argon2id password hashes (G02), computed off the async threads: one hash takes tens of
//! milliseconds and about 19 MiB by design.

use crate::error::AppError;
use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};

/// A PHC string (`$argon2id$v=19$...`) for `password`, with a fresh random salt.
pub async fn hash(password: String) -> Result<String, AppError> {
    tokio::task::spawn_blocking(move || {
        Argon2::default()
            .hash_password(password.as_bytes())
            .map(|h| h.to_string())
            .map_err(|e| AppError::internal(HashError(e.to_string())))
    })
    .await
    .map_err(AppError::internal)?
}

/// True when `password` matches `stored`. With `stored = None` (no such account) a hash is
/// still computed, so the answer takes as long either way and does not reveal the account.
pub async fn verify(password: String, stored: Option<String>) -> Result<bool, AppError> {
    tokio::task::spawn_blocking(move || {
        let argon2 = Argon2::default();
        match stored.as_deref().map(PasswordHash::new) {
            Some(Ok(parsed)) => Ok(argon2.verify_password(password.as_bytes(), &parsed).is_ok()),
            Some(Err(e)) => Err(AppError::internal(HashError(e.to_string()))),
            None => {
                let _ = argon2.hash_password(password.as_bytes());
                Ok(false)
            }
        }
    })
    .await
    .map_err(AppError::internal)?
}

#[derive(Debug, thiserror::Error)]
#[error("password hashing failed: {0}")]
struct HashError(String);
