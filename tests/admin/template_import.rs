//! A TOML template file imported by `POST /api/templates` (`Content-Type: application/toml`) and
//! by the form on the admin's templates page, by the rules of `docket template import`: the
//! template made as the file says, and a bad file (not TOML, a wrong key, a taken name) refused
//! with why, nothing made.

use docket_engine::model::{NewTemplate, Role};
use reqwest::StatusCode;
use serde_json::Value;

use super::{Admin, Browser, HOME, STAFF, body, location};

const FILE: &str = include_str!("../../examples/templates/monthly-bookkeeping.toml");
const NOT_TOML: &str = "name = \"Broken\"\n[[groups]\nname = \"x\"\n";
const WRONG_KEY: &str = "name = \"Wrong\"\n[[groups]]\nname = \"Records\"\n[[groups.tasks]]\ntitle = \"Bank\"\ndue = \"soon\"\n";

impl Admin {
    /// A TOML body posted to `/api/templates` with `content_type`, and the answer.
    fn post_template_file(&self, content_type: &str, text: &str) -> (StatusCode, Value) {
        let response = super::client()
            .post(self.url("/api/templates"))
            .bearer_auth(self.api_secret(Role::Staff))
            .header("Content-Type", content_type)
            .body(text.to_string())
            .send()
            .unwrap();
        let status = response.status();
        (status, response.json().unwrap_or(Value::Null))
    }

    /// The import form as a browser sends it: the form token first, then the file.
    fn import_form(
        &self,
        browser: &Browser,
        token: &str,
        text: &str,
    ) -> reqwest::blocking::Response {
        const BOUNDARY: &str = "----docket-import-boundary";
        let body = format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"form_token\"\r\n\r\n{token}\r\n\
             --{BOUNDARY}\r\nContent-Disposition: form-data; name=\"template_file\"; filename=\"quarter.toml\"\r\nContent-Type: application/toml\r\n\r\n{text}\r\n\
             --{BOUNDARY}--\r\n"
        );
        self.request(reqwest::Method::POST, "/admin/templates/import", HOME)
            .header("Cookie", &browser.cookie)
            .header("Origin", &self.base)
            .header(
                "Content-Type",
                format!("multipart/form-data; boundary={BOUNDARY}"),
            )
            .body(body)
            .send()
            .unwrap()
    }

    fn template_count(&self) -> usize {
        self.docket.list_templates().unwrap().len()
    }
}

#[test]
fn the_api_imports_a_toml_template_file_and_refuses_a_bad_one() {
    let admin = Admin::start();
    let before = admin.template_count();
    let expected = NewTemplate::from_toml(FILE).unwrap();

    let (status, made) = admin.post_template_file("application/toml; charset=utf-8", FILE);
    assert_eq!(status, StatusCode::CREATED, "{made}");
    assert_eq!(made["name"], "Monthly bookkeeping");
    let stored = admin.docket.find_template("monthly bookkeeping").unwrap();
    assert_eq!(made["id"], stored.id.to_string());
    assert_eq!(stored.groups.len(), expected.groups.len());
    let titles: Vec<_> = stored.groups[0]
        .tasks
        .iter()
        .map(|t| t.title.as_str())
        .collect();
    assert_eq!(
        titles,
        [
            "Bank statements",
            "Receipts and invoices",
            "Answer our queries"
        ]
    );
    assert_eq!(
        stored.groups[0].tasks[2].due_offset_days,
        expected.groups[0].tasks[2].due_offset_days
    );
    assert_eq!(admin.template_count(), before + 1);

    // The same file again: its name is taken, as `docket template import` says.
    let (status, answer) = admin.post_template_file("application/toml", FILE);
    assert_eq!(status, StatusCode::CONFLICT, "{answer}");
    assert!(
        answer.to_string().contains("Monthly bookkeeping"),
        "{answer}"
    );

    // Not TOML: the line is named.
    let (status, answer) = admin.post_template_file("application/toml", NOT_TOML);
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    assert!(answer.to_string().contains("line 2"), "{answer}");

    // A value of the wrong kind: the key is named.
    let (status, answer) = admin.post_template_file("application/toml", WRONG_KEY);
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    assert!(
        answer
            .to_string()
            .contains("group 1, task 1, key `due`: line 6"),
        "{answer}"
    );

    // Neither JSON nor TOML: both are offered.
    let (status, answer) = admin.post_template_file("text/plain", FILE);
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{answer}");
    let said = answer.to_string();
    assert!(
        said.contains("application/toml") && said.contains("application/json"),
        "{said}"
    );

    assert_eq!(admin.template_count(), before + 1, "nothing else was made");
}

#[test]
fn staff_import_a_template_file_from_the_templates_page() {
    let admin = Admin::start();
    let sam = admin.browser(STAFF);
    let before = admin.template_count();
    let page = body(admin.get("/admin/templates", Some(&sam)));
    assert!(
        page.contains("action=\"/admin/templates/import\""),
        "{page}"
    );
    assert!(page.contains("name=\"template_file\""), "{page}");

    // A bad file: the message is by the file field and nothing is made.
    for (text, said) in [
        (NOT_TOML, "Line 2: unclosed array table"),
        (WRONG_KEY, "Group 1, task 1, key “due”: line 6"),
        ("", "Choose a template file"),
    ] {
        let refused = admin.import_form(&sam, &sam.token, text);
        assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = body(refused);
        assert!(html.contains("aria-invalid=\"true\""), "{html}");
        let at = html
            .find("id=\"import-error\">")
            .expect("a message by the field");
        assert!(
            html[at..].split('<').next().unwrap().contains(said),
            "{said}: {html}"
        );
        assert_eq!(admin.template_count(), before, "nothing made for {said}");
    }

    // A form from an earlier sign-in changes nothing.
    let forged = admin.import_form(&sam, "forged", FILE);
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    assert_eq!(admin.template_count(), before);

    // The file: the template is made and its page opens.
    let made = admin.import_form(&sam, &sam.token, FILE);
    assert_eq!(made.status(), StatusCode::SEE_OTHER);
    let t = admin.docket.find_template("Monthly bookkeeping").unwrap();
    assert_eq!(location(&made), format!("/admin/templates/{}", t.id));
    assert_eq!(t.groups[0].tasks.len(), 3);
    assert_eq!(admin.template_count(), before + 1);

    // Again: the name is taken, said by the field.
    let twice = admin.import_form(&sam, &sam.token, FILE);
    assert_eq!(twice.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = body(twice);
    assert!(html.contains("id=\"import-error\""), "{html}");
    assert_eq!(admin.template_count(), before + 1);
}

#[test]
fn the_import_form_speaks_of_template_files_and_a_template_exports_one() {
    let admin = Admin::start();
    let sam = admin.browser(STAFF);
    let list = body(admin.get("/admin/templates", Some(&sam)));
    assert!(
        !list.contains("docket template"),
        "no commands on a page: {list}"
    );
    assert!(list.contains("A template file (TOML)"), "{list}");

    // A template's page exports it as the file the import reads back.
    let template = admin.docket.find_template("Year end").unwrap();
    let page = body(admin.get(&format!("/admin/templates/{}", template.id), Some(&sam)));
    let href = format!("/admin/templates/{}/export", template.id);
    assert!(page.contains(&format!("href=\"{href}\"")), "{page}");
    let file = admin.get(&href, Some(&sam));
    assert_eq!(file.status(), StatusCode::OK);
    let text = body(file);
    let back = NewTemplate::from_toml(&text).unwrap();
    assert_eq!(back.name, "Year end");
    assert_eq!(back.groups.len(), template.groups.len());

    // A file's mistakes are said where the author wrote them, in plain words.
    let token = super::hidden(&list, "form_token");
    let html = body(admin.import_form(&sam, &token, "name = \"No groups\"\n"));
    assert!(html.contains("The file has no “groups”."), "{html}");
    let html = body(admin.import_form(
        &sam,
        &token,
        "name = \"Bad\"\n[[groups]]\nname = \"Records\"\n[[groups.tasks]]\ndescription = \"x\"\ndue = 3\n",
    ));
    assert!(
        html.contains("Group 1, task 1 (line 4) has no “title”."),
        "{html}"
    );
}
