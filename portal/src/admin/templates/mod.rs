//! Templates, as staff see them: the list, a new template and one template's page with the
//! preview of its calendar (`pages.rs`), and the forms of that page, each one change (`edits.rs`).

pub(super) mod edits;
pub(super) mod pages;
