"""What an exporter is, the registry plugins add it to, and the typed hook calls.

Plugin authors import these names from :mod:`nogentech.plugins`; see ``docs/plugins.md``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any, ClassVar, Literal

import attrs.exceptions

from .exceptions import ExportError, OptionError, PluginError
from .recurrence import EARLIEST_DATE, LATEST_DATE

if TYPE_CHECKING:
    import pluggy

    from .cluster import Cluster
    from .meetings import Meeting

__all__ = [
    "LANG_OPTION",
    "Exporter",
    "ExporterRegistry",
    "Hooks",
    "Option",
    "OptionKind",
    "Renderer",
]

OptionKind = Literal["str", "bool", "int", "date", "choice", "list"]

_WHOLE = r"-?[0-9]{1,18}"
"""A whole number as an option's text: ASCII digits, short enough to parse at once
(compiled by :mod:`re` on first use, not on import)."""
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


class _Value:
    """A small immutable value with slots, compared, hashed, shown and pickled by its fields.

    What ``attrs.frozen`` gives a class, written once by hand: every command that
    exports makes :class:`Option` and :class:`Exporter`, and making an attrs class
    (writing and compiling its methods) cost more than a hundred cards take to write.
    Setting or deleting an attribute raises ``attrs.exceptions.FrozenInstanceError``,
    as it does on the model's classes.
    """

    __slots__ = ("__weakref__",)
    _FIELDS: ClassVar[tuple[str, ...]] = ()
    """The fields, in the order of ``__init__``."""
    _UNSHOWN: ClassVar[tuple[str, ...]] = ()
    """The fields ``repr`` leaves out."""

    def _values(self) -> tuple[Any, ...]:
        return tuple([getattr(self, name) for name in self._FIELDS])

    def __setattr__(self, name: str, value: Any) -> None:
        raise attrs.exceptions.FrozenInstanceError

    def __delattr__(self, name: str) -> None:
        raise attrs.exceptions.FrozenInstanceError

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        assert isinstance(other, _Value)
        return self._values() == other._values()

    def __hash__(self) -> int:
        return hash((self.__class__.__qualname__, *self._values()))

    def __repr__(self) -> str:
        shown = ", ".join(
            f"{name}={getattr(self, name)!r}" for name in self._FIELDS if name not in self._UNSHOWN
        )
        return f"{self.__class__.__qualname__}({shown})"

    def __reduce__(self) -> tuple[type[Any], tuple[Any, ...]]:
        return self.__class__, self._values()


_set = object.__setattr__


class Option(_Value):
    """An option an exporter accepts.

    ``kind`` says how a text value (from the command line or a URL) is read:
    ``bool`` (true/false/yes/no/1/0), ``int``, ``date`` (YYYY-MM-DD), ``choice``
    (one of ``choices``), ``list`` (comma-separated ids) or ``str``. A whole
    number below ``minimum`` or above ``maximum`` is refused, and so is one of
    more than 18 digits; a date must lie between :data:`EARLIEST_DATE` and
    :data:`LATEST_DATE`.
    """

    __slots__ = ("choices", "default", "description", "kind", "maximum", "minimum", "name")
    __match_args__ = ("name", "description", "kind", "default", "choices", "minimum", "maximum")
    _FIELDS = __match_args__

    name: str
    description: str
    kind: OptionKind
    default: Any
    choices: tuple[str, ...]
    minimum: int | None
    maximum: int | None

    def __init__(
        self,
        name: str,
        description: str,
        kind: OptionKind = "str",
        default: Any = None,
        choices: tuple[str, ...] = (),
        minimum: int | None = None,
        maximum: int | None = None,
    ) -> None:
        """
        :param name: the option's name, in ``--option NAME=VALUE`` and in URL queries.
        :param description: one line for ``nogentech formats`` and the API description.
        :param kind: how a text value is read (see above).
        :param default: the value when the option is not given.
        :param choices: the values a ``choice`` option takes.
        :param minimum: the smallest whole number an ``int`` option takes.
        :param maximum: the largest whole number an ``int`` option takes.
        """
        _set(self, "name", name)
        _set(self, "description", description)
        _set(self, "kind", kind)
        _set(self, "default", default)
        _set(self, "choices", choices)
        _set(self, "minimum", minimum)
        _set(self, "maximum", maximum)

    def coerce(self, value: Any) -> Any:
        """``value`` as this option's type; :class:`OptionError` if it does not fit."""
        bad = OptionError(f"option {self.name!r}: invalid value {value!r} ({self.expected()})")
        if self.kind == "bool":
            if isinstance(value, bool):
                return value
            if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
                return value.strip().lower() in _TRUE
            raise bad
        if self.kind == "int":
            number = value
            if isinstance(value, str) and re.fullmatch(_WHOLE, value.strip()):
                number = int(value)
            if not isinstance(number, int) or isinstance(number, bool):
                raise bad
            if self.minimum is not None and number < self.minimum:
                raise bad
            if self.maximum is not None and number > self.maximum:
                raise bad
            return number
        if self.kind == "date":
            day = value
            if isinstance(value, str):
                try:
                    day = dt.date.fromisoformat(value)
                except ValueError:
                    raise bad from None
            if not isinstance(day, dt.date) or isinstance(day, dt.datetime):
                raise bad
            if not EARLIEST_DATE <= day <= LATEST_DATE:
                raise bad
            return day
        if self.kind == "list":
            items = value.split(",") if isinstance(value, str) else value
            if not isinstance(items, (list, tuple)) or not all(isinstance(i, str) for i in items):
                raise bad
            return tuple(i.strip() for i in items if i.strip())
        if not isinstance(value, str):
            raise bad
        if self.kind == "choice" and value not in self.choices:
            raise bad
        return value

    def expected(self) -> str:
        """A short description of the accepted values."""
        return {
            "bool": "expected true or false",
            "int": "expected a whole number" + self._bounds(),
            "date": f"expected a date YYYY-MM-DD from {EARLIEST_DATE} to {LATEST_DATE}",
            "list": "expected comma-separated ids",
            "str": "expected text",
            "choice": "expected one of " + ", ".join(self.choices),
        }[self.kind]

    def _bounds(self) -> str:
        if self.minimum is not None and self.maximum is not None:
            return f" from {self.minimum} to {self.maximum}"
        if self.minimum is not None:
            return f" of at least {self.minimum}"
        if self.maximum is not None:
            return f" of at most {self.maximum}"
        return ""


LANG_OPTION = Option("lang", "Language of the text: fr or en.", "choice", "fr", ("fr", "en"))
"""The ``lang`` option every built-in exporter accepts."""

Renderer = Callable[["Cluster", Mapping[str, Any], "Hooks"], bytes]


_NAME_PATTERN = "[a-z0-9][a-z0-9_-]{0,31}"
"""What a format name is, as a regular expression (the checks below are written out
by hand: compiling three patterns costs a fifth of a first export's start)."""
_DIGITS = "0123456789"
_LOWER = "abcdefghijklmnopqrstuvwxyz"
_ALNUM = _DIGITS + _LOWER + _LOWER.upper()
_PART = _ALNUM + "_-"
_RESTRICTED = _ALNUM + "!#$&^_.+-"
"""RFC 6838's restricted-name characters, the first of which must be a letter or digit."""
_TOKEN = _ALNUM + "!#$%&'*+.^_`|~-"
"""RFC 9110's token characters: a parameter's name, and its value unless quoted."""
_QUOTED = "".join(chr(c) for c in range(0x20, 0x7F) if c not in (0x22, 0x5C))
"""The characters a quoted parameter value may hold: printable ASCII but ``"`` and ``\\``."""
_BLANK = " \t"


def _is_name(value: str) -> bool:
    """``value`` matches :data:`_NAME_PATTERN` whole."""
    return (
        0 < len(value) <= 32
        and value[0] in _DIGITS + _LOWER
        and not value.strip(_DIGITS + _LOWER + "_-")
    )


def _is_extension(value: str) -> bool:
    """One to three dot-separated parts of 1 to 16 letters, digits, ``_`` and ``-``,
    each starting with a letter or a digit."""
    parts = value.split(".")
    return len(parts) <= 3 and all(
        0 < len(part) <= 16 and part[0] in _ALNUM and not part.strip(_PART) for part in parts
    )


def _run(value: str, start: int, chars: str) -> int:
    """The index after the longest run of ``chars`` from ``start``."""
    end = len(value)
    while start < end and value[start] in chars:
        start += 1
    return start


def _is_restricted(name: str) -> bool:
    return 0 < len(name) <= 127 and name[0] in _ALNUM and not name.strip(_RESTRICTED)


def _is_media_type(value: str) -> bool:
    """``type/subtype`` of restricted names (1 to 127 characters, the first a letter or
    a digit), then any number of ``; name=value`` parameters, with spaces or tabs
    around the ``;``; a value is a token or a quoted string without ``"`` or ``\\``."""
    slash = value.find("/")
    end = _run(value, slash + 1, _RESTRICTED)
    if slash < 0 or not _is_restricted(value[:slash]) or not _is_restricted(value[slash + 1 : end]):
        return False
    size = len(value)
    while end < size:
        end = _run(value, end, _BLANK)
        if end == size or value[end] != ";":
            return False
        start = _run(value, end + 1, _BLANK)
        end = _run(value, start, _TOKEN)
        if end in (start, size) or value[end] != "=":
            return False
        start = end + 1
        if start < size and value[start] == '"':
            close = value.find('"', start + 1)
            if close < 0 or value[start + 1 : close].strip(_QUOTED):
                return False
            end = close + 1
        else:
            end = _run(value, start, _TOKEN)
            if end == start:
                return False
    return True


def _name(field: str, value: object) -> None:
    """A format name: in URLs (``/export/NAME``), options and file names."""
    if not isinstance(value, str) or not _is_name(value):
        raise ValueError(
            f"'{field}' must match regex {_NAME_PATTERN!r}: up to 32 lowercase "
            f"letters, digits, '-' and '_' (got {value!r:.80})"
        )


def _extension(field: str, value: object) -> None:
    """A file extension without its dot: ``ics``, ``tar.gz``; it ends download file names."""
    if not isinstance(value, str) or not _is_extension(value):
        raise ValueError(
            f"'{field}' must be a file extension without its dot, such as 'csv' or "
            f"'tar.gz': ASCII letters, digits, '-' and '_' (got {value!r:.80})"
        )


def _media_type(field: str, value: object) -> None:
    """An RFC 6838 media type with optional parameters; it is sent as Content-Type."""
    if not isinstance(value, str) or len(value) > 255 or not _is_media_type(value):
        raise ValueError(
            f"'{field}' must be a media type such as 'text/csv; charset=utf-8' "
            f"(RFC 6838: ASCII, no line breaks) (got {value!r:.80})"
        )


class Exporter(_Value):
    """An export format a plugin registers.

    ``render(cluster, options, hooks)`` returns the bytes of the export;
    ``options`` holds every declared option, validated and with its default;
    ``hooks`` lets the exporter call the enrichment hooks of other plugins.
    ``name``, ``extension`` and ``media_type`` end up in URLs, file names and HTTP
    headers: each is checked when the exporter is made (see ``docs/limits.md``).
    """

    __slots__ = ("description", "extension", "media_type", "name", "options", "render")
    __match_args__ = ("name", "extension", "media_type", "description", "render", "options")
    _FIELDS = __match_args__
    _UNSHOWN = ("render",)

    name: str
    extension: str
    media_type: str
    description: str
    render: Renderer
    options: tuple[Option, ...]

    def __init__(
        self,
        name: str,
        extension: str,
        media_type: str,
        description: str,
        render: Renderer,
        options: tuple[Option, ...] = (),
    ) -> None:
        """
        :param name: the format's name, in ``nogentech export NAME`` and ``/export/NAME``.
        :param extension: the file extension without its dot (``ics``, ``tar.gz``).
        :param media_type: the Content-Type the server sends (``text/csv; charset=utf-8``).
        :param description: one line for ``nogentech formats`` and the API description.
        :param render: ``render(cluster, options, hooks)``, the bytes of the export.
        :param options: the options the format accepts.
        """
        _name("name", name)
        _extension("extension", extension)
        _media_type("media_type", media_type)
        _set(self, "name", name)
        _set(self, "extension", extension)
        _set(self, "media_type", media_type)
        _set(self, "description", description)
        _set(self, "render", render)
        _set(self, "options", options)


class ExporterRegistry:
    """Collects the exporters plugins register through ``nogentech_register_exporters``.

    Plugins call :meth:`add`; the plugin manager opens one :meth:`registering`
    block per plugin, so each exporter is kept with the plugin that added it and a
    plugin that fails leaves nothing behind.
    """

    def __init__(self) -> None:
        self._exporters: dict[str, tuple[Exporter, str]] = {}
        self._current = "?"

    def add(self, exporter: Exporter) -> None:
        """Register ``exporter``; a name already taken raises :class:`PluginError`."""
        if not isinstance(exporter, Exporter):
            raise PluginError(f"plugin {self._current!r} registered {exporter!r}, not an Exporter")
        taken = self._exporters.get(exporter.name)
        if taken is not None:
            raise PluginError(
                f"format {exporter.name!r} is registered by both {taken[1]!r} and {self._current!r}"
            )
        self._exporters[exporter.name] = (exporter, self._current)

    @contextlib.contextmanager
    def registering(self, plugin: str) -> Iterator[None]:
        """Attribute what is added inside the block to ``plugin``; undo it all if it raises."""
        before = dict(self._exporters)
        self._current = plugin
        try:
            yield
        except BaseException:
            self._exporters = before
            raise
        finally:
            self._current = "?"

    def get(self, name: str) -> tuple[Exporter, str] | None:
        """The exporter named ``name`` and the plugin that registered it."""
        return self._exporters.get(name)

    def names(self) -> list[str]:
        """Registered format names, sorted."""
        return sorted(self._exporters)


def culprit(exc: BaseException, impls: Sequence[Any]) -> str | None:
    """The name of the plugin whose hook implementation raised ``exc``, if one did.

    ``impls`` are pluggy's ``HookImpl`` objects of the hook that was called; the
    innermost frame of the traceback that runs one of their functions names it.
    """
    codes: dict[Any, str] = {}
    for impl in impls:
        code = getattr(getattr(impl.function, "__func__", impl.function), "__code__", None)
        if code is not None:
            codes[code] = impl.plugin_name
    found = None
    tb: TracebackType | None = exc.__traceback__
    while tb is not None:
        found = codes.get(tb.tb_frame.f_code, found)
        tb = tb.tb_next
    return found


class Hooks:
    """The enrichment hooks, called through pluggy with typed arguments.

    Each call goes through ``pm.hook``, so hook wrappers and call monitoring
    work as pluggy documents them. A plugin that raises stops the export with an
    :class:`~nogentech.ExportError` naming that plugin and how to disable it.
    """

    def __init__(self, pm: pluggy.PluginManager) -> None:
        self._pm = pm

    def _call(self, hook: str, **kwargs: Any) -> None:
        caller = getattr(self._pm.hook, hook)
        if not caller.get_hookimpls():
            return
        try:
            caller(**kwargs)
        except Exception as exc:
            plugin = culprit(exc, caller.get_hookimpls()) or "?"
            raise ExportError(
                f"plugin {plugin!r} failed: {type(exc).__name__}: {exc} (in {hook}); "
                f"to skip it, set {DISABLE_ENV}={_quoted(plugin)}"
            ) from exc

    def ics_calendar(self, calendar: Any, cluster: Cluster, options: Mapping[str, Any]) -> None:
        """Call ``nogentech_ics_calendar`` on every plugin."""
        self._call("nogentech_ics_calendar", calendar=calendar, cluster=cluster, options=options)

    def ics_event(
        self, event: Any, meeting: Meeting | None, cluster: Cluster, options: Mapping[str, Any]
    ) -> None:
        """Call ``nogentech_ics_event`` on every plugin."""
        self._call(
            "nogentech_ics_event", event=event, meeting=meeting, cluster=cluster, options=options
        )

    def vcard(self, card: Any, subject: Any, cluster: Cluster, options: Mapping[str, Any]) -> None:
        """Call ``nogentech_vcard`` on every plugin."""
        self._call("nogentech_vcard", card=card, subject=subject, cluster=cluster, options=options)

    def json_document(
        self, document: dict[str, Any], cluster: Cluster, options: Mapping[str, Any]
    ) -> None:
        """Call ``nogentech_json_document`` on every plugin."""
        self._call("nogentech_json_document", document=document, cluster=cluster, options=options)

    def has(self, hook: str) -> bool:
        """True when at least one plugin implements ``hook``."""
        return bool(getattr(self._pm.hook, hook).get_hookimpls())


DISABLE_ENV = "NOGENTECH_DISABLE_PLUGINS"
"""Environment variable: comma-separated names of plugins not to load."""


def _quoted(name: str) -> str:
    return name if re.fullmatch(r"[A-Za-z0-9_.-]+", name) else repr(name)
