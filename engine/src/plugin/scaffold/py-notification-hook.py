"""{{name}}: a Docket notification hook in Python. As written it tells the work's staff in their
inbox when a client completes a task. It needs the `notify-staff` capability: declare it in
{{name}}.toml and have the firm grant it in docket.toml (`[plugins.grants]`); without it the
effect is denied and the hook does nothing."""

from componentize_py_types import Err
from docket_plugin import Params, Plugin, bad_input
from wit_world.exports.hook import EventKind_TaskCompleted
from wit_world.imports import effects


class Hook(Plugin):
    def on_event(self, params, event):
        Params(params, known={})
        if isinstance(event.kind, EventKind_TaskCompleted):
            message = f"{event.contact_email} completed “{event.kind.value}” on {event.work_title}"
            try:
                effects.notify_staff(message)
            except Err as e:
                if isinstance(e.value, effects.EffectError_Failed):
                    raise bad_input(e.value.value) from None
