//! `Docket`: the engine's front door. Every operation the web side or the CLI performs is a method
//! here; each reads what it needs, checks the rules, and commits its changes (records, indexes and
//! timeline events) in one atomic batch.

mod client;
mod contacts;
mod files;
mod plugins;
mod replies;
mod sending;
mod served;
mod settings;
mod staff;
mod templates;
#[cfg(test)]
mod test_firm;
mod timeline;
mod upgrades;
mod work;

use std::sync::{Arc, Mutex, RwLock};

use crate::config::FirmConfig;
use crate::model::FirmSettings;
use crate::plugin::PluginHost;
use crate::store::{Batch, Store, Tree, decode, encode};
use crate::{Clock, Error, Result};

pub use client::account::{
    ACCOUNT_LIST_LIMIT, ACCOUNT_SESSION_LIFETIME, Account, AccountItem, SIGN_IN_LINK_LIFETIME,
    SIGN_INS_PER_ADDRESS_PER_HOUR, SIGN_INS_PER_CONTACT_PER_DAY, SignInLinkState, SignInRequest,
};
pub use client::{ACCESS_AFTER_REMINDER, ACCESS_AFTER_SEND};
pub use client::{
    Asker, Checklist, ChecklistComment, ChecklistTask, ClientSession, Landing, LandingState,
    LinkProof, NEW_LINKS_PER_ADDRESS_PER_HOUR, NEW_LINKS_PER_CONTACT_PER_DAY,
    NEW_LINKS_PER_GROUP_PER_HOUR, NEW_LINKS_PER_PROOF_PER_HOUR, NewLink, NoSession, Opened,
    new_secret, secret_hash,
};
pub use contacts::edits::{BoundDevice, CONTACT_SEARCH_LIMIT, PortalState, contact_field_problems};
pub(crate) use files::{file_released, release_file_ref};
pub use plugins::{GrantsChange, PluginsServed, stored_plugin_grants};
pub use replies::{
    AutoReply, GroupChoice, GroupPick, ReadReply, Received, ReplyAttachment, ReplyChoices,
    SENDER_CHOICES, UNMATCHED_PAGE, WorkChoice, new_text, read_reply,
};
pub use sending::audit::{ScheduleAudit, ScheduleRepair, audit_schedule};
pub use sending::hooks::{WEBHOOK_ATTEMPTS, WebhookOutcome};
pub use sending::outbox::{Delivery, FIRST_BACKOFF, GIVE_UP_AFTER, MAX_BACKOFF};
pub use sending::pause::{pause_sending_in, pause_text};
pub use sending::plan::HeldReminder;
pub use sending::scheduler::{TICK_LIMIT, TickReport};
pub use sending::stuck::STUCK_KIND;
pub use served::{ServedClock, served_clock};
pub use settings::{MAX_LOGO_BYTES, SETTINGS_KEYS, SettingsChange, SettingsError, pinned_message};
pub use staff::inbox::{INBOX_PAGE, Inbox, UNREAD_COUNT_CAP};
pub use staff::members::{MAX_PASSWORD_LEN, MIN_PASSWORD_LEN, NewUser};
pub use staff::membership::{INVITE_LIFETIME, NewInvite, invite_field_problems};
pub use staff::setup::{FirstSetup, SETUP_LIFETIME, SetupRefusal};
pub use staff::sign_in::{
    Member, PasswordChange, STAFF_SESSION_IDLE, STAFF_SESSION_LIFETIME, StaffSignIn,
};
pub use staff::throttle::{
    ACCOUNT_BACKOFF, ADDRESS_BACKOFF, Backoff, FAILURES_FORGOTTEN_AFTER, KNOWN_ADDRESS_FOR,
    wait_in_words,
};
pub use staff::tokens::token_name_problem;
pub use templates::TemplateEdit;
pub use templates::hold::HeldOver;
pub use templates::preview::{
    CalendarPreview, GroupPreview, Hold, HoldReason, PreviewReminder, TemplatePreview,
    preview_calendar,
};
pub use upgrades::UPGRADES;
pub use work::GroupSettings;
pub use work::actions::{
    MAX_WORK_NAME_CHARS, TaskChange, WorkDetails, params_text, plugin_from_text,
};
pub use work::activity::{ActiveClient, ActivityKind, ActivityLine};
pub use work::desk::{
    GroupPeople, OPEN_STATUSES, OPEN_WORK_PER_STATUS, OpenWork, WORK_TIMELINE_LIMIT, WorkLine,
    WorkListPage, WorkSummary,
};
pub use work::exchange::{
    CommentReach, MAX_COMMENT_CHARS, MAX_UPLOAD_BYTES, NewUpload, PostedComment, UploadDetails,
};
pub use work::form::{
    BulkFormSent, RefusedWorkForm, WorkForm, WorkFormChoices, WorkFormProblems,
    archived_template_notice,
};
pub use work::list::{
    WorkFilter, WorkListQuery, WorkSort, needs_attention, next_due, parse_date, work_list_keys,
    yes_or_no,
};
pub use work::repeat::{REPEAT_STOPPED_KIND, REPEAT_UNASSIGNED_KIND, REPEATS_PER_TICK};
pub use work::repeat_rule::{
    DEFAULT_TITLE as DEFAULT_REPEAT_TITLE, SHOWN_OCCURRENCES, TITLE_PLACEHOLDERS,
};
pub(crate) use work::repeat_rule::{
    due_key as repeat_due_key, parse_due_key as parse_repeat_due_key,
};
pub use work::search::{SEARCH_LIMIT, SearchResults};
pub use work::{
    BULK_PLACEHOLDERS, DEFAULT_BULK_EXTERNAL_NAME, DEFAULT_BULK_TITLE, MAX_BULK_CONTACTS,
    UploadReview, review_state, standing_decision, upload_review,
};
pub(crate) use work::{contact_key, status_key};

const FIRM_SETTINGS_KEY: &[u8] = b"firm_settings";
/// How long a group whose plugin fails waits before it is asked again, the first time.
pub const PLUGIN_RETRY_FIRST: chrono::Duration = chrono::Duration::minutes(1);
/// The longest such wait: each failure in a row doubles it up to this.
pub const PLUGIN_RETRY_LONGEST: chrono::Duration = chrono::Duration::hours(1);

/// How many times a read-modify-write is retried when another writer got there first.
const RETRIES: usize = 5;

/// A handle on one firm's data. Cheap to clone; share it between tasks.
#[derive(Clone)]
pub struct Docket {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    /// The plugins templates may name; without a host, plugin names go unchecked and nothing is
    /// scheduled (unit tests).
    plugins: Option<Arc<PluginHost>>,
    sending: Arc<SendingState>,
    /// Largest upload accepted, in bytes (`server.max_upload_mib`).
    max_upload: u64,
    /// What clients may upload to a work item, and how fast.
    upload_quota: crate::config::UploadQuota,
    /// The firm's reply address (`[inbound] reply_address`), split at the `@`: emails to
    /// clients carry `LOCAL+TOKEN@DOMAIN` as Reply-To (`replies/`).
    reply_address: Option<(String, String)>,
    /// Whether a reply mailbox is read (`[inbound] imap_host`).
    reply_mailbox: bool,
}

/// How far replies by email are set up, for the Replies page and the API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RepliesByEmail {
    /// No `[inbound]`: emails carry no reply address.
    NotSetUp,
    /// A reply address but no mailbox (`imap_host`): replies are not read.
    NotRead,
    /// The mailbox is read.
    Read,
    /// A mailbox is configured but Docket cannot read it now (cannot reach it, the login is
    /// refused): the mailbox's `error` says why; Docket keeps trying.
    Failing,
}

/// How sending behaves, and what the scheduler caches.
pub(crate) struct SendingState {
    /// Staff comments wait this long after the last of a burst.
    pub digest_delay: chrono::Duration,
    /// A group whose plugin fails is asked again after this long, then twice as long each
    /// time, up to `retry_longest`.
    pub retry_first: chrono::Duration,
    pub retry_longest: chrono::Duration,
    /// The firm's send schedule, parsed, with the text it was parsed from.
    pub schedule: Mutex<Option<(String, crate::schedule::SendSchedule)>>,
    /// The firm's settings as last read or written.
    pub settings: RwLock<Option<FirmSettings>>,
    /// The `[firm]` keys the configuration sets (`settings.rs`).
    pub pinned: RwLock<Vec<String>>,
}

impl Docket {
    /// Opens the engine over `store`. On an empty store, the firm's settings are seeded from
    /// `firm` and `base_url`.
    pub fn open(
        store: Arc<dyn Store>,
        clock: Arc<dyn Clock>,
        firm: &FirmConfig,
        base_url: &str,
    ) -> Result<Self> {
        let docket = Self {
            store,
            clock,
            plugins: None,
            max_upload: MAX_UPLOAD_BYTES as u64,
            upload_quota: crate::config::UploadQuota::default(),
            reply_address: None,
            reply_mailbox: false,
            sending: Arc::new(SendingState {
                digest_delay: chrono::Duration::minutes(10),
                retry_first: PLUGIN_RETRY_FIRST,
                retry_longest: PLUGIN_RETRY_LONGEST,
                schedule: Mutex::new(None),
                settings: RwLock::new(None),
                pinned: RwLock::new(Vec::new()),
            }),
        };
        if docket.store.get(Tree::Meta, FIRM_SETTINGS_KEY)?.is_none() {
            let settings = FirmSettings {
                name: firm.name.clone(),
                logo_url: firm.logo_url.clone(),
                timezone: firm.tz(),
                send_time: firm.send_time(),
                base_url: base_url.to_string(),
                holidays: firm.holidays(),
                send_schedule: firm.send_schedule(),
                sub_statuses: firm.sub_statuses.clone(),
                locale: firm.locale(),
            };
            let mut batch = Batch::default();
            batch.create(
                Tree::Meta,
                FIRM_SETTINGS_KEY,
                encode(&settings),
                "firm settings already exist",
            );
            match docket.store.commit(batch) {
                Ok(()) | Err(Error::Conflict(_)) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(docket)
    }

    /// Gives the engine its plugin host, so templates are checked against the plugins that
    /// exist, and hands the host the grants admins made (`plugin_grants.rs`).
    pub fn with_plugins(mut self, plugins: Arc<PluginHost>) -> Self {
        self.plugins = Some(plugins);
        self.apply_plugin_grants();
        self
    }

    /// Sets the largest upload accepted, in bytes.
    pub fn with_max_upload(mut self, bytes: u64) -> Self {
        self.max_upload = bytes;
        self
    }

    /// Sets what clients may upload to a work item, and how fast.
    pub fn with_upload_quota(mut self, quota: crate::config::UploadQuota) -> Self {
        self.upload_quota = quota;
        self
    }

    /// Sets the firm's reply address (`[inbound] reply_address`, checked at load): every email
    /// to a client then carries a reply address of its group's. None: emails carry none.
    pub fn with_reply_address(mut self, address: Option<&str>) -> Self {
        self.reply_address = address
            .and_then(|a| a.rsplit_once('@'))
            .map(|(l, d)| (l.to_string(), d.to_string()));
        self
    }

    /// Says whether a reply mailbox is read (`[inbound] imap_host` is set).
    pub fn with_reply_mailbox(mut self, read: bool) -> Self {
        self.reply_mailbox = read;
        self
    }

    /// Whether the mailbox's last attempt failed; a store that cannot be read says no, the
    /// mailbox's own state being unknown then.
    fn reply_mailbox_failing(&self) -> bool {
        self.inbound_status()
            .ok()
            .flatten()
            .is_some_and(|s| s.failing_since.is_some())
    }

    /// How far replies by email are set up, and whether the mailbox can be read now.
    pub fn replies_by_email(&self) -> RepliesByEmail {
        match (&self.reply_address, self.reply_mailbox) {
            (None, _) => RepliesByEmail::NotSetUp,
            (Some(_), false) => RepliesByEmail::NotRead,
            (Some(_), true) if self.reply_mailbox_failing() => RepliesByEmail::Failing,
            (Some(_), true) => RepliesByEmail::Read,
        }
    }

    /// The firm's reply address (`[inbound] reply_address`), when replies by email are set up.
    pub fn reply_address(&self) -> Option<String> {
        self.reply_address
            .as_ref()
            .map(|(local, domain)| format!("{local}@{domain}"))
    }

    /// What clients may upload to a work item, and how fast.
    pub fn upload_quota(&self) -> crate::config::UploadQuota {
        self.upload_quota
    }

    /// The largest upload accepted, in bytes.
    pub fn max_upload(&self) -> u64 {
        self.max_upload
    }

    /// Sets how long staff comments wait for more before they are emailed as one.
    pub fn with_comment_digest_delay(mut self, delay: chrono::Duration) -> Self {
        self.sending = Arc::new(SendingState {
            digest_delay: delay,
            retry_first: self.sending.retry_first,
            retry_longest: self.sending.retry_longest,
            schedule: Mutex::new(None),
            settings: RwLock::new(None),
            pinned: RwLock::new(self.pinned_settings()),
        });
        self
    }

    /// Sets how long a group whose plugin fails waits before the first retry, and the longest
    /// wait the doubling reaches (tests and benchmarks shorten them).
    pub fn with_plugin_retry(mut self, first: chrono::Duration, longest: chrono::Duration) -> Self {
        self.sending = Arc::new(SendingState {
            digest_delay: self.sending.digest_delay,
            retry_first: first,
            retry_longest: longest,
            schedule: Mutex::new(None),
            settings: RwLock::new(None),
            pinned: RwLock::new(self.pinned_settings()),
        });
        self
    }

    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }

    pub fn plugins(&self) -> Option<&Arc<PluginHost>> {
        self.plugins.as_ref()
    }

    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.clock.now()
    }

    /// The firm's settings; read from the store once, then from memory (every email and every
    /// plan reads them, and only `update_firm_settings` changes them). A store other servers
    /// share is read every time: another server may have changed them.
    pub fn firm_settings(&self) -> Result<FirmSettings> {
        if !self.store.shared()
            && let Some(settings) = self
                .sending
                .settings
                .read()
                .unwrap_or_else(|e| e.into_inner())
                .as_ref()
        {
            return Ok(settings.clone());
        }
        let bytes = self
            .store
            .get(Tree::Meta, FIRM_SETTINGS_KEY)?
            .ok_or_else(|| {
                Error::Storage("firm settings are missing from the data folder".into())
            })?;
        let settings: FirmSettings = decode(&bytes)?;
        *self
            .sending
            .settings
            .write()
            .unwrap_or_else(|e| e.into_inner()) = Some(settings.clone());
        Ok(settings)
    }

    /// Applies to the stored settings what the configuration says now: `server.base_url`
    /// always (links must point where the server is), and each `[firm]` key the file or the
    /// environment sets. Returns a line per change, for the log.
    pub fn apply_config(&self, firm: &FirmConfig, base_url: &str) -> Result<Vec<String>> {
        self.pin_settings(&firm.explicit);
        let mut settings = self.firm_settings()?;
        let mut changes = Vec::new();
        let mut set = |key: &str, changed: bool| {
            if changed {
                changes.push(format!("{key} now comes from the configuration"));
            }
        };
        if settings.base_url != base_url {
            // An uploaded logo is served here: its address moves with the server's.
            let uploaded = format!("{}/firm/logo?v=", settings.base_url.trim_end_matches('/'));
            if let Some(version) = settings
                .logo_url
                .as_deref()
                .and_then(|url| url.strip_prefix(&uploaded))
            {
                let moved = format!("{}/firm/logo?v={version}", base_url.trim_end_matches('/'));
                settings.logo_url = Some(moved);
            }
            settings.base_url = base_url.to_string();
            set("server.base_url", true);
        }
        for key in &firm.explicit {
            match key.as_str() {
                "name" => {
                    set("firm.name", settings.name != firm.name);
                    settings.name = firm.name.clone();
                }
                "logo_url" => {
                    set("firm.logo_url", settings.logo_url != firm.logo_url);
                    settings.logo_url = firm.logo_url.clone();
                }
                "timezone" => {
                    set("firm.timezone", settings.timezone != firm.tz());
                    settings.timezone = firm.tz();
                }
                "send_time" => {
                    set("firm.send_time", settings.send_time != firm.send_time());
                    settings.send_time = firm.send_time();
                }
                "holidays" => {
                    set("firm.holidays", settings.holidays != firm.holidays());
                    settings.holidays = firm.holidays();
                }
                "send_schedule" => {
                    set(
                        "firm.send_schedule",
                        settings.send_schedule != firm.send_schedule(),
                    );
                    settings.send_schedule = firm.send_schedule();
                }
                "locale" => {
                    set("firm.locale", settings.locale != firm.locale());
                    settings.locale = firm.locale();
                }
                "sub_statuses" => {
                    set(
                        "firm.sub_statuses",
                        settings.sub_statuses != firm.sub_statuses,
                    );
                    settings.sub_statuses = firm.sub_statuses.clone();
                }
                _ => {}
            }
        }
        if let Some(expr) = &settings.send_schedule
            && let Ok(schedule) = crate::schedule::SendSchedule::parse(expr)
            && let Some(problem) = schedule.send_time_problem(settings.send_time)
        {
            let from = |key: &str| {
                if firm.explicit.iter().any(|k| k == key) {
                    format!("`firm.{key}` in the configuration")
                } else {
                    format!("`{key}` in the stored settings")
                }
            };
            return Err(Error::invalid(format!(
                "{} and {} disagree: {problem}",
                from("send_time"),
                from("send_schedule")
            )));
        }
        if !changes.is_empty() {
            self.update_firm_settings(&settings)?;
        }
        Ok(changes)
    }

    pub fn update_firm_settings(&self, settings: &FirmSettings) -> Result<()> {
        self.commit_settings(Batch::default(), settings)
    }

    /// Commits `batch` with `settings` written in it, and caches them.
    pub(crate) fn commit_settings(&self, mut batch: Batch, settings: &FirmSettings) -> Result<()> {
        if settings.name.trim().is_empty() {
            return Err(Error::invalid_field("name", "the firm needs a name"));
        }
        if sending::replan::calendar_changed(&self.firm_settings()?, settings) {
            sending::replan::mark_replan(&mut batch);
        }
        batch.put(Tree::Meta, FIRM_SETTINGS_KEY, encode(settings));
        let mut cached = self
            .sending
            .settings
            .write()
            .unwrap_or_else(|e| e.into_inner());
        self.store.commit(batch)?;
        *cached = Some(settings.clone());
        Ok(())
    }

    /// True when no template, contact or work item exists yet (a fresh data folder).
    pub fn is_empty(&self) -> Result<bool> {
        for tree in [Tree::Templates, Tree::Contacts, Tree::Work, Tree::Users] {
            if self.store.len(tree)? > 0 {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// Runs `attempt` again while it fails on a concurrent change.
    fn retrying<T>(&self, mut attempt: impl FnMut() -> Result<T>) -> Result<T> {
        let mut tries = 0;
        loop {
            match attempt() {
                Err(Error::Conflict(m))
                    if m == crate::store::CHANGED_CONCURRENTLY && tries < RETRIES =>
                {
                    tries += 1
                }
                other => return other,
            }
        }
    }
}

#[cfg(test)]
pub(crate) mod test_support {
    use std::sync::Arc;

    use chrono::DateTime;

    use super::Docket;
    use crate::ManualClock;
    use crate::config::FirmConfig;
    use crate::store::MemoryStore;

    pub fn docket_at(now: &str) -> (Docket, Arc<ManualClock>) {
        let clock = Arc::new(ManualClock::new(
            DateTime::parse_from_rfc3339(now).unwrap().to_utc(),
        ));
        let docket = Docket::open(
            Arc::new(MemoryStore::new()),
            clock.clone(),
            &FirmConfig::default(),
            "http://localhost:8080",
        )
        .unwrap();
        (docket, clock)
    }
}
