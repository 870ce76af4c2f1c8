"""Failures reported to Docket. Subclass `Plugin` (a reminder `Policy` already does) and an
exception escaping a call of your plugin — a bug, a `KeyError`, a `ValueError` from `int()` —
reaches Docket as the plugin failing, with the exception's type, message and line:

    plugin `first-weekday` failed: ValueError: invalid literal for int() with base 10: 'x'
    at app.py:21

which `docket plugin check`, `test` and `simulate` print and the server logs. Without it the
exception would crash the call with no more than "it crashed". An error raised on purpose with
`bad_param(...)` or `bad_input(...)` passes through as the refusal it is.

    from docket_plugin import Plugin

    class Sending(Plugin):           # componentize-py looks for this class name
        def send_at(self, calendar, params, request):
            ...
"""

import functools
import os
import traceback

#: The functions Docket calls, one per world; a subclass's are wrapped.
_EXPORTS = ("next_reminders", "send_at", "on_event")

_HERE = os.path.dirname(os.path.abspath(__file__))


def failure(exc: BaseException):
    """The `Err` carrying `plugin-error.crashed` for `exc`: its type, message and the place it
    was raised in the plugin's own code (the last frame outside this package)."""
    from componentize_py_types import Err
    from wit_world.imports.types import Failure, PluginError_Crashed

    frames = traceback.extract_tb(exc.__traceback__)
    own = [f for f in frames if not os.path.abspath(f.filename).startswith(_HERE)]
    frame = (own or frames or [None])[-1]
    location = f"{os.path.basename(frame.filename)}:{frame.lineno}" if frame else ""
    message = " ".join(str(exc).split())
    return Err(PluginError_Crashed(Failure(kind=type(exc).__name__, message=message, location=location)))


def _reported(method):
    @functools.wraps(method)
    def call(self, *args):
        from componentize_py_types import Err

        try:
            return method(self, *args)
        except Err:
            raise
        except Exception as exc:  # noqa: BLE001 - every failure is reported, none crashes
            raise failure(exc) from None

    call.__docket_reported__ = True
    return call


class Plugin:
    """Base class of a plugin's exported class: its calls report exceptions to Docket."""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        for name in _EXPORTS:
            method = cls.__dict__.get(name)
            if callable(method) and not getattr(method, "__docket_reported__", False):
                setattr(cls, name, _reported(method))
