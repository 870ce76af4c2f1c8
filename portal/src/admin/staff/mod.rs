//! Staff, as the admin shows them: signing in and out and a member's own account
//! (`sign_in.rs`), their inbox (`inbox.rs`), and for admins the members and their invitations
//! (`users.rs`) and the API tokens (`tokens.rs`); and the first start's setup page, which makes
//! the first admin (`setup.rs`).

pub(super) mod inbox;
pub(super) mod setup;
pub(super) mod sign_in;
pub(super) mod tokens;
pub(super) mod users;
