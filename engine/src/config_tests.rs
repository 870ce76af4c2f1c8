//! Unit tests of `config.rs`.

use super::*;

fn load_str(text: &str, env: &[(&str, &str)]) -> Result<Config, String> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("docket.toml");
    std::fs::write(&path, text).unwrap();
    Config::load(
        Some(&path),
        env.iter().map(|(k, v)| (k.to_string(), v.to_string())),
    )
    .map_err(|e| e.to_string().replace(&path.display().to_string(), "FILE"))
}

#[test]
fn empty_file_gives_defaults() {
    let config = load_str("", &[]).unwrap();
    assert_eq!(config.firm.timezone, "Europe/London");
    assert_eq!(config.plugins.timeout_ms, 50);
    assert!(config.smtp.is_none());
}

#[test]
fn shipped_config_loads_and_matches_defaults() {
    let text = include_str!("../../config/docket.toml");
    let config = load_str(text, &[]).unwrap();
    let defaults = Config::default();
    assert_eq!(config.server.listen, defaults.server.listen);
    assert_eq!(config.firm.send_time, defaults.firm.send_time);
    assert_eq!(config.plugins.memory_mib, defaults.plugins.memory_mib);
    assert_eq!(
        config.server.trusted_proxies,
        defaults.server.trusted_proxies
    );
    assert_eq!(config.log.format, defaults.log.format);
    assert_eq!(config.storage.cache_mib, defaults.storage.cache_mib);
    // Copying the shipped file does not pin links to localhost.
    assert!(!config.server.base_url_set);
}

#[test]
fn the_log_is_text_or_json() {
    use crate::config::LogFormat;
    let config = load_str("[log]\nformat = 'json'\n", &[]).unwrap();
    assert_eq!(config.log.format, LogFormat::Json);
    let err = load_str("[log]\nformat = 'xml'\n", &[])
        .unwrap_err()
        .to_string();
    assert!(err.contains("log.format") && err.contains("json"), "{err}");
}

#[test]
fn trusted_proxies_are_addresses() {
    let config = load_str("[server]\ntrusted_proxies = ['127.0.0.1', '::1']\n", &[]).unwrap();
    assert_eq!(config.server.trusted_proxies.len(), 2);
    let err = load_str("[server]\ntrusted_proxies = ['proxy.local']\n", &[])
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with("FILE: key `server.trusted_proxies"),
        "{err}"
    );
}

#[test]
fn bad_inputs_name_the_key_and_the_file() {
    let cases = [
        (
            "[firm]\ncolour = 'red'\n",
            "FILE: key `firm.colour`: unknown field `colour`",
        ),
        (
            "[firm]\ntimezone = 'Europe/Lndon'\n",
            "FILE: key `firm.timezone`: `Europe/Lndon` is not an IANA timezone",
        ),
        (
            "[firm]\nsend_time = '9am'\n",
            "FILE: key `firm.send_time`: `9am` is not a time of day",
        ),
        (
            "[firm]\nsend_time = '24:00'\n",
            "FILE: key `firm.send_time`",
        ),
        (
            "[firm]\nsend_time = '10:00'\nsend_schedule = '0 9 * * MON-FRI'\n",
            "FILE: keys `firm.send_time` and `firm.send_schedule`: the send time 10:00 is not a time the send schedule `0 9 * * MON-FRI` sends at (09:00)",
        ),
        (
            "[server]\nlisten = 'nowhere'\n",
            "FILE: key `server.listen`",
        ),
        (
            "[sever]\nlisten = '127.0.0.1:1'\n",
            "FILE: key `sever`: unknown field `sever`",
        ),
        ("[firm\nname = 'x'\n", "FILE line 1:"),
        (
            "[firm]\nholidays = ['2026-12-25', '25/12/2026']\n",
            "FILE: key `firm.holidays`: 25/12/2026 is not a date: write it as YYYY-MM-DD",
        ),
        (
            "[server]\nbase_url = 'http://'\n",
            "FILE: key `server.base_url`: `http://` must be the server's own root",
        ),
        (
            "[server]\nbase_url = 'https://docket.example.com/portal/'\n",
            "FILE: key `server.base_url`: `https://docket.example.com/portal/` must be",
        ),
        (
            "[server]\nmax_upload_mib = 0\n",
            "FILE: key `server.max_upload_mib`: must be from 1 to 10240",
        ),
    ];
    for (text, want) in cases {
        let err = load_str(text, &[]).unwrap_err();
        assert!(err.starts_with(want), "for {text:?} got {err:?}");
        assert!(!err.contains('\n'), "error is one line: {err:?}");
    }
}

#[test]
fn environment_overrides_the_file() {
    let config = load_str(
        "[server]\nlisten = '127.0.0.1:1'\n",
        &[
            ("DOCKET_SERVER_LISTEN", "127.0.0.1:9000"),
            ("DOCKET_FIRM_TIMEZONE", "America/New_York"),
            ("DOCKET_PLUGINS_TIMEOUT_MS", "75"),
            ("OTHER_THING", "ignored"),
        ],
    )
    .unwrap();
    assert_eq!(config.server.listen.port(), 9000);
    assert_eq!(config.firm.timezone, "America/New_York");
    assert_eq!(config.plugins.timeout_ms, 75);

    let err = load_str("", &[("DOCKET_FIRM_COLOUR", "red")]).unwrap_err();
    assert!(
        err.starts_with("environment variable DOCKET_FIRM_COLOUR: key `firm.colour`"),
        "{err}"
    );
    let err = load_str("", &[("DOCKET_FIRM_SEND_SCHEDULE", "0 9 * * FRY")]).unwrap_err();
    assert!(
        err.starts_with("environment variable DOCKET_FIRM_SEND_SCHEDULE: key `firm.send_schedule`"),
        "{err}"
    );
    let config = load_str("", &[("DOCKET_FIRM_SEND_TIME", "10:00")]).unwrap();
    assert_eq!(config.firm.send_time, "10:00");
    let err = load_str("", &[("DOCKET_FIRM_TIMEZONE", "Mars/Olympus")]).unwrap_err();
    assert!(
        err.contains("`Mars/Olympus` is not an IANA timezone"),
        "{err}"
    );
}

#[test]
fn the_postgres_backend_needs_a_url_that_the_environment_may_give() {
    assert_eq!(
        load_str("", &[]).unwrap().storage.backend,
        StorageBackend::Sled
    );
    let err = load_str("[storage]\nbackend = 'postgres'\n", &[]).unwrap_err();
    assert!(
        err.contains("key `storage.url`") && err.contains("DOCKET_STORAGE_URL"),
        "{err}"
    );
    let err = load_str("[storage]\nurl = 'postgres://a@b/c'\n", &[]).unwrap_err();
    assert!(
        err.contains("key `storage.url`: it is used only when storage.backend"),
        "{err}"
    );
    // The backend asked for from the environment is what the message blames.
    let err = load_str("", &[("DOCKET_STORAGE_BACKEND", "postgres")]).unwrap_err();
    assert!(
        err.starts_with("environment variable DOCKET_STORAGE_BACKEND: key `storage.url`"),
        "{err}"
    );
    let err = load_str("[storage]\nbackend = 'mysql'\n", &[]).unwrap_err();
    assert!(err.contains("storage.backend"), "{err}");
    let err = load_str(
        "[storage]\nbackend = 'postgres'\nconnections = 1\n",
        &[("DOCKET_STORAGE_URL", "postgres://a@b/c")],
    )
    .unwrap_err();
    assert!(err.contains("key `storage.connections`"), "{err}");
    let config = load_str(
        "[storage]\nbackend = 'postgres'\n",
        &[(
            "DOCKET_STORAGE_URL",
            "postgres://docket:s3cret@db:5432/firm",
        )],
    )
    .unwrap();
    assert_eq!(config.storage.backend, StorageBackend::Postgres);
    assert_eq!(
        config.storage.url.as_deref(),
        Some("postgres://docket:s3cret@db:5432/firm")
    );
    assert!(
        !format!("{config:?}").contains("s3cret"),
        "the password stays out of logs"
    );
}

#[test]
fn replies_mailbox_keys_refuse_a_password_in_clear_and_port_zero() {
    let inbound = |keys: &str| {
        load_str(
            &format!(
                "[inbound]\nreply_address = \"replies@smith.example\"\nimap_user = \"u\"\n{keys}\n"
            ),
            &[],
        )
    };
    for host in ["mail.smith.example", "10.0.0.5", "::2"] {
        let refused = inbound(&format!("imap_host = \"{host}\"\nimap_tls = \"none\"")).unwrap_err();
        assert!(
            refused.contains("inbound.imap_tls") && refused.contains("in clear"),
            "{refused}"
        );
    }
    for host in ["localhost", "127.0.0.1", "127.3.4.5", "::1", "[::1]"] {
        inbound(&format!("imap_host = \"{host}\"\nimap_tls = \"none\"")).unwrap();
    }
    let implicit = inbound("imap_host = \"mail.smith.example\"").unwrap();
    assert_eq!(implicit.inbound.unwrap().port(), 993, "tls by default");
    let refused = inbound("imap_host = \"mail.smith.example\"\nimap_port = 0").unwrap_err();
    assert!(refused.contains("inbound.imap_port"), "{refused}");
    // STARTTLS suits a remote server (the login waits for TLS), on 143 unless told.
    let upgraded = inbound("imap_host = \"mail.smith.example\"\nimap_tls = \"starttls\"").unwrap();
    assert_eq!(upgraded.inbound.unwrap().port(), 143);
    let refused = inbound("imap_host = \"mail.smith.example\"\nimap_tls = \"ssl\"").unwrap_err();
    assert!(
        refused.contains("inbound.imap_tls") && refused.contains("`starttls`"),
        "{refused}"
    );
}

#[test]
fn wrong_values_are_refused_in_the_files_words_not_rusts() {
    let inbound = "[inbound]\nreply_address = \"replies@smith.example\"\nimap_user = \"u\"\n";
    let cases = [
        (
            format!("{inbound}imap_port = 70000\n"),
            "FILE: key `inbound.imap_port`: must be a number from 1 to 65535, not 70000",
        ),
        (
            format!("{inbound}imap_port = \"993\"\n"),
            "FILE: key `inbound.imap_port`: must be a number from 1 to 65535 without quotes, not \"993\"",
        ),
        (
            "[inbound]\nimap_host = \"mail.smith.example\"\n".to_string(),
            "FILE: [inbound] needs reply_address",
        ),
        (
            "[firm]\nname = 5\n".to_string(),
            "FILE: key `firm.name`: must be text in quotes, not 5",
        ),
        (
            format!("{inbound}imap_ca_file = \"/nonexistent.pem\"\n"),
            "FILE: key `inbound.imap_ca_file`: there is no file /nonexistent.pem;",
        ),
    ];
    for (text, want) in &cases {
        let err = load_str(text, &[]).unwrap_err();
        assert!(err.starts_with(want), "for {text:?} got {err:?}");
        for rust in ["u16", "invalid type", "missing field", "os error"] {
            assert!(!err.contains(rust), "{err}");
        }
    }
    // A file that is not PEM is refused at load too, in one sentence.
    let dir = tempfile::tempdir().unwrap();
    let junk = dir.path().join("ca.pem");
    std::fs::write(&junk, "not a certificate").unwrap();
    let err = load_str(
        &format!("{inbound}imap_ca_file = \"{}\"\n", junk.display()),
        &[],
    )
    .unwrap_err();
    assert!(err.contains("holds no PEM certificate"), "{err}");
}
