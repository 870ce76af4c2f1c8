//! Staff: the firm's members and how they get in — adding and finding them, invitations, roles
//! and disabling, API tokens, sign-in with its throttle and sessions, and each member's inbox.

pub(super) mod inbox;
pub(super) mod members;
pub(super) mod membership;
pub(super) mod sign_in;
pub(super) mod throttle;
pub(super) mod tokens;
