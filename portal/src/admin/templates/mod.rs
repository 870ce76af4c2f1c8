//! Templates, as staff see them: the list and the import of a TOML template file (`list.rs`), a
//! new template and one template's page with the preview of its calendar (`pages.rs`), the forms of that page, each one change (`edits.rs`),
//! and what those forms carry and how typed values are read (`form.rs`).

pub(super) mod edits;
pub(super) mod form;
pub(super) mod list;
pub(super) mod pages;
