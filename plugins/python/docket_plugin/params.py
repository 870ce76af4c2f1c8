"""Parameters as a template or manifest gives them, read with types and checked, and the
errors a plugin raises to refuse its input."""

from . import days as _days


def bad_param(message: str):
    """The error to raise for a parameter that is missing, unknown or malformed:
    `raise bad_param("every: `soon` is not a number")`. The host reports it as the plugin
    refusing its parameters."""
    from componentize_py_types import Err
    from wit_world.imports.types import PluginError_BadParam

    return Err(PluginError_BadParam(message))


def bad_input(message: str):
    """The error to raise for input that cannot be decided on."""
    from componentize_py_types import Err
    from wit_world.imports.types import PluginError_BadInput

    return Err(PluginError_BadInput(message))


class Params:
    """The parameters of one call, by name. Every name must be one of `known` (a typo in a
    template is refused rather than ignored); `defaults` fill the ones not given.

        p = Params(params, known={"every": "7", "holidays": ""})
        every = p.int("every", minimum=1)
        holidays = p.days("holidays")
    """

    def __init__(self, params, known: dict):
        self._values = dict(known)
        for param in params:
            if param.name not in known:
                names = ", ".join(sorted(known)) or "none"
                raise bad_param(f"unknown parameter `{param.name}`: this plugin takes {names}")
            self._values[param.name] = param.value

    def text(self, name: str) -> str:
        return self._values[name]

    def int(self, name: str, minimum=None, maximum=None) -> int:
        text = self._values[name].strip()
        try:
            value = int(text)
        except ValueError:
            raise bad_param(f"{name}: `{text}` is not a whole number") from None
        if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
            bounds = f"from {minimum if minimum is not None else '...'} to {maximum if maximum is not None else '...'}"
            raise bad_param(f"{name}: {value} is out of range; give a number {bounds}")
        return value

    def bool(self, name: str) -> bool:
        text = self._values[name].strip().lower()
        if text in ("true", "yes", "1"):
            return True
        if text in ("false", "no", "0", ""):
            return False
        raise bad_param(f"{name}: `{text}` is not true or false")

    def days(self, name: str) -> list:
        """A comma-separated list of `YYYY-MM-DD` dates as sorted day numbers."""
        out = []
        for part in self._values[name].split(","):
            part = part.strip()
            if not part:
                continue
            try:
                out.append(_days.parse(part))
            except ValueError:
                raise bad_param(f"{name}: `{part}` is not a YYYY-MM-DD date") from None
        return sorted(out)

    def numbers(self, name: str) -> list:
        """A comma-separated list of whole numbers."""
        out = []
        for part in self._values[name].split(","):
            part = part.strip()
            if not part:
                continue
            try:
                out.append(int(part))
            except ValueError:
                raise bad_param(f"{name}: `{part}` is not a whole number") from None
        return out
