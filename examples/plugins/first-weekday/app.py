"""An example Docket reminder policy in Python: a reminder on the first working day of each
week (Monday, or the next day that is not a holiday) at the firm's send time, covering every
open task, until the tasks are done or have had five reminders each.

Parameters: `holidays`, comma-separated `YYYY-MM-DD` dates to skip besides the firm's own.

Built by `build.sh` beside this file into `first_weekday.wasm`.
"""

from docket_plugin import Params, days, local_time
from docket_plugin.reminders import Next, Policy, after, open_tasks


def first_working_day_from(day: int, holidays: set) -> int:
    """The first working day of a week that is on or after `day`."""
    week = days.week_start(day)
    while True:
        for d in range(week, week + 7):
            if days.is_working_day(d, holidays):
                if d >= day:
                    return d
                break
        week += 7


class Reminder(Policy):
    def next_reminder(self, calendar, params, group):
        p = Params(params, known={"holidays": ""})
        holidays = set(calendar.holidays) | set(p.days("holidays"))
        tasks = open_tasks(group)
        if not tasks:
            return None
        start = after(group)
        # The first day whose send time comes after the sending or the last reminder.
        day = start.day if start.minute < calendar.send_time else start.day + 1
        remind = first_working_day_from(day, holidays)
        return Next(at=local_time(remind, calendar.send_time), tasks=tasks)
