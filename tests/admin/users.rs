//! Staff users managed by admins: an invitation emailed with a one-time link that sets the
//! member's password and then works no more; roles changed; members disabled (signed out,
//! refused sign-in) and enabled; the last active admin kept; the same through the API.

use docket_engine::model::Role;
use reqwest::{Method, StatusCode};
use serde_json::json;

use super::{ADMIN, Admin, PASSWORD, STAFF, body, client, location};

impl Admin {
    /// The invitation email to `to`.
    fn invitation(&self, to: &str) -> docket_engine::model::OutboundMessage {
        self.docket
            .outbox(None, 100)
            .unwrap()
            .into_iter()
            .find(|m| m.to == to && m.key.starts_with("invite/"))
            .expect("an invitation")
    }

    /// The path of the invitation link in the email to `to`.
    fn invite_path(&self, to: &str) -> String {
        let message = self.invitation(to);
        let body = message.custom.expect("a plain email").1;
        let start = body.find("/admin/invite/").expect("a link");
        body[start..].split_whitespace().next().unwrap().to_string()
    }

    fn post_invite(
        &self,
        path: &str,
        origin: &str,
        password: &str,
        again: &str,
    ) -> reqwest::blocking::Response {
        client()
            .post(self.url(path))
            .header("Origin", origin)
            .form(&[("new_password", password), ("confirm_password", again)])
            .send()
            .unwrap()
    }
}

#[test]
fn an_invited_member_sets_their_password_from_the_emailed_link() {
    let admin = Admin::start();
    let sam = admin.browser(STAFF);
    assert_eq!(
        admin.get("/admin/users", Some(&sam)).status(),
        StatusCode::FORBIDDEN
    );
    let refused = admin.post(
        "/admin/users",
        &sam,
        &[
            ("email", "eve@firm.example"),
            ("name", ""),
            ("role", "admin"),
        ],
    );
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);

    let ada = admin.browser(ADMIN);
    let bad = admin.post(
        "/admin/users",
        &ada,
        &[
            ("email", "not an address"),
            ("name", "Kim"),
            ("role", "staff"),
        ],
    );
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = body(bad);
    assert!(html.contains("id=\"email-error\""), "{html}");
    assert!(html.contains("value=\"Kim\""), "typed values kept: {html}");
    let taken = admin.post(
        "/admin/users",
        &ada,
        &[("email", STAFF), ("name", ""), ("role", "staff")],
    );
    assert_eq!(taken.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body(taken).contains("already exists"));
    assert_eq!(admin.docket.list_staff().unwrap().len(), 2, "nothing made");

    let invited = admin.post(
        "/admin/users",
        &ada,
        &[
            ("email", "kim@firm.example"),
            ("name", "Kim Keen"),
            ("role", "staff"),
        ],
    );
    assert_eq!(invited.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&invited), "/admin/users?notice=invited");
    let html = body(admin.get("/admin/users?notice=invited", Some(&ada)));
    assert!(
        html.contains("Kim Keen") && html.contains("Invited; the link works until"),
        "{html}"
    );
    let message = admin.invitation("kim@firm.example");
    assert!(message.subject.unwrap().contains("invited"));

    let path = admin.invite_path("kim@firm.example");
    let form = admin.get(&path, None);
    assert_eq!(form.status(), StatusCode::OK);
    assert!(body(form).contains("kim@firm.example"));
    // Another site's form, a mismatch and a short password change nothing.
    assert_eq!(
        admin
            .post_invite(&path, "https://evil.example", PASSWORD, PASSWORD)
            .status(),
        StatusCode::FORBIDDEN
    );
    let mismatch = admin.post_invite(&path, &admin.base, PASSWORD, "something else entirely");
    assert_eq!(mismatch.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body(mismatch).contains("id=\"confirm_password-error\""));
    let short = admin.post_invite(&path, &admin.base, "short", "short");
    assert_eq!(short.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body(short).contains("id=\"new_password-error\""));
    assert!(
        admin
            .docket
            .verify_password("kim@firm.example", "")
            .unwrap()
            .is_none()
    );

    let set = admin.post_invite(&path, &admin.base, PASSWORD, PASSWORD);
    assert_eq!(set.status(), StatusCode::OK);
    assert!(body(set).contains("Your password is set"));
    assert_eq!(
        admin
            .sign_in_from("kim@firm.example", PASSWORD, super::HOME)
            .status(),
        StatusCode::SEE_OTHER
    );
    // The link works once.
    assert_eq!(admin.get(&path, None).status(), StatusCode::GONE);
    assert_eq!(
        admin
            .post_invite(
                &path,
                &admin.base,
                "another long password",
                "another long password"
            )
            .status(),
        StatusCode::GONE
    );
}

#[test]
fn admins_change_roles_and_disable_members_but_keep_an_admin() {
    let admin = Admin::start();
    let ada = admin.browser(ADMIN);
    let sam = admin.browser(STAFF);
    let ada_id = admin.docket.find_staff(ADMIN).unwrap().id;
    let sam_id = admin.docket.find_staff(STAFF).unwrap().id;

    // The last admin can be neither demoted nor disabled: the page offers neither, and says why.
    let page = body(admin.get("/admin/users", Some(&ada)));
    assert!(
        !page.contains(&format!("action=\"/admin/users/{ada_id}/role\"")),
        "{page}"
    );
    assert!(
        !page.contains(&format!("action=\"/admin/users/{ada_id}/disable\"")),
        "{page}"
    );
    assert!(page.contains("The only admin"), "{page}");
    assert!(
        page.contains(&format!("action=\"/admin/users/{sam_id}/role\"")),
        "{page}"
    );
    let refused = admin.post(
        &format!("/admin/users/{ada_id}/role"),
        &ada,
        &[("role", "staff")],
    );
    assert_eq!(refused.status(), StatusCode::CONFLICT);
    assert!(body(refused).contains("last active admin"));
    let refused = admin.post(
        &format!("/admin/users/{ada_id}/disable"),
        &ada,
        &[("confirmed", "yes")],
    );
    assert_eq!(refused.status(), StatusCode::CONFLICT);
    assert!(admin.docket.find_staff(ADMIN).unwrap().is_admin());

    // Disabling signs Sam out and keeps him out; enabling lets him in again.
    let forged = admin.post_raw(
        &format!("/admin/users/{sam_id}/disable"),
        Some(&ada.cookie),
        Some(&admin.base),
        &[("form_token", "forged")],
    );
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    assert!(admin.signed_in(&sam));
    // Asked first: the page says what is lost and changes nothing.
    let asked = admin.post(&format!("/admin/users/{sam_id}/disable"), &ada, &[]);
    assert_eq!(asked.status(), StatusCode::OK);
    let page = body(asked);
    assert!(page.contains("API tokens are revoked for good"), "{page}");
    assert!(page.contains("name=\"confirmed\" value=\"yes\""), "{page}");
    assert!(
        page.contains(&format!("action=\"/admin/users/{sam_id}/disable\"")),
        "{page}"
    );
    assert!(
        admin.signed_in(&sam),
        "nothing changes until it is confirmed"
    );
    assert!(
        admin
            .docket
            .find_staff(STAFF)
            .unwrap()
            .disabled_at
            .is_none()
    );
    let done = admin.post(
        &format!("/admin/users/{sam_id}/disable"),
        &ada,
        &[("confirmed", "yes")],
    );
    assert_eq!(done.status(), StatusCode::SEE_OTHER);
    assert!(!admin.signed_in(&sam), "his session ended");
    assert_ne!(
        admin.sign_in_from(STAFF, PASSWORD, super::HOME).status(),
        StatusCode::SEE_OTHER
    );
    assert!(body(admin.get("/admin/users", Some(&ada))).contains("Disabled since"));
    admin.post(&format!("/admin/users/{sam_id}/enable"), &ada, &[]);
    let sam = admin.browser(STAFF);

    // With Sam an admin, Ada may step down, and then reaches no admin page.
    let made = admin.post(
        &format!("/admin/users/{sam_id}/role"),
        &ada,
        &[("role", "admin")],
    );
    assert_eq!(made.status(), StatusCode::SEE_OTHER);
    // Two admins: each may be changed.
    let page = body(admin.get("/admin/users", Some(&ada)));
    assert!(!page.contains("The only admin"), "{page}");
    let stepped = admin.post(
        &format!("/admin/users/{ada_id}/role"),
        &ada,
        &[("role", "staff")],
    );
    assert_eq!(stepped.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        admin.get("/admin/users", Some(&ada)).status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        admin.get("/admin/users", Some(&sam)).status(),
        StatusCode::OK
    );
}

#[test]
fn staff_users_through_the_api() {
    let admin = Admin::start();
    let root = admin.token(Role::Admin);
    let staff = admin.token(Role::Staff);
    let (status, kim) = admin.api_with(
        &root,
        Method::POST,
        "/users",
        Some(json!({"email": "kim@firm.example", "role": "staff"})),
    );
    assert_eq!(status, StatusCode::CREATED, "{kim}");
    assert!(kim["invited_until"].is_string());
    let text = kim.to_string();
    assert!(
        !text.contains("hash") && !text.contains("password"),
        "{text}"
    );
    for bad in [
        json!({"email": "nope", "role": "staff"}),
        json!({"email": "lee@firm.example", "role": "owner"}),
        json!({"email": "lee@firm.example"}),
    ] {
        let (status, _) = admin.api_with(&root, Method::POST, "/users", Some(bad.clone()));
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
    }
    let (status, _) = admin.api_with(
        &root,
        Method::POST,
        "/users",
        Some(json!({"email": STAFF, "role": "staff"})),
    );
    assert_eq!(status, StatusCode::CONFLICT);

    let (status, sam) = admin.api_with(
        &root,
        Method::POST,
        &format!("/users/{STAFF}/role"),
        Some(json!({"role": "admin"})),
    );
    assert_eq!(status, StatusCode::OK);
    assert_eq!(sam["role"], "admin");
    let (status, sam) = admin.api_with(
        &root,
        Method::POST,
        &format!("/users/{STAFF}/disable"),
        None,
    );
    assert_eq!(status, StatusCode::OK);
    assert!(sam["disabled_at"].is_string());
    let (status, error) = admin.api_with(
        &root,
        Method::POST,
        &format!("/users/{ADMIN}/disable"),
        None,
    );
    assert_eq!(status, StatusCode::CONFLICT, "{error}");
    let (status, sam) =
        admin.api_with(&root, Method::POST, &format!("/users/{STAFF}/enable"), None);
    assert_eq!(status, StatusCode::OK);
    assert!(sam["disabled_at"].is_null());
    let (status, _) = admin.api_with(
        &root,
        Method::POST,
        "/users/nobody@firm.example/disable",
        None,
    );
    assert_eq!(status, StatusCode::NOT_FOUND);

    // A staff token changes nothing.
    let before = admin.docket.list_staff().unwrap();
    for (path, json) in [
        (
            "/users",
            Some(json!({"email": "eve@firm.example", "role": "admin"})),
        ),
        (
            "/users/ada@firm.example/role",
            Some(json!({"role": "staff"})),
        ),
        ("/users/ada@firm.example/disable", None),
    ] {
        let (status, _) = admin.api_with(&staff, Method::POST, path, json);
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
    }
    assert_eq!(admin.docket.list_staff().unwrap(), before);
}

#[test]
fn a_disabled_member_is_not_offered_nor_accepted_as_assignee() {
    let admin = Admin::start();
    admin.docket.disable_user(super::STAFF).unwrap();
    let ada = admin.browser(super::ADMIN);
    let template = admin.docket.find_template("Year end").unwrap().id;
    let page = super::body(admin.get(&format!("/admin/work/new?template={template}"), Some(&ada)));
    assert!(page.contains("Ada Admin"), "{page}");
    assert!(
        !page.contains("Sam Staff"),
        "a disabled member is offered: {page}"
    );
    let secret = admin.api_secret(Role::Admin);
    let (status, body) = admin.api_with(
        &secret,
        Method::POST,
        "/work",
        Some(serde_json::json!({
            "template": "Year end",
            "start_date": "2026-03-09",
            "contacts": ["ann@client.example"],
            "assignee": super::STAFF,
        })),
    );
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        body["error"].as_str().unwrap().contains("is disabled"),
        "{body}"
    );
}

#[test]
fn the_invite_form_says_every_wrong_field_at_once() {
    let admin = Admin::start();
    let ada = admin.browser(ADMIN);
    let long = "K".repeat(201);
    let bad = admin.post(
        "/admin/users",
        &ada,
        &[
            ("email", "not an address"),
            ("name", long.as_str()),
            ("role", "boss"),
        ],
    );
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = body(bad);
    for field in ["email", "name", "role"] {
        assert!(
            html.contains(&format!("aria-describedby=\"{field}-error\""))
                || html.contains(&format!(" {field}-error\"")),
            "{field} marked: {html}"
        );
        assert!(
            html.contains(&format!("id=\"{field}-error\"")),
            "{field}: {html}"
        );
    }
    assert!(html.contains("value=\"not an address\""), "{html}");
    // The role right, the email and the name still both said.
    let bad = admin.post(
        "/admin/users",
        &ada,
        &[
            ("email", "not an address"),
            ("name", long.as_str()),
            ("role", "staff"),
        ],
    );
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = body(bad);
    assert!(html.contains("id=\"email-error\""), "{html}");
    assert!(html.contains("id=\"name-error\""), "{html}");
    assert_eq!(admin.docket.list_staff().unwrap().len(), 2, "nothing made");
}
