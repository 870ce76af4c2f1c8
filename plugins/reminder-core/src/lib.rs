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
/// boundary (lists of numbers are copied at once, records and `bool`s one value at a time, so
/// `done` is a byte: nonzero for done).
#[derive(Clone, Copy, Debug)]
pub struct Columns<'a> {
    due: &'a [i32],
    done: &'a [u8],
    reminders_sent: &'a [u8],
}

impl<'a> Columns<'a> {
    /// The columns, if their lengths agree.
    pub fn new(due: &'a [i32], done: &'a [u8], reminders_sent: &'a [u8]) -> Result<Self, String> {
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
            done: self.done[index] != 0,
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
    /// A reminder goes out at `send_time` (minutes after local midnight), after the sending (on
    /// its day if the send time is still to come) and on a day after the last reminder's (never
    /// twice on one day, even when the firm's send time moved later meanwhile); it covers every
    /// open task whose calendar has a reminder on that day and that has not reached the cap.
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
            earliest = earliest.max(last.day + 1);
        }
        // One pass: the tasks of the earliest day found so far stay on `covered`, and are
        // dropped when an earlier day turns up.
        let start = covered.len();
        let mut best: Option<i32> = None;
        for index in 0..tasks.count() {
            let task = tasks.task(index);
            if task.done || task.reminders_sent >= MAX_REMINDERS_PER_TASK {
                continue;
            }
            let Some(day) = self.task_next_day(task.due, earliest) else {
                continue;
            };
            match best {
                Some(b) if day > b => continue,
                Some(b) if day == b => {}
                _ => {
                    best = Some(day);
                    covered.truncate(start);
                }
            }
            covered.push(index as u32);
        }
        best
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

/// The groups of a batch as columns of equal length, one row per group, the way the WIT's
/// `group-columns` carries them: group `g` was sent at `sent_day[g]`, `sent_minute[g]`; where
/// `reminded[g]` is nonzero its last reminder went out at `last_day[g]`, `last_minute[g]`; its
/// tasks are the next `task_count[g]` task rows after those of the groups before it.
#[derive(Clone, Copy, Debug)]
pub struct GroupColumns<'a> {
    pub sent_day: &'a [i32],
    pub sent_minute: &'a [u16],
    pub reminded: &'a [u8],
    pub last_day: &'a [i32],
    pub last_minute: &'a [u16],
    pub task_count: &'a [u32],
}

/// A batch: its groups and their tasks, checked to fit together.
#[derive(Clone, Copy, Debug)]
pub struct Batch<'a> {
    groups: GroupColumns<'a>,
    tasks: Columns<'a>,
}

/// One group of a [`Batch`], read from its columns.
#[derive(Clone, Copy, Debug)]
pub struct BatchGroup<'a> {
    pub sent: Moment,
    pub last_reminder: Option<Moment>,
    pub tasks: Columns<'a>,
}

impl<'a> Batch<'a> {
    /// The batch, if the group columns are of equal length and the task columns hold exactly
    /// the groups' tasks.
    pub fn new(groups: GroupColumns<'a>, tasks: Columns<'a>) -> Result<Batch<'a>, String> {
        let g = &groups;
        let len = g.sent_day.len();
        if [
            g.sent_minute.len(),
            g.reminded.len(),
            g.last_day.len(),
            g.last_minute.len(),
            g.task_count.len(),
        ]
        .iter()
        .any(|&l| l != len)
        {
            return Err("group columns differ in length".into());
        }
        let rows = g
            .task_count
            .iter()
            .try_fold(0usize, |sum, &n| sum.checked_add(n as usize));
        if rows != Some(tasks.count()) {
            return Err(format!(
                "the groups have {} tasks but the task columns {} rows",
                rows.map_or("too many".into(), |n| n.to_string()),
                tasks.count()
            ));
        }
        Ok(Batch { groups, tasks })
    }

    /// How many groups the batch holds.
    pub fn len(&self) -> usize {
        self.groups.sent_day.len()
    }

    /// Whether the batch holds no group.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The groups in order, each with its own task rows.
    pub fn groups(&self) -> impl Iterator<Item = BatchGroup<'a>> + 'a {
        let (g, tasks) = (self.groups, self.tasks);
        let mut first = 0;
        (0..self.len()).map(move |i| {
            let count = g.task_count[i] as usize;
            let rows = tasks
                .rows(first, count)
                .expect("Batch::new checked the rows");
            first += count;
            BatchGroup {
                sent: Moment {
                    day: g.sent_day[i],
                    minute: g.sent_minute[i],
                },
                last_reminder: (g.reminded[i] != 0).then(|| Moment {
                    day: g.last_day[i],
                    minute: g.last_minute[i],
                }),
                tasks: rows,
            }
        })
    }
}

/// The answer to a batch as columns, the way the WIT's `batch-decision` carries it: group `g`'s
/// next reminder goes out on `day[g]` at `minute[g]` and covers the next `covered_count[g]`
/// entries of `covered` (indices into the group's own tasks); a count of 0 is no reminder.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Answers {
    pub covered_count: Vec<u32>,
    pub day: Vec<i32>,
    pub minute: Vec<u16>,
    pub covered: Vec<u32>,
}

impl Answers {
    /// Empty answers with room for `groups` groups and `tasks` covered tasks.
    pub fn with_capacity(groups: usize, tasks: usize) -> Answers {
        Answers {
            covered_count: Vec::with_capacity(groups),
            day: Vec::with_capacity(groups),
            minute: Vec::with_capacity(groups),
            covered: Vec::with_capacity(tasks),
        }
    }

    /// Adds the next group's answer: `decide` pushes the tasks the reminder covers onto the
    /// vector it is given and returns the reminder's local day and minute, or `None` for no
    /// reminder (whatever it pushed is then dropped).
    pub fn push(&mut self, decide: impl FnOnce(&mut Vec<u32>) -> Option<(i32, u16)>) {
        let start = self.covered.len();
        let (day, minute) = match decide(&mut self.covered) {
            Some(at) => at,
            None => {
                self.covered.truncate(start);
                (0, 0)
            }
        };
        self.covered_count.push((self.covered.len() - start) as u32);
        self.day.push(day);
        self.minute.push(minute);
    }
}

/// Decides a whole batch, each group as [`Policy::next`] would, at `send_time`.
pub fn next_batch(policy: &Policy, send_time: u16, batch: &Batch<'_>, answers: &mut Answers) {
    for group in batch.groups() {
        answers.push(|covered| {
            policy
                .next(
                    send_time,
                    group.sent,
                    group.last_reminder,
                    &group.tasks,
                    covered,
                )
                .map(|day| (day, send_time))
        });
    }
}
