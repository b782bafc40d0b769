//! The tamper-evident audit log (requirement C07): every state change appends an entry whose
//! hash covers its content and the previous entry's hash, so editing or deleting any stored
//! row breaks the chain at a place `ChainVerifier` can name.
//!
//! Pure: the store supplies entries and the time; this module only computes and checks hashes.

use sha2::{Digest, Sha256};
use std::fmt;
use time::OffsetDateTime;
use time::macros::format_description;

/// The `prev_hash` of the first entry.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What happened, before it is given a place in the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEvent {
    pub at: OffsetDateTime,
    /// Who acted: `user:<id>`, `cli`, `system:demo`, ...
    pub actor: String,
    /// What was done, as a stable verb: `programme.upsert`, `provider.upsert`, ...
    pub action: String,
    /// What it was done to: `programme:cyder-a-fy2021`, ...
    pub subject: String,
    /// SHA-256 (hex) of the subject's canonical form before and after the change.
    pub before_digest: Option<String>,
    pub after_digest: Option<String>,
}

impl AuditEvent {
    /// Timestamps are kept to the microsecond so that both databases store them exactly and the
    /// hash computed now equals the hash recomputed from the stored row later.
    pub fn new(
        at: OffsetDateTime,
        actor: impl Into<String>,
        action: impl Into<String>,
        subject: impl Into<String>,
    ) -> Self {
        Self {
            at: truncate_to_micros(at),
            actor: actor.into(),
            action: action.into(),
            subject: subject.into(),
            before_digest: None,
            after_digest: None,
        }
    }

    #[must_use]
    pub fn with_digests(mut self, before: Option<String>, after: Option<String>) -> Self {
        self.before_digest = before;
        self.after_digest = after;
        self
    }

    /// Places the event after `prev` (the chain's current head, or `None` for the first entry).
    pub fn chain_after(self, prev: Option<(i64, &str)>) -> AuditEntry {
        let (seq, prev_hash) = match prev {
            Some((seq, hash)) => (seq + 1, hash.to_owned()),
            None => (1, GENESIS_HASH.to_owned()),
        };
        let hash = entry_hash(seq, &prev_hash, &self);
        AuditEntry {
            seq,
            event: self,
            prev_hash,
            hash,
        }
    }
}

/// An event with its place in the chain, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    pub seq: i64,
    pub event: AuditEvent,
    pub prev_hash: String,
    pub hash: String,
}

pub fn truncate_to_micros(at: OffsetDateTime) -> OffsetDateTime {
    let at = at.to_offset(time::UtcOffset::UTC);
    at.replace_nanosecond(at.microsecond() * 1_000)
        .unwrap_or(at)
}

/// The canonical text of a timestamp inside the hash.
fn canonical_time(at: OffsetDateTime) -> String {
    let fmt =
        format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]Z");
    at.to_offset(time::UtcOffset::UTC)
        .format(fmt)
        .unwrap_or_else(|_| at.unix_timestamp_nanos().to_string())
}

/// Hex SHA-256 of some bytes: the digest recorded for a subject's before/after state.
pub fn digest_of(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Length-prefixed fields, so that no two different entries share an encoding.
fn entry_hash(seq: i64, prev_hash: &str, e: &AuditEvent) -> String {
    let mut h = Sha256::new();
    let time = canonical_time(e.at);
    let seq = seq.to_string();
    let fields: [&str; 8] = [
        &seq,
        prev_hash,
        &time,
        &e.actor,
        &e.action,
        &e.subject,
        e.before_digest.as_deref().unwrap_or("-"),
        e.after_digest.as_deref().unwrap_or("-"),
    ];
    for field in fields {
        h.update((field.len() as u64).to_be_bytes());
        h.update(field.as_bytes());
    }
    hex::encode(h.finalize())
}

/// The first place where the stored log disagrees with itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainBreak {
    /// An entry is missing: `expected` was due but `found` came next.
    Gap { expected: i64, found: i64 },
    /// The entry's content no longer matches its hash: it was edited.
    Altered { seq: i64 },
    /// The entry does not point at the hash of the one before it.
    Unlinked { seq: i64 },
    /// The recorded head of the log is not the last entry: entries were removed from the end
    /// or the head was changed.
    HeadMismatch { head_seq: i64, last_seq: i64 },
}

impl fmt::Display for ChainBreak {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Gap { expected, found } => write!(
                f,
                "entry {expected} is missing (next entry found is {found})"
            ),
            Self::Altered { seq } => write!(
                f,
                "entry {seq} was altered: its content does not match its hash"
            ),
            Self::Unlinked { seq } => write!(
                f,
                "entry {seq} does not link to the hash of entry {}",
                seq - 1
            ),
            Self::HeadMismatch { head_seq, last_seq } => {
                write!(
                    f,
                    "the log head records entry {head_seq} but the last entry is {last_seq}"
                )
            }
        }
    }
}

impl std::error::Error for ChainBreak {}

/// Checks stored entries one by one, in `seq` order, without holding them all in memory.
#[derive(Debug)]
pub struct ChainVerifier {
    next_seq: i64,
    prev_hash: String,
}

impl Default for ChainVerifier {
    fn default() -> Self {
        Self {
            next_seq: 1,
            prev_hash: GENESIS_HASH.to_owned(),
        }
    }
}

impl ChainVerifier {
    pub fn check(&mut self, entry: &AuditEntry) -> Result<(), ChainBreak> {
        if entry.seq != self.next_seq {
            return Err(ChainBreak::Gap {
                expected: self.next_seq,
                found: entry.seq,
            });
        }
        if entry_hash(entry.seq, &entry.prev_hash, &entry.event) != entry.hash {
            return Err(ChainBreak::Altered { seq: entry.seq });
        }
        if entry.prev_hash != self.prev_hash {
            return Err(ChainBreak::Unlinked { seq: entry.seq });
        }
        self.next_seq += 1;
        self.prev_hash.clone_from(&entry.hash);
        Ok(())
    }

    /// Compares the end of the chain with the separately recorded head; returns the entry count.
    pub fn finish(self, head: Option<(i64, &str)>) -> Result<i64, ChainBreak> {
        let last_seq = self.next_seq - 1;
        let (head_seq, head_hash) = head.unwrap_or((0, GENESIS_HASH));
        if head_seq != last_seq || head_hash != self.prev_hash {
            return Err(ChainBreak::HeadMismatch { head_seq, last_seq });
        }
        Ok(last_seq)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn chain(n: usize) -> Vec<AuditEntry> {
        let mut out: Vec<AuditEntry> = Vec::new();
        for i in 0..n {
            let ev = AuditEvent::new(
                datetime!(2026-04-01 09:00:00.123456789 UTC),
                "cli",
                "programme.upsert",
                format!("programme:p{i}"),
            )
            .with_digests(None, Some(digest_of(format!("doc{i}").as_bytes())));
            let prev = out.last().map(|e| (e.seq, e.hash.clone()));
            out.push(ev.chain_after(prev.as_ref().map(|(s, h)| (*s, h.as_str()))));
        }
        out
    }

    fn verify(entries: &[AuditEntry]) -> Result<i64, ChainBreak> {
        let mut v = ChainVerifier::default();
        for e in entries {
            v.check(e)?;
        }
        let last = entries.last();
        v.finish(last.map(|e| (e.seq, e.hash.as_str())))
    }

    #[test]
    fn untouched_chain_verifies() {
        assert_eq!(verify(&chain(5)), Ok(5));
        assert_eq!(verify(&[]), Ok(0));
    }

    #[test]
    fn edited_entry_is_named() {
        let mut entries = chain(5);
        entries[2].event.actor = "someone-else".into();
        assert_eq!(verify(&entries), Err(ChainBreak::Altered { seq: 3 }));
    }

    #[test]
    fn deleted_entry_is_named() {
        let mut entries = chain(5);
        entries.remove(1);
        assert_eq!(
            verify(&entries),
            Err(ChainBreak::Gap {
                expected: 2,
                found: 3
            })
        );
    }

    #[test]
    fn rehashed_edit_still_breaks_the_link() {
        let mut entries = chain(4);
        let mut forged = entries[1].event.clone();
        forged.subject = "programme:forged".into();
        let prev = (entries[0].seq, entries[0].hash.clone());
        entries[1] = forged.chain_after(Some((prev.0, &prev.1)));
        assert_eq!(verify(&entries), Err(ChainBreak::Unlinked { seq: 3 }));
    }

    #[test]
    fn truncated_tail_is_caught_by_the_head() {
        let entries = chain(4);
        let mut v = ChainVerifier::default();
        for e in &entries[..3] {
            v.check(e).unwrap();
        }
        assert_eq!(
            v.finish(Some((4, &entries[3].hash))),
            Err(ChainBreak::HeadMismatch {
                head_seq: 4,
                last_seq: 3
            })
        );
    }

    #[test]
    fn time_is_kept_to_the_microsecond() {
        let e = AuditEvent::new(
            datetime!(2026-04-01 09:00:00.123456789 +09:00),
            "a",
            "b",
            "c",
        );
        assert_eq!(e.at, datetime!(2026-04-01 00:00:00.123456 UTC));
    }
}
