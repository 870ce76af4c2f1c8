//! Commands that read and edit what the firm already has: templates listed, shown, exported,
//! replaced from TOML, archived and restored; contacts listed, shown, edited, archived and
//! restored.

use std::path::Path;

use anyhow::Context as _;
use docket_engine::Docket;
use docket_engine::model::{NewTemplate, PluginRef, Template};

use super::setup::TemplateCommand;

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

/// `template import FILE --replace [NAME_OR_ID]`: the template of the file's name (or the one
/// given) replaced by the file.
pub fn replace_template(docket: &Docket, file: &Path, target: &str) -> anyhow::Result<()> {
    let text =
        std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
    let new = NewTemplate::from_toml(&text).with_context(|| format!("{}", file.display()))?;
    let target = if target.trim().is_empty() {
        new.name.clone()
    } else {
        target.to_string()
    };
    let t = docket
        .update_template(&target, new)
        .with_context(|| format!("{}", file.display()))?;
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
