//! Work created from a form: every field checked on its own, so a page can put each message next
//! to its field, and nothing is created unless every field is right.

use chrono::NaiveDate;

use crate::docket::Docket;
use crate::model::{Actor, NewBulkWork, NewWork, StaffMember, Template, WorkId, WorkItem};
use crate::store::Tree;
use crate::{Error, Result};

/// Where a form's one-time id is kept (in `Tree::Meta`), with what its first sending made: the
/// bulk-create form, and the send and send-again forms.
const BULK_FORM_PREFIX: &str = "bulk_form/";

/// What one sending of the bulk-create form did: made the work, or nothing because the same
/// form (a double click, a reload) was sent before.
#[derive(Debug, Clone)]
pub enum BulkFormSent {
    Made(Vec<WorkItem>),
    /// The form was sent already: how many items it made then, and the first of them.
    Already {
        count: usize,
        first: Option<WorkId>,
    },
}

/// What the "new work" form sends, as typed.
#[derive(Debug, Clone, Default)]
pub struct WorkForm {
    /// The template's id or name.
    pub template: String,
    /// `YYYY-MM-DD`.
    pub start_date: String,
    pub title: String,
    pub external_name: String,
    /// A staff member's id or email; empty for nobody.
    pub assignee: String,
    /// A contact's id or email for each group of the template, in order.
    pub contacts: Vec<String>,
}

/// A message for each field of the form that is wrong, in the engine's words (a page makes each
/// a sentence).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WorkFormProblems {
    pub template: Option<String>,
    pub start_date: Option<String>,
    pub assignee: Option<String>,
    /// One per group, in order.
    pub contacts: Vec<Option<String>>,
    /// What is wrong with the whole (a conflict, a plugin refusing the template's settings).
    pub form: Option<String>,
    /// The chosen template, when it is archived: where it can be restored.
    pub archived_template: Option<crate::model::TemplateId>,
}

impl WorkFormProblems {
    fn any(&self) -> bool {
        self.template.is_some()
            || self.start_date.is_some()
            || self.assignee.is_some()
            || self.form.is_some()
            || self.contacts.iter().any(Option::is_some)
    }
}

/// What the form offers: the templates, the chosen one (its groups ask for a contact each) and
/// the staff work can be assigned to.
#[derive(Debug, Clone)]
pub struct WorkFormChoices {
    pub templates: Vec<Template>,
    pub template: Option<Template>,
    pub staff: Vec<StaffMember>,
}

/// A form that was refused: what was wrong and what to offer again.
#[derive(Debug, Clone)]
pub struct RefusedWorkForm {
    pub problems: WorkFormProblems,
    pub choices: WorkFormChoices,
}

impl Docket {
    /// The choices of the new-work form, with `template` (id or name) chosen when given and known.
    /// Only live templates are offered; an archived one named is still found, so that the form
    /// can say it is archived.
    pub fn work_form_choices(&self, template: Option<&str>) -> Result<WorkFormChoices> {
        let mut templates = self.list_templates()?;
        templates.retain(|t| t.archived_at.is_none());
        let template = match template.map(str::trim).filter(|t| !t.is_empty()) {
            Some(t) => match self.find_template(t) {
                Ok(found) => Some(found),
                Err(Error::NotFound { .. }) => None,
                Err(e) => return Err(e),
            },
            None => None,
        };
        // Work goes to members who can act on it: a disabled one is not offered.
        let mut staff: Vec<StaffMember> = self
            .list_users()?
            .into_iter()
            .filter(|u| u.disabled_at.is_none())
            .map(StaffMember::from)
            .collect();
        staff.sort_by_key(|m| m.name.to_lowercase());
        Ok(WorkFormChoices {
            templates,
            template,
            staff,
        })
    }

    /// A new one-time id for a bulk-create form: sent back with the form, it makes its work once.
    pub fn new_bulk_form_id(&self) -> String {
        crate::model::new_id(self.now()).to_string()
    }

    /// Makes a bulk create's work once per form: `form` (the id the page gave it) is recorded,
    /// create-only, in the same batch as the work, so a second sending of the same form — even
    /// after a restart, even at the same moment — makes nothing and says what the first made.
    pub fn create_work_bulk_from_form(
        &self,
        new: NewBulkWork,
        form: &str,
        actor: Actor,
    ) -> Result<BulkFormSent> {
        let key = format!("{BULK_FORM_PREFIX}{form}");
        if let Some(sent) = self.bulk_form_sent(&key)? {
            return Ok(sent);
        }
        let (mut batch, works) = self.bulk_batch(new, &actor)?;
        let first = works.first().map(|w| w.id.to_string()).unwrap_or_default();
        batch.create(
            Tree::Meta,
            key.clone(),
            format!("{} {first}", works.len()).into_bytes(),
            "this form was already sent",
        );
        match self.store.commit(batch) {
            Ok(()) => Ok(BulkFormSent::Made(works)),
            Err(Error::Conflict(why)) => match self.bulk_form_sent(&key)? {
                Some(sent) => Ok(sent),
                None => Err(Error::Conflict(why)),
            },
            Err(e) => Err(e),
        }
    }

    /// Claims a send form's one-time id before it acts: a send cannot share the batch of the
    /// record, so the id is recorded create-only first. `None` when this sending is the first;
    /// otherwise what the first recorded with `record_form_once` (empty while it is still at work).
    pub fn claim_form_once(&self, form: &str) -> Result<Option<String>> {
        let key = format!("{BULK_FORM_PREFIX}{form}");
        let mut batch = crate::store::Batch::default();
        batch.create(
            Tree::Meta,
            key.clone(),
            Vec::new(),
            "this form was already sent",
        );
        match self.store.commit(batch) {
            Ok(()) => Ok(None),
            Err(Error::Conflict(_)) => Ok(Some(
                self.store
                    .get(Tree::Meta, key.as_bytes())?
                    .map(|v| String::from_utf8_lossy(&v).into_owned())
                    .unwrap_or_default(),
            )),
            Err(e) => Err(e),
        }
    }

    /// Records what the first sending of a claimed form did (what a repeat is shown).
    pub fn record_form_once(&self, form: &str, what: &str) -> Result<()> {
        let mut batch = crate::store::Batch::default();
        batch.put(Tree::Meta, format!("{BULK_FORM_PREFIX}{form}"), what);
        self.store.commit(batch)
    }

    /// Frees a claimed form that did nothing (refused), so it can be corrected and sent again.
    pub fn release_form_once(&self, form: &str) -> Result<()> {
        let mut batch = crate::store::Batch::default();
        batch.remove(Tree::Meta, format!("{BULK_FORM_PREFIX}{form}"));
        self.store.commit(batch)
    }

    /// What the bulk form recorded under `key` made, if it was sent.
    fn bulk_form_sent(&self, key: &str) -> Result<Option<BulkFormSent>> {
        let Some(value) = self.store.get(Tree::Meta, key.as_bytes())? else {
            return Ok(None);
        };
        let text = String::from_utf8_lossy(&value);
        let mut words = text.split(' ');
        let count = words.next().and_then(|n| n.parse().ok()).unwrap_or(0);
        let first = words.next().and_then(|id| id.parse().ok());
        Ok(Some(BulkFormSent::Already { count, first }))
    }

    /// Creates work from the form, or says what is wrong with each field and creates nothing.
    pub fn create_work_from_form(
        &self,
        form: WorkForm,
        actor: Actor,
    ) -> Result<std::result::Result<WorkItem, Box<RefusedWorkForm>>> {
        let choices = self.work_form_choices(Some(&form.template))?;
        let mut problems = WorkFormProblems::default();
        let groups = choices.template.as_ref().map_or(0, |t| t.groups.len());
        problems.contacts = vec![None; groups];
        if choices.template.is_none() {
            problems.template = Some(if form.template.trim().is_empty() {
                "Choose a template.".into()
            } else {
                format!("No template is called “{}”.", form.template.trim())
            });
        }
        if let Some(archived) = choices.template.as_ref().and_then(archived_template_notice) {
            problems.template = Some(archived);
            problems.archived_template = choices.template.as_ref().map(|t| t.id);
        }
        let start: Option<NaiveDate> = match form.start_date.trim() {
            "" => {
                problems.start_date = Some("Give a start date, as YYYY-MM-DD.".into());
                None
            }
            text => match crate::dates::date_or_why(text) {
                Ok(d) => Some(d),
                Err(why) => {
                    problems.start_date = Some(format!("Start date: {why}."));
                    None
                }
            },
        };
        if !form.assignee.trim().is_empty()
            && let Err(e) = self.assignee(&form.assignee)
        {
            problems.assignee = Some(e.to_string());
        }
        for (g, slot) in problems.contacts.iter_mut().enumerate() {
            let given = form.contacts.get(g).map(|c| c.trim()).unwrap_or_default();
            if given.is_empty() {
                *slot = Some("Give the contact this group is sent to (an email).".into());
            } else if let Err(e) = self.recipient(given) {
                *slot = Some(e.to_string());
            }
        }
        // A contact for a group the template does not have is refused, next to the last
        // group's contact, rather than dropped.
        let extra: Vec<String> = form
            .contacts
            .iter()
            .enumerate()
            .skip(groups)
            .filter(|(_, c)| !c.trim().is_empty())
            .map(|(n, c)| format!("`contact_{n}` (“{}”)", c.trim()))
            .collect();
        if !extra.is_empty()
            && let Some(last) = problems.contacts.last_mut()
            && last.is_none()
        {
            *last = Some(format!(
                "This template has {groups} group{}, one contact each; the form also gave {}, which belongs to no group. Remove it.",
                if groups == 1 { "" } else { "s" },
                extra.join(" and ")
            ));
        }
        if !problems.any() {
            let template = choices.template.as_ref().map(|t| t.id.to_string());
            let new = NewWork {
                template: template.unwrap_or_default(),
                title: Some(form.title.clone()),
                external_name: Some(form.external_name.clone()),
                start_date: start,
                assignee: Some(form.assignee.clone()),
                contacts: form.contacts[..groups].to_vec(),
            };
            match self.create_work(new, actor) {
                Ok(work) => return Ok(Ok(work)),
                Err(e) if e.field() == Some("start_date") => {
                    problems.start_date = Some(e.to_string());
                }
                Err(e @ (Error::Invalid { .. } | Error::Conflict(_) | Error::Plugin(_))) => {
                    problems.form = Some(e.to_string());
                }
                Err(e) => return Err(e),
            }
        }
        Ok(Err(Box::new(RefusedWorkForm { problems, choices })))
    }
}

/// What the form says of an archived template: that it is, and where it is restored.
pub fn archived_template_notice(template: &Template) -> Option<String> {
    template.archived_at.is_some().then(|| {
        format!(
            "“{}” is archived, so no work is made from it; restore it on its page first, or choose another template.",
            template.name
        )
    })
}
