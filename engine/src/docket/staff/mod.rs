//! Staff: the firm's members and how they get in — adding and finding them, invitations, roles
//! and disabling, API tokens, sign-in with its throttle and sessions, and each member's inbox.
//! `members.rs` adds and finds them, `membership.rs` invites, changes roles and disables,
//! `tokens.rs` the API tokens, `sign_in.rs` and `throttle.rs` the way in, `inbox.rs` the inbox.
//!
//! **Rules.** A session is a random secret in the browser's cookie as `USER.SECRET`;
//! `staff_sessions` keeps its SHA-256 under the member's id, so a member's sessions are one prefix
//! (a password change ends the others, a sign-in sweeps the expired), with idle (2 hours) and
//! absolute (12 hours) expiry. The form token every admin form carries is a hash of the secret:
//! no storage, and worth nothing without the cookie. A password is hashed or checked only after
//! the throttle let the attempt through. API tokens carry a role (format 1 tokens read as admin) and
//! their creator (format 2 tokens read as `unknown`: they keep working, tied to no member); a
//! member's token is refused while they are disabled and capped at their role, revoked when they
//! are disabled and lowered when they are demoted (`tokens.rs`);
//! a token's last use is written at most once a minute; a revoked token stays listed and is
//! refused; live tokens' names are unique. A disabled member has their sessions removed in the
//! batch that disables them. Role and disable changes are guarded on every staff record, so two
//! admins cannot demote each other at once, and the last active admin stays. Pages and the API
//! show staff as `StaffMember`, never `StaffUser` (no password hash).

pub(super) mod inbox;
pub(super) mod members;
pub(super) mod membership;
pub(super) mod setup;
pub(super) mod sign_in;
pub(super) mod throttle;
pub(super) mod tokens;
