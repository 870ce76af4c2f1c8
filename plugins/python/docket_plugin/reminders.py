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
        from wit_world.exports.reminder import BatchDecision, Group, SliceDecision, Task

        due, done, sent = tasks.due, tasks.done, tasks.reminders_sent
        if not len(due) == len(done) == len(sent):
            from .params import bad_input

            raise bad_input("task columns differ in length")
        decisions, covered = [], []
        for g in groups:
            rows = range(g.first_task, g.first_task + g.task_count)
            if g.first_task + g.task_count > len(due):
                from .params import bad_input

                raise bad_input(f"task rows {g.first_task}.. do not exist")
            group = Group(
                sent=g.sent,
                last_reminder=g.last_reminder,
                tasks=[Task(due=due[i], done=done[i], reminders_sent=sent[i]) for i in rows],
            )
            first = len(covered)
            answer = self.next_reminder(calendar, params, group)
            if answer is None:
                decisions.append(SliceDecision(at=None, first_covered=first, covered_count=0))
            else:
                covered.extend(answer.tasks)
                decisions.append(
                    SliceDecision(at=answer.at, first_covered=first, covered_count=len(answer.tasks))
                )
        return BatchDecision(decisions=decisions, covered=covered)
