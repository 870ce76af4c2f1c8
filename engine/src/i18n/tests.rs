//! Every language says everything English says, with the same variables, and nothing else;
//! dates and sizes come out the local way.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{NaiveDate, TimeZone};
use fluent_syntax::ast;

use super::*;

/// Each message of `source` with the variables it uses.
fn messages(source: &str) -> BTreeMap<String, BTreeSet<String>> {
    let resource = fluent_syntax::parser::parse(source).unwrap_or_else(|(_, e)| panic!("{e:?}"));
    let mut out = BTreeMap::new();
    for entry in resource.body {
        if let ast::Entry::Message(message) = entry {
            let mut vars = BTreeSet::new();
            if let Some(value) = &message.value {
                pattern_vars(value, &mut vars);
            }
            out.insert(message.id.name.to_string(), vars);
        }
    }
    out
}

fn pattern_vars(pattern: &ast::Pattern<&str>, vars: &mut BTreeSet<String>) {
    for element in &pattern.elements {
        if let ast::PatternElement::Placeable { expression } = element {
            expression_vars(expression, vars);
        }
    }
}

fn expression_vars(expression: &ast::Expression<&str>, vars: &mut BTreeSet<String>) {
    match expression {
        ast::Expression::Inline(inline) => inline_vars(inline, vars),
        ast::Expression::Select { selector, variants } => {
            inline_vars(selector, vars);
            for variant in variants {
                pattern_vars(&variant.value, vars);
            }
        }
    }
}

fn inline_vars(inline: &ast::InlineExpression<&str>, vars: &mut BTreeSet<String>) {
    match inline {
        ast::InlineExpression::VariableReference { id } => {
            vars.insert(id.name.to_string());
        }
        ast::InlineExpression::Placeable { expression } => expression_vars(expression, vars),
        _ => {}
    }
}

#[test]
fn every_language_has_every_english_message_with_the_same_variables_and_no_other() {
    let english = SOURCES.iter().find(|(code, _)| *code == DEFAULT).unwrap();
    let mut problems = Vec::new();
    for (code, files) in SOURCES.iter().filter(|(code, _)| *code != DEFAULT) {
        for ((name, theirs), ours) in FILES.iter().zip(files).zip(english.1) {
            let (theirs, ours) = (messages(theirs), messages(ours));
            for (id, vars) in &ours {
                match theirs.get(id) {
                    None => problems.push(format!("{code}/{name} lacks `{id}`")),
                    Some(v) if v != vars => problems.push(format!(
                        "{code}/{name}: `{id}` uses {v:?}, English uses {vars:?}"
                    )),
                    Some(_) => {}
                }
            }
            for id in theirs.keys().filter(|id| !ours.contains_key(*id)) {
                problems.push(format!("{code}/{name} has `{id}`, which English does not"));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_comparison_sees_a_missing_message_an_extra_one_and_another_variable() {
    let english = messages("a = A { $x }\nb = B\n");
    let other = messages("a = A { $y }\nc = C\n");
    assert_eq!(english["a"], BTreeSet::from(["x".to_string()]));
    assert_eq!(other["a"], BTreeSet::from(["y".to_string()]));
    assert!(!other.contains_key("b") && !english.contains_key("c"));
    // Variables inside a selection count too.
    let select = messages("d = { $n ->\n    [1] one { $m }\n   *[other] { $n }\n}\n");
    assert_eq!(
        select["d"],
        BTreeSet::from(["m".to_string(), "n".to_string()])
    );
}

#[test]
fn messages_hold_no_markup_so_a_page_can_trust_them() {
    for (code, files) in SOURCES {
        for (name, source) in FILES.iter().zip(files) {
            for line in source.lines().filter(|l| !l.starts_with('#')) {
                // A selection's arrow is Fluent's syntax, not text.
                assert!(
                    !line.replace("->", "").contains(['<', '>', '&']),
                    "{code}/{name}: `{line}` holds markup; put it in the template instead"
                );
            }
        }
    }
}

#[test]
fn every_language_loads_and_names_itself() {
    // A message id in two files of a language, or a file that does not parse, fails here.
    let names: Vec<String> = codes().map(name).collect();
    assert_eq!(names, ["English", "Deutsch", "Français"]);
    assert_eq!(resolve(Some("de")), "de");
    assert_eq!(resolve(Some("pt")), DEFAULT);
    assert_eq!(resolve(None), DEFAULT);
}

#[test]
fn dates_are_written_the_local_way() {
    let day = NaiveDate::from_ymd_opt(2027, 1, 10).unwrap();
    assert_eq!(long_date("en", day), "Sunday 10 January 2027");
    assert_eq!(long_date("fr", day), "dimanche 10 janvier 2027");
    assert_eq!(long_date("de", day), "Sonntag, 10. Januar 2027");
    assert_eq!(short_date("de", day), "10. Januar 2027");
    let first = NaiveDate::from_ymd_opt(2027, 5, 1).unwrap();
    assert_eq!(short_date("fr", first), "1er mai 2027");
    let at = chrono::Utc.with_ymd_and_hms(2026, 4, 3, 10, 15, 0).unwrap();
    assert_eq!(date_time("en", &at), "3 April 2026, 10:15");
    assert_eq!(date_time("fr", &at), "3 avril 2026 à 10:15");
    assert_eq!(date_time("de", &at), "3. April 2026, 10:15 Uhr");
    // An unknown or empty locale is read as English.
    assert_eq!(long_date("xx", day), long_date("", day));
}

#[test]
fn sizes_use_the_languages_decimal_mark_and_units() {
    assert_eq!(size("en", 1536 * 1024), "1.5 MB");
    assert_eq!(size("de", 1536 * 1024), "1,5 MB");
    assert_eq!(size("fr", 1536 * 1024), "1,5 Mo");
    assert_eq!(size("fr", 10 * 1024 * 1024), "10 Mo");
    assert_eq!(size("en", 2000), "2 KB");
    assert_eq!(size("de", 12), "12 Byte");
}

#[test]
fn numbers_and_counts_are_written_each_languages_way() {
    let most = |code| {
        translate(
            code,
            "refusal-comment-too-long",
            &[("most", Arg::Number(10_000))],
        )
        .unwrap()
    };
    assert!(
        most("en").contains("at most 10,000 characters"),
        "{}",
        most("en")
    );
    assert!(
        most("fr").contains("au plus 10\u{202F}000 caractères"),
        "{}",
        most("fr")
    );
    assert!(most("de").contains("10.000"), "{}", most("de"));
    let progress = |code, done: i64, total: i64| {
        translate(
            code,
            "checklist-progress",
            &[("done", Arg::Number(done)), ("total", Arg::Number(total))],
        )
        .unwrap()
    };
    assert_eq!(progress("fr", 0, 4), "0 tâche faite sur 4");
    assert_eq!(progress("fr", 1, 4), "1 tâche faite sur 4");
    assert_eq!(progress("fr", 2, 4), "2 tâches faites sur 4");
    assert_eq!(progress("en", 0, 4), "0 of 4 tasks done");
    assert_eq!(progress("en", 1, 1), "1 of 1 task done");
    assert_eq!(progress("de", 2, 4), "2 von 4 Aufgaben erledigt");
    assert_eq!(progress("de", 1, 1), "1 von 1 Aufgabe erledigt");
    // Small numbers and dates are as they were.
    assert_eq!(progress("en", 999, 1000), "999 of 1,000 tasks done");
}

#[test]
fn client_text_names_the_firm_not_the_product() {
    let firm = [("firm", Arg::Text("My Firm".into()))];
    assert_eq!(
        translate("en", "portal-sent-through", &firm).unwrap(),
        "The client portal of My Firm."
    );
    assert_eq!(
        translate("fr", "portal-sent-through", &firm).unwrap(),
        "Portail client de My Firm."
    );
    assert_eq!(
        translate("de", "portal-sent-through", &firm).unwrap(),
        "Kundenportal von My Firm."
    );
    let hans = [("contact", Arg::Text("Hans Müller".into()))];
    assert_eq!(
        translate("de", "mail-hello", &hans).unwrap(),
        "Guten Tag Hans Müller,"
    );
}

#[test]
fn a_locale_with_a_region_is_its_language() {
    assert_eq!(check("locale", "de-CH").unwrap(), "de");
    assert_eq!(check("locale", "fr_CA").unwrap(), "fr");
    assert_eq!(check("locale", " EN-gb ").unwrap(), "en");
    assert_eq!(
        check("locale", "zh-Hant-TW").unwrap_err().field(),
        Some("locale")
    );
    for refused in ["es-ES", "de-", "de-C H", "-de", "de-toolongregion"] {
        assert!(check("locale", refused).is_err(), "{refused}");
    }
    assert_eq!(super::resolve(Some("de-CH")), "de");
    assert_eq!(super::resolve(Some("es-ES")), "en");
}

#[test]
fn an_unknown_locale_is_refused_naming_the_field_and_the_languages() {
    assert_eq!(check("locale", " FR ").unwrap(), "fr");
    let e = check("locale", "klingon").unwrap_err();
    assert_eq!(e.field(), Some("locale"));
    let text = e.to_string();
    assert!(
        text.contains("klingon") && text.contains("en (English)") && text.contains("de (Deutsch)"),
        "{text}"
    );
}

#[test]
fn a_message_missing_from_a_language_falls_back_to_english_and_an_unknown_one_fails() {
    assert_eq!(
        translate("fr", "mail-hello", &[("contact", Arg::Text("Ann".into()))]).unwrap(),
        "Bonjour Ann,"
    );
    assert!(translate("fr", "no-such-message", &[]).is_err());
    // A variable the message needs and was not given is an error, not a silent "{$x}".
    assert!(translate("en", "mail-hello", &[]).is_err());
}
