//! Unit tests of `outbox.rs`.

use super::*;

#[test]
fn links_that_admit_someone_are_cut_out() {
    assert_eq!(
        hide_links("Open https://x/c/SECRET now", "https://x/c/SECRET"),
        format!("Open {LINK_SHOWN_AS} now")
    );
    assert_eq!(
        hide_links("Set it: https://x/admin/invite/abc123\nThanks", ""),
        "Set it: https://x/admin/invite/[the member's one-time secret]\nThanks"
    );
    assert_eq!(hide_links("Nothing here", ""), "Nothing here");
}
