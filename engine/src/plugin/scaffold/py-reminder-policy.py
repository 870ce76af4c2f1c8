"""{{name}}: a Docket reminder policy in Python. As written it reminds every `every` days
(default 7) after the sending, at the firm's send time, covering each task that is not done and
has had fewer than five reminders. Docket asks for a batch of groups at once; `Policy` answers
it group by group from `next_reminder`: change that."""

from docket_plugin import Params, local_time
from docket_plugin.reminders import Next, Policy, after, open_tasks


class Reminder(Policy):
    def next_reminder(self, calendar, params, group):
        every = Params(params, known={"every": "7"}).int("every", minimum=1, maximum=366)
        tasks = open_tasks(group)
        if not tasks:
            return None
        return Next(at=local_time(after(group).day + every, calendar.send_time), tasks=tasks)
