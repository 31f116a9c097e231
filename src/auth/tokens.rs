//! Signing and verifying access tokens, following RFC 8725: the accepted algorithms are
//! pinned by configuration (HS256 with a shared secret, or EdDSA/RS256 keys chosen by
//! `kid`), `exp`/`iss`/`aud`/`sub` are required, `nbf` is honoured, and clock skew is
//! tolerated for 30 seconds at most. Keys are parsed once at start-up.
use std::time::Duration;

use chrono::Utc;
use jsonwebtoken::{
    decode, decode_header, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::keys::{self, KeyError};
use crate::config::{Secret, Settings};
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

/// What a signed map link grants: the map of `brand` (and `journey`) as `sub` acting in
/// `org` sees it. The principal is read from the database when the link is used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkClaims {
    pub sub: Uuid,
    pub org: Uuid,
    pub brand: Uuid,
    pub journey: Option<Uuid>,
}

#[derive(Debug, Serialize, Deserialize)]
struct SignedLink {
    sub: String,
    iss: String,
    aud: String,
    exp: i64,
    iat: i64,
    org: Uuid,
    brand: Uuid,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    journey: Option<Uuid>,
}

struct Signer {
    header: Header,
    key: EncodingKey,
}

/// A key accepted on verification, with the validation pinned to its algorithm.
struct Verifier {
    kid: Option<String>,
    key: DecodingKey,
    validation: Validation,
}

/// Issues and verifies tokens.
pub struct TokenService {
    signer: Option<Signer>,
    verifiers: Vec<Verifier>,
    issuer: String,
    audience: String,
    ttl: Duration,
}

fn validation(algorithm: Algorithm, issuer: &str, audience: &str) -> Validation {
    let mut v = Validation::new(algorithm);
    v.set_issuer(&[issuer]);
    v.set_audience(&[audience]);
    v.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
    v.validate_nbf = true;
    v.leeway = LEEWAY_SECONDS;
    v
}

fn unauthenticated(reason: &str) -> AppError {
    AppError::Unauthenticated(reason.into())
}

impl TokenService {
    /// HS256 with a shared secret.
    pub fn hs256(secret: &Secret, issuer: &str, audience: &str, ttl: Duration) -> Self {
        let bytes = secret.expose().as_bytes();
        let mut header = Header::new(Algorithm::HS256);
        header.typ = Some("JWT".into());
        Self {
            signer: Some(Signer {
                header,
                key: EncodingKey::from_secret(bytes),
            }),
            verifiers: vec![Verifier {
                kid: None,
                key: DecodingKey::from_secret(bytes),
                validation: validation(Algorithm::HS256, issuer, audience),
            }],
            issuer: issuer.to_owned(),
            audience: audience.to_owned(),
            ttl,
        }
    }

    /// The service the settings describe: asymmetric keys when `JWT_PUBLIC_KEYS` is set,
    /// otherwise HS256 with `JWT_SECRET` (or the generated secret).
    pub fn from_settings(settings: &Settings) -> Result<Self, KeyError> {
        let (issuer, audience) = (&settings.jwt_issuer, &settings.jwt_audience);
        let Some(public) = &settings.jwt_public_keys else {
            let secret = keys::signing_secret(settings)?;
            return Ok(Self::hs256(&secret, issuer, audience, settings.token_ttl));
        };
        let verifiers: Vec<Verifier> = keys::public_keys(public)?
            .into_iter()
            .map(|k| Verifier {
                kid: Some(k.kid),
                key: k.key,
                validation: validation(k.algorithm, issuer, audience),
            })
            .collect();
        let signer = match &settings.jwt_private_key {
            None => None,
            Some(spec) => {
                let private = keys::private_key(spec)?;
                if !verifiers
                    .iter()
                    .any(|v| v.kid.as_deref() == Some(&private.kid))
                {
                    return Err(KeyError::MissingPublic(private.kid));
                }
                let mut header = Header::new(private.algorithm);
                header.typ = Some("JWT".into());
                header.kid = Some(private.kid);
                Some(Signer {
                    header,
                    key: private.key,
                })
            }
        };
        Ok(Self {
            signer,
            verifiers,
            issuer: issuer.clone(),
            audience: audience.clone(),
            ttl: settings.token_ttl,
        })
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
        let signer = self.signer.as_ref().ok_or_else(|| {
            AppError::internal(std::io::Error::other(
                "no signing key configured (JWT_PRIVATE_KEY)",
            ))
        })?;
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
        encode(&signer.header, &claims, &signer.key).map_err(AppError::internal)
    }

    /// Verifies the token with the key its `kid` names (or the only key), under that key's
    /// pinned algorithm; any failure is UNAUTHENTICATED with a reason, never key material.
    pub fn verify(&self, token: &str) -> Result<Claims, AppError> {
        self.decode_for(token, &self.audience)
    }

    /// The audience of signed map links: a link is not an access token, and an access token
    /// is not a link.
    fn link_audience(&self) -> String {
        format!("{}#map-link", self.audience)
    }

    /// Signs a link's claims with the token keys (so links rotate and verify like tokens).
    pub fn issue_link(&self, link: &LinkClaims, ttl: Duration) -> Result<(String, i64), AppError> {
        let signer = self.signer.as_ref().ok_or_else(|| {
            AppError::internal(std::io::Error::other(
                "no signing key configured (JWT_PRIVATE_KEY)",
            ))
        })?;
        let now = Utc::now().timestamp();
        let exp = now.saturating_add(i64::try_from(ttl.as_secs()).unwrap_or(0));
        let claims = SignedLink {
            sub: link.sub.to_string(),
            iss: self.issuer.clone(),
            aud: self.link_audience(),
            exp,
            iat: now,
            org: link.org,
            brand: link.brand,
            journey: link.journey,
        };
        let token = encode(&signer.header, &claims, &signer.key).map_err(AppError::internal)?;
        Ok((token, exp))
    }

    /// Verifies a signed link: tampered, expired or foreign links are refused.
    pub fn verify_link(&self, token: &str) -> Result<LinkClaims, AppError> {
        let audience = self.link_audience();
        let link: SignedLink = self.decode_for(token, &audience)?;
        Ok(LinkClaims {
            sub: Uuid::parse_str(&link.sub)
                .map_err(|_| unauthenticated("the link is not valid"))?,
            org: link.org,
            brand: link.brand,
            journey: link.journey,
        })
    }

    fn decode_for<T: serde::de::DeserializeOwned>(
        &self,
        token: &str,
        audience: &str,
    ) -> Result<T, AppError> {
        let header =
            decode_header(token).map_err(|_| unauthenticated("the access token is not valid"))?;
        let verifier = match (&header.kid, self.verifiers.as_slice()) {
            (_, [only]) if only.kid.is_none() => only,
            (Some(kid), all) => all
                .iter()
                .find(|v| v.kid.as_deref() == Some(kid.as_str()))
                .ok_or_else(|| unauthenticated("the access token names an unknown key"))?,
            (None, [only]) => only,
            (None, _) => return Err(unauthenticated("the access token names no key (kid)")),
        };
        if !verifier.validation.algorithms.contains(&header.alg) {
            return Err(unauthenticated(
                "the access token uses an algorithm not accepted here",
            ));
        }
        let mut validation = verifier.validation.clone();
        if audience != self.audience {
            validation.set_audience(&[audience]);
        }
        decode::<T>(token, &verifier.key, &validation)
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
                unauthenticated(reason)
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
