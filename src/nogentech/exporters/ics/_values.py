"""How the ``ics`` feed writes its values and content lines (see :mod:`nogentech.exporters.ics`).

* TEXT values are cleaned (:func:`clean_text`) and escaped (:func:`escape_text`,
  RFC 5545 section 3.3.11) by :mod:`nogentech.content_lines` rather than by icalendar.
* A DATE-TIME in a zone reuses the TZID parameter found once for that zone.
* The refresh hints are written as a duration in hours, minutes and seconds.
* The feed (a VCALENDAR) makes and folds the content line of a value that many
  VEVENTs share once.
* ``_encoded`` gives a value as ``Component.add`` stores it, to be set in many VEVENTs.

icalendar is imported inside the functions, when a feed is rendered.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ...content_lines import clean_text, escape_text
from ...recurrence import zone

if TYPE_CHECKING:
    from ...meetings import Event, Meeting, MeetingSeries

__all__ = ["clean_text", "escape_text"]


@functools.cache
def _text_type() -> Any:
    from icalendar.prop import vText

    class EscapedText(vText):
        """A TEXT value written with :func:`escape_text`."""

        def to_ical(self) -> bytes:
            return escape_text(str(self)).encode("utf-8")

    return EscapedText


def _wall(date: dt.date, time: dt.time, name: str) -> dt.datetime:
    """``date`` at the local ``time`` as a rule gives it, even where clocks skip that time.

    The master's DTSTART and every RECURRENCE-ID are written so: an engine makes an
    instance of the rule's local time on each date and matches a RECURRENCE-ID by
    the same reading, whatever it does with a time that does not exist that day
    (02:30 when clocks go from 02:00 to 03:00). Written normalised, as 03:30, the
    RECURRENCE-ID would name no instance.
    """
    return dt.datetime.combine(date, time, tzinfo=zone(name))


def unambiguous(moment: dt.datetime) -> dt.datetime:
    """``moment`` in UTC when its local time comes twice that day (clocks going back).

    RFC 5545 takes such a local time for the first of the two, and engines do not
    agree (ical.js, libical and node-ical take the second): the DTSTART and DTEND
    of an event that is no rule's master are written in UTC then, which every
    engine reads as the same instant.
    """
    tz = moment.tzinfo
    if tz is None or tz is dt.UTC:
        return moment
    other = moment.replace(fold=1 - moment.fold)
    if other.utcoffset() == moment.utcoffset():
        return moment
    return moment.astimezone(dt.UTC)


def master_start(series: MeetingSeries) -> dt.datetime:
    """The DTSTART of the master VEVENT of ``series``: its first date at its local start time."""
    return _wall(series.first_date, series.start_time, series.timezone)


def written_span(
    meeting: Meeting, item: MeetingSeries | Event, master: bool
) -> tuple[dt.datetime, dt.datetime]:
    """The DTSTART and DTEND a VEVENT of ``meeting`` is written with, either way.

    An all-day meeting as it is; the master of a series' rule from its first date at
    its local start time; any other by its instants (see :func:`unambiguous`).
    """
    from ...meetings import MeetingSeries

    if meeting.all_day:
        return meeting.start, meeting.end
    if master and isinstance(item, MeetingSeries):
        return master_start(item), meeting.end
    return unambiguous(meeting.start), unambiguous(meeting.end)


def _text(value: str) -> Any:
    return _text_type()(clean_text(value))


@functools.cache
def _local_time_type() -> Any:
    from icalendar.prop import vDatetime

    class LocalTime(vDatetime):
        """A DATE-TIME whose TZID parameter was found once for its zone."""

        def __init__(self, moment: dt.datetime, params: Any) -> None:
            self.dt = moment
            self.params = params

    return LocalTime


@functools.cache
def _feed_type() -> Any:
    from icalendar import Calendar
    from icalendar.parser import Contentline, Parameters

    class Line(Contentline):
        """A content line that folds itself once, however often the feed repeats it."""

        __slots__ = ("folded",)
        folded: bytes

        def to_ical(self) -> bytes:
            try:
                return self.folded
            except AttributeError:
                self.folded = super().to_ical()  # type: ignore[no-untyped-call]
                return self.folded

    class Feed(Calendar):
        """A VCALENDAR that makes the content line of a repeated value once.

        While the feed is written, a value object met again under the same name (a
        value the VEVENTs share, or the same BEGIN or END) gives the line already
        made, folded once.
        """

        def content_lines(self, sorted: bool = True) -> Any:  # noqa: A002 - icalendar's name
            self._made: dict[tuple[str, object, bool], tuple[object, Any]] = {}
            try:
                return super().content_lines(sorted=sorted)
            finally:
                del self._made

        def content_line(self, name: str, value: Any, sorted: bool = True) -> Any:  # noqa: A002
            made = getattr(self, "_made", None)
            if made is None:
                return super().content_line(name, value, sorted=sorted)
            # the values listed for one writing stay alive until it ends, so an id
            # names one object; bytes (BEGIN, END) are compared by value
            key = (name, value if isinstance(value, bytes) else id(value), sorted)
            found = made.get(key)
            if found is None or not (found[0] is value or isinstance(value, bytes)):
                params = value.params if hasattr(value, "params") else Parameters()
                found = made[key] = (value, Line.from_parts(name, params, value, sorted=sorted))
            return found[1]

    return Feed


def _categories(names: Sequence[str]) -> Any:
    from icalendar.prop import vCategory

    value = vCategory([])
    value.cats = [_text(n) for n in names]
    return value


def _clock_duration(value: dt.timedelta) -> str:
    """A positive duration in hours, minutes and seconds: ``PT12H``, ``PT30H``, ``PT1H30M``.

    The refresh hints are written in this form only (no days or weeks), the one
    every client reads (section 3.3.6 allows both).
    """
    hours, rest = divmod(int(value.total_seconds()), 3600)
    minutes, seconds = divmod(rest, 60)
    clock = (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "")
    return "PT" + clock + (f"{seconds}S" if seconds or not clock else "")


@functools.cache
def _clock_type() -> Any:
    from icalendar.prop import vDuration

    class ClockDuration(vDuration):
        """A DURATION written with :func:`_clock_duration`."""

        def to_ical(self) -> bytes:
            return _clock_duration(self.td).encode("ascii")

    return ClockDuration


def _encoded(name: str, value: Any) -> Any:
    """``value`` as ``Component.add(name, value)`` stores it."""
    from icalendar import Event as VEvent

    holder = VEvent()
    holder.add(name, value)
    return holder[name]
