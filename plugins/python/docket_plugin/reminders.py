"""For the `reminder-policy` world. Docket asks a policy one question, `next_reminders`, for a
batch of groups as columns (one group is a batch of one). `Policy` answers it group by group:
subclass it as `Reminder`, write `next_reminder(calendar, params, group)`, and the batch is
answered from it. `group` has `sent` and `last_reminder` (moments: `at`, `day`, `minute`;
`last_reminder` is None before the first reminder) and `tasks` (each with `due`, `done`,
`reminders_sent`); answer `Next(at=local_time(day, minute), tasks=[indices])` or None.

    from docket_plugin.reminders import Next, Policy, after, open_tasks

    class Reminder(Policy):          # componentize-py looks for this class name
        def next_reminder(self, calendar, params, group):
            ...

A group's answer must not depend on the other groups of its batch.
"""

from . import MAX_REMINDERS_PER_TASK
from .plugin import Plugin, crashed


class Task:
    """One task of a group: its local due day, whether it is done, and how many reminders
    already covered it."""

    __slots__ = ("due", "done", "reminders_sent")

    def __init__(self, due: int, done: bool, reminders_sent: int):
        self.due, self.done, self.reminders_sent = due, done, reminders_sent


class Group:
    """One group of a batch, read from its columns."""

    __slots__ = ("sent", "last_reminder", "tasks")

    def __init__(self, sent, last_reminder, tasks):
        self.sent, self.last_reminder, self.tasks = sent, last_reminder, tasks


class Next:
    """A group's next reminder: `at`, a `local_time`, and the indices of the tasks it covers
    (from 0, ascending). A reminder covers at least one task: one covering none is refused as
    an invalid answer (return None for no reminder)."""

    __slots__ = ("at", "tasks")

    def __init__(self, at, tasks):
        self.at, self.tasks = at, list(tasks)


def open_tasks(group) -> list:
    """Indices of the group's tasks that are not done and are under the reminder cap: the
    tasks a reminder may cover."""
    return [
        i
        for i, task in enumerate(group.tasks)
        if not task.done and task.reminders_sent < MAX_REMINDERS_PER_TASK
    ]


def after(group):
    """The later of the group's sending and its last reminder: a reminder must come after it."""
    last = group.last_reminder
    if last is not None and last.at > group.sent.at:
        return last
    return group.sent


def _covers_no_task(policy, reminder):
    """The invalid answer a reminder covering no task is, placed at `next_reminder`."""
    import os

    from . import days
    from .times import hhmm

    code = type(policy).next_reminder.__code__
    at = reminder.at
    return crashed(
        "invalid answer",
        f"the reminder on {days.format(at.day)} at {hhmm(at.minute)} covers no task; "
        "a reminder covers at least one task (return None for no reminder)",
        f"{os.path.basename(code.co_filename)}:{code.co_firstlineno}",
    )


class Policy(Plugin):
    """Implement `next_reminder(calendar, params, group)`; `next_reminders` is answered from it."""

    def next_reminder(self, calendar, params, group):
        raise NotImplementedError("write next_reminder(self, calendar, params, group)")

    def next_reminders(self, calendar, params, groups, tasks):
        from wit_world.exports.reminder import BatchDecision
        from wit_world.imports.types import Moment

        from .params import bad_input

        due, done, sent = tasks.due, tasks.done, tasks.reminders_sent
        if not len(due) == len(done) == len(sent):
            raise bad_input("task columns differ in length")
        count = groups.task_count
        columns = (
            groups.sent_at,
            groups.sent_day,
            groups.sent_minute,
            groups.reminded,
            groups.last_reminder_at,
            groups.last_reminder_day,
            groups.last_reminder_minute,
        )
        if any(len(column) != len(count) for column in columns):
            raise bad_input("group columns differ in length")
        if sum(count) != len(due):
            raise bad_input(f"the groups have {sum(count)} tasks but the task columns {len(due)} rows")
        answer = BatchDecision(covered_count=[], day=[], minute=[], covered=[])
        first = 0
        for g, n in enumerate(count):
            last = None
            if groups.reminded[g]:
                last = Moment(
                    at=groups.last_reminder_at[g],
                    day=groups.last_reminder_day[g],
                    minute=groups.last_reminder_minute[g],
                )
            group = Group(
                sent=Moment(at=groups.sent_at[g], day=groups.sent_day[g], minute=groups.sent_minute[g]),
                last_reminder=last,
                tasks=[Task(due[i], done[i] != 0, sent[i]) for i in range(first, first + n)],
            )
            first += n
            reminder = self.next_reminder(calendar, params, group)
            if reminder is not None and not reminder.tasks:
                # The batch's columns cannot carry it (a count of 0 is "no reminder"), so the
                # host's rule is applied here, naming the plugin's `next_reminder`.
                raise _covers_no_task(self, reminder)
            if reminder is None:
                answer.covered_count.append(0)
                answer.day.append(0)
                answer.minute.append(0)
            else:
                answer.covered_count.append(len(reminder.tasks))
                answer.day.append(reminder.at.day)
                answer.minute.append(reminder.at.minute)
                answer.covered.extend(reminder.tasks)
        return answer
