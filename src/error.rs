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
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
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
            Self::LimitExceeded(_) => ErrorCode::LimitExceeded,
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
