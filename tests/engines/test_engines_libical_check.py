"""libical's checks (what Evolution runs on a calendar it reads) find nothing in the feeds.

libical reports what it cannot parse as X-LIC-ERROR properties, and its iTIP
restriction check (``icalcomponent_check_restrictions``, RFC 5546) adds one for each
property a component has too many or too few of for the calendar's METHOD. The
feed claims no METHOD: METHOD:PUBLISH would require an ORGANIZER in every VEVENT
(RFC 5546 section 3.2.1), and the data rarely has one (``docs/clients.md``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import nogentech
from tests.engines.conftest import Case
from tests.support.engines import libical_check

FEEDS = [
    pytest.param({"lang": "fr"}, id="fr"),
    pytest.param({"lang": "en"}, id="en"),
    pytest.param({"lang": "fr", "expand": True}, id="fr-expanded"),
]


@pytest.mark.parametrize("options", FEEDS)
def test_libical_finds_nothing_to_report(
    case: Case, options: dict[str, Any], tmp_path: Path
) -> None:
    path = tmp_path / "feed.ics"
    data = nogentech.export(case.cluster, "ics", **options)
    path.write_bytes(data)
    assert libical_check(path) == {"parse": [], "restrictions": [], "each": []}
    assert b"\r\nMETHOD:" not in data


def test_the_check_reports_publish_without_organizer(
    tricky: nogentech.Cluster, tmp_path: Path
) -> None:
    """The same feed claiming METHOD:PUBLISH: one finding per VEVENT without ORGANIZER
    (those of the series organised by a company with an e-mail address have one),
    so the check above is not silent by construction."""
    data = nogentech.export(tricky, "ics")
    path = tmp_path / "publish.ics"
    path.write_bytes(
        data.replace(b"CALSCALE:GREGORIAN\r\n", b"CALSCALE:GREGORIAN\r\nMETHOD:PUBLISH\r\n", 1)
    )
    found = libical_check(path)
    missing = (
        "X-LIC-ERROR;X-LIC-ERRORTYPE=INVALID-ITIP:Failed iTIP restrictions for ORGANIZER "
        "property. Expected 1 instances of the property and got 0"
    )
    assert found["parse"] == []
    assert found["restrictions"] == [missing]  # libical stops at the first failing VEVENT
    vevents = data.split(b"BEGIN:VEVENT")[1:]
    without = [v for v in vevents if b"\r\nORGANIZER" not in v]
    assert len(without) < len(vevents)
    assert found["each"] == [missing] * len(without)
