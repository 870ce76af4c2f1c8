//! The same work for many contacts at once: `POST /api/work/bulk` and the admin's
//! `/admin/work/bulk` page — every item made, or none and each bad contact named.

use docket_engine::docket::WorkListQuery;
use docket_engine::model::{Actor, NewContact, Role};
use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{Admin, STAFF, body, client, hidden, location};

impl Admin {
    /// Contacts `c1@client.example`… named "Client N", ids as text.
    fn clients(&self, n: usize) -> Vec<String> {
        (1..=n)
            .map(|i| {
                self.docket
                    .create_contact(
                        NewContact {
                            name: format!("Client {i}"),
                            email: format!("c{i}@client.example"),
                            timezone: None,
                            locale: None,
                        },
                        Actor::System,
                    )
                    .unwrap()
                    .id
                    .to_string()
            })
            .collect()
    }

    fn work_count(&self) -> usize {
        self.docket
            .find_work(&WorkListQuery::default(), None, 500)
            .unwrap()
            .len()
    }
}

#[test]
fn the_api_makes_one_item_per_contact_or_none() {
    let admin = Admin::start();
    let ids = admin.clients(4);
    let secret = admin.api_secret(Role::Staff);
    let post = |body: Value| {
        let response = client()
            .post(admin.url("/api/work/bulk"))
            .bearer_auth(&secret)
            .json(&body)
            .send()
            .unwrap();
        let status = response.status();
        (status, response.json::<Value>().unwrap())
    };
    let before = admin.work_count();

    // One bad contact among good ones: nothing is made, and each bad one is named.
    let (status, answer) = post(json!({
        "template": "Year end",
        "start_date": "2026-04-01",
        "contacts": [ids[0], "nobody@client.example", "c2@client.example", ids[0]],
    }));
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    let said = answer["error"].as_str().unwrap();
    assert!(said.contains("nobody@client.example"), "{said}");
    assert!(
        !said.contains("twice"),
        "one given twice is no problem: {said}"
    );
    assert_eq!(admin.work_count(), before, "nothing was made");

    // The same contact by id and by email, and twice by id: one item for them.
    let (status, answer) = post(json!({
        "template": "Year end",
        "start_date": "2026-04-01",
        "contacts": [ids[3], "C4@client.example", ids[3]],
    }));
    assert_eq!(status, StatusCode::CREATED, "{answer}");
    assert_eq!(answer.as_array().unwrap().len(), 1, "{answer}");
    assert_eq!(admin.work_count(), before + 1);
    let before = before + 1;

    // All good: one item each, in the order given, with its own title and assignee.
    let (status, answer) = post(json!({
        "template": "Year end",
        "start_date": "2026-04-01",
        "contacts": ["c1@client.example", ids[1], "C3@client.example"],
        "assignee": STAFF,
    }));
    assert_eq!(status, StatusCode::CREATED, "{answer}");
    let made = answer.as_array().unwrap();
    let titles: Vec<&str> = made.iter().map(|w| w["title"].as_str().unwrap()).collect();
    assert_eq!(
        titles,
        [
            "Client 1 — Year end",
            "Client 2 — Year end",
            "Client 3 — Year end"
        ]
    );
    for (work, id) in made.iter().zip(&ids) {
        assert_eq!(work["groups"][0]["recipient"], id.as_str());
        // The name the client sees tells this month's request from another's.
        assert_eq!(work["external_name"], "Year end (April 2026)");
        assert_eq!(work["start_date"], "2026-04-01");
    }
    let sam = admin.docket.user_by_email(STAFF).unwrap().unwrap().id;
    assert!(
        made.iter()
            .all(|w| w["assignee"] == sam.to_string().as_str())
    );
    assert_eq!(admin.work_count(), before + 3);

    // A field the body does not have is refused by name.
    // The client-facing name takes the title's placeholders; an unknown one is refused by name.
    let (status, answer) = post(json!({
        "template": "Year end",
        "start_date": "2026-07-01",
        "contacts": [ids[0]],
        "external_name": "{contact}: {template} {quarter}",
    }));
    assert_eq!(status, StatusCode::CREATED, "{answer}");
    assert_eq!(answer[0]["external_name"], "Client 1: Year end Q3 2026");
    let (status, answer) = post(json!({
        "template": "Year end",
        "start_date": "2026-07-01",
        "contacts": [ids[0]],
        "external_name": "{client}",
    }));
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    assert!(
        answer["error"].as_str().unwrap().contains("{client}"),
        "{answer}"
    );
    assert_eq!(admin.work_count(), before + 4);

    let (status, answer) = post(json!({"template": "Year end", "contacts": [], "colour": 1}));
    assert!(status.is_client_error());
    assert!(
        answer["error"].as_str().unwrap().contains("colour"),
        "{answer}"
    );
}

#[test]
fn the_admin_page_ticks_and_pastes_contacts() {
    let admin = Admin::start();
    let ids = admin.clients(4);
    let sam = admin.browser(STAFF);
    let before = admin.work_count();

    // The new-work page leads to it; the page lists contacts, narrowed by a search.
    assert!(body(admin.get("/admin/work/new", Some(&sam))).contains("href=\"/admin/work/bulk\""));
    let page = body(admin.get("/admin/work/bulk", Some(&sam)));
    for id in &ids {
        assert!(page.contains(&format!("value=\"{id}\"")), "{page}");
    }
    let narrowed = body(admin.get("/admin/work/bulk?q=c2%40client", Some(&sam)));
    assert!(narrowed.contains(&format!("value=\"{}\"", ids[1])));
    assert!(!narrowed.contains(&format!("value=\"{}\"", ids[0])));
    let template = admin
        .docket
        .find_template("Year end")
        .unwrap()
        .id
        .to_string();

    // A bad pasted email: the form comes back with it named, the ticks kept, nothing made.
    let refused = admin.post(
        "/admin/work/bulk",
        &sam,
        &[
            ("template", &template),
            ("start_date", "2026-04-01"),
            ("title", ""),
            ("assignee", ""),
            ("contact", &ids[0]),
            ("contact", &ids[1]),
            ("emails", "c3@client.example, stranger@elsewhere.example"),
        ],
    );
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = body(refused);
    assert!(page.contains("stranger@elsewhere.example"), "{page}");
    assert!(page.contains("id=\"contacts-error\""), "{page}");
    assert!(
        page.contains(&format!("value=\"{}\" checked", ids[0])),
        "{page}"
    );
    assert!(page.contains("c3@client.example, stranger@elsewhere.example</textarea>"));
    assert_eq!(admin.work_count(), before);

    // No start date and nobody chosen: both said, next to their fields.
    let page = body(admin.post(
        "/admin/work/bulk",
        &sam,
        &[("template", &template), ("start_date", ""), ("emails", "")],
    ));
    assert!(
        page.contains("id=\"start_date-error\">Enter a start date"),
        "{page}"
    );
    assert!(
        page.contains("id=\"contacts-error\">Tick at least one contact"),
        "{page}"
    );

    // Ticked and pasted together: one item each, titled by the pattern.
    let made = admin.post(
        "/admin/work/bulk",
        &sam,
        &[
            ("template", &template),
            ("start_date", "2026-04-01"),
            ("title", "{template} 2026: {contact}"),
            ("external_name", "Your {template}, {month}"),
            ("assignee", STAFF),
            ("contact", &ids[0]),
            ("contact", &ids[1]),
            ("emails", "Client 3 <c3@client.example>\nc4@client.example"),
        ],
    );
    assert_eq!(made.status(), StatusCode::SEE_OTHER);
    let next = location(&made);
    assert!(next.starts_with("/admin/work/bulk?made=4&first="), "{next}");
    let summary = body(admin.get(&next, Some(&sam)));
    assert!(summary.contains("Made 4 work items."), "{summary}");
    assert_eq!(admin.work_count(), before + 4);
    let all = admin
        .docket
        .find_work(&WorkListQuery::default(), None, 500)
        .unwrap();
    // Each item made is linked from the summary, with the name its client sees.
    for n in 1..=4 {
        let work = all
            .iter()
            .find(|w| w.title == format!("Year end 2026: Client {n}"))
            .unwrap_or_else(|| panic!("{all:?}"));
        assert_eq!(work.external_name, "Your Year end, April 2026");
        assert!(
            summary.contains(&format!(
                "<a href=\"/admin/work/{}\"><bdi>Year end 2026: Client {n}</bdi></a>",
                work.id
            )),
            "{summary}"
        );
    }
    assert_eq!(
        summary
            .matches("the client sees “<bdi>Your Year end, April 2026</bdi>”")
            .count(),
        4,
        "{summary}"
    );
    // A bad placeholder in the client's name: said next to its field, the form kept.
    let page = body(admin.post(
        "/admin/work/bulk",
        &sam,
        &[
            ("template", &template),
            ("start_date", "2026-04-01"),
            ("external_name", "Your {period}"),
            ("contact", &ids[0]),
        ],
    ));
    assert!(page.contains("id=\"external_name-error\""), "{page}");
    assert!(page.contains("value=\"Your {period}\""), "{page}");
    assert_eq!(admin.work_count(), before + 4);
    // The form token is on the page, as every admin form's is.
    assert!(
        !hidden(
            &body(admin.get("/admin/work/bulk", Some(&sam))),
            "form_token"
        )
        .is_empty()
    );
}

#[test]
fn the_bulk_form_says_every_wrong_field_at_once() {
    let admin = Admin::start();
    let sam = admin.browser(STAFF);
    let ids = admin.clients(2);
    let count = || {
        admin
            .docket
            .find_work(&WorkListQuery::default(), None, 500)
            .unwrap()
            .len()
    };
    let before = count();
    let template = admin
        .docket
        .find_template("Year end")
        .unwrap()
        .id
        .to_string();
    // A stranger among the contacts, an unknown assignee and a title with an unknown
    // placeholder: all three said, each beside its field, what was typed kept.
    let refused = admin.post(
        "/admin/work/bulk",
        &sam,
        &[
            ("template", &template),
            ("start_date", "2026-04-01"),
            ("title", "{client} year end {period}"),
            ("assignee", "nobody@firm.example"),
            ("contact", &ids[0]),
            ("emails", "stranger@elsewhere.example"),
        ],
    );
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = body(refused);
    for field in ["contacts", "assignee", "title"] {
        assert!(
            html.contains(&format!("id=\"{field}-error\"")),
            "{field}: {html}"
        );
    }
    assert!(html.contains("stranger@elsewhere.example"), "{html}");
    assert!(html.contains("{client} year end {period}"), "{html}");
    // Both wrong placeholders are said at once, as prose quotes them, with no code notation.
    assert!(
        html.contains("id=\"title-error\">The title&#x27;s {client} and {period} are not placeholders; use {contact}"),
        "{html}"
    );
    assert!(!html.contains('`'), "{html}");
    // With no start date either, the engine's checks still say the other fields.
    let refused = admin.post(
        "/admin/work/bulk",
        &sam,
        &[
            ("template", &template),
            ("start_date", ""),
            ("assignee", "nobody@firm.example"),
            ("contact", &ids[0]),
        ],
    );
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = body(refused);
    assert!(html.contains("id=\"start_date-error\""), "{html}");
    assert!(html.contains("id=\"assignee-error\""), "{html}");
    assert_eq!(count(), before, "nothing made");
}

#[test]
fn the_bulk_form_sent_twice_makes_its_work_once() {
    let admin = Admin::start();
    let ids = admin.clients(2);
    let sam = admin.browser(STAFF);
    let before = admin.work_count();
    let form = body(admin.get("/admin/work/bulk", Some(&sam)));
    let once = hidden(&form, "once");
    assert!(!once.is_empty(), "{form}");
    let send = || {
        admin.post(
            "/admin/work/bulk",
            &sam,
            &[
                ("once", &once),
                ("template", "Year end"),
                ("start_date", "2026-04-01"),
                ("contact", &ids[0]),
                ("contact", &ids[1]),
            ],
        )
    };
    let first = send();
    assert_eq!(first.status(), StatusCode::SEE_OTHER);
    let summary = location(&first);
    assert_eq!(admin.work_count(), before + 2);

    // A double click or a reload: nothing more is made, and the page says what the first made.
    let again = send();
    assert_eq!(again.status(), StatusCode::SEE_OTHER);
    assert_eq!(admin.work_count(), before + 2, "nothing made twice");
    let next = location(&again);
    assert!(next.starts_with(&summary), "{next} after {summary}");
    let page = body(admin.get(&next, Some(&sam)));
    assert!(
        page.contains("This form was already sent; it made 2 work items"),
        "{page}"
    );
    assert_eq!(
        page.matches("<li><a href=\"/admin/work/").count(),
        2,
        "{page}"
    );

    // A fresh form is a new sending.
    let fresh = hidden(&body(admin.get("/admin/work/bulk", Some(&sam))), "once");
    assert_ne!(fresh, once);
}

#[test]
fn the_bulk_form_adds_pasted_people_who_are_not_contacts_yet_only_when_all_is_made() {
    let admin = Admin::start();
    let ids = admin.clients(1);
    let sam = admin.browser(STAFF);
    let before = admin.work_count();
    let form = body(admin.get("/admin/work/bulk", Some(&sam)));
    assert!(
        form.contains("Add the pasted emails that are not contacts yet"),
        "{form}"
    );
    let known = |email: &str| admin.docket.contact_by_email(email).unwrap();
    let send = |emails: &str, add: bool, start: &str| {
        let mut fields = vec![
            ("template", "Year end"),
            ("start_date", start),
            ("contact", ids[0].as_str()),
            ("emails", emails),
        ];
        if add {
            fields.push(("add_contacts", "yes"));
        }
        admin.post("/admin/work/bulk", &sam, &fields)
    };
    let named = "Dee Dale <dee@new.example>\n\"Eve East\" <eve@new.example>";

    // Not ticked: unknown people are refused, as before.
    let refused = send(named, false, "2026-04-01");
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body(refused).contains("unknown contact dee@new.example"));
    // Ticked, but a bare unknown email: asked for with its name; nobody added, nothing made.
    let refused = send(&format!("{named}\nfay@new.example"), true, "2026-04-01");
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = body(refused);
    assert!(
        html.contains(
            "fay@new.example is not a contact yet; give it as Name &lt;fay@new.example&gt; to add it"
        ),
        "{html}"
    );
    assert!(html.contains("id=\"add_contacts\" name=\"add_contacts\" value=\"yes\" checked"));
    // Ticked, and another field wrong: nobody added either.
    let refused = send(named, true, "2026-02-30");
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(known("dee@new.example").is_none());
    assert_eq!(admin.work_count(), before, "nothing made");

    // All right: the two are added with their names, and each has their work.
    let made = send(named, true, "2026-04-01");
    assert_eq!(made.status(), StatusCode::SEE_OTHER, "{}", body(made));
    assert_eq!(admin.work_count(), before + 3);
    assert_eq!(known("dee@new.example").unwrap().name, "Dee Dale");
    assert_eq!(known("eve@new.example").unwrap().name, "Eve East");
}

#[test]
fn the_api_adds_contacts_given_with_their_names_when_asked() {
    let admin = Admin::start();
    let secret = admin.api_secret(Role::Staff);
    let post = |body: Value| {
        client()
            .post(admin.url("/api/work/bulk"))
            .bearer_auth(&secret)
            .json(&body)
            .send()
            .unwrap()
            .status()
    };
    let before = admin.work_count();
    let asked = |add: bool| {
        json!({
            "template": "Year end",
            "start_date": "2026-04-01",
            "contacts": ["Gus Grey <gus@new.example>"],
            "add_contacts": add,
        })
    };
    assert_eq!(post(asked(false)), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        admin
            .docket
            .contact_by_email("gus@new.example")
            .unwrap()
            .is_none()
    );
    assert_eq!(post(asked(true)), StatusCode::CREATED);
    assert_eq!(admin.work_count(), before + 1);
    let gus = admin.docket.contact_by_email("gus@new.example").unwrap();
    assert_eq!(gus.unwrap().name, "Gus Grey");
}
