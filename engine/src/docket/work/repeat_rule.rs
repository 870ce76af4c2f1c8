//! A repeat's rule as arithmetic: what `every` and `day` mean (calendar steps from the work's
//! start date, or a cron expression in the firm's zone), the next occurrences up to `until`,
//! the titles of the work made (the period placeholders), and the `repeats` tree's keys.

use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, Utc};
use chrono_tz::Tz;

use crate::due::local_instant;
use crate::model::{KeyInstant, Occurrence, Repeat, WorkId, WorkItem};
use crate::schedule::SendSchedule;
use crate::store::{Batch, Tree};
use crate::{Error, Result};

/// How many next occurrences a repeat keeps (and pages show).
pub const SHOWN_OCCURRENCES: usize = 3;

/// The placeholders a repeat's title may use.
pub const TITLE_PLACEHOLDERS: [&str; 7] = [
    "contact", "template", "month", "quarter", "year", "date", "period",
];

/// What `every` means.
#[derive(Debug, Clone)]
pub(crate) enum Rule {
    /// Every `months` months from the anchor, on day `day` (a shorter month takes its last).
    Months {
        months: u32,
        day: u32,
    },
    Cron(Box<SendSchedule>),
}

impl Rule {
    /// `every` and `day` as given, or why not (naming the field). `start_day` is the day a
    /// calendar repeat falls on when no day is given.
    pub(crate) fn parse(every: &str, day: Option<u32>, start_day: u32) -> Result<Rule> {
        let months = match every.trim().to_ascii_lowercase().as_str() {
            "month" => Some(1),
            "quarter" => Some(3),
            "year" => Some(12),
            _ => None,
        };
        match months {
            Some(months) => {
                let day = day.unwrap_or(start_day);
                if !(1..=31).contains(&day) {
                    return Err(Error::invalid_field(
                        "day",
                        format!(
                            "day {day} is not a day of the month; give 1 to 31 (a shorter month takes its last day)"
                        ),
                    ));
                }
                Ok(Rule::Months { months, day })
            }
            None => {
                let cron = SendSchedule::parse(every).map_err(|e| {
                    Error::invalid_field(
                        "every",
                        format!("every must be month, quarter, year or a five-field cron expression; {e}"),
                    )
                })?;
                if day.is_some() {
                    return Err(Error::invalid_field(
                        "day",
                        "a day cannot go with a cron expression, which names its own days; leave day out",
                    ));
                }
                Ok(Rule::Cron(Box::new(cron)))
            }
        }
    }

    /// The rule of a stored repeat.
    pub(crate) fn of(repeat: &Repeat) -> Result<Rule> {
        Rule::parse(&repeat.every, repeat.day, repeat.anchor.day())
    }

    /// The period a work item starting on `date` is named by, as `{period}` stands for it.
    fn period(&self, date: NaiveDate, locale: &str) -> String {
        match self {
            Rule::Months { months: 1, .. } => crate::i18n::month_year(locale, date),
            Rule::Months { months: 3, .. } => quarter_name(date),
            Rule::Months { .. } => date.year().to_string(),
            Rule::Cron(_) => crate::i18n::short_date(locale, date),
        }
    }

    /// `every` as a repeat keeps it: `month`, `quarter` and `year` in lower case (staff may
    /// write `MONTH`), a cron expression as given.
    pub(crate) fn every(&self, given: &str) -> String {
        match self {
            Rule::Months { .. } => given.trim().to_ascii_lowercase(),
            Rule::Cron(_) => given.trim().to_string(),
        }
    }
}

/// The instant a cron repeat's firings are looked for after: its first firing is after the
/// day of the work's start date (the work itself is that day's item, as a monthly repeat's
/// first is the next month), after the day of the latest work it made (`last`; a cron repeat
/// makes at most one a day), and after `now`, whichever is latest. Work starting next month
/// does not repeat from today.
pub(crate) fn cron_floor(
    start: NaiveDate,
    last: Option<NaiveDate>,
    now: DateTime<Utc>,
    tz: Tz,
) -> DateTime<Utc> {
    let just_before =
        |day: NaiveDate| local_instant(day, NaiveTime::MIN, tz) - chrono::Duration::seconds(1);
    let after_last = last.and_then(|l| l.succ_opt()).map(just_before);
    let after_start = start.succ_opt().map(just_before);
    [Some(now), after_start, after_last]
        .into_iter()
        .flatten()
        .max()
        .unwrap_or(now)
}

/// How many next firings of a cron expression `at_most_daily` looks at.
const CRON_LOOKAHEAD: usize = 10;

/// Refuses (naming `every`) a cron expression that fires more than once on a day in `tz`: a
/// repeat makes at most one work item a day. Looks at its next firings after `now`.
pub(crate) fn at_most_daily(rule: &Rule, every: &str, now: DateTime<Utc>, tz: Tz) -> Result<()> {
    let Rule::Cron(cron) = rule else {
        return Ok(());
    };
    let mut firings = Vec::with_capacity(CRON_LOOKAHEAD + 1);
    let mut at = now;
    while firings.len() <= CRON_LOOKAHEAD {
        let Some(next) = cron.after(at, tz) else {
            break;
        };
        firings.push(next);
        at = next;
    }
    let same_day = firings.windows(2).any(|pair| {
        pair[0].with_timezone(&tz).date_naive() == pair[1].with_timezone(&tz).date_naive()
    });
    if !same_day {
        return Ok(());
    }
    let gaps: Vec<chrono::Duration> = firings.windows(2).map(|p| p[1] - p[0]).collect();
    let shortest = gaps.iter().min().copied().unwrap_or_default();
    let how_often = if gaps.iter().all(|g| *g == shortest) {
        format!("every {}", span(shortest))
    } else {
        format!(
            "more than once a day (as little as {} apart)",
            span(shortest)
        )
    };
    Err(Error::invalid_field(
        "every",
        format!(
            "`{}` would make work {how_often}; a repeat makes at most one work item a day, so give every a cron expression that fires once a day or less (e.g. `0 6 1 * *`), or month, quarter or year",
            every.trim()
        ),
    ))
}

/// "5 minutes", "1 hour", "2 hours 30 minutes".
fn span(gap: chrono::Duration) -> String {
    let plural = |n: i64, unit: &str| format!("{n} {unit}{}", if n == 1 { "" } else { "s" });
    let (hours, minutes) = (gap.num_hours(), gap.num_minutes() % 60);
    match (hours, minutes) {
        (0, m) => plural(m, "minute"),
        (h, 0) => plural(h, "hour"),
        (h, m) => format!("{} {}", plural(h, "hour"), plural(m, "minute")),
    }
}

/// The occurrences of `rule` after `floor` (a date, and for a cron expression an instant), up
/// to `until`, at most `SHOWN_OCCURRENCES`.
pub(crate) fn occurrences_after(
    rule: &Rule,
    anchor: NaiveDate,
    floor: NaiveDate,
    floor_at: DateTime<Utc>,
    until: Option<NaiveDate>,
    tz: Tz,
) -> Vec<Occurrence> {
    let first = match rule {
        Rule::Months { .. } => (1..=12 * 400)
            .map(|step| calendar(rule, anchor, step, tz))
            .find(|o| o.as_ref().is_none_or(|o| o.start_date > floor))
            .flatten(),
        Rule::Cron(cron) => cron.after(floor_at, tz).map(|at| Occurrence {
            at: KeyInstant::new(at),
            start_date: at.with_timezone(&tz).date_naive(),
            step: 0,
        }),
    };
    let mut next: Vec<Occurrence> = first.into_iter().collect();
    extend(&mut next, rule, anchor, until, tz);
    next.retain(|o| until.is_none_or(|u| o.start_date <= u));
    next
}

/// Fills `next` up to `SHOWN_OCCURRENCES`, each following the one before, none after `until`.
pub(crate) fn extend(
    next: &mut Vec<Occurrence>,
    rule: &Rule,
    anchor: NaiveDate,
    until: Option<NaiveDate>,
    tz: Tz,
) {
    while next.len() < SHOWN_OCCURRENCES {
        let Some(last) = next.last() else { return };
        let following = match rule {
            Rule::Months { .. } => calendar(rule, anchor, last.step + 1, tz),
            Rule::Cron(cron) => cron.after(last.at.get(), tz).map(|at| Occurrence {
                at: KeyInstant::new(at),
                start_date: at.with_timezone(&tz).date_naive(),
                step: 0,
            }),
        };
        match following {
            Some(o) if until.is_none_or(|u| o.start_date <= u) => next.push(o),
            _ => return,
        }
    }
}

/// Step `step` of a calendar rule from `anchor`, made at the start of its day in `tz`.
fn calendar(rule: &Rule, anchor: NaiveDate, step: u32, tz: Tz) -> Option<Occurrence> {
    let Rule::Months { months, day } = rule else {
        return None;
    };
    let total = anchor.year() * 12 + anchor.month0() as i32 + (step * months) as i32;
    let (year, month) = (total.div_euclid(12), total.rem_euclid(12) as u32 + 1);
    let last_day = (28..=31)
        .rev()
        .find(|d| NaiveDate::from_ymd_opt(year, month, *d).is_some())?;
    let start_date = NaiveDate::from_ymd_opt(year, month, (*day).min(last_day))?;
    Some(Occurrence {
        at: KeyInstant::new(local_instant(start_date, NaiveTime::MIN, tz)),
        start_date,
        step,
    })
}

/// The title pattern when staff give none: the contact, the template and the period.
pub const DEFAULT_TITLE: &str = "{contact} — {template} {period}";
/// What the client sees of each work item made: the template and the period.
pub const EXTERNAL_NAME: &str = "{template} {period}";

/// A title pattern as given, or why not: only the known placeholders, braces closed.
pub(crate) fn checked_title(pattern: &str) -> Result<String> {
    let pattern = pattern.trim();
    if pattern.is_empty() {
        return Ok(DEFAULT_TITLE.to_string());
    }
    check_pattern("title", "title", pattern, &TITLE_PLACEHOLDERS)?;
    Ok(pattern.to_string())
}

/// Refuses (naming `field`) a name pattern with a placeholder not in `known`, an unclosed
/// brace, or more characters than a name may have. `what` is the field in words.
pub(crate) fn check_pattern(field: &str, what: &str, pattern: &str, known: &[&str]) -> Result<()> {
    // Every unknown placeholder is said at once, not the first alone.
    let mut unknown: Vec<String> = Vec::new();
    let mut rest = pattern;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else {
            return Err(Error::invalid_field(
                field,
                format!("the {what} “{pattern}” opens a brace it does not close"),
            ));
        };
        let name = &after[..close];
        let braced = format!("{{{name}}}");
        if !known.contains(&name) && !unknown.contains(&braced) {
            unknown.push(braced);
        }
        rest = &after[close + 1..];
    }
    if let Some((last, init)) = unknown.split_last() {
        let known = known
            .iter()
            .map(|p| format!("{{{p}}}"))
            .collect::<Vec<_>>()
            .join(", ");
        let said = if init.is_empty() {
            format!("the {what}'s {last} is not a placeholder")
        } else {
            format!(
                "the {what}'s {} and {last} are not placeholders",
                init.join(", ")
            )
        };
        return Err(Error::invalid_field(field, format!("{said}; use {known}")));
    }
    if pattern.chars().count() > crate::model::MAX_NAME_CHARS {
        return Err(Error::invalid_field(
            field,
            format!(
                "a {what} may be at most {} characters",
                crate::model::MAX_NAME_CHARS
            ),
        ));
    }
    Ok(())
}

/// `pattern` with its placeholders filled for work starting on `date`, months and dates in the
/// contact's language (`locale`: the title is the client's to read too).
pub(crate) fn fill(
    pattern: &str,
    rule: &Rule,
    contact: &str,
    template: &str,
    date: NaiveDate,
    locale: &str,
) -> String {
    fill_dated(pattern, contact, template, date, locale)
        .replace("{period}", &rule.period(date, locale))
}

/// `pattern` with every placeholder but `{period}` (which needs a repeat) filled for work
/// starting on `date`, in `locale`: "March 2027", "mars 2027", "März 2027".
pub(crate) fn fill_dated(
    pattern: &str,
    contact: &str,
    template: &str,
    date: NaiveDate,
    locale: &str,
) -> String {
    pattern
        .replace("{contact}", contact)
        .replace("{template}", template)
        .replace("{month}", &crate::i18n::month_year(locale, date))
        .replace("{quarter}", &quarter_name(date))
        .replace("{year}", &date.year().to_string())
        .replace("{date}", &crate::i18n::short_date(locale, date))
}

/// "Q1 2027": the calendar quarter the date falls in.
fn quarter_name(date: NaiveDate) -> String {
    format!("Q{} {}", date.month0() / 3 + 1, date.year())
}

/// `d/INSTANT/WORK`: when a series' next occurrence is due.
pub(crate) fn due_key(at: KeyInstant, series: WorkId) -> Vec<u8> {
    format!("d/{}/{series}", at.key()).into_bytes()
}

/// The series a due key names, and when.
pub(crate) fn parse_due_key(key: &[u8]) -> Result<(KeyInstant, WorkId)> {
    let corrupt = || Error::Storage("corrupt repeats index key".into());
    let text = std::str::from_utf8(key).map_err(|_| corrupt())?;
    let rest = text.strip_prefix("d/").ok_or_else(corrupt)?;
    let (at, work) = rest.split_once('/').ok_or_else(corrupt)?;
    let at = KeyInstant::parse_key(at.as_bytes()).ok_or_else(corrupt)?;
    Ok((at, work.parse()?))
}

/// `o/WORK/`: the prefix of the occurrences a series made.
pub(crate) fn made_prefix(series: WorkId) -> Vec<u8> {
    format!("o/{series}/").into_bytes()
}

/// `o/WORK/DATE` (a calendar step) or `o/WORK/DATETHH:MMZ` (a cron instant): the create-only
/// key of one occurrence, whose value is the work item made for it.
pub(crate) fn occurrence_key(series: WorkId, occurrence: &Occurrence) -> Vec<u8> {
    let mut key = made_prefix(series);
    if occurrence.step > 0 {
        key.extend(occurrence.start_date.to_string().into_bytes());
    } else {
        key.extend(
            occurrence
                .at
                .get()
                .format("%Y-%m-%dT%H:%MZ")
                .to_string()
                .into_bytes(),
        );
    }
    key
}

/// Moves the series' place in the due index when its next occurrence changed since `old`.
pub(crate) fn write_repeat_keys(batch: &mut Batch, old: Option<&WorkItem>, new: &WorkItem) {
    let due = |w: &WorkItem| w.repeat.as_ref().and_then(|r| r.next.first()).map(|o| o.at);
    let (before, after) = (old.and_then(due), due(new));
    if before == after {
        return;
    }
    if let Some(at) = before {
        batch.remove(Tree::Repeats, due_key(at, new.id));
    }
    if let Some(at) = after {
        batch.put(Tree::Repeats, due_key(at, new.id), Vec::new());
    }
}
