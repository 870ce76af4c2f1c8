"""For the `reminder-policy` world: a base class that answers the batch call (`next-reminders`)
from the single one (`next-reminder`), as the contract requires, and the open tasks of a group.

    from docket_plugin.reminders import Policy

    class Reminder(Policy):          # componentize-py looks for this class name
        def next_reminder(self, calendar, params, group):
            ...
"""

from . import MAX_REMINDERS_PER_TASK


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


class Policy:
    """Implement `next_reminder(calendar, params, group)`; `next_reminders` is derived."""

    def next_reminder(self, calendar, params, group):
        raise NotImplementedError

    def next_reminders(self, calendar, params, groups, tasks):
        from wit_world.exports.reminder import BatchDecision, Group, Task
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
                tasks=[
                    Task(due=due[i], done=done[i] != 0, reminders_sent=sent[i])
                    for i in range(first, first + n)
                ],
            )
            first += n
            reminder = self.next_reminder(calendar, params, group)
            if reminder is None or not reminder.tasks:
                answer.covered_count.append(0)
                answer.day.append(0)
                answer.minute.append(0)
            else:
                answer.covered_count.append(len(reminder.tasks))
                answer.day.append(reminder.at.day)
                answer.minute.append(reminder.at.minute)
                answer.covered.extend(reminder.tasks)
        return answer
