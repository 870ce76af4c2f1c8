//! Throwaway certificates for tests of TLS (a mailbox server, PostgreSQL), made with the
//! `openssl` command. Only `std`: the engine's unit tests compile it as a module and the
//! integration tests include the same file (`tests/support`).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// A throwaway CA (`ca.pem`, returned) and a certificate for localhost and 127.0.0.1 signed by
/// it (`cert.pem`, `key.pem`) in `dir`, made with `openssl` (rustls refuses a CA certificate
/// presented as the server's own, hence two).
pub fn make_cert(dir: &Path, authority: &str) -> PathBuf {
    const CONFIG: &str = "[req]\ndistinguished_name = dn\nprompt = no\n\n[dn]\nCN = AUTHORITY\n\n\
        [v3_ca]\nbasicConstraints = critical,CA:TRUE\nkeyUsage = critical,keyCertSign,cRLSign\nsubjectKeyIdentifier = hash\n\n\
        [v3_leaf]\nbasicConstraints = critical,CA:FALSE\nkeyUsage = critical,digitalSignature\nextendedKeyUsage = serverAuth\n\
        subjectAltName = DNS:localhost,IP:127.0.0.1\nsubjectKeyIdentifier = hash\nauthorityKeyIdentifier = keyid,issuer\n";
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(
        dir.join("openssl.cnf"),
        CONFIG.replace("AUTHORITY", authority),
    )
    .unwrap();
    let ec = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
    ];
    let steps: [&[&str]; 3] = [
        &[
            &["req", "-config", "openssl.cnf", "-x509"][..],
            &ec,
            &[
                "-keyout",
                "ca-key.pem",
                "-out",
                "ca.pem",
                "-days",
                "30",
                "-extensions",
                "v3_ca",
            ],
        ]
        .concat(),
        &[
            &["req", "-config", "openssl.cnf", "-new"][..],
            &ec,
            &[
                "-keyout",
                "key.pem",
                "-out",
                "leaf.csr",
                "-subj",
                "/CN=localhost",
            ],
        ]
        .concat(),
        &[
            "x509",
            "-req",
            "-in",
            "leaf.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca-key.pem",
            "-CAcreateserial",
            "-days",
            "30",
            "-sha256",
            "-extfile",
            "openssl.cnf",
            "-extensions",
            "v3_leaf",
            "-out",
            "cert.pem",
        ],
    ];
    for args in steps {
        let out = Command::new("openssl")
            .args(args)
            .current_dir(dir)
            .stdin(Stdio::null())
            .output()
            .expect("the TLS tests need the openssl command: apt-get install openssl");
        assert!(
            out.status.success(),
            "openssl {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    dir.join("ca.pem")
}
