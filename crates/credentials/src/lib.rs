//! Open Badges 3.0 credentials as Koshu issues and verifies them (D06, B13).
//!
//! Everything here is computation: the issuer's key, the time and the random bytes are
//! parameters, and no context, DID document or status list is ever fetched: the caller hands
//! over what a check needs (the workflow resolves Koshu's own issuers from its store).
//!
//! - [`canonical`]: JSON-LD to RDFC-1.0 canonical N-Quads, contexts from local copies;
//! - [`proof`]: `DataIntegrityProof` with the `eddsa-rdfc-2022` cryptosuite;
//! - [`keys`]: Ed25519 keys as Multikey, `did:key`, `did:web` DID documents, sealed private keys;
//! - [`status`]: W3C Bitstring Status List (active / suspended / revoked in one entry);
//! - [`achievement`]: the `OpenBadgeCredential` of a completion, and its claims read back;
//! - [`verify`]: the verdict anyone gets: signature, issuer, status, validity, claims.

pub mod achievement;
pub mod canonical;
mod error;
pub mod keys;
pub mod proof;
pub mod status;
pub mod verify;

pub use error::CredentialError;
