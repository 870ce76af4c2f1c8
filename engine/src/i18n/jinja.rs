//! Translations in minijinja templates (the portal's pages and the emails): `t("id", name=…)`
//! writes message `id` in the language named by the template's `locale` variable; `strong` and
//! `bdi` wrap a value in that element, for a message to place a name in bold or isolated;
//! `languages()` lists `(code, own name)` of every language.
//!
//! In an HTML template every value given to `t` is escaped unless it is already markup (the
//! output of `strong`, `bdi` or another `t`), and the messages themselves hold no markup
//! (`tests.rs` checks), so the result is safe as a whole. Any bidirectional embedding a value
//! opens is closed after it, so a name cannot reverse the words that follow it.

use minijinja::value::{Kwargs, Value, ValueKind};
use minijinja::{AutoEscape, Environment, Error, ErrorKind, HtmlEscape, State};

use super::{Arg, translate};

/// Adds `t`, `strong`, `bdi` and `languages` to `env`.
pub fn register(env: &mut Environment<'_>) {
    env.add_function("t", t);
    env.add_function("languages", languages);
    env.add_filter("strong", |value: Value| wrap("strong", &value));
    env.add_filter("bdi", |value: Value| wrap("bdi", &value));
}

/// Every language as `(code, own name)`, English first, then by code.
pub fn languages() -> Value {
    Value::from_serialize(
        super::codes()
            .map(|code| (code, super::name(code)))
            .collect::<Vec<_>>(),
    )
}

fn t(state: &State, id: &str, kwargs: Kwargs) -> Result<Value, Error> {
    let locale = state
        .lookup("locale")
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default();
    let html = !matches!(state.auto_escape(), AutoEscape::None);
    let mut args = Vec::new();
    for name in kwargs.args() {
        let value: Value = kwargs.get(name)?;
        let arg = match (value.kind(), value.as_i64()) {
            (ValueKind::Number, Some(n)) => Arg::Number(n),
            _ => Arg::Text(text_of(&value, html)),
        };
        args.push((name, arg));
    }
    let text = translate(&locale, id, &args)
        .map_err(|e| Error::new(ErrorKind::InvalidOperation, e.to_string()))?;
    Ok(if html {
        Value::from_safe_string(text)
    } else {
        Value::from(text)
    })
}

/// A value as it goes into a message: markup as it is, anything else closed and escaped.
fn text_of(value: &Value, html: bool) -> String {
    let raw = value.to_string();
    if value.is_safe() {
        return raw;
    }
    let closed = crate::text::close_bidi(&raw);
    if html {
        HtmlEscape(&closed).to_string()
    } else {
        closed.into_owned()
    }
}

fn wrap(element: &str, value: &Value) -> Value {
    Value::from_safe_string(format!("<{element}>{}</{element}>", text_of(value, true)))
}
