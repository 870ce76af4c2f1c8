//! API tokens with roles: admins create (the secret shown once), list and revoke them in the
//! admin and through the API; a staff token is refused admin-only calls with 403, a revoked one
//! gets 401, and nothing is changed by a refused call.

use docket_engine::model::Role;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::{ADMIN, Admin, STAFF, body, client, location};

impl Admin {
    /// A call to `/api{path}` with `secret`, and its answer.
    pub fn api_with(
        &self,
        secret: &str,
        method: Method,
        path: &str,
        json: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut request = client()
            .request(method, self.url(&format!("/api{path}")))
            .bearer_auth(secret);
        if let Some(json) = json {
            request = request.json(&json);
        }
        let response = request.send().unwrap();
        let status = response.status();
        (status, response.json().unwrap_or(Value::Null))
    }

    pub fn token(&self, role: Role) -> String {
        self.api_secret(role)
    }
}

#[test]
fn admins_create_list_and_revoke_tokens_in_the_admin() {
    let admin = Admin::start();
    let sam = admin.browser(STAFF);
    assert_eq!(
        admin.get("/admin/tokens", Some(&sam)).status(),
        StatusCode::FORBIDDEN
    );
    let refused = admin.post(
        "/admin/tokens",
        &sam,
        &[("name", "sneaky"), ("role", "admin")],
    );
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    assert!(admin.docket.list_api_tokens().unwrap().is_empty());

    let ada = admin.browser(ADMIN);
    let settings = body(admin.get("/admin/settings", Some(&ada)));
    assert!(settings.contains("href=\"/admin/tokens\""), "{settings}");
    let page = admin.get("/admin/tokens", Some(&ada));
    assert_eq!(page.status(), StatusCode::OK);
    assert!(body(page).contains("No tokens yet"));

    // Bad input: the message next to the field, the values kept, nothing made.
    let bad = admin.post("/admin/tokens", &ada, &[("name", "   "), ("role", "staff")]);
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = body(bad);
    assert!(html.contains("id=\"name-error\""), "{html}");
    assert!(
        html.contains("aria-describedby=\"name-hint name-error\""),
        "{html}"
    );
    assert!(html.contains("needs a name"), "{html}");
    let bad = admin.post(
        "/admin/tokens",
        &ada,
        &[("name", "zapier"), ("role", "owner")],
    );
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = body(bad);
    assert!(html.contains("id=\"role-error\""), "{html}");
    assert!(
        html.contains("value=\"zapier\""),
        "the name is kept: {html}"
    );
    assert!(admin.docket.list_api_tokens().unwrap().is_empty());

    let made = admin.post(
        "/admin/tokens",
        &ada,
        &[("name", "zapier"), ("role", "staff")],
    );
    assert_eq!(made.status(), StatusCode::CREATED);
    let html = body(made);
    let start = html.find("<code class=\"secret\">").unwrap() + "<code class=\"secret\">".len();
    let secret = html[start..start + html[start..].find('<').unwrap()].to_string();
    assert!(secret.starts_with("dkt_"), "{secret}");
    let tokens = admin.docket.list_api_tokens().unwrap();
    assert_eq!(tokens.len(), 1);
    assert_eq!(tokens[0].role, Role::Staff);

    // The secret works, is shown only once, and its use is recorded.
    let (status, _) = admin.api_with(&secret, Method::GET, "/templates", None);
    assert_eq!(status, StatusCode::OK);
    let html = body(admin.get("/admin/tokens", Some(&ada)));
    assert!(!html.contains(&secret), "the secret is shown again");
    assert!(html.contains("zapier") && html.contains("Staff"), "{html}");
    assert!(!html.contains("never"), "its last use is shown: {html}");
    assert!(
        html.contains("at most once a minute"),
        "the lag is said: {html}"
    );

    // A second token of the same name is refused next to the field; nothing made.
    let twin = admin.post(
        "/admin/tokens",
        &ada,
        &[("name", "Zapier"), ("role", "staff")],
    );
    assert_eq!(twin.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = body(twin);
    assert!(html.contains("id=\"name-error\""), "{html}");
    assert!(html.contains("already named"), "{html}");
    assert!(
        html.contains("value=\"Zapier\""),
        "the name is kept: {html}"
    );
    assert_eq!(admin.docket.list_api_tokens().unwrap().len(), 1);

    // Revoking needs the form token; then the token gets 401.
    let path = format!("/admin/tokens/{}/revoke", tokens[0].id);
    let forged = admin.post_raw(&path, Some(&ada.cookie), Some(&admin.base), &[]);
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    assert!(
        admin.docket.list_api_tokens().unwrap()[0]
            .revoked_at
            .is_none()
    );
    // Asked first: the page names the token and changes nothing.
    let asked = admin.post(&path, &ada, &[]);
    assert_eq!(asked.status(), StatusCode::OK);
    let page = body(asked);
    assert!(page.contains("Revoke the token “zapier”?"), "{page}");
    assert!(page.contains("name=\"confirmed\" value=\"yes\""), "{page}");
    assert!(
        page.contains("href=\"/admin/tokens\">Back to the tokens"),
        "{page}"
    );
    assert!(
        admin.docket.list_api_tokens().unwrap()[0]
            .revoked_at
            .is_none(),
        "nothing changes until it is confirmed"
    );
    let (status, _) = admin.api_with(&secret, Method::GET, "/templates", None);
    assert_eq!(status, StatusCode::OK, "the token still works");
    let revoked = admin.post(&path, &ada, &[("confirmed", "yes")]);
    assert_eq!(revoked.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&revoked), "/admin/tokens?notice=revoked");
    let html = body(admin.get("/admin/tokens?notice=revoked", Some(&ada)));
    assert!(html.contains("Revoked "), "{html}");
    let (status, _) = admin.api_with(&secret, Method::GET, "/templates", None);
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[test]
fn staff_tokens_are_refused_admin_calls_and_change_nothing() {
    let admin = Admin::start();
    let staff = admin.token(Role::Staff);
    let (status, _) = admin.api_with(&staff, Method::GET, "/templates", None);
    assert_eq!(
        status,
        StatusCode::OK,
        "staff tokens run templates and work"
    );
    let (status, _) = admin.api_with(&staff, Method::GET, "/work", None);
    assert_eq!(status, StatusCode::OK);
    for path in ["/backup", "/tokens", "/users", "/outbox"] {
        let (status, error) = admin.api_with(&staff, Method::GET, path, None);
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
        assert!(
            error["error"].as_str().unwrap().contains("admin token"),
            "{path}: {error}"
        );
    }
    let before = admin.docket.list_api_tokens().unwrap();
    let (status, _) = admin.api_with(
        &staff,
        Method::POST,
        "/tokens",
        Some(json!({"name": "escalate", "role": "admin"})),
    );
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = admin.api_with(
        &staff,
        Method::POST,
        &format!("/tokens/{}/revoke", before[0].id),
        None,
    );
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(
        admin
            .docket
            .list_api_tokens()
            .unwrap()
            .iter()
            .map(|t| (t.id, t.revoked_at))
            .collect::<Vec<_>>(),
        before
            .iter()
            .map(|t| (t.id, t.revoked_at))
            .collect::<Vec<_>>(),
        "nothing changed"
    );
    // Without a token, or with a made-up one: 401.
    let response = client().get(admin.url("/api/tokens")).send().unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let (status, _) = admin.api_with("dkt_madeup", Method::GET, "/tokens", None);
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[test]
fn admin_tokens_manage_tokens_through_the_api() {
    let admin = Admin::start();
    let root = admin.token(Role::Admin);
    let (status, made) = admin.api_with(
        &root,
        Method::POST,
        "/tokens",
        Some(json!({"name": "zapier", "role": "staff"})),
    );
    assert_eq!(status, StatusCode::CREATED, "{made}");
    let secret = made["secret"].as_str().unwrap().to_string();
    assert_eq!(made["token"]["role"], "staff");
    let id = made["token"]["id"].as_str().unwrap().to_string();

    let (status, list) = admin.api_with(&root, Method::GET, "/tokens", None);
    assert_eq!(status, StatusCode::OK);
    let text = list.to_string();
    assert!(
        !text.contains(&secret) && !text.contains("secret"),
        "{text}"
    );
    assert_eq!(list.as_array().unwrap().len(), 2);
    assert!(
        list[0]["last_used_at"].is_string(),
        "the caller's use: {list}"
    );

    for bad in [
        json!({"name": "", "role": "staff"}),
        json!({"name": "x", "role": "owner"}),
        json!({"name": "x"}),
        json!({"name": "x", "role": "staff", "extra": 1}),
        json!({"name": "Zapier", "role": "staff"}),
    ] {
        let (status, error) = admin.api_with(&root, Method::POST, "/tokens", Some(bad.clone()));
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {error}");
    }
    let (status, _) = admin.api_with(&root, Method::POST, "/tokens/nonsense/revoke", None);
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = admin.api_with(
        &root,
        Method::POST,
        "/tokens/01ARZ3NDEKTSV4RRFFQ69G5FAV/revoke",
        None,
    );
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(admin.docket.list_api_tokens().unwrap().len(), 2);

    let (status, revoked) =
        admin.api_with(&root, Method::POST, &format!("/tokens/{id}/revoke"), None);
    assert_eq!(status, StatusCode::OK);
    assert!(revoked["revoked_at"].is_string());
    let (status, error) = admin.api_with(&secret, Method::GET, "/templates", None);
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(
        error["error"].as_str().unwrap().contains("revoked"),
        "{error}"
    );
    // An admin token takes a backup.
    let response = client()
        .get(admin.url("/api/backup"))
        .bearer_auth(&root)
        .send()
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
}

#[test]
fn a_token_carries_its_members_rights_and_ends_when_they_are_disabled() {
    let admin = Admin::start();
    admin.docket.set_user_role(STAFF, Role::Admin).unwrap();
    // Ada makes an admin token in the admin; the page says it is hers.
    let ada = admin.browser(ADMIN);
    let made = admin.post(
        "/admin/tokens",
        &ada,
        &[("name", "ada's script"), ("role", "admin")],
    );
    assert_eq!(made.status(), StatusCode::CREATED);
    let html = body(made);
    let opening = "<code class=\"secret\">";
    let start = html.find(opening).unwrap() + opening.len();
    let adas: String = html[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || "_-".contains(*c))
        .collect();
    assert!(html.contains("<th scope=\"col\">Made by</th>"), "{html}");
    assert!(html.contains(&format!("<td>{ADMIN}</td>")), "{html}");
    // A token minted with Ada's token is Ada's too.
    let (status, minted) = admin.api_with(
        &adas,
        Method::POST,
        "/tokens",
        Some(json!({"name": "minted", "role": "admin"})),
    );
    assert_eq!(status, StatusCode::CREATED, "{minted}");
    assert_eq!(minted["token"]["created_by"]["kind"], "member");
    assert_eq!(minted["token"]["created_by"]["email"], ADMIN);
    let minted = minted["secret"].as_str().unwrap().to_string();
    let sams = admin.docket.find_staff(STAFF).unwrap();
    let (_, sams) = admin
        .docket
        .create_api_token(
            "sam's script",
            Role::Admin,
            docket_engine::model::TokenCreator::Member {
                id: sams.id,
                email: sams.email,
            },
        )
        .unwrap();
    let (status, list) = admin.api_with(&sams, Method::GET, "/tokens", None);
    assert_eq!(status, StatusCode::OK);
    let by: Vec<_> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["created_by"]["email"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(by, [ADMIN, ADMIN, STAFF]);

    // Sam disables Ada: her tokens are refused, and cannot bring her back.
    let (status, _) = admin.api_with(&sams, Method::POST, "/users/ada@firm.example/disable", None);
    assert_eq!(status, StatusCode::OK);
    for secret in [&adas, &minted] {
        let (status, error) = admin.api_with(secret, Method::GET, "/users", None);
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{error}");
        let (status, _) =
            admin.api_with(secret, Method::POST, "/users/ada@firm.example/enable", None);
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        let (status, _) = admin.api_with(
            secret,
            Method::POST,
            "/tokens",
            Some(json!({"name": "comeback", "role": "admin"})),
        );
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let (_, list) = admin.api_with(&sams, Method::GET, "/tokens", None);
    for token in &list.as_array().unwrap()[..2] {
        assert!(token["revoked_at"].is_string(), "{token}");
        assert_eq!(token["revoked_because"], "member_disabled", "{token}");
    }
    let page = body(admin.get("/admin/tokens", Some(&admin.browser(STAFF))));
    assert!(page.contains("when its member was disabled"), "{page}");

    // Enabled again, Ada signs in, but her ended tokens stay ended.
    let (status, _) = admin.api_with(&sams, Method::POST, "/users/ada@firm.example/enable", None);
    assert_eq!(status, StatusCode::OK);
    for secret in [&adas, &minted] {
        let (status, _) = admin.api_with(secret, Method::GET, "/firm", None);
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }

    // Demoted, Sam's admin token can do what staff do and no more, and stays so if he is
    // made an admin again.
    admin.docket.set_user_role(ADMIN, Role::Admin).unwrap();
    let (status, answer) = admin.api_with(
        &sams,
        Method::POST,
        "/users/sam@firm.example/role",
        Some(json!({"role": "staff"})),
    );
    assert_eq!(status, StatusCode::OK, "{answer}");
    let (status, _) = admin.api_with(&sams, Method::GET, "/users", None);
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = admin.api_with(&sams, Method::GET, "/firm", None);
    assert_eq!(status, StatusCode::OK);
    admin.docket.set_user_role(STAFF, Role::Admin).unwrap();
    let (status, _) = admin.api_with(&sams, Method::GET, "/users", None);
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[test]
fn the_token_form_says_a_missing_name_and_a_wrong_role_at_once() {
    let admin = Admin::start();
    let ada = admin.browser(ADMIN);
    let refused = admin.post("/admin/tokens", &ada, &[("name", " "), ("role", "root")]);
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = body(refused);
    assert!(html.contains("id=\"name-error\""), "{html}");
    assert!(
        html.contains(" name-error\""),
        "the name input points at it: {html}"
    );
    assert!(html.contains("id=\"role-error\""), "{html}");
    assert!(
        html.contains("aria-describedby=\"role-error\""),
        "the role input points at it: {html}"
    );
}
