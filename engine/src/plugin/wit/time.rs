//! Days, moments and local times as the WIT writes them: a date as a day count, an instant
//! with its local reading, and a plugin's local answer turned back into an instant (with the
//! rules for daylight-saving gaps and overlaps).

use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, Offset, TimeZone, Timelike, Utc};
use chrono_tz::Tz;

use super::wit_types;

const UNIX_EPOCH_DAYS_FROM_CE: i32 = 719_163;

/// A date as a WIT `day`.
pub(crate) fn day(date: NaiveDate) -> i32 {
    date.num_days_from_ce() - UNIX_EPOCH_DAYS_FROM_CE
}

/// A WIT `day` as a date, if chrono can represent it.
pub(crate) fn date(day: i32) -> Option<NaiveDate> {
    NaiveDate::from_num_days_from_ce_opt(day.checked_add(UNIX_EPOCH_DAYS_FROM_CE)?)
}

pub(crate) fn minute_of_day(time: NaiveTime) -> u16 {
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

#[cfg(test)]
#[path = "time_tests.rs"]
mod tests;
