"""The errors that stop a publication (see ``docs/publish.md`` for their exit codes)."""

from __future__ import annotations

from ..exceptions import NogentechError

__all__ = ["AuthenticationError", "NetworkError", "NotACollectionError", "PublishError"]


class PublishError(NogentechError):
    """Publishing to a CalDAV or CardDAV server could not go on."""


class NotACollectionError(PublishError):
    """The URL is not a calendar (or address book) collection the server knows."""


class AuthenticationError(PublishError):
    """The server refused the credentials or the access (401 or 403)."""


class NetworkError(PublishError):
    """The server could not be reached: no connection, a timeout, or TLS verification failed."""
