//! Work: the work items made from templates for clients — created (one by one or from a form),
//! listed through their indexes, searched, what clients did on them, read for the admin's pages, acted on by staff, and the comments
//! and files exchanged on them.

pub(super) mod actions;
pub(super) mod activity;
pub(super) mod desk;
pub(super) mod exchange;
pub(super) mod form;
pub(super) mod items;
pub(super) mod list;
pub(super) mod search;

pub use items::*;
