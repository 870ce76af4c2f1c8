//! The stock reminder calendars — gentle, urgent and custom — as pure, dependency-free Rust over
//! local day numbers, so that the very same code runs inside the stock WASM policy and natively
//! (the engine's benchmark includes this file by path to compare the two).

/// No task ever gets more reminders than this from a stock policy (until the group is resent).
pub const MAX_REMINDERS_PER_TASK: u8 = 5;

/// Most offsets a custom calendar accepts; a fixed bound keeps `Policy` `Copy` and allocation-free.
pub const MAX_OFFSETS: usize = 16;

/// One client task: its local due day (days since 1970-01-01), whether it is done, and how many
/// reminders already covered it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Task {
    pub due: i32,
    pub done: bool,
    pub reminders_sent: u8,
}

/// Tasks the calendar code reads by index: a slice of [`Task`] or the [`Columns`] of a batch.
pub trait Tasks {
    fn count(&self) -> usize;
    fn task(&self, index: usize) -> Task;
}

impl Tasks for [Task] {
    fn count(&self) -> usize {
        self.len()
    }
    fn task(&self, index: usize) -> Task {
        self[index]
    }
}

/// Tasks as three columns of equal length, the way a batch carries them across the WIT
/// boundary (lists of numbers are copied at once, records field by field).
#[derive(Clone, Copy, Debug)]
pub struct Columns<'a> {
    due: &'a [i32],
    done: &'a [bool],
    reminders_sent: &'a [u8],
}

impl<'a> Columns<'a> {
    /// The columns, if their lengths agree.
    pub fn new(due: &'a [i32], done: &'a [bool], reminders_sent: &'a [u8]) -> Result<Self, String> {
        if due.len() != done.len() || due.len() != reminders_sent.len() {
            return Err(format!(
                "task columns differ in length: {} due, {} done, {} reminders-sent",
                due.len(),
                done.len(),
                reminders_sent.len()
            ));
        }
        Ok(Columns {
            due,
            done,
            reminders_sent,
        })
    }

    /// Rows `start..start + count`, if they exist.
    pub fn rows(&self, start: usize, count: usize) -> Option<Columns<'a>> {
        let end = start.checked_add(count)?;
        Some(Columns {
            due: self.due.get(start..end)?,
            done: self.done.get(start..end)?,
            reminders_sent: self.reminders_sent.get(start..end)?,
        })
    }
}

impl Tasks for Columns<'_> {
    fn count(&self) -> usize {
        self.due.len()
    }
    fn task(&self, index: usize) -> Task {
        Task {
            due: self.due[index],
            done: self.done[index],
            reminders_sent: self.reminders_sent[index],
        }
    }
}

/// A local reading of an instant: the day and the minute of the day.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Moment {
    pub day: i32,
    pub minute: u16,
}

/// Which calendar a group follows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Policy {
    /// 7 days before due, on the due date, then daily when overdue.
    Gentle,
    /// Daily from the send date on, until done.
    Urgent,
    /// Days before due (largest first), then every `every` days once overdue (0: never).
    Custom {
        before: [u16; MAX_OFFSETS],
        count: u8,
        every: u16,
    },
}

impl Policy {
    /// Reads the policy from its parameters: `preset` (`gentle`, `urgent` or `custom`), and for
    /// custom `before` (comma-separated days before due, default `7,3,1`) and `every` (days
    /// between overdue reminders, default `2`). Unknown names are errors, so typos do not pass.
    pub fn from_params<'a>(
        params: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<Policy, String> {
        let mut preset = "gentle";
        let mut before = "7,3,1";
        let mut every = "2";
        let mut custom_keys = false;
        for (name, value) in params {
            match name {
                "preset" => preset = value,
                "before" => (before, custom_keys) = (value, true),
                "every" => (every, custom_keys) = (value, true),
                other => {
                    return Err(format!(
                        "unknown parameter `{other}`: use preset, before or every"
                    ));
                }
            }
        }
        match preset {
            "gentle" | "urgent" if custom_keys => Err(format!(
                "parameters before and every apply to preset custom only, not `{preset}`"
            )),
            "gentle" => Ok(Policy::Gentle),
            "urgent" => Ok(Policy::Urgent),
            "custom" => Policy::custom(before, every),
            other => Err(format!(
                "unknown preset `{other}`: use gentle, urgent or custom"
            )),
        }
    }

    fn custom(before: &str, every: &str) -> Result<Policy, String> {
        let mut offsets = [0u16; MAX_OFFSETS];
        let mut count = 0;
        for part in before.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let days: u16 =
                part.parse().ok().filter(|d| *d <= 366).ok_or_else(|| {
                    format!("before: `{part}` is not a number of days from 0 to 366")
                })?;
            if count == MAX_OFFSETS {
                return Err(format!("before: at most {MAX_OFFSETS} offsets"));
            }
            offsets[count] = days;
            count += 1;
        }
        // Largest offset first is earliest day first, which `task_next_day` relies on.
        offsets[..count].sort_unstable_by(|a, b| b.cmp(a));
        let every: u16 = every
            .trim()
            .parse()
            .ok()
            .filter(|d| *d <= 366)
            .ok_or_else(|| format!("every: `{every}` is not a number of days from 0 to 366"))?;
        Ok(Policy::Custom {
            before: offsets,
            count: count as u8,
            every,
        })
    }

    /// The first day on or after `earliest` on which this calendar reminds a task due on `due`.
    pub fn task_next_day(&self, due: i32, earliest: i32) -> Option<i32> {
        match *self {
            Policy::Gentle => Some(if earliest <= due - 7 {
                due - 7
            } else if earliest <= due {
                due
            } else {
                earliest
            }),
            Policy::Urgent => Some(earliest),
            Policy::Custom {
                before,
                count,
                every,
            } => {
                for &offset in &before[..count as usize] {
                    let day = due - i32::from(offset);
                    if day >= earliest {
                        return Some(day);
                    }
                }
                if every == 0 {
                    return None;
                }
                let every = i32::from(every);
                // The first `due + k * every` (k >= 1) that is not before `earliest`.
                let k = if earliest <= due {
                    1
                } else {
                    (earliest - due + every - 1) / every
                };
                Some(due + k.max(1) * every)
            }
        }
    }

    /// The next reminder day of a group and the tasks it covers (indices pushed onto `covered`,
    /// ascending), or `None` when no task will be reminded again.
    ///
    /// A reminder goes out at `send_time` (minutes after local midnight) on a day strictly after
    /// both the sending and the last reminder; it covers every open task whose calendar has a
    /// reminder on that day and that has not reached the cap.
    pub fn next<T: Tasks + ?Sized>(
        &self,
        send_time: u16,
        sent: Moment,
        last_reminder: Option<Moment>,
        tasks: &T,
        covered: &mut Vec<u32>,
    ) -> Option<i32> {
        let mut earliest = first_send_day_after(sent, send_time);
        if let Some(last) = last_reminder {
            earliest = earliest.max(first_send_day_after(last, send_time));
        }
        let mut best: Option<i32> = None;
        for index in 0..tasks.count() {
            let task = tasks.task(index);
            if task.done || task.reminders_sent >= MAX_REMINDERS_PER_TASK {
                continue;
            }
            if let Some(day) = self.task_next_day(task.due, earliest)
                && best.is_none_or(|b| day < b)
            {
                best = Some(day);
            }
        }
        let day = best?;
        for index in 0..tasks.count() {
            let task = tasks.task(index);
            if !task.done
                && task.reminders_sent < MAX_REMINDERS_PER_TASK
                && self.task_next_day(task.due, earliest) == Some(day)
            {
                covered.push(index as u32);
            }
        }
        Some(day)
    }
}

/// The first day whose send time comes strictly after `moment`.
pub fn first_send_day_after(moment: Moment, send_time: u16) -> i32 {
    if moment.minute < send_time {
        moment.day
    } else {
        moment.day + 1
    }
}

/// One group of a flat batch: its tasks are rows `first_task..first_task + task_count`.
#[derive(Clone, Copy, Debug)]
pub struct GroupSlice {
    pub sent: Moment,
    pub last_reminder: Option<Moment>,
    pub first_task: u32,
    pub task_count: u32,
}

/// The decision for one group of a batch: its covered tasks are
/// `covered[first_covered..first_covered + covered_count]`, as indices into the group's tasks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SliceDecision {
    pub day: Option<i32>,
    pub first_covered: u32,
    pub covered_count: u32,
}

/// Decides a whole batch; `decisions` and `covered` are cleared first. A group whose rows lie
/// past the end of `tasks` is an error naming the group.
pub fn next_batch(
    policy: &Policy,
    send_time: u16,
    groups: &[GroupSlice],
    tasks: &Columns<'_>,
    decisions: &mut Vec<SliceDecision>,
    covered: &mut Vec<u32>,
) -> Result<(), String> {
    decisions.clear();
    covered.clear();
    decisions.reserve(groups.len());
    for (index, group) in groups.iter().enumerate() {
        let slice = tasks
            .rows(group.first_task as usize, group.task_count as usize)
            .ok_or_else(|| format!("group {index}: its task rows lie outside the task columns"))?;
        let first_covered = covered.len() as u32;
        let day = policy.next(send_time, group.sent, group.last_reminder, &slice, covered);
        decisions.push(SliceDecision {
            day,
            first_covered,
            covered_count: covered.len() as u32 - first_covered,
        });
    }
    Ok(())
}
