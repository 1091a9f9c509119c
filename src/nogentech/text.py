"""Small value types shared by the model: bilingual text, partial dates, slugs, dates in words."""

from __future__ import annotations

import datetime as dt
import re
import reprlib
from typing import Any, Final, Literal

import attrs

from .limits import MAX_QUOTED, MAX_YEAR, MIN_YEAR

__all__ = [
    "LANGUAGES",
    "Lang",
    "PartialDate",
    "Text",
    "check_string",
    "is_slug",
    "long_date",
    "match_slug",
    "quote",
    "slug",
    "slugs",
    "text_table",
]

Lang = Literal["fr", "en"]
LANGUAGES: Final[tuple[Lang, ...]] = ("fr", "en")

_DAYS = {
    "fr": ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}
_MONTHS = {
    "fr": (
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ),
    "en": (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ),
}


def long_date(day: dt.date, lang: str) -> str:
    """``jeudi 12 octobre 2023`` / ``Thursday 12 October 2023``."""
    return f"{_DAYS[lang][day.weekday()]} {day.day} {_MONTHS[lang][day.month - 1]} {day.year}"


# The pattern of the JSON schemas (``^[a-z0-9]+(?:-[a-z0-9]+)*$``) with possessive
# repeats: a run of letters and digits is never given back, as ``-`` or the end
# must follow it anyway; the same strings match, with less backtracking to try.
_SLUG = re.compile(r"[a-z0-9]++(?:-[a-z0-9]++)*+")

_REPR = reprlib.Repr()
_REPR.maxstring = _REPR.maxother = MAX_QUOTED
_REPR.maxlist = _REPR.maxtuple = _REPR.maxdict = _REPR.maxset = 3
_REPR.maxlevel = 2


def quote(value: object) -> str:
    """``repr(value)`` cut to a readable length, for error messages."""
    return _REPR.repr(value)


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def check_string(value: str) -> str:
    """``value``, or ``ValueError`` if it holds a lone surrogate.

    Half of a UTF-16 pair (``"\\ud800"`` in a JSON file) is a character no format
    can encode in UTF-8. Control characters are text like any other: the JSON
    export keeps them, escaped; iCalendar and vCard drop those they forbid.
    """
    found = _LONE_SURROGATE.search(value)
    if found is not None:
        raise ValueError(
            f"text holds a lone surrogate, U+{ord(found.group()):04X}, "
            f"at position {found.start()}: {quote(value)}"
        )
    return value


def is_slug(value: object) -> bool:
    """True for a stable identifier: lowercase ASCII letters and digits joined by ``-``."""
    return isinstance(value, str) and bool(_SLUG.fullmatch(value))


match_slug = _SLUG.fullmatch
"""The match of a whole slug, or None: the pattern the validators below use."""
_SLUG_MATCH = match_slug


def slug(_inst: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    """attrs validator: ``value`` is a slug."""
    if type(value) is str and _SLUG_MATCH(value) is not None:
        return
    if not is_slug(value):
        raise ValueError(
            f"'{attribute.name}' must be a slug: lowercase letters, digits, '-' "
            f"(got {quote(value)})"
        )


def optional_slug(inst: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    """attrs validator: ``value`` is None or a slug."""
    if value is not None and (type(value) is not str or _SLUG_MATCH(value) is None):
        slug(inst, attribute, value)


def slugs(_inst: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    """attrs validator: ``value`` is a tuple of slugs without repeats."""
    if type(value) is tuple:
        if not value:
            return
        for item in value:
            if type(item) is not str or _SLUG_MATCH(item) is None:
                break
        else:
            if len(value) == 1 or len(set(value)) == len(value):
                return
    if not isinstance(value, tuple):
        raise TypeError(f"'{attribute.name}' must be a tuple (got {type(value).__name__})")
    seen: set[str] = set()
    for item in value:
        if not is_slug(item):
            raise ValueError(f"'{attribute.name}' must hold slugs (got {quote(item)})")
        if item in seen:
            raise ValueError(f"'{attribute.name}' repeats {item!r}")
        seen.add(item)


def _optional_text(_inst: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and not isinstance(value, str):
        raise TypeError(f"'{attribute.name}' must be a string (got {type(value).__name__})")


@attrs.frozen
class Text:
    """A text in French and English; at least one of them is given.

    :meth:`get` returns the requested language, falling back to the other one,
    so a label written only in French still shows in an English export.
    """

    fr: str | None = attrs.field(default=None, validator=_optional_text)
    """The French text."""
    en: str | None = attrs.field(default=None, validator=_optional_text)
    """The English text; ``get("en")`` falls back to French when it is missing."""

    def __attrs_post_init__(self) -> None:
        if not (self.fr or self.en):
            raise ValueError("a text needs a French or an English value")

    def get(self, lang: str = "fr") -> str:
        """The text in ``lang`` (``"fr"`` or ``"en"``), or in the other language if missing."""
        if lang == "en":
            return self.en or self.fr or ""
        return self.fr or self.en or ""

    def has(self, lang: str) -> bool:
        """True when the text is given in ``lang`` itself (no fallback)."""
        return bool(self.en if lang == "en" else self.fr)

    def __str__(self) -> str:
        return self.get("fr")


def _check_partial(inst: PartialDate, _a: attrs.Attribute[Any], _v: object) -> None:
    if not MIN_YEAR <= inst.year <= MAX_YEAR:
        raise ValueError(f"year must be {MIN_YEAR} to {MAX_YEAR} (got {inst.year})")
    if inst.day is not None and inst.month is None:
        raise ValueError("a partial date with a day needs a month")
    if inst.month is not None and not 1 <= inst.month <= 12:
        raise ValueError(f"month must be 1 to 12 (got {inst.month})")
    if inst.day is not None and inst.month is not None:
        dt.date(inst.year, inst.month, inst.day)  # raises ValueError for 31 February


def _unknown_first(value: int | None) -> tuple[bool, int]:
    return (value is not None, value or 0)


@attrs.frozen(order=True)
class PartialDate:
    """A date known to the year, the month or the day: ``2009``, ``2006-06``, ``2023-07-12``.

    Dates sort chronologically; a less precise date sorts before the more
    precise ones it contains (``2009`` < ``2009-01`` < ``2009-01-01``).
    """

    year: int = attrs.field(validator=attrs.validators.and_(attrs.validators.instance_of(int)))
    """The year (four digits)."""
    month: int | None = attrs.field(default=None, order=_unknown_first)
    """The month, 1 to 12, if known."""
    day: int | None = attrs.field(default=None, validator=_check_partial, order=_unknown_first)
    """The day of the month, if known (needs a month)."""

    @classmethod
    def parse(cls, text: str) -> PartialDate:
        """Read ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``."""
        match = re.fullmatch(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?", text.strip())
        if not match:
            raise ValueError(f"expected YYYY, YYYY-MM or YYYY-MM-DD (got {text!r})")
        year, month, day = match.groups()
        return cls(int(year), int(month) if month else None, int(day) if day else None)

    def isoformat(self) -> str:
        """``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` depending on the precision."""
        out = f"{self.year:04d}"
        if self.month is not None:
            out += f"-{self.month:02d}"
            if self.day is not None:
                out += f"-{self.day:02d}"
        return out

    def first_day(self) -> dt.date:
        """The earliest calendar day this partial date can mean."""
        return dt.date(self.year, self.month or 1, self.day or 1)

    def __str__(self) -> str:
        return self.isoformat()


def refs(*targets: str) -> Any:
    """An attrs field holding a tuple of ids that point into the cluster's ``targets``.

    ``targets`` are collection names of :class:`~nogentech.Cluster` (``"companies"``),
    ``"cluster"`` for the cluster itself, or ``"any"``. References are checked when
    a cluster is built.
    """
    return attrs.field(default=(), validator=slugs, metadata={"ref": targets})


def ref(*targets: str) -> Any:
    """An attrs field holding one optional id that points into the cluster's ``targets``."""
    return attrs.field(default=None, validator=optional_slug, metadata={"ref": targets})


def text_table(value: Text) -> dict[str, str]:
    """``value`` as a data file's table: ``fr`` and ``en``, each when it is set."""
    out = {}
    if value.fr is not None:
        out["fr"] = value.fr
    if value.en is not None:
        out["en"] = value.en
    return out
