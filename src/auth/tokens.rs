//! Signing and verifying access tokens (JWT, RFC 8725: algorithm pinned, `exp`/`iss`/`aud`
//! required, `nbf` honoured, small leeway).
use std::time::Duration;

use chrono::Utc;
use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::config::Secret;
use crate::error::AppError;

/// Clock skew tolerated on `exp` and `nbf`, in seconds.
const LEEWAY_SECONDS: u64 = 30;

/// The claims of an access token.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    /// The user's or API client's id.
    pub sub: String,
    pub iss: String,
    pub aud: String,
    pub exp: i64,
    pub iat: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nbf: Option<i64>,
    /// For a user in several organizations: the one this token acts in. The role is still
    /// read from the membership in the database.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org: Option<Uuid>,
}

/// Issues and verifies tokens; built once at start-up (keys are parsed once).
pub struct TokenService {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    issuer: String,
    audience: String,
    ttl: Duration,
}

impl TokenService {
    pub fn hs256(secret: &Secret, issuer: &str, audience: &str, ttl: Duration) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[issuer]);
        validation.set_audience(&[audience]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.validate_nbf = true;
        validation.leeway = LEEWAY_SECONDS;
        Self {
            encoding: EncodingKey::from_secret(secret.expose().as_bytes()),
            decoding: DecodingKey::from_secret(secret.expose().as_bytes()),
            validation,
            issuer: issuer.to_owned(),
            audience: audience.to_owned(),
            ttl,
        }
    }

    pub fn default_ttl(&self) -> Duration {
        self.ttl
    }

    /// Signs a token for `subject`, valid for `ttl` (the configured default when `None`).
    pub fn issue(
        &self,
        subject: Uuid,
        org: Option<Uuid>,
        ttl: Option<Duration>,
    ) -> Result<String, AppError> {
        let now = Utc::now().timestamp();
        let ttl = i64::try_from(ttl.unwrap_or(self.ttl).as_secs()).unwrap_or(i64::MAX / 2);
        let claims = Claims {
            sub: subject.to_string(),
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
            exp: now.saturating_add(ttl),
            iat: now,
            nbf: None,
            org,
        };
        encode(&Header::new(Algorithm::HS256), &claims, &self.encoding).map_err(AppError::internal)
    }

    /// Verifies signature, algorithm, `exp`, `nbf`, `iss` and `aud`; any failure is
    /// UNAUTHENTICATED with a message that says which, never what the key is.
    pub fn verify(&self, token: &str) -> Result<Claims, AppError> {
        decode::<Claims>(token, &self.decoding, &self.validation)
            .map(|data| data.claims)
            .map_err(|err| {
                use jsonwebtoken::errors::ErrorKind;
                let reason = match err.kind() {
                    ErrorKind::ExpiredSignature => "the access token has expired",
                    ErrorKind::ImmatureSignature => "the access token is not valid yet",
                    ErrorKind::InvalidIssuer => "the access token has the wrong issuer",
                    ErrorKind::InvalidAudience => "the access token has the wrong audience",
                    ErrorKind::InvalidAlgorithm => {
                        "the access token uses an algorithm not accepted here"
                    }
                    ErrorKind::MissingRequiredClaim(_) => "the access token lacks a required claim",
                    _ => "the access token is not valid",
                };
                AppError::Unauthenticated(reason.into())
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn service() -> TokenService {
        TokenService::hs256(
            &Secret::new("x".repeat(32)),
            "iss",
            "aud",
            Duration::from_secs(60),
        )
    }

    #[test]
    fn round_trip() {
        let s = service();
        let id = Uuid::new_v4();
        let token = s.issue(id, None, None).ok();
        let claims = token.and_then(|t| s.verify(&t).ok());
        assert_eq!(claims.map(|c| c.sub), Some(id.to_string()));
    }

    #[test]
    fn other_audience_is_rejected() {
        let other = TokenService::hs256(
            &Secret::new("x".repeat(32)),
            "iss",
            "other",
            Duration::from_secs(60),
        );
        let token = other
            .issue(Uuid::new_v4(), None, None)
            .ok()
            .unwrap_or_default();
        assert!(service().verify(&token).is_err());
    }
}
