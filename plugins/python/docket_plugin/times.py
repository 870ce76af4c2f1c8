"""Local times: the WIT `local-time` a plugin answers with, and minutes of the day."""


def local_time(day: int, minute: int):
    """A WIT `local-time` for `day` at `minute` after midnight; the host turns it into an
    instant in the recipient's zone."""
    from wit_world.imports.types import LocalTime

    if not 0 <= minute < 24 * 60:
        raise ValueError(f"minute {minute} is not a time of day (0..1439)")
    return LocalTime(day=day, minute=minute)


def minute_of(text: str) -> int:
    """Minutes after midnight of `HH:MM`; raises ValueError otherwise."""
    hours, sep, minutes = text.strip().partition(":")
    if not sep or not hours.isdigit() or not minutes.isdigit() or len(minutes) != 2:
        raise ValueError(f"`{text}` is not a time of day; write HH:MM, e.g. 09:00")
    h, m = int(hours), int(minutes)
    if h > 23 or m > 59:
        raise ValueError(f"`{text}` is not a time of day; write HH:MM, e.g. 09:00")
    return h * 60 + m


def hhmm(minute: int) -> str:
    """`HH:MM` of minutes after midnight."""
    return f"{minute // 60:02}:{minute % 60:02}"
