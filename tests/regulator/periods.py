"""Independent period maths for the tests, built on Python's datetime (not on the contract's algorithm)."""

from datetime import datetime, timezone

DAY = 86_400
SECONDS = 0  # Supervision.PeriodUnit.Seconds
MONTHS = 1  # Supervision.PeriodUnit.Months


def utc(year, month, day=1, hour=0, minute=0, second=0) -> int:
    return int(datetime(year, month, day, hour, minute, second, tzinfo=timezone.utc).timestamp())


def civil(timestamp: int) -> datetime:
    return datetime.fromtimestamp(timestamp, tz=timezone.utc)


def month_index(timestamp: int) -> int:
    """Whole UTC months from January 1970 to the month that contains `timestamp`."""
    d = civil(timestamp)
    return (d.year - 1970) * 12 + d.month - 1


def month_start(timestamp: int) -> int:
    """The first second of the UTC month that contains `timestamp`."""
    d = civil(timestamp)
    return utc(d.year, d.month)


def start_of_month_index(index: int) -> int:
    return utc(1970 + index // 12, index % 12 + 1)


def add_months(timestamp: int, months: int) -> int:
    """The first second of the month `months` after the month that contains `timestamp`."""
    return start_of_month_index(month_index(timestamp) + months)


def period_of(anchor: int, length: int, unit: int, timestamp: int) -> int:
    assert timestamp >= anchor
    if unit == SECONDS:
        return (timestamp - anchor) // length
    return (month_index(timestamp) - month_index(anchor)) // length


def period_bounds(anchor: int, length: int, unit: int, period: int) -> tuple[int, int]:
    if unit == SECONDS:
        start = anchor + period * length
        return start, start + length
    first = month_index(anchor) + period * length
    return start_of_month_index(first), start_of_month_index(first + length)
