//! Why a reminder goes out later than its policy asked, day by day: the day it was asked for
//! (a holiday, after that day's last send time, a day the send schedule skips) and then each
//! day it was held over (a holiday, the weekend, a day the schedule skips). `docket plugin
//! simulate` prints these, so a reminder asked for on a Friday evening reads "after Friday's
//! last send time, then the weekend" rather than naming Friday a weekend.

use chrono::{Datelike, NaiveDate, NaiveTime, Weekday};
use chrono_tz::Tz;

use crate::docket::sending::plan::HeldReminder;
use crate::due::local_instant;
use crate::schedule::SendSchedule;

/// One reason a held reminder did not go out sooner, for a day or a run of days.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeldOver {
    /// A day that is one of the firm's holidays.
    Holiday,
    /// A Saturday or Sunday the send schedule sends nothing on.
    Weekend,
    /// Another day the send schedule sends nothing on.
    NoSendOn(Weekday),
    /// The day asked for, after the schedule's last send time of that day.
    AfterLastSendTime(Weekday),
    /// The day asked for, at a time that is not a send time; a later one that day took it.
    NotASendTime,
}

impl HeldOver {
    /// The reason in a word or two, as `plugin simulate --json` gives it: `holiday`, `weekend`
    /// or `send schedule`.
    pub fn token(self) -> &'static str {
        match self {
            HeldOver::Holiday => "holiday",
            HeldOver::Weekend => "weekend",
            _ => "send schedule",
        }
    }

    /// The reason as a phrase, e.g. "after Friday's last send time".
    pub fn phrase(self) -> String {
        match self {
            HeldOver::Holiday => "a holiday".into(),
            HeldOver::Weekend => "the weekend".into(),
            HeldOver::NoSendOn(day) => format!("no send on {}s", weekday_name(day)),
            HeldOver::AfterLastSendTime(day) => {
                format!("after {}'s last send time", weekday_name(day))
            }
            HeldOver::NotASendTime => "not a send time".into(),
        }
    }
}

fn weekday_name(day: Weekday) -> &'static str {
    match day {
        Weekday::Mon => "Monday",
        Weekday::Tue => "Tuesday",
        Weekday::Wed => "Wednesday",
        Weekday::Thu => "Thursday",
        Weekday::Fri => "Friday",
        Weekday::Sat => "Saturday",
        Weekday::Sun => "Sunday",
    }
}

/// Whether `schedule` sends at any time on `day` in `tz` (holidays aside).
fn sends_on(schedule: &SendSchedule, day: NaiveDate, tz: Tz) -> bool {
    schedule
        .slot(local_instant(day, NaiveTime::MIN, tz), tz, &[])
        .is_some_and(|slot| slot.with_timezone(&tz).date_naive() == day)
}

impl HeldReminder {
    /// Why it went out when it did rather than when the policy asked, in `tz` under `schedule`
    /// and `holidays`: the reason for the day asked for first, then one for each run of days
    /// held over, in order. Empty when it was not held.
    pub fn held_over(
        &self,
        tz: Tz,
        schedule: &SendSchedule,
        holidays: &[NaiveDate],
    ) -> Vec<HeldOver> {
        if !self.was_held() {
            return Vec::new();
        }
        let asked = self.asked.with_timezone(&tz).date_naive();
        let sent = self.at.with_timezone(&tz).date_naive();
        let mut why: Vec<HeldOver> = Vec::new();
        for day in asked.iter_days().take_while(|d| *d < sent) {
            let reason = if holidays.binary_search(&day).is_ok() {
                HeldOver::Holiday
            } else if day == asked && sends_on(schedule, day, tz) {
                HeldOver::AfterLastSendTime(day.weekday())
            } else if matches!(day.weekday(), Weekday::Sat | Weekday::Sun) {
                HeldOver::Weekend
            } else {
                HeldOver::NoSendOn(day.weekday())
            };
            if why.last() != Some(&reason) {
                why.push(reason);
            }
        }
        if why.is_empty() {
            why.push(HeldOver::NotASendTime);
        }
        why
    }
}

#[cfg(test)]
#[path = "hold_tests.rs"]
mod tests;
