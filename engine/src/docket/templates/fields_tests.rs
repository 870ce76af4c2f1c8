//! Unit tests of `fields.rs`: for every rule of `NewTemplate::validate`, the walk names the input
//! the model's own refusal is about, so the two cannot drift apart unnoticed.

use super::*;
use crate::model::{DocumentRef, GroupTemplate, PluginRef, TaskTemplate, TemplateFile};

fn template() -> NewTemplate {
    let task = |title: &str| TaskTemplate {
        title: title.into(),
        description: String::new(),
        due_offset_days: 7,
        documents: vec![DocumentRef {
            name: "Form".into(),
            url: Some("https://firm.example/form.pdf".into()),
            file: None,
        }],
    };
    NewTemplate {
        name: "Year end".into(),
        description: String::new(),
        groups: vec![
            GroupTemplate {
                name: "Documents".into(),
                sending: PluginRef::manual(),
                reminders: PluginRef::gentle(),
                tasks: vec![task("Statements"), task("Receipts")],
            },
            GroupTemplate {
                name: "Signatures".into(),
                sending: PluginRef::manual(),
                reminders: PluginRef::gentle(),
                tasks: vec![task("Sign")],
            },
        ],
    }
}

#[test]
fn each_rule_a_template_breaks_is_named_by_its_input() {
    type Break = fn(&mut NewTemplate);
    let cases: [(Break, &str, &str); 13] = [
        (|t| t.name = " ".into(), "name", "needs a name"),
        (|t| t.groups.clear(), "groups", "no client-task groups"),
        (
            |t| t.groups[1].name = "".into(),
            "group_name",
            "without a name",
        ),
        (
            |t| t.groups[1].name = "DOCUMENTS".into(),
            "group_name",
            "two groups",
        ),
        (|t| t.groups[1].tasks.clear(), "tasks", "has no tasks"),
        (
            |t| t.groups[0].tasks[1].title = " ".into(),
            "title",
            "without a title",
        ),
        (
            |t| t.groups[0].tasks[1].documents[0].name = "".into(),
            "document_name",
            "a document needs a name",
        ),
        (
            |t| t.groups[1].tasks[0].documents[0].url = Some("http://".into()),
            "url",
            "give a web address",
        ),
        (
            |t| t.groups[1].tasks[0].documents[0].url = Some("https://a.example/x y".into()),
            "url",
            "give a web address",
        ),
        (
            |t| t.groups[0].tasks[0].due_offset_days = -4000,
            "due_offset_days",
            "more than ten years",
        ),
        (
            |t| t.groups[1].sending.plugin = " ".into(),
            "sending",
            "names an empty plugin",
        ),
        (
            |t| t.groups[1].reminders.plugin = "".into(),
            "reminders",
            "names an empty plugin",
        ),
        (
            |t| {
                t.groups[0].tasks[0].documents[0].file = Some(TemplateFile {
                    id: ulid::Ulid::nil(),
                    content_type: "application/pdf".into(),
                    content: crate::model::StoredFile {
                        sha256: "00".into(),
                        size: 1,
                    },
                })
            },
            "document",
            "uploaded to the template once it exists",
        ),
    ];
    assert_eq!(refused_field(&template()), None);
    validated(&template(), true).unwrap();
    for (broken, field, says) in cases {
        let mut t = template();
        broken(&mut t);
        let e = validated(&t, true).unwrap_err();
        assert!(e.to_string().contains(says), "{field}: {e}");
        assert_eq!(e.field(), Some(field), "{e}");
    }
}

#[test]
fn an_edit_may_keep_a_file_it_names() {
    let mut t = template();
    t.groups[0].tasks[0].documents[0].file = Some(TemplateFile {
        id: ulid::Ulid::nil(),
        content_type: "application/pdf".into(),
        content: crate::model::StoredFile {
            sha256: "00".into(),
            size: 1,
        },
    });
    validated(&t, false).unwrap();
    t.groups[0].tasks[0].title = String::new();
    assert_eq!(validated(&t, false).unwrap_err().field(), Some("title"));
}
