//! Which templates and open work items name a plugin, so removing one they still need is
//! refused rather than leaving them to fail at their next send or reminder.

use super::Docket;
use super::work::WorkFilter;
use crate::Result;
use crate::model::WorkStatus;

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
        const PAGE: usize = 500;
        for status in WorkStatus::ALL
            .into_iter()
            .filter(|s| *s != WorkStatus::Completed)
        {
            let filter = WorkFilter {
                status: Some(status),
                contact: None,
            };
            let mut after = None;
            loop {
                let page = self.list_work(&filter, after, PAGE)?;
                for work in &page {
                    if work
                        .groups
                        .iter()
                        .any(|g| g.sending.plugin == plugin || g.reminders.plugin == plugin)
                    {
                        users.push(format!("work “{}” ({})", work.title, work.id));
                    }
                }
                match page.last() {
                    Some(last) if page.len() == PAGE => after = Some(last.id),
                    _ => break,
                }
            }
        }
        Ok(users)
    }
}
