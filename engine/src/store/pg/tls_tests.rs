//! TLS to PostgreSQL, against a real cluster that takes TLS with a throwaway authority's
//! certificate: `sslmode=require` encrypts and checks the certificate, `sslrootcert` names the
//! authority, and what is wrong is said in words.

use std::sync::Arc;

use super::*;
use crate::store::pg_cluster::Cluster;

/// Whether the sessions the database `db` has open now are encrypted (one answer per session).
fn encrypted(cluster: &Cluster, db: &str) -> String {
    cluster.psql(
        "postgres",
        &format!(
            "SELECT string_agg(s.ssl::text, ',') FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid) WHERE a.datname = '{db}'"
        ),
    )
}

/// What connecting to `url` is refused with.
fn refused(url: &str) -> String {
    match PgStore::connect(url, 2, &[]) {
        Ok(_) => panic!("{url} was not refused"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn sslmode_require_encrypts_and_checks_the_certificate_against_sslrootcert() {
    let (cluster, ca) = Cluster::start_tls();
    let cluster = Arc::new(cluster);
    let db = cluster.database();

    let url = format!("{}?sslmode=require&sslrootcert={}", db.url, ca.display());
    let store = PgStore::connect(&url, 2, &[]).unwrap();
    let mut batch = Batch::default();
    batch.put(Tree::Meta, b"k".to_vec(), b"v".to_vec());
    store.commit(batch).unwrap();
    assert_eq!(store.get(Tree::Meta, b"k").unwrap(), Some(b"v".to_vec()));
    let sessions = encrypted(&cluster, &db.name);
    assert!(
        !sessions.is_empty() && sessions.split(',').all(|s| s == "true"),
        "every session over TLS: {sessions}"
    );
    drop(store);

    // libpq's stricter names mean the same; a path with a space is percent-encoded.
    let spaced = ca.parent().unwrap().join("the authority.pem");
    std::fs::copy(&ca, &spaced).unwrap();
    let url = format!(
        "{}?sslrootcert={}&sslmode=verify-full",
        db.url,
        spaced.display().to_string().replace(' ', "%20")
    );
    let store = PgStore::connect(&url, 2, &[]).unwrap();
    assert_eq!(store.get(Tree::Meta, b"k").unwrap(), Some(b"v".to_vec()));
    drop(store);

    // Without the authority the server's certificate is not trusted: refused, saying what to do.
    let err = refused(&format!("{}?sslmode=require", db.url));
    assert!(
        err.contains("certificate Docket does not trust") && err.contains("sslrootcert=PATH"),
        "{err}"
    );
    assert!(!err.contains(crate::store::pg_cluster::PASSWORD), "{err}");

    // An authority file that is missing or is not PEM is named.
    let err = refused(&format!(
        "{}?sslmode=require&sslrootcert=/no/such/ca.pem",
        db.url
    ));
    assert!(err.contains("/no/such/ca.pem"), "{err}");
    let not_pem = ca.parent().unwrap().join("openssl.cnf");
    let err = refused(&format!(
        "{}?sslmode=require&sslrootcert={}",
        db.url,
        not_pem.display()
    ));
    assert!(err.contains("openssl.cnf"), "{err}");

    // sslrootcert alone asks for nothing: refused rather than silently unused.
    let err = refused(&format!("{}?sslrootcert={}", db.url, ca.display()));
    assert!(err.contains("add sslmode=require"), "{err}");

    // prefer takes TLS when the server offers it, and checks the certificate as require does.
    let url = format!("{}?sslmode=prefer&sslrootcert={}", db.url, ca.display());
    let store = PgStore::connect(&url, 2, &[]).unwrap();
    assert_eq!(store.get(Tree::Meta, b"k").unwrap(), Some(b"v".to_vec()));
    let sessions = encrypted(&cluster, &db.name);
    assert!(sessions.split(',').all(|s| s == "true"), "{sessions}");
    drop(store);
    let err = refused(&format!("{}?sslmode=prefer", db.url));
    assert!(err.contains("certificate Docket does not trust"), "{err}");

    // A name the certificate does not hold (it is for 127.0.0.1 and localhost) is said as such.
    // (The IPv4-mapped IPv6 address reaches the same server under another name.)
    let other_name = db.url.replace("127.0.0.1", "[::ffff:127.0.0.1]");
    let err = refused(&format!(
        "{other_name}?sslmode=require&sslrootcert={}",
        ca.display()
    ));
    assert!(err.contains("certificate for another name"), "{err}");

    // A client certificate is refused, saying so.
    let err = refused(&format!(
        "{}?sslmode=require&sslrootcert={}&sslcert=/x.pem&sslkey=/y.pem",
        db.url,
        ca.display()
    ));
    assert!(
        err.contains("sslcert: Docket does not connect with a client certificate"),
        "{err}"
    );

    // A mode Docket does not take is named.
    let err = refused(&format!("{}?sslmode=allow", db.url));
    assert!(
        err.contains("sslmode=allow is not one Docket takes"),
        "{err}"
    );

    // No sslmode: a plain connection, as before.
    let store = PgStore::connect(&db.url, 2, &[]).unwrap();
    assert_eq!(store.get(Tree::Meta, b"k").unwrap(), Some(b"v".to_vec()));
    let sessions = encrypted(&cluster, &db.name);
    assert!(sessions.split(',').any(|s| s == "false"), "{sessions}");
}

#[test]
fn sslmode_require_on_a_server_without_tls_says_so() {
    // The shared test cluster does not take TLS.
    let db = Cluster::shared().database();
    let err = refused(&format!("{}?sslmode=require", db.url));
    assert!(err.contains("does not offer TLS"), "{err}");
    // prefer falls back to an unencrypted connection there.
    let store = PgStore::connect(&format!("{}?sslmode=prefer", db.url), 2, &[]).unwrap();
    assert_eq!(store.get(Tree::Meta, b"none").unwrap(), None);
}
