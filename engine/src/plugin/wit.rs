//! The one place that knows the WIT: `bindgen!` for the three worlds of `docket:plugin@0.1.0`
//! and the conversions between their types and the host's plain Rust types.

use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, Offset, TimeZone, Timelike, Utc};
use chrono_tz::Tz;
use wasmtime::component::{HasSelf, Linker};

use super::effects::Refusal;
use super::error::{PluginError, one_line};
use super::model::{
    BatchAnswer, BatchColumns, FirmCalendar, GroupState, HookEvent, HookEventKind, Params,
    SendRequest,
};
use super::runtime::CallState;

pub(crate) mod reminder_world {
    wasmtime::component::bindgen!({
        world: "reminder-policy",
        path: "../wit",
    });
}

pub(crate) mod sending_world {
    wasmtime::component::bindgen!({
        world: "sending-rule",
        path: "../wit",
        with: { "docket:plugin/types": super::reminder_world::docket::plugin::types },
    });
}

pub(crate) mod hook_world {
    wasmtime::component::bindgen!({
        world: "notification-hook",
        path: "../wit",
        with: { "docket:plugin/types": super::reminder_world::docket::plugin::types },
    });
}

pub(crate) use hook_world::NotificationHookPre;
pub(crate) use reminder_world::docket::plugin::types as wit_types;
pub(crate) use reminder_world::exports::docket::plugin::reminder as wit_reminder;
pub(crate) use reminder_world::{ReminderPolicy, ReminderPolicyPre};
pub(crate) use sending_world::SendingRulePre;
pub(crate) use sending_world::exports::docket::plugin::sending as wit_sending;

use hook_world::docket::plugin::effects as wit_effects;
use hook_world::exports::docket::plugin::hook as wit_hook;

/// The linker of each world: WASI with no capabilities, plus the effects for hooks.
pub(crate) fn linker(
    engine: &wasmtime::Engine,
    world: super::World,
) -> wasmtime::Result<Linker<CallState>> {
    let mut linker = Linker::new(engine);
    wasmtime_wasi::p2::add_to_linker_sync(&mut linker)?;
    if world == super::World::NotificationHook {
        wit_effects::add_to_linker::<CallState, HasSelf<CallState>>(&mut linker, |s| s)?;
    }
    Ok(linker)
}

const UNIX_EPOCH_DAYS_FROM_CE: i32 = 719_163;

/// A date as a WIT `day`.
pub(crate) fn day(date: NaiveDate) -> i32 {
    date.num_days_from_ce() - UNIX_EPOCH_DAYS_FROM_CE
}

/// A WIT `day` as a date, if chrono can represent it.
pub(crate) fn date(day: i32) -> Option<NaiveDate> {
    NaiveDate::from_num_days_from_ce_opt(day.checked_add(UNIX_EPOCH_DAYS_FROM_CE)?)
}

fn minute_of_day(time: NaiveTime) -> u16 {
    (time.hour() * 60 + time.minute()) as u16
}

/// An instant with its local reading in `tz`: one offset lookup and integer arithmetic. A WIT
/// `day` counts days like Unix time counts seconds, so no civil date is needed on the way.
pub(crate) fn moment(tz: Tz, at: DateTime<Utc>) -> wit_types::Moment {
    let offset = tz
        .offset_from_utc_datetime(&at.naive_utc())
        .fix()
        .local_minus_utc();
    let local = at.timestamp() + i64::from(offset);
    wit_types::Moment {
        at: at.timestamp(),
        // Within chrono's range of years the day count fits an i32 many times over.
        day: local.div_euclid(86_400) as i32,
        minute: (local.rem_euclid(86_400) / 60) as u16,
    }
}

/// A WIT `local-time` as an instant in `tz`, or a description of what is wrong with it. On an
/// autumn overlap the earlier instant is taken unless it is not after `after` (the sending or
/// last reminder), so a reminder at 01:30 on the night clocks go back is not dropped.
pub(crate) fn local_time(
    tz: Tz,
    at: wit_types::LocalTime,
    after: DateTime<Utc>,
) -> Result<DateTime<Utc>, String> {
    resolve(tz, at).map(|r| r.pick(after))
}

/// The instants a local time stands for: one, or two on an autumn overlap.
#[derive(Debug, Clone, Copy)]
enum Resolved {
    One(DateTime<Utc>),
    Two(DateTime<Utc>, DateTime<Utc>),
}

impl Resolved {
    fn pick(self, after: DateTime<Utc>) -> DateTime<Utc> {
        match self {
            Resolved::One(at) => at,
            Resolved::Two(early, _) if early > after => early,
            Resolved::Two(_, late) => late,
        }
    }
}

fn resolve(tz: Tz, at: wit_types::LocalTime) -> Result<Resolved, String> {
    let date = date(at.day).ok_or_else(|| format!("day {} is out of range", at.day))?;
    if at.minute >= 24 * 60 {
        return Err(format!("minute {} is past the end of the day", at.minute));
    }
    let time = NaiveTime::from_hms_opt(u32::from(at.minute / 60), u32::from(at.minute % 60), 0)
        .ok_or_else(|| format!("minute {} is not a time of day", at.minute))?;
    let local = date.and_time(time);
    Ok(match tz.from_local_datetime(&local) {
        chrono::LocalResult::Single(at) => Resolved::One(at.with_timezone(&Utc)),
        chrono::LocalResult::Ambiguous(early, late) => {
            Resolved::Two(early.with_timezone(&Utc), late.with_timezone(&Utc))
        }
        chrono::LocalResult::None => Resolved::One(crate::due::local_instant(date, time, tz)),
    })
}

/// The local times of one batch's answers turned into instants, each distinct local time once:
/// a batch's reminders fall on a few dozen days at the same send time, and the zone lookup is
/// most of the cost of turning a local time into an instant. A small direct-mapped table keyed
/// by day keeps the answers; it is exact, since the same local time always resolves alike.
pub(crate) struct LocalTimes {
    tz: Tz,
    slots: Vec<Option<(i32, u16, Resolved)>>,
}

impl LocalTimes {
    const SLOTS: usize = 128;

    pub fn new(tz: Tz) -> LocalTimes {
        LocalTimes {
            tz,
            slots: vec![None; Self::SLOTS],
        }
    }

    /// [`local_time`], remembered.
    pub fn instant(
        &mut self,
        at: wit_types::LocalTime,
        after: DateTime<Utc>,
    ) -> Result<DateTime<Utc>, String> {
        let slot = &mut self.slots[at.day.rem_euclid(Self::SLOTS as i32) as usize];
        if let Some((day, minute, resolved)) = *slot
            && day == at.day
            && minute == at.minute
        {
            return Ok(resolved.pick(after));
        }
        let resolved = resolve(self.tz, at)?;
        *slot = Some((at.day, at.minute, resolved));
        Ok(resolved.pick(after))
    }
}

pub(crate) fn calendar(cal: &FirmCalendar, now: DateTime<Utc>) -> wit_types::Calendar {
    let mut holidays: Vec<i32> = cal.holidays.iter().map(|d| day(*d)).collect();
    holidays.sort_unstable();
    wit_types::Calendar {
        timezone: cal.tz.name().to_string(),
        send_time: minute_of_day(cal.send_time),
        now: moment(cal.tz, now),
        holidays,
    }
}

pub(crate) fn params(params: &Params) -> Vec<wit_types::Param> {
    params
        .iter()
        .map(|(name, value)| wit_types::Param {
            name: name.clone(),
            value: value.clone(),
        })
        .collect()
}

fn task(t: &super::model::TaskState) -> wit_reminder::Task {
    wit_reminder::Task {
        due: day(t.due),
        done: t.done,
        reminders_sent: t.reminders_sent,
    }
}

pub(crate) fn group(tz: Tz, g: &GroupState) -> wit_reminder::Group {
    wit_reminder::Group {
        sent: moment(tz, g.sent_at),
        last_reminder: g.last_reminder_at.map(|at| moment(tz, at)),
        tasks: g.tasks.iter().map(task).collect(),
    }
}

/// Groups as the group and task columns of a batch call: one pass, one zone lookup per
/// instant, every column a list of numbers so that it crosses the boundary in one copy.
pub(crate) fn batch(
    tz: Tz,
    groups: &[GroupState],
) -> Result<(wit_reminder::GroupColumns, wit_reminder::TaskColumns), PluginError> {
    let total: usize = groups.iter().map(|g| g.tasks.len()).sum();
    if u32::try_from(total).is_err() {
        return Err(PluginError::BadInput(
            "a batch holds at most 4 billion tasks".into(),
        ));
    }
    let n = groups.len();
    let mut columns = wit_reminder::GroupColumns {
        sent_at: Vec::with_capacity(n),
        sent_day: Vec::with_capacity(n),
        sent_minute: Vec::with_capacity(n),
        reminded: Vec::with_capacity(n),
        last_reminder_at: Vec::with_capacity(n),
        last_reminder_day: Vec::with_capacity(n),
        last_reminder_minute: Vec::with_capacity(n),
        task_count: Vec::with_capacity(n),
    };
    let mut tasks = wit_reminder::TaskColumns {
        due: Vec::with_capacity(total),
        done: Vec::with_capacity(total),
        reminders_sent: Vec::with_capacity(total),
    };
    for g in groups {
        let sent = moment(tz, g.sent_at);
        // Without a last reminder the sending stands in for it, as the WIT says.
        let last = g.last_reminder_at.map_or(sent, |at| moment(tz, at));
        columns.sent_at.push(sent.at);
        columns.sent_day.push(sent.day);
        columns.sent_minute.push(sent.minute);
        columns
            .reminded
            .push(u8::from(g.last_reminder_at.is_some()));
        columns.last_reminder_at.push(last.at);
        columns.last_reminder_day.push(last.day);
        columns.last_reminder_minute.push(last.minute);
        columns.task_count.push(g.tasks.len() as u32);
        for t in &g.tasks {
            tasks.due.push(day(t.due));
            tasks.done.push(u8::from(t.done));
            tasks.reminders_sent.push(t.reminders_sent);
        }
    }
    Ok((columns, tasks))
}

/// A batch's columns as the plain slices native code reads (see `calls::native_reminders`).
pub(crate) fn batch_columns<'a>(
    send_time: u16,
    groups: &'a wit_reminder::GroupColumns,
    tasks: &'a wit_reminder::TaskColumns,
) -> BatchColumns<'a> {
    BatchColumns {
        send_time,
        sent_at: &groups.sent_at,
        sent_day: &groups.sent_day,
        sent_minute: &groups.sent_minute,
        reminded: &groups.reminded,
        last_reminder_at: &groups.last_reminder_at,
        last_reminder_day: &groups.last_reminder_day,
        last_reminder_minute: &groups.last_reminder_minute,
        task_count: &groups.task_count,
        due: &tasks.due,
        done: &tasks.done,
        reminders_sent: &tasks.reminders_sent,
    }
}

/// A plugin's answer to a batch as the host's plain columns; the vectors are moved, not copied.
pub(crate) fn batch_answer(d: wit_reminder::BatchDecision) -> BatchAnswer {
    BatchAnswer {
        covered_count: d.covered_count,
        day: d.day,
        minute: d.minute,
        covered: d.covered,
    }
}

pub(crate) fn send_request(r: &SendRequest) -> wit_sending::SendRequest {
    wit_sending::SendRequest {
        start: day(r.start),
        first_due: r.first_due.map(day),
        task_count: r.task_count,
    }
}

pub(crate) fn event(e: &HookEvent) -> wit_hook::Event {
    use wit_hook::EventKind as K;
    let kind = match &e.kind {
        HookEventKind::TaskCompleted { title } => K::TaskCompleted(title.clone()),
        HookEventKind::AllTasksCompleted => K::AllTasksCompleted,
        HookEventKind::UploadReceived { file_name } => K::UploadReceived(file_name.clone()),
        HookEventKind::CommentAdded { text } => K::CommentAdded(text.clone()),
        HookEventKind::ReminderLimitReached { title } => K::ReminderLimitReached(title.clone()),
        HookEventKind::SendFailed { reason } => K::SendFailed(reason.clone()),
    };
    wit_hook::Event {
        kind,
        at: e.at.timestamp(),
        work_id: e.work_id.clone(),
        work_title: e.work_title.clone(),
        group_name: e.group_name.clone(),
        contact_email: e.contact_email.clone(),
        staff_emails: e.staff_emails.clone(),
    }
}

/// A plugin's own error as the host's.
pub(crate) fn refused(plugin: &str, error: wit_types::PluginError) -> PluginError {
    let reason = match error {
        wit_types::PluginError::BadParam(why) => format!("bad parameter: {}", one_line(why)),
        wit_types::PluginError::BadInput(why) => one_line(why),
    };
    let err = PluginError::Refused {
        plugin: plugin.to_string(),
        reason,
    };
    tracing::warn!(plugin, error = %err, "plugin refused its input");
    err
}

fn effect_result(result: Result<(), Refusal>) -> Result<(), wit_effects::EffectError> {
    result.map_err(|r| match r {
        Refusal::Denied(why) => wit_effects::EffectError::Denied(why),
        Refusal::Failed(why) => wit_effects::EffectError::Failed(why),
    })
}

/// A store without a hook context has no effects at all; only hook calls set one.
fn no_hook() -> Result<(), wit_effects::EffectError> {
    Err(wit_effects::EffectError::Denied(
        "no effects outside a hook call".into(),
    ))
}

impl wit_effects::Host for CallState {
    fn send_email(
        &mut self,
        to: String,
        subject: String,
        body: String,
    ) -> Result<(), wit_effects::EffectError> {
        match self.hook.as_mut() {
            Some(hook) => effect_result(hook.send_email(to, subject, body)),
            None => no_hook(),
        }
    }

    fn http_post(
        &mut self,
        url: String,
        content_type: String,
        body: String,
    ) -> Result<(), wit_effects::EffectError> {
        match self.hook.as_mut() {
            Some(hook) => effect_result(hook.http_post(url, content_type, body)),
            None => no_hook(),
        }
    }

    fn set_work_status(&mut self, status: String) -> Result<(), wit_effects::EffectError> {
        match self.hook.as_mut() {
            Some(hook) => effect_result(hook.set_work_status(status)),
            None => no_hook(),
        }
    }

    fn notify_staff(&mut self, message: String) -> Result<(), wit_effects::EffectError> {
        match self.hook.as_mut() {
            Some(hook) => effect_result(hook.notify_staff(message)),
            None => no_hook(),
        }
    }

    fn log(
        &mut self,
        level: wit_effects::Level,
        message: String,
    ) -> Result<(), wit_effects::EffectError> {
        let level = match level {
            wit_effects::Level::Debug => tracing::Level::DEBUG,
            wit_effects::Level::Info => tracing::Level::INFO,
            wit_effects::Level::Warn => tracing::Level::WARN,
            wit_effects::Level::Error => tracing::Level::ERROR,
        };
        match self.hook.as_mut() {
            Some(hook) => effect_result(hook.log(level, &message)),
            None => no_hook(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moments_and_remembered_local_times_agree_with_chrono() {
        for zone in [
            "Europe/London",
            "America/St_Johns",
            "Asia/Kolkata",
            "Pacific/Chatham",
        ] {
            let tz: Tz = zone.parse().unwrap();
            let mut remembered = LocalTimes::new(tz);
            // Every 7 hours and 13 minutes for three years: across each zone's changes.
            let start = Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap();
            for step in 0..3700 {
                let at = start + chrono::Duration::minutes(step * 433);
                let local = at.with_timezone(&tz);
                let m = moment(tz, at);
                assert_eq!(m.day, day(local.date_naive()), "{zone} {at}");
                assert_eq!(m.minute, minute_of_day(local.time()), "{zone} {at}");
                let back = wit_types::LocalTime {
                    day: m.day,
                    minute: m.minute,
                };
                let after = at - chrono::Duration::hours(3);
                assert_eq!(
                    remembered.instant(back, after),
                    local_time(tz, back, after),
                    "{zone} {at}"
                );
            }
        }
    }

    #[test]
    fn local_times_across_daylight_saving() {
        let tz: Tz = "Europe/London".parse().unwrap();
        let at = |y, m, d, h, min| {
            let date = NaiveDate::from_ymd_opt(y, m, d).unwrap();
            crate::due::local_instant(date, NaiveTime::from_hms_opt(h, min, 0).unwrap(), tz)
                .to_rfc3339()
        };
        // Winter (GMT), summer (BST), the spring-forward gap and the autumn overlap.
        assert_eq!(at(2026, 1, 15, 9, 0), "2026-01-15T09:00:00+00:00");
        assert_eq!(at(2026, 7, 15, 9, 0), "2026-07-15T08:00:00+00:00");
        assert_eq!(at(2026, 3, 29, 1, 30), "2026-03-29T01:00:00+00:00");
        assert_eq!(at(2026, 10, 25, 1, 30), "2026-10-25T00:30:00+00:00");
        assert_eq!(day(NaiveDate::from_ymd_opt(1970, 1, 2).unwrap()), 1);
        assert_eq!(date(-1), NaiveDate::from_ymd_opt(1969, 12, 31));
    }
}
