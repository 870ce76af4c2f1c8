//! Which templates and open work items name a plugin, so removing one they still need is
//! refused rather than leaving them to fail at their next send or reminder, and a replacement
//! is recorded on the timeline of the work it now decides for.

use crate::Result;
use crate::docket::Docket;
use crate::docket::work::list::WorkFilter;
use crate::model::{Actor, EventKind, WorkItem, WorkStatus};
use crate::store::Batch;

impl Docket {
    /// Templates and open (not completed) work items whose groups name `plugin` as their
    /// sending rule or reminder policy, described for people, e.g. `template “Annual tax
    /// return”`. A scan of every template and open work item: for a rare admin action, never a
    /// hot path.
    pub fn plugin_users(&self, plugin: &str) -> Result<Vec<String>> {
        let mut users = Vec::new();
        for template in self.list_templates()? {
            if template
                .groups
                .iter()
                .any(|g| g.sending.plugin == plugin || g.reminders.plugin == plugin)
            {
                users.push(format!("template “{}”", template.name));
            }
        }
        for work in self.open_work_naming(plugin)? {
            users.push(format!("work “{}” ({})", work.title, work.id));
        }
        Ok(users)
    }

    /// Records on the timeline of each open work item that names `plugin` that a new version
    /// now decides for it, e.g. `reminder policy “business-days” replaced: 0.1.0 → 0.2.0, for
    /// “Documents”`. Returns how many work items it was recorded on.
    pub fn record_plugin_replaced(&self, plugin: &str, from: &str, to: &str) -> Result<usize> {
        let works = self.open_work_naming(plugin)?;
        for work in &works {
            let roles: Vec<String> = work
                .groups
                .iter()
                .flat_map(|g| {
                    let sending = (g.sending.plugin == plugin)
                        .then(|| format!("sending rule of “{}”", g.name));
                    let reminders = (g.reminders.plugin == plugin)
                        .then(|| format!("reminder policy of “{}”", g.name));
                    sending.into_iter().chain(reminders)
                })
                .collect();
            let mut batch = Batch::default();
            self.record_event(
                &mut batch,
                Some(work.id),
                None,
                Actor::System,
                EventKind::PluginReplaced,
                format!(
                    "Plugin “{plugin}” replaced: version {from} → {to}, now the {}",
                    roles.join(" and the ")
                ),
            );
            self.store.commit(batch)?;
        }
        Ok(works.len())
    }

    /// Plans again, now, every open work item with a group naming `plugin`: after the plugin
    /// was removed from the folder, its groups are found stuck at once (and staff told), not on
    /// the day their next send or reminder falls due. Answers how many were re-planned.
    pub fn replan_work_naming(&self, plugin: &str) -> Result<usize> {
        let now = self.now();
        let mut replanned = 0;
        for work in self.open_work_naming(plugin)? {
            let Some(before) = self.store.get(crate::store::Tree::Work, &work.id.key())? else {
                continue;
            };
            let old: WorkItem = crate::store::decode(&before)?;
            if self.replan_now(old, before, now)? {
                replanned += 1;
            }
        }
        Ok(replanned)
    }

    /// Open (not completed) work items with a group naming `plugin`.
    fn open_work_naming(&self, plugin: &str) -> Result<Vec<WorkItem>> {
        const PAGE: usize = 500;
        let mut found = Vec::new();
        for status in WorkStatus::ALL
            .into_iter()
            .filter(|s| *s != WorkStatus::Completed)
        {
            let filter = WorkFilter {
                status: Some(status),
                ..WorkFilter::default()
            };
            let mut after = None;
            loop {
                let page = self.list_work(&filter, after, PAGE)?;
                let full = page.len() == PAGE;
                after = page.last().map(|w| w.id);
                found.extend(page.into_iter().filter(|w| {
                    w.groups
                        .iter()
                        .any(|g| g.sending.plugin == plugin || g.reminders.plugin == plugin)
                }));
                if !full {
                    break;
                }
            }
        }
        Ok(found)
    }
}
