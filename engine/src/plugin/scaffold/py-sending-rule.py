"""{{name}}: a Docket sending rule in Python. As written it sends a group `days` days before the
work's start date (default 7) at the firm's send time, or never automatically with
`days = manual`."""

from docket_plugin import Params, Plugin, local_time


class Sending(Plugin):
    def send_at(self, calendar, params, request):
        days = Params(params, known={"days": "7"})
        if days.text("days").strip() == "manual":
            return None
        before = days.int("days", minimum=0, maximum=366)
        return local_time(request.start - before, calendar.send_time)
