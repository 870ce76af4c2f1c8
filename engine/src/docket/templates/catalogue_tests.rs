//! Tests of templates: import, whole and one-form edits, archive and restore, uploaded files.
use crate::Error;
use crate::demo::EXAMPLE_TEMPLATES;
use crate::docket::test_support::docket_at;

#[test]
fn templates_import_once_by_name() {
    let (docket, _) = docket_at("2027-01-10T09:00:00Z");
    let t = docket.import_template(EXAMPLE_TEMPLATES[0]).unwrap();
    assert_eq!(docket.find_template(&t.name.to_uppercase()).unwrap(), t);
    assert_eq!(docket.find_template(&t.id.to_string()).unwrap(), t);
    let err = docket.import_template(EXAMPLE_TEMPLATES[0]).unwrap_err();
    assert!(matches!(err, Error::Conflict(_)), "{err}");
    assert!(matches!(
        docket.find_template("nope"),
        Err(Error::NotFound { .. })
    ));
    assert_eq!(docket.list_templates().unwrap().len(), 1);
}

#[test]
fn an_edit_changes_future_work_only_and_archived_templates_make_none() {
    use crate::docket::TemplateEdit;
    use crate::model::{Actor, NewContact, NewTemplate, NewWork, PluginRef, TaskTemplate};

    let (docket, _) = docket_at("2027-01-10T09:00:00Z");
    let t = docket.import_template(EXAMPLE_TEMPLATES[1]).unwrap();
    docket
        .create_contact(
            NewContact {
                name: "Bob".into(),
                email: "bob@client.example".into(),
                timezone: None,
                locale: None,
            },
            Actor::System,
        )
        .unwrap();
    let work = |name: &str| {
        docket.create_work(
            NewWork {
                template: name.into(),
                start_date: Some("2027-02-01".parse().unwrap()),
                contacts: vec!["bob@client.example".into()],
                ..Default::default()
            },
            Actor::System,
        )
    };
    let before = work("Monthly bookkeeping").unwrap();
    let old_tasks: Vec<String> = before.groups[0]
        .tasks
        .iter()
        .map(|t| t.title.clone())
        .collect();

    // Whole-template update: renamed, a task retitled and its offset moved, one added.
    let mut new = NewTemplate::from_template(&t);
    new.name = "Bookkeeping".into();
    new.groups[0].tasks[0].title = "All bank statements".into();
    new.groups[0].tasks[0].due_offset_days = 9;
    new.groups[0].tasks.push(TaskTemplate {
        title: "VAT questions".into(),
        description: String::new(),
        due_offset_days: 12,
        documents: Vec::new(),
    });
    let updated = docket.update_template(&t.id.to_string(), new).unwrap();
    assert_eq!(updated.id, t.id);
    assert!(updated.updated_at.is_some());
    // The name index moved with it.
    assert!(docket.find_template("monthly bookkeeping").is_err());
    assert_eq!(docket.find_template("BOOKKEEPING").unwrap(), updated);

    // Work made before keeps its copy; work made now follows the edit.
    let kept = docket.work(before.id).unwrap();
    let titles: Vec<String> = kept.groups[0]
        .tasks
        .iter()
        .map(|t| t.title.clone())
        .collect();
    assert_eq!(titles, old_tasks);
    let after = work("Bookkeeping").unwrap();
    assert_eq!(after.groups[0].tasks[0].title, "All bank statements");
    assert_eq!(after.groups[0].tasks[0].due_date.to_string(), "2027-02-10");
    assert_eq!(after.groups[0].tasks.len(), old_tasks.len() + 1);

    // Admin edits: move the new task to the top, change the group's policy.
    let edited = docket
        .edit_template(
            "bookkeeping",
            TemplateEdit::MoveTask {
                group: 0,
                task: old_tasks.len(),
                up: true,
            },
        )
        .unwrap();
    assert_eq!(
        edited.groups[0].tasks[old_tasks.len() - 1].title,
        "VAT questions"
    );
    let mut urgent = PluginRef::named("urgent");
    urgent.params.clear();
    let edited = docket
        .edit_template(
            "bookkeeping",
            TemplateEdit::Group {
                group: 0,
                name: "Records".into(),
                sending: PluginRef::manual(),
                reminders: urgent,
            },
        )
        .unwrap();
    assert_eq!(edited.groups[0].reminders.plugin, "urgent");

    // Bad edits change nothing.
    for (edit, want) in [
        (
            TemplateEdit::RemoveGroup { group: 0 },
            "a template keeps at least one group; add another before removing this one",
        ),
        (
            TemplateEdit::RemoveTask { group: 0, task: 9 },
            "has no task 9",
        ),
        (
            TemplateEdit::MoveGroup { group: 3, up: true },
            "has no group 3",
        ),
        (
            TemplateEdit::Details {
                name: " ".into(),
                description: String::new(),
            },
            "needs a name",
        ),
    ] {
        let err = docket
            .edit_template("bookkeeping", edit)
            .unwrap_err()
            .to_string();
        assert!(err.contains(want), "{err}");
    }
    assert_eq!(docket.find_template("bookkeeping").unwrap(), edited);
    // A rename onto another template's name is refused.
    let other = docket.import_template(EXAMPLE_TEMPLATES[0]).unwrap();
    let err = docket
        .edit_template(
            "bookkeeping",
            TemplateEdit::Details {
                name: other.name.to_uppercase(),
                description: String::new(),
            },
        )
        .unwrap_err();
    assert!(matches!(err, Error::Conflict(_)), "{err}");
    assert_eq!(docket.find_template("bookkeeping").unwrap(), edited);

    // Archived: no new work until restored.
    let archived = docket.archive_template("bookkeeping").unwrap();
    assert!(archived.archived_at.is_some());
    let err = work("Bookkeeping").unwrap_err().to_string();
    assert!(err.contains("is archived; restore it"), "{err}");
    docket.restore_template("bookkeeping").unwrap();
    work("Bookkeeping").unwrap();
}

#[test]
fn an_update_keeps_uploaded_files_it_names_and_drops_the_rest() {
    use crate::model::NewTemplate;
    use crate::store::Tree;

    let (docket, _) = docket_at("2027-01-10T09:00:00Z");
    let t = docket.import_template(EXAMPLE_TEMPLATES[1]).unwrap();
    let upload = |bytes: &[u8]| {
        let mut writer = docket.upload_writer().unwrap();
        writer.write_chunk(bytes).unwrap();
        writer.finish().unwrap()
    };
    let name = t.id.to_string();
    docket
        .attach_template_document(
            &name,
            (0, 0),
            "a.pdf",
            "application/pdf".into(),
            upload(b"%PDF-a"),
        )
        .unwrap();
    let t = docket
        .attach_template_document(
            &name,
            (0, 1),
            "b.pdf",
            "application/pdf".into(),
            upload(b"%PDF-b"),
        )
        .unwrap();
    let refs = || {
        docket
            .store
            .scan(Tree::FileRefs, b"", None, 100, false)
            .unwrap()
            .len()
    };
    assert_eq!(refs(), 2);

    // The whole template back, with task 1's document moved to task 0 and task 0's gone.
    let mut new = NewTemplate::from_template(&t);
    let b = new.groups[0].tasks[1].documents.remove(0);
    new.groups[0].tasks[0].documents = vec![b.clone()];
    let updated = docket.update_template(&name, new.clone()).unwrap();
    assert_eq!(updated.groups[0].tasks[0].documents, vec![b]);
    assert_eq!(refs(), 1);

    // A file that is not the template's is refused; a forged size is not believed.
    let mut forged = NewTemplate::from_template(&updated);
    forged.groups[0].tasks[0].documents[0]
        .file
        .as_mut()
        .unwrap()
        .id = ulid::Ulid::new();
    let err = docket
        .update_template(&name, forged)
        .unwrap_err()
        .to_string();
    assert!(err.contains("not one of this template's"), "{err}");
    let mut resized = NewTemplate::from_template(&updated);
    resized.groups[0].tasks[0].documents[0]
        .file
        .as_mut()
        .unwrap()
        .content
        .size = 1;
    let kept = docket.update_template(&name, resized).unwrap();
    assert_eq!(
        kept.groups[0].tasks[0].documents,
        updated.groups[0].tasks[0].documents
    );
}

#[test]
fn documents_link_to_web_addresses_only_and_start_dates_are_sane() {
    let (docket, _) = docket_at("2027-01-10T09:00:00Z");
    for url in [
        "javascript:alert(1)",
        "data:text/html,x",
        "https://a b.example",
        "http://",
        "https:///form.pdf",
        "https://user@evil.example/",
    ] {
        let text = format!(
            "name = \"T\"\n[[groups]]\nname = \"G\"\n[[groups.tasks]]\ntitle = \"X\"\ndue = 1\ndocuments = [{{ name = \"Guide\", url = \"{url}\" }}]\n"
        );
        let err = docket.import_template(&text).unwrap_err().to_string();
        assert!(err.contains("give a web address"), "{url}: {err}");
    }
    assert!(docket.list_templates().unwrap().is_empty());
    docket.import_template(EXAMPLE_TEMPLATES[1]).unwrap();
    docket
        .create_contact(
            crate::model::NewContact {
                name: "Bob".into(),
                email: "bob@client.example".into(),
                timezone: None,
                locale: None,
            },
            crate::model::Actor::System,
        )
        .unwrap();
    for start in ["1900-01-01", "9999-12-31"] {
        let err = docket
            .create_work(
                crate::model::NewWork {
                    template: "Monthly bookkeeping".into(),
                    start_date: Some(start.parse().unwrap()),
                    contacts: vec!["bob@client.example".into()],
                    ..Default::default()
                },
                crate::model::Actor::System,
            )
            .unwrap_err()
            .to_string();
        assert!(err.contains("more than ten years from today"), "{err}");
    }
}
