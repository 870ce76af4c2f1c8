//! Whom Docket trusts when it connects out over TLS (a mailbox server, PostgreSQL): the web's
//! public certificate authorities, and the firm's own authority when a PEM file of it is given
//! (a database or mail server inside the firm, a cloud provider's own authority).

use std::path::Path;
use std::sync::Arc;

use tokio_rustls::rustls;

/// A client configuration checking servers against the public roots and, when given, the
/// certificates of `ca_file` (PEM); `key` names the setting in messages.
pub(crate) fn client_config(
    ca_file: Option<&Path>,
    key: &str,
) -> Result<Arc<rustls::ClientConfig>, String> {
    let mut roots = rustls::RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    if let Some(path) = ca_file {
        use rustls::pki_types::pem::PemObject;
        let certs = rustls::pki_types::CertificateDer::pem_file_iter(path)
            .map_err(|e| format!("{key}: cannot read {}: {e}", path.display()))?;
        let mut added = 0;
        for cert in certs {
            let cert = cert
                .map_err(|e| format!("{key}: {} is not a PEM certificate: {e}", path.display()))?;
            roots.add(cert).map_err(|e| format!("{key}: {e}"))?;
            added += 1;
        }
        if added == 0 {
            return Err(format!(
                "{key}: {} holds no PEM certificate (-----BEGIN CERTIFICATE-----); give the certificate authority's PEM file",
                path.display()
            ));
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    Ok(Arc::new(
        rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| e.to_string())?
            .with_root_certificates(roots)
            .with_no_client_auth(),
    ))
}
