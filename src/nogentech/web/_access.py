"""The built-in server's access log: one line per request in the Combined Log Format.

The format is Apache's and nginx's ``combined``, which log analysers read as is;
``X-Forwarded-For`` names the client only behind a trusted proxy. See
``docs/deploy.md``.
"""

from __future__ import annotations

import ipaddress
import time

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _escaped(text: str) -> str:
    r"""``text`` safe inside a quoted field: ``"`` and ``\`` escaped, other bytes as ``\xhh``.

    The request line and headers arrive as Latin-1 text; anything outside printable
    ASCII (a control character could forge a log line) is written as its byte value.
    """
    out: list[str] = []
    for char in text:
        code = ord(char)
        if char in '"\\':
            out.append("\\" + char)
        elif 0x20 <= code < 0x7F:
            out.append(char)
        elif code <= 0xFF:
            out.append(f"\\x{code:02x}")
        else:
            out.extend(f"\\x{byte:02x}" for byte in char.encode("utf-8"))
    return "".join(out)


def client_host(peer: str, forwarded_for: str | None, *, trust_proxy: bool) -> str:
    """The client's address: the peer's, or behind a trusted proxy the one it forwarded.

    A proxy appends the address it received the request from to ``X-Forwarded-For``,
    so the last entry is the one the proxy vouches for; entries before it were sent by
    the client and prove nothing. Anything that is not an IP address is ignored.
    """
    if trust_proxy and forwarded_for:
        last = forwarded_for.rsplit(",", 1)[-1].strip()
        try:
            return str(ipaddress.ip_address(last))
        except ValueError:
            pass
    return peer


def _timestamp(when: float) -> str:
    """``[10/Oct/2000:13:55:36 -0700]``: local time, English month, UTC offset."""
    local = time.localtime(when)
    offset = (local.tm_gmtoff or 0) // 60
    sign = "-" if offset < 0 else "+"
    hours, minutes = divmod(abs(offset), 60)
    return (
        f"[{local.tm_mday:02d}/{_MONTHS[local.tm_mon - 1]}/{local.tm_year:04d}:"
        f"{local.tm_hour:02d}:{local.tm_min:02d}:{local.tm_sec:02d} "
        f"{sign}{hours:02d}{minutes:02d}]"
    )


def combined_line(
    host: str,
    request_line: str,
    status: int | str,
    size: int | str,
    referer: str | None,
    agent: str | None,
    when: float,
) -> str:
    """One Combined Log Format line (no identity or user: ``-``; no body: size ``-``)."""
    shown = str(size) if isinstance(size, int) and size > 0 else "-"
    return (
        f'{_escaped(host)} - - {_timestamp(when)} "{_escaped(request_line)}" {status} {shown} '
        f'"{_escaped(referer or "-")}" "{_escaped(agent or "-")}"'
    )
