//! The languages clients read Docket in: the portal's pages and every client email. Texts are
//! Fluent messages in `engine/locales/LANG/*.ftl`, one folder per language, embedded in the
//! binary; the build names the folders (`engine/build.rs`). A contact's `locale` (else the firm's) picks one;
//! English is the reference every other language must match message for message and variable
//! for variable (`tests.rs` checks it). Here: the bundles and `translate`; `format.rs` writes
//! dates, sizes and numbers the local way; `jinja.rs` gives minijinja templates `t(...)`.
//!
//! Firm-written text (work and task names, descriptions, comments) is passed in as variables and
//! never translated. Staff pages stay English.

mod format;
mod jinja;

use std::collections::HashMap;
use std::sync::LazyLock;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};

pub use format::{date_time, long_date, month_year, short_date, size};
pub use jinja::{languages, register};

use crate::{Error, Result};

/// The reference language, and the one used when a contact and the firm name none.
pub const DEFAULT: &str = "en";

/// The files of one language's folder: every language has the same three.
const FILES: [&str; 3] = ["common.ftl", "mail.ftl", "portal.ftl"];

/// Declares the languages: each code is a folder of `engine/locales/` holding `FILES`.
macro_rules! languages {
    ($($code:literal),+ $(,)?) => {
        /// Every language: its code and the text of each of its files, in `FILES` order.
        pub(crate) const SOURCES: &[(&str, [&str; 3])] = &[$((
            $code,
            [
                include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/locales/", $code, "/common.ftl")),
                include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/locales/", $code, "/mail.ftl")),
                include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/locales/", $code, "/portal.ftl")),
            ],
        )),+];
    };
}

// Every folder of `engine/locales/`, English first (written by `engine/build.rs`): adding a
// language is adding its folder with the three files.
include!(concat!(env!("OUT_DIR"), "/languages.rs"));

type Bundle = FluentBundle<FluentResource>;

/// Each language's bundle, built once; a file that does not parse is a bug `tests.rs` catches.
static BUNDLES: LazyLock<HashMap<&'static str, Bundle>> = LazyLock::new(|| {
    SOURCES
        .iter()
        .map(|(code, files)| {
            let id = code
                .parse()
                .expect("a language code is a language identifier");
            let mut bundle = FluentBundle::new_concurrent(vec![id]);
            // Values are isolated where they are shown (`<bdi>`, `close_bidi`), not by Fluent's
            // invisible marks, which would also change every English text.
            bundle.set_use_isolating(false);
            bundle.set_formatter(Some(format::number));
            for (name, source) in FILES.iter().zip(files) {
                let resource =
                    FluentResource::try_new(source.to_string()).unwrap_or_else(|(_, e)| {
                        panic!("engine/locales/{code}/{name} does not parse: {e:?}")
                    });
                bundle
                    .add_resource(resource)
                    .unwrap_or_else(|e| panic!("engine/locales/{code}/{name}: {e:?}"));
            }
            (*code, bundle)
        })
        .collect()
});

/// The language codes, in the order the portal lists them.
pub fn codes() -> impl Iterator<Item = &'static str> {
    SOURCES.iter().map(|(code, _)| *code)
}

/// A language's own name ("Français"), as the portal's footer lists it.
pub fn name(code: &str) -> String {
    translate(code, "language-name", &[]).unwrap_or_else(|_| code.to_string())
}

/// `code` if Docket has that language (or its language, for a tag with a region such as
/// `de-CH`), else the default: what a stored locale (perhaps of a language since removed) is read
/// as.
pub fn resolve(code: Option<&str>) -> &'static str {
    code.and_then(|c| {
        codes()
            .find(|known| *known == c)
            .or_else(|| language_of(&c.trim().to_ascii_lowercase()))
    })
    .unwrap_or(DEFAULT)
}

/// The language Docket has for a lower-cased tag: itself, else its first part when the rest is
/// a well-formed region or script (`de-ch`, `fr_ca`, `en-gb` → `de`, `fr`, `en`). None when
/// Docket has neither.
fn language_of(tag: &str) -> Option<&'static str> {
    if let Some(code) = codes().find(|known| *known == tag) {
        return Some(code);
    }
    let mut parts = tag.split(['-', '_']);
    let primary = parts.next()?;
    let well_formed =
        parts.all(|p| (1..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()));
    well_formed
        .then(|| codes().find(|known| *known == primary))
        .flatten()
}

/// A locale as staff or a client typed it, checked: trimmed and lower-cased, it must be one of
/// the languages, or a tag of one with a region (`de-CH` is `de`: what is kept is the language
/// Docket will use); the error names `field` and the languages there are.
pub fn check(field: &str, typed: &str) -> Result<&'static str> {
    check_language(typed).map_err(|message| Error::invalid_field(field, message))
}

/// `check` for a caller that names the field itself (the configuration's key).
pub fn check_language(typed: &str) -> std::result::Result<&'static str, String> {
    language_of(&typed.trim().to_ascii_lowercase()).ok_or_else(|| {
        format!(
            "`{}` is not a language Docket has; use one of {}",
            typed.trim(),
            codes()
                .map(|c| format!("{c} ({})", name(c)))
                .collect::<Vec<_>>()
                .join(", ")
        )
    })
}

/// A value given to a message: text, or a number (which a message may choose a form by).
#[derive(Debug, Clone)]
pub enum Arg {
    Text(String),
    Number(i64),
}

/// Message `id` of language `code` (English when that language lacks it) with `args`.
pub fn translate(code: &str, id: &str, args: &[(&str, Arg)]) -> Result<String> {
    let bundle = |c: &str| BUNDLES.get(c).filter(|b| b.has_message(id));
    let Some(bundle) = bundle(resolve(Some(code))).or_else(|| bundle(DEFAULT)) else {
        return Err(Error::invalid(format!("no text `{id}` in any language")));
    };
    let pattern = bundle
        .get_message(id)
        .and_then(|m| m.value())
        .ok_or_else(|| Error::invalid(format!("the text `{id}` has no value")))?;
    let mut fluent_args = FluentArgs::with_capacity(args.len());
    for (name, value) in args {
        match value {
            Arg::Text(text) => fluent_args.set(*name, FluentValue::from(text.as_str())),
            Arg::Number(n) => fluent_args.set(*name, FluentValue::from(*n)),
        }
    }
    let mut errors = Vec::new();
    let text = bundle.format_pattern(pattern, Some(&fluent_args), &mut errors);
    if let Some(e) = errors.first() {
        return Err(Error::invalid(format!("the text `{id}`: {e}")));
    }
    Ok(text.into_owned())
}

#[cfg(test)]
mod tests;
