//! The secret key: decoded from the configuration, or read from (and on first start
//! generated into) the data directory.
//!
//! The key is handed out as a [`SecretSlice`], whose `Debug` prints `[REDACTED]` and which
//! is zeroed when dropped, so a stray `{:?}` of the configuration cannot log it.

use std::path::Path;

use secrecy::SecretSlice;

use super::error::ConfigError;

/// Where the secret key is read from or written to, relative to `data_dir`.
const SECRET_FILE: &str = "secret.key";

pub(super) fn decode_secret(text: &str) -> Result<SecretSlice<u8>, ConfigError> {
    use base64::Engine;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(text.trim())
        .or_else(|_| base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(text.trim()))
        .map_err(|_| {
            ConfigError::invalid(
                "secret_key",
                "must be base64; make one with: head -c 32 /dev/urandom | base64",
            )
        })?;
    if bytes.len() < 32 {
        return Err(ConfigError::invalid(
            "secret_key",
            format!(
                "is {} bytes, it needs at least 32; make one with: head -c 32 /dev/urandom | base64",
                bytes.len()
            ),
        ));
    }
    Ok(bytes.into())
}

/// Reads `data_dir/secret.key`, creating it with fresh random bytes on first start.
pub(super) fn load_or_create_secret(
    data_dir: &Path,
    notes: &mut Vec<String>,
) -> Result<SecretSlice<u8>, ConfigError> {
    use base64::Engine;
    let path = data_dir.join(SECRET_FILE);
    if let Ok(text) = std::fs::read_to_string(&path) {
        return decode_secret(&text);
    }
    let cant = |source: std::io::Error| ConfigError::SecretFile {
        path: path.clone(),
        source,
    };
    std::fs::create_dir_all(data_dir).map_err(cant)?;
    let key: [u8; 32] = rand::random();
    let text = base64::engine::general_purpose::STANDARD.encode(key);
    write_private(&path, &text).map_err(cant)?;
    notes.push(format!(
        "no secret_key was configured: generated one and stored it in {} (set CARTEIRO_SECRET_KEY to share one key between instances)",
        path.display()
    ));
    Ok(key.to_vec().into())
}

fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)?.write_all(text.as_bytes())
}
