//! Templates: reusable work made of client-task groups, each with its sending rule and reminder
//! policy. Templates are written by staff in the admin or imported from TOML files.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::StoredFile;
use super::{Record, TemplateId};
use crate::{Error, Result};

/// The most days a task may be due from its work's start, before or after: ten years.
pub const MAX_DUE_OFFSET_DAYS: i32 = 3660;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Template {
    pub id: TemplateId,
    /// Unique among templates, compared without regard to case.
    pub name: String,
    pub description: String,
    pub groups: Vec<GroupTemplate>,
    pub created_at: DateTime<Utc>,
    /// When it was last edited (`Docket::update_template`); work made before keeps its copy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<DateTime<Utc>>,
    /// When it was archived: an archived template makes no new work until it is restored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub archived_at: Option<DateTime<Utc>>,
}

impl Record for Template {
    const KIND: &'static str = "template";
    /// 2: a task's documents may hold a file (`DocumentRef::file`), which version 1 never has.
    const VERSION: u16 = 2;

    fn upgrade(
        version: u16,
        value: serde_json::Value,
    ) -> std::result::Result<serde_json::Value, String> {
        match version {
            1 => Ok(value),
            _ => Err(format!("no upgrade from template format version {version}")),
        }
    }
}

/// A client-task group as the template defines it: what is asked, when it is sent and how the
/// client is chased.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GroupTemplate {
    pub name: String,
    /// When the group is emailed; `manual` means only when staff press Send.
    #[serde(default = "PluginRef::manual")]
    pub sending: PluginRef,
    /// How the client is reminded until the tasks are done.
    #[serde(default = "PluginRef::gentle")]
    pub reminders: PluginRef,
    pub tasks: Vec<TaskTemplate>,
}

/// One client task in a template.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TaskTemplate {
    pub title: String,
    #[serde(default)]
    pub description: String,
    /// Due date as days from the work's start date; negative means before the start.
    #[serde(alias = "due")]
    pub due_offset_days: i32,
    /// Documents staff attach for the client (forms to fill in, engagement letters).
    #[serde(default)]
    pub documents: Vec<DocumentRef>,
}

/// A document attached to a task for the client to read or fill in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DocumentRef {
    /// The name the client sees.
    pub name: String,
    /// Where the document can be fetched, when it lives outside Docket.
    #[serde(default)]
    pub url: Option<String>,
    /// A file staff uploaded to the template's task (`Docket::attach_template_document`). Each
    /// work item made from the template gets its own record of it, sharing the bytes, which the
    /// client downloads from the checklist. Never read from a template's TOML.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<TemplateFile>,
}

/// The bytes of a document uploaded to a template's task.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TemplateFile {
    pub id: ulid::Ulid,
    /// The type read from its first bytes when it was uploaded.
    pub content_type: String,
    /// Its SHA-256 (its name in the file store) and size.
    pub content: StoredFile,
}

impl TemplateFile {
    /// Its key in the `file_refs` index: hash `/template/` template `/` file.
    pub fn ref_key(&self, template: TemplateId) -> Vec<u8> {
        format!("{}/template/{template}/{}", self.content.sha256, self.id).into_bytes()
    }
}

/// A plugin chosen by name, with its parameters, kept as they were written (a number stays a
/// number, so an exported template reads as the file that made it). Plugins read each
/// parameter as text (`PluginRef::texts`) and parse their own.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PluginRef {
    pub plugin: String,
    #[serde(default)]
    pub params: BTreeMap<String, ParamValue>,
}

impl PluginRef {
    pub fn manual() -> Self {
        Self::named("manual")
    }

    pub fn gentle() -> Self {
        Self::named("gentle")
    }

    pub fn named(plugin: &str) -> Self {
        Self {
            plugin: plugin.into(),
            params: BTreeMap::new(),
        }
    }

    /// The parameters as the plugin reads them: each value's text (a list's items joined by
    /// commas).
    pub fn texts(&self) -> BTreeMap<String, String> {
        self.params
            .iter()
            .map(|(k, v)| (k.clone(), v.to_string()))
            .collect()
    }
}

/// A parameter's value as written: `days = -7`, `preset = "gentle"`, `before = [7, 3]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ParamValue {
    Bool(bool),
    Int(i64),
    Float(f64),
    Text(String),
    List(Vec<ParamItem>),
}

/// One item of a list parameter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ParamItem {
    Bool(bool),
    Int(i64),
    Float(f64),
    Text(String),
}

/// The schema of a parameter's value (`with_list`) or of a list's item: one schema whose type is
/// any of them, because a `oneOf` of integer and number has no single match for `7`.
fn param_schema(with_list: bool) -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
    use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, SchemaType, Type};
    let scalars = vec![Type::Boolean, Type::Number, Type::String];
    if !with_list {
        return ObjectBuilder::new()
            .schema_type(SchemaType::Array(scalars))
            .description(Some(
                "One item of a list parameter: true or false, a number or text.",
            ))
            .into();
    }
    let mut types = scalars;
    types.push(Type::Array);
    ArrayBuilder::new()
        .schema_type(SchemaType::Array(types))
        .items(param_schema(false))
        .description(Some(
            "A parameter's value as written: true or false, a number, text, or a list of those (`days = -7`, `preset = \"gentle\"`, `before = [7, 3]`).",
        ))
        .into()
}

impl utoipa::PartialSchema for ParamValue {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        param_schema(true)
    }
}

impl utoipa::ToSchema for ParamValue {}

impl utoipa::PartialSchema for ParamItem {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        param_schema(false)
    }
}

impl utoipa::ToSchema for ParamItem {}

impl ParamValue {
    /// A value typed into a form's text box: a whole number, a decimal, true or false, a list of
    /// numbers separated by commas, or else text.
    pub fn from_typed(text: &str) -> Self {
        let text = text.trim();
        if text.contains(',') {
            let items: Option<Vec<ParamItem>> = text
                .split(',')
                .map(|item| match ParamItem::from_typed(item) {
                    ParamItem::Text(_) => None,
                    number => Some(number),
                })
                .collect();
            return items.map_or_else(|| Self::Text(text.to_string()), Self::List);
        }
        match ParamItem::from_typed(text) {
            ParamItem::Bool(b) => Self::Bool(b),
            ParamItem::Int(i) => Self::Int(i),
            ParamItem::Float(f) => Self::Float(f),
            ParamItem::Text(t) => Self::Text(t),
        }
    }
}

impl ParamItem {
    fn from_typed(text: &str) -> Self {
        let text = text.trim();
        if let Ok(i) = text.parse::<i64>() {
            Self::Int(i)
        } else if let Some(f) = text
            .parse::<f64>()
            .ok()
            .filter(|f| f.is_finite() && text.contains('.'))
        {
            Self::Float(f)
        } else if let Ok(b) = text.parse::<bool>() {
            Self::Bool(b)
        } else {
            Self::Text(text.to_string())
        }
    }
}

impl std::fmt::Display for ParamItem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Bool(b) => b.fmt(f),
            Self::Int(i) => i.fmt(f),
            Self::Float(x) => x.fmt(f),
            Self::Text(t) => t.fmt(f),
        }
    }
}

impl std::fmt::Display for ParamValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Bool(b) => b.fmt(f),
            Self::Int(i) => i.fmt(f),
            Self::Float(x) => x.fmt(f),
            Self::Text(t) => t.fmt(f),
            Self::List(items) => {
                let texts: Vec<String> = items.iter().map(ToString::to_string).collect();
                f.write_str(&texts.join(","))
            }
        }
    }
}

impl PartialEq<&str> for ParamValue {
    fn eq(&self, other: &&str) -> bool {
        let text = self.to_string();
        text == *other
    }
}

impl From<&str> for ParamValue {
    fn from(text: &str) -> Self {
        Self::Text(text.to_string())
    }
}

/// What staff give to create a template (and what a template TOML file holds).
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTemplate {
    pub name: String,
    #[serde(default)]
    pub description: String,
    pub groups: Vec<GroupTemplate>,
}

impl NewTemplate {
    /// Parses a template file; the error names the file's line and the problem in one line.
    pub fn from_toml(text: &str) -> Result<Self> {
        let de = toml::Deserializer::parse(text).map_err(|e| toml_error(text, &e))?;
        serde_path_to_error::deserialize(de).map_err(|e| {
            let place = place_in_file(&e.path().to_string());
            let inner = e.into_inner();
            // A part left out is said as what the file (or its group, task…) lacks.
            if let Some(key) = inner
                .message()
                .strip_prefix("missing field `")
                .and_then(|rest| rest.split('`').next())
            {
                if place.is_empty() {
                    return Error::invalid(format!("the file has no `{key}`"));
                }
                let line = inner
                    .span()
                    .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1);
                return Error::invalid(match line {
                    Some(line) => format!("{place} (line {line}) has no `{key}`"),
                    None => format!("{place} has no `{key}`"),
                });
            }
            let line = toml_error(text, &inner);
            match place.as_str() {
                "" => line,
                place => Error::invalid(format!("{place}: {line}")),
            }
        })
    }

    /// The template as staff would write it again: its own name, description and groups, the
    /// documents' uploaded files included (an update keeps a file it names by id).
    pub fn from_template(template: &Template) -> Self {
        Self {
            name: template.name.clone(),
            description: template.description.clone(),
            groups: template.groups.clone(),
        }
    }

    /// The template as a TOML file `from_toml` reads back (what `docket template export`
    /// prints). An uploaded file is written with its id, which only an update of the same
    /// template accepts.
    pub fn to_toml(&self) -> Result<String> {
        toml::to_string(self)
            .map_err(|e| Error::Storage(format!("cannot write the template as TOML: {e}")))
    }

    /// Checks the rules every new template must keep: those of `validate_edit`, and no uploaded
    /// file named in it (a file is uploaded to a template once it exists).
    pub fn validate(&self) -> Result<()> {
        self.validate_edit()?;
        for task in self.groups.iter().flat_map(|g| &g.tasks) {
            if task.documents.iter().any(|d| d.file.is_some()) {
                return Err(Error::invalid(format!(
                    "task `{}`: a document's file is uploaded to the template once it exists (POST /api/templates/ID/groups/G/tasks/T/documents), not named in it",
                    task.title
                )));
            }
        }
        Ok(())
    }

    /// Checks the rules every template keeps, new or edited.
    pub fn validate_edit(&self) -> Result<()> {
        let long = |text: &str| text.trim().chars().count() > super::MAX_NAME_CHARS;
        if self.name.trim().is_empty() {
            return Err(Error::invalid("a template needs a name"));
        }
        if long(&self.name) {
            return Err(Error::invalid(format!(
                "a template's name may be at most {} characters",
                super::MAX_NAME_CHARS
            )));
        }
        if self.groups.is_empty() {
            return Err(Error::invalid(format!(
                "template `{}` has no client-task groups; add at least one [[groups]]",
                self.name
            )));
        }
        let mut names = std::collections::HashSet::new();
        for group in &self.groups {
            if group.name.trim().is_empty() {
                return Err(Error::invalid(format!(
                    "template `{}` has a group without a name",
                    self.name
                )));
            }
            if long(&group.name) {
                return Err(Error::invalid(format!(
                    "template `{}`: a group's name may be at most {} characters",
                    self.name,
                    super::MAX_NAME_CHARS
                )));
            }
            if !names.insert(group.name.to_lowercase()) {
                return Err(Error::invalid(format!(
                    "template `{}` has two groups named `{}`",
                    self.name, group.name
                )));
            }
            if group.tasks.is_empty() {
                return Err(Error::invalid(format!(
                    "group `{}` of template `{}` has no tasks",
                    group.name, self.name
                )));
            }
            for task in &group.tasks {
                if task.title.trim().is_empty() {
                    return Err(Error::invalid(format!(
                        "group `{}` of template `{}` has a task without a title",
                        group.name, self.name
                    )));
                }
                if long(&task.title) {
                    return Err(Error::invalid(format!(
                        "group `{}` of template `{}`: a task's title may be at most {} characters; put the rest in its description",
                        group.name,
                        self.name,
                        super::MAX_NAME_CHARS
                    )));
                }
                for doc in &task.documents {
                    if doc.name.trim().is_empty() {
                        return Err(Error::invalid(format!(
                            "task `{}`: a document needs a name",
                            task.title
                        )));
                    }
                    if let Some(url) = &doc.url {
                        // A web address with a host: `http://` alone is a dead link.
                        let lower = url.trim().to_ascii_lowercase();
                        let web = crate::model::url_host(&lower).is_some();
                        if !web || url.chars().any(|c| c.is_whitespace() || c.is_control()) {
                            return Err(Error::invalid(format!(
                                "task `{}`: document `{}` has the address `{url}`; give a web address such as https://example.com/form.pdf",
                                task.title, doc.name
                            )));
                        }
                    }
                }
                if task.due_offset_days.abs() > MAX_DUE_OFFSET_DAYS {
                    return Err(Error::invalid(format!(
                        "task `{}`: a due offset of {} days is more than ten years",
                        task.title, task.due_offset_days
                    )));
                }
            }
            for plugin in [&group.sending, &group.reminders] {
                if plugin.plugin.trim().is_empty() {
                    return Err(Error::invalid(format!(
                        "group `{}` of template `{}` names an empty plugin",
                        group.name, self.name
                    )));
                }
            }
        }
        Ok(())
    }
}

/// Where in a template file serde's path (`groups[0].tasks[1].due`) is, in the words of the
/// file's author: "group 1, task 2, key `due`"; empty for the file as a whole.
fn place_in_file(path: &str) -> String {
    let mut words = Vec::new();
    for part in path.split('.').filter(|p| !p.is_empty()) {
        let (key, index) = match part.split_once('[') {
            Some((key, rest)) => (key, rest.trim_end_matches(']').parse::<usize>().ok()),
            None => (part, None),
        };
        let noun = match key {
            "groups" => Some("group"),
            "tasks" => Some("task"),
            "documents" => Some("document"),
            _ => None,
        };
        words.push(match (noun, index) {
            (Some(noun), Some(n)) => format!("{noun} {}", n + 1),
            (_, Some(n)) => format!("key `{key}`, item {}", n + 1),
            _ => format!("key `{key}`"),
        });
    }
    words.join(", ")
}

fn toml_error(text: &str, e: &toml::de::Error) -> Error {
    let line = e
        .span()
        .map(|s| {
            format!(
                "line {}: ",
                text[..s.start.min(text.len())].matches('\n').count() + 1
            )
        })
        .unwrap_or_default();
    Error::invalid(format!(
        "{line}{}",
        plain_words(&e.message().trim().replace('\n', " "))
    ))
}

/// serde's "invalid type: string \"x\", expected i32" as a person reads it: what was expected
/// ("a whole number, such as 7"), then what was found ("the text \"x\"").
fn plain_words(message: &str) -> String {
    let split = message
        .strip_prefix("invalid type: ")
        .or_else(|| message.strip_prefix("invalid value: "))
        .and_then(|rest| rest.split_once(", expected "));
    match split {
        Some((found, wanted)) => format!(
            "expected {}, but found {}",
            wanted_words(wanted),
            found_words(found)
        ),
        None => message.to_string(),
    }
}

fn wanted_words(wanted: &str) -> String {
    match wanted.trim() {
        "i8" | "i16" | "i32" | "i64" | "isize" => "a whole number, such as 7 or -3".into(),
        "u8" | "u16" | "u32" | "u64" | "usize" => "a whole number of 0 or more, such as 7".into(),
        "f32" | "f64" => "a number, such as 7 or 2.5".into(),
        "a boolean" => "true or false".into(),
        "a string" | "a borrowed string" => "text in quotes, such as \"Bank statements\"".into(),
        "a sequence" => "a list in square brackets".into(),
        w if w.starts_with("struct ") || w == "a map" => "a table of keys and values".into(),
        other => other.to_string(),
    }
}

fn found_words(found: &str) -> String {
    let value = |prefix: &str| {
        found
            .strip_prefix(prefix)
            .map(|v| v.trim().trim_matches('`').to_string())
    };
    if let Some(text) = value("string ") {
        format!("the text {text}")
    } else if let Some(n) = value("integer ").or_else(|| value("floating point ")) {
        format!("the number {n}")
    } else if let Some(b) = value("boolean ") {
        b
    } else if found == "sequence" {
        "a list".into()
    } else if found == "map" {
        "a table".into()
    } else {
        found.to_string()
    }
}

#[cfg(test)]
#[path = "template_tests.rs"]
mod tests;
