//! In-process fuzzing of the parsers that read what strangers send: link tokens, cookies, form
//! and multipart bodies (through the real router), uploaded file names, the template TOML
//! import, plugin manifests and the configuration. Each target is a `proptest` run of mostly
//! malformed and some nearly valid inputs; an input fails it by panicking, by a server error, by
//! breaking the target's promise (a file name with a folder in it) or by taking longer than a
//! second. Each prints how many inputs it survived and its slowest input.
//!
//! Outside the default test run (the `fuzz` feature):
//! `cargo test --release -p docket-portal --features fuzz fuzz_ -- --nocapture --test-threads 1`
//! (`DOCKET_FUZZ_CASES=N` inputs a target, 2000 when not set).

use std::cell::RefCell;
use std::fmt::Debug;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, Request, header};
use docket_engine::config::{Config, FirmConfig};
use docket_engine::docket::StaffSignIn;
use docket_engine::model::{NewTemplate, Role, sanitise_file_name};
use docket_engine::plugin::Manifest;
use docket_engine::store::MemoryStore;
use docket_engine::{Docket, ManualClock, NewUser};
use proptest::prelude::*;
use proptest::test_runner::{Config as RunnerConfig, TestCaseError, TestRunner};
use tower::ServiceExt as _;

const BASE: &str = "http://docket.test";
/// An input slower than this fails its target: a parser that blows up on some shape of input.
const SLOWEST_ALLOWED: Duration = Duration::from_secs(1);

/// Runs `check` on `cases` inputs from `strategy` and prints what it survived.
fn fuzz<S>(target: &str, strategy: S, check: impl Fn(&S::Value) -> Result<(), String>)
where
    S: Strategy,
    S::Value: Debug,
{
    let cases = std::env::var("DOCKET_FUZZ_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(2000);
    let mut runner = TestRunner::new(RunnerConfig {
        cases,
        failure_persistence: None,
        ..RunnerConfig::default()
    });
    let slowest = RefCell::new((Duration::ZERO, String::new()));
    let survived = RefCell::new(0u32);
    let result = runner.run(&strategy, |input| {
        let start = Instant::now();
        let outcome = check(&input);
        let took = start.elapsed();
        if took > slowest.borrow().0 {
            let shown: String = format!("{input:?}").chars().take(80).collect();
            *slowest.borrow_mut() = (took, shown);
        }
        outcome.map_err(TestCaseError::fail)?;
        if took > SLOWEST_ALLOWED {
            return Err(TestCaseError::fail(format!("took {took:?}")));
        }
        *survived.borrow_mut() += 1;
        Ok(())
    });
    let (took, input) = slowest.into_inner();
    println!(
        "fuzz {target:<18} survived {:>6} inputs; slowest {:>9.3} ms: {input}",
        survived.into_inner(),
        took.as_secs_f64() * 1000.0
    );
    if let Err(e) = result {
        panic!("{target}: {e}");
    }
}

/// Text that is mostly anything, sometimes made of the characters the target reads.
fn text(alphabet: &'static str) -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        proptest::string::string_regex(alphabet).unwrap(),
        proptest::collection::vec(any::<u8>(), 0..256)
            .prop_map(|b| String::from_utf8_lossy(&b).into_owned()),
    ]
}

/// A firm in memory with an admin, Ada, signed in: her session cookie and form token.
fn firm() -> (Docket, String, String) {
    let clock = Arc::new(ManualClock::new("2027-01-10T09:00:00Z".parse().unwrap()));
    let docket = Docket::open(
        Arc::new(MemoryStore::new()),
        clock,
        &FirmConfig::default(),
        BASE,
    )
    .unwrap();
    docket
        .add_user(NewUser {
            email: "ada@firm.example".into(),
            name: "Ada".into(),
            role: Role::Admin,
            password: "correct horse battery".into(),
        })
        .unwrap();
    let StaffSignIn::SignedIn { member, cookie } = docket
        .staff_sign_in(
            "ada@firm.example",
            "correct horse battery",
            "127.0.0.1",
            "fuzz",
        )
        .unwrap()
    else {
        panic!("Ada signs in");
    };
    (docket, cookie, member.form_token)
}

/// The real router over `docket`, and a runtime to ask it on.
fn app(docket: Docket) -> (axum::Router, tokio::runtime::Runtime) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    (crate::router(crate::AppState::new(docket)), runtime)
}

/// Sends `request` and refuses a server error.
fn answer(
    app: &axum::Router,
    runtime: &tokio::runtime::Runtime,
    request: Request<Body>,
) -> Result<u16, String> {
    let status = runtime
        .block_on(app.clone().oneshot(request))
        .map_err(|e| e.to_string())?
        .status()
        .as_u16();
    if status >= 500 {
        return Err(format!("answered {status}"));
    }
    Ok(status)
}

#[test]
fn fuzz_link_tokens() {
    let (docket, _, _) = firm();
    fuzz("link tokens", text("[A-Za-z0-9_-]{0,64}"), |token| {
        match docket.link_landing(token) {
            Ok(_) | Err(docket_engine::Error::Gone(_) | docket_engine::Error::NotFound { .. }) => {}
            Err(docket_engine::Error::Invalid { .. } | docket_engine::Error::Forbidden(_)) => {}
            Err(e) => return Err(format!("link_landing: {e}")),
        }
        docket
            .link_record(token)
            .map(|_| ())
            .map_err(|e| format!("link_record: {e}"))
    });
}

#[test]
fn fuzz_cookies() {
    let (docket, _, _) = firm();
    let (app, runtime) = app(docket.clone());
    fuzz("cookies", text("[A-Za-z0-9_.;= -]{0,120}"), |value| {
        // The staff session's own parser: nothing made up is a session.
        if docket
            .staff_session(value)
            .map_err(|e| e.to_string())?
            .is_some()
        {
            return Err("a made-up cookie is a session".into());
        }
        let Ok(header_value) = HeaderValue::from_str(&format!("docket_staff={value}; {value}"))
        else {
            return Ok(());
        };
        let mut headers = HeaderMap::new();
        headers.insert(header::COOKIE, header_value.clone());
        let _ = crate::browser::cookie(&headers, "__Host-docket_staff", "docket_staff");
        let request = Request::get("/admin")
            .header(header::COOKIE, header_value)
            .body(Body::empty())
            .unwrap();
        match answer(&app, &runtime, request)? {
            303 => Ok(()),
            other => Err(format!(
                "a made-up cookie got {other}, not the sign-in page"
            )),
        }
    });
}

#[test]
fn fuzz_form_bodies() {
    let (docket, cookie, form_token) = firm();
    let (app, runtime) = app(docket.clone());
    let fields = proptest::collection::vec((text("[a-z_]{1,12}"), text("[ -~]{0,40}")), 0..6);
    let bodies = prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..512),
        fields.prop_map(|pairs| serde_urlencoded::to_string(pairs).unwrap().into_bytes()),
        text("[a-z_=&%0-9A-F+]{0,200}").prop_map(String::into_bytes),
    ];
    fuzz(
        "form bodies",
        (bodies, any::<bool>()),
        |(body, with_token)| {
            let mut body = body.clone();
            if *with_token {
                body.splice(0..0, format!("form_token={form_token}&").into_bytes());
            }
            for path in ["/admin/sign-in", "/admin/tokens", "/admin/settings"] {
                let request = Request::post(path)
                    .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                    .header(header::ORIGIN, BASE)
                    .header(header::COOKIE, format!("docket_staff={cookie}"))
                    .body(Body::from(body.clone()))
                    .unwrap();
                answer(&app, &runtime, request).map_err(|e| format!("{path}: {e}"))?;
            }
            Ok(())
        },
    );
}

#[test]
fn fuzz_multipart_bodies() {
    let (docket, cookie, form_token) = firm();
    let (app, runtime) = app(docket);
    let part = (
        text("[a-z_]{1,10}"),
        proptest::option::of(text("[ -~]{0,30}")),
        proptest::collection::vec(any::<u8>(), 0..300),
    );
    let parts = proptest::collection::vec(part, 0..4);
    let bodies = prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..600).prop_map(|b| (b, false)),
        (parts, any::<bool>()).prop_map(|(parts, token_first)| (multipart(&parts), token_first)),
    ];
    fuzz("multipart bodies", bodies, |(body, token_first)| {
        let mut full = Vec::new();
        if *token_first {
            full.extend_from_slice(
                format!("--XdocketX\r\nContent-Disposition: form-data; name=\"form_token\"\r\n\r\n{form_token}\r\n")
                    .as_bytes(),
            );
        }
        full.extend_from_slice(body);
        let request = Request::post("/admin/settings/logo")
            .header(
                header::CONTENT_TYPE,
                "multipart/form-data; boundary=XdocketX",
            )
            .header(header::ORIGIN, BASE)
            .header(header::COOKIE, format!("docket_staff={cookie}"))
            .body(Body::from(full))
            .unwrap();
        answer(&app, &runtime, request).map(|_| ())
    });
}

/// A multipart body of `parts` (name, file name, bytes), boundary `XdocketX`.
fn multipart(parts: &[(String, Option<String>, Vec<u8>)]) -> Vec<u8> {
    let mut body = Vec::new();
    for (name, file, bytes) in parts {
        let file = file
            .as_ref()
            .map(|f| format!("; filename=\"{f}\""))
            .unwrap_or_default();
        body.extend_from_slice(
            format!("--XdocketX\r\nContent-Disposition: form-data; name=\"{name}\"{file}\r\nContent-Type: image/png\r\n\r\n")
                .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(b"--XdocketX--\r\n");
    body
}

#[test]
fn fuzz_file_names() {
    fuzz(
        "file names",
        text("[a-z./\\\\ \u{202e}\u{200b}.]{0,260}"),
        |name| {
            let clean = sanitise_file_name(name);
            if clean.contains(['/', '\\']) || clean.chars().any(char::is_control) {
                return Err(format!("{clean:?} keeps a folder or a control character"));
            }
            if clean.starts_with('.') || clean.chars().count() > 200 {
                return Err(format!("{clean:?} starts with a dot or is too long"));
            }
            Ok(())
        },
    );
}

#[test]
fn fuzz_template_toml() {
    let (docket, _, _) = firm();
    let value = prop_oneof![
        text("[ -~]{0,30}").prop_map(|s| format!("{s:?}")),
        any::<i64>().prop_map(|n| n.to_string()),
        text("[ -~]{0,20}"),
    ];
    let template = (value.clone(), value.clone(), value.clone(), value).prop_map(
        |(name, group, title, due)| {
            format!(
                "name = {name}\n[[groups]]\nname = {group}\n[[groups.tasks]]\ntitle = {title}\ndue = {due}\n"
            )
        },
    );
    fuzz(
        "template toml",
        prop_oneof![text("[ -~\n]{0,200}"), template],
        |toml| {
            if NewTemplate::from_toml(toml).is_ok() {
                docket.import_template(toml).map(|_| ()).or_else(|e| {
                    if e.is_invalid() {
                        Ok(())
                    } else {
                        Err(e.to_string())
                    }
                })?;
            }
            Ok(())
        },
    );
}

#[test]
fn fuzz_plugin_manifests() {
    let value = prop_oneof![
        text("[ -~]{0,30}").prop_map(|s| format!("{s:?}")),
        any::<i64>().prop_map(|n| n.to_string()),
        text("[a-z\"\\[\\], ]{0,30}"),
    ];
    let manifest = (value.clone(), value.clone(), value.clone(), value).prop_map(
        |(name, world, contract, caps)| {
            format!(
                "name = {name}\nversion = \"0.1.0\"\nworld = {world}\ncontract = {contract}\ncapabilities = {caps}\n[limits]\ntimeout_ms = 5\n"
            )
        },
    );
    fuzz(
        "plugin manifests",
        prop_oneof![text("[ -~\n]{0,200}"), manifest],
        |text| {
            let _ = Manifest::parse(text);
            Ok(())
        },
    );
}

#[test]
fn fuzz_configuration() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("docket.toml");
    let section = prop_oneof![
        Just("server"),
        Just("firm"),
        Just("mail"),
        Just("smtp"),
        Just("storage"),
        Just("plugins"),
    ];
    let line = (text("[a-z_]{1,16}"), text("[ -~]{0,30}")).prop_map(|(k, v)| format!("{k} = {v}"));
    let toml = (section, proptest::collection::vec(line, 0..5))
        .prop_map(|(section, lines)| format!("[{section}]\n{}\n", lines.join("\n")));
    let env = proptest::collection::vec((text("DOCKET_[A-Z_]{1,20}"), text("[ -~]{0,30}")), 0..4);
    fuzz(
        "configuration",
        (prop_oneof![text("[ -~\n]{0,200}"), toml], env),
        |(text, env)| {
            std::fs::write(&file, text).map_err(|e| e.to_string())?;
            let _ = Config::load(Some(&file), env.iter().cloned());
            Ok(())
        },
    );
}
