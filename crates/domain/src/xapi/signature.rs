//! Signed statements (xAPI Data 2.6): a statement may carry a JWS of itself as an attachment
//! of usage type [`super::SIGNATURE_USAGE`]. The LRS refuses one whose JWS is malformed, is
//! signed with an algorithm other than RS256/384/512, or whose payload is not the statement.
//! The signature is kept with the statement for anyone to verify against the signer's key.

use super::same_statement;
use crate::ValidationError;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::Value;

/// The algorithms xAPI allows a statement's signature.
const ALGORITHMS: [&str; 3] = ["RS256", "RS384", "RS512"];

fn malformed(en: &str, ja: &str) -> ValidationError {
    ValidationError::new("xapi.signature", ja, en).for_field("attachments")
}

fn part(encoded: &str) -> Option<Vec<u8>> {
    URL_SAFE_NO_PAD.decode(encoded.trim_end_matches('=')).ok()
}

/// Checks a statement's JWS (compact serialisation, the attachment's raw data) against the
/// statement as sent (Data 2.6.s4).
pub fn check_signature(statement: &Value, jws: &[u8]) -> Result<(), ValidationError> {
    let text = std::str::from_utf8(jws).map_err(|_| {
        malformed(
            "The signature is not a compact JWS.",
            "署名が JWS（コンパクト形式）ではありません。",
        )
    })?;
    let pieces: Vec<&str> = text.trim().split('.').collect();
    let [header, payload, signature] = pieces.as_slice() else {
        return Err(malformed(
            "The signature is not a compact JWS of three parts.",
            "署名が3つの部分からなる JWS ではありません。",
        ));
    };
    let header: Value = part(header)
        .and_then(|h| serde_json::from_slice(&h).ok())
        .ok_or_else(|| {
            malformed(
                "The JWS header is not JSON.",
                "JWS のヘッダーが JSON ではありません。",
            )
        })?;
    let algorithm = header
        .get("alg")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if !ALGORITHMS.contains(&algorithm) {
        return Err(malformed(
            "A statement's signature must use RS256, RS384 or RS512.",
            "ステートメントの署名には RS256、RS384、RS512 のいずれかを使ってください。",
        ));
    }
    if part(signature).is_none_or(|s| s.is_empty()) {
        return Err(malformed(
            "The JWS has no signature.",
            "JWS に署名がありません。",
        ));
    }
    let payload: Value = part(payload)
        .and_then(|p| serde_json::from_slice(&p).ok())
        .ok_or_else(|| {
            malformed(
                "The JWS payload is not a JSON serialisation of the statement.",
                "JWS の内容がステートメントの JSON ではありません。",
            )
        })?;
    if !same_statement(&payload, statement) {
        return Err(malformed(
            "The JWS payload is not the statement it signs.",
            "JWS の内容が、署名したステートメントと一致しません。",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn jws(header: &Value, payload: &str) -> Vec<u8> {
        format!(
            "{}.{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(payload),
            URL_SAFE_NO_PAD.encode("signature bytes")
        )
        .into_bytes()
    }

    fn statement() -> Value {
        json!({
            "actor": {"mbox": "mailto:a@example.com"},
            "verb": {"id": "http://adlnet.gov/expapi/verbs/attended"},
            "object": {"id": "http://example.com/a"}
        })
    }

    #[test]
    fn a_jws_of_the_statement_with_an_rsa_algorithm_is_accepted() {
        let s = statement();
        assert_eq!(
            check_signature(&s, &jws(&json!({"alg": "RS256"}), &s.to_string())),
            Ok(())
        );
    }

    #[test]
    fn another_algorithm_is_refused() {
        let s = statement();
        let e = check_signature(&s, &jws(&json!({"alg": "HS256"}), &s.to_string()));
        assert_eq!(e.map_err(|e| e.code), Err("xapi.signature"));
    }

    #[test]
    fn a_payload_that_is_not_json_is_refused() {
        let e = check_signature(&statement(), &jws(&json!({"alg": "RS256"}), "{'actor': 1}"));
        assert!(e.is_err());
    }

    #[test]
    fn a_payload_of_another_statement_is_refused() {
        let mut other = statement();
        other["verb"]["id"] = json!("http://adlnet.gov/expapi/verbs/failed");
        let e = check_signature(
            &statement(),
            &jws(&json!({"alg": "RS256"}), &other.to_string()),
        );
        assert!(e.is_err());
    }

    #[test]
    fn a_jws_without_three_parts_is_refused() {
        assert!(check_signature(&statement(), b"not-a-jws").is_err());
    }
}
