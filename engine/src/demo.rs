//! The demo firm: what `docket serve --demo` puts into an empty data folder so a newcomer has
//! something to look at: an admin, the example templates, three contacts and work at several
//! stages.

use chrono::{Days, NaiveDate};
use rand::RngCore;
use rand::rngs::OsRng;

use crate::model::{Actor, ApiToken, NewContact, NewWork, Role, StaffUser, WorkStatus};
use crate::{Docket, NewUser, Result};

/// The template files in `examples/templates/`, embedded so the demo works from anywhere.
pub const EXAMPLE_TEMPLATES: [&str; 2] = [
    include_str!("../../examples/templates/annual-tax-return.toml"),
    include_str!("../../examples/templates/monthly-bookkeeping.toml"),
];

/// What the demo created that the operator must be told once.
pub struct DemoSeed {
    pub admin: StaffUser,
    pub admin_password: String,
    pub token: ApiToken,
    pub token_secret: String,
}

pub const DEMO_ADMIN_EMAIL: &str = "admin@demo-firm.example";

/// The demo firm's name, as its staff's addresses (demo-firm.example) read.
pub const DEMO_FIRM_NAME: &str = "Demo Firm";

/// Seeds the demo firm when the data folder is empty; returns `None` when it is not.
pub fn seed(docket: &Docket) -> Result<Option<DemoSeed>> {
    if !docket.is_empty()? {
        return Ok(None);
    }
    // Named for what it is, unless the operator's configuration names the firm.
    if !docket.pinned_settings().iter().any(|key| key == "name") {
        docket.change_settings(&crate::docket::SettingsChange {
            name: Some(DEMO_FIRM_NAME.into()),
            ..Default::default()
        })?;
    }
    let admin_password = random_password();
    let admin = docket.add_user(NewUser {
        email: DEMO_ADMIN_EMAIL.into(),
        name: "Demo Admin".into(),
        role: Role::Admin,
        password: admin_password.clone(),
    })?;
    let (token, token_secret) = docket.create_api_token(
        "demo",
        Role::Admin,
        crate::model::TokenCreator::Member {
            id: admin.id,
            email: admin.email.clone(),
        },
    )?;
    for text in EXAMPLE_TEMPLATES {
        docket.import_template(text)?;
    }
    let contacts = [
        ("Ann Archer", "ann@archer-consulting.example", None),
        (
            "Bob Baker",
            "bob@bakers-bakery.example",
            Some("America/New_York"),
        ),
        ("Carol Chen", "carol@chen-design.example", None),
    ];
    for (name, email, timezone) in contacts {
        docket.create_contact(
            NewContact {
                name: name.into(),
                email: email.into(),
                timezone: timezone.map(Into::into),
                locale: None,
            },
            Actor::Staff(admin.id),
        )?;
    }
    let today = docket.now().date_naive();
    let staff = Actor::Staff(admin.id);
    let work = |template: &str, title: &str, start: NaiveDate, contact: &str| {
        docket.create_work(
            NewWork {
                template: template.into(),
                title: Some(title.into()),
                external_name: Some(title.split(" — ").nth(1).unwrap_or(title).into()),
                start_date: Some(start),
                assignee: Some(DEMO_ADMIN_EMAIL.into()),
                contacts: vec![contact.into()],
            },
            staff.clone(),
        )
    };
    // Planned: starts next month, nothing sent yet.
    work(
        "Annual tax return",
        "Carol Chen — 2026 tax return",
        today + Days::new(30),
        "carol@chen-design.example",
    )?;
    // Waiting on the client: sent, one task done.
    let bob = work(
        "Monthly bookkeeping",
        "Baker's Bakery — November books",
        today - Days::new(3),
        "bob@bakers-bakery.example",
    )?;
    docket.send_group(bob.id, 0, staff.clone())?;
    docket.set_task_done(bob.id, 0, 0, true, Actor::Contact(bob.groups[0].recipient))?;
    // Completed: every task done, the work closed.
    let ann = work(
        "Monthly bookkeeping",
        "Archer Consulting — October books",
        today - Days::new(35),
        "ann@archer-consulting.example",
    )?;
    docket.send_group(ann.id, 0, staff.clone())?;
    for task in 0..ann.groups[0].tasks.len() {
        docket.set_task_done(
            ann.id,
            0,
            task,
            true,
            Actor::Contact(ann.groups[0].recipient),
        )?;
    }
    docket.set_work_status(ann.id, WorkStatus::Completed, None, staff)?;
    Ok(Some(DemoSeed {
        admin,
        admin_password,
        token,
        token_secret,
    }))
}

/// A password of 20 characters from an alphabet without look-alikes (no 0/O, 1/l/I).
pub fn random_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut bytes = [0u8; 20];
    OsRng.fill_bytes(&mut bytes);
    bytes
        .iter()
        .map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char)
        .collect()
}

#[cfg(test)]
#[path = "demo_tests.rs"]
mod tests;
