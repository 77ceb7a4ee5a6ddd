"""The slot grid: which instants an offer may start at, from wall-clock rules in the seller's zone.

Rules are wall-clock times in the offer's IANA zone, so a 09:00 Shanghai slot stays 09:00 in
Shanghai whatever the buyer's zone does. On a daylight-saving change the grid is laid out in wall
time and then each start is resolved deliberately:

- a wall time that does not exist (clocks jump forward over it) has no slot;
- a wall time that happens twice (clocks fall back) gets one slot, at its first occurrence
  (fold=0), so a buyer never sees the same hour twice.

A session ends ``duration`` real minutes after it starts.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from marketplace.tutoring.models import DateOverride, TutoringOffer, WeeklyAvailability


@dataclass(frozen=True)
class Window:
    start: time
    end: time


def _resolve(day: date, wall: time, zone: ZoneInfo) -> datetime | None:
    """The UTC instant of a wall time, None when the wall time does not exist that day."""
    local = datetime.combine(day, wall, tzinfo=zone).replace(fold=0)
    instant = local.astimezone(UTC)
    if instant.astimezone(zone).replace(tzinfo=None) != local.replace(tzinfo=None):
        return None  # inside the spring-forward gap
    return instant


def windows_for(
    day: date, weekly: Iterable[WeeklyAvailability], overrides: list[DateOverride]
) -> list[Window]:
    """A date's windows: its overrides replace the weekly rules; a blackout leaves none."""
    todays = [o for o in overrides if o.date == day]
    if todays:
        if any(o.blackout for o in todays):
            return []
        return [Window(o.start_time, o.end_time) for o in todays if o.start_time and o.end_time]
    return [Window(w.start_time, w.end_time) for w in weekly if w.weekday == day.weekday()]


def _wall_starts(window: Window, duration: timedelta) -> Iterator[time]:
    anchor = date(2000, 1, 1)  # wall-clock arithmetic on a day without clock changes
    cursor = datetime.combine(anchor, window.start)
    end = datetime.combine(anchor, window.end)
    while cursor + duration <= end:
        yield cursor.time()
        cursor += duration


def grid(
    offer: TutoringOffer,
    first_day: date,
    last_day: date,
    weekly: list[WeeklyAvailability] | None = None,
    overrides: list[DateOverride] | None = None,
) -> list[datetime]:
    """Every start instant (UTC, sorted, unique) on the seller's local dates first_day..last_day."""
    zone = ZoneInfo(offer.timezone)
    duration = timedelta(minutes=offer.duration_minutes)
    if weekly is None:
        weekly = list(offer.weekly.all())
    if overrides is None:
        overrides = list(offer.overrides.filter(date__gte=first_day, date__lte=last_day))
    starts: set[datetime] = set()
    day = first_day
    while day <= last_day:
        for window in windows_for(day, weekly, overrides):
            for wall in _wall_starts(window, duration):
                instant = _resolve(day, wall, zone)
                if instant is not None:
                    starts.add(instant)
        day += timedelta(days=1)
    return sorted(starts)


def blocked_range(offer: TutoringOffer, start: datetime) -> tuple[datetime, datetime]:
    """What a session starting at ``start`` blocks: the session with its buffers, [from, until)."""
    end = start + timedelta(minutes=offer.duration_minutes)
    return (
        start - timedelta(minutes=offer.buffer_before_minutes),
        end + timedelta(minutes=offer.buffer_after_minutes),
    )


def overlaps(a: tuple[datetime, datetime], b: tuple[datetime, datetime]) -> bool:
    """Half-open ranges [from, until): touching ends do not overlap, as tstzrange '[)'."""
    return a[0] < b[1] and b[0] < a[1]
