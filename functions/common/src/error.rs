//! The one error type of the ports and step handlers, each variant with a stable name that
//! state-machine Retry/Catch rules match on (`Rushes.*`).

/// Everything a step or a port can fail with.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The step's input (event, JSON, document) is malformed or refers to something unsafe.
    #[error("bad input: {0}")]
    BadInput(String),
    /// An object key tries to leave its prefix or is otherwise unusable.
    #[error("unsafe object key `{key}`: {problem}")]
    UnsafeKey { key: String, problem: String },
    /// Something the input names does not exist.
    #[error("not found: {0}")]
    NotFound(String),
    /// A write would replace an object that must never be overwritten.
    #[error("{store}: `{key}` already exists and is never overwritten")]
    AlreadyExists { store: String, key: String },
    /// Content does not match its recorded checksums.
    #[error("verification failed: {0}")]
    VerificationFailed(String),
    /// The object store failed (network, permissions, disk); usually worth a retry.
    #[error("{store}: {op} `{key}` failed: {detail}")]
    Store {
        store: String,
        op: &'static str,
        key: String,
        detail: String,
    },
    /// The catalog failed; usually worth a retry.
    #[error("catalog {op} failed: {detail}")]
    Catalog { op: &'static str, detail: String },
    /// Missing or invalid configuration (environment of a Lambda, flags of the CLI).
    #[error("configuration: {0}")]
    Config(String),
    /// The media engine rejected a document or failed on content.
    #[error(transparent)]
    Engine(#[from] rushes_engine::Error),
}

impl Error {
    /// The stable error name used by Retry/Catch rules and reports (`Rushes.*`).
    pub fn name(&self) -> &'static str {
        match self {
            Error::BadInput(_) | Error::UnsafeKey { .. } => "Rushes.BadInput",
            Error::NotFound(_) => "Rushes.NotFound",
            Error::AlreadyExists { .. } => "Rushes.AlreadyExists",
            Error::VerificationFailed(_) => "Rushes.VerificationFailed",
            Error::Store { .. } => "Rushes.StoreUnavailable",
            Error::Catalog { .. } => "Rushes.CatalogUnavailable",
            Error::Config(_) => "Rushes.Config",
            Error::Engine(inner) => match inner {
                rushes_engine::Error::Io { .. } => "Rushes.StoreUnavailable",
                rushes_engine::Error::ChangedWhileHashing { .. } => "Rushes.ChangedWhileHashing",
                rushes_engine::Error::NoHistory { .. } => "Rushes.NoHistory",
                rushes_engine::Error::MhlInvalid { .. }
                | rushes_engine::Error::UnsafePath { .. } => "Rushes.MhlInvalid",
                _ => "Rushes.BadInput",
            },
        }
    }

    /// Whether retrying the same call may succeed (transient infrastructure failures only).
    pub fn is_retryable(&self) -> bool {
        matches!(
            self.name(),
            "Rushes.StoreUnavailable" | "Rushes.CatalogUnavailable"
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_stable() {
        assert_eq!(Error::BadInput("x".into()).name(), "Rushes.BadInput");
        assert_eq!(
            Error::VerificationFailed("x".into()).name(),
            "Rushes.VerificationFailed"
        );
        let store = Error::Store {
            store: "s3://b".into(),
            op: "get",
            key: "k".into(),
            detail: "timeout".into(),
        };
        assert_eq!(store.name(), "Rushes.StoreUnavailable");
        assert!(store.is_retryable());
        assert!(!Error::NotFound("k".into()).is_retryable());
        let mhl = Error::from(rushes_engine::Error::MhlInvalid {
            file: "a.mhl".into(),
            problem: "truncated".into(),
        });
        assert_eq!(mhl.name(), "Rushes.MhlInvalid");
    }
}
