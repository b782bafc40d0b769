//! Verifications per second on one core (issue 17 item 8), in one run, on a completion
//! credential shaped as Koshu issues it (its status entry in a signed 131,072-entry list):
//!
//! 1. `ed25519-dalek` verifying the credential's 64-byte `hash(config) || hash(document)`:
//!    the ceiling;
//! 2. Koshu's signature step: the two SHA-256 of the canonical N-Quads, the proof value read
//!    from base58, the Ed25519 check (`HashInput::combined_hash`, as `proof::verify_with`);
//! 3. canonicalisation alone (RDFC-1.0 of the document and of the proof configuration);
//! 4. the whole verdict, `verify::verify`: the credential's proof, its status list's proof and
//!    bits, the dates, the claims, with an in-memory resolver.
//!
//! `cargo run --release -p koshu-credentials --example verify_bench [seconds per case]`;
//! `bench/credentials.sh` pins it to one CPU and prints the table of `bench/RESULTS.md`.

use ed25519_dalek::{Signature, Signer, SigningKey, Verifier};
use koshu_credentials::achievement::{Claims, IssuerProfile, hashed_email};
use koshu_credentials::canonical::Contexts;
use koshu_credentials::keys::{self, PublishedKey};
use koshu_credentials::proof;
use koshu_credentials::status::{self, Bitstring, Status};
use koshu_credentials::verify::{self, Resolver};
use serde_json::Value;
use std::hint::black_box;
use std::time::{Duration, Instant};
use time::macros::datetime;

const HOST: &str = "https://koshu.example";
const LIST: &str = "https://koshu.example/status/bench/1";

struct Memory {
    did: String,
    document: Value,
    list: Value,
}

impl Resolver for Memory {
    fn did_document(&self, did: &str) -> Option<Value> {
        (did == self.did).then(|| self.document.clone())
    }
    fn status_list(&self, url: &str) -> Option<Value> {
        (url == LIST).then(|| self.list.clone())
    }
}

fn fail(e: impl std::fmt::Display) -> String {
    e.to_string()
}

/// The issuer's world: its DID document, its signed list (a few entries set), one credential.
fn setup() -> Result<(Memory, Value), String> {
    let key = SigningKey::from_bytes(&[42; 32]);
    let did = keys::did_web(HOST, &["issuers", "bench"]).map_err(fail)?;
    let method = format!("{did}#key-1");
    let contexts = Contexts::default();
    let signed_at = datetime!(2026-06-10 09:00 UTC);
    let claims = Claims {
        id: format!("{HOST}/verify/0193a1b2-bench"),
        issuer: IssuerProfile {
            id: did.clone(),
            name: "株式会社ベンチ".into(),
            url: format!("{HOST}/providers/bench"),
        },
        achievement_id: format!("{HOST}/programmes/bench#achievement"),
        course: "ベンチマーク講座".into(),
        course_description: "検証速度を測るための講座".into(),
        statement_en: "Certificate of completion: “Benchmark Course”, 6 hours.".into(),
        criteria: "出席率80%以上\n\nAttendance of 80% or more".into(),
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
        status: Some(status::entry(LIST, 7)),
    };
    let credential =
        proof::sign(&contexts, &claims.credential(), &key, &method, signed_at).map_err(fail)?;
    let bits = Bitstring::with([(3, Status::Revoked), (9, Status::Suspended)])
        .and_then(|b| b.encode())
        .map_err(fail)?;
    let unsigned = status::list_credential(LIST, &did, "2026-06-10T09:00:00Z", &bits);
    let list = proof::sign(&contexts, &unsigned, &key, &method, signed_at).map_err(fail)?;
    let document = keys::did_document(
        &did,
        &[PublishedKey {
            fragment: "key-1".into(),
            public_multibase: keys::public_multibase(&key.verifying_key()),
        }],
    );
    Ok((
        Memory {
            did,
            document,
            list,
        },
        credential,
    ))
}

/// Runs `f` for `seconds` (after a short warm-up); calls a second.
fn rate(seconds: f64, mut f: impl FnMut() -> bool) -> Result<f64, String> {
    let warm = Instant::now();
    while warm.elapsed() < Duration::from_millis(200) {
        if !f() {
            return Err("a check failed".into());
        }
    }
    let start = Instant::now();
    let mut calls: u64 = 0;
    let limit = Duration::from_secs_f64(seconds);
    while start.elapsed() < limit {
        for _ in 0..16 {
            if !black_box(f()) {
                return Err("a check failed".into());
            }
        }
        calls += 16;
    }
    Ok(calls as f64 / start.elapsed().as_secs_f64())
}

#[allow(clippy::print_stdout)] // printing the figures is what the bench is for
fn main() -> Result<(), String> {
    let seconds: f64 = std::env::args()
        .nth(1)
        .map(|s| s.parse().map_err(fail))
        .transpose()?
        .unwrap_or(3.0);
    let (memory, credential) = setup()?;
    let contexts = Contexts::default();
    let proofs = proof::proofs(&credential).map_err(fail)?;
    let first = proofs.first().ok_or("no proof")?;
    let key = keys::find_method(&memory.document, &first.verification_method)
        .map_err(fail)?
        .key;
    let input = proof::hash_input(&contexts, &credential, &credential["proof"][0]).map_err(fail)?;
    let combined = input.combined_hash();
    let proof_value = credential["proof"][0]["proofValue"]
        .as_str()
        .ok_or("no proofValue")?
        .to_owned();
    let decode = |text: &str| -> Option<Signature> {
        let bytes = bs58::decode(text.strip_prefix('z')?).into_vec().ok()?;
        Some(Signature::from_bytes(
            &<[u8; 64]>::try_from(bytes.as_slice()).ok()?,
        ))
    };
    let signature = decode(&proof_value).ok_or("bad proofValue")?;
    let sanity = SigningKey::from_bytes(&[42; 32]).sign(&combined);
    if sanity != signature {
        return Err("the bench's key did not sign the credential".into());
    }
    let now = datetime!(2026-07-01 00:00 UTC);
    if !verify::verify(&contexts, &credential, &memory, now).verified() {
        return Err("the bench credential does not verify".into());
    }

    let raw = rate(seconds, || {
        key.verify(black_box(&combined), &signature).is_ok()
    })?;
    let step = rate(seconds, || {
        decode(black_box(&proof_value))
            .is_some_and(|s| key.verify(&black_box(&input).combined_hash(), &s).is_ok())
    })?;
    let canonical = rate(seconds, || {
        proof::hash_input(&contexts, black_box(&credential), &credential["proof"][0]).is_ok()
    })?;
    let signature_check = rate(seconds, || {
        matches!(
            verify::check_signature(&contexts, black_box(&credential), &memory),
            verify::SignatureCheck::Valid { .. }
        )
    })?;
    let full = rate(seconds, || {
        verify::verify(&contexts, black_box(&credential), &memory, now).verified()
    })?;
    println!("case\tcalls_per_second\tmicroseconds_per_call");
    for (name, r) in [
        ("1 ed25519-dalek verify (ceiling)", raw),
        ("2 signature step (SHA-256 x2 + base58 + Ed25519)", step),
        (
            "3 canonicalise (RDFC-1.0 of document + proof config)",
            canonical,
        ),
        (
            "4a proof check (canonicalise + signature step)",
            signature_check,
        ),
        (
            "4 full verdict (credential + status list + dates + claims)",
            full,
        ),
    ] {
        println!("{name}\t{r:.0}\t{:.1}", 1e6 / r);
    }
    Ok(())
}
