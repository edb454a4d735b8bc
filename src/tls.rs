//! The TLS client set-up every upstream that speaks rustls directly shares (IMAP, CardDAV,
//! ManageSieve): the web PKI roots plus the admin's own CA (`tls_ca_file`), or no
//! verification at all when the admin explicitly asks (`tls_insecure`). One function, so a
//! setting means the same for every server Carteiro dials.

use std::sync::Arc;

use rustls::pki_types::{pem::PemObject, CertificateDer};

use crate::config::{Config, ConfigError};
use crate::insecure_tls::AcceptAnyCertificate;

/// The rustls client configuration the settings ask for. Fails, with the words an admin
/// needs, when `tls_ca_file` cannot be used.
pub fn client_config(config: &Config) -> Result<rustls::ClientConfig, ConfigError> {
    let mut roots = rustls::RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    if let Some(path) = &config.tls_ca_file {
        let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(path)
            .and_then(|iter| iter.collect::<Result<_, _>>())
            .map_err(|e| {
                ConfigError::tls(
                    format!(
                        "tls_ca_file {} is not a PEM certificate file",
                        path.display()
                    ),
                    e,
                )
            })?;
        if certs.is_empty() {
            return Err(ConfigError::Tls {
                what: format!("tls_ca_file {} holds no certificate", path.display()),
                source: None,
            });
        }
        for cert in certs {
            roots.add(cert).map_err(|e| {
                ConfigError::tls(
                    format!("tls_ca_file {} has an unusable certificate", path.display()),
                    e,
                )
            })?;
        }
    }
    // One explicit crypto provider (ring), so no process-wide default has to be installed.
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| ConfigError::tls("TLS set-up failed", e))?;
    Ok(if config.tls_insecure {
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(AcceptAnyCertificate(provider)))
            .with_no_client_auth()
    } else {
        builder.with_root_certificates(roots).with_no_client_auth()
    })
}
