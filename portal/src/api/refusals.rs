//! The refusals the API's operations document, as `utoipa::IntoResponses` types: one for each
//! combination the operations answer with, named for the call it goes with, each an answer with
//! the JSON body `{"error": "..."}` (`ErrorBody`). A handler's `#[utoipa::path]` lists its own
//! successful answer and one of these.

use std::collections::BTreeMap;

use utoipa::openapi::{ContentBuilder, Ref, RefOr, Response, ResponseBuilder};

use crate::error::ErrorBody;

/// A status and what the document says it means.
type Refusal = (u16, &'static str);

const NO_TOKEN: Refusal = (401, "no valid API token");
const NOT_ADMIN: Refusal = (403, "an admin token is needed");
const BAD_QUERY: Refusal = (400, "a query parameter that cannot be read");
const BAD_BODY: Refusal = (400, "a body that is not JSON");
const BAD_POSITION: Refusal = (400, "a position in the path that is not a number");
const BAD_BODY_OR_POSITION: Refusal = (
    400,
    "a body that is not JSON; a position in the path that is not a number",
);
const BAD_QUERY_OR_POSITION: Refusal = (
    400,
    "a query parameter that cannot be read; a position in the path that is not a number",
);
const NOT_FOUND: Refusal = (404, "not found");
const REFUSED: Refusal = (422, "refused: the message says why");
const TOO_LARGE: Refusal = (413, "the body is larger than allowed");
const MULTIPART: Refusal = (415, "a multipart form was sent instead of the file itself");
const NOT_JSON: Refusal = (415, "a body sent without `Content-Type: application/json`");
const CONFLICT: Refusal = (
    409,
    "refused for the state it would change: a duplicate, the last admin, or a concurrent change; the message says which",
);

/// Declares each type with the refusals it documents.
macro_rules! refusals {
    ($($(#[$doc:meta])* $name:ident = [$($refusal:expr),+ $(,)?];)+) => {$(
        $(#[$doc])*
        pub(crate) struct $name;

        impl utoipa::IntoResponses for $name {
            fn responses() -> BTreeMap<String, RefOr<Response>> {
                answers(&[$($refusal),+])
            }
        }
    )+};
}

refusals! {
    /// Any call: without a valid token it is refused.
    TokenRefusals = [NO_TOKEN];
    /// A call for admin tokens only.
    AdminRefusals = [NO_TOKEN, NOT_ADMIN];
    /// A list read with query parameters.
    ListRefusals = [NO_TOKEN, BAD_QUERY, REFUSED];
    /// A list for admin tokens only, read with query parameters.
    AdminListRefusals = [NO_TOKEN, NOT_ADMIN, BAD_QUERY, REFUSED];
    /// A call naming a record, which may not exist or may refuse what is asked.
    RecordRefusals = [NO_TOKEN, NOT_FOUND, CONFLICT, REFUSED];
    /// A call naming a record, for admin tokens only.
    AdminRecordRefusals = [NO_TOKEN, NOT_ADMIN, NOT_FOUND, CONFLICT, REFUSED];
    /// A call naming a record, with query parameters.
    RecordQueryRefusals = [NO_TOKEN, BAD_QUERY, NOT_FOUND, REFUSED];
    /// A call naming a record with query parameters, which may be refused for the record's
    /// state (an unmatched reply attached or discarded already).
    RecordQueryStateRefusals = [NO_TOKEN, BAD_QUERY, NOT_FOUND, CONFLICT, REFUSED];
    /// A call naming a record, with query parameters, for admin tokens only.
    AdminRecordQueryRefusals = [NO_TOKEN, NOT_ADMIN, BAD_QUERY, NOT_FOUND, REFUSED];
    /// A call with a JSON body, naming records in its path or its body.
    BodyRefusals = [NO_TOKEN, BAD_BODY, NOT_FOUND, CONFLICT, NOT_JSON, REFUSED];
    /// A call with a JSON body, for admin tokens only.
    AdminBodyRefusals = [NO_TOKEN, NOT_ADMIN, BAD_BODY, NOT_FOUND, CONFLICT, NOT_JSON, REFUSED];
    /// A call naming a group, task or document by its position in the path.
    PositionRefusals = [NO_TOKEN, BAD_POSITION, NOT_FOUND, CONFLICT, REFUSED];
    /// A call naming a group or task by its position, with a JSON body.
    PositionBodyRefusals =
        [NO_TOKEN, BAD_BODY_OR_POSITION, NOT_FOUND, CONFLICT, NOT_JSON, REFUSED];
    /// A file sent as the body, its name in the query: it may be too large, or a form.
    UploadRefusals = [NO_TOKEN, BAD_QUERY, NOT_FOUND, CONFLICT, REFUSED, TOO_LARGE, MULTIPART];
    /// A file sent as the body to a task named by its position.
    PositionUploadRefusals =
        [NO_TOKEN, BAD_QUERY_OR_POSITION, NOT_FOUND, CONFLICT, REFUSED, TOO_LARGE, MULTIPART];
    /// The firm's logo, an image sent as the body by an admin token.
    LogoRefusals = [NO_TOKEN, NOT_ADMIN, NOT_FOUND, CONFLICT, REFUSED, TOO_LARGE];
}

/// The refusals as the document's answers, each with the error body.
fn answers(refusals: &[Refusal]) -> BTreeMap<String, RefOr<Response>> {
    refusals
        .iter()
        .map(|&(status, description)| {
            let body = ContentBuilder::new()
                .schema(Some(Ref::from_schema_name(
                    <ErrorBody<'static> as utoipa::ToSchema>::name(),
                )))
                .build();
            let answer = ResponseBuilder::new()
                .description(description)
                .content("application/json", body)
                .build();
            (status.to_string(), RefOr::T(answer))
        })
        .collect()
}

/// Adds the error body's schema to the document: the refusals refer to it by name.
pub(crate) fn describe_error_body(components: &mut utoipa::openapi::Components) {
    let name = <ErrorBody<'static> as utoipa::ToSchema>::name().into_owned();
    components.schemas.insert(
        name,
        <ErrorBody<'static> as utoipa::PartialSchema>::schema(),
    );
}
