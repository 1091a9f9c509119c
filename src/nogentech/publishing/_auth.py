"""Credentials for a server: from the environment, else from a netrc file; never from a URL."""

from __future__ import annotations

import netrc
import os
import urllib.parse
from collections.abc import Mapping
from pathlib import Path

from ..exceptions import NogentechError

USER_ENV = "NOGENTECH_DAV_USERNAME"
PASSWORD_ENV = "NOGENTECH_DAV_PASSWORD"
NETRC_ENV = "NETRC"
"""The netrc file to read instead of ``~/.netrc`` (the variable curl and requests read too)."""


def check_url(url: str) -> str:
    """``url`` if it is an http(s) URL without a password in it; else a NogentechError."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise NogentechError(f"{url!r} is not an http:// or https:// URL")
    if parts.password is not None:
        raise NogentechError(
            f"the URL of {parts.hostname} holds a password: give it in {PASSWORD_ENV} "
            "or a netrc file instead, never on the command line"
        )
    return url


def credentials(url: str, environ: Mapping[str, str] | None = None) -> tuple[str, str] | None:
    """The user name and password for ``url``: :data:`USER_ENV` and :data:`PASSWORD_ENV`,
    else the netrc entry of its host (``$NETRC`` or ``~/.netrc``), else None."""
    env = os.environ if environ is None else environ
    parts = urllib.parse.urlsplit(url)
    if env.get(PASSWORD_ENV) is not None:
        return (env.get(USER_ENV) or parts.username or "", env[PASSWORD_ENV])
    path = Path(env[NETRC_ENV]) if env.get(NETRC_ENV) else Path.home() / ".netrc"
    if not path.is_file():
        return None
    try:
        entry = netrc.netrc(str(path)).authenticators(parts.hostname or "")
    except (netrc.NetrcParseError, OSError) as exc:
        raise NogentechError(f"cannot read {path}: {exc}") from None
    if entry is None:
        return None
    login, _account, password = entry
    return (login or parts.username or "", password or "")
