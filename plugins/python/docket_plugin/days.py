"""WIT `day` numbers (days since 1970-01-01) as dates: weekdays, `YYYY-MM-DD`, arithmetic.

    days.parse("2026-04-06")  -> 20549
    days.format(20549)        -> "2026-04-06"
    days.weekday(20549)       -> days.MONDAY
"""

import datetime as _dt

_EPOCH = _dt.date(1970, 1, 1)

MONDAY, TUESDAY, WEDNESDAY, THURSDAY, FRIDAY, SATURDAY, SUNDAY = range(7)


def from_date(date: _dt.date) -> int:
    """The day number of a `datetime.date`."""
    return (date - _EPOCH).days


def to_date(day: int) -> _dt.date:
    """The `datetime.date` of a day number."""
    return _EPOCH + _dt.timedelta(days=day)


def from_ymd(year: int, month: int, day: int) -> int:
    """The day number of a civil date; raises ValueError for one that does not exist."""
    return from_date(_dt.date(year, month, day))


def parse(text: str) -> int:
    """The day number of `YYYY-MM-DD`; raises ValueError otherwise."""
    return from_date(_dt.date.fromisoformat(text.strip()))


def format(day: int) -> str:  # noqa: A001 - the name reads well at call sites: days.format(d)
    """`YYYY-MM-DD` of a day number."""
    return to_date(day).isoformat()


def weekday(day: int) -> int:
    """0 for Monday to 6 for Sunday (1970-01-01 was a Thursday)."""
    return (day + 3) % 7


def is_weekend(day: int) -> bool:
    """Whether the day is a Saturday or a Sunday."""
    return weekday(day) >= SATURDAY


def is_working_day(day: int, holidays=()) -> bool:
    """Neither a weekend nor one of `holidays` (day numbers, e.g. the calendar's)."""
    return not is_weekend(day) and day not in holidays


def next_working_day(day: int, holidays=()) -> int:
    """The first working day on or after `day`."""
    holidays = set(holidays)
    while not is_working_day(day, holidays):
        day += 1
    return day


def week_start(day: int) -> int:
    """The Monday of the day's week."""
    return day - weekday(day)
