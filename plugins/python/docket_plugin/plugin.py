"""Failures reported to Docket. Subclass `Plugin` (a reminder `Policy` already does) and an
exception escaping a call of your plugin — a bug, a `KeyError`, a `ValueError` from `int()`,
even `sys.exit()` — reaches Docket as the plugin failing, with the exception's type, message
and line:

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


def crashed(kind: str, message: str, location: str):
    """The `Err` carrying `plugin-error.crashed` with a failure's kind, message and place."""
    from componentize_py_types import Err
    from wit_world.imports.types import Failure, PluginError_Crashed

    return Err(PluginError_Crashed(Failure(kind=kind, message=message, location=location)))


def _exited(code) -> str:
    """What `sys.exit(code)` (or `raise SystemExit(code)`) says: a plugin answers, never exits."""
    if code is None:
        code = 0
    if isinstance(code, int):
        return f"the plugin exited (status {code}) instead of answering"
    return f"the plugin exited instead of answering: {code}"


def failure(exc: BaseException):
    """The `Err` carrying `plugin-error.crashed` for `exc`: its type, message and the place it
    was raised in the plugin's own code (the last frame outside this package). `SystemExit`
    (`sys.exit`) is one too: a plugin that exits would otherwise end the call with no word of
    why, or of its status."""
    frames = traceback.extract_tb(exc.__traceback__)
    own = [f for f in frames if not os.path.abspath(f.filename).startswith(_HERE)]
    frame = (own or frames or [None])[-1]
    location = f"{os.path.basename(frame.filename)}:{frame.lineno}" if frame else ""
    if isinstance(exc, SystemExit):
        message = _exited(exc.code)
    else:
        message = " ".join(str(exc).split())
    return crashed(type(exc).__name__, message, location)


def _reported(method):
    @functools.wraps(method)
    def call(self, *args):
        from componentize_py_types import Err

        try:
            return method(self, *args)
        except Err:
            raise
        except BaseException as exc:  # noqa: BLE001 - every failure, `sys.exit` too, is reported
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
