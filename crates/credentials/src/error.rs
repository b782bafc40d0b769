/// Why a credential could not be built, signed or read. Each has a stable code for the
/// verification page and the API.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CredentialError {
    #[error("not JSON: {0}")]
    NotJson(String),
    #[error("not a credential: {0}")]
    Malformed(String),
    #[error("JSON-LD processing failed: {0}")]
    JsonLd(String),
    #[error("unknown JSON-LD context {0}: only local copies are used")]
    UnknownContext(String),
    #[error("the key cannot be read: {0}")]
    Key(String),
    #[error("the sealed key cannot be opened: wrong master key or damaged data")]
    Unseal,
    #[error("the status list cannot be read: {0}")]
    StatusList(String),
}

impl CredentialError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotJson(_) => "credential.not_json",
            Self::Malformed(_) => "credential.malformed",
            Self::JsonLd(_) => "credential.json_ld",
            Self::UnknownContext(_) => "credential.unknown_context",
            Self::Key(_) => "credential.key",
            Self::Unseal => "credential.unseal",
            Self::StatusList(_) => "credential.status_list",
        }
    }
}
