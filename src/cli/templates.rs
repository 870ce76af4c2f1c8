//! `docket template`: the firm's templates imported from TOML, listed, shown, exported,
//! replaced, archived and restored from the shell. A template is named by its name (any case)
//! or id.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use clap::Subcommand;
use docket_engine::Docket;
use docket_engine::model::{NewTemplate, PluginRef, Template};

use super::out::Out;

#[derive(Debug, Subcommand, serde::Serialize, serde::Deserialize)]
pub enum TemplateCommand {
    /// Import a template from a TOML file (see examples/templates/), or edit one: `docket
    /// template export NAME > FILE`, edit FILE, then `docket template import --replace FILE`
    /// (or `import FILE --replace`; `import FILE --replaces OLD_NAME` when FILE renames it).
    Import {
        /// The template file (TOML), e.g. one `docket template export` printed.
        file: PathBuf,
        /// Replace the template of the file's name with the file rather than add one. Work
        /// already made from it keeps its copy.
        #[arg(long)]
        replace: bool,
        /// Replace this template (its name or id) with the file, e.g. when the file renames
        /// it; implies --replace.
        #[arg(long, value_name = "NAME_OR_ID")]
        replaces: Option<String>,
    },
    /// List templates (archived ones marked).
    List,
    /// Show a template: its groups, sending rules, reminder policies and tasks.
    Show {
        /// A template's name (any case) or id.
        template: String,
    },
    /// Print a template as TOML, which `import --replace` reads back.
    Export {
        /// A template's name (any case) or id.
        template: String,
    },
    /// Archive a template: no new work is made from it until it is restored.
    Archive {
        /// A template's name (any case) or id.
        template: String,
    },
    /// Restore an archived template.
    Restore {
        /// A template's name (any case) or id.
        template: String,
    },
}

/// The text of the file `template import` names, read where the command was typed (a server
/// beside it may not see that file).
pub fn file_text(cmd: &TemplateCommand) -> anyhow::Result<Option<String>> {
    match cmd {
        TemplateCommand::Import { file, .. } => std::fs::read_to_string(file)
            .with_context(|| format!("cannot read {}", file.display()))
            .map(Some),
        _ => Ok(None),
    }
}

/// `template import|list|show|export|archive|restore`; `text` is the imported file's
/// ([`file_text`]), `args` the words the command was typed with.
pub fn run(
    cmd: TemplateCommand,
    docket: &Docket,
    text: Option<String>,
    args: &[String],
    out: &mut Out,
) -> anyhow::Result<()> {
    let text = || text.clone().context("the file to import was not read");
    match cmd {
        TemplateCommand::Import {
            file,
            replaces: Some(target),
            ..
        } => replace_template(docket, &file, &text()?, Some(&target), out)?,
        TemplateCommand::Import {
            file,
            replace: true,
            replaces: None,
        } => replace_template(docket, &file, &text()?, None, out)?,
        TemplateCommand::Import {
            file,
            replace: false,
            replaces: None,
        } => {
            let text = text()?;
            let template = docket.import_template(&text).map_err(|e| match e {
                // The one conflict a new template meets: another has its name.
                docket_engine::Error::Conflict(m) => {
                    anyhow::anyhow!(
                        "{}: {m}; to replace it with this file: {}",
                        file.display(),
                        super::command_again_with(args, "import", "--replace")
                    )
                }
                e => anyhow::Error::from(e).context(format!("{}", file.display())),
            })?;
            let tasks: usize = template.groups.iter().map(|g| g.tasks.len()).sum();
            writeln!(
                out,
                "imported template `{}` ({} groups, {tasks} tasks) with id {}",
                template.name,
                template.groups.len(),
                template.id
            )?;
        }
        TemplateCommand::List => {
            for t in docket.list_templates()? {
                let archived = if t.archived_at.is_some() {
                    "\tarchived"
                } else {
                    ""
                };
                writeln!(out, "{}\t{}{archived}", t.id, t.name)?;
            }
        }
        TemplateCommand::Show { template } => {
            write!(out, "{}", shown(&docket.find_template(&template)?))?
        }
        TemplateCommand::Export { template } => {
            let t = docket.find_template(&template)?;
            write!(out, "{}", NewTemplate::from_template(&t).to_toml()?)?;
        }
        TemplateCommand::Archive { template } => {
            let t = docket.archive_template(&template)?;
            writeln!(
                out,
                "archived template `{}`: no new work is made from it until `docket template restore`",
                t.name
            )?;
        }
        TemplateCommand::Restore { template } => {
            let t = docket.restore_template(&template)?;
            writeln!(out, "restored template `{}`", t.name)?;
        }
    }
    Ok(())
}

/// `template import --replace FILE` (the template of the file's name) or `template import FILE
/// --replaces NAME_OR_ID` (the one given): that template replaced by the file.
fn replace_template(
    docket: &Docket,
    file: &Path,
    text: &str,
    target: Option<&str>,
    out: &mut Out,
) -> anyhow::Result<()> {
    let new = NewTemplate::from_toml(text).with_context(|| format!("{}", file.display()))?;
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
    writeln!(
        out,
        "replaced template `{}` ({} groups, {tasks} tasks); work made from it from now on follows it, work already made keeps its copy",
        t.name,
        t.groups.len()
    )?;
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
