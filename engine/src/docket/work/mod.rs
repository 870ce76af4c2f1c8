//! Work: the work items made from templates for clients — created (`create.rs`: one by one, or
//! the same work for many contacts at once; `form.rs`: from the admin's form), kept and moved on
//! (`items.rs`), repeated on a calendar or a cron expression (`repeat.rs`, its arithmetic in
//! `repeat_rule.rs`), listed through their indexes (by a column: `sorted.rs`), searched
//! (`search.rs`), what clients did on them
//! (`activity.rs`), read for the admin's pages, acted on by staff, what clients send reviewed by
//! staff (`review.rs`), and the comments and files exchanged on them.

pub(super) mod actions;
pub(super) mod activity;
pub(super) mod bulk;
pub(super) mod create;
pub(super) mod desk;
pub(super) mod exchange;
pub(super) mod form;
pub(super) mod items;
pub(super) mod list;
pub(super) mod repeat;
pub(super) mod repeat_rule;
pub(super) mod review;
pub(super) mod search;
pub(super) mod sorted;

pub use bulk::{BULK_PLACEHOLDERS, DEFAULT_BULK_EXTERNAL_NAME, MAX_BULK_CONTACTS};
pub use create::DEFAULT_BULK_TITLE;
pub use items::*;
pub use review::{UploadReview, review_state, standing_decision, upload_review};
