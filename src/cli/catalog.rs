//! Commands that read and edit what the firm already has: templates listed, shown, exported,
//! replaced from TOML, archived and restored; contacts listed, shown, edited, archived and
//! restored.

use std::path::Path;

use anyhow::Context as _;
use docket_engine::Docket;
use docket_engine::docket::WorkFilter;
use docket_engine::model::{Actor, Contact, ContactUpdate, NewTemplate, PluginRef, Template};

use super::setup::{ContactCommand, TemplateCommand};

/// The API call that does what a template command does.
pub fn template_api(cmd: &TemplateCommand) -> String {
    match cmd {
        TemplateCommand::Import {
            replace: false,
            replaces: None,
            ..
        } => "POST /api/templates".into(),
        TemplateCommand::Import { replaces, .. } => format!(
            "PUT /api/templates/{}",
            or_name(replaces.as_deref().unwrap_or_default())
        ),
        TemplateCommand::List => "GET /api/templates?archived=true".into(),
        TemplateCommand::Show { template } | TemplateCommand::Export { template } => {
            format!("GET /api/templates/{template}")
        }
        TemplateCommand::Archive { template } => format!("POST /api/templates/{template}/archive"),
        TemplateCommand::Restore { template } => format!("POST /api/templates/{template}/restore"),
    }
}

/// The API call that does what a contact command does.
pub fn contact_api(cmd: &ContactCommand) -> String {
    match cmd {
        ContactCommand::Add { .. } => "POST /api/contacts".into(),
        ContactCommand::List { search, .. } => match search {
            Some(q) => format!("GET /api/contacts?q={q}"),
            None => "GET /api/contacts".into(),
        },
        ContactCommand::Show { contact } => {
            format!("GET /api/contacts/{contact}")
        }
        ContactCommand::Edit { contact, .. } => format!("PATCH /api/contacts/{contact}"),
        ContactCommand::Archive { contact } => format!("POST /api/contacts/{contact}/archive"),
        ContactCommand::Restore { contact } => format!("POST /api/contacts/{contact}/restore"),
    }
}

fn or_name(target: &str) -> &str {
    if target.trim().is_empty() {
        "NAME"
    } else {
        target
    }
}

/// `template list|show|export|archive|restore`.
pub fn template(cmd: TemplateCommand, docket: &Docket) -> anyhow::Result<()> {
    match cmd {
        TemplateCommand::List => {
            for t in docket.list_templates()? {
                let archived = if t.archived_at.is_some() {
                    "\tarchived"
                } else {
                    ""
                };
                println!("{}\t{}{archived}", t.id, t.name);
            }
        }
        TemplateCommand::Show { template } => {
            print!("{}", shown(&docket.find_template(&template)?))
        }
        TemplateCommand::Export { template } => {
            let t = docket.find_template(&template)?;
            print!("{}", NewTemplate::from_template(&t).to_toml()?);
        }
        TemplateCommand::Archive { template } => {
            let t = docket.archive_template(&template)?;
            println!(
                "archived template `{}`: no new work is made from it until `docket template restore`",
                t.name
            );
        }
        TemplateCommand::Restore { template } => {
            let t = docket.restore_template(&template)?;
            println!("restored template `{}`", t.name);
        }
        TemplateCommand::Import { .. } => unreachable!("imports are `setup::template`'s"),
    }
    Ok(())
}

/// `template import --replace FILE` (the template of the file's name) or `template import FILE
/// --replaces NAME_OR_ID` (the one given): that template replaced by the file.
pub fn replace_template(docket: &Docket, file: &Path, target: Option<&str>) -> anyhow::Result<()> {
    let text =
        std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
    let new = NewTemplate::from_toml(&text).with_context(|| format!("{}", file.display()))?;
    let renamed_hint = target.is_none();
    let target = target.map_or_else(|| new.name.clone(), str::to_string);
    let t = docket.update_template(&target, new).map_err(|e| match e {
        docket_engine::Error::NotFound { .. } if renamed_hint => anyhow::anyhow!(
            "{}: no template is named `{target}`; to rename one, name the template it replaces: --replaces OLD_NAME",
            file.display()
        ),
        e => anyhow::Error::from(e).context(format!("{}", file.display())),
    })?;
    let tasks: usize = t.groups.iter().map(|g| g.tasks.len()).sum();
    println!(
        "replaced template `{}` ({} groups, {tasks} tasks); work made from it from now on follows it, work already made keeps its copy",
        t.name,
        t.groups.len()
    );
    Ok(())
}

fn plugin(p: &PluginRef) -> String {
    if p.params.is_empty() {
        return p.plugin.clone();
    }
    let params: Vec<String> = p.params.iter().map(|(k, v)| format!("{k}={v}")).collect();
    format!("{} ({})", p.plugin, params.join(", "))
}

/// A template as `template show` prints it.
fn shown(t: &Template) -> String {
    let mut out = format!("{} ({})\n", t.name, t.id);
    if t.archived_at.is_some() {
        out.push_str("archived: no new work is made from it\n");
    }
    if !t.description.is_empty() {
        out.push_str(&format!("{}\n", t.description));
    }
    for (g, group) in t.groups.iter().enumerate() {
        out.push_str(&format!(
            "group {g}: {}\n  sending: {}\n  reminders: {}\n",
            group.name,
            plugin(&group.sending),
            plugin(&group.reminders)
        ));
        for (n, task) in group.tasks.iter().enumerate() {
            out.push_str(&format!(
                "  task {n}: {} (due {:+} days from the start)\n",
                task.title, task.due_offset_days
            ));
            for doc in &task.documents {
                let at = match (&doc.url, &doc.file) {
                    (Some(url), _) => url.clone(),
                    (None, Some(file)) => format!("uploaded, {} bytes", file.content.size),
                    (None, None) => String::new(),
                };
                out.push_str(&format!("    document: {} {at}\n", doc.name));
            }
        }
    }
    out
}

/// `contact list|show|edit|archive|restore`; a contact is named by id or email.
pub fn contact(cmd: ContactCommand, docket: &Docket) -> anyhow::Result<()> {
    match cmd {
        ContactCommand::List { search, archived } => {
            let query = search.unwrap_or_default();
            let mut after = None;
            loop {
                let page = docket.search_contacts(&query, after, 500)?;
                for c in &page {
                    if c.archived_at.is_none() || archived {
                        println!("{}", line(c));
                    }
                }
                match page.last() {
                    Some(last) if page.len() == 500 => after = Some(last.id),
                    _ => break,
                }
            }
        }
        ContactCommand::Show { contact } => {
            let c = docket.find_contact(&contact)?;
            println!("{}", line(&c));
            if let Some(zone) = c.timezone {
                println!("timezone: {}", zone.name());
            }
            let filter = WorkFilter {
                contact: Some(c.id),
                ..WorkFilter::default()
            };
            for work in docket.list_work(&filter, None, 100)? {
                println!("work {}\t{}\t{}", work.id, work.title, work.status.as_str());
            }
            let portal = docket.contact_portal(c.id)?;
            for d in &portal.devices {
                let expired = if d.expired { " (access expired)" } else { "" };
                println!("device bound: {} / {}{expired}", d.work_title, d.group_name);
            }
            match portal.signed_in_until {
                Some(until) => println!(
                    "client account: signed in until {}",
                    until.format("%Y-%m-%d %H:%M UTC")
                ),
                None => println!("client account: not signed in"),
            }
            for e in docket.contact_timeline(c.id, 10)? {
                println!("{}  {}", e.at.format("%Y-%m-%d %H:%M UTC"), e.summary);
            }
        }
        ContactCommand::Edit {
            contact,
            name,
            email,
            timezone,
        } => {
            let before = docket.find_contact(&contact)?;
            if name.is_none() && email.is_none() && timezone.is_none() {
                anyhow::bail!("give what to change: --name, --email and/or --timezone");
            }
            let c = docket.update_contact(
                before.id,
                ContactUpdate {
                    name,
                    email,
                    timezone,
                },
                Actor::System,
            )?;
            println!("saved {}", line(&c));
            if c.email != before.email {
                println!(
                    "the links, bound devices and client-account sign-ins of {} were ended",
                    before.email
                );
            }
        }
        ContactCommand::Archive { contact } => {
            let c = docket.find_contact(&contact)?;
            let c = docket.archive_contact(c.id, Actor::System)?;
            println!(
                "archived {}: their portal access and sign-in ended",
                line(&c)
            );
        }
        ContactCommand::Restore { contact } => {
            let c = docket.find_contact(&contact)?;
            let c = docket.restore_contact(c.id, Actor::System)?;
            println!("restored {}", line(&c));
        }
        ContactCommand::Add { .. } => unreachable!("adding is `setup::contact`'s"),
    }
    Ok(())
}

/// A contact on one line: id, name, email, and whether archived.
fn line(c: &Contact) -> String {
    let archived = if c.archived_at.is_some() {
        "\tarchived"
    } else {
        ""
    };
    format!("{}\t{} <{}>{archived}", c.id, c.name, c.email)
}
