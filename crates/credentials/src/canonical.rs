//! RDFC-1.0 canonical N-Quads of a JSON-LD document, with every context resolved from the
//! copies shipped in `contexts/` (a context from anywhere else is refused, never fetched).

use crate::CredentialError;
use futures::FutureExt;
use sophia::api::prelude::*;
use sophia::inmem::dataset::LightDataset;
use sophia::iri::Iri;
use sophia::jsonld::{JsonLdOptions, JsonLdParser, loader::ClosureLoader};

pub const CREDENTIALS_V2: &str = "https://www.w3.org/ns/credentials/v2";
pub const OPEN_BADGES_V3: &str = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json";

/// The W3C examples context (`@vocab` for any other term): the W3C test suites' credentials
/// use it, so the VC-API endpoints accept it; Koshu's own credentials never do.
pub const EXAMPLES_V2: &str = "https://www.w3.org/ns/credentials/examples/v2";

const CREDENTIALS_V2_DOCUMENT: &str = include_str!("../contexts/credentials-v2.jsonld");
const EXAMPLES_V2_DOCUMENT: &str = include_str!("../contexts/credentials-examples-v2.jsonld");
const OPEN_BADGES_V3_DOCUMENT: &str = include_str!("../contexts/ob-context-3.0.3.json");

/// 1EdTech's JSON Schema of an `AchievementCredential`, for the tests and the verifiers.
pub const ACHIEVEMENT_CREDENTIAL_SCHEMA: &str =
    include_str!("../contexts/achievementcredential.schema.json");

/// The contexts a document may use: Koshu's own, plus any the caller adds (a test vector's).
#[derive(Debug, Clone, Default)]
pub struct Contexts {
    extra: Vec<(String, String)>,
}

impl Contexts {
    /// Another context by URL, e.g. the W3C examples context of a test vector.
    pub fn with(mut self, url: &str, document: &str) -> Self {
        self.extra.push((url.to_owned(), document.to_owned()));
        self
    }

    /// Koshu's contexts and the W3C examples context ([`EXAMPLES_V2`]).
    pub fn with_w3c_examples(self) -> Self {
        self.with(EXAMPLES_V2, EXAMPLES_V2_DOCUMENT)
    }

    fn document(&self, url: &str) -> Option<String> {
        match url {
            CREDENTIALS_V2 => Some(CREDENTIALS_V2_DOCUMENT.to_owned()),
            OPEN_BADGES_V3 => Some(OPEN_BADGES_V3_DOCUMENT.to_owned()),
            _ => self
                .extra
                .iter()
                .find(|(u, _)| u == url)
                .map(|(_, d)| d.clone()),
        }
    }

    /// The canonical N-Quads of `document` (RDFC-1.0, SHA-256).
    pub fn canonical_nquads(
        &self,
        document: &serde_json::Value,
    ) -> Result<String, CredentialError> {
        self.refuse_unknown(document)?;
        let contexts = self.clone();
        let options = JsonLdOptions::new().with_document_loader_closure(move || {
            let contexts = contexts.clone();
            ClosureLoader::new(move |iri: Iri<String>| {
                let found = contexts
                    .document(iri.as_str())
                    .ok_or_else(|| format!("unknown context {}", iri.as_str()));
                async move { found }.boxed()
            })
        });
        let parser = JsonLdParser::new_with_options(options);
        // The loader answers from memory, so the parse never waits: no runtime is needed.
        let quads = futures::executor::block_on(parser.async_parse_str(&document.to_string()));
        let dataset: LightDataset = quads
            .collect_quads()
            .map_err(|e| CredentialError::JsonLd(e.to_string()))?;
        let mut out = Vec::new();
        sophia::c14n::rdfc10::normalize(&dataset, &mut out)
            .map_err(|e| CredentialError::JsonLd(e.to_string()))?;
        String::from_utf8(out).map_err(|e| CredentialError::JsonLd(e.to_string()))
    }

    /// Names the context that would have to be fetched, rather than a JSON-LD loader error.
    fn refuse_unknown(&self, document: &serde_json::Value) -> Result<(), CredentialError> {
        let urls: Vec<&str> = match document.get("@context") {
            Some(serde_json::Value::String(s)) => vec![s.as_str()],
            Some(serde_json::Value::Array(items)) => {
                items.iter().filter_map(serde_json::Value::as_str).collect()
            }
            _ => Vec::new(),
        };
        match urls.into_iter().find(|u| self.document(u).is_none()) {
            Some(unknown) => Err(CredentialError::UnknownContext(unknown.to_owned())),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    /// The Open Badges context types them with `https://www.w3.org/2001/XMLSchema#`, and so
    /// must the canonical form (every independent verifier reads the context the same way).
    fn typed_numbers_and_booleans_keep_their_datatypes() -> Result<(), CredentialError> {
        let doc = json!({
            "@context": [CREDENTIALS_V2, OPEN_BADGES_V3],
            "id": "urn:uuid:1",
            "type": ["VerifiableCredential", "OpenBadgeCredential"],
            "issuer": {"id": "did:example:1", "type": ["Profile"]},
            "validFrom": "2026-01-01T00:00:00Z",
            "credentialSubject": {"type": ["AchievementSubject"],
                "creditsEarned": 12.5,
                "identifier": [{"type": "IdentityObject", "hashed": false, "identityHash": "x", "identityType": "name"}],
                "achievement": {"id": "urn:a", "type": ["Achievement"], "name": "n", "description": "d", "criteria": {"narrative": "c"}}}
        });
        let nquads = Contexts::default().canonical_nquads(&doc)?;
        assert!(
            nquads.contains("\"1.25E1\"^^<https://www.w3.org/2001/XMLSchema#float>"),
            "{nquads}"
        );
        assert!(
            nquads.contains("\"false\"^^<https://www.w3.org/2001/XMLSchema#boolean>"),
            "{nquads}"
        );
        Ok(())
    }

    #[test]
    fn a_context_from_elsewhere_is_refused_not_fetched() {
        let doc = json!({"@context": [CREDENTIALS_V2, "https://evil.example/ctx"], "id": "urn:x"});
        assert_eq!(
            Contexts::default().canonical_nquads(&doc),
            Err(CredentialError::UnknownContext(
                "https://evil.example/ctx".to_owned()
            ))
        );
    }
}
