//! A group whose plugin fails, as staff meet it: on the work page, in the work list's "needs
//! attention" filter, in the inbox, and in the API.

use docket_engine::model::{Fire, FireAction, PluginRef, Role};
use docket_engine::store::{Batch, Tree, encode};
use reqwest::{Method, StatusCode};

use super::{Admin, STAFF, body};

#[test]
fn a_stuck_group_is_shown_on_the_work_page_the_list_the_inbox_and_the_api() {
    let admin = Admin::with_plugins();
    // The group's policy is gone from the server (written behind the engine's back, which
    // refuses an unknown plugin), and the scheduler asks it now.
    let mut work = admin.docket.work(admin.work).unwrap();
    work.groups[0].reminders = PluginRef {
        plugin: "gone".into(),
        params: Default::default(),
    };
    work.groups[0].next = None;
    let mut batch = Batch::default();
    batch.put(Tree::Work, admin.work.key(), encode(&work));
    admin.docket.store().commit(batch).unwrap();
    let mut planned = admin.docket.work(admin.work).unwrap();
    planned.groups[0].next = Some(Fire {
        at: admin.docket.now().into(),
        action: FireAction::Retry {
            reason: "asked again".into(),
        },
    });
    admin.docket.bulk_insert_work(&[planned]).unwrap();
    admin.docket.tick().unwrap();

    let sam = admin.browser(STAFF);
    let page = body(admin.get(&format!("/admin/work/{}", admin.work), Some(&sam)));
    assert!(page.contains("Needs attention."), "{page}");
    assert!(
        page.contains("plugin “gone” fails (no plugin named `gone`"),
        "{page}"
    );
    let list = body(admin.get("/admin/work?needs_attention=true", Some(&sam)));
    assert!(list.contains("Archer — 2025 accounts"), "{list}");
    assert!(
        list.contains("Needs attention: a plugin cannot plan"),
        "{list}"
    );
    let inbox = body(admin.get("/admin/inbox", Some(&sam)));
    assert!(inbox.contains("Plugin failing"), "{inbox}");
    assert!(inbox.contains("are stuck: plugin “gone” failed"), "{inbox}");

    let token = admin.token(Role::Staff);
    let (status, item) =
        admin.api_with(&token, Method::GET, &format!("/work/{}", admin.work), None);
    assert_eq!(status, StatusCode::OK, "{item}");
    assert_eq!(item["groups"][0]["stuck"]["plugin"], "gone");
    assert_eq!(item["groups"][0]["stuck"]["attempts"], 1);
    let (status, listed) = admin.api_with(&token, Method::GET, "/work?needs_attention=true", None);
    assert_eq!(status, StatusCode::OK, "{listed}");
    assert_eq!(listed.as_array().unwrap().len(), 1, "{listed}");
    let (status, refused) =
        admin.api_with(&token, Method::GET, "/work?needs_attention=maybe", None);
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert!(
        refused["error"]
            .as_str()
            .unwrap()
            .contains("needs_attention is true or false"),
        "{refused}"
    );
}
