//! The capability gate of notification hooks: each effect a hook asks for is checked against
//! the capabilities it was granted, then queued until the hook returns.

use super::manifest::Capability;
use super::model::Effect;
use crate::model::url_host;

/// Most effects one event may cause, and most bytes they may carry: a hook cannot flood the
/// outbox.
const MAX_EFFECTS: usize = 32;
const MAX_EFFECT_BYTES: usize = 1 << 20;

/// Why the gate turned an effect down; becomes the WIT `effect-error`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Refusal {
    Denied(String),
    Failed(String),
}

/// One hook call's view of its grants and the effects it queued.
pub(crate) struct HookCtx {
    pub plugin: String,
    pub work_id: String,
    pub granted: Vec<Capability>,
    pub queued: Vec<Effect>,
    bytes: usize,
}

impl HookCtx {
    pub fn new(plugin: &str, work_id: &str, granted: Vec<Capability>) -> HookCtx {
        HookCtx {
            plugin: plugin.to_string(),
            work_id: work_id.to_string(),
            granted,
            queued: Vec::new(),
            bytes: 0,
        }
    }

    fn has(&self, cap: &Capability) -> bool {
        self.granted.contains(cap)
    }

    fn denied(&self, cap: &str) -> Refusal {
        tracing::warn!(plugin = %self.plugin, capability = cap, "plugin asked for an effect it was not granted");
        Refusal::Denied(format!(
            "capability `{cap}` is not granted to plugin `{}`",
            self.plugin
        ))
    }

    fn queue(&mut self, effect: Effect, bytes: usize) -> Result<(), Refusal> {
        if self.queued.len() >= MAX_EFFECTS || self.bytes + bytes > MAX_EFFECT_BYTES {
            return Err(Refusal::Failed(format!(
                "too many effects for one event (at most {MAX_EFFECTS} and {MAX_EFFECT_BYTES} bytes)"
            )));
        }
        self.bytes += bytes;
        self.queued.push(effect);
        Ok(())
    }

    pub fn send_email(&mut self, to: String, subject: String, body: String) -> Result<(), Refusal> {
        if !self.has(&Capability::Email) {
            return Err(self.denied("email"));
        }
        if !to.contains('@') || to.contains(['\n', '\r', ',', ';']) {
            return Err(Refusal::Failed(format!("`{to}` is not one email address")));
        }
        let bytes = to.len() + subject.len() + body.len();
        self.queue(Effect::SendEmail { to, subject, body }, bytes)
    }

    pub fn http_post(
        &mut self,
        url: String,
        content_type: String,
        body: String,
    ) -> Result<(), Refusal> {
        let Some(host) = url_host(&url) else {
            return Err(Refusal::Failed(format!(
                "`{url}` is not an http:// or https:// URL with a host"
            )));
        };
        if !self.has(&Capability::Http(host.clone())) {
            return Err(self.denied(&format!("http:{host}")));
        }
        let bytes = url.len() + content_type.len() + body.len();
        self.queue(
            Effect::HttpPost {
                url,
                content_type,
                body,
            },
            bytes,
        )
    }

    pub fn set_work_status(&mut self, status: String) -> Result<(), Refusal> {
        if !self.has(&Capability::SetStatus) {
            return Err(self.denied("set-status"));
        }
        let work_id = self.work_id.clone();
        let bytes = status.len();
        self.queue(Effect::SetWorkStatus { work_id, status }, bytes)
    }

    pub fn notify_staff(&mut self, message: String) -> Result<(), Refusal> {
        if !self.has(&Capability::NotifyStaff) {
            return Err(self.denied("notify-staff"));
        }
        let work_id = self.work_id.clone();
        let bytes = message.len();
        self.queue(Effect::NotifyStaff { work_id, message }, bytes)
    }

    /// Logging happens at once (it is harmless and most useful when the hook fails later).
    pub fn log(&mut self, level: tracing::Level, message: &str) -> Result<(), Refusal> {
        if !self.has(&Capability::Log) {
            return Err(self.denied("log"));
        }
        let plugin = self.plugin.as_str();
        match level {
            tracing::Level::ERROR => tracing::error!(plugin, "{message}"),
            tracing::Level::WARN => tracing::warn!(plugin, "{message}"),
            tracing::Level::INFO => tracing::info!(plugin, "{message}"),
            _ => tracing::debug!(plugin, "{message}"),
        }
        Ok(())
    }
}

#[cfg(test)]
#[path = "effects_tests.rs"]
mod tests;
