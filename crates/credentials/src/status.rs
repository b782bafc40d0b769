//! W3C Bitstring Status List 1.0 with one entry per credential of `statusSize` 2 and
//! `statusPurpose` `message`: 0 active, 1 suspended, 2 revoked. One entry says all three,
//! because Open Badges' schema allows a credential one `credentialStatus` object only.

use crate::CredentialError;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use flate2::Compression;
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;
use serde_json::{Value, json};
use std::io::{Read, Write};

/// Entries per list: the spec's minimum of 131,072, so that no list reveals how few
/// credentials an issuer has (herd privacy).
pub const ENTRIES: u32 = 131_072;
/// Bits per entry.
pub const STATUS_SIZE: u32 = 2;
/// An encoded list larger than this (uncompressed) is refused before it is inflated.
const MAX_BYTES: usize = 16 * 1024 * 1024;

/// What a credential's entry says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Active,
    Suspended,
    Revoked,
}

impl Status {
    fn bits(self) -> u8 {
        match self {
            Self::Active => 0,
            Self::Suspended => 1,
            Self::Revoked => 2,
        }
    }

    fn from_bits(bits: u8) -> Option<Self> {
        match bits {
            0 => Some(Self::Active),
            1 => Some(Self::Suspended),
            2 => Some(Self::Revoked),
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Suspended => "suspended",
            Self::Revoked => "revoked",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        [Self::Active, Self::Suspended, Self::Revoked]
            .into_iter()
            .find(|s| s.code() == code)
    }

    pub fn label_ja(self) -> &'static str {
        match self {
            Self::Active => "有効",
            Self::Suspended => "一時停止",
            Self::Revoked => "取消し",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Self::Active => "Active",
            Self::Suspended => "Suspended",
            Self::Revoked => "Revoked",
        }
    }
}

/// The statuses of one list, entry by entry; entries never set are active.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bitstring {
    bytes: Vec<u8>,
}

impl Default for Bitstring {
    fn default() -> Self {
        Self {
            bytes: vec![0; (ENTRIES * STATUS_SIZE / 8) as usize],
        }
    }
}

impl Bitstring {
    /// Sets the entries given; an index past the list is refused.
    pub fn with(entries: impl IntoIterator<Item = (u32, Status)>) -> Result<Self, CredentialError> {
        let mut list = Self::default();
        for (index, status) in entries {
            list.set(index, status)?;
        }
        Ok(list)
    }

    fn position(&self, index: u32) -> Result<(usize, u32), CredentialError> {
        let bit = u64::from(index) * u64::from(STATUS_SIZE);
        let byte = usize::try_from(bit / 8).map_err(|_| out_of_range(index))?;
        if byte >= self.bytes.len() {
            return Err(out_of_range(index));
        }
        // The first entry is the left-most bits of the first byte.
        Ok((byte, 8 - STATUS_SIZE - (bit % 8) as u32))
    }

    pub fn set(&mut self, index: u32, status: Status) -> Result<(), CredentialError> {
        let (byte, shift) = self.position(index)?;
        let mask = 0b11u8 << shift;
        self.bytes[byte] = (self.bytes[byte] & !mask) | (status.bits() << shift);
        Ok(())
    }

    pub fn get(&self, index: u32) -> Result<Status, CredentialError> {
        let (byte, shift) = self.position(index)?;
        let bits = (self.bytes[byte] >> shift) & 0b11;
        Status::from_bits(bits)
            .ok_or_else(|| CredentialError::StatusList(format!("entry {index} holds {bits:#x}")))
    }

    /// `encodedList`: multibase base64url (`u`) of the GZIP-compressed bits. The same bits
    /// always give the same text (no time in the GZIP header), so its hash is a stable ETag.
    pub fn encode(&self) -> Result<String, CredentialError> {
        let mut gz = GzEncoder::new(Vec::new(), Compression::best());
        gz.write_all(&self.bytes)
            .map_err(|e| CredentialError::StatusList(e.to_string()))?;
        let compressed = gz
            .finish()
            .map_err(|e| CredentialError::StatusList(e.to_string()))?;
        Ok(format!("u{}", URL_SAFE_NO_PAD.encode(compressed)))
    }

    pub fn decode(encoded: &str) -> Result<Self, CredentialError> {
        let body = encoded.strip_prefix('u').ok_or_else(|| {
            CredentialError::StatusList("not multibase base64url (no u prefix)".to_owned())
        })?;
        let compressed = URL_SAFE_NO_PAD
            .decode(body)
            .map_err(|e| CredentialError::StatusList(e.to_string()))?;
        let mut bytes = Vec::new();
        GzDecoder::new(compressed.as_slice())
            .take(MAX_BYTES as u64 + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| CredentialError::StatusList(e.to_string()))?;
        if bytes.len() > MAX_BYTES {
            return Err(CredentialError::StatusList(
                "the list is too large".to_owned(),
            ));
        }
        Ok(Self { bytes })
    }
}

fn out_of_range(index: u32) -> CredentialError {
    CredentialError::StatusList(format!(
        "index {index} is past the list's {ENTRIES} entries"
    ))
}

/// The `statusMessage` every entry carries, so a verifier reads the states without Koshu.
fn status_messages() -> Value {
    json!([
        {"status": "0x0", "message": "有効 / active"},
        {"status": "0x1", "message": "一時停止 / suspended"},
        {"status": "0x2", "message": "取消し / revoked"},
    ])
}

/// A credential's `credentialStatus`: entry `index` of the list at `list_url`.
pub fn entry(list_url: &str, index: u32) -> Value {
    json!({
        "id": format!("{list_url}#{index}"),
        "type": "BitstringStatusListEntry",
        "statusPurpose": "message",
        "statusSize": STATUS_SIZE,
        "statusListIndex": index.to_string(),
        "statusListCredential": list_url,
        "statusMessage": status_messages(),
    })
}

/// Where a credential's status is: its list's address and its index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryRef {
    pub list_url: String,
    pub index: u32,
}

/// Reads a credential's `credentialStatus`, if it has one of this kind.
pub fn entry_of(credential: &Value) -> Result<Option<EntryRef>, CredentialError> {
    let Some(status) = credential.get("credentialStatus") else {
        return Ok(None);
    };
    let field = |name: &str| status.get(name).and_then(Value::as_str);
    if field("type") != Some("BitstringStatusListEntry") {
        return Err(CredentialError::StatusList(
            "only BitstringStatusListEntry is understood".to_owned(),
        ));
    }
    let list_url = field("statusListCredential")
        .ok_or_else(|| CredentialError::StatusList("no statusListCredential".to_owned()))?;
    let index = field("statusListIndex")
        .and_then(|i| i.parse::<u32>().ok())
        .ok_or_else(|| CredentialError::StatusList("statusListIndex is not a number".to_owned()))?;
    Ok(Some(EntryRef {
        list_url: list_url.to_owned(),
        index,
    }))
}

/// The unsigned status list credential.
pub fn list_credential(list_url: &str, issuer: &str, valid_from: &str, encoded: &str) -> Value {
    json!({
        "@context": [crate::canonical::CREDENTIALS_V2],
        "id": list_url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer,
        "validFrom": valid_from,
        "credentialSubject": {
            "id": format!("{list_url}#list"),
            "type": "BitstringStatusList",
            "statusPurpose": "message",
            "encodedList": encoded,
        },
    })
}

/// The bits a status list credential carries.
pub fn bits_of(list_credential: &Value) -> Result<Bitstring, CredentialError> {
    let encoded = list_credential
        .pointer("/credentialSubject/encodedList")
        .and_then(Value::as_str)
        .ok_or_else(|| CredentialError::StatusList("no encodedList".to_owned()))?;
    Bitstring::decode(encoded)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_list_holds_the_minimum_entries_and_encodes_stably() -> Result<(), CredentialError> {
        let list = Bitstring::with([(0, Status::Revoked), (5, Status::Suspended)])?;
        assert_eq!(list.bytes.len() * 8, (ENTRIES * STATUS_SIZE) as usize);
        let encoded = list.encode()?;
        assert!(
            encoded.starts_with("uH4sI"),
            "gzip magic in base64url: {encoded}"
        );
        assert_eq!(encoded, list.encode()?);
        let back = Bitstring::decode(&encoded)?;
        assert_eq!(back.get(0)?, Status::Revoked);
        assert_eq!(back.get(5)?, Status::Suspended);
        assert_eq!(back.get(6)?, Status::Active);
        assert_eq!(back.bytes[0], 0b1000_0000, "entry 0 is the left-most bits");
        assert!(back.get(ENTRIES).is_err());
        Ok(())
    }

    #[test]
    fn bad_lists_are_errors() {
        assert!(Bitstring::decode("H4sI").is_err());
        assert!(Bitstring::decode("u!!!").is_err());
        assert!(Bitstring::decode("uAAAA").is_err());
    }

    proptest! {
        #[test]
        fn any_statuses_read_back(entries in proptest::collection::vec((0..ENTRIES, 0u8..3), 0..50)) {
            let entries: Vec<(u32, Status)> = entries
                .into_iter()
                .filter_map(|(i, s)| Status::from_bits(s).map(|s| (i, s)))
                .collect();
            let list = Bitstring::with(entries.clone()).map_err(|e| TestCaseError::fail(e.to_string()))?;
            let back = Bitstring::decode(&list.encode().map_err(|e| TestCaseError::fail(e.to_string()))?)
                .map_err(|e| TestCaseError::fail(e.to_string()))?;
            let mut last = std::collections::HashMap::new();
            for (i, s) in entries { last.insert(i, s); }
            for (i, s) in last {
                prop_assert_eq!(back.get(i).map_err(|e| TestCaseError::fail(e.to_string()))?, s);
            }
        }

        #[test]
        fn decoding_never_panics(text in ".{0,64}") {
            let _ = Bitstring::decode(&text);
        }
    }
}
