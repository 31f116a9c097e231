//! Signing keys: the HS256 secret (configured, or generated once under the data dir), or
//! asymmetric key pairs (EdDSA / RS256) named by `kid`.
use std::io::Write;
use std::path::Path;

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey};
use rand::RngCore;

use crate::config::{Secret, Settings};

const SECRET_FILE: &str = "jwt-secret";

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("cannot read the signing secret: {0}")]
    Secret(std::io::Error),
    #[error("cannot read key file {path}: {source}")]
    File {
        path: String,
        source: std::io::Error,
    },
    #[error("{0} is not `KID=PATH`")]
    Syntax(String),
    #[error("key {0} is neither an Ed25519 nor an RSA PEM key")]
    Format(String),
    #[error("JWT_PRIVATE_KEY needs JWT_PUBLIC_KEYS with the same kid ({0})")]
    MissingPublic(String),
}

/// The configured secret, or the one kept in `<data-dir>/jwt-secret` (created on first use,
/// readable by the owner only), so tokens survive a restart of the embedded server.
pub fn signing_secret(settings: &Settings) -> Result<Secret, KeyError> {
    if let Some(secret) = &settings.jwt_secret {
        return Ok(secret.clone());
    }
    let path = settings.data_dir.join(SECRET_FILE);
    match std::fs::read_to_string(&path) {
        Ok(text) if text.trim().len() >= 32 => Ok(Secret::new(text.trim())),
        Ok(_) | Err(_) => create_secret_file(&settings.data_dir, &path).map_err(KeyError::Secret),
    }
}

fn create_secret_file(dir: &Path, path: &Path) -> std::io::Result<Secret> {
    std::fs::create_dir_all(dir)?;
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let secret = hex::encode(bytes);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(secret.as_bytes())?;
    file.sync_all()?;
    Ok(Secret::new(secret))
}

/// `KID=PATH` pairs, comma-separated.
fn pairs(spec: &str) -> Result<Vec<(String, String)>, KeyError> {
    spec.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|pair| {
            pair.split_once('=')
                .map(|(kid, path)| (kid.trim().to_owned(), path.trim().to_owned()))
                .filter(|(kid, path)| !kid.is_empty() && !path.is_empty())
                .ok_or_else(|| KeyError::Syntax(pair.to_owned()))
        })
        .collect()
}

fn read(path: &str) -> Result<Vec<u8>, KeyError> {
    std::fs::read(path).map_err(|source| KeyError::File {
        path: path.to_owned(),
        source,
    })
}

/// A public key accepted for verification.
pub struct PublicKey {
    pub kid: String,
    pub algorithm: Algorithm,
    pub key: DecodingKey,
}

/// The private key tokens are signed with.
pub struct PrivateKey {
    pub kid: String,
    pub algorithm: Algorithm,
    pub key: EncodingKey,
}

pub fn public_keys(spec: &str) -> Result<Vec<PublicKey>, KeyError> {
    pairs(spec)?
        .into_iter()
        .map(|(kid, path)| {
            let pem = read(&path)?;
            if let Ok(key) = DecodingKey::from_ed_pem(&pem) {
                Ok(PublicKey {
                    kid,
                    algorithm: Algorithm::EdDSA,
                    key,
                })
            } else if let Ok(key) = DecodingKey::from_rsa_pem(&pem) {
                Ok(PublicKey {
                    kid,
                    algorithm: Algorithm::RS256,
                    key,
                })
            } else {
                Err(KeyError::Format(kid))
            }
        })
        .collect()
}

pub fn private_key(spec: &str) -> Result<PrivateKey, KeyError> {
    let (kid, path) = pairs(spec)?
        .into_iter()
        .next()
        .ok_or_else(|| KeyError::Syntax(spec.to_owned()))?;
    let pem = read(&path)?;
    if let Ok(key) = EncodingKey::from_ed_pem(&pem) {
        Ok(PrivateKey {
            kid,
            algorithm: Algorithm::EdDSA,
            key,
        })
    } else if let Ok(key) = EncodingKey::from_rsa_pem(&pem) {
        Ok(PrivateKey {
            kid,
            algorithm: Algorithm::RS256,
            key,
        })
    } else {
        Err(KeyError::Format(kid))
    }
}
