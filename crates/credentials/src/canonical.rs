//! RDFC-1.0 canonical N-Quads of a JSON-LD document (D06: what a certificate's proof signs),
//! with every context resolved from the copies shipped in `contexts/` (a context from anywhere
//! else is refused, never fetched).
//!
//! JSON-LD to RDF is the `json-ld` crate's (the one inside sophia's `JsonLdParser`, with the
//! same options), driven here rather than through sophia's parser: that parser processes a
//! document's contexts anew on every call, re-reading their JSON and defining every term of
//! the Open Badges context and of its scoped contexts again, which was 80 % of a verification
//! (issue 17, bench/RESULTS.md). Here each context's JSON is parsed once, and the active
//! context made from a document's leading context URLs is processed once per [`Contexts`]
//! and reused; the document is then expanded without those URLs in its `@context`, which
//! gives the same expansion (context processing takes an array's items one after another).
//! Scoped contexts are kept behind an `Arc` (`canonical/shared.rs`), so that the copies of
//! the active context that type-scoped contexts cause copy no context syntax.

use crate::CredentialError;
use json_ld::context_processing::Options as ProcessingOptions;
use json_ld::expansion::Options as ExpansionOptions;
use json_ld::future::{BoxFuture, FutureExt};
use json_ld::syntax::TryFromJson;
use json_ld::syntax::context::Value as ContextValue;
use json_ld::{Expand, Process, RdfQuads, RemoteDocument};
use json_syntax::Parse;
use json_syntax::object::Entry;
use locspan::{Location, Meta, Span};
use rdf_types::IriVocabularyMut;
use sophia::api::prelude::*;
use sophia::inmem::dataset::LightDataset;
use sophia::jsonld::parser::{JsonLdQuadSource, RdfTerm};
use sophia::jsonld::vocabulary::{ArcBnode, ArcIri, ArcVoc};
use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

mod shared;
use shared::Shared;

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

/// The base IRI sophia's parser gives a document read from a string: kept, so that relative
/// IRIs resolve, and the canonical forms come out, exactly as through that parser.
const DOCUMENT_BASE: &str = "x-string://";

/// At most this many processed active contexts are kept per [`Contexts`], one per list of
/// leading context URLs. Documents name one of a handful; the bound keeps a stream of odd
/// lists (from VC-API callers) from growing it: those are processed each time instead.
const MAX_PROCESSED: usize = 32;

type Loc = Location<ArcIri>;
type Json = json_syntax::Value<Loc>;
type MetaJson = Meta<Json, Loc>;
type ActiveContext = json_ld::Context<ArcIri, ArcBnode, Shared, Loc>;

/// The contexts a document may use: Koshu's own, plus any the caller adds (a test vector's).
/// Cheap to clone: clones share the parsed contexts and the processed active contexts.
#[derive(Clone)]
pub struct Contexts {
    inner: Arc<Inner>,
}

struct Inner {
    /// Each context's URL and its JSON, parsed once (or why it could not be); the first entry
    /// for a URL is the one used.
    documents: Vec<(String, Result<MetaJson, String>)>,
    processed: Mutex<HashMap<Vec<String>, Arc<ActiveContext>>>,
}

impl fmt::Debug for Contexts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.inner.documents.iter().map(|(url, _)| url))
            .finish()
    }
}

/// Koshu's own contexts. Every `Contexts::default()` shares one instance, so a process
/// processes them once, whichever caller comes first.
impl Default for Contexts {
    fn default() -> Self {
        static KOSHU: OnceLock<Contexts> = OnceLock::new();
        KOSHU
            .get_or_init(|| {
                Contexts::from_documents(vec![
                    (
                        CREDENTIALS_V2.to_owned(),
                        parse(CREDENTIALS_V2, CREDENTIALS_V2_DOCUMENT),
                    ),
                    (
                        OPEN_BADGES_V3.to_owned(),
                        parse(OPEN_BADGES_V3, OPEN_BADGES_V3_DOCUMENT),
                    ),
                ])
            })
            .clone()
    }
}

impl Contexts {
    fn from_documents(documents: Vec<(String, Result<MetaJson, String>)>) -> Self {
        Self {
            inner: Arc::new(Inner {
                documents,
                processed: Mutex::new(HashMap::new()),
            }),
        }
    }

    /// Another context by URL, e.g. the W3C examples context of a test vector. A URL already
    /// known keeps its document (Koshu's own contexts cannot be replaced).
    pub fn with(self, url: &str, document: &str) -> Self {
        let mut documents = self.inner.documents.clone();
        documents.push((url.to_owned(), parse(url, document)));
        Self::from_documents(documents)
    }

    /// Koshu's contexts and the W3C examples context ([`EXAMPLES_V2`]), for the VC-API: one
    /// shared instance, as for [`Contexts::default`].
    pub fn w3c_examples() -> Self {
        static EXAMPLES: OnceLock<Contexts> = OnceLock::new();
        EXAMPLES
            .get_or_init(|| Contexts::default().with(EXAMPLES_V2, EXAMPLES_V2_DOCUMENT))
            .clone()
    }

    fn document(&self, url: &str) -> Option<&Result<MetaJson, String>> {
        self.inner
            .documents
            .iter()
            .find(|(known, _)| known == url)
            .map(|(_, document)| document)
    }

    /// The canonical N-Quads of `document` (RDFC-1.0, SHA-256).
    pub fn canonical_nquads(
        &self,
        document: &serde_json::Value,
    ) -> Result<String, CredentialError> {
        let leading = self.leading_urls(document)?;
        let base = iri(DOCUMENT_BASE);
        let at = Location::new(base.clone(), Span::default());
        let active = self.active_context(&leading, &base)?;
        let input = to_json_ld_input(document, leading.len(), &at)?;
        let mut vocabulary = ArcVoc {};
        let mut loader = Local(self);
        // The loader answers from memory, so no future ever waits: no runtime is needed.
        let mut expanded = futures::executor::block_on(input.expand_full(
            &mut vocabulary,
            ActiveContext::clone(&active),
            Some(&base),
            &mut loader,
            ExpansionOptions::default(),
            (),
        ))
        .map_err(|e| CredentialError::JsonLd(e.to_string()))?;
        // As `json_ld`'s `ToRdf` does: blank node labels from one generator, then the quads.
        let mut generator = rdf_types::generator::Blank::new().with_metadata(at);
        expanded.relabel_and_canonicalize_with(&mut vocabulary, &mut generator);
        let quads: Vec<_> = expanded
            .rdf_quads_full(&mut vocabulary, &mut generator, None, false)
            .cloned()
            .map(|rdf_types::Quad(s, p, o, g)| {
                (
                    [RdfTerm::from(s), RdfTerm::from(p), RdfTerm::from(o)],
                    g.map(RdfTerm::from),
                )
            })
            .collect();
        let dataset: LightDataset = JsonLdQuadSource::Quads(quads.into_iter())
            .collect_quads()
            .map_err(|e| CredentialError::JsonLd(e.to_string()))?;
        let mut out = Vec::new();
        sophia::c14n::rdfc10::normalize(&dataset, &mut out)
            .map_err(|e| CredentialError::JsonLd(e.to_string()))?;
        String::from_utf8(out).map_err(|e| CredentialError::JsonLd(e.to_string()))
    }

    /// The context URLs `document`'s `@context` starts with (up to its first inline context),
    /// each one known; an unknown one is named rather than left to a JSON-LD loader error.
    fn leading_urls<'d>(
        &self,
        document: &'d serde_json::Value,
    ) -> Result<Vec<&'d str>, CredentialError> {
        let as_str = serde_json::Value::as_str;
        let (leading, named): (Vec<&str>, Vec<&str>) = match document.get("@context") {
            Some(serde_json::Value::String(s)) => (vec![s.as_str()], vec![s.as_str()]),
            Some(serde_json::Value::Array(items)) => (
                items.iter().map_while(as_str).collect(),
                items.iter().filter_map(as_str).collect(),
            ),
            _ => (Vec::new(), Vec::new()),
        };
        match named.into_iter().find(|u| self.document(u).is_none()) {
            Some(unknown) => Err(CredentialError::UnknownContext(unknown.to_owned())),
            None => Ok(leading),
        }
    }

    /// The active context after processing `urls` in order, as JSON-LD expansion would at the
    /// top of a document: from the shared cache, or processed now (and kept).
    fn active_context(
        &self,
        urls: &[&str],
        base: &ArcIri,
    ) -> Result<Arc<ActiveContext>, CredentialError> {
        let key: Vec<String> = urls.iter().map(|u| (*u).to_owned()).collect();
        let cache = || {
            self.inner
                .processed
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
        };
        if let Some(found) = cache().get(&key) {
            return Ok(Arc::clone(found));
        }
        let at = Location::new(base.clone(), Span::default());
        let initial = ActiveContext::new(Some(base.clone()));
        let processed = if urls.is_empty() {
            initial
        } else {
            let items = urls
                .iter()
                .map(|u| Meta(Json::String((*u).into()), at.clone()))
                .collect();
            let local = ContextValue::try_from_json(Meta(Json::Array(items), at))
                .map_err(|e| CredentialError::JsonLd(e.to_string()))?
                .map(Shared::from);
            let mut vocabulary = ArcVoc {};
            let mut loader = Local(self);
            futures::executor::block_on(local.process_full(
                &mut vocabulary,
                &initial,
                &mut loader,
                Some(base.clone()),
                ProcessingOptions::from(ExpansionOptions::default()),
                (),
            ))
            .map_err(|e| CredentialError::JsonLd(e.to_string()))?
            .into_processed()
        };
        let processed = Arc::new(processed);
        let mut cache = cache();
        if cache.len() < MAX_PROCESSED {
            cache.insert(key, Arc::clone(&processed));
        }
        Ok(processed)
    }
}

fn iri(text: &str) -> ArcIri {
    ArcIri::new_unchecked(Arc::from(text))
}

/// A context document's JSON, located at its URL (as a JSON-LD loader would give it).
fn parse(url: &str, text: &str) -> Result<MetaJson, String> {
    let url = iri(url);
    Json::parse_str(text, |span| Location::new(url.clone(), span)).map_err(|e| e.to_string())
}

/// `document` as JSON-LD input, without the first `skip` items of its `@context` (the
/// processed active context stands for them); an `@context` left empty is dropped.
fn to_json_ld_input(
    document: &serde_json::Value,
    skip: usize,
    at: &Loc,
) -> Result<MetaJson, CredentialError> {
    let serde_json::Value::Object(object) = document else {
        return to_json(document, at);
    };
    let mut entries = Vec::with_capacity(object.len());
    for (key, value) in object {
        let value = match (key.as_str(), value) {
            ("@context", serde_json::Value::Array(items)) if skip > 0 => {
                let rest = items
                    .iter()
                    .skip(skip)
                    .map(|v| to_json(v, at))
                    .collect::<Result<Vec<_>, _>>()?;
                if rest.is_empty() {
                    continue;
                }
                Meta(Json::Array(rest), at.clone())
            }
            ("@context", serde_json::Value::String(_)) if skip > 0 => continue,
            _ => to_json(value, at)?,
        };
        entries.push(Entry::new(Meta(key.as_str().into(), at.clone()), value));
    }
    Ok(Meta(
        Json::Object(entries.into_iter().collect()),
        at.clone(),
    ))
}

/// serde_json's value as `json_syntax`'s, numbers in serde_json's text for them (what the
/// JSON text of `document.to_string()` would have said).
fn to_json(value: &serde_json::Value, at: &Loc) -> Result<MetaJson, CredentialError> {
    let json = match value {
        serde_json::Value::Null => Json::Null,
        serde_json::Value::Bool(b) => Json::Boolean(*b),
        serde_json::Value::Number(n) => Json::Number(
            n.to_string()
                .parse()
                .map_err(|_| CredentialError::JsonLd(format!("unreadable number {n}")))?,
        ),
        serde_json::Value::String(s) => Json::String(s.as_str().into()),
        serde_json::Value::Array(items) => Json::Array(
            items
                .iter()
                .map(|v| to_json(v, at))
                .collect::<Result<_, _>>()?,
        ),
        serde_json::Value::Object(object) => Json::Object(
            object
                .iter()
                .map(|(k, v)| {
                    Ok(Entry::new(
                        Meta(k.as_str().into(), at.clone()),
                        to_json(v, at)?,
                    ))
                })
                .collect::<Result<_, CredentialError>>()?,
        ),
    };
    Ok(Meta(json, at.clone()))
}

/// The JSON-LD document loader: a context from this [`Contexts`], or an error; nothing is
/// ever fetched.
struct Local<'c>(&'c Contexts);

impl json_ld::Loader<ArcIri, Loc> for Local<'_> {
    type Output = Json;
    type Error = String;

    fn load_with<'a>(
        &'a mut self,
        _vocabulary: &'a mut (impl Sync + Send + IriVocabularyMut<Iri = ArcIri>),
        url: ArcIri,
    ) -> BoxFuture<'a, Result<RemoteDocument<ArcIri, Loc, Json>, String>>
    where
        ArcIri: 'a,
    {
        let found = match self.0.document(url.as_str()) {
            Some(Ok(json)) => Ok(RemoteDocument::new(Some(url), None, json.clone())),
            Some(Err(e)) => Err(format!("context {} is not JSON: {e}", url.as_str())),
            None => Err(format!("unknown context {}", url.as_str())),
        };
        async move { found }.boxed()
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

    /// The canonical form through sophia's `JsonLdParser`, every context text read by its
    /// loader at each call: the path this module replaced, kept as the oracle.
    fn through_sophia(contexts: &Contexts, document: &serde_json::Value) -> String {
        use futures::FutureExt;
        use sophia::iri::Iri;
        use sophia::jsonld::{JsonLdOptions, JsonLdParser, loader::ClosureLoader};
        let texts: Vec<(String, String)> = contexts
            .inner
            .documents
            .iter()
            .filter_map(|(url, json)| Some((url.clone(), json.as_ref().ok()?.to_string())))
            .collect();
        let options = JsonLdOptions::new().with_document_loader_closure(move || {
            let texts = texts.clone();
            ClosureLoader::new(move |iri: Iri<String>| {
                let found = texts
                    .iter()
                    .find(|(url, _)| url == iri.as_str())
                    .map(|(_, text)| text.clone())
                    .ok_or_else(|| format!("unknown context {}", iri.as_str()));
                async move { found }.boxed()
            })
        });
        let parser = JsonLdParser::new_with_options(options);
        let quads = futures::executor::block_on(parser.async_parse_str(&document.to_string()));
        let dataset: LightDataset = quads.collect_quads().unwrap_or_default();
        let mut out = Vec::new();
        assert!(sophia::c14n::rdfc10::normalize(&dataset, &mut out).is_ok());
        String::from_utf8(out).unwrap_or_default()
    }

    /// A completion credential as Koshu issues it (B-series claims, a status entry), signed.
    fn koshu_credential() -> Result<serde_json::Value, CredentialError> {
        use crate::achievement::{Claims, IssuerProfile, hashed_email};
        let claims = Claims {
            id: "https://koshu.example/verify/1".into(),
            issuer: IssuerProfile {
                id: "did:web:koshu.example:issuers:1".into(),
                name: "株式会社テスト".into(),
                url: "https://koshu.example/providers/1".into(),
            },
            achievement_id: "https://koshu.example/programmes/1#achievement".into(),
            course: "テスト講座".into(),
            course_description: "説明".into(),
            statement_en: "Certificate of completion.".into(),
            criteria: "出席率80%以上".into(),
            course_hours: 6.0,
            hours_earned: 5.75,
            fields: Vec::new(),
            designation: None,
            learner_name: "検証 花子".into(),
            email_hash: hashed_email("hanako@example.jp", "a1b2"),
            email_salt: "a1b2".into(),
            riss_number: None,
            activity_start: "2026-06-09T00:00:00Z".into(),
            activity_end: "2026-06-10T09:00:00Z".into(),
            valid_from: "2026-06-10T09:00:00Z".into(),
            valid_until: None,
            status: Some(crate::status::entry("https://koshu.example/status/1", 7)),
        };
        crate::proof::sign(
            &Contexts::default(),
            &claims.credential(),
            &ed25519_dalek::SigningKey::from_bytes(&[7; 32]),
            "did:web:koshu.example:issuers:1#key-1",
            time::macros::datetime!(2026-06-10 09:00 UTC),
        )
    }

    #[test]
    /// D06, issue 17: the contexts processed once and reused give, byte for byte, what sophia's
    /// parser gives processing them per call: Koshu's credential and its proof configuration,
    /// a status list, the W3C vector, and `@context`s that are one URL, URLs then an inline
    /// context, a context inside a node, most Open Badges types, a presentation with an
    /// embedded credential.
    fn reusing_processed_contexts_changes_no_canonical_form() -> Result<(), CredentialError> {
        let credential = koshu_credential()?;
        let mut config = credential["proof"][0].clone();
        if let Some(config) = config.as_object_mut() {
            config.remove("proofValue");
            config.insert("@context".into(), credential["@context"].clone());
        }
        let vector: serde_json::Value =
            serde_json::from_str(include_str!("../tests/vectors/signedDataInt.json"))
                .map_err(|e| CredentialError::NotJson(e.to_string()))?;
        let documents = [
            credential.clone(),
            config,
            crate::status::list_credential(
                "https://koshu.example/status/1",
                "did:web:koshu.example:issuers:1",
                "2026-06-10T09:00:00Z",
                "uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA",
            ),
            vector,
            json!({"@context": CREDENTIALS_V2, "id": "urn:x", "type": "VerifiableCredential",
                "issuer": "did:example:1", "credentialSubject": {"id": "relative/path"}}),
            json!({"@context": [CREDENTIALS_V2, {"ex": "https://ex.example/#", "size": {"@id": "ex:size", "@type": "http://www.w3.org/2001/XMLSchema#integer"}}],
                "id": "urn:y", "type": ["VerifiableCredential"], "issuer": {"id": "did:example:2"},
                "credentialSubject": {"size": 3, "ex:other": [1.5, true, null, "テキスト"]}}),
            json!({"@context": [CREDENTIALS_V2], "id": "urn:z", "type": ["VerifiableCredential"],
                "issuer": "did:example:3",
                "credentialSubject": {"@context": [EXAMPLES_V2], "alumniOf": "Example", "id": "did:example:4"}}),
            json!({"@context": [CREDENTIALS_V2, OPEN_BADGES_V3], "id": "urn:ob",
                "type": ["VerifiableCredential", "OpenBadgeCredential"],
                "issuer": {"id": "did:example:6", "type": ["Profile"], "name": "i",
                    "address": {"type": ["Address"], "addressCountry": "JP"}},
                "validFrom": "2026-01-01T00:00:00Z",
                "evidence": [{"type": ["Evidence"], "name": "e", "genre": "g"}],
                "credentialSubject": {"type": ["AchievementSubject"], "id": "did:example:7",
                    "result": [{"type": ["Result"], "resultDescription": "urn:rd", "value": "A"}],
                    "achievement": {"id": "urn:a", "type": ["Achievement"], "name": "n",
                        "achievementType": "Certificate", "description": "d",
                        "criteria": {"narrative": "c"},
                        "image": {"id": "https://img.example/1.png", "type": "Image"},
                        "alignment": [{"type": ["Alignment"], "targetName": "t",
                            "targetUrl": "https://align.example/1", "targetType": "CFItem"}],
                        "resultDescription": [{"id": "urn:rd", "type": ["ResultDescription"],
                            "name": "r", "resultType": "LetterGrade", "allowedValue": ["A", "B"]}]}}}),
            json!({"@context": [CREDENTIALS_V2, OPEN_BADGES_V3], "type": ["VerifiablePresentation"],
                "holder": "did:example:5", "verifiableCredential": [credential]}),
        ];
        let contexts = Contexts::w3c_examples();
        for document in &documents {
            let ours = contexts.canonical_nquads(document)?;
            assert!(!ours.is_empty(), "{document}");
            assert_eq!(ours, through_sophia(&contexts, document), "{document}");
        }
        Ok(())
    }

    #[test]
    fn every_default_shares_one_set_of_processed_contexts() {
        assert!(Arc::ptr_eq(
            &Contexts::default().inner,
            &Contexts::default().inner
        ));
        assert!(Arc::ptr_eq(
            &Contexts::w3c_examples().inner,
            &Contexts::w3c_examples().inner
        ));
    }

    #[test]
    fn the_processed_contexts_kept_are_bounded() -> Result<(), CredentialError> {
        let urls: Vec<String> = (0..=MAX_PROCESSED)
            .map(|i| format!("https://contexts.example/{i}"))
            .collect();
        let contexts = urls.iter().fold(Contexts::default(), |c, url| {
            c.with(url, r#"{"@context": {"@vocab": "https://terms.example/"}}"#)
        });
        for url in &urls {
            let doc = json!({"@context": [CREDENTIALS_V2, url], "id": "urn:x", "colour": "n"});
            assert!(
                contexts
                    .canonical_nquads(&doc)?
                    .contains("<https://terms.example/colour>")
            );
        }
        let kept = contexts
            .inner
            .processed
            .lock()
            .map(|c| c.len())
            .unwrap_or_default();
        assert_eq!(kept, MAX_PROCESSED);
        Ok(())
    }

    #[test]
    fn a_context_inside_a_node_from_elsewhere_is_refused_not_fetched() {
        let doc = json!({"@context": [CREDENTIALS_V2], "id": "urn:x", "type": "VerifiableCredential",
            "credentialSubject": {"@context": "https://evil.example/ctx", "id": "urn:y"}});
        let refused = Contexts::default().canonical_nquads(&doc);
        assert!(
            matches!(&refused, Err(CredentialError::JsonLd(e)) if e.contains("unknown context https://evil.example/ctx")),
            "{refused:?}"
        );
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
