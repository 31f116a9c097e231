//! The HS256 signing secret: configured, or generated once and kept under the data dir.
use std::io::Write;
use std::path::Path;

use rand::RngCore;

use crate::config::{Secret, Settings};

const SECRET_FILE: &str = "jwt-secret";

/// The configured secret, or the one kept in `<data-dir>/jwt-secret` (created on first use,
/// readable by the owner only), so tokens survive a restart of the embedded server.
pub fn signing_secret(settings: &Settings) -> std::io::Result<Secret> {
    if let Some(secret) = &settings.jwt_secret {
        return Ok(secret.clone());
    }
    let path = settings.data_dir.join(SECRET_FILE);
    match std::fs::read_to_string(&path) {
        Ok(text) if text.trim().len() >= 32 => Ok(Secret::new(text.trim())),
        Ok(_) | Err(_) => create_secret_file(&settings.data_dir, &path),
    }
}

fn create_secret_file(dir: &Path, path: &Path) -> std::io::Result<Secret> {
    std::fs::create_dir_all(dir)?;
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let secret: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
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
