//! `Json`, `Query` and `Path` whose rejections answer like every other API error: a status and
//! `{"error": "..."}` saying what was wrong with the request.

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use crate::ApiError;

/// A JSON request body: always an object. serde would read a struct from an array too, field by
/// field in order (`[null, null]` as an empty change), which the document does not allow.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let content_type = req
            .headers()
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|v| {
                v.split(';')
                    .next()
                    .unwrap_or("")
                    .trim()
                    .to_ascii_lowercase()
            });
        let is_json = content_type.as_deref().is_some_and(|t| {
            t == "application/json" || (t.starts_with("application/") && t.ends_with("+json"))
        });
        if !is_json {
            return Err(ApiError::new(
                axum::http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "send the body as JSON, with the header `Content-Type: application/json`",
            ));
        }
        let bytes = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(|r| ApiError::new(r.status(), r.body_text()))?;
        let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
        if first != Some(&b'{') && serde_json::from_slice::<serde::de::IgnoredAny>(&bytes).is_ok() {
            return Err(ApiError::new(
                axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                "the body should be a JSON object, `{...}`, with the fields the call takes",
            ));
        }
        match axum::Json::<T>::from_bytes(&bytes) {
            Ok(axum::Json(value)) => Ok(ApiJson(value)),
            Err(rejection) => Err(json_error(rejection)),
        }
    }
}

fn json_error(rejection: JsonRejection) -> ApiError {
    let text = rejection.body_text();
    let message = match &rejection {
        JsonRejection::JsonDataError(_) => plain(
            "the body",
            text.strip_prefix("Failed to deserialize the JSON body into the target type: ")
                .unwrap_or(&text),
        ),
        JsonRejection::JsonSyntaxError(_) => {
            let why = text
                .strip_prefix("Failed to parse the request body as JSON: ")
                .unwrap_or(&text);
            // serde_json says where, which helps here: "(line 1, column 8)".
            let why = match why.split_once(": ") {
                Some((path, rest)) if !path.contains([' ', '`']) => rest,
                _ => why,
            };
            let bare = without_location(why);
            let place = why[bare.len()..]
                .trim_start()
                .strip_prefix("at ")
                .map(|at| format!(" ({})", at.replace(" column", ", column")))
                .unwrap_or_default();
            format!("the body is not valid JSON{place}: {bare}")
        }
        JsonRejection::MissingJsonContentType(_) => {
            "send the body as JSON, with the header `Content-Type: application/json`".to_string()
        }
        _ => text,
    };
    ApiError::new(rejection.status(), message)
}

/// serde's account of a value it could not read — "b[0]: missing field `y` at line 1 column
/// 23" — in plain words about `place` (the body, the query string): "`b[0]` in the body is
/// missing `y`".
pub(crate) fn plain(place: &str, text: &str) -> String {
    let text = without_location(text);
    let (path, why) = match text.split_once(": ") {
        Some((path, why)) if !path.is_empty() && !path.contains([' ', '`']) => (Some(path), why),
        _ => (None, text),
    };
    let subject_of = |path: Option<&str>| match path {
        Some(path) => format!("`{path}` in {place}"),
        None => place.to_string(),
    };
    let subject = subject_of(path);
    let quoted = |after: &str| {
        why.strip_prefix(after)
            .and_then(|rest| rest.split_once('`'))
            .map(|(name, rest)| (name.to_string(), rest.trim_start_matches(", ").to_string()))
    };
    let choices = |rest: &str| {
        rest.strip_prefix("expected one of ")
            .or_else(|| rest.strip_prefix("expected "))
            .map(str::to_string)
    };
    if let Some((name, _)) = quoted("missing field `") {
        return format!("{subject} is missing `{name}`");
    }
    if let Some((name, _)) = quoted("duplicate field `") {
        return format!("{subject} gives `{name}` more than once; give it once");
    }
    if let Some((name, rest)) = quoted("unknown field `") {
        // The path ends at the unknown field itself; the subject is what holds it.
        let holder = match path {
            Some(p) if p == name => None,
            Some(p) => Some(p.strip_suffix(&format!(".{name}")).unwrap_or(p)),
            None => None,
        };
        let subject = subject_of(holder);
        return match choices(&rest) {
            Some(fields) => {
                format!("{subject} has `{name}`, which is not one of its fields: {fields}")
            }
            None => format!("{subject} has `{name}`, and it takes no such field"),
        };
    }
    if let Some((name, rest)) = quoted("unknown variant `") {
        return match choices(&rest) {
            Some(values) => format!("{subject} is `{name}`, which is not one of {values}"),
            None => format!("{subject} is `{name}`, which is not a value it takes"),
        };
    }
    for prefix in ["invalid type: ", "invalid value: "] {
        if let Some((found, expected)) = why
            .strip_prefix(prefix)
            .and_then(|rest| rest.rsplit_once(", expected "))
        {
            return format!(
                "{subject} should be {}, not {}",
                kind_in_words(expected),
                kind_in_words(found)
            );
        }
    }
    if why.contains("invalid digit") || why.contains("cannot parse integer") {
        return format!("{subject} is not a whole number");
    }
    if why.contains(docket_engine::dates::NOT_A_DATE)
        || why.starts_with("no date was given")
        || why.ends_with(docket_engine::model::NOT_A_DAY)
    {
        // The engine's own words for a date or a day, which name the field as every surface does.
        return match path {
            Some(path) => format!("{path}: {why}"),
            None => format!("{place}: {why}"),
        };
    }
    if is_chrono(why) {
        return format!(
            "{subject} is not a date or time: write dates as YYYY-MM-DD (and times as HH:MM)"
        );
    }
    format!("{subject}: {why}")
}

/// serde_json's " at line 1 column 20", which says nothing to someone who sent one line.
fn without_location(text: &str) -> &str {
    match text.rfind(" at line ") {
        Some(at)
            if text[at + " at line ".len()..]
                .split(" column ")
                .all(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit())) =>
        {
            &text[..at]
        }
        _ => text,
    }
}

/// chrono's words for a date it cannot read, which name no format.
fn is_chrono(text: &str) -> bool {
    const CHRONO: [&str; 5] = [
        "input contains invalid characters",
        "premature end of input",
        "input is out of range",
        "trailing input",
        "input is not enough for unique date and time",
    ];
    CHRONO.iter().any(|m| text.contains(m))
}

/// Query-string parameters.
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(value)) => Ok(ApiQuery(value)),
            Err(rejection) => Err(query_error(rejection)),
        }
    }
}

fn query_error(rejection: QueryRejection) -> ApiError {
    let text = rejection.body_text();
    let why = text
        .strip_prefix("Failed to deserialize query string: ")
        .unwrap_or(&text);
    ApiError::new(
        rejection.status(),
        plain("the query string (after `?`)", why),
    )
}

/// Path parameters, e.g. a group number.
pub struct ApiPath<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for ApiPath<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(value)) => Ok(ApiPath(value)),
            Err(rejection) => {
                // The parameters' names, for a tuple's refusal, which gives only a position.
                let names: Vec<String> =
                    match axum::extract::RawPathParams::from_request_parts(parts, state).await {
                        Ok(params) => params.iter().map(|(k, _)| k.to_string()).collect(),
                        Err(_) => Vec::new(),
                    };
                Err(path_error(rejection, &names))
            }
        }
    }
}

fn path_error(rejection: PathRejection, names: &[String]) -> ApiError {
    use axum::extract::path::ErrorKind;
    let what = |t: &str| match t {
        "usize" | "u8" | "u16" | "u32" | "u64" | "i32" | "i64" => "a whole number".to_string(),
        other => format!("a `{other}`"),
    };
    let said = match &rejection {
        PathRejection::FailedToDeserializePathParams(e) => match e.kind() {
            ErrorKind::ParseErrorAtKey {
                key,
                value,
                expected_type,
            } => Some(format!(
                "`{key}` in the path is `{value}`, which is not {}",
                what(expected_type)
            )),
            ErrorKind::ParseErrorAtIndex {
                index,
                value,
                expected_type,
            } if names.get(*index).is_some() => Some(format!(
                "`{}` in the path is `{value}`, which is not {}",
                names[*index],
                what(expected_type)
            )),
            ErrorKind::ParseErrorAtIndex {
                value,
                expected_type,
                ..
            }
            | ErrorKind::ParseError {
                value,
                expected_type,
            } => Some(format!(
                "`{value}` in the path is not {}",
                what(expected_type)
            )),
            _ => None,
        },
        _ => None,
    };
    ApiError::new(
        rejection.status(),
        said.unwrap_or_else(|| rejection.body_text()),
    )
}

#[cfg(test)]
#[path = "extract_tests.rs"]
mod tests;

/// What serde calls a JSON kind, in the words of the JSON a caller writes: `usize` is "a whole
/// number", a sequence "a list", a map "an object", string "0" "the text "0"".
fn kind_in_words(kind: &str) -> String {
    let whole = [
        "u8", "u16", "u32", "u64", "usize", "i8", "i16", "i32", "i64", "isize",
    ];
    let kind = kind.trim();
    if whole.contains(&kind) || kind.starts_with("an integer") {
        return "a whole number".into();
    }
    if let Some(text) = kind.strip_prefix("string ") {
        return format!("the text {text}");
    }
    for (serde, words) in [
        ("integer ", "the number "),
        ("floating point ", "the number "),
        ("boolean ", ""),
    ] {
        if let Some(rest) = kind.strip_prefix(serde) {
            return format!("{words}{}", rest.trim_matches('`'));
        }
    }
    match kind {
        "a sequence" | "sequence" => "a list".into(),
        "a map" | "map" => "an object".into(),
        "unit value" | "null" => "null".into(),
        "a boolean" => "true or false".into(),
        _ => kind.into(),
    }
}
