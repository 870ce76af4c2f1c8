//! Record ids: ULIDs, which sort by creation time, so "the latest 100" is a range scan.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use std::sync::Mutex;

use ulid::{Generator, Ulid};

/// The last id handed out, so ids made within one millisecond (or under a clock that went
/// back) still sort in the order they were made.
static GENERATOR: Mutex<Generator> = Mutex::new(Generator::new());

/// A new id made at `now` (from the engine's clock), random in its low 80 bits and greater than
/// every id made before it by this process.
pub fn new_id(now: DateTime<Utc>) -> Ulid {
    let mut generator = GENERATOR.lock().unwrap_or_else(|e| e.into_inner());
    generator
        .generate_from_datetime(now.into())
        .unwrap_or_else(|_| Ulid::from_datetime(now.into()))
}

/// The schema every id has in the API's OpenAPI document: a 26-character ULID string.
fn ulid_schema(description: &str) -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
    use utoipa::openapi::schema::{ObjectBuilder, SchemaFormat, Type};
    ObjectBuilder::new()
        .schema_type(Type::String)
        .format(Some(SchemaFormat::Custom("ulid".into())))
        .min_length(Some(26))
        .max_length(Some(26))
        .description(Some(description))
        .into()
}

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident, $what:literal) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub Ulid);

        impl $name {
            pub fn new(now: DateTime<Utc>) -> Self {
                Self(new_id(now))
            }

            /// The id as store key bytes (its 26-character text, which sorts like the id).
            pub fn key(&self) -> Vec<u8> {
                self.0.to_string().into_bytes()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        /// As its text (`01J…`), the form the admin and the API show, so a log line that
        /// prints a record with `{:?}` can be matched with them.
        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&self.0, f)
            }
        }

        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                ulid_schema(concat!("A ", $what, " id: a ULID, 26 characters"))
            }
        }

        impl utoipa::ToSchema for $name {}

        impl FromStr for $name {
            type Err = crate::Error;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Ulid::from_string(s)
                    .map($name)
                    .map_err(|_| crate::Error::invalid(format!("`{s}` is not a {} id", $what)))
            }
        }
    };
}

id_type!(/// A work item's id.
    WorkId, "work item");
id_type!(/// A contact's id.
    ContactId, "contact");
id_type!(/// A template's id.
    TemplateId, "template");
id_type!(/// A staff user's id.
    UserId, "user");
id_type!(/// An API token's id (not its secret).
    TokenId, "token");
id_type!(/// A timeline event's id.
    EventId, "event");

#[cfg(test)]
#[path = "ids_tests.rs"]
mod tests;
