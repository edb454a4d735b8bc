//! The TLS client set-up every upstream shares (IMAP, SMTP submission, CardDAV,
//! ManageSieve): the web PKI roots plus the admin's own certificates (`tls_ca_file`), or no
//! verification at all when the admin explicitly asks (`tls_insecure`). One function, so a
//! setting means the same for every server Carteiro dials.
//!
//! A certificate in `tls_ca_file` is trusted two ways: as a CA, whose signature makes a
//! server's certificate good (the web PKI rules, name and dates checked); and pinned, when the
//! server presents exactly that certificate. Pinning is what a self-signed certificate needs:
//! one made by `openssl req -x509` (or Courier's `mkimapdcert`) says CA:TRUE, and webpki
//! refuses a CA certificate as a server's own however it is trusted. A pinned certificate is
//! trusted as it is, like an SSH host key: only the holder of its key can present it, so its
//! names and dates are not checked again.
//!
//! When a handshake fails, [`handshake_failure`] says why in an admin's words and names the
//! setting that helps, never one that is already set to no avail.

use std::fmt::Display;
use std::path::Path;
use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::pki_types::{pem::PemObject, CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, SignatureScheme};

use crate::config::ConfigError;
use crate::insecure_tls::AcceptAnyCertificate;

/// The rustls client configuration the settings ask for. Fails, with the words an admin
/// needs, when `tls_ca_file` cannot be used.
///
/// It takes the two settings rather than the whole configuration, so that parts set up
/// while the configuration is still being read (upstream discovery) can use it too.
pub fn client_config(
    tls_ca_file: Option<&Path>,
    tls_insecure: bool,
) -> Result<rustls::ClientConfig, ConfigError> {
    let mut roots = rustls::RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    let mut pinned = Vec::new();
    if let Some(path) = tls_ca_file {
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
            roots.add(cert.clone()).map_err(|e| {
                ConfigError::tls(
                    format!("tls_ca_file {} has an unusable certificate", path.display()),
                    e,
                )
            })?;
            pinned.push(cert);
        }
    }
    // One explicit crypto provider (ring), so no process-wide default has to be installed.
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| ConfigError::tls("TLS set-up failed", e))?;
    if tls_insecure {
        return Ok(builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(AcceptAnyCertificate(provider)))
            .with_no_client_auth());
    }
    if pinned.is_empty() {
        return Ok(builder.with_root_certificates(roots).with_no_client_auth());
    }
    let web_pki = WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider)
        .build()
        .map_err(|e| ConfigError::tls("TLS set-up failed", e))?;
    Ok(builder
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(PinnedOrWebPki { web_pki, pinned }))
        .with_no_client_auth())
}

/// The web PKI rules with `tls_ca_file` among the roots; failing those, a server whose
/// certificate is exactly one of `tls_ca_file`'s.
#[derive(Debug)]
struct PinnedOrWebPki {
    web_pki: Arc<WebPkiServerVerifier>,
    pinned: Vec<CertificateDer<'static>>,
}

impl ServerCertVerifier for PinnedOrWebPki {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        match self.web_pki.verify_server_cert(
            end_entity,
            intermediates,
            server_name,
            ocsp_response,
            now,
        ) {
            Ok(verified) => Ok(verified),
            Err(_)
                if self
                    .pinned
                    .iter()
                    .any(|p| p.as_ref() == end_entity.as_ref()) =>
            {
                Ok(ServerCertVerified::assertion())
            }
            Err(e) => Err(e),
        }
    }

    // The handshake itself is checked as always: the server must hold the certificate's key.
    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.web_pki.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.web_pki.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.web_pki.supported_verify_schemes()
    }
}

/// What an admin reads when the TLS handshake with `server` failed with `error`: the cause in
/// plain words and what to change, knowing whether `tls_ca_file` (`ca_file`) is already set.
pub fn handshake_failure(
    server: &dyn Display,
    error: &std::io::Error,
    ca_file: Option<&Path>,
) -> String {
    let rustls_error = error
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<rustls::Error>());
    let certificate = match rustls_error {
        Some(rustls::Error::InvalidCertificate(e)) => e,
        _ => {
            return format!(
                "TLS with {server} failed: {error} (does the server speak TLS there? imaps:// \
                 is for implicit TLS, usually port 993; imap:// for STARTTLS, port 143)"
            )
        }
    };
    let cause = match certificate {
        CertificateError::Other(other)
            if other.0.downcast_ref::<webpki::Error>()
                == Some(&webpki::Error::CaUsedAsEndEntity) =>
        {
            let why = "the server presents a CA certificate as its own (a self-signed one made \
                       by `openssl req -x509` says CA:TRUE), which is trusted only when pinned";
            match ca_file {
                Some(path) => format!(
                    "{why}, and it is not in tls_ca_file {}: put exactly the server's \
                     certificate in that file",
                    path.display()
                ),
                None => {
                    format!("{why}: point CARTEIRO_TLS_CA_FILE at exactly the server's certificate")
                }
            }
        }
        CertificateError::UnknownIssuer => match ca_file {
            Some(path) => format!(
                "the server's certificate is signed neither by a public CA nor by a \
                 certificate in tls_ca_file {}: put the CA that signed it (or, to pin it, \
                 exactly the server's certificate) in that file",
                path.display()
            ),
            None => "the server's certificate is not signed by a public CA: point \
                     CARTEIRO_TLS_CA_FILE at the CA that signed it (or, to pin it, at exactly \
                     the server's certificate)"
                .to_string(),
        },
        CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. } => {
            format!(
                "the server's certificate is not made out to the host name in the URL: use a \
                 name the certificate names ({certificate})"
            )
        }
        CertificateError::Expired | CertificateError::ExpiredContext { .. } => {
            format!("the server's certificate has expired ({certificate})")
        }
        CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => format!(
            "the server's certificate is not valid yet; check this machine's clock \
             ({certificate})"
        ),
        other => format!("the server's certificate is refused: {other}"),
    };
    format!("TLS with {server} failed: {cause}")
}
