//! One way to name a record in the API's paths: a record is named by its id, or by the name people
//! know it by — a template by its name, a contact by their email, a staff member by their email —
//! and every path that names a template, contact or staff member takes either. Driven by the
//! OpenAPI document, so a path added later that names one is held to the rule too.

use std::cell::RefCell;
use std::collections::BTreeSet;

use docket_engine::model::{Actor, Role};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::{Admin, STAFF, client};

/// What names a record in a path, as the document writes it, and the record's two names.
struct Named {
    /// The path segment the document writes, e.g. `{name_or_id}`.
    param: &'static str,
    /// Paths naming this kind of record start so.
    prefix: &'static str,
    id: String,
    name: &'static str,
}

impl Named {
    fn names(&self, path: &str) -> bool {
        path.starts_with(self.prefix) && path.contains(self.param)
    }
}

/// A call through the API with an admin token: its status and JSON answer.
fn call(
    admin: &Admin,
    secret: &str,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut request = client()
        .request(method, admin.url(&format!("/api{path}")))
        .bearer_auth(secret);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let answer = request.send().unwrap();
    let status = answer.status();
    (status, answer.json().unwrap_or(Value::Null))
}

/// `path` from the document with each parameter of `values` given its value (percent-encoded)
/// and every other a value of its shape.
fn concrete(path: &str, values: &[(&str, &str)]) -> String {
    path.trim_start_matches("/api")
        .split('/')
        .map(
            |segment| match values.iter().find(|(param, _)| *param == segment) {
                Some((_, value)) => value.replace(' ', "%20"),
                None if ["{group}", "{task}", "{n}"].contains(&segment) => "0".to_string(),
                None => segment.to_string(),
            },
        )
        .collect::<Vec<_>>()
        .join("/")
}

#[test]
fn every_path_naming_a_template_contact_or_member_takes_its_id_or_its_name() {
    // With the stock plugins, as a server has them: a template's preview needs them.
    let admin = Admin::with_plugins();
    let secret = admin.api_secret(Role::Admin);
    let template = admin.docket.find_template("Year end").unwrap();
    let ann = admin.docket.find_contact("ann@client.example").unwrap();
    let sam = admin.docket.find_staff(STAFF).unwrap();
    let kinds = [
        Named {
            param: "{name_or_id}",
            prefix: "/api/templates/",
            id: template.id.to_string(),
            name: "Year end",
        },
        Named {
            param: "{id}",
            prefix: "/api/contacts/",
            id: ann.id.to_string(),
            name: "ann@client.example",
        },
        Named {
            param: "{user}",
            prefix: "/api/users/",
            id: sam.id.to_string(),
            name: STAFF,
        },
    ];
    let document: Value = client()
        .get(admin.url("/api/openapi.json"))
        .send()
        .unwrap()
        .json()
        .unwrap();
    let mut naming = BTreeSet::new();
    for (path, item) in document["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            if kinds.iter().any(|kind| kind.names(path)) {
                naming.insert((method.to_uppercase(), path.clone()));
            }
        }
    }
    assert!(naming.len() >= 15, "{naming:?}");
    let covered = RefCell::new(BTreeSet::new());

    // Every read answers the same given either name.
    for (method, path) in &naming {
        if method != "GET" {
            continue;
        }
        let kind = kinds.iter().find(|kind| kind.names(path)).unwrap();
        let query = if path.ends_with("/preview") {
            "?start=2026-03-02"
        } else {
            ""
        };
        let by_id = concrete(path, &[(kind.param, &kind.id)]) + query;
        let by_name = concrete(path, &[(kind.param, kind.name)]) + query;
        let (status, answer) = call(&admin, &secret, Method::GET, &by_id, None);
        assert_eq!(status, StatusCode::OK, "{by_id}: {answer}");
        assert_eq!(
            call(&admin, &secret, Method::GET, &by_name, None),
            (status, answer),
            "{by_name} answers as {by_id}"
        );
        covered.borrow_mut().insert((method.clone(), path.clone()));
    }

    // Every write takes either name: each is made once by id and once by name (a document is
    // added by one and removed by the other) and acts on the same record. `also` gives a path's
    // other parameters (an action, a notification).
    let write =
        |method: Method, path: &str, also: &[(&str, &str)], named: &str, body: Option<Value>| {
            let kind = kinds.iter().find(|kind| kind.names(path)).unwrap();
            let value = if named == "id" { &kind.id } else { kind.name };
            let mut values = vec![(kind.param, value)];
            values.extend_from_slice(also);
            let (status, answer) = call(
                &admin,
                &secret,
                method.clone(),
                &concrete(path, &values),
                body,
            );
            assert!(
                status.is_success(),
                "{method} {path} by {named}: {status} {answer}"
            );
            covered
                .borrow_mut()
                .insert((method.to_string(), path.to_string()));
            answer
        };
    let whole = json!({
        "name": template.name,
        "description": template.description,
        "groups": serde_json::to_value(&template.groups).unwrap(),
    });
    for named in ["id", "name"] {
        let put = write(
            Method::PUT,
            "/api/templates/{name_or_id}",
            &[],
            named,
            Some(whole.clone()),
        );
        assert_eq!(put["id"], json!(template.id), "{put}");
        for action in ["archive", "restore"] {
            let path = format!("/api/templates/{{name_or_id}}/{action}");
            let answer = write(Method::POST, &path, &[], named, None);
            assert_eq!(answer["id"], json!(template.id), "{answer}");
        }
        let renamed = format!("Ann by {named}");
        let answer = write(
            Method::PATCH,
            "/api/contacts/{id}",
            &[],
            named,
            Some(json!({ "name": renamed })),
        );
        assert_eq!(
            (&answer["id"], &answer["name"]),
            (&json!(ann.id), &json!(renamed))
        );
        for action in ["archive", "restore"] {
            let path = "/api/contacts/{id}/{action}";
            let answer = write(Method::POST, path, &[("{action}", action)], named, None);
            assert_eq!(answer["id"], json!(ann.id), "{answer}");
        }
        let answer = write(
            Method::PUT,
            "/api/contacts/{id}/pause",
            &[],
            named,
            Some(json!({ "until": "2026-03-20" })),
        );
        assert_eq!(answer["id"], json!(ann.id), "{answer}");
        let answer = write(Method::DELETE, "/api/contacts/{id}/pause", &[], named, None);
        assert_eq!(answer["id"], json!(ann.id), "{answer}");
        let role = if named == "id" { "admin" } else { "staff" };
        let answer = write(
            Method::POST,
            "/api/users/{user}/role",
            &[],
            named,
            Some(json!({ "role": role })),
        );
        assert_eq!(
            (&answer["id"], &answer["role"]),
            (&json!(sam.id), &json!(role))
        );
        for action in ["disable", "enable"] {
            let path = format!("/api/users/{{user}}/{action}");
            let answer = write(Method::POST, &path, &[], named, None);
            assert_eq!(answer["id"], json!(sam.id), "{answer}");
        }
        let path = "/api/users/{user}/notifications/read-all";
        let answer = write(Method::POST, path, &[], named, None);
        assert!(answer["marked"].is_number(), "{answer}");
    }
    // A document, uploaded naming the template one way and removed naming it the other.
    let documents = "/api/templates/{name_or_id}/groups/{group}/tasks/{task}/documents";
    for (added, removed) in [("id", "name"), ("name", "id")] {
        let kind = &kinds[0];
        let value = if added == "id" {
            kind.id.as_str()
        } else {
            kind.name
        };
        let upload = concrete(documents, &[(kind.param, value)]);
        let answer = client()
            .post(admin.url(&format!("/api{upload}?name=letter.pdf")))
            .bearer_auth(&secret)
            .header("content-type", "application/pdf")
            .body("%PDF-1.7 an engagement letter")
            .send()
            .unwrap();
        assert_eq!(answer.status(), StatusCode::CREATED, "by {added}");
        covered
            .borrow_mut()
            .insert(("POST".to_string(), documents.to_string()));
        let path = format!("{documents}/{{n}}");
        let answer = write(Method::DELETE, &path, &[], removed, None);
        assert_eq!(answer["id"], json!(template.id), "{answer}");
    }
    // A notification read naming its member either way: Sam, the work's assignee, hears of
    // Ann's comments.
    for named in ["id", "name"] {
        let comment = format!("a note to read by {named}");
        let ann = Actor::Contact(ann.id);
        admin
            .docket
            .add_comment_on(admin.work, Some((0, None)), &comment, ann)
            .unwrap();
        admin.docket.deliver_events(&[], 100).unwrap();
        let unread = format!("/users/{STAFF}/notifications?unread=true");
        let (_, inbox) = call(&admin, &secret, Method::GET, &unread, None);
        let note = inbox["notifications"][0]["id"]
            .as_str()
            .unwrap()
            .to_string();
        let path = "/api/users/{user}/notifications/{id}/read";
        let answer = write(Method::POST, path, &[("{id}", &note)], named, None);
        assert_eq!(
            (&answer["id"], &answer["read"]),
            (&json!(note), &json!(true))
        );
    }

    let covered = covered.into_inner();
    let missed: Vec<_> = naming.difference(&covered).collect();
    assert!(missed.is_empty(), "not tested with both names: {missed:?}");
}
