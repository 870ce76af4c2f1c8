//! Unit tests of `template.rs`.

use super::*;

#[test]
fn shipped_examples_parse_and_validate() {
    for text in crate::demo::EXAMPLE_TEMPLATES {
        let template = NewTemplate::from_toml(text).unwrap();
        template.validate().unwrap();
    }
}

#[test]
fn bad_templates_get_one_line_errors() {
    let cases = [
        (
            "name = 'x'\n[[groups]]\nname = 'g'\n[[groups.tasks]]\ntitle = 't'\n",
            "group 1, task 1 (line 4) has no `due",
        ),
        // In the words of the file's author: the file, a group, a task.
        ("name = 'x'\n", "the file has no `groups`"),
        ("name = 'x'\ncolour = 1\n", "key `colour`"),
        ("name = 'x\n", "line 1:"),
        // A value of the wrong kind: the key, the line, and what is expected, in plain words.
        (
            "name = 'x'\n[[groups]]\nname = 'g'\n[[groups.tasks]]\ntitle = 't'\ndue = 'soon'\n",
            "group 1, task 1, key `due`: line 6: expected a whole number, such as 7 or -3, but found the text \"soon\"",
        ),
        (
            "name = 'x'\n[[groups]]\nname = 'g'\n[[groups.tasks]]\ntitle = 7\ndue = 1\n",
            "line 5: expected text in quotes",
        ),
        ("name = 'x'\ngroups = []\n", "has no client-task groups"),
        (
            "name = 'x'\n[[groups]]\nname = 'g'\ntasks = []\n",
            "has no tasks",
        ),
    ];
    for (text, want) in cases {
        let err = NewTemplate::from_toml(text).and_then(|t| t.validate().map(|_| t));
        let err = err.unwrap_err().to_string();
        assert!(err.contains(want), "for {text:?}: {err}");
        assert!(!err.contains('\n'), "{err}");
    }
}

#[test]
fn an_exported_template_reads_back_the_same() {
    for text in crate::demo::EXAMPLE_TEMPLATES {
        let template = NewTemplate::from_toml(text).unwrap();
        let again = NewTemplate::from_toml(&template.to_toml().unwrap()).unwrap();
        assert_eq!(again.name, template.name);
        assert_eq!(again.description, template.description);
        assert_eq!(again.groups, template.groups);
    }
}

#[test]
fn plugin_params_accept_scalars() {
    let t = NewTemplate::from_toml(
        "name='x'\n[[groups]]\nname='g'\nsending={plugin='relative', params={days=-7}}\nreminders={plugin='custom', params={before=[7,3], every=2}}\n[[groups.tasks]]\ntitle='t'\ndue=3\n",
    )
    .unwrap();
    assert_eq!(t.groups[0].sending.params["days"], ParamValue::Int(-7));
    assert_eq!(t.groups[0].sending.texts()["days"], "-7");
    assert_eq!(t.groups[0].reminders.params["before"], "7,3");
    assert_eq!(t.groups[0].tasks[0].due_offset_days, 3);
    // Exported, they are written as they came, and read back the same.
    let toml = t.to_toml().unwrap();
    assert!(toml.contains("days = -7"), "{toml}");
    assert!(toml.contains("before = [7, 3]"), "{toml}");
    assert!(toml.contains("every = 2"), "{toml}");
    let again = NewTemplate::from_toml(&toml).unwrap();
    assert_eq!(again.groups, t.groups);
    // Records written before kept every value as text, and still read.
    let old: PluginRef =
        serde_json::from_str(r#"{"plugin":"relative","params":{"days":"-7"}}"#).unwrap();
    assert_eq!(old.texts()["days"], "-7");
}

#[test]
fn typed_params_keep_their_kind() {
    for (typed, want) in [
        ("2", ParamValue::Int(2)),
        ("-7", ParamValue::Int(-7)),
        ("1.5", ParamValue::Float(1.5)),
        ("true", ParamValue::Bool(true)),
        (
            "7, 3",
            ParamValue::List(vec![ParamItem::Int(7), ParamItem::Int(3)]),
        ),
        ("gentle", ParamValue::Text("gentle".into())),
        ("a,b", ParamValue::Text("a,b".into())),
    ] {
        assert_eq!(ParamValue::from_typed(typed), want, "{typed}");
    }
}
