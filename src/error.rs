//! The one error type of the registry and how it leaves the process.
//!
//! Every failure a client can see is an [`AppError`]; its kind becomes
//! `extensions.code` (DESIGN.md §3). An internal cause (a database error, an IO error)
//! is kept for the log and never sent: the client gets `INTERNAL` and the request id.
use std::fmt;
use std::sync::Arc;

/// The `extensions.code` values of DESIGN.md §3.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    Unauthenticated,
    Forbidden,
    NotFound,
    BadUserInput,
    Conflict,
    LimitExceeded,
    Internal,
    GraphqlParseFailed,
    GraphqlValidationFailed,
    /// Apollo's automatic persisted queries: the hash is not known (yet); send the text.
    PersistedQueryNotFound,
    /// Only trusted documents run here (`PERSISTED_OPERATIONS=required`).
    PersistedQueryNotInList,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Unauthenticated => "UNAUTHENTICATED",
            Self::Forbidden => "FORBIDDEN",
            Self::NotFound => "NOT_FOUND",
            Self::BadUserInput => "BAD_USER_INPUT",
            Self::Conflict => "CONFLICT",
            Self::LimitExceeded => "LIMIT_EXCEEDED",
            Self::Internal => "INTERNAL",
            Self::GraphqlParseFailed => "GRAPHQL_PARSE_FAILED",
            Self::GraphqlValidationFailed => "GRAPHQL_VALIDATION_FAILED",
            Self::PersistedQueryNotFound => "PERSISTED_QUERY_NOT_FOUND",
            Self::PersistedQueryNotInList => "PERSISTED_QUERY_NOT_IN_LIST",
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A limit of DESIGN §6 that a request passed: which, the request's value, the limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OverLimit {
    pub limit: Limit,
    pub value: usize,
    pub max: usize,
}

/// The limits a request's shape is held to (`extensions.limit`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    Complexity,
    Depth,
    Aliases,
    RootFields,
    Directives,
    Fields,
    Batch,
}

impl Limit {
    /// `extensions.limit`.
    pub fn key(self) -> &'static str {
        match self {
            Self::Complexity => "complexity",
            Self::Depth => "depth",
            Self::Aliases => "aliases",
            Self::RootFields => "rootFields",
            Self::Directives => "directives",
            Self::Fields => "fields",
            Self::Batch => "batch",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Self::Complexity => "complexity",
            Self::Depth => "depth",
            Self::Aliases => "aliases",
            Self::RootFields => "root fields",
            Self::Directives => "directives on one field",
            Self::Fields => "field selections",
            Self::Batch => "operations in the batch",
        }
    }
}

impl fmt::Display for OverLimit {
    /// `complexity 23,400 exceeds the limit of 20,000`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} exceeds the limit of {}",
            self.limit.label(),
            grouped(self.value),
            grouped(self.max)
        )
    }
}

/// `23400` → `23,400`.
fn grouped(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A cause kept for the operator's log only.
pub type InternalCause = Arc<dyn std::error::Error + Send + Sync>;

#[derive(Debug, Clone, thiserror::Error)]
pub enum AppError {
    #[error("{0}")]
    Unauthenticated(String),
    /// The caller can see the thing but its role may not do this to it.
    #[error("{0}")]
    Forbidden(String),
    /// The thing does not exist, or the caller may not see it: the two are the same answer,
    /// so existence never leaks.
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("{message}")]
    BadInput {
        field: Option<String>,
        message: String,
    },
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    LimitExceeded(String),
    /// A request over one of DESIGN §6's limits, with the measured value.
    #[error("{0}")]
    OverLimit(OverLimit),
    /// The hash of an automatic persisted query this server does not hold; Apollo's clients
    /// answer it by sending the text with the hash. (The message is the one they look for.)
    #[error("PersistedQueryNotFound")]
    PersistedQueryNotFound,
    /// A document that is not among the trusted documents, when only those run.
    #[error("{0}")]
    NotTrusted(String),
    /// The message is fixed; the cause goes to the log.
    #[error("internal error")]
    Internal(InternalCause),
}

impl AppError {
    pub fn bad_input(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::BadInput {
            field: Some(field.into()),
            message: message.into(),
        }
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::Forbidden(message.into())
    }

    pub fn internal(cause: impl std::error::Error + Send + Sync + 'static) -> Self {
        Self::Internal(Arc::new(cause))
    }

    pub fn code(&self) -> ErrorCode {
        match self {
            Self::Unauthenticated(_) => ErrorCode::Unauthenticated,
            Self::Forbidden(_) => ErrorCode::Forbidden,
            Self::NotFound(_) => ErrorCode::NotFound,
            Self::BadInput { .. } => ErrorCode::BadUserInput,
            Self::Conflict(_) => ErrorCode::Conflict,
            Self::LimitExceeded(_) | Self::OverLimit(_) => ErrorCode::LimitExceeded,
            Self::PersistedQueryNotFound => ErrorCode::PersistedQueryNotFound,
            Self::NotTrusted(_) => ErrorCode::PersistedQueryNotInList,
            Self::Internal(_) => ErrorCode::Internal,
        }
    }

    /// The field at fault, for `extensions.field`.
    pub fn field(&self) -> Option<&str> {
        match self {
            Self::BadInput { field, .. } => field.as_deref(),
            _ => None,
        }
    }

    /// Prefixes the field at fault with where it sits in the input (`cost` → `input.cost`).
    pub fn within(self, prefix: &str) -> Self {
        match self {
            Self::BadInput {
                field: Some(field),
                message,
            } => Self::BadInput {
                field: Some(format!("{prefix}.{field}")),
                message,
            },
            other => other,
        }
    }
}

impl From<sea_orm::DbErr> for AppError {
    fn from(err: sea_orm::DbErr) -> Self {
        match err {
            // Every connection stayed busy for the acquire timeout: the server is overloaded,
            // which the client should hear as such (and retry), not as a bug.
            sea_orm::DbErr::ConnectionAcquire(_) => {
                tracing::warn!(error = %err, "database pool exhausted");
                Self::LimitExceeded("the server is busy: retry shortly".into())
            }
            other => Self::internal(other),
        }
    }
}

impl From<sea_orm::TransactionError<AppError>> for AppError {
    fn from(err: sea_orm::TransactionError<AppError>) -> Self {
        match err {
            sea_orm::TransactionError::Connection(db) => Self::from(db),
            sea_orm::TransactionError::Transaction(app) => app,
        }
    }
}

pub type AppResult<T> = Result<T, AppError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_limit_says_which_the_value_and_the_limit() {
        let over = OverLimit {
            limit: Limit::Complexity,
            value: 23_400,
            max: 20_000,
        };
        assert_eq!(
            over.to_string(),
            "complexity 23,400 exceeds the limit of 20,000"
        );
        assert_eq!(grouped(7), "7");
        assert_eq!(grouped(1_000), "1,000");
        assert_eq!(grouped(1_234_567), "1,234,567");
        assert_eq!(grouped(999_999), "999,999");
    }
}
